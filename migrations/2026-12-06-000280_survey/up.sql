-- Issue 13, measure 7: the survey of those not yet out of poverty (摸底排查). A round
-- (its period, area and assigned counties), one survey per person per round with the six
-- checks and the policies that reach the person, and one plan per household (一户一策).
-- A check marked problem opens a rectification item (source self_check), whose id the
-- check keeps.

-- 1. Attachments may belong to a survey (its photos). SQLite cannot change a CHECK in
--    place: the table is copied out, dropped, created again and filled, as in
--    2026-11-29-000130_rectification (nothing refers to attachments).
CREATE TABLE migrate_attachments AS SELECT * FROM attachments;
DROP TABLE attachments;
CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    owner_type TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    -- The owner's county at upload; reads check the owner's own scope again.
    county_code TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    -- Hex SHA-256 of the stored bytes, and of the bytes as uploaded.
    sha256 TEXT NOT NULL,
    upload_sha256 TEXT NOT NULL,
    -- Keyed digest of the upload (record.rs): a retry with the same id is recognised.
    create_hash TEXT,
    taken_at TIMESTAMP,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    -- NULL once deleted (the tombstone keeps the metadata, not the picture), or when
    -- another store holds the bytes.
    bytes BYTEA,
    thumbnail BYTEA,
    width INTEGER,
    height INTEGER,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    deleted_at TIMESTAMP,
    deleted_by TEXT REFERENCES users (id),
    CHECK (owner_type IN ('person', 'rehab_need', 'retrofit_case', 'care_placement', 'rectification_item', 'visit', 'inspection', 'petition', 'survey')),
    CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    CHECK (size_bytes > 0),
    CHECK (LENGTH(sha256) = 64 AND LENGTH(upload_sha256) = 64),
    CHECK (latitude BETWEEN -90 AND 90),
    CHECK (longitude BETWEEN -180 AND 180),
    CHECK ((latitude IS NULL) = (longitude IS NULL)),
    CHECK (width > 0 AND height > 0),
    CHECK ((width IS NULL) = (height IS NULL)),
    CHECK ((deleted_at IS NULL) = (deleted_by IS NULL))
);
CREATE INDEX attachments_owner ON attachments (owner_type, owner_id, created_at);
INSERT INTO attachments SELECT * FROM migrate_attachments;
DROP TABLE migrate_attachments;

-- 2. Rounds. `area_code` is the province, a city or a county; the counties assigned to
--    survey are listed in survey_round_units (every county of the area when none was
--    named).
CREATE TABLE survey_rounds (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    from_on DATE NOT NULL,
    to_on DATE NOT NULL,
    area_code TEXT NOT NULL REFERENCES org_units (code),
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (to_on >= from_on),
    CHECK (LENGTH(area_code) IN (2, 4, 6)),
    CHECK (version >= 1)
);
CREATE INDEX survey_rounds_from ON survey_rounds (from_on, id);

CREATE TABLE survey_round_units (
    round_id TEXT NOT NULL REFERENCES survey_rounds (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    PRIMARY KEY (round_id, county_code),
    CHECK (LENGTH(county_code) = 6)
);

-- 3. Surveys: one per person per round, kept by the person's county.
CREATE TABLE surveys (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES survey_rounds (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    surveyed_on DATE NOT NULL,
    note TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    UNIQUE (round_id, person_id),
    CHECK (version >= 1)
);
CREATE INDEX surveys_round_county ON surveys (round_id, county_code, person_id);
CREATE INDEX surveys_person ON surveys (person_id);

CREATE TABLE survey_checks (
    survey_id TEXT NOT NULL REFERENCES surveys (id),
    item TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT,
    rectification_id TEXT,
    PRIMARY KEY (survey_id, item),
    CHECK (item IN ('food', 'clothing', 'education', 'medical', 'housing', 'drinking_water')),
    CHECK (result IN ('ok', 'problem')),
    CHECK (result = 'ok' OR (note IS NOT NULL AND rectification_id IS NOT NULL))
);
CREATE INDEX survey_checks_rectification ON survey_checks (rectification_id);

CREATE TABLE survey_policies (
    survey_id TEXT NOT NULL REFERENCES surveys (id),
    policy TEXT NOT NULL,
    PRIMARY KEY (survey_id, policy),
    CHECK (policy IN ('living_subsidy', 'nursing_subsidy', 'subsistence_allowance', 'medical_insurance', 'pension_insurance', 'rehab', 'device', 'retrofit', 'care'))
);

-- 4. One plan per household: `household_key` is the county and the registry's household
--    number, or the person when the registry has none.
CREATE TABLE household_plans (
    id TEXT PRIMARY KEY NOT NULL,
    household_key TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL REFERENCES persons (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    note TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK (version >= 1)
);
CREATE INDEX household_plans_county ON household_plans (county_code);

CREATE TABLE household_plan_measures (
    plan_id TEXT NOT NULL REFERENCES household_plans (id),
    seq INTEGER NOT NULL,
    measure TEXT NOT NULL,
    responsible_unit TEXT NOT NULL,
    due_on DATE NOT NULL,
    done_on DATE,
    PRIMARY KEY (plan_id, seq),
    CHECK (seq >= 0)
);
