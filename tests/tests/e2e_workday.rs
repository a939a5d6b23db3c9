//! A day's work in the browser, as each demo user does it, at a phone size in Chinese and
//! a desktop size in English: the employment department sets up a programme year and a
//! city allocation, after which a county can save a loan of that year; the city reviewer
//! finds it under "waiting for me" with everything needed to decide; a roster is
//! completed in bulk; a base gets an employee and loses him again; a duplicate identity
//! number on the long person form shows where the user looks; a 404 page. Every page
//! visited passes axe-core, does not scroll sideways and, in Chinese, shows no English.

use backend::testing::{Backend, PersonBuilder, TestApp};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use xiangzhu_tests::*;

/// The result of a script.
async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Id of an API answer.
fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

/// The Chinese pass at phone size: every step of the day.
async fn workday_zh(width: u32, height: u32) {
    let app = TestApp::new(Backend::Sqlite).await;
    let applicant = PersonBuilder::new().name("贷款人甲").create(&app);
    let trainees = [
        PersonBuilder::new().name("学员甲").create(&app),
        PersonBuilder::new().name("学员乙").create(&app),
    ];
    let worker = PersonBuilder::new().name("基地职工").create(&app);
    let registered = PersonBuilder::new().name("已登记者");
    let taken = registered.input().id_number.clone().unwrap_or_default();
    registered.create(&app);
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(width, height).await;

    // A county user cannot record a 2026 loan yet, and is told why before saving.
    login(&c, &base, "xiangxiang.staff").await;
    open(&c, &base, "/loans/new").await;
    set_date(&c, "loan-date", "2026-03-01").await;
    wait_text(&c, "#loan-no-programme", "2026年的贷款贴息项目尚未设立").await;
    check_page(&c, "loan form without a programme year", true).await;
    logout(&c).await;

    // The provincial employment department sets 2026 up, and gives Xiangtan its share.
    login(&c, &base, "employment").await;
    let menu = text_of(&c, "header nav").await;
    assert!(menu.contains("贴息项目年度"), "{menu}");
    open(&c, &base, "/programme-years").await;
    select(&c, "prog-year", "2026").await;
    wait_text(&c, "#prog-missing", "2026年的贴息项目尚未设立").await;
    for (id, v) in [
        ("#prog-share", "50"),
        ("#prog-cap-person", "5000"),
        ("#prog-cap-base", "50000"),
        ("#prog-max-principal", "100000"),
        ("#prog-budget", "3000000"),
        ("#prog-target-trained", "5000"),
        ("#prog-target-subsidy", "3000000"),
    ] {
        fill(&c, id, v).await;
    }
    click(&c, "#prog-save").await;
    wait_text(&c, "#prog-saved", "已保存").await;
    wait_text(&c, "#allocations", "湘潭市").await;
    fill(&c, "#alloc-4303-amount", "100000").await;
    click(&c, "#alloc-4303-save").await;
    wait_text(&c, "#prog-unallocated", "2,900,000.00").await;
    let current = text_of(&c, "header nav a[aria-current=page]").await;
    assert_eq!(current, "贴息项目年度", "the menu marks the current page");
    check_page(&c, "programme years", true).await;
    let e = app.token("employment").await;
    let year = app.get(&e, "/api/v1/programme-years/2026").await.body;
    assert_eq!(year["rule"]["share_bp"], 5000, "{year}");
    assert_eq!(year["budget_fen"], 300_000_000_i64, "{year}");
    let xiangtan: Vec<&Value> = year["allocations"]
        .as_array()
        .map(|a| a.iter().filter(|x| x["city_code"] == "4303").collect())
        .unwrap_or_default();
    assert_eq!(xiangtan.len(), 1);
    assert_eq!(xiangtan[0]["allocated_fen"], 10_000_000_i64);
    logout(&c).await;

    // Now the county records the 2026 loan, typed as people type amounts.
    login(&c, &base, "xiangxiang.staff").await;
    open(&c, &base, "/loans/new").await;
    fill(&c, "#loan-search", "贷款人甲").await;
    click(&c, "#loan-search-go").await;
    wait_text(&c, "#loan-candidates", "贷款人甲").await;
    click(&c, "#loan-candidates button").await;
    fill(&c, "#loan-bank", "湘乡农村商业银行").await;
    fill(&c, "#loan-principal", "5万").await;
    fill(&c, "#loan-rate", "4.35%").await;
    set_date(&c, "loan-date", "2026-03-01").await;
    fill(&c, "#loan-purpose", "生猪养殖").await;
    wait_text(&c, "#live-subsidy", "1,087.50").await;
    click(&c, "#loan-save").await;
    wait_text(&c, "#loan-status", "草稿").await;
    click(&c, "#action-submit").await;
    wait_text(&c, "#loan-status", "已提交").await;
    let title = js(&c, "return document.title;").await;
    assert!(
        title.as_str().is_some_and(|t| t.contains("贷款贴息")),
        "{title}"
    );

    // Complete a roster in bulk: one trainee with 30 hours and a certificate, the other
    // with the course's 32 hours and none.
    let xx = app.token("xiangxiang.staff").await;
    let course = app
        .post(
            &xx,
            "/api/v1/courses",
            json!({
                "name": "电商技能培训班", "kind": "practical_technique", "county_code": "430381",
                "venue": "县残联培训室", "start_date": "2020-05-06", "end_date": "2020-05-10",
                "planned_places": 40, "hours": 32, "trainer": "县就业服务中心", "funding_fen": 2_000_000
            }),
        )
        .await;
    let cid = id_of(&course.body);
    for t in &trainees {
        let r = app
            .post(
                &xx,
                &format!("/api/v1/courses/{cid}/enrolments"),
                json!({"person_id": t.id}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    open(&c, &base, &format!("/courses/{cid}")).await;
    wait_text(&c, "#roster", "学员乙").await;
    wait_text(&c, "main", "县就业服务中心").await;
    click(&c, "#bulk summary").await;
    fill(&c, "#bulk-0-hours", "30").await;
    click(&c, "#bulk-0-certificate").await;
    check_page(&c, "bulk completion", true).await;
    click(&c, "#bulk-save").await;
    wait_text(&c, "#roster", "取得证书").await;
    let roster = app
        .get(&xx, &format!("/api/v1/courses/{cid}/enrolments"))
        .await
        .body;
    let done: Vec<(String, i64, bool)> = roster
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["status"].as_str().unwrap_or_default().to_owned(),
                        e["hours_attended"].as_i64().unwrap_or(-1),
                        e["certificate_obtained"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut done = done;
    done.sort();
    assert_eq!(
        done,
        vec![
            ("completed".to_owned(), 30, true),
            ("completed".to_owned(), 32, false)
        ]
    );

    // A base page: add an employee with the person picker, then remove him (confirmed).
    let b = app
        .post(
            &xx,
            "/api/v1/bases",
            json!({"name": "湘乡市福利工厂", "credit_code": "91350100M000100Y43", "county_code": "430381",
                   "kind": "poverty_alleviation", "recognised_on": "2019-05-01"}),
        )
        .await;
    assert_eq!(b.status, 201, "{}", b.body);
    let bid = id_of(&b.body);
    open(&c, &base, "/bases").await;
    click(&c, "#bases a").await;
    wait_text(&c, "#base-facts", "湘乡市").await;
    fill_and_keep(&c, "#employee-search", "基地职工").await;
    click(&c, "#employee-search-go").await;
    wait_text(&c, "#employee-candidates", "基地职工").await;
    click(&c, "#employee-candidates button").await;
    wait_text(&c, "#employee-list", "基地职工").await;
    wait_text(&c, "#base-employees-done", "已添加").await;
    let listed = app
        .get(&xx, &format!("/api/v1/bases/{bid}/employees"))
        .await
        .body;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    check_page(&c, "base page", true).await;
    click(&c, &format!("#remove-{}", worker.id)).await;
    wait_text(&c, &format!("#remove-{}-q", worker.id), "基地职工").await;
    click(&c, &format!("#remove-{}-yes", worker.id)).await;
    wait_text(&c, "#base-employees-done", "已移除").await;
    let listed = app
        .get(&xx, &format!("/api/v1/bases/{bid}/employees"))
        .await
        .body;
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");

    // A duplicate identity number at the bottom of the long form: the message is next
    // to the number, and the number is on screen.
    open(&c, &base, "/persons/new").await;
    fill(&c, "#name", "重复登记").await;
    fill(&c, "#id_number", &taken).await;
    select(&c, "disability_category", "physical").await;
    select(&c, "disability_level", "2").await;
    select(&c, "poverty_status", "in_poverty").await;
    select(&c, "registered_poor", "true").await;
    click(&c, "#save").await;
    wait_text(&c, "#id_number-error", "该身份证号已登记").await;
    // The form scrolls the field to the middle of the screen and focuses it just after
    // the error is drawn: give it a moment.
    let mut on_screen = json!(false);
    for _ in 0..30 {
        on_screen = js(
            &c,
            "const r = document.getElementById('id_number').getBoundingClientRect();
             return r.top >= 0 && r.bottom <= window.innerHeight
                 && document.activeElement && document.activeElement.id === 'id_number';",
        )
        .await;
        if on_screen == json!(true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        on_screen,
        json!(true),
        "the field with the error is on screen and focused"
    );
    check_page(&c, "person form with a duplicate", true).await;
    logout(&c).await;

    // The city reviewer: what waits for her, and everything needed to decide.
    login(&c, &base, "xiangtan.staff").await;
    open(&c, &base, "/loans").await;
    wait_text(&c, "#loans", "贷款人甲").await;
    let waiting = js(
        &c,
        "return document.getElementById('loan-waiting').checked;",
    )
    .await;
    assert_eq!(waiting, json!(true), "the list starts on what waits for me");
    // Unit names arrive with the org tree, which may come after the list.
    wait_text(&c, "#loans li", "湘乡市").await;
    let row = text_of(&c, "#loans li").await;
    for needle in ["2026-03-01", "湘乡市", "已提交"] {
        assert!(row.contains(needle), "{needle} in {row}");
    }
    check_page(&c, "loan list", true).await;
    click(&c, "#loans li a").await;
    wait_text(&c, "#loan-facts", "湘乡农村商业银行").await;
    let facts = text_of(&c, "#loan-facts").await;
    for needle in [
        "贷款人甲",
        "湘乡市",
        "2026-03-01",
        "生猪养殖",
        "50,000.00",
        "4.35",
        "12",
        "1,087.50",
    ] {
        assert!(facts.contains(needle), "{needle} in {facts}");
    }
    assert!(
        c.find(Locator::Css("#action-review")).await.is_ok(),
        "the reviewer can review"
    );
    check_page(&c, "loan page for the reviewer", true).await;
    assert_eq!(applicant.name, "贷款人甲");

    // A page that does not exist says so and offers the way back.
    open(&c, &base, "/no/such/page").await;
    wait_text(&c, "#not-found", "页面不存在").await;
    check_page(&c, "404", true).await;
    click(&c, "#not-found a").await;
    wait_text(&c, "#home-pages", "贷款贴息").await;
    check_page(&c, "home", true).await;
    shot(&c, &format!("{width}-workday-home")).await;

    let _ = c.close().await;
    server.stop(true).await;
}

/// The English pass at desktop size: the same screens read in English.
async fn workday_en(width: u32, height: u32) {
    let app = TestApp::new(Backend::Sqlite).await;
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(width, height).await;
    login(&c, &base, "employment").await;
    click(&c, "button.lang").await;
    wait_text(&c, "header.top", "Log out").await;
    open(&c, &base, "/programme-years").await;
    wait_text(&c, "main h1", "programme years").await;
    check_page(&c, "programme years (en)", false).await;
    open(&c, &base, "/loans").await;
    wait_text(&c, "main h1", "Loan interest subsidy").await;
    check_page(&c, "loans (en)", false).await;
    open(&c, &base, "/nowhere").await;
    wait_text(&c, "#not-found", "Page not found").await;
    check_page(&c, "404 (en)", false).await;
    let _ = c.close().await;
    server.stop(true).await;
}

#[actix_web::test]
async fn a_working_day_on_a_phone_in_chinese_and_a_desktop_in_english() {
    let _one = ONE_BROWSER.lock().await;
    workday_zh(360, 740).await;
    workday_en(1280, 800).await;
}
