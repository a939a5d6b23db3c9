-- Measure 4 and attachment 1: cadres paired with registered-poor disabled households,
-- and their visits (the "two no-worries, three guarantees" checks, the policies that
-- reached the household, the help given).

-- A cadre (a user, with the unit and post they had when paired) and a household (a
-- registered-poor person of the registry and their household number), from / to. The
-- household's county keeps it.
CREATE TABLE pairings (
    id TEXT PRIMARY KEY NOT NULL,
    cadre_id TEXT NOT NULL REFERENCES users (id),
    cadre_unit TEXT NOT NULL,
    cadre_post TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    household_number TEXT,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    from_on DATE NOT NULL,
    to_on DATE,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (to_on IS NULL OR to_on >= from_on),
    CHECK (version >= 1)
);
CREATE INDEX pairings_county ON pairings (county_code, id);
CREATE INDEX pairings_city ON pairings (city_code, id);
CREATE INDEX pairings_cadre ON pairings (cadre_id);
CREATE INDEX pairings_person ON pairings (person_id);

-- A visit of a pairing, recorded by the cadre (often later, from a phone that had no
-- signal: the client chooses the id).
CREATE TABLE visits (
    id TEXT PRIMARY KEY NOT NULL,
    pairing_id TEXT NOT NULL REFERENCES pairings (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    visited_on DATE NOT NULL,
    mode TEXT NOT NULL,
    help_given TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (mode IN ('in_person', 'phone')),
    CHECK (version >= 1)
);
CREATE INDEX visits_pairing ON visits (pairing_id, visited_on);
CREATE INDEX visits_county ON visits (county_code, visited_on);
CREATE INDEX visits_city ON visits (city_code, visited_on);

-- The six checks of a visit; a problem names the rectification item it opened (at most
-- one per visit and check, so a re-sent or edited visit never opens a second).
CREATE TABLE visit_checks (
    visit_id TEXT NOT NULL REFERENCES visits (id),
    item TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT,
    rectification_id TEXT,
    PRIMARY KEY (visit_id, item),
    CHECK (item IN ('food', 'clothing', 'education', 'medical', 'housing', 'drinking_water')),
    CHECK (result IN ('ok', 'problem'))
);

-- The policies that reached the household, as found on a visit.
CREATE TABLE visit_policies (
    visit_id TEXT NOT NULL REFERENCES visits (id),
    policy TEXT NOT NULL,
    PRIMARY KEY (visit_id, policy),
    CHECK (policy IN ('living_subsidy', 'nursing_subsidy', 'subsistence_allowance', 'medical_insurance', 'pension_insurance', 'rehab', 'device', 'retrofit', 'care'))
);

-- Photos of a visit are attachments of owner kind `visit`. SQLite cannot change a CHECK
-- in place: the table is copied out, dropped, created again and filled, as in
-- 2026-11-29-000100_retrofits (nothing refers to attachments).
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
    CHECK (owner_type IN ('person', 'rehab_need', 'retrofit_case', 'care_placement', 'visit')),
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
