//! Create and edit a registry entry, with live validation by the same rules the server
//! runs (`shared::person::PersonInput::validate`) and server errors next to the field.

use shared::person::{Assurances, Person, PersonCreate, PersonInput, PersonUpdate};
use shared::{DisabilityCategory, DisabilityLevel, FieldError, PovertyStatus};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::clock::today;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::components::unit_picker::{AreaPicker, Place};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;

#[derive(Debug, Clone, PartialEq)]
struct Form {
    name: String,
    id_number: String,
    has_certificate: bool,
    certificate_number: String,
    category: Option<DisabilityCategory>,
    level: Option<u8>,
    phone: String,
    place: Place,
    address_detail: String,
    household_number: String,
    household_size: String,
    poverty_status: Option<PovertyStatus>,
    registered_poor: Option<bool>,
    multi_disabled_household: bool,
    elderly_disabled: bool,
    assurances: Assurances,
    notes: String,
    version: Option<i64>,
}

impl Form {
    fn new(county: &str) -> Self {
        Self {
            name: String::new(),
            id_number: String::new(),
            has_certificate: false,
            certificate_number: String::new(),
            // Nothing a person's entry must decide is chosen for the registrar.
            category: None,
            level: None,
            phone: String::new(),
            place: Place {
                county: county.to_owned(),
                ..Place::default()
            },
            address_detail: String::new(),
            household_number: String::new(),
            household_size: String::new(),
            poverty_status: None,
            registered_poor: None,
            multi_disabled_household: false,
            elderly_disabled: false,
            assurances: Assurances::default(),
            notes: String::new(),
            version: None,
        }
    }

    fn from_person(p: &Person) -> Self {
        Self {
            name: p.name.clone(),
            id_number: String::new(),
            has_certificate: p.has_certificate,
            certificate_number: String::new(),
            category: Some(p.disability_category),
            level: Some(p.disability_level.get()),
            phone: p.phone.clone().unwrap_or_default(),
            place: Place {
                county: p.county_code.clone(),
                town: p.town_code.clone().unwrap_or_default(),
                village: p.village_code.clone().unwrap_or_default(),
            },
            address_detail: p.address_detail.clone().unwrap_or_default(),
            household_number: p.household_number.clone().unwrap_or_default(),
            household_size: p.household_size.map(|n| n.to_string()).unwrap_or_default(),
            poverty_status: Some(p.poverty_status),
            registered_poor: Some(p.registered_poor),
            multi_disabled_household: p.multi_disabled_household,
            elderly_disabled: p.elderly_disabled,
            assurances: p.assurances.clone(),
            notes: p.notes.clone().unwrap_or_default(),
            version: Some(p.version),
        }
    }

    fn input(&self) -> Result<PersonInput, Vec<FieldError>> {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let household_size = match opt(&self.household_size) {
            None => None,
            Some(s) => match s.parse() {
                Ok(n) => Some(n),
                Err(_) => {
                    return Err(vec![FieldError::new(
                        "household_size",
                        "out_of_range",
                        "not a number",
                    )])
                }
            },
        };
        let mut missing = Vec::new();
        let mut need = |unset: bool, field: &str| {
            if unset {
                missing.push(FieldError::new(field, "required", ""));
            }
        };
        need(self.category.is_none(), "disability_category");
        need(self.level.is_none(), "disability_level");
        need(self.poverty_status.is_none(), "poverty_status");
        need(self.registered_poor.is_none(), "registered_poor");
        // Unchosen values stand in as placeholders so that the other fields are still
        // checked; the input is only returned when everything was chosen.
        let (category, level, poverty_status, registered_poor) = (
            self.category.unwrap_or(DisabilityCategory::Physical),
            self.level.unwrap_or(4),
            self.poverty_status.unwrap_or(PovertyStatus::InPoverty),
            self.registered_poor.unwrap_or(false),
        );
        let input = PersonInput {
            name: self.name.clone(),
            id_number: opt(&self.id_number),
            has_certificate: self.has_certificate,
            certificate_number: if self.has_certificate {
                opt(&self.certificate_number)
            } else {
                None
            },
            sex: None,
            birth_date: None,
            disability_category: category,
            disability_level: DisabilityLevel::new(level).unwrap_or(DisabilityLevel::MILDEST),
            phone: opt(&self.phone),
            county_code: self.place.county.clone(),
            town_code: opt(&self.place.town),
            village_code: opt(&self.place.village),
            address_detail: opt(&self.address_detail),
            household_number: opt(&self.household_number),
            household_size,
            poverty_status,
            registered_poor,
            multi_disabled_household: self.multi_disabled_household,
            elderly_disabled: self.elderly_disabled,
            assurances: self.assurances.clone(),
            notes: opt(&self.notes),
        };
        if missing.is_empty() {
            Ok(input)
        } else {
            missing.extend(
                input
                    .validate(today(), self.version.is_none())
                    .err()
                    .unwrap_or_default(),
            );
            Err(missing)
        }
    }

    /// Client-side problems, by the shared rules.
    fn problems(&self, creating: bool) -> Vec<FieldError> {
        match self.input() {
            Ok(i) => i.validate(today(), creating).err().unwrap_or_default(),
            Err(e) => e,
        }
    }
}

/// Creates (with the form's stable `record_id`) or updates the entry. A stale version
/// shows the newer entry, for the user to apply their change again.
async fn save(
    id: Option<String>,
    record_id: uuid::Uuid,
    input: PersonInput,
    form: UseStateHandle<Form>,
) -> Result<Person, Failure> {
    let result = match &id {
        None => {
            crate::api::post::<Person, _>(
                "/api/v1/persons",
                &PersonCreate {
                    id: Some(record_id),
                    fields: input,
                },
            )
            .await
        }
        Some(id) => {
            crate::api::put::<Person, _>(
                &format!("/api/v1/persons/{id}"),
                &PersonUpdate {
                    version: form.version,
                    fields: input,
                },
            )
            .await
        }
    };
    match result {
        Ok(saved) => Ok(saved),
        Err(e) if e.code() == "stale_version" => {
            if let Some(id) = &id {
                if let Ok(newer) = crate::api::get::<Person>(&format!("/api/v1/persons/{id}")).await
                {
                    form.set(Form::from_person(&newer));
                }
            }
            Err(Failure::Message("persons.conflict", Vec::new()))
        }
        Err(e) if e.code() == "duplicate_id_number" => Err(Failure::Message(
            "form.fix_errors",
            vec![FieldError::new("id_number", "duplicate_id_number", "")],
        )),
        Err(e) => Err(e.into()),
    }
}

/// Props: `None` to create, the id to edit.
#[derive(Properties, PartialEq)]
pub struct FormProps {
    /// Record id when editing.
    pub id: Option<String>,
}

/// The create/edit page.
#[function_component(PersonForm)]
pub fn person_form(p: &FormProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    use_title(ctx.t(if p.id.is_some() {
        "persons.edit"
    } else {
        "persons.new"
    }));
    let navigator = use_navigator();
    let own_county = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .filter(|c| c.len() == 6)
        .unwrap_or_default();
    let form = use_state(|| Form::new(&own_county));
    let touched = use_state(Vec::<String>::new);
    let submitted = use_state(|| false);
    // Server errors, banner, busy flag and the stable id of a create.
    let fh = use_form("person-form");
    let creating = p.id.is_none();
    let lang = ctx.lang;

    {
        let (form, fh) = (form.clone(), fh.clone());
        use_effect_with(p.id.clone(), move |id| {
            if let Some(id) = id.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    match crate::api::get::<Person>(&format!("/api/v1/persons/{id}")).await {
                        Ok(person) => form.set(Form::from_person(&person)),
                        Err(e) => fh.fail(Failure::Api(e)),
                    }
                });
            }
            || ()
        });
    }

    let client = form.problems(creating);
    let error_for = |field: &str| -> Option<String> {
        if let Some(e) = fh.error(field, lang) {
            return Some(e);
        }
        if *submitted || touched.iter().any(|t| t == field) {
            return client
                .iter()
                .find(|e| e.field == field)
                .map(|e| lang.error(&e.code, &e.message));
        }
        None
    };

    let update = |field: &'static str, f: fn(&mut Form, String)| {
        let (form, touched, fh) = (form.clone(), touched.clone(), fh.clone());
        Callback::from(move |v: String| {
            let mut x = (*form).clone();
            f(&mut x, v);
            form.set(x);
            if !touched.iter().any(|t| t == field) {
                let mut t = (*touched).clone();
                t.push(field.to_owned());
                touched.set(t);
            }
            fh.clear_error(field);
        })
    };
    let check = |f: fn(&mut Form, bool)| {
        let form = form.clone();
        Callback::from(move |v: bool| {
            let mut x = (*form).clone();
            f(&mut x, v);
            form.set(x);
        })
    };

    let onsubmit = {
        let (form, submitted, fh, id) = (form.clone(), submitted.clone(), fh.clone(), p.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            submitted.set(true);
            let problems = form.problems(id.is_none());
            if !problems.is_empty() {
                fh.reject(problems);
                return;
            }
            let Ok(input) = form.input() else { return };
            let (form, navigator, id) = (form.clone(), navigator.clone(), id.clone());
            fh.submit(
                move |record_id| save(id, record_id, input, form),
                move |saved: Person| {
                    if let Some(n) = navigator {
                        n.push(&Route::Person {
                            id: saved.id.to_string(),
                        });
                    }
                },
            );
        })
    };

    let f = &*form;
    let choose = || (String::new(), ctx.t("field.choose"));
    let categories: Vec<(String, String)> = std::iter::once(choose())
        .chain(
            DisabilityCategory::ALL
                .iter()
                .map(|c| (c.to_string(), ctx.t(&format!("cat.{c}")))),
        )
        .collect();
    let levels: Vec<(String, String)> = std::iter::once(choose())
        .chain((1..=4).map(|l| (l.to_string(), ctx.t(&format!("level.{l}")))))
        .collect();
    let poverty: Vec<(String, String)> = std::iter::once(choose())
        .chain(
            PovertyStatus::ALL
                .iter()
                .map(|s| (s.to_string(), ctx.t(&format!("pov.{s}")))),
        )
        .collect();
    let yes_no: Vec<(String, String)> = vec![
        choose(),
        ("true".into(), ctx.t("persons.yes")),
        ("false".into(), ctx.t("persons.no")),
    ];
    let shown = |v: Option<String>| v.unwrap_or_default();
    let title = if creating {
        ctx.t("persons.new")
    } else {
        format!("{} · {}", ctx.t("persons.edit"), f.name)
    };
    html! {
        <section class="card">
            <h1>{ title }</h1>
            { fh.banner(lang, "form-banner") }
            <form onsubmit={onsubmit} novalidate=true id="person-form">
                <TextField id="name" label={ctx.t("field.name")} value={f.name.clone()} oninput={update("name", |f, v| f.name = v)} error={error_for("name")} required=true autocomplete="name" />
                <TextField id="id_number" label={ctx.t(if creating { "field.id_number" } else { "field.id_number_keep" })} value={f.id_number.clone()}
                    oninput={update("id_number", |f, v| f.id_number = v)} error={error_for("id_number")} required={creating} />
                <SelectField id="disability_category" label={ctx.t("field.disability_category")} value={shown(f.category.map(|c| c.to_string()))} options={categories}
                    onchange={update("disability_category", |f, v| f.category = v.parse().ok())} error={error_for("disability_category")} required=true />
                <SelectField id="disability_level" label={ctx.t("field.disability_level")} value={shown(f.level.map(|l| l.to_string()))} options={levels}
                    onchange={update("disability_level", |f, v| f.level = v.parse().ok())} error={error_for("disability_level")} required=true />
                <CheckField id="has_certificate" label={ctx.t("field.has_certificate")} checked={f.has_certificate} onchange={check(|f, v| f.has_certificate = v)} />
                if f.has_certificate {
                    <TextField id="certificate_number" label={ctx.t("field.certificate_number")} value={f.certificate_number.clone()}
                        oninput={update("certificate_number", |f, v| f.certificate_number = v)} error={error_for("certificate_number")} required={creating} />
                }
                <TextField id="phone" label={ctx.t("field.phone")} value={f.phone.clone()} kind="tel" autocomplete="tel" inputmode={Some(AttrValue::Static("tel"))}
                    oninput={update("phone", |f, v| f.phone = v)} error={error_for("phone")} />
                <AreaPicker id="p" value={f.place.clone()} errors={(error_for("county_code"), error_for("town_code"), error_for("village_code"))}
                    onchange={let form = form.clone(); Callback::from(move |pl: Place| { let mut x = (*form).clone(); x.place = pl; form.set(x); })} />
                <TextField id="address_detail" label={ctx.t("field.address_detail")} value={f.address_detail.clone()} oninput={update("address_detail", |f, v| f.address_detail = v)} error={error_for("address_detail")} />
                <TextField id="household_number" label={ctx.t("field.household_number")} value={f.household_number.clone()} oninput={update("household_number", |f, v| f.household_number = v)} error={error_for("household_number")} />
                <TextField id="household_size" label={ctx.t("field.household_size")} value={f.household_size.clone()} kind="number" inputmode={Some(AttrValue::Static("numeric"))}
                    oninput={update("household_size", |f, v| f.household_size = v)} error={error_for("household_size")} />
                <SelectField id="poverty_status" label={ctx.t("field.poverty_status")} value={shown(f.poverty_status.map(|s| s.to_string()))} options={poverty}
                    onchange={update("poverty_status", |f, v| f.poverty_status = v.parse().ok())} error={error_for("poverty_status")} required=true />
                <SelectField id="registered_poor" label={ctx.t("field.registered_poor")} value={shown(f.registered_poor.map(|b| b.to_string()))} options={yes_no}
                    onchange={update("registered_poor", |f, v| f.registered_poor = v.parse().ok())} error={error_for("registered_poor")} required=true />
                <CheckField id="multi_disabled_household" label={ctx.t("field.multi_disabled_household")} checked={f.multi_disabled_household} onchange={check(|f, v| f.multi_disabled_household = v)} />
                <CheckField id="elderly_disabled" label={ctx.t("field.elderly_disabled")} checked={f.elderly_disabled} onchange={check(|f, v| f.elderly_disabled = v)} />
                <TextField id="notes" label={ctx.t("field.notes")} value={f.notes.clone()} multiline=true oninput={update("notes", |f, v| f.notes = v)} error={error_for("notes")} />
                <div class="buttons">
                    <button type="submit" class="primary" disabled={fh.busy()} id="save">{ ctx.t("persons.save") }</button>
                    <Link<Route> to={Route::Persons} classes="button">{ ctx.t("persons.cancel") }</Link<Route>>
                </div>
            </form>
        </section>
    }
}
