-- Issue 14, the federation's own duties: the county lists that measures name, canteen
-- purchases (measure 17) and funds allocated by factors (measure 21).

-- The counties on a list in a programme year: the 51 key poverty counties (measure 17)
-- and the 11 deeply poor counties (measures 16 and 21). Kept by the poverty office.
CREATE TABLE county_lists (
    year INTEGER NOT NULL,
    list TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    PRIMARY KEY (year, list, county_code),
    CHECK (list IN ('key_poverty', 'deeply_poor')),
    CHECK (year BETWEEN 2000 AND 2100)
);

-- A farm-produce purchase of a DPF's canteen. The owner is the DPF: county_code holds
-- its region code (6 digits for a county, 4 for a city, '43' for the provincial DPF)
-- and city_code its city ('43' for the province), so the scope filter of every table
-- applies: a county sees its own, a city its own and its counties'.
CREATE TABLE canteen_purchases (
    id TEXT PRIMARY KEY NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    purchased_on DATE NOT NULL,
    supplier TEXT NOT NULL,
    origin_county_code TEXT REFERENCES org_units (code),
    amount_fen BIGINT NOT NULL,
    from_poverty_base BOOLEAN NOT NULL,
    holiday BOOLEAN NOT NULL,
    goods TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (amount_fen > 0 AND amount_fen <= 1000000000),
    CHECK (version >= 1)
);
CREATE INDEX canteen_purchases_county ON canteen_purchases (county_code, purchased_on);
CREATE INDEX canteen_purchases_city ON canteen_purchases (city_code, purchased_on);

-- A fund split among counties by factors. The factors and weights are kept as JSON
-- ([{"factor": "registered_poor", "weight_bp": 4000}, ...]), the totals of each factor
-- over all counties likewise ([123, 45, ...]), in the weights' order.
CREATE TABLE fund_allocations (
    id TEXT PRIMARY KEY NOT NULL,
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    department_code TEXT NOT NULL REFERENCES org_units (code),
    total_fen BIGINT NOT NULL,
    uplift_bp BIGINT NOT NULL,
    weights TEXT NOT NULL,
    factor_totals TEXT NOT NULL,
    status TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    computed_by TEXT NOT NULL,
    approved_at TIMESTAMP,
    approved_by TEXT,
    approve_reason TEXT,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (status IN ('draft', 'approved')),
    CHECK (total_fen > 0),
    CHECK (uplift_bp BETWEEN 0 AND 10000),
    CHECK (year BETWEEN 2000 AND 2100),
    CHECK (version >= 1)
);
CREATE INDEX fund_allocations_year ON fund_allocations (year);

-- One county's share: its factor values (JSON array, in the weights' order), whether it
-- was uplifted, its scores (parts of 10^12), what the rule gave and what it gets after
-- an adjustment.
CREATE TABLE fund_allocation_lines (
    allocation_id TEXT NOT NULL REFERENCES fund_allocations (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    factor_values TEXT NOT NULL,
    deeply_poor BOOLEAN NOT NULL,
    base_score BIGINT NOT NULL,
    score BIGINT NOT NULL,
    computed_fen BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    adjust_reason TEXT,
    PRIMARY KEY (allocation_id, county_code),
    CHECK (computed_fen >= 0 AND amount_fen >= 0)
);
CREATE INDEX fund_allocation_lines_county ON fund_allocation_lines (county_code);

-- Money a county spent from its share of an approved allocation.
CREATE TABLE fund_spending (
    id TEXT PRIMARY KEY NOT NULL,
    allocation_id TEXT NOT NULL REFERENCES fund_allocations (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    spent_on DATE NOT NULL,
    amount_fen BIGINT NOT NULL,
    purpose TEXT NOT NULL,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (amount_fen > 0),
    CHECK (version >= 1)
);
CREATE INDEX fund_spending_allocation ON fund_spending (allocation_id, county_code);
CREATE INDEX fund_spending_county ON fund_spending (county_code);
CREATE INDEX fund_spending_city ON fund_spending (city_code);

-- Measure 17's share, computed from the purchases (a ratio of sums in basis points).
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('canteen_key_county_share', 2020, 17, '食堂采购51个扶贫开发重点县农副产品占比', 'Share of canteen farm produce bought from the key poverty counties', 'ratio', 'computed', 'ratio_of_sums', 'year', 'consumption.key_county_share', 105, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('canteen_key_county_share', '43', '2020', 2000, 'seed', '2020-02-27 00:00:00', 1);
