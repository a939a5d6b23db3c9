-- Loans hardening: the per-person subsidy cap is checked across a person's applications
-- of a programme year, at create, edit and approval; this index serves that lookup.
CREATE INDEX loans_person_year ON loans (person_id, year);
