//! Measure 7: the survey of those not yet out of poverty (see `shared::survey`).
//!
//! - **Rounds** are opened by the provincial data update office (`manage_surveys`), for
//!   an area inside its scope, with the counties assigned to survey. A reader sees the
//!   rounds whose area overlaps their own.
//! - **Surveys** are recorded by staff (`write_surveys`) whose scope covers the person's
//!   county, for a person of an assigned county, once per round; a problem opens a
//!   rectification item (source `self_check`, measure 7) in the same transaction.
//! - **Household plans** are kept by the same staff; one plan per household.
//! - Everything is read with `read_surveys`, inside the reader's scope; anything else is
//!   404.

pub mod plans;
pub mod records;
pub mod rounds;
pub mod routes;

#[cfg(test)]
mod tests;

use shared::auth::Capability;
use shared::workflow::OrgLevel;

use crate::auth::AuthUser;
use crate::error::ApiError;

/// 403 unless `user` reads surveys.
pub(crate) fn reader(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::ReadSurveys)
}

/// 403 unless `user` records surveys and household plans: county staff, who survey the
/// persons of their own county (a city or a department reads and follows up).
pub(crate) fn writer(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::WriteSurveys)?;
    if OrgLevel::of_region(user.scope.region()) != OrgLevel::County {
        return Err(ApiError::Forbidden(
            "surveys and household plans are recorded by the county's staff".into(),
        ));
    }
    Ok(())
}

/// Whether two region codes overlap: one lies within the other.
pub(crate) fn overlaps(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}
