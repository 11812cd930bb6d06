// End-to-end tests of the web map in real headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core) against the real landreuse service with the sample zone.
// Each step writes a screenshot to test-artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import booleanIntersects from '@turf/boolean-intersects';

import { startService, freePort, ARTIFACTS } from './service.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LONG = 90_000; // generous: a slow two-core machine
const STEP = { timeout: 240_000 };

let service;
let browser;
let context;
let page;
const pageErrors = [];

async function api(pathAndQuery, init = {}) {
  const r = await fetch(`${service.base}${pathAndQuery}`, {
    ...init,
    headers: { Accept: 'application/json', ...(init.headers || {}) },
  });
  const body = await r.json().catch(() => null);
  return { status: r.status, body, etag: r.headers.get('etag') };
}

async function shot(p, name) {
  await p.screenshot({ path: path.join(ARTIFACTS, name) });
}

const snapshot = (p = page) => p.evaluate(() => window.landreuse.snapshot());

/**
 * Waits until no parcels are loading, the view is still and `predicate(snapshot, arg)`
 * holds, then until the map has rendered since. The predicate runs here in Node on the
 * page's snapshot (not evaluated as a string inside the page, which the web map's
 * Content-Security-Policy forbids).
 */
async function settled(p = page, predicate = () => true, arg = null) {
  const deadline = Date.now() + LONG;
  for (;;) {
    const s = await p.evaluate(() => {
      const lr = window.landreuse;
      if (!lr) return null;
      const view = lr.map.getView();
      return { ...lr.snapshot(), still: !view.getAnimating() && !view.getInteracting() };
    });
    if (s && s.still && s.loading === 0 && s.lastLoad !== null && predicate(s, arg)) break;
    if (Date.now() > deadline) throw new Error(`the map did not settle: ${JSON.stringify(s)}`);
    await new Promise((resolve) => { setTimeout(resolve, 200); });
  }
  // One more full render after the data settled.
  await p.evaluate(() => new Promise((resolve) => {
    const { map } = window.landreuse;
    map.once('rendercomplete', () => resolve());
    map.render();
  }));
}

async function newPage(ctx) {
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.setDefaultTimeout(LONG);
  return p;
}

/** Page coordinates of a map pixel. */
async function pagePoint(p, pixel) {
  const box = await p.locator('#map').boundingBox();
  return { x: box.x + pixel[0], y: box.y + pixel[1] };
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
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, locale: 'zh-CN' });
  page = await newPage(context);
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (service) await service.stop();
});

test('the map loads and draws the parcels, zones, roads and schools', STEP, async () => {
  const res = await page.goto(`${service.base}/`);
  assert.equal(res.status(), 200);
  assert.match(await page.title(), /经开区/);
  await settled(page, (s) => s.counts.zones > 0 && s.counts.roads > 0 && s.counts.schools > 0);
  const s = await snapshot();
  // The opening view frames the southern built-up area and the northern zone: all 3,227.
  assert.equal(s.parcelsLoaded, 3227, JSON.stringify(s));
  assert.equal(s.parcelsInView, 3227);
  assert.equal(s.error, null);
  const check = await api(`/collections/parcels/items?bbox=${s.lastLoad.bbox}&limit=1`);
  assert.equal(s.lastLoad.matched, check.body.numberMatched);
  // Something is really painted: many coloured pixels on the map's canvases.
  const painted = await page.evaluate(() => {
    let n = 0;
    let total = 0;
    for (const c of document.querySelectorAll('#map canvas')) {
      const ctx = c.getContext('2d');
      if (!ctx || !c.width) continue;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4 * 16) { total += 1; if (d[i] > 0) n += 1; }
    }
    return total ? n / total : 0;
  });
  assert.ok(painted > 0.15, `only ${(painted * 100).toFixed(1)} % of the map is painted`);
  // The legend names every status with its count in view.
  const legend = await page.locator('#legend ul.legend').first().innerText();
  for (const word of ['在用', '闲置', '僵尸', '储备', '已腾退', '已再开发']) assert.ok(legend.includes(word), legend);
  assert.match(legend, /在用\s*2,?567/);
  await shot(page, '01-map-status.png');
  // Colour by grade and by land use: the legend follows.
  await page.locator('input[name=colour-by][value=grade]').check();
  await page.waitForFunction(() => document.querySelector('#legend').innerText.includes('D 限制发展'));
  await settled();
  await shot(page, '01b-map-grade.png');
  await page.locator('input[name=colour-by][value=land_use]').check();
  await page.waitForFunction(() => document.querySelector('#legend').innerText.includes('M1'));
  await settled();
  await shot(page, '01c-map-land-use.png');
  await page.locator('input[name=colour-by][value=status]').check();
});

test('clicking a known parcel shows its owner and area', STEP, async () => {
  const owner = '丰田发动机（长春）有限公司';
  const { body } = await api(`/collections/parcels/items?owner=${encodeURIComponent(owner)}&limit=1`);
  const parcel = body.features[0];
  const id = parcel.id;
  // Zoom in on it so that the click lands well inside.
  const [lon, lat] = parcel.geometry.type === 'Polygon' ? parcel.geometry.coordinates[0][0] : parcel.geometry.coordinates[0][0][0];
  await page.evaluate(([x, y]) => window.landreuse.centreOn(x, y, 16), [lon, lat]);
  await page.waitForFunction((pid) => window.landreuse.pixelOf(pid) !== null, id);
  await settled();
  await page.evaluate((pid) => {
    const { map } = window.landreuse;
    const f = map.getAllLayers().find((l) => l.get('name') === 'parcels').getSource().getFeatureById(pid);
    map.getView().fit(f.getGeometry().getExtent(), { padding: [200, 200, 200, 200], maxZoom: 17 });
  }, id);
  await settled();
  const pixel = await page.evaluate((pid) => window.landreuse.pixelOf(pid), id);
  const pt = await pagePoint(page, pixel);
  await page.mouse.click(pt.x, pt.y);
  await page.waitForSelector(`#panel h2[data-parcel-id="${id}"]`);
  const ownerText = await page.locator('#panel tr[data-field=owner] td').innerText();
  assert.equal(ownerText.trim(), owner);
  const number = (s) => Number(s.replace(/[,\s]/g, ''));
  const m2 = number(await page.locator('#panel tr[data-field=area_m2] td').innerText());
  const ha = number(await page.locator('#panel tr[data-field=area_ha] td').innerText());
  const mu = number(await page.locator('#panel tr[data-field=area_mu] td').innerText());
  assert.ok(Math.abs(m2 - parcel.properties.area_m2) < 0.06, `${m2} m² vs ${parcel.properties.area_m2}`);
  assert.ok(Math.abs(ha - parcel.properties.area_ha) < 0.0001, `${ha} ha`);
  assert.ok(Math.abs(mu - parcel.properties.area_mu) < 0.001, `${mu} mu`);
  assert.ok(Math.abs(mu - m2 / (10000 / 15)) < 0.01, 'mu = m² / 666.67');
  const grade = await page.locator('#panel tr[data-field=grade] td').innerText();
  assert.match(grade, new RegExp(`^${parcel.properties.grade}`));
  // Its history arrives.
  await page.waitForSelector('#panel .history-slot ol.events li');
  assert.deepEqual((await snapshot()).selection, [id]);
  await shot(page, '02-parcel-clicked.png');

  // Search by part of the owner's name: the firm's parcels with their totals.
  await page.locator('#search-input').fill('丰田发动机');
  await page.locator('#search button[type=submit]').click();
  await page.waitForFunction(() => document.querySelector('#panel-body')?.dataset.kind === 'area'
    || !document.querySelector('#search-results').hidden);
  if (await page.locator('#search-results').isVisible()) {
    await page.locator('#search-results a.firm').first().click();
  }
  await page.waitForSelector('#panel .totals');
  const all = await api(`/collections/parcels/items?owner=${encodeURIComponent(owner)}&limit=1000`);
  assert.equal(Number(await page.locator('#panel .totals').getAttribute('data-count')), all.body.numberMatched);
  assert.match(await page.locator('#panel h2').innerText(), /丰田发动机/);
  await settled();
  await shot(page, '02b-owner-search.png');
});

test('a filter changes what is drawn, as the server counts it', STEP, async () => {
  await page.evaluate(() => window.landreuse.home());
  await settled();
  const before = await snapshot();
  await page.locator('#filters select[name=status]').selectOption('zombie');
  await page.locator('#filters select[name=zone]').selectOption('south');
  await page.locator('#filters button[type=submit]').click();
  await settled(page, (s) => s.lastLoad.filters.status === "zombie" && s.lastLoad.filters.zone === "south");
  const s = await snapshot();
  const inBox = await api(`/collections/parcels/items?bbox=${s.lastLoad.bbox}&status=zombie&zone=south&limit=1`);
  const overall = await api('/collections/parcels/items?status=zombie&zone=south&limit=1');
  assert.equal(s.parcelsLoaded, inBox.body.numberMatched);
  assert.equal(s.parcelsLoaded, overall.body.numberMatched, 'the view holds the whole zone');
  assert.ok(s.parcelsLoaded > 0 && s.parcelsLoaded < before.parcelsLoaded, `${s.parcelsLoaded} of ${before.parcelsLoaded}`);
  const count = await page.locator('#parcel-count').innerText();
  assert.ok(count.includes(String(s.parcelsLoaded)), count);
  await shot(page, '03-filter-zombie-south.png');

  // Grade D anywhere, coloured by grade.
  await page.locator('#filters select[name=status]').selectOption('');
  await page.locator('#filters select[name=zone]').selectOption('');
  await page.locator('#filters select[name=grade]').selectOption('D');
  await page.locator('#filters button[type=submit]').click();
  await settled(page, (s) => s.lastLoad.filters.grade === "D" && !s.lastLoad.filters.status);
  const d = await snapshot();
  const dApi = await api('/collections/parcels/items?grade=D&limit=1');
  assert.equal(d.parcelsLoaded, dApi.body.numberMatched);

  await page.locator('#filters-clear').click();
  await settled(page, (s) => Object.keys(s.lastLoad.filters).length === 0);
  assert.equal((await snapshot()).parcelsLoaded, 3227);
});

test('zones, roads, schools with their service radius, and projects are layers to toggle', STEP, async () => {
  await page.evaluate(() => window.landreuse.centreOn(125.43, 43.905, 14));
  await settled();
  await page.locator('#layer-toggles input[data-layer=projects]').check();
  await page.locator('#layer-toggles input[data-layer=schoolRadius]').check();
  await page.waitForFunction(() => window.landreuse.snapshot().counts.projects > 0);
  await settled();
  const s = await snapshot();
  assert.equal(s.counts.projects, 35);
  assert.equal(s.counts.schools, 19);
  assert.equal(s.counts.zones, 7);
  assert.equal(s.counts.roads, 36);
  assert.equal(s.layers.projects, true);
  assert.equal(s.layers.schoolRadius, true);
  await page.waitForFunction(() => /绿化/.test(document.querySelector('#legend').innerText)
    && /服务半径/.test(document.querySelector('#legend').innerText));
  await shot(page, '03b-layers-projects-radius.png');
  await page.locator('#layer-toggles input[data-layer=zones]').uncheck();
  assert.equal((await snapshot()).layers.zones, false);
  await page.locator('#layer-toggles input[data-layer=zones]').check();
  await page.locator('#layer-toggles input[data-layer=projects]').uncheck();
  await page.locator('#layer-toggles input[data-layer=schoolRadius]').uncheck();
  // Paging: the client follows `next` links (here 500 a page).
  const paged = await page.evaluate(async () => {
    const r = await window.landreuse.fetchAll('parcels', { zone: 'south', limit: 500 });
    return { n: r.features.length, unique: new Set(r.features.map((f) => f.id)).size, matched: r.matched };
  });
  assert.deepEqual(paged, { n: 1717, unique: 1717, matched: 1717 });
});

test('a drawn rectangle lists the parcels the API finds in it, with totals and downloads', STEP, async () => {
  // Around 世纪大街 × 自由大路.
  await page.evaluate(() => window.landreuse.centreOn(125.403, 43.862, 15));
  await settled();
  await page.locator('#draw-box').click();
  const box = await page.locator('#map').boundingBox();
  const from = [Math.round(box.width * 0.3), Math.round(box.height * 0.3)];
  const to = [Math.round(box.width * 0.7), Math.round(box.height * 0.7)];
  const expected = await page.evaluate(([a, b]) => {
    const { map } = window.landreuse;
    return [map.getCoordinateFromPixel(a), map.getCoordinateFromPixel(b)];
  }, [from, to]);
  await page.mouse.move(box.x + from[0], box.y + from[1]);
  await page.mouse.down();
  for (let i = 1; i <= 10; i += 1) {
    await page.mouse.move(box.x + from[0] + ((to[0] - from[0]) * i) / 10, box.y + from[1] + ((to[1] - from[1]) * i) / 10);
  }
  await page.mouse.up();
  await page.waitForFunction(() => window.landreuse.snapshot().lastArea !== null && document.querySelector('#panel .totals'));
  const s = await snapshot();
  assert.equal(s.lastArea.kind, 'box');
  // The box is the one dragged.
  const [minx, miny, maxx, maxy] = s.lastArea.bbox.split(',').map(Number);
  const dragged = await page.evaluate(([a, b]) => {
    const toLonLat = (c) => {
      const x = (c[0] / 6378137) * (180 / Math.PI);
      const y = (2 * Math.atan(Math.exp(c[1] / 6378137)) - Math.PI / 2) * (180 / Math.PI);
      return [x, y];
    };
    return [toLonLat(a), toLonLat(b)];
  }, expected);
  const tol = 0.0002;
  assert.ok(Math.abs(minx - Math.min(dragged[0][0], dragged[1][0])) < tol, `${minx} vs ${dragged}`);
  assert.ok(Math.abs(maxy - Math.max(dragged[0][1], dragged[1][1])) < tol, `${maxy} vs ${dragged}`);
  assert.ok(maxx > minx && maxy > miny);
  const fromApi = await api(`/collections/parcels/items?bbox=${s.lastArea.bbox}&limit=10000`);
  assert.equal(s.lastArea.count, fromApi.body.numberMatched);
  assert.ok(s.lastArea.count > 10, `only ${s.lastArea.count} parcels in the box`);
  const shown = Number(await page.locator('#panel .totals').getAttribute('data-count'));
  assert.equal(shown, fromApi.body.numberMatched);
  const area = Number(await page.locator('#panel .totals').getAttribute('data-area-m2'));
  const apiArea = fromApi.body.features.reduce((a, f) => a + f.properties.area_m2, 0);
  assert.ok(Math.abs(area - apiArea) < 0.05, `${area} vs ${apiArea}`);
  const totalsText = await page.locator('#panel .totals').innerText();
  assert.match(totalsText, /公顷/);
  assert.match(totalsText, /亩/);
  assert.equal(await page.locator('#panel table.list tbody tr').count(), Math.min(500, shown));
  await shot(page, '04-rectangle.png');

  // Downloads: CSV (header + one line a parcel) and GeoJSON (the same parcels).
  const [csvDl] = await Promise.all([page.waitForEvent('download'), page.locator('#panel .dl-csv').click()]);
  const csv = fs.readFileSync(await csvDl.path(), 'utf8');
  const lines = csv.replace(/^\uFEFF/, '').trim().split(/\r\n/);
  assert.equal(lines[0], 'id,zone,subdistrict,land_use,land_use_name,status,owner,grade,area_m2,area_ha,area_mu');
  assert.equal(lines.length - 1, shown);
  const [gjDl] = await Promise.all([page.waitForEvent('download'), page.locator('#panel .dl-geojson').click()]);
  const gj = JSON.parse(fs.readFileSync(await gjDl.path(), 'utf8'));
  assert.equal(gj.type, 'FeatureCollection');
  assert.deepEqual(gj.features.map((f) => f.id).sort(), fromApi.body.features.map((f) => f.id).sort());
  fs.copyFileSync(await csvDl.path(), path.join(ARTIFACTS, '04-rectangle.csv'));

  // A polygon (a triangle) drawn by clicks: the parcels that intersect it exactly.
  await page.locator('#draw-polygon').click();
  const pts = [[0.25, 0.75], [0.5, 0.2], [0.8, 0.7]].map(([fx, fy]) => [box.x + box.width * fx, box.y + box.height * fy]);
  for (const [x, y] of pts) {
    await page.mouse.click(x, y);
    await page.waitForTimeout(150);
  }
  await page.mouse.click(pts[0][0], pts[0][1]); // back on the first vertex closes the ring
  await page.waitForFunction(() => window.landreuse.snapshot().lastArea?.kind === 'polygon');
  const poly = (await snapshot()).lastArea;
  const ring = await page.evaluate(() => {
    const { map } = window.landreuse;
    const src = map.getAllLayers().find((l) => l.getZIndex() === 55).getSource();
    const g = src.getFeatures()[0].getGeometry().clone().transform('EPSG:3857', 'EPSG:4326');
    return g.getCoordinates();
  });
  const inBox = await api(`/collections/parcels/items?bbox=${poly.bbox}&limit=10000`);
  const polygon = { type: 'Polygon', coordinates: ring };
  const exact = inBox.body.features.filter((f) => booleanIntersects(polygon, f.geometry));
  assert.equal(poly.count, exact.length);
  assert.ok(exact.length > 0 && exact.length < inBox.body.numberMatched, `${exact.length} of ${inBox.body.numberMatched}`);
  await shot(page, '04b-polygon.png');
  await page.locator('#draw-clear').click();
});

test('a planner opens a reserve case for a zombie parcel and moves it along; the panel follows', STEP, async () => {
  // A zombie parcel that no open case holds.
  const cases = await api('/reallocations');
  const closed = ['completed', 'rejected', 'cancelled'];
  const held = new Set(cases.body.cases.filter((c) => !closed.includes(c.stage)).flatMap((c) => c.parcels.split(',')));
  const zombies = await api('/collections/parcels/items?status=zombie&limit=1000');
  const parcel = zombies.body.features.find((f) => !held.has(f.id));
  assert.ok(parcel, 'a free zombie parcel');
  const id = parcel.id;

  // Sign in with the planner token.
  await page.locator('#btn-login').click();
  await page.locator('#login-form input[name=token]').fill(service.token);
  await page.locator('#login-form button[value=save]').click();
  await page.waitForFunction(() => document.querySelector('#btn-login').classList.contains('signed-in'));

  // Find it with the search box.
  await page.locator('#search-input').fill(id);
  await page.locator('#search button[type=submit]').click();
  await page.waitForSelector(`#panel h2[data-parcel-id="${id}"]`);
  await page.waitForSelector('#panel .open-case');
  await page.locator('#panel .open-case').click();
  await page.waitForSelector('#dlg-case[open]');
  assert.equal(await page.locator('#case-form select[name=kind]').inputValue(), 'reserve');
  await page.locator('#case-form select[name=acquisition]').selectOption('recovery');
  await page.locator('#case-form textarea[name=reason]').fill('僵尸企业用地，收回入储（浏览器测试）');
  await shot(page, '05a-case-dialog.png');
  await page.locator('#case-form button[type=submit]').click();
  await page.waitForSelector('#panel .case[data-stage=proposed]');
  const caseId = await page.locator('#panel .case').getAttribute('data-case');
  assert.match(caseId, /^RC-\d+$/);
  assert.equal((await api(`/reallocations/${caseId}`)).body.stage, 'proposed');
  await shot(page, '05b-case-opened.png');

  // proposed → approved → vacating with the buttons the server allows.
  for (const [to, version] of [['approved', '2'], ['vacating', '3']]) {
    await page.locator('#panel .case-reason').fill(`浏览器测试：${to}`);
    await page.locator(`#panel button.move[data-to=${to}]`).click();
    await page.waitForSelector(`#panel .case[data-stage=${to}][data-version="${version}"]`);
  }
  // The parcel follows its case: vacating → relocating (搬迁中), in the panel and the API.
  await page.waitForFunction(() => document.querySelector('#panel tr[data-field=status] td')?.innerText.includes('搬迁中'));
  assert.equal((await api(`/collections/parcels/items/${id}`)).body.properties.status, 'relocating');
  const allowed = await page.locator('#panel button.move').evaluateAll((bs) => bs.map((b) => b.dataset.to));
  const server = await api(`/reallocations/${caseId}`);
  assert.deepEqual(allowed, server.body.allowed_next);
  await page.waitForSelector('#panel .history-slot ol.events li');
  await shot(page, '05c-case-vacating.png');

  // Someone else moves the case meanwhile: the stale move is refused in the server's words.
  const moved = await api(`/reallocations/${caseId}/transitions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${service.token}`, 'Content-Type': 'application/json', 'If-Match': server.etag },
    body: JSON.stringify({ to: 'in_reserve', reason: '另一位规划人员' }),
  });
  assert.equal(moved.status, 200);
  await page.locator('#panel button.move[data-to=cancelled]').click();
  const error = page.locator('#panel .case-error');
  await error.waitFor({ state: 'visible' });
  const text = await error.innerText();
  assert.match(text, /^409/);
  const stale = await api(`/reallocations/${caseId}/transitions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${service.token}`, 'Content-Type': 'application/json', 'If-Match': '"3"' },
    body: JSON.stringify({ to: 'cancelled' }),
  });
  assert.ok(text.includes(stale.body.detail), `${text} / ${stale.body.detail}`);
  await shot(page, '05d-case-conflict.png');
  // Reloading shows the case where the other planner left it, and the parcel reserved.
  await page.locator('#panel .case-error button.refresh').click();
  await page.waitForSelector('#panel .case[data-stage=in_reserve][data-version="4"]');
  await page.waitForFunction(() => document.querySelector('#panel tr[data-field=status] td')?.innerText.includes('储备'));
});

test('the land-reserve report for the current view opens', STEP, async () => {
  await page.evaluate(() => window.landreuse.home());
  await settled();
  await page.waitForFunction(() => {
    const link = new URL(document.querySelector('#report-link').href);
    return link.searchParams.get('bbox') === window.landreuse.snapshot().viewBbox;
  });
  const href = await page.locator('#report-link').getAttribute('href');
  const url = new URL(href);
  assert.equal(url.origin, service.base);
  assert.equal(url.pathname, '/reports/land-reserve');
  assert.equal(url.searchParams.get('f'), 'html');
  const view = (await snapshot()).viewBbox;
  assert.equal(url.searchParams.get('bbox'), view);
  const probe = await fetch(href, { headers: { Accept: 'text/html' } });
  assert.equal(probe.status, 200, `GET ${href} answers`);
  const [report] = await Promise.all([context.waitForEvent('page'), page.locator('#report-link').click()]);
  await report.waitForLoadState('load');
  assert.equal(report.url(), href);
  const title = await report.title();
  assert.match(title, /土地储备决策报告/, 'the land-reserve report opens');
  await shot(report, '06-report.png');
  await report.close();
});

test('the interface switches to English', STEP, async () => {
  await page.locator('#btn-lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.match(await page.locator('#legend').innerText(), /Active/);
  assert.match(await page.locator('#sidebar').innerText(), /Layers/);
  await page.locator('input[name=colour-by][value=grade]').check();
  await settled();
  await shot(page, '07-english-grade.png');
  await page.locator('input[name=colour-by][value=status]').check();
  await page.locator('#btn-lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
});

test('a view with more parcels than one view draws says so, and zooming in draws them all', STEP, async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript(() => {
    localStorage.setItem('landreuse.settings', JSON.stringify({ maxDrawn: 1000 }));
  });
  const p = await newPage(ctx);
  await p.goto(`${service.base}/`);
  await settled(p);
  const s = await snapshot(p);
  assert.equal(s.lastLoad.truncated, true);
  assert.equal(s.parcelsLoaded, 1000, 'only the first 1,000 are loaded');
  const all = await api(`/collections/parcels/items?limit=1&bbox=${s.lastLoad.bbox}`);
  assert.equal(s.lastLoad.matched, all.body.numberMatched);
  const notice = p.locator('#parcel-truncated');
  await notice.waitFor({ state: 'visible' });
  assert.match(await notice.innerText(), new RegExp(`${all.body.numberMatched.toLocaleString('en-US')}`));
  await shot(p, '08-truncated.png');
  // A stopped load is not asked again while the view stays where it is.
  const loads = (await snapshot(p)).loadsStarted;
  await p.waitForTimeout(2000);
  assert.equal((await snapshot(p)).loadsStarted, loads, 'no reloading while the view is still');
  // Zoomed in on the CBD, the view holds fewer than 1,000 parcels: all drawn, no notice.
  await p.evaluate(() => window.landreuse.centreOn(125.403, 43.856, 16));
  await settled(p, (s) => s.lastLoad && !s.lastLoad.truncated);
  await notice.waitFor({ state: 'hidden' });
  await ctx.close();
});

test('a clear message, not a blank map, when the API is unreachable or answers an error', STEP, async () => {
  // 1. The service URL setting points at a closed port.
  const closedPort = await freePort();
  const closedUrl = `http://127.0.0.1:${closedPort}`;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript((u) => {
    localStorage.setItem('landreuse.settings', JSON.stringify({ apiBase: u }));
  }, closedUrl);
  const p = await newPage(ctx);
  await p.goto(`${service.base}/`);
  await p.locator('#banner').waitFor({ state: 'visible' });
  await p.locator('#map-message').waitFor({ state: 'visible' });
  const banner = await p.locator('#banner-text').innerText();
  assert.ok(banner.includes(closedUrl), banner);
  assert.match(banner, /无法连接/);
  await shot(p, '08a-unreachable.png');
  await ctx.close();

  // 2. The service answers with an error (a wrong service URL): its words are shown.
  const ctx2 = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx2.addInitScript((u) => {
    localStorage.setItem('landreuse.settings', JSON.stringify({ apiBase: u }));
  }, `${service.base}/no-such-prefix`);
  const p2 = await newPage(ctx2);
  await p2.goto(`${service.base}/`);
  await p2.locator('#banner').waitFor({ state: 'visible' });
  await p2.locator('#map-message').waitFor({ state: 'visible' });
  const banner2 = await p2.locator('#banner-text').innerText();
  const problem = await api('/no-such-prefix/collections/parcels/items?limit=1');
  assert.match(banner2, /404/);
  assert.ok(banner2.includes(problem.body.detail.split('/no-such-prefix')[0]), `${banner2} / ${problem.body.detail}`);
  await shot(p2, '08b-api-error.png');
  await ctx2.close();

  // 3. The service stops under a running client: moving the map says so.
  await service.stop();
  await page.evaluate(() => window.landreuse.map.getView().setZoom(10));
  await page.locator('#banner').waitFor({ state: 'visible' });
  const banner3 = await page.locator('#banner-text').innerText();
  assert.ok(banner3.includes(service.base), banner3);
  await shot(page, '08c-service-stopped.png');
});

test('no script errors in the pages', () => {
  assert.deepEqual(pageErrors, []);
});
