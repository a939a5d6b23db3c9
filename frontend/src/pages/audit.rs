//! The audit log, for auditors and admins: who did what to which record, when. Filters
//! by unit, user, record, kind of action and date (folded on a phone, so the entries come
//! first); newest first, a page at a time; each entry opens to show what changed.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::api::{AuditCategory, AuditEntry, AuditQuery, Page};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, PAGE_SIZE};
use crate::hooks::units::Units;
use crate::i18n::Lang;

/// The query string of `/audit`: what a link from a record's page pre-selects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditLink {
    /// The record whose entries to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
}

impl AuditLink {
    /// The link query for the entries about one record.
    pub fn record(id: impl Into<String>) -> Self {
        Self {
            entity_id: Some(id.into()),
        }
    }
}

/// Props of [`RecordAuditLink`].
#[derive(Properties, PartialEq)]
pub struct RecordAuditLinkProps {
    /// The record's id.
    pub id: AttrValue,
}

/// "查看审计记录": a link to the audit log filtered by one record, for users who may
/// read the log (nothing for others).
#[function_component(RecordAuditLink)]
pub fn record_audit_link(p: &RecordAuditLinkProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let allowed = ctx
        .me
        .as_ref()
        .is_some_and(|m| m.permissions.contains(&shared::auth::Capability::ReadAudit));
    if !allowed {
        return html! {};
    }
    html! {
        <p class="audit-link">
            <Link<Route, AuditLink> to={Route::Audit} query={Some(AuditLink::record(p.id.to_string()))}>
                { ctx.t("audit.view") }
            </Link<Route, AuditLink>>
        </p>
    }
}

/// The filters as typed into the form (empty: any).
#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    unit: String,
    actor: String,
    entity_id: String,
    category: String,
    from: String,
    to: String,
}

impl Filters {
    /// The filters of a link's query string.
    fn from_link(link: &AuditLink) -> Self {
        Self {
            entity_id: link.entity_id.clone().unwrap_or_default(),
            ..Self::default()
        }
    }

    /// How many filters are set (shown on the folded filter box).
    fn count(&self) -> usize {
        [
            &self.unit,
            &self.actor,
            &self.entity_id,
            &self.category,
            &self.from,
            &self.to,
        ]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .count()
    }

    /// Checks the filters and builds the query, or names the fields that are wrong.
    fn query(&self) -> Result<AuditQuery, Vec<FieldError>> {
        let mut errors = Vec::new();
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let entity_id = match opt(&self.entity_id) {
            None => None,
            Some(s) => match uuid::Uuid::parse_str(&s) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(FieldError::new("entity_id", "invalid_format", ""));
                    None
                }
            },
        };
        let mut date = |field: &str, s: &str| match opt(s) {
            None => None,
            Some(s) => match crate::pages::rehab::parse_ymd(&s) {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new(field, "invalid_date", ""));
                    None
                }
            },
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(FieldError::new("to", "before_start", ""));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AuditQuery {
            entity_id,
            actor: opt(&self.actor),
            category: self.category.parse::<AuditCategory>().ok(),
            unit: opt(&self.unit),
            from,
            to,
            ..AuditQuery::default()
        })
    }
}

/// The name of a key in a snapshot: the form's label where there is one.
fn field_name(key: &str, lang: Lang) -> String {
    let k = format!("field.{key}");
    match lang.t(&k) {
        t if t == k => key.to_owned(),
        t => t,
    }
}

/// A snapshot value as text.
fn value_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// A translated message, or `fallback` when the key has none.
fn t_or(lang: Lang, key: &str, fallback: &str) -> String {
    match lang.t(key) {
        t if t == key => fallback.to_owned(),
        t => t,
    }
}

/// An instant in the browser's time zone and the language's format.
fn local_time(at: &chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    crate::clock::local_time(*at, lang)
}

/// What an entry's before and after say: the fields a caller who may not read persons
/// sees as changed, or each field with its value before and after.
fn changes_view(e: &AuditEntry, lang: Lang) -> Html {
    let changed = e
        .after
        .as_ref()
        .filter(|_| e.before.is_none())
        .and_then(|a| a.get("changed"))
        .and_then(Value::as_array);
    if let Some(keys) = changed {
        return html! {
            <div class="audit-changes">
                <h3>{ lang.t("audit.changed_fields") }</h3>
                if keys.is_empty() {
                    <p>{ lang.t("audit.no_changes") }</p>
                } else {
                    <ul class="changed">
                        { for keys.iter().filter_map(Value::as_str).map(|k| html! { <li>{ field_name(k, lang) }</li> }) }
                    </ul>
                }
            </div>
        };
    }
    let empty = serde_json::Map::new();
    let before = e.before.as_ref().and_then(Value::as_object);
    let after = e.after.as_ref().and_then(Value::as_object);
    if before.is_none() && after.is_none() {
        return html! { <p>{ lang.t("audit.no_snapshot") }</p> };
    }
    let (b, a) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    // An update shows what changed; a create or delete shows the whole record.
    let both = before.is_some() && after.is_some();
    let rows: Vec<&String> = keys
        .into_iter()
        .filter(|k| !both || b.get(*k) != a.get(*k))
        .collect();
    html! {
        <div class="audit-changes">
            <h3>{ lang.t(if both { "audit.changes" } else { "audit.snapshot" }) }</h3>
            <dl class="changes">
                { for rows.iter().map(|k| html! {
                    <>
                        <dt>{ field_name(k, lang) }</dt>
                        <dd>
                            if both {
                                <span class="before"><span class="sr-only">{ lang.t("audit.before") }{ " " }</span>{ value_text(b.get(*k)) }</span>
                                <span aria-hidden="true">{ " → " }</span>
                                <span class="after"><span class="sr-only">{ lang.t("audit.after") }{ " " }</span>{ value_text(a.get(*k)) }</span>
                            } else {
                                { value_text(a.get(*k).or_else(|| b.get(*k))) }
                            }
                        </dd>
                    </>
                }) }
            </dl>
        </div>
    }
}

/// One entry: a summary line that opens to the details.
fn entry_view(e: &AuditEntry, units: &Units, lang: Lang) -> Html {
    let actor = match &e.actor_name {
        Some(n) => format!("{n} ({})", e.actor_username),
        None => e.actor_username.clone(),
    };
    let action = t_or(
        lang,
        &format!("audit.action.{}", e.action),
        e.action.as_str(),
    );
    let kind = t_or(
        lang,
        &format!("audit.entity.{}", e.entity_type),
        &e.entity_type,
    );
    let record_link = match e.entity_type.as_str() {
        "person" => Some(Route::Person {
            id: e.entity_id.to_string(),
        }),
        "loan" => Some(Route::Loan {
            id: e.entity_id.to_string(),
        }),
        "training_course" => Some(Route::Course {
            id: e.entity_id.to_string(),
        }),
        "employment_base" => Some(Route::Base {
            id: e.entity_id.to_string(),
        }),
        _ => None,
    };
    html! {
        <li>
            <details class="audit-entry" id={format!("entry-{}", e.id)}>
                <summary>
                    <time datetime={e.at.to_rfc3339()}>{ local_time(&e.at, lang) }</time>
                    <strong class={classes!("audit-action", format!("cat-{}", e.action.category()))}>{ action }</strong>
                    <span>{ &kind }</span>
                    <span class="audit-actor">{ &actor }</span>
                </summary>
                <dl class="facts">
                    <dt>{ lang.t("audit.actor") }</dt>
                    <dd>{ actor }</dd>
                    <dt>{ lang.t("audit.actor_unit") }</dt>
                    <dd>{ units.name(&e.actor_unit, lang) }</dd>
                    <dt>{ lang.t("audit.record") }</dt>
                    <dd>
                        { &kind }{ " " }
                        if let Some(to) = record_link {
                            <Link<Route> to={to}><span class="mono">{ e.entity_id.to_string() }</span></Link<Route>>
                        } else {
                            <span class="mono">{ e.entity_id.to_string() }</span>
                        }
                    </dd>
                    <dt>{ lang.t("audit.owner") }</dt>
                    <dd>{ units.name(&e.unit_code, lang) }</dd>
                    if let Some(r) = &e.reason {
                        <dt>{ lang.t("field.reason") }</dt>
                        <dd>{ t_or(lang, &format!("audit.reason.{r}"), r) }</dd>
                    }
                </dl>
                { changes_view(e, lang) }
            </details>
        </li>
    }
}

/// Whether the screen is wide enough to show the filters open at first.
fn wide_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w >= 768.0)
}

/// The audit log page.
#[function_component(AuditPage)]
pub fn audit_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("audit.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let location = use_location();
    let link: AuditLink = location
        .as_ref()
        .map(|l| l.query_str().trim_start_matches('?').to_owned())
        .and_then(|q| serde_urlencoded::from_str(&q).ok())
        .unwrap_or_default();
    let draft = {
        let link = link.clone();
        use_state(move || Filters::from_link(&link))
    };
    let applied = {
        let link = link.clone();
        use_state(move || Filters::from_link(&link).query().unwrap_or_default())
    };
    // A link to another record while the page is open: start over with its filter.
    {
        let (draft, applied) = (draft.clone(), applied.clone());
        use_effect_with(link, move |link| {
            let f = Filters::from_link(link);
            if let Ok(q) = f.query() {
                if q.entity_id != applied.entity_id {
                    draft.set(f);
                    applied.set(q);
                }
            }
            || ()
        });
    }
    let open = use_memo((), |_| wide_screen());
    let fh = use_form("audit-filters");
    let entries = use_paged((*applied).clone(), |q: AuditQuery, cursor| {
        let path = crate::api::with_query(
            "/api/v1/audit",
            &AuditQuery {
                limit: Some(PAGE_SIZE),
                cursor,
                ..q
            },
        );
        async move { crate::api::get::<Page<AuditEntry>>(&path).await }
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let allowed = ctx
        .me
        .as_ref()
        .is_some_and(|m| m.permissions.contains(&shared::auth::Capability::ReadAudit));
    if !allowed {
        return html! {
            <section class="card">
                <h1>{ ctx.t("audit.title") }</h1>
                <p class="error-summary" role="alert">{ ctx.t("err.forbidden") }</p>
            </section>
        };
    }

    let set = |f: fn(&mut Filters, String), field: &'static str| {
        let (draft, fh) = (draft.clone(), fh.clone());
        Callback::from(move |v: String| {
            let mut x = (*draft).clone();
            f(&mut x, v);
            draft.set(x);
            fh.clear_error(field);
        })
    };
    let onsubmit = {
        let (draft, applied, fh) = (draft.clone(), applied.clone(), fh.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match draft.query() {
                // Through the form, so that earlier errors and the banner go.
                Ok(q) => {
                    let applied = applied.clone();
                    fh.submit(
                        move |_| async move { Ok::<_, Failure>(q) },
                        move |q| applied.set(q),
                    );
                }
                Err(errors) => fh.reject(errors),
            }
        })
    };
    let onreset = {
        let (draft, applied, fh) = (draft.clone(), applied.clone(), fh.clone());
        Callback::from(move |e: Event| {
            e.prevent_default();
            draft.set(Filters::default());
            let applied = applied.clone();
            fh.submit(
                |_| async { Ok::<_, Failure>(AuditQuery::default()) },
                move |q| applied.set(q),
            );
        })
    };
    let any = (String::new(), ctx.t("audit.any"));
    let unit_options: Vec<(String, String)> = std::iter::once(any.clone())
        .chain(
            units
                .all()
                .iter()
                .map(|u| (u.code.clone(), units.name(&u.code, lang))),
        )
        .collect();
    let categories: Vec<(String, String)> = std::iter::once(any)
        .chain(
            AuditCategory::ALL
                .iter()
                .map(|c| (c.to_string(), ctx.t(&format!("audit.cat.{c}")))),
        )
        .collect();
    let count = draft.count();
    let summary = if count == 0 {
        ctx.t("audit.filters")
    } else {
        format!("{} ({count})", ctx.t("audit.filters"))
    };

    html! {
        <section class="card audit">
            <h1>{ ctx.t("audit.title") }</h1>
            <details class="filters-box" id="audit-filter-box" open={*open}>
                <summary>{ summary }</summary>
                <form id="audit-filters" class="filters" role="search" novalidate=true
                    aria-label={ctx.t("audit.filters")} onsubmit={onsubmit} onreset={onreset}>
                    { fh.banner(lang, "audit-filters-error") }
                    <SelectField id="f-unit" label={ctx.t("audit.unit")} value={draft.unit.clone()}
                        options={unit_options} onchange={set(|f, v| f.unit = v, "unit")} error={fh.error("unit", lang)} />
                    <TextField id="f-actor" label={ctx.t("audit.user")} value={draft.actor.clone()}
                        oninput={set(|f, v| f.actor = v, "actor")} error={fh.error("actor", lang)} />
                    <TextField id="f-record" label={ctx.t("audit.record_id")} value={draft.entity_id.clone()}
                        oninput={set(|f, v| f.entity_id = v, "entity_id")} error={fh.error("entity_id", lang)} />
                    <SelectField id="f-category" label={ctx.t("audit.category")} value={draft.category.clone()}
                        options={categories} onchange={set(|f, v| f.category = v, "category")} error={fh.error("category", lang)} />
                    <TextField id="f-from" kind="date" label={ctx.t("audit.from")} value={draft.from.clone()}
                        oninput={set(|f, v| f.from = v, "from")} error={fh.error("from", lang)} />
                    <TextField id="f-to" kind="date" label={ctx.t("audit.to")} value={draft.to.clone()}
                        oninput={set(|f, v| f.to = v, "to")} error={fh.error("to", lang)} />
                    <p class="hint">{ ctx.t("audit.dates_hint") }</p>
                    <div class="buttons">
                        <button type="submit" class="primary" id="audit-apply">{ ctx.t("audit.apply") }</button>
                        <button type="reset" id="audit-clear">{ ctx.t("audit.clear") }</button>
                    </div>
                </form>
            </details>
            <h2 class="sr-only">{ ctx.t("audit.results") }</h2>
            <ol class="audit-list" id="audit-results" aria-live="polite">
                { for entries.items().iter().map(|e| entry_view(e, &units, lang)) }
            </ol>
            { entries.footer(lang, "audit", "audit.none") }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_a_query_or_field_errors() {
        let f = Filters {
            unit: "430381".into(),
            actor: " xiangxiang.staff ".into(),
            category: "reveal".into(),
            from: "2026-03-01".into(),
            to: "2026-03-01".into(),
            ..Filters::default()
        };
        let q = f.query().unwrap_or_default();
        assert_eq!(q.unit.as_deref(), Some("430381"));
        assert_eq!(q.actor.as_deref(), Some("xiangxiang.staff"));
        assert_eq!(q.category, Some(AuditCategory::Reveal));
        assert_eq!(q.from, q.to);
        assert_eq!(f.count(), 5);

        let bad = Filters {
            entity_id: "not-an-id".into(),
            from: "2026-03-02".into(),
            to: "2026-03-01".into(),
            ..Filters::default()
        };
        let fields: Vec<String> = bad
            .query()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| format!("{}:{}", e.field, e.code))
            .collect();
        assert_eq!(fields, vec!["entity_id:invalid_format", "to:before_start"]);
    }

    #[test]
    fn snapshot_keys_take_the_form_labels() {
        assert_eq!(field_name("name", Lang::Zh), "姓名");
        assert_eq!(field_name("no_such_key", Lang::En), "no_such_key");
        assert_eq!(value_text(None), "—");
        assert_eq!(value_text(Some(&Value::from("x"))), "x");
        assert_eq!(value_text(Some(&Value::from(3))), "3");
    }

    #[test]
    fn every_action_category_and_entity_has_texts() {
        for a in shared::api::AuditAction::ALL {
            for lang in [Lang::Zh, Lang::En] {
                let k = format!("audit.action.{a}");
                assert_ne!(lang.t(&k), k);
            }
        }
        for c in AuditCategory::ALL {
            let k = format!("audit.cat.{c}");
            assert_ne!(Lang::Zh.t(&k), k);
            assert_ne!(Lang::En.t(&k), k);
        }
    }
}
