//! Queries on org units and address reference data.

use diesel::prelude::*;
use shared::api::{AddressEntry, OrgUnit};
use shared::{AddressLevel, FieldErrors};

use crate::db::schema::{org_units, towns, villages};
use crate::db::{code, DbConn};
use crate::error::ApiError;

type UnitRow = (String, String, Option<String>, String, Option<String>);

fn columns() -> (
    org_units::code,
    org_units::name,
    org_units::name_en,
    org_units::kind,
    org_units::parent_code,
) {
    (
        org_units::code,
        org_units::name,
        org_units::name_en,
        org_units::kind,
        org_units::parent_code,
    )
}

fn to_api(conn: &mut DbConn, rows: Vec<UnitRow>) -> Result<Vec<OrgUnit>, ApiError> {
    // One grouped count for all, instead of one query per unit.
    let codes: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let counts: Vec<(Option<String>, i64)> = org_units::table
        .filter(org_units::parent_code.eq_any(&codes))
        .group_by(org_units::parent_code)
        .select((org_units::parent_code, diesel::dsl::count_star()))
        .load(conn)?;
    rows.into_iter()
        .map(|(code_, name, name_en, kind, parent_code)| {
            let child_count = counts
                .iter()
                .find(|(p, _)| p.as_deref() == Some(code_.as_str()))
                .map_or(0, |c| c.1);
            Ok(OrgUnit {
                code: code_,
                name,
                name_en,
                kind: code(&kind)?,
                parent_code,
                child_count,
            })
        })
        .collect()
}

/// One unit by code.
pub fn unit(conn: &mut DbConn, unit_code: &str) -> Result<OrgUnit, ApiError> {
    let row: UnitRow = org_units::table
        .find(unit_code)
        .select(columns())
        .first(conn)?;
    to_api(conn, vec![row])?.pop().ok_or(ApiError::NotFound)
}

/// The children of a unit, or the whole tree when `parent` is `None`, by code.
pub fn units(conn: &mut DbConn, parent: Option<&str>) -> Result<Vec<OrgUnit>, ApiError> {
    let mut q = org_units::table
        .select(columns())
        .order(org_units::code.asc())
        .into_boxed();
    if let Some(p) = parent {
        q = q.filter(org_units::parent_code.eq(p.to_owned()));
    }
    let rows = q.load(conn)?;
    to_api(conn, rows)
}

/// The region code of a unit (a department's is its province's).
pub fn region_of(conn: &mut DbConn, unit_code: &str) -> Result<Option<String>, ApiError> {
    Ok(org_units::table
        .find(unit_code)
        .select(org_units::region_code)
        .first(conn)
        .optional()?)
}

/// The towns of a county, or the villages of a town.
pub fn addresses(
    conn: &mut DbConn,
    level: AddressLevel,
    parent: &str,
) -> Result<Vec<AddressEntry>, ApiError> {
    let rows: Vec<(String, String, String)> = match level {
        AddressLevel::Town => towns::table
            .filter(towns::county_code.eq(parent))
            .order(towns::code.asc())
            .select((towns::code, towns::name, towns::county_code))
            .load(conn)?,
        AddressLevel::Village => villages::table
            .filter(villages::town_code.eq(parent))
            .order(villages::code.asc())
            .select((villages::code, villages::name, villages::town_code))
            .load(conn)?,
    };
    Ok(rows
        .into_iter()
        .map(|(code, name, parent_code)| AddressEntry {
            code,
            name,
            parent_code,
            level,
        })
        .collect())
}

/// One town or village by code.
pub fn address(conn: &mut DbConn, address_code: &str) -> Result<AddressEntry, ApiError> {
    let (level, row): (AddressLevel, (String, String, String)) = match address_code.len() {
        9 => (
            AddressLevel::Town,
            towns::table
                .find(address_code)
                .select((towns::code, towns::name, towns::county_code))
                .first(conn)?,
        ),
        12 => (
            AddressLevel::Village,
            villages::table
                .find(address_code)
                .select((villages::code, villages::name, villages::town_code))
                .first(conn)?,
        ),
        _ => return Err(ApiError::NotFound),
    };
    Ok(AddressEntry {
        code: row.0,
        name: row.1,
        parent_code: row.2,
        level,
    })
}

/// Checks that a county is a county-level unit, and that town and village exist in it.
/// Returns the county's city code. Adds `unknown_code` field errors.
pub fn check_address(
    conn: &mut DbConn,
    county: &str,
    town: Option<&str>,
    village: Option<&str>,
    errs: &mut FieldErrors,
) -> Result<Option<String>, ApiError> {
    let city: Option<Option<String>> = org_units::table
        .filter(org_units::code.eq(county))
        .filter(org_units::kind.eq(shared::OrgUnitKind::County.as_str()))
        .select(org_units::parent_code)
        .first(conn)
        .optional()?;
    let Some(city) = city.flatten() else {
        errs.add(
            "county_code",
            "unknown_code",
            "no county-level unit has this code",
        );
        return Ok(None);
    };
    if let Some(t) = town {
        let found: i64 = towns::table
            .filter(towns::code.eq(t))
            .filter(towns::county_code.eq(county))
            .count()
            .get_result(conn)?;
        if found == 0 {
            errs.add(
                "town_code",
                "unknown_code",
                "no town of this county has this code",
            );
        }
    }
    if let (Some(t), Some(v)) = (town, village) {
        let found: i64 = villages::table
            .filter(villages::code.eq(v))
            .filter(villages::town_code.eq(t))
            .count()
            .get_result(conn)?;
        if found == 0 {
            errs.add(
                "village_code",
                "unknown_code",
                "no village of this town has this code",
            );
        }
    }
    Ok(Some(city))
}

/// The LIKE pattern of a `county` list filter: a 4-digit city or 6-digit county code
/// (422 `invalid_region` on the field `county` otherwise), matching its counties' codes.
pub fn area_pattern(area: &str) -> Result<String, ApiError> {
    if !(area.len() == 4 || area.len() == 6) || !area.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::field(
            "county",
            "invalid_region",
            "a 4-digit city or 6-digit county code",
        ));
    }
    Ok(format!("{area}%"))
}
