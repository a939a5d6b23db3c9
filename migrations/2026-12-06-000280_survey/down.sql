DROP TABLE household_plan_measures;
DROP TABLE household_plans;
DROP TABLE survey_policies;
DROP TABLE survey_checks;
DROP TABLE surveys;
DROP TABLE survey_round_units;
DROP TABLE survey_rounds;
DELETE FROM attachments WHERE owner_type = 'survey';
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
