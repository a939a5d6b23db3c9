//! Queries behind login, refresh, logout and the [`AuthUser`](super::AuthUser) extractor.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use shared::api::AuditAction;
use uuid::Uuid;

use super::tokens::{hash_refresh_token, new_refresh_token, REFRESH_TTL_SECS, SESSION_MAX_SECS};
use super::{AuthUser, Scope};
use crate::db::schema::{org_units, refresh_tokens, sessions, users};
use crate::db::{now, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::users::queries::UserRow;

/// Loads the caller of an access token: the user must be enabled and the session live.
/// Also says whether the user must change their password before anything else.
pub fn load_auth_user(
    conn: &mut DbConn,
    user_id: Uuid,
    session_id: Uuid,
) -> Result<(AuthUser, bool), ApiError> {
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
            sessions::write_lsn,
        ))
        .first::<(
            UserRow,
            Option<NaiveDateTime>,
            NaiveDateTime,
            String,
            Option<String>,
        )>(conn)
        .optional()?;
    let (user, revoked, expires, region, write_lsn) = found
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
    Ok((
        AuthUser {
            id: user_id,
            username: user.username.clone(),
            unit_code: user.unit_code.clone(),
            roles: user.roles()?,
            scope,
            session_id,
            write_lsn,
        },
        user.must_change_password,
    ))
}

/// A user by login name.
pub fn find_by_username(conn: &mut DbConn, username: &str) -> Result<Option<UserRow>, ApiError> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Writes a security event (login, refused login, lockout, token reuse) to the audit
/// log. The actor is the account concerned; for a name that matches no account it is
/// the nil UUID with the name tried (if it is a well-formed username) at the province.
/// The entry belongs to the account's region, so scoped auditors see their users'.
pub fn security_event(
    conn: &mut DbConn,
    user: Option<&UserRow>,
    attempted: &str,
    action: AuditAction,
    entity: (&str, Uuid),
    reason: Option<&str>,
) -> Result<(), ApiError> {
    let (actor, region) = match user {
        Some(u) => (
            AuthUser {
                id: uuid(&u.id)?,
                username: u.username.clone(),
                unit_code: u.unit_code.clone(),
                roles: Vec::new(),
                scope: Scope::Province,
                session_id: Uuid::nil(),
                write_lsn: None,
            },
            crate::org::queries::region_of(conn, &u.unit_code)?.unwrap_or_else(|| "43".into()),
        ),
        None => (
            AuthUser {
                id: Uuid::nil(),
                username: if shared::auth::validate_username(attempted).is_ok() {
                    attempted.to_owned()
                } else {
                    "(invalid)".to_owned()
                },
                unit_code: "43".into(),
                roles: Vec::new(),
                scope: Scope::Province,
                session_id: Uuid::nil(),
                write_lsn: None,
            },
            "43".to_owned(),
        ),
    };
    crate::audit::record(
        conn,
        crate::audit::Event {
            actor: &actor,
            action,
            entity_type: entity.0,
            entity_id: entity.1,
            owner_region: &region,
            reason,
            before: None,
            after: None,
        },
    )
}

/// A user by id, whatever their scope.
pub fn user_by_id(conn: &mut DbConn, id: &str) -> Result<Option<UserRow>, ApiError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
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

/// Opens a session with its first refresh token.
pub fn start_session(conn: &mut DbConn, user_id: &str) -> Result<Issued, ApiError> {
    write_tx(conn, |conn| {
        let at = now();
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
        /// The user must change their password first.
        must_change_password: bool,
    },
    /// The token was already used: the whole session was revoked.
    Reused {
        /// The session's user.
        user_id: String,
        /// The revoked session.
        session_id: String,
    },
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
                users::must_change_password,
            ))
            .first::<(
                Option<NaiveDateTime>,
                NaiveDateTime,
                String,
                Option<NaiveDateTime>,
                NaiveDateTime,
                String,
                bool,
                bool,
            )>(conn)
            .optional()?;
        let Some((
            used,
            expires,
            session_id,
            revoked,
            session_expires,
            user_id,
            disabled,
            must_change_password,
        )) = found
        else {
            return Ok(RefreshOutcome::Invalid);
        };
        if revoked.is_some() || disabled || expires <= at || session_expires <= at {
            return Ok(RefreshOutcome::Invalid);
        }
        if used.is_some() {
            revoke_session(conn, &session_id, "refresh_token_reuse")?;
            return Ok(RefreshOutcome::Reused {
                user_id,
                session_id,
            });
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
            return Ok(RefreshOutcome::Reused {
                user_id,
                session_id,
            });
        }
        let refresh_token = insert_refresh(conn, &session_id, at)?;
        Ok(RefreshOutcome::Rotated {
            user_id: uuid(&user_id)?,
            issued: Issued {
                session_id: uuid(&session_id)?,
                refresh_token,
            },
            must_change_password,
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
