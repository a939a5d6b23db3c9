//! Measure 9's numbers for a programme year, per unit, summed county → city →
//! province.
//!
//! - *Persons served*: distinct registered-poor persons whose days of care in the year,
//!   added up over all their placements (a change of mode or provider is one person
//!   whose days add up), reach the year's threshold (`care_settings`, 30 days unless
//!   set otherwise). A person whose care ended in the year — died, moved, back to the
//!   family — still counts once they reached it; their registry entry may be closed
//!   since, so it is not required to be live.
//! - Days of care are read from each placement's history: from the day it became active
//!   (activated, resumed, or opened by a transfer) up to, not including, the day it was
//!   suspended or ended; a placement still active counts up to and including today;
//!   every period is clipped to the year.
//! - *By mode*: a served person counts under **each** mode in which they had days of care
//!   in the year, so the modes may add up to more than the total; the total counts each
//!   person once.
//! - A person counts in one county: that of their latest placement of the year (by start
//!   day), so that the counties add up exactly to their city and the province. Below the
//!   province only placements kept inside the area are read.
//! - *Below threshold*: registered-poor persons with some days of care, too few.
//! - *Targets* come from `care_targets` per year and unit (the province's 3,000 and the
//!   split the province sets for cities and counties); a unit without a row has none.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use shared::care::{days_in_year, CareKpi, CareKpiRow, CareMode, DEFAULT_SERVED_DAYS};

use crate::auth::Scope;
use crate::db::schema::{care_settings, care_targets};
use crate::db::{today, DbConn};
use crate::error::ApiError;
use crate::plan::aggregates::{id_list, Atom, Subjects};

#[derive(Debug, QueryableByName)]
struct PlacementFact {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    person_id: String,
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = Text)]
    mode: String,
    #[diesel(sql_type = Date)]
    start_on: NaiveDate,
}

#[derive(Debug, QueryableByName)]
struct EventFact {
    #[diesel(sql_type = Text)]
    placement_id: String,
    #[diesel(sql_type = Date)]
    effective_on: NaiveDate,
    #[diesel(sql_type = Text)]
    to_status: String,
}

#[derive(Debug, QueryableByName)]
struct OpenFact {
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The condition keeping the placements of `area` (a validated region code).
fn in_area(area: &str) -> String {
    match area.len() {
        6 => format!("c.county_code = '{area}'"),
        4 => format!("c.city_code = '{area}'"),
        _ => format!("c.county_code LIKE '{area}%'"),
    }
}

/// The placements that may give days of care in `year`: live, once in force, of
/// registered-poor persons, begun by the year's end and not ended before it began.
fn placements_sql(area: &str, year: i32, only: Subjects<'_>) -> String {
    let within = in_area(area);
    let only = only.filter("c.person_id");
    format!(
        "SELECT c.id AS id, c.person_id AS person_id, c.county_code AS county, c.mode AS mode,
            c.start_on AS start_on
         FROM care_placements c JOIN persons p ON p.id = c.person_id
         WHERE c.deleted_at IS NULL AND p.registered_poor = TRUE AND {within} {only}
           AND c.status IN ('active', 'suspended', 'ended')
           AND c.start_on <= '{year}-12-31'
           AND (c.end_on IS NULL OR c.end_on >= '{year}-01-01')"
    )
}

/// The care-clock steps of those placements, in order.
fn events_sql(area: &str, year: i32, only: Subjects<'_>) -> String {
    format!(
        "SELECT e.placement_id AS placement_id, e.effective_on AS effective_on,
            e.to_status AS to_status
         FROM care_placement_events e JOIN ({}) c ON c.id = e.placement_id
         WHERE e.to_status IN ('active', 'suspended', 'ended')
         ORDER BY e.placement_id, e.effective_on, e.id",
        placements_sql(area, year, only)
    )
}

/// Placements in force now, by county.
fn open_sql(area: &str) -> String {
    let within = in_area(area);
    format!(
        "SELECT c.county_code AS county, CAST(COUNT(*) AS BIGINT) AS n
         FROM care_placements c
         WHERE c.deleted_at IS NULL AND c.status IN ('active', 'suspended') AND {within}
         GROUP BY c.county_code"
    )
}

/// Days of care in `year` of one placement's steps (in order), counting an active
/// period still open up to and including `today`.
fn placement_days(steps: &[(NaiveDate, String)], year: i32, today: NaiveDate) -> i64 {
    let mut total: i64 = 0;
    let mut since: Option<NaiveDate> = None;
    for (on, to) in steps {
        match (to.as_str(), since) {
            ("active", None) => since = Some(*on),
            ("active", Some(_)) => {}
            (_, Some(start)) => {
                total = total.saturating_add(days_in_year(start, *on, year));
                since = None;
            }
            (_, None) => {}
        }
    }
    if let Some(start) = since {
        let until = today.succ_opt().unwrap_or(today);
        total = total.saturating_add(days_in_year(start, until, year));
    }
    total
}

/// What one person's care in the year comes to.
#[derive(Default)]
struct PersonCare {
    days: i64,
    modes: BTreeSet<CareMode>,
    /// (start day, placement id, county) of the latest placement: where they count.
    latest: Option<(NaiveDate, String, String)>,
    /// Whether a placement is still active, so that the days grow with the calendar.
    open: bool,
}

/// The day count that makes a person served in `year`.
pub fn threshold(conn: &mut DbConn, year: i32) -> Result<i32, ApiError> {
    Ok(care_settings::table
        .find(year)
        .select(care_settings::served_days)
        .first(conn)
        .optional()?
        .unwrap_or(DEFAULT_SERVED_DAYS))
}

/// Each registered-poor person's care in `year` inside `region` (a validated region
/// code): days, modes, and the latest placement (where they count).
fn people(
    conn: &mut DbConn,
    region: &str,
    year: i32,
    only: Subjects<'_>,
) -> Result<HashMap<String, PersonCare>, ApiError> {
    let placements: Vec<PlacementFact> =
        diesel::sql_query(placements_sql(region, year, only)).load(conn)?;
    let events: Vec<EventFact> = diesel::sql_query(events_sql(region, year, only)).load(conn)?;
    let mut steps: HashMap<String, Vec<(NaiveDate, String)>> = HashMap::new();
    for e in events {
        steps
            .entry(e.placement_id)
            .or_default()
            .push((e.effective_on, e.to_status));
    }
    let today = today();
    let mut people: HashMap<String, PersonCare> = HashMap::new();
    for p in placements {
        let own = steps.get(&p.id);
        let days = own.map_or(0, |s| placement_days(s, year, today));
        let person = people.entry(p.person_id).or_default();
        person.open |= own
            .and_then(|s| s.last())
            .is_some_and(|(_, to)| to == "active");
        person.days = person.days.saturating_add(days);
        if days > 0 {
            person.modes.insert(crate::db::code(&p.mode)?);
        }
        let key = (p.start_on, p.id, p.county);
        if person
            .latest
            .as_ref()
            .is_none_or(|l| (l.0, &l.1) < (key.0, &key.1))
        {
            person.latest = Some(key);
        }
    }
    Ok(people)
}

/// The persons behind "persons served" of `region` for `year` (those with days of care,
/// in the county where they count), in person id order after `after`, at most `limit`;
/// names and identity numbers masked; `in_numerator` when they reached the threshold.
/// For the plan layer's records behind a figure.
pub fn served_records(
    conn: &mut DbConn,
    region: &str,
    year: i32,
    after: Option<uuid::Uuid>,
    limit: i64,
) -> Result<Vec<shared::plan::FigureRecord>, ApiError> {
    use crate::db::schema::persons;
    if !(2000..=2100).contains(&year) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let threshold_days = i64::from(threshold(conn, year)?);
    let after = after.map(|a| a.to_string());
    let mut rows: Vec<(String, String, i64, NaiveDate)> =
        people(conn, region, year, Subjects::All)?
            .into_iter()
            .filter(|(_, c)| c.days > 0)
            .filter(|(id, _)| after.as_deref().is_none_or(|a| id.as_str() > a))
            .filter_map(|(id, c)| {
                c.latest
                    .map(|(start, _, county)| (id, county, c.days, start))
            })
            .collect();
    rows.sort();
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let names: HashMap<String, (String, String)> = persons::table
        .filter(persons::id.eq_any(&ids))
        .select((persons::id, persons::name, persons::id_number_masked))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, masked)| (id, (name, masked)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, county, days, start)| {
            let (name, masked) = names.get(&id).cloned().unwrap_or_default();
            shared::plan::FigureRecord {
                kind: "care_person".into(),
                county_code: county,
                date: Some(start),
                label: format!("{days}"),
                person_masked: Some(shared::mask::mask_name(&name)),
                id_number_masked: Some(masked),
                amount_fen: None,
                in_numerator: days >= threshold_days,
                id,
            }
        })
        .collect())
}

/// The atoms of "persons served" for the plan's aggregates: one per person (the
/// subject) and year in which they had days of care, in the county where they count,
/// with the rules of [`care`]. While a placement is still active and the person is
/// below the threshold, the days grow with the calendar alone: the atom holds until
/// today only.
pub fn served_atoms(conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
    #[derive(QueryableByName)]
    struct Span {
        #[diesel(sql_type = diesel::sql_types::Nullable<Date>)]
        first: Option<NaiveDate>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Date>)]
        last: Option<NaiveDate>,
    }
    let span: Span = diesel::sql_query(format!(
        "SELECT MIN(c.start_on) AS first, MAX(COALESCE(c.end_on, c.start_on)) AS last
         FROM care_placements c WHERE c.deleted_at IS NULL {}",
        subjects.filter("c.person_id")
    ))
    .get_result(conn)?;
    let (Some(first), Some(last)) = (span.first, span.last) else {
        return Ok(Vec::new());
    };
    let today = today();
    let years = first.year().max(2000)..=last.year().max(today.year()).min(2100);
    let mut atoms = Vec::new();
    for year in years {
        let threshold_days = i64::from(threshold(conn, year)?);
        for (person, care) in people(conn, "43", year, subjects)? {
            let Some((_, _, county)) = care.latest else {
                continue;
            };
            let served = care.days >= threshold_days;
            let moving = care.open && !served && year >= today.year();
            if care.days == 0 && !moving {
                continue;
            }
            atoms.push(Atom {
                subject: person,
                county,
                year,
                day: None,
                numerator: i64::from(served),
                denominator: 0,
                records: i64::from(care.days > 0),
                valid_until: moving.then_some(today),
            });
        }
    }
    Ok(atoms)
}

/// The persons whose care figures a write to `ids` of `entity_type` may change: a
/// placement's person (its steps are written with it), a person.
pub fn served_subjects(
    conn: &mut DbConn,
    entity_type: &str,
    ids: &[uuid::Uuid],
) -> Result<Vec<String>, ApiError> {
    match entity_type {
        "person" => Ok(ids.iter().map(ToString::to_string).collect()),
        "care_placement" => crate::kpi::employment::subject_rows(
            conn,
            format!(
                "SELECT DISTINCT person_id AS subject FROM care_placements WHERE id IN {}",
                id_list(ids)
            ),
        ),
        _ => Ok(Vec::new()),
    }
}

/// The numbers of `unit` (province, city or county) and its children for `year`.
pub fn care(conn: &mut DbConn, scope: &Scope, unit: &str, year: i32) -> Result<CareKpi, ApiError> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
    }
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !scope.covers_region(&region) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let threshold_days = threshold(conn, year)?;
    let people = people(conn, &region, year, Subjects::All)?;
    let mut by_county: BTreeMap<String, CareKpiRow> = BTreeMap::new();
    for care in people.values() {
        let Some((_, _, county)) = &care.latest else {
            continue;
        };
        if care.days == 0 {
            continue;
        }
        let r = by_county.entry(county.clone()).or_default();
        if care.days >= i64::from(threshold_days) {
            r.served += 1;
            for m in &care.modes {
                match m {
                    CareMode::Residential => r.residential += 1,
                    CareMode::DayCare => r.day_care += 1,
                    CareMode::HomeBased => r.home_based += 1,
                }
            }
        } else {
            r.below_threshold += 1;
        }
    }
    let open: Vec<OpenFact> = diesel::sql_query(open_sql(&region)).load(conn)?;
    for o in open {
        by_county.entry(o.county).or_default().open_placements += o.n;
    }
    let targets: HashMap<String, i64> = care_targets::table
        .filter(care_targets::year.eq(year))
        .select((care_targets::unit_code, care_targets::persons))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let row = |code: &str, name: String| -> CareKpiRow {
        let mut t = CareKpiRow {
            unit_code: code.to_owned(),
            unit_name: name,
            target: targets.get(code).copied(),
            ..Default::default()
        };
        for f in by_county
            .iter()
            .filter(|(c, _)| c.starts_with(code))
            .map(|(_, f)| f)
        {
            t.served = t.served.saturating_add(f.served);
            t.residential = t.residential.saturating_add(f.residential);
            t.day_care = t.day_care.saturating_add(f.day_care);
            t.home_based = t.home_based.saturating_add(f.home_based);
            t.below_threshold = t.below_threshold.saturating_add(f.below_threshold);
            t.open_placements = t.open_placements.saturating_add(f.open_placements);
        }
        t
    };
    let (region_name, children) = super::units_below(conn, &region)?;
    Ok(CareKpi {
        year,
        threshold_days,
        total: row(&region, region_name),
        children: children
            .into_iter()
            .map(|(code, name)| row(&code, name))
            .collect(),
    })
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, m, day).unwrap_or_default()
    }

    #[test]
    fn days_of_care_leave_out_suspensions() {
        let s = |v: &[(NaiveDate, &str)]| -> Vec<(NaiveDate, String)> {
            v.iter().map(|(d, t)| (*d, (*t).to_owned())).collect()
        };
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        // 1–11 March active, 11–21 suspended, 21–31 active, ended 31 March: 20 days.
        let steps = s(&[
            (d(3, 1), "active"),
            (d(3, 11), "suspended"),
            (d(3, 21), "active"),
            (d(3, 31), "ended"),
        ]);
        assert_eq!(placement_days(&steps, 2020, today), 20);
        // Still active: to the year's end (today is later), 1 Dec – 31 Dec inclusive.
        assert_eq!(placement_days(&s(&[(d(12, 1), "active")]), 2020, today), 31);
        // Another year gives nothing.
        assert_eq!(placement_days(&steps, 2021, today), 0);
    }
}
