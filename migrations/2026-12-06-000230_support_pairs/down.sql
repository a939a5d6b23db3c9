DROP TABLE support_entries;
DROP TABLE support_pairs;
