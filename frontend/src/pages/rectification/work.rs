//! "My work": what the user's unit has due within seven days or overdue, across the
//! ledgers — rectification items it holds or must recheck, retrofit cases past their
//! status's time, plan milestones not yet delivered — overdue first, each a link to
//! its record.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Ctx;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::pages::rehab::ymd;

/// The "my work" page.
#[function_component(WorkPage)]
pub fn work_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("work.title")).unwrap_or_default());
    let work = use_remote((), |()| async move {
        crate::api::rectification::my_work().await
    });
    let units = crate::hooks::units::use_units();
    let navigator = use_navigator();
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    html! {
        <section class="card">
            <h1>{ ctx.t("work.title") }</h1>
            <p class="hint">{ ctx.t("work.hint") }</p>
            { match work.ready() {
                None => work.placeholder(lang, None),
                Some(list) if list.is_empty() => html! { <p id="work-none">{ ctx.t("work.none") }</p> },
                Some(list) => html! {
                    <ul class="results" id="work">
                        { for list.iter().map(|w| {
                            let link = w.link.clone();
                            let nav = navigator.clone();
                            let onclick = Callback::from(move |e: MouseEvent| {
                                e.prevent_default();
                                if let Some(n) = &nav {
                                    n.push(&crate::app::Route::recognize(&link).unwrap_or(crate::app::Route::NotFound));
                                }
                            });
                            html! {
                                <li>
                                    <a id={format!("work-{}", w.id)} href={w.link.clone()} {onclick}>{ &w.title }</a>
                                    <span>{ ctx.t(&format!("work_kind.{}", w.kind)) }</span>
                                    <span>{ units.name(&w.unit_code, lang) }</span>
                                    if let Some(d) = w.due {
                                        <span class="nowrap">{ format!("{} {}", ctx.t("work.due"), ymd(d)) }</span>
                                    }
                                    if w.overdue {
                                        <span class="badge pending">{ ctx.t("rc.overdue") }</span>
                                    }
                                </li>
                            }
                        }) }
                    </ul>
                },
            } }
        </section>
    }
}
