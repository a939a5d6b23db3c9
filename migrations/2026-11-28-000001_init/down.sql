DROP TABLE audit_log;
DROP TABLE persons;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE villages;
DROP TABLE towns;
DROP TABLE org_units;
