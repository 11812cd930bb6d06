// The legend of the parcel colouring (with how many parcels of each class are in view)
// and of the other visible layers.

import { t, label, lang } from './i18n.js';
import { STATUS_COLOURS, GRADE_COLOURS, PROJECT_COLOURS, landUseColour } from './styles.js';
import { state } from './state.js';

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function row(colour, text, count, { line = false, outline = null } = {}) {
  const swatch = line
    ? `<span class="swatch line" style="border-top-color:${colour}"></span>`
    : `<span class="swatch" style="background:${colour};${outline ? `border-color:${outline}` : ''}"></span>`;
  const c = count === undefined ? '' : `<span class="count">${count}</span>`;
  return `<li>${swatch}<span class="label">${esc(text)}</span>${c}</li>`;
}

/** Classes of the parcels in view for the current mode: [{key, colour, text, count}]. */
export function legendClasses(features) {
  const counts = new Map();
  for (const f of features) {
    const v = f.get(state.mode === 'land_use' ? 'land_use' : state.mode);
    const key = state.mode === 'grade' ? v || 'none' : v;
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  if (state.mode === 'status') {
    return Object.keys(STATUS_COLOURS).map((k) => ({
      key: k, colour: STATUS_COLOURS[k], text: label('status', k), count: counts.get(k) || 0,
    }));
  }
  if (state.mode === 'grade') {
    return ['A', 'B', 'C', 'D', 'ungraded', 'none'].map((k) => ({
      key: k,
      colour: GRADE_COLOURS[k],
      text: k === 'none' ? t('legend.noGrade') : label('grade', k),
      count: counts.get(k) || 0,
    }));
  }
  return [...counts.keys()].sort().map((code) => {
    const names = state.landUseNames.get(code) || {};
    const name = lang() === 'en' ? names.en : names.zh;
    return { key: code, colour: landUseColour(code), text: name ? `${code} ${name}` : code, count: counts.get(code) };
  });
}

/** Renders the legend into `el`. */
export function renderLegend(el, featuresInView, layers) {
  const classes = legendClasses(featuresInView);
  let html = `<ul class="legend">${classes.map((c) => row(c.colour, c.text, c.count)).join('')}</ul>`;
  const extra = [];
  extra.push(row('rgba(0,162,232,0.18)', t('legend.selected'), undefined, { outline: '#00a2e8' }));
  if (layers.zones) extra.push(row('#8b1a1a', t('layer.zones'), undefined, { line: true }));
  if (layers.schools) extra.push(row('rgba(30,90,200,0.5)', t('legend.schools'), undefined, { outline: '#163f8c' }));
  if (layers.radius) {
    extra.push(row('#c9d8f0', `${t('legend.radius')} · ${label('level', 'primary')} 500 m`, undefined, { outline: '#163f8c' }));
    extra.push(row('#e3d3ef', `${t('legend.radius')} · ${label('level', 'middle')} 1,000 m`, undefined, { outline: '#6e28a0' }));
  }
  if (layers.projects) {
    for (const [k, colour] of Object.entries(PROJECT_COLOURS)) {
      const isLine = k === 'street_renovation' || k === 'lighting';
      extra.push(row(isLine ? colour : colour + '99', label('project', k), undefined, { line: isLine, outline: colour }));
    }
  }
  html += `<ul class="legend legend-extra">${extra.join('')}</ul>`;
  el.innerHTML = html;
}

export { esc };
