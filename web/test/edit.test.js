// End-to-end tests of editing parcels in the web map (OGC API – Features Part 4), in real
// headless Chromium against the real service: who sees the edit controls (the Allow of
// OPTIONS), an attribute edit, a moved vertex, a conflict with another person's change
// (412, reload, save), a refused value (422), and a deletion. Screenshots go to
// test-artifacts/edit-*.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { startService, ARTIFACTS } from './service.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LONG = 90_000;
const STEP = { timeout: 240_000 };

let service;
let browser;
let page;
const pageErrors = [];
/** The parcel edited (a, b, c, 422) and the one deleted (d). */
let P;
let Q;

const item = (id) => `/collections/parcels/items/${encodeURIComponent(id)}`;

async function api(pathAndQuery, init = {}) {
  const r = await fetch(`${service.base}${pathAndQuery}`, {
    ...init,
    headers: { Accept: 'application/json', ...(init.headers || {}) },
  });
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  return { status: r.status, body, etag: r.headers.get('etag'), allow: r.headers.get('allow') };
}

async function shot(name) {
  await page.screenshot({ path: path.join(ARTIFACTS, name) });
}

const snapshot = () => page.evaluate(() => window.landreuse.snapshot());

/** Waits until no parcels load, the view is still and `predicate(snapshot)` holds; then one render. */
async function settled(predicate = () => true) {
  const deadline = Date.now() + LONG;
  for (;;) {
    const s = await page.evaluate(() => {
      const lr = window.landreuse;
      if (!lr) return null;
      const view = lr.map.getView();
      return { ...lr.snapshot(), still: !view.getAnimating() && !view.getInteracting() };
    });
    if (s && s.still && s.loading === 0 && s.lastLoad !== null && predicate(s)) break;
    if (Date.now() > deadline) throw new Error(`the map did not settle: ${JSON.stringify(s)}`);
    await new Promise((resolve) => { setTimeout(resolve, 200); });
  }
  await page.evaluate(() => new Promise((resolve) => {
    const { map } = window.landreuse;
    map.once('rendercomplete', () => resolve());
    map.render();
  }));
}

async function pagePoint(pixel) {
  const box = await page.locator('#map').boundingBox();
  return { x: box.x + pixel[0], y: box.y + pixel[1] };
}

/** Web Mercator metres to lon/lat. */
function toLonLat([x, y]) {
  return [(x / 6378137) * (180 / Math.PI), (2 * Math.atan(Math.exp(y / 6378137)) - Math.PI / 2) * (180 / Math.PI)];
}

/** Frames the map on a parcel (a GeoJSON feature) and clicks inside it: the panel shows it. */
async function clickParcel(feature) {
  const { id } = feature;
  if (!(await page.evaluate((pid) => window.landreuse.pixelOf(pid) !== null, id))) {
    const [lon, lat] = ringOf(feature.geometry)[0];
    await page.evaluate(([x, y]) => window.landreuse.centreOn(x, y, 16), [lon, lat]);
  }
  await page.waitForFunction((pid) => window.landreuse.pixelOf(pid) !== null, id);
  await page.evaluate((pid) => window.landreuse.frameParcel(pid, 160), id);
  await settled();
  const pixel = await page.evaluate((pid) => window.landreuse.pixelOf(pid), id);
  const pt = await pagePoint(pixel);
  await page.mouse.click(pt.x, pt.y);
  await page.waitForSelector(`#panel h2[data-parcel-id="${id}"]`);
}

/** Signs in with `token` ('' signs out); waits for the panel to ask OPTIONS again. */
async function signIn(token) {
  await page.locator('#btn-login').click();
  await page.locator('#login-form input[name=token]').fill(token);
  await page.locator(`#login-form button[value=${token ? 'save' : 'logout'}]`).click();
  await page.waitForFunction((on) => document.querySelector('#btn-login').classList.contains('signed-in') === on, Boolean(token));
}

/** Waits for the panel's answer to OPTIONS asked with (`bearer`) or without (`none`) a token. */
async function allowShown(auth) {
  await page.waitForSelector(`#panel .panel-head[data-allow-auth=${auth}]`);
  return page.locator('#panel .panel-head').getAttribute('data-allow');
}

/** The parcel's first ring's vertices of the first part (MultiPolygon or Polygon). */
function ringOf(geometry) {
  return geometry.type === 'MultiPolygon' ? geometry.coordinates[0][0] : geometry.coordinates[0];
}

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  service = await startService();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.setDefaultTimeout(LONG);

  // Two large active parcels of one part that no open case holds.
  const cases = await api('/reallocations');
  const closed = ['completed', 'rejected', 'cancelled'];
  const held = new Set((cases.body?.cases || []).filter((c) => !closed.includes(c.stage)).flatMap((c) => String(c.parcels).split(',')));
  const active = await api('/collections/parcels/items?status=active&zone=south&limit=2000');
  const free = active.body.features
    .filter((f) => !held.has(f.id) && f.properties.owner
      && (f.geometry.type === 'Polygon' || f.geometry.coordinates.length === 1) && ringOf(f.geometry).length >= 5)
    .sort((a, b) => b.properties.area_m2 - a.properties.area_m2);
  assert.ok(free.length >= 2, 'two free active parcels');
  [P, Q] = [free[0], free[1]];
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (service) await service.stop();
});

test('(e) without a token or with a planner token there is no Edit button; with a gis token there is', STEP, async () => {
  await page.goto(`${service.base}/`);
  await settled((s) => s.counts.zones > 0 && s.parcelsLoaded > 3000);
  await clickParcel(P);
  const anonymous = await allowShown('none');
  const anonymousServer = await api(item(P.id), { method: 'OPTIONS' });
  assert.equal(anonymous, anonymousServer.allow.split(',').map((m) => m.trim().toUpperCase()).join(', '));
  assert.doesNotMatch(anonymous, /PATCH/);
  assert.equal(await page.locator('#panel .edit-parcel').count(), 0);
  assert.equal(await page.locator('#panel .delete-parcel').count(), 0);

  // A planner runs cases but does not edit parcels.
  await signIn(service.token);
  const planner = await allowShown('bearer');
  const plannerServer = await api(item(P.id), { method: 'OPTIONS', headers: { Authorization: `Bearer ${service.token}` } });
  assert.doesNotMatch(plannerServer.allow, /PATCH/);
  assert.doesNotMatch(planner, /PATCH/);
  assert.equal(await page.locator('#panel .edit-parcel').count(), 0);
  assert.equal(await page.locator('#panel .delete-parcel').count(), 0);
  await page.waitForSelector('#panel .open-case');
  await shot('edit-01-planner-no-edit.png');

  // GIS staff may: Edit and Delete appear.
  await signOutThenIn(service.gisToken);
  const gis = await allowShown('bearer');
  const gisServer = await api(item(P.id), { method: 'OPTIONS', headers: { Authorization: `Bearer ${service.gisToken}` } });
  assert.match(gisServer.allow, /PATCH/);
  assert.match(gis, /PATCH/);
  assert.match(gis, /DELETE/);
  await page.locator('#panel .edit-parcel').waitFor({ state: 'visible' });
  await page.locator('#panel .delete-parcel').waitFor({ state: 'visible' });
  await shot('edit-02-gis-edit-button.png');
});

/** Signs out (the panel asks OPTIONS without a token) and in with `token`. */
async function signOutThenIn(token) {
  await signIn('');
  await allowShown('none');
  await signIn(token);
}

test('(a) a gis user edits an attribute: the merge patch holds just it, with If-Match; a new ETag', STEP, async () => {
  const beforeGet = await api(item(P.id));
  const shownEtag = await page.locator('#panel .panel-head').getAttribute('data-etag');
  assert.equal(shownEtag, beforeGet.etag, 'the panel holds the ETag of its GET');
  await page.locator('#panel .edit-parcel').click();
  await page.waitForSelector('#panel form.edit-form');
  assert.equal(await page.locator('#panel form.edit-form input[name=owner]').inputValue(), P.properties.owner);
  for (const derived of ['area_m2', 'area_mu', 'area_ha', 'perimeter_m', 'updated_at', 'grade']) {
    assert.equal(await page.locator(`#panel form.edit-form [name="${derived}"]`).count(), 0, `${derived} is not editable`);
  }
  const owner = '长春新材料测试有限公司（浏览器编辑）';
  await page.locator('#panel form.edit-form input[name=owner]').fill(owner);
  await shot('edit-03-attribute-form.png');
  const [patchReq, patchResp] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'PATCH'),
    page.waitForResponse((r) => r.request().method() === 'PATCH'),
    page.locator('#panel .edit-save').click(),
  ]);
  assert.equal(patchResp.status(), 200);
  assert.match(patchReq.headers()['content-type'], /^application\/merge-patch\+json/);
  assert.equal(patchReq.headers()['if-match'], beforeGet.etag);
  assert.match(patchReq.headers().prefer || '', /return=representation/);
  assert.equal(patchReq.headers().authorization, `Bearer ${service.gisToken}`);
  assert.deepEqual(patchReq.postDataJSON(), { properties: { owner } });
  await page.waitForSelector('#panel .ok-box:has-text("已保存")');
  assert.equal(await page.locator('#panel form.edit-form').count(), 0, 'edit mode ends');
  assert.equal((await page.locator('#panel tr[data-field=owner] td').innerText()).trim(), owner);

  const afterGet = await api(item(P.id));
  assert.equal(afterGet.status, 200);
  assert.equal(afterGet.body.properties.owner, owner);
  assert.ok(afterGet.etag && afterGet.etag !== beforeGet.etag, `a new ETag (${beforeGet.etag} → ${afterGet.etag})`);
  // The write's answer is the state it left (after the regrade of the new owner): its
  // ETag is the next GET's, so the panel's next write (If-Match) is not refused.
  assert.equal((await patchResp.headerValue('etag')), afterGet.etag);
  assert.equal((await patchResp.json()).properties.grade, afterGet.body.properties.grade);
  assert.equal(await page.locator('#panel .panel-head').getAttribute('data-etag'), afterGet.etag);
  // The map was reloaded: its parcel has the new owner.
  await settled();
  await page.waitForFunction(([pid, o]) => window.landreuse.parcelProperties(pid)?.owner === o, [P.id, owner]);
  // The history has the change.
  await page.waitForSelector('#panel .history-slot ol.events li');
  await shot('edit-04-attribute-saved.png');
});

test('(b) a gis user moves a vertex on the map: the geometry is sent as a lon/lat MultiPolygon', STEP, async () => {
  const beforeGet = await api(item(P.id));
  await page.evaluate((pid) => window.landreuse.frameParcel(pid, 160), P.id);
  await settled();
  await page.locator('#panel .edit-parcel').click();
  await page.waitForSelector('#panel form.edit-form');
  assert.equal((await snapshot()).editing, true);
  const vertices = await page.evaluate(() => window.landreuse.editVertices());
  const inside = await page.evaluate((pid) => window.landreuse.pixelOf(pid), P.id);
  assert.ok(vertices.length >= 4, JSON.stringify(vertices));
  // The vertex farthest from the interior point, moved 25 % of the way towards it.
  const dist = (a) => Math.hypot(a[0] - inside[0], a[1] - inside[1]);
  const v = vertices.slice(0, -1).reduce((a, b) => (dist(b) > dist(a) ? b : a));
  const k = Math.min(0.25, 60 / dist(v));
  const target = [v[0] + (inside[0] - v[0]) * k, v[1] + (inside[1] - v[1]) * k];
  assert.ok(Math.hypot(target[0] - v[0], target[1] - v[1]) > 8, 'a visible move');
  const from = await pagePoint(v);
  const to = await pagePoint(target);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i += 1) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / 12, from.y + ((to.y - from.y) * i) / 12);
  }
  await page.mouse.up();
  await page.waitForFunction(() => window.landreuse.snapshot().shapeChanged === true);
  assert.equal(await page.locator('#panel .edit-shape-state').getAttribute('data-changed'), 'true');
  const expected = toLonLat(await page.evaluate((px) => window.landreuse.map.getCoordinateFromPixel(px), target));
  await shot('edit-05-vertex-moved.png');
  const [patchReq] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'PATCH'),
    page.locator('#panel .edit-save').click(),
  ]);
  const sent = patchReq.postDataJSON();
  assert.deepEqual(Object.keys(sent), ['geometry'], 'only the geometry changed');
  assert.equal(sent.geometry.type, 'MultiPolygon');
  assert.equal(patchReq.headers()['if-match'], beforeGet.etag);
  await page.waitForSelector('#panel .ok-box:has-text("已保存")');
  assert.equal((await snapshot()).editing, false);

  const afterGet = await api(item(P.id));
  assert.notDeepEqual(afterGet.body.geometry, beforeGet.body.geometry, 'the geometry changed');
  assert.equal(afterGet.body.geometry.type, 'MultiPolygon');
  assert.ok(afterGet.etag !== beforeGet.etag);
  // The moved vertex is where it was dropped (within a pixel or two), in lon/lat.
  const ring = ringOf(afterGet.body.geometry);
  const nearest = Math.min(...ring.map(([x, y]) => Math.hypot(x - expected[0], y - expected[1])));
  assert.ok(nearest < 3e-5, `the moved vertex is ${nearest}° from the drop point ${expected}`);
  // Every other vertex stayed.
  const old = ringOf(beforeGet.body.geometry);
  const kept = old.filter(([x, y]) => ring.some(([a, b]) => Math.abs(a - x) < 1e-8 && Math.abs(b - y) < 1e-8)).length;
  assert.ok(kept >= old.length - 2, `${kept} of ${old.length} vertices kept`);
  // Moved inwards: a smaller area, derived by the service.
  assert.ok(afterGet.body.properties.area_m2 < beforeGet.body.properties.area_m2,
    `${afterGet.body.properties.area_m2} < ${beforeGet.body.properties.area_m2}`);
  await settled();
  await page.waitForFunction(([pid, a]) => window.landreuse.parcelProperties(pid)?.area_m2 === a, [P.id, afterGet.body.properties.area_m2]);
  await page.waitForSelector('#panel .history-slot .ev-changes:has-text("形状已修改")');
  await shot('edit-06-vertex-saved.png');
});

test('(c) another person\'s change between the GET and the save: 412 names them; reload, then save', STEP, async () => {
  await page.locator('#panel .edit-parcel').click();
  await page.waitForSelector('#panel form.edit-form');
  const owner = '长春新材料测试有限公司（二次编辑）';
  await page.locator('#panel form.edit-form input[name=owner]').fill(owner);

  // Meanwhile the other GIS engineer renames the parcel, with the ETag of their own GET.
  const theirs = await api(item(P.id));
  const other = await api(item(P.id), {
    method: 'PATCH',
    headers: {
      Authorization: `Bearer ${service.otherGisToken}`,
      'Content-Type': 'application/merge-patch+json',
      'If-Match': theirs.etag,
    },
    body: JSON.stringify({ properties: { name: '测试厂区（另一位测绘人员）' } }),
  });
  assert.equal(other.status, 200, JSON.stringify(other.body));

  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH'),
    page.locator('#panel .edit-save').click(),
  ]);
  assert.equal(resp.status(), 412);
  const problem = await resp.json();
  assert.equal(problem.changed_by, service.otherGisName);
  const conflict = page.locator('#panel .conflict-box');
  await conflict.waitFor({ state: 'visible' });
  const text = await conflict.innerText();
  assert.ok(text.includes(`已被 ${service.otherGisName} 于`), text);
  assert.match(text, /修改——请重新加载/);
  assert.equal(await page.locator('#panel form.edit-form input[name=owner]').inputValue(), owner, 'the draft is kept');
  await shot('edit-07-conflict.png');

  // Reload: the new version (its ETag), the draft kept; saving now works.
  const current = await api(item(P.id));
  await page.locator('#panel .conflict-reload').click();
  await page.waitForSelector('#panel .edit-notice');
  await page.waitForFunction((etag) => document.querySelector('#panel .panel-head')?.dataset.etag === etag, current.etag);
  assert.equal(await page.locator('#panel .conflict-box').count(), 0);
  assert.equal(await page.locator('#panel form.edit-form input[name=owner]').inputValue(), owner);
  const nameInput = page.locator('#panel form.edit-form [name=name]');
  if (await nameInput.count()) assert.equal(await nameInput.inputValue(), '测试厂区（另一位测绘人员）');
  await shot('edit-08-reloaded.png');
  const [patchReq] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'PATCH'),
    page.locator('#panel .edit-save').click(),
  ]);
  assert.equal(patchReq.headers()['if-match'], current.etag);
  assert.deepEqual(patchReq.postDataJSON(), { properties: { owner } }, 'only the own change is sent');
  await page.waitForSelector('#panel .ok-box:has-text("已保存")');
  const after = await api(item(P.id));
  assert.equal(after.body.properties.owner, owner);
  assert.equal(after.body.properties.name, '测试厂区（另一位测绘人员）', 'the other change is kept');
  await shot('edit-09-saved-after-reload.png');
});

test('a refused value (422) is shown in the server\'s words', STEP, async () => {
  await page.locator('#panel .edit-parcel').click();
  await page.waitForSelector('#panel form.edit-form');
  await page.locator('#panel form.edit-form [name=land_use]').fill('XX99');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH'),
    page.locator('#panel .edit-save').click(),
  ]);
  assert.equal(resp.status(), 422);
  const problem = await resp.json();
  const error = page.locator('#panel .edit-error');
  await error.waitFor({ state: 'visible' });
  const text = await error.innerText();
  assert.ok(text.includes(problem.detail), `${text} / ${problem.detail}`);
  assert.match(text, /检查未通过/);
  assert.equal((await api(item(P.id))).body.properties.land_use, P.properties.land_use, 'nothing changed');
  await shot('edit-10-refused.png');
  await page.locator('#panel .edit-cancel').click();
  await page.waitForSelector('#panel table.parcel-attrs');
  assert.equal((await snapshot()).editing, false);
});

test('(d) a gis user deletes a parcel: gone from the map, 404, its history stays', STEP, async () => {
  await page.evaluate(() => window.landreuse.home());
  await settled((s) => s.parcelsLoaded > 3000);
  const count = (await snapshot()).parcelsLoaded;
  await clickParcel(Q);
  await allowShown('bearer');
  const beforeGet = await api(item(Q.id));
  await page.locator('#panel .delete-parcel').click();
  await page.locator('#panel .delete-confirm').waitFor({ state: 'visible' });
  assert.match(await page.locator('#panel .delete-confirm').innerText(), new RegExp(Q.id));
  await shot('edit-11-delete-confirm.png');
  const [delReq] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'DELETE'),
    page.locator('#panel .delete-yes').click(),
  ]);
  assert.equal(delReq.headers()['if-match'], beforeGet.etag);
  await page.waitForSelector('#panel-body[data-kind=deleted]');
  assert.match(await page.locator('#panel .deleted-message').innerText(), /已删除/);
  // The parcels around it were loaded again, without it; and so is the whole zone.
  await settled((s) => s.parcelsLoaded > 0);
  assert.equal(await page.evaluate((id) => window.landreuse.parcelProperties(id), Q.id), null, 'gone from the map');
  await page.evaluate(() => window.landreuse.home());
  await settled((s) => s.parcelsLoaded === count - 1);
  assert.equal(await page.evaluate((id) => window.landreuse.parcelProperties(id), Q.id), null);
  assert.equal((await snapshot()).selection.includes(Q.id), false);
  assert.equal((await api(item(Q.id))).status, 404);
  const history = await api(`/parcels/${encodeURIComponent(Q.id)}/history`);
  assert.equal(history.status, 200);
  assert.ok(Array.isArray(history.body.events) && history.body.events.length > 0);
  await page.waitForSelector('#panel .history-slot ol.events li .ev-action:has-text("删除")');
  await shot('edit-12-deleted.png');
});

test('a case opened on the parcel meanwhile: the save is refused (409) in the server\'s words, and Edit is gone', STEP, async () => {
  // A zombie parcel no open case holds.
  const cases = await api('/reallocations');
  const closed = ['completed', 'rejected', 'cancelled'];
  const held = new Set((cases.body?.cases || []).filter((c) => !closed.includes(c.stage)).flatMap((c) => String(c.parcels).split(',')));
  const zombies = await api('/collections/parcels/items?status=zombie&zone=south&limit=1000');
  const Z = zombies.body.features.find((f) => !held.has(f.id));
  assert.ok(Z, 'a free zombie parcel');
  await clickParcel(Z);
  await allowShown('bearer');
  await page.locator('#panel .edit-parcel').click();
  await page.waitForSelector('#panel form.edit-form');
  await page.locator('#panel form.edit-form input[name=owner]').fill('收储前的新权利人（浏览器测试）');
  // Meanwhile a planner opens a reserve case for it.
  const opened = await api('/reallocations', {
    method: 'POST',
    headers: { Authorization: `Bearer ${service.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'reserve', parcels: [{ code: Z.id, role: 'subject' }], acquisition: 'recovery', reason: '浏览器测试：编辑时立案' }),
  });
  assert.ok(opened.status === 201 || opened.status === 200, JSON.stringify(opened.body));
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH'),
    page.locator('#panel .edit-save').click(),
  ]);
  assert.equal(resp.status(), 409);
  const problem = await resp.json();
  const error = page.locator('#panel .edit-error');
  await error.waitFor({ state: 'visible' });
  const text = await error.innerText();
  assert.ok(text.includes(problem.detail), `${text} / ${problem.detail}`);
  assert.match(text, /进行中的腾笼换鸟案件/);
  assert.ok(text.includes(opened.body.id), `the case ${opened.body.id} is named: ${text}`);
  await shot('edit-13-held-by-case.png');
  await page.locator('#panel .edit-cancel').click();
  // Selected again: OPTIONS no longer allows PATCH, so there is no Edit button.
  await clickParcel(Z);
  await page.waitForSelector('#panel .panel-head[data-allow-auth=bearer]:not([data-allow*=PATCH])');
  const server = await api(item(Z.id), { method: 'OPTIONS', headers: { Authorization: `Bearer ${service.gisToken}` } });
  assert.doesNotMatch(server.allow, /PATCH/);
  assert.equal(await page.locator('#panel .edit-parcel').count(), 0);
  await page.waitForSelector(`#panel .case[data-case="${opened.body.id}"]`);
});

test('the edit texts switch to English', STEP, async () => {
  await clickParcel(P);
  await allowShown('bearer');
  await page.locator('#btn-lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal((await page.locator('#panel .edit-parcel').innerText()).trim(), 'Edit');
  await page.locator('#panel .edit-parcel').click();
  await page.waitForSelector('#panel form.edit-form');
  assert.match(await page.locator('#panel form.edit-form').innerText(), /Save changes/);
  await page.locator('#panel .edit-cancel').click();
  await page.locator('#btn-login').click();
  assert.match(await page.locator('#dlg-login').innerText(), /gis token/);
  await page.locator('#login-form button[value=cancel]').click();
  await page.locator('#btn-lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
});

test('no script errors in the page', () => {
  assert.deepEqual(pageErrors, []);
});
