//! Measure 14 in the browser, on a phone in Chinese, as the demo users do it: the
//! provincial devices centre sets a year's subsidy cap in the catalogue and reads the
//! KPI table down to a city's counties; county rehabilitation staff (`xiangxiang.rehab`)
//! assess a person and find a device need (an incomplete second row is refused next to
//! its own field) and add a service episode; the assessor cannot approve the plan, a
//! second county user (`xiangxiang.staff`) finds it waiting and approves it (four eyes);
//! the fitting form shows the subsidy and self-pay live; acceptance takes a photo; and
//! the need then shows under "follow-ups due". The county then imports a survey of
//! needs from a spreadsheet: a check names the bad row's column next to the row, the
//! fixed file is checked and imported and its needs are listed, the same file sent again
//! writes nothing twice, and the list exports as an XLSX. One server and one browser for
//! the whole file; every page visited passes axe-core, does not scroll sideways and
//! shows no English.

use backend::rehab::transfer::NEED_COLUMNS;
use backend::tabular::{Format, Table};
use backend::testing::{Backend, PersonBuilder, TestApp};
use fantoccini::{Client, Locator};
use serde_json::json;
use xiangzhu_tests::*;

/// The catalogue's manual wheelchair (普通轮椅, seeded with the rehab migration).
const WHEELCHAIR: &str = "e5de5ac4-9ed1-5e86-84df-5fbd0398d2f9";

/// A 16 × 12 PNG, the photo of the acceptance.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0c, 0x08, 0x02, 0x00, 0x00, 0x00, 0xe4, 0x85, 0xaa,
    0xd6, 0x00, 0x00, 0x00, 0x15, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x38, 0x51, 0xa1, 0x41,
    0x12, 0x62, 0x18, 0xd5, 0x30, 0xaa, 0x01, 0x3b, 0x02, 0x00, 0xa0, 0x76, 0x0e, 0x10, 0x17, 0xba,
    0x07, 0x76, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// The date `days` days before today, as the browser's date inputs write it.
async fn days_ago(c: &Client, days: u32) -> String {
    c.execute(
        "const d = new Date(Date.now() - arguments[0] * 86400000); return d.toISOString().slice(0, 10);",
        vec![json!(days)],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_owned))
    .unwrap_or_else(|| panic!("no date"))
}

/// Writes a needs survey file (the template's columns) with these rows to a fresh path.
fn survey_file(name: &str, rows: Vec<Vec<String>>) -> std::path::PathBuf {
    let table = Table {
        headers: NEED_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        rows,
        choices: Vec::new(),
    };
    let bytes = backend::tabular::write(&table, Format::Xlsx).unwrap_or_else(|e| panic!("{e}"));
    let path = std::env::temp_dir().join(format!(
        "xiangzhu-e2e-{}-{name}.xlsx",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path
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

/// The `n`th file (from 1) the app handed to the browser as a blob download, once it
/// has (the page's `URL.createObjectURL` counts them into `window.__blobs`).
async fn downloaded(c: &Client, n: usize) -> serde_json::Value {
    for _ in 0..150 {
        let blobs = c
            .execute("return window.__blobs || [];", vec![])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(b) = blobs.as_array().and_then(|a| a.get(n - 1)) {
            return b.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no download number {n}");
}

/// Whether an element with this id is on the page now.
async fn present(c: &Client, id: &str) -> bool {
    c.find(Locator::Id(id)).await.is_ok()
}

#[actix_web::test]
async fn a_device_from_assessment_to_follow_up_on_a_phone() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    let person = PersonBuilder::new()
        .name("康复甲")
        .disability(shared::DisabilityCategory::Physical, 2)
        .create(&app);
    let pid = person.id.to_string();
    // Two more persons of the county, whose needs come by spreadsheet.
    let second = PersonBuilder::new().name("康复乙");
    let third = PersonBuilder::new().name("康复丙");
    let (second_id, third_id) = (
        second.input().id_number.unwrap_or_default(),
        third.input().id_number.unwrap_or_default(),
    );
    second.create(&app);
    third.create(&app);
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;
    // The need is found and assessed four months ago, the wheelchair delivered a little
    // later and accepted over 90 days ago: its first follow-up is due now.
    let assessed = days_ago(&c, 120).await;
    let delivered = days_ago(&c, 110).await;
    let accepted = days_ago(&c, 100).await;
    let year = delivered[..4].to_owned();

    // The provincial devices centre sets the wheelchair's cap for the delivery year.
    login(&c, &base, "rehab").await;
    let menu = text_of(&c, "header nav").await;
    assert!(
        menu.contains("辅具目录") && menu.contains("康复指标"),
        "{menu}"
    );
    open(&c, &base, "/rehab/catalogue").await;
    fill(&c, "#dev-q", "普通轮椅").await;
    click(&c, "#dev-search").await;
    wait_text(&c, &format!("#dev-{WHEELCHAIR}"), "普通轮椅").await;
    select(&c, &format!("cap-{WHEELCHAIR}-year"), &year).await;
    fill(&c, &format!("#cap-{WHEELCHAIR}-amount"), "800").await;
    click(&c, &format!("#cap-{WHEELCHAIR}-save")).await;
    wait_text(&c, &format!("#dev-{WHEELCHAIR}"), &format!("{year} 800.00")).await;
    check_page(&c, "device catalogue", true).await;
    shot(&c, "rehab-catalogue").await;

    // The KPI table: the province's cities, then one city's counties.
    open(&c, &base, "/kpi/rehab").await;
    wait_text(&c, "#kpi-children", "湘潭市").await;
    wait_text(&c, "#kpi-total", "/").await;
    check_page(&c, "rehab KPI", true).await;
    click(&c, "#kpi-drill-4303").await;
    wait_text(&c, "#kpi-unit", "湘潭市").await;
    wait_text(&c, "#kpi-children", "湘乡市").await;
    check_page(&c, "rehab KPI of a city", true).await;
    logout(&c).await;

    // County rehabilitation staff assess the person from the person's page.
    login(&c, &base, "xiangxiang.rehab").await;
    open(&c, &base, &format!("/persons/{pid}")).await;
    click(&c, &format!("a[href='/persons/{pid}/rehab']")).await;
    wait_text(&c, "main h1", "康复服务").await;
    wait_text(&c, "#person-needs", "").await;
    check_page(&c, "a person's rehabilitation, empty", true).await;
    click(&c, &format!("a[href='/persons/{pid}/rehab/assess']")).await;
    // The device list first: it arrives with the catalogue, and typing before the
    // form has all it loads races its re-render.
    select(&c, "need-0-kind", "device").await;
    select(&c, "need-0-project", "basic_device").await;
    select(&c, "need-0-item", WHEELCHAIR).await;
    set_date(&c, "assess-on", &assessed).await;
    fill(&c, "#assess-assessor", "湘乡市康复中心 李医生").await;
    select(&c, "assess-source", "home_visit").await;
    // A second row left empty is refused next to its own field.
    click(&c, "#assess-add").await;
    click(&c, "#assess-save").await;
    wait_text(&c, "#need-1-kind-error", "必填").await;
    assert!(!present(&c, "need-0-kind-error").await, "row 1 is fine");
    check_page(&c, "assessment form with an error in row 2", true).await;
    shot(&c, "rehab-assessment-error").await;
    click(&c, "#need-1-remove").await;
    click(&c, "#assess-save").await;
    wait_text(&c, "#person-needs", "普通轮椅").await;
    wait_text(&c, "#person-needs", "已评估，待批准方案").await;
    check_page(&c, "a person's rehabilitation with a need", true).await;
    // A service episode on the same page, its total computed as it is typed.
    click(&c, "#episode-add").await;
    fill(&c, "#ep-institution", "湘乡市康复中心").await;
    select(&c, "ep-project", "basic_rehab").await;
    set_date(&c, "ep-start", &assessed).await;
    fill(&c, "#ep-months", "3").await;
    fill(&c, "#ep-monthly", "500").await;
    wait_text(&c, "#ep-total", "1,500.00").await;
    check_page(&c, "episode form", true).await;
    click(&c, "#ep-save").await;
    wait_text(&c, "#episode-saved", "康复服务已登记").await;
    wait_text(&c, "#person-episodes", "湘乡市康复中心").await;
    click(&c, "#person-needs a").await;
    wait_text(&c, "#need-status", "已评估，待批准方案").await;
    let need_path = c
        .current_url()
        .await
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    // The assessor may not approve their own plan.
    assert!(!present(&c, "need-approve_plan").await, "four eyes");
    check_page(&c, "a need awaiting approval", true).await;
    logout(&c).await;

    // A second county user finds it waiting and approves the plan.
    login(&c, &base, "xiangxiang.staff").await;
    open(&c, &base, "/rehab").await;
    wait_text(&c, "#needs", "康复甲").await;
    check_page(&c, "needs waiting for me", true).await;
    click(&c, "#needs a").await;
    click(&c, "#need-approve_plan").await;
    click(&c, "#need-approve_plan-yes").await;
    wait_text(&c, "#need-status", "方案已批准").await;
    check_page(&c, "an approved plan", true).await;
    logout(&c).await;

    // The fitting: the subsidy and the self-pay follow what is typed.
    login(&c, &base, "xiangxiang.rehab").await;
    open(&c, &base, &need_path).await;
    click(&c, "#need-fit").await;
    fill(&c, "#step-fit-first", "湘潭市辅具适配中心").await;
    select(&c, "fit-side", "none").await;
    set_date(&c, "fit-delivered", &delivered).await;
    fill(&c, "#fit-price", "1200").await;
    wait_text(&c, "#fit-live", "补贴金额（元） 800.00").await;
    wait_text(&c, "#fit-live", "个人自付 400.00").await;
    fill(&c, "#fit-price", "500").await;
    wait_text(&c, "#fit-live", "个人自付 0.00").await;
    fill(&c, "#fit-price", "1200").await;
    fill(&c, "#fit-subsidy", "900").await;
    wait_text(&c, "#fit-subsidy-error", "").await;
    // WebDriver's clear sends no input event: empty it as a user's deletion would.
    set_date(&c, "fit-subsidy", "").await;
    wait_text(&c, "#fit-live", "个人自付 400.00").await;
    check_page(&c, "fitting form with the live subsidy", true).await;
    shot(&c, "rehab-fitting").await;
    click(&c, "#step-fit-save").await;
    wait_text(&c, "#need-status", "已适配，待验收").await;
    wait_text(&c, "#fitting-0", "400.00").await;

    // Acceptance, with a photo.
    click(&c, "#need-accept").await;
    set_date(&c, "step-accept-first", &accepted).await;
    select(&c, "accept-by", "person").await;
    // The photo: a small PNG set on the upload box's file input, as if picked.
    let need_id = need_path.rsplit('/').next().unwrap_or_default().to_owned();
    let png = std::env::temp_dir().join(format!("xiangzhu-e2e-{need_id}.png"));
    std::fs::write(&png, PNG).unwrap_or_else(|e| panic!("{e}"));
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id(&format!("photo-{need_id}-pick")))
        .await
        .unwrap_or_else(|e| panic!("the photo input: {e}"))
        .send_keys(&png.display().to_string())
        .await
        .unwrap_or_else(|e| panic!("choosing the photo: {e}"));
    wait_text(&c, "#step-accept-photo", "已上传").await;
    check_page(&c, "acceptance form with a photo", true).await;
    shot(&c, "rehab-acceptance").await;
    click(&c, "#step-accept-save").await;
    wait_text(&c, "#need-status", "已验收").await;
    wait_text(&c, "#need-follow-up-due", "").await;
    check_page(&c, "an accepted device", true).await;

    // Its follow-up is due: the county's list shows it.
    let menu = text_of(&c, "header nav").await;
    assert!(menu.contains("到期回访"), "{menu}");
    open(&c, &base, "/rehab/follow-ups").await;
    wait_text(&c, "#needs", "康复甲").await;
    wait_text(&c, "#needs", "回访到期").await;
    check_page(&c, "follow-ups due", true).await;
    shot(&c, "rehab-follow-ups").await;

    // A survey of needs by spreadsheet, on the needs list: the second row's date is
    // not a date, and the check says so next to that row.
    let found = days_ago(&c, 5).await;
    let row = |id: &str, name: &str, on: &str| -> Vec<String> {
        [id, name, "功能训练", "基本康复服务", "", "动态更新调查", on]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    };
    let bad = survey_file(
        "bad",
        vec![
            row(&second_id, "康复乙", &found),
            row(&third_id, "康复丙", "上个月"),
        ],
    );
    let good = survey_file(
        "good",
        vec![
            row(&second_id, "康复乙", &found),
            row(&third_id, "康复丙", &found),
        ],
    );
    open(&c, &base, "/rehab").await;
    // Files the app hands to the browser (template, export) are counted as they go.
    c.execute(
        "window.__blobs = []; const make = URL.createObjectURL; URL.createObjectURL = function (b) { window.__blobs.push({ type: b.type, size: b.size }); return make.call(URL, b); };",
        vec![],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    click(&c, "#needs-import-box summary").await;
    click(&c, "#needs-import-template").await;
    let template = downloaded(&c, 1).await;
    choose_file(&c, "needs-import-file", &bad).await;
    click(&c, "#needs-import-check").await;
    wait_text(&c, "#needs-import-summary", "发现 1 个问题，未写入任何数据").await;
    wait_text(&c, "#needs-import-row-3", "第 3 行").await;
    wait_text(&c, "#needs-import-row-3", "发现日期：日期格式应为").await;
    assert!(!present(&c, "needs-import-row-2").await, "row 2 is fine");
    let focused = c
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    assert_eq!(focused, "needs-import-report", "the report takes the focus");
    check_page(&c, "needs import with a bad row", true).await;
    shot(&c, "rehab-import-report").await;
    // The fixed file: checked (nothing written yet), then imported.
    choose_file(&c, "needs-import-file", &good).await;
    click(&c, "#needs-import-check").await;
    wait_text(
        &c,
        "#needs-import-summary",
        "检查通过：可导入 2 行，尚未写入",
    )
    .await;
    click(&c, "#needs-import-run").await;
    wait_text(&c, "#needs-import-summary", "已导入 2 行").await;
    wait_text(&c, "#needs", "康复乙").await;
    wait_text(&c, "#needs", "康复丙").await;
    check_page(&c, "needs imported", true).await;
    shot(&c, "rehab-imported").await;
    // The same file again (an upload whose answer was lost, retried): nothing twice.
    choose_file(&c, "needs-import-file", &good).await;
    click(&c, "#needs-import-run").await;
    wait_text(&c, "#needs-import-summary", "发现 2 个问题，未写入任何数据").await;
    wait_text(&c, "#needs-import-row-2", "该人员已有同日同类需求").await;
    // The list exports as a spreadsheet: the browser receives an XLSX blob.
    click(&c, "#needs-export").await;
    wait_text(&c, "#needs-download", "已导出").await;
    let export = downloaded(&c, 2).await;
    for blob in [&template, &export] {
        assert!(
            blob["type"]
                .as_str()
                .is_some_and(|t| t.contains("spreadsheetml"))
                && blob["size"].as_u64().is_some_and(|n| n > 0),
            "an XLSX was downloaded: {blob}"
        );
    }
    check_page(&c, "needs list after an export", true).await;

    for f in [&bad, &good] {
        let _ = std::fs::remove_file(f);
    }
    let _ = std::fs::remove_file(&png);
    let _ = c.close().await;
    server.stop(true).await;
}
