//! HTTP tests of the user list's filters and of the pending-grants list, each on SQLite
//! and on PostgreSQL.

use serde_json::{json, Value};

use crate::db_tests;
use crate::testing::{Backend, TestApp};

db_tests!(
    user_lists_are_searched_within_scope,
    leaders_list_pending_grants_in_their_scope,
);

/// The usernames of a list answer.
fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u["username"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Creates a user and returns its id.
async fn create(
    app: &TestApp,
    admin: &str,
    username: &str,
    display: &str,
    unit: &str,
    roles: Value,
) -> String {
    let r = app
        .post(
            admin,
            "/api/v1/users",
            json!({"username": username, "display_name": display, "password": "first-pass-123", "unit_code": unit, "roles": roles}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

/// Logs a new user in and changes the password an admin set, returning a token.
async fn activate(app: &TestApp, username: &str) -> String {
    let r = app.login_as(username, "first-pass-123").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = r.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .post(
            &t,
            "/api/v1/me/password",
            json!({"current_password": "first-pass-123", "new_password": "second-pass-456"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    t
}

async fn user_lists_are_searched_within_scope(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.token("admin").await;
    create(
        &app,
        &admin,
        "zhang.san",
        "Zhang SAN 100%",
        "4303",
        json!(["auditor"]),
    )
    .await;
    let list = |q: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            app.get(&admin, &format!("/api/v1/users?limit=500&{q}"))
                .await
        }
    };
    let r = list("q=staff").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        names(&r.body),
        vec!["liuyang.staff", "xiangtan.staff", "xiangxiang.staff"]
    );
    // Display names, in Chinese and case-insensitively in Latin letters.
    let r = list("q=%E6%B9%98%E6%BD%AD").await;
    assert_eq!(names(&r.body), vec!["xiangtan.leader", "xiangtan.staff"]);
    assert_eq!(names(&list("q=zhang%20san").await.body), vec!["zhang.san"]);
    assert_eq!(
        names(&list("q=XIANGXIANG").await.body),
        vec![
            "xiangxiang.employment",
            "xiangxiang.rehab",
            "xiangxiang.rights",
            "xiangxiang.staff"
        ]
    );
    // Wildcards match themselves only.
    assert_eq!(names(&list("q=100%25").await.body), vec!["zhang.san"]);
    assert!(names(&list("q=_").await.body).is_empty());
    // A blank search filters nothing; an overlong one is refused.
    assert!(names(&list("q=%20").await.body).len() >= 10);
    let long = "a".repeat(65);
    let r = app.get(&admin, &format!("/api/v1/users?q={long}")).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.field_errors(),
        vec![("q".to_owned(), "too_long".to_owned())]
    );
    let r = app
        .get(&admin, &format!("/api/v1/users?q={}", "a".repeat(64)))
        .await;
    assert_eq!(r.status, 200);
    // By unit, and both filters together.
    assert_eq!(
        names(&list("unit=4303").await.body),
        vec!["xiangtan.leader", "xiangtan.staff", "zhang.san"]
    );
    assert_eq!(
        names(&list("unit=4303&q=staff").await.body),
        vec!["xiangtan.staff"]
    );
    assert!(names(&list("unit=9999").await.body).is_empty());
    // Paging keeps the filters.
    let r = list("unit=4303").await;
    assert_eq!(r.body["next_cursor"], Value::Null);
    let first = app.get(&admin, "/api/v1/users?unit=4303&limit=2").await;
    assert_eq!(
        names(&first.body),
        vec!["xiangtan.leader", "xiangtan.staff"]
    );
    let cursor = first.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let next = app
        .get(
            &admin,
            &format!("/api/v1/users?unit=4303&limit=2&cursor={cursor}"),
        )
        .await;
    assert_eq!(names(&next.body), vec!["zhang.san"]);
    // A city admin finds nobody outside the city, by unit or by name.
    create(
        &app,
        &admin,
        "xiangtan.admin",
        "湘潭管理员",
        "4303",
        json!(["admin"]),
    )
    .await;
    let xa = activate(&app, "xiangtan.admin").await;
    for q in ["unit=4301", "unit=43", "q=liuyang", "unit=430181&q=staff"] {
        let r = app.get(&xa, &format!("/api/v1/users?{q}")).await;
        assert_eq!(r.status, 200, "{q}: {}", r.body);
        assert!(names(&r.body).is_empty(), "{q}: {}", r.body);
    }
    assert_eq!(
        names(&app.get(&xa, "/api/v1/users?q=staff").await.body),
        vec!["xiangtan.staff", "xiangxiang.staff"]
    );
    assert_eq!(
        names(&app.get(&xa, "/api/v1/users?unit=430381").await.body),
        vec![
            "xiangxiang.employment",
            "xiangxiang.rehab",
            "xiangxiang.rights",
            "xiangxiang.staff"
        ]
    );
    // Those who neither manage users nor confirm grants list nobody.
    let staff = app.token("xiangtan.staff").await;
    assert_eq!(app.get(&staff, "/api/v1/users?q=a").await.status, 403);
}

async fn leaders_list_pending_grants_in_their_scope(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.token("admin").await;
    let changsha = create(
        &app,
        &admin,
        "changsha.new",
        "长沙新人",
        "4301",
        json!(["staff"]),
    )
    .await;
    let xiangtan = create(
        &app,
        &admin,
        "xiangtan.new",
        "湘潭新人",
        "4303",
        json!(["registrar", "auditor"]),
    )
    .await;
    create(
        &app,
        &admin,
        "plain.auditor",
        "审计新人",
        "4303",
        json!(["auditor"]),
    )
    .await;
    let r = app.get(&admin, "/api/v1/users?pending=true").await;
    assert_eq!(names(&r.body), vec!["changsha.new", "xiangtan.new"]);
    assert_eq!(
        names(
            &app.get(&admin, "/api/v1/users?pending=true&unit=4303")
                .await
                .body
        ),
        vec!["xiangtan.new"]
    );
    assert!(
        names(
            &app.get(&admin, "/api/v1/users?pending=false&q=plain")
                .await
                .body
        ) == vec!["plain.auditor"],
        "pending=false filters nothing"
    );
    // The provincial leader sees every pending grant, and only those.
    let leader = app.token("leader").await;
    let r = app.get(&leader, "/api/v1/users?pending=true").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(names(&r.body), vec!["changsha.new", "xiangtan.new"]);
    assert_eq!(r.body["items"][0]["pending_roles"], json!(["staff"]));
    assert_eq!(app.get(&leader, "/api/v1/users").await.status, 403);
    assert_eq!(
        app.get(&leader, "/api/v1/users?pending=false").await.status,
        403
    );
    let r = app.get(&leader, &format!("/api/v1/users/{xiangtan}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["pending_roles"], json!(["auditor", "registrar"]));
    // A city leader sees the city's only; another city's user is not found.
    let xl = app.token("xiangtan.leader").await;
    assert_eq!(
        names(&app.get(&xl, "/api/v1/users?pending=true").await.body),
        vec!["xiangtan.new"]
    );
    assert!(names(
        &app.get(&xl, "/api/v1/users?pending=true&unit=4301")
            .await
            .body
    )
    .is_empty());
    assert_eq!(
        app.get(&xl, &format!("/api/v1/users/{changsha}"))
            .await
            .status,
        404
    );
    // Staff may not list pending grants.
    let staff = app.token("xiangtan.staff").await;
    assert_eq!(
        app.get(&staff, "/api/v1/users?pending=true").await.status,
        403
    );
    assert_eq!(
        app.get(&staff, &format!("/api/v1/users/{xiangtan}"))
            .await
            .status,
        403
    );
    // Once settled, a grant leaves the list.
    let r = app
        .post(
            &xl,
            &format!("/api/v1/users/{xiangtan}/roles/confirm"),
            json!({"version": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .post(
            &leader,
            &format!("/api/v1/users/{changsha}/roles/reject"),
            json!({"version": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(names(&app.get(&leader, "/api/v1/users?pending=true").await.body).is_empty());
}
