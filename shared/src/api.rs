//! Request and response bodies of the REST API (DOMAIN.md, "API conventions").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Capability, Role};
use crate::codes::{AddressLevel, OrgUnitKind};
use crate::validation::FieldError;

/// Default page size of lists.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size of lists.
pub const MAX_LIMIT: i64 = 500;

/// Body of `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Body of `POST /api/v1/auth/refresh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    /// The refresh token last received; it is used up by this call.
    pub refresh_token: String,
}

/// Body of `POST /api/v1/auth/logout`: ends the session of the access token, and of
/// this refresh token if given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogoutRequest {
    /// Refresh token of the session to end.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// Answer of login and refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Single-use token that buys the next access token.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// The password was set by an admin and must be changed first: until it is, the API
    /// answers every call but `me`, `me/password`, refresh and logout with 403
    /// `password_change_required`.
    #[serde(default)]
    pub must_change_password: bool,
}

/// A node of the org tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgUnit {
    /// Code: the administrative code for regions (`43`, `4303`, `430381`), `43.<dept>` for
    /// departments of the provincial DPF.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// English name, where one is kept.
    pub name_en: Option<String>,
    /// Kind of unit.
    pub kind: OrgUnitKind,
    /// Parent unit's code (none for the province).
    pub parent_code: Option<String>,
    /// Number of child units.
    pub child_count: i64,
}

/// A town or village of the address reference data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressEntry {
    /// 9-digit town or 12-digit village code.
    pub code: String,
    /// Name.
    pub name: String,
    /// County code of a town, town code of a village.
    pub parent_code: String,
    /// Town or village.
    pub level: AddressLevel,
}

/// A user account as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// User id.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Code of the unit the user belongs to.
    pub unit_code: String,
    /// Roles held.
    pub roles: Vec<Role>,
    /// A proposed role set (it grants data roles) waiting for a leader's confirmation;
    /// empty when nothing is pending. It grants nothing until confirmed.
    #[serde(default)]
    pub pending_roles: Vec<Role>,
    /// Who proposed the pending roles.
    #[serde(default)]
    pub proposed_by: Option<Uuid>,
    /// When the pending roles were proposed.
    #[serde(default)]
    pub proposed_at: Option<DateTime<Utc>>,
    /// The password was set by an admin and must be changed at the next login.
    #[serde(default)]
    pub must_change_password: bool,
    /// A disabled user cannot log in and has no sessions.
    pub disabled: bool,
    /// Bumped on each change.
    pub version: i64,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// Answer of `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// The user.
    pub user: User,
    /// The user's unit.
    pub unit: OrgUnit,
    /// The region the user's scope covers (a department's is the province).
    pub scope: OrgUnit,
    /// Everything the user's roles allow, within the scope. A client drops the ones it
    /// does not know (a newer server may grant more), rather than failing to read `me`.
    #[serde(deserialize_with = "known_capabilities")]
    pub permissions: Vec<Capability>,
}

/// Reads a list of capabilities, skipping those this build does not know.
fn known_capabilities<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Capability>, D::Error> {
    let names: Vec<String> = Vec::deserialize(d)?;
    Ok(names.iter().filter_map(|n| n.parse().ok()).collect())
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserCreate {
    /// Client-chosen id for an idempotent create.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Login name: 3–64 of a–z 0–9 . _ -
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Initial password (at least 10 characters).
    pub password: String,
    /// The unit's code; must lie in the admin's scope.
    pub unit_code: String,
    /// Roles; at least one. Data roles (see `Role::is_data_role`) are only proposed:
    /// the account holds them once a leader whose scope covers it confirms.
    pub roles: Vec<Role>,
}

/// Body of `PUT /api/v1/users/{id}/roles`: the roles the user should hold. Roles taken
/// away and non-data roles apply at once; added data roles are proposed and wait for a
/// leader's confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleChange {
    /// The complete role set wanted.
    pub roles: Vec<Role>,
    /// The version last seen.
    pub version: i64,
}

/// Body of `POST /api/v1/users/{id}/password`: an admin sets a new password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordReset {
    /// The new password.
    pub new_password: String,
}

/// Body of `POST /api/v1/me/password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    /// The current password.
    pub current_password: String,
    /// The new password.
    pub new_password: String,
}

/// Body of `POST /api/v1/users/{id}/disable` and `/enable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionOnly {
    /// The version last seen.
    pub version: i64,
}

crate::string_enum! {
    /// What an audit entry records.
    pub enum AuditAction {
        /// A record was created.
        Create = "create",
        /// A record was changed.
        Update = "update",
        /// A record was (soft-)deleted.
        Delete = "delete",
        /// Sensitive data was shown: a full identity number or petitioner, or a
        /// misconduct clue (every read of one).
        Reveal = "reveal",
        /// Records were exported.
        Export = "export",
        /// A user's password was set by an admin.
        PasswordReset = "password_reset",
        /// A user changed their own password.
        PasswordChange = "password_change",
        /// A user was disabled.
        Disable = "disable",
        /// A user was enabled.
        Enable = "enable",
        /// Data roles were proposed for a user (they grant nothing yet).
        GrantProposed = "grant_proposed",
        /// A leader confirmed proposed roles: the user holds them now.
        GrantConfirmed = "grant_confirmed",
        /// Proposed roles were rejected or withdrawn.
        GrantRejected = "grant_rejected",
        /// Security event: a successful login.
        Login = "login",
        /// Security event: a refused login (reason: `wrong_password`, `unknown_user`,
        /// `locked`, `disabled`).
        LoginFailed = "login_failed",
        /// Security event: an account was locked after repeated failures.
        Lockout = "lockout",
        /// Security event: a used refresh token was presented again; its session ended.
        TokenReuse = "token_reuse",
    }
}

crate::string_enum! {
    /// A group of audit actions, for filtering the log: every [`AuditAction`] belongs to
    /// exactly one (see [`AuditAction::category`]).
    pub enum AuditCategory {
        /// Records created, changed or deleted.
        Write = "write",
        /// Sensitive data shown: full identity numbers, misconduct clues.
        Reveal = "reveal",
        /// Records exported.
        Export = "export",
        /// Accounts administered: passwords, enabling and disabling, role grants.
        Account = "account",
        /// Security events: logins, refused logins, lockouts, reused refresh tokens.
        Security = "security",
    }
}

impl AuditAction {
    /// The category this action is filtered under. The one mapping of actions to
    /// categories: server and web app both use it.
    pub fn category(self) -> AuditCategory {
        match self {
            Self::Create | Self::Update | Self::Delete => AuditCategory::Write,
            Self::Reveal => AuditCategory::Reveal,
            Self::Export => AuditCategory::Export,
            Self::PasswordReset
            | Self::PasswordChange
            | Self::Disable
            | Self::Enable
            | Self::GrantProposed
            | Self::GrantConfirmed
            | Self::GrantRejected => AuditCategory::Account,
            Self::Login | Self::LoginFailed | Self::Lockout | Self::TokenReuse => {
                AuditCategory::Security
            }
        }
    }
}

impl AuditCategory {
    /// The actions of this category, in declaration order.
    pub fn actions(self) -> Vec<AuditAction> {
        AuditAction::ALL
            .iter()
            .copied()
            .filter(|a| a.category() == self)
            .collect()
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Entry id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (user id).
    pub actor_id: Uuid,
    /// Who (login name).
    pub actor_username: String,
    /// Who (name shown to people), if the account still exists.
    #[serde(default)]
    pub actor_name: Option<String>,
    /// The actor's unit.
    pub actor_unit: String,
    /// What was done.
    pub action: AuditAction,
    /// Kind of record (`person`, `user` …).
    pub entity_type: String,
    /// Which record.
    pub entity_id: Uuid,
    /// The unit that owns the record.
    pub unit_code: String,
    /// The reason given (reveals, exports).
    pub reason: Option<String>,
    /// The record before (identity numbers masked).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    /// The record after (identity numbers masked).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
}

/// Filters of `GET /api/v1/audit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Only entries about this record.
    pub entity_id: Option<Uuid>,
    /// Only entries by this user.
    pub actor_id: Option<Uuid>,
    /// Only entries by the user with this login name (exact, case-insensitive).
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only actions of this category (`write`: create, update, delete; `reveal`;
    /// `export`; `account`: passwords, enabling, disabling, role grants; `security`:
    /// logins, refused logins, lockouts, reused refresh tokens).
    pub category: Option<AuditCategory>,
    /// Only entries touching this org unit (a code from `/api/v1/units`): done by a user
    /// of the unit, or about a record owned in its region (a county's or city's records,
    /// including its counties'). It must lie within the caller's scope, else 404
    /// `not_found`.
    pub unit: Option<String>,
    /// Only entries on or after this day (`YYYY-MM-DD`), inclusive. Days are calendar
    /// days in China Standard Time (UTC+8): from 00:00 +08:00.
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = Date))]
    pub from: Option<chrono::NaiveDate>,
    /// Only entries on or before this day (`YYYY-MM-DD`), inclusive, in China Standard
    /// Time (UTC+8): until 24:00 +08:00. Before `from` is 422 with a field error on `to`
    /// (`before_start`).
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = Date))]
    pub to: Option<chrono::NaiveDate>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// Longest search text `GET /api/v1/users` accepts in `q`.
pub const USER_SEARCH_MAX_CHARS: usize = 64;

/// Filters of `GET /api/v1/users`: users of the caller's scope, by username.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct UserQuery {
    /// Part of the username or display name, case-insensitive (at most 64 characters).
    pub q: Option<String>,
    /// Only users of this unit (its code). A unit outside the caller's scope lists nobody.
    pub unit: Option<String>,
    /// Only users with roles waiting for a second person's confirmation. A leader who may
    /// confirm grants (and does not manage users) lists users with `pending=true` only.
    pub pending: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// Paging of the simple lists (users, audit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageQuery {
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// An RFC 9457 problem: the body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// URI naming the problem type.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Explanation of this occurrence.
    pub detail: String,
    /// Stable snake_case machine code.
    pub code: String,
    /// Problems with single fields.
    #[serde(default)]
    pub errors: Vec<FieldError>,
    /// With `stale_version` where the API says so: the record as the server holds it
    /// now, so that a client whose edit was made against an older version can show it
    /// instead of overwriting it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub current: Option<serde_json::Value>,
}

/// One problem in an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    /// Column title.
    pub column: String,
    /// Machine code.
    pub code: String,
    /// Explanation in the requester's language.
    pub message: String,
}

crate::string_enum! {
    /// Where an import job stands.
    pub enum JobState {
        /// Reading and checking rows.
        Validating = "validating",
        /// Some rows are wrong: nothing can be written; see `errors`.
        Invalid = "invalid",
        /// Every row is good: commit to write them.
        Valid = "valid",
        /// Writing.
        Committing = "committing",
        /// Written.
        Committed = "committed",
        /// Writing failed, or the job was interrupted; nothing was written.
        Failed = "failed",
    }
}

/// An import job as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportStatus {
    /// Job id.
    pub id: Uuid,
    /// The record the rows go to (for a roster import: the course).
    pub course_id: Uuid,
    /// State.
    pub state: JobState,
    /// Data rows in the file.
    pub total_rows: usize,
    /// Rows checked (while validating) or written (while committing).
    pub processed_rows: usize,
    /// The problems found (at most 1,000 are listed).
    pub errors: Vec<RowError>,
    /// Total number of problems.
    pub error_count: usize,
    /// Why writing failed.
    pub failure: Option<String>,
    /// When the job was started.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A file format for import and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Office Open XML workbook.
    Xlsx,
    /// Comma-separated values, UTF-8.
    Csv,
}

#[cfg(test)]
mod tests {
    use super::{known_capabilities, AuditAction, AuditCategory, Capability};

    #[test]
    fn unknown_capabilities_are_dropped_not_fatal() {
        let list: Vec<String> = vec!["read_kpi".into(), "a_future_one".into()];
        let v =
            serde::de::value::SeqDeserializer::<_, serde::de::value::Error>::new(list.into_iter());
        let caps = known_capabilities(v).unwrap_or_default();
        assert_eq!(caps, vec![Capability::ReadKpi]);
    }

    #[test]
    fn every_audit_action_has_one_category_and_every_category_an_action() {
        let mut seen = Vec::new();
        for c in AuditCategory::ALL {
            let actions = c.actions();
            assert!(!actions.is_empty(), "{c} has no action");
            for a in actions {
                assert_eq!(a.category(), *c);
                seen.push(a);
            }
        }
        seen.sort();
        let mut all = AuditAction::ALL.to_vec();
        all.sort();
        assert_eq!(seen, all, "each action in exactly one category");
        assert_eq!(AuditAction::Reveal.category(), AuditCategory::Reveal);
        assert_eq!(AuditAction::LoginFailed.category(), AuditCategory::Security);
        assert_eq!(AuditAction::Update.category(), AuditCategory::Write);
    }
}
