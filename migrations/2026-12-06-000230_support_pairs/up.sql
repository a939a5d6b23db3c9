-- Issue 14, measure 16 (携手奔小康): pairings of supporting DPFs (cities and counties of
-- Hunan, or one outside the province by name) with the deeply poor counties or a
-- prefecture, kept by the poverty office; and the support given under each.

CREATE TABLE support_pairs (
    id TEXT PRIMARY KEY NOT NULL,
    supporter_code TEXT REFERENCES org_units (code),
    supporter_name TEXT,
    supported_code TEXT NOT NULL REFERENCES org_units (code),
    from_year INTEGER NOT NULL,
    to_year INTEGER,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK ((supporter_code IS NULL) <> (supporter_name IS NULL)),
    CHECK (to_year IS NULL OR to_year >= from_year),
    CHECK (version >= 1)
);
CREATE INDEX support_pairs_supported ON support_pairs (supported_code);
CREATE INDEX support_pairs_supporter ON support_pairs (supporter_code);

CREATE TABLE support_entries (
    id TEXT PRIMARY KEY NOT NULL,
    pair_id TEXT NOT NULL REFERENCES support_pairs (id),
    on_day DATE NOT NULL,
    kind TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    description TEXT NOT NULL,
    create_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    CHECK (kind IN ('money', 'goods', 'project', 'visit')),
    CHECK (amount_fen >= 0)
);
CREATE INDEX support_entries_pair ON support_entries (pair_id, on_day);

-- Measure 16's figure: the value of the support a unit received, computed.
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('paired_support_fen', 2020, 16, '结对帮扶资金物资（分）', 'Paired support received (fen)', 'sum_fen', 'computed', 'sum', 'year', 'support.received_fen', 75, 1, '2020-02-27 00:00:00', 'seed');
