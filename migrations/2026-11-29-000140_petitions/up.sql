-- Measure 18: petitions (信访).

-- Days a channel allows: to accept (or redirect) from receipt, and to reply from
-- acceptance. Seeded with the 《信访工作条例》 (2022): 15 days to tell the petitioner
-- whether the matter is accepted (art. 22), 60 days to settle it (art. 36).
CREATE TABLE petition_deadlines (
    channel TEXT PRIMARY KEY NOT NULL,
    accept_days INTEGER NOT NULL,
    reply_days INTEGER NOT NULL,
    CHECK (channel IN ('governor_mailbox', 'chairman_mailbox', 'rednet', 'referral', 'letter', 'visit', 'phone')),
    CHECK (accept_days BETWEEN 1 AND 90),
    CHECK (reply_days BETWEEN 1 AND 180)
);
INSERT INTO petition_deadlines (channel, accept_days, reply_days) VALUES ('governor_mailbox', 15, 60);
INSERT INTO petition_deadlines (channel, accept_days, reply_days) VALUES ('chairman_mailbox', 15, 60);
INSERT INTO petition_deadlines (channel, accept_days, reply_days) VALUES ('rednet', 15, 60);
INSERT INTO petition_deadlines (channel, accept_days, reply_days) VALUES ('referral', 15, 60);
INSERT INTO petition_deadlines (channel, accept_days, reply_days) VALUES ('letter', 15, 60);
INSERT INTO petition_deadlines (channel, accept_days, reply_days) VALUES ('visit', 15, 60);
INSERT INTO petition_deadlines (channel, accept_days, reply_days) VALUES ('phone', 15, 60);

-- A petition: the petitioner encrypted (name, identity number, phone) with masked
-- forms for display and a keyed hash linking the petitions of one petitioner.
CREATE TABLE petitions (
    id TEXT PRIMARY KEY NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    channel TEXT NOT NULL,
    received_on DATE NOT NULL,
    year INTEGER NOT NULL,
    petitioner_name_enc TEXT NOT NULL,
    petitioner_name_masked TEXT NOT NULL,
    petitioner_id_enc TEXT,
    petitioner_id_masked TEXT,
    petitioner_phone_enc TEXT,
    petitioner_phone_masked TEXT,
    petitioner_key TEXT NOT NULL,
    subject TEXT NOT NULL,
    category TEXT NOT NULL,
    content TEXT,
    person_id TEXT REFERENCES persons (id),
    assigned_unit TEXT,
    status TEXT NOT NULL,
    accept_due DATE NOT NULL,
    accepted_on DATE,
    reply_due DATE,
    reply TEXT,
    replied_on DATE,
    follow_up TEXT,
    followed_up_on DATE,
    satisfaction TEXT,
    unresolved BOOLEAN NOT NULL,
    closed_on DATE,
    reopened INTEGER NOT NULL,
    rectification_id TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (channel IN ('governor_mailbox', 'chairman_mailbox', 'rednet', 'referral', 'letter', 'visit', 'phone')),
    CHECK (category IN ('policy_inquiry', 'subsidies', 'social_assistance', 'rehabilitation', 'employment', 'education', 'housing', 'certificate', 'rights_violation', 'staff_conduct', 'other')),
    CHECK (status IN ('registered', 'accepted', 'redirected', 'assigned', 'in_progress', 'replied', 'followed_up', 'closed')),
    CHECK (satisfaction IS NULL OR satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    CHECK (year BETWEEN 2000 AND 2100),
    CHECK (reopened BETWEEN 0 AND 100),
    CHECK (accept_due >= received_on),
    CHECK (replied_on IS NULL OR replied_on >= received_on)
);
CREATE INDEX petitions_county ON petitions (county_code, id);
CREATE INDEX petitions_city ON petitions (city_code, id);
CREATE INDEX petitions_petitioner ON petitions (petitioner_key);
CREATE INDEX petitions_year ON petitions (year, county_code);

-- Every step of a petition.
CREATE TABLE petition_events (
    id TEXT PRIMARY KEY NOT NULL,
    petition_id TEXT NOT NULL REFERENCES petitions (id),
    effective_on DATE NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    actor_unit TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT,
    CHECK (from_status IS NULL OR from_status IN ('registered', 'accepted', 'redirected', 'assigned', 'in_progress', 'replied', 'followed_up', 'closed')),
    CHECK (to_status IN ('registered', 'accepted', 'redirected', 'assigned', 'in_progress', 'replied', 'followed_up', 'closed'))
);
CREATE INDEX petition_events_petition ON petition_events (petition_id, id);
