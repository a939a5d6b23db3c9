//! The petitions of the user's area, with filters folded away on a phone (status,
//! channel, overdue only, county); each row names the subject, the channel, the day
//! received, the status and whether it is overdue. Writers register a new petition
//! here; the list's filters export as the ledger (masked, audited by the server).

use shared::petitions::{PetitionChannel, PetitionStatus};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::petitions::PetitionQuery;
use crate::app::{Ctx, Route};
use crate::components::field::{CheckField, SelectField};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, PAGE_SIZE};
use crate::pages::rehab::{options, ymd};

/// The petition list.
#[function_component(PetitionList)]
pub fn petition_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("petition.title"))
            .unwrap_or_default(),
    );
    let units = crate::hooks::units::use_units();
    let filter = use_state(|| PetitionQuery {
        limit: PAGE_SIZE,
        ..PetitionQuery::default()
    });
    let list = use_paged((*filter).clone(), |f: PetitionQuery, cursor| async move {
        crate::api::petitions::petitions(&PetitionQuery { cursor, ..f }).await
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
    let set = |f: fn(&mut PetitionQuery, String)| {
        let filter = filter.clone();
        Callback::from(move |v: String| {
            let mut next = (*filter).clone();
            f(&mut next, v);
            filter.set(next);
        })
    };
    let overdue_only = {
        let filter = filter.clone();
        Callback::from(move |on: bool| {
            let mut next = (*filter).clone();
            next.overdue = on.then_some(true);
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
            crate::api::petitions::export_path(&filter),
        );
        Callback::from(move |_: MouseEvent| {
            let (path, download) = (path.clone(), download.clone());
            download.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                download.set(Some(
                    crate::api::download(&path, "信访台账.xlsx")
                        .await
                        .map_err(|e| e.message(lang)),
                ));
            });
        })
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("petition.title") }</h1>
            <div class="actions">
                if super::writer(&ctx) {
                    <Link<Route> to={Route::PetitionNew} classes="button primary">{ ctx.t("petition.new") }</Link<Route>>
                }
                <button type="button" id="petitions-export" onclick={export} aria-label={ctx.t("petition.export_label")}>{ ctx.t("petition.export") }</button>
            </div>
            { match &*download {
                Some(Ok(())) => html! { <p role="status" id="petitions-download">{ ctx.t("petition.exported") }</p> },
                Some(Err(e)) => html! { <p class="error-summary" role="alert" id="petitions-download">{ e }</p> },
                None => html! {},
            } }
            <details class="filters-box" id="petition-filters-box">
                <summary>{ ctx.t("filter.title") }</summary>
                <div class="filters" id="petition-filters">
                    <SelectField id="petition-filter-status" label={ctx.t("petition.status")} value={filter.status.clone().unwrap_or_default()}
                        options={options(PetitionStatus::ALL, "petition_status", lang, Some("filter.any"))} onchange={set(|f, v| f.status = (!v.is_empty()).then_some(v))} />
                    <SelectField id="petition-filter-channel" label={ctx.t("petition.channel")} value={filter.channel.clone().unwrap_or_default()}
                        options={options(PetitionChannel::ALL, "petition_channel", lang, Some("filter.any"))} onchange={set(|f, v| f.channel = (!v.is_empty()).then_some(v))} />
                    <CheckField id="petition-filter-overdue" label={ctx.t("petition.overdue_only")} checked={filter.overdue == Some(true)} onchange={overdue_only} />
                    if areas.len() > 1 {
                        <SelectField id="petition-filter-area" label={ctx.t("petition.area")} value={filter.area.clone().unwrap_or_default()}
                            options={areas} onchange={set(|f, v| f.area = (!v.is_empty()).then_some(v))} />
                    }
                </div>
            </details>
            <ul class="results" id="petitions">
                { for list.items().iter().map(|p| html! {
                    <li>
                        <Link<Route> to={Route::Petition { id: p.id.to_string() }}>{ &p.subject }</Link<Route>>
                        <span>{ format!("{} · {} · {}", ctx.t(&format!("petition_channel.{}", p.channel)), ymd(p.received_on), p.petitioner_name_masked) }</span>
                        <span>{ units.name(&p.county_code, lang) }</span>
                        <span class="status">{ ctx.t(&format!("petition_status.{}", p.status)) }</span>
                        if p.overdue {
                            <span class="badge danger">{ ctx.t("petition.overdue") }</span>
                        }
                    </li>
                }) }
            </ul>
            { list.footer(lang, "petitions", "petition.none") }
        </section>
    }
}
