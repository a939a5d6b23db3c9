-- Measure 15: home accessibility retrofits (无障碍改造), one case per household.

-- 1. Attachments may belong to a retrofit case (and, for the care module, to a care
--    placement, so that its owner kind needs no second rebuild). SQLite cannot change a
--    CHECK in place: the table is copied out, dropped, created again and filled, as in
--    2026-11-29-000030_check_constraints (nothing refers to attachments).
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

-- 2. The code list of retrofit items, held as data (the province's rights department
--    maintains it).
CREATE TABLE retrofit_items (
    code TEXT PRIMARY KEY NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit TEXT NOT NULL,
    serves TEXT,
    active BOOLEAN NOT NULL,
    sort_order INTEGER NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK (serves IS NULL OR serves IN ('visual', 'hearing', 'speech', 'physical', 'intellectual', 'mental', 'multiple')),
    CHECK (version >= 1)
);
CREATE UNIQUE INDEX retrofit_items_name ON retrofit_items (name_zh);
INSERT INTO retrofit_items (code, name_zh, name_en, unit, serves, active, sort_order, version, created_at, created_by, updated_at, updated_by) VALUES
    ('ramp', '坡道或地面平整', 'Ramp or levelling', '处', 'physical', TRUE, 10, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration'),
    ('threshold_door', '门槛去除或门加宽', 'Threshold removal or door widening', '处', 'physical', TRUE, 20, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration'),
    ('grab_bars', '扶手', 'Grab bars', '套', 'physical', TRUE, 30, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration'),
    ('sitting_toilet', '蹲便改坐便', 'Squat toilet to sitting toilet', '套', 'physical', TRUE, 40, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration'),
    ('shower_seat', '淋浴椅', 'Shower seat', '个', 'physical', TRUE, 50, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration'),
    ('lowered_kitchen', '灶台、橱柜降低', 'Lowered stove and cabinets', '套', 'physical', TRUE, 60, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration'),
    ('non_slip_floor', '地面防滑', 'Non-slip floor', '平方米', NULL, TRUE, 70, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration'),
    ('visual_alarm', '可视门铃或闪光报警器', 'Visual doorbell or flashing alarm', '套', 'hearing', TRUE, 80, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration'),
    ('audible_gas_alarm', '语音燃气报警器', 'Audible gas alarm', '个', 'visual', TRUE, 90, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration'),
    ('guard_rails', '防护栏', 'Guard rails', '处', 'intellectual', TRUE, 100, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration'),
    ('other', '其他', 'Other', '项', NULL, TRUE, 1000, 1, '2026-11-29 00:00:00', 'migration', '2026-11-29 00:00:00', 'migration');

-- 3. The most spent on one household in a programme year, held as data; a plan above it
--    is warned against, not refused.
CREATE TABLE retrofit_caps (
    year INTEGER PRIMARY KEY NOT NULL,
    cap_fen BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK (year BETWEEN 2000 AND 2100),
    CHECK (cap_fen BETWEEN 0 AND 100000000),
    CHECK (version >= 1)
);
INSERT INTO retrofit_caps (year, cap_fen, version, updated_at, updated_by) VALUES
    (2019, 500000, 1, '2026-11-29 00:00:00', 'migration'),
    (2020, 500000, 1, '2026-11-29 00:00:00', 'migration'),
    (2021, 500000, 1, '2026-11-29 00:00:00', 'migration'),
    (2022, 500000, 1, '2026-11-29 00:00:00', 'migration'),
    (2023, 500000, 1, '2026-11-29 00:00:00', 'migration'),
    (2024, 500000, 1, '2026-11-29 00:00:00', 'migration'),
    (2025, 500000, 1, '2026-11-29 00:00:00', 'migration'),
    (2026, 500000, 1, '2026-11-29 00:00:00', 'migration'),
    (2027, 500000, 1, '2026-11-29 00:00:00', 'migration');

-- 4. A case per household. household_key is 'h:<county>:<household number>', or
--    'p:<person id>' for a person without a household number (a household of one).
CREATE TABLE retrofit_cases (
    id TEXT PRIMARY KEY NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    household_key TEXT NOT NULL,
    village_code TEXT,
    year INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_since TIMESTAMP NOT NULL,
    source TEXT NOT NULL,
    identified_on DATE NOT NULL,
    linked_programme TEXT NOT NULL,
    address TEXT,
    note TEXT,
    relocated_from TEXT REFERENCES retrofit_cases (id),
    registered_poor BOOLEAN,
    severe BOOLEAN,
    need_verified BOOLEAN,
    willing BOOLEAN,
    housing_suitable BOOLEAN,
    visited_on DATE,
    visitors TEXT,
    visit_note TEXT,
    plan_total_fen BIGINT NOT NULL,
    plan_drafted_by TEXT,
    plan_approved_by TEXT,
    plan_approved_on DATE,
    contractor TEXT,
    started_on DATE,
    started_at TIMESTAMP,
    completed_on DATE,
    actual_total_fen BIGINT,
    acceptance_rounds INTEGER NOT NULL,
    first_pass BOOLEAN,
    accepted_on DATE,
    signature_id TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (status IN ('identified', 'verified', 'plan_drafted', 'plan_approved', 'in_construction', 'completed', 'accepted', 'archived', 'not_eligible', 'declined', 'referred', 'relocated')),
    CHECK (source IN ('survey', 'home_visit', 'application', 'referral')),
    CHECK (linked_programme IN ('none', 'dilapidated_housing', 'relocation')),
    CHECK (year BETWEEN 2000 AND 2100),
    CHECK (plan_total_fen >= 0),
    CHECK (actual_total_fen IS NULL OR actual_total_fen >= 0),
    CHECK (acceptance_rounds >= 0),
    CHECK (version >= 1)
);
CREATE INDEX retrofit_cases_county ON retrofit_cases (county_code, status, id);
CREATE INDEX retrofit_cases_city ON retrofit_cases (city_code, id);
CREATE INDEX retrofit_cases_year ON retrofit_cases (year, county_code);
CREATE INDEX retrofit_cases_household ON retrofit_cases (household_key);

CREATE TABLE retrofit_case_members (
    case_id TEXT NOT NULL REFERENCES retrofit_cases (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    position INTEGER NOT NULL,
    added_at TIMESTAMP NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX retrofit_case_members_person ON retrofit_case_members (person_id);

CREATE TABLE retrofit_plan_items (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES retrofit_cases (id),
    position INTEGER NOT NULL,
    item_code TEXT NOT NULL REFERENCES retrofit_items (code),
    location TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_cost_fen BIGINT NOT NULL,
    line_total_fen BIGINT NOT NULL,
    note TEXT,
    actual_cost_fen BIGINT,
    result TEXT,
    CHECK (quantity BETWEEN 1 AND 100),
    CHECK (unit_cost_fen BETWEEN 0 AND 10000000),
    CHECK (line_total_fen = quantity * unit_cost_fen),
    CHECK (actual_cost_fen IS NULL OR actual_cost_fen BETWEEN 0 AND 1000000000),
    CHECK (result IS NULL OR result IN ('done', 'partial', 'missing'))
);
CREATE INDEX retrofit_plan_items_case ON retrofit_plan_items (case_id, position);

-- Every acceptance inspection (a failed one sends the case back to construction).
CREATE TABLE retrofit_acceptances (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES retrofit_cases (id),
    round INTEGER NOT NULL,
    accepted_on DATE NOT NULL,
    team TEXT NOT NULL,
    passed BOOLEAN NOT NULL,
    satisfaction TEXT,
    signature_id TEXT,
    note TEXT,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (round >= 1),
    CHECK (satisfaction IS NULL OR satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    UNIQUE (case_id, round)
);

CREATE TABLE retrofit_acceptance_items (
    acceptance_id TEXT NOT NULL REFERENCES retrofit_acceptances (id),
    plan_item_id TEXT NOT NULL REFERENCES retrofit_plan_items (id),
    result TEXT NOT NULL,
    PRIMARY KEY (acceptance_id, plan_item_id),
    CHECK (result IN ('done', 'partial', 'missing'))
);

-- The before and after photos an accepted case relies on. A photo proves one case only
-- (the key), and may not be deleted while it is listed here.
CREATE TABLE retrofit_case_photos (
    attachment_id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES retrofit_cases (id),
    side TEXT NOT NULL,
    CHECK (side IN ('before', 'after'))
);
CREATE INDEX retrofit_case_photos_case ON retrofit_case_photos (case_id);

CREATE TABLE retrofit_case_events (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES retrofit_cases (id),
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    actor_unit TEXT NOT NULL,
    action TEXT,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT,
    CHECK (action IS NULL OR action IN ('verify', 'draft_plan', 'approve_plan', 'start', 'complete', 'accept', 'archive', 'reject', 'decline', 'refer_housing', 'relocate', 'edit_plan', 'add_members')),
    CHECK (from_status IS NULL OR from_status IN ('identified', 'verified', 'plan_drafted', 'plan_approved', 'in_construction', 'completed', 'accepted', 'archived', 'not_eligible', 'declined', 'referred', 'relocated')),
    CHECK (to_status IN ('identified', 'verified', 'plan_drafted', 'plan_approved', 'in_construction', 'completed', 'accepted', 'archived', 'not_eligible', 'declined', 'referred', 'relocated'))
);
CREATE INDEX retrofit_case_events_case ON retrofit_case_events (case_id);
