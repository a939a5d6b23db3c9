//! The one write protocol of every scoped, versioned, audited record (persons, users,
//! courses, enrolments, bases, loans and every later module).
//!
//! - **Create** takes an optional client-chosen id so that a retry over a bad network
//!   cannot make a duplicate. One rule: the same id with the same canonical body from the
//!   same creator, still live and in the caller's scope, answers the existing record
//!   (200); anything else with a taken id is 409 `id_conflict`. The body is remembered as
//!   a keyed digest ([`create_digest`]), never a plain hash of personal data.
//! - **Update and soft delete** carry the version the client saw; the version is part of
//!   the UPDATE's WHERE clause and 0 rows changed is 409 `stale_version` with nothing
//!   written ([`changed`]).
//! - The audit entry is written in the same transaction as the change (`write_tx` +
//!   [`crate::audit::record`]); snapshots go through [`crate::audit::redact`].
//! - Every read starts from the table's scoped `visible()` query: out of scope is 404.

use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::pii::Pii;

/// The keyed digest (HMAC-SHA256 under a key derived from the master key) of a create
/// request: the entity kind and the body in canonical JSON (object keys sorted).
pub fn create_digest(pii: &Pii, entity: &str, body: &impl Serialize) -> Result<String, ApiError> {
    // `serde_json::Value` keeps object keys sorted (no `preserve_order`), so equal bodies
    // give equal bytes whatever order the client sent their fields in.
    let canonical = serde_json::to_value(body).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(pii.digest(entity, canonical.to_string().as_bytes()))
}

/// What a create finds when its id is already taken.
#[derive(Debug, Clone, Copy)]
pub struct Existing<'a> {
    /// The digest stored by the create that made the record.
    pub create_hash: Option<&'a str>,
    /// Who created it (user id).
    pub created_by: &'a str,
    /// Whether it has been deleted since.
    pub deleted: bool,
    /// Whether it lies in the caller's scope.
    pub in_scope: bool,
}

/// The one idempotency rule: `Ok` when the create is a retry of the one that made
/// `existing` (answer the record with 200), else 409 `id_conflict`.
pub fn replay(existing: Existing<'_>, digest: &str, user: &AuthUser) -> Result<(), ApiError> {
    let same = existing.create_hash == Some(digest)
        && existing.created_by == user.id.to_string()
        && !existing.deleted
        && existing.in_scope;
    if same {
        Ok(())
    } else {
        Err(id_conflict())
    }
}

/// Serialises the creates that name the same client-chosen `id` (PostgreSQL; SQLite
/// has one writer at a time): call it in the create's transaction before looking the
/// id up.
pub fn lock_id(conn: &mut crate::db::DbConn, id: &uuid::Uuid) -> Result<(), ApiError> {
    crate::db::advisory_lock(conn, &[format!("create:{id}")])
}

/// 409: the client-chosen id names another record.
pub fn id_conflict() -> ApiError {
    ApiError::Conflict {
        code: "id_conflict",
        detail: "this id is already used by another record".into(),
    }
}

/// Checks the row count of a versioned UPDATE (`WHERE id = ? AND version = ?`): no row
/// means another writer came first, 409 `stale_version`; the caller's transaction then
/// rolls back, so nothing is written.
pub fn changed(rows: usize) -> Result<(), ApiError> {
    if rows == 0 {
        Err(ApiError::stale_version())
    } else {
        Ok(())
    }
}

/// Applies [`replay`] to the record of a scoped, soft-deleted table (`create_hash`,
/// `created_by`, `deleted_at`, `county_code`) that a create's client-chosen id names:
/// `Ok(true)` when the create is a retry (answer the stored record), `Ok(false)` when the
/// id is free, 409 otherwise.
#[macro_export]
macro_rules! replay_create {
    ($conn:expr, $table:ident, $id:expr, $digest:expr, $user:expr) => {{
        use diesel::prelude::*;
        use $crate::db::schema::$table;
        // Two sends of one create at once (a phone retrying over a slow network): the
        // second waits for the first to commit, then finds its record and replays it,
        // instead of failing on the primary key.
        $crate::record::lock_id($conn, &$id)?;
        let stored: Option<(Option<String>, String, bool, String)> = $table::table
            .find($id.to_string())
            .select((
                $table::create_hash,
                $table::created_by,
                $table::deleted_at.is_not_null(),
                $table::county_code,
            ))
            .first($conn)
            .optional()?;
        match stored {
            None => Ok::<bool, $crate::error::ApiError>(false),
            Some((hash, by, deleted, county)) => $crate::record::replay(
                $crate::record::Existing {
                    create_hash: hash.as_deref(),
                    created_by: &by,
                    deleted,
                    in_scope: $user.scope.covers_region(&county),
                },
                $digest,
                $user,
            )
            .map(|()| true),
        }
    }};
}
