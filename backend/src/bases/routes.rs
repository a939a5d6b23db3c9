//! `/api/v1/bases`.

use actix_web::{web, HttpResponse};
use shared::api::{Page, PageQuery, Problem};
use shared::auth::Capability;
use shared::employment::BaseInput;
pub use shared::employment::{Employee, EmployeeAdd};
use uuid::Uuid;

use super::queries::{self, Base, BaseCreate, BaseUpdate};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;

/// Bases in the caller's scope.
#[utoipa::path(get, path = "/api/v1/bases", tag = "employment", params(PageQuery),
    responses((status = 200, body = Page<Base>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PageQuery>,
) -> Result<web::Json<Page<Base>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| queries::list(conn, &user.scope, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |b| b.id.to_string())))
}

/// Registers a base in a county of the caller's area.
#[utoipa::path(post, path = "/api/v1/bases", tag = "employment", request_body = BaseCreate,
    responses((status = 201, body = Base), (status = 200, description = "retry of an earlier create", body = Base),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteLoans)?;
    from_value::<BaseInput>(raw.clone())?;
    let body: BaseCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, base) = state
        .db(move |conn| queries::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/bases/{}", base.id),
        &base,
    ))
}

/// One base.
#[utoipa::path(get, path = "/api/v1/bases/{id}", tag = "employment", params(("id" = Uuid, Path, description = "base id")),
    responses((status = 200, body = Base), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Base>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::get(conn, &user.scope, id))
            .await?,
    ))
}

/// Replaces a base's fields; the version must be current.
#[utoipa::path(put, path = "/api/v1/bases/{id}", tag = "employment", params(("id" = Uuid, Path, description = "base id")),
    request_body = BaseUpdate,
    responses((status = 200, body = Base), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Base>, ApiError> {
    user.require(Capability::WriteLoans)?;
    from_value::<BaseInput>(raw.clone())?;
    let body: BaseUpdate = from_value(raw)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::update(conn, &user, id, &body))
            .await?,
    ))
}

/// The disabled employees of a base.
#[utoipa::path(get, path = "/api/v1/bases/{id}/employees", tag = "employment", params(("id" = Uuid, Path, description = "base id")),
    responses((status = 200, body = Vec<Employee>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn employees(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<Employee>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let id = path.into_inner();
    let rows = state
        .db(move |conn| queries::employees(conn, &user.scope, id))
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(person_id, name, id_number)| Employee {
                person_id,
                name,
                id_number,
            })
            .collect(),
    ))
}

/// Links a registered person to a base.
#[utoipa::path(post, path = "/api/v1/bases/{id}/employees", tag = "employment", params(("id" = Uuid, Path, description = "base id")),
    request_body = EmployeeAdd,
    responses((status = 200, body = Base), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn add_employee(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<EmployeeAdd>,
) -> Result<web::Json<Base>, ApiError> {
    user.require(Capability::WriteLoans)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::add_employee(conn, &user, id, body.person_id))
            .await?,
    ))
}

/// Unlinks a person from a base.
#[utoipa::path(delete, path = "/api/v1/bases/{id}/employees/{person_id}", tag = "employment",
    params(("id" = Uuid, Path, description = "base id"), ("person_id" = Uuid, Path, description = "person id")),
    responses((status = 200, body = Base), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn remove_employee(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<Base>, ApiError> {
    user.require(Capability::WriteLoans)?;
    let (id, person) = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::remove_employee(conn, &user, id, person))
            .await?,
    ))
}
