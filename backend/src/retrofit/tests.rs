//! HTTP tests of measure 15 (retrofit cases, the household rule, plans and caps, the
//! acceptance evidence, the survey import, the ledger and the KPIs), each on SQLite and
//! on PostgreSQL.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::{json, Value};
use shared::retrofit::{CaseActionKind, CaseStatus, CASE_WORKFLOW};
use uuid::Uuid;

use crate::attachments::media::samples;
use crate::db::schema::{audit_log, retrofit_cases};
use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, Resp, TestApp};

db_tests!(
    a_case_goes_from_identified_to_archived_with_its_photos,
    every_status_takes_exactly_its_steps,
    each_unit_sees_and_changes_only_its_own,
    one_household_makes_one_case,
    the_plan_is_checked_and_warned_against_the_cap,
    acceptance_photos_must_be_this_cases_and_in_order,
    the_kpi_matches_a_hand_count,
    a_survey_file_is_written_all_or_nothing_and_once,
    the_ledger_is_masked_and_audited,
    the_demo_has_cases_in_the_early_states,
);

const CASES: &str = "/api/v1/retrofits/cases";

fn id_of(r: &Resp) -> String {
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

fn version(r: &Resp) -> i64 {
    r.body["version"].as_i64().unwrap_or_default()
}

fn case_body(persons: &[Uuid], on: &str) -> Value {
    json!({"person_ids": persons, "source": "survey", "identified_on": on})
}

async fn create(app: &TestApp, token: &str, persons: &[Uuid], on: &str) -> Resp {
    let r = app.post(token, CASES, case_body(persons, on)).await;
    assert!(matches!(r.status, 200 | 201), "{}", r.body);
    r
}

async fn step(app: &TestApp, token: &str, id: &str, body: Value) -> Resp {
    app.post(token, &format!("{CASES}/{id}/actions"), body)
        .await
}

fn visit(on: &str) -> Value {
    json!({"visited_on": on, "visitors": "王芳、李强", "need_verified": true,
        "willing": true, "housing_suitable": true})
}

/// Uploads an image attached to the case; answers the attachment id.
async fn photo(app: &TestApp, token: &str, case: &str) -> String {
    let r = app
        .upload(
            token,
            &format!(
                "/api/v1/attachments?owner_type=retrofit_case&owner_id={case}&id={}",
                Uuid::now_v7()
            ),
            samples::jpeg(16, 12),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    id_of(&r)
}

fn plan(lines: &[(&str, i64, i64)]) -> Value {
    Value::Array(
        lines
            .iter()
            .map(|(item, q, cost)| {
                json!({"item_code": item, "location": "卫生间", "quantity": q, "unit_cost_fen": cost})
            })
            .collect(),
    )
}

/// A case verified on a home visit (by `xiangxiang.rights`); answers (id, version).
async fn verified(app: &TestApp, persons: &[Uuid], on_year: i32) -> (String, i64) {
    let rights = app.token("xiangxiang.rights").await;
    let r = create(app, &rights, persons, &format!("{on_year}-03-02")).await;
    let id = id_of(&r);
    let r = step(
        app,
        &rights,
        &id,
        json!({"action": "verify", "version": version(&r), "visit": visit(&format!("{on_year}-03-10"))}),
    )
    .await;
    assert_eq!(r.body["status"], "verified", "{}", r.body);
    (id, version(&r))
}

/// Plans (`lines`), approves (by `xiangxiang.staff`) and starts a verified case, with a
/// before photo uploaded first; answers (version, before photo, plan line ids).
async fn started(
    app: &TestApp,
    id: &str,
    v: i64,
    lines: &[(&str, i64, i64)],
) -> (i64, String, Vec<String>) {
    let rights = app.token("xiangxiang.rights").await;
    let staff = app.token("xiangxiang.staff").await;
    let before = photo(app, &rights, id).await;
    let r = app
        .put(
            &rights,
            &format!("{CASES}/{id}/plan"),
            json!({"version": v, "items": plan(lines)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let line_ids: Vec<String> = r.body["plan"]["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| l["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let r = step(
        app,
        &rights,
        id,
        json!({"action": "draft_plan", "version": version(&r)}),
    )
    .await;
    assert_eq!(r.body["status"], "plan_drafted", "{}", r.body);
    let r = step(
        app,
        &staff,
        id,
        json!({"action": "approve_plan", "version": version(&r)}),
    )
    .await;
    assert_eq!(r.body["status"], "plan_approved", "{}", r.body);
    let r = step(
        app,
        &rights,
        id,
        json!({"action": "start", "version": version(&r),
            "start": {"contractor": "湘乡市安居装饰公司", "started_on": "2021-05-01"}}),
    )
    .await;
    assert_eq!(r.body["status"], "in_construction", "{}", r.body);
    (version(&r), before, line_ids)
}

/// Completes a case in construction at the given actual costs (one per line).
async fn completed(app: &TestApp, id: &str, v: i64, lines: &[String], costs: &[i64]) -> i64 {
    let rights = app.token("xiangxiang.rights").await;
    let costs: Vec<Value> = lines
        .iter()
        .zip(costs)
        .map(|(l, c)| json!({"plan_item_id": l, "actual_cost_fen": c}))
        .collect();
    let r = step(
        app,
        &rights,
        id,
        json!({"action": "complete", "version": v,
            "complete": {"completed_on": "2021-06-01", "costs": costs}}),
    )
    .await;
    assert_eq!(r.body["status"], "completed", "{}", r.body);
    version(&r)
}

fn acceptance(
    lines: &[String],
    result: &str,
    before: &[&str],
    after: &[&str],
    sig: Option<&str>,
) -> Value {
    let results: Vec<Value> = lines
        .iter()
        .map(|l| json!({"plan_item_id": l, "result": result}))
        .collect();
    json!({"accepted_on": "2021-06-05", "team": "县残联 王芳、村委 李强", "results": results,
        "satisfaction": "satisfied", "signature_id": sig, "before_photo_ids": before,
        "after_photo_ids": after, "note": "门槛未拆除"})
}

/// Accepts a completed case with fresh after photo and signature; answers the version.
async fn accepted(app: &TestApp, id: &str, v: i64, lines: &[String], before: &str) -> i64 {
    let rights = app.token("xiangxiang.rights").await;
    let after = photo(app, &rights, id).await;
    let sig = photo(app, &rights, id).await;
    let r = step(
        app,
        &rights,
        id,
        json!({"action": "accept", "version": v,
            "acceptance": acceptance(lines, "done", &[before], &[&after], Some(&sig))}),
    )
    .await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);
    version(&r)
}

async fn a_case_goes_from_identified_to_archived_with_its_photos(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id;
    let rights = app.token("xiangxiang.rights").await;
    let staff = app.token("xiangxiang.staff").await;
    let (id, v) = verified(&app, &[p], 2020).await;
    let r = app.get(&rights, &format!("{CASES}/{id}")).await;
    assert_eq!(r.body["eligibility"]["registered_poor"], true);
    assert_eq!(r.body["eligibility"]["severe"], true);
    assert_eq!(r.body["plan_editable"], true);
    assert_eq!(
        r.body["members"][0]["id_number_masked"]
            .as_str()
            .map(|s| s.contains('*')),
        Some(true)
    );
    // The plan's author cannot approve it: four eyes.
    let before = photo(&app, &rights, &id).await;
    let r = app
        .put(
            &rights,
            &format!("{CASES}/{id}/plan"),
            json!({"version": v, "items": plan(&[("ramp", 1, 120_000), ("grab_bars", 2, 30_000)])}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["plan"]["total_fen"], 180_000);
    assert_eq!(r.body["plan"]["items"][0]["name_zh"], "坡道或地面平整");
    assert_eq!(r.body["plan"]["items"][1]["name_en"], "Grab bars");
    assert_eq!(r.body["plan"]["items"][1]["line_total_fen"], 60_000);
    assert_eq!(r.body["plan"]["cap_fen"], 500_000);
    assert_eq!(r.body["plan"]["over_cap"], false);
    let lines: Vec<String> = r.body["plan"]["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| l["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let r = step(
        &app,
        &rights,
        &id,
        json!({"action": "draft_plan", "version": version(&r)}),
    )
    .await;
    assert_eq!(r.body["status"], "plan_drafted");
    assert_eq!(
        r.body["allowed_actions"],
        json!(["decline", "refer_housing", "relocate"])
    );
    let v = version(&r);
    let r = step(
        &app,
        &rights,
        &id,
        json!({"action": "approve_plan", "version": v}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app.get(&staff, &format!("{CASES}/{id}")).await;
    assert_eq!(
        r.body["allowed_actions"],
        json!(["approve_plan", "decline", "refer_housing", "relocate"])
    );
    let r = step(
        &app,
        &staff,
        &id,
        json!({"action": "approve_plan", "version": v}),
    )
    .await;
    assert_eq!(r.body["status"], "plan_approved", "{}", r.body);
    assert_eq!(r.body["plan"]["approved_by"], "xiangxiang.staff");
    // Started without a contractor: a field error; then started.
    let r2 = step(
        &app,
        &rights,
        &id,
        json!({"action": "start", "version": version(&r),
        "start": {"contractor": " ", "started_on": "2020-05-01"}}),
    )
    .await;
    assert_eq!(r2.status, 422);
    assert_eq!(
        r2.field_errors(),
        [("start.contractor".to_owned(), "required".to_owned())]
    );
    let r = step(
        &app,
        &rights,
        &id,
        json!({"action": "start", "version": version(&r),
        "start": {"contractor": "湘乡市安居装饰公司", "started_on": "2020-05-01"}}),
    )
    .await;
    assert_eq!(r.body["status"], "in_construction", "{}", r.body);
    assert_eq!(r.body["photos"]["before"], json!([before]));
    // Completion needs the actual cost of every line.
    let r2 = step(
        &app,
        &rights,
        &id,
        json!({"action": "complete", "version": version(&r),
        "complete": {"completed_on": "2020-06-01",
            "costs": [{"plan_item_id": lines[0], "actual_cost_fen": 110_000}]}}),
    )
    .await;
    assert_eq!(
        r2.field_errors(),
        [("complete.costs".to_owned(), "missing_line".to_owned())]
    );
    let v = completed(&app, &id, version(&r), &lines, &[110_000, 58_000]).await;
    let r = app.get(&rights, &format!("{CASES}/{id}")).await;
    assert_eq!(r.body["plan"]["actual_total_fen"], 168_000);
    // Acceptance without photos: refused, field by field, nothing written.
    let r = step(
        &app,
        &rights,
        &id,
        json!({"action": "accept", "version": v,
        "acceptance": acceptance(&lines, "done", &[], &[], None)}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let mut errs = r.field_errors();
    errs.sort();
    assert_eq!(
        errs,
        [
            (
                "acceptance.after_photo_ids".to_owned(),
                "required".to_owned()
            ),
            (
                "acceptance.before_photo_ids".to_owned(),
                "required".to_owned()
            ),
            ("acceptance.signature_id".to_owned(), "required".to_owned()),
        ]
    );
    let after = photo(&app, &rights, &id).await;
    let sig = photo(&app, &rights, &id).await;
    let r = step(
        &app,
        &rights,
        &id,
        json!({"action": "accept", "version": v,
        "acceptance": acceptance(&lines, "done", &[&before], &[&after], Some(&sig))}),
    )
    .await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);
    assert_eq!(
        r.body["photos"],
        json!({"before": [before], "after": [after], "recorded": true})
    );
    assert_eq!(r.body["acceptances"][0]["passed"], true);
    // The photos are the case's evidence now: they stay.
    let d = app
        .delete(&rights, &format!("/api/v1/attachments/{after}"))
        .await;
    assert_eq!(
        (d.status, d.body["code"].as_str()),
        (409, Some("evidence_in_use"))
    );
    let d = app
        .delete(&rights, &format!("/api/v1/attachments/{sig}"))
        .await;
    assert_eq!(d.status, 409);
    let r = step(
        &app,
        &rights,
        &id,
        json!({"action": "archive", "version": version(&r)}),
    )
    .await;
    assert_eq!(r.body["status"], "archived", "{}", r.body);
    assert_eq!(r.body["allowed_actions"], json!([]));
    let timeline: Vec<&str> = r.body["timeline"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["to_status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        timeline,
        [
            "identified",
            "verified",
            "verified",
            "plan_drafted",
            "plan_approved",
            "in_construction",
            "completed",
            "accepted",
            "archived"
        ]
    );
}

/// Every action the table does not list from `from` is 409, before any body is read.
async fn refused_steps(app: &TestApp, token: &str, id: String, v: i64, from: CaseStatus) {
    for a in CaseActionKind::ALL.iter().filter(|a| {
        !CASE_WORKFLOW
            .iter()
            .any(|t| t.from == from && t.action == **a)
    }) {
        let r = step(app, token, &id, json!({"action": a, "version": v})).await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (409, Some("invalid_transition")),
            "{a} from {from}: {}",
            r.body
        );
    }
}

async fn every_status_takes_exactly_its_steps(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rights = app.token("xiangxiang.rights").await;
    let check = |id: String, v: i64, from: CaseStatus| refused_steps(&app, &rights, id, v, from);
    let p = PersonBuilder::new().create(&app).id;
    let r = create(&app, &rights, &[p], "2020-03-02").await;
    let id = id_of(&r);
    assert_eq!(
        r.body["allowed_actions"],
        json!(["verify", "reject", "decline", "refer_housing", "relocate"])
    );
    check(id.clone(), version(&r), CaseStatus::Identified).await;
    // An ineligible visit is refused, naming the exit to take.
    let mut v = visit("2020-03-10");
    v["housing_suitable"] = json!(false);
    let r2 = step(
        &app,
        &rights,
        &id,
        json!({"action": "verify", "version": version(&r), "visit": v}),
    )
    .await;
    assert_eq!(
        r2.field_errors(),
        [(
            "visit.housing_suitable".to_owned(),
            "housing_unsuitable".to_owned()
        )]
    );
    // A plan cannot be drafted empty, nor edited once approved.
    let r = step(
        &app,
        &rights,
        &id,
        json!({"action": "verify", "version": version(&r), "visit": visit("2020-03-10")}),
    )
    .await;
    check(id.clone(), version(&r), CaseStatus::Verified).await;
    let r2 = step(
        &app,
        &rights,
        &id,
        json!({"action": "draft_plan", "version": version(&r)}),
    )
    .await;
    assert_eq!(
        r2.field_errors(),
        [("items".to_owned(), "required".to_owned())]
    );
    let (v, before, lines) = started(&app, &id, version(&r), &[("ramp", 1, 100_000)]).await;
    check(id.clone(), v, CaseStatus::InConstruction).await;
    let r2 = app
        .put(
            &rights,
            &format!("{CASES}/{id}/plan"),
            json!({"version": v, "items": plan(&[("ramp", 1, 1)])}),
        )
        .await;
    assert_eq!(
        (r2.status, r2.body["code"].as_str()),
        (409, Some("invalid_transition"))
    );
    let v = completed(&app, &id, v, &lines, &[100_000]).await;
    check(id.clone(), v, CaseStatus::Completed).await;
    // A failed acceptance goes back to construction, with a note and no photos needed.
    let r = step(
        &app,
        &rights,
        &id,
        json!({"action": "accept", "version": v,
        "acceptance": acceptance(&lines, "partial", &[], &[], None)}),
    )
    .await;
    assert_eq!(r.body["status"], "in_construction", "{}", r.body);
    assert_eq!(r.body["acceptances"][0]["passed"], false);
    assert_eq!(r.body["plan"]["items"][0]["result"], "partial");
    let v = completed(&app, &id, version(&r), &lines, &[100_000]).await;
    let v = accepted(&app, &id, v, &lines, &before).await;
    check(id.clone(), v, CaseStatus::Accepted).await;
    let r = step(
        &app,
        &rights,
        &id,
        json!({"action": "archive", "version": v}),
    )
    .await;
    check(id.clone(), version(&r), CaseStatus::Archived).await;
    let first_pass: Option<bool> = retrofit_cases::table
        .find(&id)
        .select(retrofit_cases::first_pass)
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first_pass, Some(false));
    // The exits: each needs a reason and ends the case.
    for (action, status) in [
        ("reject", "not_eligible"),
        ("decline", "declined"),
        ("refer_housing", "referred"),
        ("relocate", "relocated"),
    ] {
        let p = PersonBuilder::new().create(&app).id;
        let r = create(&app, &rights, &[p], "2020-03-02").await;
        let id = id_of(&r);
        let r2 = step(
            &app,
            &rights,
            &id,
            json!({"action": action, "version": version(&r)}),
        )
        .await;
        assert_eq!(
            r2.field_errors(),
            [("reason".to_owned(), "required".to_owned())],
            "{action}"
        );
        let r = step(
            &app,
            &rights,
            &id,
            json!({"action": action, "version": version(&r), "reason": "户主说明"}),
        )
        .await;
        assert_eq!(r.body["status"], status, "{}", r.body);
        if action == "refer_housing" {
            assert_eq!(r.body["linked_programme"], "dilapidated_housing");
        }
        let to: CaseStatus = status.parse().unwrap_or_else(|e| panic!("{e}"));
        check(id, version(&r), to).await;
    }
}

async fn each_unit_sees_and_changes_only_its_own(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id;
    let (id, v) = verified(&app, &[p], 2020).await;
    let item = format!("{CASES}/{id}");
    // (user, get, list contains, act)
    let matrix = [
        ("xiangxiang.rights", 200, true, 200),
        ("xiangxiang.staff", 200, true, 200),
        ("xiangtan.staff", 200, true, 403),
        ("xiangtan.leader", 200, true, 403),
        ("leader", 200, true, 403),
        ("liuyang.staff", 404, false, 404),
        ("employment", 403, false, 403),
        ("rehab", 403, false, 403),
        ("xiangxiang.rehab", 403, false, 403),
    ];
    let mut v = v;
    for (user, get, listed, act) in matrix {
        let t = app.token(user).await;
        assert_eq!(app.get(&t, &item).await.status, get, "{user} get");
        let l = app.get(&t, &format!("{CASES}?limit=500")).await;
        let ids: Vec<&str> = l.body["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|c| c["id"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(ids.contains(&id.as_str()), listed, "{user} list");
        // The write check uses a step that fails on its body after authorisation: a
        // decline without a reason (422 means "allowed to try").
        let r = step(&app, &t, &id, json!({"action": "decline", "version": v})).await;
        let seen = if r.status == 422 { 200 } else { r.status };
        assert_eq!(seen, act, "{user} act: {}", r.body);
        if r.status == 200 {
            v = version(&r);
        }
        let r = app
            .put(
                &t,
                &format!("{item}/plan"),
                json!({"version": v, "items": plan(&[("ramp", 1, 1000)])}),
            )
            .await;
        assert_eq!(r.status, act, "{user} plan: {}", r.body);
        if r.status == 200 {
            v = version(&r);
        }
    }
    // Creating: only a county writer, only for persons in sight.
    let q = PersonBuilder::new().create(&app).id;
    for (user, status) in [
        ("xiangtan.staff", 403),
        ("liuyang.staff", 404),
        ("leader", 403),
    ] {
        let t = app.token(user).await;
        let r = app.post(&t, CASES, case_body(&[q], "2020-03-02")).await;
        assert_eq!(r.status, status, "{user} create: {}", r.body);
    }
    // Attachments of a case follow it: out of scope 404, readers may list, not add.
    let rights = app.token("xiangxiang.rights").await;
    let file = photo(&app, &rights, &id).await;
    let list = format!("/api/v1/attachments?owner_type=retrofit_case&owner_id={id}");
    let up = format!("{list}&id={}", Uuid::now_v7());
    let out = app.token("liuyang.staff").await;
    assert_eq!(app.get(&out, &list).await.status, 404);
    assert_eq!(
        app.get(&out, &format!("/api/v1/attachments/{file}"))
            .await
            .status,
        404
    );
    assert_eq!(app.upload(&out, &up, samples::jpeg(8, 8)).await.status, 404);
    let city = app.token("xiangtan.staff").await;
    assert_eq!(app.get(&city, &list).await.status, 200);
    assert_eq!(
        app.upload(&city, &up, samples::jpeg(8, 8)).await.status,
        403
    );
    let rehab = app.token("xiangxiang.rehab").await;
    assert_eq!(
        app.get(&rehab, &format!("/api/v1/attachments/{file}"))
            .await
            .status,
        404
    );
    // Not an image, whatever it claims to be: 422.
    let r = app
        .raw(
            Method::POST,
            &up,
            &rights,
            "image/jpeg",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec(),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.field_errors(),
        [("file".to_owned(), "unsupported_type".to_owned())]
    );
    // Item list and caps: the province's rights staff, not a county.
    let province = app.token("rights").await;
    let r = app
        .put(
            &rights,
            "/api/v1/retrofits/caps/2031",
            json!({"cap_fen": 1}),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .put(
            &province,
            "/api/v1/retrofits/caps/2031",
            json!({"cap_fen": 400_000}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["version"].as_i64()),
        (200, Some(1)),
        "{}",
        r.body
    );
    let r = app
        .put(
            &province,
            "/api/v1/retrofits/caps/2031",
            json!({"cap_fen": 1}),
        )
        .await;
    assert_eq!(
        r.status, 422,
        "an existing year needs its version: {}",
        r.body
    );
    let r = app
        .get(&app.token("leader").await, "/api/v1/retrofits/items")
        .await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(11));
}

async fn one_household_makes_one_case(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rights = app.token("xiangxiang.rights").await;
    let a = PersonBuilder::new()
        .household("430381-0001")
        .create(&app)
        .id;
    let b = PersonBuilder::new()
        .household("430381-0001")
        .create(&app)
        .id;
    let c = PersonBuilder::new().create(&app).id;
    let d = PersonBuilder::new().create(&app).id;
    let first = app
        .post(&rights, CASES, case_body(&[a], "2020-03-02"))
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let id = id_of(&first);
    // The second member of the household joins the case: 200, the same case, two members.
    let second = app
        .post(&rights, CASES, case_body(&[b], "2020-04-02"))
        .await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(id_of(&second), id);
    assert_eq!(second.body["joined_existing"], true);
    assert_eq!(second.body["members"].as_array().map(Vec::len), Some(2));
    assert_eq!(second.body["priority"]["multi_disabled_household"], true);
    assert_eq!(version(&second), 2);
    // Again: nothing changes.
    let again = app
        .post(&rights, CASES, case_body(&[b], "2020-04-02"))
        .await;
    assert_eq!((again.status, version(&again)), (200, 2));
    let count = |app: &TestApp| -> i64 {
        retrofit_cases::table
            .count()
            .get_result(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(count(&app), 1);
    // A retry of a create with its id answers the same case, writing nothing.
    let mut body = case_body(&[c], "2020-03-02");
    body["id"] = json!(Uuid::now_v7());
    let r = app.post(&rights, CASES, body.clone()).await;
    assert_eq!(r.status, 201);
    let r2 = app.post(&rights, CASES, body).await;
    assert_eq!((r2.status, id_of(&r2)), (200, id_of(&r)));
    assert_eq!(count(&app), 2);
    // Persons without a household number are households of one; two households in one
    // case are refused.
    let r = app
        .post(&rights, CASES, case_body(&[c, d], "2020-03-02"))
        .await;
    assert_eq!(
        r.field_errors(),
        [("person_ids".to_owned(), "not_one_household".to_owned())]
    );
    // Once the household's case is closed by relocation, a new case may follow it.
    let r = step(
        &app,
        &rights,
        &id,
        json!({"action": "relocate", "version": 2, "reason": "易地扶贫搬迁至安置点"}),
    )
    .await;
    assert_eq!(r.body["status"], "relocated", "{}", r.body);
    let mut body = case_body(&[a, b], "2020-09-02");
    body["relocated_from"] = json!(id);
    let r = app.post(&rights, CASES, body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_ne!(id_of(&r), id);
    assert_eq!(r.body["linked_programme"], "relocation");
    assert_eq!(r.body["relocated_from"], json!(id));
    let mut body = case_body(&[d], "2020-09-02");
    body["relocated_from"] = json!(id);
    let r = app.post(&rights, CASES, body).await;
    assert_eq!(
        r.field_errors(),
        [("relocated_from".to_owned(), "not_same_household".to_owned())]
    );
    // The list finds a household's cases by person.
    let r = app.get(&rights, &format!("{CASES}?person_id={b}")).await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(2));
}

async fn the_plan_is_checked_and_warned_against_the_cap(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rights = app.token("xiangxiang.rights").await;
    let p = PersonBuilder::new().create(&app).id;
    let (id, v) = verified(&app, &[p], 2020).await;
    let path = format!("{CASES}/{id}/plan");
    // Above the year's cap (5,000 yuan seeded): written, with a warning.
    let r = app
        .put(
            &rights,
            &path,
            json!({"version": v, "items": plan(&[("ramp", 2, 200_000), ("other", 1, 150_000)])}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["plan"]["total_fen"], 550_000);
    assert_eq!(r.body["plan"]["over_cap"], true);
    assert_eq!(r.body["warnings"][0]["code"], "over_cap");
    let v = version(&r);
    // A stale version (If-Match) is 409 and changes nothing.
    let stale = app
        .request(
            Method::PUT,
            &path,
            Some(&rights),
            Some(json!({"items": plan(&[("ramp", 1, 1)])})),
            &[("If-Match", format!("\"{}\"", v - 1).as_str())],
        )
        .await;
    assert_eq!(
        (stale.status, stale.body["code"].as_str()),
        (409, Some("stale_version"))
    );
    let r = app.get(&rights, &format!("{CASES}/{id}")).await;
    assert_eq!(r.body["plan"]["total_fen"], 550_000);
    // The current version by If-Match: back under the cap, no warning.
    let r = app
        .request(
            Method::PUT,
            &path,
            Some(&rights),
            Some(json!({"items": plan(&[("ramp", 1, 120_000)])})),
            &[("If-Match", format!("\"{v}\"").as_str())],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (
            r.body["plan"]["over_cap"].as_bool(),
            r.body["warnings"].as_array().map(Vec::len)
        ),
        (Some(false), Some(0))
    );
    // Field by field: unknown item, bounds, overflow-prone amounts.
    let r = app
        .put(
            &rights,
            &path,
            json!({"version": version(&r), "items": [
                {"item_code": "jacuzzi", "location": "卫生间", "quantity": 1, "unit_cost_fen": 1},
                {"item_code": "ramp", "location": "", "quantity": 0, "unit_cost_fen": i64::MAX},
            ]}),
        )
        .await;
    assert_eq!(r.status, 422);
    let mut errs = r.field_errors();
    errs.sort();
    assert_eq!(
        errs,
        [
            ("items[0].item_code".to_owned(), "not_found".to_owned()),
            ("items[1].location".to_owned(), "required".to_owned()),
            ("items[1].quantity".to_owned(), "out_of_range".to_owned()),
            (
                "items[1].unit_cost_fen".to_owned(),
                "out_of_range".to_owned()
            ),
        ]
    );
    // A retired item is not offered for new plans.
    let province = app.token("rights").await;
    let r = app
        .put(
            &province,
            "/api/v1/retrofits/items/other",
            json!({"version": 1, "name_zh": "其他",
            "name_en": "Other", "unit": "项", "active": false, "sort_order": 1000}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = version(&app.get(&rights, &format!("{CASES}/{id}")).await);
    let r = app
        .put(
            &rights,
            &path,
            json!({"version": v, "items": plan(&[("other", 1, 1)])}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [("items[0].item_code".to_owned(), "retired_item".to_owned())]
    );
}

async fn acceptance_photos_must_be_this_cases_and_in_order(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rights = app.token("xiangxiang.rights").await;
    let (p, q) = (
        PersonBuilder::new().create(&app).id,
        PersonBuilder::new().create(&app).id,
    );
    let (id, v) = verified(&app, &[p], 2020).await;
    let (other, ov) = verified(&app, &[q], 2020).await;
    let (v, before, lines) = started(&app, &id, v, &[("ramp", 1, 100_000)]).await;
    let (ov, other_before, other_lines) = started(&app, &other, ov, &[("ramp", 1, 100_000)]).await;
    let v = completed(&app, &id, v, &lines, &[100_000]).await;
    let after = photo(&app, &rights, &id).await;
    let sig = photo(&app, &rights, &id).await;
    let not_mine = photo(&app, &rights, &other).await;
    let pdf = app
        .raw(
            Method::POST,
            &format!(
                "/api/v1/attachments?owner_type=retrofit_case&owner_id={id}&id={}",
                Uuid::now_v7()
            ),
            &rights,
            "application/pdf",
            b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec(),
        )
        .await;
    assert_eq!(pdf.status, 201, "{}", pdf.body);
    let pdf = id_of(&pdf);
    let try_accept = |before: Vec<String>, after: Vec<String>| {
        let b: Vec<&str> = before.iter().map(String::as_str).collect();
        let a: Vec<&str> = after.iter().map(String::as_str).collect();
        json!({"action": "accept", "version": v,
            "acceptance": acceptance(&lines, "done", &b, &a, Some(&sig))})
    };
    // An after photo offered as a before photo, another case's photo, a PDF, and one
    // photo on both sides: each refused on its own field.
    let r = step(
        &app,
        &rights,
        &id,
        try_accept(
            vec![after.clone()],
            vec![not_mine.clone(), pdf.clone(), after.clone()],
        ),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let mut errs = r.field_errors();
    errs.sort();
    assert_eq!(
        errs,
        [
            (
                "acceptance.after_photo_ids[0]".to_owned(),
                "photo_not_found".to_owned()
            ),
            (
                "acceptance.after_photo_ids[1]".to_owned(),
                "not_an_image".to_owned()
            ),
            (
                "acceptance.after_photo_ids[2]".to_owned(),
                "evidence_reused".to_owned()
            ),
            (
                "acceptance.before_photo_ids[0]".to_owned(),
                "evidence_reused".to_owned()
            ),
        ]
    );
    // A before photo offered as after: wrong side.
    let r = step(
        &app,
        &rights,
        &id,
        try_accept(vec![before.clone()], vec![before.clone()]),
    )
    .await;
    assert!(r.field_errors().contains(&(
        "acceptance.after_photo_ids[0]".to_owned(),
        "evidence_reused".to_owned()
    )));
    let r = step(
        &app,
        &rights,
        &id,
        try_accept(vec![after.clone()], vec![after.clone()]),
    )
    .await;
    assert!(r.field_errors().contains(&(
        "acceptance.before_photo_ids[0]".to_owned(),
        "evidence_reused".to_owned()
    )));
    let r = step(&app, &rights, &id, try_accept(vec![], vec![before.clone()])).await;
    assert!(r.field_errors().contains(&(
        "acceptance.after_photo_ids[0]".to_owned(),
        "wrong_side".to_owned()
    )));
    // Nothing was written by the refusals.
    assert_eq!(
        version(&app.get(&rights, &format!("{CASES}/{id}")).await),
        v
    );
    let r = step(
        &app,
        &rights,
        &id,
        try_accept(vec![before.clone()], vec![after.clone()]),
    )
    .await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);
    // The other case cannot use this case's photos (not its own attachments).
    let ov = completed(&app, &other, ov, &other_lines, &[100_000]).await;
    let osig = photo(&app, &rights, &other).await;
    let r = step(
        &app,
        &rights,
        &other,
        json!({"action": "accept", "version": ov,
        "acceptance": acceptance(&other_lines, "done", &[&other_before], &[&after], Some(&osig))}),
    )
    .await;
    assert_eq!(
        r.field_errors(),
        [(
            "acceptance.after_photo_ids[0]".to_owned(),
            "photo_not_found".to_owned()
        )]
    );
}

async fn the_kpi_matches_a_hand_count(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rights = app.token("xiangxiang.rights").await;
    let person = |h: Option<&str>| {
        let b = PersonBuilder::new();
        match h {
            Some(h) => b.household(h),
            None => b,
        }
        .create(&app)
        .id
    };
    // H1: two members, one case, accepted at the first inspection, 1,500 yuan.
    let (a, b) = (person(Some("H1")), person(Some("H1")));
    let (h1, v) = verified(&app, &[a], 2020).await;
    let r = create(&app, &rights, &[b], "2020-03-05").await;
    assert_eq!(id_of(&r), h1);
    let (v, before, lines) = started(&app, &h1, v + 1, &[("ramp", 1, 150_000)]).await;
    let v = completed(&app, &h1, v, &lines, &[150_000]).await;
    accepted(&app, &h1, v, &lines, &before).await;
    // H2: verified only.
    verified(&app, &[person(None)], 2020).await;
    // H3: with 危房改造, failed once, then accepted at 6,000 yuan (over the 5,000 cap).
    let (h3, v) = verified(&app, &[person(None)], 2020).await;
    let (v, before, lines) = started(&app, &h3, v, &[("ramp", 1, 400_000)]).await;
    diesel::update(retrofit_cases::table.find(&h3))
        .set(retrofit_cases::linked_programme.eq("dilapidated_housing"))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    let v = completed(&app, &h3, v, &lines, &[600_000]).await;
    let r = step(
        &app,
        &rights,
        &h3,
        json!({"action": "accept", "version": v,
        "acceptance": acceptance(&lines, "missing", &[], &[], None)}),
    )
    .await;
    assert_eq!(r.body["status"], "in_construction", "{}", r.body);
    let v = completed(&app, &h3, version(&r), &lines, &[600_000]).await;
    accepted(&app, &h3, v, &lines, &before).await;
    // H4: verified, then declined: out of the rates, counted apart.
    let (h4, v) = verified(&app, &[person(None)], 2020).await;
    let r = step(
        &app,
        &rights,
        &h4,
        json!({"action": "decline", "version": v, "reason": "户主放弃"}),
    )
    .await;
    assert_eq!(r.body["status"], "declined");
    // H5: identified only: no verified need yet.
    create(&app, &rights, &[person(None)], "2020-03-02").await;
    // H6: another year, accepted: not in 2020.
    let (h6, v) = verified(&app, &[person(None)], 2021).await;
    let (v, before, lines) = started(&app, &h6, v, &[("ramp", 1, 100_000)]).await;
    let v = completed(&app, &h6, v, &lines, &[100_000]).await;
    accepted(&app, &h6, v, &lines, &before).await;
    app.assert_kept_figures_match();

    let leader = app.token("leader").await;
    let r = app
        .get(&leader, "/api/v1/kpi/retrofits?year=2020&region=4303")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let expected = json!({
        "coverage": {"num": 2, "den": 3},
        "households_done": 2,
        "cost_fen": 750_000,
        "cap_fen": 1_000_000,
        "over_cap": 1,
        "first_pass": {"num": 1, "den": 2},
        "with_dilapidated_housing": {"num": 1, "den": 2},
        "with_relocation": {"num": 0, "den": 2},
        "not_eligible": 0, "declined": 1, "referred": 0, "relocated": 0,
    });
    let pick = |row: &Value| -> Value {
        let mut out = serde_json::Map::new();
        for k in expected.as_object().into_iter().flatten().map(|(k, _)| k) {
            out.insert(k.clone(), row[k].clone());
        }
        Value::Object(out)
    };
    assert_eq!(pick(&r.body["total"]), expected, "{}", r.body);
    let county = r.body["children"]
        .as_array()
        .and_then(|c| c.iter().find(|u| u["unit_code"] == "430381"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(pick(&county), expected);
    assert_eq!(r.body["cap_fen"], 500_000);
    let r = app
        .get(&leader, "/api/v1/kpi/retrofits?year=2021&unit=43")
        .await;
    assert_eq!(r.body["total"]["coverage"], json!({"num": 1, "den": 1}));
    // Out of scope: 404.
    let out = app.token("xiangtan.leader").await;
    assert_eq!(
        app.get(&out, "/api/v1/kpi/retrofits?year=2020&unit=4301")
            .await
            .status,
        404
    );
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

async fn a_survey_file_is_written_all_or_nothing_and_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rights = app.token("xiangxiang.rights").await;
    let b1 = PersonBuilder::new().name("张三").household("H9");
    let id1 = b1.input().id_number.clone().unwrap_or_default();
    b1.create(&app);
    let b2 = PersonBuilder::new().name("李四").household("H9");
    let id2 = b2.input().id_number.clone().unwrap_or_default();
    b2.create(&app);
    let b3 = PersonBuilder::new().name("王五");
    let id3 = b3.input().id_number.clone().unwrap_or_default();
    b3.create(&app);
    let elsewhere = PersonBuilder::new().county("430181");
    let id4 = elsewhere.input().id_number.clone().unwrap_or_default();
    elsewhere.create(&app);
    let cols = &super::transfer::COLUMNS;
    let good = vec![
        row(&[&id1, "张三", "动态更新调查", "2020-05-01", "", "", ""]),
        row(&[&id2, "李四", "入户走访", "2020-05-01", "危房改造", "", ""]),
        row(&[&id3, "王五", "survey", "2020-05-01", "无", "", "独居"]),
    ];
    let mut rows = good.clone();
    rows.extend([
        row(&[&id4, "", "动态更新调查", "2020-05-01", "", "", ""]),
        row(&[&id3, "赵六", "问卷", "2020-13-01", "装修", "", ""]),
    ]);
    let count = || -> i64 {
        retrofit_cases::table
            .count()
            .get_result(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let r = app
        .upload(
            &rights,
            &format!("{CASES}/import?format=xlsx"),
            xlsx(cols, rows),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["written"], 0);
    let mut errors: Vec<(i64, String, String)> = r.body["errors"]
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
    errors.sort();
    let e = |row: i64, col: &str, code: &str| (row, col.to_owned(), code.to_owned());
    assert_eq!(
        errors,
        [
            e(5, "身份证号", "not_in_registry"),
            e(6, "关联项目", "invalid_code"),
            e(6, "发现日期", "invalid_date"),
            e(6, "姓名", "name_mismatch"),
            e(6, "来源", "invalid_code"),
        ]
    );
    assert_eq!(count(), 0);
    // A check of the good rows writes nothing and says what it would do.
    let r = app
        .upload(
            &rights,
            &format!("{CASES}/import?format=xlsx&dry_run=true"),
            xlsx(cols, good.clone()),
        )
        .await;
    assert_eq!(
        (r.body["written"].as_i64(), r.body["dry_run"].as_bool()),
        (Some(3), Some(true)),
        "{}",
        r.body
    );
    assert_eq!(count(), 0);
    let r = app
        .upload(
            &rights,
            &format!("{CASES}/import?format=xlsx"),
            xlsx(cols, good.clone()),
        )
        .await;
    assert_eq!(r.body["written"], 3, "{}", r.body);
    // Two members of one household: two cases, not three.
    assert_eq!(count(), 2);
    // Sent again: nothing new.
    let r = app
        .upload(
            &rights,
            &format!("{CASES}/import?format=xlsx"),
            xlsx(cols, good),
        )
        .await;
    assert_eq!(
        (
            r.body["written"].as_i64(),
            r.body["errors"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    assert_eq!(count(), 2);
    // Only county writers import.
    let city = app.token("xiangtan.staff").await;
    let r = app
        .upload(
            &city,
            &format!("{CASES}/import?format=xlsx"),
            xlsx(cols, vec![]),
        )
        .await;
    assert_eq!(r.status, 403);
}

async fn the_ledger_is_masked_and_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let b = PersonBuilder::new().name("张三");
    let id_number = b.input().id_number.clone().unwrap_or_default();
    let p = b.create(&app).id;
    let (id, _) = verified(&app, &[p], 2020).await;
    let staff = app.token("xiangtan.staff").await;
    let (status, bytes) = app
        .download(
            &staff,
            &format!("{CASES}/export?format=csv&status=verified"),
        )
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains(&id), "{text}");
    assert!(text.contains("张三"));
    assert!(!text.contains(&id_number), "the identity number is masked");
    assert!(text.contains("已入户核实"));
    let exports: i64 = audit_log::table
        .filter(audit_log::entity_type.eq("retrofit_cases"))
        .filter(audit_log::action.eq("export"))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exports, 1);
    let out = app.token("liuyang.staff").await;
    let (status, bytes) = app
        .download(&out, &format!("{CASES}/export?format=csv"))
        .await;
    assert_eq!(status, 200);
    assert!(!String::from_utf8_lossy(&bytes).contains(&id));
    // Found by a member's name; not by another.
    let rights = app.token("xiangxiang.rights").await;
    let r = app.get(&rights, &format!("{CASES}?q=%E5%BC%A0")).await;
    assert_eq!(r.body["items"][0]["id"], json!(id), "{}", r.body);
    let r = app.get(&rights, &format!("{CASES}?q=%25")).await;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(0),
        "{}",
        r.body
    );
    // The overdue filter: nothing is overdue yet; moved back 31 days it is.
    let r = app.get(&rights, &format!("{CASES}?overdue=true")).await;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(0),
        "{}",
        r.body
    );
    diesel::update(retrofit_cases::table.find(&id))
        .set(retrofit_cases::status_since.eq(crate::db::now() - chrono::TimeDelta::days(31)))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    let r = app.get(&rights, &format!("{CASES}?overdue=true")).await;
    assert_eq!(r.body["items"][0]["id"], json!(id), "{}", r.body);
    assert_eq!(r.body["items"][0]["overdue"], true);
    let r = app.get(&rights, &format!("{CASES}?overdue=false")).await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
}

async fn the_demo_has_cases_in_the_early_states(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut conn = app.conn();
    let conn: &mut crate::db::DbConn = &mut conn;
    let pii = app.state.pii.clone();
    crate::demo::seed_persons(
        conn,
        &pii,
        &crate::demo::demo_counties(),
        360,
        2020,
        &|_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let n = crate::demo::seed_retrofits(conn, &pii).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 10);
    let mut statuses: Vec<String> = retrofit_cases::table
        .select(retrofit_cases::status)
        .load(conn)
        .unwrap_or_else(|e| panic!("{e}"));
    statuses.sort();
    assert_eq!(
        statuses,
        [
            "completed",
            "declined",
            "identified",
            "identified",
            "in_construction",
            "plan_approved",
            "plan_drafted",
            "referred",
            "verified",
            "verified",
        ]
    );
    // The two verified cases can be planned by the demo's county rights staff.
    let rights = app.token("xiangxiang.rights").await;
    let r = app.get(&rights, &format!("{CASES}?status=verified")).await;
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|c| c["plan_editable"] == true));
}
