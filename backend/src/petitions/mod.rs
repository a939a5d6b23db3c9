//! Measure 18, petitions (信访): registration from every channel (the petitioner
//! encrypted, masked, revealed with a reason), the workflow of
//! [`shared::petitions::PETITION_WORKFLOW`] with deadlines held as data, petitioners
//! linked across channels, the ledger as a spreadsheet. The KPIs live in
//! [`crate::kpi::petitions`].

pub mod cases;
pub mod routes;

#[cfg(test)]
mod tests;

use shared::auth::Capability;

use crate::auth::AuthUser;
use crate::error::ApiError;

/// Reading petitions (the petitioner masked): rights and county staff, leaders.
pub(crate) fn require_reader(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::ReadPetitions)
}

/// Registering petitions: staff who may write them, at any level (the province's
/// mailboxes are registered at the province, for the county concerned).
pub(crate) fn require_writer(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::WritePetitions)
}
