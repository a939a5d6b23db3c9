//! Measure 9, care services (托养): the placement list by status, the placement form
//! (person, provider, mode, dates, subsidy, funder, and the care assessment), a
//! placement's page with its workflow steps (`allowed_actions` from the server) and the
//! service logs of home-based care, the provider list with its form, and the KPI of
//! persons served per unit. Helpers shared with the rehab pages come from there.

pub mod form;
pub mod kpi;
pub mod placement;
pub mod placements;
pub mod providers;

use shared::auth::Capability;
use shared::workflow::OrgLevel;

use crate::app::Ctx;

/// Whether the user keeps care records (county care staff; the server holds the same
/// rule).
pub fn county_writer(ctx: &Ctx) -> bool {
    ctx.me.as_ref().is_some_and(|m| {
        m.permissions.contains(&Capability::WriteCare)
            && OrgLevel::of_region(&m.scope.code) == OrgLevel::County
    })
}

/// Yuan as typed ("800", "800.50") to fen; none when it is not an amount.
pub fn yuan_to_fen(s: &str) -> Option<i64> {
    shared::money::parse_yuan(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_become_fen() {
        assert_eq!(yuan_to_fen("800"), Some(80_000));
        assert_eq!(yuan_to_fen("12.5"), Some(1_250));
        assert_eq!(yuan_to_fen("abc"), None);
    }
}
