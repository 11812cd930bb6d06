-- landreuse foundation schema (PostgreSQL + PostGIS). The same tables as the SQLite
-- schema, with geometry in PostGIS columns (SRID 4326, lon/lat) under GiST indexes so
-- QGIS and ogr2ogr can read the tables directly. Applied once; never edited after release.

CREATE EXTENSION IF NOT EXISTS postgis;

-- Every import run, from the CLI or POST /imports.
CREATE TABLE imports (
    id            BIGSERIAL PRIMARY KEY,
    started_at    TEXT NOT NULL,              -- RFC 3339, UTC
    finished_at   TEXT,                       -- set on commit
    actor         TEXT NOT NULL,              -- token name (or the CLI user)
    source        TEXT NOT NULL,              -- file name or "upload"
    collection    TEXT NOT NULL,              -- parcels, zones or roads
    source_crs    TEXT NOT NULL,              -- CRS the coordinates arrived in
    inserted      BIGINT NOT NULL DEFAULT 0,
    updated       BIGINT NOT NULL DEFAULT 0,
    rejected      BIGINT NOT NULL DEFAULT 0,  -- only with --skip-invalid
    total_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0
);

-- Enterprises (企业) that own or use land.
CREATE TABLE enterprises (
    id               BIGSERIAL PRIMARY KEY,
    name             TEXT NOT NULL,           -- registered Chinese name
    name_en          TEXT,
    industry_chain   TEXT,
    above_scale      BOOLEAN,                 -- 规上
    output_value_wan DOUBLE PRECISION,        -- annual output value, 万元
    tax_wan          DOUBLE PRECISION,        -- annual tax, 万元
    employees        BIGINT,
    founded_year     BIGINT,
    attributes       JSONB NOT NULL DEFAULT '{}'::jsonb,
    updated_at       TEXT NOT NULL,
    CONSTRAINT enterprises_name_unique UNIQUE (name)
);

-- Zones (南部建成区, 北区, 兴隆综合保税区) and sub-districts (街道).
CREATE TABLE zones (
    id          BIGSERIAL PRIMARY KEY,        -- serving order
    code        TEXT NOT NULL,                -- feature id
    name        TEXT,
    name_en     TEXT,
    kind        TEXT,                         -- zone or subdistrict
    parent      TEXT,
    area_m2     DOUBLE PRECISION,             -- geodesic, on the ellipsoid
    perimeter_m DOUBLE PRECISION,
    length_m    DOUBLE PRECISION,
    attributes  JSONB NOT NULL DEFAULT '{}'::jsonb,
    geometry    geometry(Geometry, 4326) NOT NULL,
    import_id   BIGINT REFERENCES imports(id),
    updated_at  TEXT NOT NULL,
    CONSTRAINT zones_code_unique UNIQUE (code)
);
CREATE INDEX zones_geometry ON zones USING gist (geometry);

-- The named road network.
CREATE TABLE roads (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT,
    name_en     TEXT,
    class       TEXT,                         -- expressway, arterial, secondary, branch
    area_m2     DOUBLE PRECISION,
    perimeter_m DOUBLE PRECISION,
    length_m    DOUBLE PRECISION,             -- geodesic length
    attributes  JSONB NOT NULL DEFAULT '{}'::jsonb,
    geometry    geometry(Geometry, 4326) NOT NULL,
    import_id   BIGINT REFERENCES imports(id),
    updated_at  TEXT NOT NULL,
    CONSTRAINT roads_code_unique UNIQUE (code)
);
CREATE INDEX roads_geometry ON roads USING gist (geometry);

-- Land parcels (宗地).
CREATE TABLE parcels (
    id               BIGSERIAL PRIMARY KEY,
    code             TEXT NOT NULL,           -- parcel code (宗地代码 ZDDM or ours)
    zone             TEXT,                    -- south, north or bonded
    subdistrict      TEXT,
    land_use         TEXT,                    -- GB 50137 / GB/T 21010 code
    status           TEXT,                    -- active, idle, zombie, …
    owner            TEXT,                    -- owner enterprise name as surveyed
    enterprise_id    BIGINT REFERENCES enterprises(id),
    output_value_wan DOUBLE PRECISION,
    tax_wan          DOUBLE PRECISION,
    area_m2          DOUBLE PRECISION,
    perimeter_m      DOUBLE PRECISION,
    length_m         DOUBLE PRECISION,
    attributes       JSONB NOT NULL DEFAULT '{}'::jsonb,
    geometry         geometry(Geometry, 4326) NOT NULL,
    import_id        BIGINT REFERENCES imports(id),
    updated_at       TEXT NOT NULL,
    CONSTRAINT parcels_code_unique UNIQUE (code)
);
CREATE INDEX parcels_geometry ON parcels USING gist (geometry);
CREATE INDEX parcels_enterprise ON parcels (enterprise_id);

-- The append-only event log. Writers take an advisory lock before appending, so ids
-- are assigned in commit order and a follower never skips an event committed late.
CREATE TABLE events (
    id           BIGSERIAL PRIMARY KEY,
    occurred_at  TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,               -- feature.created, feature.updated, import.completed, …
    collection   TEXT,
    feature_code TEXT,
    import_id    BIGINT REFERENCES imports(id),
    reason       TEXT,
    before       JSONB,                       -- state before the change (NULL on create)
    after        JSONB                        -- state after the change
);
CREATE INDEX events_feature ON events (collection, feature_code);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only';
END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

-- Bearer tokens of people who write. Only the SHA-256 of the token is kept.
CREATE TABLE tokens (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,                 -- viewer, planner, gis or admin
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    CONSTRAINT tokens_name_unique UNIQUE (name),
    CONSTRAINT tokens_hash_unique UNIQUE (token_hash)
);
