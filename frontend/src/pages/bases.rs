//! Employment bases: the list and the registration form.

use shared::api::Page;
use shared::employment::{Base, BaseCreate, Employee, EmployeeAdd};
use shared::employment::{BaseInput, BaseKind};
use shared::FieldError;
use yew::prelude::*;

use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{SelectField, TextField};
use crate::components::person_picker::PersonPicker;
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, use_remote, PAGE_SIZE};

/// The bases page: list and form.
#[function_component(BaseList)]
pub fn base_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("bases.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let Some(ctx) = ctx else {
        return html! {};
    };
    let bases = use_paged((), |(), cursor: Option<String>| {
        let path = crate::api::with_query(
            "/api/v1/bases",
            &shared::api::PageQuery {
                limit: Some(PAGE_SIZE),
                cursor,
            },
        );
        async move { crate::api::get::<Page<Base>>(&path).await }
    });
    let own = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .filter(|c| c.len() == 6)
        .unwrap_or_default();
    let name = use_state(String::new);
    let code = use_state(String::new);
    let county = use_state(|| own.clone());
    let kind = use_state(|| BaseKind::PovertyAlleviation);
    let date = use_state(String::new);
    let phone = use_state(String::new);
    let fh = use_form("base-form");
    let lang = ctx.lang;
    let onsubmit = {
        let (name, code, county, kind, date, phone, fh, bases) = (
            name.clone(),
            code.clone(),
            county.clone(),
            kind.clone(),
            date.clone(),
            phone.clone(),
            fh.clone(),
            bases.clone(),
        );
        let own = own.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Ok(recognised_on) = crate::pages::rehab::parse_ymd(&date) else {
                fh.reject(vec![FieldError::new("recognised_on", "required", "")]);
                return;
            };
            let fields = BaseInput {
                name: (*name).clone(),
                credit_code: (*code).clone(),
                county_code: (*county).clone(),
                kind: *kind,
                recognised_on,
                contact_name: None,
                contact_phone: (!phone.trim().is_empty()).then(|| (*phone).clone()),
            };
            if let Err(errs) = fields.validate(crate::clock::today()) {
                fh.reject(errs);
                return;
            }
            let (name, code, county, date, phone, bases, own) = (
                name.clone(),
                code.clone(),
                county.clone(),
                date.clone(),
                phone.clone(),
                bases.clone(),
                own.clone(),
            );
            fh.submit(
                move |id| async move {
                    let body = BaseCreate {
                        id: Some(id),
                        fields,
                    };
                    Ok(crate::api::post::<serde_json::Value, _>("/api/v1/bases", &body).await?)
                },
                // Saved: the form starts over for the next base (with a new id).
                move |_| {
                    for s in [&name, &code, &date, &phone] {
                        s.set(String::new());
                    }
                    county.set(own);
                    bases.reload();
                },
            );
        })
    };
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, field: &'static str| fh.bind(s, field);
    let kinds: Vec<(String, String)> = BaseKind::ALL
        .iter()
        .map(|k| (k.to_string(), ctx.t(&format!("base.{k}"))))
        .collect();
    // A county user's bases are in their county; a city user picks one of its counties.
    let scope = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .unwrap_or_default();
    let counties: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("field.choose")))
        .chain(
            units
                .of_kind(shared::OrgUnitKind::County)
                .into_iter()
                .filter(|u| u.code.starts_with(scope.as_str()))
                .map(|u| (u.code.clone(), units.name(&u.code, lang))),
        )
        .collect();
    let can_write = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::WriteLoans)
    });
    html! {
        <section class="card">
            <h1>{ ctx.t("bases.title") }</h1>
            <ul class="results" id="bases">
                { for bases.items().iter().map(|b| html! {
                    <li>
                        <Link<Route> to={Route::Base { id: b.id.to_string() }}>{ &b.fields.name }</Link<Route>>
                        <span class="mono">{ &b.fields.credit_code }</span>
                        <span>{ ctx.t(&format!("base.{}", b.fields.kind)) }</span>
                        <span>{ format!("{} {}", ctx.t("bases.employees"), b.employees) }</span>
                        <span>{ format!("{} · {}", units.name(&b.fields.county_code, lang), b.fields.recognised_on) }</span>
                    </li>
                }) }
            </ul>
            { bases.footer(lang, "bases", "bases.none") }
            if can_write {
                <h2>{ ctx.t("bases.new") }</h2>
                { fh.banner(lang, "base-banner") }
                <form onsubmit={onsubmit} novalidate=true id="base-form">
                    <TextField id="base-name" label={ctx.t("bases.name")} value={(*name).clone()} oninput={set(&name, "name")} error={err("name")} required=true />
                    <TextField id="base-code" label={ctx.t("bases.credit_code")} value={(*code).clone()} oninput={set(&code, "credit_code")} error={err("credit_code")} required=true />
                    if own.is_empty() {
                        <SelectField id="base-county" label={ctx.t("field.county_code")} value={(*county).clone()} options={counties}
                            onchange={set(&county, "county_code")} error={err("county_code")} required=true />
                    }
                    <SelectField id="base-kind" label={ctx.t("bases.kind")} value={kind.to_string()} options={kinds}
                        onchange={let k = kind.clone(); Callback::from(move |v: String| if let Ok(x) = v.parse() { k.set(x) })} />
                    <TextField id="base-date" label={ctx.t("bases.recognised_on")} kind="date" value={(*date).clone()} oninput={set(&date, "recognised_on")} error={err("recognised_on")} required=true />
                    <TextField id="base-phone" label={ctx.t("field.phone")} kind="tel" value={(*phone).clone()} oninput={set(&phone, "contact_phone")} error={err("contact_phone")} />
                    <div class="buttons"><button type="submit" class="primary" id="base-save" disabled={fh.busy()}>{ ctx.t("persons.save") }</button></div>
                </form>
            }
        </section>
    }
}

/// Props: the base id.
#[derive(Properties, PartialEq)]
pub struct BaseProps {
    /// Base id.
    pub id: String,
}

/// One base: its facts and its disabled employees, who are added with the person picker
/// (persons of the base's county) and removed after a confirmation.
#[function_component(BasePage)]
pub fn base_page(p: &BaseProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let base = use_remote(p.id.clone(), |id: String| async move {
        crate::api::get::<Base>(&format!("/api/v1/bases/{id}")).await
    });
    let employees = use_remote(p.id.clone(), |id: String| async move {
        crate::api::get::<Vec<Employee>>(&format!("/api/v1/bases/{id}/employees")).await
    });
    let fh = use_form("base-employees");
    let done = use_state(|| None::<&'static str>);
    use_title(
        base.ready()
            .map(|b| b.fields.name.clone())
            .or_else(|| ctx.as_ref().map(|c| c.t("bases.title")))
            .unwrap_or_default(),
    );
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(b) = base.ready().cloned() else {
        return html! { <section class="card">{ base.placeholder(lang, Some("bases.not_found")) }</section> };
    };
    let can_write = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::WriteLoans)
    });
    let add = {
        let (fh, id, employees, base, done) = (
            fh.clone(),
            p.id.clone(),
            employees.clone(),
            base.clone(),
            done.clone(),
        );
        Callback::from(move |person: shared::person::Person| {
            let (path, employees, base, done) = (
                format!("/api/v1/bases/{id}/employees"),
                employees.clone(),
                base.clone(),
                done.clone(),
            );
            fh.submit(
                move |_| async move {
                    Ok(crate::api::post::<Base, _>(
                        &path,
                        &EmployeeAdd {
                            person_id: person.id,
                        },
                    )
                    .await?)
                },
                move |b: Base| {
                    base.set(b);
                    employees.reload();
                    done.set(Some("bases.employee_added"));
                },
            );
        })
    };
    let remove = |person_id: uuid::Uuid| {
        let (fh, id, employees, base, done) = (
            fh.clone(),
            p.id.clone(),
            employees.clone(),
            base.clone(),
            done.clone(),
        );
        Callback::from(move |()| {
            let (path, employees, base, done) = (
                format!("/api/v1/bases/{id}/employees/{person_id}"),
                employees.clone(),
                base.clone(),
                done.clone(),
            );
            fh.submit(
                move |_| async move {
                    Ok(
                        crate::api::call::<Base, ()>(gloo_net::http::Method::DELETE, &path, None)
                            .await?
                            .ok_or(crate::api::ApiError {
                                status: 204,
                                problem: None,
                            })?,
                    )
                },
                move |b: Base| {
                    base.set(b);
                    employees.reload();
                    done.set(Some("bases.employee_removed"));
                },
            );
        })
    };
    let f = &b.fields;
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Bases}>{ ctx.t("bases.title") }</Link<Route>>{" › "}<span aria-current="page">{ &f.name }</span>
            </nav>
            <h1>{ &f.name }</h1>
            <dl class="facts" id="base-facts">
                <dt>{ ctx.t("bases.credit_code") }</dt><dd class="mono">{ &f.credit_code }</dd>
                <dt>{ ctx.t("bases.kind") }</dt><dd>{ ctx.t(&format!("base.{}", f.kind)) }</dd>
                <dt>{ ctx.t("field.county_code") }</dt><dd>{ units.name(&f.county_code, lang) }</dd>
                <dt>{ ctx.t("bases.recognised_on") }</dt><dd>{ f.recognised_on.to_string() }</dd>
                if let Some(phone) = &f.contact_phone {
                    <dt>{ ctx.t("field.phone") }</dt><dd>{ phone }</dd>
                }
            </dl>
            <h2>{ format!("{} ({})", ctx.t("bases.employees"), b.employees) }</h2>
            { fh.banner(lang, "base-employees-banner") }
            if let Some(key) = *done {
                <p class="notice" role="status" id="base-employees-done">{ ctx.t(key) }</p>
            }
            <div id="base-employees">
                if let Some(list) = employees.ready() {
                    if list.is_empty() {
                        <p role="status">{ ctx.t("bases.no_employees") }</p>
                    }
                    <ul class="results" id="employee-list">
                        { for list.iter().map(|e| html! {
                            <li>
                                <Link<Route> to={Route::Person { id: e.person_id.to_string() }}>{ &e.name }</Link<Route>>
                                <span class="mono nowrap">{ &e.id_number }</span>
                                if can_write {
                                    <ConfirmButton id={format!("remove-{}", e.person_id)} label={ctx.t("bases.remove")}
                                        question={ctx.t("bases.remove_confirm").replace("{name}", &e.name)}
                                        onconfirm={remove(e.person_id)} disabled={fh.busy()} />
                                }
                            </li>
                        }) }
                    </ul>
                } else {
                    { employees.placeholder(lang, None) }
                }
            </div>
            if can_write {
                <h2>{ ctx.t("bases.add_employee") }</h2>
                <PersonPicker id="employee" action={ctx.t("bases.add")} onpick={add} error={fh.error("person_id", lang)} busy={fh.busy()} />
            }
        </section>
    }
}
