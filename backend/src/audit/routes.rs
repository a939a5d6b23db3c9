//! `GET /api/v1/audit`.

use actix_web::web;
use shared::api::{AuditEntry, AuditQuery, Page};
use shared::auth::Capability;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::Query;
use crate::pagination::Paging;
use crate::state::AppState;

/// Reads the audit log within the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 401, body = shared::api::Problem), (status = 403, body = shared::api::Problem)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    user.require(Capability::ReadAudit)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after, scope) = (paging.fetch(), paging.after.clone(), user.scope.clone());
    let items = state
        .db(move |conn| crate::audit::list(conn, &scope, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |e| e.id.to_string())))
}
