//! The write protocol of [`crate::record`], proven for every entity on both databases by
//! one contract: an idempotent retry answers the same record; a different body with the
//! same id is 409; a stale version is 409 and changes nothing; every write leaves exactly
//! one audit entry; out of scope, the record is 404 to read, change or delete, and no
//! list shows it.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::testing::{Backend, PersonBuilder, TestApp};

/// One entity's side of the contract.
struct Spec {
    /// `entity_type` in the audit log.
    entity: &'static str,
    /// Who creates (in scope) and who must not see it (same rights, another area).
    owner: &'static str,
    outsider: &'static str,
    /// Where creates go and where lists come from.
    create_path: String,
    list_path: String,
    /// Item path without the id (`/api/v1/persons/`).
    item_prefix: String,
    /// Whether the item can be read with GET.
    readable: bool,
    /// A create body, and a different one.
    body: Value,
    other_body: Value,
    /// An update body for the given version (PUT on the item), if the entity has one.
    update: Option<Box<dyn Fn(i64) -> Value>>,
    /// Whether the entity has a soft delete (DELETE on the item with `?version=`).
    delete: bool,
}

/// Generates, for each named spec, the contract test on SQLite and on PostgreSQL.
macro_rules! record_contract {
    ($($name:ident => $spec:ident),* $(,)?) => {
        $(
            async fn $name(backend: Backend) {
                let app = TestApp::new(backend).await;
                let spec = $spec(&app).await;
                check(&app, spec).await;
            }
        )*
        crate::db_tests!($($name),*);
    };
}

record_contract!(
    persons => person_spec,
    courses => course_spec,
    enrolments => enrolment_spec,
    bases => base_spec,
    loans => loan_spec,
    users => user_spec,
    rehab_needs => rehab_need_spec,
    rehab_episodes => rehab_episode_spec,
    retrofit_cases => retrofit_case_spec,
    care_providers => care_provider_spec,
    care_assessments => care_assessment_spec,
    care_placements => care_placement_spec,
    milestone_submissions => milestone_submission_spec,
    pairings => pairing_spec,
    visits => visit_spec,
    rectification_items => rectification_item_spec,
);

fn items(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .or(body.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn audits(app: &TestApp, id: &str) -> i64 {
    use crate::db::schema::audit_log;
    use diesel::prelude::*;
    audit_log::table
        .filter(audit_log::entity_id.eq(id))
        .filter(audit_log::action.ne("reveal"))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn check(app: &TestApp, s: Spec) {
    let e = s.entity;
    let owner = app.token(s.owner).await;
    let outsider = app.token(s.outsider).await;
    let id = uuid::Uuid::now_v7().to_string();
    let mut body = s.body.clone();
    body["id"] = json!(id);

    // Create, then the same create again: the same record, 200, no second audit entry.
    let first = app.post(&owner, &s.create_path, body.clone()).await;
    assert_eq!(first.status, 201, "{e}: create: {}", first.body);
    assert_eq!(audits(app, &id), 1, "{e}: one audit entry for the create");
    let retry = app.post(&owner, &s.create_path, body.clone()).await;
    assert_eq!(retry.status, 200, "{e}: retry: {}", retry.body);
    assert_eq!(
        retry.body["id"],
        json!(id),
        "{e}: the retry answers the record"
    );
    assert_eq!(retry.body["version"], first.body["version"], "{e}");
    assert_eq!(audits(app, &id), 1, "{e}: a retry writes nothing");
    // The same id with another body, or from someone else: 409, nothing written.
    let mut other = s.other_body.clone();
    other["id"] = json!(id);
    let conflict = app.post(&owner, &s.create_path, other).await;
    assert_eq!(conflict.status, 409, "{e}: other body: {}", conflict.body);
    assert_eq!(conflict.body["code"], "id_conflict", "{e}");
    assert_eq!(audits(app, &id), 1, "{e}");
    let item = format!("{}{id}", s.item_prefix);

    // Out of scope: 404 everywhere, and no list shows it.
    if s.readable {
        assert_eq!(
            app.get(&outsider, &item).await.status,
            404,
            "{e}: outsider get"
        );
        assert_eq!(app.get(&owner, &item).await.status, 200, "{e}: owner get");
    }
    assert!(
        !items(&app.get(&outsider, &s.list_path).await.body).contains(&id),
        "{e}: an outsider's list shows it"
    );
    assert!(
        items(&app.get(&owner, &s.list_path).await.body).contains(&id),
        "{e}: the owner's list misses it"
    );
    if let Some(update) = &s.update {
        let r = app.put(&outsider, &item, update(1)).await;
        assert_eq!(r.status, 404, "{e}: outsider update: {}", r.body);
        // A current update: one more audit entry; a stale one: 409, nothing changed.
        let r = app.put(&owner, &item, update(1)).await;
        assert_eq!(r.status, 200, "{e}: update: {}", r.body);
        assert_eq!(r.body["version"], 2, "{e}");
        assert_eq!(audits(app, &id), 2, "{e}: one audit entry for the update");
        let stale = app.put(&owner, &item, update(1)).await;
        assert_eq!(stale.status, 409, "{e}: stale update: {}", stale.body);
        assert_eq!(stale.body["code"], "stale_version", "{e}");
        assert_eq!(audits(app, &id), 2, "{e}: a stale update writes nothing");
        if s.readable {
            let now = app.get(&owner, &item).await.body;
            assert_eq!(now, r.body, "{e}: a stale update changed the record");
        }
    }
    if s.delete {
        let version = if s.update.is_some() { 2 } else { 1 };
        let before = audits(app, &id);
        let r = app
            .request(
                Method::DELETE,
                &format!("{item}?version={version}"),
                Some(&outsider),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, 404, "{e}: outsider delete: {}", r.body);
        let stale = app
            .delete(&owner, &format!("{item}?version={}", version + 5))
            .await;
        assert_eq!(stale.status, 409, "{e}: stale delete: {}", stale.body);
        assert_eq!(
            audits(app, &id),
            before,
            "{e}: a stale delete writes nothing"
        );
        let r = app
            .delete(&owner, &format!("{item}?version={version}"))
            .await;
        assert_eq!(r.status, 204, "{e}: delete: {}", r.body);
        assert_eq!(
            audits(app, &id),
            before + 1,
            "{e}: one audit entry for the delete"
        );
        let again = app
            .delete(&owner, &format!("{item}?version={version}"))
            .await;
        assert!(
            again.status == 404 || again.status == 409,
            "{e}: a second delete: {}",
            again.status
        );
        assert_eq!(
            audits(app, &id),
            before + 1,
            "{e}: a racing delete writes nothing"
        );
        assert!(
            !items(&app.get(&owner, &s.list_path).await.body).contains(&id),
            "{e}: a deleted record is listed"
        );
        // A deleted record's id cannot be taken again by a create.
        let r = app.post(&owner, &s.create_path, body).await;
        assert_eq!(r.status, 409, "{e}: create over a deleted id: {}", r.body);
    }
}

async fn person_spec(_app: &TestApp) -> Spec {
    let body = PersonBuilder::new().county("430381").json();
    let update_base = {
        let mut b = body.clone();
        b["name"] = json!("改过的名字");
        b.as_object_mut().map(|o| o.remove("id"));
        b
    };
    Spec {
        entity: "person",
        owner: "xiangxiang.staff",
        outsider: "liuyang.staff",
        create_path: "/api/v1/persons".into(),
        list_path: "/api/v1/persons?limit=500".into(),
        item_prefix: "/api/v1/persons/".into(),
        readable: true,
        other_body: PersonBuilder::new().county("430381").json(),
        body,
        update: Some(Box::new(move |v| {
            let mut b = update_base.clone();
            b["version"] = json!(v);
            b
        })),
        delete: true,
    }
}

fn course_body(name: &str) -> Value {
    json!({
        "name": name, "kind": "practical_technique", "county_code": "430381",
        "venue": "县残联培训室", "start_date": "2020-05-06", "end_date": "2020-05-10",
        "planned_places": 40, "hours": 32, "trainer": "县农业技术推广中心", "funding_fen": 2_000_000
    })
}

async fn course_spec(_app: &TestApp) -> Spec {
    Spec {
        entity: "training_course",
        owner: "xiangxiang.staff",
        outsider: "liuyang.staff",
        create_path: "/api/v1/courses".into(),
        list_path: "/api/v1/courses?limit=500".into(),
        item_prefix: "/api/v1/courses/".into(),
        readable: true,
        body: course_body("种养殖实用技术培训班"),
        other_body: course_body("另一个培训班"),
        update: Some(Box::new(|v| {
            let mut b = course_body("种养殖实用技术培训班（改）");
            b["version"] = json!(v);
            b
        })),
        delete: true,
    }
}

async fn enrolment_spec(app: &TestApp) -> Spec {
    let t = app.token("xiangxiang.staff").await;
    let course = app
        .post(&t, "/api/v1/courses", course_body("名册测试班"))
        .await;
    let cid = course.body["id"].as_str().unwrap_or_default().to_owned();
    let a = PersonBuilder::new().county("430381").create(app).id;
    let b = PersonBuilder::new().county("430381").create(app).id;
    Spec {
        entity: "enrolment",
        owner: "xiangxiang.staff",
        outsider: "liuyang.staff",
        create_path: format!("/api/v1/courses/{cid}/enrolments"),
        list_path: format!("/api/v1/courses/{cid}/enrolments"),
        item_prefix: "/api/v1/enrolments/".into(),
        readable: false,
        body: json!({"person_id": a}),
        other_body: json!({"person_id": b}),
        update: Some(Box::new(|v| {
            json!({"version": v, "status": "completed", "hours_attended": 30, "completion_date": "2020-05-10",
                   "certificate_obtained": true})
        })),
        delete: true,
    }
}

fn base_body(name: &str, code: &str) -> Value {
    json!({"name": name, "credit_code": code, "county_code": "430381", "kind": "poverty_alleviation",
           "recognised_on": "2019-05-01"})
}

async fn base_spec(_app: &TestApp) -> Spec {
    Spec {
        entity: "employment_base",
        owner: "xiangxiang.staff",
        outsider: "liuyang.staff",
        create_path: "/api/v1/bases".into(),
        list_path: "/api/v1/bases?limit=500".into(),
        item_prefix: "/api/v1/bases/".into(),
        readable: true,
        body: base_body("扶贫车间", "91350100M000100Y43"),
        other_body: base_body("另一个车间", "91110000802100433B"),
        update: Some(Box::new(|v| {
            let mut b = base_body("扶贫车间（改）", "91350100M000100Y43");
            b["version"] = json!(v);
            b
        })),
        delete: false,
    }
}

fn loan_body(person: &uuid::Uuid, principal: i64) -> Value {
    json!({"applicant": "person", "person_id": person, "bank": "农商行", "principal_fen": principal,
           "annual_rate_bp": 435, "term_months": 12, "loan_date": "2020-04-01", "purpose": "养殖"})
}

async fn loan_spec(app: &TestApp) -> Spec {
    let p = PersonBuilder::new().county("430381").create(app).id;
    let body = loan_body(&p, 5_000_000);
    Spec {
        entity: "loan",
        owner: "xiangxiang.staff",
        outsider: "liuyang.staff",
        create_path: "/api/v1/loans".into(),
        list_path: "/api/v1/loans?limit=500".into(),
        item_prefix: "/api/v1/loans/".into(),
        readable: true,
        other_body: loan_body(&p, 4_000_000),
        body,
        update: Some(Box::new(move |v| {
            let mut b = loan_body(&p, 3_000_000);
            b["version"] = json!(v);
            b
        })),
        delete: false,
    }
}

/// Rehab needs change by workflow steps (their own tests), not by PUT.
async fn rehab_need_spec(app: &TestApp) -> Spec {
    let p = PersonBuilder::new().county("430381").create(app).id;
    let need = |project: &str| {
        json!({"person_id": p, "kind": "rehab_medical", "project": project,
            "source": "home_visit", "identified_on": "2020-03-02"})
    };
    Spec {
        entity: "rehab_need",
        owner: "xiangxiang.staff",
        outsider: "liuyang.staff",
        create_path: "/api/v1/rehab/needs".into(),
        list_path: "/api/v1/rehab/needs?limit=500".into(),
        item_prefix: "/api/v1/rehab/needs/".into(),
        readable: true,
        body: need("basic_rehab"),
        other_body: need("limb_surgery"),
        update: None,
        delete: false,
    }
}

async fn retrofit_case_spec(app: &TestApp) -> Spec {
    let p = PersonBuilder::new().county("430381").create(app).id;
    let case = move |source: &str| json!({"person_ids": [p], "source": source, "identified_on": "2020-03-02"});
    Spec {
        entity: "retrofit_case",
        owner: "xiangxiang.staff",
        outsider: "liuyang.staff",
        create_path: "/api/v1/retrofits/cases".into(),
        list_path: "/api/v1/retrofits/cases?limit=500".into(),
        item_prefix: "/api/v1/retrofits/cases/".into(),
        readable: true,
        body: case("survey"),
        other_body: case("home_visit"),
        update: None,
        delete: false,
    }
}

async fn rectification_item_spec(_: &TestApp) -> Spec {
    let item = |category: &str| {
        json!({"source": "self_check", "county_code": "430381", "category": category,
            "description": "自查发现的问题", "found_on": "2020-03-02", "deadline": "2020-06-30"})
    };
    Spec {
        entity: "rectification_item",
        owner: "xiangxiang.staff",
        outsider: "liuyang.staff",
        create_path: "/api/v1/rectification/items".into(),
        list_path: "/api/v1/rectification/items?limit=500".into(),
        item_prefix: "/api/v1/rectification/items/".into(),
        readable: true,
        body: item("policy"),
        other_body: item("work"),
        update: None,
        delete: false,
    }
}

async fn rehab_episode_spec(app: &TestApp) -> Spec {
    let p = PersonBuilder::new().county("430381").create(app).id;
    let episode = move |months: i64| {
        json!({"person_id": p, "institution": "湘乡市康复中心", "project": "basic_rehab",
            "category": "physical", "start_on": "2020-03-01", "months": months,
            "monthly_fen": 50_000})
    };
    Spec {
        entity: "rehab_episode",
        owner: "xiangxiang.staff",
        outsider: "liuyang.staff",
        create_path: "/api/v1/rehab/episodes".into(),
        list_path: "/api/v1/rehab/episodes?limit=500".into(),
        item_prefix: "/api/v1/rehab/episodes/".into(),
        readable: true,
        body: episode(3),
        other_body: episode(4),
        update: Some(Box::new(move |v| {
            let mut b = episode(6);
            b["version"] = json!(v);
            b
        })),
        delete: false,
    }
}

fn care_provider_body(places: i64) -> Value {
    json!({"name": "湘乡市托养中心", "kind": "dpf_centre", "county_code": "430381",
        "places": places})
}

/// Care providers: kept by their county (the outsider is another county's staff).
async fn care_provider_spec(_app: &TestApp) -> Spec {
    Spec {
        entity: "care_provider",
        owner: "xiangxiang.employment",
        outsider: "liuyang.staff",
        create_path: "/api/v1/care/providers".into(),
        list_path: "/api/v1/care/providers?limit=500".into(),
        item_prefix: "/api/v1/care/providers/".into(),
        readable: true,
        body: care_provider_body(20),
        other_body: care_provider_body(30),
        update: Some(Box::new(|v| {
            let mut b = care_provider_body(25);
            b["version"] = json!(v);
            b
        })),
        delete: true,
    }
}

async fn care_assessment_spec(app: &TestApp) -> Spec {
    let p = PersonBuilder::new().county("430381").create(app).id;
    let body = move |mode: &str| {
        json!({"person_id": p, "assessed_on": "2020-02-20", "assessor": "评估小组",
            "self_care": "fully_dependent", "carer": "no_carer", "preferred_mode": mode})
    };
    Spec {
        entity: "care_assessment",
        owner: "xiangxiang.employment",
        outsider: "liuyang.staff",
        create_path: "/api/v1/care/assessments".into(),
        list_path: "/api/v1/care/assessments?limit=500".into(),
        item_prefix: "/api/v1/care/assessments/".into(),
        readable: true,
        body: body("residential"),
        other_body: body("day_care"),
        update: None,
        delete: false,
    }
}

/// Care placements change by workflow steps (their own tests), not by PUT.
async fn care_placement_spec(app: &TestApp) -> Spec {
    let p = PersonBuilder::new().county("430381").create(app).id;
    let owner = app.token("xiangxiang.employment").await;
    let r = app
        .post(&owner, "/api/v1/care/providers", care_provider_body(10))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let provider = r.body["id"].clone();
    let body = move |fen: i64| {
        json!({"person_id": p, "provider_id": provider, "mode": "residential",
            "start_on": "2020-03-01", "monthly_subsidy_fen": fen, "funder": "dpf"})
    };
    Spec {
        entity: "care_placement",
        owner: "xiangxiang.employment",
        outsider: "liuyang.staff",
        create_path: "/api/v1/care/placements".into(),
        list_path: "/api/v1/care/placements?limit=500".into(),
        item_prefix: "/api/v1/care/placements/".into(),
        readable: true,
        body: body(80_000),
        other_body: body(90_000),
        update: None,
        delete: false,
    }
}

fn user_body(display: &str) -> Value {
    json!({"username": "contract.user", "display_name": display, "password": "Contract-Pass-2020",
           "unit_code": "4303", "roles": ["auditor"]})
}

/// Users: the provincial admin creates an account in 湘潭市; an admin of 长沙市 (made
/// here, with the demo password) must not see it. Role changes and resets have their
/// own tests (`auth::tests`); accounts are disabled, never deleted.
async fn user_spec(app: &TestApp) -> Spec {
    use diesel::connection::SimpleConnection;
    app.conn()
        .batch_execute(
            "INSERT INTO users (id, username, display_name, password_hash, unit_code, roles, \
             disabled, version, created_at, updated_at, must_change_password) \
             SELECT '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', 'changsha.admin', '长沙市管理员', \
             password_hash, '4301', 'admin', disabled, 1, created_at, updated_at, FALSE \
             FROM users WHERE username = 'admin'",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    Spec {
        entity: "user",
        owner: "admin",
        outsider: "changsha.admin",
        create_path: "/api/v1/users".into(),
        list_path: "/api/v1/users?limit=500".into(),
        item_prefix: "/api/v1/users/".into(),
        readable: true,
        body: user_body("合同测试"),
        other_body: user_body("另一个人"),
        update: None,
        delete: false,
    }
}

/// A city's delivery of the plan's June report (created only: a delivery is not
/// changed or deleted, a later one is added).
async fn milestone_submission_spec(_app: &TestApp) -> Spec {
    let path = "/api/v1/milestones/0193a000-2020-7000-8000-000000000002/submissions".to_owned();
    Spec {
        entity: "milestone_submission",
        owner: "xiangtan.staff",
        outsider: "liuyang.staff",
        create_path: path.clone(),
        list_path: path.clone(),
        item_prefix: format!("{path}/"),
        readable: false,
        body: json!({"note": "湘潭市6月工作成效与经验做法"}),
        other_body: json!({"note": "另一份报告"}),
        update: None,
        delete: false,
    }
}

fn cadre_id(app: &TestApp, username: &str) -> String {
    use crate::db::schema::users;
    use diesel::prelude::*;
    users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn pairing_spec(app: &TestApp) -> Spec {
    let p = PersonBuilder::new().county("430381").create(app).id;
    let cadre = cadre_id(app, "xiangxiang.rehab");
    let body = move |post: &str, to: Option<&str>| {
        json!({"cadre_id": cadre, "cadre_post": post, "person_id": p,
            "from_on": "2020-01-01", "to_on": to})
    };
    let update = body.clone();
    Spec {
        entity: "pairing",
        owner: "xiangxiang.staff",
        outsider: "liuyang.staff",
        create_path: "/api/v1/pairings".into(),
        list_path: "/api/v1/pairings?limit=500".into(),
        item_prefix: "/api/v1/pairings/".into(),
        readable: true,
        body: body("康复部干事", None),
        other_body: body("办公室主任", None),
        update: Some(Box::new(move |v| {
            let mut b = update("康复部干事", Some("2020-12-31"));
            b["version"] = json!(v);
            b
        })),
        delete: true,
    }
}

async fn visit_spec(app: &TestApp) -> Spec {
    let p = PersonBuilder::new().county("430381").create(app).id;
    let staff = app.token("xiangxiang.staff").await;
    let r = app
        .post(
            &staff,
            "/api/v1/pairings",
            json!({"cadre_id": cadre_id(app, "xiangxiang.rehab"), "cadre_post": "干事",
                "person_id": p, "from_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let pairing = r.body["id"].clone();
    let body = move |help: &str| {
        let checks: Vec<Value> = shared::visits::VisitCheckItem::ALL
            .iter()
            .map(|i| json!({"item": i, "result": "ok"}))
            .collect();
        json!({"pairing_id": pairing, "visited_on": "2020-05-10", "mode": "in_person",
            "checks": checks, "policies": ["rehab"], "help_given": help})
    };
    let update = body.clone();
    Spec {
        entity: "visit",
        owner: "xiangxiang.rehab",
        outsider: "liuyang.staff",
        create_path: "/api/v1/visits".into(),
        list_path: "/api/v1/visits?limit=500".into(),
        item_prefix: "/api/v1/visits/".into(),
        readable: true,
        body: body("送米一袋"),
        other_body: body("送油一桶"),
        update: Some(Box::new(move |v| {
            let mut b = update("送米一袋、油一桶");
            b["version"] = json!(v);
            b
        })),
        delete: false,
    }
}
