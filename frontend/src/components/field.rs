//! Labelled form fields whose errors are announced and tied to the input.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Props of a text input.
#[derive(Properties, PartialEq, Clone)]
pub struct TextProps {
    /// Element id (also the test hook).
    pub id: AttrValue,
    /// Visible label.
    pub label: AttrValue,
    /// Current value.
    pub value: AttrValue,
    /// New value on every keystroke.
    pub oninput: Callback<String>,
    /// Error to show under the field.
    #[prop_or_default]
    pub error: Option<String>,
    /// Input type.
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    /// Required field.
    #[prop_or_default]
    pub required: bool,
    /// autocomplete attribute.
    #[prop_or(AttrValue::Static("off"))]
    pub autocomplete: AttrValue,
    /// inputmode attribute (numeric keypad on phones).
    #[prop_or_default]
    pub inputmode: Option<AttrValue>,
    /// Multi-line.
    #[prop_or_default]
    pub multiline: bool,
}

/// A labelled text input.
#[function_component(TextField)]
pub fn text_field(p: &TextProps) -> Html {
    let err_id = format!("{}-error", p.id);
    let oninput = p.oninput.clone();
    let on_input = Callback::from(move |e: InputEvent| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            oninput.emit(input.value());
        } else if let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() {
            oninput.emit(area.value());
        }
    });
    let invalid = p.error.is_some().then_some("true");
    let described = p.error.is_some().then(|| err_id.clone());
    html! {
        <div class={classes!("field", p.error.is_some().then_some("has-error"))}>
            <label for={p.id.clone()}>{ &p.label }{ if p.required { html!{<span class="req" aria-hidden="true">{" *"}</span>} } else { html!{} } }</label>
            if p.multiline {
                <textarea id={p.id.clone()} name={p.id.clone()} value={p.value.clone()} oninput={on_input}
                    aria-invalid={invalid} aria-describedby={described} rows="3" />
            } else {
                <input id={p.id.clone()} name={p.id.clone()} type={p.kind.clone()} value={p.value.clone()} oninput={on_input}
                    required={p.required} autocomplete={p.autocomplete.clone()} inputmode={p.inputmode.clone()}
                    aria-invalid={invalid} aria-describedby={described} />
            }
            if let Some(e) = &p.error {
                <p class="error" id={err_id}>{ e }</p>
            }
        </div>
    }
}

/// Props of a select.
#[derive(Properties, PartialEq, Clone)]
pub struct SelectProps {
    /// Element id.
    pub id: AttrValue,
    /// Visible label.
    pub label: AttrValue,
    /// Selected value.
    pub value: AttrValue,
    /// (value, label) pairs.
    pub options: Vec<(String, String)>,
    /// New value.
    pub onchange: Callback<String>,
    /// Error to show.
    #[prop_or_default]
    pub error: Option<String>,
    /// Required.
    #[prop_or_default]
    pub required: bool,
    /// Disabled.
    #[prop_or_default]
    pub disabled: bool,
}

/// A labelled select.
#[function_component(SelectField)]
pub fn select_field(p: &SelectProps) -> Html {
    let err_id = format!("{}-error", p.id);
    let onchange = p.onchange.clone();
    let on_change = Callback::from(move |e: Event| {
        if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
            onchange.emit(s.value());
        }
    });
    html! {
        <div class={classes!("field", p.error.is_some().then_some("has-error"))}>
            <label for={p.id.clone()}>{ &p.label }{ if p.required { html!{<span class="req" aria-hidden="true">{" *"}</span>} } else { html!{} } }</label>
            <select id={p.id.clone()} name={p.id.clone()} onchange={on_change} disabled={p.disabled} required={p.required}
                aria-invalid={p.error.is_some().then_some("true")} aria-describedby={p.error.is_some().then(|| err_id.clone())}>
                { for p.options.iter().map(|(v, l)| html! { <option value={v.clone()} selected={*v == p.value.as_str()}>{ l }</option> }) }
            </select>
            if let Some(e) = &p.error {
                <p class="error" id={err_id}>{ e }</p>
            }
        </div>
    }
}

/// Props of a checkbox.
#[derive(Properties, PartialEq, Clone)]
pub struct CheckProps {
    /// Element id.
    pub id: AttrValue,
    /// Label.
    pub label: AttrValue,
    /// Checked.
    pub checked: bool,
    /// New state.
    pub onchange: Callback<bool>,
}

/// A labelled checkbox.
#[function_component(CheckField)]
pub fn check_field(p: &CheckProps) -> Html {
    let onchange = p.onchange.clone();
    let on_change = Callback::from(move |e: Event| {
        if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
            onchange.emit(i.checked());
        }
    });
    html! {
        <div class="field check">
            <input type="checkbox" id={p.id.clone()} name={p.id.clone()} checked={p.checked} onchange={on_change} />
            <label for={p.id.clone()}>{ &p.label }</label>
        </div>
    }
}

/// What the input or text area with DOM id `id` holds right now, if there is one. A
/// submit reads it rather than the component's state, which may lag the last keystroke
/// by a render.
pub fn typed_value(id: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    let el = web_sys::window()?.document()?.get_element_by_id(id)?;
    match el.dyn_into::<HtmlInputElement>() {
        Ok(input) => Some(input.value()),
        Err(el) => el.dyn_into::<HtmlTextAreaElement>().ok().map(|t| t.value()),
    }
}
