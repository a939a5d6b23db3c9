//! The county lists that measures name, per programme year (`county_lists`).

use std::collections::BTreeSet;

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::duties::{CountyList, CountyListPut, CountyListView, MAX_LIST};
use shared::{FieldErrors, OrgUnitKind};
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{county_lists, org_units};
use crate::db::{write_tx, DbConn};
use crate::error::ApiError;

/// The counties on `list` in `year`.
pub fn counties(conn: &mut DbConn, year: i32, list: CountyList) -> Result<Vec<String>, ApiError> {
    Ok(county_lists::table
        .filter(county_lists::year.eq(year))
        .filter(county_lists::list.eq(list.as_str()))
        .order(county_lists::county_code.asc())
        .select(county_lists::county_code)
        .load(conn)?)
}

/// The list as the API shows it.
pub fn get(conn: &mut DbConn, year: i32, list: CountyList) -> Result<CountyListView, ApiError> {
    check_year(year)?;
    Ok(CountyListView {
        year,
        list,
        counties: counties(conn, year, list)?,
    })
}

fn check_year(year: i32) -> Result<(), ApiError> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(ApiError::field("year", "out_of_range", "2000 to 2100"))
    }
}

/// The audit id of a list: the same for every change of one year's list.
pub fn entity_id(year: i32, list: CountyList) -> Uuid {
    // "county" in ASCII, then the year and the list's position.
    let position = CountyList::ALL.iter().position(|l| *l == list).unwrap_or(0);
    Uuid::from_u128(
        (0x636f_756e_7479_u128 << 80)
            | (u128::from(year.unsigned_abs()) << 8)
            | u128::try_from(position).unwrap_or(0),
    )
}

/// Replaces the list of `year` (the province's poverty office, with a reason).
pub fn put(
    conn: &mut DbConn,
    user: &AuthUser,
    year: i32,
    list: CountyList,
    body: &CountyListPut,
) -> Result<CountyListView, ApiError> {
    user.require(Capability::ManagePlan)?;
    if user.scope != Scope::Province {
        return Err(ApiError::Forbidden(
            "only the province keeps the county lists".into(),
        ));
    }
    check_year(year)?;
    let mut errs = FieldErrors::new();
    if body.reason.trim().is_empty() {
        errs.add("reason", "required", "say why the list changes");
    } else {
        errs.check(
            "reason",
            shared::validation::validate_text(body.reason.trim(), 500),
        );
    }
    let wanted: BTreeSet<String> = body.counties.iter().map(|c| c.trim().to_owned()).collect();
    if wanted.len() != body.counties.len() {
        errs.add("counties", "duplicate", "each county once");
    }
    if wanted.len() > MAX_LIST {
        errs.add(
            "counties",
            "too_many",
            format!("at most {MAX_LIST} counties"),
        );
    }
    if errs.is_empty() {
        let known: BTreeSet<String> = org_units::table
            .filter(org_units::code.eq_any(&wanted))
            .filter(org_units::kind.eq(OrgUnitKind::County.as_str()))
            .select(org_units::code)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        if let Some(bad) = wanted.iter().find(|c| !known.contains(*c)) {
            errs.add(
                "counties",
                "unknown_county",
                format!(
                    "{} is not a county of Hunan",
                    bad.chars().take(12).collect::<String>()
                ),
            );
        }
    }
    if !errs.is_empty() {
        return Err(ApiError::Validation(errs.0));
    }
    write_tx(conn, |conn| {
        crate::db::advisory_lock(conn, &[format!("county_list:{year}:{}", list.as_str())])?;
        let before = counties(conn, year, list)?;
        diesel::delete(
            county_lists::table
                .filter(county_lists::year.eq(year))
                .filter(county_lists::list.eq(list.as_str())),
        )
        .execute(conn)?;
        for c in &wanted {
            diesel::insert_into(county_lists::table)
                .values((
                    county_lists::year.eq(year),
                    county_lists::list.eq(list.as_str()),
                    county_lists::county_code.eq(c),
                ))
                .execute(conn)?;
        }
        let after: Vec<String> = wanted.iter().cloned().collect();
        if before != after {
            audit::record(
                conn,
                Event {
                    actor: user,
                    action: AuditAction::Update,
                    entity_type: "county_list",
                    entity_id: entity_id(year, list),
                    owner_region: "43",
                    reason: Some(body.reason.trim()),
                    before: Some(
                        serde_json::json!({"year": year, "list": list, "counties": before}),
                    ),
                    after: Some(serde_json::json!({"year": year, "list": list, "counties": after})),
                },
            )?;
        }
        get(conn, year, list)
    })
}
