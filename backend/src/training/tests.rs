//! HTTP tests of courses and rosters, each on SQLite and on PostgreSQL.

use serde_json::{json, Value};

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    courses_are_validated_and_scoped,
    rosters_take_each_person_once_within_scope,
    completion_rules_and_audit,
    rosters_complete_in_bulk_all_or_nothing,
    import_with_bad_rows_writes_nothing,
    import_of_a_good_file_writes_everything,
    exports_are_masked_unless_revealed_and_always_audited,
    links_never_cross_a_county,
    hostile_spreadsheets_are_refused,
    import_jobs_outlive_the_process_and_are_bounded,
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

/// A roster completed in one request: every trainee's hours and certificate written in one
/// transaction, or none when one item is wrong (named by its index); a completion is taken
/// back only by the user who recorded it.
async fn rosters_complete_in_bulk_all_or_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let xx = app.token("xiangxiang.staff").await;
    let c = app.post(&xx, "/api/v1/courses", course("430381")).await;
    let cid = c.body["id"].as_str().unwrap_or_default().to_owned();
    let mut ids = Vec::new();
    for name in ["批量一", "批量二", "批量三"] {
        let p = PersonBuilder::new().name(name).create(&app);
        let e = app
            .post(
                &xx,
                &format!("/api/v1/courses/{cid}/enrolments"),
                json!({"person_id": p.id}),
            )
            .await;
        ids.push(e.body["id"].as_str().unwrap_or_default().to_owned());
    }
    let item = |id: &str, hours: i32, cert: bool| {
        json!({"id": id, "version": 1, "status": "completed", "hours_attended": hours,
            "completion_date": "2020-05-10", "certificate_obtained": cert})
    };
    let path = format!("/api/v1/courses/{cid}/enrolments");
    // The third trainee's hours are out of range: nothing is written.
    let bad = app
        .put(
            &xx,
            &path,
            json!({"items": [item(&ids[0], 32, true), item(&ids[1], 30, false), item(&ids[2], 99, true)]}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.field_errors(),
        vec![(
            "items[2].hours_attended".to_owned(),
            "out_of_range".to_owned()
        )]
    );
    let roster = app.get(&xx, &path).await.body;
    assert!(
        roster
            .as_array()
            .is_some_and(|r| r.iter().all(|e| e["status"] == "enrolled")),
        "nothing written: {roster}"
    );
    // An enrolment of another course is not this course's.
    let other = app.post(&xx, "/api/v1/courses", course("430381")).await;
    let oid = other.body["id"].as_str().unwrap_or_default();
    let p = PersonBuilder::new().name("别的班").create(&app);
    let e = app
        .post(
            &xx,
            &format!("/api/v1/courses/{oid}/enrolments"),
            json!({"person_id": p.id}),
        )
        .await;
    let foreign = e.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        app.put(&xx, &path, json!({"items": [item(&foreign, 32, true)]}))
            .await
            .status,
        404
    );
    let dup = app
        .put(
            &xx,
            &path,
            json!({"items": [item(&ids[0], 32, true), item(&ids[0], 32, true)]}),
        )
        .await;
    assert_eq!(
        dup.field_errors(),
        vec![("items[1].id".to_owned(), "duplicate".to_owned())]
    );
    // All good: all written, each audited.
    let ok = app
        .put(
            &xx,
            &path,
            json!({"items": [item(&ids[0], 32, true), item(&ids[1], 30, false), item(&ids[2], 28, true)]}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let hours: Vec<i64> = ok
        .body
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["hours_attended"].as_i64())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(hours, vec![32, 30, 28]);
    for id in &ids {
        assert_eq!(app.audit_count(id, "update"), 1);
    }
    // Undo: another user of the city may not take the completion back; its author may.
    let undo = json!({"version": 2, "status": "enrolled", "hours_attended": 32});
    let city = app.token("xiangtan.staff").await;
    let refused = app
        .put(
            &city,
            &format!("/api/v1/enrolments/{}", ids[0]),
            undo.clone(),
        )
        .await;
    assert_eq!(
        refused.field_errors(),
        vec![("status".to_owned(), "not_author".to_owned())]
    );
    let undone = app
        .put(&xx, &format!("/api/v1/enrolments/{}", ids[0]), undo)
        .await;
    assert_eq!(undone.body["status"], "enrolled", "{}", undone.body);
}

/// Polls an import job until it leaves `state`.
async fn wait_while(app: &TestApp, token: &str, job: &str, state: &str) -> Value {
    for _ in 0..600 {
        let r = app.get(token, &format!("/api/v1/imports/{job}")).await;
        if r.body["state"] != state {
            return r.body;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("import {job} stayed {state}");
}

fn csv(rows: &[[&str; 7]]) -> Vec<u8> {
    let table = crate::tabular::Table {
        choices: Vec::new(),
        headers: super::transfer::COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect(),
    };
    crate::tabular::write(&table, crate::tabular::Format::Csv).unwrap_or_default()
}

async fn full_id(app: &TestApp, token: &str, person: uuid::Uuid) -> String {
    let r = app
        .post(
            token,
            &format!("/api/v1/persons/{person}/reveal"),
            json!({"reason": "导入测试核对"}),
        )
        .await;
    r.body["id_number"].as_str().unwrap_or_default().to_owned()
}

async fn import_with_bad_rows_writes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let xx = app.token("xiangxiang.staff").await;
    let cid = app
        .post(&xx, "/api/v1/courses", course("430381"))
        .await
        .body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let good = PersonBuilder::new().name("好学员").create(&app);
    let other = PersonBuilder::new().name("另一人").create(&app);
    let outside = PersonBuilder::new().county("430181").create(&app);
    let good_id = full_id(&app, &xx, good.id).await;
    let other_id = full_id(&app, &xx, other.id).await;
    let outside_id = full_id(&app, &app.token("liuyang.staff").await, outside.id).await;
    let wrong_check = format!(
        "{}{}",
        &good_id[..17],
        if good_id.ends_with('0') { '1' } else { '0' }
    );
    let unknown = crate::demo::synthetic_id_number(&mut rand::thread_rng(), "430381");
    let bytes = csv(&[
        [&good_id, "好学员", "结业", "32", "2020-05-10", "是", "就业"], // row 2: good
        [&wrong_check, "", "在训", "", "", "", ""], // row 3: bad check character
        [&unknown, "", "在训", "", "", "", ""],     // row 4: not in the registry
        [&other_id, "张冠李戴", "在训", "", "", "", ""], // row 5: name differs
        [&outside_id, "", "在训", "", "", "", ""],  // row 6: outside the caller's area
        [&good_id, "", "毕业", "abc", "2020-13-01", "也许", "发财"], // row 7: duplicate and five bad cells
        [&other_id, "", "结业", "32", "", "否", ""], // row 8: duplicate of row 5 and no completion date
    ]);
    let r = app
        .upload(
            &xx,
            &format!("/api/v1/courses/{cid}/roster/import?format=csv"),
            bytes,
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let job = r.body["id"].as_str().unwrap_or_default().to_owned();
    let report = wait_while(&app, &xx, &job, "validating").await;
    assert_eq!(report["state"], "invalid");
    assert_eq!(report["total_rows"], 7);
    let found: Vec<(u64, String, String)> = report["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["row"].as_u64().unwrap_or(0),
                        e["column"].as_str().unwrap_or("").to_owned(),
                        e["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let expect = |row: u64, col: &str, code: &str| {
        assert!(
            found.contains(&(row, col.to_owned(), code.to_owned())),
            "missing {row}/{col}/{code} in {found:?}"
        )
    };
    expect(3, "身份证号", "invalid_check_character");
    expect(4, "身份证号", "not_in_registry");
    expect(5, "姓名", "name_mismatch");
    expect(6, "身份证号", "not_in_registry");
    expect(7, "身份证号", "duplicate_row");
    expect(7, "状态", "invalid_status");
    expect(7, "参训课时", "invalid_number");
    expect(7, "结业日期", "invalid_date");
    expect(7, "是否取得证书", "invalid_yes_no");
    expect(7, "培训后就业情况", "invalid_outcome");
    expect(8, "身份证号", "duplicate_row");
    expect(8, "结业日期", "required");
    assert!(
        !found.iter().any(|e| e.0 == 2),
        "the good row has no error: {found:?}"
    );
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_ascii()),
        "messages in Chinese by default"
    );
    assert_eq!(
        app.post(&xx, &format!("/api/v1/imports/{job}/commit"), json!({}))
            .await
            .code(),
        "import_not_valid"
    );
    assert_eq!(
        app.get(&xx, &format!("/api/v1/courses/{cid}/enrolments"))
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(0),
        "nothing written"
    );
    // Someone else cannot see the job.
    assert_eq!(
        app.get(
            &app.token("xiangtan.staff").await,
            &format!("/api/v1/imports/{job}")
        )
        .await
        .status,
        404
    );
}

async fn import_of_a_good_file_writes_everything(backend: Backend) {
    let app = TestApp::new(backend).await;
    let xx = app.token("xiangxiang.staff").await;
    let cid = app
        .post(&xx, "/api/v1/courses", course("430381"))
        .await
        .body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut rows = Vec::new();
    for i in 0..120 {
        let p = PersonBuilder::new().create(&app);
        let id = full_id(&app, &xx, p.id).await;
        let done = i % 3 == 0;
        rows.push(vec![
            id,
            String::new(),
            if done { "结业" } else { "在训" }.to_owned(),
            if done { "32" } else { "10" }.to_owned(),
            if done { "2020-05-10" } else { "" }.to_owned(),
            if done { "是" } else { "否" }.to_owned(),
            if done { "增产增收" } else { "" }.to_owned(),
        ]);
    }
    let table = crate::tabular::Table {
        choices: Vec::new(),
        headers: super::transfer::COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        rows,
    };
    let xlsx = crate::tabular::write(&table, crate::tabular::Format::Xlsx).unwrap_or_default();
    let r = app
        .upload(
            &xx,
            &format!("/api/v1/courses/{cid}/roster/import?format=xlsx"),
            xlsx,
        )
        .await;
    let job = r.body["id"].as_str().unwrap_or_default().to_owned();
    let report = wait_while(&app, &xx, &job, "validating").await;
    assert_eq!(
        (report["state"].as_str(), report["processed_rows"].as_u64()),
        (Some("valid"), Some(120)),
        "{report}"
    );
    let r = app
        .post(&xx, &format!("/api/v1/imports/{job}/commit"), json!({}))
        .await;
    assert_eq!(r.status, 202);
    let done = wait_while(&app, &xx, &job, "committing").await;
    assert_eq!(
        (done["state"].as_str(), done["processed_rows"].as_u64()),
        (Some("committed"), Some(120)),
        "{done}"
    );
    let roster = app
        .get(&xx, &format!("/api/v1/courses/{cid}/enrolments"))
        .await;
    assert_eq!(roster.body.as_array().map(Vec::len), Some(120));
    let completed = roster
        .body
        .as_array()
        .map(|a| a.iter().filter(|e| e["status"] == "completed").count());
    assert_eq!(completed, Some(40));
    use crate::db::schema::audit_log;
    use diesel::prelude::*;
    let audited: i64 = audit_log::table
        .filter(audit_log::entity_type.eq("enrolment"))
        .filter(audit_log::action.eq("create"))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or(-1);
    assert_eq!(audited, 120, "every written row is audited");
    assert_eq!(
        app.post(&xx, &format!("/api/v1/imports/{job}/commit"), json!({}))
            .await
            .status,
        409,
        "a job commits once"
    );
}

async fn exports_are_masked_unless_revealed_and_always_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let xx = app.token("xiangxiang.staff").await;
    let cid = app
        .post(&xx, "/api/v1/courses", course("430381"))
        .await
        .body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let p = PersonBuilder::new().name("导出学员").create(&app);
    app.post(
        &xx,
        &format!("/api/v1/courses/{cid}/enrolments"),
        json!({"person_id": p.id}),
    )
    .await;
    let full = full_id(&app, &xx, p.id).await;
    let (status, bytes) = app
        .download(
            &xx,
            &format!("/api/v1/courses/{cid}/roster/export?format=xlsx"),
        )
        .await;
    assert_eq!(status, 200);
    let table = crate::tabular::read(&bytes, crate::tabular::Format::Xlsx).unwrap_or_default();
    assert_eq!(table.headers[0], "身份证号");
    assert_eq!(table.rows[0][0], p.id_number, "masked by default");
    assert_eq!(table.rows[0][1], "导出学员");
    let (status, _) = app
        .download(
            &xx,
            &format!("/api/v1/courses/{cid}/roster/export?format=csv&reveal=true"),
        )
        .await;
    assert_eq!(status, 422, "revealing needs a reason");
    let (status, bytes) = app.download(&xx, &format!("/api/v1/courses/{cid}/roster/export?format=csv&reveal=true&reason=%E6%A0%B8%E5%AF%B9%E8%BA%AB%E4%BB%BD")).await;
    assert_eq!(status, 200);
    let table = crate::tabular::read(&bytes, crate::tabular::Format::Csv).unwrap_or_default();
    assert_eq!(table.rows[0][0], full);
    let (status, _) = app.download(&app.token("xiangtan.leader").await, &format!("/api/v1/courses/{cid}/roster/export?format=csv&reveal=true&reason=%E6%A0%B8%E5%AF%B9%E8%BA%AB%E4%BB%BD")).await;
    assert_eq!(status, 403, "a leader may export, but not reveal");
    assert_eq!(app.audit_count(&cid, "export"), 2);
    let (status, bytes) = app
        .download(&xx, "/api/v1/roster-template?format=xlsx")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        crate::tabular::read(&bytes, crate::tabular::Format::Xlsx)
            .map(|t| t.headers.len())
            .unwrap_or(0),
        7
    );
    // Every coded column carries a drop-down, so a wrong value is caught in Excel.
    let sheet = {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..]))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap_or_else(|e| panic!("{e}"))
            .read_to_string(&mut xml)
            .unwrap_or_else(|e| panic!("{e}"));
        xml
    };
    assert_eq!(sheet.matches("<dataValidation ").count(), 3, "{sheet}");
    for list in ["在训,结业,退训", "是,否", "自主创业"] {
        assert!(sheet.contains(list), "{list} in {sheet}");
    }
}

/// A link between records crosses a scope boundary: a roster or a base shows its persons
/// to the county that owns it, so only that county's persons may be linked, reads show
/// only persons the caller may see, deleted persons never, and a reveal-export is audited
/// per person under the person's own county.
async fn links_never_cross_a_county(backend: Backend) {
    let app = TestApp::new(backend).await;
    let city = app.token("xiangtan.staff").await;
    let county = app.token("xiangxiang.staff").await;
    let c = app.post(&city, "/api/v1/courses", course("430381")).await;
    assert_eq!(c.status, 201, "{}", c.body);
    let cid = c.body["id"].as_str().unwrap_or_default().to_owned();
    // 韶山市 (430382) lies in the city user's scope but not in the course's county.
    let other = PersonBuilder::new()
        .county("430382")
        .name("韶山人")
        .create(&app);
    let r = app
        .post(
            &city,
            &format!("/api/v1/courses/{cid}/enrolments"),
            json!({"person_id": other.id}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.field_errors(),
        vec![("person_id".to_owned(), "person_not_in_unit".to_owned())]
    );
    // Own persons can be linked.
    let own = PersonBuilder::new()
        .county("430381")
        .name("湘乡人")
        .create(&app);
    let gone = PersonBuilder::new()
        .county("430381")
        .name("已注销")
        .create(&app);
    for p in [&own, &gone] {
        let r = app
            .post(
                &county,
                &format!("/api/v1/courses/{cid}/enrolments"),
                json!({"person_id": p.id}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // A deleted person leaves every roster read.
    let d = app
        .delete(&city, &format!("/api/v1/persons/{}?version=1", gone.id))
        .await;
    assert_eq!(d.status, 204, "{}", d.body);
    let roster = app
        .get(&county, &format!("/api/v1/courses/{cid}/enrolments"))
        .await;
    let names: Vec<&str> = roster.body["items"]
        .as_array()
        .or(roster.body.as_array())
        .map(|a| a.iter().filter_map(|e| e["person_name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["湘乡人"], "{}", roster.body);
    // The reveal-export audits each revealed person under their own county.
    let (status, bytes) = app
        .download(
            &county,
            &format!("/api/v1/courses/{cid}/roster/export?format=csv&reveal=true&reason=check-the-roster"),
        )
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    assert!(
        text.contains("湘乡人") && !text.contains("已注销"),
        "{text}"
    );
    assert_eq!(app.audit_count(&own.id.to_string(), "reveal"), 1);
    assert_eq!(app.audit_count(&gone.id.to_string(), "reveal"), 0);
    // Base employees: same rule, and a link can be removed.
    let base = app
        .post(
            &county,
            "/api/v1/bases",
            json!({"name": "湘乡市福利工厂", "credit_code": "91350100M000100Y43", "county_code": "430381",
                   "kind": "poverty_alleviation", "recognised_on": "2019-05-01"}),
        )
        .await;
    if base.status == 201 {
        let bid = base.body["id"].as_str().unwrap_or_default().to_owned();
        let r = app
            .post(
                &city,
                &format!("/api/v1/bases/{bid}/employees"),
                json!({"person_id": other.id}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = app
            .post(
                &county,
                &format!("/api/v1/bases/{bid}/employees"),
                json!({"person_id": own.id}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let path = format!("/api/v1/bases/{bid}/employees/{}", own.id);
        assert_eq!(app.delete(&county, &path).await.status, 200);
        assert_eq!(app.delete(&county, &path).await.status, 404);
        let list = app
            .get(&county, &format!("/api/v1/bases/{bid}/employees"))
            .await;
        assert_eq!(list.body, json!([]));
    } else {
        panic!("creating a base: {} {}", base.status, base.body);
    }
}

/// 1.6 KB of XLSX whose used range is A1:XFD1048576 once took the server down; it is a
/// 422 now, and the server goes on answering.
async fn hostile_spreadsheets_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let xx = app.token("xiangxiang.staff").await;
    let c = app.post(&xx, "/api/v1/courses", course("430381")).await;
    let cid = c.body["id"].as_str().unwrap_or_default().to_owned();
    let r = app
        .upload(
            &xx,
            &format!("/api/v1/courses/{cid}/roster/import?format=xlsx"),
            crate::tabular::tests::sparse_corners(),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.field_errors(),
        vec![("file".to_owned(), "file_too_large".to_owned())]
    );
    assert_eq!(
        app.get(&xx, &format!("/api/v1/courses/{cid}")).await.status,
        200
    );
}

/// Import jobs live in the database: a restart (or another replica) still knows a job and
/// can commit it; a job whose process died is failed, not "validating" forever; a user
/// has at most two under way; a report keeps 1,000 row errors and counts them all.
async fn import_jobs_outlive_the_process_and_are_bounded(backend: Backend) {
    use crate::db::schema::import_jobs;
    use diesel::prelude::*;
    let mut app = TestApp::new(backend).await;
    let xx = app.token("xiangxiang.staff").await;
    let cid = app
        .post(&xx, "/api/v1/courses", course("430381"))
        .await
        .body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let p = PersonBuilder::new().create(&app);
    let id = full_id(&app, &xx, p.id).await;
    let good = csv(&[[&id, "", "在训", "", "", "", ""]]);
    let path = format!("/api/v1/courses/{cid}/roster/import?format=csv");
    let r = app.upload(&xx, &path, good).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let job = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        wait_while(&app, &xx, &job, "validating").await["state"],
        "valid"
    );
    // A restart: the job is still there, and commits.
    app.restart();
    let xx = app.token("xiangxiang.staff").await;
    assert_eq!(
        app.get(&xx, &format!("/api/v1/imports/{job}")).await.body["state"],
        "valid"
    );
    let c = app
        .post(&xx, &format!("/api/v1/imports/{job}/commit"), json!({}))
        .await;
    assert_eq!(c.status, 202, "{}", c.body);
    assert_eq!(
        wait_while(&app, &xx, &job, "committing").await["state"],
        "committed"
    );
    assert_eq!(
        app.post(&xx, &format!("/api/v1/imports/{job}/commit"), json!({}))
            .await
            .status,
        409,
        "a job commits once"
    );
    // Someone else's job does not exist for them.
    let other = app.token("xiangtan.staff").await;
    assert_eq!(
        app.get(&other, &format!("/api/v1/imports/{job}"))
            .await
            .status,
        404
    );
    // A job whose process died half-way is failed, with a reason.
    let owner: String = import_jobs::table
        .find(&job)
        .select(import_jobs::owner_id)
        .first(&mut app.conn())
        .unwrap_or_default();
    let old = crate::db::now() - chrono::TimeDelta::hours(1);
    for state in ["validating", "committing"] {
        let stuck = uuid::Uuid::now_v7().to_string();
        diesel::insert_into(import_jobs::table)
            .values((
                import_jobs::id.eq(&stuck),
                import_jobs::kind.eq("roster"),
                import_jobs::target_id.eq(&cid),
                import_jobs::owner_id.eq(&owner),
                import_jobs::state.eq(state),
                import_jobs::created_at.eq(old),
                import_jobs::updated_at.eq(old),
            ))
            .execute(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
        let s = app.get(&xx, &format!("/api/v1/imports/{stuck}")).await;
        assert_eq!(s.body["state"], "failed", "{state}: {}", s.body);
        assert!(s.body["failure"]
            .as_str()
            .is_some_and(|f| f.contains("interrupted")));
    }
    // A job run by another server process lives as long as that process beats: fresh
    // now; failed once its beat is older than DEAD_AFTER_SECS, or its process has left.
    use crate::db::schema::server_instances;
    let (alive, dead, gone) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    let now = crate::db::now();
    for (instance, seen) in [
        (&alive, now),
        (
            &dead,
            now - chrono::TimeDelta::seconds(crate::jobs::DEAD_AFTER_SECS + 1),
        ),
    ] {
        diesel::insert_into(server_instances::table)
            .values((
                server_instances::id.eq(instance),
                server_instances::host.eq("replica"),
                server_instances::pid.eq(1_i64),
                server_instances::started_at.eq(seen),
                server_instances::seen_at.eq(seen),
            ))
            .execute(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    for (worker, expected) in [(&alive, "committing"), (&dead, "failed"), (&gone, "failed")] {
        let running = uuid::Uuid::now_v7().to_string();
        diesel::insert_into(import_jobs::table)
            .values((
                import_jobs::id.eq(&running),
                import_jobs::kind.eq("roster"),
                import_jobs::target_id.eq(&cid),
                import_jobs::owner_id.eq(&owner),
                import_jobs::state.eq("committing"),
                import_jobs::created_at.eq(now),
                import_jobs::updated_at.eq(now),
                import_jobs::worker.eq(worker),
            ))
            .execute(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
        let s = app.get(&xx, &format!("/api/v1/imports/{running}")).await;
        assert_eq!(s.body["state"], expected, "{}", s.body);
        // A commit that finishes after its job was failed writes nothing.
        if expected == "failed" {
            let late = crate::db::write_tx(&mut app.conn(), |conn| {
                crate::jobs::committed(conn, crate::db::uuid(&running)?, 1)
            });
            assert!(late.is_err(), "a failed job is never marked committed");
        }
    }
    diesel::delete(import_jobs::table.filter(import_jobs::state.eq("committing")))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    // Two under way is the most one user may have.
    for _ in 0..2 {
        diesel::insert_into(import_jobs::table)
            .values((
                import_jobs::id.eq(uuid::Uuid::now_v7().to_string()),
                import_jobs::kind.eq("roster"),
                import_jobs::target_id.eq(&cid),
                import_jobs::owner_id.eq(&owner),
                import_jobs::state.eq("validating"),
                import_jobs::created_at.eq(crate::db::now()),
                import_jobs::updated_at.eq(crate::db::now()),
            ))
            .execute(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let busy = app
        .upload(&xx, &path, csv(&[[&id, "", "在训", "", "", "", ""]]))
        .await;
    assert_eq!(busy.status, 429, "{}", busy.body);
    diesel::delete(import_jobs::table.filter(import_jobs::state.eq("validating")))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    // 1,200 bad rows: 1,000 reported, 1,200 counted.
    let bad: Vec<[&str; 7]> = (0..1200)
        .map(|_| ["", "", "在训", "", "", "", ""])
        .collect();
    let r = app.upload(&xx, &path, csv(&bad)).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let job = r.body["id"].as_str().unwrap_or_default().to_owned();
    let report = wait_while(&app, &xx, &job, "validating").await;
    assert_eq!(report["state"], "invalid");
    assert_eq!(report["error_count"], 1200);
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(1000));
    // Checked, then the person is deleted before the commit: nothing is written.
    let q = PersonBuilder::new().create(&app);
    let qid = full_id(&app, &xx, q.id).await;
    let r = app
        .upload(&xx, &path, csv(&[[&qid, "", "在训", "", "", "", ""]]))
        .await;
    let job = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        wait_while(&app, &xx, &job, "validating").await["state"],
        "valid"
    );
    let gone = app
        .delete(&xx, &format!("/api/v1/persons/{}?version=1", q.id))
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    let c = app
        .post(&xx, &format!("/api/v1/imports/{job}/commit"), json!({}))
        .await;
    assert_eq!(c.status, 202, "{}", c.body);
    let done = wait_while(&app, &xx, &job, "committing").await;
    assert_eq!(done["state"], "failed", "{done}");
    let roster = app
        .get(&xx, &format!("/api/v1/courses/{cid}/enrolments"))
        .await;
    assert_eq!(
        roster.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        roster.body
    );
}
