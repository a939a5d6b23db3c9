DROP TABLE care_targets;
DROP TABLE care_settings;
DROP TABLE care_service_logs;
DROP TABLE care_placement_events;
DROP TABLE care_placements;
DROP TABLE care_assessments;
DROP TABLE care_providers;
