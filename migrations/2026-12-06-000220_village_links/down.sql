UPDATE indicators SET source = 'reported', computation = NULL WHERE code = 'villages_linked';
DROP TABLE village_activities;
DROP TABLE village_links;
