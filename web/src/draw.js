// Selecting by area: draw a rectangle or a polygon and list the parcels inside.
// A rectangle is the API's bbox (exact intersection on the server). A polygon asks the
// server for its bbox, then keeps the parcels that really intersect the polygon
// (turf's booleanIntersects on the lon/lat geometries).

import Draw, { createBox } from 'ol/interaction/Draw.js';
import booleanIntersects from '@turf/boolean-intersects';

import { fetchAllItems } from './api.js';
import { geojson, bboxParam } from './layers.js';

let draw = null;

/** Stops drawing. */
export function stopDrawing(map) {
  if (draw) {
    map.removeInteraction(draw);
    draw = null;
  }
}

/** Whether a drawing tool is active. */
export function isDrawing() {
  return draw !== null;
}

/**
 * Starts a drawing tool ('box' or 'polygon') on `map`; the drawn area goes to
 * `source` and `onArea({kind, geometry})` (geometry in the map projection).
 */
export function startDrawing(map, source, kind, onArea) {
  stopDrawing(map);
  draw = kind === 'box'
    ? new Draw({ source, type: 'Circle', geometryFunction: createBox(), freehand: true })
    : new Draw({ source, type: 'Polygon' });
  draw.on('drawstart', () => source.clear());
  draw.on('drawend', (e) => {
    const geometry = e.feature.getGeometry();
    // Leave the interaction after the click that ended the drawing has been handled.
    setTimeout(() => stopDrawing(map), 0);
    onArea({ kind, geometry });
  });
  map.addInteraction(draw);
}

/** The parcels (GeoJSON, CRS84) inside a drawn area, with the server-side `filters`. */
export async function parcelsInArea({ kind, geometry }, filters) {
  const bbox = bboxParam(geometry.getExtent());
  const { features } = await fetchAllItems('parcels', { bbox, ...filters });
  if (kind === 'box') return { bbox, features };
  const polygon = geojson.writeGeometryObject(geometry, { decimals: 7 });
  const inside = features.filter((f) => booleanIntersects(polygon, f.geometry));
  return { bbox, polygon, features: inside };
}
