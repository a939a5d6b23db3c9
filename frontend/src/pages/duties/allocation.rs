//! One fund allocation with its working: the fund, the factors with their weights and
//! their totals over all counties, and per county its values, whether it is deeply poor
//! (uplifted), its score, what the rule gives it, what it finally gets (with the reason
//! of any adjustment) and what it has spent; the sum of the lines against the fund. On
//! a phone the wide table scrolls sideways inside its own focusable region, never the
//! page. The steps follow the capabilities: the general office recomputes a draft,
//! adjusts counties' amounts (still adding up to the fund) or deletes it; a provincial
//! leader who did not compute it approves it; county staff record spending from an
//! approved one. Anyone who reads it exports it as a spreadsheet.

use shared::auth::Capability;
use shared::duties::{
    AdjustedAmount, AllocationAdjust, AllocationApprove, AllocationLine, AllocationRecompute,
    AllocationStatus, FundAllocation, Spending, SpendingCreate,
};
use shared::money::{format_hundredths, parse_yuan};
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use super::funds::weights_text;
use super::{error_text, share_text, yuan};
use crate::api::duties as api;
use crate::app::{Ctx, Route};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::{use_form, Failure, UseForm};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::hooks::units::Units;
use crate::i18n::Lang;
use crate::pages::rehab::{focus_id, parse_date, ymd};
use crate::pages::supervision::{can, scope_of, some};

/// A score (parts of 10¹² of all the weight) as a percentage with four places.
fn score_text(score: i64) -> String {
    let v = score / 1_000_000;
    format!("{}.{:04}\u{a0}%", v / 10_000, v % 10_000)
}

/// A signed amount of fen as yuan ("-100.00").
fn signed_yuan(fen: i64, lang: Lang) -> String {
    if fen < 0 {
        format!("-{}", yuan(fen.saturating_neg(), lang))
    } else {
        yuan(fen, lang)
    }
}

/// A county's name as the page shows it: the org tree's (in the language) once
/// loaded, else the server's.
fn county_name(units: &Units, line: &AllocationLine, lang: Lang) -> String {
    if units.loaded() {
        units.name(&line.county_code, lang)
    } else {
        line.county_name.clone()
    }
}

/// Which step's form is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Adjust,
    Approve,
    Spend,
}

impl Panel {
    fn key(self) -> &'static str {
        match self {
            Panel::Adjust => "adjust",
            Panel::Approve => "approve",
            Panel::Spend => "spend",
        }
    }
}

/// Props: the allocation's id.
#[derive(Properties, PartialEq)]
pub struct AllocationProps {
    /// FundAllocation id.
    pub id: String,
}

/// One allocation and the steps the user may take.
#[function_component(AllocationPage)]
pub fn allocation_page(p: &AllocationProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("fund.one")).unwrap_or_default());
    let alloc = use_remote(p.id.clone(), |id: String| async move {
        api::allocation(&id).await
    });
    let spent = use_remote(p.id.clone(), |id: String| async move {
        api::spending(&id).await
    });
    let units = crate::hooks::units::use_units();
    let navigator = use_navigator();
    let open = use_state(|| None::<Panel>);
    // What the last step did (a message key), or why a step without a form failed.
    let notice = use_state(|| None::<Result<&'static str, String>>);
    let download = use_state(|| None::<Result<(), String>>);
    let fh = use_form("alloc-actions");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(a) = alloc.ready().cloned() else {
        return html! { <section class="card">{ alloc.placeholder(lang, Some("fund.not_found")) }</section> };
    };
    let province = scope_of(&ctx) == "43";
    let draft = a.status == AllocationStatus::Draft;
    let manage = province && draft && can(&ctx, Capability::ManageFunds);
    let approve = province && draft && can(&ctx, Capability::ApproveFunds);
    let spend = !draft && can(&ctx, Capability::RecordSpending);
    let t = |k: &str| ctx.t(k);

    // A step answered with the allocation as it now is.
    let on_changed = {
        let (alloc, spent, open, notice) =
            (alloc.clone(), spent.clone(), open.clone(), notice.clone());
        Callback::from(
            move |(updated, key): (Option<FundAllocation>, &'static str)| {
                match updated {
                    Some(u) => alloc.set(u),
                    None => alloc.reload(),
                }
                spent.reload();
                // An empty key: only show the newest (after a refused delete), say nothing.
                if !key.is_empty() {
                    open.set(None);
                    notice.set(Some(Ok(key)));
                    focus_id("alloc-notice");
                }
            },
        )
    };
    // Someone else changed it meanwhile: show the newest.
    let on_stale = {
        let alloc = alloc.clone();
        Callback::from(move |()| alloc.reload())
    };
    let recompute = {
        let (fh, on_changed, on_stale) = (fh.clone(), on_changed.clone(), on_stale.clone());
        let body = AllocationRecompute {
            version: a.version,
            fields: a.fields.clone(),
        };
        let id = a.id;
        Callback::from(move |()| {
            let (body, on_changed, on_stale) = (body.clone(), on_changed.clone(), on_stale.clone());
            fh.submit(
                move |_| async move {
                    api::recompute(id, &body).await.map_err(|e| {
                        if e.code() == "stale_version" {
                            on_stale.emit(());
                        }
                        Failure::Api(e)
                    })
                },
                move |u: FundAllocation| on_changed.emit((Some(u), "fund.recomputed")),
            );
        })
    };
    let remove = {
        let (fh, navigator, on_stale) = (fh.clone(), navigator.clone(), on_stale.clone());
        let (id, version) = (a.id, a.version);
        Callback::from(move |()| {
            let (navigator, on_stale) = (navigator.clone(), on_stale.clone());
            fh.submit(
                move |_| async move {
                    api::delete_allocation(id, version).await.map_err(|e| {
                        if e.code() == "stale_version" {
                            on_stale.emit(());
                        }
                        Failure::Api(e)
                    })
                },
                move |()| {
                    if let Some(n) = &navigator {
                        n.push(&Route::Funds);
                    }
                },
            );
        })
    };
    let export = {
        let (download, id) = (download.clone(), a.id);
        Callback::from(move |_: MouseEvent| {
            let download = download.clone();
            download.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                download.set(Some(
                    crate::api::download(&api::allocation_export_path(id), "因素法资金分配.xlsx")
                        .await
                        .map_err(|e| e.message(lang)),
                ));
            });
        })
    };
    let toggle = |panel: Panel| {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| {
            if *open == Some(panel) {
                open.set(None);
            } else {
                open.set(Some(panel));
                focus_id(format!("alloc-{}-first", panel.key()));
            }
        })
    };
    let panel_button = |panel: Panel, label: &str| {
        let expanded = if *open == Some(panel) {
            "true"
        } else {
            "false"
        };
        html! {
            <button type="button" id={format!("alloc-{}", panel.key())} aria-expanded={expanded} onclick={toggle(panel)}>{ t(label) }</button>
        }
    };

    let f = &a.fields;
    let sum: i64 = a.lines.iter().map(|l| l.amount_fen).sum();
    let computed_sum: i64 = a.lines.iter().map(|l| l.computed_fen).sum();
    let spent_sum: i64 = a.lines.iter().map(|l| l.spent_fen).sum();
    let sum_text = if province {
        let verdict = if sum == f.total_fen {
            t("fund.sum_equal")
        } else {
            t("fund.sum_differs").replace("{diff}", &signed_yuan(sum - f.total_fen, lang))
        };
        t("fund.sum")
            .replace("{sum}", &yuan(sum, lang))
            .replace("{total}", &yuan(f.total_fen, lang))
            .replace("{verdict}", &verdict)
    } else {
        t("fund.sum_area")
            .replace("{sum}", &yuan(sum, lang))
            .replace("{total}", &yuan(f.total_fen, lang))
    };
    let fact = |k: &str, id: &str, v: String| html! { <><dt>{ t(k) }</dt><dd id={id.to_owned()}>{ v }</dd></> };
    html! {
        <section class="card">
            <nav aria-label={t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Funds}>{ t("fund.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ &f.title }</span>
            </nav>
            <h1>{ &f.title }</h1>
            <dl class="facts" id="alloc-facts">
                { fact("fund.status", "alloc-status", t(&format!("alloc_status.{}", a.status))) }
                { fact("kpi.year", "alloc-year", f.year.to_string()) }
                { fact("fund.department", "alloc-department", units.name(&f.department_code, lang)) }
                { fact("fund.total", "alloc-total", yuan(f.total_fen, lang)) }
                { fact("fund.weights", "alloc-weights", weights_text(&f.weights, lang)) }
                { fact("fund.uplift", "alloc-uplift", share_text(Some(f.uplift_bp))) }
                { fact("fund.computed_at", "alloc-computed-at", crate::clock::local_time(a.computed_at, lang)) }
                if let Some(by) = &a.approved_by { { fact("fund.approved_by", "alloc-approved-by", by.clone()) } }
                if let Some(at) = a.approved_at { { fact("fund.approved_at", "alloc-approved-at", crate::clock::local_time(at, lang)) } }
                if let Some(r) = &a.approve_reason { { fact("fund.approve_reason", "alloc-approve-reason", r.clone()) } }
            </dl>
            <p id="alloc-sum" class={classes!("notice", (province && sum != f.total_fen).then_some("pending"))}>{ sum_text }</p>
            if let Some(n) = &*notice {
                { match n {
                    Ok(key) => html! { <p class="notice" role="status" id="alloc-notice" tabindex="-1">{ t(key) }</p> },
                    Err(e) => html! { <p class="error-summary" role="alert" id="alloc-notice" tabindex="-1">{ e }</p> },
                } }
            }
            <div class="actions-box" id="alloc-actions">
                <h2>{ t("fund.actions") }</h2>
                { fh.banner(lang, "alloc-actions-banner") }
                <p class="actions">
                    <button type="button" id="alloc-export" onclick={export} aria-label={t("fund.export_label")}>{ t("fund.export") }</button>
                    if manage {
                        <ConfirmButton id="alloc-recompute" label={t("fund.recompute")} question={t("fund.recompute_q")}
                            onconfirm={recompute} disabled={fh.busy()} />
                        { panel_button(Panel::Adjust, "fund.adjust") }
                    }
                    if approve {
                        { panel_button(Panel::Approve, "fund.approve") }
                    }
                    if spend {
                        { panel_button(Panel::Spend, "fund.spend") }
                    }
                    if manage {
                        <ConfirmButton id="alloc-delete" label={t("fund.delete")} question={t("fund.delete_q")}
                            onconfirm={remove} disabled={fh.busy()} class="danger" />
                    }
                </p>
                { match &*download {
                    Some(Ok(())) => html! { <p role="status" id="alloc-download">{ t("rehab.exported") }</p> },
                    Some(Err(e)) => html! { <p class="error-summary" role="alert" id="alloc-download">{ e }</p> },
                    None => html! {},
                } }
                { match *open {
                    Some(Panel::Adjust) if manage => html! {
                        <AdjustForm allocation={a.clone()} onchanged={on_changed.clone()} onstale={on_stale.clone()}
                            oncancel={let o = open.clone(); Callback::from(move |()| o.set(None))} />
                    },
                    Some(Panel::Approve) if approve => html! {
                        <ApproveForm allocation={a.clone()} onchanged={on_changed.clone()} onstale={on_stale.clone()}
                            oncancel={let o = open.clone(); Callback::from(move |()| o.set(None))} />
                    },
                    Some(Panel::Spend) if spend => html! {
                        <SpendForm allocation={a.clone()} onchanged={on_changed.clone()}
                            oncancel={let o = open.clone(); Callback::from(move |()| o.set(None))} />
                    },
                    _ => html! {},
                } }
            </div>
            if province {
                <h2>{ t("fund.factor_totals") }</h2>
                <dl class="facts" id="alloc-factor-totals">
                    { for f.weights.iter().zip(&a.factor_totals).map(|(w, n)| html! {
                        <><dt>{ t(&format!("factor.{}", w.factor)) }</dt><dd>{ n }</dd></>
                    }) }
                </dl>
            }
            <h2 id="alloc-lines-title">{ t("fund.lines") }</h2>
            <p class="hint">{ t("fund.lines_hint") }</p>
            <div class="table-scroll" role="region" aria-label={t("fund.lines_table")} tabindex="0">
                <table class="report dash-table alloc-table" id="alloc-lines">
                    <caption>{ t("fund.lines") }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ t("fund.code") }</th>
                            <th scope="col">{ t("fund.county") }</th>
                            { for f.weights.iter().map(|w| html! { <th scope="col">{ t(&format!("factor.{}", w.factor)) }</th> }) }
                            <th scope="col">{ t("fund.score") }</th>
                            <th scope="col">{ t("fund.computed") }</th>
                            <th scope="col">{ t("fund.amount") }</th>
                            <th scope="col">{ t("fund.adjust_reason") }</th>
                            <th scope="col">{ t("fund.spent") }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for a.lines.iter().map(|l| html! {
                            <tr key={l.county_code.clone()} id={format!("alloc-line-{}", l.county_code)}>
                                <td class="mono">{ &l.county_code }</td>
                                <th scope="row">
                                    { county_name(&units, l, lang) }
                                    if l.deeply_poor {
                                        <span class="badge key">{ t("county_list.deeply_poor") }</span>
                                    }
                                </th>
                                { for l.values.iter().map(|v| html! { <td>{ v }</td> }) }
                                <td class="nowrap">{ score_text(l.score) }</td>
                                <td class="nowrap">{ format_hundredths(l.computed_fen) }</td>
                                <td class={classes!("nowrap", "amount", (l.amount_fen != l.computed_fen).then_some("differs"))}
                                    data-fen={l.amount_fen.to_string()}>{ format_hundredths(l.amount_fen) }</td>
                                <td>{ l.adjust_reason.clone().unwrap_or_default() }</td>
                                <td class="nowrap">{ format_hundredths(l.spent_fen) }</td>
                            </tr>
                        }) }
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row" colspan={(2 + f.weights.len() + 1).to_string()}>{ t("fund.lines_total") }</th>
                            <td class="nowrap">{ format_hundredths(computed_sum) }</td>
                            <td class="nowrap" id="alloc-lines-sum">{ format_hundredths(sum) }</td>
                            <td></td>
                            <td class="nowrap">{ format_hundredths(spent_sum) }</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
            if !draft {
                if let Some(v) = spent.ready() {
                    <SpendingList spending={Some(v.clone())} onchanged={on_changed} />
                } else {
                    { spent.placeholder(lang, None) }
                }
            }
            <crate::pages::audit::RecordAuditLink id={a.id.to_string()} />
        </section>
    }
}

/// Props of the step forms.
#[derive(Properties, PartialEq)]
struct StepProps {
    /// The allocation as last seen.
    allocation: FundAllocation,
    /// The step was taken: the allocation as it now is (none: load it again) and the
    /// message key of what was done.
    onchanged: Callback<(Option<FundAllocation>, &'static str)>,
    /// The version was stale: load the newest.
    #[prop_or_default]
    onstale: Callback<()>,
    /// The form is closed without acting.
    oncancel: Callback<()>,
}

/// Sends a step, reloading the allocation when someone else changed it meanwhile.
fn send<Fut>(
    fh: &UseForm,
    request: Fut,
    onstale: Callback<()>,
    onchanged: Callback<(Option<FundAllocation>, &'static str)>,
    key: &'static str,
) where
    Fut: std::future::Future<Output = Result<FundAllocation, crate::api::ApiError>> + 'static,
{
    fh.submit(
        move |_| async move {
            request.await.map_err(|e| {
                if e.code() == "stale_version" {
                    onstale.emit(());
                }
                Failure::Api(e)
            })
        },
        move |u: FundAllocation| onchanged.emit((Some(u), key)),
    );
}

/// One county to adjust: its code and the new amount as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct Row {
    county: String,
    amount: String,
}

/// Sets counties' amounts by hand, several at once, with a reason; shows the sum after
/// the change against the fund as it is typed.
#[function_component(AdjustForm)]
fn adjust_form(p: &StepProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let rows = use_state(|| vec![Row::default()]);
    let reason = use_state(String::new);
    let fh = use_form("alloc-adjust-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let a = &p.allocation;
    let current = |code: &str| {
        a.lines
            .iter()
            .find(|l| l.county_code == code)
            .map(|l| l.amount_fen)
    };
    // Errors of a row: the server names the row (`amounts[0]`); what it says is about
    // the county (unknown, twice) or the amount.
    let row_error = |i: usize, county_field: bool| {
        let own = format!("amounts[{i}]");
        let part = if county_field {
            format!("{own}.county_code")
        } else {
            format!("{own}.amount_fen")
        };
        fh.errors()
            .iter()
            .find(|e| {
                e.field == part
                    || (e.field == own
                        && county_field
                            == matches!(e.code.as_str(), "unknown_county" | "duplicate"))
            })
            .map(|e| error_text(&e.code, &e.message, lang))
    };
    let after: i64 = a
        .lines
        .iter()
        .map(|l| {
            rows.iter()
                .rev()
                .find(|r| r.county == l.county_code)
                .and_then(|r| parse_yuan(&r.amount))
                .unwrap_or(l.amount_fen)
        })
        .sum();
    let diff = after - a.fields.total_fen;
    let set_row = |i: usize, county: bool| {
        let (rows, fh) = (rows.clone(), fh.clone());
        let amounts: Vec<(String, i64)> = a
            .lines
            .iter()
            .map(|l| (l.county_code.clone(), l.amount_fen))
            .collect();
        Callback::from(move |v: String| {
            let mut next = (*rows).clone();
            if let Some(r) = next.get_mut(i) {
                if county {
                    // Start from the county's amount as it is.
                    r.amount = amounts
                        .iter()
                        .find(|(c, _)| *c == v)
                        .map(|(_, fen)| format_hundredths(*fen))
                        .unwrap_or_default();
                    r.county = v;
                } else {
                    r.amount = v;
                }
            }
            rows.set(next);
            fh.clear_errors(&format!("amounts[{i}]"));
            fh.clear_error("amounts");
        })
    };
    let add = {
        let rows = rows.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*rows).clone();
            next.push(Row::default());
            let i = next.len() - 1;
            rows.set(next);
            focus_id(format!("adjust-{i}-county"));
        })
    };
    let drop_row = |i: usize| {
        let (rows, fh) = (rows.clone(), fh.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*rows).clone();
            if i < next.len() {
                next.remove(i);
            }
            rows.set(next);
            // The errors of later rows would land on the row taking their place.
            fh.clear_errors("amounts");
        })
    };
    let onsubmit = {
        let (fh, rows, reason) = (fh.clone(), rows.clone(), reason.clone());
        let (id, version) = (a.id, a.version);
        let (onstale, onchanged) = (p.onstale.clone(), p.onchanged.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let mut amounts = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                if r.county.is_empty() {
                    errs.push(FieldError::new(
                        format!("amounts[{i}].county_code"),
                        "required",
                        "",
                    ));
                }
                match parse_yuan(&r.amount) {
                    Some(fen) => amounts.push(AdjustedAmount {
                        county_code: r.county.clone(),
                        amount_fen: fen,
                    }),
                    None => errs.push(FieldError::new(
                        format!("amounts[{i}].amount_fen"),
                        if r.amount.trim().is_empty() {
                            "required"
                        } else {
                            "invalid_amount"
                        },
                        "",
                    )),
                }
            }
            let Some(reason) = some(&reason) else {
                errs.push(FieldError::new("reason", "required", ""));
                fh.reject(errs);
                return;
            };
            if !errs.is_empty() {
                fh.reject(errs);
                return;
            }
            let body = AllocationAdjust {
                version,
                amounts,
                reason,
            };
            send(
                &fh,
                async move { api::adjust(id, &body).await },
                onstale.clone(),
                onchanged.clone(),
                "fund.adjusted",
            );
        })
    };
    let counties: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("form.choose")))
        .chain(a.lines.iter().map(|l| {
            (
                l.county_code.clone(),
                format!(
                    "{}（{}）",
                    county_name(&units, l, lang),
                    format_hundredths(l.amount_fen)
                ),
            )
        }))
        .collect();
    let sum_error = fh
        .errors()
        .iter()
        .find(|e| e.field == "amounts")
        .map(|e| error_text(&e.code, &e.message, lang));
    let mut sum_text = ctx
        .t("fund.adjust_sum")
        .replace("{sum}", &yuan(after, lang))
        .replace("{total}", &yuan(a.fields.total_fen, lang));
    if diff == 0 {
        sum_text.push_str(&ctx.t("fund.sum_equal"));
    } else {
        sum_text.push_str(
            &ctx.t("fund.sum_differs")
                .replace("{diff}", &signed_yuan(diff, lang)),
        );
    }
    html! {
        <form id="alloc-adjust-form" class="step" onsubmit={onsubmit} novalidate=true aria-label={ctx.t("fund.adjust")}>
            <h3>{ ctx.t("fund.adjust") }</h3>
            { fh.banner(lang, "alloc-adjust-banner") }
            <p class="hint">{ ctx.t("fund.adjust_hint") }</p>
            { for rows.iter().enumerate().map(|(i, r)| {
                let county_id = if i == 0 { "alloc-adjust-first".to_owned() } else { format!("adjust-{i}-county") };
                html! {
                    <fieldset class="area" id={format!("adjust-{i}")}>
                        <legend>{ ctx.t("fund.adjust_row").replace("{n}", &(i + 1).to_string()) }</legend>
                        <SelectField id={county_id} label={ctx.t("fund.county")} value={r.county.clone()} options={counties.clone()}
                            onchange={set_row(i, true)} error={row_error(i, true)} required=true />
                        if let Some(fen) = current(&r.county) {
                            <p class="hint">{ ctx.t("fund.adjust_now").replace("{amount}", &yuan(fen, lang)) }</p>
                        }
                        <TextField id={format!("adjust-{i}-amount")} label={ctx.t("fund.new_amount")} value={r.amount.clone()}
                            inputmode={Some(AttrValue::Static("decimal"))} oninput={set_row(i, false)} error={row_error(i, false)} required=true />
                        if rows.len() > 1 {
                            <button type="button" class="danger" id={format!("adjust-{i}-remove")} onclick={drop_row(i)}>{ ctx.t("fund.adjust_remove") }</button>
                        }
                    </fieldset>
                }
            }) }
            <p class="actions">
                <button type="button" id="adjust-add" onclick={add}>{ ctx.t("fund.adjust_add") }</button>
            </p>
            <p id="adjust-sum" class={classes!(if diff == 0 { "notice" } else { "notice pending" })}>{ sum_text }</p>
            if let Some(e) = sum_error {
                <p class="error" id="adjust-sum-error" role="alert">{ e }</p>
            }
            <TextField id="adjust-reason" multiline=true label={ctx.t("fund.reason")} value={(*reason).clone()}
                oninput={fh.bind(&reason, "reason")} error={fh.error("reason", lang)} required=true />
            <div class="buttons">
                <button type="submit" class="primary" id="adjust-save" disabled={fh.busy()}>{ ctx.t("fund.adjust_save") }</button>
                <button type="button" onclick={p.oncancel.reform(|_| ())}>{ ctx.t("sv.cancel") }</button>
            </div>
        </form>
    }
}

/// Approves a draft, with the reason (the meeting or document that decided it).
#[function_component(ApproveForm)]
fn approve_form(p: &StepProps) -> Html {
    let ctx = use_context::<Ctx>();
    let reason = use_state(String::new);
    let fh = use_form("alloc-approve-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (fh, reason) = (fh.clone(), reason.clone());
        let (id, version) = (p.allocation.id, p.allocation.version);
        let (onstale, onchanged) = (p.onstale.clone(), p.onchanged.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(reason) = some(&reason) else {
                fh.reject(vec![FieldError::new("reason", "required", "")]);
                return;
            };
            let body = AllocationApprove { version, reason };
            send(
                &fh,
                async move { api::approve(id, &body).await },
                onstale.clone(),
                onchanged.clone(),
                "fund.approved",
            );
        })
    };
    html! {
        <form id="alloc-approve-form" class="step" onsubmit={onsubmit} novalidate=true aria-label={ctx.t("fund.approve")}>
            <h3>{ ctx.t("fund.approve") }</h3>
            { fh.banner(lang, "alloc-approve-banner") }
            <p class="hint">{ ctx.t("fund.approve_hint") }</p>
            <TextField id="alloc-approve-first" multiline=true label={ctx.t("fund.approve_reason")} value={(*reason).clone()}
                oninput={fh.bind(&reason, "reason")} error={fh.error("reason", lang)} required=true />
            <div class="buttons">
                <button type="submit" class="primary" id="approve-save" disabled={fh.busy()}>{ ctx.t("fund.approve") }</button>
                <button type="button" onclick={p.oncancel.reform(|_| ())}>{ ctx.t("sv.cancel") }</button>
            </div>
        </form>
    }
}

/// Records money a county spent from its share of an approved allocation.
#[function_component(SpendForm)]
fn spend_form(p: &StepProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let a = &p.allocation;
    // A county user's only county is chosen already.
    let only = match a.lines.as_slice() {
        [line] => line.county_code.clone(),
        _ => String::new(),
    };
    let county = use_state(move || only);
    let date = use_state(|| ymd(crate::clock::today()));
    let amount = use_state(String::new);
    let purpose = use_state(String::new);
    let fh = use_form("alloc-spend-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| {
        fh.errors()
            .iter()
            .find(|e| e.field == f)
            .map(|e| error_text(&e.code, &e.message, lang))
    };
    let onsubmit = {
        let (fh, county, date, amount, purpose) = (
            fh.clone(),
            county.clone(),
            date.clone(),
            amount.clone(),
            purpose.clone(),
        );
        let allocation_id = a.id;
        let onchanged = p.onchanged.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let day = parse_date(&date);
            if day.is_none() {
                errs.push(FieldError::new("spent_on", "invalid_date", ""));
            }
            let fen = parse_yuan(&amount);
            if fen.is_none() {
                let code = if amount.trim().is_empty() {
                    "required"
                } else {
                    "invalid_amount"
                };
                errs.push(FieldError::new("amount_fen", code, ""));
            }
            if county.is_empty() {
                errs.push(FieldError::new("county_code", "required", ""));
            }
            let today = crate::clock::today();
            let body = SpendingCreate {
                id: None,
                allocation_id,
                county_code: (*county).clone(),
                spent_on: day.unwrap_or(today),
                amount_fen: fen.unwrap_or(1),
                purpose: purpose.trim().to_owned(),
            };
            if let Err(more) = body.validate(today) {
                for m in more {
                    if !errs.iter().any(|e| e.field == m.field) {
                        errs.push(m);
                    }
                }
            }
            if !errs.is_empty() {
                fh.reject(errs);
                return;
            }
            let onchanged = onchanged.clone();
            fh.submit(
                move |id: Uuid| async move {
                    api::create_spending(&SpendingCreate {
                        id: Some(id),
                        ..body
                    })
                    .await
                    .map_err(Failure::Api)
                },
                move |_: Spending| onchanged.emit((None, "fund.spent_saved")),
            );
        })
    };
    let counties: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("form.choose")))
        .chain(a.lines.iter().map(|l| {
            (
                l.county_code.clone(),
                format!(
                    "{}（{}）",
                    county_name(&units, l, lang),
                    ctx.t("fund.left")
                        .replace("{amount}", &format_hundredths(l.amount_fen - l.spent_fen))
                ),
            )
        }))
        .collect();
    html! {
        <form id="alloc-spend-form" class="step" onsubmit={onsubmit} novalidate=true aria-label={ctx.t("fund.spend")}>
            <h3>{ ctx.t("fund.spend") }</h3>
            { fh.banner(lang, "alloc-spend-banner") }
            <SelectField id="alloc-spend-first" label={ctx.t("fund.county")} value={(*county).clone()} options={counties}
                onchange={fh.bind(&county, "county_code")} error={err("county_code")} required=true />
            <TextField id="spend-date" kind="date" label={ctx.t("fund.spent_on")} value={(*date).clone()}
                oninput={fh.bind(&date, "spent_on")} error={err("spent_on")} required=true />
            <TextField id="spend-amount" label={ctx.t("fund.spend_amount")} value={(*amount).clone()} inputmode={Some(AttrValue::Static("decimal"))}
                oninput={fh.bind(&amount, "amount_fen")} error={err("amount_fen")} required=true />
            <TextField id="spend-purpose" multiline=true label={ctx.t("fund.purpose")} value={(*purpose).clone()}
                oninput={fh.bind(&purpose, "purpose")} error={err("purpose")} required=true />
            <div class="buttons">
                <button type="submit" class="primary" id="spend-save" disabled={fh.busy()}>{ ctx.t("fund.spend") }</button>
                <button type="button" onclick={p.oncancel.reform(|_| ())}>{ ctx.t("sv.cancel") }</button>
            </div>
        </form>
    }
}

/// Props of [`SpendingList`].
#[derive(Properties, PartialEq)]
struct SpendingProps {
    /// The spending, once loaded.
    spending: Option<Vec<Spending>>,
    /// Spending was deleted.
    onchanged: Callback<(Option<FundAllocation>, &'static str)>,
}

/// The spending recorded against an approved allocation, each deletable by those who
/// record spending.
#[function_component(SpendingList)]
fn spending_list(p: &SpendingProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let failed = use_state(|| None::<String>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let writer = can(&ctx, Capability::RecordSpending);
    let remove = |s: &Spending| {
        let (id, version) = (s.id, s.version);
        let (failed, onchanged) = (failed.clone(), p.onchanged.clone());
        Callback::from(move |()| {
            let (failed, onchanged) = (failed.clone(), onchanged.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::delete_spending(id, version).await {
                    Ok(()) => {
                        failed.set(None);
                        onchanged.emit((None, "fund.spent_deleted"));
                    }
                    Err(e) => {
                        failed.set(Some(e.message(lang)));
                        // Show the spending as it is now, so a retry uses its version.
                        onchanged.emit((None, ""));
                        focus_id("alloc-spending-error");
                    }
                }
            });
        })
    };
    html! { <>
        <h2 id="alloc-spending-title">{ ctx.t("fund.spending") }</h2>
        if let Some(e) = &*failed {
            <p class="error-summary" role="alert" id="alloc-spending-error" tabindex="-1">{ e }</p>
        }
        { match &p.spending {
            None => crate::hooks::remote::loading_view(lang),
            Some(v) if v.is_empty() => html! { <p role="status" id="alloc-spending-none">{ ctx.t("fund.no_spending") }</p> },
            Some(v) => html! {
                <ul class="results" id="alloc-spending" aria-labelledby="alloc-spending-title">
                    { for v.iter().map(|s| html! {
                        <li key={s.id.to_string()}>
                            <span class="nowrap">{ ymd(s.spent_on) }</span>
                            <strong>{ units.name(&s.county_code, lang) }</strong>
                            <span class="nowrap">{ yuan(s.amount_fen, lang) }</span>
                            <span>{ &s.purpose }</span>
                            if writer {
                                <ConfirmButton id={format!("spending-delete-{}", s.id)} label={ctx.t("fund.spent_delete")}
                                    question={ctx.t("fund.spent_delete_q")} onconfirm={remove(s)} class="danger" />
                            }
                        </li>
                    }) }
                </ul>
            },
        } }
    </> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_read_as_a_share_of_the_weight() {
        assert_eq!(score_text(1_000_000_000_000), "100.0000\u{a0}%");
        assert_eq!(score_text(12_345_678_901), "1.2345\u{a0}%");
        assert_eq!(score_text(0), "0.0000\u{a0}%");
    }

    #[test]
    fn differences_keep_their_sign() {
        assert_eq!(signed_yuan(-10_000, Lang::Zh), "-100.00\u{a0}元");
        assert_eq!(signed_yuan(10_000, Lang::Zh), "100.00\u{a0}元");
    }
}
