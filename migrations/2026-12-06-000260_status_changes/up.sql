-- Issue 13, measures 8 and 11: each change of a person's poverty status, with the day it
-- took effect and why, so that the history is visible and falling back (lifted → in
-- poverty) can be counted. county_code/city_code are the person's when it was recorded.

CREATE TABLE status_changes (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    county_code TEXT NOT NULL,
    city_code TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    changed_on DATE NOT NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    CHECK (from_status IN ('in_poverty', 'lifted', 'unstable', 'marginal', 'none')),
    CHECK (to_status IN ('in_poverty', 'lifted', 'unstable', 'marginal', 'none')),
    CHECK (from_status <> to_status)
);
CREATE INDEX status_changes_person ON status_changes (person_id, changed_on);
CREATE INDEX status_changes_to ON status_changes (to_status, changed_on);
