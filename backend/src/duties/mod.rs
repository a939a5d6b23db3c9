//! The federation's own duties (issue 14): village links (measure 12), paired support
//! (measure 16), typical cases (measures 10 and 19), the county lists that measures name (kept
//! by the poverty office per programme year), the farm-produce purchases of each DPF's
//! canteen with the share bought from the key poverty counties (measure 17), and funds
//! allocated to counties by factors, approved, and spent (measure 21).
//!
//! Who may do what:
//!
//! | what | capability | where |
//! |---|---|---|
//! | change a county list | `manage_plan` | the province (the poverty office) |
//! | record, change, delete a canteen purchase | `write_purchases` | one's own DPF only |
//! | read purchases and the share | `read_kpi` or `write_purchases` | in scope |
//! | compute, recompute, adjust an allocation | `manage_funds` | the province |
//! | approve it | `approve_funds` | the province; not whoever computed or adjusted it last |
//! | read allocations | `read_kpi`, `manage_funds` or `record_spending` | approved ones in scope (drafts: the province) |
//! | record spending | `record_spending` | a county of one's area, from an approved allocation |
//! | link a village, record activities there | `link_villages` | a village of one's area; only the linking unit changes its link |
//! | read village links and their KPI | `read_kpi` or `link_villages` | by where the village lies |
//! | keep the pairings of DPFs | `manage_plan` | the province (the poverty office) |
//! | record support under a pairing | `record_support` | a pairing one's area is on either side of |
//! | read pairings and their support | `read_kpi` or `record_support` | the same |
//! | collect a typical case | `write_publicity` | one's own unit; its person or base in its area |
//! | select a case | `select_cases` | a city's leaders, then the province's |
//! | read cases | `read_kpi`, `write_publicity` or `select_cases` | by the collecting unit |

pub mod funds;
pub mod lists;
pub mod publicity;
pub mod purchases;
pub mod routes;
pub mod support;
pub mod villages;

#[cfg(test)]
mod tests;

use shared::auth::Capability;

use crate::auth::AuthUser;
use crate::error::ApiError;

/// 403 unless the caller holds one of `caps`.
pub(crate) fn require_any(user: &AuthUser, caps: &[Capability]) -> Result<(), ApiError> {
    match caps.iter().find(|c| user.can(**c)) {
        Some(_) => Ok(()),
        None => user.require(caps[0]),
    }
}

/// The city code of a region code that owns a record (`43` for the province).
pub(crate) fn city_of(region: &str) -> &str {
    region.get(..4).unwrap_or(region)
}
