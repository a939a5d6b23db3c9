//! HTTP tests of measure 18 (petitions: the workflow with reopening, scope, masking and
//! reveal, deadlines as data, petitioners linked across channels, the ledger and the
//! KPIs), each on SQLite and on PostgreSQL.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};
use shared::petitions::{PetitionActionKind, PetitionStatus, PETITION_WORKFLOW};

use crate::db::schema::petitions;
use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, Resp, TestApp};

db_tests!(
    every_status_takes_exactly_its_steps_and_closed_reopens,
    each_unit_sees_and_changes_only_its_own,
    the_petitioner_is_masked_and_revealed_with_a_reason,
    deadlines_are_computed_from_the_table,
    one_petitioner_on_several_channels_is_linked,
    creates_are_idempotent_and_versions_guard_changes,
    the_ledger_is_masked_and_audited,
    the_kpi_matches_a_hand_count,
    the_demo_has_petitions_in_xiangxiang,
    an_unresolved_follow_up_opens_one_rectification_item,
);

const WRITER: &str = "xiangxiang.rights";

fn id_of(r: &Resp) -> String {
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

fn version(r: &Resp) -> i64 {
    r.body["version"].as_i64().unwrap_or_default()
}

fn id_number(county: &str) -> String {
    crate::demo::synthetic_id_number(&mut rand::thread_rng(), county)
}

fn petition(channel: &str, received: &str, id_number: Option<&str>) -> Value {
    json!({"channel": channel, "received_on": received, "petitioner_name": "王建国",
        "petitioner_id_number": id_number, "petitioner_phone": "13807320001",
        "subject": "两项补贴未按时发放", "category": "subsidies",
        "content": "反映2020年第一季度困难残疾人生活补贴未到账"})
}

async fn register(app: &TestApp, token: &str, body: Value) -> (String, i64) {
    let r = app.post(token, "/api/v1/petitions", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    (id_of(&r), version(&r))
}

async fn step(app: &TestApp, token: &str, id: &str, body: Value) -> Resp {
    app.post(token, &format!("/api/v1/petitions/{id}/actions"), body)
        .await
}

/// Takes `id` (at `v`) through `actions`, each on the given day, asserting 200; answers
/// the last answer.
async fn walk(app: &TestApp, token: &str, id: &str, mut v: i64, actions: &[(&str, &str)]) -> Resp {
    let mut last = None;
    for (action, on) in actions {
        let mut body = json!({"action": action, "version": v, "on": on});
        match *action {
            "assign" => body["assigned_unit"] = json!("430381"),
            "reply" => body["reply"] = json!("已协调民政部门补发，并告知信访人"),
            "follow_up" => {
                body["follow_up"] = json!("电话回访，补贴已到账");
                body["satisfaction"] = json!("satisfied");
            }
            "redirect" | "reopen" => body["note"] = json!("信访人要求复查，已登记说明"),
            _ => {}
        }
        let r = step(app, token, id, body).await;
        assert_eq!(r.status, 200, "{action}: {}", r.body);
        v = version(&r);
        last = Some(r);
    }
    last.unwrap_or_else(|| panic!("no step taken"))
}

/// The steps from registered to each status, with effective days in 2020.
fn path_to(status: PetitionStatus) -> Vec<(&'static str, &'static str)> {
    use PetitionStatus as S;
    let full = [
        ("accept", "2020-03-05"),
        ("assign", "2020-03-06"),
        ("start", "2020-03-07"),
        ("reply", "2020-04-01"),
        ("follow_up", "2020-04-10"),
        ("close", "2020-04-11"),
    ];
    let n = match status {
        S::Registered => 0,
        S::Accepted => 1,
        S::Assigned => 2,
        S::InProgress => 3,
        S::Replied => 4,
        S::FollowedUp => 5,
        S::Closed => 6,
        S::Redirected => return vec![("redirect", "2020-03-03")],
    };
    full[..n].to_vec()
}

async fn in_status(app: &TestApp, token: &str, status: PetitionStatus) -> (String, i64) {
    let (id, v) = register(app, token, petition("letter", "2020-03-01", None)).await;
    let steps = path_to(status);
    if steps.is_empty() {
        return (id, v);
    }
    let r = walk(app, token, &id, v, &steps).await;
    assert_eq!(r.body["status"], status.as_str(), "{}", r.body);
    (id, version(&r))
}

async fn every_status_takes_exactly_its_steps_and_closed_reopens(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token(WRITER).await;
    for status in PetitionStatus::ALL {
        for action in PetitionActionKind::ALL {
            let (id, v) = in_status(&app, &t, *status).await;
            let allowed = PETITION_WORKFLOW
                .iter()
                .find(|s| s.from == *status && s.action == *action);
            let mut body = json!({"action": action, "version": v, "on": "2020-04-20",
                "assigned_unit": "430381", "reply": "答复", "follow_up": "回访",
                "satisfaction": "basically_satisfied", "note": "说明"});
            if *status == PetitionStatus::Registered {
                body["on"] = json!("2020-03-02");
            }
            let r = step(&app, &t, &id, body).await;
            match allowed {
                Some(s) => {
                    assert_eq!(r.status, 200, "{status} {action}: {}", r.body);
                    assert_eq!(r.body["status"], s.to.as_str());
                }
                None => {
                    assert_eq!(r.status, 409, "{status} {action}: {}", r.body);
                    assert_eq!(r.code(), "invalid_transition");
                }
            }
        }
    }
    // A full walk, then a reopen: the reply is cleared, a new reply deadline runs from
    // the reopening, and the timeline keeps every step.
    let (id, _) = in_status(&app, &t, PetitionStatus::Closed).await;
    let r = app.get(&t, &format!("/api/v1/petitions/{id}")).await;
    assert_eq!(
        r.body["reply_due"], "2020-05-04",
        "accepted 03-05 + 60 days"
    );
    assert_eq!(r.body["replied_on"], "2020-04-01");
    assert_eq!(r.body["satisfaction"], "satisfied");
    assert_eq!(r.body["closed_on"], "2020-04-11");
    let v = version(&r);
    // Reopening needs a reason.
    let bad = step(
        &app,
        &t,
        &id,
        json!({"action": "reopen", "version": v, "on": "2020-06-01"}),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad
        .field_errors()
        .contains(&("note".into(), "required".into())));
    let r = walk(&app, &t, &id, v, &[("reopen", "2020-06-01")]).await;
    assert_eq!(r.body["status"], "in_progress");
    assert_eq!(r.body["reopened"], 1);
    assert_eq!(
        r.body["reply_due"], "2020-07-31",
        "reopened 06-01 + 60 days"
    );
    assert!(r.body["replied_on"].is_null() && r.body["satisfaction"].is_null());
    assert!(r.body["closed_on"].is_null());
    let r = walk(
        &app,
        &t,
        &id,
        version(&r),
        &[
            ("reply", "2020-06-20"),
            ("follow_up", "2020-06-25"),
            ("close", "2020-06-26"),
        ],
    )
    .await;
    assert_eq!(r.body["status"], "closed");
    let r = app.get(&t, &format!("/api/v1/petitions/{id}")).await;
    let timeline = r.body["timeline"].as_array().cloned().unwrap_or_default();
    assert_eq!(timeline.len(), 1 + 6 + 1 + 3, "{}", r.body);
    assert_eq!(timeline[0]["to_status"], "registered");
    assert!(timeline[0]["from_status"].is_null());
    // Required fields of the steps, and days: none before receipt, none in the future.
    let (id, v) = in_status(&app, &t, PetitionStatus::InProgress).await;
    let r = step(
        &app,
        &t,
        &id,
        json!({"action": "reply", "version": v, "on": "2020-04-01"}),
    )
    .await;
    assert!(
        r.field_errors()
            .contains(&("reply".into(), "required".into())),
        "{}",
        r.body
    );
    let r = step(
        &app,
        &t,
        &id,
        json!({"action": "reply", "version": v, "on": "2019-04-01", "reply": "x"}),
    )
    .await;
    assert!(
        r.field_errors()
            .contains(&("on".into(), "before_start".into())),
        "{}",
        r.body
    );
    let r = step(
        &app,
        &t,
        &id,
        json!({"action": "reply", "version": v, "on": "2999-04-01", "reply": "x"}),
    )
    .await;
    assert!(
        r.field_errors()
            .contains(&("on".into(), "in_future".into())),
        "{}",
        r.body
    );
    let (id, v) = in_status(&app, &t, PetitionStatus::Replied).await;
    let r = step(
        &app,
        &t,
        &id,
        json!({"action": "follow_up", "version": v, "on": "2020-04-10"}),
    )
    .await;
    let errs = r.field_errors();
    assert!(
        errs.contains(&("follow_up".into(), "required".into())),
        "{}",
        r.body
    );
    assert!(
        errs.contains(&("satisfaction".into(), "required".into())),
        "{}",
        r.body
    );
    let (id, v) = in_status(&app, &t, PetitionStatus::Accepted).await;
    let r = step(
        &app,
        &t,
        &id,
        json!({"action": "assign", "version": v, "assigned_unit": "430181"}),
    )
    .await;
    assert!(
        r.field_errors()
            .contains(&("assigned_unit".into(), "not_found".into())),
        "another county's unit: {}",
        r.body
    );
    // A town of the county may handle it.
    let town: Option<String> = crate::db::schema::towns::table
        .filter(crate::db::schema::towns::county_code.eq("430381"))
        .select(crate::db::schema::towns::code)
        .first(&mut app.conn())
        .optional()
        .unwrap_or_else(|e| panic!("{e}"));
    let unit = town.unwrap_or_else(|| "430381".to_owned());
    let r = step(
        &app,
        &t,
        &id,
        json!({"action": "assign", "version": v, "on": "2020-03-06", "assigned_unit": unit}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["assigned_unit_name"]
        .as_str()
        .is_some_and(|n| !n.is_empty()));
    // Each step is audited.
    assert!(app.audit_count(&id, "update") >= 2);
}

async fn each_unit_sees_and_changes_only_its_own(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token(WRITER).await;
    let (id, v) = register(&app, &t, petition("visit", "2020-03-01", None)).await;
    let path = format!("/api/v1/petitions/{id}");
    let liuyang = app.token("liuyang.staff").await;
    assert_eq!(app.get(&liuyang, &path).await.status, 404);
    let r = step(
        &app,
        &liuyang,
        &id,
        json!({"action": "accept", "version": v}),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app
        .post(
            &liuyang,
            &format!("{path}/reveal"),
            json!({"reason": "核实信访人身份"}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let listed = app.get(&liuyang, "/api/v1/petitions").await;
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(0),
        "{}",
        listed.body
    );
    // The city reads it; steps are the county's.
    let city = app.token("xiangtan.staff").await;
    assert_eq!(app.get(&city, &path).await.status, 200);
    let r = step(&app, &city, &id, json!({"action": "accept", "version": v})).await;
    assert_eq!(r.status, 403, "{}", r.body);
    // A leader reads; without the write right, no step; without the read right, nothing.
    let leader = app.token("leader").await;
    let r = app.get(&leader, &path).await;
    assert_eq!(r.status, 200);
    assert!(r.body["allowed_actions"]
        .as_array()
        .is_some_and(Vec::is_empty));
    assert_eq!(
        step(
            &app,
            &leader,
            &id,
            json!({"action": "accept", "version": v})
        )
        .await
        .status,
        403
    );
    let employment = app.token("xiangxiang.employment").await;
    assert_eq!(app.get(&employment, &path).await.status, 403);
    assert_eq!(app.get(&employment, "/api/v1/petitions").await.status, 403);
    assert_eq!(
        app.post(
            &employment,
            "/api/v1/petitions",
            petition("visit", "2020-03-01", None)
        )
        .await
        .status,
        403
    );
    // Linking a person out of scope is refused like no such person: no leak.
    let other = PersonBuilder::new().county("430181").create(&app);
    let mut body = petition("visit", "2020-03-01", None);
    body["person_id"] = json!(other.id);
    let r = app.post(&t, "/api/v1/petitions", body.clone()).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r
        .field_errors()
        .contains(&("person_id".into(), "not_found".into())));
    body["person_id"] = json!(uuid::Uuid::now_v7());
    let r2 = app.post(&t, "/api/v1/petitions", body.clone()).await;
    assert_eq!(
        r2.field_errors(),
        r.field_errors(),
        "same answer as no such person"
    );
    // A person in scope is linked and named.
    let mine = PersonBuilder::new().name("李小红").create(&app);
    body["person_id"] = json!(mine.id);
    let r = app.post(&t, "/api/v1/petitions", body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["person_name"], "李小红");
    // Another county of the caller's: refused; the province names the county.
    body["person_id"] = Value::Null;
    body["county_code"] = json!("430181");
    let r = app.post(&t, "/api/v1/petitions", body.clone()).await;
    assert!(
        r.field_errors()
            .contains(&("county_code".into(), "not_found".into())),
        "{}",
        r.body
    );
    let province = app.token("rights").await;
    body["county_code"] = Value::Null;
    let r = app.post(&province, "/api/v1/petitions", body.clone()).await;
    assert!(
        r.field_errors()
            .contains(&("county_code".into(), "required".into())),
        "{}",
        r.body
    );
    body["county_code"] = json!("430381");
    body["channel"] = json!("governor_mailbox");
    let r = app.post(&province, "/api/v1/petitions", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // …which the county then handles.
    let pid = id_of(&r);
    let r = step(
        &app,
        &t,
        &pid,
        json!({"action": "accept", "version": version(&r), "on": "2020-03-02"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The province's petition is in the county's list; Liuyang's list stays empty.
    let listed = app.get(&t, "/api/v1/petitions?limit=500").await;
    assert!(listed.body["items"]
        .as_array()
        .is_some_and(|a| a.iter().any(|p| p["id"] == pid.as_str())));
    let listed = app.get(&liuyang, "/api/v1/petitions").await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(0));
}

async fn the_petitioner_is_masked_and_revealed_with_a_reason(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token(WRITER).await;
    let number = id_number("430381");
    let (id, _) = register(&app, &t, petition("phone", "2020-03-01", Some(&number))).await;
    let path = format!("/api/v1/petitions/{id}");
    for r in [
        app.get(&t, &path).await,
        app.get(&t, "/api/v1/petitions").await,
    ] {
        let text = r.body.to_string();
        assert!(!text.contains(&number), "{text}");
        assert!(!text.contains("13807320001"), "{text}");
        assert!(!text.contains("王建国"), "{text}");
    }
    let r = app.get(&t, &path).await;
    assert_eq!(r.body["petitioner_name_masked"], "王**");
    assert_eq!(r.body["petitioner_phone_masked"], "138****0001");
    assert_eq!(
        r.body["petitioner_id_number_masked"],
        shared::mask::mask_id_number(&number)
    );
    // Nothing in the clear at rest either.
    let stored: (String, Option<String>, Option<String>) = petitions::table
        .find(&id)
        .select((
            petitions::petitioner_name_enc,
            petitions::petitioner_id_enc,
            petitions::petitioner_phone_enc,
        ))
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!stored.0.contains("王建国"));
    assert!(stored.1.is_some_and(|s| !s.contains(&number)));
    assert!(stored.2.is_some_and(|s| !s.contains("13807320001")));
    // Reveal: a reason of four characters or more, the right to reveal, audited.
    let reveal = format!("{path}/reveal");
    let r = app.post(&t, &reveal, json!({"reason": "核实"})).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(app.audit_count(&id, "reveal"), 0);
    let leader = app.token("leader").await;
    assert_eq!(
        app.post(&leader, &reveal, json!({"reason": "核实信访人身份"}))
            .await
            .status,
        403
    );
    let r = app
        .post(&t, &reveal, json!({"reason": "回访需拨打信访人电话"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["name"], "王建国");
    assert_eq!(r.body["id_number"], number.as_str());
    assert_eq!(r.body["phone"], "13807320001");
    assert_eq!(
        r.headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert_eq!(app.audit_count(&id, "reveal"), 1);
    // The creation's audit entry holds no petitioner data.
    use crate::db::schema::audit_log;
    let after: Vec<Option<String>> = audit_log::table
        .filter(audit_log::entity_id.eq(&id))
        .select(audit_log::after_json)
        .load(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    for a in after.into_iter().flatten() {
        assert!(
            !a.contains(&number) && !a.contains("王") && !a.contains("138"),
            "{a}"
        );
    }
    // A bad identity number or phone is named.
    let mut body = petition("phone", "2020-03-01", Some("430381199001011230"));
    body["petitioner_phone"] = json!("12345");
    let r = app.post(&t, "/api/v1/petitions", body).await;
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    assert!(
        fields.contains(&"petitioner_id_number".to_owned()),
        "{}",
        r.body
    );
    assert!(
        fields.contains(&"petitioner_phone".to_owned()),
        "{}",
        r.body
    );
}

async fn deadlines_are_computed_from_the_table(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token(WRITER).await;
    let r = app.get(&t, "/api/v1/petitions/deadlines").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rows = r.body.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), shared::petitions::PetitionChannel::ALL.len());
    assert!(
        rows.iter()
            .all(|d| d["accept_days"] == 15 && d["reply_days"] == 60),
        "{}",
        r.body
    );
    let (id, v) = register(&app, &t, petition("rednet", "2020-12-20", None)).await;
    let r = app.get(&t, &format!("/api/v1/petitions/{id}")).await;
    assert_eq!(r.body["accept_due"], "2021-01-04", "12-20 + 15 days");
    assert!(r.body["reply_due"].is_null());
    assert_eq!(r.body["overdue"], true, "long past, never accepted");
    let r = walk(&app, &t, &id, v, &[("accept", "2020-12-31")]).await;
    assert_eq!(r.body["reply_due"], "2021-03-01", "12-31 + 60 days");
    // Another table, other deadlines.
    app.conn()
        .batch_execute(
            "UPDATE petition_deadlines SET accept_days = 5, reply_days = 20 WHERE channel = 'phone'",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let (id, v) = register(&app, &t, petition("phone", "2020-02-26", None)).await;
    let r = app.get(&t, &format!("/api/v1/petitions/{id}")).await;
    assert_eq!(
        r.body["accept_due"], "2020-03-02",
        "02-26 + 5 days, 2020 a leap year"
    );
    let r = walk(&app, &t, &id, v, &[("accept", "2020-02-28")]).await;
    assert_eq!(r.body["reply_due"], "2020-03-19", "02-28 + 20 days");
    // A petition received today is not overdue.
    let today = crate::db::today().to_string();
    let (id, _) = register(&app, &t, petition("letter", &today, None)).await;
    let r = app.get(&t, &format!("/api/v1/petitions/{id}")).await;
    assert_eq!(r.body["overdue"], false);
    let overdue = app
        .get(&t, "/api/v1/petitions?overdue=true&limit=500")
        .await;
    let ids: Vec<&str> = overdue.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(!ids.contains(&id.as_str()));
    assert_eq!(ids.len(), 2, "{}", overdue.body);
    let fresh = app
        .get(&t, "/api/v1/petitions?overdue=false&limit=500")
        .await;
    assert_eq!(
        fresh.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        fresh.body
    );
}

async fn one_petitioner_on_several_channels_is_linked(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token(WRITER).await;
    let number = id_number("430381");
    let (a, _) = register(
        &app,
        &t,
        petition("governor_mailbox", "2020-03-01", Some(&number)),
    )
    .await;
    let (b, _) = register(&app, &t, petition("phone", "2020-03-09", Some(&number))).await;
    let (c, _) = register(
        &app,
        &t,
        petition("phone", "2020-03-09", Some(&id_number("430381"))),
    )
    .await;
    let (d, _) = register(&app, &t, petition("phone", "2020-03-09", None)).await;
    let get = |id: String| {
        let (app, t) = (&app, &t);
        async move { app.get(t, &format!("/api/v1/petitions/{id}")).await.body }
    };
    let (pa, pb, pc, pd) = (
        get(a.clone()).await,
        get(b.clone()).await,
        get(c).await,
        get(d).await,
    );
    assert_eq!(pa["petitioner_key"], pb["petitioner_key"]);
    assert_ne!(pa["petitioner_key"], pc["petitioner_key"]);
    assert_ne!(pa["petitioner_key"], pd["petitioner_key"]);
    // The key is not the registry's look-up hash of the number.
    assert_ne!(
        pa["petitioner_key"],
        app.state.pii.lookup_hash(&number).as_str()
    );
    let related = pa["related"].as_array().cloned().unwrap_or_default();
    assert_eq!(related.len(), 1, "{pa}");
    assert_eq!(related[0]["id"], b.as_str());
    assert_eq!(related[0]["channel"], "phone");
    // The same petitioner in another county: linked there, never shown here.
    let liuyang = app.token("liuyang.staff").await;
    register(
        &app,
        &liuyang,
        petition("letter", "2020-04-01", Some(&number)),
    )
    .await;
    let pa = get(a).await;
    assert_eq!(pa["related"].as_array().map(Vec::len), Some(1), "{pa}");
    let key = pa["petitioner_key"].as_str().unwrap_or_default().to_owned();
    let leader = app.token("leader").await;
    let all = app
        .get(&leader, &format!("/api/v1/petitions?petitioner_key={key}"))
        .await;
    assert_eq!(
        all.body["items"].as_array().map(Vec::len),
        Some(3),
        "{}",
        all.body
    );
    // Four petitions, three petitioners in the county; four petitions of three at the
    // province (the one in Liuyang is the same petitioner).
    let k = app
        .get(&leader, "/api/v1/kpi/petitions?year=2020&region=430381")
        .await;
    assert_eq!(k.status, 200, "{}", k.body);
    assert_eq!(k.body["total"]["recorded"], 4);
    assert_eq!(k.body["total"]["petitioners"], 3);
    let k = app.get(&leader, "/api/v1/kpi/petitions?year=2020").await;
    assert_eq!(k.body["total"]["recorded"], 5, "{}", k.body);
    assert_eq!(k.body["total"]["petitioners"], 3, "{}", k.body);
}

async fn creates_are_idempotent_and_versions_guard_changes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token(WRITER).await;
    let id = uuid::Uuid::now_v7();
    let mut body = petition("letter", "2020-03-01", Some(&id_number("430381")));
    body["id"] = json!(id);
    let first = app.post(&t, "/api/v1/petitions", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = app.post(&t, "/api/v1/petitions", body.clone()).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["id"], first.body["id"]);
    body["subject"] = json!("另一件事");
    let other = app.post(&t, "/api/v1/petitions", body).await;
    assert_eq!(other.status, 409, "{}", other.body);
    assert_eq!(other.code(), "id_conflict");
    let count: i64 = petitions::table
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count, 1);
    // Two clients saw version 1: the second step is 409 with nothing written.
    let path = id.to_string();
    let ok = step(
        &app,
        &t,
        &path,
        json!({"action": "accept", "version": 1, "on": "2020-03-02"}),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let stale = step(
        &app,
        &t,
        &path,
        json!({"action": "redirect", "version": 1, "note": "转交民政"}),
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.code(), "stale_version");
    let r = app.get(&t, &format!("/api/v1/petitions/{id}")).await;
    assert_eq!(r.body["status"], "accepted");
    assert_eq!(r.body["version"], 2);
    assert_eq!(app.audit_count(&id.to_string(), "update"), 1);
}

async fn the_ledger_is_masked_and_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token(WRITER).await;
    let number = id_number("430381");
    register(&app, &t, petition("letter", "2020-03-01", Some(&number))).await;
    register(&app, &t, petition("visit", "2020-03-02", None)).await;
    let (status, bytes) = app
        .download(&t, "/api/v1/petitions/export?format=csv&year=2020")
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    assert!(text.contains("信访人") && text.contains("王**"), "{text}");
    assert!(
        text.contains(&shared::mask::mask_id_number(&number)),
        "{text}"
    );
    assert!(!text.contains(&number) && !text.contains("王建国") && !text.contains("13807320001"));
    assert!(text.contains("来信") && text.contains("已登记"), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
    let (status, bytes) = app
        .download(&t, "/api/v1/petitions/export?format=xlsx")
        .await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(b"PK"));
    assert_eq!(app.audit_count(&uuid::Uuid::nil().to_string(), "export"), 2);
    let employment = app.token("xiangxiang.employment").await;
    let (status, _) = app
        .download(&employment, "/api/v1/petitions/export?format=csv")
        .await;
    assert_eq!(status, 403);
}

/// The fixture, all received in 2020 (see the module docs of `kpi::petitions`):
///
/// | petition | county   | petitioner | steps                                    |
/// |----------|----------|------------|------------------------------------------|
/// | P1       | 湘乡市   | A          | replied on its deadline day, followed up  |
/// | P2       | 湘乡市   | A          | in progress, reply deadline long past     |
/// | P3       | 湘乡市   | B          | replied late, not followed up             |
/// | P4       | 湘乡市   | C (no id)  | registered only, acceptance long past     |
/// | P5       | 湘乡市   | D (no id)  | redirected and closed                     |
/// | P6       | 浏阳市   | A          | replied on time, followed up              |
/// | P7       | 湘乡市   | E          | received in 2019: not counted in 2020     |
async fn the_kpi_matches_a_hand_count(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token(WRITER).await;
    let liuyang = app.token("liuyang.staff").await;
    let a = id_number("430381");
    let b = id_number("430381");
    let (p1, v) = register(
        &app,
        &t,
        petition("governor_mailbox", "2020-03-01", Some(&a)),
    )
    .await;
    walk(
        &app,
        &t,
        &p1,
        v,
        &[
            ("accept", "2020-03-05"),
            ("assign", "2020-03-06"),
            ("start", "2020-03-07"),
            ("reply", "2020-05-04"),
            ("follow_up", "2020-05-10"),
        ],
    )
    .await;
    let (p2, v) = register(&app, &t, petition("phone", "2020-03-01", Some(&a))).await;
    walk(
        &app,
        &t,
        &p2,
        v,
        &[
            ("accept", "2020-03-05"),
            ("assign", "2020-03-06"),
            ("start", "2020-03-07"),
        ],
    )
    .await;
    let (p3, v) = register(&app, &t, petition("letter", "2020-03-01", Some(&b))).await;
    walk(
        &app,
        &t,
        &p3,
        v,
        &[
            ("accept", "2020-03-05"),
            ("assign", "2020-03-06"),
            ("start", "2020-03-07"),
            ("reply", "2020-05-05"),
        ],
    )
    .await;
    register(&app, &t, petition("visit", "2020-03-01", None)).await;
    let (p5, v) = register(&app, &t, petition("rednet", "2020-03-01", None)).await;
    walk(
        &app,
        &t,
        &p5,
        v,
        &[("redirect", "2020-03-03"), ("close", "2020-03-04")],
    )
    .await;
    let (p6, v) = register(&app, &liuyang, petition("letter", "2020-03-01", Some(&a))).await;
    let r = walk(&app, &liuyang, &p6, v, &[("accept", "2020-03-02")]).await;
    let r = step(&app, &liuyang, &p6, json!({"action": "assign", "version": version(&r), "on": "2020-03-03", "assigned_unit": "430181"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    walk(
        &app,
        &liuyang,
        &p6,
        version(&r),
        &[
            ("start", "2020-03-04"),
            ("reply", "2020-03-20"),
            ("follow_up", "2020-03-25"),
        ],
    )
    .await;
    register(
        &app,
        &t,
        petition("letter", "2019-12-01", Some(&id_number("430381"))),
    )
    .await;

    let leader = app.token("leader").await;
    let ratio = |r: &Value, k: &str| {
        (
            r[k]["num"].as_i64().unwrap_or(-1),
            r[k]["den"].as_i64().unwrap_or(-1),
        )
    };
    let expect = |r: &Value, recorded, petitioners, answered, followed, on_time, overdue| {
        assert_eq!(r["recorded"], recorded, "recorded {r}");
        assert_eq!(r["petitioners"], petitioners, "petitioners {r}");
        assert_eq!(ratio(r, "answered"), answered, "answered {r}");
        assert_eq!(ratio(r, "followed_up"), followed, "followed up {r}");
        assert_eq!(ratio(r, "on_time"), on_time, "on time {r}");
        assert_eq!(r["overdue_open"], overdue, "overdue {r}");
    };
    // 湘乡市: A's P2 is unanswered (A not answered), B answered; A followed up, B not;
    // P1 on its deadline day is on time, P3 a day late; P2 and P4 overdue.
    let k = app
        .get(&t, "/api/v1/kpi/petitions?year=2020&region=430381")
        .await;
    assert_eq!(k.status, 200, "{}", k.body);
    expect(&k.body["total"], 5, 4, (1, 2), (1, 2), (1, 2), 2);
    // 浏阳市: A's only petition there, all done in time.
    let k = app
        .get(&leader, "/api/v1/kpi/petitions?year=2020&region=430181")
        .await;
    expect(&k.body["total"], 1, 1, (1, 1), (1, 1), (1, 1), 0);
    // The province: A counted once over both counties (P1, P2, P6: not every one answered;
    // both replied ones followed up).
    let k = app.get(&leader, "/api/v1/kpi/petitions?year=2020").await;
    expect(&k.body["total"], 6, 4, (1, 2), (1, 2), (2, 3), 2);
    let child = |code: &str| {
        k.body["children"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["unit_code"] == code))
            .cloned()
            .unwrap_or_default()
    };
    expect(&child("4303"), 5, 4, (1, 2), (1, 2), (1, 2), 2);
    expect(&child("4301"), 1, 1, (1, 1), (1, 1), (1, 1), 0);
    // 2019: P7 alone, registered and overdue.
    let k = app
        .get(&t, "/api/v1/kpi/petitions?year=2019&region=430381")
        .await;
    expect(&k.body["total"], 1, 1, (0, 0), (0, 0), (0, 0), 1);
    // Out of scope: 404; without the KPI right: 403.
    assert_eq!(
        app.get(&liuyang, "/api/v1/kpi/petitions?year=2020&region=430381")
            .await
            .status,
        404
    );
    let admin = app.token("admin").await;
    assert_eq!(
        app.get(&admin, "/api/v1/kpi/petitions?year=2020")
            .await
            .status,
        403
    );
    // The dashboard's counter: every year's overdue petitions still open (P2, P4, P7).
    let d = app
        .get(&leader, "/api/v1/dashboard?unit=430381&period=2020")
        .await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(
        d.body["counters"]["overdue_petitions"], 3,
        "{}",
        d.body["counters"]
    );
    let d = app
        .get(&leader, "/api/v1/dashboard?unit=430181&period=2020")
        .await;
    assert_eq!(d.body["counters"]["overdue_petitions"], 0);
    // Reopening P1 puts A back among the unanswered… and it is not overdue: its new
    // reply deadline runs from today.
    let r = app.get(&t, &format!("/api/v1/petitions/{p1}")).await;
    let today = crate::db::today().to_string();
    walk(
        &app,
        &t,
        &p1,
        version(&r),
        &[("close", today.as_str()), ("reopen", today.as_str())],
    )
    .await;
    let k = app
        .get(&t, "/api/v1/kpi/petitions?year=2020&region=430381")
        .await;
    expect(&k.body["total"], 5, 4, (1, 2), (0, 1), (0, 1), 2);
    let _ = p3;
}

async fn the_demo_has_petitions_in_xiangxiang(backend: Backend) {
    let app = TestApp::new(backend).await;
    for _ in 0..3 {
        PersonBuilder::new().create(&app);
    }
    let written = {
        let mut conn = app.conn();
        crate::demo::seed_petitions(&mut conn, &app.state.pii).unwrap_or_else(|e| panic!("{e}"))
    };
    assert!(written >= 5, "{written}");
    let t = app.token(WRITER).await;
    let r = app.get(&t, "/api/v1/petitions?limit=500").await;
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), written);
    let statuses: Vec<&str> = items.iter().filter_map(|p| p["status"].as_str()).collect();
    for s in ["registered", "in_progress", "replied", "closed"] {
        assert!(statuses.contains(&s), "{s}: {statuses:?}");
    }
    // One petitioner came by two channels.
    let mut keys: Vec<&str> = items
        .iter()
        .filter_map(|p| p["petitioner_key"].as_str())
        .collect();
    keys.sort_unstable();
    let n = keys.len();
    keys.dedup();
    assert!(keys.len() < n);
    // Seeding again adds nothing.
    let again = crate::demo::seed_petitions(&mut app.conn(), &app.state.pii)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, 0);
}

async fn an_unresolved_follow_up_opens_one_rectification_item(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token(WRITER).await;
    let person = crate::testing::PersonBuilder::new().create(&app).id;
    let mut body = petition("letter", "2020-03-01", None);
    body["person_id"] = json!(person);
    let (id, v) = register(&app, &t, body).await;
    let r = walk(&app, &t, &id, v, &path_to(PetitionStatus::Replied)).await;
    let r = step(
        &app,
        &t,
        &id,
        json!({"action": "follow_up", "version": version(&r), "on": "2020-04-10",
            "follow_up": "回访：补贴仍未到账", "satisfaction": "dissatisfied", "unresolved": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = version(&r);
    let path = format!("/api/v1/petitions/{id}/rectification");
    let ask =
        |v: i64, deadline: &str| json!({"version": v, "category": "policy", "deadline": deadline});
    // A deadline before the follow-up is a field error; a stale version a conflict.
    let r = app.post(&t, &path, ask(v, "2020-04-01")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = app.post(&t, &path, ask(v - 1, "2020-05-10")).await;
    assert_eq!(r.status, 409, "{}", r.body);
    // Another county's staff do not see the petition.
    let liuyang = app.token("liuyang.staff").await;
    assert_eq!(
        app.post(&liuyang, &path, ask(v, "2020-05-10")).await.status,
        404
    );
    let r = app.post(&t, &path, ask(v, "2020-05-10")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let item = r.body["rectification_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!item.is_empty(), "{}", r.body);
    // Once is enough: asking again (even at the new version) opens nothing more.
    let again = app.post(&t, &path, ask(version(&r), "2020-05-10")).await;
    assert_eq!(again.status, 409, "{}", again.body);
    let items: i64 = crate::db::schema::rectification_items::table
        .filter(crate::db::schema::rectification_items::source_id.eq(&id))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or(-1);
    assert_eq!(items, 1);
    // The item: from the petition, in its county, for its person, found on the
    // follow-up day, measure 18, seen by the county's staff.
    let staff = app.token("xiangxiang.staff").await;
    let got = app
        .get(&staff, &format!("/api/v1/rectification/items/{item}"))
        .await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["source"], "petition");
    assert_eq!(got.body["county_code"], "430381");
    assert_eq!(got.body["person_id"], json!(person));
    assert_eq!(got.body["found_on"], "2020-04-10");
    assert_eq!(got.body["measure"], 18);
    // A petition resolved at follow-up opens none.
    let (other, v2) = in_status(&app, &t, PetitionStatus::FollowedUp).await;
    let r = app
        .post(
            &t,
            &format!("/api/v1/petitions/{other}/rectification"),
            ask(v2, "2020-05-10"),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
}
