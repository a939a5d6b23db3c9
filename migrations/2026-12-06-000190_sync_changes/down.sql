DROP TABLE sync_epoch;
DROP TABLE sync_changes;
