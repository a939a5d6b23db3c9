//! Measure 13's numbers for a programme year.
//!
//! Facts are gathered per county with one query each and rolled up in code. Distinct
//! persons trained are counted at each level from the (county, person) pairs, so a
//! person trained in two counties counts once for each county but once for their city
//! and once for the province.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::employment::{EmploymentKpi, EmploymentKpiRow, EnrolmentStatus, LoanStatus};

use crate::auth::Scope;
use crate::db::schema::{employment_bases, enrolments, loans, persons, training_courses};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::plan::aggregates::{id_list, Atom, AtomRow, Subjects};

#[derive(Debug, Default, Clone)]
struct Facts {
    courses: i64,
    enrolments: i64,
    committed: i64,
    disbursed: i64,
    bases: i64,
}

/// The numbers of `unit` (a region code: province, city or county) and its children.
pub fn employment(
    conn: &mut DbConn,
    scope: &Scope,
    unit: &str,
    year: i32,
) -> Result<EmploymentKpi, ApiError> {
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !scope.covers_region(&region) {
        return Err(ApiError::NotFound);
    }
    let area = Scope::from_region(&region).ok_or(ApiError::NotFound)?;

    let q = training_courses::table
        .filter(training_courses::deleted_at.is_null())
        .filter(training_courses::year.eq(year))
        .group_by(training_courses::county_code)
        .select((training_courses::county_code, diesel::dsl::count_star()))
        .into_boxed();
    let course_counts: Vec<(String, i64)> =
        crate::scope_filter!(q, &area, training_courses).load(conn)?;
    let q = enrolments::table
        .inner_join(training_courses::table)
        .filter(enrolments::deleted_at.is_null())
        .filter(training_courses::deleted_at.is_null())
        .filter(training_courses::year.eq(year))
        .filter(enrolments::status.ne(EnrolmentStatus::Dropped.as_str()))
        .group_by(enrolments::county_code)
        .select((enrolments::county_code, diesel::dsl::count_star()))
        .into_boxed();
    let enrolment_counts: Vec<(String, i64)> =
        crate::scope_filter!(q, &area, enrolments).load(conn)?;
    let trained: Vec<(String, String)> = crate::scope_filter!(
        enrolments::table
            .inner_join(training_courses::table)
            .inner_join(persons::table)
            .into_boxed(),
        &area,
        enrolments
    )
    .filter(enrolments::deleted_at.is_null())
    .filter(training_courses::deleted_at.is_null())
    .filter(training_courses::year.eq(year))
    .filter(enrolments::status.eq(EnrolmentStatus::Completed.as_str()))
    .filter(persons::registered_poor.eq(true))
    .select((enrolments::county_code, enrolments::person_id))
    .distinct()
    .load(conn)?;
    // Amounts are summed here: SUM(BIGINT) is NUMERIC on PostgreSQL, and there are few loans.
    let money: Vec<(String, Option<i64>, Option<i64>)> =
        crate::scope_filter!(loans::table.into_boxed(), &area, loans)
            .filter(loans::deleted_at.is_null())
            .filter(loans::year.eq(year))
            .filter(loans::status.eq_any([
                LoanStatus::Approved.as_str(),
                LoanStatus::Disbursed.as_str(),
            ]))
            .select((
                loans::county_code,
                loans::approved_fen,
                loans::disbursed_fen,
            ))
            .load(conn)?;
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31)
        .ok_or_else(|| ApiError::field("year", "out_of_range", "not a year"))?;
    let q = employment_bases::table
        .filter(employment_bases::deleted_at.is_null())
        .filter(employment_bases::recognised_on.le(year_end))
        .group_by(employment_bases::county_code)
        .select((employment_bases::county_code, diesel::dsl::count_star()))
        .into_boxed();
    let base_counts: Vec<(String, i64)> =
        crate::scope_filter!(q, &area, employment_bases).load(conn)?;

    let mut by_county: BTreeMap<String, Facts> = BTreeMap::new();
    for (c, n) in course_counts {
        by_county.entry(c).or_default().courses += n;
    }
    for (c, n) in enrolment_counts {
        by_county.entry(c).or_default().enrolments += n;
    }
    for (c, approved, disbursed) in money {
        let f = by_county.entry(c).or_default();
        f.committed += approved.unwrap_or(0);
        f.disbursed += disbursed.unwrap_or(0);
    }
    for (c, n) in base_counts {
        by_county.entry(c).or_default().bases += n;
    }

    let row = |code: &str| -> EmploymentKpiRow {
        let inside = |county: &str| county.starts_with(code) || code == "43";
        let mut r = EmploymentKpiRow {
            unit_code: code.to_owned(),
            ..Default::default()
        };
        for f in by_county.iter().filter(|(c, _)| inside(c)).map(|(_, f)| f) {
            r.courses += f.courses;
            r.enrolments += f.enrolments;
            r.subsidy_committed_fen += f.committed;
            r.subsidy_disbursed_fen += f.disbursed;
            r.bases += f.bases;
        }
        let persons: HashSet<&str> = trained
            .iter()
            .filter(|(c, _)| inside(c))
            .map(|(_, p)| p.as_str())
            .collect();
        r.persons_trained = i64::try_from(persons.len()).unwrap_or(i64::MAX);
        r
    };

    let (region_name, children) = super::units_below(conn, &region)?;
    let mut total = row(&region);
    total.unit_name = region_name;
    let children = children
        .into_iter()
        .map(|(code, name)| {
            let mut r = row(&code);
            r.unit_name = name;
            r
        })
        .collect();
    let targets = crate::loans::budget::year(conn, year)?.map(|(_, _, t)| t);
    Ok(EmploymentKpi {
        year,
        total,
        children,
        targets,
    })
}

// ---------------------------------------------------------------------------------------
// Measure 13's figures for the plan layer (`crate::plan::indicators`): the plan never
// names these tables, it asks here. Each function answers for a whole region with one
// grouped query; the caller rolls the rows up to the region and its children.
// ---------------------------------------------------------------------------------------

/// The condition keeping a table's rows inside `region` (a validated region code of
/// digits) by its county and city columns.
fn within_region(county: &str, city: &str, region: &str) -> String {
    match region.len() {
        6 => format!("{county} = '{region}'"),
        4 => format!("{city} = '{region}'"),
        _ => format!("{county} LIKE '{region}%'"),
    }
}

/// `AND day BETWEEN from AND to` for an optional date window.
fn within_days(day: &str, window: Option<(NaiveDate, NaiveDate)>) -> String {
    window.map_or_else(String::new, |(from, to)| {
        format!("AND {day} BETWEEN '{from}' AND '{to}'")
    })
}

fn checked_region(region: &str) -> Result<(), ApiError> {
    if region.starts_with("43")
        && matches!(region.len(), 2 | 4 | 6)
        && region.bytes().all(|b| b.is_ascii_digit())
    {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// One registered-poor person's completed training in one county in a year.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct TrainedFact {
    /// County of the enrolments.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub county: String,
    /// Person.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub person_id: String,
    /// The first completion (the enrolment's completion date, else the course's end).
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub day: NaiveDate,
    /// Completed enrolments behind it.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub enrolments: i64,
}

const TRAINED_FROM: &str = "FROM enrolments e
    JOIN training_courses c ON c.id = e.course_id
    JOIN persons p ON p.id = e.person_id";

/// What makes an enrolment count as "trained": completed, of a live course, by a
/// registered-poor person.
fn trained_rule() -> String {
    format!(
        "e.deleted_at IS NULL AND c.deleted_at IS NULL
           AND e.status = '{completed}' AND p.registered_poor = TRUE",
        completed = EnrolmentStatus::Completed.as_str(),
    )
}

fn trained_where(region: &str, year: i32, window: Option<(NaiveDate, NaiveDate)>) -> String {
    format!(
        "WHERE {rule} AND c.year = {year} AND {area} {days}",
        rule = trained_rule(),
        area = within_region("e.county_code", "e.city_code", region),
        days = within_days("COALESCE(e.completion_date, c.end_date)", window),
    )
}

/// The atoms of "registered-poor persons trained" for the plan's aggregates: one per
/// completed enrolment, its subject the person (counted once per unit), its day the
/// completion.
pub fn trained_atoms(conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
    let sql = format!(
        "SELECT e.person_id AS subject, e.county_code AS county, c.year AS year,
            COALESCE(e.completion_date, c.end_date) AS day,
            CAST(1 AS BIGINT) AS numerator, CAST(0 AS BIGINT) AS denominator,
            CAST(1 AS BIGINT) AS records
         {TRAINED_FROM} WHERE {rule} {only}",
        rule = trained_rule(),
        only = subjects.filter("e.person_id"),
    );
    let rows: Vec<AtomRow> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.into_iter().map(Atom::from).collect())
}

/// The persons whose training figures a write to `ids` of `entity_type` may change: an
/// enrolment's person, every person enrolled in a course, a person.
pub fn trained_subjects(
    conn: &mut DbConn,
    entity_type: &str,
    ids: &[uuid::Uuid],
) -> Result<Vec<String>, ApiError> {
    let sql = match entity_type {
        "person" => return Ok(ids.iter().map(ToString::to_string).collect()),
        "enrolment" => format!(
            "SELECT DISTINCT person_id AS subject FROM enrolments WHERE id IN {}",
            id_list(ids)
        ),
        "training_course" => format!(
            "SELECT DISTINCT person_id AS subject FROM enrolments WHERE course_id IN {}",
            id_list(ids)
        ),
        _ => return Ok(Vec::new()),
    };
    subject_rows(conn, sql)
}

/// The `subject` column of `sql`'s rows.
pub fn subject_rows(conn: &mut DbConn, sql: String) -> Result<Vec<String>, ApiError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        subject: String,
    }
    let rows: Vec<Row> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.into_iter().map(|r| r.subject).collect())
}

/// The (county, person) facts of the persons counted by "registered-poor persons
/// trained" (the same rule as [`employment`]'s `persons_trained`) in `region` for the
/// courses of `year`, completed within `window` if given: one grouped query.
pub fn trained_facts(
    conn: &mut DbConn,
    region: &str,
    year: i32,
    window: Option<(NaiveDate, NaiveDate)>,
) -> Result<Vec<TrainedFact>, ApiError> {
    checked_region(region)?;
    let sql = format!(
        "SELECT e.county_code AS county, e.person_id AS person_id,
            MIN(COALESCE(e.completion_date, c.end_date)) AS day,
            CAST(COUNT(*) AS BIGINT) AS enrolments
         {TRAINED_FROM} {where_}
         GROUP BY e.county_code, e.person_id",
        where_ = trained_where(region, year, window)
    );
    Ok(diesel::sql_query(sql).load(conn)?)
}

#[derive(Debug, QueryableByName)]
struct TrainedRecord {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    county: String,
    #[diesel(sql_type = diesel::sql_types::Date)]
    day: NaiveDate,
    #[diesel(sql_type = diesel::sql_types::Text)]
    label: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    id_masked: String,
}

/// The completed enrolments behind [`trained_facts`], in id order after `after` (an id
/// the caller has checked to be a UUID), at most `limit`; persons masked.
pub fn trained_records(
    conn: &mut DbConn,
    region: &str,
    year: i32,
    window: Option<(NaiveDate, NaiveDate)>,
    after: Option<uuid::Uuid>,
    limit: i64,
) -> Result<Vec<shared::plan::FigureRecord>, ApiError> {
    checked_region(region)?;
    let after = after.map_or_else(String::new, |a| format!("AND e.id > '{a}'"));
    let sql = format!(
        "SELECT e.id AS id, e.county_code AS county,
            COALESCE(e.completion_date, c.end_date) AS day, c.name AS label,
            p.name AS name, p.id_number_masked AS id_masked
         {TRAINED_FROM} {where_} {after}
         ORDER BY e.id LIMIT {limit}",
        where_ = trained_where(region, year, window)
    );
    let rows: Vec<TrainedRecord> = diesel::sql_query(sql).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| shared::plan::FigureRecord {
            id: r.id,
            kind: "enrolment".into(),
            county_code: r.county,
            date: Some(r.day),
            label: r.label,
            person_masked: Some(shared::mask::mask_name(&r.name)),
            id_number_masked: Some(r.id_masked),
            amount_fen: None,
            in_numerator: true,
        })
        .collect())
}

/// Loan subsidies committed (approved or paid) in one county, or on one day.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct CommittedFact {
    /// County (empty when grouped by day).
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub county: String,
    /// Day (the loan date; 1 Jan of the year when grouped by county).
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub day: NaiveDate,
    /// Approved subsidy in fen.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub fen: i64,
    /// Loans.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub loans: i64,
}

/// What makes a loan's subsidy committed: live, approved or paid.
fn committed_rule() -> String {
    format!(
        "l.deleted_at IS NULL AND l.status IN ('{a}', '{d}')",
        a = LoanStatus::Approved.as_str(),
        d = LoanStatus::Disbursed.as_str(),
    )
}

fn committed_where(region: &str, year: i32, window: Option<(NaiveDate, NaiveDate)>) -> String {
    format!(
        "WHERE {rule} AND l.year = {year} AND {area} {days}",
        rule = committed_rule(),
        area = within_region("l.county_code", "l.city_code", region),
        days = within_days("l.loan_date", window),
    )
}

/// The atoms of "loan interest subsidies committed" for the plan's aggregates: one per
/// loan (its subject), its approved subsidy in fen, its day the loan date.
pub fn committed_atoms(conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
    let sql = format!(
        "SELECT l.id AS subject, l.county_code AS county, l.year AS year, l.loan_date AS day,
            CAST(COALESCE(l.approved_fen, 0) AS BIGINT) AS numerator,
            CAST(0 AS BIGINT) AS denominator, CAST(1 AS BIGINT) AS records
         FROM loans l WHERE {rule} {only}",
        rule = committed_rule(),
        only = subjects.filter("l.id"),
    );
    let rows: Vec<AtomRow> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.into_iter().map(Atom::from).collect())
}

/// The loan interest subsidies committed (the approved amounts of approved and paid
/// loans, as [`employment`]'s `subsidy_committed_fen`) in `region` for `year`, per county
/// (`by_day` false) or per loan date (`by_day` true, for a series): one grouped query.
pub fn committed_facts(
    conn: &mut DbConn,
    region: &str,
    year: i32,
    window: Option<(NaiveDate, NaiveDate)>,
    by_day: bool,
) -> Result<Vec<CommittedFact>, ApiError> {
    checked_region(region)?;
    let (select, group) = if by_day {
        ("'' AS county, l.loan_date AS day", "l.loan_date")
    } else {
        (
            "l.county_code AS county, MIN(l.loan_date) AS day",
            "l.county_code",
        )
    };
    let sql = format!(
        "SELECT {select}, CAST(COALESCE(SUM(l.approved_fen), 0) AS BIGINT) AS fen,
            CAST(COUNT(*) AS BIGINT) AS loans
         FROM loans l {where_}
         GROUP BY {group}",
        where_ = committed_where(region, year, window)
    );
    Ok(diesel::sql_query(sql).load(conn)?)
}

#[derive(Debug, QueryableByName)]
struct CommittedRecord {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    county: String,
    #[diesel(sql_type = diesel::sql_types::Date)]
    day: NaiveDate,
    #[diesel(sql_type = diesel::sql_types::Text)]
    label: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    name: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    id_masked: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    fen: Option<i64>,
}

/// The loans behind [`committed_facts`], in id order after `after`, at most `limit`;
/// persons masked (a base's loan names no person).
pub fn committed_records(
    conn: &mut DbConn,
    region: &str,
    year: i32,
    window: Option<(NaiveDate, NaiveDate)>,
    after: Option<uuid::Uuid>,
    limit: i64,
) -> Result<Vec<shared::plan::FigureRecord>, ApiError> {
    checked_region(region)?;
    let after = after.map_or_else(String::new, |a| format!("AND l.id > '{a}'"));
    let sql = format!(
        "SELECT l.id AS id, l.county_code AS county, l.loan_date AS day, l.bank AS label,
            p.name AS name, p.id_number_masked AS id_masked, l.approved_fen AS fen
         FROM loans l LEFT JOIN persons p ON p.id = l.person_id
         {where_} {after}
         ORDER BY l.id LIMIT {limit}",
        where_ = committed_where(region, year, window)
    );
    let rows: Vec<CommittedRecord> = diesel::sql_query(sql).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| shared::plan::FigureRecord {
            id: r.id,
            kind: "loan".into(),
            county_code: r.county,
            date: Some(r.day),
            label: r.label,
            person_masked: r.name.as_deref().map(shared::mask::mask_name),
            id_number_masked: r.id_masked,
            amount_fen: r.fen,
            in_numerator: true,
        })
        .collect())
}
