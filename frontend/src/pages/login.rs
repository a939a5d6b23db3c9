//! Login.

use shared::api::{LoginRequest, Me, TokenResponse};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::TextField;
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;

/// Props of [`Login`].
#[derive(Properties, PartialEq)]
pub struct LoginProps {
    /// Shown over a page whose session ended: after logging in, the user stays on that
    /// page (with what they typed) instead of going home.
    #[prop_or_default]
    pub overlay: bool,
}

/// The login page (or, with `overlay`, the dialog to log in again over a page).
#[function_component(Login)]
pub fn login(props: &LoginProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    use_title(ctx.t("login.title"));
    let navigator = use_navigator();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let fh = use_form(if props.overlay {
        "relogin-form"
    } else {
        "login-form"
    });

    let overlay = props.overlay;
    if let Some(me) = ctx.me.as_ref().filter(|_| !overlay) {
        return html! { <Redirect<Route> to={crate::app::landing(me)} /> };
    }

    let onsubmit = {
        let (username, password, fh, ctx) =
            (username.clone(), password.clone(), fh.clone(), ctx.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // An empty field is the user's slip, not a wrong password: say which.
            let mut missing = Vec::new();
            if username.trim().is_empty() {
                missing.push(shared::FieldError::new("username", "required", ""));
            }
            if password.is_empty() {
                missing.push(shared::FieldError::new("password", "required", ""));
            }
            if !missing.is_empty() {
                return fh.reject(missing);
            }
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
                    let next_me = me.clone();
                    ctx.set_me.emit(Some(me));
                    if overlay && !t.must_change_password {
                        return;
                    }
                    // A password an admin set must be changed before anything else; the
                    // API refuses other calls until then.
                    let next = if t.must_change_password {
                        Route::Password
                    } else {
                        crate::app::landing(&next_me)
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
            if overlay {
                <h2 id="relogin-title">{ ctx.t("login.again") }</h2>
            } else {
                <h1>{ ctx.t("login.title") }</h1>
            }
            if let Some(n) = &ctx.notice {
                <p class="notice" role="status">{ n }</p>
            }
            <form onsubmit={onsubmit} novalidate=true id={if overlay { "relogin-form" } else { "login-form" }}>
                { fh.banner(ctx.lang, "login-error") }
                <TextField id={if overlay { "relogin-username" } else { "username" }} label={ctx.t("login.username")} value={(*username).clone()} autocomplete="username"
                    oninput={fh.bind(&username, "username")} error={fh.error("username", ctx.lang)} required=true />
                <TextField id={if overlay { "relogin-password" } else { "password" }} label={ctx.t("login.password")} value={(*password).clone()} kind="password" autocomplete="current-password"
                    oninput={fh.bind(&password, "password")} error={fh.error("password", ctx.lang)} required=true />
                <button type="submit" class="primary" disabled={fh.busy()} id={if overlay { "relogin-submit" } else { "login-submit" }}>{ ctx.t("login.submit") }</button>
            </form>
        </section>
    }
}
