//! The "two no-worries, three guarantees" (两不愁三保障) of a visit (measure 4) and a
//! survey (measure 7): the six checks, each ok or a problem with a note, and the
//! policies that reach the household. Element ids: `check-{item}`,
//! `check-{item}-note`, `policy-{policy}`.

use std::rc::Rc;

use shared::visits::{CheckResult, VisitCheck, VisitCheckItem, VisitPolicy};
use yew::prelude::*;

use crate::components::field::{typed_value, CheckField, SelectField, TextField};
use crate::hooks::form::UseForm;
use crate::i18n::Lang;
use crate::pages::rehab::options;

/// The six checks of a form. Each change applies to the checks as they are when it
/// runs, never to those of the render its callback came from, so that a late event
/// cannot undo a note typed since.
#[derive(Clone, PartialEq)]
pub struct Checks(pub Vec<VisitCheck>);

impl Checks {
    /// Every check once, in the fixed order, as `existing` has it or else ok.
    pub fn new(existing: Option<&[VisitCheck]>) -> Self {
        Self(
            VisitCheckItem::ALL
                .iter()
                .map(|i| {
                    existing
                        .and_then(|v| v.iter().find(|c| c.item == *i).cloned())
                        .unwrap_or(VisitCheck {
                            item: *i,
                            result: CheckResult::Ok,
                            note: None,
                        })
                })
                .collect(),
        )
    }

    /// The checks to send, each problem's note as its field holds it: the state may lag
    /// the last keystroke when the form is sent at once.
    pub fn typed(&self) -> Vec<VisitCheck> {
        self.0
            .iter()
            .map(|c| {
                let mut c = c.clone();
                if c.result == CheckResult::Problem {
                    c.note = typed_value(&format!("check-{}-note", c.item)).or(c.note);
                }
                c
            })
            .collect()
    }
}

/// A change to [`Checks`].
pub enum CheckChange {
    /// Check `i` found this.
    Result(usize, CheckResult),
    /// Check `i`'s note is now this.
    Note(usize, String),
    /// Every check, as the server holds them (after a 409).
    All(Vec<VisitCheck>),
}

impl Reducible for Checks {
    type Action = CheckChange;

    fn reduce(self: Rc<Self>, action: CheckChange) -> Rc<Self> {
        let mut all = self.0.clone();
        match action {
            CheckChange::Result(i, r) => {
                if let Some(c) = all.get_mut(i) {
                    c.result = r;
                }
            }
            CheckChange::Note(i, n) => {
                if let Some(c) = all.get_mut(i) {
                    c.note = Some(n);
                }
            }
            CheckChange::All(v) => all = v,
        }
        Rc::new(Self(all))
    }
}

/// The six checks as a fieldset with element id `id`: a select each, and a note field
/// (its errors `checks[i].note` from `fh`) under a check marked problem.
pub fn checks_fieldset(
    id: &str,
    checks: &UseReducerHandle<Checks>,
    fh: &UseForm,
    lang: Lang,
) -> Html {
    let rows = checks.0.iter().enumerate().map(|(i, c)| {
        let item = c.item;
        let set_result = {
            let (checks, fh) = (checks.clone(), fh.clone());
            Callback::from(move |v: String| {
                checks.dispatch(CheckChange::Result(i, v.parse().unwrap_or(CheckResult::Ok)));
                fh.clear_error(&format!("checks[{i}].note"));
            })
        };
        let set_note = {
            let checks = checks.clone();
            Callback::from(move |v: String| checks.dispatch(CheckChange::Note(i, v)))
        };
        html! {
            <div class="check-row" key={item.to_string()}>
                <SelectField id={format!("check-{item}")} label={lang.t(&format!("check.{item}"))} value={c.result.to_string()}
                    options={options(CheckResult::ALL, "check_result", lang, None)} onchange={set_result} />
                if c.result == CheckResult::Problem {
                    <TextField id={format!("check-{item}-note")} label={lang.t("visits.problem_note")} value={c.note.clone().unwrap_or_default()}
                        oninput={set_note} error={fh.error(&format!("checks[{i}].note"), lang)} required=true multiline=true />
                }
            </div>
        }
    });
    html! {
        <fieldset class="roles" id={id.to_owned()}>
            <legend>{ lang.t("visits.checks") }</legend>
            { for rows }
        </fieldset>
    }
}

/// The policies as checkboxes in a fieldset with element id `id` and legend `legend` (a
/// message key).
pub fn policies_fieldset(
    id: &str,
    legend: &str,
    policies: &UseStateHandle<Vec<VisitPolicy>>,
    lang: Lang,
) -> Html {
    html! {
        <fieldset class="roles" id={id.to_owned()}>
            <legend>{ lang.t(legend) }</legend>
            { for VisitPolicy::ALL.iter().map(|pol| {
                let (pol, policies) = (*pol, policies.clone());
                html! { <CheckField id={format!("policy-{pol}")} label={lang.t(&format!("policy.{pol}"))} checked={policies.contains(&pol)}
                    onchange={Callback::from(move |on: bool| {
                        let mut v: Vec<VisitPolicy> = policies.iter().copied().filter(|x| *x != pol).collect();
                        if on { v.push(pol); }
                        policies.set(v);
                    })} /> }
            }) }
        </fieldset>
    }
}

/// The problems among `checks`, as "住房安全有保障（漏雨）", joined by "；"; "all assured"
/// when there are none.
pub fn problems_text<'a>(checks: impl Iterator<Item = &'a VisitCheck>, lang: Lang) -> String {
    let problems: Vec<String> = checks
        .filter(|c| c.result == CheckResult::Problem)
        .map(|c| {
            format!(
                "{}（{}）",
                lang.t(&format!("check.{}", c.item)),
                c.note.clone().unwrap_or_default()
            )
        })
        .collect();
    if problems.is_empty() {
        lang.t("visits.all_ok")
    } else {
        problems.join("；")
    }
}
