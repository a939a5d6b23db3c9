//! User administration: the list of users in the admin's area (search by name and by
//! unit), a new user, and a user's page (reset the password, disable, enable). Data
//! roles follow the two-person rule: an admin's grant waits as `pending_roles` until a
//! leader confirms or rejects it, on the same pages (a leader sees the waiting grants).

use shared::api::{
    Page, PasswordReset, RoleChange, User, UserCreate, UserQuery, VersionOnly,
    USER_SEARCH_MAX_CHARS,
};
use shared::auth::{validate_password, validate_username, Capability, Role};
use shared::{FieldError, FieldErrors};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, use_remote, PAGE_SIZE};
use crate::hooks::units::{use_units, Units};
use crate::i18n::Lang;

/// The roles, translated and joined ("无" for none).
pub fn role_names(roles: &[Role], lang: Lang) -> String {
    if roles.is_empty() {
        return lang.t("users.no_roles");
    }
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    roles
        .iter()
        .map(|r| lang.t(&format!("role.{r}")))
        .collect::<Vec<_>>()
        .join(sep)
}

/// "label: text" with the colon of the language.
fn labelled(label: &str, text: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{label}：{text}"),
        Lang::En => format!("{label}: {text}"),
    }
}

/// What a role allows, translated and joined.
pub fn role_allows(role: Role, lang: Lang) -> String {
    let sep = if lang == Lang::Zh { "；" } else { "; " };
    role.capabilities()
        .iter()
        .map(|c| lang.t(&format!("cap.{c}")))
        .collect::<Vec<_>>()
        .join(sep)
}

/// The units of the user's area that a user can belong to, as (code, name) in code
/// order; a county's name says its city.
fn units_in_scope(units: &Units, scope: &str, lang: Lang) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = units
        .all()
        .iter()
        .filter(|u| u.code.starts_with(scope))
        .map(|u| {
            let name = units.name(&u.code, lang);
            let label = match (&u.kind, &u.parent_code) {
                (shared::OrgUnitKind::County, Some(city)) => {
                    format!("{} · {}", units.name(city, lang), name)
                }
                _ => name,
            };
            (u.code.clone(), label)
        })
        .collect();
    list.sort();
    list
}

/// What the signed-in user may do here.
fn powers(ctx: &Ctx) -> (bool, bool) {
    let has = |c| ctx.me.as_ref().is_some_and(|m| m.permissions.contains(&c));
    (has(Capability::ManageUsers), has(Capability::ConfirmGrants))
}

/// The filters of the list as typed (applied on submit).
#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    q: String,
    unit: String,
    pending: bool,
}

impl Filters {
    fn query(&self, cursor: Option<String>) -> UserQuery {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        UserQuery {
            q: opt(&self.q),
            unit: opt(&self.unit),
            pending: self.pending.then_some(true),
            limit: Some(PAGE_SIZE),
            cursor,
        }
    }
}

/// The user list: search, the results with pending grants marked, and "new user".
#[function_component(UserList)]
pub fn user_list() -> Html {
    let ctx = use_context::<Ctx>();
    let units = use_units();
    let (manage, _) = ctx.as_ref().map(powers).unwrap_or_default();
    let title = match &ctx {
        Some(c) if manage => c.t("users.title"),
        Some(c) => c.t("users.pending_title"),
        None => String::new(),
    };
    use_title(title.clone());
    // A leader who does not manage users sees the waiting grants only.
    let initial = Filters {
        pending: !manage,
        ..Filters::default()
    };
    let draft = use_state(|| initial.clone());
    let applied = use_state(|| initial);
    let users = use_paged((*applied).clone(), |f: Filters, cursor: Option<String>| {
        let path = crate::api::with_query("/api/v1/users", &f.query(cursor));
        async move { crate::api::get::<Page<User>>(&path).await }
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let scope = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .unwrap_or_default();
    let onsubmit = {
        let (draft, applied) = (draft.clone(), applied.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            applied.set((*draft).clone());
        })
    };
    let set = |f: fn(&mut Filters, String)| {
        let draft = draft.clone();
        Callback::from(move |v: String| {
            let mut x = (*draft).clone();
            f(&mut x, v);
            draft.set(x);
        })
    };
    let set_pending = {
        let draft = draft.clone();
        Callback::from(move |b: bool| {
            let mut x = (*draft).clone();
            x.pending = b;
            draft.set(x);
        })
    };
    let unit_options: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("users.any_unit")))
            .chain(units_in_scope(&units, &scope, lang))
            .collect();
    let empty = if applied.pending {
        "users.none_pending"
    } else {
        "users.none"
    };
    html! {
        <section class="card">
            <h1>{ title }</h1>
            if manage {
                <p class="actions">
                    <Link<Route> to={Route::UserNew} classes="button primary">{ ctx.t("users.new") }</Link<Route>>
                </p>
            }
            <form id="user-search" class="filters" role="search" novalidate=true onsubmit={onsubmit}>
                <TextField id="user-q" label={ctx.t("users.q")} value={draft.q.clone()}
                    oninput={set(|f, v| f.q = v.chars().take(USER_SEARCH_MAX_CHARS).collect())} />
                <SelectField id="user-unit" label={ctx.t("users.unit")} value={draft.unit.clone()}
                    options={unit_options} onchange={set(|f, v| f.unit = v)} />
                if manage {
                    <CheckField id="user-pending" label={ctx.t("users.only_pending")} checked={draft.pending} onchange={set_pending} />
                }
                <div class="buttons">
                    <button type="submit" class="primary" id="user-search-go">{ ctx.t("users.search") }</button>
                </div>
            </form>
            <ul class="results" id="users" aria-label={ctx.t("users.list")}>
                { for users.items().iter().map(|u| user_item(u, &units, lang)) }
            </ul>
            { users.footer(lang, "users", empty) }
        </section>
    }
}

/// One row of the list.
fn user_item(u: &User, units: &Units, lang: Lang) -> Html {
    html! {
        <li data-username={u.username.clone()}>
            <Link<Route> to={Route::User { id: u.id.to_string() }}>{ &u.display_name }</Link<Route>>
            <span class="mono">{ &u.username }</span>
            <span>{ units.name(&u.unit_code, lang) }</span>
            <span>{ role_names(&u.roles, lang) }</span>
            if !u.pending_roles.is_empty() {
                <span class="badge pending">{ labelled(&lang.t("users.pending"), &role_names(&u.pending_roles, lang), lang) }</span>
            }
            if u.disabled {
                <span class="badge off">{ lang.t("users.disabled") }</span>
            }
        </li>
    }
}

/// The role checkboxes of a form (element ids `{prefix}-roles`, `{prefix}-role-{role}`),
/// each with what the role allows; data roles are marked as needing a leader.
fn role_choices(
    ctx: &Ctx,
    prefix: &str,
    roles: &UseStateHandle<Vec<Role>>,
    fh: &crate::hooks::form::UseForm,
) -> Html {
    let lang = ctx.lang;
    let toggle = |role: Role| {
        let (roles, fh) = (roles.clone(), fh.clone());
        Callback::from(move |on: bool| {
            let mut v: Vec<Role> = roles.iter().copied().filter(|r| *r != role).collect();
            if on {
                v.push(role);
                v.sort();
            }
            roles.set(v);
            fh.clear_error("roles");
        })
    };
    let error = fh.error_any(&["roles", "roles[0]"], lang);
    let error_id = format!("{prefix}-roles-error");
    html! {
        <fieldset class={classes!("roles", error.is_some().then_some("has-error"))} id={format!("{prefix}-roles")}
            aria-describedby={error.is_some().then(|| error_id.clone())}>
            <legend>{ ctx.t("users.roles") }<span class="req" aria-hidden="true">{" *"}</span></legend>
            <p class="hint">{ ctx.t("users.roles_hint") }</p>
            <ul class="role-list">
                { for Role::ALL.iter().map(|r| html! {
                    <li>
                        <CheckField id={format!("{prefix}-role-{r}")} label={ctx.t(&format!("role.{r}"))}
                            checked={roles.contains(r)} onchange={toggle(*r)} />
                        <p class="hint">
                            { labelled(&ctx.t("users.allows"), &role_allows(*r, lang), lang) }
                            if r.is_data_role() {
                                <strong class="badge pending">{ ctx.t("users.data_role") }</strong>
                            }
                        </p>
                    </li>
                }) }
            </ul>
            if let Some(e) = error {
                <p class="error" id={error_id}>{ e }</p>
            }
        </fieldset>
    }
}

/// The new-user form.
#[function_component(UserNew)]
pub fn user_new() -> Html {
    let ctx = use_context::<Ctx>();
    let units = use_units();
    use_title(ctx.as_ref().map(|c| c.t("users.new")).unwrap_or_default());
    let navigator = use_navigator();
    let username = use_state(String::new);
    let display_name = use_state(String::new);
    let password = use_state(String::new);
    let unit = use_state(String::new);
    let roles = use_state(Vec::<Role>::new);
    let fh = use_form("user-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let (manage, _) = powers(&ctx);
    if !manage {
        return html! {
            <section class="card"><h1>{ ctx.t("users.new") }</h1>
                <p class="error-summary" role="alert">{ lang.error("forbidden", "") }</p></section>
        };
    }
    let scope = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .unwrap_or_default();
    let onsubmit = {
        let (username, display_name, password, unit, roles, fh) = (
            username.clone(),
            display_name.clone(),
            password.clone(),
            unit.clone(),
            roles.clone(),
            fh.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = FieldErrors::new();
            errs.check("username", validate_username(&username));
            errs.check(
                "display_name",
                shared::validation::validate_name(&display_name),
            );
            errs.check("password", validate_password(&password));
            if unit.is_empty() {
                errs.add("unit_code", "required", "");
            }
            if roles.is_empty() {
                errs.add("roles", "required", "");
            }
            if !errs.is_empty() {
                fh.reject(errs.0);
                return;
            }
            let body = UserCreate {
                id: None,
                username: (*username).clone(),
                display_name: display_name.trim().to_owned(),
                password: (*password).clone(),
                unit_code: (*unit).clone(),
                roles: (*roles).clone(),
            };
            let navigator = navigator.clone();
            fh.submit(
                move |id| {
                    let body = UserCreate {
                        id: Some(id),
                        ..body
                    };
                    async move { Ok(crate::api::post::<User, _>("/api/v1/users", &body).await?) }
                },
                move |u: User| {
                    if let Some(n) = navigator {
                        n.push(&Route::User {
                            id: u.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let err = |f: &str| fh.error(f, lang);
    let mut unit_options = vec![(String::new(), ctx.t("users.choose_unit"))];
    unit_options.extend(units_in_scope(&units, &scope, lang));
    html! {
        <section class="card">
            <nav aria-label={ctx.t("users.breadcrumb")} class="crumbs">
                <Link<Route> to={Route::Users}>{ ctx.t("users.title") }</Link<Route>>{" › "}<span aria-current="page">{ ctx.t("users.new") }</span>
            </nav>
            <h1>{ ctx.t("users.new") }</h1>
            { fh.banner(lang, "user-banner") }
            <form id="user-form" novalidate=true onsubmit={onsubmit}>
                <TextField id="user-username" label={ctx.t("users.username")} value={(*username).clone()}
                    oninput={fh.bind(&username, "username")} error={err("username")} required=true autocomplete="off" />
                <p class="hint">{ ctx.t("users.username_hint") }</p>
                <TextField id="user-display-name" label={ctx.t("users.display_name")} value={(*display_name).clone()}
                    oninput={fh.bind(&display_name, "display_name")} error={err("display_name")} required=true />
                <TextField id="user-password" label={ctx.t("users.password")} kind="password" value={(*password).clone()}
                    oninput={fh.bind(&password, "password")} error={err("password")} required=true autocomplete="new-password" />
                <p class="hint">{ ctx.t("users.password_hint") }</p>
                <SelectField id="user-unit-code" label={ctx.t("users.unit")} value={(*unit).clone()} options={unit_options}
                    onchange={fh.bind(&unit, "unit_code")} error={err("unit_code")} required=true />
                { role_choices(&ctx, "user", &roles, &fh) }
                <div class="buttons">
                    <button type="submit" class="primary" id="user-save" disabled={fh.busy()}>{ ctx.t("users.save") }</button>
                </div>
            </form>
        </section>
    }
}

/// Props: the user id.
#[derive(Properties, PartialEq)]
pub struct UserProps {
    /// User id.
    pub id: String,
}

/// One user: the facts, the pending grant, and what the viewer may do about them.
#[function_component(UserPage)]
pub fn user_page(p: &UserProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = use_units();
    let user = use_remote(p.id.clone(), |id: String| async move {
        crate::api::get::<User>(&format!("/api/v1/users/{id}")).await
    });
    let actions = use_form("user-actions");
    let reset = use_form("reset-form");
    let new_password = use_state(String::new);
    let done = use_state(|| None::<&'static str>);
    let edit = use_form("roles-form");
    let chosen = use_state(Vec::<Role>::new);
    {
        // The checkboxes start from the roles asked for last: the pending set if any.
        let chosen = chosen.clone();
        let wanted = user.ready().map(|u| {
            if u.pending_roles.is_empty() {
                u.roles.clone()
            } else {
                u.pending_roles.clone()
            }
        });
        use_effect_with(wanted, move |wanted| {
            if let Some(w) = wanted {
                chosen.set(w.clone());
            }
            || ()
        });
    }
    use_title(match (&ctx, user.ready()) {
        (_, Some(u)) => u.display_name.clone(),
        (Some(c), None) => c.t("users.title"),
        (None, None) => String::new(),
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(u) = user.ready().cloned() else {
        return html! { <section class="card">{ user.placeholder(lang, Some("users.not_found")) }</section> };
    };
    let (manage, confirm) = powers(&ctx);
    let me_id = ctx.me.as_ref().map(|m| m.user.id);
    // Posts `{version}` to `/api/v1/users/{id}/{what}` and shows the answer.
    let act = |what: &'static str, message: &'static str| {
        let (actions, user, done, id, version) =
            (actions.clone(), user.clone(), done.clone(), u.id, u.version);
        Callback::from(move |()| {
            let (user, done) = (user.clone(), done.clone());
            done.set(None);
            actions.submit(
                move |_| async move {
                    let path = format!("/api/v1/users/{id}/{what}");
                    Ok(crate::api::post::<User, _>(&path, &VersionOnly { version }).await?)
                },
                move |u: User| {
                    user.set(u);
                    done.set(Some(message));
                },
            );
        })
    };
    let on_reset = {
        let (reset, user, done, new_password, id) = (
            reset.clone(),
            user.clone(),
            done.clone(),
            new_password.clone(),
            u.id,
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Err(e) = validate_password(&new_password) {
                reset.reject(vec![FieldError::new("new_password", e.code, e.message)]);
                return;
            }
            let body = PasswordReset {
                new_password: (*new_password).clone(),
            };
            let (user, done, new_password) = (user.clone(), done.clone(), new_password.clone());
            done.set(None);
            reset.submit(
                move |_| async move {
                    let path = format!("/api/v1/users/{id}/password");
                    Ok(crate::api::post::<User, _>(&path, &body).await?)
                },
                move |u: User| {
                    user.set(u);
                    new_password.set(String::new());
                    done.set(Some("users.reset_done"));
                },
            );
        })
    };
    let on_roles = {
        let (edit, user, done, chosen, id, version) = (
            edit.clone(),
            user.clone(),
            done.clone(),
            chosen.clone(),
            u.id,
            u.version,
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if chosen.is_empty() {
                edit.reject(vec![FieldError::new("roles", "required", "")]);
                return;
            }
            let body = RoleChange {
                roles: (*chosen).clone(),
                version,
            };
            let (user, done) = (user.clone(), done.clone());
            done.set(None);
            edit.submit(
                move |_| async move {
                    let path = format!("/api/v1/users/{id}/roles");
                    Ok(crate::api::put::<User, _>(&path, &body).await?)
                },
                move |u: User| {
                    user.set(u);
                    done.set(Some("users.roles_done"));
                },
            );
        })
    };
    let pending = !u.pending_roles.is_empty();
    let busy = actions.busy() || reset.busy() || edit.busy();
    let status = if u.disabled {
        ctx.t("users.disabled")
    } else {
        ctx.t("users.active")
    };
    let list_title = if manage {
        ctx.t("users.title")
    } else {
        ctx.t("users.pending_title")
    };
    html! {
        <section class="card">
            <nav aria-label={ctx.t("users.breadcrumb")} class="crumbs">
                <Link<Route> to={Route::Users}>{ list_title }</Link<Route>>{" › "}<span aria-current="page">{ &u.display_name }</span>
            </nav>
            <h1>{ &u.display_name }</h1>
            <dl class="facts" id="user-facts">
                <dt>{ ctx.t("users.username") }</dt><dd class="mono">{ &u.username }</dd>
                <dt>{ ctx.t("users.unit") }</dt><dd>{ units.name(&u.unit_code, lang) }</dd>
                <dt>{ ctx.t("users.roles_held") }</dt><dd id="user-roles-held">{ role_names(&u.roles, lang) }</dd>
                <dt>{ ctx.t("users.status") }</dt>
                <dd id="user-status">
                    { status }
                    if u.must_change_password {
                        <span class="badge">{ ctx.t("users.must_change") }</span>
                    }
                </dd>
            </dl>
            if pending {
                <div class="notice pending" id="user-pending">
                    <h2>{ ctx.t("users.pending_roles") }</h2>
                    <p><strong>{ role_names(&u.pending_roles, lang) }</strong></p>
                    <p>{ ctx.t("users.pending_note") }</p>
                    if let Some(at) = u.proposed_at {
                        <p>{ labelled(&ctx.t("users.proposed_at"), &format!("{} UTC", crate::pages::rehab::ymd_hm(at)), lang) }</p>
                    }
                </div>
            }
            if let Some(key) = *done {
                <p class="notice" role="status" id="user-done">{ ctx.t(key) }</p>
            }
            { actions.banner(lang, "user-actions-banner") }
            <div class="buttons" id="user-actions">
                if pending && confirm && !manage {
                    <button type="button" class="primary" id="user-confirm" disabled={busy}
                        onclick={act("roles/confirm", "users.confirmed_done").reform(|_| ())}>{ ctx.t("users.confirm") }</button>
                    <button type="button" class="button danger" id="user-reject" disabled={busy}
                        onclick={act("roles/reject", "users.rejected_done").reform(|_| ())}>{ ctx.t("users.reject") }</button>
                }
                if pending && manage {
                    <button type="button" id="user-withdraw" disabled={busy}
                        onclick={act("roles/reject", "users.withdrawn_done").reform(|_| ())}>{ ctx.t("users.withdraw") }</button>
                }
                if manage && u.disabled {
                    <button type="button" id="user-enable" disabled={busy}
                        onclick={act("enable", "users.enabled_done").reform(|_| ())}>{ ctx.t("users.enable") }</button>
                }
                if manage && !u.disabled && me_id != Some(u.id) {
                    <ConfirmButton id="user-disable" class="danger" label={ctx.t("users.disable")}
                        question={ctx.t("users.disable_q")} disabled={busy}
                        onconfirm={act("disable", "users.disabled_done")} />
                }
            </div>
            if manage {
                <h2>{ ctx.t("users.change_roles") }</h2>
                { edit.banner(lang, "roles-banner") }
                <form id="roles-form" novalidate=true onsubmit={on_roles}>
                    { role_choices(&ctx, "edit", &chosen, &edit) }
                    <div class="buttons">
                        <button type="submit" id="roles-save" disabled={busy}>{ ctx.t("users.save_roles") }</button>
                    </div>
                </form>
                <h2>{ ctx.t("users.reset") }</h2>
                <p class="hint">{ ctx.t("users.reset_note") }</p>
                { reset.banner(lang, "reset-banner") }
                <form id="reset-form" novalidate=true onsubmit={on_reset}>
                    <TextField id="reset-password" label={ctx.t("users.new_password")} kind="password"
                        value={(*new_password).clone()} oninput={reset.bind(&new_password, "new_password")}
                        error={reset.error("new_password", lang)} required=true autocomplete="new-password" />
                    <div class="buttons">
                        <button type="submit" id="reset-save" disabled={busy}>{ ctx.t("users.reset") }</button>
                    </div>
                </form>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_a_name_in_both_languages() {
        for r in Role::ALL {
            for lang in [Lang::Zh, Lang::En] {
                assert_ne!(lang.t(&format!("role.{r}")), format!("role.{r}"));
            }
        }
        assert_eq!(
            role_names(&[Role::Admin, Role::Staff], Lang::En),
            format!("{}, {}", Lang::En.t("role.admin"), Lang::En.t("role.staff"))
        );
        assert_eq!(role_names(&[], Lang::Zh), Lang::Zh.t("users.no_roles"));
        assert!(role_allows(Role::Leader, Lang::Zh).contains(&Lang::Zh.t("cap.confirm_grants")));
    }

    #[test]
    fn filters_become_a_query() {
        let f = Filters {
            q: "  湘潭 ".into(),
            unit: String::new(),
            pending: true,
        };
        let q = f.query(None);
        assert_eq!(q.q.as_deref(), Some("湘潭"));
        assert_eq!(q.unit, None);
        assert_eq!(q.pending, Some(true));
        assert_eq!(Filters::default().query(None).pending, None);
    }
}
