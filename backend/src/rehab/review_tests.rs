//! The security review of measure 14: each test states the safe behaviour for a hole
//! the review proved (and which is now closed).

use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::tests::{approved, id_of, item, photo, step, version};
use crate::db::schema::persons;
use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    a_fitting_keeps_to_the_item_of_the_approved_plan,
    the_needs_export_shows_no_person_who_moved_away,
    the_evidence_of_an_accepted_device_cannot_be_deleted,
    an_attachment_out_of_reach_answers_like_no_attachment,
    the_kpi_counts_a_need_where_it_can_be_served,
    one_approval_pays_for_one_device_not_a_series,
    the_assessor_never_approves_the_plan,
);

/// The second person approved a plan for a walking stick (cap 60 yuan); the fitter
/// alone must not turn it into a powered wheelchair (cap 3,000 yuan, an item that
/// needs a professional assessment) by naming another item at the fitting.
async fn a_fitting_keeps_to_the_item_of_the_approved_plan(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let (id, v) = approved(&app, &p, Some(&item(&app, "手杖"))).await;
    let rehab = app.token("xiangxiang.rehab").await;
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "fit", "version": v, "fitting": {"item_id": item(&app, "电动轮椅"),
            "provider": "某供应商", "quantity": 1, "side": "none",
            "unit_price_fen": 300_000, "delivered_on": "2020-04-01"}}),
    )
    .await;
    assert_eq!(
        r.status, 422,
        "the fitter swapped the approved item on their own: subsidy {}",
        r.body["fittings"][0]["calculation"]["subsidy_fen"]
    );
}

/// A need stays with the county that recorded it; once its person moved to another
/// county, the old county's answers hide the person (`person_name` is empty) — and so
/// must its export, which otherwise lists the name and masked identity number of a
/// person now outside its scope.
async fn the_needs_export_shows_no_person_who_moved_away(backend: Backend) {
    let app = TestApp::new(backend).await;
    let person = PersonBuilder::new().name("迁出者甲").create(&app);
    let p = person.id.to_string();
    let rehab = app.token("xiangxiang.rehab").await;
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/needs",
            json!({"person_id": p, "kind": "rehab_medical", "project": "basic_rehab",
                "source": "home_visit", "identified_on": "2020-03-02"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let need = id_of(&r);
    // The person moves to 浏阳市 (430181).
    diesel::update(persons::table.find(&p))
        .set((
            persons::county_code.eq("430181"),
            persons::city_code.eq("4301"),
        ))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    let masked: String = persons::table
        .find(&p)
        .select(persons::id_number_masked)
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    let staff = app.token("xiangxiang.staff").await;
    let r = app
        .get(&staff, &format!("/api/v1/rehab/needs/{need}"))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["person_name"], "", "the API hides the moved person");
    let (status, bytes) = app
        .download(&staff, "/api/v1/rehab/needs/export?format=csv")
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains("迁出者甲") && !text.contains(&masked),
        "the export names a person out of scope: {text}"
    );
}

/// Acceptance needs a photo or signed record; once accepted, that evidence must not be
/// deletable — least of all by a city user who takes no step of county needs.
async fn the_evidence_of_an_accepted_device_cannot_be_deleted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let (id, v) = approved(&app, &p, Some(&item(&app, "普通轮椅"))).await;
    let rehab = app.token("xiangxiang.rehab").await;
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "fit", "version": v, "fitting": {"provider": "某供应商",
            "quantity": 1, "side": "none", "unit_price_fen": 50_000, "delivered_on": "2020-04-01"}}),
    )
    .await;
    assert_eq!(r.body["status"], "fitted", "{}", r.body);
    let evidence = photo(&app, &rehab, &id).await;
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "accept", "version": version(&r), "acceptance":
            {"accepted_on": "2020-04-02", "accepted_by": "person", "evidence_id": evidence}}),
    )
    .await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);
    // A city user (Staff role: write_rehab) may take no step of this county need …
    let city = app.token("xiangtan.staff").await;
    let r = step(
        &app,
        &city,
        &id,
        json!({"action": "follow_up", "version": version(&r),
            "follow_up": {"on": "2020-05-01", "result": "in_use"}}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    // … but deletes its acceptance photo.
    let d = app
        .delete(&city, &format!("/api/v1/attachments/{evidence}"))
        .await;
    assert_ne!(
        d.status, 204,
        "a city user deleted a county need's acceptance evidence"
    );
    // Nor may the fitter who uploaded it, once it carries the acceptance.
    let d = app
        .delete(&rehab, &format!("/api/v1/attachments/{evidence}"))
        .await;
    assert_ne!(d.status, 204, "the evidence of an acceptance was deleted");
}

/// Out of reach must look like nothing: a user without the read capability learns from
/// 403 against 404 which attachment ids exist.
async fn an_attachment_out_of_reach_answers_like_no_attachment(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let (id, _) = approved(&app, &p, Some(&item(&app, "普通轮椅"))).await;
    let rehab = app.token("xiangxiang.rehab").await;
    let evidence = photo(&app, &rehab, &id).await;
    let admin = app.token("admin").await;
    let real = app
        .get(&admin, &format!("/api/v1/attachments/{evidence}"))
        .await;
    let none = app
        .get(&admin, &format!("/api/v1/attachments/{}", Uuid::now_v7()))
        .await;
    assert_eq!(
        real.status, none.status,
        "an existing attachment answers {} and a missing one {}",
        real.status, none.status
    );
}

/// A person who moves takes their open needs along: the KPI counts them in the new
/// county, and that county can see and continue them.
async fn the_kpi_counts_a_need_where_it_can_be_served(backend: Backend) {
    let app = TestApp::new(backend).await;
    let b = PersonBuilder::new();
    let mut input = b.input();
    let person = b.create(&app);
    let p = person.id.to_string();
    let (id, _) = approved(&app, &p, Some(&item(&app, "普通轮椅"))).await;
    // The registry records the move (through its own update, as the API does).
    input.county_code = "430181".into();
    input.town_code = None;
    input.village_code = None;
    crate::persons::queries::update(
        &mut app.conn(),
        &app.state.pii,
        &app.setup_actor(),
        person.id,
        person.version,
        &input,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let leader = app.token("leader").await;
    let kpi = app
        .get(&leader, "/api/v1/kpi/rehab?year=2020&unit=430181")
        .await;
    assert_eq!(kpi.status, 200, "{}", kpi.body);
    let charged = kpi.body["total"]["fitting_by_item"]["den"]
        .as_i64()
        .unwrap_or_default();
    let liuyang = app.token("liuyang.staff").await;
    let seen = app
        .get(&liuyang, &format!("/api/v1/rehab/needs/{id}"))
        .await;
    assert_eq!((charged, seen.status), (1, 200), "{}", seen.body);
    let xiangxiang = app.token("xiangxiang.rehab").await;
    let gone = app
        .get(&xiangxiang, &format!("/api/v1/rehab/needs/{id}"))
        .await;
    assert_eq!(
        gone.status, 404,
        "the old county no longer holds the open need"
    );
}

/// One approved plan, then the fitter alone: fit, accept, follow up "replace", fit
/// again (any item), accept with the very same photo — a second subsidy with no second
/// person and no new evidence. At least the evidence must be new.
async fn one_approval_pays_for_one_device_not_a_series(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let (id, v) = approved(&app, &p, Some(&item(&app, "普通轮椅"))).await;
    let rehab = app.token("xiangxiang.rehab").await;
    let fit = |v: i64| {
        json!({"action": "fit", "version": v, "fitting": {"provider": "某供应商",
            "quantity": 1, "side": "none", "unit_price_fen": 80_000, "delivered_on": "2020-04-01"}})
    };
    let accept = |v: i64, e: &str| {
        json!({"action": "accept", "version": v, "acceptance":
            {"accepted_on": "2020-04-02", "accepted_by": "person", "evidence_id": e}})
    };
    let r = step(&app, &rehab, &id, fit(v)).await;
    assert_eq!(r.body["status"], "fitted", "{}", r.body);
    let evidence = photo(&app, &rehab, &id).await;
    let r = step(&app, &rehab, &id, accept(version(&r), &evidence)).await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "follow_up", "version": version(&r),
            "follow_up": {"on": "2020-04-03", "result": "replace"}}),
    )
    .await;
    assert_eq!(r.body["status"], "assessed", "{}", r.body);
    // The fitter alone cannot refit: the new device needs a new approval.
    let again = step(&app, &rehab, &id, fit(version(&r))).await;
    assert_eq!(again.code(), "invalid_transition", "{}", again.body);
    let staff = app.token("xiangxiang.staff").await;
    let r = step(
        &app,
        &staff,
        &id,
        json!({"action": "approve_plan", "version": version(&r)}),
    )
    .await;
    assert_eq!(r.body["status"], "plan_approved", "{}", r.body);
    let r = step(&app, &rehab, &id, fit(version(&r))).await;
    assert_eq!(r.body["status"], "fitted", "{}", r.body);
    let r = step(&app, &rehab, &id, accept(version(&r), &evidence)).await;
    assert_ne!(
        r.body["status"], "accepted",
        "the first device's photo accepted the second device"
    );
    assert!(r
        .field_errors()
        .contains(&("acceptance.evidence_id".into(), "evidence_not_found".into())));
}

/// Four eyes binds the assessor, not only whoever took the latest step: after another
/// user's follow-up sends a device back for a refit, the assessor still cannot approve.
async fn the_assessor_never_approves_the_plan(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let (id, v) = approved(&app, &p, Some(&item(&app, "普通轮椅"))).await;
    let rehab = app.token("xiangxiang.rehab").await;
    let staff = app.token("xiangxiang.staff").await;
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "fit", "version": v, "fitting": {"provider": "某供应商",
        "quantity": 1, "side": "none", "unit_price_fen": 50_000, "delivered_on": "2020-04-01"}}),
    )
    .await;
    let evidence = photo(&app, &rehab, &id).await;
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "accept", "version": version(&r), "acceptance":
        {"accepted_on": "2020-04-02", "accepted_by": "person", "evidence_id": evidence}}),
    )
    .await;
    let r = step(
        &app,
        &staff,
        &id,
        json!({"action": "follow_up", "version": version(&r),
        "follow_up": {"on": "2020-05-01", "result": "replace"}}),
    )
    .await;
    assert_eq!(r.body["status"], "assessed", "{}", r.body);
    let mine = app.get(&rehab, &format!("/api/v1/rehab/needs/{id}")).await;
    assert_eq!(mine.body["allowed_actions"], json!(["refuse", "withdraw"]));
    let r = step(
        &app,
        &rehab,
        &id,
        json!({"action": "approve_plan", "version": version(&r)}),
    )
    .await;
    assert_eq!(r.status, 403, "the assessor approved the refit: {}", r.body);
}
