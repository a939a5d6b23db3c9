//! Measure 15, home accessibility retrofits: one case per household, the item code list
//! and the per-household caps (data the province maintains), the case workflow of
//! [`shared::retrofit::CASE_WORKFLOW`], the ledger export and the survey import. The
//! KPIs live in [`crate::kpi::retrofits`].
//!
//! Who does what:
//!
//! - reading cases takes `read_retrofits` (rights staff, county and city staff, leaders),
//!   within the caller's area; a case out of it is 404;
//! - cases are created and their steps taken by county-level users with
//!   `write_retrofits` ([`require_county_writer`]); plans are approved by a second county
//!   user with `approve_retrofits`;
//! - the item code list and the caps are maintained by provincial users with
//!   `write_retrofits` (the province's rights department; [`require_maintainer`]): no
//!   extra capability, the province level is the distinction.
//!
//! The household rule: a household has at most one open case. A household is the
//! persons of one county sharing a household number; a person without one is a
//! household of one. Creating a case for a member of a household that has an open case
//! makes no second case: the persons named join the open case, and the answer (200, not
//! 201) is that case with `joined_existing: true` — what a field worker surveying the
//! second disabled member of a household expects to see.

pub mod cases;
pub mod items;
pub mod routes;
pub mod transfer;

#[cfg(test)]
mod tests;

use shared::auth::Capability;
use shared::workflow::OrgLevel;

use crate::auth::AuthUser;
use crate::error::ApiError;

/// Cases are kept where the household lives: by county users who may write retrofits.
pub(crate) fn require_county_writer(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::WriteRetrofits)?;
    if OrgLevel::of_region(user.scope.region()) != OrgLevel::County {
        return Err(ApiError::Forbidden(
            "retrofit cases are kept by the county's rights staff".into(),
        ));
    }
    Ok(())
}

/// Reading cases (household and disability data).
pub(crate) fn require_reader(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::ReadRetrofits)
}

/// The item code list and the caps are the province's: provincial users who may write
/// retrofits.
pub(crate) fn require_maintainer(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::WriteRetrofits)?;
    if OrgLevel::of_region(user.scope.region()) != OrgLevel::Province {
        return Err(ApiError::Forbidden(
            "the retrofit item list and caps are kept by the province".into(),
        ));
    }
    Ok(())
}
