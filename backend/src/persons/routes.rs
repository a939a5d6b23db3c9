//! `/api/v1/persons`: search, create, read, update, delete, reveal.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::person::{
    Person, PersonCreate, PersonInput, PersonItem, PersonQuery, PersonUpdate, RevealRequest,
    RevealResponse,
};
use uuid::Uuid;

use super::queries::{self, Created};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::{limit_of, Cursor};
use crate::state::AppState;

/// Parses a body that flattens [`PersonInput`]: the input first, so that a bad field is
/// named, then the whole.
fn parse_flattened<T: serde::de::DeserializeOwned>(raw: serde_json::Value) -> Result<T, ApiError> {
    from_value::<PersonInput>(raw.clone())?;
    from_value::<T>(raw)
}

/// Searches the registry within the caller's scope. Identity numbers are not taken here
/// (a URL ends up in logs): search by number with `POST /api/v1/persons/search`.
#[utoipa::path(get, path = "/api/v1/persons", tag = "persons", params(PersonQuery),
    responses((status = 200, body = Page<PersonItem>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PersonQuery>,
) -> Result<web::Json<Page<PersonItem>>, ApiError> {
    if q.id_number.is_some() {
        return Err(ApiError::field(
            "id_number",
            "id_number_in_url",
            "send identity numbers in the body of POST /api/v1/persons/search, never in a URL",
        ));
    }
    search_in_scope(state, user, q).await
}

/// Searches the registry within the caller's scope, the filters (identity number
/// included) in the body.
#[utoipa::path(post, path = "/api/v1/persons/search", tag = "persons", request_body = PersonQuery,
    responses((status = 200, body = Page<PersonItem>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn search(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(q): Json<PersonQuery>,
) -> Result<web::Json<Page<PersonItem>>, ApiError> {
    search_in_scope(state, user, q).await
}

async fn search_in_scope(
    state: web::Data<AppState>,
    user: AuthUser,
    q: PersonQuery,
) -> Result<web::Json<Page<PersonItem>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    // A number that finds a person confirms it, and the masked number leaves few
    // candidates: searching by number is a reveal — for those who may reveal, audited.
    if q.id_number.is_some() {
        user.require(Capability::RevealIdNumber)?;
    }
    let limit = limit_of(q.limit)?;
    let after = Cursor::decode_opt(q.cursor.as_deref())?;
    let pii = state.pii.clone();
    let (items, next_cursor) = if q.id_number.is_some() {
        // Audited: on the primary.
        state
            .db(move |conn| {
                let page = queries::list(conn, &pii, &user.scope, &q, after, limit)?;
                queries::audit_number_search(conn, &user, &page.0)?;
                Ok(page)
            })
            .await?
    } else {
        // A plain list tolerates a little lag: the read replica, if there is one.
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                queries::list(conn, &pii, &user.scope, &q, after.clone(), limit)
            })
            .await?
    };
    Ok(web::Json(Page { items, next_cursor }))
}

/// Registers a person. With a client-chosen `id`, a retry of the same body answers the
/// existing record (200) and a different body 409.
#[utoipa::path(post, path = "/api/v1/persons", tag = "persons", request_body = PersonCreate,
    responses((status = 201, body = Person), (status = 200, description = "retry of an earlier create", body = Person),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WritePersons)?;
    let body = parse_flattened::<PersonCreate>(raw)?;
    let pii = state.pii.clone();
    Ok(
        match state
            .db(move |conn| queries::create(conn, &pii, &user, &body))
            .await?
        {
            Created::New(p) => HttpResponse::Created()
                .insert_header((header::LOCATION, format!("/api/v1/persons/{}", p.id)))
                .insert_header(etag(&p))
                .json(p),
            Created::Existing(p) => HttpResponse::Ok().insert_header(etag(&p)).json(p),
        },
    )
}

fn etag(p: &Person) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{}\"", p.version))
}

/// One person, if in the caller's scope.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons", params(("id" = Uuid, Path, description = "person id")),
    responses((status = 200, body = Person), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ReadPersons)?;
    let id = path.into_inner();
    let p = state
        .db(move |conn| queries::get(conn, &user.scope, id)?.to_api())
        .await?;
    Ok(HttpResponse::Ok().insert_header(etag(&p)).json(p))
}

/// Replaces a person's entry; the version (body or `If-Match`) must be current.
#[utoipa::path(put, path = "/api/v1/persons/{id}", tag = "persons", params(("id" = Uuid, Path, description = "person id")),
    request_body = PersonUpdate,
    responses((status = 200, body = Person), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WritePersons)?;
    let body = parse_flattened::<PersonUpdate>(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    let pii = state.pii.clone();
    let p = state
        .db(move |conn| queries::update(conn, &pii, &user, id, version, &body.fields))
        .await?;
    Ok(HttpResponse::Ok().insert_header(etag(&p)).json(p))
}

/// Query of `DELETE /api/v1/persons/{id}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// The version last seen (or send `If-Match`).
    pub version: Option<i64>,
}

/// Deletes a person's entry (kept as a tombstone); the version must be current.
#[utoipa::path(delete, path = "/api/v1/persons/{id}", tag = "persons", params(("id" = Uuid, Path, description = "person id"), DeleteQuery),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WritePersons)?;
    let version = crate::extract::version_of(q.version, &req)?;
    let id = path.into_inner();
    state
        .db(move |conn| queries::delete(conn, &user, id, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Shows a person's full identity and certificate numbers; the reason is audited.
#[utoipa::path(post, path = "/api/v1/persons/{id}/reveal", tag = "persons", params(("id" = Uuid, Path, description = "person id")),
    request_body = RevealRequest,
    responses((status = 200, body = RevealResponse), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn reveal(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<RevealRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::RevealIdNumber)?;
    let reason = body.validate()?;
    let id = path.into_inner();
    let pii = state.pii.clone();
    let r = state
        .db(move |conn| queries::reveal(conn, &pii, &user, id, &reason))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(r))
}
