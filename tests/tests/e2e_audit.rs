//! End-to-end tests of the audit log screen: an auditor filters by kind of action, by
//! user, by date, by record and by unit, sees the expected entries and no others, opens
//! one and sees what changed, never a full identity number. On a phone in Chinese and on
//! a desktop in English, each with its own server and browser.
//!
//! Needs `frontend/dist` (`cargo xtask build-frontend`), Chromium, chromedriver and
//! axe-core (see `e2e_browser.rs`).

use backend::testing::{Backend, PersonBuilder, TestApp};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use xiangzhu_tests::*;

/// What the API did before the auditor looks.
struct History {
    /// The person 湘乡 staff created, changed and revealed.
    a: String,
    /// Their full identity number (must never show on the audit screen).
    full_id: String,
    /// The person 浏阳 staff created.
    b: String,
}

/// Writes, a reveal, logins and a refused login, all through the API.
async fn history(app: &TestApp) -> History {
    let xx = app.token("xiangxiang.staff").await;
    let ly = app.token("liuyang.staff").await;
    let p = PersonBuilder::new().name("审计甲").with_certificate();
    let full_id = p.input().id_number.unwrap_or_default();
    let created = app.post(&xx, "/api/v1/persons", p.json()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let a = created.body["id"].as_str().unwrap_or_default().to_owned();
    let mut body: Value = created.body.clone();
    if let Some(o) = body.as_object_mut() {
        for k in [
            "id",
            "id_number",
            "certificate_number",
            "sex",
            "birth_year",
            "severe",
            "synthetic",
            "deleted",
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
        ] {
            o.remove(k);
        }
    }
    body["name"] = json!("审计甲改");
    let updated = app.put(&xx, &format!("/api/v1/persons/{a}"), body).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let revealed = app
        .post(
            &xx,
            &format!("/api/v1/persons/{a}/reveal"),
            json!({"reason": "核对残疾人证"}),
        )
        .await;
    assert_eq!(revealed.status, 200, "{}", revealed.body);
    let created = app
        .post(
            &ly,
            "/api/v1/persons",
            PersonBuilder::new().county("430181").name("审计乙").json(),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let b = created.body["id"].as_str().unwrap_or_default().to_owned();
    let refused = app.login_as("xiangxiang.staff", "not-the-password-1").await;
    assert_eq!(refused.status, 401);
    History { a, full_id, b }
}

/// Picks an option of a select by value (as a user would: a change event).
async fn choose(c: &Client, id: &str, value: &str) {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let script = "const el = document.getElementById(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('change', { bubbles: true }));";
    c.execute(script, vec![json!(id), json!(value)])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// The text of the whole page.
async fn page_text(c: &Client) -> String {
    c.execute("return document.body.innerText;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Applies the filters and waits for the answer (the list or the empty message).
async fn apply(c: &Client) {
    click(c, "#audit-apply").await;
    // The footer shows "loading" first; wait until it is gone.
    for _ in 0..150 {
        let loading = c.find(Locator::Css("#main p.loading")).await.is_ok();
        if !loading {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}

/// The number of entries listed.
async fn count(c: &Client) -> usize {
    c.find_all(Locator::Css("#audit-results > li"))
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

#[actix_web::test]
async fn audit_screen_on_a_phone_in_chinese() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    let h = history(&app).await;
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;
    login(&c, &base, "auditor").await;

    // The menu leads there; the entries come first, the filters are folded.
    click(&c, "header nav a[href='/audit']").await;
    wait_text(&c, "#main h1", "审计日志").await;
    wait_text(&c, "#audit-results", "浏阳市残联干部").await;
    let open = c
        .execute(
            "return document.getElementById('audit-filter-box').open;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_bool());
    assert_eq!(open, Some(false), "filters are folded on a phone");
    check_page(&c, "audit (phone)", true).await;
    shot(&c, "360-audit").await;

    // By kind of action: the reveal, and nothing else.
    click(&c, "#audit-filter-box summary").await;
    choose(&c, "f-category", "reveal").await;
    apply(&c).await;
    assert_eq!(count(&c).await, 1);
    let text = text_of(&c, "#audit-results").await;
    assert!(text.contains("查看完整证件号"), "{text}");
    assert!(text.contains("湘乡市残联干部"), "{text}");

    // Security events: the refused login is there.
    choose(&c, "f-category", "security").await;
    apply(&c).await;
    wait_text(&c, "#audit-results", "登录失败").await;
    let text = text_of(&c, "#audit-results").await;
    assert!(!text.contains("查看完整证件号"), "{text}");

    // By user: only 浏阳's.
    choose(&c, "f-category", "").await;
    fill(&c, "#f-actor", "liuyang.staff").await;
    apply(&c).await;
    let text = text_of(&c, "#audit-results").await;
    assert!(text.contains("浏阳市残联干部"), "{text}");
    assert!(!text.contains("湘乡市残联干部"), "{text}");

    // By date: nothing tomorrow; a range that ends before it starts is refused.
    // (WebDriver's clear sends no input event: empty it as a user's deleting would.)
    set_date(&c, "f-actor", "").await;
    // Today in China Standard Time, as the filter reads dates.
    let today = backend::db::today();
    let tomorrow = today.succ_opt().unwrap_or(today);
    set_date(&c, "f-from", &tomorrow.to_string()).await;
    apply(&c).await;
    wait_text(&c, "#main", "没有符合条件的审计记录").await;
    set_date(&c, "f-to", &today.to_string()).await;
    click(&c, "#audit-apply").await;
    wait_text(&c, "#audit-filters", "早于开始日期").await;
    set_date(&c, "f-from", &today.to_string()).await;
    apply(&c).await;
    assert!(count(&c).await >= 5, "today's entries");

    // By record: the three entries about person A, newest first.
    fill(&c, "#f-record", &h.a).await;
    apply(&c).await;
    assert_eq!(count(&c).await, 3);
    let text = text_of(&c, "#audit-results").await;
    assert!(!text.contains("浏阳市残联干部"), "{text}");
    let first = text_of(&c, "#audit-results > li:nth-child(1) summary").await;
    let second = text_of(&c, "#audit-results > li:nth-child(2) summary").await;
    assert!(first.contains("查看完整证件号"), "{first}");
    assert!(second.contains("修改"), "{second}");

    // Open the update: the auditor (who may not read persons) sees which fields
    // changed, by their names, not the values.
    click(&c, "#audit-results > li:nth-child(2) summary").await;
    wait_text(&c, "#audit-results > li:nth-child(2)", "变更的字段").await;
    let detail = text_of(&c, "#audit-results > li:nth-child(2) .audit-changes").await;
    assert!(detail.contains("姓名"), "{detail}");
    assert!(!detail.contains("审计甲改"), "{detail}");
    click(&c, "#audit-results > li:nth-child(3) summary").await;
    click(&c, "#audit-results > li:nth-child(1) summary").await;
    wait_text(&c, "#audit-results > li:nth-child(1)", "核对残疾人证").await;
    let all = page_text(&c).await;
    assert!(
        !all.contains(&h.full_id),
        "a full identity number on screen"
    );
    assert!(
        !all.contains(&h.full_id[6..14]),
        "the birth-date digits of an identity number on screen"
    );
    check_page(&c, "audit entry (phone)", true).await;
    shot(&c, "360-audit-entry").await;

    server.stop(true).await;
    drop(c);
}

#[actix_web::test]
async fn audit_screen_on_a_desktop_in_english() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    let h = history(&app).await;
    // More than a page of entries: records written through the query layer (audited as
    // the provincial admin).
    for i in 0..52 {
        PersonBuilder::new()
            .county("430381")
            .name(&format!("批量{i}"))
            .create(&app);
    }
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(1280, 800).await;
    login(&c, &base, "auditor").await;
    click(&c, "button.lang").await;
    c.goto(&format!("{base}/audit"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&c, "#main h1", "Audit log").await;
    wait_text(&c, "#audit-results", "Create").await;
    let open = c
        .execute(
            "return document.getElementById('audit-filter-box').open;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_bool());
    assert_eq!(open, Some(true), "filters are open on a desktop");
    check_page(&c, "audit (desktop, English)", false).await;

    // Newest first, a page at a time.
    assert_eq!(count(&c).await, 50);
    click(&c, "#audit-more").await;
    for _ in 0..100 {
        if count(&c).await > 50 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(count(&c).await > 50, "load more adds the next page");

    // By unit: 浏阳 (its records and what its users did), nothing of 湘乡.
    choose(&c, "f-unit", "430181").await;
    apply(&c).await;
    let text = text_of(&c, "#audit-results").await;
    assert!(text.contains("liuyang.staff"), "{text}");
    assert!(!text.contains("xiangxiang.staff"), "{text}");
    assert!(!text.contains("(admin)"), "{text}");

    // By record, from the link a record's page would use.
    c.goto(&format!("{base}/audit?entity_id={}", h.b))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&c, "#audit-results", "Create").await;
    assert_eq!(count(&c).await, 1);
    click(&c, "#audit-results > li:nth-child(1) summary").await;
    wait_text(&c, "#audit-results > li:nth-child(1)", "Changed fields").await;
    let detail = text_of(&c, "#audit-results > li:nth-child(1) .audit-changes").await;
    assert!(detail.contains("Name"), "{detail}");
    assert!(!detail.contains("审计乙"), "values are not shown: {detail}");
    let all = page_text(&c).await;
    assert!(!all.contains(&h.full_id));
    check_page(&c, "audit entry (desktop, English)", false).await;
    shot(&c, "1280-audit-entry").await;

    server.stop(true).await;
    drop(c);
}
