-- Public projects (SQLite): schools and the renovation, greening, lighting and
-- landscaping projects, tracked against the programme's targets.

-- Schools, existing and new (学校).
CREATE TABLE schools (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL,           -- project id (SCH-01, PRJ-07 …)
    name             TEXT,
    name_en          TEXT,
    kind             TEXT,  -- new, expansion, existing
    level            TEXT,  -- primary, middle, nine_year
    classes          INTEGER,
    seats            INTEGER,
    investment_wan   REAL,  -- 万元
    status           TEXT,  -- planned, under_construction, completed
    start_date       TEXT,
    completion_date  TEXT,
    percent_complete REAL,  -- 0–100
    budget_wan       REAL,  -- 万元
    parcels          TEXT,  -- parcel codes, comma-separated
    area_m2          REAL,
    perimeter_m      REAL,
    length_m         REAL,
    attributes       TEXT NOT NULL DEFAULT '{}',
    geometry         TEXT NOT NULL,
    import_id        INTEGER REFERENCES imports(id),
    updated_at       TEXT NOT NULL,
    CONSTRAINT schools_code_unique UNIQUE (code)
);

-- Street and quarter renovation, greening, lighting, landscaping (lines or areas).
CREATE TABLE projects (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL,           -- project id (SCH-01, PRJ-07 …)
    name             TEXT,
    name_en          TEXT,
    kind             TEXT,  -- street_renovation, quarter_renovation, greening, lighting, landscaping
    status           TEXT,  -- planned, under_construction, completed
    start_date       TEXT,
    completion_date  TEXT,
    percent_complete REAL,  -- 0–100
    budget_wan       REAL,  -- 万元
    households       INTEGER,  -- renovated quarters
    road             TEXT,  -- the road of a street or lighting project
    parcels          TEXT,
    area_m2          REAL,
    perimeter_m      REAL,
    length_m         REAL,
    attributes       TEXT NOT NULL DEFAULT '{}',
    geometry         TEXT NOT NULL,
    import_id        INTEGER REFERENCES imports(id),
    updated_at       TEXT NOT NULL,
    CONSTRAINT projects_code_unique UNIQUE (code)
);
