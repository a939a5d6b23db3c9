-- Measure 13: training courses and rosters, employment bases, loan interest subsidies.

-- A programme year: the subsidy rule, the provincial budget and the plan's targets,
-- held as data so that next year's plan is loaded, not coded.
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

-- The budget allocated to each city. committed_fen only grows through a conditional
-- UPDATE that keeps it within allocated_fen, so racing approvals cannot overspend.
CREATE TABLE city_allocations (
    year INTEGER NOT NULL REFERENCES programme_years (year),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    allocated_fen BIGINT NOT NULL,
    committed_fen BIGINT NOT NULL DEFAULT 0,
    disbursed_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (year, city_code),
    CHECK (committed_fen <= allocated_fen AND disbursed_fen <= committed_fen)
);

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
CREATE INDEX training_courses_county ON training_courses (county_code, id);
CREATE INDEX training_courses_city ON training_courses (city_code, id);
CREATE INDEX training_courses_year ON training_courses (year);

-- A course's roster. A person is on a course at most once (among live rows).
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
CREATE UNIQUE INDEX employment_bases_credit_code ON employment_bases (credit_code) WHERE deleted_at IS NULL;
CREATE INDEX employment_bases_county ON employment_bases (county_code, id);

CREATE TABLE base_employees (
    base_id TEXT NOT NULL REFERENCES employment_bases (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (base_id, person_id)
);

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
CREATE INDEX loans_county ON loans (county_code, id);
CREATE INDEX loans_city ON loans (city_code, id);
CREATE INDEX loans_year ON loans (year, status);

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
CREATE INDEX loan_events_loan ON loan_events (loan_id, id);

-- 2020, the plan of the Hunan DPF's notice: train >= 5,000 registered-poor disabled
-- people, >= 3,000,000 yuan of loan interest subsidies. The notice sets no subsidy
-- formula; these rule values (half the interest, caps of 5,000 / 50,000 yuan, loans up
-- to 500,000 yuan) are defaults for the province to change through the API.
INSERT INTO programme_years (year, share_bp, cap_person_fen, cap_base_fen, max_principal_fen, budget_fen, target_persons_trained, target_subsidy_fen)
VALUES (2020, 5000, 500000, 5000000, 50000000, 300000000, 5000, 300000000);
