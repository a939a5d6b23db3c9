//! The plan's dashboard in the browser, on a phone in Chinese, as the demo users use
//! it (issue 11): 湘乡市's staff (`xiangxiang.staff`) enter a reported figure and submit
//! the county's 2020 report; 湘潭市's leader (`xiangtan.leader`), who lands on the
//! city's dashboard, drills into 湘乡市 and approves it; the provincial `leader` lands on
//! the province's dashboard with its charts, splits a target to 湘潭市 (the warning that
//! the cities add up to less than the province shows), drills into 湘潭市 and 湘乡市 and
//! opens the records behind a figure (the person masked); a person found after the
//! approval shows as "live ≠ approved". The same browser window,
//! widened to 1280 × 800, shows the province's dashboard once more. One server and one
//! browser for the whole file; every page visited passes axe-core, does not scroll
//! sideways and shows no English.

use backend::testing::{Backend, PersonBuilder, TestApp};
use fantoccini::{Client, Locator};
use serde_json::json;
use xiangzhu_tests::*;

/// Whether an element matching `css` is on the page now.
async fn present(c: &Client, css: &str) -> bool {
    c.find(Locator::Css(css)).await.is_ok()
}

/// The path of the page shown.
async fn path(c: &Client) -> String {
    c.current_url()
        .await
        .map(|u| u.path().to_owned())
        .unwrap_or_default()
}

/// The accessible names of the charts on the page (`svg[role=img]`).
async fn chart_names(c: &Client) -> Vec<String> {
    c.execute(
        "return Array.from(document.querySelectorAll('svg[role=img]')).map(s => { const t = s.querySelector('title'); return (t && t.textContent) || s.getAttribute('aria-label') || ''; });",
        vec![],
    )
    .await
    .ok()
    .and_then(|v| v.as_array().cloned())
    .unwrap_or_default()
    .iter()
    .filter_map(|v| v.as_str().map(str::to_owned))
    .collect()
}

/// 湘乡市's rehabilitation staff find that this person needs functional training.
async fn assess(app: &TestApp, person: &str, on: &str) {
    let rehab = app.token("xiangxiang.rehab").await;
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/assessments",
            json!({"person_id": person, "source": "survey", "assessed_on": on,
            "assessor": "李医生", "needs": [
                {"kind": "functional_training", "project": "basic_rehab", "result": "needed"},
            ]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[actix_web::test]
async fn leaders_read_the_plan_and_approve_a_county_on_a_phone() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    // A registered-poor person of 湘乡市 found in 2020 to need rehabilitation: the
    // service rate's denominator, the record behind the figure.
    let person = PersonBuilder::new().name("看板甲").create(&app);
    let rehab = app.token("xiangxiang.rehab").await;
    let r = app
        .post(
            &rehab,
            "/api/v1/rehab/assessments",
            json!({"person_id": person.id, "source": "survey", "assessed_on": "2020-05-01",
            "assessor": "李医生", "needs": [
                {"kind": "functional_training", "project": "basic_rehab", "result": "needed"},
            ]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;

    // 湘乡市's staff: the dashboard is first in the menu; they enter the sales fairs held
    // and submit the county's report for 2020.
    login(&c, &base, "xiangxiang.staff").await;
    let menu = text_of(&c, "header nav").await;
    assert!(menu.starts_with("工作看板"), "{menu}");
    open(&c, &base, "/dashboard").await;
    wait_text(&c, "#dash-unit", "湘乡市").await;
    wait_text(&c, "#dash-unit", "2020年").await;
    wait_text(&c, "#dash-own", "残疾人创业扶贫特产展销会场数").await;
    wait_text(&c, "#report-status", "填报中").await;
    check_page(&c, "a county's dashboard", true).await;
    select(&c, "entry-indicator", "sales_fairs").await;
    // Not a number: said next to the input.
    fill(&c, "#entry-value", "三个").await;
    click(&c, "#entry-save").await;
    wait_text(&c, "#entry-value-error", "请输入有效的数值").await;
    check_page(&c, "reported value with an error", true).await;
    fill(&c, "#entry-value", "3").await;
    fill(&c, "#entry-note", "已联系3个村").await;
    click(&c, "#entry-save").await;
    wait_text(&c, "#entry-saved", "已保存").await;
    wait_text(&c, "#dash-own-sales_fairs", "3").await;
    click(&c, "#report-submit").await;
    click(&c, "#report-submit-yes").await;
    wait_text(&c, "#report-done", "已上报").await;
    wait_text(&c, "#report-status", "已上报").await;
    check_page(&c, "a county's report submitted", true).await;
    shot(&c, "dashboard-county-submitted").await;
    logout(&c).await;

    // 湘潭市's leader lands on the city's dashboard, opens 湘乡市 and approves it.
    login(&c, &base, "xiangtan.leader").await;
    wait_text(&c, "#dash-unit", "湘潭市").await;
    assert_eq!(path(&c).await, "/dashboard");
    wait_text(&c, "#dash-table", "湘乡市").await;
    check_page(&c, "a city's dashboard", true).await;
    click(&c, "#dash-drill-430381").await;
    wait_text(&c, "#dash-unit", "湘乡市").await;
    wait_text(&c, "#report-status", "已上报").await;
    assert!(
        !present(&c, "#entry-form").await,
        "a city does not enter a county's figures"
    );
    click(&c, "#report-approve").await;
    click(&c, "#report-approve-yes").await;
    wait_text(&c, "#report-done", "已审定").await;
    wait_text(&c, "#report-status", "已审定").await;
    // The approval froze the figure: the approved one shows beside the live one.
    wait_text(&c, "#dash-own-sales_fairs", "审定数").await;
    check_page(&c, "a county approved by its city", true).await;
    shot(&c, "dashboard-county-approved").await;
    logout(&c).await;
    // After the approval another person of 湘乡市 is found to need rehabilitation in
    // 2020: the live service rate moves away from the approved one.
    let second = PersonBuilder::new().name("看板乙").create(&app);
    assess(&app, &second.id.to_string(), "2020-06-01").await;

    // The provincial leader lands on the province's dashboard: the charts, the table,
    // the ranking.
    login(&c, &base, "leader").await;
    let menu = text_of(&c, "header nav").await;
    assert!(menu.starts_with("工作看板"), "{menu}");
    assert!(menu.contains("目标分解"), "{menu}");
    wait_text(&c, "#dash-unit", "湖南省").await;
    wait_text(&c, "#dash-table", "湘潭市").await;
    wait_text(&c, "#dash-as-of", "数据截至").await;
    wait_text(&c, "#dash-counters", "逾期").await;
    wait_text(&c, "#dash-ranking", "湘潭市").await;
    // Every county of the province ranked, folded away until asked for.
    click(&c, "#dash-county-ranking summary").await;
    wait_text(&c, "#dash-counties", "湘乡市 · 湘潭市").await;
    assert!(
        present(&c, "#dash-counties-430381").await,
        "湘乡市 has its place in the ranking"
    );
    assert!(
        present(&c, "#chart-children svg rect").await,
        "the bars are drawn"
    );
    assert!(
        present(&c, "#chart-series svg polyline").await,
        "the line is drawn"
    );
    let charts = chart_names(&c).await;
    assert!(
        charts.iter().any(|n| n.contains("条形图")),
        "the bar chart has a name: {charts:?}"
    );
    check_page(&c, "the province's dashboard", true).await;
    shot(&c, "dashboard-province-360").await;

    // A target split down to 湘潭市: the province's 5,000 trained persons, the cities
    // now adding up to less, which the page says.
    click(&c, "header nav a[href='/targets']").await;
    select(&c, "targets-indicator", "trained_poor_persons").await;
    wait_text(&c, "#targets-parent", "5,000").await;
    wait_text(&c, "#targets-children", "湘潭市").await;
    wait_text(&c, "#target-4303-current", "未设目标").await;
    fill(&c, "#target-4303-value", "500").await;
    click(&c, "#target-4303-save").await;
    wait_text(&c, "#targets-saved", "目标已保存").await;
    wait_text(&c, "#target-4303-current", "500").await;
    wait_text(&c, "#targets-warning-children_below_parent", "低于").await;
    check_page(&c, "targets split with a warning", true).await;
    shot(&c, "dashboard-targets").await;

    // Down the tree: 湘潭市, then 湘乡市, then the records behind its service rate.
    open(&c, &base, "/dashboard").await;
    click(&c, "#dash-drill-4303").await;
    wait_text(&c, "#dash-unit", "湘潭市").await;
    wait_text(&c, "#dash-table", "湘乡市").await;
    wait_text(&c, "#dash-row-4303", "500").await;
    check_page(&c, "a city's dashboard seen from the province", true).await;
    click(&c, "#dash-drill-430381").await;
    wait_text(&c, "#dash-unit", "湘乡市").await;
    wait_text(&c, "#report-status", "已审定").await;
    wait_text(
        &c,
        "#dash-differs-rehab_service_rate",
        "实时数与审定数不一致",
    )
    .await;
    wait_text(&c, "#dash-row-430381", "实时≠审定").await;
    check_page(&c, "a county's dashboard seen from the province", true).await;
    click(&c, "#dash-records-rehab_service_rate").await;
    wait_text(&c, "#records-what", "康复服务率").await;
    wait_text(&c, "#records", "看**").await;
    let listed = text_of(&c, "#records").await;
    assert!(
        !listed.contains("看板甲") && !listed.contains("看板乙"),
        "the persons are masked: {listed}"
    );
    check_page(&c, "the records behind a figure", true).await;
    shot(&c, "dashboard-records").await;
    click(&c, "#records-back").await;
    wait_text(&c, "#dash-unit", "湘乡市").await;

    // The same window on a desk: the province's dashboard once more.
    c.set_window_size(1280, 800)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    click(&c, "#dash-up-43").await;
    wait_text(&c, "#dash-unit", "湖南省").await;
    wait_text(&c, "#dash-ranking", "湘潭市").await;
    assert!(
        present(&c, "#chart-children svg rect").await,
        "the bars are drawn"
    );
    check_page(&c, "the province's dashboard at 1280", true).await;
    shot(&c, "dashboard-province-1280").await;

    let _ = c.close().await;
    server.stop(true).await;
}
