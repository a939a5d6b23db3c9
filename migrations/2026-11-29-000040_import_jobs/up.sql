-- Spreadsheet import jobs live in the database, not in one server's memory: a restart
-- or a second replica loses nothing, and a job interrupted half-way is seen as such.
CREATE TABLE import_jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id),
    state TEXT NOT NULL,
    total_rows INTEGER NOT NULL DEFAULT 0,
    processed_rows INTEGER NOT NULL DEFAULT 0,
    error_count INTEGER NOT NULL DEFAULT 0,
    errors_json TEXT NOT NULL DEFAULT '[]',
    rows_json TEXT,
    failure TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (kind IN ('roster')),
    CHECK (state IN ('validating', 'invalid', 'valid', 'committing', 'committed', 'failed')),
    CHECK (total_rows >= 0 AND processed_rows >= 0 AND error_count >= 0)
);
CREATE INDEX import_jobs_owner ON import_jobs (owner_id, state);
CREATE INDEX import_jobs_updated ON import_jobs (updated_at);
