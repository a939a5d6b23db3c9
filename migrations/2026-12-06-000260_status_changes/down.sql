DROP TABLE status_changes;
