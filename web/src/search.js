// Search by parcel id (ETDZ-S-000123, S-123, s123) or by owner name (part of a firm's
// Chinese or English name).

import { getJSON } from './api.js';
import { t, label, num } from './i18n.js';
import { esc } from './legend.js';
import { getFirms } from './filters.js';

/** A parcel id from what was typed, or null. */
export function parcelIdOf(text) {
  const m = text.trim().toUpperCase().match(/^(?:ETDZ-?)?([SNB])-?(\d{1,7})$/);
  if (!m) return null;
  return `ETDZ-${m[1]}-${m[2].padStart(6, '0')}`;
}

/**
 * Wires the search form. `onParcel(id)` opens a parcel, `onFirm(firm)` lists a firm's
 * parcels.
 */
export function initSearch(form, { onParcel, onFirm }) {
  const input = form.querySelector('#search-input');
  const results = form.querySelector('#search-results');
  const hide = () => { results.hidden = true; };
  document.addEventListener('click', (e) => { if (!form.contains(e.target)) hide(); });
  input.addEventListener('keydown', (e) => { if (e.key === 'Escape') hide(); });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (!q) return hide();
    const items = [];
    const id = parcelIdOf(q);
    if (id) {
      try {
        const f = await getJSON(`/collections/parcels/items/${encodeURIComponent(id)}`, {}, { report: false });
        items.push({ kind: 'parcel', id: f.id, text: `${f.id} · ${label('status', f.properties.status)} · ${f.properties.owner || '—'}` });
      } catch {
        // Not a parcel: fall through to firms.
      }
    }
    const needle = q.toLowerCase();
    for (const f of getFirms()) {
      if (f.name.toLowerCase().includes(needle) || (f.name_en || '').toLowerCase().includes(needle)) {
        items.push({ kind: 'firm', firm: f, text: `${f.name} · ${f.grade ? label('grade', f.grade) : ''} · ${num(f.land_mu, 1)} ${t('units.mu')}` });
      }
      if (items.length > 30) break;
    }
    if (items.length === 1) {
      hide();
      if (items[0].kind === 'parcel') onParcel(items[0].id);
      else onFirm(items[0].firm);
      return;
    }
    results.innerHTML = items.length
      ? `<ul>${items.map((it, i) => `<li><a href="#" data-i="${i}" class="${it.kind}">${it.kind === 'parcel' ? `${esc(t('search.parcel'))}: ` : ''}${esc(it.text)}</a></li>`).join('')}</ul>`
      : `<p class="muted">${esc(t('search.none', { q }))}</p>`;
    results.hidden = false;
    results.querySelectorAll('a[data-i]').forEach((a) => a.addEventListener('click', (ev) => {
      ev.preventDefault();
      hide();
      const it = items[Number(a.dataset.i)];
      if (it.kind === 'parcel') onParcel(it.id);
      else onFirm(it.firm);
    }));
  });
}

/** The parcels of a firm (GeoJSON, CRS84). */
export async function parcelsOfFirm(name) {
  const fc = await getJSON('/collections/parcels/items', { owner: name, limit: 10000 });
  return fc.features || [];
}
