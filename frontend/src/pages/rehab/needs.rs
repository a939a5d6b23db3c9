//! The need list of the user's area, and the same list as "follow-ups due": filters
//! folded away on a phone (status, kind, year, county, "waiting for me"); each row
//! names the person, the kind or project, the device, the status and the follow-up date.
//! The list's filters export as a spreadsheet (masked, audited by the server), and
//! county rehab staff import a survey of needs here (template, check, import).

use shared::rehab::{NeedKind, NeedStatus, NEED_WORKFLOW};
use shared::workflow::{waiting_in, OrgLevel};
use yew::prelude::*;
use yew_router::prelude::*;

use super::import::ImportPanel;
use super::{options, years};
use crate::api::rehab::{ImportTarget, NeedQuery};
use crate::app::{Ctx, Route};
use crate::components::field::{CheckField, SelectField};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, PAGE_SIZE};

/// Props: which list.
#[derive(Properties, PartialEq)]
pub struct NeedListProps {
    /// The follow-ups due instead of all needs.
    pub follow_ups: bool,
}

/// Whether the window is desktop-wide, where folded filters start open.
fn wide_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .is_some_and(|w| w >= 768.0)
}

/// The need list.
#[function_component(NeedList)]
pub fn need_list(p: &NeedListProps) -> Html {
    let ctx = use_context::<Ctx>();
    let title = if p.follow_ups {
        "rehab.follow_ups_title"
    } else {
        "rehab.title"
    };
    use_title(ctx.as_ref().map(|c| c.t(title)).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    // Users with steps to take start on what waits for them.
    let has_steps = ctx.as_ref().and_then(|c| c.me.clone()).is_some_and(|m| {
        !waiting_in(
            NEED_WORKFLOW,
            OrgLevel::of_region(&m.scope.code),
            &m.permissions,
        )
        .is_empty()
    });
    let follow_ups = p.follow_ups;
    let initial = move || NeedQuery {
        waiting: (has_steps && !follow_ups).then_some(true),
        follow_up_due: follow_ups.then_some(true),
        limit: PAGE_SIZE,
        ..NeedQuery::default()
    };
    let filter = use_state(initial);
    {
        // The two menu entries share this page: switching between them starts afresh.
        let filter = filter.clone();
        use_effect_with(follow_ups, move |_| {
            filter.set(initial());
            || ()
        });
    }
    let needs = use_paged((*filter).clone(), |f: NeedQuery, cursor| async move {
        crate::api::rehab::needs(&NeedQuery { cursor, ..f }).await
    });
    // The outcome of the last export: done, or why not.
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
    let set = |f: fn(&mut NeedQuery, String)| {
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
            filter.set(NeedQuery {
                waiting: on.then_some(true),
                ..(*filter).clone()
            })
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
    // County rehab staff import their county's survey (the server holds the same rule).
    let imports = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::WriteRehab)
            && OrgLevel::of_region(&m.scope.code) == OrgLevel::County
    });
    let export = {
        let (download, path) = (
            download.clone(),
            crate::api::rehab::needs_export_path(&filter),
        );
        Callback::from(move |_: MouseEvent| {
            let (path, download) = (path.clone(), download.clone());
            download.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                download.set(Some(
                    crate::api::download(&path, "康复需求.xlsx")
                        .await
                        .map_err(|e| e.message(lang)),
                ));
            });
        })
    };
    let on_imported = {
        let needs = needs.clone();
        Callback::from(move |_| needs.reload())
    };
    let year_opts: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("filter.any")))
        .chain(years().into_iter().map(|y| (y.to_string(), y.to_string())))
        .collect();
    let empty = if follow_ups {
        "rehab.none_follow_ups"
    } else if filter.waiting.is_some() {
        "rehab.none_waiting"
    } else {
        "rehab.none"
    };
    html! {
        <section class="card">
            <h1>{ ctx.t(title) }</h1>
            if follow_ups {
                <p class="hint">{ ctx.t("rehab.follow_ups_hint") }</p>
            }
            if !follow_ups {
                <div class="actions">
                    <button type="button" id="needs-export" onclick={export} aria-label={ctx.t("rehab.export_label")}>{ ctx.t("rehab.export") }</button>
                </div>
                { match &*download {
                    Some(Ok(())) => html! { <p role="status" id="needs-download">{ ctx.t("rehab.exported") }</p> },
                    Some(Err(e)) => html! { <p class="error-summary" role="alert" id="needs-download">{ e }</p> },
                    None => html! {},
                } }
                if imports {
                    <details class="filters-box" id="needs-import-box">
                        <summary>{ ctx.t("rehab.import") }</summary>
                        <p class="hint">{ ctx.t("rehab.import_hint") }</p>
                        <ImportPanel id="needs-import" target={ImportTarget::Needs} onimported={on_imported}
                            template={Some((AttrValue::Static(crate::api::rehab::NEEDS_TEMPLATE), AttrValue::Static("康复需求导入模板.xlsx")))} />
                    </details>
                }
            }
            <details class="filters-box" id="need-filters-box" open={wide_screen()}>
                <summary>{ ctx.t("filter.title") }</summary>
                <div class="filters" id="need-filters">
                    if !follow_ups {
                        <SelectField id="need-filter-status" label={ctx.t("rehab.status")} value={filter.status.clone().unwrap_or_default()}
                            options={options(NeedStatus::ALL, "need", lang, Some("filter.any"))} onchange={set(|f, v| f.status = (!v.is_empty()).then_some(v))} />
                        <SelectField id="need-filter-kind" label={ctx.t("rehab.kind")} value={filter.kind.clone().unwrap_or_default()}
                            options={options(NeedKind::ALL, "need_kind", lang, Some("filter.any"))} onchange={set(|f, v| f.kind = (!v.is_empty()).then_some(v))} />
                    }
                    <SelectField id="need-filter-year" label={ctx.t("rehab.year")} value={filter.year.map(|y| y.to_string()).unwrap_or_default()}
                        options={year_opts} onchange={set(|f, v| f.year = v.parse().ok())} />
                    if areas.len() > 1 {
                        <SelectField id="need-filter-county" label={ctx.t("rehab.county")} value={filter.county.clone().unwrap_or_default()}
                            options={areas} onchange={set(|f, v| f.county = (!v.is_empty()).then_some(v))} />
                    }
                </div>
            </details>
            if !follow_ups && has_steps {
                <CheckField id="need-waiting" label={ctx.t("rehab.waiting")} checked={filter.waiting == Some(true)} onchange={on_waiting} />
            }
            <ul class="results" id="needs">
                { for needs.items().iter().map(|n| {
                    let what = match &n.item_name {
                        Some(item) => format!("{} · {}", ctx.t(&format!("project.{}", n.fields.project)), item),
                        None => format!("{} · {}", ctx.t(&format!("need_kind.{}", n.fields.kind)), ctx.t(&format!("project.{}", n.fields.project))),
                    };
                    html! {
                        <li>
                            <Link<Route> to={Route::RehabNeed { id: n.id.to_string() }}>{ &n.person_name }</Link<Route>>
                            <span>{ what }</span>
                            <span>{ units.name(&n.county_code, lang) }</span>
                            <span class="status">{ ctx.t(&format!("need.{}", n.status)) }</span>
                            if let Some(d) = n.follow_up_due {
                                <span class="nowrap">{ format!("{} {}", ctx.t("rehab.follow_up_due"), super::ymd(d)) }</span>
                            }
                        </li>
                    }
                }) }
            </ul>
            { needs.footer(lang, "needs", empty) }
        </section>
    }
}
