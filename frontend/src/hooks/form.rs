//! The one form hook: every form of the app submits through it.
//!
//! It owns what each form used to do on its own, and some did wrong:
//! - a client-chosen record id, made once per form instance and kept across retries
//!   until a create succeeds, so that a double click or a retry after a lost answer
//!   replays the same create (the API answers the existing record) instead of making a
//!   duplicate;
//! - a busy flag that disables the submit button and ignores a second submit while a
//!   request is in flight;
//! - the server's field errors (problem JSON `errors`) next to their fields, and the
//!   rest in a banner;
//! - focus on the first invalid field after a failed submit, for keyboard and
//!   screen-reader users.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;

use crate::api::ApiError;
use crate::i18n::Lang;

/// What the banner above a form says.
#[derive(Debug, Clone, PartialEq)]
enum Banner {
    /// A message key.
    Key(&'static str),
    /// A failed call, rendered in the language of the moment.
    Api(ApiError),
    /// A text made by the page.
    Text(String),
}

/// Why a submit failed, as the request of [`UseForm::submit`] reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The API refused: its field errors go next to the fields, the rest to the banner.
    Api(ApiError),
    /// A page-specific message key for the banner, with field errors (maybe none).
    Message(&'static str, Vec<FieldError>),
    /// A text for the banner (for errors of a form without an input per field).
    Text(String),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

/// Refusals without field errors that are still about one field: the message goes next
/// to that field (where the user's eye is), not only to the banner at the top.
const FIELD_OF_CODE: &[(&str, &str)] = &[
    ("duplicate_id_number", "id_number"),
    ("duplicate_credit_code", "credit_code"),
    ("duplicate_username", "username"),
    ("already_enrolled", "person_id"),
    ("duplicate_enrolment", "person_id"),
    ("person_not_in_unit", "person_id"),
    ("no_programme_year", "loan_date"),
];

/// The field errors and banner that a failure shows.
fn split(failure: Failure) -> (Vec<FieldError>, Banner) {
    match failure {
        Failure::Message(key, errors) => (errors, Banner::Key(key)),
        Failure::Text(text) => (Vec::new(), Banner::Text(text)),
        Failure::Api(e) => {
            let mut errors = e
                .problem
                .as_ref()
                .map(|p| p.errors.clone())
                .unwrap_or_default();
            if errors.is_empty() {
                if let Some((_, field)) = FIELD_OF_CODE.iter().find(|(c, _)| *c == e.code()) {
                    let detail = e.problem.as_ref().map_or("", |p| p.detail.as_str());
                    errors.push(FieldError::new(*field, e.code(), detail));
                    return (errors, Banner::Api(e));
                }
            }
            if e.code() == "id_conflict" {
                (errors, Banner::Key("form.id_conflict"))
            } else if errors.is_empty() {
                (errors, Banner::Api(e))
            } else {
                (errors, Banner::Key("form.fix_errors"))
            }
        }
    }
}

/// Adds the errors of `more` whose field has none in `errs` yet (the server's rules run
/// in the browser after the page's own checks, which say it more precisely).
pub fn merge_errors(errs: &mut Vec<FieldError>, more: Vec<FieldError>) {
    let more: Vec<FieldError> = more
        .into_iter()
        .filter(|m| !errs.iter().any(|e| e.field == m.field))
        .collect();
    errs.extend(more);
}

/// The text of the first error of `fields`, in `lang`.
pub fn first_error(errors: &[FieldError], fields: &[&str], lang: Lang) -> Option<String> {
    errors
        .iter()
        .find(|e| fields.contains(&e.field.as_str()))
        .map(|e| lang.error(&e.code, &e.message))
}

/// Moves focus to the first field marked invalid inside the element `container` (after
/// the next render), so that keyboard and screen-reader users land on the problem; when
/// no field is marked, to the form's error message. Either is scrolled to the middle of
/// the screen: on a phone the user taps 保存 at the bottom of a long form, and an error
/// shown at its top, off screen, looks like "nothing happened".
pub fn focus_first_error(container: &str) {
    let field = format!("#{container} [aria-invalid=true]");
    let banner = format!(".error-summary[data-form=\"{container}\"]");
    gloo_timers::callback::Timeout::new(50, move || {
        let doc = web_sys::window().and_then(|w| w.document());
        let find = |sel: &str| {
            doc.as_ref()
                .and_then(|d| d.query_selector(sel).ok().flatten())
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        };
        if let Some(el) = find(&field).or_else(|| find(&banner)) {
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Center);
            el.scroll_into_view_with_scroll_into_view_options(&opts);
            let _ = el.focus_with_options(&{
                let o = web_sys::FocusOptions::new();
                o.set_prevent_scroll(true);
                o
            });
        }
    })
    .forget();
}

/// The handle [`use_form`] returns; cheap to clone into callbacks.
#[derive(Clone)]
pub struct UseForm {
    container: AttrValue,
    record_id: Rc<RefCell<Uuid>>,
    in_flight: Rc<Cell<bool>>,
    busy: UseStateHandle<bool>,
    errors: UseStateHandle<Vec<FieldError>>,
    banner: UseStateHandle<Option<Banner>>,
}

impl PartialEq for UseForm {
    fn eq(&self, other: &Self) -> bool {
        self.container == other.container
            && Rc::ptr_eq(&self.record_id, &other.record_id)
            && *self.busy == *other.busy
            && *self.errors == *other.errors
            && *self.banner == *other.banner
    }
}

impl UseForm {
    /// The record id to send with a create: the same for every retry until the create
    /// succeeds or [`UseForm::renew_id`] is called.
    pub fn record_id(&self) -> Uuid {
        *self.record_id.borrow()
    }

    /// Chooses a new record id, for a new record (say, another person to enrol).
    pub fn renew_id(&self) {
        *self.record_id.borrow_mut() = Uuid::new_v4();
    }

    /// Whether a request is in flight (disable the submit button).
    pub fn busy(&self) -> bool {
        *self.busy || self.in_flight.get()
    }

    /// The error to show next to `field`, in `lang`.
    pub fn error(&self, field: &str, lang: Lang) -> Option<String> {
        first_error(&self.errors, &[field], lang)
    }

    /// The first error of any of `fields` (one input that stands for several).
    pub fn error_any(&self, fields: &[&str], lang: Lang) -> Option<String> {
        first_error(&self.errors, fields, lang)
    }

    /// All current field errors.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// Forgets the error of `field` (call it when the user changes the field).
    pub fn clear_error(&self, field: &str) {
        if self.errors.iter().any(|e| e.field == field) {
            self.errors.set(
                self.errors
                    .iter()
                    .filter(|e| e.field != field)
                    .cloned()
                    .collect(),
            );
        }
    }

    /// Forgets every error of a field starting with `prefix` (a removed row of a list,
    /// whose errors would otherwise land on the row that takes its place).
    pub fn clear_errors(&self, prefix: &str) {
        if self.errors.iter().any(|e| e.field.starts_with(prefix)) {
            self.errors.set(
                self.errors
                    .iter()
                    .filter(|e| !e.field.starts_with(prefix))
                    .cloned()
                    .collect(),
            );
        }
    }

    /// A callback that sets `state` and clears the error of `field`.
    pub fn bind(&self, state: &UseStateHandle<String>, field: &'static str) -> Callback<String> {
        let (state, form) = (state.clone(), self.clone());
        Callback::from(move |v: String| {
            state.set(v);
            form.clear_error(field);
        })
    }

    /// Shows problems found before sending: errors next to the fields, the banner, and
    /// focus on the first.
    pub fn reject(&self, errors: Vec<FieldError>) {
        self.fail(Failure::Message("form.fix_errors", errors));
    }

    /// Shows a failure and moves focus to the first invalid field.
    pub fn fail(&self, failure: Failure) {
        let (errors, banner) = split(failure);
        self.errors.set(errors);
        self.banner.set(Some(banner));
        focus_first_error(&self.container);
    }

    /// Sends `request` unless one is in flight (then returns `false` and does nothing).
    /// On success the errors go, a create's record id is renewed (the next submit is a
    /// new record) and `on_ok` runs; on failure the errors are shown and focus moves to
    /// the first invalid field. The request receives the record id to send.
    pub fn submit<T, Fut>(
        &self,
        request: impl FnOnce(Uuid) -> Fut,
        on_ok: impl FnOnce(T) + 'static,
    ) -> bool
    where
        T: 'static,
        Fut: Future<Output = Result<T, Failure>> + 'static,
    {
        if self.in_flight.get() {
            return false;
        }
        self.in_flight.set(true);
        self.busy.set(true);
        let future = request(self.record_id());
        let form = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = future.await;
            form.in_flight.set(false);
            form.busy.set(false);
            match result {
                Ok(value) => {
                    form.errors.set(Vec::new());
                    form.banner.set(None);
                    form.renew_id();
                    on_ok(value);
                }
                Err(Failure::Api(e)) if e.code() == "id_conflict" => {
                    // An earlier attempt with this id did reach the server with other
                    // content: say so, and let the next submit be a new record.
                    form.renew_id();
                    form.fail(Failure::Api(e));
                }
                Err(failure) => form.fail(failure),
            }
        });
        true
    }

    /// The banner above the form, with element id `id`, or nothing.
    pub fn banner(&self, lang: Lang, id: &str) -> Html {
        let text = match &*self.banner {
            None => return html! {},
            Some(Banner::Key(k)) => lang.t(k),
            Some(Banner::Api(e)) => e.message(lang),
            Some(Banner::Text(t)) => t.clone(),
        };
        html! {
            <p class="error-summary" role="alert" tabindex="-1" id={id.to_owned()} data-form={self.container.clone()}>{ text }</p>
        }
    }
}

/// The form hook: `container` is the id of an element around the form's fields (the
/// `<form>` itself, usually), where focus looks for the first invalid field.
#[hook]
pub fn use_form(container: impl Into<AttrValue>) -> UseForm {
    let record_id = use_mut_ref(Uuid::new_v4);
    let in_flight = use_memo((), |_| Cell::new(false));
    let busy = use_state(|| false);
    let errors = use_state(Vec::<FieldError>::new);
    let banner = use_state(|| None::<Banner>);
    UseForm {
        container: container.into(),
        record_id,
        in_flight,
        busy,
        errors,
        banner,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::Problem;

    fn api(code: &str, errors: Vec<FieldError>) -> ApiError {
        ApiError {
            status: 422,
            problem: Some(Problem {
                type_: "about:blank".into(),
                title: "t".into(),
                status: 422,
                detail: "d".into(),
                code: code.into(),
                errors,
                current: None,
            }),
        }
    }

    #[test]
    fn field_errors_go_to_fields_and_the_banner_asks_to_fix_them() {
        let (errs, banner) = split(Failure::Api(api(
            "validation",
            vec![FieldError::new("name", "required", "")],
        )));
        assert_eq!(errs.len(), 1);
        assert_eq!(banner, Banner::Key("form.fix_errors"));
    }

    #[test]
    fn an_error_without_fields_goes_to_the_banner() {
        let e = api("forbidden", vec![]);
        let (errs, banner) = split(Failure::Api(e.clone()));
        assert!(errs.is_empty());
        assert_eq!(banner, Banner::Api(e));
    }

    #[test]
    fn a_duplicate_goes_next_to_its_field() {
        let e = api("duplicate_id_number", vec![]);
        let (errs, banner) = split(Failure::Api(e.clone()));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "id_number");
        assert_eq!(errs[0].code, "duplicate_id_number");
        assert_eq!(banner, Banner::Api(e));
    }

    #[test]
    fn an_id_conflict_is_explained() {
        let (_, banner) = split(Failure::Api(api("id_conflict", vec![])));
        assert_eq!(banner, Banner::Key("form.id_conflict"));
    }

    #[test]
    fn first_error_picks_among_fields() {
        let errs = vec![
            FieldError::new("bank", "required", ""),
            FieldError::new("person_id", "required", ""),
        ];
        assert!(first_error(&errs, &["person_id"], Lang::En).is_some());
        assert!(first_error(&errs, &["purpose"], Lang::En).is_none());
    }
}
