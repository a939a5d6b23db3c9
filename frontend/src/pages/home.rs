//! The home page: the user's unit and area, and a link to every page the user can use
//! (the same list as the menu, [`crate::app::menu`]), each with what it is for.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::hooks::page::use_title;

/// The home page.
#[function_component(Home)]
pub fn home() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("home.title")).unwrap_or_default());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(me) = ctx.me.clone() else {
        return html! {};
    };
    let can_write = me
        .permissions
        .contains(&shared::auth::Capability::WritePersons);
    let pages: Vec<(Route, &'static str)> = crate::app::menu(&me)
        .into_iter()
        .filter(|(r, _)| !matches!(r, Route::Home))
        .collect();
    html! {
        <section class="card">
            <h1>{ ctx.t("home.title") }</h1>
            <dl class="facts">
                <dt>{ ctx.t("home.unit") }</dt><dd>{ &me.unit.name }</dd>
                <dt>{ ctx.t("home.scope") }</dt><dd>{ &me.scope.name }</dd>
            </dl>
            <h2>{ ctx.t("home.can") }</h2>
            <ul class="tiles" id="home-pages">
                { for pages.iter().map(|(to, label)| {
                    let section = to.section();
                    html! {
                        <li>
                            <Link<Route> to={to.clone()}>{ ctx.t(label) }</Link<Route>>
                            <p>{ ctx.t(&format!("home.about.{section}")) }</p>
                        </li>
                    }
                }) }
            </ul>
            if can_write {
                <p class="actions">
                    <Link<Route> to={Route::PersonNew} classes="button primary">{ ctx.t("persons.new") }</Link<Route>>
                </p>
            }
            <details>
                <summary>{ ctx.t("home.rights") }</summary>
                <ul class="caps">
                    { for me.permissions.iter().map(|c| html! { <li>{ ctx.t(&format!("cap.{c}")) }</li> }) }
                </ul>
            </details>
        </section>
    }
}
