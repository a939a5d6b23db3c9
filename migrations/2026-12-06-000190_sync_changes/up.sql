-- The change feed phones sync from (docs/SYNC.md). One row per record changed by a
-- transaction and per county it was in before or after the change, so that a county
-- whose person moved away learns to forget them; with the record's version and time
-- after the change (what a county that lost the record may know of it, and no more).
-- `position` is the writing transaction's id plus `sync_epoch.base` on PostgreSQL
-- (pg_current_xact_id) and a counter on SQLite, whose writes are serialised; the feed
-- reads only positions below the oldest transaction still running, so a transaction
-- that commits late is never skipped.
CREATE TABLE sync_changes (
    entity TEXT NOT NULL,
    position BIGINT NOT NULL,
    entity_id TEXT NOT NULL,
    county_code TEXT NOT NULL,
    version BIGINT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (entity, county_code, position, entity_id),
    CHECK (entity IN ('person')),
    CHECK (position >= 0),
    CHECK (version >= 1)
);
-- The feed of a city or the province, in feed order.
CREATE INDEX sync_changes_order ON sync_changes (entity, position, entity_id);

-- Which history the feed's positions belong to: a restore gives a new epoch (every
-- phone's cursor is refused and it syncs again from the start) and a base above every
-- position kept, so that positions keep growing in a database whose transaction ids
-- start again.
CREATE TABLE sync_epoch (
    id INTEGER PRIMARY KEY NOT NULL,
    epoch TEXT NOT NULL,
    base BIGINT NOT NULL,
    CHECK (id = 1),
    CHECK (base >= 0)
);
INSERT INTO sync_epoch (id, epoch, base) VALUES (1, 'first', 0);

-- Every person there is now, at the start of the feed.
INSERT INTO sync_changes (entity, position, entity_id, county_code, version, changed_at)
SELECT 'person', 0, id, county_code, version, updated_at FROM persons;
