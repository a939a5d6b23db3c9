//! A new placement: the person (picked from the registry), the care assessment (self-care
//! level, carer situation, preferred mode, assessor, date), the provider, the mode, the
//! dates, the monthly subsidy in yuan (sent in fen) and the funder. The assessment is
//! recorded first, then the placement that rests on it; each keeps its client id until
//! it is saved, so a retry after a lost answer writes nothing twice. Errors show next to
//! their fields (the assessment's under `assessment.`).

use std::cell::RefCell;
use std::rc::Rc;

use shared::care::{
    CareAssessmentCreate, CareAssessmentInput, CareMode, CarerSituation, Funder, Placement,
    PlacementCreate, PlacementInput, SelfCareLevel,
};
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::components::person_picker::PersonPicker;
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::pages::rehab::{options, parse_date, ymd};

/// The placement form.
#[function_component(PlacementForm)]
pub fn placement_form() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("care.new")).unwrap_or_default());
    let navigator = use_navigator();
    let fh = use_form("placement-form");
    let providers = use_remote((), |()| async move {
        crate::api::care::active_providers().await
    });
    let today = ymd(crate::clock::today());
    let person = use_state(|| None::<shared::person::Person>);
    let self_care = use_state(String::new);
    let carer = use_state(String::new);
    let assessor = use_state(String::new);
    let assessed_on = use_state(|| today.clone());
    let provider = use_state(String::new);
    let mode = use_state(String::new);
    let start = use_state(|| today.clone());
    let end = use_state(String::new);
    let subsidy = use_state(String::new);
    let funder = use_state(String::new);
    // The assessment saved on an earlier try (kept, so a retry does not record it twice),
    // and its client id until then.
    let saved_assessment = use_mut_ref(|| None::<(Uuid, Uuid)>);
    let assessment_id = use_mut_ref(Uuid::new_v4);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, field: &'static str| fh.bind(s, field);
    let input = || -> Result<(CareAssessmentInput, PlacementInput), Vec<FieldError>> {
        let mut errs = Vec::new();
        if person.is_none() {
            errs.push(FieldError::new("person_id", "required", ""));
        }
        let self_care = self_care.parse::<SelfCareLevel>().ok();
        if self_care.is_none() {
            errs.push(FieldError::new("assessment.self_care", "required", ""));
        }
        let carer = carer.parse::<CarerSituation>().ok();
        if carer.is_none() {
            errs.push(FieldError::new("assessment.carer", "required", ""));
        }
        if assessor.trim().is_empty() {
            errs.push(FieldError::new("assessment.assessor", "required", ""));
        }
        let assessed = parse_date(&assessed_on);
        if assessed.is_none() {
            errs.push(FieldError::new(
                "assessment.assessed_on",
                "invalid_date",
                "",
            ));
        }
        let provider_id = provider.parse::<Uuid>().ok();
        if provider_id.is_none() {
            errs.push(FieldError::new("provider_id", "required", ""));
        }
        let mode = mode.parse::<CareMode>().ok();
        if mode.is_none() {
            errs.push(FieldError::new("mode", "required", ""));
        }
        let start_on = parse_date(&start);
        if start_on.is_none() {
            errs.push(FieldError::new("start_on", "invalid_date", ""));
        }
        let end_on = match end.trim() {
            "" => Ok(None),
            s => parse_date(s).map(Some).ok_or(()),
        };
        if end_on.is_err() {
            errs.push(FieldError::new("end_on", "invalid_date", ""));
        }
        let fen = super::yuan_to_fen(&subsidy);
        if fen.is_none() {
            errs.push(FieldError::new("monthly_subsidy_fen", "invalid_amount", ""));
        }
        let funder = funder.parse::<Funder>().ok();
        if funder.is_none() {
            errs.push(FieldError::new("funder", "required", ""));
        }
        match (
            person.as_ref(),
            self_care,
            carer,
            assessed,
            provider_id,
            mode,
            start_on,
            end_on,
            fen,
            funder,
        ) {
            (
                Some(p),
                Some(self_care),
                Some(carer),
                Some(assessed_on),
                Some(provider_id),
                Some(mode),
                Some(start_on),
                Ok(end_on),
                Some(monthly_subsidy_fen),
                Some(funder),
            ) if errs.is_empty() => Ok((
                CareAssessmentInput {
                    person_id: p.id,
                    assessed_on,
                    assessor: assessor.trim().to_owned(),
                    self_care,
                    carer,
                    preferred_mode: mode,
                    note: None,
                },
                PlacementInput {
                    person_id: p.id,
                    provider_id,
                    mode,
                    start_on,
                    end_on,
                    monthly_subsidy_fen,
                    funder,
                    assessment_id: None,
                    note: None,
                },
            )),
            _ => Err(errs),
        }
    };
    let onsubmit = {
        let fh = fh.clone();
        let fields = input();
        let (saved, aid) = (saved_assessment.clone(), assessment_id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (assessment, mut placement) = match fields.clone() {
                Ok(f) => f,
                Err(errs) => return fh.reject(errs),
            };
            let navigator = navigator.clone();
            let (saved, aid) = (saved.clone(), aid.clone());
            fh.submit(
                move |id| async move {
                    let assessment_id = record_assessment(&saved, &aid, assessment).await?;
                    placement.assessment_id = Some(assessment_id);
                    let body = PlacementCreate {
                        id: Some(id),
                        fields: placement,
                    };
                    Ok(crate::api::care::create_placement(&body).await?)
                },
                move |p: Placement| {
                    if let Some(n) = navigator {
                        n.push(&Route::CarePlacement {
                            id: p.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let pick = {
        let (person, fh, saved) = (person.clone(), fh.clone(), saved_assessment.clone());
        Callback::from(move |p: shared::person::Person| {
            // Another person: an assessment saved for the one before is not theirs.
            if saved.borrow().is_some_and(|(person, _)| person != p.id) {
                *saved.borrow_mut() = None;
            }
            person.set(Some(p));
            fh.clear_error("person_id");
        })
    };
    let provider_opts: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("form.choose")))
            .chain(providers.ready().into_iter().flatten().map(|p| {
                (
                    p.id.to_string(),
                    format!(
                        "{}（{}）",
                        p.fields.name,
                        ctx.t("care.places_held")
                            .replace("{held}", &p.occupied.to_string())
                            .replace("{places}", &p.fields.places.to_string())
                    ),
                )
            }))
            .collect();
    html! {
        <section class="card">
            <h1>{ ctx.t("care.new") }</h1>
            <div id="placement-new">
            { fh.banner(lang, "placement-banner") }
            <h2>{ ctx.t("care.person") }</h2>
            <PersonPicker id="placement" action={ctx.t("care.choose")} onpick={pick} error={err("person_id")} />
            <form onsubmit={onsubmit} novalidate=true id="placement-form">
                <p id="placement-person" aria-live="polite">{ format!("{}: {}", ctx.t("care.person"), person.as_ref().map(|p| format!("{} {}", p.name, p.id_number)).unwrap_or_else(|| "—".into())) }</p>
                <h2>{ ctx.t("care.assessment") }</h2>
                <SelectField id="placement-self-care" label={ctx.t("care.self_care")} value={(*self_care).clone()} required=true
                    options={options(SelfCareLevel::ALL, "self_care", lang, Some("form.choose"))} onchange={set(&self_care, "assessment.self_care")} error={err("assessment.self_care")} />
                <SelectField id="placement-carer" label={ctx.t("care.carer")} value={(*carer).clone()} required=true
                    options={options(CarerSituation::ALL, "carer", lang, Some("form.choose"))} onchange={set(&carer, "assessment.carer")} error={err("assessment.carer")} />
                <TextField id="placement-assessor" label={ctx.t("care.assessor")} value={(*assessor).clone()} oninput={set(&assessor, "assessment.assessor")} error={err("assessment.assessor")} required=true />
                <TextField id="placement-assessed-on" kind="date" label={ctx.t("care.assessed_on")} value={(*assessed_on).clone()} oninput={set(&assessed_on, "assessment.assessed_on")} error={err("assessment.assessed_on")} required=true />
                <h2>{ ctx.t("care.placement") }</h2>
                <SelectField id="placement-provider" label={ctx.t("care.provider")} value={(*provider).clone()} required=true
                    options={provider_opts} onchange={set(&provider, "provider_id")} error={err("provider_id")} />
                <SelectField id="placement-mode" label={ctx.t("care.mode")} value={(*mode).clone()} required=true
                    options={options(CareMode::ALL, "care_mode", lang, Some("form.choose"))} onchange={set(&mode, "mode")} error={err("mode")} />
                <TextField id="placement-start" kind="date" label={ctx.t("care.start_on")} value={(*start).clone()} oninput={set(&start, "start_on")} error={err("start_on")} required=true />
                <TextField id="placement-end" kind="date" label={ctx.t("care.end_on")} value={(*end).clone()} oninput={set(&end, "end_on")} error={err("end_on")} />
                <TextField id="placement-subsidy" label={ctx.t("care.subsidy_yuan")} value={(*subsidy).clone()} oninput={set(&subsidy, "monthly_subsidy_fen")} error={err("monthly_subsidy_fen")} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                <SelectField id="placement-funder" label={ctx.t("care.funder")} value={(*funder).clone()} required=true
                    options={options(Funder::ALL, "funder", lang, Some("form.choose"))} onchange={set(&funder, "funder")} error={err("funder")} />
                <div class="buttons">
                    <button type="submit" class="primary" id="placement-save" disabled={fh.busy()}>{ ctx.t("care.save") }</button>
                </div>
            </form>
            </div>
        </section>
    }
}

/// Records the assessment, unless an earlier try did (for the same person); answers its
/// id. Its field errors come back under `assessment.`.
async fn record_assessment(
    saved: &Rc<RefCell<Option<(Uuid, Uuid)>>>,
    client_id: &Rc<RefCell<Uuid>>,
    fields: CareAssessmentInput,
) -> Result<Uuid, Failure> {
    if let Some((person, id)) = *saved.borrow() {
        if person == fields.person_id {
            return Ok(id);
        }
    }
    let person = fields.person_id;
    let body = CareAssessmentCreate {
        id: Some(*client_id.borrow()),
        fields,
    };
    match crate::api::care::create_assessment(&body).await {
        Ok(a) => {
            *saved.borrow_mut() = Some((person, a.id));
            *client_id.borrow_mut() = Uuid::new_v4();
            Ok(a.id)
        }
        Err(mut e) => {
            if let Some(p) = e.problem.as_mut() {
                for f in &mut p.errors {
                    if f.field != "person_id" {
                        f.field = format!("assessment.{}", f.field);
                    }
                }
            }
            Err(Failure::Api(e))
        }
    }
}
