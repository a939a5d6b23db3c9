DROP TABLE petition_events;
DROP TABLE petitions;
DROP TABLE petition_deadlines;
