// The Content-Security-Policy of the service's HTML, in real headless Chromium: the web
// map, the land-reserve report and an OGC f=html page each carry a policy, and each
// works under it with no violation (Chromium reports every refused script, style, image
// or connection on the console and as a `securitypolicyviolation` event).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { startService, ARTIFACTS } from './service.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LONG = 90_000;
const STEP = { timeout: 240_000 };

let service;
let browser;

before(async () => {
  service = await startService();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (service) await service.stop();
});

/** Opens `url` in a fresh page, recording every CSP violation the page sees. */
async function open(url) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const p = await ctx.newPage();
  p.setDefaultTimeout(LONG);
  const violations = [];
  p.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
  });
  // Runs before the page's own scripts, outside its policy (a DevTools init script).
  await ctx.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const res = await p.goto(url);
  return { ctx, p, res, violations };
}

async function allViolations(p, violations) {
  const inPage = await p.evaluate(() => window.cspViolations || []);
  return [...violations, ...inPage];
}

test('the web map carries its policy and draws the parcels with no violation', STEP, async () => {
  const { ctx, p, res, violations } = await open(`${service.base}/`);
  assert.equal(res.status(), 200);
  const csp = res.headers()['content-security-policy'];
  assert.ok(csp, 'the map page has a Content-Security-Policy');
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /object-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-eval/);
  await p.waitForFunction(() => window.landreuse && window.landreuse.snapshot().parcelsLoaded > 0);
  await p.screenshot({ path: path.join(ARTIFACTS, 'csp-01-map.png') });
  assert.deepEqual(await allViolations(p, violations), []);
  await ctx.close();
});

test('the land-reserve report carries the page policy and shows its maps and charts', STEP, async () => {
  const { ctx, p, res, violations } = await open(`${service.base}/reports/land-reserve?f=html&zone=south`);
  assert.equal(res.status(), 200);
  const csp = res.headers()['content-security-policy'];
  assert.ok(csp, 'the report has a Content-Security-Policy');
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /script-src/);
  const svgs = await p.locator('svg').count();
  assert.ok(svgs >= 2, `the report draws its maps and charts (${svgs} SVGs)`);
  const mapBox = await p.locator('svg').first().boundingBox();
  assert.ok(mapBox && mapBox.width > 100 && mapBox.height > 100, JSON.stringify(mapBox));
  await p.screenshot({ path: path.join(ARTIFACTS, 'csp-02-report.png'), fullPage: false });
  assert.deepEqual(await allViolations(p, violations), []);
  await ctx.close();
});

test('an OGC f=html page carries the page policy and renders with no violation', STEP, async () => {
  const { ctx, p, res, violations } = await open(`${service.base}/collections/parcels/items?f=html&limit=5`);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-security-policy'] || '', /default-src 'none'/);
  const rows = await p.locator('table tr').count();
  assert.ok(rows >= 6, `a header row and five parcels (${rows} rows)`);
  // Its styles apply (an inline <style> is allowed): table cells have a border.
  const border = await p.locator('td').first().evaluate((td) => getComputedStyle(td).borderTopStyle);
  assert.equal(border, 'solid');
  // Links stay on the service.
  const href = await p.locator('table a').first().getAttribute('href');
  assert.ok(href.startsWith(service.base), href);
  assert.deepEqual(await allViolations(p, violations), []);
  await ctx.close();
});
