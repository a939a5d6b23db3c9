-- The change feed phones sync from (docs/SYNC.md). One row per record changed by a
-- transaction and per county it was in before or after the change, so that a county
-- whose person moved away learns to forget them. `position` is the writing
-- transaction's id on PostgreSQL (pg_current_xact_id) and a counter on SQLite, whose
-- writes are serialised; the feed reads only positions below the oldest transaction
-- still running, so a transaction that commits late is never skipped.
CREATE TABLE sync_changes (
    entity TEXT NOT NULL,
    position BIGINT NOT NULL,
    entity_id TEXT NOT NULL,
    county_code TEXT NOT NULL,
    PRIMARY KEY (entity, county_code, position, entity_id),
    CHECK (entity IN ('person')),
    CHECK (position >= 0)
);
-- The feed of a city or the province, in feed order.
CREATE INDEX sync_changes_order ON sync_changes (entity, position, entity_id);

-- Every person there is now, at the start of the feed.
INSERT INTO sync_changes (entity, position, entity_id, county_code)
SELECT 'person', 0, id, county_code FROM persons;
