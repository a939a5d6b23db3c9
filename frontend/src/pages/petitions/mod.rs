//! Measure 18, petitions (信访): the list with its filters (status, channel, overdue,
//! county) and the ledger export, the registration form, and a petition's page with its
//! workflow steps (`allowed_actions` from the server), the petitioner masked (revealed
//! with a reason) and the petitioner's other petitions.

pub mod form;
pub mod list;
pub mod page;

use shared::auth::Capability;
use shared::workflow::OrgLevel;

use crate::app::Ctx;

/// Whether the user registers petitions (the server holds the same rule).
pub fn writer(ctx: &Ctx) -> bool {
    ctx.me
        .as_ref()
        .is_some_and(|m| m.permissions.contains(&Capability::WritePetitions))
}

/// Whether the user works at a county (registration defaults to it).
pub fn at_county(ctx: &Ctx) -> bool {
    ctx.me
        .as_ref()
        .is_some_and(|m| OrgLevel::of_region(&m.scope.code) == OrgLevel::County)
}
