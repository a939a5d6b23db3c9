//! Measure 18's numbers for a year (petitions received in it), per unit. Petitioners are
//! counted by their `petitioner_key`, so one petitioner who wrote to the governor's
//! mailbox and called the county counts once; each row is counted over its own area
//! (never summed from the children), so a petitioner seen in two counties counts once
//! in their city as well.
//!
//! - *recorded*: petitions received in the year; *petitioners*: distinct petitioners;
//! - *answered*: petitioners whose every accepted petition has been replied to ÷
//!   petitioners with an accepted petition (a reopened petition awaits its new reply);
//! - *followed up*: petitioners whose every replied petition has been followed up ÷
//!   petitioners with a replied petition;
//! - *on time*: petitions replied by their reply deadline ÷ petitions replied;
//! - *overdue open*: petitions past their current deadline and still open on `as_of`
//!   (not accepted past the acceptance deadline, or awaiting a reply past the reply
//!   deadline).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use shared::petitions::{PetitionKpi, PetitionKpiRow};
use shared::rehab::Ratio;

use crate::auth::Scope;
use crate::db::DbConn;
use crate::error::ApiError;

#[derive(Debug, Default, Clone, QueryableByName)]
struct PetitionerFacts {
    #[diesel(sql_type = BigInt)]
    petitioners: i64,
    #[diesel(sql_type = BigInt)]
    accepted: i64,
    #[diesel(sql_type = BigInt)]
    answered: i64,
    #[diesel(sql_type = BigInt)]
    replied: i64,
    #[diesel(sql_type = BigInt)]
    followed_up: i64,
}

#[derive(Debug, Default, Clone, QueryableByName)]
struct CaseFacts {
    #[diesel(sql_type = BigInt)]
    recorded: i64,
    #[diesel(sql_type = BigInt)]
    replied: i64,
    #[diesel(sql_type = BigInt)]
    on_time: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
}

/// The condition keeping the petitions of `area` (a validated region code).
fn in_area(area: &str) -> String {
    match area.len() {
        6 => format!("p.county_code = '{area}'"),
        4 => format!("p.city_code = '{area}'"),
        _ => format!("p.county_code LIKE '{area}%'"),
    }
}

fn count(cond: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT)")
}

fn row_of(
    conn: &mut DbConn,
    area: &str,
    year: i32,
    day: NaiveDate,
    name: String,
) -> Result<PetitionKpiRow, ApiError> {
    let within = in_area(area);
    let people = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS petitioners,
            {} AS accepted, {} AS answered, {} AS replied, {} AS followed_up
         FROM (
            SELECT p.petitioner_key AS k,
                SUM(CASE WHEN p.accepted_on IS NOT NULL THEN 1 ELSE 0 END) AS acc,
                SUM(CASE WHEN p.accepted_on IS NOT NULL AND p.replied_on IS NOT NULL THEN 1 ELSE 0 END) AS ans,
                SUM(CASE WHEN p.replied_on IS NOT NULL THEN 1 ELSE 0 END) AS rep,
                SUM(CASE WHEN p.replied_on IS NOT NULL AND p.followed_up_on IS NOT NULL THEN 1 ELSE 0 END) AS fol
            FROM petitions p
            WHERE p.year = {year} AND p.deleted_at IS NULL AND {within}
            GROUP BY p.petitioner_key
         ) h",
        count("h.acc > 0"),
        count("h.acc > 0 AND h.ans = h.acc"),
        count("h.rep > 0"),
        count("h.rep > 0 AND h.fol = h.rep"),
    );
    let f: PetitionerFacts = diesel::sql_query(people).get_result(conn)?;
    let cases = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS recorded, {} AS replied, {} AS on_time, {} AS overdue
         FROM petitions p
         WHERE p.year = {year} AND p.deleted_at IS NULL AND {within}",
        count("p.replied_on IS NOT NULL"),
        count("p.replied_on IS NOT NULL AND p.replied_on <= p.reply_due"),
        // `day` is a date of ours, written as an ISO literal both databases compare.
        count(&format!(
            "(p.status = 'registered' AND p.accept_due < '{day}')
             OR (p.status IN ('accepted', 'assigned', 'in_progress') AND p.reply_due < '{day}')"
        )),
    );
    let c: CaseFacts = diesel::sql_query(cases).get_result(conn)?;
    Ok(PetitionKpiRow {
        unit_code: area.to_owned(),
        unit_name: name,
        recorded: c.recorded,
        petitioners: f.petitioners,
        answered: Ratio {
            num: f.answered,
            den: f.accepted,
        },
        followed_up: Ratio {
            num: f.followed_up,
            den: f.replied,
        },
        on_time: Ratio {
            num: c.on_time,
            den: c.replied,
        },
        overdue_open: c.overdue,
    })
}

/// The numbers of `unit` (province, city or county) and its children for `year`,
/// overdue counted on `day`.
pub fn petitions(
    conn: &mut DbConn,
    scope: &Scope,
    unit: &str,
    year: i32,
    day: NaiveDate,
) -> Result<PetitionKpi, ApiError> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
    }
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !scope.covers_region(&region) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let (region_name, children) = super::units_below(conn, &region)?;
    let total = row_of(conn, &region, year, day, region_name)?;
    let children = children
        .into_iter()
        .map(|(code, name)| row_of(conn, &code, year, day, name))
        .collect::<Result<_, _>>()?;
    Ok(PetitionKpi {
        year,
        as_of: day,
        total,
        children,
    })
}
