//! Measures 20 and 22, attachments 2 and 3: stationed supervision, unannounced
//! inspections and misconduct clues (see `shared::supervision`).
//!
//! - **Stationings** are kept by the poverty office (`manage_stationings`) and read by
//!   holders of `read_inspections` in scope (the stationed county sees who is there).
//!   The stationed leader writes the log too.
//! - **Inspections** are planned, recorded and filed by the provincial departments
//!   (`inspect`, each its own; the poverty office for any). A planned inspection is seen
//!   only by province-level readers; the inspected county and its city see it once
//!   filed. Filing opens the rectification items in its transaction.
//! - **Clues** are read by `read_clues` holders in scope (leaders, the poverty office)
//!   except the users of the implicated unit (and of the units under it) and the
//!   implicated user, who get 404; written by the poverty office (`write_clues`); every
//!   read is audited (action `reveal`, entity `clue`, at the province).

pub mod clues;
pub mod inspections;
pub mod routes;
pub mod stationings;

#[cfg(test)]
mod tests;

use diesel::prelude::*;
use shared::FieldErrors;
use uuid::Uuid;

use crate::db::schema::{org_units, users};
use crate::db::DbConn;
use crate::error::ApiError;

/// A county (its code, its city's code and its name) when `code` names one.
pub(crate) fn county(
    conn: &mut DbConn,
    code: &str,
) -> Result<Option<(String, String, String)>, ApiError> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let name: Option<String> = org_units::table
        .filter(org_units::code.eq(code))
        .filter(org_units::region_code.eq(code))
        .select(org_units::name)
        .first(conn)
        .optional()?;
    Ok(name.map(|n| (code.to_owned(), code[..4].to_owned(), n)))
}

/// Checks `field` names a county; answers its city.
pub(crate) fn check_county(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    field: &str,
    code: &str,
) -> Result<Option<String>, ApiError> {
    let found = county(conn, code)?;
    if found.is_none() {
        errs.add(field, "not_found", "no such county");
    }
    Ok(found.map(|(_, city, _)| city))
}

/// The name of a unit (empty when unknown).
pub(crate) fn unit_name(conn: &mut DbConn, code: &str) -> Result<String, ApiError> {
    Ok(org_units::table
        .find(code)
        .select(org_units::name)
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

/// Whether `code` is a department of the provincial DPF (`43.…`).
pub(crate) fn is_department(conn: &mut DbConn, code: &str) -> Result<bool, ApiError> {
    if !shared::supervision::is_department_code(code) {
        return Ok(false);
    }
    Ok(org_units::table
        .find(code)
        .select(org_units::code)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// A user's display name (empty when unknown).
pub(crate) fn user_name(conn: &mut DbConn, id: &str) -> Result<String, ApiError> {
    Ok(users::table
        .find(id)
        .select(users::display_name)
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

/// Checks that `field` names an enabled user of the provincial DPF (its own unit or a
/// department) who holds `role` (any role of the DPF's work when `None`).
pub(crate) fn check_provincial_user(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    field: &str,
    id: Uuid,
    role: Option<shared::auth::Role>,
) -> Result<(), ApiError> {
    let found: Option<(String, bool, String)> = users::table
        .find(id.to_string())
        .select((users::unit_code, users::disabled, users::roles))
        .first(conn)
        .optional()?;
    match found {
        None => errs.add(field, "not_found", "no such user"),
        Some((_, true, _)) => errs.add(field, "account_disabled", "the account is disabled"),
        Some((unit, false, roles)) => {
            let provincial = unit == "43" || unit.starts_with("43.");
            let roles = crate::users::queries::parse_roles(&roles)?;
            let holds = match role {
                Some(r) => roles.contains(&r),
                None => roles
                    .iter()
                    .any(|r| !matches!(r, shared::auth::Role::Admin | shared::auth::Role::Auditor)),
            };
            if !provincial || !holds {
                errs.add(
                    field,
                    "invalid_value",
                    match role {
                        Some(_) => "not a leader of the provincial DPF",
                        None => "not a cadre of the provincial DPF",
                    },
                );
            }
        }
    }
    Ok(())
}

/// Whom a picker of `GET /api/v1/supervision/people` offers.
#[derive(Debug, Clone, Copy, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeopleKind {
    /// The provincial DPF's leaders (stationings; `manage_stationings`).
    Leaders,
    /// Who may lead an inspection of the caller's department: its cadres and the
    /// provincial leaders (`inspect`).
    Inspectors,
}

/// Parameters of `GET /api/v1/supervision/people`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Leaders or inspectors.
    pub kind: PeopleKind,
    /// For inspectors: the department (the poverty office records for any; others for
    /// their own, the default).
    pub department: Option<String>,
}

/// The people a stationing's or an inspection's leader may be, by name.
pub fn people(
    conn: &mut DbConn,
    user: &crate::auth::AuthUser,
    q: &PeopleQuery,
) -> Result<Vec<crate::visits::pairings::CadreOption>, ApiError> {
    use shared::auth::{Capability, Role, PLAN_OFFICE};
    let department = match q.kind {
        PeopleKind::Leaders => {
            user.require(Capability::ManageStationings)?;
            None
        }
        PeopleKind::Inspectors => {
            user.require(Capability::Inspect)?;
            let d = q
                .department
                .clone()
                .unwrap_or_else(|| user.unit_code.clone());
            if !shared::supervision::is_department_code(&d) {
                return Err(ApiError::field(
                    "department",
                    "invalid_value",
                    "a department's code, such as 43.rights",
                ));
            }
            if d != user.unit_code && user.unit_code != PLAN_OFFICE {
                return Err(ApiError::Forbidden(
                    "you record your own department's inspections".into(),
                ));
            }
            Some(d)
        }
    };
    let rows: Vec<(String, String, String, String, String)> = users::table
        .inner_join(org_units::table)
        .filter(users::disabled.eq(false))
        .filter(users::unit_code.eq("43").or(users::unit_code.like("43.%")))
        .order((users::display_name.asc(), users::id.asc()))
        .select((
            users::id,
            users::display_name,
            users::unit_code,
            org_units::name,
            users::roles,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for (id, display_name, unit_code, unit_name, roles) in rows {
        let roles = crate::users::queries::parse_roles(&roles)?;
        let leader = roles.contains(&Role::Leader);
        let cadre = roles
            .iter()
            .any(|r| !matches!(r, Role::Admin | Role::Auditor));
        let fits = match &department {
            None => leader,
            Some(d) => leader || (cadre && unit_code == *d),
        };
        if fits {
            out.push(crate::visits::pairings::CadreOption {
                id: crate::db::uuid(&id)?,
                display_name,
                unit_code,
                unit_name,
            });
        }
    }
    Ok(out)
}
