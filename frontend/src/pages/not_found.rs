//! Unknown paths: says so, and offers the way back.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::hooks::page::use_title;

/// 404 page.
#[function_component(NotFound)]
pub fn not_found() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("notfound.title"))
            .unwrap_or_default(),
    );
    let Some(ctx) = ctx else {
        return html! {};
    };
    let back = Callback::from(|_| {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.back();
        }
    });
    html! {
        <section class="card" id="not-found">
            <h1>{ ctx.t("notfound.title") }</h1>
            <p>{ ctx.t("notfound.text") }</p>
            <p class="actions">
                <Link<Route> to={Route::Home} classes="button primary">{ ctx.t("notfound.home") }</Link<Route>>
                <button type="button" class="button" onclick={back}>{ ctx.t("notfound.back") }</button>
            </p>
        </section>
    }
}
