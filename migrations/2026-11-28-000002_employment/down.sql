DROP TABLE loan_events;
DROP TABLE loans;
DROP TABLE base_employees;
DROP TABLE employment_bases;
DROP TABLE enrolments;
DROP TABLE training_courses;
DROP TABLE city_allocations;
DROP TABLE programme_years;
