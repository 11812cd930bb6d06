-- Public projects (PostgreSQL + PostGIS): schools and the renovation, greening, lighting and
-- landscaping projects, tracked against the programme's targets.

-- Schools, existing and new (学校).
CREATE TABLE schools (
    id               BIGSERIAL PRIMARY KEY,
    code             TEXT NOT NULL,           -- project id (SCH-01, PRJ-07 …)
    name             TEXT,
    name_en          TEXT,
    kind             TEXT,  -- new, expansion, existing
    level            TEXT,  -- primary, middle, nine_year
    classes          BIGINT,
    seats            BIGINT,
    investment_wan   DOUBLE PRECISION,  -- 万元
    status           TEXT,  -- planned, under_construction, completed
    start_date       TEXT,
    completion_date  TEXT,
    percent_complete DOUBLE PRECISION,  -- 0–100
    budget_wan       DOUBLE PRECISION,  -- 万元
    parcels          TEXT,  -- parcel codes, comma-separated
    area_m2          DOUBLE PRECISION,
    perimeter_m      DOUBLE PRECISION,
    length_m         DOUBLE PRECISION,
    attributes       JSONB NOT NULL DEFAULT '{}'::jsonb,
    geometry         geometry(Geometry, 4326) NOT NULL,
    import_id        BIGINT REFERENCES imports(id),
    updated_at       TEXT NOT NULL,
    CONSTRAINT schools_code_unique UNIQUE (code)
);
CREATE INDEX schools_geometry ON schools USING gist (geometry);

-- Street and quarter renovation, greening, lighting, landscaping (lines or areas).
CREATE TABLE projects (
    id               BIGSERIAL PRIMARY KEY,
    code             TEXT NOT NULL,           -- project id (SCH-01, PRJ-07 …)
    name             TEXT,
    name_en          TEXT,
    kind             TEXT,  -- street_renovation, quarter_renovation, greening, lighting, landscaping
    status           TEXT,  -- planned, under_construction, completed
    start_date       TEXT,
    completion_date  TEXT,
    percent_complete DOUBLE PRECISION,  -- 0–100
    budget_wan       DOUBLE PRECISION,  -- 万元
    households       BIGINT,  -- renovated quarters
    road             TEXT,  -- the road of a street or lighting project
    parcels          TEXT,
    area_m2          DOUBLE PRECISION,
    perimeter_m      DOUBLE PRECISION,
    length_m         DOUBLE PRECISION,
    attributes       JSONB NOT NULL DEFAULT '{}'::jsonb,
    geometry         geometry(Geometry, 4326) NOT NULL,
    import_id        BIGINT REFERENCES imports(id),
    updated_at       TEXT NOT NULL,
    CONSTRAINT projects_code_unique UNIQUE (code)
);
CREATE INDEX projects_geometry ON projects USING gist (geometry);
