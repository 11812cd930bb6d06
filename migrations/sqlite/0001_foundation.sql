-- landreuse foundation schema (SQLite). Applied once; never edited after release:
-- later changes go in new numbered files.

-- Every import run, from the CLI or POST /imports.
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,              -- RFC 3339, UTC
    finished_at   TEXT,                       -- set on commit; NULL never survives a rollback
    actor         TEXT NOT NULL,              -- token name (or the CLI user) that ran it
    source        TEXT NOT NULL,              -- file name or "upload"
    collection    TEXT NOT NULL,              -- parcels, zones or roads
    source_crs    TEXT NOT NULL,              -- CRS the coordinates arrived in
    inserted      INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    rejected      INTEGER NOT NULL DEFAULT 0, -- only with --skip-invalid
    total_area_m2 REAL NOT NULL DEFAULT 0     -- geodesic area of the written features
);

-- Enterprises (企业) that own or use land.
CREATE TABLE enterprises (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,           -- registered Chinese name, unique
    name_en          TEXT,
    industry_chain   TEXT,                    -- automotive, new_materials, … or other
    above_scale      INTEGER,                 -- 规上: 1 above designated size, 0 below
    output_value_wan REAL,                    -- annual output value, 万元
    tax_wan          REAL,                    -- annual tax, 万元
    employees        INTEGER,
    founded_year     INTEGER,
    attributes       TEXT NOT NULL DEFAULT '{}', -- other facts as a JSON object
    updated_at       TEXT NOT NULL,
    CONSTRAINT enterprises_name_unique UNIQUE (name)
);

-- Zones (南部建成区, 北区, 兴隆综合保税区) and sub-districts (街道).
CREATE TABLE zones (
    id          INTEGER PRIMARY KEY,          -- serving order
    code        TEXT NOT NULL,                -- feature id: south, north, bonded, sd-…
    name        TEXT,
    name_en     TEXT,
    kind        TEXT,                         -- zone or subdistrict
    parent      TEXT,                         -- code of the enclosing zone
    area_m2     REAL,                         -- geodesic, on the ellipsoid
    perimeter_m REAL,
    length_m    REAL,
    attributes  TEXT NOT NULL DEFAULT '{}',   -- source fields without a column
    geometry    TEXT NOT NULL,                -- GeoJSON geometry in CRS84
    import_id   INTEGER REFERENCES imports(id),
    updated_at  TEXT NOT NULL,
    CONSTRAINT zones_code_unique UNIQUE (code)
);

-- The named road network.
CREATE TABLE roads (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT,
    name_en     TEXT,
    class       TEXT,                         -- expressway, arterial, secondary, branch
    area_m2     REAL,
    perimeter_m REAL,
    length_m    REAL,                         -- geodesic length
    attributes  TEXT NOT NULL DEFAULT '{}',
    geometry    TEXT NOT NULL,
    import_id   INTEGER REFERENCES imports(id),
    updated_at  TEXT NOT NULL,
    CONSTRAINT roads_code_unique UNIQUE (code)
);

-- Land parcels (宗地).
CREATE TABLE parcels (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL,           -- parcel code (宗地代码 ZDDM or ours)
    zone             TEXT,                    -- south, north or bonded
    subdistrict      TEXT,
    land_use         TEXT,                    -- GB 50137 / GB/T 21010 code
    status           TEXT,                    -- active, idle, zombie, …
    owner            TEXT,                    -- owner enterprise name as surveyed
    enterprise_id    INTEGER REFERENCES enterprises(id),
    output_value_wan REAL,
    tax_wan          REAL,
    area_m2          REAL,
    perimeter_m      REAL,
    length_m         REAL,
    attributes       TEXT NOT NULL DEFAULT '{}',
    geometry         TEXT NOT NULL,
    import_id        INTEGER REFERENCES imports(id),
    updated_at       TEXT NOT NULL,
    CONSTRAINT parcels_code_unique UNIQUE (code)
);
CREATE INDEX parcels_enterprise ON parcels (enterprise_id);

-- The append-only event log: every change of a land record, with who, when and why.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: followers resume from it
    occurred_at  TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,               -- feature.created, feature.updated, import.completed, …
    collection   TEXT,
    feature_code TEXT,
    import_id    INTEGER REFERENCES imports(id),
    reason       TEXT,
    before       TEXT,                        -- JSON state before the change (NULL on create)
    after        TEXT                         -- JSON state after the change
);
CREATE INDEX events_feature ON events (collection, feature_code);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

-- Bearer tokens of people who write. Only the SHA-256 of the token is kept.
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,                 -- the actor recorded in events
    role       TEXT NOT NULL,                 -- viewer, planner, gis or admin
    token_hash TEXT NOT NULL,                 -- hex SHA-256 of the secret
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    CONSTRAINT tokens_name_unique UNIQUE (name),
    CONSTRAINT tokens_hash_unique UNIQUE (token_hash)
);
