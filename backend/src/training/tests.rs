//! HTTP tests of courses and rosters, each on SQLite and on PostgreSQL.

use serde_json::{json, Value};

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    courses_are_validated_and_scoped,
    rosters_take_each_person_once_within_scope,
    completion_rules_and_audit
);

fn course(county: &str) -> Value {
    json!({
        "name": "种养殖实用技术培训班", "kind": "practical_technique", "county_code": county,
        "venue": "县残联培训室", "start_date": "2020-05-06", "end_date": "2020-05-10",
        "planned_places": 40, "hours": 32, "trainer": "县农业技术推广中心", "funding_fen": 2_000_000
    })
}

async fn courses_are_validated_and_scoped(backend: Backend) {
    let app = TestApp::new(backend).await;
    let xx = app.token("xiangxiang.staff").await;
    let mut bad = course("430381");
    bad["end_date"] = json!("2020-05-01");
    bad["planned_places"] = json!(0);
    let r = app.post(&xx, "/api/v1/courses", bad).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.field_errors(),
        vec![
            ("end_date".to_owned(), "before_start".to_owned()),
            ("planned_places".to_owned(), "out_of_range".to_owned())
        ]
    );
    let r = app.post(&xx, "/api/v1/courses", course("430181")).await;
    assert_eq!(
        r.field_errors(),
        vec![("county_code".to_owned(), "outside_scope".to_owned())]
    );
    let created = app.post(&xx, "/api/v1/courses", course("430381")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        (
            created.body["year"].as_i64(),
            created.body["programme"].as_str()
        ),
        (Some(2020), Some("sunshine_income_plan"))
    );
    assert_eq!(created.body["organiser_unit"], "430381");
    let id = created.body["id"].as_str().unwrap_or_default().to_owned();
    // Another county does not see it; the city and the province department do.
    let ly = app.token("liuyang.staff").await;
    assert_eq!(
        app.get(&ly, &format!("/api/v1/courses/{id}")).await.status,
        404
    );
    assert_eq!(
        app.get(&ly, "/api/v1/courses").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    for user in ["xiangtan.staff", "employment", "leader"] {
        let t = app.token(user).await;
        assert_eq!(
            app.get(&t, &format!("/api/v1/courses/{id}")).await.status,
            200,
            "{user}"
        );
    }
    // Only employment staff write; the year filter works.
    let rehab = app.token("rehab").await;
    assert_eq!(
        app.post(&rehab, "/api/v1/courses", course("430381"))
            .await
            .status,
        403
    );
    let e = app.token("employment").await;
    assert_eq!(
        app.post(&e, "/api/v1/courses", course("430181"))
            .await
            .status,
        201,
        "a provincial department covers the province"
    );
    assert_eq!(
        app.get(&e, "/api/v1/courses?year=2020").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        app.get(&e, "/api/v1/courses?year=2021").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    // Stale update, then a good one.
    let mut change = course("430381");
    change["version"] = json!(7);
    assert_eq!(
        app.put(&xx, &format!("/api/v1/courses/{id}"), change.clone())
            .await
            .status,
        409
    );
    change["version"] = json!(1);
    change["planned_places"] = json!(45);
    let r = app.put(&xx, &format!("/api/v1/courses/{id}"), change).await;
    assert_eq!(
        (r.status, r.body["planned_places"].as_i64()),
        (200, Some(45))
    );
    assert_eq!(app.audit_count(&id, "update"), 1);
}

async fn rosters_take_each_person_once_within_scope(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mine = PersonBuilder::new()
        .county("430381")
        .name("学员甲")
        .create(&app);
    let theirs = PersonBuilder::new()
        .county("430181")
        .name("外县学员")
        .create(&app);
    let xx = app.token("xiangxiang.staff").await;
    let c = app.post(&xx, "/api/v1/courses", course("430381")).await;
    let cid = c.body["id"].as_str().unwrap_or_default().to_owned();
    let r = app
        .post(
            &xx,
            &format!("/api/v1/courses/{cid}/enrolments"),
            json!({"person_id": mine.id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["person_id_number"],
        json!(mine.id_number),
        "the roster shows the masked number"
    );
    let again = app
        .post(
            &xx,
            &format!("/api/v1/courses/{cid}/enrolments"),
            json!({"person_id": mine.id}),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "duplicate_enrolment"));
    let out = app
        .post(
            &xx,
            &format!("/api/v1/courses/{cid}/enrolments"),
            json!({"person_id": theirs.id}),
        )
        .await;
    assert_eq!(
        out.field_errors(),
        vec![("person_id".to_owned(), "not_found".to_owned())]
    );
    let ghost = app
        .post(
            &xx,
            &format!("/api/v1/courses/{cid}/enrolments"),
            json!({"person_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(
        ghost.field_errors(),
        out.field_errors(),
        "outside scope looks exactly like missing"
    );
    // Someone else's course cannot be enrolled into, nor is its roster visible.
    let ly = app.token("liuyang.staff").await;
    assert_eq!(
        app.post(
            &ly,
            &format!("/api/v1/courses/{cid}/enrolments"),
            json!({"person_id": theirs.id})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get(&ly, &format!("/api/v1/courses/{cid}/enrolments"))
            .await
            .status,
        404
    );
    let roster = app
        .get(&xx, &format!("/api/v1/courses/{cid}/enrolments"))
        .await;
    assert_eq!(roster.body.as_array().map(Vec::len), Some(1));
    let course_now = app.get(&xx, &format!("/api/v1/courses/{cid}")).await;
    assert_eq!(course_now.body["enrolled"], 1);
    let history = app
        .get(&xx, &format!("/api/v1/persons/{}/enrolments", mine.id))
        .await;
    assert_eq!(history.body[0]["course_id"], json!(cid));
    // The course cannot be deleted while its roster is not empty.
    assert_eq!(
        app.delete(&xx, &format!("/api/v1/courses/{cid}?version=1"))
            .await
            .code(),
        "roster_not_empty"
    );
    let eid = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        app.delete(&xx, &format!("/api/v1/enrolments/{eid}?version=1"))
            .await
            .status,
        204
    );
    assert_eq!(
        app.post(
            &xx,
            &format!("/api/v1/courses/{cid}/enrolments"),
            json!({"person_id": mine.id})
        )
        .await
        .status,
        201,
        "re-enrol after removal"
    );
}

async fn completion_rules_and_audit(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().create(&app);
    let xx = app.token("xiangxiang.staff").await;
    let c = app.post(&xx, "/api/v1/courses", course("430381")).await;
    let cid = c.body["id"].as_str().unwrap_or_default().to_owned();
    let e = app
        .post(
            &xx,
            &format!("/api/v1/courses/{cid}/enrolments"),
            json!({"person_id": p.id}),
        )
        .await;
    let eid = e.body["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/enrolments/{eid}");
    let r = app
        .put(
            &xx,
            &path,
            json!({"version": 1, "status": "completed", "hours_attended": 32}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("completion_date".to_owned(), "required".to_owned())]
    );
    let tomorrow = (crate::db::today() + chrono::TimeDelta::days(1)).to_string();
    let r = app.put(&xx, &path, json!({"version": 1, "status": "completed", "hours_attended": 32, "completion_date": tomorrow})).await;
    assert_eq!(
        r.field_errors(),
        vec![("completion_date".to_owned(), "in_future".to_owned())]
    );
    let r = app.put(&xx, &path, json!({"version": 1, "status": "completed", "hours_attended": 99, "completion_date": "2020-05-10"})).await;
    assert_eq!(
        r.field_errors(),
        vec![("hours_attended".to_owned(), "out_of_range".to_owned())]
    );
    let ok = json!({"version": 1, "status": "completed", "hours_attended": 32, "completion_date": "2020-05-10", "certificate_obtained": true, "outcome": "self_employed"});
    let r = app.put(&xx, &path, ok.clone()).await;
    assert_eq!(
        (
            r.status,
            r.body["status"].as_str(),
            r.body["version"].as_i64()
        ),
        (200, Some("completed"), Some(2))
    );
    assert_eq!(app.put(&xx, &path, ok).await.status, 409, "stale version");
    assert_eq!(app.audit_count(&eid, "create"), 1);
    assert_eq!(app.audit_count(&eid, "update"), 1);
    let leader = app.token("xiangtan.leader").await;
    assert_eq!(
        app.put(&leader, &path, json!({"version": 2, "status": "dropped"}))
            .await
            .status,
        403
    );
}
