//! A person's rehabilitation: their needs (with the fittings of device needs), service
//! episodes and one timeline of every step, with "record an assessment" and the
//! episode form for staff who record rehab work.

use std::rc::Rc;

use shared::money::{format_hundredths, parse_yuan};
use shared::person::Person;
use shared::rehab::{
    child_age, ChildAge, Episode, EpisodeCreate, EpisodeInput, Need, NeedKind, RehabProject,
};
use shared::{DisabilityCategory, FieldError};
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{options, parse_date, ymd};
use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;

/// What the page shows: the person, their needs (each in full) and episodes.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRehabData {
    person: Person,
    needs: Vec<Need>,
    episodes: Vec<Episode>,
}

async fn load(id: String) -> Result<Rc<PersonRehabData>, crate::api::ApiError> {
    let person: Person = crate::api::get(&format!("/api/v1/persons/{id}")).await?;
    let listed = crate::api::rehab::person_needs(person.id).await?;
    // The list leaves out fittings and timelines; a person has a handful of needs.
    let mut needs = Vec::with_capacity(listed.len());
    for n in listed {
        needs.push(crate::api::rehab::need(&n.id.to_string()).await?);
    }
    let episodes = crate::api::rehab::person_episodes(person.id).await?;
    Ok(Rc::new(PersonRehabData {
        person,
        needs,
        episodes,
    }))
}

/// What a need is about, in a few words: the device, or the kind and project.
pub fn need_label(n: &Need, ctx: &Ctx) -> String {
    match &n.item_name {
        Some(item) => item.clone(),
        None => format!(
            "{} · {}",
            ctx.t(&format!("need_kind.{}", n.fields.kind)),
            ctx.t(&format!("project.{}", n.fields.project))
        ),
    }
}

/// Props: the person's id.
#[derive(Properties, PartialEq)]
pub struct PersonRehabProps {
    /// Person id.
    pub id: String,
}

/// The person's rehabilitation page.
#[function_component(PersonRehab)]
pub fn person_rehab(p: &PersonRehabProps) -> Html {
    let ctx = use_context::<Ctx>();
    let data = use_remote(p.id.clone(), load);
    let adding = use_state(|| false);
    let saved = use_state(|| false);
    use_title(match (ctx.as_ref(), data.ready()) {
        (Some(c), Some(d)) => format!("{} · {}", d.person.name, c.t("rehab.person_title")),
        (Some(c), None) => c.t("rehab.person_title"),
        _ => String::new(),
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(d) = data.ready().cloned() else {
        return html! { <section class="card">{ data.placeholder(lang, Some("persons.not_found")) }</section> };
    };
    let may_write = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::WriteRehab)
            && m.scope.code.len() == 6
    });
    let on_saved = {
        let (data, adding, saved) = (data.clone(), adding.clone(), saved.clone());
        Callback::from(move |()| {
            adding.set(false);
            saved.set(true);
            data.reload();
            super::focus_id("episode-saved");
        })
    };
    let open_form = {
        let (adding, saved) = (adding.clone(), saved.clone());
        Callback::from(move |_| {
            saved.set(false);
            adding.set(true);
        })
    };
    // Every step of every need, oldest first.
    let mut events: Vec<(chrono::DateTime<chrono::Utc>, String, String)> = d
        .needs
        .iter()
        .flat_map(|n| {
            let label = need_label(n, &ctx);
            n.timeline.iter().map(move |e| {
                let mut text = format!(
                    " · {} · {} · {}",
                    label,
                    e.actor_username,
                    crate::pages::rehab::ymd_hm(e.at)
                );
                if let Some(r) = &e.reason {
                    text.push_str(&format!(" · {r}"));
                }
                (e.at, format!("need.{}", e.to_status), text)
            })
        })
        .collect();
    events.sort_by_key(|e| e.0);
    let pv = &d.person;
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Persons}>{ ctx.t("persons.title") }</Link<Route>>{" › "}
                <Link<Route> to={Route::Person { id: p.id.clone() }}>{ &pv.name }</Link<Route>>{" › "}
                <span aria-current="page">{ ctx.t("rehab.person_title") }</span>
            </nav>
            <h1>{ format!("{} · {}", pv.name, ctx.t("rehab.person_title")) }</h1>
            <p>{ format!("{} · {} · {}", ctx.t(&format!("cat.{}", pv.disability_category)), ctx.t(&format!("level.{}", pv.disability_level.get())), pv.birth_year) }</p>
            if may_write {
                <p class="actions">
                    <Link<Route> to={Route::PersonAssess { id: p.id.clone() }} classes="button primary">{ ctx.t("rehab.record_assessment") }</Link<Route>>
                    if !*adding {
                        <button type="button" id="episode-add" onclick={open_form}>{ ctx.t("rehab.add_episode") }</button>
                    }
                </p>
            }
            if *saved {
                <p class="notice" role="status" id="episode-saved" tabindex="-1">{ ctx.t("ep.saved") }</p>
            }
            if may_write && *adding {
                <EpisodeForm data={d.clone()} onsaved={on_saved} oncancel={let adding = adding.clone(); Callback::from(move |()| adding.set(false))} />
            }
            <h2>{ ctx.t("rehab.needs") }</h2>
            if d.needs.is_empty() {
                <p>{ ctx.t("rehab.no_needs") }</p>
            }
            <ul class="results" id="person-needs">
                { for d.needs.iter().map(|n| html! {
                    <li>
                        <Link<Route> to={Route::RehabNeed { id: n.id.to_string() }}>{ need_label(n, &ctx) }</Link<Route>>
                        <span>{ ctx.t(&format!("project.{}", n.fields.project)) }</span>
                        <span>{ format!("{} {}", ctx.t("rehab.identified_on"), ymd(n.fields.identified_on)) }</span>
                        <span class="status">{ ctx.t(&format!("need.{}", n.status)) }</span>
                        if let Some(due) = n.follow_up_due {
                            <span class="nowrap">{ format!("{} {}", ctx.t("rehab.follow_up_due"), ymd(due)) }</span>
                        }
                    </li>
                }) }
            </ul>
            <h2>{ ctx.t("rehab.fittings") }</h2>
            if d.needs.iter().all(|n| n.fittings.is_empty()) {
                <p>{ ctx.t("rehab.no_fittings") }</p>
            }
            <ul class="results" id="person-fittings">
                { for d.needs.iter().flat_map(|n| n.fittings.iter().map(move |f| (n, f))).map(|(n, f)| html! {
                    <li>
                        <Link<Route> to={Route::RehabNeed { id: n.id.to_string() }}>{ &f.item_name }</Link<Route>>
                        <span>{ format!("{} {}", ctx.t("fit.delivered_on"), ymd(f.delivered_on)) }</span>
                        <span>{ format!("{} {}", ctx.t("fit.subsidy"), format_hundredths(f.calculation.subsidy_fen)) }</span>
                        <span>{ format!("{} {}", ctx.t("fit.self_pay"), format_hundredths(f.calculation.self_pay_fen)) }</span>
                        if f.replaced { <span class="badge">{ ctx.t("fit.replaced") }</span> }
                    </li>
                }) }
            </ul>
            <h2>{ ctx.t("rehab.episodes") }</h2>
            if d.episodes.is_empty() {
                <p>{ ctx.t("rehab.no_episodes") }</p>
            }
            <ul class="results" id="person-episodes">
                { for d.episodes.iter().map(|e| html! {
                    <li>
                        <strong>{ &e.fields.institution }</strong>
                        <span>{ ctx.t(&format!("project.{}", e.fields.project)) }</span>
                        <span class="nowrap">{ format!("{} {} – {}", ctx.t("ep.period"), ymd(e.fields.start_on), e.fields.end_on.map(ymd).unwrap_or_default()) }</span>
                        <span>{ format!("{} {} · {} {}", ctx.t("ep.months"), e.fields.months, ctx.t("ep.total"), format_hundredths(e.total_fen)) }</span>
                    </li>
                }) }
            </ul>
            <h2>{ ctx.t("rehab.timeline") }</h2>
            <ol class="timeline" id="person-timeline">
                { for events.iter().map(|(_, status, text)| html! {
                    <li><strong>{ ctx.t(status) }</strong>{ text }</li>
                }) }
            </ol>
        </section>
    }
}

/// Props of the episode form.
#[derive(Properties, PartialEq)]
pub struct EpisodeFormProps {
    /// The person's page data (their needs, last year's episodes).
    pub data: Rc<PersonRehabData>,
    /// After a save.
    pub onsaved: Callback<()>,
    /// Closes the form.
    pub oncancel: Callback<()>,
}

/// Records a rehab service episode of the person.
#[function_component(EpisodeForm)]
pub fn episode_form(p: &EpisodeFormProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let person = &p.data.person;
    let fh = use_form("episode-form");
    let institution = use_state(String::new);
    let project = use_state(String::new);
    let category = {
        let c = person.disability_category.to_string();
        use_state(move || c)
    };
    let start_on = use_state(String::new);
    let end_on = use_state(String::new);
    let months = use_state(String::new);
    let monthly = use_state(String::new);
    let guardian = use_state(String::new);
    let outcome = use_state(String::new);
    let need = use_state(String::new);
    let continues = use_state(String::new);
    {
        // Focus the form's first field when it opens.
        use_effect_with((), |_| {
            super::focus_id("ep-institution");
            || ()
        });
    }
    let start = parse_date(&start_on);
    // A child who turns 7 in the year may only continue last year's episode.
    let child = *project == RehabProject::ChildRehab.to_string();
    let turns_seven = child
        && start.is_some_and(|s| {
            child_age(person.birth_year, chrono::Datelike::year(&s)) == ChildAge::TurnsSeven
        });
    let last_year: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("ep.no_continue")))
            .chain(
                p.data
                    .episodes
                    .iter()
                    .filter(|e| {
                        start.is_some_and(|s| e.year == chrono::Datelike::year(&s) - 1)
                            && e.fields.project == RehabProject::ChildRehab
                    })
                    .map(|e| {
                        (
                            e.id.to_string(),
                            format!("{} {}", e.fields.institution, ymd(e.fields.start_on)),
                        )
                    }),
            )
            .collect();
    let need_opts: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("ep.no_need")))
        .chain(
            p.data
                .needs
                .iter()
                .filter(|n| n.fields.kind != NeedKind::Device && n.status.is_open())
                .map(|n| (n.id.to_string(), need_label(n, &ctx))),
        )
        .collect();
    let input = || -> Result<EpisodeInput, Vec<FieldError>> {
        let mut errs = Vec::new();
        let project = project.parse::<RehabProject>().ok();
        if project.is_none() {
            errs.push(FieldError::new("project", "required", ""));
        }
        let category = category.parse::<DisabilityCategory>().ok();
        if category.is_none() {
            errs.push(FieldError::new("category", "required", ""));
        }
        if start.is_none() {
            errs.push(FieldError::new("start_on", "required", ""));
        }
        let end = match end_on.trim() {
            "" => Ok(None),
            s => parse_date(s).map(Some).ok_or(()),
        };
        if end.is_err() {
            errs.push(FieldError::new("end_on", "invalid_date", ""));
        }
        let months_v = months.trim().parse::<i32>().ok();
        if months_v.is_none() {
            errs.push(FieldError::new("months", "invalid_number", ""));
        }
        let monthly_v = parse_yuan(&monthly);
        if monthly_v.is_none() {
            errs.push(FieldError::new("monthly_fen", "invalid_amount", ""));
        }
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        match (project, category, start, end, months_v, monthly_v) {
            (
                Some(project),
                Some(category),
                Some(start_on),
                Ok(end_on),
                Some(months),
                Some(monthly_fen),
            ) => Ok(EpisodeInput {
                person_id: person.id,
                need_id: need.parse::<Uuid>().ok(),
                institution: institution.trim().to_owned(),
                project,
                category,
                start_on,
                end_on,
                months,
                monthly_fen,
                guardian: opt(&guardian),
                outcome: opt(&outcome),
                continues: continues.parse::<Uuid>().ok(),
            }),
            _ => Err(errs),
        }
    };
    let total = input()
        .ok()
        .and_then(|i| i.monthly_fen.checked_mul(i64::from(i.months)));
    let onsubmit = {
        let (fh, fields, onsaved) = (fh.clone(), input(), p.onsaved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let fields = match fields.clone() {
                Ok(f) => match f.validate(crate::clock::today()) {
                    Ok(()) => f,
                    Err(errs) => {
                        fh.reject(errs);
                        return;
                    }
                },
                Err(errs) => {
                    fh.reject(errs);
                    return;
                }
            };
            let onsaved = onsaved.clone();
            fh.submit(
                move |id| async move {
                    let body = EpisodeCreate {
                        id: Some(id),
                        fields,
                    };
                    Ok(crate::api::rehab::create_episode(&body).await?)
                },
                move |_: Episode| onsaved.emit(()),
            );
        })
    };
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    html! {
        <div class="actions-box">
            <h2 id="episode-title">{ ctx.t("ep.title") }</h2>
            { fh.banner(lang, "episode-banner") }
            <form id="episode-form" onsubmit={onsubmit} novalidate=true aria-labelledby="episode-title">
                <TextField id="ep-institution" label={ctx.t("ep.institution")} value={(*institution).clone()} oninput={set(&institution, "institution")} error={err("institution")} required=true />
                <SelectField id="ep-project" label={ctx.t("rehab.project")} value={(*project).clone()} required=true
                    options={options(RehabProject::ALL, "project", lang, Some("form.choose"))} onchange={set(&project, "project")} error={err("project")} />
                <SelectField id="ep-category" label={ctx.t("ep.category")} value={(*category).clone()} required=true
                    options={options(DisabilityCategory::ALL, "cat", lang, None)} onchange={set(&category, "category")} error={err("category")} />
                <TextField id="ep-start" kind="date" label={ctx.t("ep.start_on")} value={(*start_on).clone()} oninput={set(&start_on, "start_on")} error={err("start_on")} required=true />
                <TextField id="ep-end" kind="date" label={ctx.t("ep.end_on")} value={(*end_on).clone()} oninput={set(&end_on, "end_on")} error={err("end_on")} />
                <TextField id="ep-months" kind="number" label={ctx.t("ep.months")} value={(*months).clone()} oninput={set(&months, "months")} error={err("months")} required=true />
                <TextField id="ep-monthly" label={ctx.t("ep.monthly")} value={(*monthly).clone()} oninput={set(&monthly, "monthly_fen")} error={err("monthly_fen")} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                if child {
                    <TextField id="ep-guardian" label={ctx.t("ep.guardian")} value={(*guardian).clone()} oninput={set(&guardian, "guardian")} error={err("guardian")} />
                }
                if turns_seven || !continues.is_empty() {
                    <SelectField id="ep-continues" label={ctx.t("ep.continues")} value={(*continues).clone()}
                        options={last_year} onchange={set(&continues, "continues")} error={err("continues")} />
                }
                if need_opts.len() > 1 {
                    <SelectField id="ep-need" label={ctx.t("ep.need")} value={(*need).clone()}
                        options={need_opts} onchange={set(&need, "need_id")} error={err("need_id")} />
                }
                <TextField id="ep-outcome" label={ctx.t("ep.outcome")} value={(*outcome).clone()} oninput={set(&outcome, "outcome")} error={err("outcome")} multiline=true />
                <p class="notice" id="ep-total" aria-live="polite">{ format!("{} {}", ctx.t("ep.total"), total.map(format_hundredths).unwrap_or_else(|| "—".into())) }</p>
                <div class="buttons">
                    <button type="submit" class="primary" id="ep-save" disabled={fh.busy()}>{ ctx.t("persons.save") }</button>
                    <button type="button" id="ep-cancel" onclick={p.oncancel.reform(|_| ())}>{ ctx.t("dev.cancel") }</button>
                </div>
            </form>
        </div>
    }
}
