//! Measure 15, home accessibility retrofits: the case list by status with what is
//! overdue (and the survey import and ledger export), a new case, a case's page with
//! its plan (一户一策), photos and workflow steps, and the KPI table. Which steps a user
//! may take comes with each case (`allowed_actions`), from the workflow table in
//! `shared::retrofit`.

pub mod case;
pub mod cases;
pub mod kpi;
pub mod new;

use shared::retrofit::RetrofitCase;

use crate::i18n::Lang;

/// The text of a field error of a retrofit form: the module's own wording where the
/// general one (`err.*`, written for other records) would mislead, else the general one.
pub fn error_text(code: &str, message: &str, lang: Lang) -> String {
    let key = format!("rf_err.{code}");
    let own = lang.t(&key);
    if own == key {
        lang.error(code, message)
    } else {
        own
    }
}

/// The household's members by name ("张三、李四"); a member out of the caller's sight
/// shows as "…".
pub fn members(c: &RetrofitCase) -> String {
    c.members
        .iter()
        .map(|m| {
            if m.name.is_empty() {
                "…".to_owned()
            } else {
                m.name.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_wording_first_then_the_general_one() {
        assert_eq!(
            error_text("retired_item", "x", Lang::En),
            "This retrofit item is no longer offered"
        );
        assert_eq!(error_text("required", "x", Lang::Zh), "必填");
        assert_eq!(
            error_text("no_such_code_here", "fallback", Lang::En),
            "fallback"
        );
    }

    #[test]
    fn every_status_step_and_choice_has_both_texts() {
        use shared::retrofit::*;
        let exits = [
            CaseActionKind::Reject,
            CaseActionKind::Decline,
            CaseActionKind::ReferHousing,
            CaseActionKind::Relocate,
        ];
        let keys = CaseStatus::ALL
            .iter()
            .map(|v| format!("rf_status.{v}"))
            .chain(CaseActionKind::ALL.iter().map(|v| format!("rf_action.{v}")))
            .chain(
                CaseActionKind::ALL
                    .iter()
                    .filter(|a| {
                        exits.contains(a)
                            || matches!(
                                a,
                                CaseActionKind::DraftPlan
                                    | CaseActionKind::ApprovePlan
                                    | CaseActionKind::Archive
                            )
                    })
                    .map(|v| format!("rf_confirm.{v}")),
            )
            .chain(exits.iter().map(|v| format!("rf_exit_hint.{v}")))
            .chain(
                LinkedProgramme::ALL
                    .iter()
                    .map(|v| format!("rf_programme.{v}")),
            )
            .chain(ItemResult::ALL.iter().map(|v| format!("rf_result.{v}")))
            .chain(
                Satisfaction::ALL
                    .iter()
                    .map(|v| format!("rf_satisfaction.{v}")),
            );
        for k in keys {
            assert_ne!(Lang::Zh.t(&k), k);
            assert_ne!(Lang::En.t(&k), k);
        }
    }
}
