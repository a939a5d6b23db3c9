//! HTTP tests of measure 9 (care services: providers, assessments, the placement
//! workflow, transfers, service logs, the ledger and the KPI), each on SQLite and on
//! PostgreSQL.

use actix_web::http::Method;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};
use shared::care::{PlacementActionKind, PlacementStatus, PLACEMENT_WORKFLOW};

use crate::db::schema::{care_placement_events, care_placements};
use crate::db::DbConn;
use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, Resp, TestApp};

db_tests!(
    every_status_takes_exactly_its_steps,
    the_assessor_never_approves,
    each_unit_sees_and_changes_only_its_own,
    a_transfer_is_one_transaction,
    a_full_provider_refuses_and_bad_input_names_its_fields,
    creates_are_idempotent_and_versions_guard_changes,
    home_based_care_keeps_service_logs,
    the_ledger_is_masked_and_audited,
    the_kpi_matches_a_hand_count,
    the_demo_has_placements_in_every_state,
);

const WRITER: &str = "xiangxiang.employment";
const APPROVER: &str = "xiangxiang.staff";

fn id_of(r: &Resp) -> String {
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

fn version(r: &Resp) -> i64 {
    r.body["version"].as_i64().unwrap_or_default()
}

/// The tokens of the county's care writer and approver, logged in once per test.
struct Tokens {
    w: String,
    a: String,
}

async fn tokens(app: &TestApp) -> Tokens {
    Tokens {
        w: app.token(WRITER).await,
        a: app.token(APPROVER).await,
    }
}

/// Adds a provider of 湘乡市 with `places`; answers its id.
async fn provider(app: &TestApp, tk: &Tokens, kind: &str, places: i64) -> String {
    let t = &tk.w;
    let r = app
        .post(
            t,
            "/api/v1/care/providers",
            json!({"name": format!("湘乡市托养机构{}", uuid::Uuid::now_v7()), "kind": kind,
                "county_code": "430381", "places": places}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    id_of(&r)
}

/// Records a care assessment of `person` (by the writer); answers its id.
async fn assessment(app: &TestApp, tk: &Tokens, person: &str) -> String {
    let t = &tk.w;
    let r = app
        .post(
            t,
            "/api/v1/care/assessments",
            json!({"person_id": person, "assessed_on": "2020-02-20", "assessor": "湘乡市托养评估小组",
                "self_care": "fully_dependent", "carer": "no_carer", "preferred_mode": "residential"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    id_of(&r)
}

fn placement(person: &str, provider: &str, mode: &str, start: &str) -> Value {
    json!({"person_id": person, "provider_id": provider, "mode": mode, "start_on": start,
        "monthly_subsidy_fen": 80_000, "funder": "dpf"})
}

async fn step(app: &TestApp, token: &str, id: &str, body: Value) -> Resp {
    app.post(
        token,
        &format!("/api/v1/care/placements/{id}/actions"),
        body,
    )
    .await
}

/// A placement of a fresh person (or `person`) taken to `status`; answers
/// (id, version, person, assessment).
async fn in_status(
    app: &TestApp,
    tk: &Tokens,
    provider: &str,
    mode: &str,
    start: &str,
    status: PlacementStatus,
    person: Option<String>,
) -> (String, i64, String, String) {
    let (writer, approver) = (tk.w.clone(), tk.a.clone());
    let person = person.unwrap_or_else(|| PersonBuilder::new().create(app).id.to_string());
    let a = assessment(app, tk, &person).await;
    let mut body = placement(&person, provider, mode, start);
    if status != PlacementStatus::Referred {
        body["assessment_id"] = json!(a);
    }
    let r = app.post(&writer, "/api/v1/care/placements", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r);
    let mut v = version(&r);
    let go = |token: String, body: Value| {
        let id = id.clone();
        async move {
            let r = step(app, &token, &id, body).await;
            assert_eq!(r.status, 200, "{}", r.body);
            version(&r)
        }
    };
    use PlacementStatus as S;
    if matches!(status, S::Referred | S::Assessed) {
        return (id, v, person, a);
    }
    v = go(approver.clone(), json!({"action": "approve", "version": v})).await;
    if status == S::Approved {
        return (id, v, person, a);
    }
    v = go(writer.clone(), json!({"action": "activate", "version": v})).await;
    match status {
        S::Suspended => {
            v = go(
                writer.clone(),
                json!({"action": "suspend", "version": v, "on": "2020-04-01"}),
            )
            .await;
        }
        S::Ended => {
            v = go(
                writer.clone(),
                json!({"action": "end", "version": v, "on": "2020-04-01", "end_reason": "moved"}),
            )
            .await;
        }
        _ => {}
    }
    (id, v, person, a)
}

async fn every_status_takes_exactly_its_steps(backend: Backend) {
    let app = TestApp::new(backend).await;
    let tk = tokens(&app).await;
    let prov = provider(&app, &tk, "dpf_centre", 500).await;
    let writer = tk.w.clone();
    let approver = tk.a.clone();
    for &status in PlacementStatus::ALL {
        for &action in PlacementActionKind::ALL {
            let (id, v, _, a) =
                in_status(&app, &tk, &prov, "residential", "2020-03-01", status, None).await;
            let token = if action == PlacementActionKind::Approve {
                &approver
            } else {
                &writer
            };
            let body = json!({"action": action, "version": v, "on": "2020-05-01",
                "end_reason": "family_care", "assessment_id": a});
            let r = step(&app, token, &id, body).await;
            let t = PLACEMENT_WORKFLOW
                .iter()
                .find(|t| t.from == status && t.action == action);
            match t {
                Some(_) if action == PlacementActionKind::Transfer => {
                    assert_eq!(r.status, 422, "{status} {action}: {}", r.body);
                    assert_eq!(
                        r.field_errors(),
                        vec![("action".into(), "invalid_value".into())]
                    );
                }
                Some(t) => {
                    assert_eq!(r.status, 200, "{status} {action}: {}", r.body);
                    assert_eq!(r.body["status"], json!(t.to), "{status} {action}");
                }
                None => {
                    assert_eq!(r.status, 409, "{status} {action}: {}", r.body);
                    assert_eq!(r.code(), "invalid_transition", "{status} {action}");
                    let now = app
                        .get(&writer, &format!("/api/v1/care/placements/{id}"))
                        .await;
                    assert_eq!(now.body["status"], json!(status), "nothing changed");
                    assert_eq!(version(&now), v);
                }
            }
        }
    }
    // Each answer lists the caller's steps.
    let (id, _, _, _) = in_status(
        &app,
        &tk,
        &prov,
        "residential",
        "2020-03-01",
        PlacementStatus::Active,
        None,
    )
    .await;
    let r = app
        .get(&writer, &format!("/api/v1/care/placements/{id}"))
        .await;
    assert_eq!(
        r.body["allowed_actions"],
        json!(["suspend", "end", "transfer"])
    );
    let leader = app.token("xiangtan.leader").await;
    let r = app
        .get(&leader, &format!("/api/v1/care/placements/{id}"))
        .await;
    assert_eq!(r.body["allowed_actions"], json!([]));
    // Ending needs a reason, and never `transferred` (that is the transfer's).
    let v = version(
        &app.get(&writer, &format!("/api/v1/care/placements/{id}"))
            .await,
    );
    let r = step(&app, &writer, &id, json!({"action": "end", "version": v})).await;
    assert_eq!(
        r.field_errors(),
        vec![("end_reason".into(), "required".into())]
    );
    let r = step(
        &app,
        &writer,
        &id,
        json!({"action": "end", "version": v, "end_reason": "transferred"}),
    )
    .await;
    assert_eq!(
        r.field_errors(),
        vec![("end_reason".into(), "invalid_value".into())]
    );
    // A step may not take effect before the last one did.
    let r = step(
        &app,
        &writer,
        &id,
        json!({"action": "suspend", "version": v, "on": "2020-02-01"}),
    )
    .await;
    assert_eq!(r.field_errors(), vec![("on".into(), "before_start".into())]);
}

async fn the_assessor_never_approves(backend: Backend) {
    let app = TestApp::new(backend).await;
    let tk = tokens(&app).await;
    let prov = provider(&app, &tk, "dpf_centre", 10).await;
    let writer = tk.w.clone();
    let staff = tk.a.clone();
    // The writer assessed and placed: they may not approve, though their role may.
    let (id, v, _, _) = in_status(
        &app,
        &tk,
        &prov,
        "residential",
        "2020-03-01",
        PlacementStatus::Assessed,
        None,
    )
    .await;
    let r = step(
        &app,
        &writer,
        &id,
        json!({"action": "approve", "version": v}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .get(&writer, &format!("/api/v1/care/placements/{id}"))
        .await;
    assert_eq!(r.body["allowed_actions"], json!(["end"]));
    // The staff member recorded the assessment: however the placement came to be, they
    // may not approve it either.
    let person = PersonBuilder::new().create(&app).id.to_string();
    let r = app
        .post(
            &staff,
            "/api/v1/care/assessments",
            json!({"person_id": person, "assessed_on": "2020-02-20", "assessor": "评估小组",
                "self_care": "partly_dependent", "carer": "carer_frail", "preferred_mode": "day_care"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mut body = placement(&person, &prov, "day_care", "2020-03-01");
    body["assessment_id"] = json!(id_of(&r));
    let p = app.post(&writer, "/api/v1/care/placements", body).await;
    assert_eq!(p.status, 201, "{}", p.body);
    let r = step(
        &app,
        &staff,
        &id_of(&p),
        json!({"action": "approve", "version": version(&p)}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    // A second person approves.
    let (id, v, _, _) = in_status(
        &app,
        &tk,
        &prov,
        "residential",
        "2020-03-01",
        PlacementStatus::Assessed,
        None,
    )
    .await;
    let r = step(
        &app,
        &staff,
        &id,
        json!({"action": "approve", "version": v}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "approved");
}

async fn each_unit_sees_and_changes_only_its_own(backend: Backend) {
    let app = TestApp::new(backend).await;
    let tk = tokens(&app).await;
    let prov = provider(&app, &tk, "dpf_centre", 100).await;
    let (id, _, person, _) = in_status(
        &app,
        &tk,
        &prov,
        "residential",
        "2020-03-01",
        PlacementStatus::Active,
        None,
    )
    .await;
    let path = format!("/api/v1/care/placements/{id}");
    // (user, read status, may create here, may act)
    let matrix = [
        (WRITER, 200, true, true),
        (APPROVER, 200, true, true),
        ("liuyang.staff", 404, false, false),
        ("xiangtan.staff", 200, false, false),
        ("xiangtan.leader", 200, false, false),
        ("leader", 200, false, false),
        ("employment", 200, false, false),
        ("rights", 403, false, false),
        ("admin", 403, false, false),
    ];
    for (user, read, create, act) in matrix {
        let t = app.token(user).await;
        let r = app.get(&t, &path).await;
        assert_eq!(r.status, read, "{user} reads: {}", r.body);
        let listed = app.get(&t, "/api/v1/care/placements?limit=500").await;
        let seen = listed.body["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|n| n["id"] == json!(id)));
        assert_eq!(seen, read == 200, "{user} lists");
        let p = app.get(&t, &format!("/api/v1/care/providers/{prov}")).await;
        assert_eq!(p.status, read, "{user} reads the provider");
        // Another person of 湘乡市, so that the open placement does not stand in the way.
        let other = PersonBuilder::new().create(&app).id.to_string();
        let c = app
            .post(
                &t,
                "/api/v1/care/placements",
                placement(&other, &prov, "day_care", "2020-05-01"),
            )
            .await;
        assert_eq!(c.status == 201, create, "{user} creates: {}", c.body);
        if !create {
            assert!([403, 422].contains(&c.status), "{user}: {}", c.status);
        }
        let (fresh, v, _, _) = in_status(
            &app,
            &tk,
            &prov,
            "home_based",
            "2020-03-01",
            PlacementStatus::Active,
            None,
        )
        .await;
        let a = step(
            &app,
            &t,
            &fresh,
            json!({"action": "suspend", "version": v, "on": "2020-04-01"}),
        )
        .await;
        assert_eq!(a.status == 200, act, "{user} acts: {}", a.body);
        if !act {
            assert!([403, 404].contains(&a.status), "{user}: {}", a.status);
        }
    }
    // Out of scope looks like nothing at all; a county keeps only its own providers.
    let other = app.token("liuyang.staff").await;
    let r = step(
        &app,
        &other,
        &id,
        json!({"action": "suspend", "version": 4}),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app
        .post(
            &other,
            "/api/v1/care/placements",
            placement(&person, &prov, "day_care", "2020-05-01"),
        )
        .await;
    assert_eq!(r.status, 422);
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("person_id".into(), "not_found".into()),
            ("provider_id".into(), "not_found".into())
        ]
    );
    let r = app
        .post(
            &other,
            "/api/v1/care/providers",
            json!({"name": "越界机构", "kind": "day_centre", "county_code": "430381", "places": 5}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("county_code".into(), "outside_scope".into())]
    );
    let city = app.token("xiangtan.staff").await;
    let r = app
        .post(
            &city,
            "/api/v1/care/providers",
            json!({"name": "市级机构", "kind": "day_centre", "county_code": "430381", "places": 5}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
}

fn install_failing_insert(app: &TestApp) {
    let mut conn = app.conn();
    let conn: &mut DbConn = &mut conn;
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "CREATE TRIGGER refuse_transfer BEFORE INSERT ON care_placements \
             WHEN NEW.transferred_from IS NOT NULL BEGIN SELECT RAISE(ABORT, 'refused'); END;"
        }
        DbConn::Pg(_) => {
            "CREATE FUNCTION refuse_transfer() RETURNS trigger AS $$ BEGIN \
             IF NEW.transferred_from IS NOT NULL THEN RAISE EXCEPTION 'refused'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER refuse_transfer BEFORE INSERT ON care_placements \
             FOR EACH ROW EXECUTE FUNCTION refuse_transfer();"
        }
    };
    conn.batch_execute(sql).unwrap_or_else(|e| panic!("{e}"));
}

fn drop_failing_insert(app: &TestApp) {
    let mut conn = app.conn();
    let conn: &mut DbConn = &mut conn;
    let sql = match conn {
        DbConn::Sqlite(_) => "DROP TRIGGER refuse_transfer;",
        DbConn::Pg(_) => {
            "DROP TRIGGER refuse_transfer ON care_placements; DROP FUNCTION refuse_transfer();"
        }
    };
    conn.batch_execute(sql).unwrap_or_else(|e| panic!("{e}"));
}

fn events_of(app: &TestApp, id: &str) -> i64 {
    care_placement_events::table
        .filter(care_placement_events::placement_id.eq(id))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn placements_of(app: &TestApp, person: &str) -> i64 {
    care_placements::table
        .filter(care_placements::person_id.eq(person))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn a_transfer_is_one_transaction(backend: Backend) {
    let app = TestApp::new(backend).await;
    let tk = tokens(&app).await;
    let writer = tk.w.clone();
    let home = provider(&app, &tk, "dpf_centre", 10).await;
    let day = provider(&app, &tk, "day_centre", 10).await;
    let (id, v, person, _) = in_status(
        &app,
        &tk,
        &home,
        "residential",
        "2020-03-01",
        PlacementStatus::Active,
        None,
    )
    .await;
    let path = format!("/api/v1/care/placements/{id}");
    let new_id = uuid::Uuid::now_v7().to_string();
    let body = json!({"version": v, "new_id": new_id, "on": "2020-06-01", "provider_id": day,
        "mode": "day_care", "monthly_subsidy_fen": 50_000, "funder": "mixed"});
    // The new placement cannot be written: the old one stays as it was.
    let events = events_of(&app, &id);
    install_failing_insert(&app);
    let r = app
        .post(&writer, &format!("{path}/transfer"), body.clone())
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    let now = app.get(&writer, &path).await;
    assert_eq!(now.body["status"], "active");
    assert_eq!(version(&now), v);
    assert_eq!(now.body["transferred_to"], Value::Null);
    assert_eq!(events_of(&app, &id), events, "no history was written");
    assert_eq!(placements_of(&app, &person), 1);
    drop_failing_insert(&app);
    // Now both happen.
    let r = app
        .post(&writer, &format!("{path}/transfer"), body.clone())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["id"], json!(new_id));
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["mode"], "day_care");
    assert_eq!(r.body["start_on"], "2020-06-01");
    assert_eq!(r.body["transferred_from"], json!(id));
    let old = app.get(&writer, &path).await;
    assert_eq!(old.body["status"], "ended");
    assert_eq!(old.body["end_reason"], "transferred");
    assert_eq!(old.body["end_on"], "2020-06-01");
    assert_eq!(old.body["transferred_to"], json!(new_id));
    // A retry answers the same new placement; nothing more is written.
    let again = app.post(&writer, &format!("{path}/transfer"), body).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["id"], json!(new_id));
    assert_eq!(placements_of(&app, &person), 2);
    // An ended placement is not transferred again; a transfer changes something.
    let r = app
        .post(
            &writer,
            &format!("{path}/transfer"),
            json!({"version": version(&old), "on": "2020-07-01", "provider_id": home,
                "mode": "residential", "monthly_subsidy_fen": 1, "funder": "dpf"}),
        )
        .await;
    assert_eq!(r.code(), "invalid_transition", "{}", r.body);
    let r = app
        .post(
            &writer,
            &format!("/api/v1/care/placements/{new_id}/transfer"),
            json!({"version": 1, "on": "2020-07-01", "provider_id": day,
                "mode": "day_care", "monthly_subsidy_fen": 1, "funder": "dpf"}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("provider_id".into(), "same_as_current".into())]
    );
}

async fn a_full_provider_refuses_and_bad_input_names_its_fields(backend: Backend) {
    let app = TestApp::new(backend).await;
    let tk = tokens(&app).await;
    let writer = tk.w.clone();
    let approver = tk.a.clone();
    let small = provider(&app, &tk, "day_centre", 1).await;
    // The one place is taken by an approved placement.
    in_status(
        &app,
        &tk,
        &small,
        "day_care",
        "2020-03-01",
        PlacementStatus::Approved,
        None,
    )
    .await;
    let (id, v, _, _) = in_status(
        &app,
        &tk,
        &small,
        "day_care",
        "2020-03-01",
        PlacementStatus::Assessed,
        None,
    )
    .await;
    let r = step(
        &app,
        &approver,
        &id,
        json!({"action": "approve", "version": v}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.field_errors(),
        vec![("provider_id".into(), "provider_full".into())]
    );
    let p = app
        .get(&writer, &format!("/api/v1/care/providers/{small}"))
        .await;
    assert_eq!(p.body["occupied"], 1);
    // Places may not drop below those held.
    let r = app
        .put(
            &writer,
            &format!("/api/v1/care/providers/{small}"),
            json!({"version": version(&p), "name": p.body["name"], "kind": "day_centre",
                "county_code": "430381", "places": 0}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("places".into(), "out_of_range".into())]
    );
    // Field errors of a placement, all at once.
    let person = PersonBuilder::new().create(&app).id.to_string();
    let r = app
        .post(
            &writer,
            "/api/v1/care/placements",
            json!({"person_id": person, "provider_id": uuid::Uuid::now_v7(), "mode": "residential",
                "start_on": "2020-03-01", "end_on": "2020-02-01", "monthly_subsidy_fen": 1_000_001,
                "funder": "dpf"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("end_on".into(), "before_start".into()),
            ("monthly_subsidy_fen".into(), "out_of_range".into()),
            ("provider_id".into(), "not_found".into()),
        ]
    );
    // An unknown mode is a field error too.
    let r = app
        .post(
            &writer,
            "/api/v1/care/placements",
            json!({"person_id": person, "provider_id": small, "mode": "boarding",
                "start_on": "2020-03-01", "monthly_subsidy_fen": 1, "funder": "dpf"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.field_errors().iter().any(|(f, _)| f == "mode"),
        "{}",
        r.body
    );
    // A person has one open placement at a time.
    let big = provider(&app, &tk, "dpf_centre", 10).await;
    let (_, _, busy, _) = in_status(
        &app,
        &tk,
        &big,
        "residential",
        "2020-03-01",
        PlacementStatus::Referred,
        None,
    )
    .await;
    let r = app
        .post(
            &writer,
            "/api/v1/care/placements",
            placement(&busy, &big, "day_care", "2020-04-01"),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("person_id".into(), "duplicate".into())]
    );
    // Providers and assessments: field errors as well.
    let r = app
        .post(
            &writer,
            "/api/v1/care/providers",
            json!({"name": " ", "kind": "day_centre", "county_code": "4303", "places": 0}),
        )
        .await;
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("county_code".into(), "invalid_region".into()),
            ("name".into(), "required".into()),
            ("places".into(), "out_of_range".into()),
        ]
    );
    let r = app
        .post(
            &writer,
            "/api/v1/care/assessments",
            json!({"person_id": person, "assessed_on": "2999-01-01", "assessor": "",
                "self_care": "fully_dependent", "carer": "no_carer", "preferred_mode": "residential"}),
        )
        .await;
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("assessed_on".into(), "in_future".into()),
            ("assessor".into(), "required".into()),
        ]
    );
}

async fn creates_are_idempotent_and_versions_guard_changes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let tk = tokens(&app).await;
    let writer = tk.w.clone();
    let prov = provider(&app, &tk, "dpf_centre", 10).await;
    let person = PersonBuilder::new().create(&app).id.to_string();
    let id = uuid::Uuid::now_v7().to_string();
    let mut body = placement(&person, &prov, "residential", "2020-03-01");
    body["id"] = json!(id);
    let first = app
        .post(&writer, "/api/v1/care/placements", body.clone())
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let retry = app
        .post(&writer, "/api/v1/care/placements", body.clone())
        .await;
    assert_eq!(retry.status, 200, "{}", retry.body);
    assert_eq!(retry.body["id"], json!(id));
    assert_eq!(app.audit_count(&id, "create"), 1);
    body["monthly_subsidy_fen"] = json!(1);
    let other = app.post(&writer, "/api/v1/care/placements", body).await;
    assert_eq!(other.status, 409);
    assert_eq!(other.code(), "id_conflict");
    // A stale If-Match: 409, nothing changed.
    let path = format!("/api/v1/care/placements/{id}/actions");
    let stale = app
        .request(
            Method::POST,
            &path,
            Some(&writer),
            Some(json!({"action": "end", "end_reason": "moved"})),
            &[("If-Match", "\"7\"")],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.code(), "stale_version");
    let now = app
        .get(&writer, &format!("/api/v1/care/placements/{id}"))
        .await;
    assert_eq!(now.body["status"], "referred");
    // The current one through If-Match goes through.
    let r = app
        .request(
            Method::POST,
            &path,
            Some(&writer),
            Some(json!({"action": "end", "end_reason": "moved"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "ended");
    assert_eq!(r.body["end_reason"], "moved");
    // Without any version: 422.
    let r = step(
        &app,
        &writer,
        &id,
        json!({"action": "end", "end_reason": "moved"}),
    )
    .await;
    assert_eq!(r.status, 422);
    // Providers: stale update 409.
    let p = app
        .get(&writer, &format!("/api/v1/care/providers/{prov}"))
        .await;
    let upd = |v: i64| {
        json!({"version": v, "name": "改名的机构", "kind": "dpf_centre",
            "county_code": "430381", "places": 12})
    };
    let r = app
        .put(
            &writer,
            &format!("/api/v1/care/providers/{prov}"),
            upd(version(&p)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["places"], 12);
    let r = app
        .put(
            &writer,
            &format!("/api/v1/care/providers/{prov}"),
            upd(version(&p)),
        )
        .await;
    assert_eq!(r.code(), "stale_version");
}

async fn home_based_care_keeps_service_logs(backend: Backend) {
    let app = TestApp::new(backend).await;
    let tk = tokens(&app).await;
    let writer = tk.w.clone();
    let prov = provider(&app, &tk, "home_service_org", 10).await;
    let (id, _, _, _) = in_status(
        &app,
        &tk,
        &prov,
        "home_based",
        "2020-03-01",
        PlacementStatus::Active,
        None,
    )
    .await;
    let path = format!("/api/v1/care/placements/{id}/logs");
    let log_id = uuid::Uuid::now_v7().to_string();
    let log = json!({"id": log_id, "served_on": "2020-03-05", "hours": 3,
        "tasks": "助浴、打扫卫生", "carer": "王秀兰"});
    let r = app.post(&writer, &path, log.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app.post(&writer, &path, log).await;
    assert_eq!(r.status, 200, "a retry: {}", r.body);
    let r = app
        .post(
            &writer,
            &path,
            json!({"served_on": "2020-02-05", "hours": 25, "tasks": "", "carer": "王秀兰"}),
        )
        .await;
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("hours".into(), "out_of_range".into()),
            ("served_on".into(), "out_of_range".into()),
            ("tasks".into(), "required".into()),
        ]
    );
    let listed = app.get(&writer, &path).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    assert_eq!(listed.body[0]["recorded_by"], WRITER);
    // Residential care keeps no visit logs; another county sees none.
    let (res, _, _, _) = in_status(
        &app,
        &tk,
        &prov,
        "residential",
        "2020-03-01",
        PlacementStatus::Active,
        None,
    )
    .await;
    let r = app
        .post(
            &writer,
            &format!("/api/v1/care/placements/{res}/logs"),
            json!({"served_on": "2020-03-05", "hours": 3, "tasks": "助浴", "carer": "王秀兰"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let other = app.token("liuyang.staff").await;
    assert_eq!(app.get(&other, &path).await.status, 404);
}

async fn the_ledger_is_masked_and_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let tk = tokens(&app).await;
    let prov = provider(&app, &tk, "dpf_centre", 10).await;
    in_status(
        &app,
        &tk,
        &prov,
        "residential",
        "2020-03-01",
        PlacementStatus::Active,
        None,
    )
    .await;
    let t = app.token("xiangtan.leader").await;
    let before: i64 = {
        use crate::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::entity_type.eq("care_placements"))
            .count()
            .get_result(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let (status, bytes) = app
        .download(
            &t,
            "/api/v1/care/placements/export?format=csv&status=active",
        )
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("托养中"), "{text}");
    assert!(
        text.contains("********"),
        "identity numbers are masked: {text}"
    );
    assert_eq!(text.lines().count(), 2, "{text}");
    let after: i64 = {
        use crate::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::entity_type.eq("care_placements"))
            .count()
            .get_result(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(after, before + 1);
    let rights = app.token("rights").await;
    let (status, _) = app
        .download(&rights, "/api/v1/care/placements/export?format=xlsx")
        .await;
    assert_eq!(status, 403);
}

/// Takes a fresh active placement of `person` through steps given as (action, on).
async fn run(
    app: &TestApp,
    tk: &Tokens,
    prov: &str,
    person: &str,
    mode: &str,
    start: &str,
    steps: &[(&str, &str, Option<&str>)],
) -> (String, i64) {
    let writer = tk.w.clone();
    let (id, mut v, _, _) = in_status(
        app,
        tk,
        prov,
        mode,
        start,
        PlacementStatus::Active,
        Some(person.to_owned()),
    )
    .await;
    for (action, on, reason) in steps {
        let r = step(
            app,
            &writer,
            &id,
            json!({"action": action, "version": v, "on": on, "end_reason": reason}),
        )
        .await;
        assert_eq!(r.status, 200, "{action} {on}: {}", r.body);
        v = version(&r);
    }
    (id, v)
}

async fn the_kpi_matches_a_hand_count(backend: Backend) {
    let app = TestApp::new(backend).await;
    let tk = tokens(&app).await;
    let writer = tk.w.clone();
    let res = provider(&app, &tk, "dpf_centre", 50).await;
    let day = provider(&app, &tk, "day_centre", 50).await;
    let home = provider(&app, &tk, "home_service_org", 50).await;
    let person = |b: PersonBuilder| b.create(&app).id.to_string();
    // A: residential 1–16 March (15 days), then home-based 16 March – 1 April (16 days):
    // 31 days, one person, under both modes.
    let a = person(PersonBuilder::new());
    let (first, v) = run(&app, &tk, &res, &a, "residential", "2020-03-01", &[]).await;
    let r = app
        .post(
            &writer,
            &format!("/api/v1/care/placements/{first}/transfer"),
            json!({"version": v, "on": "2020-03-16", "provider_id": home, "mode": "home_based",
                "monthly_subsidy_fen": 30_000, "funder": "dpf"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = step(
        &app,
        &writer,
        &id_of(&r),
        json!({"action": "end", "version": version(&r), "on": "2020-04-01", "end_reason": "family_care"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // B: day care 1–30 May: 29 days, not served.
    let b = person(PersonBuilder::new());
    run(
        &app,
        &tk,
        &day,
        &b,
        "day_care",
        "2020-05-01",
        &[("end", "2020-05-30", Some("family_care"))],
    )
    .await;
    // C: day care 1 June – 1 July: 30 days, served, then moved away.
    let c = person(PersonBuilder::new());
    run(
        &app,
        &tk,
        &day,
        &c,
        "day_care",
        "2020-06-01",
        &[("end", "2020-07-01", Some("moved"))],
    )
    .await;
    // D: residential care in 2019 only: another year.
    let d = person(PersonBuilder::new());
    run(
        &app,
        &tk,
        &res,
        &d,
        "residential",
        "2019-03-01",
        &[("end", "2019-12-01", Some("ineligible"))],
    )
    .await;
    // E: residential 1 August, died 15 September (45 days): served.
    let e = person(PersonBuilder::new());
    run(
        &app,
        &tk,
        &res,
        &e,
        "residential",
        "2020-08-01",
        &[("end", "2020-09-15", Some("deceased"))],
    )
    .await;
    // F: not registered poor: 92 days, never counted.
    let f = person(PersonBuilder::new().registered_poor(false));
    run(
        &app,
        &tk,
        &res,
        &f,
        "residential",
        "2020-03-01",
        &[("end", "2020-06-01", Some("family_care"))],
    )
    .await;
    // G: day care 1–11 October, suspended to 21 October, then to 9 November: 10 + 19 =
    // 29 days of care (the suspension does not count): not served.
    let g = person(PersonBuilder::new());
    run(
        &app,
        &tk,
        &day,
        &g,
        "day_care",
        "2020-10-01",
        &[
            ("suspend", "2020-10-11", None),
            ("resume", "2020-10-21", None),
            ("end", "2020-11-09", Some("family_care")),
        ],
    )
    .await;
    // H: home-based from 1 December 2020, still in care: 31 days of 2020, served.
    let h = person(PersonBuilder::new());
    run(&app, &tk, &home, &h, "home_based", "2020-12-01", &[]).await;
    app.conn()
        .batch_execute("INSERT INTO care_targets (year, unit_code, persons) VALUES (2020, '430381', 120), (2020, '4303', 400)")
        .unwrap_or_else(|e| panic!("{e}"));
    let leader = app.token("leader").await;
    let expect = |row: &Value, served: i64, target: Option<i64>| {
        assert_eq!(row["served"], served, "{row}");
        assert_eq!(row["target"], json!(target), "{row}");
        assert_eq!(row["residential"], 2, "A and E: {row}");
        assert_eq!(row["day_care"], 1, "C: {row}");
        assert_eq!(row["home_based"], 2, "A and H: {row}");
        assert_eq!(row["below_threshold"], 2, "B and G: {row}");
        assert_eq!(row["open_placements"], 1, "H: {row}");
    };
    app.assert_kept_figures_match();
    let k = app.get(&leader, "/api/v1/kpi/care?year=2020").await;
    assert_eq!(k.status, 200, "{}", k.body);
    assert_eq!(k.body["threshold_days"], 30);
    expect(&k.body["total"], 4, Some(3000));
    let xiangtan = k.body["children"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["unit_code"] == "4303"))
        .cloned()
        .unwrap_or_default();
    expect(&xiangtan, 4, Some(400));
    let k = app
        .get(&leader, "/api/v1/kpi/care?year=2020&region=4303")
        .await;
    let county = k.body["children"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["unit_code"] == "430381"))
        .cloned()
        .unwrap_or_default();
    expect(&county, 4, Some(120));
    // 2019: only D (275 days), residential.
    let k = app
        .get(&writer, "/api/v1/kpi/care?year=2019&region=430381")
        .await;
    assert_eq!(k.status, 200, "{}", k.body);
    assert_eq!(k.body["total"]["served"], 1, "{}", k.body);
    assert_eq!(k.body["total"]["residential"], 1);
    // The threshold is data: at 29 days B and G are served too.
    app.conn()
        .batch_execute("UPDATE care_settings SET served_days = 29 WHERE year = 2020")
        .unwrap_or_else(|e| panic!("{e}"));
    let k = app
        .get(&writer, "/api/v1/kpi/care?year=2020&region=430381")
        .await;
    assert_eq!(k.body["total"]["served"], 6, "{}", k.body);
    // Out of scope: 404; without the KPI right: 403.
    let other = app.token("liuyang.staff").await;
    assert_eq!(
        app.get(&other, "/api/v1/kpi/care?year=2020&region=430381")
            .await
            .status,
        404
    );
    let admin = app.token("admin").await;
    assert_eq!(
        app.get(&admin, "/api/v1/kpi/care?year=2020").await.status,
        403
    );
}

async fn the_demo_has_placements_in_every_state(backend: Backend) {
    let app = TestApp::new(backend).await;
    for _ in 0..8 {
        PersonBuilder::new().create(&app);
    }
    let written = {
        let mut conn = app.conn();
        crate::demo::seed_care(&mut conn, &app.state.pii).unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(written, 8);
    let statuses: Vec<String> = care_placements::table
        .select(care_placements::status)
        .load(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    for s in PlacementStatus::ALL {
        assert!(
            statuses.iter().any(|x| x == s.as_str()),
            "{s}: {statuses:?}"
        );
    }
    // Eight placements and the one a transfer opened.
    assert_eq!(statuses.len(), 9);
    let t = app.token("xiangxiang.employment").await;
    let k = app
        .get(&t, "/api/v1/kpi/care?year=2020&region=430381")
        .await;
    assert_eq!(k.status, 200, "{}", k.body);
    assert!(
        k.body["total"]["served"].as_i64().unwrap_or_default() >= 4,
        "{}",
        k.body
    );
}
