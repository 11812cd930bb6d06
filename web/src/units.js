// Areas in m², hectares and mu (亩 = 10,000/15 m² ≈ 666.67 m²).

import { t, num } from './i18n.js';

export const M2_PER_MU = 10000 / 15;

/** {m2, ha, mu} of an area in m². */
export function measures(m2) {
  return { m2, ha: m2 / 10000, mu: m2 / M2_PER_MU };
}

/** "12,345.6 m² · 1.2346 ha · 18.518 mu" in the current language. */
export function areaText(m2, { compact = false } = {}) {
  if (m2 === null || m2 === undefined) return '—';
  const m = measures(m2);
  const parts = [
    `${num(m.m2, compact ? 0 : 1)} ${t('units.m2')}`,
    `${num(m.ha, compact ? 2 : 4)} ${t('units.ha')}`,
    `${num(m.mu, compact ? 1 : 3)} ${t('units.mu')}`,
  ];
  return parts.join(' · ');
}
