//! Measure 9 in the browser, on a phone in Chinese, as the demo users do it: county
//! education and employment staff (`xiangxiang.employment`) add a care provider, record
//! a placement with its care assessment (a missing subsidy is refused next to its field),
//! cannot approve it themselves; a second county user (`xiangxiang.staff`) approves it;
//! the first starts the care and records a home visit; the KPI page shows a leader the
//! province's cities and, below 湘潭市, its counties. One server and one browser for the file; every
//! page visited passes axe-core, does not scroll sideways and shows no English.

use backend::testing::{Backend, PersonBuilder, TestApp};
use fantoccini::{Client, Locator};
use xiangzhu_tests::*;

/// Whether an element with this id is on the page now.
async fn present(c: &Client, id: &str) -> bool {
    c.find(Locator::Id(id)).await.is_ok()
}

#[actix_web::test]
async fn a_home_care_placement_from_form_to_kpi_on_a_phone() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    PersonBuilder::new().name("托养甲").create(&app);
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;

    // County staff add their county's home-service organisation.
    login(&c, &base, "xiangxiang.employment").await;
    let menu = text_of(&c, "header nav").await;
    assert!(
        menu.contains("托养服务") && menu.contains("托养机构") && menu.contains("托养指标"),
        "{menu}"
    );
    open(&c, &base, "/care/providers").await;
    click(&c, "#provider-new").await;
    fill(&c, "#provider-name", "湘乡市助残居家服务社").await;
    select(&c, "provider-kind", "home_service_org").await;
    fill(&c, "#provider-places", "20").await;
    check_page(&c, "provider form", true).await;
    click(&c, "#provider-save").await;
    wait_text(&c, "#providers", "湘乡市助残居家服务社").await;
    wait_text(&c, "#providers", "已用0/20个名额").await;
    check_page(&c, "provider list", true).await;
    shot(&c, "care-providers").await;

    // A placement with its assessment; the subsidy left empty is refused next to it.
    open(&c, &base, "/care").await;
    wait_text(&c, "main h1", "托养服务").await;
    check_page(&c, "placement list, empty", true).await;
    click(&c, "a[href='/care/new']").await;
    fill(&c, "#placement-search", "托养甲").await;
    click(&c, "#placement-search-go").await;
    wait_text(&c, "#placement-candidates", "托养甲").await;
    click(&c, "#placement-candidates button").await;
    wait_text(&c, "#placement-person", "托养甲").await;
    select(&c, "placement-self-care", "largely_dependent").await;
    select(&c, "placement-carer", "carer_frail").await;
    fill(&c, "#placement-assessor", "湘乡市托养评估小组").await;
    select(&c, "placement-mode", "home_based").await;
    select(&c, "placement-funder", "dpf").await;
    let providers = c
        .execute(
            "return Array.from(document.querySelectorAll('#placement-provider option')).map(o => o.value).filter(v => v);",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let provider = providers[0].as_str().unwrap_or_default().to_owned();
    select(&c, "placement-provider", &provider).await;
    click(&c, "#placement-save").await;
    wait_text(&c, "#placement-subsidy-error", "").await;
    check_page(&c, "placement form with an error", true).await;
    shot(&c, "care-placement-error").await;
    fill(&c, "#placement-subsidy", "300").await;
    click(&c, "#placement-save").await;
    wait_text(&c, "#placement-status", "已评估").await;
    wait_text(&c, "#placement-facts", "300.00").await;
    // The assessor may not approve.
    assert!(!present(&c, "placement-approve").await, "four eyes");
    check_page(&c, "an assessed placement", true).await;
    let path = c
        .current_url()
        .await
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    logout(&c).await;

    // A second county user approves.
    login(&c, &base, "xiangxiang.staff").await;
    open(&c, &base, &path).await;
    click(&c, "#placement-approve").await;
    click(&c, "#placement-approve-yes").await;
    wait_text(&c, "#placement-status", "已批准").await;
    check_page(&c, "an approved placement", true).await;
    logout(&c).await;

    // Care starts, and a home visit is recorded.
    login(&c, &base, "xiangxiang.employment").await;
    open(&c, &base, &path).await;
    click(&c, "#placement-activate").await;
    check_page(&c, "the start of care", true).await;
    click(&c, "#step-activate-save").await;
    wait_text(&c, "#placement-status", "托养中").await;
    fill(&c, "#log-tasks", "助浴、打扫卫生").await;
    fill(&c, "#log-carer", "王秀兰").await;
    click(&c, "#log-save").await;
    wait_text(&c, "#logs", "助浴、打扫卫生").await;
    check_page(&c, "a placement in care with a visit", true).await;
    shot(&c, "care-placement").await;
    open(&c, &base, "/care").await;
    wait_text(&c, "#placements", "托养甲").await;
    check_page(&c, "placements in care", true).await;

    logout(&c).await;

    // The KPI, read by the province's leader: the cities, then a city's counties.
    login(&c, &base, "leader").await;
    open(&c, &base, "/kpi/care").await;
    wait_text(&c, "#care-kpi-children", "湘潭市").await;
    check_page(&c, "care KPI", true).await;
    click(&c, "#care-kpi-drill-4303").await;
    wait_text(&c, "#care-kpi-unit", "湘潭市").await;
    wait_text(&c, "#care-kpi-children", "湘乡市").await;
    wait_text(&c, "#care-kpi-430381-facts", "1").await;
    check_page(&c, "care KPI of a city", true).await;
    shot(&c, "care-kpi").await;

    let _ = c.close().await;
    server.stop(true).await;
}
