//! Changing one's own password.

use shared::api::PasswordChange;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::TextField;

/// The password page.
#[function_component(Password)]
pub fn password() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let current = use_state(String::new);
    let new = use_state(String::new);
    let errors = use_state(Vec::<shared::FieldError>::new);
    let done = use_state(|| false);
    let onsubmit = {
        let (current, new, errors, done, ctx) = (
            current.clone(),
            new.clone(),
            errors.clone(),
            done.clone(),
            ctx.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Err(err) = shared::auth::validate_password(&new) {
                errors.set(vec![shared::FieldError::new(
                    "new_password",
                    err.code,
                    err.message,
                )]);
                return;
            }
            let body = PasswordChange {
                current_password: (*current).clone(),
                new_password: (*new).clone(),
            };
            let (errors, done, lang, set_me) =
                (errors.clone(), done.clone(), ctx.lang, ctx.set_me.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::post_empty("/api/v1/me/password", &body).await {
                    Ok(()) => {
                        errors.set(Vec::new());
                        done.set(true);
                        // Reload the user: a required change is now done, which
                        // lets the other pages open again.
                        if let Ok(me) = crate::api::get::<shared::api::Me>("/api/v1/me").await {
                            set_me.emit(Some(me));
                        }
                    }
                    Err(e) => errors.set(
                        e.problem
                            .clone()
                            .map(|p| p.errors)
                            .filter(|v| !v.is_empty())
                            .unwrap_or_else(|| {
                                vec![shared::FieldError::new(
                                    "current_password",
                                    "",
                                    e.message(lang),
                                )]
                            }),
                    ),
                }
            });
        })
    };
    let err = |f: &str| {
        errors
            .iter()
            .find(|e| e.field == f)
            .map(|e| ctx.lang.error(&e.code, &e.message))
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
            <form onsubmit={onsubmit} novalidate=true>
                <TextField id="current_password" label={ctx.t("field.current_password")} kind="password" autocomplete="current-password"
                    value={(*current).clone()} oninput={let s = current.clone(); Callback::from(move |v| s.set(v))} error={err("current_password")} required=true />
                <TextField id="new_password" label={ctx.t("field.new_password")} kind="password" autocomplete="new-password"
                    value={(*new).clone()} oninput={let s = new.clone(); Callback::from(move |v| s.set(v))} error={err("new_password")} required=true />
                <button type="submit" class="primary">{ ctx.t("persons.save") }</button>
            </form>
        </section>
    }
}
