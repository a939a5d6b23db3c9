DELETE FROM indicators WHERE code = 'paired_support_fen';
DROP TABLE support_entries;
DROP TABLE support_pairs;
