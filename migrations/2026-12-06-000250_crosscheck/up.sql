-- Issue 13, measures 5 and 8: cross-checks with other agencies' lists of recipients.
-- The eligibility rules are data per programme year (one per scheme). A list is a dated
-- snapshot of one scheme for one area (county_code/city_code hold the area for scope,
-- '43'/'43' for the province); its rows keep the keyed hash of the identity number
-- (the registry's blind index) and the masked number, never the number itself.

CREATE TABLE crosscheck_rules (
    year INTEGER NOT NULL,
    scheme TEXT NOT NULL,
    registered_poor_only BOOLEAN NOT NULL,
    poverty_statuses TEXT NOT NULL,
    max_level INTEGER,
    recipients_registered BOOLEAN NOT NULL,
    note TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (year, scheme),
    CHECK (max_level IS NULL OR max_level BETWEEN 1 AND 4),
    CHECK (year BETWEEN 2000 AND 2100)
);

CREATE TABLE agency_lists (
    id TEXT PRIMARY KEY NOT NULL,
    scheme TEXT NOT NULL,
    period TEXT NOT NULL,
    year INTEGER NOT NULL,
    area_code TEXT NOT NULL REFERENCES org_units (code),
    county_code TEXT NOT NULL,
    city_code TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    receiving_count BIGINT NOT NULL,
    previous_id TEXT REFERENCES agency_lists (id),
    added BIGINT NOT NULL,
    removed BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    create_hash TEXT,
    CHECK (year BETWEEN 2000 AND 2100)
);
CREATE INDEX agency_lists_latest ON agency_lists (scheme, area_code, period, created_at);
CREATE INDEX agency_lists_county ON agency_lists (county_code);
CREATE INDEX agency_lists_city ON agency_lists (city_code);

CREATE TABLE agency_list_rows (
    list_id TEXT NOT NULL REFERENCES agency_lists (id),
    row_no INTEGER NOT NULL,
    id_number_hmac TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    name TEXT NOT NULL,
    receipt TEXT NOT NULL,
    county_code TEXT NOT NULL,
    PRIMARY KEY (list_id, row_no),
    CHECK (receipt IN ('receiving', 'stopped'))
);
CREATE UNIQUE INDEX agency_list_rows_person ON agency_list_rows (list_id, id_number_hmac);
CREATE INDEX agency_list_rows_county ON agency_list_rows (list_id, county_code);
