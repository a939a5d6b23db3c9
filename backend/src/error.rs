//! The API's one error type and its rendering as RFC 9457 problem JSON.
//!
//! Layers and their errors:
//! - `shared` validation returns [`shared::FieldError`]s, which become
//!   [`ApiError::Validation`] (422).
//! - Query functions (`*/queries.rs`) return `Result<_, ApiError>` and use `?` on diesel
//!   errors: `NotFound` becomes 404, a unique violation 409, anything else 500 with the
//!   cause logged and never shown.
//! - Handlers return `Result<_, ApiError>`; the one `ResponseError` impl renders it.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use shared::api::Problem;
use shared::FieldError;

/// An error answered to an API client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: no, bad or expired credentials.
    #[error("unauthorized: {detail}")]
    Unauthorized {
        /// Machine code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 403: the caller's roles do not allow this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 403 with its own machine code: allowed by the roles, refused for another reason
    /// (a password that must be changed first, confirming one's own proposal).
    #[error("denied: {detail}")]
    Denied {
        /// Machine code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 404: no such record, or not in the caller's scope.
    #[error("not found")]
    NotFound,
    /// 409: stale version, duplicate, or an id reused with another body.
    #[error("conflict: {detail}")]
    Conflict {
        /// Machine code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 409 `stale_version` with the record as the server holds it now (in the problem's
    /// `current` member).
    #[error("stale version")]
    Stale {
        /// The record now.
        current: Box<serde_json::Value>,
    },
    /// 409: the data's period is locked (approved, past its entry deadline, or its plan
    /// closed); code `period_locked`, the reason as the field error `period`'s code.
    #[error("period locked: {detail}")]
    Locked {
        /// Why.
        reason: shared::plan::LockReason,
        /// Explanation.
        detail: String,
    },
    /// 422: field problems.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 400: a request that is malformed as a whole.
    #[error("bad request: {detail}")]
    BadRequest {
        /// Machine code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 413: body too large.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 429: throttled.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// 503: too many requests are waiting for password hashing.
    #[error("busy")]
    Busy {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// 503: the database cannot be reached or the pool is exhausted.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// 500: a fault of ours; the cause is logged, not shown.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl ApiError {
    /// 422 with one field problem.
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The same error with its field names under `prefix` (`items[3].` for the fourth
    /// item of a batch); other errors unchanged.
    pub fn prefixed(self, prefix: &str) -> Self {
        match self {
            Self::Validation(errs) => Self::Validation(
                errs.into_iter()
                    .map(|mut e| {
                        e.field = format!("{prefix}{}", e.field);
                        e
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// 409 because the record changed since the client read it.
    pub fn stale_version() -> Self {
        Self::Conflict {
            code: "stale_version",
            detail: "the record was changed by someone else; reload it and apply your change again"
                .into(),
        }
    }

    /// 409 `stale_version` answering the record as it is now, for clients that edit
    /// offline and must show the newer version instead of overwriting it.
    pub fn stale_with(current: &impl serde::Serialize) -> Self {
        match serde_json::to_value(current) {
            Ok(v) => Self::Stale {
                current: Box::new(v),
            },
            Err(_) => Self::stale_version(),
        }
    }

    /// 401 for a missing or bad token.
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Unauthorized {
            code,
            detail: detail.into(),
        }
    }

    fn code(&self) -> &str {
        match self {
            Self::Unauthorized { code, .. }
            | Self::Denied { code, .. }
            | Self::Conflict { code, .. }
            | Self::BadRequest { code, .. } => code,
            Self::Forbidden(_) => "forbidden",
            Self::Stale { .. } => "stale_version",
            Self::Locked { .. } => "period_locked",
            Self::NotFound => "not_found",
            Self::Validation(_) => "validation_failed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Busy { .. } => "busy",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    fn title_and_detail(&self) -> (&'static str, String) {
        match self {
            Self::Unauthorized { detail, .. } => ("Unauthorized", detail.clone()),
            Self::Forbidden(d) => ("Forbidden", d.clone()),
            Self::Denied { detail, .. } => ("Forbidden", detail.clone()),
            Self::NotFound => ("Not Found", "no such record".into()),
            Self::Conflict { detail, .. } => ("Conflict", detail.clone()),
            Self::Stale { .. } => (
                "Conflict",
                "the record was changed by someone else; it is sent as `current`".into(),
            ),
            Self::Locked { detail, .. } => ("Conflict", detail.clone()),
            Self::Validation(errs) => (
                "Unprocessable Content",
                format!("{} field(s) are not valid", errs.len()),
            ),
            Self::BadRequest { detail, .. } => ("Bad Request", detail.clone()),
            Self::PayloadTooLarge => ("Payload Too Large", "the request body is too large".into()),
            Self::TooManyRequests { retry_after } => (
                "Too Many Requests",
                format!("too many attempts; try again in {retry_after} seconds"),
            ),
            Self::Busy { retry_after } => (
                "Service Unavailable",
                format!("the server is busy; try again in {retry_after} seconds"),
            ),
            Self::Unavailable(_) => (
                "Service Unavailable",
                "the database is not available; try again".into(),
            ),
            Self::Internal(_) => (
                "Internal Server Error",
                "an internal error occurred; it has been logged".into(),
            ),
        }
    }

    /// The problem JSON body of this error.
    pub fn problem(&self) -> Problem {
        let (title, detail) = self.title_and_detail();
        let code = self.code().to_owned();
        Problem {
            type_: format!("urn:xiangzhu:problem:{code}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            code,
            errors: match self {
                Self::Validation(errs) => errs.clone(),
                Self::Locked { reason, detail } => vec![FieldError::new(
                    "period",
                    match reason {
                        shared::plan::LockReason::Approved => "locked_approved",
                        shared::plan::LockReason::Expired => "locked_expired",
                        shared::plan::LockReason::Closed => "locked_closed",
                    },
                    detail.clone(),
                )],
                _ => Vec::new(),
            },
            current: match self {
                Self::Stale { current } => Some((**current).clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::Denied { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict { .. } | Self::Stale { .. } | Self::Locked { .. } => {
                StatusCode::CONFLICT
            }
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy { .. } | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(e) => tracing::error!(error = %format!("{e:#}"), "internal error"),
            Self::Unavailable(e) => tracing::warn!(error = %e, "database unavailable"),
            _ => {}
        }
        let mut resp = HttpResponse::build(self.status_code());
        resp.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Self::TooManyRequests { retry_after } | Self::Busy { retry_after } = self {
            resp.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        if let Self::Unauthorized { .. } = self {
            resp.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        resp.json(self.problem())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => Self::Conflict {
                code: "duplicate",
                detail: format!(
                    "a record with the same unique value exists ({})",
                    info.constraint_name().unwrap_or("unique")
                ),
            },
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Self::Conflict {
                code: "concurrent_update",
                detail: "a concurrent change got there first; try again".into(),
            },
            other => Self::Internal(other.into()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        Self::Internal(e)
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errs: Vec<FieldError>) -> Self {
        Self::Validation(errs)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

#[cfg(test)]
mod code_tests {
    use std::str::FromStr;

    /// Every code literal the server's and the shared crate's sources give an error is
    /// declared in [`shared::errors::ErrorCode`] (whose texts the web app's test checks).
    #[test]
    fn every_error_code_is_declared() {
        let patterns = [
            r#"code:\s*"([a-z_]+)""#,
            r#"ApiError::field\(\s*[^,]+,\s*"([a-z_]+)""#,
            r#"\.add\(\s*"[^"]*",\s*"([a-z_]+)""#,
            r#"ValidationError::new\(\s*"([a-z_]+)""#,
            r#"ApiError::unauthorized\(\s*"([a-z_]+)""#,
            r#"Denied\(\s*"([a-z_]+)""#,
        ]
        .map(|p| regex_lite::Regex::new(p).unwrap_or_else(|e| panic!("{e}")));
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut seen = 0;
        for dir in [root.join("src"), root.join("../shared/src")] {
            let mut stack = vec![dir];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{e}")) {
                    let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
                    if path.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    let name = path.to_string_lossy().into_owned();
                    if !name.ends_with(".rs") || name.ends_with("tests.rs") {
                        continue;
                    }
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    for re in &patterns {
                        for c in re.captures_iter(&text) {
                            seen += 1;
                            let code = &c[1];
                            if shared::errors::ErrorCode::from_str(code).is_err() {
                                missing.push(format!("{code} ({name})"));
                            }
                        }
                    }
                }
            }
        }
        assert!(seen > 100, "the scan found only {seen} codes");
        for e in [
            super::ApiError::NotFound,
            super::ApiError::PayloadTooLarge,
            super::ApiError::Validation(Vec::new()),
        ] {
            let code = e.problem().code;
            if shared::errors::ErrorCode::from_str(&code).is_err() {
                missing.push(code);
            }
        }
        assert!(missing.is_empty(), "undeclared error codes: {missing:?}");
    }
}
