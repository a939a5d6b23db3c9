-- Issue 14, measures 10 and 19: typical cases (a person, a base or a DPF's work) with
-- their story and material (texts, videos, pictures as links, JSON), the person's
-- consent, the Sunshine flag, and the selection city → province. The case belongs to
-- the unit that collected it (county_code holds its region code, city_code its city).

CREATE TABLE publicity_cases (
    id TEXT PRIMARY KEY NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    subject TEXT NOT NULL,
    person_id TEXT REFERENCES persons (id),
    base_id TEXT REFERENCES employment_bases (id),
    title TEXT NOT NULL,
    story TEXT NOT NULL,
    media TEXT NOT NULL,
    sunshine BOOLEAN NOT NULL,
    consent_on DATE,
    consent_note TEXT,
    status TEXT NOT NULL,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (subject IN ('person', 'base', 'work')),
    CHECK (status IN ('collected', 'city_selected', 'province_selected')),
    CHECK ((subject = 'person') = (person_id IS NOT NULL)),
    CHECK ((subject = 'base') = (base_id IS NOT NULL)),
    CHECK (version >= 1)
);
CREATE INDEX publicity_cases_county ON publicity_cases (county_code);
CREATE INDEX publicity_cases_city ON publicity_cases (city_code);
