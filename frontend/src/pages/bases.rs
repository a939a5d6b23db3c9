//! Employment bases: the list and the registration form.

use shared::api::Page;
use shared::employment::{Base, BaseCreate};
use shared::employment::{BaseInput, BaseKind};
use shared::FieldError;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::use_form;
use crate::hooks::remote::{use_paged, PAGE_SIZE};

/// The bases page: list and form.
#[function_component(BaseList)]
pub fn base_list() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
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
            let Ok(recognised_on) = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d") else {
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
            let d = js_sys::Date::new_0();
            let today = chrono::NaiveDate::from_ymd_opt(
                d.get_full_year() as i32,
                d.get_month() + 1,
                d.get_date(),
            )
            .unwrap_or_default();
            if let Err(errs) = fields.validate(today) {
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
                        <strong>{ &b.fields.name }</strong>
                        <span class="mono">{ &b.fields.credit_code }</span>
                        <span>{ ctx.t(&format!("base.{}", b.fields.kind)) }</span>
                        <span>{ format!("{} {}", ctx.t("bases.employees"), b.employees) }</span>
                        <span>{ format!("{} · {}", b.fields.county_code, b.fields.recognised_on) }</span>
                        <span class="sr-only">{ b.id.to_string() }</span>
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
                    <TextField id="base-county" label={ctx.t("field.county_code")} value={(*county).clone()} oninput={set(&county, "county_code")} error={err("county_code")} required=true inputmode={Some(AttrValue::Static("numeric"))} />
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
