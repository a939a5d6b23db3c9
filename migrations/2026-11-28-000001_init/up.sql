-- Written in the subset of SQL that PostgreSQL and SQLite both accept: TEXT ids,
-- INTEGER/BIGINT, BOOLEAN, DATE, TIMESTAMP (UTC), plain and partial indexes.

-- The org tree: province, cities, counties, and the provincial DPF's departments.
-- region_code is the administrative area whose records the unit's users may see.
CREATE TABLE org_units (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT,
    kind TEXT NOT NULL,
    parent_code TEXT REFERENCES org_units (code),
    region_code TEXT NOT NULL
);
CREATE INDEX org_units_parent ON org_units (parent_code);

-- Address reference data below the county (NBS codes).
CREATE TABLE towns (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code)
);
CREATE INDEX towns_county ON towns (county_code);

CREATE TABLE villages (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    town_code TEXT NOT NULL REFERENCES towns (code)
);
CREATE INDEX villages_town ON villages (town_code);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    unit_code TEXT NOT NULL REFERENCES org_units (code),
    -- comma-separated role identifiers
    roles TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT
);
CREATE INDEX users_unit ON users (unit_code);

-- A login session is a family of rotating refresh tokens.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Refresh tokens are stored as SHA-256 hashes; used_at marks a rotated token, whose
-- reuse revokes the whole session.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- The person registry. The identity number is kept encrypted (AEAD, base64), with a
-- keyed hash for exact look-up and uniqueness, and its masked form for display.
CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    id_number_enc TEXT NOT NULL,
    id_number_hmac TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    has_certificate BOOLEAN NOT NULL,
    sex TEXT NOT NULL,
    birth_date DATE NOT NULL,
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
    deleted_by TEXT
);
CREATE UNIQUE INDEX persons_id_number_live ON persons (id_number_hmac) WHERE deleted_at IS NULL;
CREATE INDEX persons_county ON persons (county_code, id);
CREATE INDEX persons_city ON persons (city_code, id);
CREATE INDEX persons_updated ON persons (updated_at, id);
CREATE INDEX persons_town ON persons (town_code);
CREATE INDEX persons_village ON persons (village_code);
CREATE INDEX persons_name ON persons (name);

-- Append-only log of every write and every reveal. city_code/county_code locate the
-- record's owner for scoped reading (NULL where the owner is above that level).
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
CREATE INDEX audit_log_entity ON audit_log (entity_id);
CREATE INDEX audit_log_city ON audit_log (city_code, id);
CREATE INDEX audit_log_county ON audit_log (county_code, id);
