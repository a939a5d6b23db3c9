//! HTTP tests of dynamic monitoring, each on SQLite and on PostgreSQL: status changes
//! and their history (also from a registry edit), "no one falls back" counted from it,
//! and watch-list membership from statuses and flags.

use diesel::prelude::*;
use serde_json::{json, Value};
use shared::DisabilityCategory;

use crate::db::schema::persons;
use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    status_changes_make_a_history_and_count_who_falls_back,
    the_watch_list_follows_statuses_and_flags,
    monitoring_visits_follow_the_cadence_and_show_who_is_due,
);

const COUNTY: &str = "xiangxiang.staff";

async fn change(app: &TestApp, token: &str, id: &str, body: Value) -> crate::testing::Resp {
    app.post(token, &format!("/api/v1/persons/{id}/poverty-status"), body)
        .await
}

async fn status_changes_make_a_history_and_count_who_falls_back(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new()
        .disability(DisabilityCategory::Physical, 3)
        .create(&app);
    let id = p.id.to_string();
    let t = app.token(COUNTY).await;
    let r = change(
        &app,
        &t,
        &id,
        json!({"status": "lifted", "on": "2019-12-01",
        "reason": "人均收入超过脱贫标准", "version": p.version}),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        (r.body["from"].as_str(), r.body["to"].as_str()),
        (Some("in_poverty"), Some("lifted"))
    );
    let v = r.body["person_version"].as_i64().unwrap_or(0);
    assert_eq!(v, p.version + 1);
    // Refused, changing nothing: a stale version, the same status, a day to come, no
    // reason; another county's staff (404) and a leader who does not edit the registry.
    let r = change(
        &app,
        &t,
        &id,
        json!({"status": "in_poverty", "on": "2020-03-01", "reason": "x", "version": p.version}),
    )
    .await;
    assert_eq!(r.status, 409);
    let r = change(
        &app,
        &t,
        &id,
        json!({"status": "lifted", "on": "2020-03-01", "reason": "x", "version": v}),
    )
    .await;
    assert_eq!(
        r.field_errors(),
        [("status".to_owned(), "unchanged".to_owned())]
    );
    let r = change(
        &app,
        &t,
        &id,
        json!({"status": "in_poverty", "on": "2999-01-01", "reason": " ", "version": v}),
    )
    .await;
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("on".to_owned(), "in_future".to_owned()),
            ("reason".to_owned(), "required".to_owned())
        ]
    );
    let other = app.token("liuyang.staff").await;
    let r = change(
        &app,
        &other,
        &id,
        json!({"status": "in_poverty", "on": "2020-03-01", "reason": "x", "version": v}),
    )
    .await;
    assert_eq!(r.status, 404);
    let leader = app.token("leader").await;
    let r = change(
        &app,
        &leader,
        &id,
        json!({"status": "in_poverty", "on": "2020-03-01", "reason": "x", "version": v}),
    )
    .await;
    assert_eq!(r.status, 403);
    // Lifted in 2020 is nobody falling back yet.
    let r = app.get(&t, "/api/v1/monitoring/kpi?year=2020").await;
    assert_eq!(
        (r.body["lifted"].as_i64(), r.body["fell_back"].as_i64()),
        (Some(1), Some(0)),
        "{:?}",
        r.body
    );
    // Back in poverty through illness in March 2020: a fall back, counted in 2020 only.
    let r = change(
        &app,
        &t,
        &id,
        json!({"status": "in_poverty", "on": "2020-03-01",
        "reason": "因病返贫", "version": v}),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let v = r.body["person_version"].as_i64().unwrap_or(0);
    let kpi = |year: i32| {
        let (app, t) = (&app, &t);
        async move {
            app.get(t, &format!("/api/v1/monitoring/kpi?year={year}"))
                .await
                .body
        }
    };
    let k = kpi(2020).await;
    assert_eq!(
        (k["lifted"].as_i64(), k["fell_back"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(kpi(2019).await["fell_back"], 0);
    // Falling back through another status counts too: lifted → marginal → in poverty.
    let q = PersonBuilder::new().create(&app);
    let qid = q.id.to_string();
    let mut qv = q.version;
    for (status, on) in [
        ("lifted", "2019-06-01"),
        ("marginal", "2020-01-10"),
        ("in_poverty", "2020-02-01"),
    ] {
        let r = change(
            &app,
            &t,
            &qid,
            json!({"status": status, "on": on, "reason": "测试", "version": qv}),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        qv = r.body["person_version"].as_i64().unwrap_or(0);
    }
    assert_eq!(kpi(2020).await["fell_back"], 2);
    let r = app
        .get(&t, "/api/v1/monitoring/watch-list?reason=fell_back")
        .await;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(2),
        "{:?}",
        r.body
    );
    // The whole province sees it; another city does not.
    let r = app.get(&leader, "/api/v1/monitoring/kpi?year=2020").await;
    assert_eq!(r.body["fell_back"], 2);
    let r = app.get(&other, "/api/v1/monitoring/kpi?year=2020").await;
    assert_eq!(r.body["fell_back"], 0);
    // A registry edit that changes the status joins the history as well.
    let mut body = serde_json::to_value(PersonBuilder::new().input()).unwrap_or_default();
    body["name"] = json!(p.name);
    body["county_code"] = json!("430381");
    body["poverty_status"] = json!("unstable");
    body["disability_level"] = json!(3);
    body.as_object_mut().map(|o| o.remove("id_number"));
    body["version"] = json!(v);
    let r = app.put(&t, &format!("/api/v1/persons/{id}"), body).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .get(&t, &format!("/api/v1/persons/{id}/poverty-status"))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let steps: Vec<(String, String, String)> = r
        .body
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["from"].as_str().unwrap_or("").to_owned(),
                c["to"].as_str().unwrap_or("").to_owned(),
                c["on"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(steps.len(), 3, "{:?}", r.body);
    assert_eq!(
        steps[0],
        ("in_poverty".into(), "lifted".into(), "2019-12-01".into())
    );
    assert_eq!(
        steps[1],
        ("lifted".into(), "in_poverty".into(), "2020-03-01".into())
    );
    assert_eq!(
        (steps[2].0.as_str(), steps[2].1.as_str()),
        ("in_poverty", "unstable")
    );
    assert_eq!(r.body[1]["reason"], "因病返贫");
    let r = app
        .get(&other, &format!("/api/v1/persons/{id}/poverty-status"))
        .await;
    assert_eq!(r.status, 404);
    assert!(app.audit_count(&id, "update") >= 3);
}

/// Sets a person's status and flags straight in the registry (fixture).
fn set(app: &TestApp, id: &str, status: &str, multi: bool, elderly: bool) {
    diesel::update(persons::table.filter(persons::id.eq(id)))
        .set((
            persons::poverty_status.eq(status),
            persons::multi_disabled_household.eq(multi),
            persons::elderly_disabled.eq(elderly),
        ))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn the_watch_list_follows_statuses_and_flags(backend: Backend) {
    let app = TestApp::new(backend).await;
    let make = |level: u8, status: &str, multi: bool, elderly: bool| {
        let p = PersonBuilder::new()
            .disability(DisabilityCategory::Physical, level)
            .create(&app);
        set(&app, &p.id.to_string(), status, multi, elderly);
        p.id.to_string()
    };
    let marginal = make(4, "marginal", false, false);
    let severe = make(1, "lifted", false, false);
    let _not_touched = make(1, "none", true, true);
    let multi = make(3, "in_poverty", true, false);
    let elderly = make(3, "lifted", false, true);
    let unstable = make(4, "unstable", false, false);
    let _quiet = make(4, "in_poverty", false, false);
    let t = app.token(COUNTY).await;
    let r = app.get(&t, "/api/v1/monitoring/watch-list").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mut got: Vec<(String, Vec<String>)> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            (
                i["person_id"].as_str().unwrap_or("").to_owned(),
                i["reasons"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (marginal, vec!["marginal".to_owned()]),
        (severe.clone(), vec!["severe".to_owned()]),
        (multi, vec!["multi_disabled".to_owned()]),
        (elderly, vec!["elderly_disabled".to_owned()]),
        (unstable, vec!["unstable".to_owned()]),
    ];
    want.sort();
    assert_eq!(got, want);
    let r = app
        .get(&t, "/api/v1/monitoring/watch-list?reason=severe")
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["items"][0]["person_id"], severe);
    // Paging, another city, the KPI's counts per reason.
    let r = app.get(&t, "/api/v1/monitoring/watch-list?limit=2").await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(2));
    assert!(r.body["next_cursor"].is_string());
    let other = app.token("liuyang.staff").await;
    let r = app.get(&other, "/api/v1/monitoring/watch-list").await;
    assert_eq!(r.body["items"], json!([]));
    let r = app
        .get(&other, "/api/v1/monitoring/watch-list?area=430381")
        .await;
    assert_eq!(
        r.field_errors(),
        [("area".to_owned(), "outside_scope".to_owned())]
    );
    let r = app.get(&t, "/api/v1/monitoring/kpi?year=2020").await;
    let watched: Vec<(String, i64)> = r.body["watched"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            (
                w["reason"].as_str().unwrap_or("").to_owned(),
                w["count"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        watched,
        [
            ("fell_back".to_owned(), 0),
            ("unstable".to_owned(), 1),
            ("marginal".to_owned(), 1),
            ("severe".to_owned(), 1),
            ("multi_disabled".to_owned(), 1),
            ("elderly_disabled".to_owned(), 1),
        ]
    );
    let rights = app.token("xiangxiang.rights").await;
    let r = app.get(&rights, "/api/v1/monitoring/watch-list").await;
    assert_eq!(
        r.status, 200,
        "rights staff read the registry of their county"
    );
    let admin = app.token("admin").await;
    let r = app.get(&admin, "/api/v1/monitoring/watch-list").await;
    assert_eq!(r.status, 403);
}

/// The overdue list as (person, due day).
async fn due(app: &TestApp, token: &str) -> Vec<(String, Value)> {
    let r = app.get(token, "/api/v1/monitoring/overdue").await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| {
            (
                i["person_id"].as_str().unwrap_or_default().to_owned(),
                i["due_on"].clone(),
            )
        })
        .collect()
}

async fn monitoring_visits_follow_the_cadence_and_show_who_is_due(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token(COUNTY).await;
    // Watched: severe (level 2), and unstable; not watched: level 3 in poverty.
    let severe = PersonBuilder::new().create(&app).id.to_string();
    let unstable = PersonBuilder::new()
        .disability(DisabilityCategory::Physical, 3)
        .status(shared::PovertyStatus::Unstable)
        .create(&app)
        .id
        .to_string();
    let _calm = PersonBuilder::new()
        .disability(DisabilityCategory::Physical, 3)
        .create(&app);
    let mut never = vec![
        (severe.clone(), Value::Null),
        (unstable.clone(), Value::Null),
    ];
    never.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(due(&app, &t).await, never);
    let today = crate::db::today();
    let ago = |d: i64| (today - chrono::TimeDelta::days(d)).to_string();
    let visit = |person: &str, on: String, risk: &str| {
        json!({"person_id": person, "visited_on": on, "income_change": "down",
            "illness": true, "disaster": false, "covid": true, "risk_level": risk,
            "measures": "落实临时救助，协调就近务工"})
    };
    let mut first = visit(&severe, ago(10), "high");
    first["id"] = json!("0191d7a4-0000-7000-8000-0000000000b1");
    let r = app
        .post(&t, "/api/v1/monitoring/visits", first.clone())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["recorded_by"], COUNTY);
    assert_eq!(
        app.audit_count("0191d7a4-0000-7000-8000-0000000000b1", "create"),
        1
    );
    let r = app.post(&t, "/api/v1/monitoring/visits", first).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let one = "/api/v1/monitoring/visits/0191d7a4-0000-7000-8000-0000000000b1";
    assert_eq!(app.get(&t, one).await.body["risk_level"], "high");
    let liuyang = app.token("liuyang.staff").await;
    assert_eq!(app.get(&liuyang, one).await.status, 404);
    for (on, risk) in [(ago(200), "low"), (ago(100), "high")] {
        let r = app
            .post(&t, "/api/v1/monitoring/visits", visit(&unstable, on, risk))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // The latest visit (high risk, 100 days ago) sets the cadence: 30 days, overdue.
    let expected_due = (today - chrono::TimeDelta::days(70)).to_string();
    assert_eq!(
        due(&app, &t).await,
        vec![(unstable.clone(), json!(expected_due))]
    );
    let r = app
        .get(&t, &format!("/api/v1/persons/{unstable}/monitoring-visits"))
        .await;
    let risks: Vec<Value> = r
        .body
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|v| v["risk_level"].clone())
        .collect();
    assert_eq!(risks, vec![json!("low"), json!("high")]);
    // The cadence is data: the poverty office visits high risk every 120 days now.
    let body = json!({"cadence": [{"risk_level": "high", "days": 120},
        {"risk_level": "medium", "days": 150}, {"risk_level": "low", "days": 180}],
        "reason": "省扶贫办通知"});
    let r = app
        .put(&t, "/api/v1/monitoring/cadence", body.clone())
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let poverty = app.token("poverty").await;
    let mut bad = body.clone();
    bad["cadence"][0]["days"] = json!(200);
    let r = app.put(&poverty, "/api/v1/monitoring/cadence", bad).await;
    assert!(
        r.field_errors()
            .contains(&("cadence".into(), "inconsistent".into())),
        "{}",
        r.body
    );
    let r = app.put(&poverty, "/api/v1/monitoring/cadence", body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body[0]["days"], 120);
    assert!(due(&app, &t).await.is_empty());
    // Bad input and other areas change nothing.
    let r = app
        .post(
            &liuyang,
            "/api/v1/monitoring/visits",
            visit(&severe, ago(1), "low"),
        )
        .await;
    assert!(r
        .field_errors()
        .contains(&("person_id".into(), "not_found".into())));
    let r = app
        .post(
            &t,
            "/api/v1/monitoring/visits",
            visit(&severe, ago(-3), "low"),
        )
        .await;
    assert!(r
        .field_errors()
        .contains(&("visited_on".into(), "in_future".into())));
    let rehab = app.token("xiangxiang.rehab").await;
    let r = app
        .post(
            &rehab,
            "/api/v1/monitoring/visits",
            visit(&severe, ago(1), "low"),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(due(&app, &liuyang).await.is_empty());
}
