//! Measures 20 and 22, supervision: unannounced inspections (四不两直) with their form,
//! page and KPI matrix ([`inspections`], [`matrix`]), stationed supervision (蹲点督战)
//! with its log ([`stationings`]), and misconduct clues (问题线索) with their steps
//! ([`clues`]). What a user may do follows the capabilities of `shared::auth`; the
//! server holds the same rules.

pub mod clues;
pub mod inspections;
pub mod matrix;
pub mod stationings;

use shared::auth::{Capability, Role};
use shared::OrgUnitKind;
use uuid::Uuid;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::{SelectField, TextField};
use crate::hooks::units::Units;
use crate::i18n::Lang;

/// Whether the user holds `cap` (the server checks again).
pub fn can(ctx: &Ctx, cap: Capability) -> bool {
    ctx.me
        .as_ref()
        .is_some_and(|m| m.permissions.contains(&cap))
}

/// A trimmed text, or none when blank.
pub fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The code of the user's area ("43" for the province and its departments).
pub fn scope_of(ctx: &Ctx) -> String {
    ctx.me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .unwrap_or_default()
}

/// Filter options: "any", then the cities and counties below the user's area.
pub fn area_options(units: &Units, scope: &str, lang: Lang) -> Vec<(String, String)> {
    std::iter::once((String::new(), lang.t("filter.any")))
        .chain(
            units
                .all()
                .iter()
                .filter(|u| {
                    matches!(u.kind, OrgUnitKind::City | OrgUnitKind::County)
                        && u.code.starts_with(scope)
                        && u.code != scope
                })
                .map(|u| (u.code.clone(), units.name(&u.code, lang))),
        )
        .collect()
}

/// The departments of the provincial DPF, in code order.
pub fn department_options(units: &Units, lang: Lang) -> Vec<(String, String)> {
    units
        .of_kind(OrgUnitKind::Department)
        .into_iter()
        .map(|u| (u.code.clone(), units.name(&u.code, lang)))
        .collect()
}

/// Year options, newest first, with "any" first when `any`.
pub fn year_options(lang: Lang, any: bool) -> Vec<(String, String)> {
    any.then(|| (String::new(), lang.t("filter.any")))
        .into_iter()
        .chain(
            crate::pages::rehab::years()
                .into_iter()
                .map(|y| (y.to_string(), y.to_string())),
        )
        .collect()
}

/// "2020-05-01 – 2020-12-31", or "from 2020-05-01" while it lasts.
pub fn period(from: chrono::NaiveDate, to: Option<chrono::NaiveDate>, lang: Lang) -> String {
    match to {
        Some(to) => format!("{from} – {to}"),
        None => lang.t("sv.since").replace("{date}", &from.to_string()),
    }
}

/// Props of [`CountySelect`].
#[derive(Properties, PartialEq, Clone)]
pub struct CountySelectProps {
    /// Id prefix: the county select is `{id}`, the city select `{id}-city`.
    pub id: AttrValue,
    /// Label of the county select.
    pub label: AttrValue,
    /// The county chosen (6 digits, or "").
    pub value: String,
    /// A county was chosen (or none: "").
    pub onchange: Callback<String>,
    /// The error of the field.
    #[prop_or_default]
    pub error: Option<String>,
}

/// A county of the user's area: for users above a city first the city, then its
/// counties (a province has more than a hundred).
#[function_component(CountySelect)]
pub fn county_select(p: &CountySelectProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let city = use_state(|| p.value.get(..4).unwrap_or_default().to_owned());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let scope = scope_of(&ctx);
    let choose = (String::new(), ctx.t("form.choose"));
    let above_city = scope.len() < 4;
    let parent = if above_city {
        (*city).clone()
    } else {
        scope.get(..4).unwrap_or_default().to_owned()
    };
    let counties: Vec<(String, String)> = std::iter::once(choose.clone())
        .chain(
            units
                .of_kind(OrgUnitKind::County)
                .into_iter()
                .filter(|u| !parent.is_empty() && u.code.starts_with(parent.as_str()))
                .filter(|u| scope.len() != 6 || u.code == scope)
                .map(|u| (u.code.clone(), units.name(&u.code, lang))),
        )
        .collect();
    let cities: Vec<(String, String)> = std::iter::once(choose)
        .chain(
            units
                .of_kind(OrgUnitKind::City)
                .into_iter()
                .map(|u| (u.code.clone(), units.name(&u.code, lang))),
        )
        .collect();
    let set_city = {
        let (city, onchange) = (city.clone(), p.onchange.clone());
        Callback::from(move |c: String| {
            city.set(c);
            onchange.emit(String::new());
        })
    };
    html! {
        <>
            if above_city {
                <SelectField id={format!("{}-city", p.id)} label={ctx.t("sv.city")} value={(*city).clone()}
                    options={cities} onchange={set_city} />
            }
            <SelectField id={p.id.clone()} label={p.label.clone()} value={p.value.clone()} options={counties}
                onchange={p.onchange.clone()} error={p.error.clone()} required=true disabled={above_city && city.is_empty()} />
        </>
    }
}

/// The value of the leader select that asks for a user id instead.
const OTHER: &str = "other";

/// Props of [`LeaderPicker`].
#[derive(Properties, PartialEq, Clone)]
pub struct LeaderPickerProps {
    /// Element id of the select; the id input is `{id}-id`.
    pub id: AttrValue,
    /// Label.
    pub label: AttrValue,
    /// The user id chosen (as typed; "" when none).
    pub value: String,
    /// The leaders known to the page (the user, those of the record and of other
    /// records), by id and name.
    pub known: Vec<(Uuid, String)>,
    /// A leader was chosen or an id typed.
    pub onchange: Callback<String>,
    /// The error of the field.
    #[prop_or_default]
    pub error: Option<String>,
}

/// A leader of the provincial DPF: one of those the page knows, or another by their
/// user id (the API offers no list of the province's leaders to every user).
#[function_component(LeaderPicker)]
pub fn leader_picker(p: &LeaderPickerProps) -> Html {
    let ctx = use_context::<Ctx>();
    let known = |v: &str| p.known.iter().any(|(id, _)| id.to_string() == v);
    let typing = use_state(|| !p.value.is_empty() && !known(&p.value));
    let Some(ctx) = ctx else {
        return html! {};
    };
    let mut options: Vec<(String, String)> = vec![(String::new(), ctx.t("form.choose"))];
    for (id, name) in &p.known {
        let v = id.to_string();
        if !options.iter().any(|(o, _)| *o == v) {
            options.push((v, name.clone()));
        }
    }
    options.push((OTHER.to_owned(), ctx.t("sv.leader_other")));
    let on_select = {
        let (typing, onchange) = (typing.clone(), p.onchange.clone());
        Callback::from(move |v: String| {
            if v == OTHER {
                typing.set(true);
                onchange.emit(String::new());
            } else {
                typing.set(false);
                onchange.emit(v);
            }
        })
    };
    let selected = if *typing {
        OTHER.to_owned()
    } else {
        p.value.clone()
    };
    html! {
        <>
            <SelectField id={p.id.clone()} label={p.label.clone()} value={selected} options={options}
                onchange={on_select} error={(!*typing).then(|| p.error.clone()).flatten()} required=true />
            if *typing {
                <TextField id={format!("{}-id", p.id)} label={ctx.t("sv.leader_id")} value={p.value.clone()}
                    oninput={p.onchange.clone()} error={p.error.clone()} required=true />
            }
        </>
    }
}

/// The user, as a leader the pickers know, when they hold a role of the DPF's work
/// (`leader_only`: the leader role).
pub fn me_as_leader(ctx: &Ctx, leader_only: bool) -> Option<(Uuid, String)> {
    let me = ctx.me.as_ref()?;
    let fits = me.user.roles.iter().any(|r| {
        if leader_only {
            *r == Role::Leader
        } else {
            !matches!(r, Role::Admin | Role::Auditor)
        }
    });
    fits.then(|| (me.user.id, me.user.display_name.clone()))
}

/// The error of a typed leader id: none when it is a user id.
pub fn leader_id(value: &str) -> Result<Uuid, shared::FieldError> {
    if value.trim().is_empty() {
        return Err(shared::FieldError::new("leader_id", "required", ""));
    }
    value
        .trim()
        .parse::<Uuid>()
        .map_err(|_| shared::FieldError::new("leader_id", "invalid_value", ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leader_id_must_be_a_user_id() {
        assert!(leader_id("").is_err());
        assert!(leader_id("abc").is_err());
        assert!(leader_id(" 6f1c9c3e-8d7a-4e55-9d0b-4c1d2e3f4a5b ").is_ok());
    }

    #[test]
    fn blank_text_is_none() {
        assert_eq!(some("  "), None);
        assert_eq!(some(" a "), Some("a".to_owned()));
    }
}
