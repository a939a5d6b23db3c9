//! Registering a petition: the channel, the day received, the county (for users above a
//! county), the petitioner (name, identity number, phone — stored encrypted, shown
//! masked), the subject, the category and the content. The client id is kept until the
//! petition is saved, so a retry after a lost answer registers nothing twice. Errors
//! show next to their fields.

use shared::petitions::{PetitionCategory, PetitionChannel, PetitionCreate, PetitionInput};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;
use crate::pages::rehab::{options, parse_date, ymd};

fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The registration form.
#[function_component(PetitionForm)]
pub fn petition_form() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("petition.new"))
            .unwrap_or_default(),
    );
    let navigator = use_navigator();
    let units = crate::hooks::units::use_units();
    let fh = use_form("petition-form");
    let channel = use_state(String::new);
    let received = use_state(|| ymd(crate::clock::today()));
    let county = use_state(String::new);
    let name = use_state(String::new);
    let id_number = use_state(String::new);
    let phone = use_state(String::new);
    let subject = use_state(String::new);
    let category = use_state(String::new);
    let content = use_state(String::new);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, field: &'static str| fh.bind(s, field);
    let at_county = super::at_county(&ctx);
    let scope = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .unwrap_or_default();
    let input = || -> Result<PetitionInput, Vec<FieldError>> {
        let mut errs = Vec::new();
        let ch = channel.parse::<PetitionChannel>().ok();
        if ch.is_none() {
            errs.push(FieldError::new("channel", "required", ""));
        }
        let day = parse_date(&received);
        if day.is_none() {
            errs.push(FieldError::new("received_on", "invalid_date", ""));
        }
        let cat = category.parse::<PetitionCategory>().ok();
        if cat.is_none() {
            errs.push(FieldError::new("category", "required", ""));
        }
        if name.trim().is_empty() {
            errs.push(FieldError::new("petitioner_name", "required", ""));
        }
        if subject.trim().is_empty() {
            errs.push(FieldError::new("subject", "required", ""));
        }
        if !at_county && county.is_empty() {
            errs.push(FieldError::new("county_code", "required", ""));
        }
        match (ch, day, cat) {
            (Some(channel), Some(received_on), Some(category)) if errs.is_empty() => {
                Ok(PetitionInput {
                    channel,
                    received_on,
                    county_code: (!at_county).then(|| (*county).clone()),
                    petitioner_name: name.trim().to_owned(),
                    petitioner_id_number: some(&id_number),
                    petitioner_phone: some(&phone),
                    subject: subject.trim().to_owned(),
                    category,
                    content: some(&content),
                    person_id: None,
                })
            }
            _ => Err(errs),
        }
    };
    let onsubmit = {
        let (fh, fields) = (fh.clone(), input());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let fields = match fields.clone() {
                Ok(f) => f,
                Err(errs) => return fh.reject(errs),
            };
            let navigator = navigator.clone();
            fh.submit(
                move |id| async move {
                    let body = PetitionCreate {
                        id: Some(id),
                        fields,
                    };
                    Ok(crate::api::petitions::create(&body).await?)
                },
                move |p: shared::petitions::Petition| {
                    if let Some(n) = navigator {
                        n.push(&Route::Petition {
                            id: p.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let counties: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("form.choose")))
        .chain(
            units
                .all()
                .iter()
                .filter(|u| {
                    u.kind == shared::OrgUnitKind::County && u.code.starts_with(scope.as_str())
                })
                .map(|u| (u.code.clone(), units.name(&u.code, lang))),
        )
        .collect();
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Petitions}>{ ctx.t("petition.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ ctx.t("petition.new") }</span>
            </nav>
            <h1>{ ctx.t("petition.new") }</h1>
            { fh.banner(lang, "petition-banner") }
            <form onsubmit={onsubmit} novalidate=true id="petition-form">
                <SelectField id="petition-channel" label={ctx.t("petition.channel")} value={(*channel).clone()} required=true
                    options={options(PetitionChannel::ALL, "petition_channel", lang, Some("form.choose"))} onchange={set(&channel, "channel")} error={err("channel")} />
                <TextField id="petition-received" kind="date" label={ctx.t("petition.received_on")} value={(*received).clone()} oninput={set(&received, "received_on")} error={err("received_on")} required=true />
                if !at_county {
                    <SelectField id="petition-county" label={ctx.t("petition.county")} value={(*county).clone()} required=true
                        options={counties} onchange={set(&county, "county_code")} error={err("county_code")} />
                }
                <h2>{ ctx.t("petition.petitioner") }</h2>
                <TextField id="petition-name" label={ctx.t("petition.name")} value={(*name).clone()} oninput={set(&name, "petitioner_name")} error={err("petitioner_name")} required=true />
                <TextField id="petition-id-number" label={ctx.t("petition.id_number")} value={(*id_number).clone()} oninput={set(&id_number, "petitioner_id_number")} error={err("petitioner_id_number")} />
                <TextField id="petition-phone" kind="tel" label={ctx.t("petition.phone")} value={(*phone).clone()} oninput={set(&phone, "petitioner_phone")} error={err("petitioner_phone")} inputmode={Some(AttrValue::Static("tel"))} />
                <h2>{ ctx.t("petition.matter") }</h2>
                <TextField id="petition-subject" label={ctx.t("petition.subject")} value={(*subject).clone()} oninput={set(&subject, "subject")} error={err("subject")} required=true />
                <SelectField id="petition-category" label={ctx.t("petition.category")} value={(*category).clone()} required=true
                    options={options(PetitionCategory::ALL, "petition_category", lang, Some("form.choose"))} onchange={set(&category, "category")} error={err("category")} />
                <TextField id="petition-content" multiline=true label={ctx.t("petition.content")} value={(*content).clone()} oninput={set(&content, "content")} error={err("content")} />
                <div class="buttons">
                    <button type="submit" class="primary" id="petition-save" disabled={fh.busy()}>{ ctx.t("petition.save") }</button>
                </div>
            </form>
        </section>
    }
}
