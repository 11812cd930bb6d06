// Filters of the parcels layer: zone, status, land use, grade and owner, sent to the
// server as the equality filters of /collections/parcels/items. The code lists come
// from the collection's queryables; owners from /enterprises.

import { getJSON } from './api.js';
import { t, label, lang } from './i18n.js';
import { esc } from './legend.js';
import { state } from './state.js';

let form;
let enums = { zone: [], status: [], land_use: [], grade: [] };
let firms = [];

/** The firms (name, name_en, grade, land_mu), loaded once. */
export function getFirms() {
  return firms;
}

function landUseText(code) {
  const n = state.landUseNames.get(code);
  const name = n ? (lang() === 'en' ? n.en : n.zh) : '';
  return name ? `${code} ${name}` : code;
}

/** Fills the selects (keeping the chosen values). */
export function renderFilterOptions() {
  if (!form) return;
  const fill = (name, values, text) => {
    const sel = form.elements[name];
    const keep = sel.value;
    sel.innerHTML = `<option value="">${esc(t('filters.any'))}</option>${values.map((v) =>
      `<option value="${esc(v)}">${esc(text(v))}</option>`).join('')}`;
    sel.value = values.includes(keep) ? keep : '';
  };
  fill('zone', enums.zone, (v) => label('zone', v));
  fill('status', enums.status, (v) => label('status', v));
  // Codes seen in the data first, then the rest of the standard.
  const seen = enums.land_use.filter((c) => state.landUseNames.has(c));
  const rest = enums.land_use.filter((c) => !state.landUseNames.has(c));
  fill('land_use', [...seen, ...rest], landUseText);
  fill('grade', enums.grade, (v) => label('grade', v));
}

/** Loads the code lists and wires the form; `onApply(filters)` runs on submit and clear. */
export async function initFilters(element, { onApply }) {
  form = element;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    onApply(readFilters());
  });
  form.querySelector('#filters-clear').addEventListener('click', () => {
    form.reset();
    onApply(readFilters());
  });
  renderFilterOptions();
  try {
    const q = await getJSON('/collections/parcels/queryables');
    for (const k of Object.keys(enums)) enums[k] = q.properties?.[k]?.enum || [];
    renderFilterOptions();
  } catch {
    // The banner says what went wrong; the selects stay with "All".
  }
  try {
    const e = await getJSON('/enterprises');
    firms = e.enterprises || [];
    document.getElementById('owner-list').innerHTML = firms
      .map((f) => `<option value="${esc(f.name)}">${esc(f.name_en || '')}</option>`).join('');
  } catch {
    // As above.
  }
}

/** The filters in the form. */
export function readFilters() {
  const out = {};
  for (const k of ['zone', 'status', 'land_use', 'grade', 'owner']) {
    const v = String(form.elements[k].value || '').trim();
    if (v) out[k] = v;
  }
  return out;
}

/** Sets the form to `filters` (without applying). */
export function writeFilters(filters) {
  for (const k of ['zone', 'status', 'land_use', 'grade', 'owner']) {
    form.elements[k].value = filters[k] || '';
  }
}
