//! Authentication and authorisation: who is calling (the [`AuthUser`] extractor), what
//! they may do ([`AuthUser::require`]) and where ([`Scope`]).

pub mod client;
pub mod password;
pub mod queries;
pub mod routes;
pub mod throttle;
pub mod tokens;

#[cfg(test)]
mod tests;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use shared::auth::{unit_capabilities, user_capabilities, Capability, Role};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// The part of the province a user's records come from: their unit's region and
/// everything below it. Departments of the provincial DPF see the whole province.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// All of Hunan.
    Province,
    /// One city (4-digit code) and its counties.
    City(String),
    /// One county (6-digit code).
    County(String),
}

impl Scope {
    /// The scope of a unit whose region code is `region` (`43`, `4303`, `430381`). It
    /// fails closed: anything else (a malformed code, another province, a town) is no
    /// scope at all, never the whole province.
    pub fn from_region(region: &str) -> Option<Self> {
        if !region.starts_with("43") || !region.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match region.len() {
            2 => Some(Self::Province),
            4 => Some(Self::City(region.to_owned())),
            6 => Some(Self::County(region.to_owned())),
            _ => None,
        }
    }

    /// The region code this scope covers.
    pub fn region(&self) -> &str {
        match self {
            Self::Province => "43",
            Self::City(c) | Self::County(c) => c,
        }
    }

    /// Whether a region (province, city or county code) lies within this scope.
    ///
    /// ```
    /// use backend::auth::Scope;
    /// assert_eq!(Scope::from_region("4303"), Some(Scope::City("4303".into())));
    /// assert_eq!(Scope::from_region("43"), Some(Scope::Province));
    /// for bad in ["", "4", "430", "4303810", "44", "43.x", "430381001"] {
    ///     assert_eq!(Scope::from_region(bad), None, "{bad}");
    /// }
    /// ```
    pub fn covers_region(&self, region: &str) -> bool {
        region.starts_with(self.region())
    }
}

impl Scope {
    /// The area a list or a count asks for (`area`, trimmed), or this scope's own region
    /// when none is given: 422 `outside_scope` on field `area` for anything that is not
    /// the province, a city or a county inside this scope. The answer is a validated
    /// region code (digits only), safe to inline in SQL (see [`area_sql`]).
    pub fn area(&self, area: Option<&str>) -> Result<String, crate::error::ApiError> {
        let area = area
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .unwrap_or(self.region());
        if Scope::from_region(area).is_some() && self.covers_region(area) {
            Ok(area.to_owned())
        } else {
            Err(crate::error::ApiError::field(
                "area",
                "outside_scope",
                "a city or county inside your own area",
            ))
        }
    }
}

/// The SQL condition "`col` lies in `area`": `col LIKE 'area%'`, or TRUE for the
/// province. `area` must be a validated region code ([`Scope::area`]).
pub fn area_sql(col: &str, area: &str) -> String {
    match Scope::from_region(area) {
        Some(Scope::Province) => "TRUE".into(),
        Some(_) => format!("{col} LIKE '{area}%'"),
        // An unvalidated code never reaches the SQL text.
        None => "FALSE".into(),
    }
}

/// Restricts a boxed query of a table that has `city_code` and `county_code` columns to
/// a [`Scope`]. Every scoped table's `visible` helper is built on it.
#[macro_export]
macro_rules! scope_filter {
    ($query:expr, $scope:expr, $table:ident) => {
        match $scope {
            $crate::auth::Scope::Province => $query,
            $crate::auth::Scope::City(c) => $query.filter($table::city_code.eq(c.clone())),
            $crate::auth::Scope::County(c) => $query.filter($table::county_code.eq(c.clone())),
        }
    };
}

/// Where a user whose password must be changed may still go: reading themselves,
/// changing the password, and logging out (refresh takes no access token).
pub const PASSWORD_CHANGE_PATHS: &[&str] =
    &["/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"];

/// An authenticated caller. Taking it as a handler argument requires a valid access
/// token of a live session of an enabled user, whose password need not be changed
/// first (except on [`PASSWORD_CHANGE_PATHS`]).
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// User id.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// The user's unit.
    pub unit_code: String,
    /// Roles held.
    pub roles: Vec<Role>,
    /// Where the user may read and write.
    pub scope: Scope,
    /// The session the access token belongs to.
    pub session_id: Uuid,
    /// Where the primary's log stood after this session's last write (PostgreSQL with a
    /// read replica only): reads go to the replica only once it has replayed that far,
    /// so a user always reads their own writes.
    pub write_lsn: Option<String>,
}

impl AuthUser {
    /// Whether the user's roles grant `cap`.
    pub fn can(&self, cap: Capability) -> bool {
        self.roles.iter().any(|r| r.capabilities().contains(&cap))
            || unit_capabilities(&self.unit_code, &self.roles).contains(&cap)
    }

    /// 403 unless the user's roles grant `cap`.
    pub fn require(&self, cap: Capability) -> Result<(), ApiError> {
        if self.can(cap) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "your roles do not allow {}",
                cap.as_str()
            )))
        }
    }

    /// Every capability the user holds.
    pub fn capabilities(&self) -> Vec<Capability> {
        user_capabilities(&self.unit_code, &self.roles)
    }
}

/// The bearer token of a request, if it sends one.
pub(crate) fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req).map(str::to_owned);
        let password_change_path = PASSWORD_CHANGE_PATHS.contains(&req.path());
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState missing")))?;
            let token = token.ok_or_else(|| {
                ApiError::unauthorized(
                    "missing_token",
                    "log in and send the access token as a Bearer token",
                )
            })?;
            let claims = state.jwt.verify(&token).map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::unauthorized(
                    "token_expired",
                    "the access token has expired; refresh it",
                ),
                _ => ApiError::unauthorized("invalid_token", "the access token is not valid"),
            })?;
            let (sub, sid) = (claims.sub, claims.sid);
            let (user, must_change_password) = state
                .db(move |conn| queries::load_auth_user(conn, sub, sid))
                .await?;
            if must_change_password && !password_change_path {
                return Err(ApiError::Denied {
                    code: "password_change_required",
                    detail: "your password was set by an administrator; change it first (POST /api/v1/me/password)".into(),
                });
            }
            Ok(user)
        })
    }
}
