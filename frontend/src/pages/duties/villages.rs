//! Measure 12, linking villages (连千村帮万户): the year's distinct villages linked in the
//! user's area against the target (140 for the province) and the units below; for the
//! DPF units that link villages, the form that links one (city → county → town →
//! village from the shipped codes); then the links in force in the year, each with its
//! activities, and for the linking unit the form that adds an activity, ending the link
//! and deleting one made in error; the ledger as a spreadsheet.

use shared::auth::Capability;
use shared::duties::{
    LinkActivityCreate, LinkActivityInput, VillageLink, VillageLinkCreate, VillageLinkInput,
    VillageLinkUpdate, VillagesKpi,
};
use shared::money::parse_yuan;
use shared::FieldError;
use yew::prelude::*;

use super::{
    facts, field_error, outcome_view, own_unit, set_year, units_table, year_select, yuan,
    Disclosure, ExportButton,
};
use crate::api::duties as api;
use crate::app::Ctx;
use crate::components::confirm::ConfirmButton;
use crate::components::field::TextField;
use crate::components::unit_picker::{AreaPicker, Place};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;
use crate::pages::rehab::{focus_id, parse_date, ymd};
use crate::pages::supervision::{can, some};

/// The area's figures and the units below.
fn kpi_view(k: &VillagesKpi, lang: Lang) -> Html {
    let t = &k.total;
    // The province's target is the measure's own (140) until the plan sets the year's.
    let target = t
        .target
        .or((t.unit_code == "43").then_some(shared::duties::VILLAGES_TARGET));
    let villages = match target {
        Some(target) => lang
            .t("vil.of_target")
            .replace("{n}", &t.villages.to_string())
            .replace("{target}", &target.to_string()),
        None => t.villages.to_string(),
    };
    let rows = k
        .children
        .iter()
        .map(|r| {
            (
                r.unit_code.clone(),
                r.unit_name.clone(),
                vec![
                    r.villages.to_string(),
                    r.links.to_string(),
                    r.households_helped.to_string(),
                    yuan(r.money_fen, lang),
                ],
            )
        })
        .collect();
    html! { <>
        <h2>{ lang.t("vil.kpi_title").replace("{unit}", &t.unit_name).replace("{year}", &k.year.to_string()) }</h2>
        { facts("villages-kpi", &[
            ("vil.villages", "villages-count", villages),
            ("vil.links", "villages-links", t.links.to_string()),
            ("vil.households", "villages-households", t.households_helped.to_string()),
            ("vil.money", "villages-money", yuan(t.money_fen, lang)),
        ], lang) }
        <p class="hint">{ lang.t("vil.rule") }</p>
        { units_table("villages-children", lang.t("pur.children"),
            &["vil.villages", "vil.links", "vil.households", "vil.money"], rows, lang) }
    </> }
}

/// The village links page.
#[function_component(VillagesPage)]
pub fn villages_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("vil.title")).unwrap_or_default());
    let year = use_state(crate::clock::this_year);
    let kpi = use_remote(*year, |y| async move { api::villages_kpi(y).await });
    let list = use_remote(*year, |y| async move { api::links(y).await });
    let outcome = use_state(|| None::<Result<String, String>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let writer = can(&ctx, Capability::LinkVillages);
    let own = own_unit(&ctx);
    // After any change: the figures and the list again, and the outcome said.
    let changed = {
        let (kpi, list, outcome) = (kpi.clone(), list.clone(), outcome.clone());
        Callback::from(move |o: Result<String, String>| {
            kpi.reload();
            list.reload();
            outcome.set(Some(o));
            focus_id("village-outcome");
        })
    };
    let on_saved = {
        let changed = changed.clone();
        Callback::from(move |l: VillageLink| {
            changed.emit(Ok(lang
                .t("vil.saved")
                .replace("{village}", &l.village_name)));
        })
    };
    let act = |l: &VillageLink, end: bool| {
        let (id, version, fields) = (l.id, l.version, l.fields.clone());
        let changed = changed.clone();
        Callback::from(move |()| {
            let (changed, mut fields) = (changed.clone(), fields.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let r = if end {
                    fields.to_on = Some(crate::clock::today());
                    api::update_link(id, &VillageLinkUpdate { version, fields })
                        .await
                        .map(|_| lang.t("vil.ended"))
                } else {
                    api::delete_link(id, version)
                        .await
                        .map(|()| lang.t("pur.deleted"))
                };
                changed.emit(r.map_err(|e| e.message(lang)));
            });
        })
    };
    let links = match list.ready() {
        None => list.placeholder(lang, None),
        Some(v) if v.is_empty() => {
            html! { <p role="status" id="village-links-none">{ ctx.t("vil.none") }</p> }
        }
        Some(v) => html! {
            <ul class="results details" id="village-links" aria-labelledby="village-links-title">
                { for v.iter().map(|l| html! {
                    <li key={l.id.to_string()} id={format!("link-{}", l.id)}>
                        <strong>{ &l.village_name }</strong>
                        <span class="nowrap">{ format!("{} – {}", ymd(l.fields.from_on), l.fields.to_on.map(ymd).unwrap_or_default()) }</span>
                        <span>{ ctx.t("vil.households_n").replace("{n}", &l.fields.households_helped.to_string()) }</span>
                        <span class="nowrap">{ yuan(l.money_fen, lang) }</span>
                        if let Some(n) = &l.fields.note { <span>{ n }</span> }
                        if !l.activities.is_empty() {
                            <ul class="activities" id={format!("link-{}-activities", l.id)} aria-label={ctx.t("vil.activities")}>
                                { for l.activities.iter().map(|a| html! {
                                    <li>
                                        <span class="nowrap">{ ymd(a.fields.on_day) }</span>{ " " }
                                        { &a.fields.what }
                                        if a.fields.money_fen > 0 { { " " }<span class="nowrap">{ yuan(a.fields.money_fen, lang) }</span> }
                                        if let Some(g) = &a.fields.goods { { " " }{ g } }
                                    </li>
                                }) }
                            </ul>
                        }
                        if writer && l.unit_code == own {
                            <Disclosure id={format!("activity-{}", l.id)} label={ctx.t("vil.add_activity")}>
                                <ActivityForm link={l.id} onsaved={on_saved.clone()} />
                            </Disclosure>
                            <div class="buttons">
                                if l.fields.to_on.is_none() {
                                    <ConfirmButton id={format!("link-end-{}", l.id)} label={ctx.t("vil.end")}
                                        question={ctx.t("vil.end_q")} onconfirm={act(l, true)} />
                                }
                                <ConfirmButton id={format!("link-delete-{}", l.id)} label={ctx.t("pur.delete")}
                                    question={ctx.t("vil.delete_q")} onconfirm={act(l, false)} class="danger" />
                            </div>
                        }
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("vil.title") }</h1>
            <div class="filters">{ year_select("villages-year", *year, set_year(&year), lang) }</div>
            { match kpi.ready() {
                None => kpi.placeholder(lang, None),
                Some(k) => kpi_view(k, lang),
            } }
            { outcome_view("village-outcome", &outcome) }
            if writer {
                <h2>{ ctx.t("vil.new") }</h2>
                <LinkForm onsaved={on_saved.clone()} />
            }
            <h2 id="village-links-title">{ ctx.t("vil.list").replace("{year}", &year.to_string()) }</h2>
            <ExportButton id="village-links-export" path={api::links_export_path(*year)}
                filename={format!("连千村帮万户-{}.xlsx", *year)} label={ctx.t("pur.export")} long={ctx.t("vil.export_label")} />
            { links }
        </section>
    }
}

/// Props of the forms that report a saved link.
#[derive(Properties, PartialEq)]
struct SavedProps {
    /// The link as saved.
    onsaved: Callback<VillageLink>,
}

/// Links the user's unit with a village of its area.
#[function_component(LinkForm)]
fn link_form(p: &SavedProps) -> Html {
    let ctx = use_context::<Ctx>();
    let place = use_state(Place::default);
    let from = use_state(|| ymd(crate::clock::today()));
    let to = use_state(String::new);
    let households = use_state(|| "0".to_owned());
    let note = use_state(String::new);
    let fh = use_form("link-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| field_error(&fh, f, lang);
    let onsubmit = {
        let (fh, onsaved) = (fh.clone(), p.onsaved.clone());
        let (place, from, to, households, note) = (
            place.clone(),
            from.clone(),
            to.clone(),
            households.clone(),
            note.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let today = crate::clock::today();
            if place.village.is_empty() {
                errs.push(FieldError::new("village_code", "required", ""));
            }
            let from_on = parse_date(&from);
            if from_on.is_none() {
                errs.push(FieldError::new("from_on", "invalid_date", ""));
            }
            let to_on = parse_date(&to);
            if to_on.is_none() && !to.trim().is_empty() {
                errs.push(FieldError::new("to_on", "invalid_date", ""));
            }
            let n = households.trim().parse::<i64>();
            if n.is_err() {
                errs.push(FieldError::new("households_helped", "invalid_number", ""));
            }
            let fields = VillageLinkInput {
                village_code: place.village.clone(),
                from_on: from_on.unwrap_or(today),
                to_on,
                households_helped: n.unwrap_or(0),
                note: some(&note),
            };
            if let Err(more) = fields.validate(today) {
                errs.extend(
                    more.into_iter()
                        .filter(|m| m.field != "village_code" || !place.village.is_empty()),
                );
            }
            if !errs.is_empty() {
                fh.reject(errs);
                return;
            }
            let (onsaved, place, to, note) =
                (onsaved.clone(), place.clone(), to.clone(), note.clone());
            fh.submit(
                move |id| async move {
                    api::create_link(&VillageLinkCreate {
                        id: Some(id),
                        fields,
                    })
                    .await
                    .map_err(|e| {
                        // The unit links the village already: said next to it.
                        if e.code() == "duplicate" {
                            let f = FieldError::new("village_code", "link_duplicate", "");
                            Failure::Message("form.fix_errors", vec![f])
                        } else {
                            Failure::Api(e)
                        }
                    })
                },
                move |l: VillageLink| {
                    place.set(Place::default());
                    to.set(String::new());
                    note.set(String::new());
                    onsaved.emit(l);
                },
            );
        })
    };
    let on_place = {
        let (place, fh) = (place.clone(), fh.clone());
        Callback::from(move |v: Place| {
            place.set(v);
            fh.clear_error("village_code");
        })
    };
    html! {
        <form id="link-form" {onsubmit} novalidate=true aria-label={ctx.t("vil.new")}>
            { fh.banner(lang, "link-banner") }
            <AreaPicker id="link" value={(*place).clone()} onchange={on_place} errors={(None, None, err("village_code"))} />
            <TextField id="link-from" kind="date" label={ctx.t("vil.from")} value={(*from).clone()}
                oninput={fh.bind(&from, "from_on")} error={err("from_on")} required=true />
            <TextField id="link-to" kind="date" label={ctx.t("vil.to")} value={(*to).clone()}
                oninput={fh.bind(&to, "to_on")} error={err("to_on")} />
            <TextField id="link-households" label={ctx.t("vil.households")} value={(*households).clone()} inputmode={Some(AttrValue::Static("numeric"))}
                oninput={fh.bind(&households, "households_helped")} error={err("households_helped")} />
            <TextField id="link-note" label={ctx.t("vil.note")} value={(*note).clone()}
                oninput={fh.bind(&note, "note")} error={err("note")} multiline=true />
            <div class="buttons">
                <button type="submit" class="primary" id="link-save" disabled={fh.busy()}>{ ctx.t("vil.save") }</button>
            </div>
        </form>
    }
}

/// Props of [`ActivityForm`].
#[derive(Properties, PartialEq)]
struct ActivityProps {
    /// The link.
    link: uuid::Uuid,
    /// The link as saved with the activity.
    onsaved: Callback<VillageLink>,
}

/// Records an activity in a linked village.
#[function_component(ActivityForm)]
fn activity_form(p: &ActivityProps) -> Html {
    let ctx = use_context::<Ctx>();
    let day = use_state(|| ymd(crate::clock::today()));
    let what = use_state(String::new);
    let money = use_state(String::new);
    let goods = use_state(String::new);
    let id = format!("activity-{}", p.link);
    let fh = use_form(id.clone());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| field_error(&fh, f, lang);
    let onsubmit = {
        let (fh, onsaved, link) = (fh.clone(), p.onsaved.clone(), p.link);
        let (day, what, money, goods) = (day.clone(), what.clone(), money.clone(), goods.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let today = crate::clock::today();
            let mut errs = Vec::new();
            let on_day = parse_date(&day);
            if on_day.is_none() {
                errs.push(FieldError::new("on_day", "invalid_date", ""));
            }
            let fen = if money.trim().is_empty() {
                Some(0)
            } else {
                parse_yuan(&money)
            };
            if fen.is_none() {
                errs.push(FieldError::new("money_fen", "invalid_amount", ""));
            }
            let fields = LinkActivityInput {
                on_day: on_day.unwrap_or(today),
                what: what.trim().to_owned(),
                money_fen: fen.unwrap_or(0),
                goods: some(&goods),
            };
            if let Err(more) = fields.validate(today) {
                errs.extend(
                    more.into_iter()
                        .filter(|m| !errs.iter().any(|e| e.field == m.field))
                        .collect::<Vec<_>>(),
                );
            }
            if !errs.is_empty() {
                fh.reject(errs);
                return;
            }
            let (onsaved, what, money, goods) =
                (onsaved.clone(), what.clone(), money.clone(), goods.clone());
            fh.submit(
                move |id| async move {
                    api::add_activity(
                        link,
                        &LinkActivityCreate {
                            id: Some(id),
                            fields,
                        },
                    )
                    .await
                    .map_err(Failure::Api)
                },
                // Saved: the form starts over for the next activity (the day stays).
                move |l: VillageLink| {
                    for s in [&what, &money, &goods] {
                        s.set(String::new());
                    }
                    onsaved.emit(l);
                },
            );
        })
    };
    html! {
        <form id={id.clone()} {onsubmit} novalidate=true aria-label={ctx.t("vil.add_activity")}>
            { fh.banner(lang, &format!("{id}-banner")) }
            <TextField id={format!("{id}-day")} kind="date" label={ctx.t("vil.day")} value={(*day).clone()}
                oninput={fh.bind(&day, "on_day")} error={err("on_day")} required=true />
            <TextField id={format!("{id}-what")} label={ctx.t("vil.what")} value={(*what).clone()}
                oninput={fh.bind(&what, "what")} error={err("what")} required=true />
            <TextField id={format!("{id}-money")} label={ctx.t("vil.money_given")} value={(*money).clone()} inputmode={Some(AttrValue::Static("decimal"))}
                oninput={fh.bind(&money, "money_fen")} error={err("money_fen")} />
            <TextField id={format!("{id}-goods")} label={ctx.t("vil.goods")} value={(*goods).clone()}
                oninput={fh.bind(&goods, "goods")} error={err("goods")} />
            <div class="buttons">
                <button type="submit" class="primary" id={format!("{id}-save")} disabled={fh.busy()}>{ ctx.t("vil.save_activity") }</button>
            </div>
        </form>
    }
}
