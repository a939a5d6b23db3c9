//! `/api/v1/users`.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use shared::api::{
    AuditAction, Page, PageQuery, PasswordReset, Problem, User, UserCreate, VersionOnly,
};
use shared::auth::{validate_password, validate_username, Capability};
use shared::FieldErrors;
use uuid::Uuid;

use super::queries::{self, roles_text, UserRow};
use crate::audit::{self, Event};
use crate::auth::{password, AuthUser};
use crate::db::schema::users;
use crate::db::{now, write_tx, DbConn};
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;

/// Users in the admin's scope, by username.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery),
    responses((status = 200, body = Page<User>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PageQuery>,
) -> Result<web::Json<Page<User>>, ApiError> {
    user.require(Capability::ManageUsers)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let rows = state
        .db(move |conn| queries::list(conn, &user.scope, after.as_deref(), fetch))
        .await?;
    let items = rows
        .iter()
        .map(UserRow::to_api)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(web::Json(paging.page(items, |u| u.username.clone())))
}

/// One user in the admin's scope.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    responses((status = 200, body = User), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<User>, ApiError> {
    user.require(Capability::ManageUsers)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::get(conn, &user.scope, id)?.to_api())
            .await?,
    ))
}

/// Creates a user in a unit of the admin's scope.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserCreate,
    responses((status = 201, body = User), (status = 200, description = "retry of an earlier create", body = User),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<UserCreate>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ManageUsers)?;
    let mut errs = FieldErrors::new();
    errs.check("username", validate_username(&body.username));
    errs.check("password", validate_password(&body.password));
    errs.check(
        "display_name",
        shared::validation::validate_name(&body.display_name),
    );
    if body.roles.is_empty() {
        errs.add("roles", "required", "give at least one role");
    }
    if !errs.is_empty() {
        return Err(ApiError::Validation(errs.0));
    }
    // The password stays out of the idempotency hash.
    let create_hash: String = Sha256::digest(format!(
        "{}\n{}\n{}\n{}",
        body.username,
        body.display_name,
        body.unit_code,
        roles_text(&body.roles)
    ))
    .iter()
    .map(|b| format!("{b:02x}"))
    .collect();
    let hash = password::hash(&state, body.password.clone()).await?;
    let (created, row) = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let id = body.id.unwrap_or_else(Uuid::now_v7);
                if let Some(existing) = users::table
                    .find(id.to_string())
                    .select(UserRow::as_select())
                    .first(conn)
                    .optional()?
                {
                    return if existing.create_hash.as_deref() == Some(create_hash.as_str()) {
                        Ok((false, existing))
                    } else {
                        Err(ApiError::Conflict {
                            code: "id_conflict",
                            detail: "this id is already used by another record".into(),
                        })
                    };
                }
                let region = crate::org::queries::region_of(conn, &body.unit_code)?;
                if !region
                    .as_deref()
                    .is_some_and(|r| user.scope.covers_region(r))
                {
                    return Err(ApiError::field(
                        "unit_code",
                        "outside_scope",
                        "no unit with this code in your area",
                    ));
                }
                let taken: i64 = users::table
                    .filter(users::username.eq(&body.username))
                    .count()
                    .get_result(conn)?;
                if taken > 0 {
                    return Err(ApiError::Conflict {
                        code: "duplicate_username",
                        detail: "this username is taken".into(),
                    });
                }
                let at = now();
                let row = UserRow {
                    id: id.to_string(),
                    username: body.username.clone(),
                    display_name: body.display_name.trim().to_owned(),
                    password_hash: hash,
                    unit_code: body.unit_code.clone(),
                    roles: roles_text(&body.roles),
                    disabled: false,
                    failed_logins: 0,
                    locked_until: None,
                    create_hash: Some(create_hash),
                    version: 1,
                    created_at: at,
                    created_by: Some(user.id.to_string()),
                    updated_at: at,
                    updated_by: Some(user.id.to_string()),
                };
                diesel::insert_into(users::table)
                    .values(&row)
                    .execute(conn)?;
                audit::record(
                    conn,
                    Event {
                        actor: &user,
                        action: AuditAction::Create,
                        entity_type: "user",
                        entity_id: id,
                        owner_region: region.as_deref().unwrap_or("43"),
                        reason: None,
                        before: None,
                        after: Some(row.audit_json()),
                    },
                )?;
                Ok((true, row))
            })
        })
        .await?;
    let api = row.to_api()?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/users/{}", api.id),
        &api,
    ))
}

/// Changes a user in scope under a version check, ends their sessions, and audits it.
fn change_user(
    conn: &mut DbConn,
    admin: &AuthUser,
    id: Uuid,
    version: Option<i64>,
    action: AuditAction,
    apply: impl FnOnce(&mut DbConn, &UserRow) -> Result<(), ApiError>,
) -> Result<UserRow, ApiError> {
    write_tx(conn, |conn| {
        let before = queries::get(conn, &admin.scope, id)?;
        if version.is_some_and(|v| v != before.version) {
            return Err(ApiError::stale_version());
        }
        apply(conn, &before)?;
        diesel::update(users::table.find(&before.id))
            .set((
                users::version.eq(before.version + 1),
                users::updated_at.eq(now()),
                users::updated_by.eq(admin.id.to_string()),
            ))
            .execute(conn)?;
        queries::revoke_sessions(conn, &before.id, action.as_str(), None)?;
        let after = queries::get(conn, &admin.scope, id)?;
        let region =
            crate::org::queries::region_of(conn, &after.unit_code)?.unwrap_or_else(|| "43".into());
        audit::record(
            conn,
            Event {
                actor: admin,
                action,
                entity_type: "user",
                entity_id: id,
                owner_region: &region,
                reason: None,
                before: Some(before.audit_json()),
                after: Some(after.audit_json()),
            },
        )?;
        Ok(after)
    })
}

/// Sets a new password for a user; their sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    request_body = PasswordReset,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn reset_password(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<PasswordReset>,
) -> Result<web::Json<User>, ApiError> {
    user.require(Capability::ManageUsers)?;
    if let Err(e) = validate_password(&body.new_password) {
        return Err(ApiError::field("new_password", e.code, e.message));
    }
    let id = path.into_inner();
    let hash = password::hash(&state, body.new_password).await?;
    let row = state
        .db(move |conn| {
            change_user(
                conn,
                &user,
                id,
                None,
                AuditAction::PasswordReset,
                |conn, u| {
                    diesel::update(users::table.find(&u.id))
                        .set((
                            users::password_hash.eq(hash),
                            users::failed_logins.eq(0),
                            users::locked_until.eq(None::<chrono::NaiveDateTime>),
                        ))
                        .execute(conn)?;
                    Ok(())
                },
            )
        })
        .await?;
    Ok(web::Json(row.to_api()?))
}

async fn set_disabled(
    state: web::Data<AppState>,
    user: AuthUser,
    id: Uuid,
    version: i64,
    disabled: bool,
) -> Result<web::Json<User>, ApiError> {
    user.require(Capability::ManageUsers)?;
    if disabled && id == user.id {
        return Err(ApiError::Conflict {
            code: "cannot_disable_self",
            detail: "you cannot disable your own account".into(),
        });
    }
    let action = if disabled {
        AuditAction::Disable
    } else {
        AuditAction::Enable
    };
    let row = state
        .db(move |conn| {
            change_user(conn, &user, id, Some(version), action, |conn, u| {
                diesel::update(users::table.find(&u.id))
                    .set(users::disabled.eq(disabled))
                    .execute(conn)?;
                Ok(())
            })
        })
        .await?;
    Ok(web::Json(row.to_api()?))
}

/// Disables a user: they cannot log in and every session of theirs ends at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    request_body = VersionOnly,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn disable(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<VersionOnly>,
) -> Result<web::Json<User>, ApiError> {
    set_disabled(state, user, path.into_inner(), body.version, true).await
}

/// Enables a disabled user again.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    request_body = VersionOnly,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn enable(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<VersionOnly>,
) -> Result<web::Json<User>, ApiError> {
    set_disabled(state, user, path.into_inner(), body.version, false).await
}
