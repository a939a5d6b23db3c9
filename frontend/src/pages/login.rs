//! Login.

use shared::api::{LoginRequest, Me, TokenResponse};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::TextField;
use crate::hooks::form::{use_form, Failure};

/// The login page.
#[function_component(Login)]
pub fn login() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let navigator = use_navigator();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let fh = use_form("login-form");

    if let Some(me) = &ctx.me {
        let to = if me.user.must_change_password {
            Route::Password
        } else {
            Route::Home
        };
        return html! { <Redirect<Route> to={to} /> };
    }

    let onsubmit = {
        let (username, password, fh, ctx) =
            (username.clone(), password.clone(), fh.clone(), ctx.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = LoginRequest {
                username: (*username).trim().to_owned(),
                password: (*password).clone(),
            };
            let (ctx, navigator) = (ctx.clone(), navigator.clone());
            fh.submit(
                move |_| async move {
                    let t = match crate::api::post::<TokenResponse, _>("/api/v1/auth/login", &body)
                        .await
                    {
                        Ok(t) => t,
                        Err(e) if e.status == 429 => {
                            return Err(Failure::Message("login.locked", Vec::new()))
                        }
                        Err(e) if e.status == 401 => {
                            return Err(Failure::Message("login.failed", Vec::new()))
                        }
                        Err(e) => return Err(e.into()),
                    };
                    crate::api::store_tokens(&t);
                    let me = crate::api::get::<Me>("/api/v1/me").await?;
                    Ok((t, me))
                },
                move |(t, me): (TokenResponse, Me)| {
                    ctx.set_me.emit(Some(me));
                    // A password an admin set must be changed before anything else; the
                    // API refuses other calls until then.
                    let next = if t.must_change_password {
                        Route::Password
                    } else {
                        Route::Home
                    };
                    if let Some(n) = navigator {
                        n.push(&next);
                    }
                },
            );
        })
    };
    html! {
        <section class="card narrow">
            <h1>{ ctx.t("login.title") }</h1>
            if let Some(n) = &ctx.notice {
                <p class="notice" role="status">{ n }</p>
            }
            <form onsubmit={onsubmit} novalidate=true id="login-form">
                { fh.banner(ctx.lang, "login-error") }
                <TextField id="username" label={ctx.t("login.username")} value={(*username).clone()} autocomplete="username"
                    oninput={fh.bind(&username, "username")} error={fh.error("username", ctx.lang)} required=true />
                <TextField id="password" label={ctx.t("login.password")} value={(*password).clone()} kind="password" autocomplete="current-password"
                    oninput={fh.bind(&password, "password")} error={fh.error("password", ctx.lang)} required=true />
                <button type="submit" class="primary" disabled={fh.busy()} id="login-submit">{ ctx.t("login.submit") }</button>
            </form>
        </section>
    }
}
