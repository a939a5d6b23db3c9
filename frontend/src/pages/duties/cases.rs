//! Measures 10 and 19, typical cases (典型案例): the cases and material collected in the
//! user's area and the units below; for those who collect, the form (a person of the
//! registry, an employment base or a DPF's work; the story; links to texts, videos and
//! pictures; Sunshine; the person's consent); the cases, each with what the server
//! shows of a person (the name masked without consent), the consent recorded later,
//! and the selection, city then province (refused for a person without consent); the
//! cases as a spreadsheet.

use shared::api::Page;
use shared::auth::Capability;
use shared::duties::{
    Media, MediaKind, PublicityKpi, TypicalCase, TypicalCaseCreate, TypicalCaseInput,
    TypicalCaseSelect, TypicalCaseStatus, TypicalCaseSubject, TypicalCaseUpdate,
};
use shared::employment::Base;
use shared::person::Person;
use shared::FieldError;
use yew::prelude::*;

use super::{
    error_text, facts, field_error, outcome_view, own_unit, units_table, Disclosure, ExportButton,
    Outcome,
};
use crate::api::duties as api;
use crate::app::Ctx;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::components::person_picker::PersonPicker;
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;
use crate::pages::rehab::{focus_id, parse_date, ymd};
use crate::pages::supervision::{can, scope_of, some};

/// The figures of the area and the units below.
fn kpi_view(k: &PublicityKpi, lang: Lang) -> Html {
    let t = &k.total;
    let rows = k
        .children
        .iter()
        .map(|r| {
            (
                r.unit_code.clone(),
                r.unit_name.clone(),
                vec![
                    r.cases.to_string(),
                    r.city_selected.to_string(),
                    r.province_selected.to_string(),
                    r.sunshine.to_string(),
                ],
            )
        })
        .collect();
    html! { <>
        <h2>{ lang.t("case.kpi_title").replace("{unit}", &t.unit_name) }</h2>
        { facts("cases-kpi", &[
            ("case.cases", "cases-count", t.cases.to_string()),
            ("case.city_selected", "cases-city", t.city_selected.to_string()),
            ("case.province_selected", "cases-province", t.province_selected.to_string()),
            ("case.sunshine_n", "cases-sunshine", t.sunshine.to_string()),
            ("case.material", "cases-material", lang.t("case.material_n")
                .replace("{texts}", &t.texts.to_string())
                .replace("{videos}", &t.videos.to_string())
                .replace("{pictures}", &t.pictures.to_string())),
        ], lang) }
        { units_table("cases-children", lang.t("pur.children"),
            &["case.cases", "case.city_selected", "case.province_selected", "case.sunshine_n"], rows, lang) }
    </> }
}

/// Whether a user at `scope` (its region code) may select (`true`) or take back
/// (`false`) a case: a city acts on its area's collected and city-selected cases, the
/// province on the cities' selections and its own cases (the table of the server).
fn selection(scope: &str, c: &TypicalCase) -> Option<bool> {
    use TypicalCaseStatus::*;
    match (scope.len(), c.status) {
        (4, Collected) => Some(true),
        (4, CitySelected) => Some(false),
        (2, CitySelected) => Some(true),
        (2, Collected) if c.unit_code == "43" => Some(true),
        (2, ProvinceSelected) => Some(false),
        _ => None,
    }
}

/// The typical cases page.
#[function_component(CasesPage)]
pub fn cases_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("case.title")).unwrap_or_default());
    let kpi = use_remote((), |()| async { api::publicity_kpi().await });
    let list = use_remote((), |()| async { api::cases().await });
    // The outcome of the last action, and on which case (a refusal shows on its row).
    let outcome = use_state(|| (None::<uuid::Uuid>, None::<Result<String, String>>));
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let writer = can(&ctx, Capability::WritePublicity);
    let selector = can(&ctx, Capability::SelectCases);
    let scope = scope_of(&ctx);
    let own = own_unit(&ctx);
    let changed = {
        let (kpi, list, outcome) = (kpi.clone(), list.clone(), outcome.clone());
        Callback::from(
            move |(case, o): (Option<uuid::Uuid>, Result<String, String>)| {
                kpi.reload();
                list.reload();
                outcome.set((case, Some(o)));
                focus_id(case.map_or("case-outcome".to_owned(), |c| format!("case-{c}-outcome")));
            },
        )
    };
    let on_saved = {
        let changed = changed.clone();
        Callback::from(move |c: TypicalCase| {
            changed.emit((
                None,
                Ok(lang.t("case.saved").replace("{title}", &c.fields.title)),
            ));
        })
    };
    let select = |c: &TypicalCase, selected: bool| {
        let (id, version, changed) = (c.id, c.version, changed.clone());
        Callback::from(move |_: MouseEvent| {
            let changed = changed.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let r = api::select_case(id, &TypicalCaseSelect { version, selected }).await;
                let r = r
                    .map(|c| lang.t(&format!("case_status.{}", c.status)))
                    .map_err(|e| {
                        // A refusal about one field (consent_required) in its own words.
                        match e.problem.as_ref().and_then(|p| p.errors.first()) {
                            Some(f) => error_text(&f.code, &f.message, lang),
                            None => e.message(lang),
                        }
                    });
                changed.emit((Some(id), r));
            });
        })
    };
    let row_outcome = |c: &TypicalCase| -> Outcome {
        match &*outcome {
            (Some(id), o) if *id == c.id => o.clone(),
            _ => None,
        }
    };
    let cases = match list.ready() {
        None => list.placeholder(lang, None),
        Some(v) if v.is_empty() => {
            html! { <p role="status" id="cases-none">{ ctx.t("case.none") }</p> }
        }
        Some(v) => html! {
            <ul class="results details" id="cases" aria-labelledby="cases-title">
                { for v.iter().map(|c| {
                    let f = &c.fields;
                    let about = c.person_name.as_ref().or(c.base_name.as_ref());
                    html! {
                    <li key={c.id.to_string()} id={format!("case-{}", c.id)}>
                        <strong>{ &f.title }</strong>
                        <span class="badge" id={format!("case-{}-status", c.id)}>{ ctx.t(&format!("case_status.{}", c.status)) }</span>
                        <span>{ ctx.t(&format!("case_subject.{}", f.subject)) }{ about.map(|n| format!("：{n}")).unwrap_or_default() }</span>
                        if f.sunshine { <span class="badge key">{ ctx.t("case.sunshine_badge") }</span> }
                        if f.subject == TypicalCaseSubject::Person {
                            <span id={format!("case-{}-consent", c.id)}>{ match f.consent_on {
                                Some(d) => ctx.t("case.consent_on").replace("{day}", &ymd(d)),
                                None => ctx.t("case.no_consent"),
                            } }</span>
                        }
                        <p class="story">{ &f.story }</p>
                        if !f.media.is_empty() {
                            <ul class="activities" aria-label={ctx.t("case.material")}>
                                { for f.media.iter().map(|m| html! {
                                    <li><a href={m.url.clone()} target="_blank" rel="noopener noreferrer">
                                        { format!("{}：{}", ctx.t(&format!("media_kind.{}", m.kind)), m.caption.as_deref().unwrap_or(&m.url)) }
                                    </a></li>
                                }) }
                            </ul>
                        }
                        { outcome_view(&format!("case-{}-outcome", c.id), &row_outcome(c)) }
                        <div class="buttons">
                            if selector {
                                if let Some(sel) = selection(&scope, c) {
                                    <button type="button" id={format!("case-{}-select", c.id)} onclick={select(c, sel)}>
                                        { ctx.t(if sel { "case.select" } else { "case.unselect" }) }
                                    </button>
                                }
                            }
                            if writer && c.unit_code == own_region(own, &scope) && f.subject == TypicalCaseSubject::Person
                                && f.consent_on.is_none() && c.status == TypicalCaseStatus::Collected {
                                <Disclosure id={format!("consent-{}", c.id)} label={ctx.t("case.record_consent")}>
                                    <ConsentForm case={c.clone()} onsaved={changed.clone()} />
                                </Disclosure>
                            }
                        </div>
                    </li>
                } }) }
            </ul>
        },
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("case.title") }</h1>
            { match kpi.ready() {
                None => kpi.placeholder(lang, None),
                Some(k) => kpi_view(k, lang),
            } }
            { outcome_view("case-outcome", &outcome.1.clone().filter(|_| outcome.0.is_none())) }
            if writer {
                <h2>{ ctx.t("case.new") }</h2>
                <CaseForm onsaved={on_saved} />
            }
            <h2 id="cases-title">{ ctx.t("case.list") }</h2>
            <ExportButton id="cases-export" path={api::CASES_EXPORT_PATH.to_owned()}
                filename="典型案例.xlsx" label={ctx.t("pur.export")} long={ctx.t("case.export_label")} />
            { cases }
        </section>
    }
}

/// The region code a case of the user's unit carries: the unit's own for a city or
/// county, "43" for the province and its departments.
fn own_region<'a>(unit: &'a str, scope: &'a str) -> &'a str {
    if unit.starts_with("43.") {
        scope
    } else {
        unit
    }
}

/// Props of [`CaseForm`].
#[derive(Properties, PartialEq)]
struct FormProps {
    /// The case as collected.
    onsaved: Callback<TypicalCase>,
}

/// One piece of material as typed: kind, link, caption.
type MediaRow = (String, String, String);

/// Collects a typical case of the user's unit.
#[function_component(CaseForm)]
fn case_form(p: &FormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let subject = use_state(|| TypicalCaseSubject::Work.to_string());
    let person = use_state(|| None::<Person>);
    let base = use_state(String::new);
    let title = use_state(String::new);
    let story = use_state(String::new);
    let media = use_state(Vec::<MediaRow>::new);
    let sunshine = use_state(|| false);
    let consent_on = use_state(String::new);
    let consent_note = use_state(String::new);
    let fh = use_form("case-form");
    let is_base = *subject == TypicalCaseSubject::Base.as_str();
    let bases = use_remote(is_base, |on| async move {
        if on {
            let path = crate::api::with_query(
                "/api/v1/bases",
                &shared::api::PageQuery {
                    limit: Some(crate::hooks::remote::PAGE_SIZE),
                    cursor: None,
                },
            );
            crate::api::get::<Page<Base>>(&path).await.map(|p| p.items)
        } else {
            Ok(Vec::new())
        }
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| field_error(&fh, f, lang);
    let onsubmit = {
        let (fh, onsaved) = (fh.clone(), p.onsaved.clone());
        let (subject, person, base, title, story, media, sunshine, consent_on, consent_note) = (
            subject.clone(),
            person.clone(),
            base.clone(),
            title.clone(),
            story.clone(),
            media.clone(),
            sunshine.clone(),
            consent_on.clone(),
            consent_note.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let today = crate::clock::today();
            let subj: TypicalCaseSubject = subject.parse().unwrap_or(TypicalCaseSubject::Work);
            let mut errs = Vec::new();
            let consent = parse_date(&consent_on);
            if consent.is_none() && !consent_on.trim().is_empty() {
                errs.push(FieldError::new("consent_on", "invalid_date", ""));
            }
            let person_case = subj == TypicalCaseSubject::Person;
            let fields = TypicalCaseInput {
                subject: subj,
                person_id: person.as_ref().filter(|_| person_case).map(|p| p.id),
                base_id: if subj == TypicalCaseSubject::Base {
                    base.parse().ok()
                } else {
                    None
                },
                title: title.trim().to_owned(),
                story: story.trim().to_owned(),
                media: media
                    .iter()
                    .map(|(k, u, c)| Media {
                        kind: k.parse().unwrap_or(MediaKind::Text),
                        url: u.trim().to_owned(),
                        caption: some(c),
                    })
                    .collect(),
                sunshine: *sunshine,
                consent_on: consent.filter(|_| person_case),
                consent_note: some(&consent_note).filter(|_| person_case),
            };
            if let Err(more) = fields.validate(today) {
                errs.extend(more);
            }
            if !errs.is_empty() {
                fh.reject(errs);
                return;
            }
            let (onsaved, person, base, title, story, media, sunshine) = (
                onsaved.clone(),
                person.clone(),
                base.clone(),
                title.clone(),
                story.clone(),
                media.clone(),
                sunshine.clone(),
            );
            let (consent_on, consent_note) = (consent_on.clone(), consent_note.clone());
            fh.submit(
                move |id| async move {
                    api::create_case(&TypicalCaseCreate {
                        id: Some(id),
                        fields,
                    })
                    .await
                    .map_err(Failure::Api)
                },
                move |c: TypicalCase| {
                    person.set(None);
                    for s in [&base, &title, &story, &consent_on, &consent_note] {
                        s.set(String::new());
                    }
                    media.set(Vec::new());
                    sunshine.set(false);
                    onsaved.emit(c);
                },
            );
        })
    };
    let subjects: Vec<(String, String)> = TypicalCaseSubject::ALL
        .iter()
        .map(|s| (s.to_string(), ctx.t(&format!("case_subject.{s}"))))
        .collect();
    let kinds: Vec<(String, String)> = MediaKind::ALL
        .iter()
        .map(|k| (k.to_string(), ctx.t(&format!("media_kind.{k}"))))
        .collect();
    // A change of one cell of the material rows.
    let set_media = |i: usize, col: usize| {
        let (media, fh) = (media.clone(), fh.clone());
        Callback::from(move |v: String| {
            let mut rows = (*media).clone();
            if let Some(r) = rows.get_mut(i) {
                *[&mut r.0, &mut r.1, &mut r.2][col] = v;
            }
            media.set(rows);
            fh.clear_errors(&format!("media[{i}]"));
        })
    };
    let add_media = {
        let media = media.clone();
        Callback::from(move |_: MouseEvent| {
            let mut rows = (*media).clone();
            rows.push((
                MediaKind::Picture.to_string(),
                "https://".to_owned(),
                String::new(),
            ));
            media.set(rows);
        })
    };
    let on_pick = {
        let (person, fh) = (person.clone(), fh.clone());
        Callback::from(move |p: Person| {
            person.set(Some(p));
            fh.clear_error("person_id");
        })
    };
    let base_opts: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("form.choose")))
        .chain(
            bases
                .ready()
                .into_iter()
                .flatten()
                .map(|b| (b.id.to_string(), b.fields.name.clone())),
        )
        .collect();
    let flag = {
        let sunshine = sunshine.clone();
        Callback::from(move |on: bool| sunshine.set(on))
    };
    html! {
        <form id="case-form" {onsubmit} novalidate=true aria-label={ctx.t("case.new")}>
            { fh.banner(lang, "case-banner") }
            <SelectField id="case-subject" label={ctx.t("case.subject")} value={(*subject).clone()} options={subjects}
                onchange={fh.bind(&subject, "subject")} required=true />
            if *subject == TypicalCaseSubject::Person.as_str() {
                if let Some(p) = &*person {
                    <p id="case-person">{ ctx.t("case.person").replace("{name}", &p.name) }</p>
                }
                <PersonPicker id="case-person" action={ctx.t("visits.choose")} onpick={on_pick} error={err("person_id")} />
            }
            if is_base {
                <SelectField id="case-base" label={ctx.t("case.base")} value={(*base).clone()} options={base_opts}
                    onchange={fh.bind(&base, "base_id")} error={err("base_id")} required=true />
            }
            <TextField id="case-title" label={ctx.t("case.case_title")} value={(*title).clone()}
                oninput={fh.bind(&title, "title")} error={err("title")} required=true />
            <TextField id="case-story" label={ctx.t("case.story")} value={(*story).clone()} multiline=true
                oninput={fh.bind(&story, "story")} error={err("story")} required=true />
            <fieldset id="case-media">
                <legend>{ ctx.t("case.material") }</legend>
                { for media.iter().enumerate().map(|(i, (k, u, c))| html! {
                    <div class="media-row">
                        <SelectField id={format!("case-media-{i}-kind")} label={ctx.t("case.media_kind")} value={k.clone()} options={kinds.clone()} onchange={set_media(i, 0)} />
                        <TextField id={format!("case-media-{i}-url")} kind="url" label={ctx.t("case.media_url")} value={u.clone()}
                            oninput={set_media(i, 1)} error={err(&format!("media[{i}].url"))} required=true />
                        <TextField id={format!("case-media-{i}-caption")} label={ctx.t("case.media_caption")} value={c.clone()}
                            oninput={set_media(i, 2)} error={err(&format!("media[{i}].caption"))} />
                    </div>
                }) }
                if let Some(e) = err("media") { <p class="error" id="case-media-error">{ e }</p> }
                <button type="button" id="case-media-add" onclick={add_media}>{ ctx.t("case.media_add") }</button>
            </fieldset>
            <CheckField id="case-sunshine" label={ctx.t("case.sunshine")} checked={*sunshine} onchange={flag} />
            if *subject == TypicalCaseSubject::Person.as_str() {
                <TextField id="case-consent-on" kind="date" label={ctx.t("case.consent_day")} value={(*consent_on).clone()}
                    oninput={fh.bind(&consent_on, "consent_on")} error={err("consent_on")} />
                <TextField id="case-consent-note" label={ctx.t("case.consent_note")} value={(*consent_note).clone()}
                    oninput={fh.bind(&consent_note, "consent_note")} error={err("consent_note")} />
            }
            <div class="buttons">
                <button type="submit" class="primary" id="case-save" disabled={fh.busy()}>{ ctx.t("case.save") }</button>
            </div>
        </form>
    }
}

/// Props of [`ConsentForm`].
#[derive(Properties, PartialEq)]
struct ConsentProps {
    /// The case.
    case: TypicalCase,
    /// The case changed (or not), with the outcome.
    onsaved: Callback<(Option<uuid::Uuid>, Result<String, String>)>,
}

/// Records the person's consent on a case collected without it.
#[function_component(ConsentForm)]
fn consent_form(p: &ConsentProps) -> Html {
    let ctx = use_context::<Ctx>();
    let day = use_state(|| ymd(crate::clock::today()));
    let note = use_state(String::new);
    let id = format!("consent-{}", p.case.id);
    let fh = use_form(id.clone());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| field_error(&fh, f, lang);
    let onsubmit = {
        let (fh, onsaved, case) = (fh.clone(), p.onsaved.clone(), p.case.clone());
        let (day, note) = (day.clone(), note.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut fields = case.fields.clone();
            fields.consent_on = parse_date(&day);
            fields.consent_note = some(&note);
            let mut errs = Vec::new();
            if fields.consent_on.is_none() {
                errs.push(FieldError::new("consent_on", "invalid_date", ""));
            }
            if let Err(more) = fields.validate(crate::clock::today()) {
                errs.extend(more);
            }
            if !errs.is_empty() {
                fh.reject(errs);
                return;
            }
            let (id, version, onsaved) = (case.id, case.version, onsaved.clone());
            fh.submit(
                move |_| async move {
                    api::update_case(id, &TypicalCaseUpdate { version, fields })
                        .await
                        .map_err(Failure::Api)
                },
                move |c: TypicalCase| {
                    onsaved.emit((Some(c.id), Ok(lang.t("case.consent_saved"))));
                },
            );
        })
    };
    html! {
        <form id={id.clone()} {onsubmit} novalidate=true aria-label={ctx.t("case.record_consent")}>
            { fh.banner(lang, &format!("{id}-banner")) }
            <TextField id={format!("{id}-day")} kind="date" label={ctx.t("case.consent_day")} value={(*day).clone()}
                oninput={fh.bind(&day, "consent_on")} error={err("consent_on")} required=true />
            <TextField id={format!("{id}-note")} label={ctx.t("case.consent_note")} value={(*note).clone()}
                oninput={fh.bind(&note, "consent_note")} error={err("consent_note")} required=true />
            <button type="submit" class="primary" id={format!("{id}-save")} disabled={fh.busy()}>{ ctx.t("case.save_consent") }</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(unit: &str, status: TypicalCaseStatus) -> TypicalCase {
        TypicalCase {
            id: uuid::Uuid::nil(),
            version: 1,
            unit_code: unit.into(),
            fields: TypicalCaseInput {
                subject: TypicalCaseSubject::Work,
                person_id: None,
                base_id: None,
                title: "t".into(),
                story: "s".into(),
                media: Vec::new(),
                sunshine: false,
                consent_on: None,
                consent_note: None,
            },
            person_name: None,
            base_name: None,
            status,
        }
    }

    #[test]
    fn cities_then_the_province_select() {
        use TypicalCaseStatus::*;
        assert_eq!(selection("4303", &case("430381", Collected)), Some(true));
        assert_eq!(
            selection("4303", &case("430381", CitySelected)),
            Some(false)
        );
        assert_eq!(selection("4303", &case("430381", ProvinceSelected)), None);
        assert_eq!(selection("43", &case("430381", Collected)), None);
        assert_eq!(selection("43", &case("43", Collected)), Some(true));
        assert_eq!(selection("43", &case("430381", CitySelected)), Some(true));
        assert_eq!(
            selection("43", &case("430381", ProvinceSelected)),
            Some(false)
        );
        assert_eq!(selection("430381", &case("430381", Collected)), None);
    }

    #[test]
    fn a_departments_cases_carry_the_provinces_code() {
        assert_eq!(own_region("43.poverty_office", "43"), "43");
        assert_eq!(own_region("430381", "430381"), "430381");
    }
}
