//! `GET /api/v1/audit`.

use actix_web::web;
use shared::api::{AuditEntry, AuditQuery, Page};
use shared::auth::Capability;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::Query;
use crate::pagination::{limit_of, Cursor};
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
    let limit = limit_of(q.limit)?;
    let after = Cursor::decode_opt(q.cursor.as_deref())?;
    let scope = user.scope.clone();
    let mut items = state
        .db(move |conn| {
            crate::audit::list(
                conn,
                &scope,
                &q,
                after.as_ref().map(|c| c.id.as_str()),
                limit + 1,
            )
        })
        .await?;
    let next = Cursor::next_page(&mut items, limit, |e| Cursor {
        ts: None,
        id: e.id.to_string(),
    });
    Ok(web::Json(Page {
        items,
        next_cursor: next,
    }))
}
