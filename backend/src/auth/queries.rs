//! Queries behind login, refresh, logout and the [`AuthUser`](super::AuthUser) extractor.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use uuid::Uuid;

use super::tokens::{hash_refresh_token, new_refresh_token, REFRESH_TTL_SECS, SESSION_MAX_SECS};
use super::{AuthUser, Scope};
use crate::db::schema::{org_units, refresh_tokens, sessions, users};
use crate::db::{now, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::users::queries::UserRow;

/// Consecutive failures after which an account is locked.
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a locked account stays locked.
pub const LOCK_SECS: i64 = 15 * 60;

/// Loads the caller of an access token: the user must be enabled and the session live.
pub fn load_auth_user(
    conn: &mut DbConn,
    user_id: Uuid,
    session_id: Uuid,
) -> Result<AuthUser, ApiError> {
    let found = users::table
        .inner_join(sessions::table)
        .inner_join(org_units::table)
        .filter(users::id.eq(user_id.to_string()))
        .filter(sessions::id.eq(session_id.to_string()))
        .select((
            UserRow::as_select(),
            sessions::revoked_at,
            sessions::expires_at,
            org_units::region_code,
        ))
        .first::<(UserRow, Option<NaiveDateTime>, NaiveDateTime, String)>(conn)
        .optional()?;
    let (user, revoked, expires, region) = found
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "the access token is not valid"))?;
    if user.disabled {
        return Err(ApiError::unauthorized(
            "account_disabled",
            "this account has been disabled",
        ));
    }
    if revoked.is_some() || expires <= now() {
        return Err(ApiError::unauthorized(
            "session_ended",
            "the session has ended; log in again",
        ));
    }
    // A unit whose region code is not a province, city or county code gets no scope:
    // fail closed rather than see the whole province.
    let scope = Scope::from_region(&region).ok_or_else(|| {
        ApiError::Forbidden(format!("the unit {} has no valid region", user.unit_code))
    })?;
    Ok(AuthUser {
        id: user_id,
        username: user.username.clone(),
        unit_code: user.unit_code.clone(),
        roles: user.roles()?,
        scope,
        session_id,
    })
}

/// A user by login name.
pub fn find_by_username(conn: &mut DbConn, username: &str) -> Result<Option<UserRow>, ApiError> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Counts a failed login; locks the account at [`MAX_FAILED_LOGINS`].
pub fn record_failed_login(conn: &mut DbConn, user_id: &str) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let failures: i32 = users::table
            .find(user_id)
            .select(users::failed_logins)
            .first(conn)?;
        let failures = failures + 1;
        let lock = (failures >= MAX_FAILED_LOGINS).then(|| now() + TimeDelta::seconds(LOCK_SECS));
        diesel::update(users::table.find(user_id))
            .set((
                users::failed_logins.eq(if lock.is_some() { 0 } else { failures }),
                users::locked_until.eq(lock),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// A new session's tokens.
#[derive(Debug)]
pub struct Issued {
    /// Session id.
    pub session_id: Uuid,
    /// The plain refresh token (only its hash is stored).
    pub refresh_token: String,
}

fn insert_refresh(
    conn: &mut DbConn,
    session_id: &str,
    at: NaiveDateTime,
) -> Result<String, ApiError> {
    let token = new_refresh_token();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(hash_refresh_token(&token)),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::issued_at.eq(at),
            refresh_tokens::expires_at.eq(at + TimeDelta::seconds(REFRESH_TTL_SECS)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Clears the failure count and opens a session with its first refresh token.
pub fn start_session(conn: &mut DbConn, user_id: &str) -> Result<Issued, ApiError> {
    write_tx(conn, |conn| {
        let at = now();
        diesel::update(users::table.find(user_id))
            .set((
                users::failed_logins.eq(0),
                users::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        let session_id = Uuid::now_v7();
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(session_id.to_string()),
                sessions::user_id.eq(user_id),
                sessions::created_at.eq(at),
                sessions::expires_at.eq(at + TimeDelta::seconds(SESSION_MAX_SECS)),
            ))
            .execute(conn)?;
        let refresh_token = insert_refresh(conn, &session_id.to_string(), at)?;
        Ok(Issued {
            session_id,
            refresh_token,
        })
    })
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum RefreshOutcome {
    /// Rotated: a new refresh token for the same session.
    Rotated {
        /// The user.
        user_id: Uuid,
        /// The new tokens.
        issued: Issued,
    },
    /// The token was already used: the whole session was revoked.
    Reused,
    /// Unknown, expired, or of an ended session or disabled user.
    Invalid,
}

/// Uses up a refresh token. Reuse of a rotated token revokes its whole family, since
/// either the legitimate client or a thief holds a copy.
pub fn rotate_refresh(conn: &mut DbConn, token: &str) -> Result<RefreshOutcome, ApiError> {
    let hash = hash_refresh_token(token);
    write_tx(conn, |conn| {
        let at = now();
        let found = refresh_tokens::table
            .inner_join(sessions::table.inner_join(users::table))
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select((
                refresh_tokens::used_at,
                refresh_tokens::expires_at,
                sessions::id,
                sessions::revoked_at,
                sessions::expires_at,
                users::id,
                users::disabled,
            ))
            .first::<(
                Option<NaiveDateTime>,
                NaiveDateTime,
                String,
                Option<NaiveDateTime>,
                NaiveDateTime,
                String,
                bool,
            )>(conn)
            .optional()?;
        let Some((used, expires, session_id, revoked, session_expires, user_id, disabled)) = found
        else {
            return Ok(RefreshOutcome::Invalid);
        };
        if revoked.is_some() || disabled || expires <= at || session_expires <= at {
            return Ok(RefreshOutcome::Invalid);
        }
        if used.is_some() {
            revoke_session(conn, &session_id, "refresh_token_reuse")?;
            return Ok(RefreshOutcome::Reused);
        }
        // Conditional on used_at still being NULL, so two concurrent uses cannot both win.
        let claimed = diesel::update(
            refresh_tokens::table
                .find(&hash)
                .filter(refresh_tokens::used_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(at))
        .execute(conn)?;
        if claimed == 0 {
            revoke_session(conn, &session_id, "refresh_token_reuse")?;
            return Ok(RefreshOutcome::Reused);
        }
        let refresh_token = insert_refresh(conn, &session_id, at)?;
        Ok(RefreshOutcome::Rotated {
            user_id: uuid(&user_id)?,
            issued: Issued {
                session_id: uuid(&session_id)?,
                refresh_token,
            },
        })
    })
}

/// Ends a session.
pub fn revoke_session(conn: &mut DbConn, session_id: &str, reason: &str) -> Result<(), ApiError> {
    diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(now()),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}

/// The session a refresh token belongs to, if it is the given user's.
pub fn session_of_refresh(
    conn: &mut DbConn,
    token: &str,
    user_id: Uuid,
) -> Result<Option<String>, ApiError> {
    Ok(refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(hash_refresh_token(token)))
        .filter(sessions::user_id.eq(user_id.to_string()))
        .select(sessions::id)
        .first(conn)
        .optional()?)
}
