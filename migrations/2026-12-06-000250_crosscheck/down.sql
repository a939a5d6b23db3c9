DROP TABLE agency_list_rows;
DROP TABLE agency_lists;
DROP TABLE crosscheck_rules;
