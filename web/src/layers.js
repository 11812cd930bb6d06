// The map's layers. Parcels are loaded from the OGC API by bbox as the view moves
// (paging through `next` links), with the active filters; the small collections
// (zones, roads, schools, the projects' lines and areas) are loaded whole once.

import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import TileLayer from 'ol/layer/Tile.js';
import XYZ from 'ol/source/XYZ.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { bbox as bboxStrategy } from 'ol/loadingstrategy.js';
import { transformExtent } from 'ol/proj.js';
import { Style, Stroke } from 'ol/style.js';
import { getCenter } from 'ol/extent.js';
import { toLonLat } from 'ol/proj.js';

import { fetchAllItems } from './api.js';
import {
  parcelStyle, zoneStyle, roadStyle, schoolStyle, projectStyle, selectionStyle, drawnAreaStyle,
} from './styles.js';

export const geojson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

/** A bbox parameter (CRS84, 6 decimals) for a map extent. */
export function bboxParam(extent, projection = 'EPSG:3857') {
  const [a, b, c, d] = transformExtent(extent, projection, 'EPSG:4326');
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const r = (v) => Number(v.toFixed(6));
  return [r(clamp(a, -180, 180)), r(clamp(b, -85, 85)), r(clamp(c, -180, 180)), r(clamp(d, -85, 85))].join(',');
}

/**
 * The parcels layer. `getFilters()` gives the server-side filters of the items query,
 * `getMaxDrawn()` the most parcels one view loads;
 * `onLoad(info)` hears of every load ({bbox, matched, returned}) and `onError(e)` of
 * every failure.
 */
export function createParcelsLayer({ getMode, getFilters, getMaxDrawn, onLoad, onError }) {
  let generation = 0;
  let controllers = new Set();
  // Extents whose load stopped at the limit: forgotten when the view moves, so that a
  // smaller view inside them loads its own parcels (see viewMoved).
  let truncatedExtents = [];
  const source = new VectorSource({
    strategy: bboxStrategy,
    loader(extent, resolution, projection, success, failure) {
      const gen = generation;
      const bbox = bboxParam(extent, projection);
      const controller = new AbortController();
      controllers.add(controller);
      // A view over a whole district of a large deployment (a million parcels) would
      // fetch them all: draw the first getMaxDrawn() and say so; zooming in draws all.
      const max = getMaxDrawn();
      fetchAllItems('parcels', { bbox, ...getFilters() }, { signal: controller.signal, max })
        .then(({ features, matched, truncated }) => {
          controllers.delete(controller);
          if (gen !== generation) {
            success([]);
            return;
          }
          const feats = geojson.readFeatures({ type: 'FeatureCollection', features });
          source.addFeatures(feats);
          success(feats);
          if (truncated) truncatedExtents.push(extent);
          onLoad({ bbox, matched, returned: features.length, truncated, max, filters: getFilters() });
        })
        .catch((e) => {
          // The extent stays marked as loaded, so a failing service is not asked again
          // on every frame; Retry (reload) asks again.
          controllers.delete(controller);
          failure();
          if (e.name !== 'AbortError' && gen === generation) onError(e);
        });
    },
  });
  const layer = new VectorLayer({
    source,
    style: parcelStyle(getMode),
    zIndex: 10,
    properties: { name: 'parcels' },
    updateWhileInteracting: false,
  });
  /** Drops everything loaded and loads again (new filters, a write). */
  function reload() {
    generation += 1;
    controllers.forEach((c) => c.abort());
    controllers = new Set();
    truncatedExtents = [];
    source.refresh();
  }
  /** After the view moved: loads stopped at the limit count as not loaded any more. */
  function viewMoved() {
    if (!truncatedExtents.length) return;
    truncatedExtents.forEach((e) => source.removeLoadedExtent(e));
    truncatedExtents = [];
    layer.changed();
  }
  return { layer, source, reload, viewMoved };
}

/**
 * A layer of a whole small collection, or of several loaded into one source (the public
 * projects are served as two collections, lines and areas, one geometry type each).
 */
export function createCollectionLayer(collection, style, { zIndex, visible = true, onError, params = {}, name }) {
  const collections = [].concat(collection);
  const source = new VectorSource({
    loader(extent, resolution, projection, success, failure) {
      Promise.all(collections.map((c) => fetchAllItems(c, params)))
        .then((pages) => {
          const features = pages.flatMap((p) => p.features);
          const feats = geojson.readFeatures({ type: 'FeatureCollection', features });
          source.addFeatures(feats);
          success(feats);
        })
        .catch((e) => {
          failure();
          if (onError) onError(e);
        });
    },
  });
  const layer = new VectorLayer({
    source, style, zIndex, visible, properties: { name: name || collections[0] },
  });
  return { layer, source };
}

export function createZonesLayer(opts) {
  return createCollectionLayer('zones', zoneStyle, { zIndex: 30, ...opts });
}

export function createRoadsLayer(opts) {
  return createCollectionLayer('roads', roadStyle, { zIndex: 20, ...opts });
}

export function createSchoolsLayer(opts) {
  return createCollectionLayer('schools', schoolStyle, { zIndex: 40, ...opts });
}

export function createProjectsLayer(opts) {
  return createCollectionLayer(['project_lines', 'project_areas'], projectStyle, {
    zIndex: 35, visible: false, name: 'projects', ...opts,
  });
}

export const SERVICE_RADIUS_M = { primary: 500, middle: 1000 };

/**
 * The service area of the schools of one level (GB 50180-2018: primary 500 m, middle
 * 1,000 m; a nine-year school serves both), drawn as the school land grown by the radius:
 * a stroke of twice the radius along the outline (round joins) plus the land itself.
 * Drawn opaque and faded as a whole layer, so overlapping areas do not darken.
 */
export function createRadiusLayer(schoolsSource, level) {
  const radius = SERVICE_RADIUS_M[level];
  const colours = level === 'primary'
    ? { area: '#c9d8f0', rim: '#163f8c' }
    : { area: '#e3d3ef', rim: '#6e28a0' };
  const style = (feature, resolution) => {
    const l = feature.get('level');
    if (l !== level && l !== 'nine_year') return null;
    const [, lat] = toLonLat(getCenter(feature.getGeometry().getExtent()));
    const px = (2 * radius) / Math.cos((lat * Math.PI) / 180) / resolution;
    return [
      new Style({ stroke: new Stroke({ color: colours.rim, width: px + 3, lineJoin: 'round' }) }),
      new Style({ stroke: new Stroke({ color: colours.area, width: px, lineJoin: 'round' }) }),
    ];
  };
  return new VectorLayer({
    source: schoolsSource,
    style,
    opacity: 0.35,
    zIndex: level === 'primary' ? 16 : 15,
    visible: false,
    properties: { name: `radius-${level}` },
  });
}

/** The highlighted (selected) parcels. */
export function createSelectionLayer() {
  const source = new VectorSource();
  const layer = new VectorLayer({ source, style: selectionStyle, zIndex: 60 });
  return { layer, source };
}

/** The drawn selection area. */
export function createDrawLayer() {
  const source = new VectorSource();
  const layer = new VectorLayer({ source, style: drawnAreaStyle, zIndex: 55 });
  return { layer, source };
}

/** An optional XYZ basemap (a tile URL template), or null. */
export function createBasemapLayer(url, attribution) {
  if (!url) return null;
  return new TileLayer({
    source: new XYZ({ url, attributions: attribution || undefined, crossOrigin: 'anonymous' }),
    zIndex: 0,
    properties: { name: 'basemap' },
  });
}
