// Settings kept in localStorage (service URL, basemap template, language) and the
// planner token kept in sessionStorage (this tab only).

const KEY = 'landreuse.settings';
const TOKEN_KEY = 'landreuse.token';

const defaults = { apiBase: '', basemapUrl: '', basemapAttribution: '', lang: 'zh', maxDrawn: 50000 };

function read() {
  try {
    return { ...defaults, ...JSON.parse(localStorage.getItem(KEY) || '{}') };
  } catch {
    return { ...defaults };
  }
}

let settings = read();

/** The current settings. */
export function getSettings() {
  return settings;
}

/** Changes and stores some settings. */
export function saveSettings(patch) {
  settings = { ...settings, ...patch };
  localStorage.setItem(KEY, JSON.stringify(settings));
  return settings;
}

/** The planner's bearer token, or ''. */
export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

/** Stores (or with '' forgets) the planner's token. */
export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token.trim());
  else sessionStorage.removeItem(TOKEN_KEY);
}
