//! Measure 6, problems rectified to zero (问题清零): the rectification ledger every other
//! supervision ledger feeds into. One item per problem, whatever found it (the 2019
//! assessment, an inspection, a cadre's visit, a petition, a self-check, a superior);
//! other ledgers open items inside their own transaction with [`items::open_in`].
//!
//! Who does what (the workflow is [`shared::rectification::RECTIFICATION_WORKFLOW`]):
//!
//! - reading takes `read_rectification`, within the caller's area (the responsible unit
//!   is the item's county); an item out of it is 404;
//! - items are recorded by users with `write_rectification` for a county in their area;
//!   the county's users take the county's steps (assign, start, long-term, submit with
//!   evidence);
//! - the recheck and the close-out (销号), and reopening, take `recheck_rectification`
//!   and are done by a unit above the county — the city DPF or the provincial poverty
//!   office — and never by the unit that submitted the rectification.

pub mod items;
pub mod kpi;
pub mod routes;
pub mod work;

#[cfg(test)]
mod tests;

use shared::auth::Capability;

use crate::auth::AuthUser;
use crate::error::ApiError;

/// Reading items.
pub(crate) fn require_reader(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::ReadRectification)
}

/// Taking a step: either side's capability (the workflow then decides which step).
pub(crate) fn require_actor(user: &AuthUser) -> Result<(), ApiError> {
    if user.can(Capability::WriteRectification) || user.can(Capability::RecheckRectification) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "your roles take no step of a rectification item".into(),
        ))
    }
}
