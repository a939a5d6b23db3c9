//! The assistive device catalogue: search by name or code, category and whether an
//! item is offered; the provincial devices centre (`maintain_catalogue` at province
//! scope) adds and edits items and sets a year's subsidy cap per unit, and exports and
//! imports the catalogue as a spreadsheet with the caps of a chosen year.

use shared::money::{format_hundredths, parse_yuan};
use shared::rehab::{
    DeviceCapSet, DeviceItem, DeviceItemCreate, DeviceItemInput, DeviceItemUpdate,
};
use shared::{DisabilityCategory, FieldError};
use yew::prelude::*;

use super::assess::device_name;
use super::import::ImportPanel;
use super::{options, years};
use crate::api::rehab::{CatalogueQuery, ImportTarget};
use crate::app::Ctx;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;

/// Whether the user maintains the catalogue (the provincial devices centre).
fn maintains(ctx: &Ctx) -> bool {
    ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::MaintainCatalogue)
            && m.scope.code.len() == 2
    })
}

/// The catalogue page.
#[function_component(CataloguePage)]
pub fn catalogue_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("dev.title")).unwrap_or_default());
    let text = use_state(String::new);
    let query = use_state(CatalogueQuery::default);
    let adding = use_state(|| false);
    let items = use_remote((*query).clone(), |q: CatalogueQuery| async move {
        crate::api::rehab::catalogue(&q).await
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let can_write = maintains(&ctx);
    let onsearch = {
        let (text, query) = (text.clone(), query.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let q = text.trim();
            query.set(CatalogueQuery {
                q: (!q.is_empty()).then(|| q.to_owned()),
                ..(*query).clone()
            });
        })
    };
    let on_category = {
        let query = query.clone();
        Callback::from(move |v: String| {
            query.set(CatalogueQuery {
                category: (!v.is_empty()).then_some(v),
                ..(*query).clone()
            })
        })
    };
    let on_active = {
        let query = query.clone();
        Callback::from(move |v: String| {
            query.set(CatalogueQuery {
                active: v.parse().ok(),
                ..(*query).clone()
            })
        })
    };
    let shown = vec![
        (String::new(), ctx.t("filter.any")),
        ("true".to_owned(), ctx.t("dev.active_only")),
        ("false".to_owned(), ctx.t("dev.inactive_only")),
    ];
    let on_added = {
        let (adding, items) = (adding.clone(), items.clone());
        Callback::from(move |_: DeviceItem| {
            adding.set(false);
            items.reload();
        })
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("dev.title") }</h1>
            if can_write && !*adding {
                <p><button type="button" class="primary" id="dev-new" onclick={let adding = adding.clone(); Callback::from(move |_| { adding.set(true); super::focus_id("dev-new-code"); })}>{ ctx.t("dev.new") }</button></p>
            }
            if can_write && *adding {
                <DeviceForm id="dev-new" item={None::<DeviceItem>} onsaved={on_added} oncancel={let adding = adding.clone(); Callback::from(move |()| adding.set(false))} />
            }
            if can_write {
                <Transfer onimported={let items = items.clone(); Callback::from(move |_| items.reload())} />
            }
            <form class="filters" role="search" onsubmit={onsearch}>
                <TextField id="dev-q" label={ctx.t("dev.search")} value={(*text).clone()} oninput={let t = text.clone(); Callback::from(move |v| t.set(v))} />
                <SelectField id="dev-category" label={ctx.t("dev.category")} value={query.category.clone().unwrap_or_default()}
                    options={options(DisabilityCategory::ALL, "cat", lang, Some("filter.any"))} onchange={on_category} />
                <SelectField id="dev-active" label={ctx.t("dev.show")} value={query.active.map(|a| a.to_string()).unwrap_or_default()}
                    options={shown} onchange={on_active} />
                <div class="buttons"><button type="submit" id="dev-search">{ ctx.t("persons.search") }</button></div>
            </form>
            { items.placeholder(lang, None) }
            if let Some(list) = items.ready() {
                if list.is_empty() {
                    <p role="status">{ ctx.t("dev.none") }</p>
                }
                <ul class="results" id="devices">
                    { for list.iter().map(|d| html! {
                        <ItemRow key={d.id.to_string()} item={d.clone()} {can_write} onchanged={let items = items.clone(); Callback::from(move |_| items.reload())} />
                    }) }
                </ul>
            }
        </section>
    }
}

/// Props of [`Transfer`].
#[derive(Properties, PartialEq)]
struct TransferProps {
    /// Called after an import wrote rows.
    onimported: Callback<shared::rehab::ImportReport>,
}

/// The catalogue as a spreadsheet, for the devices centre: export with the caps of a
/// year (the file is also the import's template), and import for that year.
#[function_component(Transfer)]
fn transfer(p: &TransferProps) -> Html {
    let ctx = use_context::<Ctx>();
    let year = use_state(crate::clock::this_year);
    let exported = use_state(|| None::<Result<(), String>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let year_opts: Vec<(String, String)> = std::iter::once(crate::clock::this_year() + 1)
        .chain(years())
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let on_year = {
        let (year, exported) = (year.clone(), exported.clone());
        Callback::from(move |v: String| {
            if let Ok(y) = v.parse() {
                year.set(y);
                exported.set(None);
            }
        })
    };
    let export = {
        let (year, exported) = (*year, exported.clone());
        Callback::from(move |_: MouseEvent| {
            let exported = exported.clone();
            exported.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let path = crate::api::rehab::catalogue_export_path(year);
                let name = format!("辅具目录-{year}.xlsx");
                exported.set(Some(
                    crate::api::download(&path, &name)
                        .await
                        .map_err(|e| e.message(lang)),
                ));
            });
        })
    };
    html! {
        <details class="filters-box" id="dev-transfer">
            <summary>{ ctx.t("dev.transfer") }</summary>
            <SelectField id="dev-transfer-year" label={ctx.t("dev.export_year")} value={year.to_string()} options={year_opts} onchange={on_year} />
            <div class="actions">
                <button type="button" id="dev-export" onclick={export}>{ ctx.t("dev.export") }</button>
            </div>
            { match &*exported {
                Some(Ok(())) => html! { <p role="status" id="dev-exported">{ ctx.t("dev.exported") }</p> },
                Some(Err(e)) => html! { <p class="error-summary" role="alert" id="dev-exported">{ e }</p> },
                None => html! {},
            } }
            <h2>{ ctx.t("dev.import") }</h2>
            <p class="hint">{ ctx.t("dev.import_hint") }</p>
            <ImportPanel key={year.to_string()} id="dev-import" target={ImportTarget::Catalogue { year: *year }} onimported={p.onimported.clone()} />
        </details>
    }
}

/// Props of one catalogue entry.
#[derive(Properties, PartialEq)]
struct RowProps {
    item: DeviceItem,
    can_write: bool,
    onchanged: Callback<DeviceItem>,
}

/// One catalogue entry, with its edit and cap forms for the devices centre.
#[function_component(ItemRow)]
fn item_row(p: &RowProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let editing = use_state(|| false);
    let cap_year = use_state(|| crate::clock::this_year().to_string());
    let cap_amount = use_state(String::new);
    let cap_saved = use_state(|| false);
    let fh = use_form(format!("cap-{}", p.item.id));
    let d = &p.item;
    let f = &d.fields;
    let key = d.id.to_string();
    let set_cap = {
        let (fh, cap_year, cap_amount, cap_saved, onchanged, id) = (
            fh.clone(),
            cap_year.clone(),
            cap_amount.clone(),
            cap_saved.clone(),
            p.onchanged.clone(),
            d.id,
        );
        let version = d.version;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Ok(year), Some(cap_fen)) = (cap_year.parse::<i32>(), parse_yuan(&cap_amount))
            else {
                fh.reject(vec![FieldError::new("cap_fen", "invalid_amount", "")]);
                return;
            };
            let (onchanged, cap_saved) = (onchanged.clone(), cap_saved.clone());
            fh.submit(
                move |_| async move {
                    Ok(crate::api::rehab::set_cap(
                        id,
                        year,
                        &DeviceCapSet {
                            version: Some(version),
                            cap_fen,
                        },
                    )
                    .await?)
                },
                move |item: DeviceItem| {
                    cap_saved.set(true);
                    onchanged.emit(item);
                },
            );
        })
    };
    let year_opts: Vec<(String, String)> = std::iter::once(crate::clock::this_year() + 1)
        .chain(years())
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let level = match f.max_level {
        Some(n) => ctx.t("dev.up_to_level").replace("{n}", &n.to_string()),
        None => ctx.t("dev.any_level"),
    };
    html! {
        <li id={format!("dev-{key}")}>
            <strong>{ device_name(d, lang) }</strong>
            if !f.active { <span class="badge off">{ ctx.t("dev.inactive") }</span> }
            <span>{ &d.code_title }</span>
            <span>{ f.categories.iter().map(|c| ctx.t(&format!("cat.{c}"))).collect::<Vec<_>>().join("、") }</span>
            <span>{ format!("{} {} · {} {} {}", ctx.t("dev.unit"), f.unit, ctx.t("dev.life"), f.service_life_years, ctx.t("dev.years")) }</span>
            <span>{ level }</span>
            if f.assessment_required { <span>{ ctx.t("dev.assessment_required") }</span> }
            <span>{ format!("{}: {}", ctx.t("dev.caps"), if d.caps.is_empty() { ctx.t("dev.no_caps") } else {
                d.caps.iter().map(|c| format!("{} {}", c.year, format_hundredths(c.cap_fen))).collect::<Vec<_>>().join("；")
            }) }</span>
            if p.can_write && !*editing {
                <button type="button" id={format!("dev-{key}-edit")} aria-label={format!("{} {}", ctx.t("dev.edit"), device_name(d, lang))}
                    onclick={let editing = editing.clone(); let k = key.clone(); Callback::from(move |_| { editing.set(true); super::focus_id(format!("dev-{k}-form-code")); })}>{ ctx.t("dev.edit") }</button>
            }
            if p.can_write && *editing {
                <DeviceForm id={format!("dev-{key}-form")} item={Some(d.clone())}
                    onsaved={let (editing, cb) = (editing.clone(), p.onchanged.clone()); Callback::from(move |i| { editing.set(false); cb.emit(i); })}
                    oncancel={let editing = editing.clone(); Callback::from(move |()| editing.set(false))} />
            }
            if p.can_write {
                <form class="inline-form" id={format!("cap-{key}")} onsubmit={set_cap} novalidate=true aria-label={format!("{} {}", ctx.t("dev.set_cap"), device_name(d, lang))}>
                    { fh.banner(lang, &format!("cap-{key}-banner")) }
                    <SelectField id={format!("cap-{key}-year")} label={ctx.t("dev.cap_year")} value={(*cap_year).clone()} options={year_opts}
                        onchange={let (s, saved) = (cap_year.clone(), cap_saved.clone()); Callback::from(move |v| { s.set(v); saved.set(false); })} />
                    <TextField id={format!("cap-{key}-amount")} label={ctx.t("dev.cap_amount")} value={(*cap_amount).clone()}
                        oninput={let (b, saved) = (fh.bind(&cap_amount, "cap_fen"), cap_saved.clone()); Callback::from(move |v| { saved.set(false); b.emit(v); })}
                        error={fh.error("cap_fen", lang)} inputmode={Some(AttrValue::Static("decimal"))} />
                    <div class="buttons">
                        <button type="submit" id={format!("cap-{key}-save")} disabled={fh.busy()}>{ ctx.t("dev.set_cap") }</button>
                        if *cap_saved { <span role="status">{ ctx.t("dev.saved") }</span> }
                    </div>
                </form>
            }
        </li>
    }
}

/// Props of the item form.
#[derive(Properties, PartialEq)]
struct DeviceFormProps {
    /// Element id prefix (the form; its fields are `{id}-code` …).
    id: String,
    /// The item to edit; none adds one.
    item: Option<DeviceItem>,
    onsaved: Callback<DeviceItem>,
    oncancel: Callback<()>,
}

/// Adds or edits a catalogue item.
#[function_component(DeviceForm)]
fn device_form(p: &DeviceFormProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let fh = use_form(p.id.clone());
    let start = p.item.as_ref().map(|i| i.fields.clone());
    let pick = |f: fn(&DeviceItemInput) -> String, default: &str| {
        start.as_ref().map(f).unwrap_or_else(|| default.to_owned())
    };
    let code = use_state(|| pick(|f| f.code.clone(), ""));
    let edition = use_state(|| pick(|f| f.edition.clone(), "2016"));
    let name_zh = use_state(|| pick(|f| f.name_zh.clone(), ""));
    let name_en = use_state(|| pick(|f| f.name_en.clone(), ""));
    let unit = use_state(|| pick(|f| f.unit.clone(), ""));
    let life = use_state(|| pick(|f| f.service_life_years.to_string(), ""));
    let max_level = use_state(|| {
        pick(
            |f| f.max_level.map(|l| l.to_string()).unwrap_or_default(),
            "",
        )
    });
    let categories = use_state(|| {
        start
            .as_ref()
            .map(|f| f.categories.clone())
            .unwrap_or_default()
    });
    let assessment_required = use_state(|| start.as_ref().is_some_and(|f| f.assessment_required));
    let active = use_state(|| start.as_ref().is_none_or(|f| f.active));
    let input = || -> Result<DeviceItemInput, Vec<FieldError>> {
        let Ok(years) = life.trim().parse::<i32>() else {
            return Err(vec![FieldError::new(
                "service_life_years",
                "invalid_number",
                "",
            )]);
        };
        let fields = DeviceItemInput {
            code: code.trim().to_owned(),
            edition: edition.trim().to_owned(),
            name_zh: name_zh.trim().to_owned(),
            name_en: name_en.trim().to_owned(),
            categories: (*categories).clone(),
            unit: unit.trim().to_owned(),
            service_life_years: years,
            max_level: max_level.parse().ok(),
            assessment_required: *assessment_required,
            active: *active,
        };
        fields.validate().map(|()| fields)
    };
    let onsubmit = {
        let (fh, fields, onsaved) = (fh.clone(), input(), p.onsaved.clone());
        let existing = p.item.as_ref().map(|i| (i.id, i.version));
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let fields = match fields.clone() {
                Ok(f) => f,
                Err(errs) => {
                    fh.reject(errs);
                    return;
                }
            };
            let onsaved = onsaved.clone();
            fh.submit(
                move |id| async move {
                    Ok(match existing {
                        Some((item, version)) => {
                            let body = DeviceItemUpdate {
                                version: Some(version),
                                fields,
                            };
                            crate::api::rehab::update_device(item, &body).await?
                        }
                        None => {
                            let body = DeviceItemCreate {
                                id: Some(id),
                                fields,
                            };
                            crate::api::rehab::create_device(&body).await?
                        }
                    })
                },
                move |item: DeviceItem| onsaved.emit(item),
            );
        })
    };
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    let fid = |f: &str| format!("{}-{f}", p.id);
    let levels: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("dev.any_level")))
        .chain((1..=4).map(|n| {
            (
                n.to_string(),
                ctx.t("dev.up_to_level").replace("{n}", &n.to_string()),
            )
        }))
        .collect();
    let title = ctx.t(if p.item.is_some() {
        "dev.edit_title"
    } else {
        "dev.new"
    });
    html! {
        <div class="actions-box">
            { fh.banner(lang, &fid("banner")) }
            <form id={p.id.clone()} onsubmit={onsubmit} novalidate=true aria-label={title.clone()}>
                <h2>{ title }</h2>
                <TextField id={fid("code")} label={ctx.t("dev.code")} value={(*code).clone()} oninput={set(&code, "code")} error={err("code")} required=true inputmode={Some(AttrValue::Static("numeric"))} />
                <TextField id={fid("edition")} label={ctx.t("dev.edition")} value={(*edition).clone()} oninput={set(&edition, "edition")} error={err("edition")} required=true inputmode={Some(AttrValue::Static("numeric"))} />
                <TextField id={fid("name-zh")} label={ctx.t("dev.name_zh")} value={(*name_zh).clone()} oninput={set(&name_zh, "name_zh")} error={err("name_zh")} required=true />
                <TextField id={fid("name-en")} label={ctx.t("dev.name_en")} value={(*name_en).clone()} oninput={set(&name_en, "name_en")} error={err("name_en")} required=true />
                <fieldset class={classes!("roles", err("categories").is_some().then_some("has-error"))} id={fid("categories")}>
                    <legend>{ ctx.t("dev.category") }</legend>
                    { for DisabilityCategory::ALL.iter().map(|c| {
                        let (c, categories, fh) = (*c, categories.clone(), fh.clone());
                        html! { <CheckField id={format!("{}-cat-{c}", p.id)} label={ctx.t(&format!("cat.{c}"))} checked={categories.contains(&c)}
                            onchange={Callback::from(move |on: bool| {
                                let mut v: Vec<DisabilityCategory> = categories.iter().copied().filter(|x| *x != c).collect();
                                if on { v.push(c); }
                                categories.set(v);
                                fh.clear_error("categories");
                            })} /> }
                    }) }
                    if let Some(e) = err("categories") { <p class="error">{ e }</p> }
                </fieldset>
                <TextField id={fid("unit")} label={ctx.t("dev.unit")} value={(*unit).clone()} oninput={set(&unit, "unit")} error={err("unit")} required=true />
                <TextField id={fid("life")} kind="number" label={ctx.t("dev.life")} value={(*life).clone()} oninput={set(&life, "service_life_years")} error={err("service_life_years")} required=true />
                <SelectField id={fid("level")} label={ctx.t("dev.max_level")} value={(*max_level).clone()} options={levels} onchange={set(&max_level, "max_level")} error={err("max_level")} />
                <CheckField id={fid("assessment")} label={ctx.t("dev.assessment_required")} checked={*assessment_required} onchange={let s = assessment_required.clone(); Callback::from(move |v| s.set(v))} />
                <CheckField id={fid("active")} label={ctx.t("dev.active")} checked={*active} onchange={let s = active.clone(); Callback::from(move |v| s.set(v))} />
                <div class="buttons">
                    <button type="submit" class="primary" id={fid("save")} disabled={fh.busy()}>{ ctx.t("persons.save") }</button>
                    <button type="button" id={fid("cancel")} onclick={p.oncancel.reform(|_| ())}>{ ctx.t("dev.cancel") }</button>
                </div>
            </form>
        </div>
    }
}
