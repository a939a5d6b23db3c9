//! Loan interest subsidies: list, application form with the live subsidy, and the
//! application page with the timeline and the steps the user may take. Which steps those
//! are comes with the application (`allowed_actions`, `can_edit`), computed by the server
//! from the workflow rules in `shared::workflow`, the same rules it authorises with.

use shared::api::Page;
use shared::employment::{
    compute_subsidy, Applicant, Loan, LoanAction, LoanActionKind, LoanCreate, LoanInput,
    LoanUpdate, ProgrammeYear, SubsidyRule,
};
use shared::money::{format_hundredths, parse_hundredths, parse_percent_bp, parse_yuan};
use shared::workflow::{self, OrgLevel};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::components::person_picker::PersonPicker;
use crate::hooks::form::{use_form, UseForm};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, use_remote, PAGE_SIZE};

/// The amounts and dates of an application, as typed.
struct Terms {
    principal_fen: i64,
    annual_rate_bp: i64,
    term_months: i64,
    loan_date: chrono::NaiveDate,
}

/// Parses the typed amounts and dates; an error for each field that does not parse.
fn terms(principal: &str, rate: &str, term: &str, date: &str) -> Result<Terms, Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut check = |ok: bool, field: &str, code: &str| {
        if !ok {
            errs.push(FieldError::new(field, code, ""));
        }
    };
    let principal_fen = parse_yuan(principal);
    check(principal_fen.is_some(), "principal_fen", "invalid_amount");
    let annual_rate_bp = parse_percent_bp(rate);
    check(
        annual_rate_bp.is_some(),
        "annual_rate_bp",
        "invalid_percent",
    );
    let term_months = term.trim().parse().ok();
    check(term_months.is_some(), "term_months", "invalid_format");
    let loan_date = crate::pages::rehab::parse_ymd(date).ok();
    check(loan_date.is_some(), "loan_date", "required");
    match (principal_fen, annual_rate_bp, term_months, loan_date) {
        (Some(principal_fen), Some(annual_rate_bp), Some(term_months), Some(loan_date)) => {
            Ok(Terms {
                principal_fen,
                annual_rate_bp,
                term_months,
                loan_date,
            })
        }
        _ => Err(errs),
    }
}

/// Filters of the application list, as chosen on screen.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
struct LoanFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    county: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
    limit: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

/// The list of applications in the user's area: "waiting for me" first (the steps this
/// user's level and roles can take), filtered by status, county and year; each row shows
/// the loan date, the county and the status.
#[function_component(LoanList)]
pub fn loan_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("loans.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    // Users with steps to take start on what waits for them; leaders on everything.
    let has_steps = ctx.as_ref().and_then(|c| c.me.clone()).is_some_and(|m| {
        !workflow::waiting_statuses(OrgLevel::of_region(&m.scope.code), &m.permissions).is_empty()
    });
    let filter = use_state(|| LoanFilter {
        waiting: has_steps.then_some(true),
        limit: PAGE_SIZE,
        ..LoanFilter::default()
    });
    let loans = use_paged(
        (*filter).clone(),
        |f: LoanFilter, cursor: Option<String>| {
            let path = crate::api::with_query("/api/v1/loans", &LoanFilter { cursor, ..f });
            async move { crate::api::get::<Page<Loan>>(&path).await }
        },
    );
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let scope = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .unwrap_or_default();
    // Applications are made where the workflow says they are edited (the county).
    let can_write = ctx.me.as_ref().is_some_and(|m| {
        OrgLevel::of_region(&m.scope.code) == workflow::LOAN_EDIT_LEVEL
            && m.permissions.contains(&workflow::LOAN_EDIT_CAPABILITY)
    });
    let set = |f: fn(&mut LoanFilter, String)| {
        let filter = filter.clone();
        Callback::from(move |v: String| {
            let mut next = (*filter).clone();
            f(&mut next, v);
            filter.set(next);
        })
    };
    let on_waiting = {
        let filter = filter.clone();
        Callback::from(move |on: bool| {
            filter.set(LoanFilter {
                waiting: on.then_some(true),
                ..(*filter).clone()
            })
        })
    };
    let statuses: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("filter.any")))
        .chain(
            shared::employment::LoanStatus::ALL
                .iter()
                .map(|s| (s.to_string(), ctx.t(&format!("loan.{s}")))),
        )
        .collect();
    // Counties (and cities) inside the user's area.
    let areas: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("filter.any")))
        .chain(
            units
                .all()
                .iter()
                .filter(|u| {
                    matches!(
                        u.kind,
                        shared::OrgUnitKind::City | shared::OrgUnitKind::County
                    ) && u.code.starts_with(scope.as_str())
                        && u.code != scope
                })
                .map(|u| (u.code.clone(), units.name(&u.code, lang))),
        )
        .collect();
    let this_year = crate::clock::this_year();
    let years: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("filter.any")))
        .chain(
            (2020..=this_year + 1)
                .rev()
                .map(|y| (y.to_string(), y.to_string())),
        )
        .collect();
    html! {
        <section class="card">
            <h1>{ ctx.t("loans.title") }</h1>
            if can_write {
                <p><Link<Route> to={Route::LoanNew} classes="button primary">{ ctx.t("loans.new") }</Link<Route>></p>
            }
            <details class="filters-box" open={filter.waiting.is_none()}>
                <summary>{ ctx.t("filter.title") }</summary>
                <div class="filters" id="loan-filters">
                    <SelectField id="loan-filter-status" label={ctx.t("loans.status")} value={filter.status.clone().unwrap_or_default()}
                        options={statuses} onchange={set(|f, v| f.status = (!v.is_empty()).then_some(v))} />
                    if areas.len() > 1 {
                        <SelectField id="loan-filter-county" label={ctx.t("loans.county")} value={filter.county.clone().unwrap_or_default()}
                            options={areas} onchange={set(|f, v| f.county = (!v.is_empty()).then_some(v))} />
                    }
                    <SelectField id="loan-filter-year" label={ctx.t("prog.year")} value={filter.year.map(|y| y.to_string()).unwrap_or_default()}
                        options={years} onchange={set(|f, v| f.year = v.parse().ok())} />
                </div>
            </details>
            <CheckField id="loan-waiting" label={ctx.t("loans.waiting")} checked={filter.waiting == Some(true)} onchange={on_waiting} />
            <ul class="results" id="loans">
                { for loans.items().iter().map(|l| html! {
                    <li>
                        <Link<Route> to={Route::Loan { id: l.id.to_string() }}>{ &l.applicant_name }</Link<Route>>
                        <span class="nowrap">{ l.fields.loan_date.to_string() }</span>
                        <span>{ units.name(&l.county_code, lang) }</span>
                        <span>{ format!("{} {}", ctx.t("loans.subsidy"), format_hundredths(l.calculation.subsidy_fen)) }</span>
                        <span class="status">{ ctx.t(&format!("loan.{}", l.status)) }</span>
                    </li>
                }) }
            </ul>
            { loans.footer(lang, "loans", if filter.waiting.is_some() { "loans.none_waiting" } else { "loans.none" }) }
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
    use_title(ctx.t("loans.new"));
    let navigator = use_navigator();
    let person = use_state(|| None::<shared::person::Person>);
    let bank = use_state(String::new);
    let principal = use_state(String::new);
    let rate = use_state(String::new);
    let term = use_state(|| "12".to_owned());
    let date = use_state(String::new);
    let purpose = use_state(String::new);
    let rule = use_state(|| None::<SubsidyRule>);
    // A year typed in the date for which no programme is set up: said before saving.
    let missing_year = use_state(|| None::<String>);
    let fh = use_form("loan-new");
    let lang = ctx.lang;
    {
        // The rule of the loan's year, for the live subsidy. Only a complete date asks
        // (not every keystroke), and an answer for a year no longer typed is dropped.
        let (rule, missing_year) = (rule.clone(), missing_year.clone());
        let year = crate::pages::rehab::parse_ymd(&date)
            .ok()
            .map(|d| chrono::Datelike::year(&d).to_string())
            .unwrap_or_default();
        let asked = use_mut_ref(String::new);
        use_effect_with(year, move |y| {
            let y = y.clone();
            *asked.borrow_mut() = y.clone();
            if y.len() == 4 {
                wasm_bindgen_futures::spawn_local(async move {
                    let answer =
                        crate::api::get::<ProgrammeYear>(&format!("/api/v1/programme-years/{y}"))
                            .await;
                    if *asked.borrow() != y {
                        return;
                    }
                    match answer {
                        Ok(p) => {
                            rule.set(Some(p.rule));
                            missing_year.set(None);
                        }
                        Err(e) => {
                            rule.set(None);
                            missing_year.set((e.status == 404).then_some(y));
                        }
                    }
                });
            } else {
                rule.set(None);
                missing_year.set(None);
            }
            || ()
        });
    }
    let may_set_up = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::ApproveLoans)
    });
    let input = || -> Result<LoanInput, Vec<FieldError>> {
        let parsed = terms(&principal, &rate, &term, &date);
        match (person.as_ref(), parsed) {
            (Some(p), Ok(t)) => Ok(LoanInput {
                applicant: Applicant::Person,
                person_id: Some(p.id),
                base_id: None,
                bank: (*bank).clone(),
                principal_fen: t.principal_fen,
                annual_rate_bp: t.annual_rate_bp,
                term_months: t.term_months,
                loan_date: t.loan_date,
                purpose: (*purpose).clone(),
            }),
            (p, t) => {
                let mut errs = t.err().unwrap_or_default();
                if p.is_none() {
                    errs.insert(0, FieldError::new("person_id", "required", ""));
                }
                Err(errs)
            }
        }
    };
    let live = match (input(), &*rule) {
        (Ok(i), Some(r)) => compute_subsidy(
            r,
            Applicant::Person,
            i.principal_fen,
            i.annual_rate_bp,
            i.term_months,
        )
        .ok(),
        _ => None,
    };
    let onsubmit = {
        let fh = fh.clone();
        let fields = input();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let fields = match fields.clone() {
                Ok(fields) => fields,
                Err(errs) => {
                    fh.reject(errs);
                    return;
                }
            };
            let navigator = navigator.clone();
            fh.submit(
                move |id| async move {
                    let body = LoanCreate {
                        id: Some(id),
                        fields,
                    };
                    Ok(crate::api::post::<Loan, _>("/api/v1/loans", &body).await?)
                },
                move |l: Loan| {
                    if let Some(n) = navigator {
                        n.push(&Route::Loan {
                            id: l.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, field: &'static str| fh.bind(s, field);
    let pick = {
        let (person, fh) = (person.clone(), fh.clone());
        Callback::from(move |p: shared::person::Person| {
            person.set(Some(p));
            fh.clear_error("person_id");
        })
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("loans.new") }</h1>
            <div id="loan-new">
            { fh.banner(lang, "loan-banner") }
            <h2>{ ctx.t("loans.applicant") }</h2>
            <PersonPicker id="loan" action={ctx.t("loans.choose")} onpick={pick} error={err("person_id")} />
            <form onsubmit={onsubmit} novalidate=true id="loan-form">
                <p id="loan-applicant" aria-live="polite">{ format!("{}: {}", ctx.t("loans.applicant"), person.as_ref().map(|p| format!("{} {}", p.name, p.id_number)).unwrap_or_else(|| "—".into())) }</p>
                <TextField id="loan-bank" label={ctx.t("loans.bank")} value={(*bank).clone()} oninput={set(&bank, "bank")} error={err("bank")} required=true />
                <TextField id="loan-principal" label={ctx.t("loans.principal")} value={(*principal).clone()} oninput={set(&principal, "principal_fen")} error={err("principal_fen")} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                <TextField id="loan-rate" label={ctx.t("loans.rate")} value={(*rate).clone()} oninput={set(&rate, "annual_rate_bp")} error={err("annual_rate_bp")} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                <TextField id="loan-term" label={ctx.t("loans.term")} kind="number" value={(*term).clone()} oninput={set(&term, "term_months")} error={err("term_months")} required=true />
                <TextField id="loan-date" label={ctx.t("loans.date")} kind="date" value={(*date).clone()} oninput={set(&date, "loan_date")} error={err("loan_date")} required=true />
                <TextField id="loan-purpose" label={ctx.t("loans.purpose")} value={(*purpose).clone()} oninput={set(&purpose, "purpose")} error={err("purpose")} required=true />
                if let Some(y) = &*missing_year {
                    <p class="error-summary" id="loan-no-programme" role="status">
                        { ctx.t("loans.no_programme").replace("{year}", y) }
                        if may_set_up {
                            { " " }<Link<Route> to={Route::Programme}>{ ctx.t("nav.programme") }</Link<Route>>
                        }
                    </p>
                }
                <p class="notice" id="live-subsidy" aria-live="polite">{ match live {
                    Some(c) => format!("{} {} · {} {}{}", ctx.t("loans.interest"), format_hundredths(c.interest_fen), ctx.t("loans.subsidy"), format_hundredths(c.subsidy_fen), if c.capped { ctx.t("loans.capped") } else { String::new() }),
                    None => ctx.t("loans.fill_in"),
                } }</p>
                <div class="buttons"><button type="submit" class="primary" id="loan-save" disabled={fh.busy()}>{ ctx.t("persons.save") }</button></div>
            </form>
            </div>
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
    use_title(ctx.t("loans.title"));
    let lang = ctx.lang;
    let loan = use_remote(p.id.clone(), |id: String| async move {
        crate::api::get::<Loan>(&format!("/api/v1/loans/{id}")).await
    });
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
    let units = crate::hooks::units::use_units();
    // Two forms: the steps of the workflow, and editing the application.
    let actions = use_form("loan-actions");
    let edit = use_form("loan-edit-form");
    let Some(l) = loan.ready().cloned() else {
        return html! { <section class="card">{ loan.placeholder(lang, Some("loans.not_found")) }</section> };
    };
    // The server's answer, from the shared workflow rules: only what this user may do now.
    let allowed = l.allowed_actions.clone();
    let needs_reason = allowed.contains(&LoanActionKind::Return);
    let may_give_reason = needs_reason || allowed.contains(&LoanActionKind::Withdraw);
    let act = {
        let (loan, actions, reason, amount, paid_on) = (
            loan.clone(),
            actions.clone(),
            reason.clone(),
            amount.clone(),
            paid_on.clone(),
        );
        let (id, version) = (l.id, l.version);
        Callback::from(move |action: LoanActionKind| {
            let amount_fen = match amount.trim() {
                "" => None,
                a => match parse_hundredths(a) {
                    Some(v) => Some(v),
                    None => {
                        actions.reject(vec![FieldError::new("amount_fen", "invalid_format", "")]);
                        return;
                    }
                },
            };
            let body = LoanAction {
                action,
                version,
                reason: (!reason.trim().is_empty()).then(|| (*reason).clone()),
                amount_fen,
                date: crate::pages::rehab::parse_ymd(&paid_on).ok(),
            };
            let (loan, reason, stale) = (loan.clone(), reason.clone(), loan.clone());
            actions.submit(
                move |_| async move {
                    let path = format!("/api/v1/loans/{id}/actions");
                    match crate::api::post::<Loan, _>(&path, &body).await {
                        Ok(l) => Ok(l),
                        Err(e) => {
                            if e.code() == "stale_version" {
                                // Someone else acted first: show where it stands now.
                                stale.reload();
                            }
                            Err(e.into())
                        }
                    }
                },
                move |updated: Loan| {
                    reason.set(String::new());
                    loan.set(updated);
                },
            );
        })
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
            edit_date.set(f.loan_date.to_string());
            edit_purpose.set(f.purpose.clone());
            editing.set(true);
        })
    };
    let save_edit = {
        let (loan, editing, edit) = (loan.clone(), editing.clone(), edit.clone());
        let fields =
            terms(&edit_principal, &edit_rate, &edit_term, &edit_date).map(|t| LoanInput {
                bank: (*edit_bank).clone(),
                principal_fen: t.principal_fen,
                annual_rate_bp: t.annual_rate_bp,
                term_months: t.term_months,
                loan_date: t.loan_date,
                purpose: (*edit_purpose).clone(),
                ..l.fields.clone()
            });
        let (id, version) = (l.id, l.version);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let fields = match fields.clone() {
                Ok(f) => f,
                Err(errs) => {
                    edit.reject(errs);
                    return;
                }
            };
            let (loan, editing, stale) = (loan.clone(), editing.clone(), loan.clone());
            edit.submit(
                move |_| async move {
                    let body = LoanUpdate {
                        version: Some(version),
                        fields,
                    };
                    match crate::api::put::<Loan, _>(&format!("/api/v1/loans/{id}"), &body).await {
                        Ok(l) => Ok(l),
                        Err(e) => {
                            if e.code() == "stale_version" {
                                stale.reload();
                            }
                            Err(e.into())
                        }
                    }
                },
                move |updated: Loan| {
                    editing.set(false);
                    loan.set(updated);
                },
            );
        })
    };
    let set = |s: &UseStateHandle<String>, form: &UseForm, field: &'static str| form.bind(s, field);
    let edit_err = |f: &str| edit.error(f, lang);
    let act_err = |f: &str| actions.error(f, lang);
    html! {
        <section class="card">
            <h1>{ format!("{} · {}", ctx.t("loans.title"), l.applicant_name) }</h1>
            <dl class="facts" id="loan-facts">
                <dt>{ ctx.t("loans.status") }</dt><dd id="loan-status">{ ctx.t(&format!("loan.{}", l.status)) }</dd>
                <dt>{ ctx.t("loans.applicant") }</dt><dd>{ &l.applicant_name }</dd>
                <dt>{ ctx.t("loans.county") }</dt><dd id="loan-county">{ units.name(&l.county_code, lang) }</dd>
                <dt>{ ctx.t("loans.bank") }</dt><dd>{ &l.fields.bank }</dd>
                <dt>{ ctx.t("loans.date") }</dt><dd>{ l.fields.loan_date.to_string() }</dd>
                <dt>{ ctx.t("loans.purpose") }</dt><dd>{ &l.fields.purpose }</dd>
                <dt>{ ctx.t("loans.principal") }</dt><dd>{ format_hundredths(l.fields.principal_fen) }</dd>
                <dt>{ ctx.t("loans.rate") }</dt><dd>{ format!("{} %", format_hundredths(l.fields.annual_rate_bp)) }</dd>
                <dt>{ ctx.t("loans.term") }</dt><dd>{ l.fields.term_months }</dd>
                <dt>{ ctx.t("loans.interest") }</dt><dd>{ format_hundredths(l.calculation.interest_fen) }</dd>
                <dt>{ ctx.t("loans.subsidy") }</dt><dd id="loan-subsidy">{ format!("{}{}", format_hundredths(l.calculation.subsidy_fen), if l.calculation.capped { ctx.t("loans.capped") } else { String::new() }) }</dd>
                if let Some(a) = l.approved_fen { <dt>{ ctx.t("loans.approved") }</dt><dd>{ format_hundredths(a) }</dd> }
                if let Some(d) = l.disbursed_fen { <dt>{ ctx.t("loans.disbursed") }</dt><dd>{ format_hundredths(d) }</dd> }
            </dl>
            if l.can_edit && !*editing {
                <p><button type="button" id="loan-edit" onclick={start_edit}>{ ctx.t("loans.edit") }</button></p>
            }
            if l.can_edit && *editing {
                { edit.banner(lang, "loan-edit-banner") }
                <form onsubmit={save_edit} novalidate=true id="loan-edit-form">
                    <TextField id="edit-bank" label={ctx.t("loans.bank")} value={(*edit_bank).clone()} oninput={set(&edit_bank, &edit, "bank")} error={edit_err("bank")} required=true />
                    <TextField id="edit-principal" label={ctx.t("loans.principal")} value={(*edit_principal).clone()} oninput={set(&edit_principal, &edit, "principal_fen")} error={edit.error_any(&["principal_fen", "person_id"], lang)} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                    <TextField id="edit-rate" label={ctx.t("loans.rate")} value={(*edit_rate).clone()} oninput={set(&edit_rate, &edit, "annual_rate_bp")} error={edit_err("annual_rate_bp")} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                    <TextField id="edit-term" label={ctx.t("loans.term")} kind="number" value={(*edit_term).clone()} oninput={set(&edit_term, &edit, "term_months")} error={edit_err("term_months")} required=true />
                    <TextField id="edit-date" label={ctx.t("loans.date")} kind="date" value={(*edit_date).clone()} oninput={set(&edit_date, &edit, "loan_date")} error={edit_err("loan_date")} required=true />
                    <TextField id="edit-purpose" label={ctx.t("loans.purpose")} value={(*edit_purpose).clone()} oninput={set(&edit_purpose, &edit, "purpose")} error={edit_err("purpose")} required=true />
                    <div class="buttons"><button type="submit" class="primary" id="edit-save" disabled={edit.busy()}>{ ctx.t("persons.save") }</button></div>
                </form>
            }
            if !allowed.is_empty() {
                <div class="actions-box" id="loan-actions">
                    { actions.banner(lang, "action-banner") }
                    if allowed.contains(&LoanActionKind::Approve) || allowed.contains(&LoanActionKind::Disburse) {
                        <TextField id="action-amount" label={ctx.t("loans.amount")} value={(*amount).clone()} oninput={set(&amount, &actions, "amount_fen")} error={act_err("amount_fen")} inputmode={Some(AttrValue::Static("decimal"))} />
                    }
                    if allowed.contains(&LoanActionKind::Disburse) {
                        <TextField id="action-date" label={ctx.t("loans.paid_on")} kind="date" value={(*paid_on).clone()} oninput={set(&paid_on, &actions, "date")} error={act_err("date")} />
                    }
                    if may_give_reason {
                        <TextField id="action-reason" label={ctx.t(if needs_reason { "loans.reason" } else { "loans.reason_optional" })} value={(*reason).clone()} oninput={set(&reason, &actions, "reason")} error={act_err("reason")} />
                    }
                    <p class="actions">
                        { for allowed.iter().map(|a| {
                            let (act, a) = (act.clone(), *a);
                            if matches!(a, LoanActionKind::Return | LoanActionKind::Withdraw) {
                                // Irreversible for the applicant's place in the queue: ask first.
                                html! { <ConfirmButton id={format!("action-{a}")} class="danger" label={ctx.t(&format!("action.{a}"))}
                                    question={ctx.t(&format!("confirm.action.{a}"))} disabled={actions.busy()}
                                    onconfirm={Callback::from(move |_| act.emit(a))} /> }
                            } else {
                                html! { <button type="button" class="primary" id={format!("action-{a}")}
                                    disabled={actions.busy()} onclick={Callback::from(move |_| act.emit(a))}>{ ctx.t(&format!("action.{a}")) }</button> }
                            }
                        }) }
                    </p>
                </div>
            }
            <crate::pages::audit::RecordAuditLink id={l.id.to_string()} />
            <h2>{ ctx.t("loans.timeline") }</h2>
            <ol class="timeline" id="loan-timeline">
                { for l.timeline.iter().map(|e| html! {
                    <li>
                        <strong>{ ctx.t(&format!("loan.{}", e.to_status)) }</strong>
                        { format!(" · {} ({}) · {}", e.actor_username, units.name(&e.actor_unit, lang), crate::pages::rehab::ymd_hm(e.at)) }
                        if let Some(r) = &e.reason { { format!(" · {r}") } }
                        if let Some(a) = e.amount_fen { { format!(" · {}", format_hundredths(a)) } }
                    </li>
                }) }
            </ol>
        </section>
    }
}
