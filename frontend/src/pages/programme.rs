//! Programme years of the loan interest subsidy (provincial employment department): the
//! rule, budget and targets of a year, and each city's allocation. A loan can only be
//! saved for a year that is set up here.

use shared::api::OrgUnit;
use shared::employment::{AllocationSet, ProgrammeYear, ProgrammeYearSet};
use shared::money::{format_hundredths, parse_hundredths};
use shared::{FieldError, OrgUnitKind};
use yew::prelude::*;

use crate::app::Ctx;
use crate::clock::this_year;
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::hooks::units::use_units;

/// The years offered: the plan's first (2020) to next year.
fn years() -> Vec<i32> {
    (2020..=this_year() + 1).rev().collect()
}

/// The programme-year page.
#[function_component(ProgrammePage)]
pub fn programme_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("prog.title")).unwrap_or_default());
    let year = use_state(this_year);
    let loaded = use_remote(*year, |y| async move {
        match crate::api::get::<ProgrammeYear>(&format!("/api/v1/programme-years/{y}")).await {
            Ok(p) => Ok(Some(p)),
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let on_year = {
        let year = year.clone();
        Callback::from(move |v: String| {
            if let Ok(y) = v.parse() {
                year.set(y);
            }
        })
    };
    let body = match loaded.ready() {
        None => loaded.placeholder(lang, None),
        Some(current) => {
            let on_saved = {
                let loaded = loaded.clone();
                Callback::from(move |p: ProgrammeYear| loaded.set(Some(p)))
            };
            html! {
                <>
                    if current.is_none() {
                        <p class="notice" id="prog-missing">{ ctx.t("prog.missing").replace("{year}", &year.to_string()) }</p>
                    }
                    <YearForm key={format!("year-{}", *year)} year={*year} current={current.clone()} on_saved={on_saved.clone()} />
                    if let Some(p) = current {
                        <Allocations year={*year} programme={p.clone()} {on_saved} />
                    }
                </>
            }
        }
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("prog.title") }</h1>
            <SelectField id="prog-year" label={ctx.t("prog.year")} value={year.to_string()}
                options={years().into_iter().map(|y| (y.to_string(), y.to_string())).collect::<Vec<_>>()}
                onchange={on_year} />
            { body }
        </section>
    }
}

/// Props of [`YearForm`].
#[derive(Properties, PartialEq)]
struct YearProps {
    year: i32,
    current: Option<ProgrammeYear>,
    on_saved: Callback<ProgrammeYear>,
}

/// Yuan with two decimals as typed, from fen.
fn yuan(fen: i64) -> String {
    format_hundredths(fen).replace(',', "")
}

/// The rule, budget and targets of one year.
#[function_component(YearForm)]
fn year_form(p: &YearProps) -> Html {
    let ctx = use_context::<Ctx>();
    let start = |f: fn(&ProgrammeYear) -> String| p.current.as_ref().map(f).unwrap_or_default();
    let share = use_state(|| start(|c| format_hundredths(c.rule.share_bp)));
    let cap_person = use_state(|| start(|c| yuan(c.rule.cap_person_fen)));
    let cap_base = use_state(|| start(|c| yuan(c.rule.cap_base_fen)));
    let max_principal = use_state(|| start(|c| yuan(c.rule.max_principal_fen)));
    let budget = use_state(|| start(|c| yuan(c.budget_fen)));
    let target_trained = use_state(|| start(|c| c.targets.persons_trained.to_string()));
    let target_subsidy = use_state(|| start(|c| yuan(c.targets.subsidy_fen)));
    let saved = use_state(|| false);
    let fh = use_form("prog-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let input = {
        let values = [
            ("share_bp", (*share).clone()),
            ("cap_person_fen", (*cap_person).clone()),
            ("cap_base_fen", (*cap_base).clone()),
            ("max_principal_fen", (*max_principal).clone()),
            ("budget_fen", (*budget).clone()),
            ("target_subsidy_fen", (*target_subsidy).clone()),
        ];
        let mut errs = Vec::new();
        let mut parsed = [0i64; 6];
        for (slot, (field, text)) in parsed.iter_mut().zip(values.iter()) {
            match parse_hundredths(text.trim_end_matches('%')) {
                Some(v) => *slot = v,
                None if text.trim().is_empty() => {
                    errs.push(FieldError::new(*field, "required", ""))
                }
                None => errs.push(FieldError::new(*field, "invalid_number", "")),
            }
        }
        let trained = target_trained.trim().parse::<i64>();
        if trained.is_err() {
            errs.push(FieldError::new(
                "target_persons_trained",
                "invalid_number",
                "",
            ));
        }
        match (errs.is_empty(), trained) {
            (true, Ok(trained)) => Ok(ProgrammeYearSet {
                share_bp: parsed[0],
                cap_person_fen: parsed[1],
                cap_base_fen: parsed[2],
                max_principal_fen: parsed[3],
                budget_fen: parsed[4],
                target_subsidy_fen: parsed[5],
                target_persons_trained: trained,
            }),
            _ => Err(errs),
        }
    };
    let onsubmit = {
        let (fh, year, on_saved, saved) = (fh.clone(), p.year, p.on_saved.clone(), saved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            saved.set(false);
            let body = match input.clone() {
                Ok(b) => b,
                Err(errs) => return fh.reject(errs),
            };
            let (on_saved, saved) = (on_saved.clone(), saved.clone());
            fh.submit(
                move |_| async move {
                    Ok(crate::api::put::<ProgrammeYear, _>(
                        &format!("/api/v1/programme-years/{year}"),
                        &body,
                    )
                    .await?)
                },
                move |p: ProgrammeYear| {
                    saved.set(true);
                    on_saved.emit(p);
                },
            );
        })
    };
    let field = |id: &'static str,
                 key: &str,
                 state: &UseStateHandle<String>,
                 field: &'static str| {
        html! {
            <TextField id={id} label={ctx.t(key)} value={(**state).clone()} oninput={fh.bind(state, field)}
                error={fh.error(field, lang)} required=true inputmode={Some(AttrValue::Static("decimal"))} />
        }
    };
    html! {
        <form id="prog-form" onsubmit={onsubmit} novalidate=true>
            <h2>{ ctx.t("prog.rule") }</h2>
            { field("prog-share", "prog.share", &share, "share_bp") }
            { field("prog-cap-person", "prog.cap_person", &cap_person, "cap_person_fen") }
            { field("prog-cap-base", "prog.cap_base", &cap_base, "cap_base_fen") }
            { field("prog-max-principal", "prog.max_principal", &max_principal, "max_principal_fen") }
            <h2>{ ctx.t("prog.budget_targets") }</h2>
            { field("prog-budget", "prog.budget", &budget, "budget_fen") }
            { field("prog-target-trained", "prog.target_trained", &target_trained, "target_persons_trained") }
            { field("prog-target-subsidy", "prog.target_subsidy", &target_subsidy, "target_subsidy_fen") }
            { fh.banner(lang, "prog-banner") }
            if *saved {
                <p class="notice" role="status" id="prog-saved">{ ctx.t("prog.saved") }</p>
            }
            <p class="actions">
                <button type="submit" class="primary" id="prog-save" disabled={fh.busy()}>{ ctx.t("form.save") }</button>
            </p>
        </form>
    }
}

/// Props of [`Allocations`].
#[derive(Properties, PartialEq)]
struct AllocProps {
    year: i32,
    programme: ProgrammeYear,
    on_saved: Callback<ProgrammeYear>,
}

/// Each city's allocation of the year's budget, with what it has committed and paid.
#[function_component(Allocations)]
fn allocations(p: &AllocProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = use_units();
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let allocated: i64 = p
        .programme
        .allocations
        .iter()
        .map(|a| a.allocated_fen)
        .sum();
    let cities: Vec<&OrgUnit> = units.of_kind(OrgUnitKind::City);
    html! {
        <>
            <h2>{ ctx.t("prog.allocations") }</h2>
            <p id="prog-unallocated">
                { format!("{}{} · {}{}", ctx.t("prog.budget"), format_hundredths(p.programme.budget_fen),
                    ctx.t("prog.unallocated"), format_hundredths(p.programme.budget_fen.saturating_sub(allocated))) }
            </p>
            if !units.loaded() {
                { crate::hooks::remote::loading_view(lang) }
            }
            <ul class="results" id="allocations">
                { for cities.iter().map(|c| {
                    let current = p.programme.allocations.iter().find(|a| a.city_code == c.code).cloned();
                    html! {
                        <AllocationRow key={c.code.clone()} year={p.year} city={c.code.clone()}
                            name={units.name(&c.code, lang)} {current} on_saved={p.on_saved.clone()} />
                    }
                }) }
            </ul>
        </>
    }
}

/// Props of [`AllocationRow`].
#[derive(Properties, PartialEq)]
struct RowProps {
    year: i32,
    city: String,
    name: String,
    current: Option<shared::employment::Allocation>,
    on_saved: Callback<ProgrammeYear>,
}

/// One city: allocated (editable), committed, paid.
#[function_component(AllocationRow)]
fn allocation_row(p: &RowProps) -> Html {
    let ctx = use_context::<Ctx>();
    let amount = use_state(|| {
        p.current
            .as_ref()
            .map(|a| yuan(a.allocated_fen))
            .unwrap_or_default()
    });
    let form_id = format!("alloc-{}", p.city);
    let fh = use_form(form_id.clone());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (fh, year, city, amount, on_saved) = (
            fh.clone(),
            p.year,
            p.city.clone(),
            amount.clone(),
            p.on_saved.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(fen) = parse_hundredths(&amount) else {
                return fh.reject(vec![FieldError::new("allocated_fen", "invalid_number", "")]);
            };
            let (city, on_saved) = (city.clone(), on_saved.clone());
            fh.submit(
                move |_| async move {
                    Ok(crate::api::put::<ProgrammeYear, _>(
                        &format!("/api/v1/programme-years/{year}/allocations/{city}"),
                        &AllocationSet { allocated_fen: fen },
                    )
                    .await?)
                },
                move |p: ProgrammeYear| on_saved.emit(p),
            );
        })
    };
    let (committed, disbursed) = p
        .current
        .as_ref()
        .map_or((0, 0), |a| (a.committed_fen, a.disbursed_fen));
    html! {
        <li>
            <form id={form_id.clone()} class="inline-form" onsubmit={onsubmit} novalidate=true>
                <TextField id={format!("{form_id}-amount")} label={format!("{} {}", p.name, ctx.t("prog.allocated"))}
                    value={(*amount).clone()} oninput={fh.bind(&amount, "allocated_fen")}
                    error={fh.error("allocated_fen", lang)} inputmode={Some(AttrValue::Static("decimal"))} />
                <span>{ format!("{} {} · {} {}", ctx.t("prog.committed"), format_hundredths(committed), ctx.t("prog.disbursed"), format_hundredths(disbursed)) }</span>
                { fh.banner(lang, &format!("{form_id}-banner")) }
                <button type="submit" id={format!("{form_id}-save")} disabled={fh.busy()}>{ ctx.t("form.save") }</button>
            </form>
        </li>
    }
}
