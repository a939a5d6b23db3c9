//! `/api/v1/certificates` and `/api/v1/persons/{id}/certificates`.

use actix_web::{web, HttpResponse};
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::certificates::{
    Certificate, CertificateApply, CertificateCheck, CertificateDecide, CheckQuery,
};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Records an application for a disability certificate (first issue or renewal).
#[utoipa::path(post, path = "/api/v1/certificates", tag = "certificates", request_body = CertificateApply,
    responses((status = 201, body = Certificate), (status = 200, description = "retry of an earlier create", body = Certificate),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn apply(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<CertificateApply>,
) -> Result<HttpResponse, ApiError> {
    let pii = state.pii.clone();
    let (created, cert) = state
        .db(move |conn| super::apply(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/certificates/{}", cert.id),
        &cert,
    ))
}

/// Records the assessment's outcome: issued (for the registry's category and level,
/// fee waived or not) or refused.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/decide", tag = "certificates",
    params(("id" = Uuid, Path, description = "application id")), request_body = CertificateDecide,
    responses((status = 200, body = Certificate), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn decide(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<CertificateDecide>,
) -> Result<web::Json<Certificate>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| super::decide(conn, &user, id, &body))
            .await?,
    ))
}

/// A person's certificate applications and certificates, newest first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/certificates", tag = "certificates",
    params(("id" = Uuid, Path, description = "person id")),
    responses((status = 200, body = Vec<Certificate>), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn of_person(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<Certificate>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| super::of_person(conn, &user.scope, id))
            .await?,
    ))
}

/// Registered-poor persons of the caller's area whose certificate is missing, expired
/// or at odds with the registry.
#[utoipa::path(get, path = "/api/v1/certificates/checks", tag = "certificates", params(CheckQuery),
    responses((status = 200, body = Page<CertificateCheck>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn checks(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<CheckQuery>,
) -> Result<web::Json<Page<CertificateCheck>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                super::checks(conn, &user.scope, &q)
            })
            .await?,
    ))
}
