//! Login, refresh, logout, `me` and the user's own password.

use std::net::IpAddr;

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use shared::api::{
    LoginRequest, LogoutRequest, Me, PasswordChange, Problem, RefreshRequest, TokenResponse,
};
use shared::auth::validate_password;

use super::queries::{self, RefreshOutcome};
use super::tokens::ACCESS_TTL_SECS;
use super::{password, AuthUser};
use crate::audit::{self, Event};
use crate::db::schema::users;
use crate::db::{now, write_tx};
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

fn client_addr(req: &HttpRequest) -> IpAddr {
    // The direct peer, not a forwarded-for header a client could forge.
    req.peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

fn tokens(
    state: &AppState,
    user_id: uuid::Uuid,
    issued: queries::Issued,
) -> Result<TokenResponse, ApiError> {
    let access = state
        .jwt
        .issue(user_id, issued.session_id, chrono::Utc::now().timestamp())?;
    Ok(TokenResponse {
        access_token: access,
        refresh_token: issued.refresh_token,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL_SECS,
    })
}

fn bad_credentials() -> ApiError {
    ApiError::unauthorized("invalid_credentials", "wrong username or password")
}

/// Logs in with username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    Json(body): Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let addr = client_addr(&req);
    if let Some(retry_after) = state.throttle.blocked_for(addr) {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    if body.password.chars().count() > shared::auth::PASSWORD_MAX_CHARS || body.username.len() > 64
    {
        state.throttle.record_failure(addr);
        return Err(bad_credentials());
    }
    let username = body.username.trim().to_owned();
    let user = state
        .db(move |conn| queries::find_by_username(conn, &username))
        .await?;
    let Some(user) = user else {
        // Spend the same time as a real check, so timing does not reveal who exists.
        password::verify(&state, body.password, password::dummy_hash().to_owned()).await?;
        state.throttle.record_failure(addr);
        return Err(bad_credentials());
    };
    if let Some(until) = user.locked_until.filter(|u| *u > now()) {
        let retry_after = u64::try_from((until - now()).num_seconds())
            .unwrap_or(1)
            .max(1);
        return Err(ApiError::TooManyRequests { retry_after });
    }
    if !password::verify(&state, body.password, user.password_hash.clone()).await? {
        state.throttle.record_failure(addr);
        let id = user.id.clone();
        state
            .db(move |conn| queries::record_failed_login(conn, &id))
            .await?;
        return Err(bad_credentials());
    }
    if user.disabled {
        return Err(ApiError::unauthorized(
            "account_disabled",
            "this account has been disabled",
        ));
    }
    let id = user.id.clone();
    let issued = state
        .db(move |conn| queries::start_session(conn, &id))
        .await?;
    Ok(web::Json(tokens(
        &state,
        crate::db::uuid(&user.id)?,
        issued,
    )?))
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
        RefreshOutcome::Rotated { user_id, issued } => {
            Ok(web::Json(tokens(&state, user_id, issued)?))
        }
        RefreshOutcome::Reused => Err(ApiError::unauthorized(
            "refresh_token_reused",
            "this refresh token was already used; the session has been ended for safety",
        )),
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

/// Changes the caller's own password; their other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    if let Err(e) = validate_password(&body.new_password) {
        return Err(ApiError::field("new_password", e.code, e.message));
    }
    let id = user.id;
    let row = state
        .db(move |conn| crate::users::queries::get(conn, &super::Scope::Province, id))
        .await?;
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
                        users::updated_at.eq(at),
                        users::updated_by.eq(user.id.to_string()),
                    ))
                    .execute(conn)?;
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
