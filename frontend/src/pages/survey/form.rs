//! The survey of one person in a round, made on a phone (see the module's comment of
//! [`super`]): a new survey ([`SurveyNew`]) or a recorded one ([`SurveyEdit`], read
//! only to those who do not survey).

use shared::attachments::OwnerKind;
use shared::person::Person;
use shared::survey::{Survey, SurveyCreate, SurveyInput, SurveyRound, SurveyUpdate};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{default_day, surveyor};
use crate::api::outbox::{self, Queued};
use crate::api::survey as api;
use crate::app::{Ctx, Route};
use crate::components::checks::{
    checks_fieldset, policies_fieldset, problems_text, CheckChange, Checks,
};
use crate::components::field::TextField;
use crate::components::photo::PhotoUpload;
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;
use crate::pages::duties::facts;
use crate::pages::rehab::{focus_id, parse_date, ymd};
use crate::pages::supervision::some;

/// Props of [`SurveyNew`].
#[derive(Properties, PartialEq)]
pub struct NewProps {
    /// The round.
    pub round: String,
    /// The person.
    pub person: String,
}

/// Surveys a person of a round's work list.
#[function_component(SurveyNew)]
pub fn survey_new(p: &NewProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("sur.new")).unwrap_or_default());
    let round = use_remote(p.round.clone(), |id| async move { api::round(&id).await });
    let person = use_remote(p.person.clone(), |id| async move {
        crate::api::get::<Person>(&format!("/api/v1/persons/{id}")).await
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let (Some(r), Some(person)) = (round.ready(), person.ready()) else {
        return html! { <section class="card">
            { round.placeholder(lang, Some("sur.no_round")) }
            { person.placeholder(lang, Some("persons.not_found")) }
        </section> };
    };
    html! {
        <section class="card">
            { crumbs(&ctx, r) }
            <h1>{ ctx.t("sur.new") }</h1>
            <p id="survey-person">{ format!("{} · {}", person.name, r.title) }</p>
            <SurveyForm round={r.clone()} person={person.id} name={person.name.clone()} survey={None::<Survey>} />
        </section>
    }
}

/// Props of [`SurveyEdit`].
#[derive(Properties, PartialEq)]
pub struct EditProps {
    /// The survey.
    pub id: String,
}

/// A recorded survey: its form for those who survey, its facts for the others.
#[function_component(SurveyEdit)]
pub fn survey_edit(p: &EditProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("sur.one")).unwrap_or_default());
    let survey = use_remote(p.id.clone(), |id| async move { api::survey(&id).await });
    let round_id = survey.ready().map(|s| s.round_id.to_string());
    let round = use_remote(round_id, |id| async move {
        match id {
            Some(id) => api::round(&id).await.map(Some),
            None => Ok(None),
        }
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(s) = survey.ready() else {
        return html! { <section class="card">{ survey.placeholder(lang, Some("sur.no_survey")) }</section> };
    };
    let Some(Some(r)) = round.ready() else {
        return html! { <section class="card">{ round.placeholder(lang, Some("sur.no_round")) }</section> };
    };
    let on_saved = {
        let survey = survey.clone();
        Callback::from(move |s: Survey| survey.set(s))
    };
    html! {
        <section class="card">
            { crumbs(&ctx, r) }
            <h1>{ format!("{} · {}", ctx.t("sur.one"), s.person_name) }</h1>
            if surveyor(&ctx) {
                <SurveyForm key={s.id.to_string()} round={r.clone()} person={s.person_id} name={s.person_name.clone()}
                    survey={Some(s.clone())} onsaved={on_saved} />
            } else {
                { survey_facts(s, lang) }
                { opened_view(s, lang) }
            }
        </section>
    }
}

/// The way back to the surveys and the round.
fn crumbs(ctx: &Ctx, r: &SurveyRound) -> Html {
    html! {
        <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
            <Link<Route> to={Route::Surveys}>{ ctx.t("sur.title") }</Link<Route>>{ " › " }
            <Link<Route> to={Route::SurveyRound { id: r.id.to_string() }}>{ &r.title }</Link<Route>>
        </nav>
    }
}

/// What a survey recorded (also the server's version after a 409).
fn survey_facts(s: &Survey, lang: Lang) -> Html {
    let policies: Vec<String> = s
        .policies
        .iter()
        .map(|p| lang.t(&format!("policy.{p}")))
        .collect();
    facts(
        "survey-facts",
        &[
            ("sur.day", "survey-day", s.surveyed_on.to_string()),
            (
                "visits.problems",
                "survey-problems",
                problems_text(s.checks.iter().map(|c| &c.check), lang),
            ),
            ("sur.policies", "survey-policies", policies.join("、")),
            (
                "sur.note",
                "survey-note",
                s.note.clone().unwrap_or_default(),
            ),
            ("sur.surveyed_by", "survey-by", s.surveyed_by.clone()),
        ],
        lang,
    )
}

/// The problems of a survey and the rectification items they opened.
fn opened_view(s: &Survey, lang: Lang) -> Html {
    let opened: Vec<_> = s
        .checks
        .iter()
        .filter_map(|c| c.rectification_id.map(|id| (c, id)))
        .collect();
    if opened.is_empty() {
        return html! {};
    }
    html! { <>
        <h2 id="survey-opened-title">{ lang.t("sur.opened") }</h2>
        <ul class="results" id="survey-opened" aria-labelledby="survey-opened-title">
            { for opened.into_iter().map(|(c, id)| html! {
                <li>
                    <strong>{ lang.t(&format!("check.{}", c.check.item)) }</strong>
                    <span>{ c.check.note.clone().unwrap_or_default() }</span>
                    <Link<Route> to={Route::RectificationItem { id: id.to_string() }}>{ lang.t("sur.item") }</Link<Route>>
                </li>
            }) }
        </ul>
    </> }
}

/// Photos of what the surveyor found (attachments of the survey), taken on the phone.
fn photos(s: &Survey, lang: Lang) -> Html {
    html! {
        <section id="survey-photos" aria-label={lang.t("sur.photos")}>
            <PhotoUpload id="survey-photo" owner_type={OwnerKind::Survey} owner_id={s.id}
                label={lang.t("sur.photos")} on_uploaded={Callback::noop()} />
        </section>
    }
}

/// Props of [`SurveyForm`].
#[derive(Properties, PartialEq)]
pub struct FormProps {
    /// The round.
    pub round: SurveyRound,
    /// The person surveyed.
    pub person: uuid::Uuid,
    /// Their name (kept with a survey waiting to be sent).
    pub name: String,
    /// The survey to change, or none for a new one.
    pub survey: Option<Survey>,
    /// Saved (edits).
    #[prop_or_default]
    pub onsaved: Callback<Survey>,
}

/// What became of a submitted survey.
#[derive(Clone, PartialEq)]
enum Outcome {
    /// The server has it.
    Sent(Box<Survey>),
    /// No network: kept to send later.
    Queued,
}

/// Records or changes a survey.
#[function_component(SurveyForm)]
pub fn survey_form(p: &FormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let fh = use_form("survey-form");
    let s = p.survey.as_ref().map(Survey::input);
    let day = use_state(|| {
        ymd(s.as_ref().map_or_else(
            || default_day(&p.round, crate::clock::today()),
            |s| s.surveyed_on,
        ))
    });
    let checks: UseReducerHandle<Checks> =
        use_reducer(|| Checks::new(s.as_ref().map(|s| s.checks.as_slice())));
    let policies = use_state(|| s.as_ref().map(|s| s.policies.clone()).unwrap_or_default());
    let note = use_state(|| s.as_ref().and_then(|s| s.note.clone()).unwrap_or_default());
    // The version the edit is made against, and the server's newer one after a 409.
    let base = use_state(|| p.survey.as_ref().map(|s| s.version));
    let theirs = use_state(|| None::<Survey>);
    let done = use_state(|| None::<Outcome>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let existing = p.survey.as_ref().map(|s| s.id);
    let onsubmit = {
        let (fh, checks, policies, note, day) = (
            fh.clone(),
            checks.clone(),
            policies.clone(),
            note.clone(),
            day.clone(),
        );
        let (base, theirs, done, onsaved) = (
            base.clone(),
            theirs.clone(),
            done.clone(),
            p.onsaved.clone(),
        );
        let (round, person, name) = (p.round.clone(), p.person, p.name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let today = crate::clock::today();
            let Some(surveyed_on) = parse_date(&day) else {
                return fh.reject(vec![FieldError::new("surveyed_on", "invalid_date", "")]);
            };
            let fields = SurveyInput {
                round_id: round.id,
                person_id: person,
                surveyed_on,
                checks: checks.typed(),
                policies: (*policies).clone(),
                note: some(&note),
            };
            let mut errs = fields.validate(today).err().unwrap_or_default();
            if surveyed_on < round.from_on || surveyed_on > round.to_on {
                errs.push(FieldError::new("surveyed_on", "outside_round", ""));
            }
            if !errs.is_empty() {
                return fh.reject(errs);
            }
            let (version, theirs, name) = (*base, theirs.clone(), name.clone());
            let (done, onsaved, base) = (done.clone(), onsaved.clone(), base.clone());
            fh.submit(
                move |id| async move {
                    match existing {
                        Some(sid) => {
                            let body = SurveyUpdate { version, fields };
                            match api::update_survey(sid, &body).await {
                                Ok(s) => Ok(Outcome::Sent(Box::new(s))),
                                Err(e) => {
                                    theirs.set(crate::api::supervision::current_of(&e));
                                    Err(Failure::Api(e))
                                }
                            }
                        }
                        None => {
                            let q = Queued {
                                body: SurveyCreate {
                                    id: Some(id),
                                    fields,
                                },
                                who: name,
                                refused: None,
                            };
                            match outbox::send(q).await {
                                Ok(s) => Ok(Outcome::Sent(Box::new(s))),
                                Err(e) if e.status == 0 => Ok(Outcome::Queued),
                                Err(e) => {
                                    // Refused: the form shows why; nothing is kept.
                                    outbox::discard::<SurveyCreate>(id);
                                    Err(refusal(e))
                                }
                            }
                        }
                    }
                },
                move |o: Outcome| {
                    if let Outcome::Sent(s) = &o {
                        base.set(Some(s.version));
                        if existing.is_some() {
                            onsaved.emit((**s).clone());
                        }
                    }
                    done.set(Some(o));
                    focus_id("survey-status");
                },
            );
        })
    };
    let use_theirs = {
        let (theirs, base, day, checks, policies, note, fh) = (
            theirs.clone(),
            base.clone(),
            day.clone(),
            checks.clone(),
            policies.clone(),
            note.clone(),
            fh.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = (*theirs).clone() {
                base.set(Some(t.version));
                day.set(ymd(t.surveyed_on));
                checks.dispatch(CheckChange::All(
                    t.checks.iter().map(|c| c.check.clone()).collect(),
                ));
                policies.set(t.policies.clone());
                note.set(t.note.clone().unwrap_or_default());
                theirs.set(None);
                fh.clear_errors("");
            }
        })
    };
    // A new survey, once sent, is done here: what it opened, and where to go next.
    if let (Some(Outcome::Sent(s)), None) = (&*done, existing) {
        return saved_view(s, &p.round, lang);
    }
    // Refusals about what the form has no field for (the person, the round, a check
    // missing): listed under the banner, so that none goes unsaid.
    let others: Vec<String> = fh
        .errors()
        .iter()
        .filter(|e| {
            matches!(e.field.as_str(), "round_id" | "person_id" | "policies")
                || e.field.starts_with("checks.")
        })
        .map(|e| match e.code.as_str() {
            // The general text speaks of a list's area.
            "outside_area" => lang.t("sur.outside_area"),
            code => lang.error(code, &e.message),
        })
        .collect();
    let hint = ctx
        .t("sur.day_hint")
        .replace("{from}", &p.round.from_on.to_string())
        .replace("{to}", &p.round.to_on.to_string());
    html! { <>
        <form id="survey-form" class="step" {onsubmit} novalidate=true aria-label={ctx.t("sur.new")}>
            { fh.banner(lang, "survey-banner") }
            if !others.is_empty() {
                <ul class="error-summary" id="survey-errors">
                    { for others.iter().map(|e| html! { <li>{ e }</li> }) }
                </ul>
            }
            if let Some(t) = &*theirs {
                <section class="notice pending" id="survey-conflict" role="alert">
                    <h2>{ ctx.t("sur.conflict") }</h2>
                    { survey_facts(t, lang) }
                    <button type="button" id="survey-use-theirs" onclick={use_theirs}>{ ctx.t("visits.use_theirs") }</button>
                </section>
            }
            { match &*done {
                Some(Outcome::Queued) => html! {
                    <p role="status" id="survey-status" class="notice pending" tabindex="-1">{ ctx.t("sur.queued") }</p>
                },
                Some(Outcome::Sent(s)) => html! { <>
                    <p role="status" id="survey-status" class="notice" tabindex="-1">{ ctx.t("sur.saved") }</p>
                    { opened_view(s, lang) }
                </> },
                None => html! {},
            } }
            <TextField id="survey-day" kind="date" label={ctx.t("sur.day")} value={(*day).clone()}
                oninput={fh.bind(&day, "surveyed_on")} error={fh.error("surveyed_on", lang)} required=true />
            <p class="hint">{ hint }</p>
            { checks_fieldset("survey-checks", &checks, &fh, lang) }
            { policies_fieldset("survey-policies", "sur.policies", &policies, lang) }
            <TextField id="survey-note" label={ctx.t("sur.note")} value={(*note).clone()}
                oninput={fh.bind(&note, "note")} error={fh.error("note", lang)} multiline=true />
            <div class="buttons">
                <button type="submit" class="primary" id="survey-save" disabled={fh.busy()}>{ ctx.t("visits.save") }</button>
            </div>
        </form>
        if let Some(s) = &p.survey { { photos(s, lang) } }
        </>
    }
}

/// A refused create: a second survey of the person in the round is said in words.
fn refusal(e: crate::api::ApiError) -> Failure {
    if e.status == 409 && e.code() == "duplicate" {
        Failure::Message("sur.duplicate", Vec::new())
    } else {
        Failure::Api(e)
    }
}

/// A new survey sent: what it opened and where to go next.
fn saved_view(s: &Survey, r: &SurveyRound, lang: Lang) -> Html {
    html! {
        <div id="survey-done">
            <p role="status" id="survey-status" class="notice" tabindex="-1">{ lang.t("sur.saved") }</p>
            { opened_view(s, lang) }
            { photos(s, lang) }
            <p class="actions">
                <Link<Route> to={Route::SurveyRound { id: r.id.to_string() }} classes="button">{ lang.t("sur.back_to_round") }</Link<Route>>
                <Link<Route> to={Route::SurveyEdit { id: s.id.to_string() }}>{ lang.t("sur.edit") }</Link<Route>>
                <Link<Route> to={Route::HouseholdPlan { id: s.person_id.to_string() }}>{ lang.t("hp.title") }</Link<Route>>
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_survey_is_said_in_words() {
        let e = crate::api::ApiError {
            status: 409,
            problem: Some(shared::api::Problem {
                type_: "about:blank".into(),
                title: "t".into(),
                status: 409,
                detail: "d".into(),
                code: "duplicate".into(),
                errors: vec![],
                current: None,
            }),
        };
        assert_eq!(refusal(e), Failure::Message("sur.duplicate", vec![]));
        assert_ne!(Lang::Zh.t("sur.duplicate"), "sur.duplicate");
    }
}
