// 腾笼换鸟 reallocation cases: finding a parcel's open case, showing a case with the
// moves the server allows (`allowed_next`), moving it (If-Match with its version) and
// opening a new case. The server's rules decide; its words are shown as they come.

import { getJSON, getWithEtag, postJSON } from './api.js';
import { getToken } from './settings.js';
import { t, label, when, num } from './i18n.js';
import { esc } from './legend.js';
import { areaText } from './units.js';

export const CLOSED_STAGES = ['completed', 'rejected', 'cancelled'];
export const KINDS = ['reserve', 'relocation', 'redevelopment', 'expansion'];
export const ACQUISITIONS = ['recovery', 'purchase', 'expropriation'];
export const SERVICE_USES = ['B1', 'B11', 'B12', 'B13', 'B14', 'B2', 'B21', 'B22', 'B29'];

/** The cases touching a parcel (by its CRS84 bbox), open ones first. */
export async function casesOfParcel(id, bbox) {
  const fc = await getJSON('/collections/reallocations/items', { bbox, limit: 1000 });
  const cases = (fc.features || []).filter((f) =>
    String(f.properties.parcels || '').split(',').map((s) => s.trim()).includes(id));
  cases.sort((a, b) => {
    const oa = CLOSED_STAGES.includes(a.properties.stage) ? 1 : 0;
    const ob = CLOSED_STAGES.includes(b.properties.stage) ? 1 : 0;
    return oa - ob || String(b.id).localeCompare(String(a.id));
  });
  return cases;
}

/** One case with its history and version (ETag). */
export async function loadCase(id) {
  const { data, etag } = await getWithEtag(`/reallocations/${encodeURIComponent(id)}`);
  return { data, version: versionOf(etag, data) };
}

function versionOf(etag, data) {
  const m = etag && etag.match(/"?(\d+)"?/);
  return m ? Number(m[1]) : data.version;
}

function problemText(e) {
  return e.status ? `${e.status} ${e.title || ''}: ${e.detail}` : t('banner.unreachable', { url: e.url, error: e.detail });
}

function changesText(changes) {
  if (!changes) return '';
  return Object.entries(changes)
    .filter(([k]) => !['stage_since', 'version'].includes(k))
    .map(([k, v]) => {
      if (v !== null && typeof v === 'object') return `${esc(k)}: ${esc(v.before ?? '—')} → ${esc(v.after ?? '—')}`;
      // A change told in a word (the geometry of an edit: "changed").
      if (k === 'geometry') return esc(t('history.geometryChanged'));
      return `${esc(k)}: ${esc(v)}`;
    })
    .join('<br>');
}

/** The events of a case or a parcel, newest first, as a list. */
export function eventsHtml(events, limit = 60) {
  if (!events || events.length === 0) return `<p class="muted">${t('panel.noHistory')}</p>`;
  const items = [...events].reverse().slice(0, limit).map((e) => `
    <li>
      <div class="ev-head"><span class="ev-action" title="${esc(e.action)}">${esc(label('action', e.action))}</span>
        <span class="ev-time">${esc(when(e.occurred_at))}</span></div>
      <div class="ev-actor">${esc(e.actor || '')}</div>
      ${e.reason ? `<div class="ev-reason">${esc(e.reason)}</div>` : ''}
      ${e.changes ? `<div class="ev-changes">${changesText(e.changes)}</div>` : ''}
    </li>`);
  return `<ol class="events">${items.join('')}</ol>`;
}

/**
 * Renders a case into `el` with its allowed moves. `onChanged(caseState, message)` is
 * called after a successful move; `onRefresh()` reloads after a conflict (stale version).
 */
export function renderCase(el, caseState, { onChanged, onRefresh, showEvents = true } = {}) {
  const c = caseState.data;
  const closed = (c.allowed_next || []).length === 0;
  const facts = [
    [t('case.kind'), label('kind', c.kind)],
    [t('case.stage'), `<b class="stage stage-${esc(c.stage)}">${esc(label('stage', c.stage))}</b>`],
    [t('case.version'), esc(caseState.version)],
  ];
  if (c.enterprise) facts.push([t('case.enterprise'), esc(c.enterprise)]);
  if (c.acquisition) facts.push([t('case.acquisition'), esc(label('acq', c.acquisition))]);
  if (c.planned_use) facts.push([t('case.planned_use'), esc(c.planned_use)]);
  if (c.planned_output_wan) facts.push([t('case.planned_output_wan'), num(c.planned_output_wan)]);
  if (c.area_m2) facts.push([t('field.area'), areaText(c.area_m2, { compact: true })]);
  const parcels = (c.parcel_states || []).map((p) => `
    <tr><td><a href="#" data-parcel="${esc(p.id)}">${esc(p.id)}</a></td>
    <td>${esc(label('role', c.roles?.[p.id] || 'subject'))}</td>
    <td>${esc(label('status', p.status))}</td><td>${esc(p.owner || '—')}</td></tr>`).join('');
  let moves = '';
  if (closed) {
    moves = `<p class="muted">${t('case.final')}</p>`;
  } else if (!getToken()) {
    moves = `<p class="muted">${t('case.needLogin')}</p>
      <p class="muted">${t('case.next')}: ${(c.allowed_next || []).map((s) => esc(label('stage', s))).join(' · ')}</p>`;
  } else {
    moves = `
      <label class="block"><span>${t('case.reason')}</span><textarea class="case-reason" rows="2"></textarea></label>
      <div class="row moves">${c.allowed_next.map((s) =>
        `<button type="button" class="move" data-to="${esc(s)}">${esc(t('case.moveTo', { stage: label('stage', s) }))}</button>`).join('')}</div>`;
  }
  el.innerHTML = `
    <div class="case" data-case="${esc(c.id)}" data-stage="${esc(c.stage)}" data-version="${esc(caseState.version)}">
      <h3 class="case-title">${esc(t('case.title', { id: c.id }))}</h3>
      <table class="attrs">${facts.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>
      <table class="list"><thead><tr><th>${t('field.id')}</th><th>${t('case.role')}</th><th>${t('field.status')}</th><th>${t('field.owner')}</th></tr></thead>
      <tbody>${parcels}</tbody></table>
      ${moves}
      <div class="case-message" role="status"></div>
      <div class="case-error error-box" role="alert" hidden></div>
      ${showEvents ? `<details class="case-events"><summary>${t('case.events')}</summary>${eventsHtml(c.events)}</details>` : ''}
    </div>`;
  el.querySelectorAll('button.move').forEach((btn) => {
    btn.addEventListener('click', async () => {
      const errorBox = el.querySelector('.case-error');
      errorBox.hidden = true;
      el.querySelectorAll('button.move').forEach((b) => { b.disabled = true; });
      const reason = el.querySelector('.case-reason')?.value.trim() || undefined;
      try {
        const { data, etag } = await postJSON(
          `/reallocations/${encodeURIComponent(c.id)}/transitions`,
          { to: btn.dataset.to, reason },
          { 'If-Match': `"${caseState.version}"` },
        );
        const next = { data, version: versionOf(etag, data) };
        if (onChanged) await onChanged(next, () => t('case.moved', { id: c.id, stage: label('stage', data.stage) }));
      } catch (e) {
        errorBox.textContent = problemText(e);
        if (onRefresh && (e.status === 409 || e.status === 412 || e.status === 428)) {
          const again = document.createElement('button');
          again.type = 'button';
          again.className = 'refresh';
          again.textContent = t('case.refresh');
          again.addEventListener('click', () => onRefresh());
          errorBox.append(' ', again);
        }
        errorBox.hidden = false;
        errorBox.scrollIntoView({ block: 'nearest' });
        el.querySelectorAll('button.move').forEach((b) => { b.disabled = false; });
      }
    });
  });
}

function suggestKind(features) {
  const statuses = features.map((f) => f.properties.status);
  const zones = features.map((f) => f.properties.zone);
  if (features.length === 2 && zones.includes('south') && (zones.includes('north') || zones.includes('bonded'))) return 'relocation';
  if (statuses.every((s) => s === 'reserved' || s === 'vacated')) return 'redevelopment';
  if (features.length === 1 && statuses[0] === 'active') return 'expansion';
  return 'reserve';
}

/**
 * The dialog to open a case for `features` (GeoJSON parcels). Resolves with the new
 * case ({data, version}) or null when cancelled. Server errors stay in the dialog.
 */
export function openCaseDialog(dialog, features) {
  const form = dialog.querySelector('form');
  let kind = suggestKind(features);
  const roles = new Map();
  const defaultRoles = () => {
    features.forEach((f, i) => {
      if (kind === 'relocation') roles.set(f.id, f.properties.zone === 'south' || (i === 0 && features.length === 1) ? 'source' : 'target');
      else roles.set(f.id, 'subject');
    });
  };
  defaultRoles();
  const ownerOf = () => {
    const src = features.find((f) => roles.get(f.id) === 'source') || features[0];
    return src?.properties.owner || '';
  };

  function render() {
    const roleOptions = kind === 'relocation' ? ['source', 'target'] : ['subject'];
    form.innerHTML = `
      <h2>${esc(t('case.openTitle', { n: features.length }))}</h2>
      <label><span>${t('case.kind')}</span><select name="kind">${KINDS.map((k) =>
        `<option value="${k}" ${k === kind ? 'selected' : ''}>${esc(label('kind', k))} (${k})</option>`).join('')}</select></label>
      <table class="list"><thead><tr><th>${t('field.id')}</th><th>${t('field.status')}</th><th>${t('field.owner')}</th><th>${t('case.role')}</th></tr></thead><tbody>
      ${features.map((f) => `<tr><td>${esc(f.id)}</td><td>${esc(label('status', f.properties.status))}</td><td>${esc(f.properties.owner || '—')}</td>
        <td><select data-role-for="${esc(f.id)}">${roleOptions.map((r) =>
          `<option value="${r}" ${roles.get(f.id) === r ? 'selected' : ''}>${esc(label('role', r))}</option>`).join('')}</select></td></tr>`).join('')}
      </tbody></table>
      ${kind === 'reserve' ? `<label><span>${t('case.acquisition')}</span><select name="acquisition">${ACQUISITIONS.map((a) =>
        `<option value="${a}">${esc(label('acq', a))} (${a})</option>`).join('')}</select></label>` : ''}
      ${kind === 'relocation' || kind === 'expansion' ? `<label><span>${t('case.enterprise')}</span><input name="enterprise" value="${esc(ownerOf())}"></label>` : ''}
      ${kind === 'redevelopment' ? `<label><span>${t('case.planned_use')}</span><select name="planned_use">${SERVICE_USES.map((u) =>
        `<option value="${u}">${u}</option>`).join('')}</select></label>` : ''}
      ${kind === 'expansion' ? `<label><span>${t('case.planned_output_wan')}</span><input name="planned_output_wan" type="number" min="0" step="any"></label>` : ''}
      <label class="block"><span>${t('case.reason')}</span><textarea name="reason" rows="3"></textarea></label>
      <div class="error-box" role="alert" hidden></div>
      <div class="row">
        <button type="submit" value="open" class="primary">${t('case.open')}</button>
        <button type="button" value="cancel" class="cancel">${t('common.cancel')}</button>
      </div>`;
    form.querySelector('select[name=kind]').addEventListener('change', (e) => {
      kind = e.target.value;
      defaultRoles();
      render();
    });
    form.querySelectorAll('select[data-role-for]').forEach((s) => s.addEventListener('change', () => {
      roles.set(s.dataset.roleFor, s.value);
    }));
  }
  render();

  return new Promise((resolve) => {
    const cleanup = () => {
      form.removeEventListener('submit', onSubmit);
      form.removeEventListener('click', onClick);
      dialog.removeEventListener('cancel', onCancel);
    };
    const onCancel = () => { cleanup(); resolve(null); };
    const onClick = (e) => {
      if (e.target.classList.contains('cancel')) { dialog.close(); onCancel(); }
    };
    const onSubmit = async (e) => {
      e.preventDefault();
      const fd = new FormData(form);
      const body = {
        kind,
        parcels: features.map((f) => ({ code: f.id, role: roles.get(f.id) })),
      };
      const reason = String(fd.get('reason') || '').trim();
      if (reason) body.reason = reason;
      if (kind === 'reserve') body.acquisition = fd.get('acquisition');
      if (kind === 'relocation' || kind === 'expansion') {
        const ent = String(fd.get('enterprise') || '').trim();
        if (ent) body.enterprise = ent;
      }
      if (kind === 'redevelopment') body.planned_use = fd.get('planned_use');
      if (kind === 'expansion' && fd.get('planned_output_wan') !== '') body.planned_output_wan = Number(fd.get('planned_output_wan'));
      const errorBox = form.querySelector('.error-box');
      errorBox.hidden = true;
      const submit = form.querySelector('button[type=submit]');
      submit.disabled = true;
      try {
        const { data, etag } = await postJSON('/reallocations', body);
        cleanup();
        dialog.close();
        resolve({ data, version: versionOf(etag, data) });
      } catch (err) {
        errorBox.textContent = problemText(err);
        errorBox.hidden = false;
        submit.disabled = false;
      }
    };
    form.addEventListener('submit', onSubmit);
    form.addEventListener('click', onClick);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
  });
}
