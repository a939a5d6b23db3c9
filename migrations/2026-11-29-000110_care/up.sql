-- Measure 9: care services (托养) for eligible registered-poor disabled people.

-- A provider of care places: a DPF care centre, a welfare institution, a day centre or
-- a home-service organisation, kept by the county it serves.
CREATE TABLE care_providers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    places INTEGER NOT NULL,
    address TEXT,
    phone TEXT,
    active BOOLEAN NOT NULL,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (kind IN ('dpf_centre', 'welfare_institution', 'day_centre', 'home_service_org')),
    CHECK (places BETWEEN 1 AND 10000)
);
CREATE INDEX care_providers_county ON care_providers (county_code, id);
CREATE INDEX care_providers_city ON care_providers (city_code, id);

-- A care assessment of a person: self-care level, carer situation, preferred mode.
CREATE TABLE care_assessments (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    assessed_on DATE NOT NULL,
    assessor TEXT NOT NULL,
    self_care TEXT NOT NULL,
    carer TEXT NOT NULL,
    preferred_mode TEXT NOT NULL,
    note TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (self_care IN ('fully_dependent', 'largely_dependent', 'partly_dependent')),
    CHECK (carer IN ('no_carer', 'carer_frail', 'family_away', 'family_needs_support')),
    CHECK (preferred_mode IN ('residential', 'day_care', 'home_based'))
);
CREATE INDEX care_assessments_county ON care_assessments (county_code, id);
CREATE INDEX care_assessments_city ON care_assessments (city_code, id);
CREATE INDEX care_assessments_person ON care_assessments (person_id);

-- A person placed with a provider in one mode; a transfer ends it and opens another.
CREATE TABLE care_placements (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    provider_id TEXT NOT NULL REFERENCES care_providers (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    mode TEXT NOT NULL,
    start_on DATE NOT NULL,
    end_on DATE,
    monthly_subsidy_fen BIGINT NOT NULL,
    funder TEXT NOT NULL,
    assessment_id TEXT REFERENCES care_assessments (id),
    assessed_by TEXT,
    note TEXT,
    status TEXT NOT NULL,
    end_reason TEXT,
    transferred_from TEXT REFERENCES care_placements (id),
    transferred_to TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (mode IN ('residential', 'day_care', 'home_based')),
    CHECK (funder IN ('dpf', 'civil_affairs', 'mixed')),
    CHECK (status IN ('referred', 'assessed', 'approved', 'active', 'suspended', 'ended')),
    CHECK (end_reason IS NULL OR end_reason IN ('deceased', 'moved', 'family_care', 'ineligible', 'transferred')),
    CHECK ((status = 'ended') = (end_reason IS NOT NULL)),
    CHECK (monthly_subsidy_fen BETWEEN 0 AND 1000000),
    CHECK (end_on IS NULL OR end_on >= start_on)
);
CREATE INDEX care_placements_county ON care_placements (county_code, id);
CREATE INDEX care_placements_city ON care_placements (city_code, id);
CREATE INDEX care_placements_person ON care_placements (person_id);
CREATE INDEX care_placements_provider ON care_placements (provider_id, status);

-- Every step of a placement, with the day it took effect: the days of care are read
-- from here (active from an activation or resumption until a suspension or the end).
CREATE TABLE care_placement_events (
    id TEXT PRIMARY KEY NOT NULL,
    placement_id TEXT NOT NULL REFERENCES care_placements (id),
    effective_on DATE NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    actor_unit TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT,
    CHECK (from_status IS NULL OR from_status IN ('referred', 'assessed', 'approved', 'active', 'suspended', 'ended')),
    CHECK (to_status IN ('referred', 'assessed', 'approved', 'active', 'suspended', 'ended'))
);
CREATE INDEX care_placement_events_placement ON care_placement_events (placement_id, effective_on);

-- A visit of home-based care.
CREATE TABLE care_service_logs (
    id TEXT PRIMARY KEY NOT NULL,
    placement_id TEXT NOT NULL REFERENCES care_placements (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    served_on DATE NOT NULL,
    hours INTEGER NOT NULL,
    tasks TEXT NOT NULL,
    carer TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    create_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (hours BETWEEN 1 AND 24)
);
CREATE INDEX care_service_logs_placement ON care_service_logs (placement_id, served_on);

-- Per programme year: how many days of care make a person "served".
CREATE TABLE care_settings (
    year INTEGER PRIMARY KEY NOT NULL,
    served_days INTEGER NOT NULL,
    CHECK (year BETWEEN 2000 AND 2100),
    CHECK (served_days BETWEEN 1 AND 366)
);
INSERT INTO care_settings (year, served_days) VALUES (2020, 30);

-- Targets of persons served per programme year and unit (the province's 3,000, split
-- to cities and counties by the province). No foreign key: the org tree is loaded after
-- the migrations run.
CREATE TABLE care_targets (
    year INTEGER NOT NULL,
    unit_code TEXT NOT NULL,
    persons BIGINT NOT NULL,
    PRIMARY KEY (year, unit_code),
    CHECK (year BETWEEN 2000 AND 2100),
    CHECK (persons BETWEEN 0 AND 1000000)
);
INSERT INTO care_targets (year, unit_code, persons) VALUES (2020, '43', 3000);
