//! Measure 6, problems rectified to zero (问题清零): the item list with its filters and
//! the overdue badge, a new item, an item's page (steps from `allowed_actions`, evidence
//! photos, the recheck form), and "my work" across the ledgers.

pub mod item;
pub mod list;
pub mod new;
pub mod work;

use shared::api::Me;
use shared::auth::Capability;
use shared::workflow::OrgLevel;

/// Whether the user records items (the server holds the same rule: a county in the
/// user's area).
pub fn writer(me: &Me) -> bool {
    me.permissions.contains(&Capability::WriteRectification)
}

/// Whether the user works at a county (takes the responsible side's steps).
pub fn at_county(me: &Me) -> bool {
    OrgLevel::of_region(&me.scope.code) == OrgLevel::County
}

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;
    use shared::rectification::*;

    #[test]
    fn every_code_has_both_texts() {
        let keys = RectificationStatus::ALL
            .iter()
            .map(|v| format!("rc_status.{v}"))
            .chain(
                RectificationActionKind::ALL
                    .iter()
                    .map(|v| format!("rc_action.{v}")),
            )
            .chain(ProblemSource::ALL.iter().map(|v| format!("rc_source.{v}")))
            .chain(
                ProblemCategory::ALL
                    .iter()
                    .map(|v| format!("rc_category.{v}")),
            )
            .chain(CategoryGroup::ALL.iter().map(|v| format!("rc_group.{v}")))
            .chain(WorkKind::ALL.iter().map(|v| format!("work_kind.{v}")));
        for k in keys {
            assert_ne!(Lang::Zh.t(&k), k);
            assert_ne!(Lang::En.t(&k), k);
        }
    }
}
