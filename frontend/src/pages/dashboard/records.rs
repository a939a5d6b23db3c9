//! The records behind a figure of the dashboard (`/dashboard/records`): within the
//! user's scope, a page at a time, persons masked. A ratio's denominator records that
//! do not count in its numerator are listed too, and say so.

use shared::money::format_hundredths;
use shared::plan::Period;
use yew::prelude::*;

use super::page::indicator_name;
use super::period_label;
use super::Go;
use crate::app::{Ctx, Route};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, use_remote};

/// Props of [`RecordsPage`].
#[derive(Properties, PartialEq, Clone)]
pub struct RecordsProps {
    /// Unit code.
    pub unit: String,
    /// Period.
    pub period: String,
    /// Indicator code.
    pub indicator: String,
}

/// The list of records behind one figure.
#[function_component(RecordsPage)]
pub fn records_page(p: &RecordsProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("records.title"))
            .unwrap_or_default(),
    );
    let units = crate::hooks::units::use_units();
    let period = Period::parse(&p.period);
    let year = period.map(|x| x.year);
    let plan = use_remote(year, |y| async move {
        match y {
            Some(y) => crate::api::plan::plan(y).await.map(Some),
            None => Ok(None),
        }
    });
    let list = use_paged(
        (p.indicator.clone(), p.unit.clone(), period),
        |(ind, unit, per), cursor| async move {
            match per {
                Some(per) => crate::api::plan::records(&ind, &unit, per, cursor).await,
                None => Ok(shared::api::Page {
                    items: Vec::new(),
                    next_cursor: None,
                }),
            }
        },
    );
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let ind_name = plan
        .ready()
        .cloned()
        .flatten()
        .and_then(|d| d.indicators.into_iter().find(|i| i.code == p.indicator))
        .map(|i| indicator_name(&i, lang))
        .unwrap_or_default();
    let what = format!(
        "{} · {} · {}",
        ind_name,
        units.name(&p.unit, lang),
        period.map(|x| period_label(x, lang)).unwrap_or_default()
    );
    html! {
        <section class="card">
            <p class="crumbs">
                <Go to={Route::DashboardUnit { unit: p.unit.clone(), period: p.period.clone() }} id="records-back">
                    { ctx.t("records.back").replace("{u}", &units.name(&p.unit, lang)) }
                </Go>
            </p>
            <h1>{ ctx.t("records.title") }</h1>
            <p id="records-what">{ what }</p>
            <p class="hint">{ ctx.t("records.masked") }</p>
            <ul class="results" id="records">
                { for list.items().iter().map(|r| html! {
                    <li id={format!("record-{}", r.id)}>
                        <strong>{ &r.label }</strong>
                        if let Some(n) = &r.person_masked { <span>{ n }</span> }
                        if let Some(n) = &r.id_number_masked { <span class="mono">{ n }</span> }
                        <span>{ units.name(&r.county_code, lang) }</span>
                        if let Some(d) = r.date { <span class="nowrap">{ d.to_string() }</span> }
                        if let Some(f) = r.amount_fen {
                            <span class="nowrap">{ format!("{} {}", format_hundredths(f), ctx.t("dash.yuan")) }</span>
                        }
                        <span class="badge">{ ctx.t(&format!("record_kind.{}", r.kind)).replace("record_kind.", "") }</span>
                        if !r.in_numerator {
                            <span class="badge pending">{ ctx.t("records.not_in_numerator") }</span>
                        }
                    </li>
                }) }
            </ul>
            { list.footer(lang, "records", "records.none") }
        </section>
    }
}
