//! Login.

use shared::api::{LoginRequest, Me, TokenResponse};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::TextField;

/// The login page.
#[function_component(Login)]
pub fn login() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let navigator = use_navigator();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);

    if let Some(me) = &ctx.me {
        let to = if me.user.must_change_password {
            Route::Password
        } else {
            Route::Home
        };
        return html! { <Redirect<Route> to={to} /> };
    }

    let onsubmit = {
        let (username, password, error, busy, ctx) = (
            username.clone(),
            password.clone(),
            error.clone(),
            busy.clone(),
            ctx.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = LoginRequest {
                username: (*username).trim().to_owned(),
                password: (*password).clone(),
            };
            let (error, busy, ctx, navigator) =
                (error.clone(), busy.clone(), ctx.clone(), navigator.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::post::<TokenResponse, _>("/api/v1/auth/login", &body).await {
                    Ok(t) => {
                        crate::api::store_tokens(&t);
                        match crate::api::get::<Me>("/api/v1/me").await {
                            Ok(me) => {
                                ctx.set_me.emit(Some(me));
                                // A password an admin set must be changed before anything
                                // else; the API refuses other calls until then.
                                let next = if t.must_change_password {
                                    Route::Password
                                } else {
                                    Route::Home
                                };
                                if let Some(n) = navigator {
                                    n.push(&next);
                                }
                            }
                            Err(e) => error.set(Some(e.message(ctx.lang))),
                        }
                    }
                    Err(e) => error.set(Some(match (e.status, e.code()) {
                        (429, _) => ctx.t("login.locked"),
                        (401, _) => ctx.t("login.failed"),
                        _ => e.message(ctx.lang),
                    })),
                }
                busy.set(false);
            });
        })
    };
    html! {
        <section class="card narrow">
            <h1>{ ctx.t("login.title") }</h1>
            if let Some(n) = &ctx.notice {
                <p class="notice" role="status">{ n }</p>
            }
            <form onsubmit={onsubmit} novalidate=true>
                if let Some(e) = &*error {
                    <p class="error-summary" role="alert" id="login-error">{ e }</p>
                }
                <TextField id="username" label={ctx.t("login.username")} value={(*username).clone()} autocomplete="username"
                    oninput={let s = username.clone(); Callback::from(move |v| s.set(v))} required=true />
                <TextField id="password" label={ctx.t("login.password")} value={(*password).clone()} kind="password" autocomplete="current-password"
                    oninput={let s = password.clone(); Callback::from(move |v| s.set(v))} required=true />
                <button type="submit" class="primary" disabled={*busy} id="login-submit">{ ctx.t("login.submit") }</button>
            </form>
        </section>
    }
}
