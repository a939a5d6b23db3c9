//! The employment KPI against hand-counted fixtures, on SQLite and on PostgreSQL.

use serde_json::{json, Value};

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(employment_numbers_match_a_hand_count);

async fn course(app: &TestApp, token: &str, county: &str, start: &str) -> String {
    let body = json!({"name": "培训班", "kind": "vocational_skill", "county_code": county, "start_date": start, "end_date": start,
        "planned_places": 30, "hours": 8});
    let r = app.post(token, "/api/v1/courses", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

async fn enrol(app: &TestApp, token: &str, course: &str, person: uuid::Uuid, status: &str) {
    let r = app
        .post(
            token,
            &format!("/api/v1/courses/{course}/enrolments"),
            json!({"person_id": person}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    let body = match status {
        "completed" => {
            json!({"version": 1, "status": "completed", "hours_attended": 8, "completion_date": "2020-06-30"})
        }
        "dropped" => json!({"version": 1, "status": "dropped"}),
        _ => return,
    };
    assert_eq!(
        app.put(token, &format!("/api/v1/enrolments/{id}"), body)
            .await
            .status,
        200
    );
}

fn row<'a>(kpi: &'a Value, code: &str) -> &'a Value {
    kpi["children"]
        .as_array()
        .and_then(|c| c.iter().find(|r| r["unit_code"] == code))
        .unwrap_or(&Value::Null)
}

fn numbers(r: &Value) -> [i64; 6] {
    [
        "persons_trained",
        "enrolments",
        "courses",
        "subsidy_committed_fen",
        "subsidy_disbursed_fen",
        "bases",
    ]
    .map(|k| r[k].as_i64().unwrap_or(-1))
}

async fn employment_numbers_match_a_hand_count(backend: Backend) {
    let app = TestApp::new(backend).await;
    let e = app.token("employment").await;
    // Persons: P1, P2 registered poor and P3 not, in 湘乡市; P4 in 雨湖区 (湘潭市); P5 in 浏阳市.
    let p1 = PersonBuilder::new().county("430381").create(&app).id;
    let p2 = PersonBuilder::new().county("430381").create(&app).id;
    let p3 = PersonBuilder::new()
        .county("430381")
        .registered_poor(false)
        .create(&app)
        .id;
    let p4 = PersonBuilder::new().county("430302").create(&app).id;
    let p5 = PersonBuilder::new().county("430181").create(&app).id;
    // Courses: two in 湘乡市, one in 雨湖区, one in 浏阳市 in 2020; one in 湘乡市 in 2021.
    let c1 = course(&app, &e, "430381", "2020-05-01").await;
    let c2 = course(&app, &e, "430381", "2020-06-01").await;
    let c3 = course(&app, &e, "430302", "2020-05-15").await;
    let c4 = course(&app, &e, "430181", "2020-04-01").await;
    let c5 = course(&app, &e, "430381", "2021-03-01").await;
    enrol(&app, &e, &c1, p1, "completed").await;
    // P1 twice in 湘乡市: one person trained.
    enrol(&app, &e, &c2, p1, "completed").await;
    // P1 may not join 雨湖区's course: a roster takes only its own county's persons.
    let other_county = app
        .post(
            &e,
            &format!("/api/v1/courses/{c3}/enrolments"),
            json!({"person_id": p1}),
        )
        .await;
    assert_eq!(other_county.status, 422, "{}", other_county.body);
    enrol(&app, &e, &c1, p2, "completed").await;
    enrol(&app, &e, &c2, p2, "dropped").await; // not an enrolment
    enrol(&app, &e, &c1, p3, "completed").await; // not registered poor: enrolled, not counted as trained
    enrol(&app, &e, &c3, p4, "enrolled").await;
    enrol(&app, &e, &c4, p5, "completed").await;
    enrol(&app, &e, &c5, p2, "enrolled").await; // another year
                                                // Loans in 湘乡市: one approved (108,750), one disbursed (108,750 approved, 100,000 paid); a draft in 浏阳市.
    assert_eq!(
        app.put(
            &e,
            "/api/v1/programme-years/2020/allocations/4303",
            json!({"allocated_fen": 1_000_000})
        )
        .await
        .status,
        200
    );
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    for (person, pay) in [(p1, false), (p2, true)] {
        let body = json!({"applicant": "person", "person_id": person, "bank": "农商行", "principal_fen": 5_000_000, "annual_rate_bp": 435,
            "term_months": 12, "loan_date": "2020-04-01", "purpose": "养殖"});
        let id = app.post(&county, "/api/v1/loans", body).await.body["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let path = format!("/api/v1/loans/{id}/actions");
        assert_eq!(
            app.post(&county, &path, json!({"action": "submit", "version": 1}))
                .await
                .status,
            200
        );
        assert_eq!(
            app.post(&city, &path, json!({"action": "review", "version": 2}))
                .await
                .status,
            200
        );
        assert_eq!(
            app.post(&e, &path, json!({"action": "approve", "version": 3}))
                .await
                .status,
            200
        );
        if pay {
            let r = app.post(&county, &path, json!({"action": "disburse", "version": 4, "amount_fen": 100_000, "date": "2020-07-01"})).await;
            assert_eq!(r.status, 200);
        }
    }
    let ly = app.token("liuyang.staff").await;
    let draft = json!({"applicant": "person", "person_id": p5, "bank": "农商行", "principal_fen": 1_000_000, "annual_rate_bp": 435,
        "term_months": 12, "loan_date": "2020-04-01", "purpose": "种植"});
    assert_eq!(app.post(&ly, "/api/v1/loans", draft).await.status, 201);
    // Bases: 湘乡市 2019 (counts for 2020) and 2021 (does not); 浏阳市 2020.
    for (code, county_code, date) in [
        ("91350100M000100Y43", "430381", "2019-05-01"),
        ("91110000802100433B", "430381", "2021-01-01"),
        ("913300007125582210", "430181", "2020-06-01"),
    ] {
        let body = json!({"name": "扶贫车间", "credit_code": code, "county_code": county_code, "kind": "poverty_alleviation", "recognised_on": date});
        assert_eq!(app.post(&e, "/api/v1/bases", body).await.status, 201);
    }

    // [persons trained, enrolments, courses, committed, disbursed, bases], counted by hand.
    let leader = app.token("leader").await;
    let province = app.get(&leader, "/api/v1/kpi/employment?year=2020").await;
    assert_eq!(province.status, 200, "{}", province.body);
    assert_eq!(
        numbers(&province.body["total"]),
        [3, 6, 4, 217_500, 100_000, 2]
    );
    assert_eq!(
        province.body["targets"],
        json!({"persons_trained": 5000, "subsidy_fen": 300_000_000})
    );
    assert_eq!(province.body["children"].as_array().map(Vec::len), Some(14));
    assert_eq!(
        numbers(row(&province.body, "4303")),
        [2, 5, 3, 217_500, 100_000, 1]
    );
    assert_eq!(numbers(row(&province.body, "4301")), [1, 1, 1, 0, 0, 1]);
    assert_eq!(numbers(row(&province.body, "4304")), [0; 6]);
    let xiangtan = app
        .get(
            &app.token("xiangtan.leader").await,
            "/api/v1/kpi/employment?year=2020&unit=4303",
        )
        .await;
    assert_eq!(xiangtan.body["total"]["unit_name"], "湘潭市");
    assert_eq!(
        numbers(row(&xiangtan.body, "430381")),
        [2, 4, 2, 217_500, 100_000, 1]
    );
    assert_eq!(numbers(row(&xiangtan.body, "430302")), [0, 1, 1, 0, 0, 0]);
    let next_year = app
        .get(&leader, "/api/v1/kpi/employment?year=2021&unit=430381")
        .await;
    assert_eq!(numbers(&next_year.body["total"]), [0, 1, 1, 0, 0, 2]);
    assert!(next_year.body["children"]
        .as_array()
        .is_some_and(Vec::is_empty));
    // The plan's kept figures followed every one of those writes.
    app.assert_kept_figures_match();
    // A county sees its own numbers only; out of scope looks like missing.
    let own = app.get(&county, "/api/v1/kpi/employment?year=2020").await;
    assert_eq!(own.body["total"]["unit_code"], "430381");
    assert_eq!(
        app.get(&county, "/api/v1/kpi/employment?year=2020&unit=4303")
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(
            &app.token("admin").await,
            "/api/v1/kpi/employment?year=2020"
        )
        .await
        .status,
        403
    );
}
