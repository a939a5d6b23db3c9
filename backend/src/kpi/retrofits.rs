//! Measure 15's numbers for a programme year, per unit, rolled up county → city →
//! province by summing numerators and denominators (never averaging rates).
//!
//! A case counts in its county and in the year it was found (`year`); households are
//! counted by their household key (county and household number, or the person alone),
//! so a case with two members is one household, and a household whose old case closed by
//! relocation and whose new case was accepted counts once.
//!
//! - *coverage*: households with a verified need whose retrofit is accepted (or
//!   archived) ÷ households with a verified need. A verified need is a case whose home
//!   visit confirmed the need and that did not leave by an exit: cases that are
//!   `not_eligible`, `declined`, `referred` (to 危房改造) or `relocated` are out of the
//!   rates and counted apart, as rehab counts withdrawals;
//! - *cost*: the actual cost of the households done, against their year's cap (the cap
//!   times the households done), and how many were above it;
//! - *first pass*: cases whose first acceptance passed ÷ cases with an acceptance;
//! - *shares*: households done together with 危房改造 or 易地搬迁 ÷ households done.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use shared::rehab::Ratio;
use shared::retrofit::{RetrofitKpi, RetrofitKpiRow};

use crate::auth::Scope;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::plan::aggregates::{id_list, Atom, AtomRow, Subjects};

pub(crate) const EXITS: &str = "'not_eligible', 'declined', 'referred', 'relocated'";
const DONE: &str = "'accepted', 'archived'";

#[derive(Debug, Default, Clone, QueryableByName)]
struct HouseholdFacts {
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = BigInt)]
    need: i64,
    #[diesel(sql_type = BigInt)]
    done: i64,
    #[diesel(sql_type = BigInt)]
    cost: i64,
    #[diesel(sql_type = BigInt)]
    over_cap: i64,
    #[diesel(sql_type = BigInt)]
    dilapidated: i64,
    #[diesel(sql_type = BigInt)]
    relocation: i64,
}

#[derive(Debug, Default, Clone, QueryableByName)]
struct CaseFacts {
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = BigInt)]
    inspected: i64,
    #[diesel(sql_type = BigInt)]
    first_pass: i64,
    #[diesel(sql_type = BigInt)]
    not_eligible: i64,
    #[diesel(sql_type = BigInt)]
    declined: i64,
    #[diesel(sql_type = BigInt)]
    referred: i64,
    #[diesel(sql_type = BigInt)]
    relocated: i64,
}

/// The condition keeping the cases of `area` (a validated region code).
fn in_area(area: &str) -> String {
    match area.len() {
        6 => format!("c.county_code = '{area}'"),
        4 => format!("c.city_code = '{area}'"),
        _ => format!("c.county_code LIKE '{area}%'"),
    }
}

fn household_sql(area: &str, year: i32, cap: Option<i64>) -> String {
    let within = in_area(area);
    // No cap set: nobody is above it.
    let over = match cap {
        Some(cap) => format!("CASE WHEN h.done > 0 AND h.cost > {cap} THEN 1 ELSE 0 END"),
        None => "0".to_owned(),
    };
    format!(
        "SELECT h.county AS county,
            CAST(COALESCE(SUM(CASE WHEN h.need > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS need,
            CAST(COALESCE(SUM(CASE WHEN h.need > 0 AND h.done > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS done,
            CAST(COALESCE(SUM(CASE WHEN h.need > 0 AND h.done > 0 THEN h.cost ELSE 0 END), 0) AS BIGINT) AS cost,
            CAST(COALESCE(SUM({over}), 0) AS BIGINT) AS over_cap,
            CAST(COALESCE(SUM(CASE WHEN h.need > 0 AND h.dil > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS dilapidated,
            CAST(COALESCE(SUM(CASE WHEN h.need > 0 AND h.rel > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS relocation
         FROM (
            SELECT c.county_code AS county, c.household_key AS hh,
                SUM(CASE WHEN c.visited_on IS NOT NULL AND c.need_verified = TRUE
                    AND c.status NOT IN ({EXITS}) THEN 1 ELSE 0 END) AS need,
                SUM(CASE WHEN c.status IN ({DONE}) THEN 1 ELSE 0 END) AS done,
                SUM(CASE WHEN c.status IN ({DONE})
                    THEN COALESCE(c.actual_total_fen, c.plan_total_fen) ELSE 0 END) AS cost,
                SUM(CASE WHEN c.status IN ({DONE}) AND c.linked_programme = 'dilapidated_housing'
                    THEN 1 ELSE 0 END) AS dil,
                SUM(CASE WHEN c.status IN ({DONE}) AND c.linked_programme = 'relocation'
                    THEN 1 ELSE 0 END) AS rel
            FROM retrofit_cases c
            WHERE c.year = {year} AND c.deleted_at IS NULL AND {within}
            GROUP BY c.county_code, c.household_key
         ) h
         GROUP BY h.county"
    )
}

/// The atoms of the retrofit coverage for the plan's aggregates: one per household
/// (its subject) and year in each county, with the rules of [`household_sql`]: a
/// household with a verified need counts in the denominator, and in the numerator when
/// its retrofit was accepted.
pub fn coverage_atoms(conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
    let sql = format!(
        "SELECT h.hh AS subject, h.county AS county, h.year AS year, CAST(NULL AS DATE) AS day,
            CAST(CASE WHEN h.need > 0 AND h.done > 0 THEN 1 ELSE 0 END AS BIGINT) AS numerator,
            CAST(CASE WHEN h.need > 0 THEN 1 ELSE 0 END AS BIGINT) AS denominator,
            CAST(CASE WHEN h.need > 0 THEN 1 ELSE 0 END AS BIGINT) AS records
         FROM (
            SELECT c.county_code AS county, c.household_key AS hh, c.year AS year,
                SUM(CASE WHEN c.visited_on IS NOT NULL AND c.need_verified = TRUE
                    AND c.status NOT IN ({EXITS}) THEN 1 ELSE 0 END) AS need,
                SUM(CASE WHEN c.status IN ({DONE}) THEN 1 ELSE 0 END) AS done
            FROM retrofit_cases c
            WHERE c.deleted_at IS NULL {only}
            GROUP BY c.county_code, c.household_key, c.year
         ) h",
        only = subjects.filter("c.household_key"),
    );
    let rows: Vec<AtomRow> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.into_iter().map(Atom::from).collect())
}

/// The households whose coverage a write to the cases `ids` may change.
pub fn coverage_subjects(
    conn: &mut DbConn,
    entity_type: &str,
    ids: &[uuid::Uuid],
) -> Result<Vec<String>, ApiError> {
    if entity_type != "retrofit_case" {
        return Ok(Vec::new());
    }
    crate::kpi::employment::subject_rows(
        conn,
        format!(
            "SELECT DISTINCT household_key AS subject FROM retrofit_cases WHERE id IN {}",
            id_list(ids)
        ),
    )
}

fn case_sql(area: &str, year: i32) -> String {
    let within = in_area(area);
    let count = |cond: &str| {
        format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT)")
    };
    format!(
        "SELECT c.county_code AS county,
            {} AS inspected,
            {} AS first_pass,
            {} AS not_eligible,
            {} AS declined,
            {} AS referred,
            {} AS relocated
         FROM retrofit_cases c
         WHERE c.year = {year} AND c.deleted_at IS NULL AND {within}
         GROUP BY c.county_code",
        count("c.acceptance_rounds > 0"),
        count("c.acceptance_rounds > 0 AND c.first_pass = TRUE"),
        count("c.status = 'not_eligible'"),
        count("c.status = 'declined'"),
        count("c.status = 'referred'"),
        count("c.status = 'relocated'"),
    )
}

fn add(r: &mut Ratio, num: i64, den: i64) {
    r.num = r.num.saturating_add(num);
    r.den = r.den.saturating_add(den);
}

/// The numbers of `unit` (province, city or county) and its children for `year`.
pub fn retrofits(
    conn: &mut DbConn,
    scope: &Scope,
    unit: &str,
    year: i32,
) -> Result<RetrofitKpi, ApiError> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
    }
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !scope.covers_region(&region) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let cap = crate::retrofit::items::cap_of(conn, year)?;
    let mut by_county: BTreeMap<String, RetrofitKpiRow> = BTreeMap::new();
    let households: Vec<HouseholdFacts> =
        diesel::sql_query(household_sql(&region, year, cap)).load(conn)?;
    for f in households {
        let r = by_county.entry(f.county).or_default();
        add(&mut r.coverage, f.done, f.need);
        r.households_done += f.done;
        r.cost_fen = r.cost_fen.saturating_add(f.cost);
        r.cap_fen = r
            .cap_fen
            .saturating_add(cap.unwrap_or(0).saturating_mul(f.done));
        r.over_cap += f.over_cap;
        add(&mut r.with_dilapidated_housing, f.dilapidated, f.done);
        add(&mut r.with_relocation, f.relocation, f.done);
    }
    let cases: Vec<CaseFacts> = diesel::sql_query(case_sql(&region, year)).load(conn)?;
    for f in cases {
        let r = by_county.entry(f.county).or_default();
        add(&mut r.first_pass, f.first_pass, f.inspected);
        r.not_eligible += f.not_eligible;
        r.declined += f.declined;
        r.referred += f.referred;
        r.relocated += f.relocated;
    }
    let row = |code: &str, name: String| -> RetrofitKpiRow {
        let mut t = RetrofitKpiRow {
            unit_code: code.to_owned(),
            unit_name: name,
            ..Default::default()
        };
        for f in by_county
            .iter()
            .filter(|(c, _)| c.starts_with(code))
            .map(|(_, f)| f)
        {
            add(&mut t.coverage, f.coverage.num, f.coverage.den);
            t.households_done += f.households_done;
            t.cost_fen = t.cost_fen.saturating_add(f.cost_fen);
            t.cap_fen = t.cap_fen.saturating_add(f.cap_fen);
            t.over_cap += f.over_cap;
            add(&mut t.first_pass, f.first_pass.num, f.first_pass.den);
            add(
                &mut t.with_dilapidated_housing,
                f.with_dilapidated_housing.num,
                f.with_dilapidated_housing.den,
            );
            add(
                &mut t.with_relocation,
                f.with_relocation.num,
                f.with_relocation.den,
            );
            t.not_eligible += f.not_eligible;
            t.declined += f.declined;
            t.referred += f.referred;
            t.relocated += f.relocated;
        }
        t
    };
    let (region_name, children) = super::units_below(conn, &region)?;
    Ok(RetrofitKpi {
        year,
        cap_fen: cap,
        total: row(&region, region_name),
        children: children
            .into_iter()
            .map(|(code, name)| row(&code, name))
            .collect(),
    })
}

#[derive(Debug, QueryableByName)]
struct CoverageCase {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = diesel::sql_types::Date)]
    identified_on: chrono::NaiveDate,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    id_masked: Option<String>,
}

/// The cases behind the coverage of `region` (a validated region code) for `year`:
/// those with a verified need that did not leave by an exit, or done; in id order after
/// `after`, at most `limit`; the household's first member masked. For the plan layer's
/// records behind a figure (coverage counts households; a household with two cases
/// lists both).
pub fn coverage_records(
    conn: &mut DbConn,
    region: &str,
    year: i32,
    after: Option<uuid::Uuid>,
    limit: i64,
) -> Result<Vec<shared::plan::FigureRecord>, ApiError> {
    if !(2000..=2100).contains(&year) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let within = in_area(region);
    let after = after.map_or_else(String::new, |a| format!("AND c.id > '{a}'"));
    let sql = format!(
        "SELECT c.id AS id, c.county_code AS county, c.identified_on AS identified_on,
            c.status AS status,
            (SELECT p.name FROM retrofit_case_members m JOIN persons p ON p.id = m.person_id
             WHERE m.case_id = c.id ORDER BY m.position LIMIT 1) AS name,
            (SELECT p.id_number_masked FROM retrofit_case_members m JOIN persons p ON p.id = m.person_id
             WHERE m.case_id = c.id ORDER BY m.position LIMIT 1) AS id_masked
         FROM retrofit_cases c
         WHERE c.year = {year} AND c.deleted_at IS NULL AND {within} {after}
           AND ((c.visited_on IS NOT NULL AND c.need_verified = TRUE AND c.status NOT IN ({EXITS}))
             OR c.status IN ({DONE}))
         ORDER BY c.id LIMIT {limit}"
    );
    let rows: Vec<CoverageCase> = diesel::sql_query(sql).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| shared::plan::FigureRecord {
            in_numerator: matches!(r.status.as_str(), "accepted" | "archived"),
            id: r.id,
            kind: "retrofit_case".into(),
            county_code: r.county,
            date: Some(r.identified_on),
            label: r.status,
            person_masked: r.name.as_deref().map(shared::mask::mask_name),
            id_number_masked: r.id_masked,
            amount_fen: None,
        })
        .collect())
}
