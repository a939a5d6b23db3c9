DROP INDEX loans_person_year;
