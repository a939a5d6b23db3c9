//! `GET /api/v1/kpi/employment`.

use actix_web::web;
use serde::Deserialize;
use shared::api::Problem;
use shared::auth::Capability;
use shared::employment::EmploymentKpi;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

/// Parameters of the employment KPI.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// Programme year.
    pub year: i32,
    /// Unit code (province, city or county); default the caller's area.
    pub unit: Option<String>,
}

/// Measure 13 for a unit and its children: persons trained, enrolments, courses,
/// subsidy committed and paid, bases — with the province's targets.
#[utoipa::path(get, path = "/api/v1/kpi/employment", tag = "kpi", params(KpiQuery),
    responses((status = 200, body = EmploymentKpi), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn employment(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<KpiQuery>,
) -> Result<web::Json<EmploymentKpi>, ApiError> {
    user.require(Capability::ReadKpi)?;
    let unit = q.unit.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                super::employment::employment(conn, &user.scope, &unit, q.year)
            })
            .await?,
    ))
}
