//! Unannounced inspections (四不两直, measure 22).
//!
//! - **The list** of the inspections the user may see (filed ones of the area; at the
//!   province also the planned ones, which the inspected county never sees), by status
//!   and year.
//! - **The form** plans an inspection (department, leader, county, day planned) and
//!   records the visit: the day, the villages (chosen town by town from the address
//!   data), the households, the six checks of the "two no-worries, three guarantees"
//!   (a problem needs a note) and the policies found, the findings. 保存 keeps it
//!   planned; 归档 files it — final, and each problem becomes a rectification item of
//!   the county. A create keeps its client id across retries; an edit sends the version
//!   seen, and a 409 offers the server's version.
//! - **The page** of one inspection: its facts, the checks with links to the
//!   rectification items its problems opened, and for a planned one of the user's
//!   department, edit and delete.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use shared::api::AddressEntry;
use shared::auth::{Capability, PLAN_OFFICE};
use shared::supervision::{
    Inspection, InspectionCreate, InspectionInput, InspectionStatus, InspectionUpdate,
};
use shared::visits::{CheckResult, VisitCheck, VisitCheckItem, VisitPolicy};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{can, department_options, scope_of, some, year_options, CountySelect, LeaderPicker};
use crate::api::supervision::{self as api, InspectionQuery};
use crate::app::{Ctx, Route};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::hooks::form::{use_form, Failure, UseForm};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, use_remote, PAGE_SIZE};
use crate::pages::rehab::{focus_id, options, parse_date, ymd};

/// Whether the user records the inspections of `department` (its own inspectors, the
/// poverty office for any; the server holds the same rule).
pub fn may_record(ctx: &Ctx, department: &str) -> bool {
    can(ctx, Capability::Inspect)
        && ctx
            .me
            .as_ref()
            .is_some_and(|m| m.user.unit_code == department || m.user.unit_code == PLAN_OFFICE)
}

/// The day an inspection is about: the visit, else the day planned.
fn day_of(i: &Inspection) -> String {
    i.visited_on
        .or(i.planned_on)
        .map(ymd)
        .unwrap_or_else(|| "—".into())
}

/// The inspection list.
#[function_component(InspectionList)]
pub fn inspection_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("insp.title")).unwrap_or_default());
    let filter = use_state(|| InspectionQuery {
        limit: PAGE_SIZE,
        year: Some(crate::clock::this_year()),
        ..InspectionQuery::default()
    });
    let list = use_paged((*filter).clone(), |f: InspectionQuery, cursor| async move {
        api::inspections(&InspectionQuery { cursor, ..f }).await
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let at_province = scope_of(&ctx).len() == 2;
    let set_status = {
        let filter = filter.clone();
        Callback::from(move |v: String| {
            filter.set(InspectionQuery {
                status: some(&v),
                ..(*filter).clone()
            })
        })
    };
    let set_year = {
        let filter = filter.clone();
        Callback::from(move |v: String| {
            filter.set(InspectionQuery {
                year: v.parse().ok(),
                ..(*filter).clone()
            })
        })
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("insp.title") }</h1>
            <div class="actions">
                if can(&ctx, Capability::Inspect) {
                    <Link<Route> to={Route::InspectionNew} classes="button primary">{ ctx.t("insp.new") }</Link<Route>>
                }
                <Link<Route> to={Route::InspectionKpi} classes="button">{ ctx.t("nav.kpi_inspections") }</Link<Route>>
            </div>
            <div class="filters" id="insp-filters">
                if at_province {
                    <SelectField id="insp-filter-status" label={ctx.t("insp.status")} value={filter.status.clone().unwrap_or_default()}
                        options={options(InspectionStatus::ALL, "insp_status", lang, Some("filter.any"))} onchange={set_status} />
                }
                <SelectField id="insp-filter-year" label={ctx.t("kpi.year")} value={filter.year.map(|y| y.to_string()).unwrap_or_default()}
                    options={year_options(lang, true)} onchange={set_year} />
            </div>
            <ul class="results" id="inspections">
                { for list.items().iter().map(|i| {
                    let problems = i.checks.iter().filter(|c| c.check.result == CheckResult::Problem).count();
                    html! {
                        <li id={format!("inspection-{}", i.id)}>
                            <Link<Route> to={Route::Inspection { id: i.id.to_string() }}>{ format!("{} · {}", i.county_name, i.department_name) }</Link<Route>>
                            <span>{ format!("{} · {}", day_of(i), i.leader_name) }</span>
                            <span class={classes!("badge", (i.status == InspectionStatus::Planned).then_some("pending"))}>{ ctx.t(&format!("insp_status.{}", i.status)) }</span>
                            if problems > 0 {
                                <span class="badge off">{ ctx.t("insp.problem_count").replace("{n}", &problems.to_string()) }</span>
                            }
                        </li>
                    }
                }) }
            </ul>
            { list.footer(lang, "inspections", "insp.none") }
        </section>
    }
}

/// The towns of the address data loaded so far, with their villages.
#[derive(Debug, Default, PartialEq)]
pub struct Towns(HashMap<String, Vec<AddressEntry>>);

impl Towns {
    /// A village's name (its code while unknown).
    pub fn village_name(&self, code: &str) -> String {
        code.get(..9)
            .and_then(|t| self.0.get(t))
            .and_then(|vs| vs.iter().find(|v| v.code == code))
            .map_or_else(|| code.to_owned(), |v| v.name.clone())
    }

    /// The villages of a town, once loaded.
    pub fn villages(&self, town: &str) -> Option<&[AddressEntry]> {
        self.0.get(town).map(Vec::as_slice)
    }
}

impl Reducible for Towns {
    type Action = (String, Vec<AddressEntry>);

    fn reduce(self: Rc<Self>, (town, villages): Self::Action) -> Rc<Self> {
        let mut all = self.0.clone();
        all.insert(town, villages);
        Rc::new(Towns(all))
    }
}

/// The villages of the towns `needed`, each town fetched once.
#[hook]
fn use_towns(needed: Vec<String>) -> UseReducerHandle<Towns> {
    let towns = use_reducer(Towns::default);
    let asked = use_mut_ref(HashSet::<String>::new);
    {
        let dispatcher = towns.dispatcher();
        use_effect_with(needed, move |needed| {
            for town in needed.iter().filter(|t| t.len() == 9) {
                if asked.borrow_mut().insert(town.clone()) {
                    let (town, dispatcher) = (town.clone(), dispatcher.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Ok(vs) = api::addresses(&town).await {
                            dispatcher.dispatch((town, vs));
                        }
                    });
                }
            }
            || ()
        });
    }
    towns
}

/// The distinct towns of some villages, in order.
fn towns_of(villages: &[String]) -> Vec<String> {
    let mut towns: Vec<String> = villages
        .iter()
        .filter_map(|v| v.get(..9).map(str::to_owned))
        .collect();
    towns.sort();
    towns.dedup();
    towns
}

/// Props of [`VillagePicker`].
#[derive(Properties, PartialEq, Clone)]
pub struct VillagePickerProps {
    /// The county whose villages are offered.
    pub county: String,
    /// The villages chosen (12-digit codes).
    pub value: Vec<String>,
    /// The new choice.
    pub onchange: Callback<Vec<String>>,
    /// The form, for the errors of `villages` and `villages[i]`.
    pub form: UseForm,
}

/// Villages of a county, chosen town by town (a tick per village), listed with a
/// remove button each.
#[function_component(VillagePicker)]
pub fn village_picker(p: &VillagePickerProps) -> Html {
    let ctx = use_context::<Ctx>();
    let town = use_state(String::new);
    let town_list = use_remote(p.county.clone(), |county: String| async move {
        if county.len() == 6 {
            api::addresses(&county).await
        } else {
            Ok(Vec::new())
        }
    });
    let mut needed = towns_of(&p.value);
    needed.push((*town).clone());
    let towns = use_towns(needed);
    {
        // Another county: the town chosen belongs to the old one.
        let town = town.clone();
        use_effect_with(p.county.clone(), move |_| {
            town.set(String::new());
            || ()
        });
    }
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let fh = &p.form;
    let whole = p
        .form
        .errors()
        .iter()
        .find(|e| e.field == "villages")
        .map(|e| lang.error(&e.code, &e.message));
    let town_options: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("form.choose")))
            .chain(
                town_list
                    .ready()
                    .into_iter()
                    .flatten()
                    .map(|t| (t.code.clone(), t.name.clone())),
            )
            .collect();
    let toggle = |code: String| {
        let (value, onchange, fh) = (p.value.clone(), p.onchange.clone(), fh.clone());
        Callback::from(move |on: bool| {
            let mut v: Vec<String> = value.iter().filter(|c| **c != code).cloned().collect();
            if on {
                v.push(code.clone());
            }
            fh.clear_errors("villages");
            onchange.emit(v);
        })
    };
    let set_town = {
        let town = town.clone();
        Callback::from(move |t: String| town.set(t))
    };
    html! {
        <fieldset class="roles" id="insp-villages">
            <legend>{ ctx.t("insp.villages") }<span class="req" aria-hidden="true">{ " *" }</span></legend>
            <SelectField id="insp-town" label={ctx.t("insp.town")} value={(*town).clone()} options={town_options}
                onchange={set_town} error={whole} disabled={p.county.len() != 6} />
            if let Some(vs) = towns.villages(&town) {
                <div id="insp-town-villages">
                    { for vs.iter().map(|v| html! {
                        <CheckField id={format!("village-{}", v.code)} label={v.name.clone()}
                            checked={p.value.contains(&v.code)} onchange={toggle(v.code.clone())} />
                    }) }
                </div>
            }
            if p.value.is_empty() {
                <p class="hint">{ ctx.t("insp.no_villages") }</p>
            } else {
                <ul class="results" id="insp-chosen-villages" aria-label={ctx.t("insp.chosen_villages")}>
                    { for p.value.iter().enumerate().map(|(i, code)| {
                        let name = towns.village_name(code);
                        let remove = toggle(code.clone()).reform(|_: MouseEvent| false);
                        let error = fh.error(&format!("villages[{i}]"), lang);
                        html! {
                            <li>
                                <span>{ &name }</span>
                                <button type="button" class="link" onclick={remove}
                                    aria-label={ctx.t("insp.remove_village").replace("{name}", &name)}>{ ctx.t("insp.remove") }</button>
                                if let Some(e) = error {
                                    <span class="error">{ e }</span>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
        </fieldset>
    }
}

/// Props of the form page: the inspection to change, or none for a new one.
#[derive(Properties, PartialEq)]
pub struct InspectionFormProps {
    /// Inspection id, when changing one.
    #[prop_or_default]
    pub id: Option<String>,
}

/// Plans or records an inspection, or changes a planned one.
#[function_component(InspectionFormPage)]
pub fn inspection_form_page(p: &InspectionFormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let title_key = if p.id.is_some() {
        "insp.edit"
    } else {
        "insp.new"
    };
    use_title(ctx.as_ref().map(|c| c.t(title_key)).unwrap_or_default());
    let existing = use_remote(p.id.clone(), |id: Option<String>| async move {
        match id {
            Some(id) => api::inspection(&id).await.map(Some),
            None => Ok(None),
        }
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(current) = existing.ready().cloned() else {
        return html! { <section class="card">{ existing.placeholder(lang, Some("insp.not_found")) }</section> };
    };
    let restart = {
        let existing = existing.clone();
        Callback::from(move |i: Inspection| existing.set(Some(i)))
    };
    let key = current
        .as_ref()
        .map_or_else(|| "new".to_owned(), |i| format!("{}-{}", i.id, i.version));
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Inspections}>{ ctx.t("insp.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ ctx.t(title_key) }</span>
            </nav>
            <h1>{ ctx.t(title_key) }</h1>
            if current.as_ref().is_some_and(|i| i.status == InspectionStatus::Filed) {
                <p class="notice" id="insp-final">{ ctx.t("insp.final") }</p>
            } else {
                <InspectionEditor key={key} existing={current.clone()} onstale={restart} />
            }
        </section>
    }
}

/// Props of [`InspectionEditor`].
#[derive(Properties, PartialEq)]
struct EditorProps {
    existing: Option<Inspection>,
    /// The server's newer version, to edit again from.
    onstale: Callback<Inspection>,
}

/// The six checks, in their order: those of `from`, the rest found in order.
fn checks_from(from: Option<&Inspection>) -> Vec<VisitCheck> {
    VisitCheckItem::ALL
        .iter()
        .map(|item| {
            from.and_then(|i| i.checks.iter().find(|c| c.check.item == *item))
                .map(|c| c.check.clone())
                .unwrap_or(VisitCheck {
                    item: *item,
                    result: CheckResult::Ok,
                    note: None,
                })
        })
        .collect()
}

#[function_component(InspectionEditor)]
fn inspection_editor(p: &EditorProps) -> Html {
    let ctx = use_context::<Ctx>();
    let fh = use_form("insp-form");
    let navigator = use_navigator();
    let units = crate::hooks::units::use_units();
    let x = p.existing.as_ref();
    let me = ctx.as_ref().and_then(|c| c.me.clone());
    let department = use_state(|| {
        x.map(|i| i.department_code.clone())
            .or_else(|| {
                me.as_ref()
                    .map(|m| m.user.unit_code.clone())
                    .filter(|u| u.starts_with("43.") && u != PLAN_OFFICE)
            })
            .unwrap_or_default()
    });
    let leader = use_state(|| {
        x.map(|i| i.leader_id)
            .or_else(|| me.as_ref().map(|m| m.user.id))
            .map(|id| id.to_string())
            .unwrap_or_default()
    });
    let county = use_state(|| x.map(|i| i.county_code.clone()).unwrap_or_default());
    let planned = use_state(|| x.and_then(|i| i.planned_on).map(ymd).unwrap_or_default());
    let visited = use_state(|| x.is_some_and(|i| i.visited_on.is_some()));
    let visited_on = use_state(|| {
        ymd(x
            .and_then(|i| i.visited_on)
            .unwrap_or_else(crate::clock::today))
    });
    let villages = use_state(|| x.map(|i| i.villages.clone()).unwrap_or_default());
    let households = use_state(|| {
        x.filter(|i| i.households_visited > 0)
            .map(|i| i.households_visited.to_string())
            .unwrap_or_default()
    });
    let checks = use_state(|| checks_from(x));
    let policies = use_state(|| x.map(|i| i.policies.clone()).unwrap_or_default());
    let findings = use_state(|| x.and_then(|i| i.findings.clone()).unwrap_or_default());
    let theirs = use_state(|| None::<Inspection>);
    // Who may lead it: the department's cadres and the provincial leaders.
    let inspectors = use_remote((*department).clone(), |d: String| async move {
        if d.is_empty() {
            return Ok(Vec::new());
        }
        api::people("inspectors", Some(&d)).await
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| fh.error(f, lang);
    let poverty_office = ctx
        .me
        .as_ref()
        .is_some_and(|m| m.user.unit_code == PLAN_OFFICE);
    let input = |status: InspectionStatus| -> Result<InspectionInput, Vec<FieldError>> {
        let mut errs = Vec::new();
        if department.is_empty() {
            errs.push(FieldError::new("department_code", "required", ""));
        }
        let leader_id = super::leader_id(&leader).map_err(|e| errs.push(e)).ok();
        if county.is_empty() {
            errs.push(FieldError::new("county_code", "required", ""));
        }
        let planned_on = if planned.trim().is_empty() {
            None
        } else {
            let d = parse_date(&planned);
            if d.is_none() {
                errs.push(FieldError::new("planned_on", "invalid_date", ""));
            }
            d
        };
        let filing = status == InspectionStatus::Filed;
        let (mut visit_day, mut hh) = (None, 0);
        if *visited {
            visit_day = parse_date(&visited_on);
            if visit_day.is_none() {
                errs.push(FieldError::new("visited_on", "invalid_date", ""));
            }
            if !households.trim().is_empty() {
                match households.trim().parse::<i32>() {
                    Ok(n) => hh = n,
                    Err(_) => {
                        errs.push(FieldError::new("households_visited", "invalid_number", ""))
                    }
                }
            }
        } else if filing {
            errs.push(FieldError::new("visited_on", "required", ""));
        }
        let Some(leader_id) = leader_id else {
            return Err(errs);
        };
        let f = InspectionInput {
            status,
            department_code: (*department).clone(),
            leader_id,
            county_code: (*county).clone(),
            planned_on,
            visited_on: visit_day,
            villages: if *visited {
                (*villages).clone()
            } else {
                Vec::new()
            },
            households_visited: hh,
            checks: if *visited {
                (*checks).clone()
            } else {
                Vec::new()
            },
            policies: if *visited {
                (*policies).clone()
            } else {
                Vec::new()
            },
            findings: if *visited { some(&findings) } else { None },
        };
        if let Err(more) = f.validate(crate::clock::today()) {
            errs.extend(more);
        }
        if errs.is_empty() {
            Ok(f)
        } else {
            Err(errs)
        }
    };
    let save = |status: InspectionStatus| {
        let (fh, fields, navigator, theirs) =
            (fh.clone(), input(status), navigator.clone(), theirs.clone());
        let existing = x.map(|i| (i.id, i.version));
        Callback::from(move |()| {
            let fields = match fields.clone() {
                Ok(f) => f,
                Err(errs) => return fh.reject(errs),
            };
            let (navigator, theirs) = (navigator.clone(), theirs.clone());
            fh.submit(
                move |id| async move {
                    let answer = match existing {
                        Some((iid, version)) => {
                            let body = InspectionUpdate {
                                version: Some(version),
                                fields,
                            };
                            api::update_inspection(iid, &body).await
                        }
                        None => {
                            let body = InspectionCreate {
                                id: Some(id),
                                fields,
                            };
                            api::create_inspection(&body).await
                        }
                    };
                    answer.map_err(|e| {
                        if let Some(current) = api::current_of::<Inspection>(&e) {
                            theirs.set(Some(current));
                        }
                        Failure::Api(e)
                    })
                },
                move |i: Inspection| {
                    if let Some(n) = navigator {
                        n.push(&Route::Inspection {
                            id: i.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let onsubmit = {
        let save = save(InspectionStatus::Planned);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            save.emit(());
        })
    };
    let mut known = Vec::new();
    if let Some(m) = super::me_as_leader(&ctx, false) {
        known.push(m);
    }
    if let Some(i) = x {
        known.push((i.leader_id, i.leader_name.clone()));
    }
    known.extend(
        inspectors
            .ready()
            .into_iter()
            .flatten()
            .map(|c| (c.id, format!("{} · {}", c.display_name, c.unit_name))),
    );
    let departments: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("form.choose")))
        .chain(department_options(&units, lang))
        .collect();
    let set_county = {
        let (county, villages, fh) = (county.clone(), villages.clone(), fh.clone());
        Callback::from(move |c: String| {
            // Villages of another county would be refused: they go with it.
            villages.set(
                villages
                    .iter()
                    .filter(|v| !c.is_empty() && v.starts_with(c.as_str()))
                    .cloned()
                    .collect(),
            );
            county.set(c);
            fh.clear_error("county_code");
        })
    };
    let set_villages = {
        let villages = villages.clone();
        Callback::from(move |v: Vec<String>| villages.set(v))
    };
    let set_visited = {
        let visited = visited.clone();
        Callback::from(move |on: bool| {
            visited.set(on);
            if on {
                focus_id("insp-visited-on");
            }
        })
    };
    let use_theirs = {
        let (theirs, onstale) = (theirs.clone(), p.onstale.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = (*theirs).clone() {
                onstale.emit(t);
            }
        })
    };
    html! {
        <form id="insp-form" onsubmit={onsubmit} novalidate=true>
            { fh.banner(lang, "insp-banner") }
            if let Some(t) = &*theirs {
                <section class="notice pending" id="insp-conflict" role="alert">
                    <h2>{ ctx.t("insp.conflict") }</h2>
                    <p>{ format!("{} · {} · {}", ctx.t(&format!("insp_status.{}", t.status)), day_of(t), t.leader_name) }</p>
                    <button type="button" id="insp-use-theirs" onclick={use_theirs}>{ ctx.t("insp.use_theirs") }</button>
                </section>
            }
            <h2>{ ctx.t("insp.plan") }</h2>
            <SelectField id="insp-department" label={ctx.t("insp.department")} value={(*department).clone()} options={departments}
                onchange={fh.bind(&department, "department_code")} error={err("department_code")} required=true disabled={!poverty_office} />
            <LeaderPicker id="insp-leader" label={ctx.t("insp.leader")} value={(*leader).clone()} known={known}
                onchange={fh.bind(&leader, "leader_id")} error={err("leader_id")} />
            <CountySelect id="insp-county" label={ctx.t("insp.county")} value={(*county).clone()} onchange={set_county} error={err("county_code")} />
            <TextField id="insp-planned-on" kind="date" label={ctx.t("insp.planned_on")} value={(*planned).clone()}
                oninput={fh.bind(&planned, "planned_on")} error={err("planned_on")} />
            <CheckField id="insp-visited" label={ctx.t("insp.record_visit")} checked={*visited} onchange={set_visited} />
            if *visited {
                <h2>{ ctx.t("insp.visit") }</h2>
                <TextField id="insp-visited-on" kind="date" label={ctx.t("insp.visited_on")} value={(*visited_on).clone()}
                    oninput={fh.bind(&visited_on, "visited_on")} error={err("visited_on")} required=true />
                <VillagePicker county={(*county).clone()} value={(*villages).clone()} onchange={set_villages} form={fh.clone()} />
                <TextField id="insp-households" label={ctx.t("insp.households")} value={(*households).clone()} inputmode={Some(AttrValue::Static("numeric"))}
                    oninput={fh.bind(&households, "households_visited")} error={err("households_visited")} required=true />
                <CheckRows checks={(*checks).clone()} onchange={let c = checks.clone(); Callback::from(move |v: Vec<VisitCheck>| c.set(v))} form={fh.clone()} />
                <PolicyBoxes policies={(*policies).clone()} onchange={let c = policies.clone(); Callback::from(move |v: Vec<VisitPolicy>| c.set(v))} />
                <TextField id="insp-findings" multiline=true label={ctx.t("insp.findings")} value={(*findings).clone()}
                    oninput={fh.bind(&findings, "findings")} error={err("findings")} />
            }
            <div class="buttons">
                <button type="submit" id="insp-save" disabled={fh.busy()}>{ ctx.t("insp.save_planned") }</button>
                if *visited {
                    <ConfirmButton id="insp-file" class="primary" label={ctx.t("insp.file")} question={ctx.t("insp.file_q")}
                        onconfirm={save(InspectionStatus::Filed)} disabled={fh.busy()} />
                }
            </div>
            <p class="hint">{ ctx.t("insp.file_hint") }</p>
        </form>
    }
}

/// Props of [`CheckRows`].
#[derive(Properties, PartialEq)]
struct CheckRowsProps {
    checks: Vec<VisitCheck>,
    onchange: Callback<Vec<VisitCheck>>,
    form: UseForm,
}

/// The six checks, as the visit form shows them: a result each, a note for a problem.
/// Sent in the order of [`VisitCheckItem::ALL`], so `checks[i]` errors find their row.
#[function_component(CheckRows)]
fn check_rows(p: &CheckRowsProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let fh = &p.form;
    html! {
        <fieldset class="roles" id="insp-checks">
            <legend>{ ctx.t("visits.checks") }</legend>
            { for p.checks.iter().enumerate().map(|(i, c)| {
                let item = c.item;
                let set_result = {
                    let (all, onchange, fh) = (p.checks.clone(), p.onchange.clone(), fh.clone());
                    Callback::from(move |v: String| {
                        let mut all = all.clone();
                        if let Some(c) = all.get_mut(i) {
                            c.result = v.parse().unwrap_or(CheckResult::Ok);
                        }
                        fh.clear_error(&format!("checks[{i}].note"));
                        fh.clear_error(&format!("checks.{item}"));
                        onchange.emit(all);
                    })
                };
                let set_note = {
                    let (all, onchange, fh) = (p.checks.clone(), p.onchange.clone(), fh.clone());
                    Callback::from(move |v: String| {
                        let mut all = all.clone();
                        if let Some(c) = all.get_mut(i) {
                            c.note = Some(v);
                        }
                        fh.clear_error(&format!("checks[{i}].note"));
                        onchange.emit(all);
                    })
                };
                html! {
                    <div class="check-row" key={item.to_string()}>
                        <SelectField id={format!("check-{item}")} label={ctx.t(&format!("check.{item}"))} value={c.result.to_string()}
                            options={options(CheckResult::ALL, "check_result", lang, None)} onchange={set_result}
                            error={fh.error(&format!("checks.{item}"), lang)} />
                        if c.result == CheckResult::Problem {
                            <TextField id={format!("check-{item}-note")} label={ctx.t("visits.problem_note")} value={c.note.clone().unwrap_or_default()}
                                oninput={set_note} error={fh.error(&format!("checks[{i}].note"), lang)} required=true multiline=true />
                        }
                    </div>
                }
            }) }
        </fieldset>
    }
}

/// Props of [`PolicyBoxes`].
#[derive(Properties, PartialEq)]
struct PolicyProps {
    policies: Vec<VisitPolicy>,
    onchange: Callback<Vec<VisitPolicy>>,
}

/// The policies found to have reached the households, a tick each.
#[function_component(PolicyBoxes)]
fn policy_boxes(p: &PolicyProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    html! {
        <fieldset class="roles" id="insp-policies">
            <legend>{ ctx.t("visits.policies") }</legend>
            { for VisitPolicy::ALL.iter().map(|pol| {
                let (pol, all, onchange) = (*pol, p.policies.clone(), p.onchange.clone());
                html! { <CheckField id={format!("policy-{pol}")} label={ctx.t(&format!("policy.{pol}"))} checked={p.policies.contains(&pol)}
                    onchange={Callback::from(move |on: bool| {
                        let mut v: Vec<VisitPolicy> = all.iter().copied().filter(|x| *x != pol).collect();
                        if on { v.push(pol); }
                        onchange.emit(v);
                    })} /> }
            }) }
        </fieldset>
    }
}

/// Props: the inspection's id.
#[derive(Properties, PartialEq)]
pub struct InspectionProps {
    /// Inspection id.
    pub id: String,
}

/// One inspection: facts, checks with their rectification items, and for a planned one
/// of the user's department, edit and delete.
#[function_component(InspectionPage)]
pub fn inspection_page(p: &InspectionProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("insp.one")).unwrap_or_default());
    let inspection = use_remote(p.id.clone(), |id: String| async move {
        api::inspection(&id).await
    });
    let needed = inspection
        .ready()
        .map(|i| towns_of(&i.villages))
        .unwrap_or_default();
    let towns = use_towns(needed);
    let fh = use_form("insp-delete");
    let navigator = use_navigator();
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(i) = inspection.ready().cloned() else {
        return html! { <section class="card">{ inspection.placeholder(lang, Some("insp.not_found")) }</section> };
    };
    let title = format!("{} · {}", i.county_name, i.department_name);
    let planned = i.status == InspectionStatus::Planned;
    let may_change = planned && may_record(&ctx, &i.department_code);
    let remove = {
        let (fh, id, version, navigator) = (fh.clone(), i.id, i.version, navigator.clone());
        Callback::from(move |()| {
            let navigator = navigator.clone();
            fh.submit(
                move |_| async move { Ok(api::delete_inspection(id, version).await?) },
                move |()| {
                    if let Some(n) = navigator {
                        n.push(&Route::Inspections);
                    }
                },
            );
        })
    };
    let facts = |k: &str, v: String| html! { <><dt>{ ctx.t(k) }</dt><dd>{ v }</dd></> };
    let day = |d: Option<chrono::NaiveDate>| d.map(ymd).unwrap_or_else(|| "—".into());
    let village_names: Vec<String> = i.villages.iter().map(|v| towns.village_name(v)).collect();
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Inspections}>{ ctx.t("insp.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ &title }</span>
            </nav>
            <h1>{ &title }</h1>
            <dl class="facts" id="insp-facts">
                <dt>{ ctx.t("insp.status") }</dt><dd id="insp-status">{ ctx.t(&format!("insp_status.{}", i.status)) }</dd>
                { facts("insp.department", i.department_name.clone()) }
                { facts("insp.leader", i.leader_name.clone()) }
                { facts("insp.county", i.county_name.clone()) }
                { facts("insp.planned_on", day(i.planned_on)) }
                { facts("insp.visited_on", day(i.visited_on)) }
                if !i.villages.is_empty() {
                    { facts("insp.villages", village_names.join("、")) }
                }
                if i.households_visited > 0 {
                    { facts("insp.households", i.households_visited.to_string()) }
                }
                if let Some(at) = i.filed_at {
                    { facts("insp.filed_at", crate::clock::local_time(at.and_utc(), lang)) }
                }
            </dl>
            if may_change {
                <div class="actions" id="insp-actions">
                    { fh.banner(lang, "insp-delete-banner") }
                    <Link<Route> to={Route::InspectionEdit { id: i.id.to_string() }} classes="button primary">{ ctx.t("insp.edit") }</Link<Route>>
                    <ConfirmButton id="insp-delete" class="danger" label={ctx.t("insp.delete")} question={ctx.t("insp.delete_q")}
                        onconfirm={remove} disabled={fh.busy()} />
                </div>
            }
            if !i.checks.is_empty() {
                <h2>{ ctx.t("visits.checks") }</h2>
                <ul class="results" id="insp-check-results">
                    { for i.checks.iter().map(|c| {
                        let item = c.check.item;
                        let problem = c.check.result == CheckResult::Problem;
                        html! {
                            <li id={format!("insp-check-{item}")}>
                                <strong>{ ctx.t(&format!("check.{item}")) }</strong>
                                <span class={classes!("badge", problem.then_some("off"))}>{ ctx.t(&format!("check_result.{}", c.check.result)) }</span>
                                if let Some(n) = c.check.note.as_ref().filter(|n| !n.trim().is_empty()) {
                                    <span>{ n }</span>
                                }
                                if let Some(r) = c.rectification_id {
                                    <Link<Route> to={Route::RectificationItem { id: r.to_string() }}>{ ctx.t("insp.rectification_item") }</Link<Route>>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
            if !i.policies.is_empty() {
                <h2>{ ctx.t("visits.policies") }</h2>
                <ul class="caps" id="insp-policy-list">
                    { for i.policies.iter().map(|pol| html! { <li>{ ctx.t(&format!("policy.{pol}")) }</li> }) }
                </ul>
            }
            if let Some(f) = &i.findings {
                <h2>{ ctx.t("insp.findings") }</h2>
                <p class="content" id="insp-findings-text">{ f }</p>
            }
            <crate::pages::audit::RecordAuditLink id={i.id.to_string()} />
        </section>
    }
}
