//! Measure 18 in the browser, on a phone in Chinese, as the demo user does it: county
//! rights staff (`xiangxiang.rights`) register a petition that came by phone (a missing
//! subject is refused next to its field), see the petitioner masked, accept it, assign
//! it to the county, start handling it and reply; the list shows it replied. One server
//! and one browser for the file; every page visited passes axe-core, does not scroll
//! sideways and shows no English.

use backend::testing::{Backend, TestApp};
use fantoccini::{Client, Locator};
use xiangzhu_tests::*;

/// Opens the form of a step and takes it.
async fn take(c: &Client, action: &str, fields: &[(&str, &str)], status: &str) {
    click(c, &format!("#petition-{action}")).await;
    for (css, text) in fields {
        fill(c, css, text).await;
    }
    click(c, &format!("#step-{action}-save")).await;
    wait_text(c, "#petition-status", status).await;
}

#[actix_web::test]
async fn a_phone_petition_from_registration_to_reply_on_a_phone() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;

    login(&c, &base, "xiangxiang.rights").await;
    let menu = text_of(&c, "header nav").await;
    assert!(menu.contains("信访"), "{menu}");
    open(&c, &base, "/petitions").await;
    wait_text(&c, "main h1", "信访").await;
    check_page(&c, "petition list, empty", true).await;
    click(&c, "a[href='/petitions/new']").await;
    select(&c, "petition-channel", "phone").await;
    fill(&c, "#petition-name", "赵春花").await;
    fill(&c, "#petition-phone", "13807321234").await;
    select(&c, "petition-category", "subsidies").await;
    click(&c, "#petition-save").await;
    wait_text(&c, "#petition-subject-error", "").await;
    check_page(&c, "petition form with an error", true).await;
    shot(&c, "petition-error").await;
    fill(&c, "#petition-subject", "重度残疾人护理补贴未到账").await;
    click(&c, "#petition-save").await;
    wait_text(&c, "#petition-status", "已登记").await;
    // The petitioner is masked.
    wait_text(&c, "#petitioner-name", "赵**").await;
    wait_text(&c, "#petitioner-phone", "138****1234").await;
    let page = text_of(&c, "main").await;
    assert!(
        !page.contains("赵春花") && !page.contains("13807321234"),
        "{page}"
    );
    check_page(&c, "a registered petition", true).await;

    take(&c, "accept", &[], "已受理").await;
    wait_text(&c, "#petition-facts", "答复期限").await;
    take(&c, "assign", &[], "已交办").await;
    take(&c, "start", &[], "办理中").await;
    click(&c, "#petition-reply").await;
    check_page(&c, "the reply form", true).await;
    fill(
        &c,
        "#step-reply-first",
        "已协调民政部门于本月补发，并电话告知信访人",
    )
    .await;
    click(&c, "#step-reply-save").await;
    wait_text(&c, "#petition-status", "已答复").await;
    wait_text(&c, "#petition-timeline", "已答复").await;
    assert!(
        c.find(Locator::Id("petition-follow_up")).await.is_ok(),
        "the next step is the follow-up"
    );
    check_page(&c, "a replied petition", true).await;
    shot(&c, "petition-replied").await;

    open(&c, &base, "/petitions").await;
    wait_text(&c, "#petitions", "重度残疾人护理补贴未到账").await;
    wait_text(&c, "#petitions", "已答复").await;
    check_page(&c, "petition list", true).await;

    let _ = c.close().await;
    server.stop(true).await;
}
