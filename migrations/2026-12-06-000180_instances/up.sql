-- The server processes running on this database (one row each, refreshed every few
-- seconds), and which of them runs each import job: a job whose process stopped
-- beating (killed, crashed, stopped) is failed at once instead of looking "committing"
-- until a timeout, whichever replica is asked.
CREATE TABLE server_instances (
    id TEXT PRIMARY KEY NOT NULL,
    host TEXT NOT NULL,
    pid BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    seen_at TIMESTAMP NOT NULL
);

ALTER TABLE import_jobs ADD COLUMN worker TEXT;
