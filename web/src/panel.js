// The side panel: a parcel's attributes, areas, open case and event history (and, for
// GIS staff whose token may PATCH it, its edit mode: see edit.js); the parcels of a
// drawn area or a firm with totals and downloads; a case.

import { getJSON } from './api.js';
import { getToken } from './settings.js';
import { t, label, num, lang } from './i18n.js';
import { esc } from './legend.js';
import { areaText, measures } from './units.js';
import { state } from './state.js';
import { casesOfParcel, loadCase, renderCase, eventsHtml, CLOSED_STAGES } from './cases.js';
import {
  permissions, loadFeature, patchFeature, deleteFeature, editableFields, initialDraft, propertiesPatch,
  rebaseDraft, sameGeometry, conflictOf, conflictText, problemSentence, shapeEditor, editFormHtml,
  readForm, showShapeState, LocalError,
} from './edit.js';

let el;
let hooks = {};
let token = 0; // drops answers that arrive after the panel moved on

/** Sets the panel element and what it can ask of the map. */
export function initPanel(element, h) {
  el = element;
  hooks = h;
  el.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-parcel]');
    if (a) {
      e.preventDefault();
      hooks.selectParcel(a.dataset.parcel, { zoom: true });
    }
  });
}

/** A message is a text or a function giving it in the current language. */
function messageText(m) {
  return typeof m === 'function' ? m() : m;
}

function setPanel(p) {
  // Whatever the panel showed before, its edit (the copy of a shape on the map) ends.
  if (state.panel !== p && state.panel.edit) shapeEditor()?.stop();
  state.panel = p;
  render();
}

/** The input that has the focus in the panel, to give it back after a re-render. */
function focusOf() {
  const a = document.activeElement;
  if (!a || !el.contains(a) || !a.name) return null;
  return { name: a.name, start: a.selectionStart, end: a.selectionEnd };
}

function restoreFocus(f) {
  if (!f) return;
  const input = el.querySelector(`[name="${CSS.escape(f.name)}"]`);
  if (!input) return;
  input.focus();
  try {
    if (f.start !== null && f.start !== undefined) input.setSelectionRange(f.start, f.end);
  } catch {
    // a select has no caret
  }
}

/** Re-renders what the panel shows (after a language change). */
export function render() {
  const p = state.panel;
  const focus = focusOf();
  if (p.kind === 'parcel') renderParcel(p);
  else if (p.kind === 'deleted') renderDeleted(p);
  else if (p.kind === 'area') renderArea(p);
  else if (p.kind === 'case') renderCasePanel(p);
  else if (p.kind === 'loading') el.innerHTML = `<p class="muted">${t('common.loading')}</p>`;
  else if (p.kind === 'error') el.innerHTML = `<div class="error-box">${esc(p.message)}</div>`;
  else el.innerHTML = `<p class="muted intro">${t('panel.empty')}</p>`;
  el.dataset.kind = p.kind;
  restoreFocus(focus);
}

export function showEmpty() {
  token += 1;
  setPanel({ kind: 'empty' });
}

function bboxOf(geometry) {
  let minx = Infinity; let miny = Infinity; let maxx = -Infinity; let maxy = -Infinity;
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      minx = Math.min(minx, c[0]); maxx = Math.max(maxx, c[0]);
      miny = Math.min(miny, c[1]); maxy = Math.max(maxy, c[1]);
    } else c.forEach(walk);
  };
  walk(geometry.coordinates);
  return [minx, miny, maxx, maxy].map((v) => v.toFixed(6)).join(',');
}

/**
 * Shows one parcel: attributes first, then what the token may do with it (OPTIONS), its
 * case and its history as they arrive. `initial` ({feature, etag}) stands for the GET
 * (the representation a write answered with); `message` is shown on top.
 */
export async function showParcel(id, { initial = null, message = null } = {}) {
  const my = ++token;
  if (!initial) setPanel({ kind: 'loading' });
  const allowAuth = getToken() ? 'bearer' : 'none';
  const allowed = permissions(id).catch(() => new Set());
  let loaded;
  try {
    loaded = initial || await loadFeature(id);
  } catch (e) {
    if (my === token) setPanel({ kind: 'error', message: e.status ? `${e.status}: ${e.detail}` : `${e.url}: ${e.detail}` });
    return;
  }
  if (my !== token) return;
  const p = {
    kind: 'parcel', id, feature: loaded.feature, etag: loaded.etag, allow: null, allowAuth,
    history: null, cases: null, openCase: null, message,
    edit: null, confirmDelete: false, busy: false, writeError: null, conflict: null, notice: null,
  };
  setPanel(p);
  allowed.then((allow) => {
    if (state.panel !== p) return;
    p.allow = allow;
    render();
  });
  const feature = loaded.feature;
  const [history, cases] = await Promise.allSettled([
    getJSON(`/parcels/${encodeURIComponent(id)}/history`, {}, { report: false }),
    casesOfParcel(id, bboxOf(feature.geometry)),
  ]);
  if (my !== token) return;
  p.history = history.status === 'fulfilled' ? history.value.events : { error: history.reason };
  p.cases = cases.status === 'fulfilled' ? cases.value : { error: cases.reason };
  const open = Array.isArray(p.cases) ? p.cases.find((c) => !CLOSED_STAGES.includes(c.properties.stage)) : null;
  if (open) {
    try {
      p.openCase = await loadCase(open.id);
    } catch (e) {
      p.openCase = { error: e };
    }
  }
  if (my !== token) return;
  render();
}

/** After signing in or out: asks again what the token may do with the parcel shown. */
export async function tokenChanged() {
  const p = state.panel;
  if (p.kind !== 'parcel') {
    render();
    return;
  }
  if (p.edit) {
    shapeEditor()?.stop();
    p.edit = null;
  }
  p.confirmDelete = false;
  p.allow = null;
  render();
  const auth = getToken() ? 'bearer' : 'none';
  const allow = await permissions(p.id).catch(() => new Set());
  if (state.panel !== p) return;
  p.allow = allow;
  p.allowAuth = auth;
  render();
}

function attrRows(props) {
  const landUseName = lang() === 'en' ? props.land_use_name_en : props.land_use_name;
  const rows = [
    ['zone', t('field.zone'), label('zone', props.zone)],
    ['subdistrict', t('field.subdistrict'), hooks.subdistrictName(props.subdistrict)],
    ['land_use', t('field.land_use'), `${props.land_use || '—'} ${landUseName || ''}`],
    ['status', t('field.status'), label('status', props.status)],
    ['owner', t('field.owner'), props.owner || t('common.none')],
    ['grade', t('field.grade'), props.grade ? label('grade', props.grade) : t('legend.noGrade')],
    ['area_m2', `${t('field.area')} (${t('units.m2')})`, num(props.area_m2, 1)],
    ['area_ha', `${t('field.area')} (${t('units.ha')})`, num(props.area_ha ?? measures(props.area_m2).ha, 4)],
    ['area_mu', `${t('field.area')} (${t('units.mu')})`, num(props.area_mu ?? measures(props.area_m2).mu, 3)],
    ['perimeter_m', `${t('field.perimeter')} (${t('units.m')})`, num(props.perimeter_m, 1)],
    ['output_value_wan', `${t('field.output')} (${t('units.wan')})`, num(props.output_value_wan, 1)],
    ['tax_wan', `${t('field.tax')} (${t('units.wan')})`, num(props.tax_wan, 1)],
    ['land_use_gbt21010', t('field.gbt21010'), props.land_use_gbt21010 || '—'],
    ['land_use_tk2020', t('field.tk2020'), props.land_use_tk2020 || '—'],
  ];
  if (props.split_from) rows.push(['split_from', t('field.split_from'), props.split_from]);
  if (props.merged_from) rows.push(['merged_from', t('field.merged_from'), props.merged_from]);
  return rows.map(([k, name, v]) => `<tr data-field="${k}"><th>${esc(name)}</th><td>${esc(v)}</td></tr>`).join('');
}

function allowText(p) {
  return p.allow ? [...p.allow].join(', ') : '';
}

function writeBoxes(p) {
  let html = '';
  if (p.notice) html += `<div class="ok-box edit-notice">${esc(messageText(p.notice))}</div>`;
  if (p.conflict) {
    html += `<div class="conflict-box" role="alert"><span class="conflict-text">${esc(conflictText(p.conflict))}</span>
      <button type="button" class="conflict-reload">${esc(t('edit.reload'))}</button></div>`;
  }
  if (p.writeError) html += `<div class="error-box edit-error" role="alert">${esc(problemSentence(p.writeError))}</div>`;
  return html;
}

function renderParcel(p) {
  const props = p.feature.properties;
  const mayEdit = Boolean(p.allow && p.allow.has('PATCH'));
  const mayDelete = Boolean(p.allow && p.allow.has('DELETE'));
  const headButtons = [
    `<button type="button" class="zoom">${t('panel.zoom')}</button>`,
    mayEdit && !p.edit ? `<button type="button" class="edit-parcel primary">${t('edit.button')}</button>` : '',
    mayDelete && !p.confirmDelete ? `<button type="button" class="delete-parcel danger" ${p.busy ? 'disabled' : ''}>${t('edit.delete')}</button>` : '',
  ].join('');
  const confirm = p.confirmDelete ? `
    <div class="delete-confirm warn-box" role="alertdialog">
      <p>${esc(t('edit.confirmDelete', { id: p.id }))}</p>
      <div class="row"><button type="button" class="delete-yes danger" ${p.busy ? 'disabled' : ''}>${esc(t('edit.confirmYes'))}</button>
      <button type="button" class="delete-no" ${p.busy ? 'disabled' : ''}>${esc(t('common.cancel'))}</button></div>
    </div>` : '';
  el.innerHTML = `
    <div class="panel-head" ${p.allow ? `data-allow="${esc(allowText(p))}" data-allow-auth="${p.allowAuth}"` : ''} data-etag="${esc(p.etag || '')}">
      <h2 data-parcel-id="${esc(p.id)}">${esc(t('panel.parcel', { id: p.id }))}</h2>
      <div class="head-buttons">${headButtons}</div>
    </div>
    ${confirm}
    <div class="write-slot">${writeBoxes(p)}</div>
    ${p.edit ? editFormHtml(p.id, p.edit, hooks.choices || (() => [])) : `<table class="attrs parcel-attrs">${attrRows(props)}</table>`}
    <section class="case-box"><h3>${t('panel.case')}</h3><div class="case-slot"></div></section>
    <section class="history-box"><h3>${t('panel.history')}</h3><div class="history-slot"></div></section>`;
  el.querySelector('.zoom').addEventListener('click', () => hooks.zoomTo([p.feature]));
  el.querySelector('.edit-parcel')?.addEventListener('click', () => startEdit(p));
  el.querySelector('.delete-parcel')?.addEventListener('click', () => {
    p.confirmDelete = true;
    p.writeError = null;
    render();
  });
  el.querySelector('.delete-no')?.addEventListener('click', () => {
    p.confirmDelete = false;
    render();
  });
  el.querySelector('.delete-yes')?.addEventListener('click', () => removeParcel(p));
  el.querySelector('.conflict-reload')?.addEventListener('click', () => reloadAfterConflict(p));
  const form = el.querySelector('form.edit-form');
  if (form) {
    form.addEventListener('input', () => readForm(el, p.edit));
    form.addEventListener('change', () => readForm(el, p.edit));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      readForm(el, p.edit);
      saveEdit(p);
    });
    el.querySelector('form.edit-form .edit-cancel').addEventListener('click', () => cancelEdit(p));
    el.querySelector('form.edit-form .edit-reset-shape').addEventListener('click', () => shapeEditor()?.reset(p.feature.geometry));
    showShapeState(el);
  }
  const slot = el.querySelector('.case-slot');
  if (p.message) slot.insertAdjacentHTML('beforebegin', `<div class="ok-box">${esc(messageText(p.message))}</div>`);
  if (p.cases === null) {
    slot.innerHTML = `<p class="muted">${t('common.loading')}</p>`;
  } else if (p.cases.error) {
    slot.innerHTML = `<div class="error-box">${esc(p.cases.error.detail || p.cases.error.message)}</div>`;
  } else if (p.openCase && !p.openCase.error) {
    renderCase(slot, p.openCase, {
      onChanged: (next, message) => caseChanged(p, next, message),
      onRefresh: () => showParcel(p.id),
    });
  } else {
    const closed = p.cases.filter((c) => CLOSED_STAGES.includes(c.properties.stage));
    slot.innerHTML = `<p class="muted no-case">${t('panel.noCase')}</p>
      ${closed.length ? `<p class="muted">${closed.map((c) => `${esc(c.id)} ${esc(label('kind', c.properties.kind))} · ${esc(label('stage', c.properties.stage))}`).join('<br>')}</p>` : ''}
      ${getToken() ? `<button type="button" class="open-case primary">${t('panel.openCase')}</button>` : `<p class="muted">${t('case.needLogin')}</p>`}`;
    slot.querySelector('.open-case')?.addEventListener('click', () => hooks.openCase([p.feature]));
  }
  const hslot = el.querySelector('.history-slot');
  if (p.history === null) hslot.innerHTML = `<p class="muted">${t('common.loading')}</p>`;
  else if (p.history.error) hslot.innerHTML = `<div class="error-box">${esc(p.history.error.detail || p.history.error.message)}</div>`;
  else hslot.innerHTML = eventsHtml(p.history);
}

// ---- edit mode -------------------------------------------------------------------------

async function startEdit(p) {
  const fields = await editableFields(p.feature);
  if (state.panel !== p || p.edit) return;
  p.edit = {
    fields, draft: initialDraft(fields, p.feature.properties), theirs: [], extra: { name: '', value: '' }, busy: false,
  };
  p.message = null;
  p.notice = null;
  p.writeError = null;
  p.conflict = null;
  p.confirmDelete = false;
  shapeEditor().start(p.feature.geometry, () => {
    if (state.panel === p) showShapeState(el);
  });
  render();
  el.querySelector('form.edit-form input, form.edit-form select')?.focus();
}

function cancelEdit(p) {
  shapeEditor()?.stop();
  p.edit = null;
  p.writeError = null;
  p.conflict = null;
  p.notice = null;
  render();
}

async function saveEdit(p) {
  const { edit } = p;
  if (!edit || edit.busy) return;
  p.writeError = null;
  p.notice = null;
  let patch;
  try {
    const properties = propertiesPatch(edit.fields, p.feature.properties, edit.draft, edit.extra);
    patch = Object.keys(properties).length ? { properties } : {};
    if (shapeEditor().changed()) patch.geometry = shapeEditor().geometry();
  } catch (e) {
    if (!(e instanceof LocalError)) throw e;
    p.writeError = e;
    render();
    return;
  }
  if (!patch.properties && !patch.geometry) {
    p.writeError = new LocalError(t('edit.nothing'));
    render();
    return;
  }
  edit.busy = true;
  render();
  try {
    const saved = await patchFeature(p.id, p.etag, patch);
    if (state.panel !== p) return;
    shapeEditor().stop();
    p.edit = null;
    await hooks.afterEdit(p.id, saved.feature);
    if (state.panel !== p) return;
    await showParcel(p.id, { initial: saved, message: () => t('edit.saved', { id: p.id }) });
  } catch (e) {
    if (state.panel !== p) return;
    edit.busy = false;
    const c = conflictOf(e);
    if (c) p.conflict = c;
    else p.writeError = e;
    render();
    el.querySelector('.write-slot')?.scrollIntoView({ block: 'nearest' });
  }
}

/** After a 412: the feature again (its new ETag), the draft set on it, the map redrawn. */
async function reloadAfterConflict(p) {
  p.busy = true;
  let fresh;
  try {
    fresh = await loadFeature(p.id);
  } catch (e) {
    if (state.panel !== p) return;
    p.busy = false;
    p.conflict = null;
    p.writeError = e;
    render();
    return;
  }
  const auth = getToken() ? 'bearer' : 'none';
  const allow = await permissions(p.id).catch(() => new Set());
  if (state.panel !== p) return;
  const before = p.feature;
  const notices = [];
  if (p.edit) {
    const { draft, theirs } = rebaseDraft(p.edit.fields, before.properties, fresh.feature.properties, p.edit.draft);
    p.edit.draft = draft;
    p.edit.theirs = theirs;
    p.edit.busy = false;
    const shapeMoved = !sameGeometry(before.geometry, fresh.feature.geometry);
    if (!shapeEditor().changed() || shapeMoved) {
      if (shapeEditor().changed()) notices.push(() => t('edit.shapeDropped'));
      shapeEditor().reset(fresh.feature.geometry);
    }
    notices.unshift(() => t('edit.reloaded'));
  } else {
    notices.push(() => t('edit.reloadedView'));
  }
  p.feature = fresh.feature;
  p.etag = fresh.etag;
  p.allow = allow;
  p.allowAuth = auth;
  p.conflict = null;
  p.writeError = null;
  p.busy = false;
  p.confirmDelete = false;
  p.notice = () => notices.map((n) => n()).join(' ');
  if (p.edit && !allow.has('PATCH')) {
    shapeEditor().stop();
    p.edit = null;
  }
  render();
  await hooks.afterEdit(p.id, fresh.feature);
}

async function removeParcel(p) {
  if (p.busy) return;
  p.busy = true;
  p.writeError = null;
  render();
  try {
    await deleteFeature(p.id, p.etag);
  } catch (e) {
    if (state.panel !== p) return;
    p.busy = false;
    p.confirmDelete = false;
    const c = conflictOf(e);
    if (c) p.conflict = c;
    else p.writeError = e;
    render();
    return;
  }
  if (state.panel !== p) return;
  shapeEditor()?.stop();
  await hooks.afterEdit(p.id, null);
  showDeleted(p.id);
}

/** A retired parcel: the message, and its history (which stays). */
async function showDeleted(id) {
  const my = ++token;
  const p = { kind: 'deleted', id, history: null };
  setPanel(p);
  try {
    const h = await getJSON(`/parcels/${encodeURIComponent(id)}/history`, {}, { report: false });
    p.history = h.events;
  } catch (e) {
    p.history = { error: e };
  }
  if (my === token) render();
}

function renderDeleted(p) {
  el.innerHTML = `
    <div class="panel-head"><h2 data-parcel-id="${esc(p.id)}" data-deleted="true">${esc(t('panel.parcel', { id: p.id }))}</h2></div>
    <div class="ok-box deleted-message">${esc(t('edit.deleted', { id: p.id }))}</div>
    <section class="history-box"><h3>${t('panel.history')}</h3><div class="history-slot"></div></section>`;
  const hslot = el.querySelector('.history-slot');
  if (p.history === null) hslot.innerHTML = `<p class="muted">${t('common.loading')}</p>`;
  else if (p.history.error) hslot.innerHTML = `<div class="error-box">${esc(p.history.error.detail || p.history.error.message)}</div>`;
  else hslot.innerHTML = eventsHtml(p.history);
}

async function caseChanged(p, next, message) {
  await hooks.afterCaseChange();
  if (state.panel !== p) return;
  await showParcel(p.id);
  if (state.panel.kind === 'parcel' && state.panel.id === p.id) {
    state.panel.message = message;
    render();
  }
}

/** Shows a case on its own (after opening one for several parcels). */
export function showCase(caseState, message) {
  token += 1;
  setPanel({ kind: 'case', caseState, message });
}

function renderCasePanel(p) {
  el.innerHTML = `${p.message ? `<div class="ok-box">${esc(messageText(p.message))}</div>` : ''}<div class="case-slot"></div>`;
  renderCase(el.querySelector('.case-slot'), p.caseState, {
    onChanged: async (next, message) => {
      await hooks.afterCaseChange();
      showCase(next, message);
    },
    onRefresh: async () => {
      const fresh = await loadCase(p.caseState.data.id).catch(() => null);
      if (fresh) showCase(fresh);
    },
  });
}

/** Shows a list of parcels (a drawn area, a firm's land) with totals and downloads. */
export function showArea({ title, features, note }) {
  token += 1;
  setPanel({ kind: 'area', title, features, note });
}

const LIST_LIMIT = 500;

function renderArea(p) {
  const total = p.features.reduce((s, f) => s + (f.properties.area_m2 || 0), 0);
  const m = measures(total);
  const rows = p.features.slice(0, LIST_LIMIT).map((f) => `
    <tr><td><a href="#" data-parcel="${esc(f.id)}">${esc(f.id)}</a></td>
    <td>${esc(label('status', f.properties.status))}</td>
    <td>${esc(f.properties.owner || '—')}</td>
    <td class="num">${num(f.properties.area_mu ?? measures(f.properties.area_m2).mu, 2)}</td></tr>`).join('');
  const more = p.features.length > LIST_LIMIT ? `<p class="muted">${t('selection.more', { n: p.features.length - LIST_LIMIT })}</p>` : '';
  el.innerHTML = `
    <div class="panel-head"><h2>${esc(p.title)}</h2></div>
    ${p.note ? `<p class="muted">${esc(p.note)}</p>` : ''}
    <div class="totals" data-count="${p.features.length}" data-area-m2="${total.toFixed(2)}">
      <div><b class="selection-count">${esc(t('selection.count', { n: p.features.length }))}</b></div>
      <div>${t('selection.total')}: ${num(m.m2, 1)} ${t('units.m2')} · ${num(m.ha, 4)} ${t('units.ha')} · ${num(m.mu, 3)} ${t('units.mu')}</div>
    </div>
    <div class="row">
      <button type="button" class="dl-geojson">${t('selection.geojson')}</button>
      <button type="button" class="dl-csv">${t('selection.csv')}</button>
      <button type="button" class="zoom">${t('panel.zoom')}</button>
    </div>
    ${p.features.length && getToken() ? `<div class="row"><button type="button" class="open-case primary">${t('panel.openCase')}</button></div>` : ''}
    <table class="list"><thead><tr><th>${t('field.id')}</th><th>${t('field.status')}</th><th>${t('field.owner')}</th><th class="num">${t('units.mu')}</th></tr></thead>
    <tbody>${rows}</tbody></table>${more}`;
  el.querySelector('.dl-geojson').addEventListener('click', () => downloadGeoJSON(p.features));
  el.querySelector('.dl-csv').addEventListener('click', () => downloadCSV(p.features));
  el.querySelector('.zoom').addEventListener('click', () => hooks.zoomTo(p.features));
  el.querySelector('.open-case')?.addEventListener('click', () => hooks.openCase(p.features));
}

function stamp() {
  return new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '');
}

function download(text, type, filename) {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The parcels as a GeoJSON FeatureCollection file (CRS84). */
export function geojsonText(features) {
  return JSON.stringify({ type: 'FeatureCollection', features: features.map(({ type, id, geometry, properties }) => ({ type, id, geometry, properties })) });
}

export const CSV_COLUMNS = ['id', 'zone', 'subdistrict', 'land_use', 'land_use_name', 'status', 'owner', 'grade', 'area_m2', 'area_ha', 'area_mu'];

/** The parcels as CSV (UTF-8 with a byte-order mark, so that spreadsheets read Chinese). */
export function csvText(features) {
  const cell = (v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [CSV_COLUMNS.join(',')];
  for (const f of features) {
    lines.push(CSV_COLUMNS.map((c) => cell(c === 'id' ? f.id : f.properties[c])).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function downloadGeoJSON(features) {
  download(geojsonText(features), 'application/geo+json', `parcels-${stamp()}.geojson`);
}

function downloadCSV(features) {
  download(csvText(features), 'text/csv;charset=utf-8', `parcels-${stamp()}.csv`);
}
