//! Login, refresh, logout, `me` and the user's own password.

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use shared::api::{
    AuditAction, LoginRequest, LogoutRequest, Me, PasswordChange, Problem, RefreshRequest,
    TokenResponse,
};
use shared::auth::validate_password;

use super::queries::{self, RefreshOutcome};
use super::throttle::{self, Reservation};
use super::tokens::ACCESS_TTL_SECS;
use super::{password, AuthUser};
use crate::audit::{self, Event};
use crate::db::schema::users;
use crate::db::{now, write_tx};
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

fn tokens(
    state: &AppState,
    user_id: uuid::Uuid,
    issued: queries::Issued,
    must_change_password: bool,
) -> Result<TokenResponse, ApiError> {
    let access = state
        .jwt
        .issue(user_id, issued.session_id, chrono::Utc::now().timestamp())?;
    Ok(TokenResponse {
        access_token: access,
        refresh_token: issued.refresh_token,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL_SECS,
        must_change_password,
    })
}

/// The one answer to every refused login: unknown user, wrong password, locked or
/// disabled account alike, so that it tells nothing about the account.
fn bad_credentials() -> ApiError {
    ApiError::unauthorized(
        "invalid_credentials",
        "wrong username or password, or the account is locked or disabled",
    )
}

/// Logs in with username and password.
///
/// Each attempt is counted against the client address and the account *before* the
/// password is checked; past either limit the password is not checked at all. Refused
/// logins get one answer whatever the reason (401 `invalid_credentials`), and a name
/// that matches no account costs a hash like a real one. 429 means the client address
/// is throttled; 503 means too many logins are waiting for a password check.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem), (status = 503, body = Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    Json(body): Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let addr = super::client::client_addr(&req, &state.trusted_proxies);
    let username = body.username.trim().to_owned();
    let oversized =
        body.password.chars().count() > shared::auth::PASSWORD_MAX_CHARS || username.len() > 64;
    let addr_key = throttle::address_key(addr);
    let account_key = throttle::account_key(&username);
    let (name, akey, ukey) = (username.clone(), addr_key.clone(), account_key.clone());
    let reserved = state
        .db(move |conn| {
            if let Reservation::Refused { retry_after } =
                throttle::reserve(conn, &akey, throttle::ADDRESS)?
            {
                return Ok(Err(ApiError::TooManyRequests { retry_after }));
            }
            if oversized {
                return Ok(Err(bad_credentials()));
            }
            let user = queries::find_by_username(conn, &name)?;
            if let Reservation::Refused { .. } = throttle::reserve(conn, &ukey, throttle::ACCOUNT)?
            {
                queries::security_event(
                    conn,
                    user.as_ref(),
                    &name,
                    AuditAction::LoginFailed,
                    ("user", user_entity(user.as_ref())?),
                    Some("locked"),
                )?;
                return Ok(Err(bad_credentials()));
            }
            Ok(Ok(user))
        })
        .await?;
    let user = match reserved {
        Ok(user) => user,
        Err(refused) => {
            if let ApiError::TooManyRequests { .. } = refused {
                tracing::warn!(%addr, "login throttled for the client address");
            }
            state.metrics.login_attempt(match refused {
                ApiError::TooManyRequests { .. } => crate::metrics::LoginOutcome::Throttled,
                _ if oversized => crate::metrics::LoginOutcome::Oversized,
                _ => crate::metrics::LoginOutcome::Locked,
            });
            return Err(refused);
        }
    };
    // Always one hash: against the account's, or a dummy one for an unknown name, so
    // that timing does not tell which names exist.
    let stored = user.as_ref().map_or_else(
        || password::dummy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let matches = match password::verify(&state, body.password, stored).await {
        Ok(ok) => ok && user.is_some(),
        Err(e) => {
            state.metrics.login_attempt(match e {
                ApiError::Busy { .. } => crate::metrics::LoginOutcome::Busy,
                _ => crate::metrics::LoginOutcome::Error,
            });
            // Not checked (the hashing queue is full): the attempt does not count.
            let (akey, ukey) = (addr_key.clone(), account_key.clone());
            state
                .db(move |conn| {
                    throttle::refund(conn, &ukey)?;
                    throttle::refund(conn, &akey)
                })
                .await?;
            return Err(e);
        }
    };
    let Some(user) = user.filter(|u| matches && !u.disabled) else {
        let (reason, locked) = state
            .db(move |conn| {
                let user = queries::find_by_username(conn, &username)?;
                let reason = match &user {
                    None => "unknown_user",
                    Some(u) if matches && u.disabled => "disabled",
                    Some(_) => "wrong_password",
                };
                let entity = ("user", user_entity(user.as_ref())?);
                queries::security_event(
                    conn,
                    user.as_ref(),
                    &username,
                    AuditAction::LoginFailed,
                    entity,
                    Some(reason),
                )?;
                let locked = throttle::failed(conn, &account_key, throttle::ACCOUNT)?;
                if locked {
                    queries::security_event(
                        conn,
                        user.as_ref(),
                        &username,
                        AuditAction::Lockout,
                        entity,
                        None,
                    )?;
                }
                Ok((reason, locked))
            })
            .await?;
        state
            .metrics
            .login_attempt(crate::metrics::LoginOutcome::of_failure_reason(reason));
        if locked {
            state.metrics.lockout();
        }
        return Err(bad_credentials());
    };
    let (row, must_change_password) = (user.clone(), user.must_change_password);
    let issued = state
        .db(move |conn| {
            throttle::clear(conn, &account_key)?;
            throttle::refund(conn, &addr_key)?;
            let issued = queries::start_session(conn, &row.id)?;
            queries::security_event(
                conn,
                Some(&row),
                &row.username,
                AuditAction::Login,
                ("session", issued.session_id),
                None,
            )?;
            Ok(issued)
        })
        .await?;
    state
        .metrics
        .login_attempt(crate::metrics::LoginOutcome::Success);
    Ok(web::Json(tokens(
        &state,
        crate::db::uuid(&user.id)?,
        issued,
        must_change_password,
    )?))
}

/// The entity id of a security event about an account: its id, or the nil UUID when
/// the name matches no account.
fn user_entity(user: Option<&crate::users::queries::UserRow>) -> Result<uuid::Uuid, ApiError> {
    user.map_or(Ok(uuid::Uuid::nil()), |u| crate::db::uuid(&u.id))
}

/// Trades a refresh token for new tokens. Each refresh token works once; presenting a
/// used one ends the whole session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem)))]
pub async fn refresh(
    state: web::Data<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let token = body.refresh_token;
    match state
        .db(move |conn| queries::rotate_refresh(conn, &token))
        .await?
    {
        RefreshOutcome::Rotated {
            user_id,
            issued,
            must_change_password,
        } => Ok(web::Json(tokens(
            &state,
            user_id,
            issued,
            must_change_password,
        )?)),
        RefreshOutcome::Reused {
            user_id,
            session_id,
        } => {
            state
                .db(move |conn| {
                    let user = queries::user_by_id(conn, &user_id)?;
                    queries::security_event(
                        conn,
                        user.as_ref(),
                        "",
                        AuditAction::TokenReuse,
                        ("session", crate::db::uuid(&session_id)?),
                        Some("refresh_token_reuse"),
                    )
                })
                .await?;
            Err(ApiError::unauthorized(
                "refresh_token_reused",
                "this refresh token was already used; the session has been ended for safety",
            ))
        }
        RefreshOutcome::Invalid => Err(ApiError::unauthorized(
            "invalid_refresh_token",
            "the refresh token is not valid; log in again",
        )),
    }
}

/// Ends the caller's session (and the refresh token's, if it is the caller's).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body(content = LogoutRequest, description = "optional"),
    responses((status = 204), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn logout(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Option<Json<LogoutRequest>>,
) -> Result<HttpResponse, ApiError> {
    let refresh = body.and_then(|Json(b)| b.refresh_token);
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                queries::revoke_session(conn, &user.session_id.to_string(), "logout")?;
                if let Some(t) = refresh {
                    if let Some(sid) = queries::session_of_refresh(conn, &t, user.id)? {
                        queries::revoke_session(conn, &sid, "logout")?;
                    }
                }
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller, their unit, scope and permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Me>, ApiError> {
    let permissions = user.capabilities();
    let (id, unit, region) = (
        user.id,
        user.unit_code.clone(),
        user.scope.region().to_owned(),
    );
    let (row, unit, scope) = state
        .db(move |conn| {
            let row = crate::users::queries::get(conn, &super::Scope::Province, id)?;
            Ok((
                row,
                crate::org::queries::unit(conn, &unit)?,
                crate::org::queries::unit(conn, &region)?,
            ))
        })
        .await?;
    Ok(web::Json(Me {
        user: row.to_api()?,
        unit,
        scope,
        permissions,
    }))
}

/// Changes the caller's own password; their other sessions end. Wrong current passwords
/// are throttled like logins (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem), (status = 503, body = Problem)), security(("bearer" = [])))]
pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    if let Err(e) = validate_password(&body.new_password) {
        return Err(ApiError::field("new_password", e.code, e.message));
    }
    if body.new_password == body.current_password {
        return Err(ApiError::field(
            "new_password",
            "same_as_current",
            "choose a password other than the current one",
        ));
    }
    let id = user.id;
    let key = throttle::password_change_key(user.id);
    let reserve_key = key.clone();
    let (row, reservation) = state
        .db(move |conn| {
            let row = crate::users::queries::get(conn, &super::Scope::Province, id)?;
            let reservation = throttle::reserve(conn, &reserve_key, throttle::PASSWORD_CHANGE)?;
            Ok((row, reservation))
        })
        .await?;
    if let Reservation::Refused { retry_after } = reservation {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    if !password::verify(&state, body.current_password, row.password_hash.clone()).await? {
        return Err(ApiError::field(
            "current_password",
            "wrong_password",
            "the current password is wrong",
        ));
    }
    let hash = password::hash(&state, body.new_password).await?;
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let at = now();
                diesel::update(users::table.find(row.id.clone()))
                    .set((
                        users::password_hash.eq(hash),
                        users::must_change_password.eq(false),
                        users::updated_at.eq(at),
                        users::updated_by.eq(user.id.to_string()),
                    ))
                    .execute(conn)?;
                throttle::clear(conn, &key)?;
                crate::users::queries::revoke_sessions(
                    conn,
                    &row.id,
                    "password_changed",
                    Some(&user.session_id.to_string()),
                )?;
                audit::record(
                    conn,
                    Event {
                        actor: &user,
                        action: shared::api::AuditAction::PasswordChange,
                        entity_type: "user",
                        entity_id: user.id,
                        owner_region: user.scope.region(),
                        reason: None,
                        before: None,
                        after: None,
                    },
                )
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
