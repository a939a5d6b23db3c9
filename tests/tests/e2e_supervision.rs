//! Measures 20 and 22 in the browser, on a phone in Chinese, as the demo users do it:
//! the provincial rights department (`rights`) records an unannounced inspection of
//! 湘乡市 and files it with one problem (filing without a village is refused next to the
//! field); the county (`xiangxiang.staff`) then sees the filed inspection and opens the
//! rectification item its problem became; the poverty office (`poverty`) records a
//! misconduct clue and refers it to the discipline inspectors. One server and one
//! browser for the file; every page visited passes axe-core, does not scroll sideways
//! and shows no English.

use backend::testing::{Backend, TestApp};
use fantoccini::{Client, Locator};
use serde_json::json;
use xiangzhu_tests::*;

/// The value of the first real option (after "请选择") of the select `id`, once the
/// server's list has arrived.
async fn first_option(c: &Client, id: &str) -> String {
    let css = format!("[id='{id}'] option:nth-child(2)");
    c.wait()
        .at_most(std::time::Duration::from_secs(15))
        .for_element(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("{id} has no options: {e}"));
    c.execute(
        "return document.querySelector(arguments[0]).value;",
        vec![json!(css)],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_owned))
    .unwrap_or_else(|| panic!("{id}: no option value"))
}

/// Lets the app render what was just typed: a form's submit reads the state of its
/// last render, which may lag a keystroke sent the instant before a click.
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}

#[actix_web::test]
async fn an_inspection_filed_with_a_problem_reaches_the_county_and_a_clue_is_referred() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;

    // The rights department records and files an inspection of 湘乡市.
    login(&c, &base, "rights").await;
    let menu = text_of(&c, "header nav").await;
    assert!(menu.contains("四不两直"), "{menu}");
    assert!(
        !menu.contains("问题线索"),
        "clues are not the department's: {menu}"
    );
    open(&c, &base, "/inspections").await;
    wait_text(&c, "main h1", "四不两直").await;
    check_page(&c, "inspection list, empty", true).await;
    click(&c, "a[href='/inspections/new']").await;
    wait_text(&c, "main h1", "新建暗访").await;
    select(&c, "insp-county-city", "4303").await;
    select(&c, "insp-county", "430381").await;
    click(&c, "#insp-visited").await;
    fill(&c, "#insp-households", "3").await;
    settle().await;
    select(&c, "check-food", "problem").await;
    fill(&c, "#check-food-note", "两户家中存粮不足").await;
    check_page(&c, "inspection form", true).await;
    // No village yet: refused next to the villages.
    click(&c, "#insp-file").await;
    click(&c, "#insp-file-yes").await;
    wait_text(&c, "#insp-town-error", "必填").await;
    check_page(&c, "inspection form with an error", true).await;
    shot(&c, "inspection-error").await;
    let town = first_option(&c, "insp-town").await;
    select(&c, "insp-town", &town).await;
    click(&c, "#insp-town-villages input[type=checkbox]").await;
    wait_text(&c, "#insp-chosen-villages", "移除").await;
    click(&c, "#insp-file").await;
    click(&c, "#insp-file-yes").await;
    wait_text(&c, "#insp-status", "已归档").await;
    wait_text(&c, "#insp-check-food", "两户家中存粮不足").await;
    assert!(
        c.find(Locator::Css("#insp-check-food a")).await.is_ok(),
        "the problem links to its rectification item"
    );
    check_page(&c, "a filed inspection", true).await;
    shot(&c, "inspection-filed").await;
    open(&c, &base, "/kpi/inspections").await;
    wait_text(&c, "main h1", "覆盖").await;
    text_of(&c, "#insp-kpi-coverage, #insp-kpi-empty").await;
    check_page(&c, "inspection matrix", true).await;
    logout(&c).await;

    // The county sees the filed inspection and the rectification item it opened.
    login(&c, &base, "xiangxiang.staff").await;
    open(&c, &base, "/inspections").await;
    wait_text(&c, "#inspections", "湘乡市").await;
    check_page(&c, "the county's inspections", true).await;
    click(&c, "#inspections a").await;
    wait_text(&c, "#insp-status", "已归档").await;
    click(&c, "#insp-check-food a").await;
    wait_text(&c, "main h1", "两户家中存粮不足").await;
    wait_text(&c, "#item-facts", "四不两直").await;
    check_page(&c, "the rectification item of an inspection", true).await;
    logout(&c).await;

    // The poverty office records a clue and refers it.
    login(&c, &base, "poverty").await;
    open(&c, &base, "/clues").await;
    wait_text(&c, "main h1", "问题线索").await;
    check_page(&c, "clue list, empty", true).await;
    click(&c, "a[href='/clues/new']").await;
    select(&c, "clue-source", "inspection").await;
    select(&c, "clue-kind", "inaction").await;
    select(&c, "clue-county-city", "4303").await;
    select(&c, "clue-county", "430381").await;
    fill(&c, "#clue-person", "某村村委会主任").await;
    fill(
        &c,
        "#clue-description",
        "暗访发现村干部对两户困难群众长期不走访",
    )
    .await;
    check_page(&c, "clue form", true).await;
    click(&c, "#clue-save").await;
    wait_text(&c, "#clue-status", "已登记").await;
    check_page(&c, "a registered clue", true).await;
    click(&c, "#clue-refer").await;
    fill(&c, "#clue-step-reference", "湘纪线索〔2020〕1号").await;
    settle().await;
    click(&c, "#clue-step-refer-save").await;
    wait_text(&c, "#clue-status", "已移交纪检").await;
    assert!(
        c.find(Locator::Id("clue-feedback")).await.is_ok(),
        "the next step is the feedback"
    );
    check_page(&c, "a referred clue", true).await;
    shot(&c, "clue-referred").await;
    open(&c, &base, "/clues").await;
    wait_text(&c, "#clues", "已移交纪检").await;
    check_page(&c, "clue list", true).await;

    let _ = c.close().await;
    server.stop(true).await;
}
