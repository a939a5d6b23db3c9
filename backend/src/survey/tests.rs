//! HTTP tests of measure 7 (survey rounds, surveys, problems, progress, household plans),
//! each on SQLite and on PostgreSQL.

use serde_json::{json, Value};
use shared::visits::VisitCheckItem;
use shared::PovertyStatus;

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, Resp, TestApp};

db_tests!(
    rounds_are_opened_by_the_data_office_for_its_counties,
    one_survey_per_person_per_round_and_its_problems,
    progress_work_list_and_problem_list_per_unit,
    one_plan_per_household,
    the_demo_surveys_xiangxiang,
);

/// County staff of 湘乡市.
const STAFF: &str = "xiangxiang.staff";
/// The provincial data update office.
const OFFICE: &str = "data";

fn id_of(r: &Resp) -> String {
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

fn person(app: &TestApp, county: &str) -> String {
    PersonBuilder::new()
        .county(county)
        .create(app)
        .id
        .to_string()
}

/// Opens a round of 2020 over `area` assigning `units`; answers its id.
async fn open_round(app: &TestApp, area: &str, units: &[&str]) -> String {
    let office = app.token(OFFICE).await;
    let r = app
        .post(
            &office,
            "/api/v1/survey-rounds",
            json!({"title": "2020年摸底排查", "from_on": "2020-03-01", "to_on": "2020-12-31",
                "area_code": area, "units": units}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    id_of(&r)
}

/// A survey body with every check ok but those in `problems`.
fn survey(round: &str, person: &str, on: &str, problems: &[VisitCheckItem]) -> Value {
    let checks: Vec<Value> = VisitCheckItem::ALL
        .iter()
        .map(|i| {
            if problems.contains(i) {
                json!({"item": i, "result": "problem", "note": "土坯房漏雨"})
            } else {
                json!({"item": i, "result": "ok"})
            }
        })
        .collect();
    json!({"round_id": round, "person_id": person, "surveyed_on": on, "checks": checks,
        "policies": ["living_subsidy", "medical_insurance"]})
}

/// The rectification items a survey opened: (source, category, measure).
fn items_of(app: &TestApp, survey: &str) -> Vec<(String, String, Option<i32>)> {
    use crate::db::schema::rectification_items as r;
    use diesel::prelude::*;
    r::table
        .filter(r::source_id.eq(survey))
        .order(r::category.asc())
        .select((r::source, r::category, r::measure))
        .load(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().cloned().unwrap_or_default()
}

async fn rounds_are_opened_by_the_data_office_for_its_counties(backend: Backend) {
    let app = TestApp::new(backend).await;
    let office = app.token(OFFICE).await;
    let body = json!({"id": "0191d7a4-0000-7000-8000-000000000001", "title": "湘潭市摸底排查",
        "from_on": "2020-03-01", "to_on": "2020-06-30", "area_code": "4303"});
    // Only the data update office opens rounds.
    for who in [STAFF, "xiangtan.leader", "poverty"] {
        let t = app.token(who).await;
        let r = app.post(&t, "/api/v1/survey-rounds", body.clone()).await;
        assert_eq!(r.status, 403, "{who}: {}", r.body);
    }
    let r = app
        .post(&office, "/api/v1/survey-rounds", body.clone())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r);
    // No county named: every county of 湘潭市 is assigned, and nothing outside it.
    let units: Vec<String> = r.body["units"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|u| u.as_str().map(str::to_owned))
        .collect();
    assert!(units.contains(&"430381".to_owned()), "{units:?}");
    assert!(units.len() >= 5, "{units:?}");
    assert!(units.iter().all(|u| u.len() == 6 && u.starts_with("4303")));
    assert_eq!(app.audit_count(&id, "create"), 1);
    // A retry is answered with the round; the id with another body is a conflict.
    let r = app
        .post(&office, "/api/v1/survey-rounds", body.clone())
        .await;
    assert_eq!((r.status, id_of(&r)), (200, id.clone()), "{}", r.body);
    let mut other = body.clone();
    other["title"] = json!("另一轮");
    let r = app.post(&office, "/api/v1/survey-rounds", other).await;
    assert_eq!((r.status, r.code()), (409, "id_conflict"), "{}", r.body);
    // Counties outside the area, twice, or not counties at all are refused by field.
    let r = app
        .post(
            &office,
            "/api/v1/survey-rounds",
            json!({"title": "x", "from_on": "2020-03-01", "to_on": "2020-02-01",
                "area_code": "4303", "units": ["430181", "430381", "430381", "439999"]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let errs = r.field_errors();
    for e in [
        ("to_on", "before_start"),
        ("units[0]", "outside_area"),
        ("units[2]", "duplicate"),
    ] {
        assert!(errs.contains(&(e.0.into(), e.1.into())), "{e:?}: {errs:?}");
    }
    let r = app
        .post(
            &office,
            "/api/v1/survey-rounds",
            json!({"title": "x", "from_on": "2020-03-01", "to_on": "2020-04-01",
                "area_code": "4303", "units": ["430399"]}),
        )
        .await;
    assert!(r
        .field_errors()
        .contains(&("units[0]".into(), "not_found".into())));
    // Readers see the rounds of their area and above; another city's staff do not.
    let staff = app.token(STAFF).await;
    let r = app.get(&staff, "/api/v1/survey-rounds").await;
    assert_eq!(items(&r.body).len(), 1, "{}", r.body);
    let liuyang = app.token("liuyang.staff").await;
    let r = app.get(&liuyang, "/api/v1/survey-rounds").await;
    assert_eq!(items(&r.body).len(), 0, "{}", r.body);
    let r = app
        .get(&liuyang, &format!("/api/v1/survey-rounds/{id}"))
        .await;
    assert_eq!(r.status, 404);
    // The province's round is seen by everyone below it, latest first, page by page.
    let province = open_round(&app, "43", &[]).await;
    let r = app.get(&liuyang, "/api/v1/survey-rounds").await;
    assert_eq!(items(&r.body)[0]["id"], json!(province));
    let r = app.get(&staff, "/api/v1/survey-rounds?limit=1").await;
    assert_eq!(items(&r.body).len(), 1);
    let cursor = r.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .get(
            &staff,
            &format!("/api/v1/survey-rounds?limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let seen: Vec<Value> = items(&r.body);
    assert_eq!(seen.len(), 1);
    assert_ne!(seen[0]["id"], json!(province));
    // A forged cursor is a field error, even with a year PostgreSQL cannot hold.
    use base64::Engine;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("-100000-01-01/x");
    let r = app
        .get(&staff, &format!("/api/v1/survey-rounds?cursor={forged}"))
        .await;
    assert!(r
        .field_errors()
        .contains(&("cursor".into(), "invalid_cursor".into())));
}

async fn one_survey_per_person_per_round_and_its_problems(backend: Backend) {
    let app = TestApp::new(backend).await;
    let round = open_round(&app, "43", &["430381"]).await;
    let staff = app.token(STAFF).await;
    let a = person(&app, "430381");
    let liuyang_person = person(&app, "430181");
    let not_poor = PersonBuilder::new()
        .registered_poor(false)
        .status(PovertyStatus::None)
        .create(&app)
        .id
        .to_string();
    let body = {
        let mut b = survey(&round, &a, "2020-04-01", &[VisitCheckItem::Housing]);
        b["id"] = json!("0191d7a4-0000-7000-8000-00000000000a");
        b
    };
    // Who may not record it.
    for who in ["xiangxiang.rehab", "leader", OFFICE, "xiangtan.staff"] {
        let t = app.token(who).await;
        let r = app.post(&t, "/api/v1/surveys", body.clone()).await;
        assert_eq!(r.status, 403, "{who}: {}", r.body);
    }
    let r = app.post(&staff, "/api/v1/surveys", body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r);
    assert_eq!(r.body["surveyed_by"], STAFF);
    assert_eq!(r.body["county_code"], "430381");
    let housing = &r.body["checks"][4];
    assert_eq!(housing["item"], "housing");
    assert!(housing["rectification_id"].is_string(), "{}", r.body);
    assert!(r.body["checks"][0]["rectification_id"].is_null());
    assert_eq!(
        items_of(&app, &id),
        vec![("self_check".into(), "housing".into(), Some(7))]
    );
    assert_eq!(app.audit_count(&id, "create"), 1);
    // A re-send from the phone answers the stored survey and opens nothing more.
    let r = app.post(&staff, "/api/v1/surveys", body.clone()).await;
    assert_eq!((r.status, id_of(&r)), (200, id.clone()), "{}", r.body);
    assert_eq!(items_of(&app, &id).len(), 1);
    // A second survey of the person in the round is a conflict.
    let r = app
        .post(
            &staff,
            "/api/v1/surveys",
            survey(&round, &a, "2020-04-02", &[]),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "duplicate"), "{}", r.body);
    // Bad input changes nothing and names its field.
    let cases = [
        (
            survey(&round, &not_poor, "2020-04-01", &[]),
            "person_id",
            "not_registered_poor",
        ),
        (
            survey(&round, &liuyang_person, "2020-04-01", &[]),
            "person_id",
            "not_found",
        ),
        (
            survey(&round, &person(&app, "430381"), "2020-01-01", &[]),
            "surveyed_on",
            "out_of_range",
        ),
        (
            survey(&round, &person(&app, "430381"), "2999-01-01", &[]),
            "surveyed_on",
            "in_future",
        ),
        (survey(&a, &a, "2020-04-01", &[]), "round_id", "not_found"),
    ];
    for (b, field, code) in cases {
        let r = app.post(&staff, "/api/v1/surveys", b).await;
        assert_eq!(r.status, 422, "{field}: {}", r.body);
        assert!(
            r.field_errors().contains(&(field.into(), code.into())),
            "{field} {code}: {}",
            r.body
        );
    }
    let mut no_note = survey(&round, &person(&app, "430381"), "2020-04-01", &[]);
    no_note["checks"][1] = json!({"item": "clothing", "result": "problem"});
    let r = app.post(&staff, "/api/v1/surveys", no_note).await;
    assert!(r
        .field_errors()
        .contains(&("checks[1].note".into(), "required".into())));
    // A county not assigned to the round does not survey there.
    let liuyang = app.token("liuyang.staff").await;
    let r = app
        .post(
            &liuyang,
            "/api/v1/surveys",
            survey(&round, &liuyang_person, "2020-04-01", &[]),
        )
        .await;
    assert!(
        r.field_errors()
            .contains(&("person_id".into(), "outside_area".into())),
        "{}",
        r.body
    );
    let r = app.get(&liuyang, &format!("/api/v1/surveys/{id}")).await;
    assert_eq!(r.status, 404);
    // Updates carry the version; a new problem opens its item, the old one keeps its own.
    let mut changed = survey(
        &round,
        &a,
        "2020-04-03",
        &[VisitCheckItem::Housing, VisitCheckItem::Food],
    );
    changed["version"] = json!(7);
    let r = app
        .put(&staff, &format!("/api/v1/surveys/{id}"), changed.clone())
        .await;
    assert_eq!((r.status, r.code()), (409, "stale_version"), "{}", r.body);
    assert_eq!(r.body["current"]["version"], 1);
    changed["version"] = json!(1);
    let r = app
        .put(&staff, &format!("/api/v1/surveys/{id}"), changed.clone())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(
        r.body["checks"][4]["rectification_id"],
        housing["rectification_id"]
    );
    assert_eq!(items_of(&app, &id).len(), 2);
    // A problem found before keeps its item even once closed; found again after an ok,
    // it opens a new one rather than hide behind the closed item.
    let first_item = housing["rectification_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    {
        use crate::db::schema::rectification_items as ri;
        use diesel::prelude::*;
        diesel::update(ri::table.filter(ri::id.eq(&first_item)))
            .set(ri::status.eq("closed"))
            .execute(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut again = changed.clone();
    again["version"] = json!(2);
    again["note"] = json!("复核");
    let r = app
        .put(&staff, &format!("/api/v1/surveys/{id}"), again.clone())
        .await;
    assert_eq!(
        r.body["checks"][4]["rectification_id"],
        json!(first_item),
        "{}",
        r.body
    );
    again["version"] = json!(3);
    again["checks"][4] = json!({"item": "housing", "result": "ok"});
    let r = app
        .put(&staff, &format!("/api/v1/surveys/{id}"), again.clone())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    again["version"] = json!(4);
    again["checks"][4] = json!({"item": "housing", "result": "problem", "note": "又漏雨"});
    let r = app
        .put(&staff, &format!("/api/v1/surveys/{id}"), again)
        .await;
    let reopened = r.body["checks"][4]["rectification_id"].clone();
    assert!(
        reopened.is_string() && reopened != json!(first_item),
        "{}",
        r.body
    );
    assert_eq!(items_of(&app, &id).len(), 3);
    changed["person_id"] = json!(person(&app, "430381"));
    changed["version"] = json!(5);
    let r = app
        .put(&staff, &format!("/api/v1/surveys/{id}"), changed)
        .await;
    assert!(r
        .field_errors()
        .contains(&("person_id".into(), "immutable".into())));
}

async fn progress_work_list_and_problem_list_per_unit(backend: Backend) {
    let app = TestApp::new(backend).await;
    let round = open_round(&app, "43", &["430381", "430302"]).await;
    let staff = app.token(STAFF).await;
    let a = person(&app, "430381");
    let b = person(&app, "430381");
    let c = person(&app, "430302");
    // Lifted: not to survey, unless surveyed.
    let lifted = PersonBuilder::new()
        .status(PovertyStatus::Lifted)
        .create(&app)
        .id
        .to_string();
    let _other_city = person(&app, "430181");
    for (p, problems) in [
        (&a, vec![VisitCheckItem::Housing, VisitCheckItem::Medical]),
        (&lifted, vec![]),
    ] {
        let r = app
            .post(
                &staff,
                "/api/v1/surveys",
                survey(&round, p, "2020-05-01", &problems),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // The county: to survey a, b and the surveyed lifted person; two surveyed; two problems.
    let r = app
        .get(&staff, &format!("/api/v1/survey-rounds/{round}/progress"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = &r.body["total"];
    assert_eq!(
        (
            t["unit_code"].clone(),
            t["to_survey"].clone(),
            t["surveyed"].clone()
        ),
        (json!("430381"), json!(3), json!(2))
    );
    assert_eq!(
        (t["problems"].clone(), t["problems_closed"].clone()),
        (json!(2), json!(0))
    );
    // The province: one city below it, with both counties' persons.
    let leader = app.token("leader").await;
    let r = app
        .get(&leader, &format!("/api/v1/survey-rounds/{round}/progress"))
        .await;
    assert_eq!(r.body["total"]["to_survey"], 4, "{}", r.body);
    let children = r.body["children"].as_array().cloned().unwrap_or_default();
    assert_eq!(children.len(), 1, "{}", r.body);
    assert_eq!(children[0]["unit_code"], "4303");
    assert_eq!(children[0]["unit_name"], "湘潭市");
    let r = app
        .get(
            &leader,
            &format!("/api/v1/survey-rounds/{round}/progress?area=4303"),
        )
        .await;
    let children = r.body["children"].as_array().cloned().unwrap_or_default();
    assert_eq!(children.len(), 2, "{}", r.body);
    // A county asks only for itself.
    let r = app
        .get(
            &staff,
            &format!("/api/v1/survey-rounds/{round}/progress?area=4303"),
        )
        .await;
    assert!(r
        .field_errors()
        .contains(&("area".into(), "outside_scope".into())));
    // The work list: still to survey, and surveyed with their problems.
    let r = app
        .get(
            &staff,
            &format!("/api/v1/survey-rounds/{round}/persons?surveyed=false"),
        )
        .await;
    let ids: Vec<Value> = items(&r.body)
        .iter()
        .map(|p| p["person_id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(b)], "{}", r.body);
    let r = app
        .get(
            &staff,
            &format!("/api/v1/survey-rounds/{round}/persons?surveyed=true"),
        )
        .await;
    let done = items(&r.body);
    assert_eq!(done.len(), 2, "{}", r.body);
    let of_a = done.iter().find(|p| p["person_id"] == json!(a));
    assert_eq!(of_a.map(|p| p["problems"].clone()), Some(json!(2)));
    assert!(of_a.is_some_and(|p| p["survey_id"].is_string()));
    // The problem list; closing one shows in the list and in the progress.
    let r = app
        .get(
            &staff,
            &format!("/api/v1/survey-rounds/{round}/problems?open=true&limit=1"),
        )
        .await;
    assert_eq!(items(&r.body).len(), 1, "{}", r.body);
    let cursor = r.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r2 = app
        .get(
            &staff,
            &format!("/api/v1/survey-rounds/{round}/problems?open=true&limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(items(&r2.body).len(), 1, "{}", r2.body);
    assert_ne!(items(&r.body)[0]["item"], items(&r2.body)[0]["item"]);
    let first = items(&r.body)[0].clone();
    assert_eq!(first["person_id"], json!(a));
    assert_eq!(first["status"], "open");
    {
        use crate::db::schema::rectification_items as ri;
        use diesel::prelude::*;
        diesel::update(
            ri::table.filter(ri::id.eq(first["rectification_id"].as_str().unwrap_or_default())),
        )
        .set(ri::status.eq("closed"))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let r = app
        .get(
            &staff,
            &format!("/api/v1/survey-rounds/{round}/problems?open=true"),
        )
        .await;
    assert_eq!(items(&r.body).len(), 1, "{}", r.body);
    let r = app
        .get(&staff, &format!("/api/v1/survey-rounds/{round}/progress"))
        .await;
    assert_eq!(r.body["total"]["problems_closed"], 1);
    // Another county sees none of it.
    let other = app.token("xiangtan.staff").await;
    let r = app
        .get(
            &other,
            &format!("/api/v1/survey-rounds/{round}/problems?area=430302"),
        )
        .await;
    assert_eq!(items(&r.body).len(), 0, "{}", r.body);
    let _ = c;
}

async fn one_plan_per_household(backend: Backend) {
    let app = TestApp::new(backend).await;
    let staff = app.token(STAFF).await;
    let p1 = PersonBuilder::new()
        .household("HH-7")
        .create(&app)
        .id
        .to_string();
    let p2 = PersonBuilder::new()
        .household("HH-7")
        .create(&app)
        .id
        .to_string();
    let alone = person(&app, "430381");
    let url = |p: &str| format!("/api/v1/persons/{p}/household-plan");
    let plan = json!({"measures": [
        {"measure": "纳入危房改造", "responsible_unit": "住建局", "due_on": "2020-01-31"},
        {"measure": "申报护理补贴", "responsible_unit": "民政局", "due_on": "2020-06-30",
            "done_on": "2020-05-01"}
    ], "note": "住房优先"});
    let r = app.get(&staff, &url(&p1)).await;
    assert_eq!(r.status, 404);
    let rehab = app.token("xiangxiang.rehab").await;
    let r = app.put(&rehab, &url(&p1), plan.clone()).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app.put(&staff, &url(&p1), json!({"measures": []})).await;
    assert!(r
        .field_errors()
        .contains(&("measures".into(), "required".into())));
    let r = app.put(&staff, &url(&p1), plan.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let plan_id = id_of(&r);
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["overdue"], 1);
    assert_eq!(r.body["household_number"], "HH-7");
    assert_eq!(app.audit_count(&plan_id, "create"), 1);
    // The other member of the household reaches the same plan; a second "new" plan is stale.
    let r = app.get(&staff, &url(&p2)).await;
    assert_eq!(id_of(&r), plan_id, "{}", r.body);
    // A retry of the new plan (its answer lost) is answered with it; another "new" plan
    // for the household is stale.
    let r = app.put(&staff, &url(&p1), plan.clone()).await;
    assert_eq!(
        (r.status, r.body["version"].clone()),
        (200, json!(1)),
        "{}",
        r.body
    );
    let mut other = plan.clone();
    other["note"] = json!("另一份");
    let r = app.put(&staff, &url(&p2), other).await;
    assert_eq!((r.status, r.code()), (409, "stale_version"), "{}", r.body);
    let mut next = plan.clone();
    next["version"] = json!(1);
    next["measures"][0]["done_on"] = json!("2020-02-10");
    let r = app.put(&staff, &url(&p2), next.clone()).await;
    assert_eq!(
        (r.status, r.body["version"].clone()),
        (200, json!(2)),
        "{}",
        r.body
    );
    assert_eq!(r.body["overdue"], 0);
    assert_eq!(r.body["measures"][0]["done_on"], "2020-02-10");
    let r = app.put(&staff, &url(&p2), next).await;
    assert_eq!(r.status, 409, "{}", r.body);
    // A person without a household number has a plan of their own.
    let r = app.get(&staff, &url(&alone)).await;
    assert_eq!(r.status, 404);
    // Out of scope is 404, for reading and writing.
    let liuyang = app.token("liuyang.staff").await;
    assert_eq!(app.get(&liuyang, &url(&p1)).await.status, 404);
    assert_eq!(app.put(&liuyang, &url(&p1), plan).await.status, 404);
}

async fn the_demo_surveys_xiangxiang(backend: Backend) {
    let app = TestApp::new(backend).await;
    {
        let mut conn = app.conn();
        crate::demo::seed_persons(
            &mut conn,
            &app.state.pii,
            &[("430381".into(), "4303".into())],
            80,
            7,
            &|_| {},
        )
        .unwrap_or_else(|e| panic!("{e}"));
        crate::demo::seed_survey(&mut conn, &app.state.pii).unwrap_or_else(|e| panic!("{e}"));
    }
    let staff = app.token(STAFF).await;
    let r = app.get(&staff, "/api/v1/survey-rounds").await;
    let round = items(&r.body)[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .get(&staff, &format!("/api/v1/survey-rounds/{round}/progress"))
        .await;
    assert_eq!(r.body["total"]["surveyed"], 3, "{}", r.body);
    assert_eq!(r.body["total"]["problems"], 1, "{}", r.body);
    let r = app
        .get(&staff, &format!("/api/v1/survey-rounds/{round}/problems"))
        .await;
    let problem = items(&r.body)[0].clone();
    let r = app
        .get(
            &staff,
            &format!(
                "/api/v1/persons/{}/household-plan",
                problem["person_id"].as_str().unwrap_or_default()
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let poverty = app.token("poverty").await;
    let r = app.get(&poverty, "/api/v1/crosscheck/rules/2020").await;
    assert_eq!(
        r.body["rules"].as_array().map(Vec::len),
        Some(4),
        "{}",
        r.body
    );
}
