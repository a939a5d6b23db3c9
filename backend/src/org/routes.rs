//! `GET /api/v1/org-units` and the address look-ups.

use actix_web::web;
use serde::Deserialize;
use shared::api::{AddressEntry, OrgUnit, Problem};
use shared::AddressLevel;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

/// Filter of `GET /api/v1/org-units`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Only the children of this unit; without it, the whole tree (as a flat list).
    pub parent: Option<String>,
}

/// The org tree, or the children of one unit.
#[utoipa::path(get, path = "/api/v1/org-units", tag = "org", params(UnitQuery),
    responses((status = 200, body = Vec<OrgUnit>), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    _user: AuthUser,
    Query(q): Query<UnitQuery>,
) -> Result<web::Json<Vec<OrgUnit>>, ApiError> {
    Ok(web::Json(
        state
            .db(move |conn| super::queries::units(conn, q.parent.as_deref()))
            .await?,
    ))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/org-units/{code}", tag = "org", params(("code" = String, Path, description = "unit code")),
    responses((status = 200, body = OrgUnit), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    _user: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<OrgUnit>, ApiError> {
    let code = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| super::queries::unit(conn, &code))
            .await?,
    ))
}

/// Filter of `GET /api/v1/addresses`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddressQuery {
    /// A county code (lists its towns) or a town code (lists its villages).
    pub parent: String,
}

/// The towns of a county or the villages of a town.
#[utoipa::path(get, path = "/api/v1/addresses", tag = "org", params(AddressQuery),
    responses((status = 200, body = Vec<AddressEntry>), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn addresses(
    state: web::Data<AppState>,
    _user: AuthUser,
    Query(q): Query<AddressQuery>,
) -> Result<web::Json<Vec<AddressEntry>>, ApiError> {
    let level = match q.parent.len() {
        6 => AddressLevel::Town,
        9 => AddressLevel::Village,
        _ => {
            return Err(ApiError::field(
                "parent",
                "invalid_format",
                "give a 6-digit county or 9-digit town code",
            ))
        }
    };
    Ok(web::Json(
        state
            .db(move |conn| super::queries::addresses(conn, level, &q.parent))
            .await?,
    ))
}

/// One town or village.
#[utoipa::path(get, path = "/api/v1/addresses/{code}", tag = "org", params(("code" = String, Path, description = "9-digit town or 12-digit village code")),
    responses((status = 200, body = AddressEntry), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn address(
    state: web::Data<AppState>,
    _user: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<AddressEntry>, ApiError> {
    let code = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| super::queries::address(conn, &code))
            .await?,
    ))
}
