//! `/api/v1/crosscheck`: eligibility rules, agency lists and the gaps they show.

use std::sync::{Arc, OnceLock};

use actix_web::{web, HttpResponse};
use shared::api::{Format, Page, Problem};
use shared::auth::Capability;
use shared::crosscheck::{
    AgencyList, ChangeQuery, Gap, GapQuery, GapSummary, ListChange, ListQuery, ListUpload, RuleSet,
    RuleSetPut, SummaryQuery,
};
use uuid::Uuid;

use super::{gaps, import, rules};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::state::AppState;

/// A programme year's eligibility rules (anyone who reads cross-checks).
#[utoipa::path(get, path = "/api/v1/crosscheck/rules/{year}", tag = "crosscheck",
    params(("year" = i32, Path, description = "programme year")),
    responses((status = 200, body = RuleSet), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn get_rules(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<i32>,
) -> Result<web::Json<RuleSet>, ApiError> {
    reader(&user)?;
    let year = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| rules::get(conn, year)).await?,
    ))
}

/// Replaces a programme year's eligibility rules (the provincial poverty office).
#[utoipa::path(put, path = "/api/v1/crosscheck/rules/{year}", tag = "crosscheck",
    params(("year" = i32, Path, description = "programme year")), request_body = RuleSetPut,
    responses((status = 200, body = RuleSet), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn put_rules(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<i32>,
    Json(body): Json<RuleSetPut>,
) -> Result<web::Json<RuleSet>, ApiError> {
    let year = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| rules::put(conn, &user, year, &body))
            .await?,
    ))
}

fn reader(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::ReadCrossChecks)
}

/// One list is imported at a time in a process: a list of a million rows takes a few
/// hundred megabytes while it is checked. The permit is owned by the work itself, so a
/// client that hangs up does not free it while its list is still being read.
fn import_gate() -> Arc<tokio::sync::Semaphore> {
    static GATE: OnceLock<Arc<tokio::sync::Semaphore>> = OnceLock::new();
    GATE.get_or_init(|| Arc::new(tokio::sync::Semaphore::new(1)))
        .clone()
}

/// How long an import waits for the one before it (429 after).
const IMPORT_WAIT_SECS: u64 = 60;

/// Reads the request body up to [`import::MAX_LIST_UPLOAD`] bytes (413 beyond): only
/// after the caller's capability and the import permit were checked.
async fn read_body(mut payload: web::Payload) -> Result<web::Bytes, ApiError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest {
            code: "bad_body",
            detail: format!("the upload broke off: {e}"),
        })?;
        if body.len() + chunk.len() > import::MAX_LIST_UPLOAD {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Imports another agency's list of recipients (XLSX or CSV: 身份证号, 姓名, 状态, and
/// optionally 项目, 期间, 发放地区) as a snapshot for an area of Hunan. Lists are
/// exchanged with the other agencies at the province (the poverty office imports
/// them). Every row is checked first: with any error nothing is written and the answer
/// lists the errors by row (`rows[N].column`, N the spreadsheet row). Identity numbers
/// are kept only as the registry's keyed hash and masked.
#[utoipa::path(post, path = "/api/v1/crosscheck/lists", tag = "crosscheck", params(ListUpload),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file"),
    responses((status = 201, body = AgencyList), (status = 200, description = "retry of an earlier upload", body = AgencyList),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)),
    security(("bearer" = [])))]
pub async fn import_list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<ListUpload>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ImportAgencyLists)?;
    // A list being imported is waited for a while, then the caller is told to retry.
    let wait = std::time::Duration::from_secs(IMPORT_WAIT_SECS);
    let Ok(Ok(permit)) = actix_web::rt::time::timeout(wait, import_gate().acquire_owned()).await
    else {
        return Err(ApiError::TooManyRequests { retry_after: 30 });
    };
    let checker = user.clone();
    let up = state
        .db(move |conn| import::upload(conn, &checker, &q))
        .await?;
    let body = read_body(payload).await?;
    let format = up.format.unwrap_or_else(|| sniff(&body));
    // A retry of an upload already written is answered before its rows are read.
    let (pii, checker, again) = (state.pii.clone(), user.clone(), up.clone());
    let (digest, body, done) = web::block(move || {
        let digest = import::digest(&pii, &again, &body);
        (digest, body, again)
    })
    .await?;
    let digest = digest?;
    let replayed = {
        let (digest, up) = (digest.clone(), done.clone());
        state
            .db(move |conn| import::replay(conn, &checker, &up, &digest))
            .await?
    };
    if let Some(done) = replayed {
        return Ok(crate::extract::created(false, location(&done), &done));
    }
    let up = done;
    let (table, permit) = web::block(move || {
        let table = crate::tabular::read_limited(
            &body,
            format,
            u32::try_from(shared::crosscheck::MAX_LIST_ROWS).unwrap_or(u32::MAX),
            import::MAX_LIST_COLUMNS,
        );
        (table, permit)
    })
    .await?;
    let table = table?;
    let pii = state.pii.clone();
    let (created, list) = state
        .db(move |conn| {
            let _permit = permit;
            let rows = import::check(conn, &pii, &up, &table)?;
            drop(table);
            let written = import::write(conn, &user, &up, &digest, &rows)?;
            if written.0 && rows.len() >= 10_000 {
                import::refresh_statistics(conn)?;
            }
            Ok(written)
        })
        .await?;
    Ok(crate::extract::created(created, location(&list), &list))
}

/// The format of an upload that does not say: an XLSX file is a zip (`PK`).
fn sniff(body: &[u8]) -> Format {
    if body.starts_with(b"PK") {
        Format::Xlsx
    } else {
        Format::Csv
    }
}

fn location(list: &AgencyList) -> String {
    format!("/api/v1/crosscheck/lists/{}", list.id)
}

/// The lists the caller sees: of their area, below it, or covering it.
#[utoipa::path(get, path = "/api/v1/crosscheck/lists", tag = "crosscheck", params(ListQuery),
    responses((status = 200, body = Vec<AgencyList>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_lists(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<ListQuery>,
) -> Result<web::Json<Vec<AgencyList>>, ApiError> {
    reader(&user)?;
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                super::lists(conn, &user.scope, &q)
            })
            .await?,
    ))
}

/// One list.
#[utoipa::path(get, path = "/api/v1/crosscheck/lists/{id}", tag = "crosscheck",
    params(("id" = Uuid, Path, description = "list id")),
    responses((status = 200, body = AgencyList), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_list(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<AgencyList>, ApiError> {
    reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| super::one(conn, &user.scope, id))
            .await?,
    ))
}

/// Who a list added, removed or changed against the list it follows, in the caller's
/// area.
#[utoipa::path(get, path = "/api/v1/crosscheck/lists/{id}/changes", tag = "crosscheck",
    params(("id" = Uuid, Path, description = "list id"), ChangeQuery),
    responses((status = 200, body = Page<ListChange>), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_changes(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Query(q): Query<ChangeQuery>,
) -> Result<web::Json<Page<ListChange>>, ApiError> {
    reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                super::changes(conn, &user.scope, id, &q)
            })
            .await?,
    ))
}

/// One page of one kind of gap of one scheme in a programme year, in the caller's
/// area.
#[utoipa::path(get, path = "/api/v1/crosscheck/gaps", tag = "crosscheck", params(GapQuery),
    responses((status = 200, body = Page<Gap>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_gaps(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<GapQuery>,
) -> Result<web::Json<Page<Gap>>, ApiError> {
    reader(&user)?;
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                gaps::page(conn, &user, &q)
            })
            .await?,
    ))
}

/// A programme year's gaps in the caller's area, in all and per unit below.
#[utoipa::path(get, path = "/api/v1/crosscheck/summary", tag = "crosscheck", params(SummaryQuery),
    responses((status = 200, body = GapSummary), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn summary(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<SummaryQuery>,
) -> Result<web::Json<GapSummary>, ApiError> {
    reader(&user)?;
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                gaps::summary(conn, &user, q.year, q.area.as_deref())
            })
            .await?,
    ))
}
