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

-- Photos of a visit are attachments of owner kind `visit`, which the attachments table
-- accepts since 2026-11-29-000130_rectification.
