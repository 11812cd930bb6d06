// The OpenLayers map: view framed on the southern built-up area and the northern
// zone, plain background (no basemap unless one is set), scale line and cursor position.

import Map from 'ol/Map.js';
import View from 'ol/View.js';
import { defaults as defaultControls, ScaleLine, MousePosition } from 'ol/control.js';
import { transformExtent } from 'ol/proj.js';
import { createStringXY } from 'ol/coordinate.js';

/** The southern built-up area and the northern zone (lon/lat). */
export const HOME_EXTENT_LONLAT = [125.366, 43.833, 125.562, 43.988];

export function homeExtent() {
  return transformExtent(HOME_EXTENT_LONLAT, 'EPSG:4326', 'EPSG:3857');
}

/** A map in `target` with `layers`, framed on the zone. */
export function createMap(target, layers) {
  const map = new Map({
    target,
    layers,
    controls: defaultControls({ attributionOptions: { collapsible: true } }).extend([
      new ScaleLine({ units: 'metric' }),
      new MousePosition({
        coordinateFormat: createStringXY(5),
        projection: 'EPSG:4326',
        className: 'ol-mouse-position',
      }),
    ]),
    view: new View({ center: [0, 0], zoom: 2, maxZoom: 20, minZoom: 9 }),
  });
  fitHome(map);
  return map;
}

/** Frames the map on the zone. */
export function fitHome(map, duration = 0) {
  map.getView().cancelAnimations();
  map.getView().fit(homeExtent(), { padding: [20, 20, 20, 20], duration });
}
