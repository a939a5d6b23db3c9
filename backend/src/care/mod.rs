//! Measure 9, care services (托养): providers and their places, care assessments,
//! placements with their workflow (`shared::care::PLACEMENT_WORKFLOW`) and transfers,
//! service logs of home-based care, and the placement ledger as a spreadsheet. The KPI
//! of persons served lives in [`crate::kpi::care`].

pub mod assessments;
pub mod placements;
pub mod providers;
pub mod routes;

#[cfg(test)]
mod tests;

use shared::auth::Capability;
use shared::workflow::OrgLevel;

use crate::auth::AuthUser;
use crate::error::ApiError;

/// Care records are kept where the person lives: by county staff who may write care
/// records.
pub(crate) fn require_county_writer(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::WriteCare)?;
    if OrgLevel::of_region(user.scope.region()) != OrgLevel::County {
        return Err(ApiError::Forbidden(
            "care records are kept by the county's staff".into(),
        ));
    }
    Ok(())
}

/// Reading care records (disability care data): employment staff, county and city
/// staff, leaders — not every registry reader.
pub(crate) fn require_reader(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::ReadCare)
}
