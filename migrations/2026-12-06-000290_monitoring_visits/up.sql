-- Issue 13, measures 8 and 11: monitoring visits of watched persons (income change,
-- illness, disaster, COVID-19, the risk found, the measures taken) and how often each
-- risk level is visited, as data kept by the provincial poverty office.

CREATE TABLE monitoring_visits (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    visited_on DATE NOT NULL,
    income_change TEXT NOT NULL,
    illness BOOLEAN NOT NULL,
    disaster BOOLEAN NOT NULL,
    covid BOOLEAN NOT NULL,
    risk_level TEXT NOT NULL,
    measures TEXT NOT NULL,
    note TEXT,
    create_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    CHECK (income_change IN ('up', 'same', 'down')),
    CHECK (risk_level IN ('low', 'medium', 'high'))
);
CREATE INDEX monitoring_visits_person ON monitoring_visits (person_id, visited_on);
CREATE INDEX monitoring_visits_county ON monitoring_visits (county_code, visited_on);

CREATE TABLE visit_cadences (
    risk_level TEXT PRIMARY KEY NOT NULL,
    days INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK (risk_level IN ('low', 'medium', 'high')),
    CHECK (days BETWEEN 1 AND 366)
);
-- The cadence most provinces used for 防返贫动态监测: monthly for high risk, quarterly
-- for medium, twice a year for low.
INSERT INTO visit_cadences (risk_level, days, updated_at, updated_by) VALUES
    ('high', 30, '2020-01-01 00:00:00', 'migration'),
    ('medium', 90, '2020-01-01 00:00:00', 'migration'),
    ('low', 180, '2020-01-01 00:00:00', 'migration');
