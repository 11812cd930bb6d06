-- The land-reserve report's figures computed by PostGIS over the same 1M parcels:
-- summary by zone, candidates ranked with the same priority rule (corridor and node
-- distances geodesic), the reserve pool by zone, school coverage at both levels.
\timing on
SELECT zone, count(*) parcels, sum(area_m2) m2,
       count(*) FILTER (WHERE status = 'reserved') reserved, sum(area_m2) FILTER (WHERE status = 'reserved') reserved_m2,
       count(*) FILTER (WHERE status IN ('zombie', 'idle')) candidates, sum(area_m2) FILTER (WHERE status IN ('zombie', 'idle')) candidates_m2,
       array_agg(parcel_id) ids
FROM parcels_1m GROUP BY zone;
WITH c AS (
  SELECT parcel_id, zone, owner, land_use, status, area_m2, tax_wan, output_value_wan,
         ST_Centroid(geom)::geography g
  FROM parcels_1m WHERE status IN ('zombie', 'idle')),
corr AS (SELECT name, geom::geography g FROM roads WHERE name IN ('自由大路', '吉林大路', '世纪大街', '洋浦大街')),
nodes AS (SELECT ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography g
          FROM (VALUES (125.4030, 43.8555), (125.4096, 43.8827), (125.4300, 43.8669)) v(lon, lat)),
d AS (
  SELECT c.*, (SELECT min(ST_Distance(c.g, corr.g)) FROM corr) dc, (SELECT min(ST_Distance(c.g, nodes.g)) FROM nodes) dn
  FROM c)
SELECT parcel_id, zone, owner, land_use, status, area_m2, tax_wan / (area_m2 / 666.6667) tax_per_mu,
       round((100 * (0.4 * CASE status WHEN 'zombie' THEN 1.0 ELSE 0.8 END
              + 0.2 * LEAST(area_m2 / 666.6667 / 50, 1)
              + 0.3 * GREATEST(CASE WHEN dc <= 300 THEN 1 WHEN dc <= 600 THEN 0.5 ELSE 0 END,
                                CASE WHEN dn <= 800 THEN 1 WHEN dn <= 1600 THEN 0.5 ELSE 0 END)))::numeric, 1) score, dc, dn
FROM d ORDER BY score DESC, area_m2 DESC, parcel_id;
SELECT zone, count(*), sum(area_m2), array_agg(parcel_id) FROM parcels_1m WHERE status = 'reserved' GROUP BY zone;
SELECT 'primary' level, count(*), sum(area_m2) FROM parcels_1m p WHERE land_use = 'R2' AND NOT EXISTS (
  SELECT 1 FROM schools s WHERE s.status = 'completed' AND s.level IN ('primary', 'nine_year')
  AND ST_DWithin(p.geom::geography, s.geom::geography, 500));
SELECT 'middle' level, count(*), sum(area_m2) FROM parcels_1m p WHERE land_use = 'R2' AND NOT EXISTS (
  SELECT 1 FROM schools s WHERE s.status = 'completed' AND s.level IN ('middle', 'nine_year')
  AND ST_DWithin(p.geom::geography, s.geom::geography, 1000));
