//! Changing one's own password.

use shared::api::PasswordChange;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::TextField;
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;

/// The password page.
#[function_component(Password)]
pub fn password() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    use_title(ctx.t("nav.password"));
    let current = use_state(String::new);
    let new = use_state(String::new);
    let again = use_state(String::new);
    let fh = use_form("password-form");
    let lang = ctx.lang;
    let done = use_state(|| false);
    let onsubmit = {
        let again = again.clone();
        let (current, new, done, fh, set_me) = (
            current.clone(),
            new.clone(),
            done.clone(),
            fh.clone(),
            ctx.set_me.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            done.set(false);
            if let Err(err) = shared::auth::validate_password(&new) {
                fh.reject(vec![shared::FieldError::new(
                    "new_password",
                    err.code,
                    err.message,
                )]);
                return;
            }
            if *again != *new {
                fh.reject(vec![shared::FieldError::new(
                    "new_password_again",
                    "passwords_differ",
                    "",
                )]);
                return;
            }
            let body = PasswordChange {
                current_password: (*current).clone(),
                new_password: (*new).clone(),
            };
            let (done, set_me, current, new, again) = (
                done.clone(),
                set_me.clone(),
                current.clone(),
                new.clone(),
                again.clone(),
            );
            fh.submit(
                move |_| async move { Ok(crate::api::post_empty("/api/v1/me/password", &body).await?) },
                move |()| {
                    current.set(String::new());
                    new.set(String::new());
                    again.set(String::new());
                    done.set(true);
                    // Reload the user: a required change is now done, which lets the
                    // other pages open again.
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Ok(me) = crate::api::get::<shared::api::Me>("/api/v1/me").await {
                            set_me.emit(Some(me));
                        }
                    });
                },
            );
        })
    };
    html! {
        <section class="card narrow">
            <h1>{ ctx.t("password.title") }</h1>
            if ctx.me.as_ref().is_some_and(|m| m.user.must_change_password) {
                <p class="notice" role="status" id="password-required">{ ctx.t("password.required") }</p>
            }
            if *done {
                <p class="notice" role="status">{ ctx.t("password.done") }</p>
            }
            { fh.banner(lang, "password-banner") }
            <form onsubmit={onsubmit} novalidate=true id="password-form">
                <TextField id="current_password" label={ctx.t("field.current_password")} kind="password" autocomplete="current-password"
                    value={(*current).clone()} oninput={fh.bind(&current, "current_password")} error={fh.error("current_password", lang)} required=true />
                <TextField id="new_password" label={ctx.t("field.new_password")} kind="password" autocomplete="new-password"
                    value={(*new).clone()} oninput={fh.bind(&new, "new_password")} error={fh.error("new_password", lang)} required=true />
                <p class="hint" id="password-rules">{ ctx.t("password.rules") }</p>
                <TextField id="new_password_again" label={ctx.t("field.new_password_again")} kind="password" autocomplete="new-password"
                    value={(*again).clone()} oninput={fh.bind(&again, "new_password_again")} error={fh.error("new_password_again", lang)} required=true />
                <button type="submit" class="primary" id="password-save" disabled={fh.busy()}>{ ctx.t("persons.save") }</button>
            </form>
        </section>
    }
}
