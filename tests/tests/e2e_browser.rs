//! End-to-end tests: the real server with the built SPA, driven in Debian's headless
//! Chromium through WebDriver, at a phone (360×740) and a desktop (1280×800) viewport.
//!
//! Needs `frontend/dist` (`cargo xtask build-frontend`), `/usr/bin/chromium`,
//! `/usr/bin/chromedriver` and `tests/e2e/node_modules/axe-core` — `cargo xtask test`
//! provides all of them; `.ci/run` installs the browser.

use backend::testing::{Backend, PersonBuilder, TestApp};
use fantoccini::Locator;
use serde_json::json;
use std::time::Duration;
use xiangzhu_tests::*;

fn count_named(app: &TestApp, name: &str) -> i64 {
    use backend::db::schema::persons;
    use diesel::prelude::*;
    persons::table
        .filter(persons::name.eq(name))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or(-1)
}

async fn journey(width: u32, height: u32) {
    let app = TestApp::new(Backend::Sqlite).await;
    let other = PersonBuilder::new()
        .county("430181")
        .name("浏阳某人")
        .create(&app);
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(width, height).await;

    // Login page: first render, accessibility, then log in as a county user.
    c.goto(&format!("{base}/login"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let first_render = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             (function poll() { if (document.getElementById('username')) done(performance.now()); else setTimeout(poll, 5); })();",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(-1.0);
    // The reference from the same navigation: when the HTML document had arrived (what
    // a page without the app would need); the rest is loading, compiling and running
    // the app.
    let document = c
        .execute(
            "return performance.getEntriesByType('navigation')[0].responseEnd;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(-1.0);
    println!(
        "[{width}x{height}] login page first render: {first_render:.0} ms after navigation start \
         (the document arrived at {document:.0} ms: {:.1}x)",
        first_render / document.max(1.0)
    );
    check_accessibility(&c, "login").await;
    shot(&c, &format!("{width}-login")).await;
    fill(&c, "#username", "xiangxiang.staff").await;
    fill(&c, "#password", "xiangzhu-demo").await;
    click(&c, "#login-submit").await;
    wait_text(&c, "header.top", "湘乡市").await;

    // No horizontal scrolling at this width.
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    assert!(
        overflow <= 0,
        "page scrolls horizontally by {overflow}px at {width}px"
    );

    // Register with an invalid identity number: inline error, nothing saved.
    let good = PersonBuilder::new().input().id_number.unwrap_or_default();
    let bad = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('0') { '1' } else { '0' }
    );
    let name = format!("浏览器测试{width}");
    c.goto(&format!("{base}/persons/new"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(&c, "#name", &name).await;
    // Nothing a person must decide is chosen for the registrar.
    for id in [
        "disability_category",
        "disability_level",
        "poverty_status",
        "registered_poor",
    ] {
        let chosen = c
            .execute(
                "return document.getElementById(arguments[0]).value;",
                vec![json!(id)],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        assert_eq!(chosen, "", "{id} is not pre-selected");
    }
    select(&c, "disability_category", "physical").await;
    select(&c, "disability_level", "4").await;
    select(&c, "poverty_status", "in_poverty").await;
    select(&c, "registered_poor", "true").await;
    fill(&c, "#id_number", &bad).await;
    wait_text(&c, "#id_number-error", "校验位").await;
    click(&c, "#save").await;
    wait_text(&c, "#form-banner", "请更正").await;
    shot(&c, &format!("{width}-form-errors")).await;
    assert_eq!(
        count_named(&app, &name),
        0,
        "nothing saved with an invalid number"
    );
    let described = c.find(Locator::Css("#id_number")).await.ok();
    let aria = match described {
        Some(el) => el.attr("aria-describedby").await.ok().flatten(),
        None => None,
    };
    assert_eq!(
        aria.as_deref(),
        Some("id_number-error"),
        "the error is tied to its field"
    );

    // Fix it: saved once even when the button is clicked twice in a row (the form
    // ignores a second submit while the first is in flight, and both would carry the
    // same record id), shown masked.
    fill(&c, "#id_number", &good).await;
    c.execute(
        "const b = document.getElementById('save'); b.click(); b.click();",
        vec![],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let masked = format!("{}********{}", &good[..6], &good[14..]);
    wait_text(&c, "#person-facts", &masked).await;
    assert_eq!(count_named(&app, &name), 1);
    let detail_url = c
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    let id = detail_url.rsplit('/').next().unwrap_or_default().to_owned();
    c.goto(&format!("{base}/persons"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&c, "#results", &name).await;
    let list = text_of(&c, "#results").await;
    assert!(
        list.contains(&masked) && !list.contains(&good),
        "the list shows the masked number only"
    );
    check_accessibility(&c, "registry").await;
    shot(&c, &format!("{width}-registry")).await;

    // Edit with a stale version: someone else saves first; the conflict is shown with the newer entry.
    c.goto(&format!("{base}/persons/{id}/edit"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..100 {
        let v = match c.find(Locator::Css("#name")).await {
            Ok(el) => el.prop("value").await.ok().flatten().unwrap_or_default(),
            Err(_) => String::new(),
        };
        if v == name {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = app.token("xiangxiang.staff").await;
    let current = app.get(&token, &format!("/api/v1/persons/{id}")).await.body;
    let mut change = current.clone();
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
        change.as_object_mut().map(|o| o.remove(k));
    }
    change["name"] = json!(format!("{name}（他人已改）"));
    assert_eq!(
        app.put(&token, &format!("/api/v1/persons/{id}"), change)
            .await
            .status,
        200
    );
    fill(&c, "#name", &format!("{name}（我的修改）")).await;
    click(&c, "#save").await;
    wait_text(&c, "#form-banner", "已被他人修改").await;
    shot(&c, &format!("{width}-conflict")).await;
    let shown = c.find(Locator::Css("#name")).await.ok();
    let shown = match shown {
        Some(el) => el.prop("value").await.ok().flatten().unwrap_or_default(),
        None => String::new(),
    };
    assert_eq!(
        shown,
        format!("{name}（他人已改）"),
        "the newer version is shown"
    );

    // A person of another county cannot be reached.
    c.goto(&format!("{base}/persons/{}", other.id))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&c, ".error-summary", "找不到").await;

    // Switch the language; it is remembered across a reload.
    click(&c, "button.lang").await;
    wait_text(&c, "header.top", "Registry").await;
    c.refresh().await.unwrap_or_else(|e| panic!("{e}"));
    wait_text(&c, "header.top", "Log out").await;
    let lang = c
        .execute("return document.documentElement.lang;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned));
    assert_eq!(lang.as_deref(), Some("en"));
    c.goto(&format!("{base}/persons"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&c, "main", "Person registry").await;
    check_accessibility(&c, "registry (English)").await;
    shot(&c, &format!("{width}-registry-en")).await;

    let _ = c.close().await;
    server.stop(true).await;
}

/// Measure 13 in the browser: create a course, enrol a person through the form, import a
/// roster with bad rows (report, nothing saved), then a good one (progress, roster filled).
async fn training_journey(width: u32, height: u32) {
    let app = TestApp::new(Backend::Sqlite).await;
    let first = PersonBuilder::new().name("表单学员").create(&app);
    let token = app.token("xiangxiang.staff").await;
    let reveal = |id: uuid::Uuid| {
        let token = token.clone();
        let app = &app;
        async move {
            app.post(
                &token,
                &format!("/api/v1/persons/{id}/reveal"),
                json!({"reason": "浏览器导入测试"}),
            )
            .await
            .body["id_number"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let mut good_rows = Vec::new();
    for i in 0..25 {
        let p = PersonBuilder::new()
            .name(&format!("导入学员{i}"))
            .create(&app);
        good_rows.push(format!("{},,在训,8,,否,", reveal(p.id).await));
    }
    let header = "身份证号,姓名,状态,参训课时,结业日期,是否取得证书,培训后就业情况";
    let dir = tempdir::Dir::new();
    let bad = dir.path().join("bad.csv");
    let good = dir.path().join("good.csv");
    let bad_rows = [
        good_rows[0].clone(),
        "110105194912310021,,在训,8,,否,".to_owned(),
        format!("{},,毕业,8,,否,", &good_rows[1][..18]),
    ];
    std::fs::write(&bad, format!("{header}\n{}\n", bad_rows.join("\n")))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&good, format!("{header}\n{}\n", good_rows.join("\n")))
        .unwrap_or_else(|e| panic!("{e}"));

    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(width, height).await;
    c.goto(&format!("{base}/login"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(&c, "#username", "xiangxiang.staff").await;
    fill(&c, "#password", "xiangzhu-demo").await;
    click(&c, "#login-submit").await;
    wait_text(&c, "header.top", "湘乡市").await;

    c.goto(&format!("{base}/courses/new"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(&c, "#course-name", "电商实用技术培训班").await;
    // Typing into a native date field depends on the browser's locale; set the value as
    // a date picker would, and let the app see the input event.
    for (id, date) in [("course-start", "2020-05-06"), ("course-end", "2020-05-10")] {
        let script = "const el = document.getElementById(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('input', { bubbles: true }));";
        c.execute(script, vec![json!(id), json!(date)])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    click(&c, "#course-save").await;
    wait_text(&c, "main h1", "电商实用技术培训班").await;
    wait_text(&c, "main .facts", "2020-05-06").await;
    check_accessibility(&c, "course").await;

    // Enrol through the form.
    fill(&c, "#enrol-search", "表单学员").await;
    click(&c, "#enrol-search-go").await;
    wait_text(&c, "#enrol-candidates", "表单学员").await;
    click(&c, "#enrol-candidates button").await;
    wait_text(&c, "#roster", "表单学员").await;
    assert!(
        text_of(&c, "#roster").await.contains(&first.id_number),
        "masked number on the roster"
    );

    // A file with bad rows: the report names them, nothing is saved.
    let input = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#import-file"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    input
        .send_keys(&bad.to_string_lossy())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&c, "#import-status", "未写入").await;
    let report = text_of(&c, "#import-status").await;
    assert!(
        report.contains("身份证号") && report.contains("状态"),
        "{report}"
    );
    shot(&c, &format!("{width}-import-report")).await;
    let roster_len = |app: &TestApp| {
        use backend::db::schema::enrolments;
        use diesel::prelude::*;
        enrolments::table
            .filter(enrolments::deleted_at.is_null())
            .count()
            .get_result::<i64>(&mut app.conn())
            .unwrap_or(-1)
    };
    assert_eq!(roster_len(&app), 1, "nothing imported");

    // A good file: progress, then the roster is filled.
    let input = c
        .find(Locator::Css("#import-file"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    input
        .send_keys(&good.to_string_lossy())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&c, "#import-status", "校验通过").await;
    assert!(
        c.find(Locator::Css("#import-progress")).await.is_ok(),
        "a progress bar is shown"
    );
    click(&c, "#import-commit").await;
    wait_text(&c, "#import-status", "已全部写入").await;
    wait_text(&c, "#roster", "导入学员24").await;
    assert_eq!(roster_len(&app), 26);
    shot(&c, &format!("{width}-roster")).await;

    let _ = c.close().await;
    server.stop(true).await;
}

/// A loan subsidy taken from draft to disbursed by three demo users: the county applies
/// and records the payment, the city reviews, the province approves.
async fn loan_journey(width: u32, height: u32) {
    let app = TestApp::new(Backend::Sqlite).await;
    PersonBuilder::new().name("贷款申请人").create(&app);
    let e = app.token("employment").await;
    assert_eq!(
        app.put(
            &e,
            "/api/v1/programme-years/2020/allocations/4303",
            json!({"allocated_fen": 1_000_000})
        )
        .await
        .status,
        200
    );
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(width, height).await;

    login(&c, &base, "xiangxiang.staff").await;
    c.goto(&format!("{base}/loans/new"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(&c, "#loan-search", "贷款申请人").await;
    click(&c, "#loan-search-go").await;
    wait_text(&c, "#loan-candidates", "贷款申请人").await;
    click(&c, "#loan-candidates button").await;
    wait_text(&c, "#loan-applicant", "贷款申请人").await;
    fill(&c, "#loan-bank", "湘乡农村商业银行").await;
    fill(&c, "#loan-principal", "50000").await;
    fill(&c, "#loan-rate", "4.35").await;
    set_date(&c, "loan-date", "2020-04-01").await;
    fill(&c, "#loan-purpose", "生猪养殖").await;
    wait_text(&c, "#live-subsidy", "1,087.50").await;
    check_accessibility(&c, "loan form").await;
    click(&c, "#loan-save").await;
    wait_text(&c, "#loan-status", "草稿").await;
    let url = c
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    click(&c, "#action-submit").await;
    wait_text(&c, "#loan-status", "已提交").await;
    logout(&c).await;

    login(&c, &base, "xiangtan.staff").await;
    c.goto(&url).await.unwrap_or_else(|e| panic!("{e}"));
    click(&c, "#action-review").await;
    wait_text(&c, "#loan-status", "市州已审核").await;
    logout(&c).await;

    login(&c, &base, "employment").await;
    c.goto(&url).await.unwrap_or_else(|e| panic!("{e}"));
    click(&c, "#action-approve").await;
    wait_text(&c, "#loan-status", "已审批").await;
    logout(&c).await;

    login(&c, &base, "xiangxiang.staff").await;
    c.goto(&url).await.unwrap_or_else(|e| panic!("{e}"));
    set_date(&c, "action-date", "2020-06-01").await;
    click(&c, "#action-disburse").await;
    wait_text(&c, "#loan-status", "已拨付").await;
    let timeline = text_of(&c, "#loan-timeline").await;
    for who in ["xiangxiang.staff", "xiangtan.staff", "employment"] {
        assert!(timeline.contains(who), "{who} in the timeline: {timeline}");
    }
    check_accessibility(&c, "loan page").await;
    shot(&c, &format!("{width}-loan-disbursed")).await;
    let _ = c.close().await;
    server.stop(true).await;
}

#[actix_web::test]
async fn loan_from_draft_to_disbursed_by_three_users() {
    let _one = ONE_BROWSER.lock().await;
    loan_journey(1280, 800).await;
}

#[actix_web::test]
async fn training_pages_in_the_browser() {
    let _one = ONE_BROWSER.lock().await;
    training_journey(360, 740).await;
}

#[actix_web::test]
async fn browser_journey_phone_and_desktop() {
    let _one = ONE_BROWSER.lock().await;
    journey(360, 740).await;
    journey(1280, 800).await;
}
