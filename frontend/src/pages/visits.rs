//! Measure 4: a cadre's households and their visits, and the county's pairings.
//!
//! - **My households** lists the caller's pairings, each with its last visit and a link
//!   to record one, and the visits waiting to be sent (kept in local storage when the
//!   network failed; see `api::visits`), which go out on the next page load and when the
//!   browser is back online.
//! - **The visit form** (usable on a phone): day, in person or by phone, the six checks
//!   of the "two no-worries, three guarantees" (a problem needs a note), the policies
//!   that reached the household, the help given. Editing a visit sends the version seen;
//!   if someone changed it since, the server's version is shown and nothing is
//!   overwritten.
//! - **Pairings** (county staff): pair a cadre with a registered-poor household, end a
//!   pairing, and the KPI of paired cadres and households visited this quarter.

use shared::person::Person;
use shared::visits::{
    CheckResult, Pairing, PairingCreate, PairingInput, PairingUpdate, Visit, VisitCreate,
    VisitInput, VisitMode, VisitUpdate,
};
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::outbox::{self, use_outbox, Queued};
use crate::api::visits::{self as api, PairingQuery};
use crate::app::{Ctx, Route};
use crate::components::checks::{
    checks_fieldset, policies_fieldset, problems_text, CheckChange, Checks,
};
use crate::components::field::{SelectField, TextField};
use crate::components::person_picker::PersonPicker;
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, use_remote, PAGE_SIZE};
use crate::i18n::Lang;
use crate::pages::rehab::{focus_id, options};

/// Whether the user keeps pairings (county staff; the server holds the same rule).
pub fn county_manager(ctx: &Ctx) -> bool {
    ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::ManagePairings)
            && m.scope.code.len() == 6
    })
}

/// The caller's households (pairings) and the visits waiting to be sent.
#[function_component(MyHouseholds)]
pub fn my_households() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("visits.my_households"))
            .unwrap_or_default(),
    );
    let list = use_paged((), |(), cursor| async move {
        api::pairings(&PairingQuery {
            mine: Some(true),
            limit: PAGE_SIZE,
            cursor,
        })
        .await
    });
    let reload = {
        let list = list.clone();
        Callback::from(move |()| list.reload())
    };
    let waiting = use_outbox::<VisitCreate>(reload.clone());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    html! {
        <section class="card">
            <h1 tabindex="-1">{ ctx.t("visits.my_households") }</h1>
            { outbox::outbox_view(&waiting, "visits.outbox", lang, reload) }
            <ul class="results" id="households">
                { for list.items().iter().map(|p| html! {
                    <li id={format!("pairing-{}", p.id)}>
                        <strong>{ &p.person_name }</strong>
                        if let Some(h) = &p.household_number {
                            <span class="mono">{ h }</span>
                        }
                        if let Some(a) = &p.address {
                            <span>{ a }</span>
                        }
                        <span>{ match p.last_visit_on {
                            Some(d) => ctx.t("visits.last_visit").replace("{date}", &d.to_string()),
                            None => ctx.t("visits.never_visited"),
                        } }</span>
                        <Link<Route> to={Route::VisitNew { pairing: p.id.to_string() }}
                            classes="button">{ ctx.t("visits.record") }</Link<Route>>
                        <Link<Route> to={Route::PairingVisits { pairing: p.id.to_string() }}>{ ctx.t("visits.history") }</Link<Route>>
                    </li>
                }) }
            </ul>
            { list.footer(lang, "households", "visits.no_households") }
        </section>
    }
}

/// Props of the visit pages.
#[derive(Properties, PartialEq)]
pub struct PairingProps {
    /// The pairing.
    pub pairing: String,
}

/// Records a visit of a pairing.
#[function_component(VisitNew)]
pub fn visit_new(p: &PairingProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("visits.new")).unwrap_or_default());
    let pairing = use_remote(
        p.pairing.clone(),
        |id| async move { api::pairing(&id).await },
    );
    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(pr) = pairing.ready() else {
        return pairing.placeholder(ctx.lang, Some("visits.no_pairing"));
    };
    html! {
        <section class="card">
            <h1 tabindex="-1">{ ctx.t("visits.new") }</h1>
            <p>{ format!("{} · {}", pr.person_name, pr.cadre_name) }</p>
            <VisitForm pairing={pr.clone()} visit={None::<Visit>} />
        </section>
    }
}

/// The visits of a pairing, each editable.
#[function_component(PairingVisits)]
pub fn pairing_visits(p: &PairingProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("visits.history"))
            .unwrap_or_default(),
    );
    let pairing = use_remote(
        p.pairing.clone(),
        |id| async move { api::pairing(&id).await },
    );
    let visits = use_remote(
        p.pairing.clone(),
        |id| async move { api::visits_of(&id).await },
    );
    let editing = use_state(|| None::<Visit>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(pr) = pairing.ready() else {
        return pairing.placeholder(lang, Some("visits.no_pairing"));
    };
    let Some(vs) = visits.ready() else {
        return visits.placeholder(lang, None);
    };
    let on_saved = {
        let (editing, visits) = (editing.clone(), visits.clone());
        Callback::from(move |()| {
            editing.set(None);
            visits.reload();
        })
    };
    html! {
        <section class="card">
            <h1 tabindex="-1">{ format!("{} · {}", ctx.t("visits.history"), pr.person_name) }</h1>
            if let Some(v) = &*editing {
                <VisitForm key={v.id.to_string()} pairing={pr.clone()} visit={Some(v.clone())} onsaved={on_saved} />
            }
            <ul class="results" id="visits">
                { for vs.items.iter().map(|v| {
                    let problems: Vec<String> = v.checks.iter()
                        .filter(|c| c.check.result == CheckResult::Problem)
                        .map(|c| ctx.t(&format!("check.{}", c.check.item))).collect();
                    let edit = { let (e, v) = (editing.clone(), v.clone()); Callback::from(move |_: MouseEvent| { e.set(Some(v.clone())); focus_id("visit-date"); }) };
                    html! {
                        <li id={format!("visit-{}", v.id)}>
                            <strong>{ v.visited_on.to_string() }</strong>
                            <span>{ ctx.t(&format!("visit_mode.{}", v.mode)) }</span>
                            if problems.is_empty() {
                                <span>{ ctx.t("visits.all_ok") }</span>
                            } else {
                                <span class="badge pending">{ format!("{}: {}", ctx.t("visits.problems"), problems.join("、")) }</span>
                            }
                            <button type="button" class="link" onclick={edit}
                                aria-label={ctx.t("visits.edit_label").replace("{date}", &v.visited_on.to_string())}>{ ctx.t("visits.edit") }</button>
                        </li>
                    }
                }) }
            </ul>
            if vs.items.is_empty() {
                <p>{ ctx.t("visits.none") }</p>
            }
        </section>
    }
}

/// Props of the visit form.
#[derive(Properties, PartialEq)]
pub struct VisitFormProps {
    /// The pairing visited.
    pub pairing: Pairing,
    /// The visit to change, or none for a new one.
    pub visit: Option<Visit>,
    /// Saved (edits only; a new visit goes back to the households).
    #[prop_or_default]
    pub onsaved: Callback<()>,
}

/// What became of a submitted visit.
#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    /// The server has it.
    Sent,
    /// No network: kept to send later.
    Queued,
}

fn today() -> chrono::NaiveDate {
    crate::clock::today()
}

/// Records or changes a visit.
#[function_component(VisitForm)]
pub fn visit_form(p: &VisitFormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let fh = use_form("visit-form");
    let navigator = use_navigator();
    let v = p.visit.as_ref().map(Visit::input);
    let date = use_state(|| v.as_ref().map_or_else(today, |v| v.visited_on).to_string());
    let mode = use_state(|| {
        v.as_ref()
            .map_or(VisitMode::InPerson, |v| v.mode)
            .to_string()
    });
    let checks: UseReducerHandle<Checks> =
        use_reducer(|| Checks::new(v.as_ref().map(|v| v.checks.as_slice())));
    let policies = use_state(|| v.as_ref().map(|v| v.policies.clone()).unwrap_or_default());
    let help = use_state(|| {
        v.as_ref()
            .and_then(|v| v.help_given.clone())
            .unwrap_or_default()
    });
    // The version the edit is made against, and the server's newer one after a 409.
    let base = use_state(|| p.visit.as_ref().map(|v| v.version));
    let theirs = use_state(|| None::<Visit>);
    let done = use_state(|| None::<&'static str>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |field: &str| fh.error(field, lang);
    let input = || -> Result<VisitInput, Vec<FieldError>> {
        let Ok(visited_on) = date.parse::<chrono::NaiveDate>() else {
            return Err(vec![FieldError::new("visited_on", "invalid_date", "")]);
        };
        let input = VisitInput {
            pairing_id: p.pairing.id,
            visited_on,
            mode: mode.parse().unwrap_or(VisitMode::InPerson),
            checks: checks.typed(),
            policies: (*policies).clone(),
            help_given: (!help.trim().is_empty()).then(|| help.trim().to_owned()),
        };
        input.validate(today()).map(|()| input)
    };
    let onsubmit = {
        let (fh, fields, existing, base, theirs, done) = (
            fh.clone(),
            input(),
            p.visit.as_ref().map(|v| v.id),
            base.clone(),
            theirs.clone(),
            done.clone(),
        );
        let (household, onsaved, navigator) = (
            p.pairing.person_name.clone(),
            p.onsaved.clone(),
            navigator.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let fields = match fields.clone() {
                Ok(f) => f,
                Err(errs) => return fh.reject(errs),
            };
            let (household, version, theirs2) = (household.clone(), *base, theirs.clone());
            let (onsaved, navigator, done) = (onsaved.clone(), navigator.clone(), done.clone());
            fh.submit(
                move |id| async move {
                    match existing {
                        Some(vid) => {
                            let body = VisitUpdate { version, fields };
                            match api::update_visit(vid, &body).await {
                                Ok(_) => Ok(Outcome::Sent),
                                Err(e) => {
                                    if let Some(current) = api::current_of(&e) {
                                        theirs2.set(Some(current));
                                    }
                                    Err(Failure::Api(e))
                                }
                            }
                        }
                        None => {
                            let q = Queued {
                                body: VisitCreate {
                                    id: Some(id),
                                    fields,
                                },
                                who: household,
                                refused: None,
                            };
                            match outbox::send(q).await {
                                Ok(_) => Ok(Outcome::Sent),
                                Err(e) if e.status == 0 => Ok(Outcome::Queued),
                                Err(e) => {
                                    // Refused: the form shows why; nothing is kept.
                                    outbox::discard::<VisitCreate>(id);
                                    Err(Failure::Api(e))
                                }
                            }
                        }
                    }
                },
                move |o: Outcome| {
                    done.set(Some(match o {
                        Outcome::Sent => "visits.saved",
                        Outcome::Queued => "visits.queued",
                    }));
                    if existing.is_some() {
                        onsaved.emit(());
                    } else if let (Outcome::Sent, Some(n)) = (o, navigator) {
                        n.push(&Route::Households);
                    }
                },
            );
        })
    };
    let title = if p.visit.is_some() {
        ctx.t("visits.edit")
    } else {
        ctx.t("visits.new")
    };
    let use_theirs = {
        let (theirs, base, date, mode, checks, policies, help, fh) = (
            theirs.clone(),
            base.clone(),
            date.clone(),
            mode.clone(),
            checks.clone(),
            policies.clone(),
            help.clone(),
            fh.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = (*theirs).clone() {
                base.set(Some(t.version));
                date.set(t.visited_on.to_string());
                mode.set(t.mode.to_string());
                checks.dispatch(CheckChange::All(
                    t.checks.iter().map(|c| c.check.clone()).collect(),
                ));
                policies.set(t.policies.clone());
                help.set(t.help_given.clone().unwrap_or_default());
                theirs.set(None);
                fh.clear_errors("");
            }
        })
    };
    html! {
        <form id="visit-form" class="step" onsubmit={onsubmit} novalidate=true aria-label={title.clone()}>
            { fh.banner(lang, "visit-banner") }
            if let Some(t) = &*theirs {
                <section class="notice pending" id="visit-conflict" role="alert">
                    <h2>{ ctx.t("visits.conflict") }</h2>
                    { server_version(t, lang) }
                    <button type="button" id="visit-use-theirs" onclick={use_theirs}>{ ctx.t("visits.use_theirs") }</button>
                </section>
            }
            if let Some(k) = *done {
                <p role="status" id="visit-status" class={if k == "visits.queued" { "notice pending" } else { "notice" }}>
                    { ctx.t(k) }{ " " }
                    <Link<Route> to={Route::Households}>{ ctx.t("visits.my_households") }</Link<Route>>
                </p>
            }
            <TextField id="visit-date" kind="date" label={ctx.t("visits.date")} value={(*date).clone()} oninput={fh.bind(&date, "visited_on")} error={err("visited_on")} required=true />
            <SelectField id="visit-mode" label={ctx.t("visits.mode")} value={(*mode).clone()}
                options={options(VisitMode::ALL, "visit_mode", lang, None)} onchange={fh.bind(&mode, "mode")} error={err("mode")} />
            { checks_fieldset("visit-checks", &checks, &fh, lang) }
            { policies_fieldset("visit-policies", "visits.policies", &policies, lang) }
            <TextField id="visit-help" label={ctx.t("visits.help_given")} value={(*help).clone()} oninput={fh.bind(&help, "help_given")} error={err("help_given")} multiline=true />
            <div class="buttons">
                <button type="submit" class="primary" id="visit-save" disabled={fh.busy()}>{ ctx.t("visits.save") }</button>
            </div>
        </form>
    }
}

/// The server's version of a visit, shown after a 409 so the user can compare.
fn server_version(v: &Visit, lang: Lang) -> Html {
    html! {
        <dl class="pairs" id="visit-theirs">
            <dt>{ lang.t("visits.date") }</dt><dd>{ v.visited_on.to_string() }</dd>
            <dt>{ lang.t("visits.mode") }</dt><dd>{ lang.t(&format!("visit_mode.{}", v.mode)) }</dd>
            <dt>{ lang.t("visits.problems") }</dt>
            <dd>{ problems_text(v.checks.iter().map(|c| &c.check), lang) }</dd>
            <dt>{ lang.t("visits.help_given") }</dt><dd>{ v.help_given.clone().unwrap_or_default() }</dd>
            <dt>{ lang.t("visits.recorded_by") }</dt><dd>{ &v.recorded_by }</dd>
        </dl>
    }
}

/// The county's pairings (county staff keep them; the city and leaders read them) and
/// the pairing KPI of the user's area.
#[function_component(PairingList)]
pub fn pairing_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("visits.pairings"))
            .unwrap_or_default(),
    );
    let units = crate::hooks::units::use_units();
    let list = use_paged((), |(), cursor| async move {
        api::pairings(&PairingQuery {
            mine: None,
            limit: PAGE_SIZE,
            cursor,
        })
        .await
    });
    let kpi = use_remote((), |()| async move { api::kpi(None).await });
    let adding = use_state(|| false);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let manager = county_manager(&ctx);
    let reload = {
        let (list, kpi, adding) = (list.clone(), kpi.clone(), adding.clone());
        Callback::from(move |()| {
            adding.set(false);
            list.reload();
            kpi.reload();
        })
    };
    let today = today();
    html! {
        <section class="card">
            <h1 tabindex="-1" id="pairings-title">{ ctx.t("visits.pairings") }</h1>
            if let Some(k) = kpi.ready() {
                <table class="kpi" id="pairing-kpi">
                    <caption>{ ctx.t("visits.kpi").replace("{from}", &k.quarter_from.to_string()).replace("{to}", &k.quarter_to.to_string()) }</caption>
                    <thead><tr>
                        <th scope="col">{ ctx.t("visits.unit") }</th>
                        <th scope="col">{ ctx.t("visits.kpi_cadres") }</th>
                        <th scope="col">{ ctx.t("visits.kpi_paired") }</th>
                        <th scope="col">{ ctx.t("visits.kpi_households") }</th>
                        <th scope="col">{ ctx.t("visits.kpi_visited") }</th>
                    </tr></thead>
                    <tbody>
                        { for std::iter::once(&k.total).chain(k.children.iter()).map(|r| html! {
                            <tr>
                                <th scope="row">{ &r.unit_name }</th>
                                <td>{ r.cadres }</td>
                                <td>{ format!("{} ({})", r.paired_cadres, r.paired_bp().map(|bp| format!("{}.{:02}%", bp / 100, bp % 100)).unwrap_or_else(|| "—".into())) }</td>
                                <td>{ r.households_paired }</td>
                                <td>{ r.households_visited }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if manager && !*adding {
                <div class="actions">
                    <button type="button" class="primary" id="pairing-new"
                        onclick={let a = adding.clone(); Callback::from(move |_: MouseEvent| { a.set(true); focus_id("pairing-cadre"); })}>{ ctx.t("visits.pair_new") }</button>
                </div>
            }
            if *adding {
                <PairingForm onsaved={reload.clone()} oncancel={let a = adding.clone(); Callback::from(move |()| a.set(false))} />
            }
            <ul class="results" id="pairings">
                { for list.items().iter().map(|p| {
                    let end = {
                        let (p, reload) = (p.clone(), reload.clone());
                        Callback::from(move |_: MouseEvent| {
                            let (p, reload) = (p.clone(), reload.clone());
                            wasm_bindgen_futures::spawn_local(async move {
                                let mut fields = p.fields.clone();
                                fields.to_on = Some(today);
                                let body = PairingUpdate { version: Some(p.version), fields };
                                if api::update_pairing(p.id, &body).await.is_ok() {
                                    reload.emit(());
                                }
                            });
                        })
                    };
                    let active = p.fields.covers(today);
                    html! {
                        <li id={format!("pairing-{}", p.id)}>
                            <strong>{ &p.cadre_name }</strong>
                            <span>{ format!("{} · {}", units.name(&p.cadre_unit, lang), p.fields.cadre_post) }</span>
                            <span>{ "↔" }</span>
                            <strong>{ &p.person_name }</strong>
                            <span>{ units.name(&p.county_code, lang) }</span>
                            <span>{ format!("{} – {}", p.fields.from_on, p.fields.to_on.map(|d| d.to_string()).unwrap_or_default()) }</span>
                            <span>{ ctx.t("visits.visit_count").replace("{n}", &p.visits.to_string()) }</span>
                            <Link<Route> to={Route::PairingVisits { pairing: p.id.to_string() }}>{ ctx.t("visits.history") }</Link<Route>>
                            if manager && active {
                                <button type="button" class="link" onclick={end}
                                    aria-label={ctx.t("visits.end_label").replace("{name}", &p.person_name)}>{ ctx.t("visits.end") }</button>
                            }
                        </li>
                    }
                }) }
            </ul>
            { list.footer(lang, "pairings", "visits.no_pairings") }
        </section>
    }
}

/// Props of the pairing form.
#[derive(Properties, PartialEq)]
pub struct PairingFormProps {
    /// Saved.
    pub onsaved: Callback<()>,
    /// Closed without saving.
    pub oncancel: Callback<()>,
}

/// Pairs a cadre with a registered-poor household of the county.
#[function_component(PairingForm)]
pub fn pairing_form(p: &PairingFormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let fh = use_form("pairing-form");
    let cadres = use_remote((), |()| async move { api::cadres().await });
    let cadre = use_state(String::new);
    let post = use_state(String::new);
    let person = use_state(|| None::<Person>);
    let from = use_state(|| today().to_string());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |field: &str| fh.error(field, lang);
    let cadre_options: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("form.choose")))
            .chain(cadres.ready().into_iter().flatten().map(|c| {
                (
                    c.id.to_string(),
                    format!("{}（{}）", c.display_name, c.unit_name),
                )
            }))
            .collect();
    let input = || -> Result<PairingInput, Vec<FieldError>> {
        let mut errs = Vec::new();
        let cadre_id = cadre.parse::<Uuid>().ok();
        if cadre_id.is_none() {
            errs.push(FieldError::new("cadre_id", "required", ""));
        }
        if person.is_none() {
            errs.push(FieldError::new("person_id", "required", ""));
        }
        let from_on = from.parse::<chrono::NaiveDate>().ok();
        if from_on.is_none() {
            errs.push(FieldError::new("from_on", "invalid_date", ""));
        }
        match (cadre_id, &*person, from_on, errs.is_empty()) {
            (Some(cadre_id), Some(person), Some(from_on), true) => {
                let f = PairingInput {
                    cadre_id,
                    cadre_post: post.trim().to_owned(),
                    person_id: person.id,
                    from_on,
                    to_on: None,
                };
                f.validate().map(|()| f)
            }
            _ => Err(errs),
        }
    };
    let onsubmit = {
        let (fh, fields, onsaved) = (fh.clone(), input(), p.onsaved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let fields = match fields.clone() {
                Ok(f) => f,
                Err(errs) => return fh.reject(errs),
            };
            let onsaved = onsaved.clone();
            fh.submit(
                move |id| async move {
                    Ok(api::create_pairing(&PairingCreate {
                        id: Some(id),
                        fields,
                    })
                    .await?)
                },
                move |_: Pairing| onsaved.emit(()),
            );
        })
    };
    let on_pick = {
        let (person, fh) = (person.clone(), fh.clone());
        Callback::from(move |p: Person| {
            person.set(Some(p));
            fh.clear_error("person_id");
        })
    };
    html! {
        <form id="pairing-form" class="step" onsubmit={onsubmit} novalidate=true aria-label={ctx.t("visits.pair_new")}>
            <h2>{ ctx.t("visits.pair_new") }</h2>
            { fh.banner(lang, "pairing-banner") }
            <SelectField id="pairing-cadre" label={ctx.t("visits.cadre")} value={(*cadre).clone()} options={cadre_options}
                onchange={fh.bind(&cadre, "cadre_id")} error={err("cadre_id")} required=true />
            <TextField id="pairing-post" label={ctx.t("visits.cadre_post")} value={(*post).clone()} oninput={fh.bind(&post, "cadre_post")} error={err("cadre_post")} required=true />
            if let Some(chosen) = &*person {
                <p id="pairing-person">{ format!("{}：{} {}", ctx.t("visits.household"), chosen.name, chosen.id_number) }</p>
            }
            <PersonPicker id="pairing-person" action={ctx.t("visits.choose")} onpick={on_pick} error={err("person_id")} />
            <TextField id="pairing-from" kind="date" label={ctx.t("visits.from")} value={(*from).clone()} oninput={fh.bind(&from, "from_on")} error={err("from_on")} required=true />
            <div class="buttons">
                <button type="submit" class="primary" id="pairing-save" disabled={fh.busy()}>{ ctx.t("visits.save") }</button>
                <button type="button" id="pairing-cancel" onclick={p.oncancel.reform(|_| ())}>{ ctx.t("dev.cancel") }</button>
            </div>
        </form>
    }
}
