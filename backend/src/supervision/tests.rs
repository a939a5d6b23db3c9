//! HTTP tests of measures 20 and 22 (stationings, inspections and their matrix, clues),
//! each on SQLite and on PostgreSQL.

use diesel::prelude::*;
use serde_json::{json, Value};
use shared::visits::VisitCheckItem;

use crate::db_tests;
use crate::testing::{Backend, Resp, TestApp};

db_tests!(
    stationings_are_kept_by_the_poverty_office,
    a_planned_inspection_is_hidden_from_the_county_until_filed,
    inspections_are_checked_and_kept_by_their_department,
    the_matrix_matches_a_hand_count,
    clues_are_hidden_from_the_implicated_and_every_read_is_audited,
    clue_steps_follow_the_ledger,
    the_demo_stations_inspects_and_records_a_clue,
    review_holes_stay_closed,
    pickers_offer_the_leaders_and_the_department_s_cadres,
    two_sends_at_once_make_one_record,
);

/// The poverty office (keeps stationings and clues).
const OFFICE: &str = "poverty";
/// The provincial leader.
const LEADER: &str = "leader";
/// A user of the provincial rights department (inspects).
const RIGHTS: &str = "rights";
/// A user of the provincial rehabilitation department (inspects).
const REHAB: &str = "rehab";
/// County staff of 湘乡市 (430381).
const COUNTY: &str = "xiangxiang.staff";
/// A leader of 湘潭市 (4303).
const CITY_LEADER: &str = "xiangtan.leader";

fn id_of(r: &Resp) -> String {
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

fn user_id(app: &TestApp, username: &str) -> String {
    use crate::db::schema::users;
    users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `n` village codes of `county`.
fn villages_of(app: &TestApp, county: &str, n: i64) -> Vec<String> {
    use crate::db::schema::villages;
    villages::table
        .filter(villages::code.like(format!("{county}%")))
        .order(villages::code.asc())
        .limit(n)
        .select(villages::code)
        .load(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The counties of `city`, by code.
fn counties_of(app: &TestApp, city: &str) -> Vec<String> {
    use crate::db::schema::org_units;
    let all: Vec<String> = org_units::table
        .filter(org_units::code.eq(org_units::region_code))
        .filter(org_units::code.like(format!("{city}%")))
        .order(org_units::code.asc())
        .select(org_units::code)
        .load(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    all.into_iter().filter(|c| c.len() == 6).collect()
}

fn stationing(app: &TestApp, county: &str, departments: &[&str], from: &str) -> Value {
    json!({"leader_id": user_id(app, LEADER), "county_code": county, "departments": departments,
        "from_on": from, "to_on": "2020-12-31"})
}

/// A filed inspection by `department` of `county` on `on`, with problems in `problems`.
fn filed(
    app: &TestApp,
    department: &str,
    leader: &str,
    county: &str,
    on: &str,
    problems: &[VisitCheckItem],
) -> Value {
    let checks: Vec<Value> = VisitCheckItem::ALL
        .iter()
        .map(|i| {
            if problems.contains(i) {
                json!({"item": i, "result": "problem", "note": "饮水设施损坏"})
            } else {
                json!({"item": i, "result": "ok"})
            }
        })
        .collect();
    json!({"status": "filed", "department_code": department, "leader_id": user_id(app, leader),
        "county_code": county, "visited_on": on, "villages": villages_of(app, county, 2),
        "households_visited": 6, "checks": checks, "policies": ["living_subsidy"],
        "findings": "低保政策落实到位"})
}

fn planned(app: &TestApp, department: &str, leader: &str, county: &str) -> Value {
    json!({"status": "planned", "department_code": department, "leader_id": user_id(app, leader),
        "county_code": county, "planned_on": "2020-05-10"})
}

fn ids(r: &Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn stationings_are_kept_by_the_poverty_office(backend: Backend) {
    let app = TestApp::new(backend).await;
    let office = app.token(OFFICE).await;
    let rights = app.token(RIGHTS).await;
    let county = app.token(COUNTY).await;
    let body = stationing(
        &app,
        "430381",
        &["43.rights", "43.rehabilitation"],
        "2020-03-01",
    );

    let r = app.post(&rights, "/api/v1/stationings", body.clone()).await;
    assert_eq!(
        r.status, 403,
        "only the poverty office stations leaders: {}",
        r.body
    );
    let r = app.post(&office, "/api/v1/stationings", body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r);
    assert_eq!(r.body["county_name"], "湘乡市");
    assert_eq!(
        r.body["departments"],
        json!(["43.rehabilitation", "43.rights"])
    );

    // One leader per county at a time; the leader must be a leader; departments exist.
    let mut bad = stationing(&app, "430381", &["43.nowhere"], "2020-06-01");
    bad["leader_id"] = json!(user_id(&app, RIGHTS));
    let r = app.post(&office, "/api/v1/stationings", bad).await;
    assert_eq!(r.status, 422);
    let errs = r.field_errors();
    for want in [
        ("county_code", "duplicate"),
        ("leader_id", "invalid_value"),
        ("departments[0]", "not_found"),
    ] {
        assert!(
            errs.contains(&(want.0.into(), want.1.into())),
            "{want:?} in {errs:?}"
        );
    }

    // The stationed county reads it; another county does not.
    let r = app.get(&county, &format!("/api/v1/stationings/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let other = app.token("liuyang.staff").await;
    let r = app.get(&other, &format!("/api/v1/stationings/{id}")).await;
    assert_eq!(r.status, 404);
    let r = app.get(&other, "/api/v1/stationings?year=2020").await;
    assert_eq!(r.body, json!([]));

    // The log: the stationed leader writes it, idempotently; a department does not.
    let leader = app.token(LEADER).await;
    let entry = json!({"id": "0193a000-2020-7000-8000-00000000c001", "on": "2020-03-05",
        "text": "走访三个村，召开座谈会"});
    let r = app
        .post(
            &leader,
            &format!("/api/v1/stationings/{id}/log"),
            entry.clone(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app
        .post(
            &leader,
            &format!("/api/v1/stationings/{id}/log"),
            entry.clone(),
        )
        .await;
    assert_eq!(r.status, 200, "a re-send is answered: {}", r.body);
    assert_eq!(r.body["log"].as_array().map(Vec::len), Some(1));
    let r = app
        .post(&rights, &format!("/api/v1/stationings/{id}/log"), entry)
        .await;
    assert_eq!(r.status, 403);

    // A stale update is 409 with the stationing as it is.
    let mut changed = body.clone();
    changed["version"] = json!(7);
    let r = app
        .put(&office, &format!("/api/v1/stationings/{id}"), changed)
        .await;
    assert_eq!((r.status, r.code()), (409, "stale_version"));
    assert_eq!(r.body["current"]["id"], json!(id));
    let mut changed = body;
    changed["version"] = json!(1);
    changed["to_on"] = json!("2020-09-30");
    let r = app
        .put(&office, &format!("/api/v1/stationings/{id}"), changed)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(app.audit_count(&id, "update"), 1);
}

async fn a_planned_inspection_is_hidden_from_the_county_until_filed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rights = app.token(RIGHTS).await;
    let county = app.token(COUNTY).await;
    let city = app.token(CITY_LEADER).await;
    let leader = app.token(LEADER).await;

    let r = app
        .post(
            &rights,
            "/api/v1/inspections",
            planned(&app, "43.rights", RIGHTS, "430381"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r);
    let path = format!("/api/v1/inspections/{id}");
    for (who, token) in [("county", &county), ("city", &city)] {
        let r = app.get(token, &path).await;
        assert_eq!(r.status, 404, "{who} must not see a planned inspection");
        let r = app.get(token, "/api/v1/inspections").await;
        assert!(!ids(&r).contains(&id), "{who} lists it: {}", r.body);
    }
    let r = app.get(&leader, &path).await;
    assert_eq!(r.status, 200, "the province sees it: {}", r.body);

    // Another department cannot change it; its own files it with two problems.
    let rehab = app.token(REHAB).await;
    let mut body = filed(
        &app,
        "43.rights",
        RIGHTS,
        "430381",
        "2020-05-12",
        &[VisitCheckItem::DrinkingWater, VisitCheckItem::Housing],
    );
    body["version"] = json!(1);
    let r = app.put(&rehab, &path, body.clone()).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app.put(&rights, &path, body.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "filed");
    let items: Vec<String> = r.body["checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["rectification_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(items.len(), 2, "{}", r.body);

    // Now the county and the city see it, and its problems are the county's items.
    let r = app.get(&county, &path).await;
    assert_eq!(r.status, 200);
    let r = app.get(&city, "/api/v1/inspections?area=430381").await;
    assert_eq!(ids(&r), vec![id.clone()]);
    for item in &items {
        let r = app
            .get(&county, &format!("/api/v1/rectification/items/{item}"))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["source"], "inspection");
        assert_eq!(r.body["source_id"], json!(id));
        assert_eq!(r.body["county_code"], "430381");
        assert_eq!(r.body["measure"], 22);
        assert_eq!(r.body["deadline"], "2020-06-11");
    }

    // Filed is final.
    body["version"] = json!(2);
    let r = app.put(&rights, &path, body).await;
    assert_eq!((r.status, r.code()), (409, "not_editable"));
    let r = app.delete(&rights, &format!("{path}?version=2")).await;
    assert_eq!((r.status, r.code()), (409, "not_editable"));
}

async fn inspections_are_checked_and_kept_by_their_department(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rights = app.token(RIGHTS).await;
    let county = app.token(COUNTY).await;

    // County staff do not inspect; a department records its own inspections only.
    let body = filed(&app, "43.rights", RIGHTS, "430381", "2020-05-12", &[]);
    let r = app.post(&county, "/api/v1/inspections", body.clone()).await;
    assert_eq!(r.status, 403);
    let other = filed(
        &app,
        "43.rehabilitation",
        RIGHTS,
        "430381",
        "2020-05-12",
        &[],
    );
    let r = app.post(&rights, "/api/v1/inspections", other).await;
    assert!(
        r.field_errors()
            .contains(&("department_code".into(), "outside_scope".into())),
        "{}",
        r.body
    );

    // Filing needs the visit; villages lie in the county.
    let mut incomplete = planned(&app, "43.rights", RIGHTS, "430381");
    incomplete["status"] = json!("filed");
    incomplete["villages"] = json!(villages_of(&app, "430181", 1));
    let r = app.post(&rights, "/api/v1/inspections", incomplete).await;
    assert_eq!(r.status, 422);
    let errs = r.field_errors();
    for want in [
        ("visited_on", "required"),
        ("households_visited", "required"),
        ("checks.food", "required"),
        ("villages[0]", "inconsistent"),
    ] {
        assert!(
            errs.contains(&(want.0.into(), want.1.into())),
            "{want:?} in {errs:?}"
        );
    }
    let mut future = body.clone();
    future["visited_on"] = json!("2999-01-01");
    future["county_code"] = json!("439999");
    let r = app.post(&rights, "/api/v1/inspections", future).await;
    let errs = r.field_errors();
    assert!(
        errs.contains(&("visited_on".into(), "in_future".into())),
        "{errs:?}"
    );
    assert!(
        errs.contains(&("county_code".into(), "not_found".into())),
        "{errs:?}"
    );

    // A filed create sent twice (a phone's retry) is one inspection, one item.
    let mut once = filed(
        &app,
        "43.rights",
        RIGHTS,
        "430381",
        "2020-05-12",
        &[VisitCheckItem::Education],
    );
    once["id"] = json!("0193a000-2020-7000-8000-00000000d001");
    let r = app.post(&rights, "/api/v1/inspections", once.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app.post(&rights, "/api/v1/inspections", once.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .get(&county, "/api/v1/rectification/items?source=inspection")
        .await;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.body
    );
    // The same id with another body is 409.
    once["households_visited"] = json!(9);
    let r = app.post(&rights, "/api/v1/inspections", once).await;
    assert_eq!((r.status, r.code()), (409, "id_conflict"));

    // A planned inspection can be deleted by its department, with the version seen.
    let r = app
        .post(
            &rights,
            "/api/v1/inspections",
            planned(&app, "43.rights", RIGHTS, "430302"),
        )
        .await;
    let id = id_of(&r);
    let r = app
        .delete(&rights, &format!("/api/v1/inspections/{id}?version=3"))
        .await;
    assert_eq!((r.status, r.code()), (409, "stale_version"));
    let r = app
        .delete(&rights, &format!("/api/v1/inspections/{id}?version=1"))
        .await;
    assert_eq!(r.status, 204);
    let r = app.get(&rights, &format!("/api/v1/inspections/{id}")).await;
    assert_eq!(r.status, 404);
}

async fn the_matrix_matches_a_hand_count(backend: Backend) {
    let app = TestApp::new(backend).await;
    let office = app.token(OFFICE).await;
    let rights = app.token(RIGHTS).await;
    let rehab = app.token(REHAB).await;
    // 2020: stationed in 湘乡市 (rights, rehabilitation tasked) and 浏阳市 (rights).
    for (county, departments) in [
        ("430381", vec!["43.rights", "43.rehabilitation"]),
        ("430181", vec!["43.rights"]),
    ] {
        let r = app
            .post(
                &office,
                "/api/v1/stationings",
                stationing(&app, county, &departments, "2020-03-01"),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let counties = counties_of(&app, "4303");
    let (a, b) = (counties[0].clone(), counties[1].clone());
    // Counted: rights → a twice, rehab → a once, rights → b once.
    for (token, dept, leader, county, on) in [
        (&rights, "43.rights", RIGHTS, &a, "2020-04-01"),
        (&rights, "43.rights", RIGHTS, &a, "2020-07-01"),
        (&rehab, "43.rehabilitation", REHAB, &a, "2020-05-01"),
        (&rights, "43.rights", RIGHTS, &b, "2020-08-01"),
        // Not counted: another year, a stationed county, a department not tasked.
        (&rights, "43.rights", RIGHTS, &b, "2019-12-31"),
        (
            &rights,
            "43.rights",
            RIGHTS,
            &"430381".to_owned(),
            "2020-08-01",
        ),
        (&office, "43.poverty_office", OFFICE, &a, "2020-08-01"),
    ] {
        let r = app
            .post(
                token,
                "/api/v1/inspections",
                filed(&app, dept, leader, county, on, &[]),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // Not counted: planned.
    let r = app
        .post(
            &rights,
            "/api/v1/inspections",
            planned(&app, "43.rights", RIGHTS, &b),
        )
        .await;
    assert_eq!(r.status, 201);

    let leader = app.token(LEADER).await;
    let r = app
        .get(&leader, "/api/v1/kpi/inspections?year=2020&region=4303")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let m = &r.body;
    let departments: Vec<&str> = m["departments"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(departments, ["43.rehabilitation", "43.rights"]);
    let columns: Vec<&str> = m["counties"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["code"].as_str()).collect())
        .unwrap_or_default();
    let expected: Vec<&str> = counties
        .iter()
        .map(String::as_str)
        .filter(|c| *c != "430381")
        .collect();
    assert_eq!(
        columns, expected,
        "every county of 湘潭 but the stationed one"
    );
    assert_eq!(m["stationed"][0]["code"], "430381");
    let col = |c: &str| columns.iter().position(|x| *x == c).unwrap_or(usize::MAX);
    assert_eq!(m["filed"][1][col(&a)], 2, "rights → {a}");
    assert_eq!(m["filed"][0][col(&a)], 1, "rehabilitation → {a}");
    assert_eq!(m["filed"][1][col(&b)], 1, "rights → {b}");
    assert_eq!(m["filed"][0][col(&b)], 0, "rehabilitation → {b}");
    assert_eq!(m["covered"], 3);
    assert_eq!(m["cells"], json!(2 * expected.len()));

    // A city leader sees their city, not another.
    let city = app.token(CITY_LEADER).await;
    let r = app.get(&city, "/api/v1/kpi/inspections?year=2020").await;
    assert_eq!((r.status, r.body["covered"].clone()), (200, json!(3)));
    let r = app
        .get(&city, "/api/v1/kpi/inspections?year=2020&region=4301")
        .await;
    assert_eq!(r.status, 404);
}

fn clue(county: &str, implicated_unit: Option<&str>, implicated_user: Option<String>) -> Value {
    json!({"source": "visit", "kind": "misuse_of_funds", "received_on": "2020-04-02",
        "county_code": county, "implicated_unit": implicated_unit,
        "implicated_user_id": implicated_user, "implicated_person": "某村干部",
        "description": "截留残疾人两项补贴"})
}

fn audited_reads(app: &TestApp, id: &str) -> i64 {
    app.audit_count(id, "reveal")
}

async fn clues_are_hidden_from_the_implicated_and_every_read_is_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let office = app.token(OFFICE).await;
    let leader = app.token(LEADER).await;
    let city = app.token(CITY_LEADER).await;

    // County staff and the departments do not hold read_clues.
    for who in [COUNTY, RIGHTS, "xiangtan.staff"] {
        let token = app.token(who).await;
        let r = app.get(&token, "/api/v1/clues").await;
        assert_eq!(r.status, 403, "{who}");
        let r = app
            .post(&token, "/api/v1/clues", clue("430381", None, None))
            .await;
        assert_eq!(r.status, 403, "{who}");
    }

    // A clue implicating the city's DPF: the province sees it, the city's leader never.
    let r = app
        .post(&office, "/api/v1/clues", clue("430381", Some("4303"), None))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let about_city = id_of(&r);
    // A clue implicating the city's leader in person.
    let r = app
        .post(
            &office,
            "/api/v1/clues",
            clue("430381", None, Some(user_id(&app, CITY_LEADER))),
        )
        .await;
    let about_leader = id_of(&r);
    // A clue about a village cadre of 湘乡市: the city's leader reads it.
    let r = app
        .post(&office, "/api/v1/clues", clue("430381", None, None))
        .await;
    let plain = id_of(&r);

    for id in [&about_city, &about_leader] {
        let r = app.get(&city, &format!("/api/v1/clues/{id}")).await;
        assert_eq!(r.status, 404, "the implicated never see it");
    }
    let r = app.get(&city, "/api/v1/clues").await;
    assert_eq!(ids(&r), vec![plain.clone()]);
    let r = app.get(&city, &format!("/api/v1/clues/{plain}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["allowed_actions"],
        json!([]),
        "leaders read, the office writes"
    );
    // The refused reads left no trace of content; the list and the get were audited.
    assert_eq!(audited_reads(&app, &plain), 2);
    assert_eq!(audited_reads(&app, &about_city), 0);

    let r = app.get(&leader, "/api/v1/clues").await;
    assert_eq!(ids(&r).len(), 3);
    assert_eq!(audited_reads(&app, &about_city), 1);
    // The audit entries sit at the province: no county auditor learns of a clue.
    use crate::db::schema::audit_log;
    let regions: Vec<Option<String>> = audit_log::table
        .filter(audit_log::entity_type.eq("clue"))
        .select(audit_log::county_code)
        .load(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(regions.iter().all(Option::is_none), "{regions:?}");

    // The office does not implicate itself (its clues go to the leaders).
    let r = app
        .post(
            &office,
            "/api/v1/clues",
            clue("430381", Some("43.poverty_office"), None),
        )
        .await;
    assert!(
        r.field_errors()
            .contains(&("implicated_unit".into(), "own_unit".into())),
        "{}",
        r.body
    );
    let r = app
        .post(&office, "/api/v1/clues", clue("430381", Some("43"), None))
        .await;
    assert!(
        r.field_errors()
            .contains(&("implicated_unit".into(), "own_unit".into())),
        "{}",
        r.body
    );
}

async fn clue_steps_follow_the_ledger(backend: Backend) {
    let app = TestApp::new(backend).await;
    let office = app.token(OFFICE).await;
    let r = app
        .post(&office, "/api/v1/clues", clue("430381", None, None))
        .await;
    let id = id_of(&r);
    assert_eq!(r.body["allowed_actions"], json!(["refer", "close"]));
    let path = format!("/api/v1/clues/{id}/actions");

    let r = app
        .post(
            &office,
            &path,
            json!({"action": "refer", "version": 1, "on": "2020-04-05"}),
        )
        .await;
    assert!(
        r.field_errors()
            .contains(&("reference".into(), "required".into())),
        "{}",
        r.body
    );
    let r = app
        .post(
            &office,
            &path,
            json!({"action": "feedback", "version": 1, "on": "2020-04-05", "note": "x"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "invalid_transition"));
    let r = app
        .post(&office, &path, json!({"action": "refer", "version": 1, "on": "2020-04-05", "reference": "湘纪〔2020〕12号"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "referred");
    let r = app
        .post(
            &office,
            &path,
            json!({"action": "close", "version": 2, "note": "结案"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "invalid_transition"),
        "a referred clue awaits feedback"
    );
    let r = app
        .post(
            &office,
            &path,
            json!({"action": "feedback", "version": 1, "on": "2020-05-01", "note": "已立案"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "stale_version"));
    let r = app
        .post(&office, &path, json!({"action": "feedback", "version": 2, "on": "2020-05-01", "note": "已立案，给予处分"}))
        .await;
    assert_eq!(r.body["status"], "feedback_received", "{}", r.body);
    let r = app
        .post(
            &office,
            &path,
            json!({"action": "close", "version": 3, "note": "处理完毕"}),
        )
        .await;
    assert_eq!(r.body["status"], "closed", "{}", r.body);
    assert_eq!(r.body["allowed_actions"], json!([]));
    assert_eq!(r.body["reference"], "湘纪〔2020〕12号");
    assert_eq!(app.audit_count(&id, "update"), 3);
}

async fn the_demo_stations_inspects_and_records_a_clue(backend: Backend) {
    let app = TestApp::new(backend).await;
    let n = crate::demo::seed_supervision(&mut app.conn(), &app.state.pii)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 5);
    let leader = app.token(LEADER).await;
    let r = app.get(&leader, "/api/v1/stationings?year=2020").await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{}", r.body);
    assert_eq!(r.body[0]["log"].as_array().map(Vec::len), Some(1));
    let r = app.get(&leader, "/api/v1/inspections?year=2020").await;
    assert_eq!(ids(&r).len(), 2, "the province sees the planned one too");
    let liuyang = app.token("liuyang.staff").await;
    let r = app.get(&liuyang, "/api/v1/inspections").await;
    assert_eq!(
        ids(&r).len(),
        1,
        "浏阳 sees its filed inspection: {}",
        r.body
    );
    let r = app
        .get(&liuyang, "/api/v1/rectification/items?source=inspection")
        .await;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.body
    );
    let r = app.get(&leader, "/api/v1/clues").await;
    assert_eq!(ids(&r).len(), 1);
}

/// Holes an attack review found, each closed.
async fn review_holes_stay_closed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let office = app.token(OFFICE).await;
    let rights = app.token(RIGHTS).await;
    app.add_user("xiangxiang.leader", "430381", "leader");
    app.add_user("xiangxiang.deputy", "430381", "leader");
    let county_leader = app.token("xiangxiang.leader").await;

    // A clue implicating the city's DPF is hidden from the DPFs of its counties too.
    let r = app
        .post(&office, "/api/v1/clues", clue("430381", Some("4303"), None))
        .await;
    let about_city = id_of(&r);
    let r = app
        .get(&county_leader, &format!("/api/v1/clues/{about_city}"))
        .await;
    assert_eq!(r.status, 404);
    // A clue naming only a user is hidden from the user's colleagues as well.
    let r = app
        .post(
            &office,
            "/api/v1/clues",
            clue("430381", None, Some(user_id(&app, "xiangxiang.deputy"))),
        )
        .await;
    assert_eq!(r.body["implicated_unit"], "430381", "{}", r.body);
    let r = app
        .get(&county_leader, &format!("/api/v1/clues/{}", id_of(&r)))
        .await;
    assert_eq!(r.status, 404);
    // The implicated unit belongs to the clue's county, its city or the province.
    let r = app
        .post(&office, "/api/v1/clues", clue("430381", Some("4301"), None))
        .await;
    assert!(
        r.field_errors()
            .contains(&("implicated_unit".into(), "inconsistent".into())),
        "{}",
        r.body
    );
    // Codes with a NUL or of the wrong shape are refused before any query.
    let r = app
        .post(
            &office,
            "/api/v1/clues",
            clue("430381", Some("43.\u{0}"), None),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = app.get(&rights, "/api/v1/inspections?department=%00").await;
    assert_eq!(r.status, 422, "{}", r.body);
    let mut body = filed(&app, "43.rights", RIGHTS, "430381", "2020-05-12", &[]);
    body["department_code"] = json!("43.\u{0}");
    let r = app.post(&rights, "/api/v1/inspections", body).await;
    assert!(
        r.field_errors()
            .contains(&("department_code".into(), "invalid_value".into())),
        "{}",
        r.body
    );
    // A huge village list is 422, not a database error.
    let mut body = filed(&app, "43.rights", RIGHTS, "430381", "2020-05-12", &[]);
    body["villages"] = json!(vec!["1"; 40_000]);
    let r = app.post(&rights, "/api/v1/inspections", body).await;
    assert!(
        r.field_errors()
            .contains(&("villages".into(), "too_many".into())),
        "{}",
        r.body
    );
    // The leader of an inspection belongs to the department (or leads the province).
    let body = filed(&app, "43.rights", REHAB, "430381", "2020-05-12", &[]);
    let r = app.post(&rights, "/api/v1/inspections", body).await;
    assert!(
        r.field_errors()
            .contains(&("leader_id".into(), "invalid_value".into())),
        "{}",
        r.body
    );
    // Nobody names an inspection as the source of an item by hand.
    let r = app
        .post(
            &rights,
            "/api/v1/inspections",
            filed(&app, "43.rights", RIGHTS, "430381", "2020-05-12", &[]),
        )
        .await;
    let inspection = id_of(&r);
    let county = app.token(COUNTY).await;
    let r = app
        .post(
            &county,
            "/api/v1/rectification/items",
            json!({"source": "inspection", "source_id": inspection, "county_code": "430381",
                "category": "housing", "description": "伪造", "found_on": "2020-05-12",
                "deadline": "2020-06-12"}),
        )
        .await;
    assert!(
        r.field_errors()
            .contains(&("source_id".into(), "invalid_value".into())),
        "{}",
        r.body
    );
    // A log entry lies within the stationing; the matrix of an unknown region is 404.
    let r = app
        .post(
            &office,
            "/api/v1/stationings",
            stationing(&app, "430381", &["43.rights"], "2020-03-01"),
        )
        .await;
    let id = id_of(&r);
    let r = app
        .post(
            &office,
            &format!("/api/v1/stationings/{id}/log"),
            json!({"on": "2021-01-05", "text": "走访"}),
        )
        .await;
    assert!(
        r.field_errors()
            .contains(&("on".into(), "out_of_range".into())),
        "{}",
        r.body
    );
    let leader = app.token(LEADER).await;
    let r = app
        .get(&leader, "/api/v1/kpi/inspections?year=2020&region=439999")
        .await;
    assert_eq!(r.status, 404);
    // A list audits the clues it answers, not the one fetched to find the next page.
    let r = app.get(&leader, "/api/v1/clues?limit=1").await;
    assert_eq!(ids(&r).len(), 1);
    let reads: i64 = {
        use crate::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::entity_type.eq("clue"))
            .filter(audit_log::action.eq("reveal"))
            .count()
            .get_result(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(reads, 1);
}

async fn pickers_offer_the_leaders_and_the_department_s_cadres(backend: Backend) {
    let app = TestApp::new(backend).await;
    let office = app.token(OFFICE).await;
    let rights = app.token(RIGHTS).await;
    let names = |r: &Resp| -> Vec<String> {
        r.body
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let r = app
        .get(&office, "/api/v1/supervision/people?kind=leaders")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let leaders = names(&r);
    assert!(leaders.contains(&user_id(&app, LEADER)));
    assert!(!leaders.contains(&user_id(&app, RIGHTS)), "not a leader");
    assert!(
        !leaders.contains(&user_id(&app, CITY_LEADER)),
        "not of the province"
    );
    let r = app
        .get(&rights, "/api/v1/supervision/people?kind=leaders")
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .get(&rights, "/api/v1/supervision/people?kind=inspectors")
        .await;
    let inspectors = names(&r);
    assert!(inspectors.contains(&user_id(&app, RIGHTS)));
    assert!(inspectors.contains(&user_id(&app, LEADER)));
    assert!(
        !inspectors.contains(&user_id(&app, REHAB)),
        "another department"
    );
    let r = app
        .get(
            &rights,
            "/api/v1/supervision/people?kind=inspectors&department=43.rehabilitation",
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .get(
            &office,
            "/api/v1/supervision/people?kind=inspectors&department=43.rehabilitation",
        )
        .await;
    assert!(names(&r).contains(&user_id(&app, REHAB)));
    let r = app
        .get(&office, "/api/v1/supervision/people?kind=nobody")
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
}

/// A phone that sends the same create several times at once (retries over a slow
/// network): one record, answered 201 once and 200 otherwise, on both databases.
async fn two_sends_at_once_make_one_record(backend: Backend) {
    let app = TestApp::new(backend).await;
    let rights = app.token(RIGHTS).await;
    for n in 0..5 {
        let mut body = filed(
            &app,
            "43.rights",
            RIGHTS,
            "430381",
            "2020-05-12",
            &[VisitCheckItem::Housing],
        );
        body["id"] = json!(format!("0193a000-2020-7000-8000-00000000e00{n}"));
        let sends = (0..8).map(|_| app.post(&rights, "/api/v1/inspections", body.clone()));
        let answers = futures_util::future::join_all(sends).await;
        let mut statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [200, 200, 200, 200, 200, 200, 200, 201],
            "{:?}",
            answers.iter().map(|r| &r.body).collect::<Vec<_>>()
        );
    }
    let county = app.token(COUNTY).await;
    let r = app
        .get(&county, "/api/v1/rectification/items?source=inspection")
        .await;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(5),
        "{}",
        r.body
    );
}
