//! The OpenAPI document is the contract mobile clients build against. These tests check
//! that it describes what the server really does: every documented operation is routed,
//! every route is documented, and real answers validate against the documented schemas.

use actix_web::http::Method;
use backend::testing::{Backend, PersonBuilder, TestApp};
use serde_json::{json, Value};

async fn doc(app: &TestApp) -> Value {
    let r = app
        .request(Method::GET, "/api/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(r.status, 200);
    r.body
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            out.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

/// Checks `value` against a schema of the document (the subset utoipa emits).
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    check_with(doc, schema, value, at, errors, true);
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => resolve(
            doc,
            &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        ),
        None => schema,
    }
}

/// `strict`: properties the schema does not name are errors (off inside `allOf`, where
/// the union of the parts is checked instead).
fn check_with(
    doc: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    errors: &mut Vec<String>,
    strict: bool,
) {
    if schema.get("$ref").is_some() {
        return check_with(doc, resolve(doc, schema), value, at, errors, strict);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = schema[key].as_array() {
            let matching = alts
                .iter()
                .filter(|s| {
                    let mut e = Vec::new();
                    check(doc, s, value, at, &mut e);
                    e.is_empty()
                })
                .count();
            match (key, matching) {
                (_, 0) => errors.push(format!("{at}: matches none of {key}")),
                ("oneOf", n) if n > 1 => {
                    errors.push(format!("{at}: matches {n} alternatives of oneOf"))
                }
                _ => {}
            }
            return;
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            check_with(doc, s, value, at, errors, false);
        }
        if let (true, Value::Object(map)) = (strict, value) {
            let named: Vec<&String> = all
                .iter()
                .filter_map(|s| resolve(doc, s)["properties"].as_object())
                .flat_map(|p| p.keys())
                .collect();
            for k in map.keys().filter(|k| !named.contains(k)) {
                errors.push(format!("{at}: property {k} is not documented"));
            }
        }
        return;
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() {
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let ok = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !ok {
            errors.push(format!("{at}: is {actual}, documented as {types:?}"));
            return;
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {value} is not one of the documented values"));
        }
    }
    if let Value::Object(map) = value {
        for req in schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(req) {
                errors.push(format!("{at}: required property {req} is missing"));
            }
        }
        if let Some(props) = schema["properties"].as_object() {
            for (k, v) in map {
                match props.get(k) {
                    Some(s) => check(doc, s, v, &format!("{at}.{k}"), errors),
                    None if strict => errors.push(format!("{at}: property {k} is not documented")),
                    None => {}
                }
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (i, v) in items.iter().enumerate() {
            check(doc, item_schema, v, &format!("{at}[{i}]"), errors);
        }
    }
}

fn response_schema(doc: &Value, method: &str, path: &str, status: u16) -> Value {
    let op = &doc["paths"][path][method.to_lowercase()];
    op["responses"][status.to_string()]["content"]
        .as_object()
        .and_then(|c| c.values().next())
        .map(|m| m["schema"].clone())
        .unwrap_or_else(|| panic!("{method} {path} documents no body for {status}"))
}

fn conforms(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let schema = response_schema(doc, method, path, status);
    let mut errors = Vec::new();
    check(doc, &schema, body, "body", &mut errors);
    assert!(
        errors.is_empty(),
        "{method} {path} {status} differs from the document:\n{}",
        errors.join("\n")
    );
}

async fn every_operation_is_routed_and_every_route_documented(backend: Backend) {
    let app = TestApp::new(backend).await;
    let doc = doc(&app).await;
    let ops = operations(&doc);
    // Every route mounted in routes.rs appears in the document, and no more.
    let routes_rs = include_str!("../../backend/src/routes.rs");
    let mounted = routes_rs.matches(".route(").count();
    assert_eq!(
        ops.len(),
        mounted,
        "operations documented vs routes mounted"
    );
    for (method, path, op) in ops {
        let concrete = path
            .replace("{id}", &uuid_like())
            .replace("{code}", "430381");
        let m = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
        let r = app.request(m, &concrete, None, None, &[]).await;
        let secured = op.get("security").is_some();
        if secured {
            assert_eq!(r.status, 401, "{method} {path} without a token: {}", r.body);
        } else {
            assert_ne!(
                r.status, 404,
                "{method} {path} is documented but not routed"
            );
            assert_ne!(
                r.status, 405,
                "{method} {path} is documented but not routed"
            );
        }
    }
}

fn uuid_like() -> String {
    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into()
}

async fn answers_match_the_documented_schemas(backend: Backend) {
    let app = TestApp::new(backend).await;
    let doc = doc(&app).await;
    let login = app.login_as("xiangxiang.staff", "xiangzhu-demo").await;
    conforms(&doc, "POST", "/api/v1/auth/login", 200, &login.body);
    let t = login.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let bad = app.login_as("xiangxiang.staff", "wrong").await;
    conforms(&doc, "POST", "/api/v1/auth/login", 401, &bad.body);
    conforms(
        &doc,
        "GET",
        "/api/v1/me",
        200,
        &app.get(&t, "/api/v1/me").await.body,
    );
    // A create built from the documented request schema's properties.
    let create = PersonBuilder::new().with_certificate().json();
    let req_schema = doc["paths"]["/api/v1/persons"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"]
        .clone();
    let mut errors = Vec::new();
    check(&doc, &req_schema, &create, "request", &mut errors);
    assert!(
        errors.is_empty(),
        "the test's request differs from the document: {errors:?}"
    );
    let created = app.post(&t, "/api/v1/persons", create).await;
    assert_eq!(created.status, 201);
    conforms(&doc, "POST", "/api/v1/persons", 201, &created.body);
    let id = created.body["id"].as_str().unwrap_or_default().to_owned();
    conforms(
        &doc,
        "GET",
        "/api/v1/persons/{id}",
        200,
        &app.get(&t, &format!("/api/v1/persons/{id}")).await.body,
    );
    conforms(
        &doc,
        "GET",
        "/api/v1/persons",
        200,
        &app.get(&t, "/api/v1/persons").await.body,
    );
    app.delete(&t, &format!("/api/v1/persons/{id}?version=1"))
        .await;
    let sync = app
        .get(&t, "/api/v1/persons?updated_since=2020-01-01T00:00:00Z")
        .await;
    assert!(sync.body["items"]
        .as_array()
        .is_some_and(|a| a.iter().any(|i| i["deleted"] == true)));
    conforms(&doc, "GET", "/api/v1/persons", 200, &sync.body);
    let invalid = app
        .post(
            &t,
            "/api/v1/persons",
            PersonBuilder::new().id_number("123").json(),
        )
        .await;
    conforms(&doc, "POST", "/api/v1/persons", 422, &invalid.body);
    let reveal_target = app
        .post(&t, "/api/v1/persons", PersonBuilder::new().json())
        .await;
    let rid = reveal_target.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let reveal = app
        .post(
            &t,
            &format!("/api/v1/persons/{rid}/reveal"),
            json!({"reason": "契约测试"}),
        )
        .await;
    conforms(
        &doc,
        "POST",
        "/api/v1/persons/{id}/reveal",
        200,
        &reveal.body,
    );
    conforms(
        &doc,
        "GET",
        "/api/v1/org-units",
        200,
        &app.get(&t, "/api/v1/org-units?parent=4303").await.body,
    );
    conforms(
        &doc,
        "GET",
        "/api/v1/addresses",
        200,
        &app.get(&t, "/api/v1/addresses?parent=430381").await.body,
    );
    let admin = app.token("admin").await;
    conforms(
        &doc,
        "GET",
        "/api/v1/users",
        200,
        &app.get(&admin, "/api/v1/users").await.body,
    );
    let auditor = app.token("auditor").await;
    conforms(
        &doc,
        "GET",
        "/api/v1/audit",
        200,
        &app.get(&auditor, "/api/v1/audit").await.body,
    );
    // A retrofit case as the phone app reads it, through its workflow's first steps.
    let rights = app.token("xiangxiang.rights").await;
    let p = PersonBuilder::new().create(&app).id;
    let case = app
        .post(
            &rights,
            "/api/v1/retrofits/cases",
            json!({"person_ids": [p], "source": "survey", "identified_on": "2020-03-02"}),
        )
        .await;
    assert_eq!(case.status, 201, "{}", case.body);
    conforms(&doc, "POST", "/api/v1/retrofits/cases", 201, &case.body);
    let cid = case.body["id"].as_str().unwrap_or_default().to_owned();
    let verified = app
        .post(
            &rights,
            &format!("/api/v1/retrofits/cases/{cid}/actions"),
            json!({"action": "verify", "version": 1, "visit": {"visited_on": "2020-03-05",
                "visitors": "王芳", "need_verified": true, "willing": true, "housing_suitable": true}}),
        )
        .await;
    conforms(
        &doc,
        "POST",
        "/api/v1/retrofits/cases/{id}/actions",
        200,
        &verified.body,
    );
    let planned = app
        .put(
            &rights,
            &format!("/api/v1/retrofits/cases/{cid}/plan"),
            json!({"version": 2, "items": [{"item_code": "ramp", "location": "门口",
                "quantity": 1, "unit_cost_fen": 900_000}]}),
        )
        .await;
    assert_eq!(
        planned.body["warnings"][0]["code"], "over_cap",
        "{}",
        planned.body
    );
    conforms(
        &doc,
        "PUT",
        "/api/v1/retrofits/cases/{id}/plan",
        200,
        &planned.body,
    );
    conforms(
        &doc,
        "GET",
        "/api/v1/retrofits/cases",
        200,
        &app.get(&rights, "/api/v1/retrofits/cases").await.body,
    );
    conforms(
        &doc,
        "GET",
        "/api/v1/retrofits/items",
        200,
        &app.get(&rights, "/api/v1/retrofits/items").await.body,
    );
    let leader = app.token("leader").await;
    conforms(
        &doc,
        "GET",
        "/api/v1/kpi/retrofits",
        200,
        &app.get(&leader, "/api/v1/kpi/retrofits?year=2020")
            .await
            .body,
    );
    // Measure 4: a pairing, a visit with a problem, a stale edit answering the server's
    // visit, and the KPI.
    let household = PersonBuilder::new().create(&app).id;
    let cadre_id = app
        .get(&app.token("xiangxiang.rehab").await, "/api/v1/me")
        .await
        .body["user"]["id"]
        .clone();
    let pairing = app
        .post(
            &t,
            "/api/v1/pairings",
            json!({"cadre_id": cadre_id, "cadre_post": "干事", "person_id": household,
                "from_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(pairing.status, 201, "{}", pairing.body);
    conforms(&doc, "POST", "/api/v1/pairings", 201, &pairing.body);
    conforms(
        &doc,
        "GET",
        "/api/v1/pairings",
        200,
        &app.get(&t, "/api/v1/pairings").await.body,
    );
    conforms(
        &doc,
        "GET",
        "/api/v1/pairings/cadres",
        200,
        &app.get(&t, "/api/v1/pairings/cadres").await.body,
    );
    let checks: Vec<Value> = [
        "food",
        "clothing",
        "education",
        "medical",
        "housing",
        "drinking_water",
    ]
    .iter()
    .map(|i| {
        json!({"item": i, "result": if *i == "housing" { "problem" } else { "ok" },
            "note": "漏雨"})
    })
    .collect();
    let visit = json!({"pairing_id": pairing.body["id"], "visited_on": "2020-05-10",
        "mode": "in_person", "checks": checks, "policies": ["rehab"]});
    let v = app.post(&t, "/api/v1/visits", visit.clone()).await;
    assert_eq!(v.status, 201, "{}", v.body);
    conforms(&doc, "POST", "/api/v1/visits", 201, &v.body);
    let path = format!(
        "/api/v1/visits/{}",
        v.body["id"].as_str().unwrap_or_default()
    );
    let mut edit = visit.clone();
    edit["version"] = json!(1);
    assert_eq!(app.put(&t, &path, edit.clone()).await.status, 200);
    let stale = app.put(&t, &path, edit).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    conforms(&doc, "PUT", "/api/v1/visits/{id}", 409, &stale.body);
    conforms(
        &doc,
        "GET",
        "/api/v1/visits",
        200,
        &app.get(&t, "/api/v1/visits").await.body,
    );
    conforms(
        &doc,
        "GET",
        "/api/v1/kpi/pairing",
        200,
        &app.get(&leader, "/api/v1/kpi/pairing?on=2020-05-15")
            .await
            .body,
    );
}

/// Every `$ref` anywhere in `v`.
fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                out.push(r);
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// What generated clients and openapi-spec-validator need, and what a fuzzer checks
/// answers against: found wanting once, each is checked here.
async fn the_document_is_sound(backend: Backend) {
    let app = TestApp::new(backend).await;
    let doc = doc(&app).await;
    let mut problems = Vec::new();
    // Every reference resolves (five operations once pointed at a missing `Format`).
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        let name = r.trim_start_matches("#/components/schemas/");
        if doc["components"]["schemas"].get(name).is_none() {
            problems.push(format!("unresolved reference {r}"));
        }
    }
    let mut ids = std::collections::HashSet::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        if !ids.insert(id.clone()) {
            problems.push(format!("{method} {path}: operationId {id} is not unique"));
        }
        let responses = op["responses"].as_object().cloned().unwrap_or_default();
        let secured = op["security"].as_array().is_some_and(|a| !a.is_empty());
        for code in ["401", "403"].iter().filter(|_| secured) {
            if !responses.contains_key(*code) {
                problems.push(format!("{method} {path}: secured but {code} undocumented"));
            }
        }
        for (code, resp) in &responses {
            if code.starts_with('4') || code.starts_with('5') {
                let types: Vec<&String> = resp["content"]
                    .as_object()
                    .map(|c| c.keys().collect())
                    .unwrap_or_default();
                if types != ["application/problem+json"] {
                    problems.push(format!(
                        "{method} {path} {code}: served as problem JSON, documented as {types:?}"
                    ));
                }
            }
        }
    }
    // A oneOf needs a discriminator (a person once validated as a tombstone too).
    for (name, schema) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        if schema.get("oneOf").is_some() && schema.get("discriminator").is_none() {
            problems.push(format!("schema {name}: oneOf without a discriminator"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Over-limit bodies are problem JSON too, on a JSON route and an upload route.
    let t = app.token("xiangxiang.staff").await;
    for (path, size) in [
        ("/api/v1/persons".to_owned(), 300 * 1024),
        (
            format!("/api/v1/courses/{}/roster/import?format=csv", uuid_like()),
            backend::tabular::MAX_UPLOAD + 1,
        ),
    ] {
        let big = format!("\"{}\"", "x".repeat(size));
        let r = app
            .raw(
                Method::POST,
                &path,
                &t,
                "application/json",
                big.into_bytes(),
            )
            .await;
        assert_eq!(r.status, 413, "{path}: {}", r.body);
        assert_eq!(
            r.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{path}"
        );
        assert_eq!(r.body["status"], 413);
    }
}

#[actix_web::test]
async fn document_is_sound_sqlite() {
    the_document_is_sound(Backend::Sqlite).await;
}

#[actix_web::test]
async fn document_is_sound_postgres() {
    the_document_is_sound(Backend::Postgres).await;
}

#[actix_web::test]
async fn routes_and_document_agree_sqlite() {
    every_operation_is_routed_and_every_route_documented(Backend::Sqlite).await;
}

#[actix_web::test]
async fn routes_and_document_agree_postgres() {
    every_operation_is_routed_and_every_route_documented(Backend::Postgres).await;
}

#[actix_web::test]
async fn answers_match_schemas_sqlite() {
    answers_match_the_documented_schemas(Backend::Sqlite).await;
}

#[actix_web::test]
async fn answers_match_schemas_postgres() {
    answers_match_the_documented_schemas(Backend::Postgres).await;
}
