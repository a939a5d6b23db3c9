-- Undoes the CHECK constraints the same way they were added: every table of the up
-- migration is copied out, dropped children first and created again as it was.

-- 1. Copy every row out (plain tables: no keys, no constraints).
CREATE TABLE migrate_org_units AS SELECT * FROM org_units;
CREATE TABLE migrate_towns AS SELECT * FROM towns;
CREATE TABLE migrate_villages AS SELECT * FROM villages;
CREATE TABLE migrate_users AS SELECT * FROM users;
CREATE TABLE migrate_sessions AS SELECT * FROM sessions;
CREATE TABLE migrate_refresh_tokens AS SELECT * FROM refresh_tokens;
CREATE TABLE migrate_persons AS SELECT * FROM persons;
CREATE TABLE migrate_audit_log AS SELECT * FROM audit_log;
CREATE TABLE migrate_programme_years AS SELECT * FROM programme_years;
CREATE TABLE migrate_city_allocations AS SELECT * FROM city_allocations;
CREATE TABLE migrate_training_courses AS SELECT * FROM training_courses;
CREATE TABLE migrate_enrolments AS SELECT * FROM enrolments;
CREATE TABLE migrate_employment_bases AS SELECT * FROM employment_bases;
CREATE TABLE migrate_base_employees AS SELECT * FROM base_employees;
CREATE TABLE migrate_loans AS SELECT * FROM loans;
CREATE TABLE migrate_loan_events AS SELECT * FROM loan_events;

-- 2. Drop the tables, those that refer to others first, so that no foreign key
--    ever points at a dropped table (PostgreSQL refuses that without CASCADE; SQLite
--    checks the implicit DELETE of each DROP against the tables still there).
DROP TABLE loan_events;
DROP TABLE loans;
DROP TABLE base_employees;
DROP TABLE employment_bases;
DROP TABLE enrolments;
DROP TABLE training_courses;
DROP TABLE city_allocations;
DROP TABLE programme_years;
DROP TABLE audit_log;
DROP TABLE persons;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE villages;
DROP TABLE towns;
DROP TABLE org_units;

-- 3. Create them again, referred-to tables first, as they were before the checks;
--    fill them in the same order (each INSERT is one statement, so org_units' rows
--    may refer to each other in any order) and recreate the indexes.

CREATE TABLE org_units (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT,
    kind TEXT NOT NULL,
    parent_code TEXT REFERENCES org_units (code),
    region_code TEXT NOT NULL
);
INSERT INTO org_units (code, name, name_en, kind, parent_code, region_code)
SELECT code, name, name_en, kind, parent_code, region_code FROM migrate_org_units;
CREATE INDEX org_units_parent ON org_units (parent_code);

CREATE TABLE towns (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code)
);
INSERT INTO towns (code, name, county_code)
SELECT code, name, county_code FROM migrate_towns;
CREATE INDEX towns_county ON towns (county_code);

CREATE TABLE villages (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    town_code TEXT NOT NULL REFERENCES towns (code)
);
INSERT INTO villages (code, name, town_code)
SELECT code, name, town_code FROM migrate_villages;
CREATE INDEX villages_town ON villages (town_code);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    unit_code TEXT NOT NULL REFERENCES org_units (code),
    roles TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT,
    pending_roles TEXT,
    proposed_by TEXT,
    proposed_at TIMESTAMP,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO users (id, username, display_name, password_hash, unit_code, roles, disabled, create_hash, version, created_at, created_by, updated_at, updated_by, pending_roles, proposed_by, proposed_at, must_change_password)
SELECT id, username, display_name, password_hash, unit_code, roles, disabled, create_hash, version, created_at, created_by, updated_at, updated_by, pending_roles, proposed_by, proposed_at, must_change_password FROM migrate_users;
CREATE INDEX users_unit ON users (unit_code);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at, revoked_reason)
SELECT id, user_id, created_at, expires_at, revoked_at, revoked_reason FROM migrate_sessions;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at, used_at)
SELECT token_hash, session_id, issued_at, expires_at, used_at FROM migrate_refresh_tokens;
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    id_number_enc TEXT NOT NULL,
    id_number_hmac TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    has_certificate BOOLEAN NOT NULL,
    sex TEXT NOT NULL,
    disability_category TEXT NOT NULL,
    disability_level INTEGER NOT NULL,
    phone TEXT,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    town_code TEXT REFERENCES towns (code),
    village_code TEXT REFERENCES villages (code),
    address_detail TEXT,
    household_number TEXT,
    household_size INTEGER,
    poverty_status TEXT NOT NULL,
    registered_poor BOOLEAN NOT NULL,
    multi_disabled_household BOOLEAN NOT NULL,
    elderly_disabled BOOLEAN NOT NULL,
    assure_food_clothing TEXT NOT NULL,
    assure_education TEXT NOT NULL,
    assure_medical TEXT NOT NULL,
    assure_housing TEXT NOT NULL,
    assure_drinking_water TEXT NOT NULL,
    assessed_on DATE,
    notes TEXT,
    synthetic BOOLEAN NOT NULL DEFAULT FALSE,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    birth_year INTEGER NOT NULL DEFAULT 0
);
INSERT INTO persons (id, name, id_number_enc, id_number_hmac, id_number_masked, has_certificate, sex, disability_category, disability_level, phone, county_code, city_code, town_code, village_code, address_detail, household_number, household_size, poverty_status, registered_poor, multi_disabled_household, elderly_disabled, assure_food_clothing, assure_education, assure_medical, assure_housing, assure_drinking_water, assessed_on, notes, synthetic, create_hash, version, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by, birth_year)
SELECT id, name, id_number_enc, id_number_hmac, id_number_masked, has_certificate, sex, disability_category, disability_level, phone, county_code, city_code, town_code, village_code, address_detail, household_number, household_size, poverty_status, registered_poor, multi_disabled_household, elderly_disabled, assure_food_clothing, assure_education, assure_medical, assure_housing, assure_drinking_water, assessed_on, notes, synthetic, create_hash, version, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by, birth_year FROM migrate_persons;
CREATE UNIQUE INDEX persons_id_number_live ON persons (id_number_hmac) WHERE deleted_at IS NULL;
CREATE INDEX persons_county ON persons (county_code, id);
CREATE INDEX persons_city ON persons (city_code, id);
CREATE INDEX persons_updated ON persons (updated_at, id);
CREATE INDEX persons_town ON persons (town_code);
CREATE INDEX persons_village ON persons (village_code);
CREATE INDEX persons_name ON persons (name);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    actor_unit TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    city_code TEXT,
    county_code TEXT,
    reason TEXT,
    before_json TEXT,
    after_json TEXT
);
INSERT INTO audit_log (id, at, actor_id, actor_username, actor_unit, action, entity_type, entity_id, unit_code, city_code, county_code, reason, before_json, after_json)
SELECT id, at, actor_id, actor_username, actor_unit, action, entity_type, entity_id, unit_code, city_code, county_code, reason, before_json, after_json FROM migrate_audit_log;
CREATE INDEX audit_log_entity ON audit_log (entity_id);
CREATE INDEX audit_log_city ON audit_log (city_code, id);
CREATE INDEX audit_log_county ON audit_log (county_code, id);

CREATE TABLE programme_years (
    year INTEGER PRIMARY KEY NOT NULL,
    share_bp BIGINT NOT NULL,
    cap_person_fen BIGINT NOT NULL,
    cap_base_fen BIGINT NOT NULL,
    max_principal_fen BIGINT NOT NULL,
    budget_fen BIGINT NOT NULL,
    target_persons_trained BIGINT NOT NULL,
    target_subsidy_fen BIGINT NOT NULL
);
INSERT INTO programme_years (year, share_bp, cap_person_fen, cap_base_fen, max_principal_fen, budget_fen, target_persons_trained, target_subsidy_fen)
SELECT year, share_bp, cap_person_fen, cap_base_fen, max_principal_fen, budget_fen, target_persons_trained, target_subsidy_fen FROM migrate_programme_years;

CREATE TABLE city_allocations (
    year INTEGER NOT NULL REFERENCES programme_years (year),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    allocated_fen BIGINT NOT NULL,
    committed_fen BIGINT NOT NULL DEFAULT 0,
    disbursed_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (year, city_code),
    CHECK (committed_fen <= allocated_fen AND disbursed_fen <= committed_fen)
);
INSERT INTO city_allocations (year, city_code, allocated_fen, committed_fen, disbursed_fen)
SELECT year, city_code, allocated_fen, committed_fen, disbursed_fen FROM migrate_city_allocations;

CREATE TABLE training_courses (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    programme TEXT NOT NULL,
    organiser_unit TEXT NOT NULL REFERENCES org_units (code),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    venue TEXT,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    year INTEGER NOT NULL,
    planned_places INTEGER NOT NULL,
    hours INTEGER NOT NULL,
    trainer TEXT,
    funding_fen BIGINT NOT NULL,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT
);
INSERT INTO training_courses (id, name, kind, programme, organiser_unit, county_code, city_code, venue, start_date, end_date, year, planned_places, hours, trainer, funding_fen, create_hash, version, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by)
SELECT id, name, kind, programme, organiser_unit, county_code, city_code, venue, start_date, end_date, year, planned_places, hours, trainer, funding_fen, create_hash, version, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by FROM migrate_training_courses;
CREATE INDEX training_courses_county ON training_courses (county_code, id);
CREATE INDEX training_courses_city ON training_courses (city_code, id);
CREATE INDEX training_courses_year ON training_courses (year);

CREATE TABLE enrolments (
    id TEXT PRIMARY KEY NOT NULL,
    course_id TEXT NOT NULL REFERENCES training_courses (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    county_code TEXT NOT NULL,
    city_code TEXT NOT NULL,
    status TEXT NOT NULL,
    hours_attended INTEGER NOT NULL,
    completion_date DATE,
    certificate_obtained BOOLEAN NOT NULL,
    outcome TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT
);
INSERT INTO enrolments (id, course_id, person_id, county_code, city_code, status, hours_attended, completion_date, certificate_obtained, outcome, create_hash, version, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by)
SELECT id, course_id, person_id, county_code, city_code, status, hours_attended, completion_date, certificate_obtained, outcome, create_hash, version, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by FROM migrate_enrolments;
CREATE UNIQUE INDEX enrolments_once ON enrolments (course_id, person_id) WHERE deleted_at IS NULL;
CREATE INDEX enrolments_person ON enrolments (person_id);

CREATE TABLE employment_bases (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    kind TEXT NOT NULL,
    recognised_on DATE NOT NULL,
    contact_name TEXT,
    contact_phone TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT
);
INSERT INTO employment_bases (id, name, credit_code, county_code, city_code, kind, recognised_on, contact_name, contact_phone, create_hash, version, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by)
SELECT id, name, credit_code, county_code, city_code, kind, recognised_on, contact_name, contact_phone, create_hash, version, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by FROM migrate_employment_bases;
CREATE UNIQUE INDEX employment_bases_credit_code ON employment_bases (credit_code) WHERE deleted_at IS NULL;
CREATE INDEX employment_bases_county ON employment_bases (county_code, id);

CREATE TABLE base_employees (
    base_id TEXT NOT NULL REFERENCES employment_bases (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (base_id, person_id)
);
INSERT INTO base_employees (base_id, person_id, added_at)
SELECT base_id, person_id, added_at FROM migrate_base_employees;

CREATE TABLE loans (
    id TEXT PRIMARY KEY NOT NULL,
    applicant TEXT NOT NULL,
    person_id TEXT REFERENCES persons (id),
    base_id TEXT REFERENCES employment_bases (id),
    bank TEXT NOT NULL,
    principal_fen BIGINT NOT NULL,
    annual_rate_bp BIGINT NOT NULL,
    term_months BIGINT NOT NULL,
    loan_date DATE NOT NULL,
    purpose TEXT NOT NULL,
    year INTEGER NOT NULL REFERENCES programme_years (year),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    status TEXT NOT NULL,
    interest_fen BIGINT NOT NULL,
    subsidy_fen BIGINT NOT NULL,
    capped BOOLEAN NOT NULL,
    approved_fen BIGINT,
    disbursed_fen BIGINT,
    disbursed_on DATE,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT
);
INSERT INTO loans (id, applicant, person_id, base_id, bank, principal_fen, annual_rate_bp, term_months, loan_date, purpose, year, county_code, city_code, status, interest_fen, subsidy_fen, capped, approved_fen, disbursed_fen, disbursed_on, create_hash, version, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by)
SELECT id, applicant, person_id, base_id, bank, principal_fen, annual_rate_bp, term_months, loan_date, purpose, year, county_code, city_code, status, interest_fen, subsidy_fen, capped, approved_fen, disbursed_fen, disbursed_on, create_hash, version, created_at, created_by, updated_at, updated_by, deleted_at, deleted_by FROM migrate_loans;
CREATE INDEX loans_county ON loans (county_code, id);
CREATE INDEX loans_city ON loans (city_code, id);
CREATE INDEX loans_year ON loans (year, status);
CREATE INDEX loans_person_year ON loans (person_id, year);

CREATE TABLE loan_events (
    id TEXT PRIMARY KEY NOT NULL,
    loan_id TEXT NOT NULL REFERENCES loans (id),
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    actor_unit TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT,
    amount_fen BIGINT
);
INSERT INTO loan_events (id, loan_id, at, actor_id, actor_username, actor_unit, from_status, to_status, reason, amount_fen)
SELECT id, loan_id, at, actor_id, actor_username, actor_unit, from_status, to_status, reason, amount_fen FROM migrate_loan_events;
CREATE INDEX loan_events_loan ON loan_events (loan_id, id);

-- 4. Drop the copies.
DROP TABLE migrate_org_units;
DROP TABLE migrate_towns;
DROP TABLE migrate_villages;
DROP TABLE migrate_users;
DROP TABLE migrate_sessions;
DROP TABLE migrate_refresh_tokens;
DROP TABLE migrate_persons;
DROP TABLE migrate_audit_log;
DROP TABLE migrate_programme_years;
DROP TABLE migrate_city_allocations;
DROP TABLE migrate_training_courses;
DROP TABLE migrate_enrolments;
DROP TABLE migrate_employment_bases;
DROP TABLE migrate_base_employees;
DROP TABLE migrate_loans;
DROP TABLE migrate_loan_events;
