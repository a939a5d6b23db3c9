-- Issue 14, measure 12 (连千村帮万户): which DPF unit links which village, from / to,
-- households helped, and the activities there. The record lies where the village lies
-- (county_code, city_code), so the county sees the links of its villages; unit_region is
-- where the link counts (the linking unit's region).

CREATE TABLE village_links (
    id TEXT PRIMARY KEY NOT NULL,
    unit_code TEXT NOT NULL REFERENCES org_units (code),
    unit_region TEXT NOT NULL REFERENCES org_units (code),
    village_code TEXT NOT NULL REFERENCES villages (code),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    from_on DATE NOT NULL,
    to_on DATE,
    households_helped BIGINT NOT NULL,
    note TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (to_on IS NULL OR to_on >= from_on),
    CHECK (households_helped >= 0),
    CHECK (version >= 1)
);
CREATE INDEX village_links_county ON village_links (county_code);
CREATE INDEX village_links_city ON village_links (city_code);
CREATE INDEX village_links_region ON village_links (unit_region);
CREATE INDEX village_links_village ON village_links (village_code);

CREATE TABLE village_activities (
    id TEXT PRIMARY KEY NOT NULL,
    link_id TEXT NOT NULL REFERENCES village_links (id),
    on_day DATE NOT NULL,
    what TEXT NOT NULL,
    money_fen BIGINT NOT NULL,
    goods TEXT,
    create_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    CHECK (money_fen >= 0 AND money_fen <= 1000000000)
);
CREATE INDEX village_activities_link ON village_activities (link_id, on_day);

-- The villages linked are now counted from the links, not reported by hand (values
-- reported before stay in reported_values as history; a computed indicator reads none).
UPDATE indicators SET source = 'computed', kind = 'count', aggregation = 'sum',
    computation = 'villages.linked'
WHERE code = 'villages_linked';
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version)
SELECT 'villages_linked', '43', '2020', 140, 'seed', '2020-02-27 00:00:00', 1
WHERE NOT EXISTS (SELECT 1 FROM targets WHERE indicator = 'villages_linked' AND unit_code = '43' AND period = '2020');
