// The landreuse API: relative URLs (same origin) unless a service URL is set.
// Every failure becomes an ApiError carrying the URL, the status and the server's
// own words (the `detail` of its application/problem+json).

import { getSettings, getToken } from './settings.js';

/** A failed request: `status` 0 when the service could not be reached. */
export class ApiError extends Error {
  constructor({ url, status, title, detail, body }) {
    super(detail || title || `HTTP ${status}`);
    this.url = url;
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.body = body;
  }
}

const errorListeners = new Set();
const okListeners = new Set();

/** Calls `fn(error)` for every failed read (writes report their errors where they are made). */
export function onApiError(fn) {
  errorListeners.add(fn);
}

/** Calls `fn()` after every successful read. */
export function onApiOk(fn) {
  okListeners.add(fn);
}

/** The base URL of the API, without a trailing slash ('' = same origin). */
export function apiBase() {
  return (getSettings().apiBase || '').trim().replace(/\/+$/, '');
}

/** The URL of an API path with query parameters (empty values are left out). */
export function apiUrl(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.append(k, String(v));
  }
  const qs = q.toString();
  return `${apiBase()}${path}${qs ? `?${qs}` : ''}`;
}

/** An absolute URL for display and for new windows. */
export function absoluteUrl(url) {
  return new URL(url, window.location.href).href;
}

async function request(url, { method = 'GET', body, headers = {}, auth = false, report = true, signal } = {}) {
  const h = { Accept: 'application/json, application/geo+json;q=0.9', ...headers };
  if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
  const token = getToken();
  if (auth && token) h.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      // The data are live (cases move, parcels are edited): never an answer the browser
      // kept by its heuristics (an answer with Last-Modified and no Cache-Control), always
      // one the service confirmed.
      cache: 'no-cache',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    const err = new ApiError({ url: absoluteUrl(url), status: 0, detail: e.message || String(e) });
    if (report) errorListeners.forEach((fn) => fn(err));
    throw err;
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const err = new ApiError({
      url: absoluteUrl(url),
      status: response.status,
      title: (data && data.title) || response.statusText,
      detail: (data && data.detail) || text.slice(0, 300) || response.statusText,
      body: data,
    });
    if (report) errorListeners.forEach((fn) => fn(err));
    throw err;
  }
  if (data === null && text) {
    const err = new ApiError({
      url: absoluteUrl(url),
      status: response.status,
      detail: `the answer is not JSON (${(response.headers.get('content-type') || 'no content type')}); is the service URL right?`,
    });
    if (report) errorListeners.forEach((fn) => fn(err));
    throw err;
  }
  if (method === 'GET' && report) okListeners.forEach((fn) => fn());
  return {
    data,
    etag: response.headers.get('ETag'),
    lastModified: response.headers.get('Last-Modified'),
    status: response.status,
  };
}

/** GET JSON. */
export async function getJSON(path, params = {}, opts = {}) {
  return (await request(apiUrl(path, params), opts)).data;
}

/** GET JSON with its ETag. */
export async function getWithEtag(path, params = {}, opts = {}) {
  return request(apiUrl(path, params), opts);
}

/** POST JSON with the planner's token; errors are thrown, not bannered. */
export async function postJSON(path, body, headers = {}) {
  return request(apiUrl(path), { method: 'POST', body, headers, auth: true, report: false });
}

/**
 * A write with the signed-in token (PATCH, PUT, DELETE …): `{data, etag, status}`;
 * errors are thrown (an ApiError with the problem document in `body`), not bannered.
 */
export async function writeJSON(method, path, body, headers = {}) {
  return request(apiUrl(path), { method, body, headers, auth: true, report: false });
}

/**
 * The methods the signed-in token may use on `path` now, from the `Allow` header of
 * `OPTIONS` (upper case). An empty set when the service cannot say (unreachable, an
 * error, no Allow header): then nothing but reading is offered.
 */
export async function allowedMethods(path, { signal } = {}) {
  const headers = {};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const response = await fetch(apiUrl(path), { method: 'OPTIONS', headers, signal, cache: 'no-store' });
    const allow = response.ok ? response.headers.get('Allow') || '' : '';
    return new Set(allow.split(',').map((m) => m.trim().toUpperCase()).filter(Boolean));
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    return new Set();
  }
}

/**
 * Every feature of an items query, following the `next` links (limit 10,000 a page,
 * the server's maximum), or the first `max` of them. Returns the features, the server's
 * numberMatched and whether more were left unread.
 */
export async function fetchAllItems(collection, params = {}, { signal, max = Infinity } = {}) {
  const path = `/collections/${collection}/items`;
  let url = apiUrl(path, { limit: Math.min(10000, max), ...params });
  const features = [];
  let matched = null;
  for (let page = 0; page < 1000 && url && features.length < max; page += 1) {
    const { data } = await request(url, { signal });
    features.push(...(data.features || []));
    if (matched === null) matched = data.numberMatched ?? null;
    const next = (data.links || []).find((l) => l.rel === 'next');
    // Follow `next` with its query string against our own base, so that a service
    // behind a proxy (or the dev server) keeps being asked at the address we use.
    url = next ? `${apiBase()}${path}${new URL(next.href, window.location.href).search}` : null;
  }
  return { features, matched: matched ?? features.length, truncated: Boolean(url) };
}
