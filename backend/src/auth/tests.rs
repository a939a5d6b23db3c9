//! HTTP tests of login, refresh, logout, lockout, disabled users and user administration,
//! each on SQLite and on PostgreSQL.

use serde_json::json;

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    login_and_me,
    refresh_rotates_and_reuse_ends_the_session,
    logout_ends_the_session,
    disabled_users_lose_their_sessions,
    repeated_failures_lock_the_account,
    tokens_are_checked,
    admins_manage_users_in_their_scope,
    password_change_and_reset,
    audit_log_is_scoped,
    openapi_and_health_need_no_token,
);

async fn login_and_me(backend: Backend) {
    let app = TestApp::new(backend).await;
    let r = app.login_as("xiangxiang.staff", "xiangzhu-demo").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    let t = r.body["access_token"].as_str().unwrap_or_default();
    let me = app.get(t, "/api/v1/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["user"]["username"], "xiangxiang.staff");
    assert_eq!(me.body["unit"]["name"], "湘乡市");
    assert_eq!(me.body["scope"]["code"], "430381");
    assert!(me.body["permissions"]
        .as_array()
        .is_some_and(|p| p.contains(&json!("write_persons"))));
    // A department's scope is the province.
    let et = app.token("employment").await;
    let me = app.get(&et, "/api/v1/me").await;
    assert_eq!(
        (
            me.body["unit"]["name"].as_str(),
            me.body["scope"]["code"].as_str()
        ),
        (Some("省残联教就部"), Some("43"))
    );
    for (user, pass) in [
        ("xiangxiang.staff", "wrong-password"),
        ("nobody", "xiangzhu-demo"),
        ("", ""),
    ] {
        let r = app.login_as(user, pass).await;
        assert_eq!(r.status, 401, "{user}");
        assert_eq!(
            r.code(),
            "invalid_credentials",
            "the same answer whether the user exists or not"
        );
    }
}

async fn refresh_rotates_and_reuse_ends_the_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let login = app.login_as("liuyang.staff", "xiangzhu-demo").await;
    let first_refresh = login.body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .request(
            actix_web::http::Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": first_refresh})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200);
    let second_refresh = r.body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let access = r.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_ne!(second_refresh, first_refresh);
    assert_eq!(app.get(&access, "/api/v1/me").await.status, 200);
    // Someone replays the first token: the whole session ends.
    let replay = app
        .request(
            actix_web::http::Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": first_refresh})),
            &[],
        )
        .await;
    assert_eq!(replay.status, 401);
    assert_eq!(replay.code(), "refresh_token_reused");
    let r = app
        .request(
            actix_web::http::Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": second_refresh})),
            &[],
        )
        .await;
    assert_eq!(r.status, 401, "the newest token of the family is dead too");
    let me = app.get(&access, "/api/v1/me").await;
    assert_eq!((me.status, me.code()), (401, "session_ended"));
    // Other sessions of the same user are unaffected.
    let other = app.token("liuyang.staff").await;
    assert_eq!(app.get(&other, "/api/v1/me").await.status, 200);
    let junk = app
        .request(
            actix_web::http::Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": "junk"})),
            &[],
        )
        .await;
    assert_eq!((junk.status, junk.code()), (401, "invalid_refresh_token"));
}

async fn logout_ends_the_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let login = app.login_as("rehab", "xiangzhu-demo").await;
    let access = login.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let refresh = login.body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .post(
            &access,
            "/api/v1/auth/logout",
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(app.get(&access, "/api/v1/me").await.status, 401);
    let r = app
        .request(
            actix_web::http::Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh})),
            &[],
        )
        .await;
    assert_eq!(r.status, 401);
    // Logout without a body works too.
    let t = app.token("rehab").await;
    assert_eq!(
        app.request(
            actix_web::http::Method::POST,
            "/api/v1/auth/logout",
            Some(&t),
            None,
            &[]
        )
        .await
        .status,
        204
    );
    assert_eq!(app.get(&t, "/api/v1/me").await.status, 401);
}

async fn disabled_users_lose_their_sessions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let login = app.login_as("xiangxiang.staff", "xiangzhu-demo").await;
    let access = login.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let refresh = login.body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let admin = app.token("admin").await;
    let me = app.get(&access, "/api/v1/me").await;
    let id = me.body["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let stale = app
        .post(
            &admin,
            &format!("/api/v1/users/{id}/disable"),
            json!({"version": 0}),
        )
        .await;
    assert_eq!(stale.status, 409);
    let r = app
        .post(
            &admin,
            &format!("/api/v1/users/{id}/disable"),
            json!({"version": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["disabled"], true);
    let me = app.get(&access, "/api/v1/me").await;
    assert_eq!((me.status, me.code()), (401, "account_disabled"));
    let r = app
        .request(
            actix_web::http::Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh})),
            &[],
        )
        .await;
    assert_eq!(r.status, 401);
    let r = app.login_as("xiangxiang.staff", "xiangzhu-demo").await;
    assert_eq!((r.status, r.code()), (401, "account_disabled"));
    assert_eq!(app.audit_count(&id, "disable"), 1);
    // Enabled again, they can log in; the old session stays dead.
    assert_eq!(
        app.post(
            &admin,
            &format!("/api/v1/users/{id}/enable"),
            json!({"version": 2})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.login_as("xiangxiang.staff", "xiangzhu-demo")
            .await
            .status,
        200
    );
    assert_eq!(app.get(&access, "/api/v1/me").await.status, 401);
    // Admins cannot lock themselves out.
    let me = app.get(&admin, "/api/v1/me").await;
    let admin_id = me.body["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        app.post(
            &admin,
            &format!("/api/v1/users/{admin_id}/disable"),
            json!({"version": 1})
        )
        .await
        .status,
        409
    );
    // Only admins may.
    let staff = app.token("xiangtan.staff").await;
    assert_eq!(
        app.post(
            &staff,
            &format!("/api/v1/users/{id}/disable"),
            json!({"version": 3})
        )
        .await
        .status,
        403
    );
}

async fn repeated_failures_lock_the_account(backend: Backend) {
    let app = TestApp::new(backend).await;
    for _ in 0..crate::auth::queries::MAX_FAILED_LOGINS {
        assert_eq!(app.login_as("rights", "not-the-password").await.status, 401);
    }
    let r = app.login_as("rights", "xiangzhu-demo").await;
    assert_eq!(r.status, 429, "locked even with the right password");
    assert!(r.headers.get("retry-after").is_some());
    // Other accounts are not affected; an admin's reset unlocks it.
    assert_eq!(app.login_as("rehab", "xiangzhu-demo").await.status, 200);
    let admin = app.token("admin").await;
    let users = app.get(&admin, "/api/v1/users?limit=500").await;
    let id = users.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|u| u["username"] == "rights"))
        .map(|u| u["id"].clone())
        .unwrap_or_default();
    let id = id.as_str().unwrap_or_default();
    assert_eq!(
        app.post(
            &admin,
            &format!("/api/v1/users/{id}/password"),
            json!({"new_password": "a-new-password-1"})
        )
        .await
        .status,
        200
    );
    assert_eq!(app.login_as("rights", "a-new-password-1").await.status, 200);
}

async fn tokens_are_checked(backend: Backend) {
    let app = TestApp::new(backend).await;
    let none = app
        .request(
            actix_web::http::Method::GET,
            "/api/v1/persons",
            None,
            None,
            &[],
        )
        .await;
    assert_eq!((none.status, none.code()), (401, "missing_token"));
    assert_eq!(
        none.headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let bad = app.get("not.a.jwt", "/api/v1/persons").await;
    assert_eq!((bad.status, bad.code()), (401, "invalid_token"));
    // A token signed with another key.
    let other = crate::auth::tokens::JwtKeys::new(b"some-other-secret-some-other-secret");
    let forged = other
        .issue(
            uuid::Uuid::new_v4(),
            uuid::Uuid::new_v4(),
            chrono::Utc::now().timestamp(),
        )
        .unwrap_or_default();
    assert_eq!(app.get(&forged, "/api/v1/persons").await.status, 401);
    // An expired one of ours.
    let t = app.token("leader").await;
    let me = app.get(&t, "/api/v1/me").await;
    let uid = uuid::Uuid::parse_str(me.body["user"]["id"].as_str().unwrap_or_default())
        .unwrap_or_default();
    let old = app
        .state
        .jwt
        .issue(
            uid,
            uuid::Uuid::new_v4(),
            chrono::Utc::now().timestamp() - 3600,
        )
        .unwrap_or_default();
    let r = app.get(&old, "/api/v1/me").await;
    assert_eq!((r.status, r.code()), (401, "token_expired"));
}

async fn admins_manage_users_in_their_scope(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.token("admin").await;
    let body = json!({"username": "changsha.staff", "display_name": "长沙市残联干部", "password": "changsha-pass-1", "unit_code": "4301", "roles": ["staff"]});
    let id = uuid::Uuid::new_v4();
    let mut with_id = body.clone();
    with_id["id"] = json!(id);
    let r = app.post(&admin, "/api/v1/users", with_id.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.body.get("password_hash").is_none());
    assert_eq!(
        app.post(&admin, "/api/v1/users", with_id).await.status,
        200,
        "idempotent retry"
    );
    assert_eq!(
        app.post(&admin, "/api/v1/users", body.clone()).await.code(),
        "duplicate_username"
    );
    let mut bad = body.clone();
    bad["username"] = json!("Bad Name");
    bad["password"] = json!("short");
    bad["roles"] = json!([]);
    let r = app.post(&admin, "/api/v1/users", bad).await;
    let fields: Vec<String> = r.field_errors().into_iter().map(|e| e.0).collect();
    assert_eq!(fields, vec!["username", "password", "roles"]);
    let mut bad = body.clone();
    bad["roles"] = json!(["superuser"]);
    assert_eq!(
        app.post(&admin, "/api/v1/users", bad)
            .await
            .field_errors()
            .first()
            .map(|e| e.0.clone()),
        Some("roles[0]".into())
    );
    // The new user works, within 长沙市.
    let t = app.token_with("changsha.staff", "changsha-pass-1").await;
    let b = PersonBuilder::new().county("430181").create(&app);
    assert_eq!(
        app.get(&t, &format!("/api/v1/persons/{}", b.id))
            .await
            .status,
        200
    );
    // A city admin manages only users of their city.
    let r = app.post(&admin, "/api/v1/users", json!({"username": "xiangtan.admin", "display_name": "湘潭管理员", "password": "xiangtan-admin-1", "unit_code": "4303", "roles": ["admin"]})).await;
    assert_eq!(r.status, 201);
    let xa = app.token_with("xiangtan.admin", "xiangtan-admin-1").await;
    let listed = app.get(&xa, "/api/v1/users?limit=500").await;
    let names: Vec<&str> = listed.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|u| u["username"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"xiangxiang.staff") && names.contains(&"xiangtan.staff"));
    assert!(
        !names.contains(&"liuyang.staff") && !names.contains(&"admin"),
        "{names:?}"
    );
    let r = app.post(&xa, "/api/v1/users", json!({"username": "x.y", "display_name": "越权", "password": "xiangtan-admin-1", "unit_code": "4301", "roles": ["staff"]})).await;
    assert_eq!(
        r.field_errors(),
        vec![("unit_code".to_owned(), "outside_scope".to_owned())]
    );
    let id = r.body["id"].clone();
    assert!(id.is_null());
    let liuyang = app.get(&admin, "/api/v1/users?limit=500").await;
    let lid = liuyang.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|u| u["username"] == "liuyang.staff"))
        .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    assert_eq!(
        app.get(&xa, &format!("/api/v1/users/{lid}")).await.status,
        404
    );
    assert_eq!(
        app.post(
            &xa,
            &format!("/api/v1/users/{lid}/disable"),
            json!({"version": 1})
        )
        .await
        .status,
        404
    );
}

async fn password_change_and_reset(backend: Backend) {
    let app = TestApp::new(backend).await;
    let other_session = app.token("leader").await;
    let t = app.token("leader").await;
    let r = app
        .post(
            &t,
            "/api/v1/me/password",
            json!({"current_password": "wrong-wrong", "new_password": "leader-new-pass"}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("current_password".to_owned(), "wrong_password".to_owned())]
    );
    let r = app
        .post(
            &t,
            "/api/v1/me/password",
            json!({"current_password": "xiangzhu-demo", "new_password": "short"}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("new_password".to_owned(), "too_short".to_owned())]
    );
    let long = "长".repeat(64);
    let r = app
        .post(
            &t,
            "/api/v1/me/password",
            json!({"current_password": "xiangzhu-demo", "new_password": long}),
        )
        .await;
    assert_eq!(r.status, 204, "64-character passwords are accepted");
    assert_eq!(
        app.get(&t, "/api/v1/me").await.status,
        200,
        "this session continues"
    );
    assert_eq!(
        app.get(&other_session, "/api/v1/me").await.status,
        401,
        "other sessions end"
    );
    assert_eq!(app.login_as("leader", "xiangzhu-demo").await.status, 401);
    assert_eq!(app.login_as("leader", &long).await.status, 200);
}

async fn audit_log_is_scoped(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = PersonBuilder::new().county("430381").create(&app);
    let b = PersonBuilder::new().county("430181").create(&app);
    let admin = app.token("admin").await;
    let r = app.post(&admin, "/api/v1/users", json!({"username": "changsha.auditor", "display_name": "长沙审计", "password": "changsha-audit-1", "unit_code": "4301", "roles": ["auditor"]})).await;
    assert_eq!(r.status, 201);
    let ca = app.token_with("changsha.auditor", "changsha-audit-1").await;
    let log = app.get(&ca, "/api/v1/audit?limit=500").await;
    assert_eq!(log.status, 200);
    let about: Vec<&str> = log.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["entity_id"].as_str()).collect())
        .unwrap_or_default();
    assert!(about.contains(&b.id.to_string().as_str()));
    assert!(!about.contains(&a.id.to_string().as_str()));
    let province = app.token("auditor").await;
    let all = app.get(&province, "/api/v1/audit?limit=1").await;
    assert_eq!(all.body["items"].as_array().map(Vec::len), Some(1));
    assert!(all.body["next_cursor"].is_string());
    let next = app
        .get(
            &province,
            &format!(
                "/api/v1/audit?limit=500&cursor={}",
                all.body["next_cursor"].as_str().unwrap_or_default()
            ),
        )
        .await;
    assert_eq!(next.status, 200);
    assert!(!next.body["items"]
        .as_array()
        .is_some_and(|a| a.iter().any(|e| e["id"] == all.body["items"][0]["id"])));
}

async fn openapi_and_health_need_no_token(backend: Backend) {
    let app = TestApp::new(backend).await;
    let doc = app
        .request(
            actix_web::http::Method::GET,
            "/api/v1/openapi.json",
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.")));
    assert_eq!(
        app.request(actix_web::http::Method::GET, "/healthz", None, None, &[])
            .await
            .status,
        200
    );
    assert_eq!(
        app.request(actix_web::http::Method::GET, "/readyz", None, None, &[])
            .await
            .status,
        200
    );
}
