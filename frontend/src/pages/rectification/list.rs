//! The rectification items of the user's area: filters folded away on a phone (status,
//! source, county, overdue, waiting for me), "load more" by cursor; each row says what is
//! wrong, where, its status, its deadline and whether it is overdue. The list's filters
//! export as a spreadsheet (audited by the server).

use shared::rectification::{waiting_statuses, ProblemSource, RectificationStatus};
use shared::workflow::OrgLevel;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::rectification::ItemQuery;
use crate::app::{Ctx, Route};
use crate::components::field::{CheckField, SelectField};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, PAGE_SIZE};
use crate::pages::rehab::{options, ymd};

/// The item list.
#[function_component(ItemList)]
pub fn item_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("rc.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let has_steps = ctx.as_ref().and_then(|c| c.me.clone()).is_some_and(|m| {
        !waiting_statuses(OrgLevel::of_region(&m.scope.code), &m.permissions).is_empty()
    });
    let filter = use_state(move || ItemQuery {
        limit: PAGE_SIZE,
        ..ItemQuery::default()
    });
    let items = use_paged((*filter).clone(), |f: ItemQuery, cursor| async move {
        crate::api::rectification::items(&ItemQuery { cursor, ..f }).await
    });
    let download = use_state(|| None::<Result<(), String>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let scope = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .unwrap_or_default();
    let writer = ctx.me.as_deref().is_some_and(super::writer);
    let set = |f: fn(&mut ItemQuery, String)| {
        let filter = filter.clone();
        Callback::from(move |v: String| {
            let mut next = (*filter).clone();
            f(&mut next, v);
            filter.set(next);
        })
    };
    let flag = |f: fn(&mut ItemQuery, bool)| {
        let filter = filter.clone();
        Callback::from(move |on: bool| {
            let mut next = (*filter).clone();
            f(&mut next, on);
            filter.set(next);
        })
    };
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
    let export = {
        let (download, path) = (
            download.clone(),
            crate::api::rectification::export_path(&filter),
        );
        Callback::from(move |_: MouseEvent| {
            let (path, download) = (path.clone(), download.clone());
            download.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                download.set(Some(
                    crate::api::download(&path, "问题整改台账.xlsx")
                        .await
                        .map_err(|e| e.message(lang)),
                ));
            });
        })
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("rc.title") }</h1>
            <div class="actions">
                if writer {
                    <Link<Route> to={Route::RectificationNew} classes="button primary">{ ctx.t("rc.new") }</Link<Route>>
                }
                <button type="button" id="items-export" onclick={export} aria-label={ctx.t("rc.export_label")}>{ ctx.t("rc.export") }</button>
            </div>
            { match &*download {
                Some(Ok(())) => html! { <p role="status" id="items-download">{ ctx.t("rehab.exported") }</p> },
                Some(Err(e)) => html! { <p class="error-summary" role="alert" id="items-download">{ e }</p> },
                None => html! {},
            } }
            <details class="filters-box" id="item-filters-box">
                <summary>{ ctx.t("filter.title") }</summary>
                <div class="filters" id="item-filters">
                    <SelectField id="item-filter-status" label={ctx.t("rc.status")} value={filter.status.clone().unwrap_or_default()}
                        options={options(RectificationStatus::ALL, "rc_status", lang, Some("filter.any"))} onchange={set(|f, v| f.status = (!v.is_empty()).then_some(v))} />
                    <SelectField id="item-filter-source" label={ctx.t("rc.source")} value={filter.source.clone().unwrap_or_default()}
                        options={options(ProblemSource::ALL, "rc_source", lang, Some("filter.any"))} onchange={set(|f, v| f.source = (!v.is_empty()).then_some(v))} />
                    if areas.len() > 1 {
                        <SelectField id="item-filter-unit" label={ctx.t("rc.unit")} value={filter.unit.clone().unwrap_or_default()}
                            options={areas} onchange={set(|f, v| f.unit = (!v.is_empty()).then_some(v))} />
                    }
                </div>
            </details>
            <CheckField id="item-overdue" label={ctx.t("rc.overdue_only")} checked={filter.overdue == Some(true)}
                onchange={flag(|f, on| f.overdue = on.then_some(true))} />
            if has_steps {
                <CheckField id="item-waiting" label={ctx.t("rehab.waiting")} checked={filter.waiting == Some(true)}
                    onchange={flag(|f, on| f.waiting = on.then_some(true))} />
            }
            <ul class="results" id="items">
                { for items.items().iter().map(|i| html! {
                    <li>
                        <Link<Route> to={Route::RectificationItem { id: i.id.to_string() }}>{ &i.description }</Link<Route>>
                        <span>{ units.name(&i.county_code, lang) }</span>
                        <span>{ ctx.t(&format!("rc_category.{}", i.category)) }</span>
                        <span class="status">{ ctx.t(&format!("rc_status.{}", i.status)) }</span>
                        <span class="nowrap">{ format!("{} {}", ctx.t("rc.deadline"), ymd(i.deadline)) }</span>
                        if i.overdue {
                            <span class="badge pending">{ ctx.t("rc.overdue") }</span>
                        }
                    </li>
                }) }
            </ul>
            { items.footer(lang, "items", "rc.none") }
        </section>
    }
}
