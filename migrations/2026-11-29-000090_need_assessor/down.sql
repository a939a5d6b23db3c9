ALTER TABLE rehab_needs DROP COLUMN assessed_by;
