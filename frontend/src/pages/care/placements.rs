//! The placements of the user's area by status (in care first), with filters folded
//! away on a phone (status, mode, county); each row names the person, the provider, the
//! mode and the status. County care staff start a new placement here; the list's
//! filters export as the ledger (masked, audited by the server).

use shared::care::{CareMode, PlacementStatus};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::care::PlacementQuery;
use crate::app::{Ctx, Route};
use crate::components::field::SelectField;
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, PAGE_SIZE};
use crate::pages::rehab::options;

/// The placement list.
#[function_component(PlacementList)]
pub fn placement_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("care.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let filter = use_state(|| PlacementQuery {
        status: Some(PlacementStatus::Active.to_string()),
        limit: PAGE_SIZE,
        ..PlacementQuery::default()
    });
    let list = use_paged((*filter).clone(), |f: PlacementQuery, cursor| async move {
        crate::api::care::placements(&PlacementQuery { cursor, ..f }).await
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
    let set = |f: fn(&mut PlacementQuery, String)| {
        let filter = filter.clone();
        Callback::from(move |v: String| {
            let mut next = (*filter).clone();
            f(&mut next, v);
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
        let (download, path) = (download.clone(), crate::api::care::export_path(&filter));
        Callback::from(move |_: MouseEvent| {
            let (path, download) = (path.clone(), download.clone());
            download.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                download.set(Some(
                    crate::api::download(&path, "托养台账.xlsx")
                        .await
                        .map_err(|e| e.message(lang)),
                ));
            });
        })
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("care.title") }</h1>
            <div class="actions">
                if super::county_writer(&ctx) {
                    <Link<Route> to={Route::CareNew} classes="button primary">{ ctx.t("care.new") }</Link<Route>>
                }
                <button type="button" id="placements-export" onclick={export} aria-label={ctx.t("care.export_label")}>{ ctx.t("care.export") }</button>
            </div>
            { match &*download {
                Some(Ok(())) => html! { <p role="status" id="placements-download">{ ctx.t("care.exported") }</p> },
                Some(Err(e)) => html! { <p class="error-summary" role="alert" id="placements-download">{ e }</p> },
                None => html! {},
            } }
            <details class="filters-box" id="placement-filters-box">
                <summary>{ ctx.t("filter.title") }</summary>
                <div class="filters" id="placement-filters">
                    <SelectField id="placement-filter-status" label={ctx.t("care.status")} value={filter.status.clone().unwrap_or_default()}
                        options={options(PlacementStatus::ALL, "placement", lang, Some("filter.any"))} onchange={set(|f, v| f.status = (!v.is_empty()).then_some(v))} />
                    <SelectField id="placement-filter-mode" label={ctx.t("care.mode")} value={filter.mode.clone().unwrap_or_default()}
                        options={options(CareMode::ALL, "care_mode", lang, Some("filter.any"))} onchange={set(|f, v| f.mode = (!v.is_empty()).then_some(v))} />
                    if areas.len() > 1 {
                        <SelectField id="placement-filter-area" label={ctx.t("care.area")} value={filter.area.clone().unwrap_or_default()}
                            options={areas} onchange={set(|f, v| f.area = (!v.is_empty()).then_some(v))} />
                    }
                </div>
            </details>
            <p class="hint" id="placement-filter-summary">{ match &filter.status {
                Some(s) => format!("{}: {}", ctx.t("care.status"), ctx.t(&format!("placement.{s}"))),
                None => format!("{}: {}", ctx.t("care.status"), ctx.t("filter.any")),
            } }</p>
            <ul class="results" id="placements">
                { for list.items().iter().map(|p| html! {
                    <li>
                        <Link<Route> to={Route::CarePlacement { id: p.id.to_string() }}>{ &p.person_name }</Link<Route>>
                        <span>{ format!("{} · {}", ctx.t(&format!("care_mode.{}", p.fields.mode)), p.provider_name) }</span>
                        <span>{ units.name(&p.county_code, lang) }</span>
                        <span class="status">{ ctx.t(&format!("placement.{}", p.status)) }</span>
                    </li>
                }) }
            </ul>
            { list.footer(lang, "placements", "care.none") }
        </section>
    }
}
