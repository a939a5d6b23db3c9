DROP TABLE visit_cadences;
DROP TABLE monitoring_visits;
