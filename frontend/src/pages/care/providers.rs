//! The care providers of the user's area: name, kind, county, places held of places.
//! County care staff add and change their county's providers here (places may not drop
//! below those held; the server says so next to the field).

use shared::care::{Provider, ProviderCreate, ProviderInput, ProviderKind, ProviderUpdate};
use shared::FieldError;
use yew::prelude::*;

use crate::api::care::ProviderQuery;
use crate::app::Ctx;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, PAGE_SIZE};
use crate::pages::rehab::{focus_id, options};

/// The provider list and form.
#[function_component(ProviderList)]
pub fn provider_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("care.providers"))
            .unwrap_or_default(),
    );
    let units = crate::hooks::units::use_units();
    let list = use_paged((), |(), cursor| async move {
        crate::api::care::providers(&ProviderQuery {
            limit: PAGE_SIZE,
            cursor,
            ..ProviderQuery::default()
        })
        .await
    });
    // None: no form; Some(None): a new provider; Some(Some(p)): editing p.
    let editing = use_state(|| None::<Option<Provider>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let writer = super::county_writer(&ctx);
    let open = |p: Option<Provider>| {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| {
            editing.set(Some(p.clone()));
            focus_id("provider-name");
        })
    };
    let on_saved = {
        let (editing, list) = (editing.clone(), list.clone());
        Callback::from(move |()| {
            editing.set(None);
            list.reload();
            focus_id("providers-title");
        })
    };
    html! {
        <section class="card">
            <h1 id="providers-title" tabindex="-1">{ ctx.t("care.providers") }</h1>
            if writer && editing.is_none() {
                <div class="actions">
                    <button type="button" class="primary" id="provider-new" onclick={open(None)}>{ ctx.t("care.provider_new") }</button>
                </div>
            }
            if let Some(p) = &*editing {
                <ProviderForm key={p.as_ref().map(|p| p.id.to_string()).unwrap_or_default()} provider={p.clone()} onsaved={on_saved}
                    oncancel={let e = editing.clone(); Callback::from(move |()| e.set(None))} />
            }
            <ul class="results" id="providers">
                { for list.items().iter().map(|p| html! {
                    <li id={format!("provider-{}", p.id)}>
                        <strong>{ &p.fields.name }</strong>
                        <span>{ ctx.t(&format!("provider_kind.{}", p.fields.kind)) }</span>
                        <span>{ units.name(&p.fields.county_code, lang) }</span>
                        <span class="nowrap">{ ctx.t("care.places_held").replace("{held}", &p.occupied.to_string()).replace("{places}", &p.fields.places.to_string()) }</span>
                        if !p.fields.active {
                            <span class="status">{ ctx.t("care.inactive") }</span>
                        }
                        if writer {
                            <button type="button" class="link" id={format!("provider-edit-{}", p.id)} onclick={open(Some(p.clone()))}
                                aria-label={ctx.t("care.provider_edit_label").replace("{name}", &p.fields.name)}>{ ctx.t("care.edit") }</button>
                        }
                    </li>
                }) }
            </ul>
            { list.footer(lang, "providers", "care.no_providers") }
        </section>
    }
}

/// Props of the provider form.
#[derive(Properties, PartialEq)]
pub struct ProviderFormProps {
    /// The provider to change, or none for a new one.
    pub provider: Option<Provider>,
    /// Saved.
    pub onsaved: Callback<()>,
    /// Closed without saving.
    pub oncancel: Callback<()>,
}

/// Adds or changes a provider of the user's county.
#[function_component(ProviderForm)]
pub fn provider_form(p: &ProviderFormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let fh = use_form("provider-form");
    let f = p.provider.as_ref().map(|p| p.fields.clone());
    let name = use_state(|| f.as_ref().map(|f| f.name.clone()).unwrap_or_default());
    let kind = use_state(|| f.as_ref().map(|f| f.kind.to_string()).unwrap_or_default());
    let places = use_state(|| f.as_ref().map(|f| f.places.to_string()).unwrap_or_default());
    let address = use_state(|| {
        f.as_ref()
            .and_then(|f| f.address.clone())
            .unwrap_or_default()
    });
    let phone = use_state(|| f.as_ref().and_then(|f| f.phone.clone()).unwrap_or_default());
    let active = use_state(|| f.as_ref().is_none_or(|f| f.active));
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let county = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .unwrap_or_default();
    let err = |field: &str| fh.error(field, lang);
    let set = |s: &UseStateHandle<String>, field: &'static str| fh.bind(s, field);
    let input = || -> Result<ProviderInput, Vec<FieldError>> {
        let mut errs = Vec::new();
        let kind = kind.parse::<ProviderKind>().ok();
        if kind.is_none() {
            errs.push(FieldError::new("kind", "required", ""));
        }
        let places = places.trim().parse::<i32>().ok();
        if places.is_none() {
            errs.push(FieldError::new("places", "invalid_number", ""));
        }
        if name.trim().is_empty() {
            errs.push(FieldError::new("name", "required", ""));
        }
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        match (kind, places, errs.is_empty()) {
            (Some(kind), Some(places), true) => Ok(ProviderInput {
                name: name.trim().to_owned(),
                kind,
                county_code: county.clone(),
                places,
                address: opt(&address),
                phone: opt(&phone),
                active: *active,
            }),
            _ => Err(errs),
        }
    };
    let onsubmit = {
        let (fh, fields, existing, onsaved) = (
            fh.clone(),
            input(),
            p.provider.as_ref().map(|p| (p.id, p.version)),
            p.onsaved.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let fields = match fields.clone() {
                Ok(f) => f,
                Err(errs) => return fh.reject(errs),
            };
            let onsaved = onsaved.clone();
            fh.submit(
                move |id| async move {
                    Ok(match existing {
                        Some((pid, version)) => {
                            crate::api::care::update_provider(
                                pid,
                                &ProviderUpdate {
                                    version: Some(version),
                                    fields,
                                },
                            )
                            .await?
                        }
                        None => {
                            crate::api::care::create_provider(&ProviderCreate {
                                id: Some(id),
                                fields,
                            })
                            .await?
                        }
                    })
                },
                move |_: Provider| onsaved.emit(()),
            );
        })
    };
    let title = if p.provider.is_some() {
        ctx.t("care.provider_edit")
    } else {
        ctx.t("care.provider_new")
    };
    html! {
        <form id="provider-form" class="step" onsubmit={onsubmit} novalidate=true aria-label={title.clone()}>
            <h2>{ title }</h2>
            { fh.banner(lang, "provider-banner") }
            <TextField id="provider-name" label={ctx.t("care.provider_name")} value={(*name).clone()} oninput={set(&name, "name")} error={err("name")} required=true />
            <SelectField id="provider-kind" label={ctx.t("care.provider_kind")} value={(*kind).clone()} required=true
                options={options(ProviderKind::ALL, "provider_kind", lang, Some("form.choose"))} onchange={set(&kind, "kind")} error={err("kind")} />
            <TextField id="provider-places" kind="number" label={ctx.t("care.places")} value={(*places).clone()} oninput={set(&places, "places")} error={err("places")} required=true inputmode={Some(AttrValue::Static("numeric"))} />
            <TextField id="provider-address" label={ctx.t("care.address")} value={(*address).clone()} oninput={set(&address, "address")} error={err("address")} />
            <TextField id="provider-phone" kind="tel" label={ctx.t("care.phone")} value={(*phone).clone()} oninput={set(&phone, "phone")} error={err("phone")} />
            <CheckField id="provider-active" label={ctx.t("care.takes_placements")} checked={*active}
                onchange={let a = active.clone(); Callback::from(move |v| a.set(v))} />
            if let Some(e) = err("county_code") {
                <p class="error" id="provider-county-error">{ e }</p>
            }
            <div class="buttons">
                <button type="submit" class="primary" id="provider-save" disabled={fh.busy()}>{ ctx.t("care.save") }</button>
                <button type="button" id="provider-cancel" onclick={p.oncancel.reform(|_| ())}>{ ctx.t("dev.cancel") }</button>
            </div>
        </form>
    }
}
