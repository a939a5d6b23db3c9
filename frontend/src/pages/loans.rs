//! Loan interest subsidies: list, application form with the live subsidy, and the
//! application page with the timeline and the steps the user may take. Which steps those
//! are comes with the application (`allowed_actions`, `can_edit`), computed by the server
//! from the workflow rules in `shared::workflow`, the same rules it authorises with.

use serde::Deserialize;
use shared::api::Page;
use shared::employment::{
    compute_subsidy, Applicant, Loan, LoanAction, LoanActionKind, LoanCreate, LoanInput,
    LoanUpdate, SubsidyRule,
};
use shared::money::{format_hundredths, parse_hundredths};
use shared::person::{PersonItem, PersonQuery};
use shared::workflow::{self, OrgLevel};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::TextField;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct ProgrammeYear {
    rule: SubsidyRule,
}

/// The list of applications in the user's area.
#[function_component(LoanList)]
pub fn loan_list() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let loans = use_state(|| None::<Result<Page<Loan>, String>>);
    let lang = ctx.lang;
    {
        let loans = loans.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                loans.set(Some(
                    crate::api::get::<Page<Loan>>("/api/v1/loans?limit=500")
                        .await
                        .map_err(|e| e.message(lang)),
                ));
            });
            || ()
        });
    }
    // Applications are made where the workflow says they are edited (the county).
    let can_write = ctx.me.as_ref().is_some_and(|m| {
        OrgLevel::of_region(&m.scope.code) == workflow::LOAN_EDIT_LEVEL
            && m.permissions.contains(&workflow::LOAN_EDIT_CAPABILITY)
    });
    html! {
        <section class="card">
            <h1>{ ctx.t("loans.title") }</h1>
            if can_write {
                <p><Link<Route> to={Route::LoanNew} classes="button primary">{ ctx.t("loans.new") }</Link<Route>></p>
            }
            { match &*loans {
                None => html! { <p role="status">{ ctx.t("app.loading") }</p> },
                Some(Err(e)) => html! { <p class="error-summary" role="alert">{ e }</p> },
                Some(Ok(p)) if p.items.is_empty() => html! { <p role="status">{ ctx.t("loans.none") }</p> },
                Some(Ok(p)) => html! {
                    <ul class="results" id="loans">
                        { for p.items.iter().map(|l| html! {
                            <li>
                                <Link<Route> to={Route::Loan { id: l.id.to_string() }}>{ &l.applicant_name }</Link<Route>>
                                <span>{ format!("{} {}", ctx.t("loans.subsidy"), format_hundredths(l.calculation.subsidy_fen)) }</span>
                                <span>{ ctx.t(&format!("loan.{}", l.status)) }</span>
                            </li>
                        }) }
                    </ul>
                },
            } }
        </section>
    }
}

/// The application form, for a registered person, with the subsidy computed live by the
/// programme year's rule (the same function the server runs).
#[function_component(LoanForm)]
pub fn loan_form() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let navigator = use_navigator();
    let search = use_state(String::new);
    let found = use_state(Vec::<shared::person::Person>::new);
    let person = use_state(|| None::<shared::person::Person>);
    let bank = use_state(String::new);
    let principal = use_state(String::new);
    let rate = use_state(String::new);
    let term = use_state(|| "12".to_owned());
    let date = use_state(String::new);
    let purpose = use_state(String::new);
    let rule = use_state(|| None::<SubsidyRule>);
    let errors = use_state(Vec::<shared::FieldError>::new);
    let banner = use_state(|| None::<String>);
    let lang = ctx.lang;
    {
        // The rule of the loan's year, for the live subsidy.
        let rule = rule.clone();
        let year = date.get(..4).map(str::to_owned).unwrap_or_default();
        use_effect_with(year, move |y| {
            let y = y.clone();
            if y.len() == 4 {
                wasm_bindgen_futures::spawn_local(async move {
                    rule.set(
                        crate::api::get::<ProgrammeYear>(&format!("/api/v1/programme-years/{y}"))
                            .await
                            .ok()
                            .map(|p| p.rule),
                    );
                });
            }
            || ()
        });
    }
    let input = || -> Option<LoanInput> {
        Some(LoanInput {
            applicant: Applicant::Person,
            person_id: person.as_ref().map(|p| p.id),
            base_id: None,
            bank: (*bank).clone(),
            principal_fen: parse_hundredths(&principal)?,
            annual_rate_bp: parse_hundredths(&rate)?,
            term_months: term.trim().parse().ok()?,
            loan_date: chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok()?,
            purpose: (*purpose).clone(),
        })
    };
    let live = match (input(), &*rule) {
        (Some(i), Some(r)) => compute_subsidy(
            r,
            Applicant::Person,
            i.principal_fen,
            i.annual_rate_bp,
            i.term_months,
        )
        .ok(),
        _ => None,
    };
    let on_search = {
        let (search, found) = (search.clone(), found.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let q = search.trim().to_owned();
            let query = if q.len() == 18 {
                PersonQuery {
                    id_number: Some(q),
                    ..PersonQuery::default()
                }
            } else {
                PersonQuery {
                    name: Some(q),
                    limit: Some(20),
                    ..PersonQuery::default()
                }
            };
            let found = found.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(p) = crate::api::search_persons(&query).await {
                    found.set(
                        p.items
                            .into_iter()
                            .filter_map(|i| {
                                if let PersonItem::Person(p) = i {
                                    Some(*p)
                                } else {
                                    None
                                }
                            })
                            .collect(),
                    );
                }
            });
        })
    };
    let onsubmit = {
        let (errors, banner) = (errors.clone(), banner.clone());
        let fields = input();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(fields) = fields.clone() else {
                banner.set(Some(lang.t("persons.fix_errors")));
                return;
            };
            let (errors, banner, navigator) = (errors.clone(), banner.clone(), navigator.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::post::<Loan, _>(
                    "/api/v1/loans",
                    &LoanCreate {
                        id: Some(uuid::Uuid::new_v4()),
                        fields,
                    },
                )
                .await
                {
                    Ok(l) => {
                        if let Some(n) = navigator {
                            n.push(&Route::Loan {
                                id: l.id.to_string(),
                            });
                        }
                    }
                    Err(e) => {
                        errors.set(
                            e.problem
                                .as_ref()
                                .map(|p| p.errors.clone())
                                .unwrap_or_default(),
                        );
                        banner.set(Some(e.message(lang)));
                    }
                }
            });
        })
    };
    let err = |f: &str| {
        errors
            .iter()
            .find(|e| e.field == f)
            .map(|e| lang.error(&e.code, &e.message))
    };
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |v: String| s.set(v))
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("loans.new") }</h1>
            if let Some(b) = &*banner {
                <p class="error-summary" role="alert">{ b }</p>
            }
            <form onsubmit={on_search} role="search">
                <TextField id="loan-search" label={ctx.t("courses.search")} value={(*search).clone()} oninput={set(&search)} />
                <button type="submit" id="loan-search-go">{ ctx.t("persons.search") }</button>
            </form>
            <ul class="results" id="loan-candidates">
                { for found.iter().map(|p| {
                    let (pick, chosen) = (p.clone(), person.clone());
                    html! { <li><span>{ &p.name }</span><span class="mono">{ &p.id_number }</span>
                        <button type="button" onclick={Callback::from(move |_| chosen.set(Some(pick.clone())))}>{ ctx.t("loans.choose") }</button></li> }
                }) }
            </ul>
            <form onsubmit={onsubmit} novalidate=true id="loan-form">
                <p id="loan-applicant">{ format!("{}: {}", ctx.t("loans.applicant"), person.as_ref().map(|p| format!("{} {}", p.name, p.id_number)).unwrap_or_else(|| "—".into())) }</p>
                if let Some(e) = err("person_id") { <p class="error">{ e }</p> }
                <TextField id="loan-bank" label={ctx.t("loans.bank")} value={(*bank).clone()} oninput={set(&bank)} error={err("bank")} required=true />
                <TextField id="loan-principal" label={ctx.t("loans.principal")} value={(*principal).clone()} oninput={set(&principal)} error={err("principal_fen")} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                <TextField id="loan-rate" label={ctx.t("loans.rate")} value={(*rate).clone()} oninput={set(&rate)} error={err("annual_rate_bp")} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                <TextField id="loan-term" label={ctx.t("loans.term")} kind="number" value={(*term).clone()} oninput={set(&term)} error={err("term_months")} required=true />
                <TextField id="loan-date" label={ctx.t("loans.date")} kind="date" value={(*date).clone()} oninput={set(&date)} error={err("loan_date")} required=true />
                <TextField id="loan-purpose" label={ctx.t("loans.purpose")} value={(*purpose).clone()} oninput={set(&purpose)} error={err("purpose")} required=true />
                <p class="notice" id="live-subsidy" aria-live="polite">{ match live {
                    Some(c) => format!("{} {} · {} {}{}", ctx.t("loans.interest"), format_hundredths(c.interest_fen), ctx.t("loans.subsidy"), format_hundredths(c.subsidy_fen), if c.capped { ctx.t("loans.capped") } else { String::new() }),
                    None => ctx.t("loans.fill_in"),
                } }</p>
                <div class="buttons"><button type="submit" class="primary" id="loan-save">{ ctx.t("persons.save") }</button></div>
            </form>
        </section>
    }
}

/// Props: the application id.
#[derive(Properties, PartialEq)]
pub struct LoanProps {
    /// Application id.
    pub id: String,
}

/// One application: facts, the actions this user may take now, and the timeline.
#[function_component(LoanPage)]
pub fn loan_page(p: &LoanProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let loan = use_state(|| None::<Loan>);
    let error = use_state(|| None::<String>);
    let reason = use_state(String::new);
    let amount = use_state(String::new);
    let paid_on = use_state(String::new);
    let editing = use_state(|| false);
    let edit_bank = use_state(String::new);
    let edit_principal = use_state(String::new);
    let edit_rate = use_state(String::new);
    let edit_term = use_state(String::new);
    let edit_date = use_state(String::new);
    let edit_purpose = use_state(String::new);
    let edit_errors = use_state(Vec::<shared::FieldError>::new);
    let lang = ctx.lang;
    {
        let (loan, error) = (loan.clone(), error.clone());
        use_effect_with(p.id.clone(), move |id| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::get::<Loan>(&format!("/api/v1/loans/{id}")).await {
                    Ok(l) => loan.set(Some(l)),
                    Err(e) => error.set(Some(if e.status == 404 {
                        lang.t("persons.not_found")
                    } else {
                        e.message(lang)
                    })),
                }
            });
            || ()
        });
    }
    let Some(l) = (*loan).clone() else {
        return html! { <section class="card">{ match &*error { Some(e) => html!{ <p class="error-summary" role="alert">{ e }</p> }, None => html!{ <p role="status">{ ctx.t("app.loading") }</p> } } }</section> };
    };
    // The server's answer, from the shared workflow rules: only what this user may do now.
    let allowed = l.allowed_actions.clone();
    let needs_reason = allowed.contains(&LoanActionKind::Return);
    let may_give_reason = needs_reason || allowed.contains(&LoanActionKind::Withdraw);
    let act = {
        let (loan, error, reason, amount, paid_on) = (
            loan.clone(),
            error.clone(),
            reason.clone(),
            amount.clone(),
            paid_on.clone(),
        );
        let (id, version) = (l.id, l.version);
        Callback::from(move |action: LoanActionKind| {
            let body = LoanAction {
                action,
                version,
                reason: (!reason.trim().is_empty()).then(|| (*reason).clone()),
                amount_fen: parse_hundredths(&amount),
                date: chrono::NaiveDate::parse_from_str(&paid_on, "%Y-%m-%d").ok(),
            };
            let (loan, error) = (loan.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::post::<Loan, _>(&format!("/api/v1/loans/{id}/actions"), &body)
                    .await
                {
                    Ok(updated) => {
                        error.set(None);
                        loan.set(Some(updated));
                    }
                    Err(e) => error.set(Some(
                        match e.problem.as_ref().and_then(|p| p.errors.first()) {
                            Some(f) => lang.error(&f.code, &f.message),
                            None => e.message(lang),
                        },
                    )),
                }
            });
        })
    };
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |v: String| s.set(v))
    };
    let start_edit = {
        let (editing, edit_bank, edit_principal, edit_rate, edit_term, edit_date, edit_purpose) = (
            editing.clone(),
            edit_bank.clone(),
            edit_principal.clone(),
            edit_rate.clone(),
            edit_term.clone(),
            edit_date.clone(),
            edit_purpose.clone(),
        );
        let f = l.fields.clone();
        Callback::from(move |_| {
            edit_bank.set(f.bank.clone());
            edit_principal.set(format_hundredths(f.principal_fen).replace(',', ""));
            edit_rate.set(format_hundredths(f.annual_rate_bp));
            edit_term.set(f.term_months.to_string());
            edit_date.set(f.loan_date.format("%Y-%m-%d").to_string());
            edit_purpose.set(f.purpose.clone());
            editing.set(true);
        })
    };
    let save_edit = {
        let (loan, error, editing, edit_errors) = (
            loan.clone(),
            error.clone(),
            editing.clone(),
            edit_errors.clone(),
        );
        let fields = (|| -> Option<LoanInput> {
            Some(LoanInput {
                bank: (*edit_bank).clone(),
                principal_fen: parse_hundredths(&edit_principal)?,
                annual_rate_bp: parse_hundredths(&edit_rate)?,
                term_months: edit_term.trim().parse().ok()?,
                loan_date: chrono::NaiveDate::parse_from_str(&edit_date, "%Y-%m-%d").ok()?,
                purpose: (*edit_purpose).clone(),
                ..l.fields.clone()
            })
        })();
        let (id, version) = (l.id, l.version);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(fields) = fields.clone() else {
                error.set(Some(lang.t("persons.fix_errors")));
                return;
            };
            let (loan, error, editing, edit_errors) = (
                loan.clone(),
                error.clone(),
                editing.clone(),
                edit_errors.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let body = LoanUpdate {
                    version: Some(version),
                    fields,
                };
                match crate::api::put::<Loan, _>(&format!("/api/v1/loans/{id}"), &body).await {
                    Ok(updated) => {
                        error.set(None);
                        edit_errors.set(Vec::new());
                        editing.set(false);
                        loan.set(Some(updated));
                    }
                    Err(e) => {
                        edit_errors.set(
                            e.problem
                                .as_ref()
                                .map(|p| p.errors.clone())
                                .unwrap_or_default(),
                        );
                        error.set(Some(e.message(lang)));
                    }
                }
            });
        })
    };
    let edit_err = |f: &str| {
        edit_errors
            .iter()
            .find(|e| e.field == f)
            .map(|e| lang.error(&e.code, &e.message))
    };
    html! {
        <section class="card">
            <h1>{ format!("{} · {}", ctx.t("loans.title"), l.applicant_name) }</h1>
            <dl class="facts" id="loan-facts">
                <dt>{ ctx.t("loans.status") }</dt><dd id="loan-status">{ ctx.t(&format!("loan.{}", l.status)) }</dd>
                <dt>{ ctx.t("loans.principal") }</dt><dd>{ format_hundredths(l.fields.principal_fen) }</dd>
                <dt>{ ctx.t("loans.rate") }</dt><dd>{ format!("{} %", format_hundredths(l.fields.annual_rate_bp)) }</dd>
                <dt>{ ctx.t("loans.term") }</dt><dd>{ l.fields.term_months }</dd>
                <dt>{ ctx.t("loans.subsidy") }</dt><dd>{ format_hundredths(l.calculation.subsidy_fen) }</dd>
                if let Some(a) = l.approved_fen { <dt>{ ctx.t("loans.approved") }</dt><dd>{ format_hundredths(a) }</dd> }
                if let Some(d) = l.disbursed_fen { <dt>{ ctx.t("loans.disbursed") }</dt><dd>{ format_hundredths(d) }</dd> }
            </dl>
            if let Some(e) = &*error {
                <p class="error-summary" role="alert">{ e }</p>
            }
            if l.can_edit && !*editing {
                <p><button type="button" id="loan-edit" onclick={start_edit}>{ ctx.t("loans.edit") }</button></p>
            }
            if l.can_edit && *editing {
                <form onsubmit={save_edit} novalidate=true id="loan-edit-form">
                    <TextField id="edit-bank" label={ctx.t("loans.bank")} value={(*edit_bank).clone()} oninput={set(&edit_bank)} error={edit_err("bank")} required=true />
                    <TextField id="edit-principal" label={ctx.t("loans.principal")} value={(*edit_principal).clone()} oninput={set(&edit_principal)} error={edit_err("principal_fen").or_else(|| edit_err("person_id"))} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                    <TextField id="edit-rate" label={ctx.t("loans.rate")} value={(*edit_rate).clone()} oninput={set(&edit_rate)} error={edit_err("annual_rate_bp")} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                    <TextField id="edit-term" label={ctx.t("loans.term")} kind="number" value={(*edit_term).clone()} oninput={set(&edit_term)} error={edit_err("term_months")} required=true />
                    <TextField id="edit-date" label={ctx.t("loans.date")} kind="date" value={(*edit_date).clone()} oninput={set(&edit_date)} error={edit_err("loan_date")} required=true />
                    <TextField id="edit-purpose" label={ctx.t("loans.purpose")} value={(*edit_purpose).clone()} oninput={set(&edit_purpose)} error={edit_err("purpose")} required=true />
                    <div class="buttons"><button type="submit" class="primary" id="edit-save">{ ctx.t("persons.save") }</button></div>
                </form>
            }
            if !allowed.is_empty() {
                <div class="actions-box">
                    if allowed.contains(&LoanActionKind::Approve) || allowed.contains(&LoanActionKind::Disburse) {
                        <TextField id="action-amount" label={ctx.t("loans.amount")} value={(*amount).clone()} oninput={set(&amount)} inputmode={Some(AttrValue::Static("decimal"))} />
                    }
                    if allowed.contains(&LoanActionKind::Disburse) {
                        <TextField id="action-date" label={ctx.t("loans.paid_on")} kind="date" value={(*paid_on).clone()} oninput={set(&paid_on)} />
                    }
                    if may_give_reason {
                        <TextField id="action-reason" label={ctx.t(if needs_reason { "loans.reason" } else { "loans.reason_optional" })} value={(*reason).clone()} oninput={set(&reason)} />
                    }
                    <p class="actions">
                        { for allowed.iter().map(|a| {
                            let (act, a) = (act.clone(), *a);
                            html! { <button type="button" class={if matches!(a, LoanActionKind::Return | LoanActionKind::Withdraw) { "danger" } else { "primary" }} id={format!("action-{a}")}
                                onclick={Callback::from(move |_| act.emit(a))}>{ ctx.t(&format!("action.{a}")) }</button> }
                        }) }
                    </p>
                </div>
            }
            <h2>{ ctx.t("loans.timeline") }</h2>
            <ol class="timeline" id="loan-timeline">
                { for l.timeline.iter().map(|e| html! {
                    <li>
                        <strong>{ ctx.t(&format!("loan.{}", e.to_status)) }</strong>
                        { format!(" · {} ({}) · {}", e.actor_username, e.actor_unit, e.at.format("%Y-%m-%d %H:%M")) }
                        if let Some(r) = &e.reason { { format!(" · {r}") } }
                        if let Some(a) = e.amount_fen { { format!(" · {}", format_hundredths(a)) } }
                    </li>
                }) }
            </ol>
        </section>
    }
}
