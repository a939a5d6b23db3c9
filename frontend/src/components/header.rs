//! The top bar: app name, navigation, the user's unit, language switch, logout.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::i18n::Lang;

/// Props of [`NavLink`].
#[derive(Properties, PartialEq, Clone)]
pub struct NavLinkProps {
    /// Where it goes.
    pub to: Route,
    /// Message key of its text.
    pub label: &'static str,
}

/// A menu link that says so (`aria-current="page"`, and a style) when its page, or a
/// page below it, is the current one.
#[function_component(NavLink)]
pub fn nav_link(p: &NavLinkProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let current = use_route::<Route>().is_some_and(|r| r.section() == p.to.section());
    let navigator = use_navigator();
    let onclick = {
        let to = p.to.clone();
        Callback::from(move |e: MouseEvent| {
            // Plain clicks stay in the app; modified clicks open a tab as links do.
            if !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0) {
                e.prevent_default();
                if let Some(n) = &navigator {
                    n.push(&to);
                }
            }
        })
    };
    html! {
        <a href={p.to.to_path()} {onclick} class={classes!(current.then_some("current"))}
            aria-current={current.then_some("page")}>{ ctx.t(p.label) }</a>
    }
}

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
                crate::hooks::units::forget();
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
                    { for crate::app::menu(me).into_iter().map(|(to, label)| html! { <NavLink {to} {label} /> }) }
                    <button type="button" class="link" onclick={logout}>{ ctx.t("nav.logout") }</button>
                </nav>
                <p class="who">{ format!("{} · {}", me.user.display_name, me.unit.name) }</p>
            }
        </header>
    }
}
