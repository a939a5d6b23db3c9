//! Reads that tolerate a little lag (KPIs, dashboards, large lists) from a streaming
//! replica of PostgreSQL (`DATABASE_READ_URL`), and read-your-writes for everyone else.
//!
//! After a successful write request, [`remember_writes`] stores in the caller's session
//! where the primary's write-ahead log stands (`pg_current_wal_lsn()`). A read through
//! [`crate::state::AppState::read_db`] goes to the replica only if it has replayed at
//! least that far (`pg_last_wal_replay_lsn()`); otherwise, or when the replica cannot be
//! reached, it goes to the primary. Without a read replica nothing of this runs.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

use super::DbConn;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(QueryableByName)]
struct Fresh {
    #[diesel(sql_type = Bool)]
    fresh: bool,
}

/// Whether the replica behind `conn` has replayed the primary's log up to `lsn` (any
/// replica, when the session has not written). A database that is not a standby (no
/// replay position) counts as caught up.
pub fn caught_up(conn: &mut DbConn, lsn: Option<&str>) -> Result<bool, ApiError> {
    let (DbConn::Pg(pg), Some(lsn)) = (conn, lsn) else {
        return Ok(true);
    };
    Ok(
        diesel::sql_query("SELECT COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, TRUE) AS fresh")
            .bind::<Nullable<Text>, _>(Some(lsn))
            .get_result::<Fresh>(pg)?
            .fresh,
    )
}

/// Records in session `sid` where the primary's log stands now (after its write).
fn remember(conn: &mut DbConn, sid: &str) -> Result<(), ApiError> {
    if let DbConn::Pg(pg) = conn {
        diesel::sql_query(
            "UPDATE sessions SET write_lsn = pg_current_wal_lsn()::text WHERE id = $1",
        )
        .bind::<Text, _>(sid)
        .execute(pg)?;
    }
    // SQLite has no replicas: nothing to remember.
    Ok(())
}

/// Middleware: after a successful request that may have written (anything but GET,
/// HEAD and OPTIONS) by a logged-in caller, remembers where the primary's log stands in
/// the caller's session, before the answer leaves. Runs only with a read replica.
pub async fn remember_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .filter(|s| s.read_pool.is_some())
        .cloned();
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let session = match (&state, writes) {
        (Some(state), true) => crate::auth::bearer(req.request())
            .and_then(|token| state.jwt.verify(token).ok())
            .map(|claims| claims.sid.to_string()),
        _ => None,
    };
    let res = next.call(req).await?;
    if let (Some(state), Some(sid)) = (state, session) {
        if res.status().is_success() {
            if let Err(e) = state.db(move |conn| remember(conn, &sid)).await {
                tracing::warn!(error = %e, "remembering a session's last write failed");
            }
        }
    }
    Ok(res)
}
