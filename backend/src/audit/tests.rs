//! HTTP tests of the audit log's filters, each on SQLite and on PostgreSQL.

use diesel::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::{AuthUser, Scope};
use crate::db::schema::audit_log;
use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    filters_by_category_user_unit_and_record,
    dates_are_china_calendar_days_inclusive,
    unit_filter_never_leaves_the_scope,
    bad_filters_are_clear_errors,
    filtered_pages_chain,
);

/// `(action, actor_username, entity_id)` of each entry of a page.
fn entries(body: &Value) -> Vec<(String, String, String)> {
    body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
                    (s("action"), s("actor_username"), s("entity_id"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A person created through the API by a county's staff: its id.
async fn create_person(app: &TestApp, token: &str, county: &str) -> String {
    let r = app
        .post(
            token,
            "/api/v1/persons",
            PersonBuilder::new().county(county).json(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

/// 湘乡 staff create and reveal a person, 浏阳 staff create one; both logged in.
async fn some_history(app: &TestApp) -> (String, String) {
    let xx = app.token("xiangxiang.staff").await;
    let ly = app.token("liuyang.staff").await;
    let a = create_person(app, &xx, "430381").await;
    let b = create_person(app, &ly, "430181").await;
    let r = app
        .post(
            &xx,
            &format!("/api/v1/persons/{a}/reveal"),
            json!({"reason": "核对身份"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    (a, b)
}

async fn filters_by_category_user_unit_and_record(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (a, b) = some_history(&app).await;
    let t = app.token("auditor").await;
    let get = |q: &str| {
        let (app, t, q) = (&app, &t, q.to_owned());
        async move {
            let r = app.get(t, &format!("/api/v1/audit?{q}")).await;
            assert_eq!(r.status, 200, "{q}: {}", r.body);
            entries(&r.body)
        }
    };

    let writes = get("category=write").await;
    assert_eq!(
        writes
            .iter()
            .map(|e| (e.0.as_str(), e.2.as_str()))
            .collect::<Vec<_>>(),
        vec![("create", b.as_str()), ("create", a.as_str())],
        "writes only, newest first"
    );
    let reveals = get("category=reveal").await;
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0].0, "reveal");
    assert_eq!(reveals[0].2, a);
    let security = get("category=security").await;
    assert!(security.len() >= 3, "three logins: {security:?}");
    assert!(security.iter().all(|e| e.0 == "login"));
    assert!(get("category=export").await.is_empty());

    // By user: the login name, any case.
    let by_user = get("actor=XiangXiang.Staff").await;
    assert!(!by_user.is_empty());
    assert!(by_user.iter().all(|e| e.1 == "xiangxiang.staff"));
    assert!(by_user.iter().any(|e| e.0 == "reveal"));
    assert_eq!(
        get("actor=xiangxiang.staff&category=write").await.len(),
        1,
        "filters combine"
    );

    // By record.
    let by_record = get(&format!("entity_id={a}")).await;
    assert_eq!(
        by_record.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        vec!["reveal", "create"]
    );

    // By unit: the county's records and what its users did (their logins), nothing of
    // 浏阳; a city takes in its counties.
    let xiangxiang = get("unit=430381").await;
    assert!(xiangxiang
        .iter()
        .all(|e| e.2 != b && e.1 != "liuyang.staff"));
    assert!(xiangxiang.iter().any(|e| e.0 == "login"));
    assert_eq!(xiangxiang.iter().filter(|e| e.2 == a).count(), 2);
    let changsha = get("unit=4301&category=write").await;
    assert_eq!(changsha.len(), 1);
    assert_eq!(changsha[0].2, b);
    // A department: what its users did.
    let _ = app.token("rights").await;
    let rights = get("unit=43.rights").await;
    assert_eq!(rights.len(), 1);
    assert_eq!(rights[0].1, "rights");

    // The entry names the actor's display name.
    let r = app.get(&t, &format!("/api/v1/audit?entity_id={b}")).await;
    assert_eq!(r.body["items"][0]["actor_name"], "浏阳市残联干部");
}

/// An entry at an exact instant (naive UTC).
fn entry_at(app: &TestApp, at: chrono::NaiveDateTime) -> String {
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(&id),
            audit_log::at.eq(at),
            audit_log::actor_id.eq(Uuid::nil().to_string()),
            audit_log::actor_username.eq("clock"),
            audit_log::actor_unit.eq("43"),
            audit_log::action.eq("export"),
            audit_log::entity_type.eq("person"),
            audit_log::entity_id.eq(Uuid::nil().to_string()),
            audit_log::unit_code.eq("43"),
        ))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    id
}

async fn dates_are_china_calendar_days_inclusive(backend: Backend) {
    let app = TestApp::new(backend).await;
    let utc = |s: &str| {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // 2026-03-01 23:59:59 and 2026-03-02 00:00:00 in China (UTC+8).
    let late = entry_at(&app, utc("2026-03-01 15:59:59"));
    let early = entry_at(&app, utc("2026-03-01 16:00:00"));
    let t = app.token("auditor").await;
    let ids = |q: &str| {
        let (app, t, q) = (&app, &t, q.to_owned());
        async move {
            let r = app
                .get(t, &format!("/api/v1/audit?category=export&{q}"))
                .await;
            assert_eq!(r.status, 200, "{q}: {}", r.body);
            r.body["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|e| e["id"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        ids("from=2026-03-01&to=2026-03-01").await,
        vec![late.clone()]
    );
    assert_eq!(
        ids("from=2026-03-02&to=2026-03-02").await,
        vec![early.clone()]
    );
    assert_eq!(ids("from=2026-03-02").await, vec![early.clone()]);
    assert_eq!(ids("to=2026-03-01").await, vec![late.clone()]);
    assert_eq!(
        ids("from=2026-03-01&to=2026-03-02").await,
        vec![early.clone(), late.clone()]
    );
    assert!(ids("from=2026-03-03").await.is_empty());
    assert!(ids("to=2026-02-28").await.is_empty());
}

async fn unit_filter_never_leaves_the_scope(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (a, b) = some_history(&app).await;
    // An auditor of 湘潭市 (4303).
    let actor = AuthUser {
        id: Uuid::nil(),
        username: "xiangtan.auditor".into(),
        unit_code: "4303".into(),
        roles: vec![shared::auth::Role::Auditor],
        scope: Scope::City("4303".into()),
        session_id: Uuid::nil(),
        write_lsn: None,
    };
    let list = |q: shared::api::AuditQuery| {
        crate::audit::list(&mut app.conn(), &actor.scope, &q, None, 100)
    };
    let unit = |u: &str| shared::api::AuditQuery {
        unit: Some(u.into()),
        ..Default::default()
    };
    let own = list(unit("430381")).unwrap_or_else(|e| panic!("{e}"));
    assert!(own.iter().any(|e| e.entity_id.to_string() == a));
    assert!(own.iter().all(|e| e.entity_id.to_string() != b));
    for other in ["430181", "4301", "43", "43.rights", "nowhere"] {
        assert!(
            matches!(list(unit(other)), Err(crate::error::ApiError::NotFound)),
            "{other}"
        );
    }
    // Without a unit, only the scope's entries.
    let all = list(Default::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(all.iter().all(|e| e.entity_id.to_string() != b));
    // Over HTTP, the province auditor may filter anywhere; an unknown unit is 404.
    let t = app.token("auditor").await;
    let r = app.get(&t, "/api/v1/audit?unit=999999").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.code(), "not_found");
}

async fn bad_filters_are_clear_errors(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("auditor").await;
    let r = app
        .get(&t, "/api/v1/audit?from=2026-03-02&to=2026-03-01")
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.field_errors(),
        vec![("to".to_owned(), "before_start".to_owned())]
    );
    let r = app.get(&t, "/api/v1/audit?from=2026-02-30").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.field_errors().first().map(|e| e.0.as_str()), Some("from"));
    let r = app.get(&t, "/api/v1/audit?category=everything").await;
    assert_eq!(r.status, 422, "{}", r.body);
    // Staff may not read the log at all.
    let s = app.token("xiangxiang.staff").await;
    assert_eq!(
        app.get(&s, "/api/v1/audit?category=write").await.status,
        403
    );
}

async fn filtered_pages_chain(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(create_person(&app, &t, "430381").await);
    }
    made.reverse();
    let at = app.token("auditor").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("/api/v1/audit?category=write&limit=2&cursor={c}"),
            None => "/api/v1/audit?category=write&limit=2".to_owned(),
        };
        let r = app.get(&at, &q).await;
        assert_eq!(r.status, 200, "{}", r.body);
        seen.extend(entries(&r.body).into_iter().map(|e| e.2));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(seen.len() <= 5, "pages do not repeat");
    }
    assert_eq!(seen, made, "every write once, newest first");
}

#[derive(diesel::QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

/// Each filter of the audit screen is answered from an index, not by reading the whole
/// log (SQLite's plan; PostgreSQL has the same indexes).
#[actix_web::test]
async fn filters_use_indexes() {
    let app = TestApp::new(Backend::Sqlite).await;
    let mut conn = app.conn();
    let crate::db::DbConn::Sqlite(c) = &mut *conn else {
        panic!("not SQLite");
    };
    let cases = [
        ("actor_username = 'x'", "audit_log_actor_username"),
        ("actor_id = 'x'", "audit_log_actor"),
        ("entity_id = 'x'", "audit_log_entity"),
        (
            "action IN ('create', 'update', 'delete')",
            "audit_log_action",
        ),
        (
            "at >= '2026-03-01 00:00:00' AND at < '2026-03-02 00:00:00'",
            "audit_log_at",
        ),
        (
            "(county_code = 'x' OR actor_unit = 'x')",
            "audit_log_actor_unit",
        ),
        ("(unit_code = 'x' OR actor_unit = 'x')", "audit_log_unit"),
    ];
    for (filter, index) in cases {
        let plan: Vec<PlanRow> = diesel::sql_query(format!(
            "EXPLAIN QUERY PLAN SELECT id FROM audit_log WHERE {filter} ORDER BY id DESC LIMIT 50"
        ))
        .load(c)
        .unwrap_or_else(|e| panic!("{e}"));
        let text: Vec<String> = plan.into_iter().map(|r| r.detail).collect();
        assert!(text.iter().any(|d| d.contains(index)), "{filter}: {text:?}");
    }
}
