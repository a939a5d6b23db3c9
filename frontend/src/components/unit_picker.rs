//! City → county → town → village pickers, fed by the org-unit and address API and
//! limited to the user's area. Doubles as the unit switcher of the registry.

use shared::api::{AddressEntry, OrgUnit};
use shared::OrgUnitKind;
use yew::prelude::*;

use super::field::SelectField;
use crate::app::Ctx;

/// The place chosen: county, town, village codes ("" when none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    /// County code.
    pub county: String,
    /// Town code.
    pub town: String,
    /// Village code.
    pub village: String,
}

/// Props of the picker.
#[derive(Properties, PartialEq, Clone)]
pub struct PickerProps {
    /// Id prefix of the selects.
    pub id: AttrValue,
    /// Current place.
    pub value: Place,
    /// New place.
    pub onchange: Callback<Place>,
    /// Field errors: county, town, village.
    #[prop_or_default]
    pub errors: (Option<String>, Option<String>, Option<String>),
    /// Whether "any" is allowed at each level (search) or a county is required (forms).
    #[prop_or_default]
    pub optional: bool,
}

/// The picker.
#[function_component(AreaPicker)]
pub fn area_picker(p: &PickerProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let scope = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .unwrap_or_else(|| "43".into());
    let units = use_state(Vec::<OrgUnit>::new);
    let towns = use_state(Vec::<AddressEntry>::new);
    let villages = use_state(Vec::<AddressEntry>::new);
    let city = use_state(|| {
        if p.value.county.len() >= 4 {
            p.value.county[..4].to_owned()
        } else {
            String::new()
        }
    });

    {
        let units = units.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(u) = crate::api::get::<Vec<OrgUnit>>("/api/v1/org-units").await {
                    units.set(u);
                }
            });
            || ()
        });
    }
    {
        let towns = towns.clone();
        use_effect_with(p.value.county.clone(), move |county| {
            let county = county.clone();
            if county.len() == 6 {
                wasm_bindgen_futures::spawn_local(async move {
                    let path = crate::api::with_query("/api/v1/addresses", &[("parent", county)]);
                    towns.set(
                        crate::api::get::<Vec<AddressEntry>>(&path)
                            .await
                            .unwrap_or_default(),
                    );
                });
            } else {
                towns.set(Vec::new());
            }
            || ()
        });
    }
    {
        let villages = villages.clone();
        use_effect_with(p.value.town.clone(), move |town| {
            let town = town.clone();
            if town.len() == 9 {
                wasm_bindgen_futures::spawn_local(async move {
                    let path = crate::api::with_query("/api/v1/addresses", &[("parent", town)]);
                    villages.set(
                        crate::api::get::<Vec<AddressEntry>>(&path)
                            .await
                            .unwrap_or_default(),
                    );
                });
            } else {
                villages.set(Vec::new());
            }
            || ()
        });
    }

    let any = (
        String::new(),
        if p.optional {
            ctx.t("persons.any")
        } else {
            "—".to_owned()
        },
    );
    let opts = |items: Vec<(String, String)>| {
        std::iter::once(any.clone())
            .chain(items)
            .collect::<Vec<_>>()
    };
    let cities: Vec<(String, String)> = units
        .iter()
        .filter(|u| u.kind == OrgUnitKind::City)
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    // Counties of the chosen city, or of the user's own city/county scope.
    let county_parent = match scope.len() {
        4 => scope.clone(),
        6 => scope[..4].to_owned(),
        _ => (*city).clone(),
    };
    let counties: Vec<(String, String)> = units
        .iter()
        .filter(|u| {
            u.kind == OrgUnitKind::County
                && u.parent_code.as_deref() == Some(county_parent.as_str())
        })
        .filter(|u| scope.len() != 6 || u.code == scope)
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    let value = p.value.clone();
    let onchange = p.onchange.clone();
    let set_city = {
        let city = city.clone();
        let onchange = onchange.clone();
        Callback::from(move |c: String| {
            city.set(c);
            onchange.emit(Place::default());
        })
    };
    let set_county = {
        let onchange = onchange.clone();
        Callback::from(move |c: String| {
            onchange.emit(Place {
                county: c,
                ..Place::default()
            })
        })
    };
    let set_town = {
        let onchange = onchange.clone();
        let value = value.clone();
        Callback::from(move |t: String| {
            onchange.emit(Place {
                county: value.county.clone(),
                town: t,
                village: String::new(),
            })
        })
    };
    let set_village = {
        let value = value.clone();
        Callback::from(move |v: String| {
            onchange.emit(Place {
                village: v,
                ..value.clone()
            })
        })
    };
    html! {
        <fieldset class="area">
            <legend>{ ctx.t("persons.area") }</legend>
            if scope.len() == 2 {
                <SelectField id={format!("{}-city", p.id)} label={ctx.t("field.city")} value={(*city).clone()} options={opts(cities)} onchange={set_city} />
            }
            <SelectField id={format!("{}-county", p.id)} label={ctx.t("field.county_code")} value={p.value.county.clone()}
                options={opts(counties)} onchange={set_county} error={p.errors.0.clone()} required={!p.optional} />
            <SelectField id={format!("{}-town", p.id)} label={ctx.t("field.town_code")} value={p.value.town.clone()}
                options={opts(towns.iter().map(|t| (t.code.clone(), t.name.clone())).collect())} onchange={set_town}
                error={p.errors.1.clone()} disabled={p.value.county.is_empty()} />
            <SelectField id={format!("{}-village", p.id)} label={ctx.t("field.village_code")} value={p.value.village.clone()}
                options={opts(villages.iter().map(|t| (t.code.clone(), t.name.clone())).collect())} onchange={set_village}
                error={p.errors.2.clone()} disabled={p.value.town.is_empty()} />
        </fieldset>
    }
}
