DELETE FROM targets WHERE indicator = 'canteen_key_county_share';
DELETE FROM indicators WHERE code = 'canteen_key_county_share';
DROP TABLE fund_spending;
DROP TABLE fund_allocation_lines;
DROP TABLE fund_allocations;
DROP TABLE canteen_purchases;
DROP TABLE county_lists;
