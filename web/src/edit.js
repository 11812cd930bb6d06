// Editing parcels for GIS staff (OGC API – Features Part 4): which methods the token
// may use (the `Allow` of OPTIONS), the editable properties (from the feature schema),
// JSON Merge Patches of just what changed, a copy of the parcel's geometry whose
// vertices move on the map (OpenLayers Modify), and the server's refusals as sentences.
// Every write sends If-Match with the ETag of the last GET or write of the feature.

import Feature from 'ol/Feature.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import Modify from 'ol/interaction/Modify.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import MultiPoint from 'ol/geom/MultiPoint.js';
import { Style, Stroke, Fill, Circle as CircleStyle } from 'ol/style.js';

import { getJSON, getWithEtag, writeJSON, allowedMethods } from './api.js';
import { t, when } from './i18n.js';
import { esc } from './legend.js';

/** The item URL of a parcel. */
export function itemPath(id) {
  return `/collections/parcels/items/${encodeURIComponent(id)}`;
}

/**
 * Properties the service derives or names itself: never edited, never sent. The
 * schema's `readOnly` adds to these.
 */
export const DERIVED = new Set([
  'area_m2', 'area_mu', 'area_ha', 'perimeter_m', 'updated_at', 'created_at', 'grade',
  'land_use_name', 'land_use_name_en', 'land_use_gb50137', 'land_use_gbt21010', 'land_use_tk2020',
  'split_from', 'merged_from', 'retired_at', 'version',
]);

/** Whether the service derives a property (the measures, the land-use code's names). */
export function isDerived(name) {
  return DERIVED.has(name) || /^land_use_./.test(name);
}

/** The editable properties shown first, in this order (always offered unless read-only). */
const FIRST = ['owner', 'land_use', 'status', 'subdistrict', 'name'];

// ---- the server: permissions, the feature with its ETag, writes ---------------------

/** The methods the signed-in token may use on the parcel now (a Set, upper case). */
export function permissions(id) {
  return allowedMethods(itemPath(id));
}

/** The parcel as GeoJSON with its ETag: {feature, etag, lastModified}. */
export async function loadFeature(id) {
  const { data, etag, lastModified } = await getWithEtag(itemPath(id), {}, { report: false });
  return { feature: data, etag, lastModified };
}

/**
 * Sends a JSON Merge Patch of the feature (`{properties: {…}, geometry: {…}}`) with
 * If-Match and `Prefer: return=representation`. Resolves with the feature as the write
 * left it (with what the service derived: measures, grade) and its new ETag; read back
 * with a GET when the answer has no representation or no ETag.
 */
export async function patchFeature(id, etag, patch) {
  const headers = {
    'Content-Type': 'application/merge-patch+json',
    Prefer: 'return=representation',
  };
  if (etag) headers['If-Match'] = etag;
  const r = await writeJSON('PATCH', itemPath(id), patch, headers);
  if (r.data && r.data.type === 'Feature' && r.etag) return { feature: r.data, etag: r.etag };
  return loadFeature(id);
}

/** Retires the parcel (DELETE with If-Match). */
export async function deleteFeature(id, etag) {
  await writeJSON('DELETE', itemPath(id), undefined, etag ? { 'If-Match': etag } : {});
}

// ---- the editable properties ----------------------------------------------------------

let schemaPromise = null;

async function parcelSchema() {
  if (!schemaPromise) {
    schemaPromise = getJSON('/collections/parcels/schema', {}, { report: false, headers: { Accept: 'application/schema+json, application/json;q=0.9' } })
      .catch(() => {
        schemaPromise = null;
        return null;
      });
  }
  return schemaPromise;
}

function schemaType(prop) {
  const ty = Array.isArray(prop.type) ? prop.type.find((x) => x !== 'null') : prop.type;
  return ty || 'string';
}

/**
 * The editable properties of a parcel: [{name, type, enum}]. From the feature schema
 * (neither `readOnly`, the id nor the geometry, nor derived), then the free attributes
 * the feature carries beyond it.
 */
export async function editableFields(feature) {
  const schema = await parcelSchema();
  const fields = [];
  const seen = new Set();
  const props = (schema && schema.properties) || {};
  for (const [name, p] of Object.entries(props)) {
    seen.add(name);
    if (p.readOnly || p['x-ogc-role'] === 'id' || p['x-ogc-role'] === 'primary-geometry') continue;
    if (name === 'geometry' || name === 'id' || isDerived(name)) continue;
    const type = schemaType(p);
    if (type === 'object' || type === 'array') continue;
    fields.push({ name, type, enum: Array.isArray(p.enum) ? p.enum.map(String) : null, title: p.title || name });
  }
  for (const name of FIRST) {
    if (seen.has(name)) continue;
    seen.add(name);
    fields.push({ name, type: 'string', enum: null, title: name });
  }
  for (const [name, v] of Object.entries(feature.properties || {})) {
    if (seen.has(name) || isDerived(name) || (v !== null && typeof v === 'object')) continue;
    fields.push({ name, type: typeof v === 'number' ? 'number' : 'string', enum: null, title: name, free: true });
  }
  const rank = (f) => (FIRST.includes(f.name) ? FIRST.indexOf(f.name) : FIRST.length + (f.free ? 1 : 0));
  fields.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  return fields;
}

/** A property value as the text of its input. */
export function inputText(v) {
  return v === null || v === undefined ? '' : String(v);
}

/** The draft of an edit: the input texts of the fields. */
export function initialDraft(fields, props) {
  return Object.fromEntries(fields.map((f) => [f.name, inputText(props[f.name])]));
}

/** A check of the form that failed before anything was sent. */
export class LocalError extends Error {}

/**
 * The `properties` member of a JSON Merge Patch: the fields whose text differs from the
 * feature's, converted to their types; an emptied field becomes null (removed). A new
 * attribute ({name, value}) is added when named.
 */
export function propertiesPatch(fields, props, draft, extra = null) {
  const patch = {};
  for (const f of fields) {
    const text = draft[f.name] ?? inputText(props[f.name]);
    if (text === inputText(props[f.name])) continue;
    if (text.trim() === '') {
      if (props[f.name] !== undefined && props[f.name] !== null) patch[f.name] = null;
      continue;
    }
    if (f.type === 'number' || f.type === 'integer') {
      const n = Number(text.trim().replace(/,/g, ''));
      if (!Number.isFinite(n) || (f.type === 'integer' && !Number.isInteger(n))) {
        throw new LocalError(t('edit.notNumber', { field: f.name }));
      }
      patch[f.name] = n;
    } else if (f.type === 'boolean') {
      patch[f.name] = text.trim() === 'true';
    } else {
      patch[f.name] = text.trim();
    }
  }
  const name = extra?.name?.trim();
  if (name) {
    if (isDerived(name) || name === 'id') throw new LocalError(t('edit.derivedName', { field: name }));
    const value = (extra.value || '').trim();
    if (value !== '' && !(name in patch)) patch[name] = value;
  }
  return patch;
}

/**
 * After a conflict and a reload: the draft against the new version. A field the user
 * changed keeps the user's text unless the other change touched it too; every other
 * field takes the new value. Returns {draft, theirs} (the fields both changed).
 */
export function rebaseDraft(fields, before, after, draft) {
  const next = {};
  const theirs = [];
  for (const f of fields) {
    const mine = (draft[f.name] ?? inputText(before[f.name])) !== inputText(before[f.name]);
    const other = inputText(after[f.name]) !== inputText(before[f.name]);
    if (mine && !other) next[f.name] = draft[f.name];
    else next[f.name] = inputText(after[f.name]);
    if (mine && other) theirs.push(f.name);
  }
  return { draft: next, theirs };
}

/** Whether two GeoJSON geometries differ. */
export function sameGeometry(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---- the server's answers as sentences -----------------------------------------------

/** What a 412 tells about the change that got in first: {name, at, etag} or null. */
export function conflictOf(e) {
  if (!e || e.status !== 412) return null;
  const b = e.body || {};
  return { name: b.changed_by || null, at: b.changed_at || null, etag: b.etag || null, detail: e.detail };
}

/** The sentence of a 412 conflict. */
export function conflictText(c) {
  return c.name
    ? t('edit.conflict', { name: c.name, time: c.at ? when(c.at) : '—' })
    : t('edit.conflictUnknown');
}

/** A failed write as a sentence, with the server's own `detail`. */
export function problemSentence(e) {
  if (e instanceof LocalError) return e.message;
  if (!e.status) return t('banner.unreachable', { url: e.url, error: e.detail || e.message });
  const detail = e.detail || e.title || '';
  const key = {
    401: 'edit.err401', 403: 'edit.err403', 404: 'edit.err404', 409: 'edit.err409', 422: 'edit.err422', 428: 'edit.err428',
  }[e.status];
  return key ? t(key, { detail }) : t('edit.errOther', { status: e.status, detail });
}

// ---- the geometry on the map ---------------------------------------------------------

const vertexStyle = new Style({
  image: new CircleStyle({
    radius: 5,
    fill: new Fill({ color: '#ffffff' }),
    stroke: new Stroke({ color: '#e65100', width: 2 }),
  }),
  geometry: (feature) => {
    const g = feature.getGeometry();
    const coords = g.getType() === 'MultiPolygon' ? g.getCoordinates().flat(2) : g.getCoordinates().flat(1);
    return new MultiPoint(coords);
  },
});

const shapeStyle = new Style({
  fill: new Fill({ color: 'rgba(255, 152, 0, 0.18)' }),
  stroke: new Stroke({ color: '#e65100', width: 2.5, lineDash: [8, 4] }),
});

let editor = null;

/** The shape editor of the map: a layer with a copy of the geometry and a Modify. */
export function initEditor(map) {
  const source = new VectorSource();
  const layer = new VectorLayer({
    source, style: [shapeStyle, vertexStyle], zIndex: 70, properties: { name: 'edit' }, updateWhileInteracting: true,
  });
  map.addLayer(layer);
  let modify = null;
  let changed = false;
  let listener = null;
  const format = () => new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: map.getView().getProjection() });

  function load(geometry) {
    source.clear();
    source.addFeature(new Feature(format().readGeometry(geometry)));
    changed = false;
  }

  editor = {
    /** Starts editing a copy of `geometry` (GeoJSON, CRS84); `onChange()` after every move. */
    start(geometry, onChange) {
      this.stop();
      load(geometry);
      listener = onChange;
      modify = new Modify({ source, pixelTolerance: 12 });
      modify.on('modifyend', () => {
        changed = true;
        if (listener) listener();
      });
      map.addInteraction(modify);
    },
    /** Puts `geometry` back as the copy (a reload, or undoing the moves). */
    reset(geometry) {
      if (!modify) return;
      load(geometry);
      if (listener) listener();
    },
    stop() {
      if (modify) map.removeInteraction(modify);
      modify = null;
      listener = null;
      changed = false;
      source.clear();
    },
    active: () => modify !== null,
    changed: () => modify !== null && changed,
    /** The edited geometry as a GeoJSON MultiPolygon in CRS84 (lon/lat). */
    geometry() {
      const f = source.getFeatures()[0];
      if (!f) return null;
      const g = format().writeGeometryObject(f.getGeometry(), { decimals: 9 });
      if (g.type === 'Polygon') return { type: 'MultiPolygon', coordinates: [g.coordinates] };
      return g;
    },
    /** The map pixels of the copy's vertices (for the tests). */
    vertexPixels() {
      const f = source.getFeatures()[0];
      if (!f) return [];
      const g = f.getGeometry();
      const coords = g.getType() === 'MultiPolygon' ? g.getCoordinates()[0][0] : g.getCoordinates()[0];
      return coords.map((c) => map.getPixelFromCoordinate(c));
    },
    extent() {
      const f = source.getFeatures()[0];
      return f ? f.getGeometry().getExtent() : null;
    },
  };
  return editor;
}

/** The shape editor (after initEditor). */
export function shapeEditor() {
  return editor;
}

// ---- the edit form ---------------------------------------------------------------------

function fieldLabel(f) {
  const key = `field.${f.name}`;
  const text = t(key);
  return text === key ? f.name : `${text} (${f.name})`;
}

/**
 * The form of an edit. `edit` = {fields, draft, theirs, extra, busy}; `choices(name)`
 * gives suggestions [{value, label}] for a field.
 */
export function editFormHtml(id, edit, choices) {
  const rows = edit.fields.map((f) => {
    const value = edit.draft[f.name] ?? '';
    const cls = edit.theirs.includes(f.name) ? ' class="theirs"' : '';
    let input;
    if (f.enum && f.enum.length <= 12) {
      const opts = [...new Set(['', ...f.enum, ...(value && !f.enum.includes(value) ? [value] : [])])];
      input = `<select name="${esc(f.name)}" data-prop="${esc(f.name)}">${opts.map((o) => `<option value="${esc(o)}" ${o === value ? 'selected' : ''}>${esc(o === '' ? '—' : choiceLabel(choices, f.name, o))}</option>`).join('')}</select>`;
    } else {
      const list = [...(choices(f.name) || []), ...((f.enum || []).map((v) => ({ value: v, label: '' })))];
      input = `<input name="${esc(f.name)}" data-prop="${esc(f.name)}" value="${esc(value)}" ${f.type === 'number' || f.type === 'integer' ? 'inputmode="decimal"' : ''} ${list.length ? `list="edit-list-${esc(f.name)}"` : ''} autocomplete="off">
        ${list.length ? `<datalist id="edit-list-${esc(f.name)}">${list.map((o) => `<option value="${esc(o.value)}">${esc(o.label || '')}</option>`).join('')}</datalist>` : ''}`;
    }
    return `<tr data-field="${esc(f.name)}"${cls}><th>${esc(fieldLabel(f))}</th><td>${input}</td></tr>`;
  }).join('');
  return `
    <form class="edit-form" novalidate>
      <h3>${esc(t('edit.title', { id }))}</h3>
      <table class="attrs edit-attrs">
        <tr data-field="id"><th>${esc(t('field.id'))}</th><td>${esc(id)}</td></tr>
        ${rows}
        <tr class="new-attr"><th><input name="__new_name" data-extra="name" placeholder="${esc(t('edit.newAttrName'))}" value="${esc(edit.extra.name)}" autocomplete="off"></th>
          <td><input name="__new_value" data-extra="value" placeholder="${esc(t('edit.newAttrValue'))}" value="${esc(edit.extra.value)}" autocomplete="off"></td></tr>
      </table>
      <p class="muted">${esc(t('edit.derivedNote'))}</p>
      <p class="muted">${esc(t('edit.shapeHint'))}</p>
      <div class="row shape-row"><span class="edit-shape-state"></span>
        <button type="button" class="edit-reset-shape">${esc(t('edit.resetShape'))}</button></div>
      <div class="row">
        <button type="submit" class="primary edit-save" ${edit.busy ? 'disabled' : ''}>${esc(edit.busy ? t('edit.saving') : t('edit.save'))}</button>
        <button type="button" class="edit-cancel" ${edit.busy ? 'disabled' : ''}>${esc(t('edit.cancel'))}</button>
      </div>
    </form>`;
}

function choiceLabel(choices, name, value) {
  const c = (choices(name) || []).find((o) => o.value === value);
  return c && c.label ? `${value} ${c.label}` : value;
}

/**
 * Reads the inputs of the edit form inside `root` into the edit's draft (by their
 * data-prop, not the form's named elements, which a free attribute could shadow).
 */
export function readForm(root, edit) {
  root.querySelectorAll('form.edit-form [data-prop]').forEach((input) => {
    edit.draft[input.dataset.prop] = input.value;
  });
  root.querySelectorAll('form.edit-form [data-extra]').forEach((input) => {
    edit.extra[input.dataset.extra] = input.value;
  });
}

/** Updates the line that says whether the shape was changed. */
export function showShapeState(root) {
  const span = root.querySelector('.edit-shape-state');
  if (!span || !editor) return;
  const changed = editor.changed();
  span.textContent = changed ? t('edit.shapeChanged') : t('edit.shapeUnchanged');
  span.dataset.changed = String(changed);
  span.classList.toggle('changed', changed);
}
