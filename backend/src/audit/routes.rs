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
    responses((status = 200, body = Page<AuditEntry>), (status = 401, body = shared::api::Problem), (status = 403, body = shared::api::Problem),
        (status = 404, description = "`unit` is unknown or outside the caller's scope", body = shared::api::Problem),
        (status = 422, description = "A malformed filter, or `to` before `from`", body = shared::api::Problem)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    user.require(Capability::ReadAudit)?;
    crate::audit::check_query(&q)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after, scope) = (paging.fetch(), paging.after.clone(), user.scope.clone());
    let mut items = state
        .db(move |conn| crate::audit::list(conn, &scope, &q, after.as_deref(), fetch))
        .await?;
    // Auditing needs who did what to which record, not the person's data: a caller who
    // may not read persons sees which fields a person's change touched, not their values.
    if !user.can(Capability::ReadPersons) {
        for e in items.iter_mut().filter(|e| e.entity_type == "person") {
            let (before, after) = (e.before.take(), e.after.take());
            e.after = changed_fields(before.as_ref(), after.as_ref());
        }
    }
    Ok(web::Json(paging.page(items, |e| e.id.to_string())))
}

/// `{"changed": [field, …]}`: the keys whose values differ between two snapshots.
fn changed_fields(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Option<serde_json::Value> {
    let empty = serde_json::Map::new();
    let b = before.and_then(|v| v.as_object()).unwrap_or(&empty);
    let a = after.and_then(|v| v.as_object()).unwrap_or(&empty);
    if b.is_empty() && a.is_empty() {
        return None;
    }
    let mut keys: Vec<&String> = b
        .keys()
        .chain(a.keys())
        .filter(|k| b.get(*k) != a.get(*k))
        .collect();
    keys.sort();
    keys.dedup();
    Some(serde_json::json!({ "changed": keys }))
}
