// Colours and OpenLayers styles: parcels by status, land use (GB 50137 colour
// conventions) or efficiency grade; zones, roads, schools, projects, selection.

import { Fill, Stroke, Style, Text } from 'ol/style.js';
import { lang } from './i18n.js';

export const STATUS_COLOURS = {
  active: '#c6d4e1',
  idle: '#f2c744',
  zombie: '#b2182b',
  expanding: '#4daf4a',
  reserved: '#984ea3',
  relocating: '#ff7f00',
  vacated: '#c9a27c',
  redeveloped: '#1b9e9e',
  supplied: '#2c6fbb',
};

export const GRADE_COLOURS = {
  A: '#1a9850',
  B: '#91cf60',
  C: '#fdd95a',
  D: '#d73027',
  ungraded: '#9e9e9e',
  none: '#eeeeee',
};

const LAND_USE_EXACT = {
  R2: '#f5dc4f', R1: '#fbeea0', R3: '#e3c21c',
  A33: '#e879b9', A5: '#f08b8b', A1: '#f2a7d0', A2: '#f5b5e0',
  B1: '#e45756', B2: '#c9406a', B29: '#9e2a55', B9: '#f08a6c', B14: '#ef6f5f',
  M1: '#cfa77f', M2: '#a67850', M3: '#7a4e2d',
  W1: '#a58fd0', W2: '#8c6fc2', W3: '#6f52a8',
  U1: '#5f9fc5', S1: '#b0b0b0', S4: '#8f8f8f',
  G1: '#7fc97f', G2: '#a6d96a', G3: '#c7e9a0',
};

const LAND_USE_MAJOR = {
  R: '#f5dc4f', A: '#ef9fc8', B: '#e06666', M: '#b58b62', W: '#a58fd0',
  S: '#b0b0b0', U: '#5f9fc5', G: '#7fc97f', H: '#d9d9d9', E: '#cfe8f3',
};

/** The colour of a land-use code: its own, else its major class's, else grey. */
export function landUseColour(code) {
  if (!code) return '#dddddd';
  if (LAND_USE_EXACT[code]) return LAND_USE_EXACT[code];
  const major = LAND_USE_MAJOR[code[0]];
  return major || '#dddddd';
}

/** The colour of a parcel's property for a colouring mode. */
export function parcelColour(mode, props) {
  if (mode === 'land_use') return landUseColour(props.land_use);
  if (mode === 'grade') return GRADE_COLOURS[props.grade || 'none'] || GRADE_COLOURS.none;
  return STATUS_COLOURS[props.status] || '#dddddd';
}

function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

const styleCache = new Map();

/** A style function for the parcels layer, coloured by `getMode()`. */
export function parcelStyle(getMode) {
  return (feature, resolution) => {
    const mode = getMode();
    const props = feature.getProperties();
    const colour = parcelColour(mode, props);
    const showLabel = resolution < 1.6;
    const key = `${colour}|${showLabel ? feature.getId() : ''}`;
    let style = styleCache.get(key);
    if (!style) {
      style = new Style({
        fill: new Fill({ color: withAlpha(colour, 0.85) }),
        stroke: new Stroke({ color: 'rgba(60,60,60,0.55)', width: 0.6 }),
        text: showLabel
          ? new Text({
              text: String(feature.getId()).replace(/^ETDZ-/, ''),
              font: '11px sans-serif',
              fill: new Fill({ color: '#222' }),
              stroke: new Stroke({ color: 'rgba(255,255,255,0.85)', width: 3 }),
              overflow: false,
            })
          : undefined,
      });
      if (styleCache.size > 5000) styleCache.clear();
      styleCache.set(key, style);
    }
    return style;
  };
}

export const selectionStyle = [
  new Style({ stroke: new Stroke({ color: '#ffffff', width: 5 }) }),
  new Style({
    stroke: new Stroke({ color: '#00a2e8', width: 2.5 }),
    fill: new Fill({ color: 'rgba(0,162,232,0.18)' }),
  }),
];

export const drawnAreaStyle = new Style({
  stroke: new Stroke({ color: '#0b4f8a', width: 2, lineDash: [8, 5] }),
  fill: new Fill({ color: 'rgba(11,79,138,0.08)' }),
});

function name(props) {
  return lang() === 'en' ? props.name_en || props.name : props.name;
}

/** Zones: outlines with their names; sub-districts dotted. */
export function zoneStyle(feature, resolution) {
  const p = feature.getProperties();
  const isZone = p.kind === 'zone';
  const colour = p.code === 'bonded' || feature.getId() === 'bonded' ? '#7b3294' : isZone ? '#8b1a1a' : '#555555';
  const showLabel = isZone ? resolution < 60 : resolution < 12;
  return new Style({
    stroke: new Stroke({
      color: colour,
      width: isZone ? 2.5 : 1.2,
      lineDash: isZone ? [10, 6] : [3, 4],
    }),
    text: showLabel
      ? new Text({
          text: name(p),
          font: isZone ? 'bold 14px sans-serif' : '12px sans-serif',
          fill: new Fill({ color: colour }),
          stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 4 }),
          overflow: true,
        })
      : undefined,
  });
}

const ROAD_WIDTH = { expressway: 5, arterial: 4, secondary: 3, branch: 2 };

/** Roads: white with a grey casing, wider by class; names along the line when close. */
export function roadStyle(feature, resolution) {
  const p = feature.getProperties();
  const w = ROAD_WIDTH[p.class] || 2;
  const fill = p.class === 'expressway' ? '#f6c46b' : '#ffffff';
  const styles = [
    new Style({ stroke: new Stroke({ color: '#9a9a9a', width: w + 2 }) }),
    new Style({ stroke: new Stroke({ color: fill, width: w }) }),
  ];
  if (resolution < 10 || (p.class !== 'branch' && resolution < 25)) {
    styles.push(
      new Style({
        text: new Text({
          text: name(p),
          placement: 'line',
          font: '12px sans-serif',
          fill: new Fill({ color: '#333' }),
          stroke: new Stroke({ color: '#fff', width: 3 }),
        }),
      }),
    );
  }
  return styles;
}

/** Schools: blue land with a small label. */
export function schoolStyle(feature, resolution) {
  const p = feature.getProperties();
  const programme = p.kind === 'new' || p.kind === 'expansion';
  return new Style({
    fill: new Fill({ color: programme ? 'rgba(30,90,200,0.55)' : 'rgba(30,90,200,0.35)' }),
    stroke: new Stroke({ color: '#163f8c', width: programme ? 2.5 : 1.5 }),
    text:
      resolution < 12
        ? new Text({
            text: name(p),
            font: '11px sans-serif',
            fill: new Fill({ color: '#163f8c' }),
            stroke: new Stroke({ color: '#fff', width: 3 }),
            offsetY: -14,
            overflow: true,
          })
        : undefined,
  });
}

export const radiusStyle = {
  primary: new Style({
    stroke: new Stroke({ color: 'rgba(22,63,140,0.75)', width: 1.5, lineDash: [6, 4] }),
    fill: new Fill({ color: 'rgba(22,63,140,0.04)' }),
  }),
  middle: new Style({
    stroke: new Stroke({ color: 'rgba(110,40,160,0.75)', width: 1.5, lineDash: [2, 4] }),
    fill: new Fill({ color: 'rgba(110,40,160,0.03)' }),
  }),
};

export const PROJECT_COLOURS = {
  street_renovation: '#e6550d',
  lighting: '#f2b705',
  quarter_renovation: '#fd8d3c',
  greening: '#31a354',
  landscaping: '#006d2c',
};

/** Public projects by kind: lines for streets and lighting, areas for the others. */
export function projectStyle(feature) {
  const p = feature.getProperties();
  const colour = PROJECT_COLOURS[p.kind] || '#666';
  const type = feature.getGeometry().getType();
  if (type.includes('Line')) {
    return [
      new Style({ stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 6 }) }),
      new Style({
        stroke: new Stroke({ color: colour, width: 3.5, lineDash: p.kind === 'lighting' ? [2, 5] : [10, 4] }),
      }),
    ];
  }
  return new Style({
    fill: new Fill({ color: withAlpha(colour, p.kind === 'quarter_renovation' ? 0.3 : 0.45) }),
    stroke: new Stroke({ color: colour, width: 2, lineDash: p.kind === 'landscaping' ? [4, 3] : undefined }),
  });
}
