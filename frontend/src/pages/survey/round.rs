//! One round: its facts, the surveys waiting on this phone, progress per unit (a table
//! in its own sideways-scrolling region, a city drilled into shows its counties), the
//! work list and the problem list of the area drilled into, each a page at a time.

use shared::survey::{ProgressRow, RoundProgress, SurveyRound};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{period_text, surveyor, units_text};
use crate::api::outbox::{outbox_view, use_outbox};
use crate::api::survey::{self as api, RoundListQuery};
use crate::app::{Ctx, Route};
use crate::components::field::SelectField;
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, use_remote, PAGE_SIZE};
use crate::i18n::Lang;
use crate::pages::duties::{facts, share_text};
use crate::pages::ledgers::{back_button, scope_name, unit_header, unit_name, Path};

/// Props of [`RoundPage`].
#[derive(Properties, PartialEq)]
pub struct RoundProps {
    /// The round's id.
    pub id: String,
}

/// Where focus goes after a drill-down.
const FOCUS: &str = "progress-unit";

/// The cells of one unit's progress.
fn cells(r: &ProgressRow) -> Html {
    html! { <>
        <td>{ r.to_survey }</td>
        <td>{ r.surveyed }</td>
        <td class="nowrap">{ share_text(r.surveyed_bp()) }</td>
        <td>{ r.problems }</td>
        <td>{ r.problems_closed }</td>
    </> }
}

/// The progress table of a unit and the units below it.
fn progress_view(
    ctx: &Ctx,
    k: &RoundProgress,
    path: &Path,
    units: &crate::hooks::units::Units,
) -> Html {
    let lang = ctx.lang;
    let name = |r: &ProgressRow| unit_name(units, &r.unit_code, &r.unit_name, lang);
    let caption = lang.t("sur.progress_of").replace("{unit}", &name(&k.total));
    html! { <>
        { back_button(path, scope_name(ctx, units), lang, "progress-back", FOCUS) }
        <h3 id={FOCUS} tabindex="-1">{ name(&k.total) }</h3>
        <div class="table-scroll" role="region" aria-label={caption.clone()} tabindex="0">
            <table class="report dash-table" id="progress">
                <caption>{ caption }</caption>
                <thead><tr>
                    <th scope="col">{ lang.t("pur.unit") }</th>
                    { for ["sur.to_survey", "sur.surveyed", "sur.rate", "sur.problems", "sur.closed"]
                        .iter().map(|h| html! { <th scope="col">{ lang.t(h) }</th> }) }
                </tr></thead>
                <tbody>
                    <tr id="progress-total">
                        <th scope="row">{ lang.t("sur.total") }</th>
                        { cells(&k.total) }
                    </tr>
                    { for k.children.iter().map(|r| html! {
                        <tr id={format!("progress-{}", r.unit_code)}>
                            { unit_header(&r.unit_code, &name(r), path, lang, "progress", FOCUS) }
                            { cells(r) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    </> }
}

/// A select of two states of a list ("to survey" / "surveyed", "open" / "closed").
fn toggle(id: &str, label: &str, on: &UseStateHandle<bool>, keys: [&str; 2], lang: Lang) -> Html {
    let options = vec![
        ("true".to_owned(), lang.t(keys[0])),
        ("false".to_owned(), lang.t(keys[1])),
    ];
    let set = {
        let on = on.clone();
        Callback::from(move |v: String| on.set(v == "true"))
    };
    html! {
        <SelectField id={id.to_owned()} label={lang.t(label)} value={on.to_string()} {options} onchange={set} />
    }
}

/// The round page.
#[function_component(RoundPage)]
pub fn round_page(p: &RoundProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let round = use_remote(p.id.clone(), |id| async move { api::round(&id).await });
    use_title(
        round
            .ready()
            .map(|r| r.title.clone())
            .or_else(|| ctx.as_ref().map(|c| c.t("sur.title")))
            .unwrap_or_default(),
    );
    let path: Path = use_state(Vec::new);
    let area = path.last().map(|(code, _)| code.clone());
    let progress = use_remote((p.id.clone(), area.clone()), |(id, area)| async move {
        api::progress(&id, area).await
    });
    // The work list: to survey (true) or surveyed.
    let to_survey = use_state(|| true);
    let work = use_paged(
        (p.id.clone(), area.clone(), *to_survey),
        |(id, area, to_survey), cursor| async move {
            let q = RoundListQuery {
                area,
                surveyed: Some(!to_survey),
                limit: PAGE_SIZE,
                cursor,
                ..RoundListQuery::default()
            };
            api::persons(&id, &q).await
        },
    );
    let open = use_state(|| true);
    let problems = use_paged(
        (p.id.clone(), area, *open),
        |(id, area, open), cursor| async move {
            let q = RoundListQuery {
                area,
                open: Some(open),
                limit: PAGE_SIZE,
                cursor,
                ..RoundListQuery::default()
            };
            api::problems(&id, &q).await
        },
    );
    let reload = {
        let (work, progress, problems) = (work.clone(), progress.clone(), problems.clone());
        Callback::from(move |()| {
            work.reload();
            progress.reload();
            problems.reload();
        })
    };
    let waiting = use_outbox::<shared::survey::SurveyCreate>(reload.clone());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(r) = round.ready() else {
        return html! { <section class="card">{ round.placeholder(lang, Some("sur.no_round")) }</section> };
    };
    let writer = surveyor(&ctx);
    let round_id = r.id.to_string();
    let mine: Vec<_> = waiting
        .iter()
        .filter(|q| q.body.fields.round_id == r.id)
        .cloned()
        .collect();
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Surveys}>{ ctx.t("sur.title") }</Link<Route>>{ " › " }<span aria-current="page">{ &r.title }</span>
            </nav>
            <h1>{ &r.title }</h1>
            { round_facts(r, &units, lang) }
            { outbox_view(&mine, "sur.outbox", lang, reload) }
            <h2>{ ctx.t("sur.progress") }</h2>
            <p class="hint">{ ctx.t("sur.progress_rule") }</p>
            { match progress.ready() {
                None => progress.placeholder(lang, None),
                Some(k) => progress_view(&ctx, k, &path, &units),
            } }
            <h2 id="work-title">{ ctx.t("sur.work_list") }</h2>
            { toggle("work-filter", "sur.show", &to_survey, ["sur.show_to_survey", "sur.show_surveyed"], lang) }
            <ul class="results" id="work" aria-labelledby="work-title">
                { for work.items().iter().map(|w| {
                    let person = w.person_id.to_string();
                    html! {
                        <li id={format!("person-{person}")}>
                            <strong>{ &w.name }</strong>
                            <span>{ units.name(&w.county_code, lang) }</span>
                            if let Some(a) = &w.address { <span>{ a }</span> }
                            if let Some(h) = &w.household_number { <span class="mono">{ h }</span> }
                            if w.problems > 0 {
                                <span class="badge pending">{ ctx.t("sur.problems_n").replace("{n}", &w.problems.to_string()) }</span>
                            }
                            { match w.survey_id {
                                Some(s) => html! {
                                    <Link<Route> to={Route::SurveyEdit { id: s.to_string() }}>{ ctx.t(if writer { "sur.edit" } else { "sur.view" }) }</Link<Route>>
                                },
                                None if writer => html! {
                                    <Link<Route> to={Route::SurveyNew { round: round_id.clone(), person: person.clone() }} classes="button">{ ctx.t("sur.survey") }</Link<Route>>
                                },
                                None => html! {},
                            } }
                            <Link<Route> to={Route::HouseholdPlan { id: person.clone() }}>{ ctx.t("hp.title") }</Link<Route>>
                        </li>
                    }
                }) }
            </ul>
            { work.footer(lang, "work", if *to_survey { "sur.none_to_survey" } else { "sur.none_surveyed" }) }
            <h2 id="problems-title">{ ctx.t("sur.problem_list") }</h2>
            { toggle("problems-filter", "sur.show", &open, ["sur.open", "sur.closed_list"], lang) }
            <ul class="results" id="problems" aria-labelledby="problems-title">
                { for problems.items().iter().map(|x| html! {
                    <li id={format!("problem-{}", x.rectification_id)}>
                        <strong>{ &x.person_name }</strong>
                        <span>{ ctx.t(&format!("check.{}", x.item)) }</span>
                        <span>{ &x.note }</span>
                        <span>{ units.name(&x.county_code, lang) }</span>
                        <span class="badge">{ ctx.t(&format!("rc_status.{}", x.status)) }</span>
                        <span class="nowrap">{ ctx.t("sur.deadline").replace("{date}", &x.deadline.to_string()) }</span>
                        <Link<Route> to={Route::RectificationItem { id: x.rectification_id.to_string() }}>{ ctx.t("sur.item") }</Link<Route>>
                    </li>
                }) }
            </ul>
            { problems.footer(lang, "problems", if *open { "sur.no_open" } else { "sur.no_closed" }) }
        </section>
    }
}

/// A round's period, area and counties.
pub fn round_facts(r: &SurveyRound, units: &crate::hooks::units::Units, lang: Lang) -> Html {
    facts(
        "round-facts",
        &[
            ("sur.period", "round-period", period_text(r)),
            ("sur.area", "round-area", units.name(&r.area_code, lang)),
            ("sur.counties", "round-units", units_text(r, units, lang)),
        ],
        lang,
    )
}
