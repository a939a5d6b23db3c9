-- Issue 13, measure 3: disability certificate applications, their assessment and issue
-- or renewal with the fee waived. The number is not stored: it is the holder's identity
-- number, the category digit and the level.

CREATE TABLE certificates (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    county_code TEXT NOT NULL,
    city_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    applied_on DATE NOT NULL,
    found_on_visit BOOLEAN NOT NULL,
    category TEXT,
    level INTEGER,
    decided_on DATE,
    valid_until DATE,
    fee_waived BOOLEAN NOT NULL,
    note TEXT NOT NULL,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK (kind IN ('first', 'renewal')),
    CHECK (status IN ('applied', 'issued', 'refused')),
    CHECK (level IS NULL OR level BETWEEN 1 AND 4),
    CHECK ((status = 'issued') = (valid_until IS NOT NULL AND level IS NOT NULL AND category IS NOT NULL)),
    CHECK (version >= 1)
);
CREATE INDEX certificates_person ON certificates (person_id, status, valid_until);
CREATE INDEX certificates_county ON certificates (county_code);
