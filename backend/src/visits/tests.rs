//! HTTP tests of measure 4 (cadre ↔ household pairings, visits, the KPI), each on SQLite
//! and on PostgreSQL.

use serde_json::{json, Value};
use shared::visits::VisitCheckItem;

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, Resp, TestApp};

db_tests!(
    pairings_are_kept_by_the_county_and_seen_by_their_cadre,
    visits_are_idempotent_and_guarded_by_versions,
    a_visit_takes_photos_of_its_own,
    a_problem_opens_one_rectification_item,
    the_kpi_matches_a_hand_count,
    the_demo_pairs_the_xiangxiang_cadres,
);

/// County staff of 湘乡市: keeps its pairings.
const STAFF: &str = "xiangxiang.staff";
/// A cadre of 湘乡市 without `read_pairings`.
const CADRE: &str = "xiangxiang.rehab";

fn id_of(r: &Resp) -> String {
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

fn user_id(app: &TestApp, username: &str) -> String {
    use crate::db::schema::users;
    use diesel::prelude::*;
    users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Pairs `cadre` with `person` (by the county's staff) from `from` to `to`; answers the
/// pairing's id.
async fn pair(
    app: &TestApp,
    staff: &str,
    cadre: &str,
    person: &str,
    from: &str,
    to: Option<&str>,
) -> String {
    let r = app
        .post(
            staff,
            "/api/v1/pairings",
            json!({"cadre_id": user_id(app, cadre), "cadre_post": "干部", "person_id": person,
                "from_on": from, "to_on": to}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    id_of(&r)
}

/// A visit body with every check ok but those in `problems`.
fn visit(pairing: &str, on: &str, problems: &[VisitCheckItem]) -> Value {
    let checks: Vec<Value> = VisitCheckItem::ALL
        .iter()
        .map(|i| {
            if problems.contains(i) {
                json!({"item": i, "result": "problem", "note": "房屋漏雨，需维修"})
            } else {
                json!({"item": i, "result": "ok"})
            }
        })
        .collect();
    json!({"pairing_id": pairing, "visited_on": on, "mode": "in_person", "checks": checks,
        "policies": ["living_subsidy", "subsistence_allowance"], "help_given": "送米一袋"})
}

async fn pairings_are_kept_by_the_county_and_seen_by_their_cadre(backend: Backend) {
    let app = TestApp::new(backend).await;
    let staff = app.token(STAFF).await;
    let person = PersonBuilder::new()
        .household("HH-1")
        .create(&app)
        .id
        .to_string();
    let body = json!({"cadre_id": user_id(&app, CADRE), "cadre_post": "康复部干事",
        "person_id": person, "from_on": "2020-01-01"});
    // Only county staff keep pairings: not the city, not a cadre without the capability.
    for who in ["xiangtan.staff", CADRE, "xiangtan.leader"] {
        let t = app.token(who).await;
        let r = app.post(&t, "/api/v1/pairings", body.clone()).await;
        assert_eq!(r.status, 403, "{who}: {}", r.body);
    }
    // Another county does not find the household.
    let liuyang = app.token("liuyang.staff").await;
    let r = app.post(&liuyang, "/api/v1/pairings", body.clone()).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r
        .field_errors()
        .contains(&("person_id".into(), "not_found".into())));
    // A household not registered poor is not paired; a disabled or unknown cadre neither.
    let rich = PersonBuilder::new()
        .registered_poor(false)
        .create(&app)
        .id
        .to_string();
    let mut bad = body.clone();
    bad["person_id"] = json!(rich);
    bad["cadre_id"] = json!(user_id(&app, "system"));
    let r = app.post(&staff, "/api/v1/pairings", bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let errs = r.field_errors();
    assert!(errs.contains(&("person_id".into(), "not_registered_poor".into())));
    assert!(errs.contains(&("cadre_id".into(), "account_disabled".into())));
    let r = app.post(&staff, "/api/v1/pairings", body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r);
    assert_eq!(r.body["household_number"], "HH-1");
    assert_eq!(r.body["cadre_unit"], "430381");
    assert_eq!(app.audit_count(&id, "create"), 1);
    // The same cadre twice with the same household at once is refused.
    let r = app.post(&staff, "/api/v1/pairings", body.clone()).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r
        .field_errors()
        .contains(&("person_id".into(), "duplicate".into())));
    // Who sees it: the county and the city (read_pairings), the cadre themself; not
    // another county, not a colleague without the capability.
    let path = format!("/api/v1/pairings/{id}");
    for (who, status) in [
        (STAFF, 200),
        (CADRE, 200),
        ("xiangtan.staff", 200),
        ("xiangtan.leader", 200),
        ("leader", 200),
        ("liuyang.staff", 404),
        ("xiangxiang.rights", 404),
        ("admin", 404),
    ] {
        let t = app.token(who).await;
        let r = app.get(&t, &path).await;
        assert_eq!(r.status, status, "{who}: {}", r.body);
        let list = app.get(&t, "/api/v1/pairings").await;
        let n = list.body["items"].as_array().map_or(0, Vec::len);
        assert_eq!(n, usize::from(status == 200), "{who} lists {}", list.body);
    }
    let cadre = app.token(CADRE).await;
    let mine = app.get(&cadre, "/api/v1/pairings?mine=true").await;
    assert_eq!(mine.body["items"][0]["id"], id.as_str());
    let none = app.get(&staff, "/api/v1/pairings?mine=true").await;
    assert_eq!(none.body["items"].as_array().map(Vec::len), Some(0));
    // The cadres the county may pair: its own, the city's and the province's, enabled,
    // not administrators.
    let r = app.get(&staff, "/api/v1/pairings/cadres").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let names: Vec<&str> = r
        .body
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["unit_code"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"430381") && names.contains(&"4303"));
    assert!(!names.contains(&"430181"));
    let r = app.get(&cadre, "/api/v1/pairings/cadres").await;
    assert_eq!(r.status, 403);
    // Ending it takes the current version; the cadre and household stay.
    let mut end = body.clone();
    end["to_on"] = json!("2020-12-31");
    end["version"] = json!(1);
    let r = app.put(&staff, &path, end.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    let r = app.put(&staff, &path, end.clone()).await;
    assert_eq!((r.status, r.code()), (409, "stale_version"), "{}", r.body);
    end["version"] = json!(2);
    end["person_id"] = json!(rich);
    let r = app.put(&staff, &path, end).await;
    assert!(r
        .field_errors()
        .contains(&("person_id".into(), "immutable".into())));
    // The city's staff may read but not change it.
    let city = app.token("xiangtan.staff").await;
    let r = app.delete(&city, &format!("{path}?version=2")).await;
    assert_eq!(r.status, 403);
    let r = app.delete(&staff, &format!("{path}?version=2")).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = app.get(&cadre, &path).await;
    assert_eq!(r.status, 404);
}

async fn visits_are_idempotent_and_guarded_by_versions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let staff = app.token(STAFF).await;
    let cadre = app.token(CADRE).await;
    let person = PersonBuilder::new().create(&app).id.to_string();
    let pairing = pair(&app, &staff, CADRE, &person, "2020-01-01", None).await;
    let id = uuid::Uuid::now_v7().to_string();
    let mut body = visit(&pairing, "2020-05-10", &[]);
    body["id"] = json!(id);
    let first = app.post(&cadre, "/api/v1/visits", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["version"], 1);
    assert_eq!(first.body["recorded_by"], CADRE);
    assert_eq!(first.body["checks"].as_array().map(Vec::len), Some(6));
    // A re-send (the phone did not hear the answer) is the same visit, 200, written once.
    let again = app.post(&cadre, "/api/v1/visits", body.clone()).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body, first.body);
    assert_eq!(app.audit_count(&id, "create"), 1);
    // The same id with another body, or from someone else, is a conflict.
    let mut other = body.clone();
    other["help_given"] = json!("另一条");
    let r = app.post(&cadre, "/api/v1/visits", other).await;
    assert_eq!((r.status, r.code()), (409, "id_conflict"), "{}", r.body);
    let r = app.post(&staff, "/api/v1/visits", body.clone()).await;
    assert_eq!((r.status, r.code()), (409, "id_conflict"), "{}", r.body);
    // Who may record: the cadre and the county's staff; others do not find the pairing.
    for who in ["xiangxiang.rights", "liuyang.staff"] {
        let t = app.token(who).await;
        let r = app
            .post(&t, "/api/v1/visits", visit(&pairing, "2020-05-11", &[]))
            .await;
        assert_eq!(r.status, 422, "{who}: {}", r.body);
        assert!(r
            .field_errors()
            .contains(&("pairing_id".into(), "not_found".into())));
    }
    let city = app.token("xiangtan.staff").await;
    let r = app
        .post(&city, "/api/v1/visits", visit(&pairing, "2020-05-11", &[]))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    // Before the pairing began, in the future, or without every check: 422.
    let r = app
        .post(&cadre, "/api/v1/visits", visit(&pairing, "2019-12-31", &[]))
        .await;
    assert!(r
        .field_errors()
        .contains(&("visited_on".into(), "out_of_range".into())));
    let r = app
        .post(&cadre, "/api/v1/visits", visit(&pairing, "2099-01-01", &[]))
        .await;
    assert!(r
        .field_errors()
        .contains(&("visited_on".into(), "in_future".into())));
    let mut short = visit(&pairing, "2020-05-11", &[]);
    short["checks"].as_array_mut().map(Vec::pop);
    let r = app.post(&cadre, "/api/v1/visits", short).await;
    assert!(r
        .field_errors()
        .contains(&("checks.drinking_water".into(), "required".into())));
    // An edit against the current version passes; one made offline against the old
    // version is 409 with the server's visit, and nothing is overwritten.
    let path = format!("/api/v1/visits/{id}");
    let mut edit = visit(&pairing, "2020-05-10", &[]);
    edit["version"] = json!(1);
    edit["help_given"] = json!("送米一袋、油一桶");
    edit["mode"] = json!("phone");
    let r = app.put(&cadre, &path, edit.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    let mut offline = visit(&pairing, "2020-05-10", &[]);
    offline["version"] = json!(1);
    offline["help_given"] = json!("离线时的修改");
    let r = app.put(&staff, &path, offline).await;
    assert_eq!((r.status, r.code()), (409, "stale_version"), "{}", r.body);
    assert_eq!(r.body["current"]["version"], 2);
    assert_eq!(r.body["current"]["help_given"], "送米一袋、油一桶");
    assert_eq!(r.body["current"]["mode"], "phone");
    let r = app.get(&cadre, &path).await;
    assert_eq!(r.body["help_given"], "送米一袋、油一桶");
    // Lists: per pairing, per unit (read_pairings), the cadre's own.
    let r = app
        .get(&staff, &format!("/api/v1/visits?pairing_id={pairing}"))
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    let r = app.get(&city, "/api/v1/visits?area=430381").await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    let liuyang = app.token("liuyang.staff").await;
    let r = app.get(&liuyang, "/api/v1/visits?area=430381").await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    let r = app.get(&liuyang, &path).await;
    assert_eq!(r.status, 404);
    let r = app.get(&cadre, "/api/v1/visits").await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    let r = app
        .get(&staff, &format!("/api/v1/pairings/{pairing}"))
        .await;
    assert_eq!(
        (r.body["visits"].as_i64(), r.body["last_visit_on"].as_str()),
        (Some(1), Some("2020-05-10"))
    );
}

async fn a_visit_takes_photos_of_its_own(backend: Backend) {
    let app = TestApp::new(backend).await;
    let staff = app.token(STAFF).await;
    let cadre = app.token(CADRE).await;
    let person = PersonBuilder::new().create(&app).id.to_string();
    let pairing = pair(&app, &staff, CADRE, &person, "2020-01-01", None).await;
    let r = app
        .post(&cadre, "/api/v1/visits", visit(&pairing, "2020-05-10", &[]))
        .await;
    let visit_id = id_of(&r);
    let path = format!("/api/v1/attachments?owner_type=visit&owner_id={visit_id}");
    let photo = crate::attachments::media::samples::jpeg(64, 48);
    // The cadre holds no attachment capability but adds photos to their visit.
    let r = app.upload(&cadre, &path, photo.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    for (who, status) in [
        (STAFF, 200),
        ("xiangtan.staff", 200),
        ("liuyang.staff", 404),
        ("xiangxiang.rights", 404),
    ] {
        let t = app.token(who).await;
        let r = app.get(&t, &path).await;
        assert_eq!(r.status, status, "{who}: {}", r.body);
    }
    // The city reads but does not add; another county does not find the visit.
    let city = app.token("xiangtan.staff").await;
    let r = app.upload(&city, &path, photo.clone()).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let liuyang = app.token("liuyang.staff").await;
    let r = app.upload(&liuyang, &path, photo).await;
    assert_eq!(r.status, 404, "{}", r.body);
}

async fn the_kpi_matches_a_hand_count(backend: Backend) {
    let app = TestApp::new(backend).await;
    let staff = app.token(STAFF).await;
    let person = |n: &str| {
        PersonBuilder::new()
            .household(n)
            .create(&app)
            .id
            .to_string()
    };
    let (a, b, c, d) = (person("A"), person("B"), person("C"), person("D"));
    // 湘乡市's cadres: staff, rehab, rights, employment (4); 湘潭市's own: leader, staff
    // (2). On 15 May 2020: rehab with A and B, xiangtan.staff with D (from April) are
    // paired; rights was paired with C until March only.
    let pa = pair(&app, &staff, CADRE, &a, "2020-01-01", None).await;
    let pb = pair(&app, &staff, CADRE, &b, "2020-01-01", None).await;
    let pc = pair(
        &app,
        &staff,
        "xiangxiang.rights",
        &c,
        "2020-01-01",
        Some("2020-03-31"),
    )
    .await;
    pair(&app, &staff, "xiangtan.staff", &d, "2020-04-01", None).await;
    let rehab = app.token(CADRE).await;
    let rights = app.token("xiangxiang.rights").await;
    // Visits: A twice in Q2 (one household), B in Q1, C in Q1.
    for (t, p, on) in [
        (&rehab, &pa, "2020-05-10"),
        (&rehab, &pa, "2020-06-01"),
        (&rehab, &pb, "2020-03-15"),
        (&rights, &pc, "2020-02-01"),
    ] {
        let r = app.post(t, "/api/v1/visits", visit(p, on, &[])).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let leader = app.token("xiangtan.leader").await;
    let r = app
        .get(&leader, "/api/v1/kpi/pairing?region=4303&on=2020-05-15")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["quarter_from"], "2020-04-01");
    assert_eq!(r.body["quarter_to"], "2020-06-30");
    let row = |v: &Value| {
        (
            v["cadres"].as_i64(),
            v["paired_cadres"].as_i64(),
            v["households_paired"].as_i64(),
            v["households_visited"].as_i64(),
        )
    };
    assert_eq!(row(&r.body["total"]), (Some(6), Some(2), Some(3), Some(1)));
    let children = r.body["children"].as_array().cloned().unwrap_or_default();
    let xiangxiang = children
        .iter()
        .find(|c| c["unit_code"] == "430381")
        .cloned()
        .unwrap_or_default();
    assert_eq!(row(&xiangxiang), (Some(4), Some(1), Some(3), Some(1)));
    let yuhu = children
        .iter()
        .find(|c| c["unit_code"] == "430302")
        .cloned()
        .unwrap_or_default();
    assert_eq!(row(&yuhu), (Some(0), Some(0), Some(0), Some(0)));
    // In February: rehab and rights paired (2 of 4), A, B and C paired, B and C visited.
    let r = app
        .get(&leader, "/api/v1/kpi/pairing?region=430381&on=2020-02-15")
        .await;
    assert_eq!(row(&r.body["total"]), (Some(4), Some(2), Some(3), Some(2)));
    // Another county's staff does not see 湘乡市's numbers.
    let liuyang = app.token("liuyang.staff").await;
    let r = app.get(&liuyang, "/api/v1/kpi/pairing?region=430381").await;
    assert_eq!(r.status, 404);
}

async fn the_demo_pairs_the_xiangxiang_cadres(backend: Backend) {
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
        crate::demo::seed_pairings(&mut conn, &app.state.pii).unwrap_or_else(|e| panic!("{e}"));
    }
    let leader = app.token("xiangtan.leader").await;
    let r = app
        .get(&leader, "/api/v1/kpi/pairing?region=430381&on=2020-06-30")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Every cadre of 湘乡市 is paired in the demo, and some households were visited.
    assert_eq!(r.body["total"]["cadres"], r.body["total"]["paired_cadres"]);
    assert!(r.body["total"]["households_visited"].as_i64() > Some(0));
    let cadre = app.token(CADRE).await;
    let r = app.get(&cadre, "/api/v1/pairings?mine=true").await;
    assert!(!r.body["items"].as_array().is_none_or(Vec::is_empty));
}

/// The rectification items a visit opened.
fn items_of(app: &TestApp, visit: &str) -> Vec<(String, String, String, Option<i32>)> {
    use crate::db::schema::rectification_items as r;
    use diesel::prelude::*;
    r::table
        .filter(r::source_id.eq(visit))
        .order(r::category.asc())
        .select((r::source, r::county_code, r::category, r::measure))
        .load(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn a_problem_opens_one_rectification_item(backend: Backend) {
    let app = TestApp::new(backend).await;
    let staff = app.token(STAFF).await;
    let cadre = app.token(CADRE).await;
    let person = PersonBuilder::new().create(&app).id.to_string();
    let pairing = pair(&app, &staff, CADRE, &person, "2020-01-01", None).await;
    let id = uuid::Uuid::now_v7().to_string();
    let mut body = visit(&pairing, "2020-05-10", &[VisitCheckItem::Housing]);
    body["id"] = json!(id);
    let r = app.post(&cadre, "/api/v1/visits", body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let housing = r.body["checks"][4].clone();
    assert_eq!(housing["item"], "housing");
    assert!(housing["rectification_id"].is_string(), "{housing}");
    assert!(r.body["checks"][0]["rectification_id"].is_null());
    let one = vec![(
        "visit".to_owned(),
        "430381".to_owned(),
        "housing".to_owned(),
        Some(4),
    )];
    assert_eq!(items_of(&app, &id), one);
    // The phone sends it again: the same visit, no second item.
    let again = app.post(&cadre, "/api/v1/visits", body).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(items_of(&app, &id), one);
    // An edit keeps the housing item and opens one for the newly found water problem.
    let mut edit = visit(
        &pairing,
        "2020-05-10",
        &[VisitCheckItem::Housing, VisitCheckItem::DrinkingWater],
    );
    edit["version"] = json!(1);
    let r = app.put(&cadre, &format!("/api/v1/visits/{id}"), edit).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["checks"][4], housing);
    let items = items_of(&app, &id);
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].2, "drinking_water");
    // The county sees the item on its ledger.
    let rid = housing["rectification_id"].as_str().unwrap_or_default();
    let r = app
        .get(&staff, &format!("/api/v1/rectification/items/{rid}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["source"], "visit");
}
