//! HTTP tests of the person registry, each on SQLite and on PostgreSQL.

use serde_json::{json, Value};

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    scope_is_enforced_for_every_role,
    identity_and_certificate_numbers_are_validated,
    duplicate_identity_numbers_conflict,
    stale_versions_conflict_and_change_nothing,
    create_is_idempotent_with_a_client_id,
    numbers_are_masked_and_reveal_is_audited,
    every_write_is_audited,
    sync_lists_include_tombstones_and_pages_chain,
    addresses_are_checked_against_reference_data,
    bad_input_is_a_clear_error,
    search_filters,
    masked_numbers_cannot_be_rebuilt,
    request_values_never_reach_the_log,
);

/// One person in 湘乡市 (430381, 湘潭市) and one in 浏阳市 (430181, 长沙市).
fn two_persons(app: &TestApp) -> (String, String) {
    let a = PersonBuilder::new()
        .county("430381")
        .name("湘乡甲")
        .create(app);
    let b = PersonBuilder::new()
        .county("430181")
        .name("浏阳乙")
        .create(app);
    (a.id.to_string(), b.id.to_string())
}

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| p["id"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The update body of a person as the API answered it (what a client sends back).
pub(crate) fn update_body(app_person: &Value) -> Value {
    let mut b = app_person.clone();
    let o = b.as_object_mut().expect("object");
    for k in [
        "id",
        "id_number",
        "certificate_number",
        "sex",
        "birth_year",
        "severe",
        "synthetic",
        "deleted",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ] {
        o.remove(k);
    }
    b
}

async fn scope_is_enforced_for_every_role(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (a, b) = two_persons(&app);
    // (user, sees A, sees B, may write)
    let cases = [
        ("xiangxiang.staff", true, false, true),
        ("liuyang.staff", false, true, true),
        ("xiangtan.staff", true, false, true),
        ("xiangtan.leader", true, false, false),
        ("leader", true, true, false),
        ("employment", true, true, false),
        ("rehab", true, true, false),
        ("rights", true, true, false),
    ];
    for (user, sees_a, sees_b, writes) in cases {
        let t = app.token(user).await;
        let list = app.get(&t, "/api/v1/persons?limit=500").await;
        assert_eq!(list.status, 200, "{user}");
        let listed = ids(&list.body);
        assert_eq!(listed.contains(&a), sees_a, "{user} lists A");
        assert_eq!(listed.contains(&b), sees_b, "{user} lists B");
        for (id, visible) in [(&a, sees_a), (&b, sees_b)] {
            let got = app.get(&t, &format!("/api/v1/persons/{id}")).await;
            assert_eq!(
                got.status,
                if visible { 200 } else { 404 },
                "{user} gets {id}"
            );
            if !visible {
                assert_eq!(got.code(), "not_found");
                // Out of scope looks exactly like missing: update and delete say 404 too,
                // before any permission or version check could tell them apart.
                let body = json!({"version": 1, "name": "x", "disability_category": "visual", "disability_level": 1, "county_code": "430381", "poverty_status": "none"});
                let up = app.put(&t, &format!("/api/v1/persons/{id}"), body).await;
                let del = app
                    .delete(&t, &format!("/api/v1/persons/{id}?version=1"))
                    .await;
                if writes {
                    assert_eq!(up.status, 404, "{user} updates {id}: {}", up.body);
                    assert_eq!(del.status, 404, "{user} deletes {id}");
                } else {
                    assert_eq!(up.status, 403, "{user} may not write at all");
                    assert_eq!(del.status, 403);
                }
            } else if !writes {
                let body = update_body(&got.body);
                assert_eq!(
                    app.put(&t, &format!("/api/v1/persons/{id}"), body)
                        .await
                        .status,
                    403,
                    "{user} may not update"
                );
                assert_eq!(
                    app.delete(&t, &format!("/api/v1/persons/{id}?version=1"))
                        .await
                        .status,
                    403
                );
            }
        }
    }
    // Roles without registry access are refused outright.
    for user in ["admin", "auditor"] {
        let t = app.token(user).await;
        assert_eq!(app.get(&t, "/api/v1/persons").await.status, 403, "{user}");
        assert_eq!(
            app.get(&t, &format!("/api/v1/persons/{a}")).await.status,
            403,
            "{user}"
        );
    }
    // A county user cannot register someone in another county.
    let t = app.token("xiangxiang.staff").await;
    let r = app
        .post(
            &t,
            "/api/v1/persons",
            PersonBuilder::new().county("430181").json(),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.field_errors(),
        vec![("county_code".to_owned(), "outside_scope".to_owned())]
    );
    // In-scope writes work, and B is untouched by everything above.
    let got = app.get(&t, &format!("/api/v1/persons/{a}")).await;
    let mut body = update_body(&got.body);
    body["name"] = json!("湘乡甲改");
    let up = app.put(&t, &format!("/api/v1/persons/{a}"), body).await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(up.body["version"], 2);
    let lt = app.token("liuyang.staff").await;
    let b_now = app.get(&lt, &format!("/api/v1/persons/{b}")).await;
    assert_eq!(
        (b_now.body["version"].as_i64(), b_now.body["name"].as_str()),
        (Some(1), Some("浏阳乙"))
    );
    let del = app
        .delete(&t, &format!("/api/v1/persons/{a}?version=2"))
        .await;
    assert_eq!(del.status, 204);
    assert_eq!(
        app.get(&t, &format!("/api/v1/persons/{a}")).await.status,
        404
    );
}

async fn identity_and_certificate_numbers_are_validated(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    let good = PersonBuilder::new();
    let id = good.input().id_number.unwrap_or_default();
    let wrong_check = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            good.clone().id_number(&wrong_check).json(),
            "id_number",
            "invalid_check_character",
        ),
        (
            good.clone().id_number("43038119900230123X").json(),
            "id_number",
            "invalid_birth_date",
        ),
        (
            good.clone().id_number("4303811990").json(),
            "id_number",
            "invalid_length",
        ),
        (
            good.clone().id_number("43038120991231001X").json(),
            "id_number",
            "birth_date_in_future",
        ),
        (
            {
                let mut j = good.clone().with_certificate().json();
                j["certificate_number"] = json!(format!("{id}43"));
                j
            },
            "certificate_number",
            "certificate_level_mismatch",
        ),
        (
            {
                let mut j = good.clone().with_certificate().json();
                j["certificate_number"] = json!(format!("{id}12"));
                j
            },
            "certificate_number",
            "certificate_category_mismatch",
        ),
        (
            {
                let mut j = good.clone().with_certificate().json();
                j["certificate_number"] = json!(format!(
                    "{}42",
                    PersonBuilder::new().input().id_number.unwrap_or_default()
                ));
                j
            },
            "certificate_number",
            "certificate_id_mismatch",
        ),
        (
            {
                let mut j = good.json();
                j["sex"] = json!(if id.as_bytes()[16] % 2 == 1 {
                    "female"
                } else {
                    "male"
                });
                j
            },
            "sex",
            "sex_mismatch",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.post(&t, "/api/v1/persons", body).await;
        assert_eq!(r.status, 422, "{field}/{code}: {}", r.body);
        assert_eq!(r.body["status"], 422);
        assert_eq!(
            r.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
        assert!(
            r.field_errors()
                .contains(&(field.to_owned(), code.to_owned())),
            "{field}/{code}: {:?}",
            r.field_errors()
        );
    }
    let list = app.get(&t, "/api/v1/persons").await;
    assert_eq!(ids(&list.body).len(), 0, "nothing was saved");
    // Lower-case x is accepted and stored upper case.
    let r = app
        .post(
            &t,
            "/api/v1/persons",
            good.clone().with_certificate().json(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

async fn duplicate_identity_numbers_conflict(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangtan.staff").await;
    let p = PersonBuilder::new();
    assert_eq!(app.post(&t, "/api/v1/persons", p.json()).await.status, 201);
    let again = app
        .post(&t, "/api/v1/persons", p.clone().name("另一人").json())
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.code(), "duplicate_id_number");
    // Lower case of the same number is the same number.
    let lower = p.input().id_number.unwrap_or_default().to_lowercase();
    if lower.ends_with('x') {
        assert_eq!(
            app.post(&t, "/api/v1/persons", p.clone().id_number(&lower).json())
                .await
                .status,
            409
        );
    }
    // Changing another person's number to it conflicts too, and changes nothing.
    let other = app
        .post(&t, "/api/v1/persons", PersonBuilder::new().json())
        .await;
    let oid = other.body["id"].as_str().unwrap_or_default().to_owned();
    let mut body = update_body(&other.body);
    body["id_number"] = json!(p.input().id_number);
    let r = app.put(&t, &format!("/api/v1/persons/{oid}"), body).await;
    assert_eq!(r.status, 409);
    assert_eq!(
        app.get(&t, &format!("/api/v1/persons/{oid}")).await.body["version"],
        1
    );
    // After deleting the first, the number is free again.
    let first = app.get(&t, "/api/v1/persons?limit=10").await;
    let first_id = ids(&first.body)
        .into_iter()
        .find(|i| *i != oid)
        .unwrap_or_default();
    assert_eq!(
        app.delete(&t, &format!("/api/v1/persons/{first_id}?version=1"))
            .await
            .status,
        204
    );
    assert_eq!(app.post(&t, "/api/v1/persons", p.json()).await.status, 201);
}

async fn stale_versions_conflict_and_change_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    let created = app
        .post(
            &t,
            "/api/v1/persons",
            PersonBuilder::new().name("原名").json(),
        )
        .await;
    let id = created.body["id"].as_str().unwrap_or_default().to_owned();
    let mut first = update_body(&created.body);
    first["name"] = json!("第一次");
    assert_eq!(
        app.put(&t, &format!("/api/v1/persons/{id}"), first)
            .await
            .status,
        200
    );
    // A second client still holding version 1.
    let mut stale = update_body(&created.body);
    stale["name"] = json!("过期修改");
    let r = app
        .put(&t, &format!("/api/v1/persons/{id}"), stale.clone())
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.code(), "stale_version");
    // The version may come in If-Match instead; stale there too.
    stale.as_object_mut().map(|o| o.remove("version"));
    let r = app
        .request(
            actix_web::http::Method::PUT,
            &format!("/api/v1/persons/{id}"),
            Some(&t),
            Some(stale.clone()),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 409);
    let del = app
        .delete(&t, &format!("/api/v1/persons/{id}?version=1"))
        .await;
    assert_eq!(del.status, 409);
    let now = app.get(&t, &format!("/api/v1/persons/{id}")).await;
    assert_eq!(
        (now.body["name"].as_str(), now.body["version"].as_i64()),
        (Some("第一次"), Some(2))
    );
    assert_eq!(
        app.audit_count(&id, "update"),
        1,
        "only the successful update is audited"
    );
    // Without any version the update is refused.
    let r = app.put(&t, &format!("/api/v1/persons/{id}"), stale).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.field_errors(),
        vec![("version".to_owned(), "required".to_owned())]
    );
}

async fn create_is_idempotent_with_a_client_id(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    let id = uuid::Uuid::new_v4();
    let mut body = PersonBuilder::new().json();
    body["id"] = json!(id);
    let first = app.post(&t, "/api/v1/persons", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["id"], json!(id));
    let retry = app.post(&t, "/api/v1/persons", body.clone()).await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.body, first.body);
    body["name"] = json!("不同的内容");
    let different = app.post(&t, "/api/v1/persons", body).await;
    assert_eq!(different.status, 409);
    assert_eq!(different.code(), "id_conflict");
    assert_eq!(ids(&app.get(&t, "/api/v1/persons").await.body).len(), 1);
    assert_eq!(app.audit_count(&id.to_string(), "create"), 1);
}

async fn numbers_are_masked_and_reveal_is_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    let p = PersonBuilder::new().with_certificate();
    let full = p.input().id_number.unwrap_or_default();
    let created = app.post(&t, "/api/v1/persons", p.json()).await;
    let id = created.body["id"].as_str().unwrap_or_default().to_owned();
    let masked = format!("{}********{}", &full[..6], &full[14..]);
    assert_eq!(created.body["id_number"], json!(masked));
    assert_eq!(
        created.body["certificate_number"],
        json!(format!("{masked}42"))
    );
    let listed = app.get(&t, "/api/v1/persons").await;
    assert!(
        !listed.body.to_string().contains(&full),
        "a list never carries the full number"
    );
    // Reveal needs a reason.
    let r = app
        .post(
            &t,
            &format!("/api/v1/persons/{id}/reveal"),
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(app.audit_count(&id, "reveal"), 0);
    let r = app
        .post(
            &t,
            &format!("/api/v1/persons/{id}/reveal"),
            json!({"reason": "核对残疾人证信息"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id_number"], json!(full));
    assert_eq!(r.body["certificate_number"], json!(format!("{full}42")));
    assert_eq!(
        r.headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert_eq!(app.audit_count(&id, "reveal"), 1);
    // The audit log names who and why, and never holds the full number.
    let at = app.token("auditor").await;
    let log = app.get(&at, &format!("/api/v1/audit?entity_id={id}")).await;
    assert_eq!(log.status, 200);
    let reveal = log.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["action"] == "reveal"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(reveal["actor_username"], "xiangxiang.staff");
    assert_eq!(reveal["reason"], "核对残疾人证信息");
    assert!(!log.body.to_string().contains(&full));
    // Leaders may read but not reveal; out of scope is 404.
    let lt = app.token("leader").await;
    assert_eq!(
        app.post(
            &lt,
            &format!("/api/v1/persons/{id}/reveal"),
            json!({"reason": "查看"})
        )
        .await
        .status,
        403
    );
    let other = app.token("liuyang.staff").await;
    assert_eq!(
        app.post(
            &other,
            &format!("/api/v1/persons/{id}/reveal"),
            json!({"reason": "查看一下"})
        )
        .await
        .status,
        404
    );
    assert_eq!(app.audit_count(&id, "reveal"), 1);
}

async fn every_write_is_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    let created = app
        .post(
            &t,
            "/api/v1/persons",
            PersonBuilder::new().name("审计前").json(),
        )
        .await;
    let id = created.body["id"].as_str().unwrap_or_default().to_owned();
    let mut body = update_body(&created.body);
    body["name"] = json!("审计后");
    assert_eq!(
        app.put(&t, &format!("/api/v1/persons/{id}"), body)
            .await
            .status,
        200
    );
    assert_eq!(
        app.delete(&t, &format!("/api/v1/persons/{id}?version=2"))
            .await
            .status,
        204
    );
    let at = app.token("auditor").await;
    let log = app.get(&at, &format!("/api/v1/audit?entity_id={id}")).await;
    let entries = log.body["items"].as_array().cloned().unwrap_or_default();
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["delete", "update", "create"], "newest first");
    let update = &entries[1];
    // The auditor (no right to read persons) sees which fields changed, not the values;
    // the log itself keeps both sides.
    assert_eq!(update["before"], Value::Null);
    assert_eq!(update["after"], json!({"changed": ["name", "version"]}));
    {
        use crate::db::schema::audit_log;
        use diesel::prelude::*;
        let (before, after): (Option<String>, Option<String>) = audit_log::table
            .filter(audit_log::entity_id.eq(&id))
            .filter(audit_log::action.eq("update"))
            .select((audit_log::before_json, audit_log::after_json))
            .first(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(before.is_some_and(|b| b.contains("审计前")));
        assert!(after.is_some_and(|a| a.contains("审计后")));
    }
    assert_eq!(update["unit_code"], "430381");
    assert_eq!(update["actor_unit"], "430381");
    // A county's staff cannot read the log; the auditor's scope is the province.
    assert_eq!(app.get(&t, "/api/v1/audit").await.status, 403);
}

async fn sync_lists_include_tombstones_and_pages_chain(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    let since = chrono::Utc::now() - chrono::TimeDelta::seconds(5);
    let mut created = Vec::new();
    for i in 0..7 {
        let r = app
            .post(
                &t,
                "/api/v1/persons",
                PersonBuilder::new().name(&format!("人员{i}")).json(),
            )
            .await;
        created.push(r.body["id"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(
        app.delete(&t, &format!("/api/v1/persons/{}?version=1", created[0]))
            .await
            .status,
        204
    );
    // Plain paging: 3 + 3 + 0 live ones, no repeats, no tombstones.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/persons?limit=3&cursor={c}"),
            None => "/api/v1/persons?limit=3".into(),
        };
        let page = app.get(&t, &path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        seen.extend(ids(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    assert!(!seen.contains(&created[0]));
    // Sync: everything changed since, the deleted one as a tombstone.
    let since_q = since
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        .replace('+', "%2B");
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/persons?updated_since={since_q}&limit=2&cursor={c}"),
            None => format!("/api/v1/persons?updated_since={since_q}&limit=2"),
        };
        let page = app.get(&t, &path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        items.extend(page.body["items"].as_array().cloned().unwrap_or_default());
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(items.len(), 7);
    let tomb = items
        .iter()
        .find(|i| i["id"] == json!(created[0]))
        .cloned()
        .unwrap_or_default();
    assert_eq!(tomb["deleted"], true);
    assert!(
        tomb.get("name").is_none(),
        "a tombstone carries no personal data"
    );
    assert_eq!(
        items.last().map(|i| i["id"].clone()),
        Some(json!(created[0])),
        "oldest change first"
    );
}

async fn addresses_are_checked_against_reference_data(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    let towns = app.get(&t, "/api/v1/addresses?parent=430381").await;
    assert_eq!(towns.status, 200);
    let town = towns.body[0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(town.starts_with("430381"));
    let villages = app
        .get(&t, &format!("/api/v1/addresses?parent={town}"))
        .await;
    let village = villages.body[0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut ok = PersonBuilder::new().town(&town).json();
    ok["village_code"] = json!(village);
    assert_eq!(app.post(&t, "/api/v1/persons", ok).await.status, 201);
    let r = app
        .post(
            &t,
            "/api/v1/persons",
            PersonBuilder::new().town("430381999").json(),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("town_code".to_owned(), "unknown_code".to_owned())]
    );
    let r = app
        .post(
            &t,
            "/api/v1/persons",
            PersonBuilder::new().town("430181001").json(),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("town_code".to_owned(), "not_in_parent".to_owned())]
    );
    let mut bad_village = PersonBuilder::new().town(&town).json();
    bad_village["village_code"] = json!(format!("{town}999"));
    let r = app.post(&t, "/api/v1/persons", bad_village).await;
    assert_eq!(
        r.field_errors(),
        vec![("village_code".to_owned(), "unknown_code".to_owned())]
    );
    assert_eq!(app.get(&t, "/api/v1/addresses?parent=12").await.status, 422);
    assert_eq!(
        app.get(&t, &format!("/api/v1/addresses/{village}"))
            .await
            .body["parent_code"],
        json!(town)
    );
}

async fn bad_input_is_a_clear_error(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    let mut body = PersonBuilder::new().json();
    body["disability_category"] = json!("blind");
    let r = app.post(&t, "/api/v1/persons", body).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.field_errors().first().map(|e| e.0.as_str()),
        Some("disability_category")
    );
    let mut body = PersonBuilder::new().json();
    body["disability_level"] = json!(9);
    assert_eq!(
        app.post(&t, "/api/v1/persons", body)
            .await
            .field_errors()
            .first()
            .map(|e| e.0.clone()),
        Some("disability_level".into())
    );
    // Malformed JSON, wrong content type, huge body, bad ids, bad paging.
    let app_svc = actix_web::test::init_service(crate::server::app(app.state.clone())).await;
    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/persons")
        .insert_header(("Authorization", format!("Bearer {t}")))
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{\"name\": ")
        .to_request();
    let resp = actix_web::test::call_service(&app_svc, req).await;
    assert_eq!(resp.status().as_u16(), 422);
    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/persons")
        .insert_header(("Authorization", format!("Bearer {t}")))
        .insert_header(("Content-Type", "text/plain"))
        .set_payload("hello")
        .to_request();
    assert_eq!(
        actix_web::test::call_service(&app_svc, req)
            .await
            .status()
            .as_u16(),
        400
    );
    let mut huge = PersonBuilder::new().json();
    huge["notes"] = json!("长".repeat(200_000));
    assert_eq!(app.post(&t, "/api/v1/persons", huge).await.status, 413);
    let mut long = PersonBuilder::new().json();
    long["notes"] = json!("长".repeat(2001));
    assert_eq!(
        app.post(&t, "/api/v1/persons", long).await.field_errors(),
        vec![("notes".to_owned(), "too_long".to_owned())]
    );
    assert_eq!(app.get(&t, "/api/v1/persons/not-a-uuid").await.status, 404);
    assert_eq!(
        app.get(&t, "/api/v1/persons?limit=0").await.field_errors(),
        vec![("limit".to_owned(), "out_of_range".to_owned())]
    );
    assert_eq!(app.get(&t, "/api/v1/persons?limit=abc").await.status, 422);
    assert_eq!(app.get(&t, "/api/v1/persons?cursor=%%%").await.status, 422);
    assert_eq!(
        app.get(&t, "/api/v1/persons?updated_since=yesterday")
            .await
            .status,
        422
    );
    assert_eq!(
        app.get(&t, "/api/v1/persons?id_number=123").await.status,
        422
    );
    assert_eq!(app.get(&t, "/api/v1/nothing-here").await.status, 404);
    assert_eq!(
        ids(&app.get(&t, "/api/v1/persons").await.body).len(),
        0,
        "nothing was written"
    );
}

async fn search_filters(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = PersonBuilder::new().name("王小明").create(&app);
    let b = PersonBuilder::new()
        .name("李%明")
        .registered_poor(false)
        .create(&app);
    let t = app.token("xiangxiang.staff").await;
    assert_eq!(
        ids(&app.get(&t, "/api/v1/persons?name=%E5%B0%8F").await.body),
        vec![a.id.to_string()]
    );
    // A literal % in the search is not a wildcard.
    assert_eq!(
        ids(&app.get(&t, "/api/v1/persons?name=%25").await.body),
        vec![b.id.to_string()]
    );
    assert_eq!(
        ids(&app
            .get(&t, "/api/v1/persons?registered_poor=false")
            .await
            .body),
        vec![b.id.to_string()]
    );
    let full = {
        let r = app
            .post(
                &t,
                &format!("/api/v1/persons/{}/reveal", a.id),
                json!({"reason": "按身份证号查找测试"}),
            )
            .await;
        r.body["id_number"].as_str().unwrap_or_default().to_owned()
    };
    assert_eq!(
        ids(&app
            .post(&t, "/api/v1/persons/search", json!({"id_number": full}))
            .await
            .body),
        vec![a.id.to_string()]
    );
    // Never in a URL, where proxies and access logs keep it.
    let in_url = app
        .get(&t, &format!("/api/v1/persons?id_number={full}"))
        .await;
    assert_eq!(in_url.status, 422);
    assert_eq!(
        in_url.field_errors(),
        vec![("id_number".to_owned(), "id_number_in_url".to_owned())]
    );
    // The last four characters, which the masked list shows, find the person too.
    let tail = &full[full.len() - 4..];
    let by_tail = ids(&app
        .get(&t, &format!("/api/v1/persons?id_tail={tail}"))
        .await
        .body);
    assert!(by_tail.contains(&a.id.to_string()), "{by_tail:?}");
    assert!(!by_tail.contains(&b.id.to_string()) || full.ends_with(&b.id_number[14..]));
    let bad_tail = app.get(&t, "/api/v1/persons?id_tail=12%25").await;
    assert_eq!(bad_tail.status, 422);
    assert_eq!(
        bad_tail.field_errors(),
        vec![("id_tail".to_owned(), "invalid_format".to_owned())]
    );
    assert_eq!(
        ids(&app.get(&t, "/api/v1/persons?severe=false").await.body).len(),
        0
    );
    assert_eq!(
        ids(&app
            .get(
                &t,
                "/api/v1/persons?disability_category=physical&severe=true"
            )
            .await
            .body)
        .len(),
        2
    );
}

/// A masked number keeps digits 1–6 and 15–18; digits 7–14 are the birth date. No answer a
/// role without the reveal right can get, and no audit snapshot, may carry that date (or
/// the number, or the phone) — else `masked[..6] + date + masked[14..]` is the number.
async fn masked_numbers_cannot_be_rebuilt(backend: Backend) {
    let app = TestApp::new(backend).await;
    let staff = app.token("xiangxiang.staff").await;
    let mut body = PersonBuilder::new().with_certificate().json();
    body["phone"] = json!("13812345678");
    let full = body["id_number"].as_str().unwrap_or_default().to_owned();
    let created = app.post(&staff, "/api/v1/persons", body.clone()).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap_or_default().to_owned();
    // An update and a reveal, so that the log holds before/after copies and a reveal.
    let mut change = update_body(&created.body);
    change["name"] = json!("改名后");
    change["version"] = json!(1);
    let updated = app
        .put(&staff, &format!("/api/v1/persons/{id}"), change)
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let revealed = app
        .post(
            &staff,
            &format!("/api/v1/persons/{id}/reveal"),
            json!({"reason": "核对残疾人证信息"}),
        )
        .await;
    assert_eq!(revealed.status, 200);
    let date = format!("{}-{}-{}", &full[6..10], &full[10..12], &full[12..14]);
    assert_eq!(
        revealed.body["birth_date"],
        json!(date),
        "a reveal shows the date"
    );
    let rebuilt = |text: &str| {
        // Every masked number in the answer, completed with every date in it.
        let masked = format!("{}********{}", &full[..6], &full[14..]);
        text.contains(&full)
            || (text.contains(&masked) && (text.contains(&date) || text.contains(&full[6..14])))
    };
    for user in ["leader", "admin", "auditor", "xiangtan.leader"] {
        let t = app.token(user).await;
        for path in [
            "/api/v1/persons?limit=500".to_owned(),
            format!("/api/v1/persons/{id}"),
            "/api/v1/audit?limit=200".to_owned(),
            format!("/api/v1/audit?entity_id={id}"),
        ] {
            let r = app.get(&t, &path).await;
            let text = r.body.to_string();
            assert!(!rebuilt(&text), "{user} rebuilds the number from {path}");
            if path.contains("audit") {
                assert!(
                    !text.contains("13812345678"),
                    "{user} sees the phone in {path}"
                );
            }
        }
    }
    // Searching by number confirms it: only for those who may reveal, and audited.
    let lt = app.token("leader").await;
    let by_number = app
        .post(&lt, "/api/v1/persons/search", json!({"id_number": full}))
        .await;
    assert_eq!(by_number.status, 403, "{}", by_number.body);
    let reveals = app.audit_count(&id, "reveal");
    let found = app
        .post(&staff, "/api/v1/persons/search", json!({"id_number": full}))
        .await;
    assert_eq!(ids(&found.body), vec![id.clone()]);
    assert_eq!(app.audit_count(&id, "reveal"), reveals + 1);
    // Auditors see which fields changed, not the person's data.
    let at = app.token("auditor").await;
    let log = app.get(&at, &format!("/api/v1/audit?entity_id={id}")).await;
    assert!(!log.body.to_string().contains("改名后"), "{}", log.body);
    assert!(log.body.to_string().contains("\"changed\""), "{}", log.body);
    // The leader reads the person, with the birth year only.
    let lt = app.token("leader").await;
    let seen = app.get(&lt, &format!("/api/v1/persons/{id}")).await;
    assert_eq!(seen.status, 200);
    assert_eq!(
        seen.body["birth_year"],
        json!(full[6..10].parse::<i32>().unwrap_or(0))
    );
    assert!(seen.body.get("birth_date").is_none());
    // Offline, from the database: the row keeps the year, the log keeps no number,
    // date or phone.
    use crate::db::schema::{audit_log, persons};
    use diesel::prelude::*;
    let mut conn = app.conn();
    let year: i32 = persons::table
        .find(&id)
        .select(persons::birth_year)
        .first(&mut conn)
        .unwrap_or_default();
    assert_eq!(year.to_string(), full[6..10]);
    let snapshots: Vec<(Option<String>, Option<String>)> = audit_log::table
        .filter(audit_log::entity_id.eq(&id))
        .select((audit_log::before_json, audit_log::after_json))
        .load(&mut conn)
        .unwrap_or_default();
    assert!(snapshots.len() >= 2);
    for (b, a) in snapshots {
        for s in [b, a].into_iter().flatten() {
            assert!(!s.contains(&full[6..14]) && !s.contains(&date), "{s}");
            assert!(!s.contains(&full[..6]) || !s.contains(&full[14..]), "{s}");
            assert!(!s.contains("13812345678"), "{s}");
        }
    }
    // The create digest is keyed: not the plain SHA-256 of the body.
    let stored: Option<String> = persons::table
        .find(&id)
        .select(persons::create_hash)
        .first(&mut conn)
        .unwrap_or_default();
    let plain = {
        use sha2::{Digest, Sha256};
        let fields = serde_json::to_vec(&body).unwrap_or_default();
        Sha256::digest(fields)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert!(stored.is_some());
    assert_ne!(stored.as_deref(), Some(plain.as_str()));
}

/// A log line is read by operators and shipped to other systems: no request value may
/// reach it — not a wrong-typed password, not a searched identity number, not a body.
async fn request_values_never_reach_the_log(backend: Backend) {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let full = PersonBuilder::new().input().id_number.unwrap_or_default();
    {
        let _guard = tracing::subscriber::set_default(subscriber);
        let r = app
            .request(
                actix_web::http::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "xiangxiang.staff", "password": 731_998_877_665_i64})),
                &[],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = app
            .request(
                actix_web::http::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "xiangxiang.staff", "password": "Sesame-Wrong-99"})),
                &[],
            )
            .await;
        assert_eq!(r.status, 401);
        let r = app
            .post(&t, "/api/v1/persons/search", json!({"id_number": full}))
            .await;
        assert_eq!(r.status, 200);
        let r = app
            .post(
                &t,
                "/api/v1/persons",
                json!({"name": 42, "id_number": full}),
            )
            .await;
        assert_eq!(r.status, 422);
        let r = app
            .get(&t, &format!("/api/v1/persons?id_number={full}"))
            .await;
        assert_eq!(r.status, 422);
    }
    let logged =
        String::from_utf8_lossy(&buf.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(
        logged.contains("request"),
        "the requests were logged: {logged}"
    );
    for secret in [
        "731998877665",
        "Sesame-Wrong-99",
        full.as_str(),
        &full[..14],
    ] {
        assert!(
            !logged.contains(secret),
            "{secret} reached the log:\n{logged}"
        );
    }
}
