//! The OpenAPI 3 document, generated from the handlers' annotations and the shared types.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::HttpResponse;
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{
    attachments, audit, auth, bases, care, certificates, crosscheck, duties, health, kpi, loans,
    monitoring, org, persons, petitions, plan, rectification, rehab, retrofit, supervision, survey,
    training, users, visits,
};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Xiangzhu (湘助) API", version = "1", description = "Running the Hunan DPF's programme for disabled people: registry, auth, org units, audit."),
    modifiers(&BearerAuth),
    paths(
        health::healthz, health::readyz, serve,
        auth::routes::login, auth::routes::refresh, auth::routes::logout, auth::routes::me, auth::routes::change_password,
        org::routes::list, org::routes::get, org::routes::addresses, org::routes::address,
        users::routes::list, users::routes::create, users::routes::get, users::routes::reset_password, users::routes::disable, users::routes::enable,
        users::routes::set_roles, users::routes::confirm_roles, users::routes::reject_roles,
        crate::sync::routes::persons,
        persons::routes::list, persons::routes::search, persons::routes::create, persons::routes::get, persons::routes::update, persons::routes::delete, persons::routes::reveal,
        training::routes::list, training::routes::create, training::routes::get, training::routes::update, training::routes::delete,
        training::routes::roster, training::routes::enrol, training::routes::update_enrolment, training::routes::update_enrolments, training::routes::delete_enrolment, training::routes::history,
        bases::routes::list, bases::routes::create, bases::routes::get, bases::routes::update, bases::routes::employees, bases::routes::add_employee, bases::routes::remove_employee,
        loans::routes::list, loans::routes::create, loans::routes::get, loans::routes::update, loans::routes::act, loans::routes::programme_year, loans::routes::set_programme_year, loans::routes::set_allocation,
        training::routes::template, training::routes::export_courses, training::routes::export_history, training::routes::export_roster, training::routes::import_roster, training::routes::import_status, training::routes::import_commit,
        kpi::routes::employment,
        rehab::routes::catalogue, rehab::routes::catalogue_item, rehab::routes::create_item, rehab::routes::update_item, rehab::routes::set_cap,
        rehab::routes::list_needs, rehab::routes::create_need, rehab::routes::get_need, rehab::routes::act, rehab::routes::assess, rehab::routes::renewals,
        rehab::routes::list_episodes, rehab::routes::create_episode, rehab::routes::get_episode, rehab::routes::update_episode, rehab::routes::kpi,
        rehab::routes::needs_template, rehab::routes::import_needs, rehab::routes::export_needs, rehab::routes::export_catalogue, rehab::routes::import_catalogue,
        retrofit::routes::list_items, retrofit::routes::create_item, retrofit::routes::update_item, retrofit::routes::list_caps, retrofit::routes::set_cap,
        retrofit::routes::list_cases, retrofit::routes::create_case, retrofit::routes::get_case, retrofit::routes::update_plan, retrofit::routes::act,
        retrofit::routes::export, retrofit::routes::template, retrofit::routes::import, retrofit::routes::kpi,
        care::routes::list_providers, care::routes::create_provider, care::routes::get_provider, care::routes::update_provider, care::routes::delete_provider,
        care::routes::list_assessments, care::routes::create_assessment, care::routes::get_assessment,
        care::routes::list_placements, care::routes::create_placement, care::routes::get_placement, care::routes::act, care::routes::transfer,
        care::routes::list_logs, care::routes::add_log, care::routes::export, care::routes::kpi,
        petitions::routes::list, petitions::routes::create, petitions::routes::get, petitions::routes::act, petitions::routes::open_rectification,
        petitions::routes::reveal, petitions::routes::deadlines, petitions::routes::export, petitions::routes::kpi,
        visits::routes::list_pairings, visits::routes::create_pairing, visits::routes::cadres, visits::routes::get_pairing,
        visits::routes::update_pairing, visits::routes::delete_pairing, visits::routes::list_visits, visits::routes::create_visit,
        visits::routes::get_visit, visits::routes::update_visit, visits::routes::kpi,
        supervision::routes::list_stationings, supervision::routes::create_stationing, supervision::routes::get_stationing,
        supervision::routes::update_stationing, supervision::routes::add_log,
        supervision::routes::list_inspections, supervision::routes::create_inspection, supervision::routes::get_inspection,
        supervision::routes::update_inspection, supervision::routes::delete_inspection, supervision::routes::matrix,
        supervision::routes::people, supervision::routes::list_clues, supervision::routes::create_clue, supervision::routes::get_clue, supervision::routes::act_clue,
        plan::routes::list_plans, plan::routes::get_plan, plan::routes::update_plan, plan::routes::update_measure,
        plan::routes::create_indicator, plan::routes::update_indicator,
        plan::routes::get_targets, plan::routes::set_target, plan::routes::delete_target,
        plan::routes::list_submissions, plan::routes::create_submission, plan::routes::list_reported, plan::routes::put_reported,
        plan::routes::get_report, plan::routes::act, plan::routes::list_exceptions, plan::routes::grant_exception,
        plan::routes::get_dashboard, plan::routes::get_series, plan::routes::get_ranking, plan::routes::get_records, plan::routes::export_dashboard,
        rectification::routes::list, rectification::routes::create, rectification::routes::get, rectification::routes::act,
        rectification::routes::export, rectification::routes::kpi, rectification::routes::my_work,
        duties::routes::get_list, duties::routes::put_list,
        duties::routes::list_purchases, duties::routes::create_purchase, duties::routes::get_purchase, duties::routes::update_purchase,
        duties::routes::delete_purchase, duties::routes::export_purchases, duties::routes::consumption_kpi,
        duties::routes::list_allocations, duties::routes::create_allocation, duties::routes::get_allocation, duties::routes::delete_allocation,
        duties::routes::recompute_allocation, duties::routes::adjust_allocation, duties::routes::approve_allocation,
        duties::routes::export_allocation, duties::routes::list_spending, duties::routes::create_spending, duties::routes::delete_spending,
        duties::routes::performance,
        duties::routes::list_links, duties::routes::create_link, duties::routes::get_link, duties::routes::update_link,
        duties::routes::delete_link, duties::routes::add_activity, duties::routes::villages_kpi,
        duties::routes::list_pairs, duties::routes::create_pair, duties::routes::list_support, duties::routes::create_support,
        duties::routes::support_kpi,
        duties::routes::list_cases, duties::routes::create_case, duties::routes::get_case, duties::routes::update_case,
        duties::routes::select_case, duties::routes::publicity_kpi,
        duties::routes::export_links, duties::routes::export_support, duties::routes::export_cases,
        crosscheck::routes::get_rules, crosscheck::routes::put_rules, crosscheck::routes::import_list,
        crosscheck::routes::list_lists, crosscheck::routes::get_list, crosscheck::routes::list_changes,
        crosscheck::routes::list_gaps, crosscheck::routes::summary,
        monitoring::routes::change_status, monitoring::routes::history, monitoring::routes::watch_list,
        monitoring::routes::kpi, monitoring::routes::create_visit, monitoring::routes::get_visit,
        monitoring::routes::person_visits,
        monitoring::routes::cadence, monitoring::routes::put_cadence, monitoring::routes::overdue,
        certificates::routes::apply, certificates::routes::decide, certificates::routes::of_person,
        certificates::routes::checks,
        survey::routes::list_rounds, survey::routes::create_round, survey::routes::get_round,
        survey::routes::progress, survey::routes::persons, survey::routes::problems,
        survey::routes::create_survey, survey::routes::get_survey, survey::routes::update_survey,
        survey::routes::get_plan, survey::routes::put_plan,
        audit::routes::list,
        attachments::routes::upload, attachments::routes::list, attachments::routes::get, attachments::routes::thumbnail, attachments::routes::delete,
    ),
    components(schemas(shared::api::Problem, shared::FieldError, shared::person::PersonItem, shared::person::Tombstone, shared::sync::PersonChanges, shared::sync::GoneReason, crate::tabular::Format, shared::api::AuditCategory, crate::supervision::PeopleKind))
)]
pub struct ApiDoc;

/// The document as served: generated from the annotations, then completed in one place
/// so that no handler can get the contract's common parts wrong (see [`complete`]).
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        complete(&mut doc);
        doc
    })
}

/// Serves this document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", responses((status = 200, description = "the OpenAPI 3 document")))]
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

const PROBLEM: &str = "application/problem+json";

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

/// Completes the generated document with what holds for every operation:
///
/// - every error answer (4xx, 5xx) is `application/problem+json` with the `Problem` schema;
/// - the errors any operation can give are documented: 400 (unreadable request), 404
///   (unknown id), 422 (invalid input); on secured operations also 401 and 403; with a
///   body also 413 and 415 is folded into 400; on the password endpoints 429 and 503;
/// - operation ids are unique (a handler name used twice becomes `method_path`);
/// - a list item that is a person or a tombstone is told apart by `kind`.
pub fn complete(doc: &mut Value) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (_, item) in doc["paths"].as_object().into_iter().flatten() {
        for (_, op) in item.as_object().into_iter().flatten() {
            if let Some(id) = op["operationId"].as_str() {
                *seen.entry(id.to_owned()).or_default() += 1;
            }
        }
    }
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(ops) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in ops.iter_mut() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            if seen.get(&id).copied().unwrap_or(0) != 1 {
                op["operationId"] = json!(operation_id(method, path));
            }
            let secured = op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            let has_body = op.get("requestBody").is_some();
            let is_meta = path.starts_with("/healthz")
                || path.starts_with("/readyz")
                || path.ends_with("/openapi.json");
            let responses = op["responses"].as_object_mut();
            let Some(responses) = responses else { continue };
            let mut add = |code: &str, text: &str| {
                responses
                    .entry(code.to_owned())
                    .or_insert_with(|| problem_response(text));
            };
            if !is_meta {
                add("400", "the request could not be read");
                add("404", "no such record, or not in the caller's area");
                add("422", "invalid input; `errors` names each field");
            }
            if secured {
                add("401", "no valid access token");
                add("403", "the caller's roles do not allow this");
            }
            if has_body {
                add("413", "the body is larger than this operation takes");
            }
            if path.ends_with("/auth/login") || path.ends_with("/me/password") {
                add("429", "too many attempts; see Retry-After");
                add("503", "too busy to check passwords now; see Retry-After");
            }
            for (code, resp) in responses.iter_mut() {
                if code.starts_with('4') || code.starts_with('5') {
                    let described = resp["description"]
                        .as_str()
                        .unwrap_or("an error")
                        .to_owned();
                    *resp = problem_response(&described);
                }
            }
        }
    }
    // PersonItem: `kind` tells a person from a tombstone (a person also has every
    // property a tombstone has, so without it `oneOf` matched both).
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for (name, kind) in [("Person", "person"), ("Tombstone", "tombstone")] {
            schemas.insert(
                format!("PersonItem_{kind}"),
                json!({"allOf": [
                    {"$ref": format!("#/components/schemas/{name}")},
                    {"type": "object", "required": ["kind"],
                     "properties": {"kind": {"type": "string", "enum": [kind]}}}
                ]}),
            );
        }
        schemas.insert(
            "PersonItem".into(),
            json!({
                "description": "An item of a person list: a live entry, or a tombstone in sync lists.",
                "oneOf": [
                    {"$ref": "#/components/schemas/PersonItem_person"},
                    {"$ref": "#/components/schemas/PersonItem_tombstone"}
                ],
                "discriminator": {"propertyName": "kind", "mapping": {
                    "person": "#/components/schemas/PersonItem_person",
                    "tombstone": "#/components/schemas/PersonItem_tombstone"
                }}
            }),
        );
    }
}

/// `GET /api/v1/courses/{id}/enrolments` → `get_courses_id_enrolments`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_lowercase();
    for seg in path.trim_start_matches("/api/v1").split('/') {
        let seg = seg.trim_matches(|c| c == '{' || c == '}');
        if !seg.is_empty() {
            id.push('_');
            id.extend(
                seg.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
            );
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// The values the document gives for the schema `name`.
    fn documented(name: &str) -> Vec<String> {
        super::document()["components"]["schemas"][name]["enum"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every `$ref` of the document names a schema it declares.
    #[test]
    fn every_reference_resolves() {
        fn walk(v: &Value, refs: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        refs.push(r.clone());
                    }
                    m.values().for_each(|v| walk(v, refs));
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, refs)),
                _ => {}
            }
        }
        let doc = super::document();
        let mut refs = Vec::new();
        walk(doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let name = r.trim_start_matches("#/components/schemas/");
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{r} is not declared"
            );
        }
    }

    /// No two shared types that derive a schema have the same name: utoipa keys the
    /// document's schemas by name, so the second would silently replace the first and
    /// a client would be told the wrong shape (a `schema(as = …)` gives one a name of
    /// its own).
    #[test]
    fn schema_names_are_unique() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/src");
        let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        let mut clashes = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let t = line.trim_start();
                let Some(rest) = t
                    .strip_prefix("pub struct ")
                    .or_else(|| t.strip_prefix("pub enum "))
                else {
                    continue;
                };
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                // The item's block above it (doc, attributes, a `string_enum!` opening),
                // up to the blank line before: a schema, and maybe a name of its own.
                let start = lines[..i]
                    .iter()
                    .rposition(|l| l.trim().is_empty())
                    .map_or(0, |b| b + 1);
                let above = lines[start..i].join("\n");
                if !(above.contains("ToSchema") || above.contains("string_enum!")) {
                    continue;
                }
                let shown = above
                    .split("schema(as = ")
                    .nth(1)
                    .map(|r| r.chars().take_while(|c| c.is_alphanumeric()).collect())
                    .unwrap_or(name);
                let file = path.display().to_string();
                if let Some(first) = seen.insert(shown.clone(), file.clone()) {
                    clashes.push(format!("{shown}: {first} and {file}"));
                }
            }
        }
        assert!(
            seen.len() > 100,
            "the scan found only {} schemas",
            seen.len()
        );
        assert!(clashes.is_empty(), "schema names used twice: {clashes:?}");
    }

    /// Every code enum is documented with the strings the API sends and accepts (a
    /// client generated from the document must be able to talk to the server).
    #[test]
    fn code_enums_are_documented_as_sent() {
        macro_rules! check {
            ($($t:ty),+ $(,)?) => {$(
                let name = stringify!($t).rsplit("::").next().unwrap_or_default();
                let sent: Vec<String> = <$t>::ALL.iter().map(|v| v.as_str().to_owned()).collect();
                assert_eq!(documented(name), sent, "{name}");
            )+};
        }
        check!(
            shared::AssuranceStatus,
            shared::DisabilityCategory,
            shared::auth::Role,
            shared::auth::Capability,
            shared::rectification::ProblemSource,
            shared::supervision::ClueKind,
            shared::supervision::InspectionStatus,
            shared::visits::VisitCheckItem,
        );
    }
}
