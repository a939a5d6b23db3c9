ALTER TABLE sessions DROP COLUMN write_lsn;
