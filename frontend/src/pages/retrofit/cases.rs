//! The case list of the user's area: filters folded away on a phone (status, overdue,
//! year, area, a name or address, "waiting for me"), "load more" by cursor; each row
//! names the household, the village or county, the status, the plan's total and whether
//! it is overdue. The list's filters export as a spreadsheet (masked, audited by the
//! server), and county retrofit writers import a survey of needs here and open new cases.

use shared::money::format_hundredths;
use shared::retrofit::{CaseStatus, CASE_WORKFLOW};
use shared::workflow::{waiting_in, OrgLevel};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::rehab::ImportTarget;
use crate::api::retrofit::CaseQuery;
use crate::app::{Ctx, Route};
use crate::components::field::{CheckField, SelectField, TextField};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, PAGE_SIZE};
use crate::pages::rehab::import::ImportPanel;
use crate::pages::rehab::{options, years};

/// Whether the window is desktop-wide, where folded filters start open.
fn wide_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .is_some_and(|w| w >= 768.0)
}

/// Whether the user records cases: a county retrofit writer (the server holds the same
/// rule).
pub fn county_writer(me: &shared::api::Me) -> bool {
    me.permissions
        .contains(&shared::auth::Capability::WriteRetrofits)
        && OrgLevel::of_region(&me.scope.code) == OrgLevel::County
}

/// The case list.
#[function_component(CaseList)]
pub fn case_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("rf.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    // Users with steps to take start on what waits for them.
    let has_steps = ctx.as_ref().and_then(|c| c.me.clone()).is_some_and(|m| {
        !waiting_in(
            CASE_WORKFLOW,
            OrgLevel::of_region(&m.scope.code),
            &m.permissions,
        )
        .is_empty()
    });
    let filter = use_state(move || CaseQuery {
        waiting: has_steps.then_some(true),
        limit: PAGE_SIZE,
        ..CaseQuery::default()
    });
    // What is typed in the search box, applied with its button.
    let typed = use_state(String::new);
    let cases = use_paged((*filter).clone(), |f: CaseQuery, cursor| async move {
        crate::api::retrofit::cases(&CaseQuery { cursor, ..f }).await
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
    let writer = ctx.me.as_deref().is_some_and(county_writer);
    let set = |f: fn(&mut CaseQuery, String)| {
        let filter = filter.clone();
        Callback::from(move |v: String| {
            let mut next = (*filter).clone();
            f(&mut next, v);
            filter.set(next);
        })
    };
    let flag = |f: fn(&mut CaseQuery, bool)| {
        let filter = filter.clone();
        Callback::from(move |on: bool| {
            let mut next = (*filter).clone();
            f(&mut next, on);
            filter.set(next);
        })
    };
    let on_search = {
        let (filter, typed) = (filter.clone(), typed.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let q = typed.trim().to_owned();
            filter.set(CaseQuery {
                q: (!q.is_empty()).then_some(q),
                ..(*filter).clone()
            });
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
        let (download, path) = (download.clone(), crate::api::retrofit::export_path(&filter));
        Callback::from(move |_: MouseEvent| {
            let (path, download) = (path.clone(), download.clone());
            download.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                download.set(Some(
                    crate::api::download(&path, "无障碍改造台账.xlsx")
                        .await
                        .map_err(|e| e.message(lang)),
                ));
            });
        })
    };
    let on_imported = {
        let cases = cases.clone();
        Callback::from(move |_| cases.reload())
    };
    let year_opts: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("filter.any")))
        .chain(years().into_iter().map(|y| (y.to_string(), y.to_string())))
        .collect();
    let empty = if filter.waiting.is_some() {
        "rf.none_waiting"
    } else {
        "rf.none"
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("rf.title") }</h1>
            <div class="actions">
                if writer {
                    <Link<Route> to={Route::RetrofitNew} classes="button primary">{ ctx.t("rf.new") }</Link<Route>>
                }
                <button type="button" id="cases-export" onclick={export} aria-label={ctx.t("rf.export_label")}>{ ctx.t("rf.export") }</button>
            </div>
            { match &*download {
                Some(Ok(())) => html! { <p role="status" id="cases-download">{ ctx.t("rehab.exported") }</p> },
                Some(Err(e)) => html! { <p class="error-summary" role="alert" id="cases-download">{ e }</p> },
                None => html! {},
            } }
            if writer {
                <details class="filters-box" id="cases-import-box">
                    <summary>{ ctx.t("rf.import") }</summary>
                    <p class="hint">{ ctx.t("rf.import_hint") }</p>
                    <ImportPanel id="cases-import" target={ImportTarget::Retrofits} onimported={on_imported}
                        template={Some((AttrValue::Static(crate::api::retrofit::TEMPLATE), AttrValue::Static("无障碍改造需求导入模板.xlsx")))} />
                </details>
            }
            <details class="filters-box" id="case-filters-box" open={wide_screen()}>
                <summary>{ ctx.t("filter.title") }</summary>
                <div class="filters" id="case-filters">
                    <SelectField id="case-filter-status" label={ctx.t("rf.status")} value={filter.status.clone().unwrap_or_default()}
                        options={options(CaseStatus::ALL, "rf_status", lang, Some("filter.any"))} onchange={set(|f, v| f.status = (!v.is_empty()).then_some(v))} />
                    <SelectField id="case-filter-year" label={ctx.t("rf.year")} value={filter.year.map(|y| y.to_string()).unwrap_or_default()}
                        options={year_opts} onchange={set(|f, v| f.year = v.parse().ok())} />
                    if areas.len() > 1 {
                        <SelectField id="case-filter-area" label={ctx.t("rehab.county")} value={filter.area.clone().unwrap_or_default()}
                            options={areas} onchange={set(|f, v| f.area = (!v.is_empty()).then_some(v))} />
                    }
                    <form class="inline-form" role="search" aria-label={ctx.t("rf.search")} onsubmit={on_search}>
                        <TextField id="case-filter-q" label={ctx.t("rf.search")} value={(*typed).clone()}
                            oninput={let t = typed.clone(); Callback::from(move |v| t.set(v))} />
                        <button type="submit" id="case-filter-go">{ ctx.t("persons.search") }</button>
                    </form>
                </div>
            </details>
            <CheckField id="case-overdue" label={ctx.t("rf.overdue_only")} checked={filter.overdue == Some(true)}
                onchange={flag(|f, on| f.overdue = on.then_some(true))} />
            if has_steps {
                <CheckField id="case-waiting" label={ctx.t("rehab.waiting")} checked={filter.waiting == Some(true)}
                    onchange={flag(|f, on| f.waiting = on.then_some(true))} />
            }
            <ul class="results" id="cases">
                { for cases.items().iter().map(|c| {
                    html! {
                        <li>
                            <Link<Route> to={Route::RetrofitCase { id: c.id.to_string() }}>{ super::members(c) }</Link<Route>>
                            <span>{ units.name(&c.county_code, lang) }</span>
                            <span class="status">{ ctx.t(&format!("rf_status.{}", c.status)) }</span>
                            if c.overdue {
                                <span class="badge pending">{ ctx.t("rf.overdue") }</span>
                            }
                            if !c.plan.items.is_empty() {
                                <span class="nowrap">{ format!("{} {}", ctx.t("rf.plan_total"), format_hundredths(c.plan.total_fen)) }</span>
                            }
                        </li>
                    }
                }) }
            </ul>
            { cases.footer(lang, "cases", empty) }
        </section>
    }
}
