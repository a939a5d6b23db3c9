//! Measure 14, rehabilitation and assistive devices: the device catalogue, needs and
//! their assessment, the device workflow (plan, fitting, acceptance, follow-up), and
//! rehab service episodes. The KPIs live in [`crate::kpi::rehab`].

pub mod catalogue;
pub mod episodes;
pub mod needs;
pub mod routes;
pub mod transfer;

#[cfg(test)]
mod review_tests;
#[cfg(test)]
mod tests;

use shared::auth::Capability;
use shared::workflow::OrgLevel;

use crate::auth::AuthUser;
use crate::error::ApiError;

/// Needs and episodes are recorded where the person lives: by county staff who may
/// write rehab records.
pub(crate) fn require_county_writer(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::WriteRehab)?;
    if OrgLevel::of_region(user.scope.region()) != OrgLevel::County {
        return Err(ApiError::Forbidden(
            "rehabilitation records are kept by the county's rehabilitation staff".into(),
        ));
    }
    Ok(())
}

/// Reading rehab records (health data): only the roles whose business they are —
/// rehabilitation staff, county and city staff, leaders — not every registry reader.
pub(crate) fn require_reader(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::ReadRehab)
}
