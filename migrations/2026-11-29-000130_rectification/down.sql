DROP TABLE rectification_events;
DROP TABLE rectification_items;

DELETE FROM attachments WHERE owner_type IN ('rectification_item', 'visit', 'inspection', 'petition');
CREATE TABLE migrate_attachments AS SELECT * FROM attachments;
DROP TABLE attachments;
CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    owner_type TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    county_code TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    upload_sha256 TEXT NOT NULL,
    create_hash TEXT,
    taken_at TIMESTAMP,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    bytes BYTEA,
    thumbnail BYTEA,
    width INTEGER,
    height INTEGER,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    deleted_at TIMESTAMP,
    deleted_by TEXT REFERENCES users (id),
    CHECK (owner_type IN ('person', 'rehab_need', 'retrofit_case', 'care_placement')),
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
