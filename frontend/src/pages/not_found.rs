//! Unknown paths.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};

/// 404 page.
#[function_component(NotFound)]
pub fn not_found() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    html! {
        <section class="card">
            <h1>{ "404" }</h1>
            <p><Link<Route> to={Route::Home}>{ ctx.t("nav.home") }</Link<Route>></p>
        </section>
    }
}
