-- Issue 12, ledger 5: rectification (问题清零, measure 6). One row per problem found (in
-- the 2019 assessment, an inspection, a cadre's visit, a petition, a self-check or by a
-- superior), the county that rectifies it, its deadline, its evidence, and the recheck and
-- close-out (销号) by another unit. Every other supervision ledger opens its problems here.

-- 1. Attachments may belong to a rectification item (its evidence). The CHECK also lists
--    the owner kinds of the other supervision ledgers (a cadre's visit, an inspection, a
--    petition), so that their photos need no second rebuild of this table. SQLite cannot
--    change a CHECK in place: the table is copied out, dropped, created again and filled,
--    as in 2026-11-29-000100_retrofits (nothing refers to attachments).
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
    CHECK (owner_type IN ('person', 'rehab_need', 'retrofit_case', 'care_placement', 'rectification_item', 'visit', 'inspection', 'petition')),
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

-- 2. The items. The responsible unit is the county (county_code); `deadline` is the
--    current one (a long-term item has a new one), `original_deadline` the first.
CREATE TABLE rectification_items (
    id TEXT PRIMARY KEY NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    source TEXT NOT NULL,
    -- The record of the ledger that found the problem (a visit, an inspection, a petition).
    source_id TEXT,
    source_ref TEXT,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    person_id TEXT REFERENCES persons (id),
    household TEXT,
    measure INTEGER,
    responsible_person TEXT,
    found_on DATE NOT NULL,
    deadline DATE NOT NULL,
    original_deadline DATE NOT NULL,
    status TEXT NOT NULL,
    status_since TIMESTAMP NOT NULL,
    long_term_plan TEXT,
    rectification_note TEXT,
    submitted_at TIMESTAMP,
    submitted_by TEXT,
    submitted_unit TEXT,
    recheck_note TEXT,
    rechecked_at TIMESTAMP,
    rechecked_by TEXT,
    rechecked_unit TEXT,
    closed_at TIMESTAMP,
    closed_by TEXT,
    closed_unit TEXT,
    duplicate_of TEXT REFERENCES rectification_items (id),
    reopen_count INTEGER NOT NULL,
    recheck_failures INTEGER NOT NULL,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (source IN ('assessment_2019', 'inspection', 'visit', 'petition', 'self_check', 'superior')),
    CHECK (category IN ('responsibility', 'policy', 'work', 'identification', 'assistance', 'exit', 'food_clothing', 'education', 'medical', 'housing', 'drinking_water')),
    CHECK (status IN ('open', 'assigned', 'rectifying', 'submitted', 'rechecked', 'closed', 'long_term', 'duplicate')),
    CHECK (measure IS NULL OR measure BETWEEN 1 AND 99),
    CHECK (deadline >= found_on),
    CHECK (reopen_count >= 0),
    CHECK (recheck_failures >= 0),
    CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL)),
    CHECK (status <> 'long_term' OR long_term_plan IS NOT NULL),
    CHECK (duplicate_of IS NULL OR duplicate_of <> id),
    CHECK (version >= 1)
);
CREATE INDEX rectification_items_county ON rectification_items (county_code, status, deadline);
CREATE INDEX rectification_items_city ON rectification_items (city_code, id);
CREATE INDEX rectification_items_source ON rectification_items (source, source_id);

CREATE TABLE rectification_events (
    id TEXT PRIMARY KEY NOT NULL,
    item_id TEXT NOT NULL REFERENCES rectification_items (id),
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    actor_unit TEXT NOT NULL,
    action TEXT,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT,
    CHECK (action IS NULL OR action IN ('assign', 'start', 'submit', 'recheck_pass', 'recheck_fail', 'close', 'long_term', 'merge', 'reopen')),
    CHECK (from_status IS NULL OR from_status IN ('open', 'assigned', 'rectifying', 'submitted', 'rechecked', 'closed', 'long_term', 'duplicate')),
    CHECK (to_status IN ('open', 'assigned', 'rectifying', 'submitted', 'rechecked', 'closed', 'long_term', 'duplicate'))
);
CREATE INDEX rectification_events_item ON rectification_events (item_id, at);
