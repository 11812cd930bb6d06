-- The 腾笼换鸟 workflow (PostgreSQL + PostGIS): land-efficiency grades and reallocation cases.

-- 亩均效益 grades, recomputed from the figures and config/grading.toml whenever either
-- changes; the grade is also written on each of the firm's parcels.
ALTER TABLE enterprises ADD COLUMN zone TEXT;             -- zone holding most of its land
ALTER TABLE enterprises ADD COLUMN land_mu DOUBLE PRECISION;          -- geodesic area of its parcels, mu
ALTER TABLE enterprises ADD COLUMN tax_per_mu DOUBLE PRECISION;       -- 万元 per mu
ALTER TABLE enterprises ADD COLUMN output_per_mu DOUBLE PRECISION;    -- 万元 per mu
ALTER TABLE enterprises ADD COLUMN score DOUBLE PRECISION;            -- 100 = the zone benchmark
ALTER TABLE enterprises ADD COLUMN grade TEXT;            -- A, B, C, D; NULL when ungraded
ALTER TABLE enterprises ADD COLUMN ungraded_reason TEXT;  -- why a firm has no grade
ALTER TABLE parcels ADD COLUMN grade TEXT;                -- owner's grade, 'ungraded', or NULL

-- Reallocation cases (收储, 搬迁, 再开发, 存量扩能). The geometry is that of the parcels
-- involved; stage changes go through the state machine and the event log.
CREATE TABLE reallocations (
    id                 BIGSERIAL PRIMARY KEY,
    code               TEXT NOT NULL,           -- RC-00001
    kind               TEXT,                    -- reserve, relocation, redevelopment, expansion
    stage              TEXT,                    -- proposed … completed, rejected, cancelled
    version            BIGINT,                 -- +1 on every change (If-Match)
    zone               TEXT,
    enterprise         TEXT,                    -- the firm relocating or expanding
    planned_use        TEXT,                    -- land-use code supplied for (redevelopment)
    acquisition        TEXT,                    -- recovery 收回, purchase 收购, expropriation 征收
    planned_output_wan DOUBLE PRECISION,                    -- planned new output value (expansion), 万元
    parcels            TEXT,                    -- parcel codes, comma-separated
    opened_at          TEXT,
    stage_since        TEXT,
    area_m2            DOUBLE PRECISION,
    perimeter_m        DOUBLE PRECISION,
    length_m           DOUBLE PRECISION,
    attributes         JSONB NOT NULL DEFAULT '{}'::jsonb, -- parcel roles and statuses at opening
    geometry           geometry(Geometry, 4326) NOT NULL,
    import_id          BIGINT REFERENCES imports(id),
    updated_at         TEXT NOT NULL,
    CONSTRAINT reallocations_code_unique UNIQUE (code)
);
CREATE INDEX reallocations_stage ON reallocations (stage);
CREATE INDEX reallocations_geometry ON reallocations USING gist (geometry);
