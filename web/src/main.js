// The planners' web map of landreuse: wiring of the map, layers, legend, filters,
// drawing, search, panel, cases, parcel editing, settings and language. `window.landreuse` is a small
// read-only hook for the browser tests (counts, pixels of parcels, idle waits).

import 'ol/ol.css';
import './style.css';

import { getCenter, createEmpty, extend as extendExtent, isEmpty } from 'ol/extent.js';

import { onApiError, apiUrl, absoluteUrl, getJSON, fetchAllItems } from './api.js';
import { getSettings, saveSettings, getToken, setToken } from './settings.js';
import { t, setLang, lang, onLangChange, applyStatic, num } from './i18n.js';
import { state, activeFilters } from './state.js';
import { createMap, fitHome } from './map.js';
import {
  createParcelsLayer, createZonesLayer, createRoadsLayer, createSchoolsLayer, createProjectsLayer,
  createRadiusLayer, createSelectionLayer, createDrawLayer, createBasemapLayer, geojson, bboxParam,
} from './layers.js';
import { renderLegend } from './legend.js';
import { initFilters, renderFilterOptions, writeFilters } from './filters.js';
import { startDrawing, stopDrawing, isDrawing, parcelsInArea } from './draw.js';
import { initSearch, parcelsOfFirm } from './search.js';
import * as panel from './panel.js';
import { openCaseDialog } from './cases.js';
import { initEditor } from './edit.js';

const $ = (id) => document.getElementById(id);
const settings = getSettings();
setLang(settings.lang);

// ---- errors: a banner naming the URL and the server's words ------------------------

function errorText(e) {
  return e.status === 0
    ? t('banner.unreachable', { url: e.url, error: e.detail })
    : t('banner.http', { url: e.url, status: `${e.status} ${e.title || ''}`.trim(), detail: e.detail });
}

function showBanner(e) {
  state.error = errorText(e);
  $('banner-text').textContent = state.error;
  $('banner').hidden = false;
}

function hideBanner() {
  state.error = null;
  $('banner').hidden = true;
}

onApiError(showBanner);
$('banner-close').addEventListener('click', hideBanner);

// ---- layers and map -------------------------------------------------------------

const layerErrors = (e) => showBanner(e);
const parcels = createParcelsLayer({
  getMode: () => state.mode,
  getFilters: () => activeFilters(),
  getMaxDrawn: () => Math.max(1, Number(getSettings().maxDrawn) || 50000),
  onLoad: (info) => {
    state.lastLoad = info;
    $('map-message').hidden = true;
    if (state.error && state.error === state.parcelsError) hideBanner();
    state.parcelsError = null;
  },
  onError: (e) => {
    showBanner(e);
    state.parcelsError = state.error;
    if (parcels.source.getFeatures().length === 0) {
      $('map-message').innerHTML = '';
      const h = document.createElement('strong');
      h.textContent = t('map.noData');
      const p = document.createElement('div');
      p.textContent = errorText(e);
      $('map-message').append(h, p);
      $('map-message').hidden = false;
    }
  },
});
const zones = createZonesLayer({ onError: layerErrors });
const roads = createRoadsLayer({ onError: layerErrors });
const schools = createSchoolsLayer({ onError: layerErrors });
const projects = createProjectsLayer({ onError: layerErrors });
const radiusPrimary = createRadiusLayer(schools.source, 'primary');
const radiusMiddle = createRadiusLayer(schools.source, 'middle');
const selection = createSelectionLayer();
const drawn = createDrawLayer();
const basemap = createBasemapLayer(settings.basemapUrl, settings.basemapAttribution);

const layers = [
  basemap, parcels.layer, radiusMiddle, radiusPrimary, roads.layer, zones.layer,
  projects.layer, schools.layer, drawn.layer, selection.layer,
].filter(Boolean);
const map = createMap('map', layers);
const editor = initEditor(map);

// Loading indicator.
let loadsStarted = 0;
parcels.source.on('featuresloadstart', () => { loadsStarted += 1; state.loading += 1; updateStatus(); });
const loadDone = () => { state.loading = Math.max(0, state.loading - 1); updateStatus(); scheduleLegend(); };
parcels.source.on('featuresloadend', loadDone);
parcels.source.on('featuresloaderror', loadDone);
parcels.source.on('addfeature', (e) => {
  const p = e.feature.getProperties();
  if (p.land_use && !state.landUseNames.has(p.land_use)) {
    state.landUseNames.set(p.land_use, { zh: p.land_use_name, en: p.land_use_name_en });
    landUseNamesChanged = true;
  }
});
let landUseNamesChanged = false;

function updateStatus() {
  $('map-status').textContent = state.loading > 0 ? t('map.loading') : '';
  $('map-status').hidden = state.loading === 0;
}

// ---- layer toggles, colouring, legend -------------------------------------------

const toggles = [
  { key: 'parcels', layers: [parcels.layer] },
  { key: 'zones', layers: [zones.layer] },
  { key: 'roads', layers: [roads.layer] },
  { key: 'schools', layers: [schools.layer] },
  { key: 'schoolRadius', layers: [radiusPrimary, radiusMiddle] },
  { key: 'projects', layers: [projects.layer] },
];
if (basemap) toggles.unshift({ key: 'basemap', layers: [basemap] });

function renderToggles() {
  $('layer-toggles').innerHTML = toggles.map((tg) => `
    <label class="toggle"><input type="checkbox" data-layer="${tg.key}" ${tg.layers[0].getVisible() ? 'checked' : ''}>
    <span>${t(`layer.${tg.key}`)}</span></label>`).join('');
  $('layer-toggles').querySelectorAll('input').forEach((box) => box.addEventListener('change', () => {
    const tg = toggles.find((x) => x.key === box.dataset.layer);
    tg.layers.forEach((l) => l.setVisible(box.checked));
    scheduleLegend();
  }));
}

document.querySelectorAll('input[name=colour-by]').forEach((r) => r.addEventListener('change', () => {
  state.mode = r.value;
  parcels.layer.changed();
  scheduleLegend();
}));

function viewExtent() {
  return map.getView().calculateExtent(map.getSize());
}

function parcelsInView() {
  return parcels.source.getFeaturesInExtent(viewExtent());
}

let legendTimer = null;
function scheduleLegend() {
  clearTimeout(legendTimer);
  legendTimer = setTimeout(updateLegend, 60);
}

function updateLegend() {
  if (landUseNamesChanged) {
    landUseNamesChanged = false;
    renderFilterOptions();
  }
  const inView = parcelsInView();
  renderLegend($('legend'), inView, {
    zones: zones.layer.getVisible(),
    schools: schools.layer.getVisible(),
    radius: radiusPrimary.getVisible(),
    projects: projects.layer.getVisible(),
  });
  const f = activeFilters();
  const filtered = Object.keys(f).length
    ? ` · ${t('count.filtered')}: ${Object.entries(f).map(([k, v]) => `${k}=${v}`).join(', ')}` : '';
  $('parcel-count').textContent = state.lastLoad
    ? t('count.parcels', { shown: num(inView.length), matched: num(state.lastLoad.matched) }) + filtered
    : '';
  const truncated = $('parcel-truncated');
  truncated.hidden = !state.lastLoad?.truncated;
  truncated.textContent = state.lastLoad?.truncated
    ? t('count.truncated', { max: num(state.lastLoad.max), matched: num(state.lastLoad.matched) })
    : '';
  updateReportLink();
}

map.on('moveend', () => {
  parcels.viewMoved();
  updateReportLink();
  scheduleLegend();
});

// ---- report for the current view --------------------------------------------------

function reportUrl() {
  const params = { f: 'html', bbox: bboxParam(viewExtent()) };
  if (state.filters.zone) params.zone = state.filters.zone;
  return apiUrl('/reports/land-reserve', params);
}

function updateReportLink() {
  $('report-link').href = absoluteUrl(reportUrl());
}
$('report-link').addEventListener('click', () => updateReportLink());

// ---- selection and panel ------------------------------------------------------------

function renderSelection() {
  selection.source.clear();
  const feats = [...state.selection.values()].map((f) => geojson.readFeature(f));
  selection.source.addFeatures(feats);
}

function zoomTo(features) {
  const extent = createEmpty();
  for (const f of features) extendExtent(extent, geojson.readFeature(f).getGeometry().getExtent());
  if (!isEmpty(extent)) map.getView().fit(extent, { padding: [60, 60, 60, 60], maxZoom: 17, duration: 300 });
}

async function featureOf(id) {
  const f = parcels.source.getFeatureById(id);
  if (f) return geojson.writeFeatureObject(f, { decimals: 7 });
  return getJSON(`/collections/parcels/items/${encodeURIComponent(id)}`);
}

async function selectParcel(id, { add = false, zoom = false } = {}) {
  let feature;
  try {
    feature = await featureOf(id);
  } catch {
    return;
  }
  if (add) {
    if (state.selection.has(id)) state.selection.delete(id);
    else state.selection.set(id, feature);
  } else {
    state.selection = new Map([[id, feature]]);
  }
  renderSelection();
  if (zoom) zoomTo([feature]);
  if (state.selection.size === 1) {
    const [only] = state.selection.keys();
    await panel.showParcel(only);
  } else if (state.selection.size > 1) {
    panel.showArea({ title: t('panel.selected', { n: state.selection.size }), features: [...state.selection.values()] });
  } else {
    panel.showEmpty();
  }
}

function subdistrictName(code) {
  if (!code) return '—';
  const f = zones.source.getFeatureById(code);
  if (!f) return code;
  return lang() === 'en' ? f.get('name_en') || f.get('name') : f.get('name');
}

async function afterCaseChange() {
  parcels.reload();
}

/** After a parcel was written (`feature`) or retired (null): the map and selection follow. */
async function afterEdit(id, feature) {
  if (feature) {
    if (state.selection.has(id)) state.selection.set(id, feature);
  } else {
    state.selection.delete(id);
  }
  renderSelection();
  parcels.reload();
}

/** Suggestions for the inputs of the edit form: land-use codes and sub-districts seen. */
function choices(field) {
  if (field === 'land_use') {
    return [...state.landUseNames.entries()].sort(([a], [b]) => a.localeCompare(b))
      .map(([code, n]) => ({ value: code, label: (lang() === 'en' ? n.en : n.zh) || '' }));
  }
  if (field === 'subdistrict') {
    return zones.source.getFeatures().filter((f) => f.get('kind') !== 'zone' && f.getId())
      .map((f) => ({ value: String(f.getId()), label: (lang() === 'en' ? f.get('name_en') : f.get('name')) || '' }));
  }
  if (field === 'status') {
    return ['active', 'idle', 'zombie', 'expanding', 'reserved', 'relocating', 'vacated', 'redeveloped', 'supplied']
      .map((v) => ({ value: v, label: t(`status.${v}`) }));
  }
  return [];
}

async function openCase(features) {
  if (!getToken()) {
    openLogin();
    return;
  }
  const result = await openCaseDialog($('dlg-case'), features);
  if (!result) return;
  await afterCaseChange();
  const message = () => t('case.opened', { id: result.data.id });
  if (features.length === 1) {
    await panel.showParcel(features[0].id);
    if (state.panel.kind === 'parcel') {
      state.panel.message = message;
      panel.render();
    }
  } else {
    panel.showCase(result, message);
  }
}

panel.initPanel($('panel-body'), {
  selectParcel, zoomTo, subdistrictName, afterCaseChange, openCase, afterEdit, choices,
});
panel.showEmpty();

map.on('singleclick', (e) => {
  // While a shape is edited, clicks belong to its vertices, not to selecting.
  if (isDrawing() || editor.active()) return;
  const hit = map.forEachFeatureAtPixel(e.pixel, (f) => f, {
    layerFilter: (l) => l === parcels.layer,
    hitTolerance: 2,
  });
  if (hit) {
    selectParcel(String(hit.getId()), { add: e.originalEvent.shiftKey });
  } else if (!e.originalEvent.shiftKey) {
    state.selection = new Map();
    renderSelection();
    panel.showEmpty();
  }
});

map.on('pointermove', (e) => {
  if (e.dragging) return;
  const hit = map.hasFeatureAtPixel(e.pixel, { layerFilter: (l) => l === parcels.layer });
  map.getTargetElement().style.cursor = hit && !isDrawing() && !editor.active() ? 'pointer' : '';
});

// ---- filters ----------------------------------------------------------------------

initFilters($('filters'), {
  onApply: (filters) => {
    state.filters = filters;
    state.lastLoad = null;
    parcels.reload();
    scheduleLegend();
  },
});

// ---- drawing ------------------------------------------------------------------------

function drawTool(kind) {
  $('draw-hint').textContent = kind === 'box' ? t('draw.hintBox') : t('draw.hintPolygon');
  document.querySelectorAll('#draw-box, #draw-polygon').forEach((b) => b.classList.remove('active'));
  $(kind === 'box' ? 'draw-box' : 'draw-polygon').classList.add('active');
  startDrawing(map, drawn.source, kind, async (area) => {
    document.querySelectorAll('#draw-box, #draw-polygon').forEach((b) => b.classList.remove('active'));
    $('draw-hint').textContent = t('draw.working');
    const filters = activeFilters();
    try {
      const result = await parcelsInArea(area, filters);
      state.lastArea = { kind: area.kind, bbox: result.bbox, count: result.features.length, filters };
      state.selection = new Map(result.features.map((f) => [f.id, f]));
      renderSelection();
      const note = [`bbox ${result.bbox}`, ...Object.entries(filters).map(([k, v]) => `${k}=${v}`)].join(' · ');
      panel.showArea({ title: t('selection.title'), features: result.features, note });
      $('draw-hint').textContent = '';
    } catch (e) {
      $('draw-hint').textContent = errorText(e);
    }
  });
}

$('draw-box').addEventListener('click', () => drawTool('box'));
$('draw-polygon').addEventListener('click', () => drawTool('polygon'));
$('draw-clear').addEventListener('click', () => {
  stopDrawing(map);
  drawn.source.clear();
  state.lastArea = null;
  state.selection = new Map();
  renderSelection();
  panel.showEmpty();
  $('draw-hint').textContent = '';
  document.querySelectorAll('#draw-box, #draw-polygon').forEach((b) => b.classList.remove('active'));
});

// ---- search -------------------------------------------------------------------------

initSearch($('search'), {
  onParcel: (id) => selectParcel(id, { zoom: true }),
  onFirm: async (firm) => {
    try {
      const feats = await parcelsOfFirm(firm.name);
      state.selection = new Map(feats.map((f) => [f.id, f]));
      renderSelection();
      panel.showArea({ title: t('selection.firm', { name: firm.name }), features: feats });
      if (feats.length) zoomTo(feats);
    } catch {
      // bannered
    }
  },
});

// ---- login, settings, language ----------------------------------------------------

function renderLoginButton() {
  $('btn-login').textContent = getToken() ? t('login.as') : t('login.button');
  $('btn-login').classList.toggle('signed-in', Boolean(getToken()));
}

function openLogin() {
  const form = $('login-form');
  form.elements.token.value = getToken();
  $('dlg-login').showModal();
}

$('btn-login').addEventListener('click', openLogin);
$('dlg-login').addEventListener('close', () => {
  const v = $('dlg-login').returnValue;
  if (v === 'save') setToken($('login-form').elements.token.value);
  if (v === 'logout') setToken('');
  renderLoginButton();
  // The same parcel may allow other methods with another token (OPTIONS again).
  panel.tokenChanged();
});

$('btn-settings').addEventListener('click', () => {
  const form = $('settings-form');
  const s = getSettings();
  form.elements.apiBase.value = s.apiBase;
  form.elements.basemapUrl.value = s.basemapUrl;
  form.elements.basemapAttribution.value = s.basemapAttribution;
  form.elements.maxDrawn.value = s.maxDrawn;
  form.elements.lang.value = lang();
  $('dlg-settings').showModal();
});

$('dlg-settings').addEventListener('close', () => {
  if ($('dlg-settings').returnValue !== 'save') return;
  const form = $('settings-form');
  const before = getSettings();
  const next = saveSettings({
    apiBase: form.elements.apiBase.value.trim(),
    basemapUrl: form.elements.basemapUrl.value.trim(),
    basemapAttribution: form.elements.basemapAttribution.value.trim(),
    maxDrawn: Math.max(1, Math.round(Number(form.elements.maxDrawn.value)) || 50000),
    lang: form.elements.lang.value,
  });
  if (next.apiBase !== before.apiBase || next.basemapUrl !== before.basemapUrl
      || next.basemapAttribution !== before.basemapAttribution || next.maxDrawn !== before.maxDrawn) {
    window.location.reload();
    return;
  }
  setLang(next.lang);
});

$('btn-lang').addEventListener('click', () => {
  const next = lang() === 'zh' ? 'en' : 'zh';
  saveSettings({ lang: next });
  setLang(next);
});

$('banner-retry').addEventListener('click', () => {
  hideBanner();
  parcels.reload();
  for (const l of [zones, roads, schools, projects]) if (l.source.getFeatures().length === 0) l.source.refresh();
});

function relabel() {
  $('btn-lang').textContent = lang() === 'zh' ? 'EN' : '中文';
  renderToggles();
  renderLoginButton();
  renderFilterOptions();
  updateStatus();
  updateLegend();
  panel.render();
  // Names on the map (zones, roads, schools) follow the language.
  for (const l of [zones.layer, roads.layer, schools.layer]) l.changed();
  if (state.error) $('banner-text').textContent = state.error;
}
onLangChange(relabel);
applyStatic();
relabel();

// ---- test hook ----------------------------------------------------------------------

let renderCount = 0;
map.on('rendercomplete', () => { renderCount += 1; });

function interiorCoordinate(feature) {
  const g = feature.getGeometry();
  if (g.getType() === 'Polygon') return g.getInteriorPoint().getCoordinates().slice(0, 2);
  if (g.getType() === 'MultiPolygon') return g.getInteriorPoints().getPoint(0).getCoordinates().slice(0, 2);
  return getCenter(g.getExtent());
}

window.landreuse = {
  map,
  /** A summary of what the client shows. */
  snapshot() {
    return {
      loading: state.loading,
      loadsStarted,
      parcelsLoaded: parcels.source.getFeatures().length,
      parcelsInView: parcelsInView().length,
      lastLoad: state.lastLoad,
      lastArea: state.lastArea || null,
      mode: state.mode,
      filters: activeFilters(),
      selection: [...state.selection.keys()],
      panel: state.panel.kind,
      editing: editor.active(),
      shapeChanged: editor.changed(),
      error: state.error,
      renderCount,
      viewBbox: bboxParam(viewExtent()),
      lang: lang(),
      layers: Object.fromEntries(toggles.map((tg) => [tg.key, tg.layers[0].getVisible()])),
      counts: {
        zones: zones.source.getFeatures().length,
        roads: roads.source.getFeatures().length,
        schools: schools.source.getFeatures().length,
        projects: projects.source.getFeatures().length,
      },
    };
  },
  /** The pixel of a point inside a loaded parcel, or null. */
  pixelOf(id) {
    const f = parcels.source.getFeatureById(id);
    if (!f) return null;
    return map.getPixelFromCoordinate(interiorCoordinate(f));
  },
  /** The properties of a parcel as the map's parcels layer holds it, or null. */
  parcelProperties(id) {
    const f = parcels.source.getFeatureById(id);
    if (!f) return null;
    const { geometry, ...props } = f.getProperties();
    return props;
  },
  /** The map pixels of the vertices of the shape being edited (its first ring). */
  editVertices: () => editor.vertexPixels(),
  /** Frames the map on a parcel (as loaded), with room around it. */
  frameParcel(id, padding = 150) {
    const f = parcels.source.getFeatureById(id);
    if (!f) return false;
    map.getView().cancelAnimations();
    map.getView().fit(f.getGeometry().getExtent(), { padding: [padding, padding, padding, padding], maxZoom: 19 });
    return true;
  },
  /** Frames the map on the zone. */
  home() {
    map.getView().cancelAnimations();
    fitHome(map);
  },
  /** Centres the map on lon/lat at a zoom level. */
  centreOn(lon, lat, zoom) {
    const view = map.getView();
    view.cancelAnimations();
    view.setCenter(geojson.readGeometry({ type: 'Point', coordinates: [lon, lat] }).getCoordinates());
    if (zoom) view.setZoom(zoom);
  },
  /** Every feature of an items query, paging through `next` links: {features, matched}. */
  fetchAll: (collection, params) => fetchAllItems(collection, params),
  /** Sets the filter form and applies it (the same as the Apply button). */
  applyFilters(filters) {
    writeFilters(filters);
    $('filters').requestSubmit();
  },
};
