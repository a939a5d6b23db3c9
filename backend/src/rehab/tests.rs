//! HTTP tests of measure 14 (needs, the device workflow, episodes, the catalogue and the
//! KPIs), each on SQLite and on PostgreSQL.

use diesel::prelude::*;
use serde_json::{json, Value};
use shared::rehab::{NeedActionKind, NeedKind, NeedStatus, NEED_WORKFLOW};
use shared::DisabilityCategory;
use uuid::Uuid;

use crate::db::schema::{device_items, rehab_needs};
use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, Resp, TestApp};

db_tests!(
    a_device_goes_from_need_to_closed_by_the_right_people,
    every_status_takes_exactly_its_steps,
    each_unit_sees_and_changes_only_its_own,
    the_subsidy_keeps_to_the_cap_and_the_rest_is_self_pay,
    a_reassessment_supersedes_the_need_it_replaces,
    a_device_meets_the_need_for_its_service_life,
    childrens_rehabilitation_follows_the_age_and_category_rules,
    the_kpi_matches_a_hand_count,
    bad_input_changes_nothing,
    a_survey_file_is_checked_row_by_row_and_written_all_or_nothing,
    the_catalogue_round_trips_through_a_spreadsheet,
);

/// A valid 2×2 PNG: an acceptance photo.
pub(super) const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0,
    0, 0, 253, 212, 154, 115, 0, 0, 0, 17, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 0, 68, 96,
    226, 63, 3, 0, 29, 240, 3, 253, 160, 51, 9, 137, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// The id of a seeded catalogue item.
pub(super) fn item(app: &TestApp, name_zh: &str) -> String {
    device_items::table
        .filter(device_items::name_zh.eq(name_zh))
        .select(device_items::id)
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{name_zh}: {e}"))
}

pub(super) fn id_of(r: &Resp) -> String {
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

pub(super) fn version(r: &Resp) -> i64 {
    r.body["version"].as_i64().unwrap_or_default()
}

fn need(person: &str, kind: &str, item: Option<&str>, on: &str) -> Value {
    let project = if kind == "device" {
        "basic_device"
    } else {
        "basic_rehab"
    };
    json!({"person_id": person, "kind": kind, "project": project, "item_id": item,
        "source": "home_visit", "identified_on": on})
}

fn assessment(result: &str, on: &str) -> Value {
    json!({"result": result, "assessed_on": on, "assessor": "湘乡市康复中心 李医生"})
}

pub(super) async fn step(app: &TestApp, token: &str, id: &str, body: Value) -> Resp {
    app.post(token, &format!("/api/v1/rehab/needs/{id}/actions"), body)
        .await
}

/// Uploads a photo attached to a need; answers the attachment id.
pub(super) async fn photo(app: &TestApp, token: &str, need: &str) -> String {
    let r = app
        .upload(
            token,
            &format!(
                "/api/v1/attachments?owner_type=rehab_need&owner_id={need}&id={}",
                Uuid::now_v7()
            ),
            PNG.to_vec(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    id_of(&r)
}

/// Creates a need assessed as needed and takes it through plan approval (by a second
/// county user); answers (id, version).
pub(super) async fn approved(app: &TestApp, person: &str, item_id: Option<&str>) -> (String, i64) {
    let rehab = app.token("xiangxiang.rehab").await;
    let staff = app.token("xiangxiang.staff").await;
    let kind = if item_id.is_some() {
        "device"
    } else {
        "rehab_medical"
    };
    let mut body = need(person, kind, item_id, "2020-03-02");
    body["assessment"] = assessment("needed", "2020-03-05");
    let r = app.post(&rehab, "/api/v1/rehab/needs", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r);
    let r = step(
        app,
        &staff,
        &id,
        json!({"action": "approve_plan", "version": version(&r)}),
    )
    .await;
    assert_eq!(r.body["status"], "plan_approved", "{}", r.body);
    (id, version(&r))
}

fn fitting(price: i64, quantity: i64, on: &str) -> Value {
    json!({"provider": "湘潭市辅具中心", "quantity": quantity, "side": "none",
        "unit_price_fen": price, "delivered_on": on})
}

/// Fits and accepts a device; answers the version.
async fn fit_and_accept(app: &TestApp, id: &str, v: i64, delivered: &str, accepted: &str) -> i64 {
    let rehab = app.token("xiangxiang.rehab").await;
    let r = step(
        app,
        &rehab,
        id,
        json!({"action": "fit", "version": v, "fitting": fitting(50_000, 1, delivered)}),
    )
    .await;
    assert_eq!(r.body["status"], "fitted", "{}", r.body);
    let evidence = photo(app, &rehab, id).await;
    let r = step(
        app,
        &rehab,
        id,
        json!({"action": "accept", "version": version(&r),
        "acceptance": {"accepted_on": accepted, "accepted_by": "person", "evidence_id": evidence}}),
    )
    .await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);
    version(&r)
}

async fn a_device_goes_from_need_to_closed_by_the_right_people(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let chair = item(&app, "普通轮椅");
    let rehab = app.token("xiangxiang.rehab").await;
    let staff = app.token("xiangxiang.staff").await;
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/needs",
            need(&p, "device", Some(&chair), "2020-03-02"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["status"], "identified");
    assert_eq!(r.body["allowed_actions"], json!(["assess", "withdraw"]));
    let id = id_of(&r);
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "assess", "version": 1,
        "assessment": assessment("needed", "2020-03-05")}),
    )
    .await;
    assert_eq!(r.body["status"], "assessed", "{}", r.body);
    // Four eyes: the assessor does not approve their own plan.
    let r2 = step(
        &app,
        &rehab,
        &id,
        json!({"action": "approve_plan", "version": 2}),
    )
    .await;
    assert_eq!(r2.status, 403, "{}", r2.body);
    assert!(!r.body["allowed_actions"]
        .as_array()
        .is_some_and(|a| a.contains(&json!("approve_plan"))));
    let r = step(
        &app,
        &staff,
        &id,
        json!({"action": "approve_plan", "version": 2}),
    )
    .await;
    assert_eq!(r.body["status"], "plan_approved", "{}", r.body);
    // Price 1,000 yuan, cap 800: 800 subsidised, 200 paid by the person.
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "fit", "version": 3,
        "fitting": fitting(100_000, 1, "2020-04-01")}),
    )
    .await;
    assert_eq!(r.body["status"], "fitted", "{}", r.body);
    assert_eq!(
        r.body["fittings"][0]["calculation"],
        json!({"total_fen": 100_000, "max_subsidy_fen": 80_000, "subsidy_fen": 80_000, "self_pay_fen": 20_000})
    );
    assert_eq!(r.body["fittings"][0]["service_until"], "2025-04-01");
    // Acceptance needs a photo of this need or person; another person's photo is refused.
    let other = PersonBuilder::new().create(&app).id.to_string();
    let (other_need, _) = approved(&app, &other, None).await;
    let foreign = photo(&app, &rehab, &other_need).await;
    let r = step(&app, &rehab, &id, json!({"action": "accept", "version": 4,
        "acceptance": {"accepted_on": "2020-04-02", "accepted_by": "guardian", "evidence_id": foreign}}))
    .await;
    assert_eq!(r.status, 422);
    let fields = r.field_errors();
    assert!(fields.contains(&("acceptance.evidence_id".into(), "evidence_not_found".into())));
    assert!(fields.contains(&("acceptance.guardian_name".into(), "required".into())));
    let evidence = photo(&app, &rehab, &id).await;
    let r = step(&app, &rehab, &id, json!({"action": "accept", "version": 4,
        "acceptance": {"accepted_on": "2020-04-02", "accepted_by": "guardian", "guardian_name": "王芳", "evidence_id": evidence}}))
    .await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);
    assert_eq!(r.body["follow_up_due"], "2020-07-01");
    // The follow-up is due (2020 lies in the past): the need is in the due list.
    let due = app
        .get(&rehab, "/api/v1/rehab/needs?follow_up_due=true")
        .await;
    assert!(due.body["items"]
        .as_array()
        .is_some_and(|a| a.iter().any(|n| n["id"] == json!(id))));
    // A bad fit goes back to a refit.
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "follow_up", "version": 5,
        "follow_up": {"on": "2020-06-01", "result": "replace", "note": "尺寸不合"}}),
    )
    .await;
    assert_eq!(r.body["status"], "assessed", "{}", r.body);
    assert_eq!(r.body["fittings"][0]["replaced"], true);
    // The refit needs a new approval by a second person.
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "fit", "version": 6,
        "fitting": fitting(50_000, 1, "2020-06-10")}),
    )
    .await;
    assert_eq!(r.code(), "invalid_transition");
    let r = step(
        &app,
        &staff,
        &id,
        json!({"action": "approve_plan", "version": 6}),
    )
    .await;
    assert_eq!(r.body["status"], "plan_approved", "{}", r.body);
    let v = fit_and_accept(&app, &id, 7, "2020-06-10", "2020-06-11").await;
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "follow_up", "version": v,
        "follow_up": {"on": "2020-09-01", "result": "in_use"}}),
    )
    .await;
    assert_eq!(r.body["status"], "followed_up", "{}", r.body);
    assert_eq!(r.body["follow_up_due"], "2020-11-30");
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "close", "version": v + 1}),
    )
    .await;
    assert_eq!(r.body["status"], "closed", "{}", r.body);
    assert_eq!(r.body["follow_up_due"], Value::Null);
    assert_eq!(r.body["fittings"].as_array().map(Vec::len), Some(2));
    assert_eq!(r.body["timeline"].as_array().map(Vec::len), Some(11));
    // Every write is audited (create + 10 steps).
    assert_eq!(app.audit_count(&id, "update"), 10);
    assert_eq!(app.audit_count(&id, "create"), 1);
}

/// A need of `kind` put straight into `status` (the steps themselves are tested above).
fn need_in(
    app: &TestApp,
    person: &str,
    kind: NeedKind,
    item: Option<&str>,
    status: NeedStatus,
) -> String {
    let id = Uuid::now_v7().to_string();
    let at = crate::db::now();
    diesel::insert_into(rehab_needs::table)
        .values((
            rehab_needs::id.eq(&id),
            rehab_needs::person_id.eq(person),
            rehab_needs::county_code.eq("430381"),
            rehab_needs::city_code.eq("4303"),
            rehab_needs::kind.eq(kind.as_str()),
            rehab_needs::project.eq("basic_device"),
            rehab_needs::item_id.eq(item),
            rehab_needs::source.eq("survey"),
            rehab_needs::identified_on
                .eq(chrono::NaiveDate::from_ymd_opt(2020, 3, 1).unwrap_or_default()),
            rehab_needs::year.eq(2020),
            rehab_needs::status.eq(status.as_str()),
            rehab_needs::version.eq(1),
            rehab_needs::created_at.eq(at),
            rehab_needs::created_by.eq("test"),
            rehab_needs::updated_at.eq(at),
            rehab_needs::updated_by.eq("test"),
        ))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    id
}

async fn every_status_takes_exactly_its_steps(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let chair = item(&app, "普通轮椅");
    let staff = app.token("xiangxiang.staff").await;
    for kind in [NeedKind::Device, NeedKind::RehabMedical] {
        for status in NeedStatus::ALL.iter().copied() {
            for action in NeedActionKind::ALL.iter().copied() {
                let item = (kind == NeedKind::Device).then_some(chair.as_str());
                let id = need_in(&app, &p, kind, item, status);
                let allowed = NEED_WORKFLOW
                    .iter()
                    .any(|t| t.from == status && t.action == action)
                    && shared::rehab::step_fits_kind(kind, status, action);
                // No body parts: an allowed step is refused for what it lacks (422),
                // never as a transition; a refused one is 409 and writes nothing.
                let r = step(&app, &staff, &id, json!({"action": action, "version": 1})).await;
                if allowed {
                    assert_ne!(
                        r.code(),
                        "invalid_transition",
                        "{kind} {status} {action}: {}",
                        r.body
                    );
                    let ok = [200, 422].contains(&r.status);
                    assert!(ok, "{kind} {status} {action}: {} {}", r.status, r.body);
                } else {
                    assert_eq!(r.status, 409, "{kind} {status} {action}: {}", r.body);
                    assert_eq!(r.code(), "invalid_transition");
                    assert_eq!(app.audit_count(&id, "update"), 0);
                }
                let get = app.get(&staff, &format!("/api/v1/rehab/needs/{id}")).await;
                let expected: Vec<NeedActionKind> = NEED_WORKFLOW
                    .iter()
                    .filter(|t| {
                        t.from == status && shared::rehab::step_fits_kind(kind, status, t.action)
                    })
                    .map(|t| t.action)
                    .collect();
                if r.status != 200 {
                    assert_eq!(
                        get.body["allowed_actions"],
                        json!(expected),
                        "{kind} {status}"
                    );
                }
            }
        }
    }
}

async fn each_unit_sees_and_changes_only_its_own(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let (id, _) = approved(&app, &p, Some(&item(&app, "普通轮椅"))).await;
    let path = format!("/api/v1/rehab/needs/{id}");
    // role × scope: (user, may read, may create here, may act)
    let matrix = [
        ("xiangxiang.rehab", true, true, true),
        ("xiangxiang.staff", true, true, true),
        ("liuyang.staff", false, false, false),
        ("xiangtan.staff", true, false, false),
        ("xiangtan.leader", true, false, false),
        ("rehab", true, false, false),
        ("leader", true, false, false),
        // Health data is not the employment staff's business.
        ("employment", false, false, false),
        ("auditor", false, false, false),
        ("admin", false, false, false),
    ];
    for (user, read, create, act) in matrix {
        let t = app.token(user).await;
        let r = app.get(&t, &path).await;
        assert_eq!(r.status == 200, read, "{user} reads: {}", r.status);
        if !read {
            assert!([403, 404].contains(&r.status), "{user}: {}", r.status);
        }
        let listed = app.get(&t, "/api/v1/rehab/needs").await;
        let seen = listed.body["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|n| n["id"] == json!(id)));
        assert_eq!(seen, read, "{user} lists");
        let c = app
            .post(
                &t,
                "/api/v1/rehab/needs",
                need(&p, "rehab_medical", None, "2020-05-01"),
            )
            .await;
        assert_eq!(c.status == 201, create, "{user} creates: {}", c.body);
        // A fresh need for each user, so that one user's step does not stale the next's.
        let (id, v) = approved(&app, &p, None).await;
        let a = step(
            &app,
            &t,
            &id,
            json!({"action": "withdraw", "version": v, "reason": "迁出"}),
        )
        .await;
        assert_eq!(a.status == 200, act, "{user} acts: {}", a.body);
        if !act {
            assert!([403, 404].contains(&a.status), "{user}: {}", a.status);
        }
    }
    // Out of scope looks like nothing at all.
    let other = app.token("liuyang.staff").await;
    assert_eq!(app.get(&other, &path).await.status, 404);
    let c = app
        .post(
            &other,
            "/api/v1/rehab/needs",
            need(&p, "rehab_medical", None, "2020-05-01"),
        )
        .await;
    assert!(c
        .field_errors()
        .contains(&("person_id".into(), "not_found".into())));
    // The catalogue is kept by the provincial devices centre only.
    let item_id = item(&app, "盲杖");
    for (user, status) in [
        ("rehab", 200),
        ("xiangxiang.rehab", 403),
        ("xiangxiang.staff", 403),
        ("leader", 403),
    ] {
        let t = app.token(user).await;
        let r = app
            .put(
                &t,
                &format!("/api/v1/rehab/catalogue/{item_id}/caps/2021"),
                json!({"cap_fen": 9000, "version": 1}),
            )
            .await;
        assert_eq!(r.status, status, "{user}: {}", r.body);
    }
    // A cap set on a stale view of the item is refused and changes nothing.
    let r = app
        .put(
            &app.token("rehab").await,
            &format!("/api/v1/rehab/catalogue/{item_id}/caps/2021"),
            json!({"cap_fen": 1, "version": 1}),
        )
        .await;
    assert_eq!(r.code(), "stale_version", "{}", r.body);
    let kpi = app
        .get(&app.token("auditor").await, "/api/v1/kpi/rehab?year=2020")
        .await;
    assert_eq!(kpi.status, 403);
    let kpi = app
        .get(
            &app.token("xiangtan.leader").await,
            "/api/v1/kpi/rehab?year=2020&unit=4301",
        )
        .await;
    assert_eq!(kpi.status, 404, "a city leader does not see another city");
}

async fn the_subsidy_keeps_to_the_cap_and_the_rest_is_self_pay(backend: Backend) {
    let app = TestApp::new(backend).await;
    let deaf = PersonBuilder::new()
        .disability(DisabilityCategory::Hearing, 3)
        .create(&app)
        .id
        .to_string();
    let aid = item(&app, "耳背式助听器");
    let rehab = app.token("xiangxiang.rehab").await;
    let (id, v) = approved(&app, &deaf, Some(&aid)).await;
    // Two ears at 3,000 yuan each, cap 2,000 a unit: 4,000 subsidised, 2,000 self-paid.
    let mut f = fitting(300_000, 2, "2020-05-01");
    f["side"] = json!("both");
    f["subsidy_fen"] = json!(400_001);
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "fit", "version": v, "fitting": f.clone()}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.field_errors(),
        vec![("fitting.subsidy_fen".into(), "above_cap".into())]
    );
    f["subsidy_fen"] = Value::Null;
    f["delivered_on"] = json!("2019-12-31");
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "fit", "version": v, "fitting": f.clone()}),
    )
    .await;
    assert!(r
        .field_errors()
        .contains(&("fitting.delivered_on".into(), "before_identified".into())));
    f["delivered_on"] = json!("2020-05-01");
    f["quantity"] = json!(i64::MAX);
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "fit", "version": v, "fitting": f.clone()}),
    )
    .await;
    assert!(r
        .field_errors()
        .contains(&("fitting.quantity".into(), "out_of_range".into())));
    f["quantity"] = json!(2);
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "fit", "version": v, "fitting": f}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["fittings"][0]["calculation"],
        json!({"total_fen": 600_000, "max_subsidy_fen": 400_000, "subsidy_fen": 400_000, "self_pay_fen": 200_000})
    );
    // A year without a cap set cannot be fitted; a wheelchair does not serve a deaf person.
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/needs",
            need(&deaf, "device", Some(&item(&app, "普通轮椅")), "2020-03-02"),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("item_id".into(), "not_eligible".into())]
    );
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/needs",
            need(
                &deaf,
                "device",
                Some(&item(&app, "耳内式助听器")),
                "2021-03-02",
            ),
        )
        .await;
    let id3 = id_of(&r);
    let staff = app.token("xiangxiang.staff").await;
    let r = step(
        &app,
        &rehab,
        &id3,
        json!({"action": "assess", "version": 1, "assessment": assessment("needed", "2021-03-03")}),
    )
    .await;
    let r = step(
        &app,
        &staff,
        &id3,
        json!({"action": "approve_plan", "version": version(&r)}),
    )
    .await;
    let r = step(&app, &rehab, &id3, json!({"action": "fit", "version": version(&r), "fitting": fitting(100_000, 1, "2021-04-01")})).await;
    assert_eq!(
        r.field_errors(),
        vec![("fitting.delivered_on".into(), "no_cap".into())]
    );
    // The province sets 2021's cap; the same fitting then goes through.
    let item_id = item(&app, "耳内式助听器");
    let c = app
        .put(
            &app.token("rehab").await,
            &format!("/api/v1/rehab/catalogue/{item_id}/caps/2021"),
            json!({"cap_fen": 150_000, "version": 1}),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let r = step(
        &app,
        &rehab,
        &id3,
        json!({"action": "fit", "version": 3, "fitting": fitting(100_000, 1, "2021-04-01")}),
    )
    .await;
    assert_eq!(
        r.body["fittings"][0]["calculation"]["self_pay_fen"], 0,
        "{}",
        r.body
    );
}

async fn a_reassessment_supersedes_the_need_it_replaces(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let rehab = app.token("xiangxiang.rehab").await;
    let mut body = need(&p, "rehab_medical", None, "2020-03-02");
    body["assessment"] = assessment("deferred", "2020-03-02");
    let old = id_of(&app.post(&rehab, "/api/v1/rehab/needs", body).await);
    let mut again = need(&p, "rehab_medical", None, "2020-06-01");
    again["supersedes"] = json!(old);
    again["assessment"] = assessment("needed", "2020-06-01");
    let r = app.post(&rehab, "/api/v1/rehab/needs", again.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let new = id_of(&r);
    let o = app.get(&rehab, &format!("/api/v1/rehab/needs/{old}")).await;
    assert_eq!(o.body["status"], "superseded");
    assert_eq!(o.body["superseded_by"], json!(new));
    assert_eq!(o.body["allowed_actions"], json!([]));
    // Once replaced, never again; and only by a need of the same person and kind.
    let r = app.post(&rehab, "/api/v1/rehab/needs", again).await;
    assert_eq!(
        r.field_errors(),
        vec![("supersedes".into(), "already_superseded".into())]
    );
    let other = PersonBuilder::new().create(&app).id.to_string();
    let mut wrong = need(&other, "rehab_medical", None, "2020-06-01");
    wrong["supersedes"] = json!(new);
    let r = app.post(&rehab, "/api/v1/rehab/needs", wrong).await;
    assert_eq!(
        r.field_errors(),
        vec![("supersedes".into(), "not_same_need".into())]
    );
}

async fn a_device_meets_the_need_for_its_service_life(backend: Backend) {
    let app = TestApp::new(backend).await;
    let blind = PersonBuilder::new()
        .disability(DisabilityCategory::Visual, 1)
        .create(&app)
        .id
        .to_string();
    let cane = item(&app, "盲杖"); // service life 2 years
    let rehab = app.token("xiangxiang.rehab").await;
    let (id, v) = approved(&app, &blind, Some(&cane)).await;
    fit_and_accept(&app, &id, v, "2020-03-10", "2020-03-10").await;
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/needs",
            need(&blind, "device", Some(&cane), "2021-06-01"),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("item_id".into(), "device_in_service".into())]
    );
    let renewals = app
        .get(&rehab, "/api/v1/rehab/renewals?on=2022-03-10")
        .await;
    assert_eq!(
        renewals.body.as_array().map(Vec::len),
        Some(0),
        "the last day still serves"
    );
    let renewals = app
        .get(&rehab, "/api/v1/rehab/renewals?on=2022-03-11")
        .await;
    assert_eq!(renewals.body[0]["id"], json!(id), "{}", renewals.body);
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/needs",
            need(&blind, "device", Some(&cane), "2022-03-11"),
        )
        .await;
    assert_eq!(
        r.status, 201,
        "a new need opens when the service life ran out: {}",
        r.body
    );
}

fn episode(person: &str, category: &str, start: &str) -> Value {
    json!({"person_id": person, "institution": "湘乡市康复中心", "project": "child_rehab",
        "category": category, "start_on": start, "months": 10, "monthly_fen": 200_000,
        "guardian": "王芳"})
}

async fn childrens_rehabilitation_follows_the_age_and_category_rules(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rehab = app.token("xiangxiang.rehab").await;
    let four = PersonBuilder::new().born(2016).create(&app).id.to_string();
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/episodes",
            episode(&four, "hearing", "2020-03-01"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["total_fen"], 2_000_000);
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/episodes",
            episode(&four, "intellectual", "2020-09-01"),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("category".into(), "one_category_per_year".into())]
    );
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/episodes",
            episode(&four, "hearing", "2020-09-01"),
        )
        .await;
    assert_eq!(
        r.status, 201,
        "another institution, same category: {}",
        r.body
    );
    // Born 2013: 6 all through 2019, turns 7 in 2020.
    let seven = PersonBuilder::new().born(2013).create(&app).id.to_string();
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/episodes",
            episode(&seven, "speech", "2020-01-10"),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("continues".into(), "turns_seven".into())]
    );
    let last_year = app
        .post(
            &rehab,
            "/api/v1/rehab/episodes",
            episode(&seven, "speech", "2019-02-01"),
        )
        .await;
    assert_eq!(last_year.status, 201, "{}", last_year.body);
    let mut cont = episode(&seven, "speech", "2020-01-10");
    cont["continues"] = json!(id_of(&last_year));
    let r = app.post(&rehab, "/api/v1/rehab/episodes", cont).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let ten = PersonBuilder::new().born(2010).create(&app).id.to_string();
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/episodes",
            episode(&ten, "speech", "2020-01-10"),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("person_id".into(), "not_a_child".into())]
    );
    let kpi = app
        .get(
            &app.token("leader").await,
            "/api/v1/kpi/rehab?year=2020&unit=430381",
        )
        .await;
    assert_eq!(kpi.body["total"]["children_in_service"], 2, "{}", kpi.body);
}

async fn the_kpi_matches_a_hand_count(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rehab = app.token("xiangxiang.rehab").await;
    let chair = item(&app, "普通轮椅");
    let stick = item(&app, "手杖");
    let person = |b: PersonBuilder| b.create(&app).id.to_string();
    // P1: two needed devices, one accepted (and followed up), one only delivered.
    let p1 = person(PersonBuilder::new());
    let (a, v) = approved(&app, &p1, Some(&chair)).await;
    let v = fit_and_accept(&app, &a, v, "2020-04-01", "2020-04-02").await;
    let r = step(
        &app,
        &rehab,
        &a,
        json!({"action": "follow_up", "version": v,
        "follow_up": {"on": "2020-07-01", "result": "in_use"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (b, v) = approved(&app, &p1, Some(&stick)).await;
    let r = step(
        &app,
        &rehab,
        &b,
        json!({"action": "fit", "version": v, "fitting": fitting(5_000, 1, "2020-04-01")}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // P2: assessed as needed, then refused with a signed record.
    let p2 = person(PersonBuilder::new());
    let (c, v) = approved(&app, &p2, Some(&chair)).await;
    let signed = photo(&app, &rehab, &c).await;
    let r = step(
        &app,
        &rehab,
        &c,
        json!({"action": "refuse", "version": v, "evidence_id": signed, "reason": "本人拒绝"}),
    )
    .await;
    assert_eq!(r.body["status"], "refused", "{}", r.body);
    // P3: a medical rehab need served by an episode.
    let p3 = person(PersonBuilder::new());
    approved(&app, &p3, None).await;
    let mut e = episode(&p3, "physical", "2020-05-01");
    e["project"] = json!("basic_rehab");
    e["months"] = json!(3);
    assert_eq!(
        app.post(&rehab, "/api/v1/rehab/episodes", e).await.status,
        201
    );
    // P4: a device need re-assessed: the superseded one leaves the denominator.
    let p4 = person(PersonBuilder::new());
    let (old, _) = approved(&app, &p4, Some(&chair)).await;
    let mut again = need(&p4, "device", Some(&chair), "2020-08-01");
    again["supersedes"] = json!(old);
    again["assessment"] = assessment("needed", "2020-08-01");
    assert_eq!(
        app.post(&rehab, "/api/v1/rehab/needs", again).await.status,
        201
    );
    // P5: a device accepted in 2019: another year.
    let p5 = person(PersonBuilder::new());
    let mut n = need(&p5, "device", Some(&chair), "2019-03-02");
    n["assessment"] = assessment("needed", "2019-03-05");
    let r = app.post(&rehab, "/api/v1/rehab/needs", n).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // P6: deferred. P7: not registered poor.
    let p6 = person(PersonBuilder::new());
    let mut n = need(&p6, "device", Some(&chair), "2020-03-02");
    n["assessment"] = assessment("deferred", "2020-03-02");
    assert_eq!(app.post(&rehab, "/api/v1/rehab/needs", n).await.status, 201);
    let p7 = person(PersonBuilder::new().registered_poor(false));
    approved(&app, &p7, Some(&chair)).await;
    // P9: a need withdrawn (moved away): out of the rates, shown apart.
    let p9 = person(PersonBuilder::new());
    let (w, v) = approved(&app, &p9, None).await;
    let r = step(
        &app,
        &rehab,
        &w,
        json!({"action": "withdraw", "version": v, "reason": "迁往外省"}),
    )
    .await;
    assert_eq!(r.body["status"], "withdrawn", "{}", r.body);
    // P8 in 浏阳市 (长沙市): a device accepted.
    let p8 = person(PersonBuilder::new().county("430181"));
    let liuyang = app.token("liuyang.staff").await;
    let mut n = need(&p8, "device", Some(&chair), "2020-03-02");
    n["assessment"] = assessment("needed", "2020-03-05");
    let r = app.post(&liuyang, "/api/v1/rehab/needs", n).await;
    let id8 = id_of(&r);
    // Liuyang has one county user: four eyes needs a second approver, set up directly.
    diesel::update(rehab_needs::table.find(&id8))
        .set(rehab_needs::status.eq("plan_approved"))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    let r = step(
        &app,
        &liuyang,
        &id8,
        json!({"action": "fit", "version": 1, "fitting": fitting(50_000, 1, "2020-04-01")}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ev = {
        let r = app
            .upload(
                &liuyang,
                &format!(
                    "/api/v1/attachments?owner_type=rehab_need&owner_id={id8}&id={}",
                    Uuid::now_v7()
                ),
                PNG.to_vec(),
            )
            .await;
        id_of(&r)
    };
    let r = step(
        &app,
        &liuyang,
        &id8,
        json!({"action": "accept", "version": 2,
        "acceptance": {"accepted_on": "2020-04-02", "accepted_by": "person", "evidence_id": ev}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let leader = app.token("leader").await;
    let county = app
        .get(&leader, "/api/v1/kpi/rehab?year=2020&unit=430381")
        .await;
    let t = &county.body["total"];
    let ratio = |n: i64, d: i64| json!({"num": n, "den": d});
    assert_eq!(
        t["service"],
        ratio(2, 3),
        "P1 (device), P3 (episode) of P1, P3, P4: {t}"
    );
    assert_eq!(
        t["fitting_by_person"],
        ratio(0, 2),
        "P1 half done, P4 not: {t}"
    );
    assert_eq!(t["fitting_by_item"], ratio(1, 3));
    assert_eq!(t["follow_up"], ratio(1, 1));
    assert_eq!(t["partial_persons"], 1);
    assert_eq!(t["refused"], 1);
    assert_eq!(t["deferred"], 1);
    assert_eq!(t["withdrawn"], 1);
    // Fittings delivered in 2020 in 湘乡: P1's chair (500 within the 800 cap) and stick
    // (50 within 60).
    assert_eq!(t["subsidy_fen"], 55_000);
    assert_eq!(t["episodes_fen"], 600_000);
    let city = app
        .get(&leader, "/api/v1/kpi/rehab?year=2020&unit=4303")
        .await;
    assert_eq!(city.body["total"]["service"], t["service"]);
    let xiangxiang = city.body["children"]
        .as_array()
        .and_then(|c| c.iter().find(|r| r["unit_code"] == "430381"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(xiangxiang["fitting_by_item"], ratio(1, 3));
    let province = app.get(&leader, "/api/v1/kpi/rehab?year=2020").await;
    let p = &province.body["total"];
    assert_eq!(p["service"], ratio(3, 4), "{p}");
    assert_eq!(p["fitting_by_person"], ratio(1, 3));
    assert_eq!(p["fitting_by_item"], ratio(2, 4));
    assert_eq!(p["follow_up"], ratio(1, 2));
    let sum: i64 = province.body["children"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|r| r["service"]["den"].as_i64().unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(sum, 4, "the cities add up to the province");
    assert_eq!(province.body["targets"]["service_bp"], 10_000);
    let y2019 = app
        .get(&leader, "/api/v1/kpi/rehab?year=2019&unit=430381")
        .await;
    assert_eq!(
        y2019.body["total"]["fitting_by_person"],
        ratio(0, 1),
        "P5 counts in 2019 only"
    );
    app.assert_kept_figures_match();
}

async fn bad_input_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let rehab = app.token("xiangxiang.rehab").await;
    let chair = item(&app, "普通轮椅");
    let count = |app: &TestApp| -> i64 {
        rehab_needs::table
            .count()
            .get_result(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let before = count(&app);
    // A visit with one bad need writes none of them, and says which row is wrong.
    let visit = json!({"person_id": p, "source": "survey", "assessed_on": "2020-05-01",
    "assessor": "李医生", "needs": [
        {"kind": "device", "project": "basic_device", "item_id": chair, "result": "needed"},
        {"kind": "device", "project": "basic_device", "result": "needed"},
        {"kind": "surgery", "project": "limb_surgery", "result": "refused"},
    ]});
    let r = app
        .post(&rehab, "/api/v1/rehab/assessments", visit.clone())
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.field_errors(),
        vec![
            ("needs[1].item_id".into(), "required".into()),
            ("needs[2].evidence_id".into(), "required".into())
        ]
    );
    assert_eq!(count(&app), before);
    // The good visit, with client ids, is written once however often it is sent.
    let mut good = visit.clone();
    good["needs"] = json!([
        {"id": Uuid::now_v7(), "kind": "device", "project": "basic_device", "item_id": chair, "result": "needed"},
        {"id": Uuid::now_v7(), "kind": "functional_training", "project": "basic_rehab", "result": "not_needed"},
    ]);
    let r = app
        .post(&rehab, "/api/v1/rehab/assessments", good.clone())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body[1]["status"], "not_needed");
    let again = app
        .post(&rehab, "/api/v1/rehab/assessments", good.clone())
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(count(&app), before + 2);
    good["assessor"] = json!("王医生");
    let other = app.post(&rehab, "/api/v1/rehab/assessments", good).await;
    assert_eq!(other.code(), "id_conflict");
    // Wrong types, unknown codes, absurd numbers: 422 or 400, never 500.
    for body in [
        json!({"person_id": p, "kind": "teleport", "project": "basic_rehab", "source": "survey", "identified_on": "2020-01-01"}),
        json!({"person_id": "x", "kind": "device"}),
        json!({"person_id": p, "kind": "device", "project": "basic_device", "item_id": chair, "source": "survey", "identified_on": "2999-01-01"}),
        json!({"person_id": p, "kind": "surgery", "project": "cochlear", "item_id": chair, "source": "survey", "identified_on": "2020-01-01"}),
        json!([]),
    ] {
        let r = app.post(&rehab, "/api/v1/rehab/needs", body.clone()).await;
        assert!(
            [400, 422].contains(&r.status),
            "{body}: {} {}",
            r.status,
            r.body
        );
    }
    for q in ["year=abc", "county=43%25", "limit=100000", "status=bogus"] {
        let r = app.get(&rehab, &format!("/api/v1/rehab/needs?{q}")).await;
        assert!(
            [400, 422].contains(&r.status),
            "{q}: {} {}",
            r.status,
            r.body
        );
    }
    for q in ["year=99999", "year=2020&unit=99"] {
        let r = app
            .get(
                &app.token("leader").await,
                &format!("/api/v1/kpi/rehab?{q}"),
            )
            .await;
        assert!(
            [404, 422].contains(&r.status),
            "{q}: {} {}",
            r.status,
            r.body
        );
    }
    assert_eq!(count(&app), before + 2);
}

fn xlsx(headers: &[&str], rows: Vec<Vec<String>>) -> Vec<u8> {
    let table = crate::tabular::Table {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        choices: Vec::new(),
    };
    crate::tabular::write(&table, crate::tabular::Format::Xlsx).unwrap_or_else(|e| panic!("{e}"))
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

async fn a_survey_file_is_checked_row_by_row_and_written_all_or_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rehab = app.token("xiangxiang.rehab").await;
    let b1 = PersonBuilder::new().name("张三");
    let id1 = b1.input().id_number.clone().unwrap_or_default();
    b1.create(&app);
    let b2 = PersonBuilder::new().name("李四");
    let id2 = b2.input().id_number.clone().unwrap_or_default();
    b2.create(&app);
    let elsewhere = PersonBuilder::new().county("430181");
    let id3 = elsewhere.input().id_number.clone().unwrap_or_default();
    elsewhere.create(&app);
    let cols = &super::transfer::NEED_COLUMNS;
    let good1 = row(&[
        &id1,
        "张三",
        "辅具适配",
        "基本辅具适配",
        "普通轮椅",
        "入户走访",
        "2020-05-01",
        "需要",
        "2020-05-02",
        "李医生",
        "",
    ]);
    let good2 = row(&[
        &id2,
        "李四",
        "康复医疗",
        "基本康复服务",
        "",
        "动态更新调查",
        "2020-05-01",
        "",
        "",
        "",
        "高血压",
    ]);
    let bad = vec![
        row(&[
            &id1,
            "王五",
            "辅具适配",
            "基本辅具适配",
            "手杖",
            "入户走访",
            "2020-05-01",
            "",
            "",
            "",
            "",
        ]),
        row(&[
            &id2,
            "李四",
            "按摩",
            "基本康复服务",
            "",
            "入户走访",
            "2020-05-01",
            "",
            "",
            "",
            "",
        ]),
        row(&[
            &id2,
            "李四",
            "辅具适配",
            "基本辅具适配",
            "",
            "入户走访",
            "2020-05-01",
            "",
            "",
            "",
            "",
        ]),
        row(&[
            &id2,
            "李四",
            "手术",
            "肢体矫治手术",
            "",
            "入户走访",
            "2020-05-01",
            "本人拒绝",
            "",
            "",
            "",
        ]),
        row(&[
            &id3,
            "",
            "康复医疗",
            "基本康复服务",
            "",
            "入户走访",
            "2020-05-01",
            "",
            "",
            "",
            "",
        ]),
        row(&[
            "430381199001011234",
            "",
            "康复医疗",
            "基本康复服务",
            "",
            "入户走访",
            "2020-13-01",
            "",
            "",
            "",
            "",
        ]),
    ];
    let mut rows = vec![good1.clone(), good2.clone()];
    rows.extend(bad);
    let count = || -> i64 {
        rehab_needs::table
            .count()
            .get_result(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let before = count();
    let r = app
        .upload(
            &rehab,
            "/api/v1/rehab/needs/import?format=xlsx",
            xlsx(cols, rows),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["written"], 0);
    let errors: Vec<(i64, String, String)> = r.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["row"].as_i64().unwrap_or(0),
                        e["column"].as_str().unwrap_or("").to_owned(),
                        e["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let expect = |row: i64, column: &str, code: &str| {
        assert!(
            errors.contains(&(row, column.to_owned(), code.to_owned())),
            "row {row} {column} {code} in {errors:?}"
        );
    };
    expect(4, "姓名", "name_mismatch");
    expect(5, "需求类别", "invalid_code");
    expect(6, "辅具名称", "required");
    expect(7, "评估结果", "refusal_needs_record");
    expect(8, "身份证号", "not_in_registry");
    expect(9, "发现日期", "invalid_date");
    assert_eq!(count(), before, "nothing written while any row is wrong");
    // A clean file: the check writes nothing, the import both rows, a second import none.
    let clean = xlsx(cols, vec![good1, good2]);
    let r = app
        .upload(
            &rehab,
            "/api/v1/rehab/needs/import?format=xlsx&dry_run=true",
            clean.clone(),
        )
        .await;
    assert_eq!(
        (
            r.body["written"].as_i64(),
            r.body["errors"].as_array().map(Vec::len)
        ),
        (Some(2), Some(0)),
        "{}",
        r.body
    );
    assert_eq!(count(), before);
    let r = app
        .upload(
            &rehab,
            "/api/v1/rehab/needs/import?format=xlsx",
            clean.clone(),
        )
        .await;
    assert_eq!(r.body["written"], 2, "{}", r.body);
    assert_eq!(count(), before + 2);
    let r = app
        .upload(&rehab, "/api/v1/rehab/needs/import?format=xlsx", clean)
        .await;
    assert_eq!(r.body["errors"][0]["code"], "duplicate", "{}", r.body);
    assert_eq!(count(), before + 2);
    // Only county rehab writers import; a city user cannot.
    let city = app.token("xiangtan.staff").await;
    let r = app
        .upload(
            &city,
            "/api/v1/rehab/needs/import?format=xlsx",
            xlsx(cols, vec![]),
        )
        .await;
    assert_eq!(r.status, 403);
    // The export masks identity numbers and is audited.
    let (status, bytes) = app
        .download(&city, "/api/v1/rehab/needs/export?format=csv")
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("张三") && text.contains("已评估"), "{text}");
    assert!(!text.contains(&id1) && !text.contains(&id2), "{text}");
    let audited: i64 = crate::db::schema::audit_log::table
        .filter(crate::db::schema::audit_log::entity_type.eq("rehab_needs"))
        .filter(crate::db::schema::audit_log::action.eq("export"))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(audited, 1);
}

async fn the_catalogue_round_trips_through_a_spreadsheet(backend: Backend) {
    let app = TestApp::new(backend).await;
    let centre = app.token("rehab").await;
    let (status, bytes) = app
        .download(
            &centre,
            "/api/v1/rehab/catalogue/export?format=xlsx&year=2020",
        )
        .await;
    assert_eq!(status, 200);
    let mut table = crate::tabular::read(&bytes, crate::tabular::Format::Xlsx)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(table.rows.len(), 30);
    assert_eq!(
        table.headers.last().map(String::as_str),
        Some("2020年补贴标准(元)")
    );
    // Raise the wheelchair's cap, add an item; one bad row stops everything.
    let chair = table
        .rows
        .iter()
        .position(|r| r[2] == "普通轮椅")
        .unwrap_or_else(|| panic!("no wheelchair"));
    table.rows[chair][10] = "900.00".into();
    table.rows.push(row(&[
        "122306",
        "2016",
        "儿童电动轮椅",
        "Powered wheelchair for children",
        "肢体、多重",
        "辆",
        "6",
        "2",
        "是",
        "是",
        "3500",
    ]));
    table.rows.push(row(&[
        "999999", "2016", "坏行", "bad", "肢体", "个", "0", "", "也许", "是", "x",
    ]));
    let file = crate::tabular::write(&table, crate::tabular::Format::Xlsx)
        .unwrap_or_else(|e| panic!("{e}"));
    let r = app
        .upload(
            &centre,
            "/api/v1/rehab/catalogue/import?format=xlsx&year=2020",
            file,
        )
        .await;
    assert_eq!(r.body["written"], 0, "{}", r.body);
    let codes: Vec<&str> = r.body["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["code"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        codes.contains(&"invalid_yes_no") && codes.contains(&"invalid_amount"),
        "{codes:?}"
    );
    table.rows.pop();
    let file = crate::tabular::write(&table, crate::tabular::Format::Xlsx)
        .unwrap_or_else(|e| panic!("{e}"));
    let r = app
        .upload(
            &centre,
            "/api/v1/rehab/catalogue/import?format=xlsx&year=2020",
            file,
        )
        .await;
    assert_eq!(r.body["written"], 31, "{}", r.body);
    let items = app
        .get(&centre, "/api/v1/rehab/catalogue?q=%E8%BD%AE%E6%A4%85")
        .await;
    let caps: Vec<(String, Value)> = items
        .body
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    (
                        i["name_zh"].as_str().unwrap_or("").to_owned(),
                        i["caps"][0]["cap_fen"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        caps.contains(&("普通轮椅".into(), json!(90_000))),
        "{caps:?}"
    );
    assert!(
        caps.contains(&("儿童电动轮椅".into(), json!(350_000))),
        "{caps:?}"
    );
    let county = app.token("xiangxiang.rehab").await;
    let r = app
        .upload(
            &county,
            "/api/v1/rehab/catalogue/import?format=xlsx",
            vec![1, 2, 3],
        )
        .await;
    assert_eq!(r.status, 403);
}
