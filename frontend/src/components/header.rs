//! The top bar: app name, navigation, the user's unit, language switch, logout.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::i18n::Lang;

/// The header.
#[function_component(Header)]
pub fn header() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let navigator = use_navigator();
    let switch_lang = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            ctx.set_lang.emit(if ctx.lang == Lang::Zh {
                Lang::En
            } else {
                Lang::Zh
            })
        })
    };
    let logout = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            let ctx = ctx.clone();
            let navigator = navigator.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let body = shared::api::LogoutRequest {
                    refresh_token: crate::api::refresh_token(),
                };
                let _ = crate::api::post_empty("/api/v1/auth/logout", &body).await;
                crate::api::clear_tokens();
                ctx.set_me.emit(None);
                if let Some(n) = navigator {
                    n.push(&Route::Login);
                }
            });
        })
    };
    html! {
        <header class="top">
            <div class="brand">
                <span class="name">{ ctx.t("app.name") }</span>
                <span class="tagline">{ ctx.t("app.tagline") }</span>
            </div>
            <button type="button" class="link lang" onclick={switch_lang} lang={if ctx.lang == Lang::Zh { "en" } else { "zh-CN" }}>
                { ctx.t("app.switch_lang") }
            </button>
            if let Some(me) = &ctx.me {
                <nav aria-label={ctx.t("nav.main")}>
                    <Link<Route> to={Route::Home}>{ ctx.t("nav.home") }</Link<Route>>
                    if me.permissions.contains(&shared::auth::Capability::ReadPersons) {
                        <Link<Route> to={Route::Persons}>{ ctx.t("nav.persons") }</Link<Route>>
                        <Link<Route> to={Route::Courses}>{ ctx.t("nav.courses") }</Link<Route>>
                        <Link<Route> to={Route::Loans}>{ ctx.t("nav.loans") }</Link<Route>>
                        <Link<Route> to={Route::Bases}>{ ctx.t("nav.bases") }</Link<Route>>
                    }
                    <Link<Route> to={Route::Password}>{ ctx.t("nav.password") }</Link<Route>>
                    <button type="button" class="link" onclick={logout}>{ ctx.t("nav.logout") }</button>
                </nav>
                <p class="who">{ format!("{} · {}", me.user.display_name, me.unit.name) }</p>
            }
        </header>
    }
}
