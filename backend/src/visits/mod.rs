//! Measure 4 and attachment 1: cadre ↔ household pairings and the cadres' visits (see
//! `shared::visits`). The KPI lives in [`crate::kpi::pairing`].
//!
//! - **Who sees what.** Holders of `read_pairings` see the pairings (and their visits)
//!   of the households in their scope; every cadre sees their own pairings, whatever
//!   their roles. Anything else is 404.
//! - **Who writes.** County staff (`manage_pairings`, at a county) keep their county's
//!   pairings. A visit is recorded and edited by the pairing's cadre, or by county staff
//!   of the household's county.

pub mod pairings;
pub mod records;
pub mod routes;

#[cfg(test)]
mod tests;

use shared::auth::Capability;
use shared::workflow::OrgLevel;

use crate::auth::AuthUser;
use crate::error::ApiError;

/// Pairings are kept by the staff of the household's county.
pub(crate) fn require_county_manager(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::ManagePairings)?;
    if OrgLevel::of_region(user.scope.region()) != OrgLevel::County {
        return Err(ApiError::Forbidden(
            "pairings are kept by the county's staff".into(),
        ));
    }
    Ok(())
}

/// Whether `user` keeps the pairings of `county` (county staff of that county).
pub(crate) fn manages(user: &AuthUser, county: &str) -> bool {
    require_county_manager(user).is_ok() && user.scope.covers_region(county)
}
