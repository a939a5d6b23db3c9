//! Page conventions every screen follows: its own `<title>`, and after navigation the
//! focus on the page's heading (so a screen reader announces the new page and keyboard
//! users start from its top).

use yew::prelude::*;

/// Sets the document title to "`title` · 湘助" while the page is shown.
#[hook]
pub fn use_title(title: String) {
    use_effect_with(title, |title| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let app = crate::i18n::Lang::Zh.t("app.name");
            doc.set_title(&if title.is_empty() {
                app
            } else {
                format!("{title} · {app}")
            });
        }
        || ()
    });
}

/// Moves focus to the first `h1` inside `#main` once it is rendered (pages that load
/// their data render the heading a little later, so this retries briefly).
pub fn focus_heading() {
    fn attempt(left: u32) {
        let h1 = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("#main h1").ok().flatten())
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
        match h1 {
            Some(h1) => {
                let _ = h1.set_attribute("tabindex", "-1");
                let _ = h1.focus();
            }
            None if left > 0 => {
                gloo_timers::callback::Timeout::new(100, move || attempt(left - 1)).forget();
            }
            None => {}
        }
    }
    gloo_timers::callback::Timeout::new(0, || attempt(20)).forget();
}
