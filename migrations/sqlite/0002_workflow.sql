-- The 腾笼换鸟 workflow (SQLite): land-efficiency grades and reallocation cases.

-- 亩均效益 grades, recomputed from the figures and config/grading.toml whenever either
-- changes; the grade is also written on each of the firm's parcels.
ALTER TABLE enterprises ADD COLUMN zone TEXT;             -- zone holding most of its land
ALTER TABLE enterprises ADD COLUMN land_mu REAL;          -- geodesic area of its parcels, mu
ALTER TABLE enterprises ADD COLUMN tax_per_mu REAL;       -- 万元 per mu
ALTER TABLE enterprises ADD COLUMN output_per_mu REAL;    -- 万元 per mu
ALTER TABLE enterprises ADD COLUMN score REAL;            -- 100 = the zone benchmark
ALTER TABLE enterprises ADD COLUMN grade TEXT;            -- A, B, C, D; NULL when ungraded
ALTER TABLE enterprises ADD COLUMN ungraded_reason TEXT;  -- why a firm has no grade
ALTER TABLE parcels ADD COLUMN grade TEXT;                -- owner's grade, 'ungraded', or NULL

-- Reallocation cases (收储, 搬迁, 再开发, 存量扩能). The geometry is that of the parcels
-- involved; stage changes go through the state machine and the event log.
CREATE TABLE reallocations (
    id                 INTEGER PRIMARY KEY,
    code               TEXT NOT NULL,           -- RC-00001
    kind               TEXT,                    -- reserve, relocation, redevelopment, expansion
    stage              TEXT,                    -- proposed … completed, rejected, cancelled
    version            INTEGER,                 -- +1 on every change (If-Match)
    zone               TEXT,
    enterprise         TEXT,                    -- the firm relocating or expanding
    planned_use        TEXT,                    -- land-use code supplied for (redevelopment)
    acquisition        TEXT,                    -- recovery 收回, purchase 收购, expropriation 征收
    planned_output_wan REAL,                    -- planned new output value (expansion), 万元
    parcels            TEXT,                    -- parcel codes, comma-separated
    opened_at          TEXT,
    stage_since        TEXT,
    area_m2            REAL,
    perimeter_m        REAL,
    length_m           REAL,
    attributes         TEXT NOT NULL DEFAULT '{}', -- parcel roles and statuses at opening
    geometry           TEXT NOT NULL,
    import_id          INTEGER REFERENCES imports(id),
    updated_at         TEXT NOT NULL,
    CONSTRAINT reallocations_code_unique UNIQUE (code)
);
CREATE INDEX reallocations_stage ON reallocations (stage);
