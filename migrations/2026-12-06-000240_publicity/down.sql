DROP TABLE publicity_cases;
