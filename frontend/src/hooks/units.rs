//! Names, not codes: the org tree (province, cities, counties, DPF departments) loaded
//! once per page load and shared by every screen that shows a unit.

use std::cell::RefCell;
use std::rc::Rc;

use shared::api::OrgUnit;
use shared::OrgUnitKind;
use yew::prelude::*;

thread_local! {
    static CACHE: RefCell<Option<Rc<Units>>> = const { RefCell::new(None) };
}

/// The org units the user may see, by code.
#[derive(Debug, Default, PartialEq)]
pub struct Units {
    list: Vec<OrgUnit>,
}

impl Units {
    /// The unit's name (English where kept and asked for); the code itself when unknown.
    pub fn name(&self, code: &str, lang: crate::i18n::Lang) -> String {
        match self.list.iter().find(|u| u.code == code) {
            Some(u) if lang == crate::i18n::Lang::En => {
                u.name_en.clone().unwrap_or_else(|| u.name.clone())
            }
            Some(u) => u.name.clone(),
            None => code.to_owned(),
        }
    }

    /// The units of one kind, in code order.
    pub fn of_kind(&self, kind: OrgUnitKind) -> Vec<&OrgUnit> {
        let mut v: Vec<&OrgUnit> = self.list.iter().filter(|u| u.kind == kind).collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// Every unit.
    pub fn all(&self) -> &[OrgUnit] {
        &self.list
    }

    /// Whether the list has arrived.
    pub fn loaded(&self) -> bool {
        !self.list.is_empty()
    }
}

/// The org units, loaded once (the first caller fetches; later callers get the cache).
#[hook]
pub fn use_units() -> Rc<Units> {
    let units = use_state(|| CACHE.with(|c| c.borrow().clone()).unwrap_or_default());
    {
        let units = units.clone();
        use_effect_with((), move |_| {
            if !units.loaded() {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(list) = crate::api::get::<Vec<OrgUnit>>("/api/v1/org-units").await {
                        let loaded = Rc::new(Units { list });
                        CACHE.with(|c| *c.borrow_mut() = Some(loaded.clone()));
                        units.set(loaded);
                    }
                });
            }
            || ()
        });
    }
    (*units).clone()
}

/// Forgets the cache (on logout: another user may see other units).
pub fn forget() {
    CACHE.with(|c| *c.borrow_mut() = None);
}
