//! HTTP tests of disability certificates, each on SQLite and on PostgreSQL: an
//! application found on a visit, issued for the registry's category and level with the
//! fee waived, and the checks (missing, expired, inconsistent) of registered-poor
//! persons.

use diesel::prelude::*;
use serde_json::{json, Value};
use shared::DisabilityCategory;

use crate::db::schema::{certificates, persons};
use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    an_application_is_issued_for_the_registry_s_category_and_level,
    the_checks_find_missing_expired_and_inconsistent_certificates,
);

const COUNTY: &str = "xiangxiang.staff";

async fn an_application_is_issued_for_the_registry_s_category_and_level(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new()
        .disability(DisabilityCategory::Physical, 2)
        .create(&app);
    let t = app.token(COUNTY).await;
    let client_id = uuid::Uuid::new_v4();
    let apply = json!({"id": client_id, "person_id": p.id, "kind": "first",
        "applied_on": "2020-04-01", "found_on_visit": true, "note": "入户走访发现未办证"});
    let r = app.post(&t, "/api/v1/certificates", apply.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["status"], "applied");
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(id, client_id.to_string());
    // A retry (the answer was lost) is the same application; the id with another body
    // is a conflict.
    let r = app.post(&t, "/api/v1/certificates", apply.clone()).await;
    assert_eq!((r.status, r.body["id"].as_str()), (200, Some(id.as_str())));
    let mut other_body = apply.clone();
    other_body["note"] = json!("另一份");
    let r = app.post(&t, "/api/v1/certificates", other_body).await;
    assert_eq!((r.status, r.code()), (409, "id_conflict"));
    let mut apply = apply;
    apply["id"] = json!(uuid::Uuid::new_v4());
    // One open application at a time; another county's staff do not see the person.
    let r = app.post(&t, "/api/v1/certificates", apply.clone()).await;
    assert_eq!((r.status, r.code()), (409, "duplicate"));
    let other = app.token("liuyang.staff").await;
    let r = app.post(&other, "/api/v1/certificates", apply).await;
    assert_eq!(
        r.field_errors(),
        [("person_id".to_owned(), "not_found".to_owned())]
    );
    let decide = |body: Value| {
        let (app, t, id) = (&app, &t, &id);
        async move {
            app.post(t, &format!("/api/v1/certificates/{id}/decide"), body)
                .await
        }
    };
    // A level other than the registry's is refused: the registry is corrected first.
    let r = decide(json!({"issue": true, "category": "physical", "level": 1,
        "decided_on": "2020-05-10", "valid_until": "2030-05-09", "fee_waived": true, "version": 1}))
    .await;
    assert_eq!(
        r.field_errors(),
        [("level".to_owned(), "differs_from_registry".to_owned())]
    );
    let r = decide(json!({"issue": true, "category": "physical", "level": 2,
        "decided_on": "2020-05-10", "valid_until": "2020-05-01", "version": 1}))
    .await;
    assert_eq!(
        r.field_errors(),
        [("valid_until".to_owned(), "before_start".to_owned())]
    );
    let r = decide(json!({"issue": true, "category": "physical", "level": 2,
        "decided_on": "2020-05-10", "valid_until": "2030-05-09", "fee_waived": true, "version": 1}))
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "issued");
    assert_eq!(r.body["fee_waived"], true);
    // The number is the masked identity number, the category digit (4: physical) and the level.
    assert_eq!(r.body["number_masked"], format!("{}42", p.id_number));
    let r = decide(json!({"issue": false, "decided_on": "2020-05-11", "version": 2})).await;
    assert_eq!((r.status, r.code()), (409, "invalid_transition"));
    // The registry now says the person holds one; the history lists it.
    let has: bool = persons::table
        .filter(persons::id.eq(p.id.to_string()))
        .select(persons::has_certificate)
        .first(&mut app.conn())
        .unwrap_or(false);
    assert!(has);
    let r = app
        .get(&t, &format!("/api/v1/persons/{}/certificates", p.id))
        .await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(1));
    let r = app
        .get(&other, &format!("/api/v1/persons/{}/certificates", p.id))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(app.audit_count(&id, "update"), 1);
}

async fn ids(app: &TestApp, token: &str, gap: &str) -> Vec<String> {
    let r = app
        .get(token, &format!("/api/v1/certificates/checks?gap={gap}"))
        .await;
    assert_eq!(r.status, 200, "{gap}: {:?}", r.body);
    let mut v: Vec<String> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["person_id"].as_str().map(str::to_owned))
        .collect();
    v.sort();
    v
}

/// An issued certificate straight in the table (fixture).
fn issued(app: &TestApp, person: &str, level: i32, until: &str, n: u32) {
    let at = crate::db::now();
    diesel::insert_into(certificates::table)
        .values((
            certificates::id.eq(uuid::Uuid::now_v7().to_string()),
            certificates::person_id.eq(person),
            certificates::county_code.eq("430381"),
            certificates::city_code.eq("4303"),
            certificates::kind.eq(if n == 0 { "first" } else { "renewal" }),
            certificates::status.eq("issued"),
            certificates::applied_on
                .eq(chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default()),
            certificates::found_on_visit.eq(false),
            certificates::category.eq(Some("physical")),
            certificates::level.eq(Some(level)),
            certificates::decided_on.eq(chrono::NaiveDate::from_ymd_opt(2015, 2, 1)),
            certificates::valid_until.eq(until.parse::<chrono::NaiveDate>().ok()),
            certificates::fee_waived.eq(true),
            certificates::note.eq(""),
            certificates::version.eq(1_i64),
            certificates::created_at.eq(at),
            certificates::created_by.eq("test"),
            certificates::updated_at.eq(at),
            certificates::updated_by.eq("test"),
        ))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn the_checks_find_missing_expired_and_inconsistent_certificates(backend: Backend) {
    let app = TestApp::new(backend).await;
    let make = |poor: bool, has: bool| {
        let b = PersonBuilder::new()
            .disability(DisabilityCategory::Physical, 2)
            .registered_poor(poor);
        let b = if has { b.with_certificate() } else { b };
        b.create(&app).id.to_string()
    };
    // Missing: poor, no certificate at all. Not poor: not checked.
    let missing = make(true, false);
    let _not_poor = make(false, false);
    // Expired: the only certificate ended in 2019.
    let expired = make(true, true);
    issued(&app, &expired, 2, "2019-12-31", 0);
    // Renewed: an old one expired, a new one in force and agreeing: nothing.
    let renewed = make(true, true);
    issued(&app, &renewed, 2, "2019-12-31", 0);
    issued(&app, &renewed, 2, "2099-12-31", 1);
    // Inconsistent: in force for level 1 while the registry says 2.
    let inconsistent = make(true, true);
    issued(&app, &inconsistent, 1, "2099-12-31", 0);
    // Inconsistent too: in force, while the registry says the person holds none.
    let unregistered = make(true, false);
    issued(&app, &unregistered, 2, "2099-12-31", 0);
    // Holding one by the registry without a record here (issued before the system): not
    // a gap of any kind.
    let _legacy = make(true, true);
    let t = app.token(COUNTY).await;
    assert_eq!(ids(&app, &t, "missing").await, [missing]);
    assert_eq!(ids(&app, &t, "expired").await, [expired]);
    let mut both = vec![inconsistent, unregistered];
    both.sort();
    assert_eq!(ids(&app, &t, "inconsistent").await, both);
    let other = app.token("liuyang.staff").await;
    for gap in ["missing", "expired", "inconsistent"] {
        assert_eq!(ids(&app, &other, gap).await, Vec::<String>::new(), "{gap}");
    }
    let r = app.get(&t, "/api/v1/certificates/checks?gap=lost").await;
    assert_eq!(r.status, 422);
}
