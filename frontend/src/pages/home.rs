//! The home page: what this user can do, in their unit.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};

/// The home page.
#[function_component(Home)]
pub fn home() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let Some(me) = ctx.me.clone() else {
        return html! {};
    };
    let can_read = me
        .permissions
        .contains(&shared::auth::Capability::ReadPersons);
    let can_write = me
        .permissions
        .contains(&shared::auth::Capability::WritePersons);
    html! {
        <section class="card">
            <h1>{ ctx.t("home.title") }</h1>
            <dl class="facts">
                <dt>{ ctx.t("home.unit") }</dt><dd>{ &me.unit.name }</dd>
                <dt>{ ctx.t("home.scope") }</dt><dd>{ &me.scope.name }</dd>
            </dl>
            <h2>{ ctx.t("home.can") }</h2>
            <ul class="caps">
                { for me.permissions.iter().map(|c| html! { <li>{ ctx.t(&format!("cap.{c}")) }</li> }) }
            </ul>
            <p class="actions">
                if can_read {
                    <Link<Route> to={Route::Persons} classes="button">{ ctx.t("nav.persons") }</Link<Route>>
                }
                if can_write {
                    <Link<Route> to={Route::PersonNew} classes="button primary">{ ctx.t("persons.new") }</Link<Route>>
                }
            </p>
        </section>
    }
}
