//! `/api/v1/users`.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use shared::api::{
    AuditAction, Page, PasswordReset, Problem, RoleChange, User, UserCreate, UserQuery,
    VersionOnly, USER_SEARCH_MAX_CHARS,
};
use shared::auth::{data_roles, validate_password, validate_username, Capability, Role};
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

/// Users in the caller's scope, by username, narrowed by `q` (part of the username or
/// display name), `unit` and `pending`. User admins list everyone in scope; a leader
/// who may confirm grants lists only the users with roles waiting for confirmation
/// (`pending=true`), for the second person's work.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    responses((status = 200, body = Page<User>), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<UserQuery>,
) -> Result<web::Json<Page<User>>, ApiError> {
    let pending = q.pending.unwrap_or(false);
    if !(pending && user.can(Capability::ConfirmGrants)) {
        user.require(Capability::ManageUsers)?;
    }
    let filter = filter_of(&q)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let rows = state
        .db(move |conn| queries::list(conn, &user.scope, &filter, after.as_deref(), fetch))
        .await?;
    let items = rows
        .iter()
        .map(UserRow::to_api)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(web::Json(paging.page(items, |u| u.username.clone())))
}

/// Checks the filters of a user list. A blank `q` or `unit` filters nothing.
fn filter_of(q: &UserQuery) -> Result<queries::Filter, ApiError> {
    let text =
        q.q.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
    if text
        .as_deref()
        .is_some_and(|t| t.chars().count() > USER_SEARCH_MAX_CHARS)
    {
        return Err(ApiError::field(
            "q",
            "too_long",
            format!("at most {USER_SEARCH_MAX_CHARS} characters"),
        ));
    }
    let unit = q
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    if unit.as_deref().is_some_and(|u| u.len() > 32) {
        return Err(ApiError::field("unit", "too_long", "at most 32 characters"));
    }
    Ok(queries::Filter {
        text,
        unit,
        pending: q.pending.unwrap_or(false),
    })
}

/// One user in the caller's scope: for user admins, and for leaders who may confirm
/// the user's pending roles.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    responses((status = 200, body = User), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<User>, ApiError> {
    if !user.can(Capability::ConfirmGrants) {
        user.require(Capability::ManageUsers)?;
    }
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::get(conn, &user.scope, id)?.to_api())
            .await?,
    ))
}

/// Creates a user in a unit of the admin's scope, with a password they must change at
/// their first login. Data roles among the roles asked for are only proposed: the
/// account holds them once a leader whose scope covers it confirms
/// (`POST /api/v1/users/{id}/roles/confirm`).
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
    // The password stays out of the idempotency digest.
    let create_hash = crate::record::create_digest(
        &state.pii,
        "user",
        &(
            &body.username,
            &body.display_name,
            &body.unit_code,
            roles_text(&body.roles),
        ),
    )?;
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
                    let region = crate::org::queries::region_of(conn, &existing.unit_code)?;
                    crate::record::replay(
                        crate::record::Existing {
                            create_hash: existing.create_hash.as_deref(),
                            created_by: existing.created_by.as_deref().unwrap_or_default(),
                            deleted: false,
                            in_scope: region.is_some_and(|r| user.scope.covers_region(&r)),
                        },
                        &create_hash,
                        &user,
                    )?;
                    return Ok((false, existing));
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
                let proposal = Proposal::of(&[], &body.roles);
                let row = UserRow {
                    id: id.to_string(),
                    username: body.username.clone(),
                    display_name: body.display_name.trim().to_owned(),
                    password_hash: hash,
                    unit_code: body.unit_code.clone(),
                    roles: roles_text(&proposal.now),
                    disabled: false,
                    create_hash: Some(create_hash),
                    version: 1,
                    created_at: at,
                    created_by: Some(user.id.to_string()),
                    updated_at: at,
                    updated_by: Some(user.id.to_string()),
                    pending_roles: proposal.pending.as_deref().map(roles_text),
                    proposed_by: proposal.pending.as_ref().map(|_| user.id.to_string()),
                    proposed_at: proposal.pending.as_ref().map(|_| at),
                    must_change_password: true,
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
                if proposal.pending.is_some() {
                    audit::record(
                        conn,
                        Event {
                            actor: &user,
                            action: AuditAction::GrantProposed,
                            entity_type: "user",
                            entity_id: id,
                            owner_region: region.as_deref().unwrap_or("43"),
                            reason: None,
                            before: None,
                            after: Some(row.audit_json()),
                        },
                    )?;
                }
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
        // The version first, in the WHERE clause: of two racing changes one wins, the
        // other finds no row and answers 409 with nothing written.
        let n = diesel::update(
            users::table
                .find(&before.id)
                .filter(users::version.eq(before.version)),
        )
        .set((
            users::version.eq(before.version + 1),
            users::updated_at.eq(now()),
            users::updated_by.eq(admin.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        apply(conn, &before)?;
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

/// Sets a new password for a user in the admin's scope; their sessions end, the
/// account is unlocked, and the user must change the password at their next login.
/// Since the admin knows the password, the user's data roles are suspended: they wait
/// for a leader's confirmation like a new grant.
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
    let admin = user.clone();
    let row = state
        .db(move |conn| {
            change_user(
                conn,
                &user,
                id,
                None,
                AuditAction::PasswordReset,
                |conn, u| {
                    // The admin knows the new password, so whoever logs in may be the
                    // admin: the account's data roles go back under the two-person rule
                    // and wait for a leader's confirmation again.
                    let held = u.roles()?;
                    let suspend = !data_roles(&held).is_empty();
                    let keep: Vec<Role> = held.into_iter().filter(|r| !r.is_data_role()).collect();
                    let at = now();
                    diesel::update(users::table.find(&u.id))
                        .set((
                            users::password_hash.eq(hash),
                            users::must_change_password.eq(true),
                        ))
                        .execute(conn)?;
                    if suspend {
                        diesel::update(users::table.find(&u.id))
                            .set((
                                users::roles.eq(roles_text(&keep)),
                                users::pending_roles.eq(Some(
                                    u.pending_roles.clone().unwrap_or_else(|| u.roles.clone()),
                                )),
                                users::proposed_by.eq(Some(admin.id.to_string())),
                                users::proposed_at.eq(Some(at)),
                            ))
                            .execute(conn)?;
                        let after = queries::get(conn, &admin.scope, id)?;
                        audit_user(conn, &admin, AuditAction::GrantProposed, id, u, &after)?;
                    }
                    crate::auth::throttle::clear(
                        conn,
                        &crate::auth::throttle::account_key(&u.username),
                    )?;
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

/// How a wanted role set splits into what applies now and what waits for a second
/// person.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Proposal {
    /// Roles held from now on: the wanted roles that are not data roles, and data roles
    /// the user holds already. Roles taken away go at once.
    now: Vec<Role>,
    /// The whole wanted set, when it adds a data role the user does not hold.
    pending: Option<Vec<Role>>,
}

impl Proposal {
    fn of(current: &[Role], wanted: &[Role]) -> Self {
        let now = wanted
            .iter()
            .copied()
            .filter(|r| !r.is_data_role() || current.contains(r))
            .collect();
        let adds_data = data_roles(wanted).iter().any(|r| !current.contains(r));
        Self {
            now,
            pending: adds_data.then(|| wanted.to_vec()),
        }
    }
}

/// Changes a user's roles. Roles taken away and non-data roles apply at once; a set
/// that adds a data role is proposed (replacing any earlier proposal) and grants
/// nothing until a leader whose scope covers the user confirms it.
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    request_body = RoleChange,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_roles(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<RoleChange>,
) -> Result<web::Json<User>, ApiError> {
    user.require(Capability::ManageUsers)?;
    if body.roles.is_empty() {
        return Err(ApiError::field(
            "roles",
            "required",
            "give at least one role",
        ));
    }
    let id = path.into_inner();
    let row = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let before = queries::get(conn, &user.scope, id)?;
                if body.version != before.version {
                    return Err(ApiError::stale_version());
                }
                let proposal = Proposal::of(&before.roles()?, &body.roles);
                let at = now();
                let n = diesel::update(
                    users::table
                        .find(&before.id)
                        .filter(users::version.eq(before.version)),
                )
                .set((
                    users::roles.eq(roles_text(&proposal.now)),
                    users::pending_roles.eq(proposal.pending.as_deref().map(roles_text)),
                    users::proposed_by.eq(proposal.pending.as_ref().map(|_| user.id.to_string())),
                    users::proposed_at.eq(proposal.pending.as_ref().map(|_| at)),
                    users::version.eq(before.version + 1),
                    users::updated_at.eq(at),
                    users::updated_by.eq(user.id.to_string()),
                ))
                .execute(conn)?;
                crate::record::changed(n)?;
                let after = queries::get(conn, &user.scope, id)?;
                let action = if proposal.pending.is_some() {
                    AuditAction::GrantProposed
                } else {
                    AuditAction::Update
                };
                audit_user(conn, &user, action, id, &before, &after)?;
                Ok(after)
            })
        })
        .await?;
    Ok(web::Json(row.to_api()?))
}

/// Records a change of a user in the audit log, owned by the user's region.
fn audit_user(
    conn: &mut DbConn,
    actor: &AuthUser,
    action: AuditAction,
    id: Uuid,
    before: &UserRow,
    after: &UserRow,
) -> Result<(), ApiError> {
    let region =
        crate::org::queries::region_of(conn, &after.unit_code)?.unwrap_or_else(|| "43".into());
    audit::record(
        conn,
        Event {
            actor,
            action,
            entity_type: "user",
            entity_id: id,
            owner_region: &region,
            reason: None,
            before: Some(before.audit_json()),
            after: Some(after.audit_json()),
        },
    )
}

/// Settles a pending proposal: the caller must see the user (in scope), the version must
/// be the one they saw, and something must be pending.
fn settle(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    version: i64,
    confirm: bool,
) -> Result<UserRow, ApiError> {
    write_tx(conn, |conn| {
        let before = queries::get(conn, &caller.scope, id)?;
        if version != before.version {
            return Err(ApiError::stale_version());
        }
        let Some(pending) = before.pending_roles.clone() else {
            return Err(ApiError::Conflict {
                code: "nothing_pending",
                detail: "no roles are waiting for confirmation for this user".into(),
            });
        };
        if confirm {
            if before.proposed_by.as_deref() == Some(caller.id.to_string().as_str()) {
                return Err(ApiError::Denied {
                    code: "own_proposal",
                    detail: "a grant needs a second person: you cannot confirm your own proposal"
                        .into(),
                });
            }
            // One person with both hats (admin and leader), or an admin with a second
            // admin account of their making, would be both the proposer and the second
            // person: whoever administers users never confirms grants.
            if caller.can(Capability::ManageUsers) {
                return Err(ApiError::Denied {
                    code: "own_proposal",
                    detail: "user administrators cannot confirm grants: a leader who does not administer users must"
                        .into(),
                });
            }
            if before.id == caller.id.to_string() {
                return Err(ApiError::Denied {
                    code: "own_account",
                    detail: "you cannot confirm roles for your own account".into(),
                });
            }
        }
        let at = now();
        let roles = if confirm {
            roles_text(&queries::parse_roles(&pending)?)
        } else {
            before.roles.clone()
        };
        let n = diesel::update(
            users::table
                .find(&before.id)
                .filter(users::version.eq(before.version)),
        )
        .set((
            users::roles.eq(roles),
            users::pending_roles.eq(None::<String>),
            users::proposed_by.eq(None::<String>),
            users::proposed_at.eq(None::<chrono::NaiveDateTime>),
            users::version.eq(before.version + 1),
            users::updated_at.eq(at),
            users::updated_by.eq(caller.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let after = queries::get(conn, &caller.scope, id)?;
        let action = if confirm {
            AuditAction::GrantConfirmed
        } else {
            AuditAction::GrantRejected
        };
        audit_user(conn, caller, action, id, &before, &after)?;
        Ok(after)
    })
}

/// Confirms the roles proposed for a user: the second person of the two-person rule.
/// Only a leader whose scope covers the user, who neither proposed them nor is the user.
#[utoipa::path(post, path = "/api/v1/users/{id}/roles/confirm", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    request_body = VersionOnly,
    responses((status = 200, body = User), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn confirm_roles(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<VersionOnly>,
) -> Result<web::Json<User>, ApiError> {
    user.require(Capability::ConfirmGrants)?;
    let id = path.into_inner();
    let row = state
        .db(move |conn| settle(conn, &user, id, body.version, true))
        .await?;
    Ok(web::Json(row.to_api()?))
}

/// Rejects the roles proposed for a user (a leader who may confirm them), or withdraws
/// them (an admin); the roles the user holds stay as they are.
#[utoipa::path(post, path = "/api/v1/users/{id}/roles/reject", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    request_body = VersionOnly,
    responses((status = 200, body = User), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn reject_roles(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<VersionOnly>,
) -> Result<web::Json<User>, ApiError> {
    if !user.can(Capability::ConfirmGrants) {
        user.require(Capability::ManageUsers)?;
    }
    let id = path.into_inner();
    let row = state
        .db(move |conn| settle(conn, &user, id, body.version, false))
        .await?;
    Ok(web::Json(row.to_api()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposals_hold_back_new_data_roles_only() {
        let p = Proposal::of(&[], &[Role::Registrar, Role::Auditor]);
        assert_eq!(p.now, vec![Role::Auditor]);
        assert_eq!(p.pending, Some(vec![Role::Registrar, Role::Auditor]));
        // Taking a data role away, or keeping one, needs nobody else.
        let p = Proposal::of(&[Role::Staff, Role::Leader], &[Role::Staff]);
        assert_eq!((p.now, p.pending), (vec![Role::Staff], None));
        let p = Proposal::of(&[Role::Admin], &[Role::Auditor]);
        assert_eq!((p.now, p.pending), (vec![Role::Auditor], None));
    }
}
