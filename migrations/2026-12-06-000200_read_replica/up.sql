-- Where the primary's write-ahead log stood after a session's last write (PostgreSQL
-- with a read replica only; NULL otherwise): that session's reads go to the replica
-- only once it has replayed that far, so a user always reads their own writes.
ALTER TABLE sessions ADD COLUMN write_lsn TEXT;
