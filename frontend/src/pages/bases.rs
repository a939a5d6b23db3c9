//! Employment bases: the list and the registration form.

use serde::{Deserialize, Serialize};
use shared::api::Page;
use shared::employment::{BaseInput, BaseKind};
use shared::FieldError;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::{SelectField, TextField};

/// A base as the API lists it (the fields and the employee count).
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Base {
    id: String,
    name: String,
    credit_code: String,
    county_code: String,
    kind: BaseKind,
    recognised_on: String,
    employees: i64,
}

#[derive(Serialize)]
struct BaseCreate {
    id: uuid::Uuid,
    #[serde(flatten)]
    fields: BaseInput,
}

/// The bases page: list and form.
#[function_component(BaseList)]
pub fn base_list() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let bases = use_state(Vec::<Base>::new);
    let reload = use_state(|| 0u32);
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
    let errors = use_state(Vec::<FieldError>::new);
    let banner = use_state(|| None::<String>);
    let lang = ctx.lang;
    {
        let bases = bases.clone();
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(p) = crate::api::get::<Page<Base>>("/api/v1/bases?limit=500").await {
                    bases.set(p.items);
                }
            });
            || ()
        });
    }
    let onsubmit = {
        let (name, code, county, kind, date, phone, errors, banner, reload) = (
            name.clone(),
            code.clone(),
            county.clone(),
            kind.clone(),
            date.clone(),
            phone.clone(),
            errors.clone(),
            banner.clone(),
            reload.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Ok(recognised_on) = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d") else {
                errors.set(vec![FieldError::new("recognised_on", "required", "")]);
                banner.set(Some(lang.t("persons.fix_errors")));
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
            let d = js_sys::Date::new_0();
            let today = chrono::NaiveDate::from_ymd_opt(
                d.get_full_year() as i32,
                d.get_month() + 1,
                d.get_date(),
            )
            .unwrap_or_default();
            if let Err(errs) = fields.validate(today) {
                errors.set(errs);
                banner.set(Some(lang.t("persons.fix_errors")));
                return;
            }
            let (errors, banner, reload) = (errors.clone(), banner.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::post::<serde_json::Value, _>(
                    "/api/v1/bases",
                    &BaseCreate {
                        id: uuid::Uuid::new_v4(),
                        fields,
                    },
                )
                .await
                {
                    Ok(_) => {
                        errors.set(Vec::new());
                        banner.set(None);
                        reload.set(*reload + 1);
                    }
                    Err(e) => {
                        errors.set(
                            e.problem
                                .as_ref()
                                .map(|p| p.errors.clone())
                                .unwrap_or_default(),
                        );
                        banner.set(Some(e.message(lang)));
                    }
                }
            });
        })
    };
    let err = |f: &str| {
        errors
            .iter()
            .find(|e| e.field == f)
            .map(|e| lang.error(&e.code, &e.message))
    };
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |v: String| s.set(v))
    };
    let kinds: Vec<(String, String)> = BaseKind::ALL
        .iter()
        .map(|k| (k.to_string(), ctx.t(&format!("base.{k}"))))
        .collect();
    let can_write = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::WriteLoans)
    });
    html! {
        <section class="card">
            <h1>{ ctx.t("bases.title") }</h1>
            <ul class="results" id="bases">
                { for bases.iter().map(|b| html! {
                    <li>
                        <strong>{ &b.name }</strong>
                        <span class="mono">{ &b.credit_code }</span>
                        <span>{ ctx.t(&format!("base.{}", b.kind)) }</span>
                        <span>{ format!("{} {}", ctx.t("bases.employees"), b.employees) }</span>
                        <span>{ format!("{} · {}", b.county_code, b.recognised_on) }</span>
                        <span class="sr-only">{ &b.id }</span>
                    </li>
                }) }
            </ul>
            if can_write {
                <h2>{ ctx.t("bases.new") }</h2>
                if let Some(b) = &*banner {
                    <p class="error-summary" role="alert">{ b }</p>
                }
                <form onsubmit={onsubmit} novalidate=true id="base-form">
                    <TextField id="base-name" label={ctx.t("bases.name")} value={(*name).clone()} oninput={set(&name)} error={err("name")} required=true />
                    <TextField id="base-code" label={ctx.t("bases.credit_code")} value={(*code).clone()} oninput={set(&code)} error={err("credit_code")} required=true />
                    <TextField id="base-county" label={ctx.t("field.county_code")} value={(*county).clone()} oninput={set(&county)} error={err("county_code")} required=true inputmode={Some(AttrValue::Static("numeric"))} />
                    <SelectField id="base-kind" label={ctx.t("bases.kind")} value={kind.to_string()} options={kinds}
                        onchange={let k = kind.clone(); Callback::from(move |v: String| if let Ok(x) = v.parse() { k.set(x) })} />
                    <TextField id="base-date" label={ctx.t("bases.recognised_on")} kind="date" value={(*date).clone()} oninput={set(&date)} error={err("recognised_on")} required=true />
                    <TextField id="base-phone" label={ctx.t("field.phone")} kind="tel" value={(*phone).clone()} oninput={set(&phone)} error={err("contact_phone")} />
                    <div class="buttons"><button type="submit" class="primary" id="base-save">{ ctx.t("persons.save") }</button></div>
                </form>
            }
        </section>
    }
}
