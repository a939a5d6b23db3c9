//! Measure 4 in the browser, on a phone in Chinese: county staff (`xiangxiang.staff`)
//! pair a cadre with a registered-poor household; the cadre (`xiangxiang.rehab`) records
//! a visit that finds a problem while the phone has no network (ChromeDriver's network
//! emulation cuts it: the SPA's own fetch fails), sees it waiting to be sent, and when
//! the network is back the SPA sends it by itself (the `online` event); the server has
//! the visit once, and its problem is on the county's rectification ledger. One server and one browser for the file; every page visited passes
//! axe-core, does not scroll sideways and shows no English.

use backend::testing::{Backend, PersonBuilder, TestApp};
use diesel::prelude::*;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use serde_json::json;
use xiangzhu_tests::*;

/// ChromeDriver's network emulation of the current tab (offline or not).
#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
}

impl WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/chromium/network_conditions",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"network_conditions": {"offline": self.offline, "latency": 0,
            "download_throughput": 10_000_000, "upload_throughput": 10_000_000}});
        (http::Method::POST, Some(body.to_string()))
    }
}

async fn network(c: &Client, online: bool) {
    c.issue_cmd(NetworkConditions { offline: !online })
        .await
        .unwrap_or_else(|e| panic!("network conditions: {e}"));
    // The emulation reaches the page a moment later: wait until the page itself says
    // so, or a click right after may still go out (CI saw a visit sent "offline").
    for _ in 0..100 {
        let now = c
            .execute("return navigator.onLine;", vec![])
            .await
            .unwrap_or_else(|e| panic!("navigator.onLine: {e}"));
        if now.as_bool() == Some(online) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "the page never went {}",
        if online { "online" } else { "offline" }
    );
}

/// Waits until no element matches `css`.
async fn wait_gone(c: &Client, css: &str) {
    for _ in 0..200 {
        if c.find(Locator::Css(css)).await.is_err() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} is still there");
}

fn user_id(app: &TestApp, username: &str) -> String {
    use backend::db::schema::users;
    users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[actix_web::test]
async fn a_visit_recorded_offline_is_sent_when_the_network_is_back() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    PersonBuilder::new()
        .name("走访甲")
        .household("HH-0381-001")
        .create(&app);
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;

    // County staff pair the rehab cadre with the household.
    login(&c, &base, "xiangxiang.staff").await;
    let menu = text_of(&c, "header nav").await;
    assert!(menu.contains("干部结对帮扶"), "{menu}");
    open(&c, &base, "/pairings").await;
    wait_text(&c, "#pairing-kpi", "湘乡市").await;
    check_page(&c, "pairings, none yet", true).await;
    click(&c, "#pairing-new").await;
    select(&c, "pairing-cadre", &user_id(&app, "xiangxiang.rehab")).await;
    fill(&c, "#pairing-post", "康复部干事").await;
    fill(&c, "#pairing-person-search", "走访甲").await;
    click(&c, "#pairing-person-search-go").await;
    wait_text(&c, "#pairing-person-candidates", "走访甲").await;
    click(&c, "#pairing-person-candidates button").await;
    set_date(&c, "pairing-from", "2020-01-06").await;
    check_page(&c, "pairing form", true).await;
    click(&c, "#pairing-save").await;
    wait_text(&c, "#pairings", "走访甲").await;
    check_page(&c, "pairings", true).await;
    shot(&c, "visits-pairings").await;
    logout(&c).await;

    // The cadre opens their households and the visit form.
    login(&c, &base, "xiangxiang.rehab").await;
    open(&c, &base, "/households").await;
    wait_text(&c, "#households", "走访甲").await;
    wait_text(&c, "#households", "尚未走访").await;
    check_page(&c, "my households", true).await;
    click(&c, "#households a[href$='/visit']").await;
    wait_text(&c, "main h1", "登记走访").await;
    select(&c, "check-housing", "problem").await;
    fill_and_keep(&c, "#check-housing-note", "房屋漏雨，需维修").await;
    click(&c, "#policy-living_subsidy").await;
    fill(&c, "#visit-help", "送米一袋").await;
    check_page(&c, "visit form", true).await;

    // No signal in the village: the send fails and the visit is kept on the phone.
    network(&c, false).await;
    click(&c, "#visit-save").await;
    wait_text(&c, "#visit-status", "无网络").await;
    let kept = c
        .execute(
            "return JSON.parse(localStorage.getItem('xz.visits.outbox') || '[]').length;",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept, json!(1), "the unsent visit is in local storage");
    check_page(&c, "a visit kept offline", true).await;
    click(&c, "#visit-status a").await;
    wait_text(&c, "#outbox", "等待发送").await;
    wait_text(&c, "#outbox", "走访甲").await;
    check_page(&c, "a visit waiting to be sent", true).await;
    shot(&c, "visits-waiting").await;
    {
        use backend::db::schema::visits;
        let n: i64 = visits::table
            .count()
            .get_result(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n, 0, "nothing reached the server while offline");
    }

    // The network is back: the SPA sends the visit by itself, once.
    network(&c, true).await;
    wait_gone(&c, "#outbox").await;
    wait_text(&c, "#households", "最近走访").await;
    check_page(&c, "my households after sync", true).await;
    shot(&c, "visits-synced").await;
    let stored: Vec<(String, Option<String>)> = {
        use backend::db::schema::{visit_checks, visits};
        let ids: Vec<String> = visits::table
            .select(visits::id)
            .load(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ids.len(), 1, "the visit is recorded once");
        visit_checks::table
            .filter(visit_checks::result.eq("problem"))
            .select((visit_checks::item, visit_checks::note))
            .load(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(
        stored,
        vec![("housing".to_owned(), Some("房屋漏雨，需维修".to_owned()))]
    );

    // The visit's history, with its problem.
    click(&c, "#households a[href$='/visits']").await;
    wait_text(&c, "#visits", "住房安全有保障").await;
    check_page(&c, "visits of a household", true).await;
    logout(&c).await;

    // The problem is a rectification item of the responsible county.
    login(&c, &base, "xiangxiang.staff").await;
    open(&c, &base, "/rectification").await;
    wait_text(&c, "#items", "房屋漏雨，需维修").await;
    check_page(&c, "the county's rectification items", true).await;

    let _ = c.close().await;
    server.stop(true).await;
}
