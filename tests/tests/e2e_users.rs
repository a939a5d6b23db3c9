//! User administration in the browser: an admin creates a user with a data role (it
//! waits for a second person), a leader confirms it, the admin disables a user (after a
//! confirmation question) who then cannot log in, and resets a password. At a phone
//! viewport in Chinese and at a desktop viewport in English.
//!
//! Needs `frontend/dist` (`cargo xtask build-frontend`), Chromium, chromedriver and
//! axe-core, like every browser test (see `tests/src/lib.rs`).

use backend::testing::{Backend, TestApp};
use fantoccini::{Client, Locator};
use serde_json::json;
use xiangzhu_tests::*;

/// The stored account: (roles, pending roles, disabled, must change password).
fn account(app: &TestApp, username: &str) -> (String, Option<String>, bool, bool) {
    use backend::db::schema::users;
    use diesel::prelude::*;
    users::table
        .filter(users::username.eq(username))
        .select((
            users::roles,
            users::pending_roles,
            users::disabled,
            users::must_change_password,
        ))
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{username}: {e}"))
}

async fn goto(c: &Client, url: &str) {
    c.goto(url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
}

/// Logs in through the login page, in whichever language the browser shows.
async fn sign_in(c: &Client, base: &str, user: &str) {
    goto(c, &format!("{base}/login")).await;
    fill(c, "#username", user).await;
    fill(c, "#password", "xiangzhu-demo").await;
    click(c, "#login-submit").await;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("header.top nav"))
        .await
        .unwrap_or_else(|e| panic!("login of {user}: {e}"));
}

/// Chooses an option of a select by value, as a user's pick would.
async fn choose(c: &Client, id: &str, value: &str) {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let script = "const s = document.getElementById(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true }));";
    c.execute(script, vec![json!(id), json!(value)])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Picks the text for the language of the run.
fn tr<'a>(zh: bool, chinese: &'a str, english: &'a str) -> &'a str {
    if zh {
        chinese
    } else {
        english
    }
}

async fn users_journey(width: u32, height: u32, zh: bool) {
    let app = TestApp::new(Backend::Sqlite).await;
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(width, height).await;
    let tag = format!("{width}{}", if zh { "zh" } else { "en" });
    let username = format!("e2e.user{width}");

    sign_in(&c, &base, "admin").await;
    if !zh {
        click(&c, "button.lang").await;
        wait_text(&c, "header.top", "Log out").await;
    }
    // The menu leads to the list; the search narrows it to one city's users.
    click(&c, "header nav a[href='/users']").await;
    wait_text(&c, "#users", "xiangtan.staff").await;
    wait_text(&c, "#users", "liuyang.staff").await;
    check_page(&c, &format!("users list {tag}"), zh).await;
    shot(&c, &format!("{tag}-users")).await;
    fill(&c, "#user-q", "xiangtan").await;
    click(&c, "#user-search-go").await;
    for _ in 0..100 {
        if !text_of(&c, "#users").await.contains("liuyang.staff") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let listed = text_of(&c, "#users").await;
    assert!(
        listed.contains("xiangtan.leader") && !listed.contains("liuyang.staff"),
        "{listed}"
    );

    // A new user with a data role: nothing is sent while fields are wrong; then the
    // role waits for a leader.
    click(&c, "a[href='/users/new']").await;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id("user-form"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let units = text_of(&c, "#user-unit-code").await;
    assert!(
        units.contains(tr(zh, "湘乡市", "Xiangxiang")) || units.contains("湘乡市"),
        "unit names, not codes: {units}"
    );
    click(&c, "#user-save").await;
    text_of(&c, "#user-username-error").await;
    text_of(&c, "#user-roles-error").await;
    check_page(&c, &format!("new user with errors {tag}"), zh).await;
    fill(&c, "#user-username", &username).await;
    fill(&c, "#user-display-name", "浏览器新人").await;
    fill(&c, "#user-password", "first-pass-123").await;
    choose(&c, "user-unit-code", "4303").await;
    click(&c, "#user-role-registrar").await;
    shot(&c, &format!("{tag}-user-new")).await;
    click(&c, "#user-save").await;
    wait_text(&c, "#user-pending", tr(zh, "档案登记员", "Registrar")).await;
    check_page(&c, &format!("user page, pending {tag}"), zh).await;
    shot(&c, &format!("{tag}-user-pending")).await;
    assert_eq!(
        account(&app, &username),
        ("".to_owned(), Some("registrar".to_owned()), false, true),
        "the data role is only proposed"
    );
    let user_url = c
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    assert!(user_url.contains("/users/"), "{user_url}");
    // The list marks the waiting grant.
    goto(&c, &format!("{base}/users")).await;
    wait_text(
        &c,
        &format!("#users li[data-username='{username}']"),
        tr(zh, "待确认", "Waiting for confirmation"),
    )
    .await;

    // The leader, second person, finds it among the waiting grants and confirms it.
    logout(&c).await;
    sign_in(&c, &base, "leader").await;
    click(&c, "header nav a[href='/users']").await;
    wait_text(&c, "#users", &username).await;
    let waiting = text_of(&c, "#users").await;
    assert!(
        !waiting.contains("xiangtan.staff"),
        "pending only: {waiting}"
    );
    check_page(&c, &format!("waiting grants {tag}"), zh).await;
    click(&c, &format!("#users li[data-username='{username}'] a")).await;
    click(&c, "#user-confirm").await;
    wait_text(&c, "#user-done", tr(zh, "授权已确认", "confirmed")).await;
    wait_text(&c, "#user-roles-held", tr(zh, "档案登记员", "Registrar")).await;
    check_page(&c, &format!("grant confirmed {tag}"), zh).await;
    assert_eq!(
        account(&app, &username),
        ("registrar".to_owned(), None, false, true)
    );

    // The admin disables a user: a question first, nothing done until it is answered.
    logout(&c).await;
    sign_in(&c, &base, "admin").await;
    goto(&c, &format!("{base}/users")).await;
    fill(&c, "#user-q", "xiangxiang").await;
    click(&c, "#user-search-go").await;
    click(&c, "#users li[data-username='xiangxiang.staff'] a").await;
    click(&c, "#user-disable").await;
    click(&c, "#user-disable-yes").await;
    wait_text(&c, "#user-status", tr(zh, "已停用", "Disabled")).await;
    check_page(&c, &format!("user disabled {tag}"), zh).await;
    assert!(
        account(&app, "xiangxiang.staff").2,
        "disabled in the database"
    );
    let r = app.login_as("xiangxiang.staff", "xiangzhu-demo").await;
    assert_ne!(r.status, 200, "a disabled user cannot log in: {}", r.body);

    // The admin resets the new user's password: they must change it, and their data
    // role waits for a leader again.
    goto(&c, &user_url).await;
    fill(&c, "#reset-password", "reset-pass-456").await;
    click(&c, "#reset-save").await;
    wait_text(&c, "#user-done", tr(zh, "密码已重设", "has been reset")).await;
    wait_text(&c, "#user-pending", tr(zh, "档案登记员", "Registrar")).await;
    check_page(&c, &format!("password reset {tag}"), zh).await;
    assert_eq!(
        account(&app, &username),
        ("".to_owned(), Some("registrar".to_owned()), false, true)
    );
    let r = app.login_as(&username, "reset-pass-456").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["must_change_password"], true);

    // Adding a role that is not a data role applies at once; the data role still waits.
    click(&c, "#edit-role-auditor").await;
    click(&c, "#roles-save").await;
    wait_text(&c, "#user-done", tr(zh, "角色已更改", "have been changed")).await;
    wait_text(&c, "#user-roles-held", tr(zh, "审计员", "Auditor")).await;
    assert_eq!(
        account(&app, &username),
        (
            "auditor".to_owned(),
            Some("auditor,registrar".to_owned()),
            false,
            true
        )
    );

    // In the browser, the disabled user is refused at the login page.
    logout(&c).await;
    fill(&c, "#username", "xiangxiang.staff").await;
    fill(&c, "#password", "xiangzhu-demo").await;
    click(&c, "#login-submit").await;
    text_of(&c, "#login-error").await;
    assert!(
        c.find(Locator::Css("header.top nav")).await.is_err(),
        "no session for a disabled user"
    );
    check_page(&c, &format!("disabled login {tag}"), zh).await;

    let _ = c.close().await;
    server.stop(true).await;
}

#[actix_web::test]
async fn users_on_a_phone_in_chinese() {
    let _one = ONE_BROWSER.lock().await;
    users_journey(360, 740, true).await;
}

#[actix_web::test]
async fn users_on_a_desktop_in_english() {
    let _one = ONE_BROWSER.lock().await;
    users_journey(1280, 800, false).await;
}
