//! Measure 4's numbers (attachment 1) on a day, per unit, summed county → city →
//! province.
//!
//! - *Cadres*: enabled users of the DPF units in the area holding a role of the DPF's
//!   work (not only admin or auditor; see [`crate::visits::pairings::is_cadre`]). A
//!   cadre counts where their unit is: a county's staff in the county, a city's staff
//!   in the city's own total only (not in any of its counties), the province's
//!   departments in the province's total.
//! - *Paired cadres*: of them, those with at least one live pairing in force on the day
//!   (anywhere: a provincial cadre is usually paired with a household in a county).
//! - *Households paired*: distinct persons with a live pairing in force on the day, in
//!   the household's county.
//! - *Households visited*: distinct persons with a live visit in the day's quarter, in
//!   the household's county.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::visits::{quarter_of, PairingKpi, PairingKpiRow};

use crate::auth::Scope;
use crate::db::schema::{org_units, pairings, users, visits};
use crate::db::DbConn;
use crate::error::ApiError;

/// The numbers of `unit` (province, city or county) and its children on `on`.
pub fn pairing(
    conn: &mut DbConn,
    scope: &Scope,
    unit: &str,
    on: NaiveDate,
) -> Result<PairingKpi, ApiError> {
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !scope.covers_region(&region) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let (quarter_from, quarter_to) = quarter_of(on);
    // Cadres, by the region of their unit.
    let regions: HashMap<String, String> = org_units::table
        .select((org_units::code, org_units::region_code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let accounts: Vec<(String, String, String)> = users::table
        .filter(users::disabled.eq(false))
        .select((users::id, users::unit_code, users::roles))
        .load(conn)?;
    let live: Vec<(String, String, String, NaiveDate, Option<NaiveDate>)> = pairings::table
        .filter(pairings::deleted_at.is_null())
        .filter(pairings::from_on.le(on))
        .filter(pairings::to_on.is_null().or(pairings::to_on.ge(on)))
        .select((
            pairings::cadre_id,
            pairings::person_id,
            pairings::county_code,
            pairings::from_on,
            pairings::to_on,
        ))
        .load(conn)?;
    let paired: HashSet<&str> = live.iter().map(|p| p.0.as_str()).collect();
    let mut cadres: Vec<(String, bool)> = Vec::new();
    for (id, unit, roles) in &accounts {
        let Some(r) = regions.get(unit) else { continue };
        if r.starts_with(&region) && crate::visits::pairings::is_cadre(roles) {
            cadres.push((r.clone(), paired.contains(id.as_str())));
        }
    }
    let households: BTreeSet<(String, String)> = live
        .iter()
        .filter(|p| p.2.starts_with(&region))
        .map(|p| (p.2.clone(), p.1.clone()))
        .collect();
    let visited: BTreeSet<(String, String)> = visits::table
        .inner_join(pairings::table)
        .filter(visits::deleted_at.is_null())
        .filter(visits::visited_on.ge(quarter_from))
        .filter(visits::visited_on.le(quarter_to))
        .filter(visits::county_code.like(format!("{region}%")))
        .select((visits::county_code, pairings::person_id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let row = |code: &str, name: String| -> PairingKpiRow {
        let mine = |c: &String| c.starts_with(code);
        PairingKpiRow {
            unit_code: code.to_owned(),
            unit_name: name,
            cadres: count(cadres.iter().filter(|c| mine(&c.0))),
            paired_cadres: count(cadres.iter().filter(|c| mine(&c.0) && c.1)),
            households_paired: count(households.iter().filter(|h| mine(&h.0))),
            households_visited: count(visited.iter().filter(|h| mine(&h.0))),
        }
    };
    let (region_name, children) = super::units_below(conn, &region)?;
    let children: BTreeMap<String, String> = children.into_iter().collect();
    Ok(PairingKpi {
        quarter_from,
        quarter_to,
        total: row(&region, region_name),
        children: children
            .into_iter()
            .map(|(code, name)| row(&code, name))
            .collect(),
    })
}

fn count<T>(it: impl Iterator<Item = T>) -> i64 {
    i64::try_from(it.count()).unwrap_or(i64::MAX)
}
