//! `GET /api/v1/sync/persons`: the persons change feed (docs/SYNC.md).

use actix_web::web;
use shared::api::{PageQuery, Problem};
use shared::auth::Capability;
use shared::sync::PersonChanges;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::Query;
use crate::pagination::{limit_of, Cursor};
use crate::state::AppState;

/// The persons of the caller's scope changed after `cursor` (from the start without
/// one), each once, as it is now or as a tombstone (deleted, or moved out of the scope).
/// Keep the answer's `cursor` and ask again with it; `more` says to ask at once. No
/// change that commits later is ever skipped (docs/SYNC.md).
#[utoipa::path(get, path = "/api/v1/sync/persons", tag = "sync", params(PageQuery),
    responses((status = 200, body = PersonChanges), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn persons(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PageQuery>,
) -> Result<web::Json<PersonChanges>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let limit = limit_of(q.limit)?;
    let after = Cursor::decode_opt(q.cursor.as_deref())?;
    let scope = user.scope.clone();
    Ok(web::Json(
        state
            .db(move |conn| super::person_changes(conn, &scope, after, limit))
            .await?,
    ))
}
