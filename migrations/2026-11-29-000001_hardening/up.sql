-- Hardening of the foundation.

-- A person's full birth date is digits 7-14 of the identity number: stored in clear
-- beside the masked number (digits 1-6 and 15-18) it rebuilt the whole number from the
-- database file. Keep the year only; the date is in the encrypted number.
ALTER TABLE persons ADD COLUMN birth_year INTEGER NOT NULL DEFAULT 0;
UPDATE persons SET birth_year = CAST(SUBSTR(CAST(birth_date AS TEXT), 1, 4) AS INTEGER);
ALTER TABLE persons DROP COLUMN birth_date;
