//! Measure 6's numbers per unit: open items (driven to zero), overdue, closure rate,
//! reopen rate and the median days to close, rolled up county → city → province from
//! the items themselves (never by averaging rates). Duplicates are counted nowhere: the
//! item they were merged into counts once.
//!
//! - *items*: every live item not merged as a duplicate;
//! - *open*: items not closed; *overdue*: open items the county holds (open, assigned,
//!   rectifying, long-term) past their current deadline on the day counted;
//! - *closure rate*: closed ÷ items;
//! - *reopen rate*: items reopened at least once ÷ items ever closed (closed now, or
//!   reopened since);
//! - *median days to close*: of the closed items, days from the day the problem was
//!   found to the close-out (the mean of the two middle values for an even count).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::rectification::{
    is_overdue, RectificationKpi, RectificationKpiRow, RectificationStatus,
};

use crate::auth::Scope;
use crate::db::schema::rectification_items;
use crate::db::{code, DbConn};
use crate::error::ApiError;

/// The facts of one item that the KPIs need.
struct Facts {
    county: String,
    status: RectificationStatus,
    deadline: NaiveDate,
    found_on: NaiveDate,
    closed_at: Option<NaiveDateTime>,
    reopened: bool,
}

fn permille(num: i64, den: i64) -> Option<i64> {
    (den > 0).then(|| (num * 1000 + den / 2) / den)
}

/// The median of `v` (sorted here), none when empty.
pub fn median(v: &mut [i64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    })
}

fn row_of(code_: &str, name: String, facts: &[&Facts], today: NaiveDate) -> RectificationKpiRow {
    let mut r = RectificationKpiRow {
        unit_code: code_.to_owned(),
        unit_name: name,
        ..Default::default()
    };
    let mut days = Vec::new();
    let mut ever_closed = 0;
    for f in facts {
        r.items += 1;
        if f.status.is_open() {
            r.open += 1;
        }
        if is_overdue(f.status, f.deadline, today) {
            r.overdue += 1;
        }
        if f.status == RectificationStatus::Closed {
            r.closed += 1;
            if let Some(at) = f.closed_at {
                days.push((at.date() - f.found_on).num_days());
            }
        }
        if f.reopened {
            r.reopened += 1;
        }
        if f.status == RectificationStatus::Closed || f.reopened {
            ever_closed += 1;
        }
    }
    r.closure_rate_permille = permille(r.closed, r.items);
    r.reopen_rate_permille = permille(r.reopened, ever_closed);
    r.median_days_to_close = median(&mut days);
    r
}

/// The numbers of `unit` (province, city or county, inside `scope`) and its children,
/// counted on `today`.
pub fn rectification(
    conn: &mut DbConn,
    scope: &Scope,
    unit: &str,
    today: NaiveDate,
) -> Result<RectificationKpi, ApiError> {
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !scope.covers_region(&region) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    type Raw = (
        String,
        String,
        NaiveDate,
        NaiveDate,
        Option<NaiveDateTime>,
        i32,
    );
    let raw: Vec<Raw> = rectification_items::table
        .filter(rectification_items::deleted_at.is_null())
        .filter(rectification_items::county_code.like(format!("{region}%")))
        .filter(rectification_items::status.ne(RectificationStatus::Duplicate.as_str()))
        .select((
            rectification_items::county_code,
            rectification_items::status,
            rectification_items::deadline,
            rectification_items::found_on,
            rectification_items::closed_at,
            rectification_items::reopen_count,
        ))
        .load(conn)?;
    let facts: Vec<Facts> = raw
        .into_iter()
        .map(|(county, status, deadline, found_on, closed_at, reopens)| {
            Ok(Facts {
                county,
                status: code(&status)?,
                deadline,
                found_on,
                closed_at,
                reopened: reopens > 0,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    let of = |prefix: &str| -> Vec<&Facts> {
        facts
            .iter()
            .filter(|f| f.county.starts_with(prefix))
            .collect()
    };
    let (region_name, children) = crate::kpi::units_below(conn, &region)?;
    let mut by_child: BTreeMap<String, RectificationKpiRow> = BTreeMap::new();
    for (c, name) in children {
        let row = row_of(&c, name, &of(&c), today);
        by_child.insert(c, row);
    }
    Ok(RectificationKpi {
        area: region.clone(),
        as_of: today,
        total: row_of(&region, region_name, &of(&region), today),
        children: by_child.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5.0));
        assert_eq!(median(&mut [9, 1, 4]), Some(4.0));
        assert_eq!(median(&mut [10, 1, 4, 3]), Some(3.5));
    }
}
