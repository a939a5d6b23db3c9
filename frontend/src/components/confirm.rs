//! A button for a destructive or irreversible action that asks first, in the page
//! (no browser dialog: it is translated, styled and reachable on a phone).

use yew::prelude::*;

use crate::app::Ctx;

/// Props of [`ConfirmButton`].
#[derive(Properties, PartialEq, Clone)]
pub struct ConfirmProps {
    /// Element id of the first button; the confirming one is `{id}-yes`, the cancel
    /// one `{id}-no`.
    pub id: AttrValue,
    /// What the button says.
    pub label: AttrValue,
    /// The question asked before acting ("登记退训？此操作…").
    pub question: AttrValue,
    /// Runs once the user confirms.
    pub onconfirm: Callback<()>,
    /// Disabled (a request in flight).
    #[prop_or_default]
    pub disabled: bool,
    /// Extra classes of the first button (e.g. "danger").
    #[prop_or_default]
    pub class: Classes,
}

/// Asks before it acts: the first press shows the question with 确定 / 取消, focused on
/// the question so screen readers read it.
#[function_component(ConfirmButton)]
pub fn confirm_button(p: &ConfirmProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let asking = use_state(|| false);
    let question_ref = use_node_ref();
    {
        let question_ref = question_ref.clone();
        use_effect_with(*asking, move |asking| {
            if *asking {
                if let Some(el) = question_ref.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
            || ()
        });
    }
    if *asking {
        let yes = {
            let (asking, cb) = (asking.clone(), p.onconfirm.clone());
            Callback::from(move |_| {
                asking.set(false);
                cb.emit(());
            })
        };
        let no = {
            let asking = asking.clone();
            Callback::from(move |_| asking.set(false))
        };
        html! {
            <span class="confirm" role="group" aria-labelledby={format!("{}-q", p.id)}>
                <span id={format!("{}-q", p.id)} tabindex="-1" ref={question_ref}>{ &p.question }</span>
                <button type="button" class="button danger" id={format!("{}-yes", p.id)} onclick={yes} disabled={p.disabled}>{ ctx.t("confirm.yes") }</button>
                <button type="button" class="button" id={format!("{}-no", p.id)} onclick={no}>{ ctx.t("confirm.no") }</button>
            </span>
        }
    } else {
        let ask = {
            let asking = asking.clone();
            Callback::from(move |_| asking.set(true))
        };
        html! {
            <button type="button" class={classes!("button", p.class.clone())} id={p.id.clone()} onclick={ask} disabled={p.disabled}>{ &p.label }</button>
        }
    }
}
