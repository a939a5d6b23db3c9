//! Measure 16, paired support (携手奔小康): the pairings of supporting DPFs with the deeply
//! poor counties that the user's area is on either side of, each with its support in
//! the period chosen (money, goods and projects, visits) and a sign when nothing was
//! recorded in the quarter; the support recorded under a pairing, and the form that
//! records more (a visit carries no amount); for the provincial poverty office the form
//! that keeps a new pairing; the period's figures as a spreadsheet.

use shared::auth::Capability;
use shared::duties::{
    PairSupportRow, Support, SupportInput, SupportKind, SupportPair, SupportPairCreate,
    SupportPairInput,
};
use shared::money::parse_yuan;
use shared::plan::Period;
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;

use super::{
    field_error, outcome_view, region_options, set_year, year_select, yuan, Disclosure,
    ExportButton, OUTSIDE,
};
use crate::api::duties as api;
use crate::app::Ctx;
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;
use crate::pages::rehab::{focus_id, parse_date, years, ymd};
use crate::pages::supervision::can;

/// A pairing's years ("2020–2022", "2020 起").
fn years_text(p: &SupportPair, lang: Lang) -> String {
    match p.fields.to_year {
        Some(t) => format!("{}–{t}", p.fields.from_year),
        None => lang
            .t("sup.since")
            .replace("{year}", &p.fields.from_year.to_string()),
    }
}

/// The figures of a pairing in the period.
fn row_view(r: &PairSupportRow, lang: Lang) -> Html {
    html! {
        <p class="figures" id={format!("pair-{}-kpi", r.pair.id)}>
            { lang.t("sup.figures")
                .replace("{entries}", &r.entries.to_string())
                .replace("{money}", &yuan(r.money_fen, lang))
                .replace("{in_kind}", &yuan(r.in_kind_fen, lang))
                .replace("{visits}", &r.visits.to_string()) }
            if r.nothing_this_quarter {
                { " " }<span class="badge pending">{ lang.t("sup.idle") }</span>
            }
        </p>
    }
}

/// The paired support page.
#[function_component(SupportPage)]
pub fn support_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("sup.title")).unwrap_or_default());
    let year = use_state(crate::clock::this_year);
    let quarter = use_state(|| None::<u8>);
    let period = Period {
        year: *year,
        quarter: *quarter,
    };
    let kpi = use_remote(period, |p| async move { api::support_kpi(p).await });
    let pairs = use_remote((), |()| async { api::pairs().await });
    let outcome = use_state(|| None::<Result<String, String>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let manager = can(&ctx, Capability::ManagePlan);
    let recorder = can(&ctx, Capability::RecordSupport);
    let on_quarter = {
        let quarter = quarter.clone();
        Callback::from(move |v: String| quarter.set(v.parse().ok()))
    };
    let quarters: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("sup.whole_year")))
        .chain((1..=4).map(|q| {
            (
                q.to_string(),
                ctx.t("sup.quarter").replace("{q}", &q.to_string()),
            )
        }))
        .collect();
    let on_pair = {
        let (pairs, outcome) = (pairs.clone(), outcome.clone());
        Callback::from(move |p: SupportPair| {
            pairs.reload();
            outcome.set(Some(Ok(lang
                .t("sup.pair_saved")
                .replace("{supported}", &p.supported))));
            focus_id("support-outcome");
        })
    };
    let on_support = {
        let (kpi, outcome) = (kpi.clone(), outcome.clone());
        Callback::from(move |s: Support| {
            kpi.reload();
            outcome.set(Some(Ok(lang
                .t("sup.saved")
                .replace("{what}", &s.fields.description))));
            focus_id("support-outcome");
        })
    };
    let k = kpi.ready();
    let list = match pairs.ready() {
        None => pairs.placeholder(lang, None),
        Some(v) if v.is_empty() => {
            html! { <p role="status" id="pairs-none">{ ctx.t("sup.none") }</p> }
        }
        Some(v) => html! {
            <ul class="results details" id="pairs" aria-labelledby="pairs-title">
                { for v.iter().map(|p| html! {
                    <li key={p.id.to_string()} id={format!("pair-{}", p.id)}>
                        <strong>{ format!("{} → {}", p.supporter, p.supported) }</strong>
                        <span class="nowrap">{ years_text(p, lang) }</span>
                        { match k.and_then(|k| k.pairs.iter().find(|r| r.pair.id == p.id)) {
                            Some(r) => row_view(r, lang),
                            None => html! { <p class="hint">{ ctx.t("sup.not_in_period") }</p> },
                        } }
                        <Disclosure id={format!("support-{}", p.id)} label={ctx.t(if recorder { "sup.record" } else { "sup.show" })}>
                            <PairDetail pair={p.id} recorder={recorder} onsaved={on_support.clone()} />
                        </Disclosure>
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("sup.title") }</h1>
            <div class="filters">
                { year_select("support-year", *year, set_year(&year), lang) }
                <SelectField id="support-quarter" label={ctx.t("sup.period")} value={quarter.map(|q| q.to_string()).unwrap_or_default()}
                    options={quarters} onchange={on_quarter} />
            </div>
            { match k {
                None => kpi.placeholder(lang, None),
                Some(k) => html! {
                    <p id="support-idle" class={classes!((k.idle_pairs > 0).then_some("notice"))}>
                        { ctx.t("sup.idle_count").replace("{n}", &k.idle_pairs.to_string()).replace("{all}", &k.pairs.len().to_string()) }
                    </p>
                },
            } }
            { outcome_view("support-outcome", &outcome) }
            if manager {
                <h2>{ ctx.t("sup.new_pair") }</h2>
                <PairForm onsaved={on_pair} />
            }
            <h2 id="pairs-title">{ ctx.t("sup.pairs") }</h2>
            <ExportButton id="support-export" path={api::support_export_path(period)}
                filename={format!("结对帮扶-{period}.xlsx")} label={ctx.t("pur.export")} long={ctx.t("sup.export_label")} />
            { list }
        </section>
    }
}

/// Props of [`PairForm`].
#[derive(Properties, PartialEq)]
struct PairProps {
    /// The pairing as kept.
    onsaved: Callback<SupportPair>,
}

/// Keeps a new pairing (the provincial poverty office).
#[function_component(PairForm)]
fn pair_form(p: &PairProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let supporter = use_state(String::new);
    let name = use_state(String::new);
    let supported = use_state(String::new);
    let from = use_state(|| crate::clock::this_year().to_string());
    let to = use_state(String::new);
    let fh = use_form("pair-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| field_error(&fh, f, lang);
    let onsubmit = {
        let (fh, onsaved) = (fh.clone(), p.onsaved.clone());
        let (supporter, name, supported, from, to) = (
            supporter.clone(),
            name.clone(),
            supported.clone(),
            from.clone(),
            to.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let outside = *supporter == OUTSIDE;
            let fields = SupportPairInput {
                supporter_code: (!outside && !supporter.is_empty()).then(|| (*supporter).clone()),
                supporter_name: outside.then(|| name.trim().to_owned()),
                supported_code: (*supported).clone(),
                from_year: from.parse().unwrap_or(0),
                to_year: to.parse().ok(),
            };
            if let Err(errs) = fields.validate() {
                // Nothing chosen reads as "required", not as a wrong format.
                let errs = errs
                    .into_iter()
                    .map(|mut e| {
                        if e.field == "supported_code" && supported.is_empty() {
                            e.code = "required".into();
                        }
                        e
                    })
                    .collect();
                fh.reject(errs);
                return;
            }
            let (onsaved, supporter, name, supported) = (
                onsaved.clone(),
                supporter.clone(),
                name.clone(),
                supported.clone(),
            );
            fh.submit(
                move |id| async move {
                    api::create_pair(&SupportPairCreate {
                        id: Some(id),
                        fields,
                    })
                    .await
                    .map_err(Failure::Api)
                },
                move |p: SupportPair| {
                    for s in [&supporter, &name, &supported] {
                        s.set(String::new());
                    }
                    onsaved.emit(p);
                },
            );
        })
    };
    let regions = region_options(&units, lang);
    let mut supporters = regions.clone();
    if units.loaded() {
        supporters.push((OUTSIDE.to_owned(), ctx.t("sup.outside")));
    }
    let year_opts = |blank: bool| -> Vec<(String, String)> {
        blank
            .then(|| (String::new(), ctx.t("sup.open_end")))
            .into_iter()
            .chain(
                years()
                    .into_iter()
                    .rev()
                    .chain((crate::clock::this_year() + 1)..=(crate::clock::this_year() + 5))
                    .map(|y| (y.to_string(), y.to_string())),
            )
            .collect()
    };
    html! {
        <form id="pair-form" {onsubmit} novalidate=true aria-label={ctx.t("sup.new_pair")}>
            { fh.banner(lang, "pair-banner") }
            <SelectField id="pair-supporter" label={ctx.t("sup.supporter")} value={(*supporter).clone()} options={supporters}
                onchange={fh.bind(&supporter, "supporter_code")} error={err("supporter_code")} required=true />
            if *supporter == OUTSIDE {
                <TextField id="pair-supporter-name" label={ctx.t("sup.supporter_name")} value={(*name).clone()}
                    oninput={fh.bind(&name, "supporter_name")} error={err("supporter_name")} required=true />
            }
            <SelectField id="pair-supported" label={ctx.t("sup.supported")} value={(*supported).clone()} options={regions}
                onchange={fh.bind(&supported, "supported_code")} error={err("supported_code")} required=true />
            <SelectField id="pair-from" label={ctx.t("sup.from_year")} value={(*from).clone()} options={year_opts(false)}
                onchange={fh.bind(&from, "from_year")} error={err("from_year")} required=true />
            <SelectField id="pair-to" label={ctx.t("sup.to_year")} value={(*to).clone()} options={year_opts(true)}
                onchange={fh.bind(&to, "to_year")} error={err("to_year")} />
            <div class="buttons">
                <button type="submit" class="primary" id="pair-save" disabled={fh.busy()}>{ ctx.t("sup.save_pair") }</button>
            </div>
        </form>
    }
}

/// Props of [`PairDetail`].
#[derive(Properties, PartialEq)]
struct DetailProps {
    /// The pairing.
    pair: Uuid,
    /// Whether the user records support.
    recorder: bool,
    /// Support was recorded.
    onsaved: Callback<Support>,
}

/// A pairing's support, and the form that records more.
#[function_component(PairDetail)]
fn pair_detail(p: &DetailProps) -> Html {
    let ctx = use_context::<Ctx>();
    let entries = use_remote(p.pair, |id| async move { api::support_entries(id).await });
    let day = use_state(|| ymd(crate::clock::today()));
    let kind = use_state(|| SupportKind::Money.to_string());
    let amount = use_state(String::new);
    let what = use_state(String::new);
    let id = format!("support-{}", p.pair);
    let fh = use_form(id.clone());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let visit = *kind == SupportKind::Visit.as_str();
    let err = |f: &str| field_error(&fh, f, lang);
    let onsubmit = {
        let (fh, onsaved, pair, entries) = (fh.clone(), p.onsaved.clone(), p.pair, entries.clone());
        let (day, kind, amount, what) = (day.clone(), kind.clone(), amount.clone(), what.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let today = crate::clock::today();
            let mut errs = Vec::new();
            let on_day = parse_date(&day);
            if on_day.is_none() {
                errs.push(FieldError::new("on_day", "invalid_date", ""));
            }
            let kind: SupportKind = kind.parse().unwrap_or(SupportKind::Money);
            let fen = if kind == SupportKind::Visit || amount.trim().is_empty() {
                Some(0)
            } else {
                parse_yuan(&amount)
            };
            if fen.is_none() {
                errs.push(FieldError::new("amount_fen", "invalid_amount", ""));
            }
            let body = SupportInput {
                id: Some(fh.record_id()),
                pair_id: pair,
                on_day: on_day.unwrap_or(today),
                kind,
                amount_fen: fen.unwrap_or(0),
                description: what.trim().to_owned(),
            };
            if let Err(more) = body.validate(today) {
                for m in more {
                    if !errs.iter().any(|e: &FieldError| e.field == m.field) {
                        errs.push(m);
                    }
                }
            }
            if !errs.is_empty() {
                fh.reject(errs);
                return;
            }
            let (onsaved, entries, amount, what) = (
                onsaved.clone(),
                entries.clone(),
                amount.clone(),
                what.clone(),
            );
            fh.submit(
                move |_| async move { api::create_support(&body).await.map_err(Failure::Api) },
                move |s: Support| {
                    amount.set(String::new());
                    what.set(String::new());
                    entries.reload();
                    onsaved.emit(s);
                },
            );
        })
    };
    let kinds: Vec<(String, String)> = SupportKind::ALL
        .iter()
        .map(|k| (k.to_string(), ctx.t(&format!("support_kind.{k}"))))
        .collect();
    html! { <>
        { match entries.ready() {
            None => entries.placeholder(lang, None),
            Some(v) if v.is_empty() => html! { <p id={format!("{id}-none")}>{ ctx.t("sup.no_entries") }</p> },
            Some(v) => html! {
                <ul class="activities" id={format!("{id}-entries")} aria-label={ctx.t("sup.entries")}>
                    { for v.iter().map(|s| html! {
                        <li key={s.id.to_string()}>
                            <span class="nowrap">{ ymd(s.fields.on_day) }</span>{ " " }
                            { ctx.t(&format!("support_kind.{}", s.fields.kind)) }{ " " }
                            if s.fields.kind != SupportKind::Visit { <span class="nowrap">{ yuan(s.fields.amount_fen, lang) }</span>{ " " } }
                            { &s.fields.description }
                        </li>
                    }) }
                </ul>
            },
        } }
        if p.recorder {
            <form id={id.clone()} {onsubmit} novalidate=true aria-label={ctx.t("sup.record")}>
                { fh.banner(lang, &format!("{id}-banner")) }
                <TextField id={format!("{id}-day")} kind="date" label={ctx.t("vil.day")} value={(*day).clone()}
                    oninput={fh.bind(&day, "on_day")} error={err("on_day")} required=true />
                <SelectField id={format!("{id}-kind")} label={ctx.t("sup.kind")} value={(*kind).clone()} options={kinds}
                    onchange={fh.bind(&kind, "amount_fen")} required=true />
                if !visit {
                    <TextField id={format!("{id}-amount")} label={ctx.t("sup.amount")} value={(*amount).clone()} inputmode={Some(AttrValue::Static("decimal"))}
                        oninput={fh.bind(&amount, "amount_fen")} error={err("amount_fen")} required={*kind == SupportKind::Money.as_str()} />
                }
                <TextField id={format!("{id}-what")} label={ctx.t("sup.description")} value={(*what).clone()}
                    oninput={fh.bind(&what, "description")} error={err("description")} required=true />
                <div class="buttons">
                    <button type="submit" class="primary" id={format!("{id}-save")} disabled={fh.busy()}>{ ctx.t("pur.save") }</button>
                </div>
            </form>
        }
    </> }
}
