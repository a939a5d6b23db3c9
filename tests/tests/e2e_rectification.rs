//! Measure 6 in the browser, on a phone in Chinese, as the demo users do it: county
//! staff (`xiangxiang.staff`) record a problem found in an inspection, assign it, start
//! rectifying, cannot submit without evidence, add a photo through the file input and
//! submit; they cannot recheck their own work. The city DPF (`xiangtan.staff`) finds the
//! item on its "my work" page, rechecks it and closes it out (销号); its leader
//! (`xiangtan.leader`) opens the "ledgers to zero" page (清零进度). One server and one
//! browser for the file; every page visited passes axe-core, does not scroll sideways
//! and shows no English.

use backend::testing::{Backend, TestApp};
use fantoccini::{Client, Locator};
use xiangzhu_tests::*;

/// A 16 × 12 PNG: the evidence photo.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0c, 0x08, 0x02, 0x00, 0x00, 0x00, 0xe4, 0x85, 0xaa,
    0xd6, 0x00, 0x00, 0x00, 0x15, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x38, 0x51, 0xa1, 0x41,
    0x12, 0x62, 0x18, 0xd5, 0x30, 0xaa, 0x01, 0x3b, 0x02, 0x00, 0xa0, 0x76, 0x0e, 0x10, 0x17, 0xba,
    0x07, 0x76, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Whether an element with this id is on the page now.
async fn present(c: &Client, id: &str) -> bool {
    c.find(Locator::Id(id)).await.is_ok()
}

/// Picks `file` in the file input with this id, as a user's file chooser would.
async fn choose_file(c: &Client, id: &str, file: &std::path::Path) {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("the file input {id}: {e}"))
        .send_keys(&file.display().to_string())
        .await
        .unwrap_or_else(|e| panic!("choosing {}: {e}", file.display()));
}

#[actix_web::test]
async fn a_problem_from_open_to_closed_out_with_evidence_on_a_phone() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;
    let photo = std::env::temp_dir().join(format!(
        "xiangzhu-e2e-{}-evidence.png",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&photo, PNG).unwrap_or_else(|e| panic!("{e}"));
    let deadline = backend::rectification::items::days_after(backend::db::today(), 5).to_string();

    // County staff: the menu, the empty list, a new item.
    login(&c, &base, "xiangxiang.staff").await;
    let menu = text_of(&c, "header nav").await;
    assert!(
        menu.contains("问题整改") && menu.contains("我的待办"),
        "{menu}"
    );
    open(&c, &base, "/rectification").await;
    wait_text(&c, "main h1", "问题整改台账").await;
    check_page(&c, "rectification list, empty", true).await;
    click(&c, "a[href='/rectification/new']").await;
    wait_text(&c, "#item-county", "湘乡市").await;
    select(&c, "item-source", "inspection").await;
    select(&c, "item-category", "medical").await;
    fill(
        &c,
        "#item-description",
        "重度残疾人刘某未参加城乡居民基本医疗保险",
    )
    .await;
    fill(&c, "#item-household", "东山街道 8组").await;
    set_date(&c, "item-deadline", &deadline).await;
    check_page(&c, "new item form", true).await;
    click(&c, "#item-save").await;
    wait_text(&c, "#item-status", "待交办").await;
    check_page(&c, "an open item", true).await;
    shot(&c, "rectification-open").await;
    let path = c
        .current_url()
        .await
        .map(|u| u.path().to_owned())
        .unwrap_or_default();

    // Assign, start; submitting without evidence is refused next to the form.
    click(&c, "#item-assign").await;
    fill(&c, "#step-assign-first", "湘乡市残联 王建国").await;
    check_page(&c, "the assign form", true).await;
    click(&c, "#step-assign-save").await;
    wait_text(&c, "#item-status", "已交办").await;
    click(&c, "#item-start").await;
    click(&c, "#step-start-save").await;
    wait_text(&c, "#item-status", "整改中").await;
    click(&c, "#item-submit").await;
    fill(&c, "#step-submit-first", "已为刘某办理参保并缴费").await;
    click(&c, "#step-submit-save").await;
    wait_text(&c, "#step-evidence-error", "").await;
    check_page(&c, "a submission without evidence", true).await;
    choose_file(&c, "item-photo-pick", &photo).await;
    wait_text(&c, "#item-evidence", "已上传").await;
    wait_text(&c, "#item-facts", "1").await;
    check_page(&c, "evidence uploaded", true).await;
    shot(&c, "rectification-evidence").await;
    click(&c, "#step-submit-save").await;
    wait_text(&c, "#item-status", "待复核").await;
    // The county that rectified does not recheck its own work.
    assert!(
        !present(&c, "item-recheck_pass").await,
        "another unit rechecks"
    );
    check_page(&c, "a submitted item", true).await;
    open(&c, &base, "/rectification").await;
    wait_text(&c, "#items", "刘某").await;
    check_page(&c, "rectification list", true).await;
    logout(&c).await;

    // The city finds it on its work list, rechecks it and closes it out.
    login(&c, &base, "xiangtan.staff").await;
    open(&c, &base, "/my-work").await;
    wait_text(&c, "#work", "刘某").await;
    wait_text(&c, "#work", "待复核销号").await;
    check_page(&c, "my work", true).await;
    shot(&c, "rectification-my-work").await;
    let id = path.trim_start_matches("/rectification/items/");
    click(&c, &format!("#work-{id}")).await;
    wait_text(&c, "#item-status", "待复核").await;
    click(&c, "#item-recheck_pass").await;
    fill(
        &c,
        "#step-recheck_pass-first",
        "电话回访并核对参保系统，已参保",
    )
    .await;
    check_page(&c, "the recheck form", true).await;
    click(&c, "#step-recheck_pass-save").await;
    wait_text(&c, "#item-status", "复核通过，待销号").await;
    click(&c, "#item-close").await;
    click(&c, "#step-close-save").await;
    wait_text(&c, "#item-status", "已销号").await;
    wait_text(&c, "#item-facts", "湘潭市").await;
    wait_text(&c, "#item-timeline", "已销号").await;
    check_page(&c, "a closed item", true).await;
    shot(&c, "rectification-closed").await;
    assert!(path.starts_with("/rectification/items/"), "{path}");

    // The city's leader sees whether the ledgers are closing to zero (measures 6 and 18).
    logout(&c).await;
    login(&c, &base, "xiangtan.leader").await;
    open(&c, &base, "/kpi/ledgers").await;
    wait_text(&c, "#rk-table", "湘乡市").await;
    wait_text(&c, "#pk-total", "合计").await;
    check_page(&c, "ledgers to zero", true).await;
    shot(&c, "ledgers-to-zero").await;

    let _ = std::fs::remove_file(&photo);
    let _ = c.close().await;
    server.stop(true).await;
}
