//! HTTP tests of measure 6 (rectification items: the workflow, the recheck by another
//! unit, scope, duplicates, deadlines, the KPIs, "my work"), each on SQLite and on
//! PostgreSQL.

use std::sync::Mutex;

use chrono::{NaiveDate, TimeDelta};
use diesel::prelude::*;
use serde_json::{json, Value};
use shared::rectification::{ProblemCategory, ProblemSource, WorkItem, WorkKind};
use uuid::Uuid;

use super::items::{self, NewItem};
use super::work::{self, Digest};
use crate::attachments::media::samples;
use crate::db::schema::rectification_items;
use crate::db::{today, write_tx};
use crate::db_tests;
use crate::error::ApiError;
use crate::testing::{Backend, Resp, TestApp};

db_tests!(
    another_ledger_opens_an_item_in_its_transaction,
    an_item_goes_from_open_to_closed_with_evidence,
    another_unit_rechecks_and_closes,
    every_status_takes_exactly_its_steps,
    each_unit_sees_only_its_area,
    duplicates_are_merged_and_counted_once,
    deadlines_long_term_and_overdue,
    creates_are_idempotent_and_checked,
    the_kpi_matches_a_hand_count,
    my_work_lists_what_is_due_and_the_digest_logs_it,
    the_ledger_exports_and_is_audited,
    the_demo_has_items_in_the_early_states,
);

const ITEMS: &str = "/api/v1/rectification/items";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn days(n: i64) -> String {
    (today() + TimeDelta::days(n)).to_string()
}

fn id_of(r: &Resp) -> String {
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

fn new_item(county: &str, source_id: Option<Uuid>) -> NewItem {
    NewItem {
        id: None,
        source: ProblemSource::Visit,
        source_id,
        source_ref: None,
        county_code: county.into(),
        person_id: None,
        household: Some("3组 张家".into()),
        category: ProblemCategory::Housing,
        description: "屋顶漏雨".into(),
        measure: Some(6),
        found_on: d("2020-03-01"),
        deadline: d("2020-04-01"),
    }
}

fn body(county: &str, found: &str, deadline: &str) -> Value {
    json!({"source": "inspection", "county_code": county, "category": "medical",
        "description": "医保未参保", "found_on": found, "deadline": deadline})
}

async fn create(app: &TestApp, token: &str, county: &str, deadline: &str) -> String {
    let r = app
        .post(token, ITEMS, body(county, &days(-10), deadline))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    id_of(&r)
}

async fn get(app: &TestApp, token: &str, id: &str) -> Resp {
    app.get(token, &format!("{ITEMS}/{id}")).await
}

async fn step(app: &TestApp, token: &str, id: &str, action: &str, extra: Value) -> Resp {
    let version = get(app, token, id).await.body["version"]
        .as_i64()
        .unwrap_or_default();
    let mut b = json!({"action": action, "version": version});
    if let (Some(b), Some(e)) = (b.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.post(token, &format!("{ITEMS}/{id}/actions"), b).await
}

async fn ok_step(app: &TestApp, token: &str, id: &str, action: &str, extra: Value) -> Resp {
    let r = step(app, token, id, action, extra).await;
    assert_eq!(r.status, 200, "{action}: {}", r.body);
    r
}

async fn photo(app: &TestApp, token: &str, item: &str) -> Resp {
    app.upload(
        token,
        &format!(
            "/api/v1/attachments?owner_type=rectification_item&owner_id={item}&id={}",
            Uuid::now_v7()
        ),
        samples::jpeg(16, 12),
    )
    .await
}

/// Takes an item from open to submitted as the county.
async fn to_submitted(app: &TestApp, county: &str, id: &str) {
    ok_step(
        app,
        county,
        id,
        "assign",
        json!({"responsible_person": "李明 副理事长"}),
    )
    .await;
    ok_step(app, county, id, "start", json!({})).await;
    assert_eq!(photo(app, county, id).await.status, 201);
    ok_step(app, county, id, "submit", json!({"note": "已办理参保"})).await;
}

async fn another_ledger_opens_an_item_in_its_transaction(backend: Backend) {
    let app = TestApp::new(backend).await;
    let actor = app.setup_actor();
    let visit = Uuid::now_v7();
    let chosen = Uuid::now_v7();
    let mut conn = app.conn();
    let open = |c: &mut crate::db::DbConn, who: &crate::auth::AuthUser, item: NewItem| {
        write_tx(c, |c| items::open_in(c, who, item))
    };
    let id = open(
        &mut conn,
        &actor,
        NewItem {
            id: Some(chosen),
            ..new_item("430381", Some(visit))
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(id, chosen);
    // Replaying the same record opens nothing twice; the id for another record is 409.
    let again = open(
        &mut conn,
        &actor,
        NewItem {
            id: Some(chosen),
            ..new_item("430381", Some(visit))
        },
    );
    assert_eq!(again.ok(), Some(chosen));
    let other = open(
        &mut conn,
        &actor,
        NewItem {
            id: Some(chosen),
            ..new_item("430381", Some(Uuid::now_v7()))
        },
    );
    assert!(matches!(
        other,
        Err(ApiError::Conflict {
            code: "id_conflict",
            ..
        })
    ));
    // A rolled-back caller leaves no item behind.
    let rolled: Result<(), ApiError> = write_tx(&mut conn, |c| {
        items::open_in(c, &actor, new_item("430381", None))?;
        Err(ApiError::NotFound)
    });
    assert!(rolled.is_err());
    // Not a county, or outside the actor's scope: field errors.
    let mut county_actor = actor.clone();
    county_actor.scope = crate::auth::Scope::County("430381".into());
    for (county, code) in [("4303", "invalid_region"), ("430181", "outside_scope")] {
        match open(&mut conn, &county_actor, new_item(county, None)) {
            Err(ApiError::Validation(errs)) => {
                assert_eq!(errs[0].field, "county_code");
                assert_eq!(errs[0].code, code);
            }
            other => panic!("{county}: {other:?}"),
        }
    }
    let total: i64 = rectification_items::table
        .count()
        .get_result(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(total, 1);
    drop(conn);
    assert_eq!(app.audit_count(&chosen.to_string(), "create"), 1);
    // The item is the county's to see, with its source.
    let county = app.token("xiangxiang.staff").await;
    let r = get(&app, &county, &chosen.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["source"], "visit");
    assert_eq!(r.body["source_id"], visit.to_string());
    assert_eq!(r.body["status"], "open");
    let r = app
        .get(&county, &format!("{ITEMS}?source_id={visit}"))
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
}

async fn an_item_goes_from_open_to_closed_with_evidence(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    let id = create(&app, &county, "430381", &days(20)).await;
    let r = get(&app, &county, &id).await;
    assert_eq!(r.body["allowed_actions"], json!(["assign", "merge"]));
    ok_step(
        &app,
        &county,
        &id,
        "assign",
        json!({"responsible_person": "李明"}),
    )
    .await;
    ok_step(&app, &county, &id, "start", json!({})).await;
    // Submitting takes a note and evidence.
    let r = step(&app, &county, &id, "submit", json!({})).await;
    assert_eq!(r.status, 422);
    let fields = r.field_errors();
    assert!(
        fields.contains(&("note".into(), "required".into())),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("evidence".into(), "required".into())),
        "{fields:?}"
    );
    assert_eq!(photo(&app, &county, &id).await.status, 201);
    let r = ok_step(&app, &county, &id, "submit", json!({"note": "已办理参保"})).await;
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["submitted_unit"], "430381");
    assert_eq!(r.body["evidence_count"], 1);
    assert_eq!(r.body["allowed_actions"], json!([]));
    // A stale version is 409, and changes nothing.
    let r = app
        .post(
            &city,
            &format!("{ITEMS}/{id}/actions"),
            json!({"action": "recheck_pass", "version": 1}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "stale_version"));
    let r = get(&app, &city, &id).await;
    assert_eq!(
        r.body["allowed_actions"],
        json!(["recheck_pass", "recheck_fail"])
    );
    ok_step(
        &app,
        &city,
        &id,
        "recheck_pass",
        json!({"note": "现场核实"}),
    )
    .await;
    let r = ok_step(&app, &city, &id, "close", json!({})).await;
    assert_eq!(r.body["status"], "closed");
    assert_eq!(r.body["closed_unit"], "4303");
    assert_eq!(r.body["rechecked_unit"], "4303");
    let timeline: Vec<&str> = r.body["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["to_status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        timeline,
        [
            "open",
            "assigned",
            "rectifying",
            "submitted",
            "rechecked",
            "closed"
        ]
    );
    assert_eq!(app.audit_count(&id, "update"), 5);
    // A closed item's problem is back: the city reopens it (a note required).
    let r = step(&app, &city, &id, "reopen", json!({})).await;
    assert_eq!(r.status, 422);
    let r = ok_step(
        &app,
        &city,
        &id,
        "reopen",
        json!({"note": "回访发现仍未参保"}),
    )
    .await;
    assert_eq!(r.body["status"], "rectifying");
    assert_eq!(r.body["reopen_count"], 1);
}

async fn another_unit_rechecks_and_closes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    let poverty = app.token("poverty").await;
    let leader = app.token("leader").await;
    let id = create(&app, &county, "430381", &days(20)).await;
    to_submitted(&app, &county, &id).await;
    // The county that rectified may not recheck its own work.
    for action in ["recheck_pass", "recheck_fail"] {
        let r = step(&app, &county, &id, action, json!({"note": "x"})).await;
        assert_eq!(r.status, 403, "{action}: {}", r.body);
    }
    // A leader reads but takes no step.
    assert_eq!(get(&app, &leader, &id).await.status, 200);
    let r = step(&app, &leader, &id, "recheck_pass", json!({})).await;
    assert_eq!(r.status, 403);
    // A failed recheck sends it back to the county, with the finding.
    let r = ok_step(
        &app,
        &poverty,
        &id,
        "recheck_fail",
        json!({"note": "佐证不全"}),
    )
    .await;
    assert_eq!(r.body["status"], "rectifying");
    assert_eq!(r.body["recheck_failures"], 1);
    assert_eq!(r.body["rechecked_unit"], "43.poverty_office");
    ok_step(&app, &county, &id, "submit", json!({"note": "补充佐证"})).await;
    // The unit that submitted the rectification may not recheck or close it, whatever its
    // level: a city unit that rectified (recorded as such) is refused with `same_unit`.
    diesel::update(rectification_items::table.find(&id))
        .set(rectification_items::submitted_unit.eq("4303"))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    let r = step(&app, &city, &id, "recheck_pass", json!({})).await;
    assert_eq!((r.status, r.code()), (403, "same_unit"), "{}", r.body);
    assert_eq!(
        get(&app, &city, &id).await.body["allowed_actions"],
        json!([])
    );
    // Another unit (the provincial poverty office) rechecks and closes it.
    ok_step(&app, &poverty, &id, "recheck_pass", json!({})).await;
    let r = step(&app, &city, &id, "close", json!({})).await;
    assert_eq!((r.status, r.code()), (403, "same_unit"));
    let r = ok_step(&app, &poverty, &id, "close", json!({})).await;
    assert_eq!(r.body["closed_unit"], "43.poverty_office");
}

async fn every_status_takes_exactly_its_steps(backend: Backend) {
    use shared::rectification::{RectificationActionKind, RECTIFICATION_WORKFLOW};
    let app = TestApp::new(backend).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    // From open, every step but assign and merge is 409 for the county.
    let id = create(&app, &county, "430381", &days(20)).await;
    for a in RectificationActionKind::ALL.iter().copied() {
        if RECTIFICATION_WORKFLOW
            .iter()
            .any(|t| t.from.as_str() == "open" && t.action == a)
        {
            continue;
        }
        let r = step(&app, &county, &id, a.as_str(), json!({"note": "x"})).await;
        assert_eq!(
            (r.status, r.code()),
            (409, "invalid_transition"),
            "{a:?}: {}",
            r.body
        );
    }
    // The county's steps are the county's: the city may not assign.
    let r = step(
        &app,
        &city,
        &id,
        "assign",
        json!({"responsible_person": "x"}),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = step(&app, &county, &id, "assign", json!({})).await;
    assert_eq!(
        r.field_errors(),
        vec![("responsible_person".into(), "required".into())]
    );
    // A user without any rectification capability learns nothing.
    let rights = app.token("xiangxiang.rights").await;
    assert_eq!(get(&app, &rights, &id).await.status, 403);
    let r = step(
        &app,
        &rights,
        &id,
        "assign",
        json!({"responsible_person": "x"}),
    )
    .await;
    assert_eq!(r.status, 403);
}

async fn each_unit_sees_only_its_area(backend: Backend) {
    let app = TestApp::new(backend).await;
    let xx = app.token("xiangxiang.staff").await;
    let ly = app.token("liuyang.staff").await;
    let a = create(&app, &xx, "430381", &days(20)).await;
    let b = create(&app, &ly, "430181", &days(20)).await;
    // A county may not record an item of another county.
    let r = app
        .post(&xx, ITEMS, body("430181", &days(-1), &days(5)))
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("county_code".into(), "outside_scope".into())]
    );
    let ids = |r: &Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    // (user, sees a, sees b, records items)
    for (user, sees_a, sees_b, writes) in [
        ("xiangxiang.staff", true, false, true),
        ("liuyang.staff", false, true, true),
        ("xiangtan.staff", true, false, true),
        ("xiangtan.leader", true, false, false),
        ("leader", true, true, false),
        ("poverty", true, true, true),
    ] {
        let t = app.token(user).await;
        let list = ids(&app.get(&t, ITEMS).await);
        assert_eq!(list.contains(&a), sees_a, "{user} list");
        assert_eq!(list.contains(&b), sees_b, "{user} list");
        for (id, sees) in [(&a, sees_a), (&b, sees_b)] {
            let r = get(&app, &t, id).await;
            assert_eq!(r.status, if sees { 200 } else { 404 }, "{user} {id}");
            // Evidence: only writers add it, and never to an item out of their sight.
            let want = match (writes, sees) {
                (false, _) => 403,
                (true, false) => 404,
                (true, true) => 201,
            };
            assert_eq!(photo(&app, &t, id).await.status, want, "{user} {id}");
        }
    }
    // The unit filter narrows within the area; outside it, nothing.
    let leader = app.token("leader").await;
    assert_eq!(
        ids(&app.get(&leader, &format!("{ITEMS}?unit=4301")).await),
        vec![b.clone()]
    );
    assert!(ids(&app.get(&xx, &format!("{ITEMS}?unit=4301")).await).is_empty());
    // Cursor paging walks every item once.
    let p1 = app.get(&leader, &format!("{ITEMS}?limit=1")).await;
    let cursor = p1.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!cursor.is_empty(), "{}", p1.body);
    let p2 = app
        .get(&leader, &format!("{ITEMS}?limit=1&cursor={cursor}"))
        .await;
    let mut both = ids(&p1);
    both.extend(ids(&p2));
    both.sort();
    let mut want = vec![a, b];
    want.sort();
    assert_eq!(both, want);
}

async fn duplicates_are_merged_and_counted_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("xiangxiang.staff").await;
    let ly = app.token("liuyang.staff").await;
    let leader = app.token("leader").await;
    let keep = create(&app, &county, "430381", &days(20)).await;
    let dup = create(&app, &county, "430381", &days(20)).await;
    let third = create(&app, &county, "430381", &days(20)).await;
    let elsewhere = create(&app, &ly, "430181", &days(20)).await;
    let r = step(&app, &county, &dup, "merge", json!({})).await;
    assert_eq!(
        r.field_errors(),
        vec![("duplicate_of".into(), "required".into())]
    );
    let r = step(&app, &county, &dup, "merge", json!({"duplicate_of": dup})).await;
    assert_eq!(
        r.field_errors(),
        vec![("duplicate_of".into(), "invalid_value".into())]
    );
    // Out of the county's sight is as unknown; of another county, refused.
    let r = step(
        &app,
        &county,
        &dup,
        "merge",
        json!({"duplicate_of": elsewhere}),
    )
    .await;
    assert_eq!(
        r.field_errors(),
        vec![("duplicate_of".into(), "not_found".into())]
    );
    let poverty = app.token("poverty").await;
    let r = step(
        &app,
        &poverty,
        &dup,
        "merge",
        json!({"duplicate_of": elsewhere}),
    )
    .await;
    assert_eq!(
        r.field_errors(),
        vec![("duplicate_of".into(), "inconsistent".into())]
    );
    let r = ok_step(&app, &county, &dup, "merge", json!({"duplicate_of": keep})).await;
    assert_eq!(r.body["status"], "duplicate");
    assert_eq!(r.body["duplicate_of"], keep.as_str());
    assert_eq!(r.body["allowed_actions"], json!([]));
    // A duplicate is final, and nothing merges into it.
    let r = step(&app, &county, &third, "merge", json!({"duplicate_of": dup})).await;
    assert_eq!(
        r.field_errors(),
        vec![("duplicate_of".into(), "invalid_status".into())]
    );
    let r = step(
        &app,
        &county,
        &dup,
        "assign",
        json!({"responsible_person": "x"}),
    )
    .await;
    assert_eq!(r.status, 409);
    // Counted once: three live items in 湘乡, one merged away.
    let k = app
        .get(&leader, "/api/v1/kpi/rectification?unit=430381")
        .await;
    assert_eq!(k.status, 200, "{}", k.body);
    assert_eq!(k.body["total"]["items"], 2);
    assert_eq!(k.body["total"]["open"], 2);
}

async fn deadlines_long_term_and_overdue(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    let late = app
        .post(&county, ITEMS, body("430381", &days(-30), &days(-1)))
        .await;
    assert_eq!(late.status, 201, "{}", late.body);
    let late = id_of(&late);
    let due_today = create(&app, &county, "430381", &days(0)).await;
    let r = get(&app, &county, &late).await;
    assert_eq!(r.body["overdue"], true);
    assert_eq!(get(&app, &county, &due_today).await.body["overdue"], false);
    let overdue = app.get(&county, &format!("{ITEMS}?overdue=true")).await;
    let list: Vec<&str> = overdue.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(list, vec![late.as_str()]);
    let not = app.get(&county, &format!("{ITEMS}?overdue=false")).await;
    assert_eq!(not.body["items"].as_array().map(Vec::len), Some(1));
    // Long-term: a plan and a later deadline, which lifts the overdue.
    ok_step(
        &app,
        &county,
        &late,
        "assign",
        json!({"responsible_person": "王"}),
    )
    .await;
    let r = step(&app, &county, &late, "long_term", json!({})).await;
    assert_eq!(
        r.field_errors(),
        vec![("long_term".into(), "required".into())]
    );
    let r = step(
        &app,
        &county,
        &late,
        "long_term",
        json!({"long_term": {"plan": " ", "deadline": days(-2)}}),
    )
    .await;
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("long_term.deadline".into(), "out_of_range".into()),
            ("long_term.plan".into(), "required".into())
        ]
    );
    let r = ok_step(
        &app,
        &county,
        &late,
        "long_term",
        json!({"long_term": {"plan": "列入明年危房改造计划", "deadline": days(200)}}),
    )
    .await;
    assert_eq!(r.body["status"], "long_term");
    assert_eq!(r.body["overdue"], false);
    assert_eq!(r.body["deadline"], days(200));
    assert_eq!(r.body["original_deadline"], days(-1));
    // A submitted item waits for the checker: not overdue even past its deadline.
    assert_eq!(photo(&app, &county, &late).await.status, 201);
    ok_step(&app, &county, &late, "submit", json!({"note": "完成"})).await;
    diesel::update(rectification_items::table.find(&late))
        .set(rectification_items::deadline.eq(today() - TimeDelta::days(1)))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&app, &city, &late).await.body["overdue"], false);
    // The deadline is not before the day found, and at most two years after it.
    let r = app
        .post(&county, ITEMS, body("430381", &days(-1), &days(-2)))
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("deadline".into(), "before_identified".into())]
    );
    let r = app
        .post(&county, ITEMS, body("430381", &days(-1), &days(800)))
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("deadline".into(), "out_of_range".into())]
    );
}

async fn creates_are_idempotent_and_checked(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("xiangxiang.staff").await;
    let id = Uuid::now_v7();
    let mut b = body("430381", &days(-1), &days(5));
    b["id"] = json!(id);
    let first = app.post(&county, ITEMS, b.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = app.post(&county, ITEMS, b.clone()).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["id"], first.body["id"]);
    b["description"] = json!("另一个问题");
    let other = app.post(&county, ITEMS, b).await;
    assert_eq!((other.status, other.code()), (409, "id_conflict"));
    assert_eq!(app.audit_count(&id.to_string(), "create"), 1);
    // A leader reads but does not record.
    let leader = app.token("leader").await;
    let r = app
        .post(&leader, ITEMS, body("430381", &days(-1), &days(5)))
        .await;
    assert_eq!(r.status, 403);
    // Unknown codes and bad fields.
    let mut bad = body("430381", &days(1), &days(5));
    bad["category"] = json!("bogus");
    assert_eq!(app.post(&county, ITEMS, bad).await.status, 422);
    let r = app
        .post(&county, ITEMS, body("430381", &days(1), &days(5)))
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("found_on".into(), "in_future".into())]
    );
}

/// Inserts an item with chosen facts for the KPI fixture.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per column of the item it writes"
)]
fn fixture(
    app: &TestApp,
    county: &str,
    status: &str,
    found_on: NaiveDate,
    deadline: NaiveDate,
    closed_on: Option<NaiveDate>,
    reopens: i32,
    duplicate_of: Option<&str>,
) -> String {
    let id = Uuid::now_v7().to_string();
    let at = crate::db::now();
    diesel::insert_into(rectification_items::table)
        .values((
            rectification_items::id.eq(&id),
            rectification_items::county_code.eq(county),
            rectification_items::city_code.eq(&county[..4]),
            rectification_items::source.eq("self_check"),
            rectification_items::category.eq("policy"),
            rectification_items::description.eq("fixture"),
            rectification_items::found_on.eq(found_on),
            rectification_items::deadline.eq(deadline),
            rectification_items::original_deadline.eq(deadline),
            rectification_items::status.eq(status),
            rectification_items::status_since.eq(at),
            rectification_items::long_term_plan.eq((status == "long_term").then_some("plan")),
            rectification_items::closed_at.eq(closed_on.and_then(|d| d.and_hms_opt(10, 0, 0))),
            rectification_items::duplicate_of.eq(duplicate_of),
            rectification_items::reopen_count.eq(reopens),
            rectification_items::recheck_failures.eq(0),
            rectification_items::version.eq(1),
            rectification_items::created_at.eq(at),
            rectification_items::created_by.eq("test"),
            rectification_items::updated_at.eq(at),
            rectification_items::updated_by.eq("test"),
        ))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    id
}

async fn the_kpi_matches_a_hand_count(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = today();
    let ago = |n: i64| t - TimeDelta::days(n);
    // 湘乡 430381: 6 items (one more merged away).
    //   A open, deadline passed            → open, overdue
    //   B rectifying, deadline in 5 days   → open
    //   C submitted, deadline passed       → open, not overdue (waits for the checker)
    //   D closed, found 40 days ago        → closed, 40 days
    //   E closed, found 10 days ago, reopened once before → closed, 10 days, reopened
    //   F long_term, deadline passed       → open, overdue
    //   G duplicate of A                   → not counted
    // 韶山 430382: 2 items.
    //   H closed, found 20 days ago        → closed, 20 days
    //   I rectifying, reopened once        → open, reopened
    // 浏阳 430181 (another city): 1 open item, outside 湘潭's figures.
    let a = fixture(&app, "430381", "open", ago(30), ago(1), None, 0, None);
    fixture(
        &app,
        "430381",
        "rectifying",
        ago(30),
        t + TimeDelta::days(5),
        None,
        0,
        None,
    );
    fixture(&app, "430381", "submitted", ago(30), ago(1), None, 0, None);
    fixture(&app, "430381", "closed", ago(40), ago(1), Some(t), 0, None);
    fixture(&app, "430381", "closed", ago(10), t, Some(t), 1, None);
    fixture(&app, "430381", "long_term", ago(30), ago(1), None, 0, None);
    fixture(
        &app,
        "430381",
        "duplicate",
        ago(30),
        ago(1),
        None,
        0,
        Some(&a),
    );
    fixture(&app, "430382", "closed", ago(20), t, Some(t), 0, None);
    fixture(&app, "430382", "rectifying", ago(20), t, None, 1, None);
    fixture(&app, "430181", "open", ago(20), ago(1), None, 0, None);
    let city = app.token("xiangtan.leader").await;
    let k = app.get(&city, "/api/v1/kpi/rectification").await;
    assert_eq!(k.status, 200, "{}", k.body);
    let row = |code: &str| -> Value {
        k.body["children"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["unit_code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code} in {}", k.body))
    };
    let xx = row("430381");
    assert_eq!(
        (
            xx["items"].as_i64(),
            xx["open"].as_i64(),
            xx["overdue"].as_i64(),
            xx["closed"].as_i64()
        ),
        (Some(6), Some(4), Some(2), Some(2))
    );
    // Closure 2/6 = 333‰; reopen 1 (E) of 2 ever closed (D, E) = 500‰; median of 40, 10.
    assert_eq!(xx["closure_rate_permille"], 333);
    assert_eq!(xx["reopened"], 1);
    assert_eq!(xx["reopen_rate_permille"], 500);
    assert_eq!(xx["median_days_to_close"], 25.0);
    let ss = row("430382");
    assert_eq!(ss["items"], 2);
    assert_eq!(ss["closure_rate_permille"], 500);
    // Reopened: I (not closed now) of ever closed H and I = 500‰.
    assert_eq!(ss["reopen_rate_permille"], 500);
    assert_eq!(ss["median_days_to_close"], 20.0);
    let empty = row("430302");
    assert_eq!(empty["items"], 0);
    assert_eq!(empty["closure_rate_permille"], Value::Null);
    assert_eq!(empty["median_days_to_close"], Value::Null);
    // 湘潭's total: 8 items, 5 open, 2 overdue, 3 closed; reopened 2 of 4 ever closed;
    // median of 40, 10, 20 = 20.
    let total = &k.body["total"];
    assert_eq!(total["unit_code"], "4303");
    assert_eq!(
        (
            total["items"].as_i64(),
            total["open"].as_i64(),
            total["overdue"].as_i64(),
            total["closed"].as_i64()
        ),
        (Some(8), Some(5), Some(2), Some(3))
    );
    assert_eq!(total["closure_rate_permille"], 375);
    assert_eq!(total["reopen_rate_permille"], 500);
    assert_eq!(total["median_days_to_close"], 20.0);
    // A county may not ask about another area; the province sees 浏阳 too.
    let xx_token = app.token("xiangxiang.staff").await;
    let r = app
        .get(&xx_token, "/api/v1/kpi/rectification?unit=4301")
        .await;
    assert_eq!(r.status, 404);
    let leader = app.token("leader").await;
    let p = app.get(&leader, "/api/v1/kpi/rectification").await;
    assert_eq!(p.body["total"]["items"], 9);
    assert_eq!(p.body["total"]["overdue"], 3);
}

/// A digest that keeps what it is given.
#[derive(Default)]
struct Recorder(Mutex<Vec<(String, Vec<WorkItem>)>>);

impl Digest for Recorder {
    fn deliver(&self, _: NaiveDate, unit: &str, items: &[WorkItem]) -> Result<(), ApiError> {
        self.0
            .lock()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("poisoned")))?
            .push((unit.to_owned(), items.to_vec()));
        Ok(())
    }
}

async fn my_work_lists_what_is_due_and_the_digest_logs_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    let late = app
        .post(&county, ITEMS, body("430381", &days(-30), &days(-2)))
        .await;
    let late = id_of(&late);
    let soon = create(&app, &county, "430381", &days(7)).await;
    let later = create(&app, &county, "430381", &days(8)).await;
    let waiting = create(&app, &county, "430381", &days(30)).await;
    to_submitted(&app, &county, &waiting).await;
    let r = app.get(&county, "/api/v1/my-work").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mine: Vec<(String, String, bool)> = r
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter(|w| w["kind"] == "rectification")
        .map(|w| {
            (
                w["id"].as_str().unwrap_or_default().to_owned(),
                w["link"].as_str().unwrap_or_default().to_owned(),
                w["overdue"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        mine,
        vec![
            (late.clone(), format!("/rectification/items/{late}"), true),
            (soon.clone(), format!("/rectification/items/{soon}"), false),
        ]
    );
    assert!(!r.body.to_string().contains(&later));
    // The city's work: the submitted item waiting for its recheck.
    let r = app.get(&city, "/api/v1/my-work").await;
    let theirs: Vec<&str> = r
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter(|w| w["kind"] == "rectification_recheck")
        .filter_map(|w| w["id"].as_str())
        .collect();
    assert_eq!(theirs, vec![waiting.as_str()]);
    // The daily digest goes to each unit with work, through the interface.
    let sink = Recorder::default();
    let sent =
        work::send_daily_digest(&mut app.conn(), &sink, today()).unwrap_or_else(|e| panic!("{e}"));
    let got = sink.0.lock().map(|g| g.clone()).unwrap_or_default();
    assert_eq!(sent, got.len());
    let unit = |u: &str| got.iter().find(|(x, _)| x == u).map(|(_, w)| w.clone());
    let xx = unit("430381").unwrap_or_else(|| panic!("430381 in {got:?}"));
    assert!(xx.iter().any(|w| w.id == late && w.overdue));
    let xt = unit("4303").unwrap_or_else(|| panic!("4303 in {got:?}"));
    assert!(xt
        .iter()
        .any(|w| w.kind == WorkKind::RectificationRecheck && w.id == waiting));
    // 浏阳 holds no item (its plan milestones may still be due).
    assert!(unit("430181")
        .unwrap_or_default()
        .iter()
        .all(|w| w.kind == WorkKind::Milestone));
    // The log implementation takes the same digests.
    assert_eq!(
        work::send_daily_digest(&mut app.conn(), &work::LogDigest, today()).ok(),
        Some(sent)
    );
    // The scheduler's step sends a day once, whichever replica runs it first; a
    // delivery that fails leaves the claim to lapse, and the run that takes it over sends
    // only what is missing.
    struct FailsOn(&'static str, Recorder);
    impl Digest for FailsOn {
        fn deliver(&self, d: NaiveDate, unit: &str, items: &[WorkItem]) -> Result<(), ApiError> {
            if unit == self.0 {
                return Err(ApiError::Internal(anyhow::anyhow!("mail server down")));
            }
            self.1.deliver(d, unit, items)
        }
    }
    let yesterday = today() - chrono::TimeDelta::days(1);
    let all = work::send_daily_digest(&mut app.conn(), &work::LogDigest, yesterday)
        .unwrap_or_else(|e| panic!("{e}"));
    let failing = FailsOn("430381", Recorder::default());
    assert!(work::send_once(&mut app.conn(), &failing, yesterday).is_err());
    let first = failing.1 .0.lock().map(|g| g.len()).unwrap_or_default();
    let retry = Recorder::default();
    assert_eq!(
        work::send_once(&mut app.conn(), &retry, yesterday).ok(),
        Some(None),
        "the claim holds until it lapses"
    );
    {
        use crate::db::schema::digest_runs;
        diesel::update(digest_runs::table.find(yesterday))
            .set(digest_runs::started_at.eq(crate::db::now() - chrono::TimeDelta::hours(1)))
            .execute(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(
        work::send_once(&mut app.conn(), &retry, yesterday).ok(),
        Some(Some(all - first)),
        "only the units not yet delivered"
    );
    let once = Recorder::default();
    assert_eq!(
        work::send_once(&mut app.conn(), &once, today()).ok(),
        Some(Some(sent))
    );
    assert_eq!(
        work::send_once(&mut app.conn(), &once, today()).ok(),
        Some(None),
        "a second replica sends nothing"
    );
    assert_eq!(once.0.lock().map(|g| g.len()).unwrap_or_default(), sent);
}

async fn the_ledger_exports_and_is_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("xiangxiang.staff").await;
    create(&app, &county, "430381", &days(5)).await;
    let (status, bytes) = app
        .download(&county, &format!("{ITEMS}/export?format=csv"))
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("问题描述"), "{text}");
    assert!(text.contains("医保未参保"), "{text}");
    let (status, bytes) = app
        .download(&county, &format!("{ITEMS}/export?format=xlsx"))
        .await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(b"PK"));
    let n: i64 = {
        use crate::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::entity_type.eq("rectification_items"))
            .filter(audit_log::action.eq("export"))
            .count()
            .get_result(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(n, 2);
}

async fn the_demo_has_items_in_the_early_states(backend: Backend) {
    let app = TestApp::new(backend).await;
    let n = crate::demo::seed_rectification(&mut app.conn(), &app.state.pii)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 5);
    let county = app.token("xiangxiang.staff").await;
    let r = app.get(&county, ITEMS).await;
    let mut statuses: Vec<&str> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["status"].as_str())
        .collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        ["assigned", "assigned", "long_term", "open", "rectifying"]
    );
    let overdue = app.get(&county, &format!("{ITEMS}?overdue=true")).await;
    assert_eq!(overdue.body["items"].as_array().map(Vec::len), Some(1));
    let work = app.get(&county, "/api/v1/my-work").await;
    let kinds = work
        .body
        .as_array()
        .map(|w| w.iter().filter(|x| x["kind"] == "rectification").count());
    // Due within a week or overdue: the one overdue, and the one due in 5 days.
    assert_eq!(kinds, Some(2), "{}", work.body);
}
