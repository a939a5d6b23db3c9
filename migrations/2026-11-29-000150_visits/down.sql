DROP TABLE visit_policies;
DROP TABLE visit_checks;
DROP TABLE visits;
DROP TABLE pairings;
