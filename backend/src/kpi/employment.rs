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
