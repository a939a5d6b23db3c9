-- Measures 20 and 22, attachments 2 and 3: stationed supervision (蹲点督战), unannounced
-- inspections (四不两直) and misconduct clues; and the days the daily work digest was
-- sent (so that several replicas send it once).

-- Which provincial leader is stationed in which county, from / to, with the provincial
-- departments tasked alongside. The poverty office keeps it.
CREATE TABLE stationings (
    id TEXT PRIMARY KEY NOT NULL,
    leader_id TEXT NOT NULL REFERENCES users (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    from_on DATE NOT NULL,
    to_on DATE,
    note TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK (to_on IS NULL OR to_on >= from_on),
    CHECK (version >= 1)
);
CREATE INDEX stationings_county ON stationings (county_code, from_on);
CREATE INDEX stationings_city ON stationings (city_code, from_on);

CREATE TABLE stationing_departments (
    stationing_id TEXT NOT NULL REFERENCES stationings (id),
    department_code TEXT NOT NULL REFERENCES org_units (code),
    PRIMARY KEY (stationing_id, department_code)
);

-- The stationing's log: what was done, day by day.
CREATE TABLE stationing_logs (
    id TEXT PRIMARY KEY NOT NULL,
    stationing_id TEXT NOT NULL REFERENCES stationings (id),
    on_day DATE NOT NULL,
    text TEXT NOT NULL,
    create_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX stationing_logs_stationing ON stationing_logs (stationing_id, on_day);

-- An unannounced inspection by a provincial department of a county. Planned ones are
-- seen only at the province; filing is final and opens the rectification items.
CREATE TABLE inspections (
    id TEXT PRIMARY KEY NOT NULL,
    status TEXT NOT NULL,
    department_code TEXT NOT NULL REFERENCES org_units (code),
    leader_id TEXT NOT NULL REFERENCES users (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    planned_on DATE,
    visited_on DATE,
    households_visited INTEGER NOT NULL,
    findings TEXT,
    filed_at TIMESTAMP,
    filed_by TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (status IN ('planned', 'filed')),
    CHECK (status = 'planned' OR (visited_on IS NOT NULL AND filed_at IS NOT NULL AND households_visited >= 1)),
    CHECK (households_visited >= 0 AND households_visited <= 100000),
    CHECK (version >= 1)
);
CREATE INDEX inspections_county ON inspections (county_code, status, visited_on);
CREATE INDEX inspections_city ON inspections (city_code, status, visited_on);
CREATE INDEX inspections_department ON inspections (department_code, visited_on);

CREATE TABLE inspection_villages (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    village_code TEXT NOT NULL REFERENCES villages (code),
    PRIMARY KEY (inspection_id, village_code)
);

-- The six checks; a problem names the rectification item filing opened.
CREATE TABLE inspection_checks (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    item TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT,
    rectification_id TEXT,
    PRIMARY KEY (inspection_id, item),
    CHECK (item IN ('food', 'clothing', 'education', 'medical', 'housing', 'drinking_water')),
    CHECK (result IN ('ok', 'problem'))
);

CREATE TABLE inspection_policies (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    policy TEXT NOT NULL,
    PRIMARY KEY (inspection_id, policy),
    CHECK (policy IN ('living_subsidy', 'nursing_subsidy', 'subsistence_allowance', 'medical_insurance', 'pension_insurance', 'rehab', 'device', 'retrofit', 'care'))
);

-- Misconduct clues (measure 20): the poverty office's ledger, read by leaders, never by
-- the implicated unit or user.
CREATE TABLE clues (
    id TEXT PRIMARY KEY NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    received_on DATE NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    implicated_unit TEXT REFERENCES org_units (code),
    implicated_user_id TEXT REFERENCES users (id),
    implicated_person TEXT,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    referred_on DATE,
    reference TEXT,
    feedback_on DATE,
    feedback TEXT,
    closing_note TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK (source IN ('visit', 'inspection', 'petition', 'report', 'audit', 'other')),
    CHECK (kind IN ('misuse_of_funds', 'fraud', 'favouritism', 'inaction', 'other')),
    CHECK (status IN ('registered', 'referred', 'feedback_received', 'closed')),
    CHECK (version >= 1)
);
CREATE INDEX clues_county ON clues (county_code, id);

-- One row per day of the daily digest: the replica that inserts it sends the day's
-- digests (a claim left unfinished for 30 minutes may be taken over); `units` is set when
-- all went out.
CREATE TABLE digest_runs (
    day DATE PRIMARY KEY NOT NULL,
    started_at TIMESTAMP NOT NULL,
    units INTEGER
);

-- Each unit's digest delivered, so that a run taken over sends only what is missing.
CREATE TABLE digest_deliveries (
    day DATE NOT NULL REFERENCES digest_runs (day),
    unit_code TEXT NOT NULL,
    delivered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (day, unit_code)
);
