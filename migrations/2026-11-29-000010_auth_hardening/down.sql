ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMP;
DROP TABLE login_attempts;
ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE users DROP COLUMN proposed_at;
ALTER TABLE users DROP COLUMN proposed_by;
ALTER TABLE users DROP COLUMN pending_roles;
