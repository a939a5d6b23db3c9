//! The plan layer on SQLite and on PostgreSQL: the 2020 seed, targets split top-down
//! with their warning and role matrix, ratio of sums against an average of
//! percentages, approval order and its permission matrix, snapshots against live
//! figures, locking and lock exceptions.

use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    the_2020_plan_is_there_on_first_start,
    targets_are_split_top_down_by_the_right_roles,
    rates_are_ratios_of_sums_not_averages_of_percentages,
    approval_goes_children_first_and_unapproval_top_down,
    approval_freezes_snapshots_and_locks_entry_until_an_exception,
    expired_and_closed_plans_lock_entry,
);

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// A user like `leader` (same password) at another unit, with `roles`.
fn add_user(app: &TestApp, username: &str, unit: &str, roles: &str) {
    app.add_user(username, unit, roles);
}

async fn course(app: &TestApp, token: &str, county: &str, day: &str) -> String {
    let body = json!({"name": "实用技术培训班", "kind": "practical_technique", "county_code": county,
        "start_date": day, "end_date": day, "planned_places": 30, "hours": 8});
    let r = app.post(token, "/api/v1/courses", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    s(&r.body["id"])
}

/// Enrols a person and records the completion: the status of the last answer.
async fn complete(app: &TestApp, token: &str, course: &str, person: uuid::Uuid) -> (u16, Value) {
    let r = app
        .post(
            token,
            &format!("/api/v1/courses/{course}/enrolments"),
            json!({"person_id": person}),
        )
        .await;
    if r.status != 201 {
        return (r.status, r.body);
    }
    let id = s(&r.body["id"]);
    let r = app
        .put(
            token,
            &format!("/api/v1/enrolments/{id}"),
            json!({"version": 1, "status": "completed", "hours_attended": 8, "completion_date": "2020-06-30"}),
        )
        .await;
    (r.status, r.body)
}

fn cell<'a>(d: &'a Value, unit: &str, indicator: &str) -> &'a Value {
    d["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["unit_code"] == unit))
        .and_then(|r| r["cells"].as_array())
        .and_then(|cells| cells.iter().find(|c| c["indicator"] == indicator))
        .unwrap_or(&Value::Null)
}

async fn act(
    app: &TestApp,
    token: &str,
    unit: &str,
    action: &str,
    reason: Option<&str>,
) -> (u16, Value) {
    let path = format!("/api/v1/period-reports/{unit}/2020");
    let version = app.get(token, &path).await.body["report"]["version"]
        .as_i64()
        .unwrap_or(0);
    let r = app
        .post(
            token,
            &format!("{path}/actions"),
            json!({"action": action, "reason": reason, "version": version}),
        )
        .await;
    (r.status, r.body)
}

fn audit_steps(app: &TestApp) -> i64 {
    use diesel::prelude::*;

    use crate::db::schema::audit_log;
    audit_log::table
        .filter(audit_log::entity_type.eq("period_report"))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or(-1)
}

async fn the_2020_plan_is_there_on_first_start(backend: Backend) {
    let app = TestApp::new(backend).await;
    let leader = app.token("leader").await;
    let r = app.get(&leader, "/api/v1/plans/2020").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let plan = &r.body;
    assert_eq!(plan["plan"]["document_date"], "2020-02-27");
    assert_eq!(plan["plan"]["status"], "active");
    let measures = plan["measures"].as_array().cloned().unwrap_or_default();
    assert_eq!(measures.len(), 22);
    let numbers: Vec<i64> = measures
        .iter()
        .filter_map(|m| m["number"].as_i64())
        .collect();
    assert_eq!(numbers, (1..=22).collect::<Vec<_>>());
    assert!(measures.iter().all(|m| m["local_dpfs"] == true));
    let m13 = &measures[12];
    assert_eq!(m13["section"], 3);
    assert_eq!(
        m13["units"],
        json!([{"department": "education_employment", "part": "lead"},
               {"department": "employment_centre", "part": "co"}])
    );
    assert!(s(&m13["text_zh"]).contains("不少于5000名建档立卡残疾人"));
    assert_eq!(measures[16]["units"][0]["department"], "general_office");
    assert_eq!(measures[16]["units"][1]["department"], "party_committee");
    // The indicators; those whose modules are absent are marked unavailable.
    let inds = plan["indicators"].as_array().cloned().unwrap_or_default();
    let ind = |c: &str| {
        inds.iter()
            .find(|i| i["code"] == c)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(ind("trained_poor_persons")["measure"], 13);
    assert_eq!(ind("trained_poor_persons")["available"], true);
    assert_eq!(ind("loan_subsidy_fen")["kind"], "sum_fen");
    assert_eq!(ind("rehab_service_rate")["aggregation"], "ratio_of_sums");
    assert_eq!(ind("sales_fairs")["source"], "reported");
    assert_eq!(ind("villages_linked")["source"], "computed");
    assert_eq!(ind("study_sessions")["period"], "quarter");
    for c in [
        "care_persons",
        "retrofit_coverage",
        "government_reports",
        "sales_fairs",
    ] {
        assert_eq!(ind(c)["plan_year"], 2020, "{c}");
    }
    // Province targets, and "no target" for a city.
    let t = app
        .get(
            &leader,
            "/api/v1/targets?indicator=trained_poor_persons&unit=43&period=2020",
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.body);
    assert_eq!(t.body["target"]["value"], 5000);
    assert_eq!(t.body["children"].as_array().map(Vec::len), Some(14));
    assert!(t.body["children"]
        .as_array()
        .is_some_and(|c| c.iter().all(|c| c["target"].is_null())));
    let t = app
        .get(
            &leader,
            "/api/v1/targets?indicator=loan_subsidy_fen&unit=43&period=2020",
        )
        .await;
    assert_eq!(t.body["target"]["value"], 300_000_000);
    let t = app
        .get(
            &leader,
            "/api/v1/targets?indicator=sales_fairs&unit=43&period=2020",
        )
        .await;
    assert_eq!(t.body["target"]["value"], 14);
    assert!(t.body["children"]
        .as_array()
        .is_some_and(|c| c.iter().all(|c| c["target"]["value"] == 1)));
    // Milestones with their deadlines.
    let dues: Vec<String> = plan["milestones"]
        .as_array()
        .map(|m| m.iter().map(|m| s(&m["due"])).collect())
        .unwrap_or_default();
    for d in [
        "2020-03-20",
        "2020-06-19",
        "2020-09-18",
        "2020-06-30",
        "2020-09-30",
    ] {
        assert!(dues.iter().any(|x| x == d), "{d} in {dues:?}");
    }
    // The poverty office keeps the plan; a leader reads it.
    let poverty = app.token("poverty").await;
    let me = app.get(&poverty, "/api/v1/me").await;
    assert!(me.body.to_string().contains("manage_plan"), "{}", me.body);
    let mut m1 = measures[0].clone();
    m1["short_en"] = json!("Political study of the party group");
    let r = app
        .put(&leader, "/api/v1/plans/2020/measures/1", m1.clone())
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .put(&poverty, "/api/v1/plans/2020/measures/1", m1.clone())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["units"], measures[0]["units"]);
    let stale = app.put(&poverty, "/api/v1/plans/2020/measures/1", m1).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    // The dashboard answers with every indicator for the province and its 14 cities.
    let d = app
        .get(&leader, "/api/v1/dashboard?unit=43&period=2020")
        .await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(d.body["rows"].as_array().map(Vec::len), Some(15));
    assert_eq!(cell(&d.body, "43", "trained_poor_persons")["target"], 5000);
    assert_eq!(
        cell(&d.body, "43", "trained_poor_persons")["live"]["value"],
        0
    );
    assert_eq!(
        cell(&d.body, "43", "trained_poor_persons")["pace"],
        "behind"
    );
    assert_eq!(
        cell(&d.body, "4303", "trained_poor_persons")["target"],
        Value::Null
    );
    assert_eq!(
        cell(&d.body, "4303", "trained_poor_persons")["pace"],
        "no_target"
    );
    // 2020's deadlines are past: every city owes two reports (and the review), every
    // department its work plan and two hearings.
    assert_eq!(d.body["counters"]["overdue_milestones"], 14 * 3 + 12 * 3);
    // A county's staff cannot read another county's dashboard.
    let liuyang = app.token("liuyang.staff").await;
    let r = app
        .get(&liuyang, "/api/v1/dashboard?unit=430381&period=2020")
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app.get(&liuyang, "/api/v1/dashboard?period=2020").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["unit_code"], "430181");
}

async fn targets_are_split_top_down_by_the_right_roles(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "xiangxiang.leader", "430381", "leader");
    let poverty = app.token("poverty").await;
    let leader = app.token("leader").await;
    let city = app.token("xiangtan.leader").await;
    let county = app.token("xiangxiang.leader").await;
    let staff = app.token("xiangtan.staff").await;
    let put = |unit: &str| format!("/api/v1/targets/trained_poor_persons/{unit}/2020");

    // The province splits 5,000 among the cities: 1,000 to 湘潭市 warns that the
    // cities' targets add up to less than the province's.
    let r = app
        .put(&poverty, &put("4303"), json!({"value": 1000}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["target"]["version"], 1);
    assert_eq!(
        r.body["warnings"],
        json!([{"code": "children_below_parent", "parent_code": "43", "parent_value": 5000,
                "children_sum": 1000, "children_without": 13}])
    );
    // The rest to 长沙市 (a provincial leader may split too): no warning left.
    let r = app.put(&leader, &put("4301"), json!({"value": 4000})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["warnings"], json!([]));
    // A change needs the version; a stale one is refused.
    let r = app.put(&poverty, &put("4303"), json!({"value": 900})).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = app
        .request(
            actix_web::http::Method::PUT,
            &put("4303"),
            Some(&poverty),
            Some(json!({"value": 900})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["target"]["value"], 900);
    assert_eq!(r.body["warnings"][0]["children_sum"], 4900);
    let r = app
        .put(&poverty, &put("4303"), json!({"value": 1000, "version": 1}))
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.body["code"], "stale_version");
    // The city splits its share among its counties.
    let r = app.put(&city, &put("430381"), json!({"value": 600})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["warnings"][0]["parent_code"], "4303");
    assert_eq!(r.body["warnings"][0]["parent_value"], 900);
    assert_eq!(r.body["warnings"][0]["children_sum"], 600);
    // Who may not: a county its own target, a city its own or another city's (out of
    // its scope: 404), a city another city's county, staff without the right, a
    // provincial leader the province's (the poverty office's).
    let r = app
        .put(&county, &put("430381"), json!({"value": 700, "version": 1}))
        .await;
    assert_eq!(
        (r.status, s(&r.body["code"])),
        (403, "target_not_settable".into()),
        "{}",
        r.body
    );
    let r = app
        .put(&city, &put("4303"), json!({"value": 5000, "version": 2}))
        .await;
    assert_eq!(
        (r.status, s(&r.body["code"])),
        (403, "target_not_settable".into()),
        "{}",
        r.body
    );
    let r = app
        .put(&city, &put("4301"), json!({"value": 1, "version": 1}))
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app.put(&city, &put("430181"), json!({"value": 1})).await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app
        .put(&staff, &put("430381"), json!({"value": 1, "version": 1}))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .put(&leader, &put("43"), json!({"value": 6000, "version": 1}))
        .await;
    assert_eq!(
        (r.status, s(&r.body["code"])),
        (403, "target_not_settable".into()),
        "{}",
        r.body
    );
    let r = app
        .put(&poverty, &put("43"), json!({"value": 6000, "version": 1}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // A rate's target is at most 100 %.
    let r = app
        .put(
            &poverty,
            "/api/v1/targets/rehab_service_rate/4303/2020",
            json!({"value": 10_001}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    // The split as read back; a removed target is "no target", not zero.
    let split = app
        .get(
            &city,
            "/api/v1/targets?indicator=trained_poor_persons&unit=4303&period=2020",
        )
        .await;
    assert_eq!(split.body["target"]["value"], 900);
    let xx = split.body["children"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["unit_code"] == "430381"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(xx["target"]["value"], 600);
    let r = app
        .delete(&city, &format!("{}?version=1", put("430381")))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let d = app.get(&city, "/api/v1/dashboard?period=2020").await;
    assert_eq!(
        cell(&d.body, "430381", "trained_poor_persons")["target"],
        Value::Null
    );
    assert_eq!(
        cell(&d.body, "430381", "trained_poor_persons")["pace"],
        "no_target"
    );
    assert_eq!(cell(&d.body, "4303", "trained_poor_persons")["target"], 900);
    // Every change was audited: 3 creates, 2 updates, 1 delete.
    let n: i64 = {
        use diesel::prelude::*;

        use crate::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::entity_type.eq("target"))
            .count()
            .get_result(&mut app.conn())
            .unwrap_or(-1)
    };
    assert_eq!(n, 6);
}

/// Persons in two counties of 湘潭市 with needed rehab needs; `served` of them had a
/// service episode in 2020.
fn rehab_fixture(app: &TestApp, county: &str, persons: &[(uuid::Uuid, bool)]) {
    let mut conn = app.conn();
    for (i, (p, served)) in persons.iter().enumerate() {
        let need = uuid::Uuid::now_v7();
        let mut sql = format!(
            "INSERT INTO rehab_needs (id, person_id, county_code, city_code, kind, project, source,
                identified_on, year, status, version, created_at, created_by, updated_at, updated_by)
             VALUES ('{need}', '{p}', '{county}', '4303', 'rehab_medical', 'basic_rehab', 'survey',
                '2020-03-01', 2020, 'assessed', 1, '2026-01-01 00:00:00', 'test',
                '2026-01-01 00:00:00', 'test');"
        );
        if *served {
            sql.push_str(&format!(
                "INSERT INTO rehab_episodes (id, person_id, county_code, city_code, institution,
                    project, category, start_on, months, monthly_fen, total_fen, year, version,
                    created_at, created_by, updated_at, updated_by)
                 VALUES ('{e}', '{p}', '{county}', '4303', 'test{i}', 'basic_rehab', 'physical',
                    '2020-03-01', 1, 100, 100, 2020, 1, '2026-01-01 00:00:00', 'test',
                    '2026-01-01 00:00:00', 'test');",
                e = uuid::Uuid::now_v7()
            ));
        }
        conn.batch_execute(&sql).unwrap_or_else(|e| panic!("{e}"));
    }
    // Written straight into the tables, past the API: rebuild the kept figures as an
    // operator would after such a change (`xiangzhu kpi-rebuild`).
    crate::plan::aggregates::rebuild_all(&mut conn).unwrap_or_else(|e| panic!("{e}"));
}

async fn rates_are_ratios_of_sums_not_averages_of_percentages(backend: Backend) {
    let app = TestApp::new(backend).await;
    // 湘乡市: 1 person in need, served (100 %). 雨湖区: 3 in need, 1 served (33.33 %).
    // 湘潭市: 2 of 4 = 50 %, not the average of the percentages (66.67 %).
    let a = PersonBuilder::new().county("430381").create(&app).id;
    let b: Vec<uuid::Uuid> = (0..3)
        .map(|_| PersonBuilder::new().county("430302").create(&app).id)
        .collect();
    rehab_fixture(&app, "430381", &[(a, true)]);
    rehab_fixture(
        &app,
        "430302",
        &[(b[0], true), (b[1], false), (b[2], false)],
    );
    let leader = app.token("leader").await;
    let d = app
        .get(&leader, "/api/v1/dashboard?unit=4303&period=2020")
        .await;
    assert_eq!(d.status, 200, "{}", d.body);
    let city = cell(&d.body, "4303", "rehab_service_rate");
    assert_eq!(city["live"]["value"], 5000, "{city}");
    assert_eq!(city["live"]["numerator"], 2);
    assert_eq!(city["live"]["denominator"], 4);
    assert_eq!(
        cell(&d.body, "430381", "rehab_service_rate")["live"]["value"],
        10_000
    );
    assert_eq!(
        cell(&d.body, "430302", "rehab_service_rate")["live"]["value"],
        3333
    );
    // A county without anyone in need has no rate (0 of 0), not 0 % and not 100 %.
    let empty = cell(&d.body, "430382", "rehab_service_rate");
    assert_eq!(empty["live"]["value"], Value::Null);
    assert_eq!(empty["live"]["denominator"], 0);
    // The province: the same sums, against its 100 % target.
    let d = app
        .get(&leader, "/api/v1/dashboard?unit=43&period=2020")
        .await;
    let p = cell(&d.body, "43", "rehab_service_rate");
    assert_eq!(p["live"]["value"], 5000);
    assert_eq!(p["target"], 10_000);
    assert_eq!(p["percent_bp"], 5000);
    assert_eq!(p["pace"], "behind");
    // The records behind 雨湖区's rate: its three persons, masked, one in the numerator.
    let r = app
        .get(&leader, "/api/v1/dashboard/records?indicator=rehab_service_rate&unit=430302&period=2020&limit=2")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let first = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|i| s(&i["person_masked"]).ends_with('*')));
    assert!(first
        .iter()
        .all(|i| s(&i["id_number_masked"]).contains("****")));
    let cursor = s(&r.body["next_cursor"]);
    let r = app
        .get(&leader, &format!("/api/v1/dashboard/records?indicator=rehab_service_rate&unit=430302&period=2020&limit=2&cursor={cursor}"))
        .await;
    let second = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(second.len(), 1, "{}", r.body);
    assert!(r.body["next_cursor"].is_null());
    let served = first
        .iter()
        .chain(&second)
        .filter(|i| i["in_numerator"] == true)
        .count();
    assert_eq!(served, 1);
    // Out of scope: 404; without the right to read rehab data: 403.
    let liuyang = app.token("liuyang.staff").await;
    let r = app
        .get(
            &liuyang,
            "/api/v1/dashboard/records?indicator=rehab_service_rate&unit=430302&period=2020",
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let employment = app.token("employment").await;
    let r = app
        .get(
            &employment,
            "/api/v1/dashboard/records?indicator=rehab_service_rate&unit=430302&period=2020",
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);

    // Every county of the province ranked: 湘乡市 (100 %) first, 雨湖区 (33.33 %)
    // second, then the 132 others without a figure, by code.
    let r = app
        .get(
            &leader,
            "/api/v1/dashboard/ranking?indicator=rehab_service_rate&unit=43&period=2020",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rows = r.body["rows"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 134, "every county of Hunan");
    assert_eq!(s(&rows[0]["unit_code"]), "430381");
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[0]["cell"]["live"]["value"], 10_000, "{}", rows[0]);
    assert_eq!(s(&rows[0]["city_name"]), "湘潭市");
    assert_eq!(s(&rows[1]["unit_code"]), "430302");
    assert_eq!(rows[1]["cell"]["live"]["numerator"], 1);
    assert_eq!(rows[1]["cell"]["live"]["denominator"], 3);
    // A city ranks its own counties; a county user cannot rank the province (404),
    // and an unknown indicator is a field error.
    let r = app
        .get(
            &leader,
            "/api/v1/dashboard/ranking?indicator=rehab_service_rate&unit=4303&period=2020",
        )
        .await;
    assert_eq!(
        r.body["rows"].as_array().map(Vec::len),
        Some(8),
        "{}",
        r.body
    );
    let r = app
        .get(
            &liuyang,
            "/api/v1/dashboard/ranking?indicator=rehab_service_rate&unit=43&period=2020",
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app
        .get(
            &leader,
            "/api/v1/dashboard/ranking?indicator=no_such&unit=43&period=2020",
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
}

/// Marks every county of 湘潭市 but 湘乡市 approved for 2020 (their own workflow is
/// not under test here).
fn other_counties_approved(app: &TestApp) {
    let mut conn = app.conn();
    for c in [
        "430302", "430304", "430321", "430371", "430372", "430373", "430382",
    ] {
        conn.batch_execute(&format!(
            "INSERT INTO period_reports (unit_code, period, status, last_action, version)
             VALUES ('{c}', '2020', 'approved', 'approve', 1)"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

async fn approval_goes_children_first_and_unapproval_top_down(backend: Backend) {
    let app = TestApp::new(backend).await;
    other_counties_approved(&app);
    let county = app.token("xiangxiang.staff").await;
    let city_staff = app.token("xiangtan.staff").await;
    let city = app.token("xiangtan.leader").await;
    let province = app.token("leader").await;
    let before = audit_steps(&app);

    // The county submits; it cannot approve itself, nor can the province approve it.
    let (st, b) = act(&app, &county, "430381", "submit", None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["report"]["status"], "submitted");
    let (st, _) = act(&app, &county, "430381", "submit", None).await;
    assert_eq!(st, 409, "a second submit");
    let (st, _) = act(&app, &county, "430381", "approve", None).await;
    assert_eq!(st, 403);
    let (st, b) = act(&app, &province, "430381", "approve", None).await;
    assert_eq!((st, s(&b["code"])), (403, "not_your_level".into()), "{b}");
    // The city returns it with a reason (required), the county submits again, the city
    // accepts. City staff may accept but not approve.
    let (st, b) = act(&app, &city_staff, "430381", "return", None).await;
    assert_eq!(st, 422, "{b}");
    let (st, b) = act(
        &app,
        &city_staff,
        "430381",
        "return",
        Some("培训人数与花名册不符"),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["report"]["status"], "returned");
    assert_eq!(b["report"]["reason"], "培训人数与花名册不符");
    assert_eq!(act(&app, &county, "430381", "submit", None).await.0, 200);
    assert_eq!(
        act(&app, &city_staff, "430381", "accept", None).await.0,
        200
    );
    assert_eq!(
        act(&app, &city_staff, "430381", "approve", None).await.0,
        403
    );

    // The city submits its own report; the province cannot approve it before every
    // county of the city is approved.
    assert_eq!(act(&app, &city, "4303", "submit", None).await.0, 200);
    let (st, b) = act(&app, &province, "4303", "approve", None).await;
    assert_eq!(
        (st, s(&b["code"])),
        (409, "children_not_approved".into()),
        "{b}"
    );
    assert!(s(&b["detail"]).contains("430381"), "{b}");
    // The city approves 湘乡市; then the province approves the city.
    let (st, b) = act(&app, &city, "430381", "approve", None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["report"]["approved_by"], "xiangtan.leader");
    let view = app.get(&province, "/api/v1/period-reports/4303/2020").await;
    assert_eq!(
        view.body["allowed"],
        json!(["accept", "return", "approve"]),
        "{}",
        view.body
    );
    let (st, b) = act(&app, &province, "4303", "approve", None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["report"]["status"], "approved");

    // Unapproval: only by the level that approved, and not once the level above acted.
    let (st, b) = act(&app, &city, "430381", "unapprove", Some("数据有误")).await;
    assert_eq!(
        (st, s(&b["code"])),
        (409, "upper_level_acted".into()),
        "{b}"
    );
    let (st, b) = act(&app, &province, "430381", "unapprove", Some("数据有误")).await;
    assert_eq!((st, s(&b["code"])), (403, "not_your_level".into()), "{b}");
    let (st, _) = act(&app, &county, "430381", "unapprove", Some("数据有误")).await;
    assert_eq!(st, 403);
    let (st, b) = act(&app, &province, "4303", "unapprove", None).await;
    assert_eq!(st, 422, "a reason is required: {b}");
    let (st, b) = act(
        &app,
        &province,
        "4303",
        "unapprove",
        Some("湘乡市数据需更正"),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["report"]["status"], "accepted");
    // The city's report is only accepted now: the province has still acted on it.
    let (st, b) = act(&app, &city, "430381", "unapprove", Some("数据有误")).await;
    assert_eq!(
        (st, s(&b["code"])),
        (409, "upper_level_acted".into()),
        "{b}"
    );
    // Once the province returns the city's report, the city may withdraw its approval.
    assert_eq!(
        act(&app, &province, "4303", "return", Some("请更正"))
            .await
            .0,
        200
    );
    let (st, b) = act(&app, &city, "430381", "unapprove", Some("数据有误")).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["report"]["status"], "accepted");
    assert_eq!(b["report"]["approved_by"], Value::Null);
    // A stale version is refused.
    let r = app
        .post(
            &city,
            "/api/v1/period-reports/430381/2020/actions",
            json!({"action": "approve", "version": 1}),
        )
        .await;
    assert_eq!(
        (r.status, s(&r.body["code"])),
        (409, "stale_version".into()),
        "{}",
        r.body
    );
    // Every step was audited: 10 steps taken (submit, return, submit, accept, the
    // city's submit, two approvals, the province's unapproval and return, the city's
    // unapproval); the refused ones wrote nothing.
    assert_eq!(audit_steps(&app) - before, 10);
}

async fn approval_freezes_snapshots_and_locks_entry_until_an_exception(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.leader").await;
    let e = app.token("employment").await;
    let p1 = PersonBuilder::new().county("430381").create(&app).id;
    let p2 = PersonBuilder::new().county("430381").create(&app).id;
    let p3 = PersonBuilder::new().county("430381").create(&app).id;
    let c = course(&app, &e, "430381", "2020-06-01").await;
    assert_eq!(complete(&app, &county, &c, p1).await.0, 200);
    // A reported value with evidence the county can read.
    let pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec();
    let evidence = app
        .upload(
            &county,
            &format!("/api/v1/attachments?owner_type=person&owner_id={p1}"),
            pdf,
        )
        .await;
    assert_eq!(evidence.status, 201, "{}", evidence.body);
    let r = app
        .put(
            &county,
            "/api/v1/reported-values/sales_fairs/430381/2020",
            json!({"value": 3, "evidence_id": evidence.body["id"], "note": "联系3个村"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Evidence out of the county's reach is refused.
    let r = app
        .put(
            &county,
            "/api/v1/reported-values/sales_fairs/430381/2020",
            json!({"value": 3, "evidence_id": uuid::Uuid::now_v7(), "version": 1}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);

    // Submitted and approved: the figures are frozen.
    assert_eq!(act(&app, &county, "430381", "submit", None).await.0, 200);
    assert_eq!(act(&app, &city, "430381", "approve", None).await.0, 200);
    let d = app.get(&city, "/api/v1/dashboard?period=2020").await;
    let t = cell(&d.body, "430381", "trained_poor_persons");
    assert_eq!(t["live"]["value"], 1, "{t}");
    assert_eq!(t["approved"]["value"], 1);
    assert_eq!(t["approved"]["record_count"], 1);
    assert_eq!(t["live_differs"], false);
    assert_eq!(
        cell(&d.body, "430381", "sales_fairs")["approved"]["value"],
        3
    );
    assert_eq!(
        cell(&d.body, "4303", "trained_poor_persons")["approved"],
        Value::Null
    );
    assert_eq!(d.body["rows"][0]["report_status"], "open");

    // Data entry of the approved period is locked, saying why.
    let (st, b) = complete(&app, &county, &c, p2).await;
    assert_eq!((st, s(&b["code"])), (409, "period_locked".into()), "{b}");
    assert_eq!(b["errors"][0]["code"], "locked_approved");
    let r = app
        .put(
            &county,
            "/api/v1/reported-values/sales_fairs/430381/2020",
            json!({"value": 4, "version": 1}),
        )
        .await;
    assert_eq!(
        (r.status, s(&r.body["code"])),
        (409, "period_locked".into()),
        "{}",
        r.body
    );
    let loan = json!({"applicant": "person", "person_id": p1, "bank": "农商行", "principal_fen": 5_000_000,
        "annual_rate_bp": 435, "term_months": 12, "loan_date": "2020-04-01", "purpose": "养殖"});
    let r = app.post(&county, "/api/v1/loans", loan.clone()).await;
    assert_eq!(
        (r.status, s(&r.body["code"])),
        (409, "period_locked".into()),
        "{}",
        r.body
    );
    // Another county and another year stay open.
    let mut other = loan.clone();
    other["loan_date"] = json!("2021-04-01");
    assert_ne!(app.post(&county, "/api/v1/loans", other).await.status, 409);

    // A lock exception reopens it: granted by the approving level, not the county.
    let until = (crate::db::today() + chrono::TimeDelta::days(7)).to_string();
    let ex = json!({"unit_code": "430381", "period": "2020", "reason": "补录漏报的培训", "until": until});
    let r = app
        .post(&county, "/api/v1/lock-exceptions", ex.clone())
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app.post(&city, "/api/v1/lock-exceptions", ex).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["granted_by"], "xiangtan.leader");
    let (st, b) = complete(&app, &county, &c, p2).await;
    assert_eq!(st, 200, "{b}");

    // The live figure moved; the approved one did not.
    let d = app.get(&city, "/api/v1/dashboard?period=2020").await;
    let t = cell(&d.body, "430381", "trained_poor_persons");
    assert_eq!(t["live"]["value"], 2, "{t}");
    assert_eq!(t["approved"]["value"], 1);
    assert_eq!(t["live_differs"], true);
    // The records behind the live figure: two completions, masked; a series that ends
    // at 2 in June.
    let r = app
        .get(
            &city,
            "/api/v1/dashboard/records?indicator=trained_poor_persons&unit=430381&period=2020",
        )
        .await;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(2),
        "{}",
        r.body
    );
    let r = app
        .get(
            &city,
            "/api/v1/dashboard/series?indicator=trained_poor_persons&unit=430381&year=2020",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["datable"], true);
    assert_eq!(r.body["points"].as_array().map(Vec::len), Some(12));
    assert_eq!(r.body["points"][4]["value"], 0);
    assert_eq!(r.body["points"][5]["value"], 2);
    assert_eq!(r.body["points"][11]["value"], 2);

    // Without the exception (say it lapsed), entry is locked again.
    app.conn()
        .batch_execute("DELETE FROM lock_exceptions")
        .unwrap_or_else(|e| panic!("{e}"));
    let (st, _) = complete(&app, &county, &c, p3).await;
    assert_eq!(st, 409);
    // The export of the table is a spreadsheet.
    let (st, bytes) = app
        .download(&city, "/api/v1/dashboard/export?period=2020&format=xlsx")
        .await;
    assert_eq!(st, 200);
    assert!(bytes.starts_with(b"PK"));
    // Every exception was audited.
    assert_eq!(app.audit_count(&s(&r_id(&app)), "create"), 1);
}

/// The id of the (only) lock exception ever granted, from the audit log.
fn r_id(app: &TestApp) -> Value {
    use diesel::prelude::*;

    use crate::db::schema::audit_log;
    let id: String = audit_log::table
        .filter(audit_log::entity_type.eq("lock_exception"))
        .select(audit_log::entity_id)
        .first(&mut app.conn())
        .unwrap_or_default();
    Value::String(id)
}

async fn expired_and_closed_plans_lock_entry(backend: Backend) {
    let app = TestApp::new(backend).await;
    let poverty = app.token("poverty").await;
    let county = app.token("xiangxiang.staff").await;
    let e = app.token("employment").await;
    let p = PersonBuilder::new().county("430381").create(&app).id;
    let c = course(&app, &e, "430381", "2020-06-01").await;
    let plan = app.get(&poverty, "/api/v1/plans/2020").await.body["plan"].clone();
    let yesterday = (crate::db::today() - chrono::TimeDelta::days(1)).to_string();
    let mut input = json!({"title": plan["title"], "document_date": "2020-02-27", "status": "active",
        "entry_deadline": yesterday, "version": 1});
    let r = app.put(&poverty, "/api/v1/plans/2020", input.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (st, b) = complete(&app, &county, &c, p).await;
    assert_eq!(
        (st, s(&b["errors"][0]["code"])),
        (409, "locked_expired".into()),
        "{b}"
    );
    input["entry_deadline"] = Value::Null;
    input["status"] = json!("closed");
    input["version"] = json!(2);
    assert_eq!(
        app.put(&poverty, "/api/v1/plans/2020", input.clone())
            .await
            .status,
        200
    );
    let (st, b) = complete(&app, &county, &c, p).await;
    assert_eq!(
        (st, s(&b["errors"][0]["code"])),
        (409, "locked_closed".into()),
        "{b}"
    );
    input["status"] = json!("active");
    input["version"] = json!(3);
    assert_eq!(
        app.put(&poverty, "/api/v1/plans/2020", input).await.status,
        200
    );
    assert_eq!(complete(&app, &county, &c, p).await.0, 200);
}
