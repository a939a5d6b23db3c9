-- Auth hardening. Same SQL subset as the init migration (valid on PostgreSQL and SQLite).

-- Two-person rule: an admin proposes a role set that grants data roles; it waits here,
-- granting nothing, until a leader whose scope covers the account confirms it.
ALTER TABLE users ADD COLUMN pending_roles TEXT;
ALTER TABLE users ADD COLUMN proposed_by TEXT;
ALTER TABLE users ADD COLUMN proposed_at TIMESTAMP;
-- Set when an admin sets the password (create, reset): it must be changed first.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- Login throttling. One row per throttled key (`user:<name>` for an account, known or
-- not, `addr:<ip>` for a client address, `pwchange:<user id>` for password changes).
-- An attempt is counted (reserved) by a conditional UPDATE before the password is
-- checked, so concurrent attempts cannot overrun the limit.
CREATE TABLE login_attempts (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    attempts INTEGER NOT NULL,
    window_start TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_window ON login_attempts (window_start);

-- The per-account counters move to login_attempts.
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
