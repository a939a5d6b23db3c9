ALTER TABLE import_jobs DROP COLUMN worker;
DROP TABLE server_instances;
