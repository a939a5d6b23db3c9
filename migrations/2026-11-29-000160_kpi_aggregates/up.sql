-- Per-unit aggregates of the plan's computed indicators, kept up to date in the
-- transaction of each write (issue #11, "Speed").
--
-- A computation's figure is a sum over subjects (a person, a loan, a household) of what
-- each subject contributes to each unit. kpi_contributions holds, for every subject,
-- its contribution to each unit it counts in (its county, city and the province) per
-- year (quarter 0) and quarter; kpi_totals holds their sums. A write recomputes the
-- contributions of the subjects it touched from the module's rows and adds the
-- difference to the totals, so the dashboard reads a few total rows instead of the
-- records. A contribution that changes with the calendar (days of care still running)
-- carries valid_until: after that day it is recomputed before it is read.
CREATE TABLE kpi_contributions (
    computation TEXT NOT NULL,
    subject TEXT NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL CHECK (quarter BETWEEN 0 AND 4),
    unit_code TEXT NOT NULL,
    numerator BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    records BIGINT NOT NULL,
    valid_until DATE,
    PRIMARY KEY (computation, subject, year, quarter, unit_code)
);
CREATE INDEX kpi_contributions_expiring ON kpi_contributions (computation, valid_until);

CREATE TABLE kpi_totals (
    computation TEXT NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL CHECK (quarter BETWEEN 0 AND 4),
    unit_code TEXT NOT NULL,
    numerator BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    records BIGINT NOT NULL,
    PRIMARY KEY (computation, year, quarter, unit_code)
);

-- Which computations have been built from the records, by which version of their
-- rules: a computation without a row, or with an older version, is rebuilt before use.
CREATE TABLE kpi_builds (
    computation TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    built_at TIMESTAMP NOT NULL
);
