// Starts the real landreuse service for the browser tests: a fresh temporary data
// directory (the sample zone is loaded on first start), a free port on 127.0.0.1, the
// built client from dist/. Creates tokens with the CLI: a planner's, and two GIS staff's
// (two names, so that an edit can meet another person's). Stops it at the end.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS = path.join(WEB_DIR, 'test-artifacts');

/** The landreuse binary: $LANDREUSE_BIN, else ${CARGO_TARGET_DIR:-../target}/debug/landreuse. */
export function binaryPath() {
  if (process.env.LANDREUSE_BIN) return path.resolve(WEB_DIR, process.env.LANDREUSE_BIN);
  const target = process.env.CARGO_TARGET_DIR || path.join(WEB_DIR, '..', 'target');
  return path.resolve(WEB_DIR, target, 'debug', 'landreuse');
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(check, { timeoutMs, intervalMs = 250, what, fatal = () => null }) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    const stop = fatal();
    if (stop) throw stop;
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
}

/**
 * Starts the service. Returns {base, token (planner), gisToken, otherGisToken, gisName,
 * otherGisName, port, dataDir, stop(), log()}.
 */
export async function startService() {
  const bin = binaryPath();
  if (!fs.existsSync(bin)) {
    throw new Error(`landreuse binary not found at ${bin}: build it (cargo build) or set LANDREUSE_BIN`);
  }
  const dist = path.join(WEB_DIR, 'dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: run \`npm run build\` first`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'landreuse-web-test-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = [
    'serve', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir,
    '--geodata', path.join(WEB_DIR, '..', 'geodata'), '--web-dir', dist,
  ];
  const grading = path.join(WEB_DIR, '..', 'config', 'grading.toml');
  if (fs.existsSync(grading)) args.push('--grading', grading);
  const logPath = path.join(ARTIFACTS, 'service.log');
  const logStream = fs.createWriteStream(logPath);
  let logText = '';
  const child = spawn(bin, args, {
    cwd: WEB_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'info', NO_COLOR: '1' },
  });
  const onData = (d) => {
    logStream.write(d);
    logText = (logText + d.toString()).slice(-20000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  try {
    await waitFor(async () => {
      const r = await fetch(`${base}/conformance`, { headers: { Accept: 'application/json' } });
      return r.ok;
    }, {
      timeoutMs: 240000,
      what: `landreuse on ${base}`,
      fatal: () => exited && new Error(`landreuse exited (${JSON.stringify(exited)}) before answering; log:\n${logText}`),
    });
  } catch (e) {
    if (!exited) child.kill('SIGKILL');
    logStream.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  const createToken = (role, name) => execFileSync(bin, [
    'token', 'create', '--role', role, '--name', name, '--data-dir', dataDir,
  ], { cwd: WEB_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split(/\s+/).pop();
  const token = createToken('planner', '规划科 王工');
  const gisName = '测绘科 李工';
  const otherGisName = '测绘队 张工';
  const gisToken = createToken('gis', gisName);
  const otherGisToken = createToken('gis', otherGisName);

  async function stop() {
    if (!exited) {
      child.kill('SIGTERM');
      try {
        await waitFor(() => exited, { timeoutMs: 15000, what: 'landreuse to stop' });
      } catch {
        child.kill('SIGKILL');
        await waitFor(() => exited, { timeoutMs: 5000, what: 'landreuse to be killed' }).catch(() => {});
      }
    }
    logStream.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  return {
    base, port, token, gisToken, otherGisToken, gisName, otherGisName, dataDir, stop, log: () => logText, running: () => !exited,
  };
}
