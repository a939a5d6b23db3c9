//! Queries on user accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::api::User;
use shared::auth::Role;
use uuid::Uuid;

use crate::auth::Scope;
use crate::db::schema::{org_units, sessions, users};
use crate::db::{code, utc, uuid, DbConn};
use crate::error::ApiError;

/// A row of `users`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// argon2 PHC string.
    pub password_hash: String,
    /// Unit code.
    pub unit_code: String,
    /// Comma-separated roles.
    pub roles: String,
    /// Disabled flag.
    pub disabled: bool,
    /// Hash of the create request, for idempotent retries.
    pub create_hash: Option<String>,
    /// Version.
    pub version: i64,
    /// Created at.
    pub created_at: NaiveDateTime,
    /// Created by.
    pub created_by: Option<String>,
    /// Updated at.
    pub updated_at: NaiveDateTime,
    /// Updated by.
    pub updated_by: Option<String>,
    /// Comma-separated proposed roles waiting for confirmation (grant nothing yet).
    pub pending_roles: Option<String>,
    /// Who proposed them.
    pub proposed_by: Option<String>,
    /// When they were proposed.
    pub proposed_at: Option<NaiveDateTime>,
    /// The password was set by an admin and must be changed first.
    pub must_change_password: bool,
}

/// The login of user `id`, for "recorded by" fields ("" when the account is gone).
pub fn login_of(conn: &mut DbConn, id: &str) -> Result<String, ApiError> {
    Ok(users::table
        .find(id)
        .select(users::username)
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

/// Joins roles for storage (sorted, without repeats).
pub fn roles_text(roles: &[Role]) -> String {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses stored roles.
pub fn parse_roles(text: &str) -> Result<Vec<Role>, ApiError> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(code)
        .collect()
}

impl UserRow {
    /// The roles, parsed.
    pub fn roles(&self) -> Result<Vec<Role>, ApiError> {
        parse_roles(&self.roles)
    }

    /// The proposed roles waiting for confirmation, parsed (empty if none).
    pub fn pending_roles(&self) -> Result<Vec<Role>, ApiError> {
        parse_roles(self.pending_roles.as_deref().unwrap_or(""))
    }

    /// The API view.
    pub fn to_api(&self) -> Result<User, ApiError> {
        Ok(User {
            id: uuid(&self.id)?,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            unit_code: self.unit_code.clone(),
            roles: self.roles()?,
            pending_roles: self.pending_roles()?,
            proposed_by: self.proposed_by.as_deref().map(uuid).transpose()?,
            proposed_at: self.proposed_at.map(utc),
            must_change_password: self.must_change_password,
            disabled: self.disabled,
            version: self.version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }

    /// The audit view: everything but the password hash and login counters.
    pub fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "username": self.username,
            "display_name": self.display_name,
            "unit_code": self.unit_code,
            "roles": self.roles,
            "pending_roles": self.pending_roles,
            "proposed_by": self.proposed_by,
            "must_change_password": self.must_change_password,
            "disabled": self.disabled,
            "version": self.version,
        })
    }
}

/// Users whose unit lies in `scope`, the only way handlers reach user rows.
pub fn visible(
    scope: &Scope,
) -> users::BoxedQuery<'static, <DbConn as diesel::Connection>::Backend> {
    let q = users::table.into_boxed();
    match scope {
        Scope::Province => q,
        Scope::City(_) | Scope::County(_) => {
            let units = org_units::table
                .filter(org_units::region_code.like(format!("{}%", scope.region())))
                .select(org_units::code);
            q.filter(users::unit_code.eq_any(units))
        }
    }
}

/// A user in scope by id.
pub fn get(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<UserRow, ApiError> {
    Ok(visible(scope)
        .filter(users::id.eq(id.to_string()))
        .select(UserRow::as_select())
        .first(conn)?)
}

diesel::define_sql_function! {
    /// SQL `lower()`, on SQLite and PostgreSQL alike.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `%text%` for `LIKE` with a backslash escape: `%`, `_` and backslash match themselves.
fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// What a list of users is narrowed to, beyond the caller's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Part of the username or display name, matched case-insensitively.
    pub text: Option<String>,
    /// Only users of this unit.
    pub unit: Option<String>,
    /// Only users with roles waiting for confirmation.
    pub pending: bool,
}

/// A page of users in scope matching `filter`, by username.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &Filter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRow>, ApiError> {
    let mut q = visible(scope).order(users::username.asc()).limit(limit);
    if let Some(a) = after {
        q = q.filter(users::username.gt(a.to_owned()));
    }
    if let Some(text) = filter.text.as_deref() {
        // Usernames are lowercase already; display names are folded in SQL. SQLite's
        // lower() folds ASCII letters only: enough for names in Chinese and pinyin.
        let pattern = contains_pattern(&text.to_lowercase());
        q = q.filter(
            users::username
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::display_name).like(pattern).escape('\\')),
        );
    }
    if let Some(unit) = &filter.unit {
        q = q.filter(users::unit_code.eq(unit.clone()));
    }
    if filter.pending {
        q = q.filter(users::pending_roles.is_not_null());
    }
    Ok(q.select(UserRow::as_select()).load(conn)?)
}

/// Ends every live session of a user.
pub fn revoke_sessions(
    conn: &mut DbConn,
    user_id: &str,
    reason: &str,
    except: Option<&str>,
) -> Result<usize, ApiError> {
    let now = crate::db::now();
    // Session ids are never empty, so "" keeps nothing.
    let keep = except.unwrap_or("").to_owned();
    let target = sessions::table
        .filter(sessions::user_id.eq(user_id.to_owned()))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::id.ne(keep));
    Ok(diesel::update(target)
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)?)
}
