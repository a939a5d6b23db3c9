//! Measure 17, canteen purchases (食堂采购): on top the year's share of the user's own
//! DPF's canteen bought from the key poverty counties against its threshold (20 %, 50 %
//! for the DPF of a key county) with a traffic light in words, the area's share, and
//! the units below in a table that scrolls inside its own region on a phone; then, for
//! users who record purchases, the form; then the purchases of the year, "load more" by
//! cursor, each deletable by its own DPF, and the ledger as a spreadsheet.

use shared::auth::Capability;
use shared::duties::{
    ConsumptionKpi, ConsumptionRow, Purchase, PurchaseCreate, PurchaseInput, PurchaseUpdate,
};
use shared::money::parse_yuan;
use shared::FieldError;
use yew::prelude::*;

use super::{error_text, light_badge, share_text, yuan, ExportButton, OriginPicker, OUTSIDE};
use crate::api::duties::{self as api, PurchaseQuery};
use crate::app::Ctx;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, use_remote, PAGE_SIZE};
use crate::hooks::units::Units;
use crate::i18n::Lang;
use crate::pages::rehab::{focus_id, parse_date, years, ymd};
use crate::pages::supervision::{can, scope_of, some};

/// A unit's name: the org tree's (in the language) once loaded, else the server's.
fn unit_name(units: &Units, row: &ConsumptionRow, lang: Lang) -> String {
    if units.loaded() {
        units.name(&row.unit_code, lang)
    } else {
        row.unit_name.clone()
    }
}

/// The threshold as the page states it ("≥ 20.00 %", never broken across lines).
fn threshold_text(row: &ConsumptionRow) -> String {
    format!("≥\u{a0}{}", share_text(Some(row.threshold_bp)))
}

/// The user's own DPF's figures as a list of facts, and the units below as a table.
fn kpi_view(k: &ConsumptionKpi, units: &Units, lang: Lang) -> Html {
    let t = |key: &str| lang.t(key);
    let own = &k.total;
    let item = |key: &str, id: &str, v: Html| {
        html! { <><dt>{ t(key) }</dt><dd id={id.to_owned()}>{ v }</dd></> }
    };
    let threshold = if own.key_county {
        format!("{} {}", threshold_text(own), t("pur.key_threshold"))
    } else {
        threshold_text(own)
    };
    let holiday = format!(
        "{} {}",
        yuan(own.own.holiday_fen, lang),
        t("pur.holiday_poor").replace("{amount}", &yuan(own.own.holiday_poor_fen, lang))
    );
    html! { <>
        <h2 id="consumption-unit" tabindex="-1">
            { t("pur.kpi_title").replace("{unit}", &unit_name(units, own, lang)).replace("{year}", &k.year.to_string()) }
        </h2>
        if !k.list_set {
            <p class="notice pending" id="consumption-no-list">{ t("pur.no_list").replace("{year}", &k.year.to_string()) }</p>
        }
        <dl class="facts" id="consumption-own">
            { item("pur.share", "consumption-share", html! { share_text(own.own.share_bp) }) }
            { item("pur.threshold", "consumption-threshold", html! { threshold }) }
            { item("pur.light", "consumption-light-cell", light_badge(own.light, lang, Some("consumption-light".into()))) }
            { item("pur.total", "consumption-total", html! { yuan(own.own.total_fen, lang) }) }
            { item("pur.key_fen", "consumption-key", html! { yuan(own.own.key_county_fen, lang) }) }
            { item("pur.base_fen", "consumption-base", html! { yuan(own.own.poverty_base_fen, lang) }) }
            { item("pur.holiday_fen", "consumption-holiday", html! { holiday }) }
            { item("pur.area_share", "consumption-area", html! {
                format!("{} ({})", share_text(own.area.share_bp), yuan(own.area.total_fen, lang))
            }) }
        </dl>
        <p class="hint">{ t("pur.rule") }</p>
        if !k.children.is_empty() {
            <div class="table-scroll" role="region" aria-label={t("pur.children_table")} tabindex="0">
                <table class="report dash-table" id="consumption-children">
                    <caption>{ t("pur.children") }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ t("pur.unit") }</th>
                            <th scope="col">{ t("pur.share") }</th>
                            <th scope="col">{ t("pur.threshold") }</th>
                            <th scope="col">{ t("pur.light") }</th>
                            <th scope="col">{ t("pur.area_share") }</th>
                            <th scope="col">{ t("pur.area_total") }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for k.children.iter().map(|r| html! {
                            <tr id={format!("consumption-{}", r.unit_code)}>
                                <th scope="row">{ unit_name(units, r, lang) }</th>
                                <td>{ share_text(r.own.share_bp) }</td>
                                <td>{ threshold_text(r) }</td>
                                <td>{ light_badge(r.light, lang, None) }</td>
                                <td>{ share_text(r.area.share_bp) }</td>
                                <td class="nowrap">{ yuan(r.area.total_fen, lang) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        }
    </> }
}

/// The canteen purchases page.
#[function_component(PurchasesPage)]
pub fn purchases_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("pur.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let year = use_state(crate::clock::this_year);
    let kpi = use_remote(*year, |y| async move { api::consumption(y).await });
    let list = use_paged(*year, |y, cursor| async move {
        api::purchases(&PurchaseQuery {
            year: Some(y),
            limit: PAGE_SIZE,
            cursor,
        })
        .await
    });
    // The purchase just saved (its supplier), for the notice.
    let saved = use_state(|| None::<String>);
    // The purchase being changed, if any (the form shows it instead of a new one).
    let editing = use_state(|| None::<Purchase>);
    // The outcome of the last delete: done, or why not.
    let removal = use_state(|| None::<Result<(), String>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let writer = can(&ctx, Capability::WritePurchases);
    // A purchase belongs to the DPF whose canteen bought: the region of the user's unit,
    // which is the user's area ("43" for a provincial department).
    let own = scope_of(&ctx);
    let on_year = {
        let year = year.clone();
        Callback::from(move |v: String| {
            if let Ok(y) = v.parse() {
                year.set(y);
            }
        })
    };
    let year_opts: Vec<(String, String)> = years()
        .into_iter()
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let on_saved = {
        let (year, kpi, list, saved) = (year.clone(), kpi.clone(), list.clone(), saved.clone());
        let editing = editing.clone();
        Callback::from(move |p: Purchase| {
            use chrono::Datelike;
            saved.set(Some(p.fields.supplier.clone()));
            editing.set(None);
            // Show the year the purchase counts in.
            let y = p.fields.purchased_on.year();
            if y == *year {
                kpi.reload();
                list.reload();
            } else {
                year.set(y);
            }
            focus_id("purchase-saved");
        })
    };
    let remove = |p: &Purchase| {
        let (id, version) = (p.id, p.version);
        let (kpi, list, removal) = (kpi.clone(), list.clone(), removal.clone());
        Callback::from(move |()| {
            let (kpi, list, removal) = (kpi.clone(), list.clone(), removal.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::delete_purchase(id, version).await {
                    Ok(()) => {
                        removal.set(Some(Ok(())));
                        kpi.reload();
                        list.reload();
                    }
                    Err(e) => {
                        // Stale, or already gone (a retry after a lost answer): show the
                        // list as it is now.
                        list.reload();
                        kpi.reload();
                        removal.set(Some(Err(e.message(lang))));
                    }
                }
                focus_id("purchase-removal");
            });
        })
    };
    // Opens the form on a purchase (or closes it: none).
    let edit = |p: Option<Purchase>| {
        let editing = editing.clone();
        Callback::from(move |()| {
            editing.set(p.clone());
            focus_id("purchase-form-title");
        })
    };
    let origin = |p: &Purchase| match &p.fields.origin_county_code {
        Some(c) => units.name(c, lang),
        None => ctx.t("pur.outside"),
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("pur.title") }</h1>
            <div class="filters">
                <SelectField id="purchase-year" label={ctx.t("kpi.year")} value={year.to_string()} options={year_opts} onchange={on_year} />
            </div>
            { match kpi.ready() {
                None => kpi.placeholder(lang, None),
                Some(k) => kpi_view(k, &units, lang),
            } }
            if writer {
                <h2 id="purchase-form-title" tabindex="-1">{ ctx.t(if editing.is_some() { "pur.edit_title" } else { "pur.new" }) }</h2>
                if let Some(s) = &*saved {
                    <p class="notice" role="status" id="purchase-saved" tabindex="-1">{ ctx.t("pur.saved").replace("{supplier}", s) }</p>
                }
                <PurchaseForm key={editing.as_ref().map_or_else(String::new, |p| p.id.to_string())}
                    edit={(*editing).clone()} onsaved={on_saved} oncancel={edit(None)} />
            }
            <h2 id="purchases-title">{ ctx.t("pur.list").replace("{year}", &year.to_string()) }</h2>
            <ExportButton id="purchases-export" path={api::purchases_export_path(*year)}
                filename={format!("食堂采购台账-{}.xlsx", *year)} label={ctx.t("pur.export")} long={ctx.t("pur.export_label")} />
            { match &*removal {
                Some(Ok(())) => html! { <p role="status" id="purchase-removal" tabindex="-1">{ ctx.t("pur.deleted") }</p> },
                Some(Err(e)) => html! { <p class="error-summary" role="alert" id="purchase-removal" tabindex="-1">{ e }</p> },
                None => html! {},
            } }
            <ul class="results" id="purchases" aria-labelledby="purchases-title">
                { for list.items().iter().map(|p| html! {
                    <li key={p.id.to_string()} id={format!("purchase-{}", p.id)}>
                        <span class="nowrap">{ ymd(p.fields.purchased_on) }</span>
                        <strong>{ &p.fields.supplier }</strong>
                        <span>{ format!("{}{}", ctx.t("pur.from"), origin(p)) }</span>
                        <span class="nowrap">{ yuan(p.fields.amount_fen, lang) }</span>
                        if p.from_key_county {
                            <span class="badge key">{ ctx.t("county_list.key_poverty") }</span>
                        }
                        if p.fields.from_poverty_base {
                            <span class="badge">{ ctx.t("pur.base_badge") }</span>
                        }
                        if p.fields.holiday {
                            <span class="badge">{ ctx.t("pur.holiday_badge") }</span>
                        }
                        if let Some(g) = &p.fields.goods {
                            <span>{ g }</span>
                        }
                        if p.unit_code != own {
                            <span>{ format!("{}{}", ctx.t("pur.bought_by"), units.name(&p.unit_code, lang)) }</span>
                        }
                        if writer && p.unit_code == own {
                            <button type="button" id={format!("purchase-edit-{}", p.id)} onclick={edit(Some(p.clone())).reform(|_| ())}>{ ctx.t("pur.edit") }</button>
                            <ConfirmButton id={format!("purchase-delete-{}", p.id)} label={ctx.t("pur.delete")}
                                question={ctx.t("pur.delete_q").replace("{supplier}", &p.fields.supplier)} onconfirm={remove(p)} class="danger" />
                        }
                    </li>
                }) }
            </ul>
            { list.footer(lang, "purchases", "pur.none") }
        </section>
    }
}

/// Props of [`PurchaseForm`].
#[derive(Properties, PartialEq)]
struct FormProps {
    /// A purchase was recorded.
    onsaved: Callback<Purchase>,
    /// The purchase to change; none: a new one.
    #[prop_or_default]
    edit: Option<Purchase>,
    /// The change is given up.
    oncancel: Callback<()>,
}

/// Records a purchase of the user's own DPF's canteen.
#[function_component(PurchaseForm)]
fn purchase_form(p: &FormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let old = p.edit.as_ref().map(|e| &e.fields);
    let date = use_state(|| ymd(old.map_or_else(crate::clock::today, |f| f.purchased_on)));
    let supplier = use_state(|| old.map(|f| f.supplier.clone()).unwrap_or_default());
    let origin = old.map(|f| f.origin_county_code.clone());
    let city = use_state(|| match &origin {
        Some(Some(c)) => c.chars().take(4).collect(),
        Some(None) => OUTSIDE.to_owned(),
        None => String::new(),
    });
    let county = use_state(|| origin.flatten().unwrap_or_default());
    let amount = use_state(|| {
        old.map(|f| shared::money::format_hundredths(f.amount_fen))
            .unwrap_or_default()
    });
    let base = use_state(|| old.is_some_and(|f| f.from_poverty_base));
    let holiday = use_state(|| old.is_some_and(|f| f.holiday));
    let goods = use_state(|| old.and_then(|f| f.goods.clone()).unwrap_or_default());
    let fh = use_form("purchase-form");
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
        let (fh, onsaved) = (fh.clone(), p.onsaved.clone());
        let was = p.edit.as_ref().map(|e| (e.id, e.version));
        let (date, supplier, city, county, amount, base, holiday, goods) = (
            date.clone(),
            supplier.clone(),
            city.clone(),
            county.clone(),
            amount.clone(),
            base.clone(),
            holiday.clone(),
            goods.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let day = parse_date(&date);
            if day.is_none() {
                errs.push(FieldError::new("purchased_on", "invalid_date", ""));
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
            let origin = match city.as_str() {
                "" => {
                    errs.push(FieldError::new("origin_city", "required", ""));
                    None
                }
                OUTSIDE => None,
                _ if county.is_empty() => {
                    errs.push(FieldError::new("origin_county_code", "required", ""));
                    None
                }
                _ => Some((*county).clone()),
            };
            let today = crate::clock::today();
            let fields = PurchaseInput {
                purchased_on: day.unwrap_or(today),
                supplier: supplier.trim().to_owned(),
                origin_county_code: origin,
                amount_fen: fen.unwrap_or(1),
                from_poverty_base: *base,
                holiday: *holiday,
                goods: some(&goods),
            };
            // The shared rules, for the fields not already refused above.
            if let Err(more) = fields.validate(today) {
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
            let onsaved = onsaved.clone();
            let (supplier, city, county, amount, base, holiday, goods) = (
                supplier.clone(),
                city.clone(),
                county.clone(),
                amount.clone(),
                base.clone(),
                holiday.clone(),
                goods.clone(),
            );
            fh.submit(
                move |id| async move {
                    match was {
                        Some((id, version)) => {
                            api::update_purchase(id, &PurchaseUpdate { version, fields }).await
                        }
                        None => {
                            api::create_purchase(&PurchaseCreate {
                                id: Some(id),
                                fields,
                            })
                            .await
                        }
                    }
                    .map_err(Failure::Api)
                },
                // Saved: the form starts over for the next purchase (the day stays:
                // purchases are often entered a day's receipts at a time).
                move |saved: Purchase| {
                    for s in [&supplier, &city, &county, &amount, &goods] {
                        s.set(String::new());
                    }
                    base.set(false);
                    holiday.set(false);
                    onsaved.emit(saved);
                },
            );
        })
    };
    let on_city = {
        let (city, county, fh) = (city.clone(), county.clone(), fh.clone());
        Callback::from(move |v: String| {
            city.set(v);
            county.set(String::new());
            fh.clear_error("origin_city");
            fh.clear_error("origin_county_code");
        })
    };
    let flag = |s: &UseStateHandle<bool>| {
        let s = s.clone();
        Callback::from(move |on: bool| s.set(on))
    };
    html! {
        <form id="purchase-form" onsubmit={onsubmit} novalidate=true aria-label={ctx.t("pur.new")}>
            { fh.banner(lang, "purchase-banner") }
            <TextField id="purchase-date" kind="date" label={ctx.t("pur.date")} value={(*date).clone()}
                oninput={fh.bind(&date, "purchased_on")} error={err("purchased_on")} required=true />
            <TextField id="purchase-supplier" label={ctx.t("pur.supplier")} value={(*supplier).clone()}
                oninput={fh.bind(&supplier, "supplier")} error={err("supplier")} required=true />
            <OriginPicker id="purchase-origin" city={(*city).clone()} county={(*county).clone()} oncity={on_city}
                oncounty={fh.bind(&county, "origin_county_code")} city_error={err("origin_city")} county_error={err("origin_county_code")} />
            <TextField id="purchase-amount" label={ctx.t("pur.amount")} value={(*amount).clone()} inputmode={Some(AttrValue::Static("decimal"))}
                oninput={fh.bind(&amount, "amount_fen")} error={err("amount_fen")} required=true />
            <CheckField id="purchase-base" label={ctx.t("pur.from_base")} checked={*base} onchange={flag(&base)} />
            <CheckField id="purchase-holiday" label={ctx.t("pur.holiday")} checked={*holiday} onchange={flag(&holiday)} />
            <TextField id="purchase-goods" label={ctx.t("pur.goods")} value={(*goods).clone()}
                oninput={fh.bind(&goods, "goods")} error={err("goods")} />
            <div class="buttons">
                <button type="submit" class="primary" id="purchase-save" disabled={fh.busy()}>{ ctx.t("pur.save") }</button>
                if p.edit.is_some() {
                    <button type="button" id="purchase-cancel" onclick={p.oncancel.reform(|_| ())}>{ ctx.t("pur.cancel") }</button>
                }
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::duties::{Light, PurchaseSums};

    fn row(key_county: bool, threshold_bp: i64) -> ConsumptionRow {
        ConsumptionRow {
            unit_code: "430381".into(),
            unit_name: "湘乡市".into(),
            key_county,
            own: PurchaseSums::default(),
            threshold_bp,
            light: Light::None,
            area: PurchaseSums::default(),
        }
    }

    #[test]
    fn thresholds_read_as_a_minimum() {
        assert_eq!(threshold_text(&row(false, 2_000)), "≥\u{a0}20.00\u{a0}%");
        assert_eq!(threshold_text(&row(true, 5_000)), "≥\u{a0}50.00\u{a0}%");
    }
}
