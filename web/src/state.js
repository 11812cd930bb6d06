// The client's shared state: colouring mode, filters, selection, last parcel load.

export const state = {
  /** 'status' | 'land_use' | 'grade' */
  mode: 'status',
  /** Server-side filters of the parcels items query ({zone, status, land_use, grade, owner}). */
  filters: {},
  /** Selected parcels: id → GeoJSON feature (CRS84) as the API gave it. */
  selection: new Map(),
  /** The last parcels load: {bbox, matched, returned, filters}. */
  lastLoad: null,
  /** Loads in flight. */
  loading: 0,
  /** What the side panel shows: {kind: 'empty'|'parcel'|'area'|'case', ...}. */
  panel: { kind: 'empty' },
  /** The last error shown in the banner (text), or null. */
  error: null,
  /** Land-use code → {zh, en} names seen in the data. */
  landUseNames: new Map(),
};

/** The active filters without empty values. */
export function activeFilters() {
  return Object.fromEntries(Object.entries(state.filters).filter(([, v]) => v !== '' && v != null));
}
