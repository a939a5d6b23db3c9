//! Measure 15 in the browser, on a phone in Chinese, as the demo users do it: county
//! rights staff (`xiangxiang.rights`) open a case for a severely disabled person of the
//! registry and record the home visit; the plan editor refuses a line without a
//! location next to that field, shows the total live and warns above the year's cap;
//! the plan is submitted, and its author finds no approve button but the reason why; a
//! second county user (`xiangxiang.staff`) approves it (four eyes). The before photo is
//! uploaded through the file input before the works start; the start, the completion
//! with actual costs, then the acceptance: without after photos it is refused next to
//! the after-photo box, with one it passes, and the case is archived. The KPI table
//! counts the household; the list filters by status and "overdue", and exports the
//! ledger. One server and one browser for the whole file; every page visited passes
//! axe-core, does not scroll sideways and shows no English.

use backend::testing::{Backend, PersonBuilder, TestApp};
use fantoccini::{Client, Locator};
use xiangzhu_tests::*;

/// A 16 × 12 PNG: the photos and the signature.
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

/// A fresh PNG file named for `what`.
fn png(what: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "xiangzhu-e2e-{}-{what}.png",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, PNG).unwrap_or_else(|e| panic!("{e}"));
    path
}

/// Starts counting what the page's uploads send (the body of every XHR).
async fn watch_uploads(c: &Client) {
    c.execute(
        "window.__sent = []; const send = XMLHttpRequest.prototype.send; \
         XMLHttpRequest.prototype.send = function (body) { \
           window.__sent.push(body ? (body.size ?? body.byteLength ?? body.length ?? 0) : 0); \
           return send.call(this, body); };",
        vec![],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
}

/// The upload path's figures for the photo `file` just uploaded: the file, what the
/// browser sent after scaling it down, what the server stored, and the server's time
/// (request sent → first response byte, on localhost). The browser must have scaled
/// the photo down: a 6 MB photo never crosses a village's mobile network whole.
async fn upload_figures(c: &Client, app: &TestApp, file: &std::path::Path) {
    use backend::db::schema::attachments;
    use diesel::prelude::*;
    let original = std::fs::metadata(file).map(|m| m.len()).unwrap_or_default();
    let figures = c
        .execute(
            "const t = performance.getEntriesByType('resource') \
               .filter(e => e.initiatorType === 'xmlhttprequest' && e.name.includes('/attachments')) \
               .pop(); \
             return [window.__sent, t ? t.responseStart - t.requestStart : -1];",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sent: Vec<u64> = figures[0]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
        .unwrap_or_default();
    let server_ms = figures[1].as_f64().unwrap_or(-1.0);
    let stored: Vec<i64> = attachments::table
        .select(attachments::size_bytes)
        .load(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "upload figures: file {original} B, sent {sent:?} B, stored {stored:?} B, \
         server {server_ms:.0} ms (request to first response byte)"
    );
    assert_eq!(sent.len(), 1, "one upload, sent once");
    assert!(
        sent[0] > 0 && sent[0] * 4 < original,
        "the browser scales the photo down before sending it: {} of {original} B",
        sent[0]
    );
    assert_eq!(stored.len(), 1);
}

/// Confirms a step that asks first (the button `id`, then `{id}-yes`).
async fn confirm(c: &Client, id: &str) {
    click(c, &format!("#{id}")).await;
    click(c, &format!("#{id}-yes")).await;
}

#[actix_web::test]
async fn a_retrofit_from_the_home_visit_to_acceptance_on_a_phone() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    PersonBuilder::new()
        .name("改造甲")
        .disability(shared::DisabilityCategory::Physical, 1)
        .registered_poor(true)
        .create(&app);
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;
    // The before photo as a phone takes it: 4000 × 3000, about 6 MB.
    let before = std::env::temp_dir().join(format!(
        "xiangzhu-e2e-{}-before.jpg",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&before, backend::testing::phone_photo(4000, 3000))
        .unwrap_or_else(|e| panic!("{e}"));

    // County rights staff: the menu, the empty list, a new case from the registry.
    login(&c, &base, "xiangxiang.rights").await;
    let menu = text_of(&c, "header nav").await;
    assert!(
        menu.contains("无障碍改造") && menu.contains("改造指标"),
        "{menu}"
    );
    open(&c, &base, "/retrofits").await;
    wait_text(&c, "main h1", "无障碍改造").await;
    wait_text(&c, "main", "没有等待您办理的改造案例").await;
    check_page(&c, "retrofit cases, none yet", true).await;
    click(&c, "a[href='/retrofits/new']").await;
    wait_text(&c, "main h1", "新建改造案例").await;
    // Saving without a member is refused next to the member search.
    select(&c, "case-source", "home_visit").await;
    click(&c, "#case-save").await;
    wait_text(&c, "#case-person-search-error", "必填").await;
    check_page(&c, "new case without a member", true).await;
    fill(&c, "#case-person-search", "改造甲").await;
    click(&c, "#case-person-search-go").await;
    wait_text(&c, "#case-person-candidates", "改造甲").await;
    click(&c, "#case-person-candidates button").await;
    wait_text(&c, "#case-members-chosen", "改造甲").await;
    check_page(&c, "new case with a member", true).await;
    shot(&c, "retrofit-new").await;
    click(&c, "#case-save").await;
    wait_text(&c, "#case-status", "待入户核实").await;
    wait_text(&c, "#case-members", "改造甲").await;
    let case_path = c
        .current_url()
        .await
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    assert!(case_path.starts_with("/retrofits/cases/"), "{case_path}");
    check_page(&c, "a new case", true).await;

    // The home visit.
    click(&c, "#case-verify").await;
    fill(&c, "#visit-visitors", "湘乡市残联维权部 王芳").await;
    click(&c, "#visit-need").await;
    click(&c, "#visit-willing").await;
    click(&c, "#visit-housing").await;
    check_page(&c, "home visit form", true).await;
    click(&c, "#step-verify-save").await;
    wait_text(&c, "#case-status", "已核实，待制定方案").await;
    wait_text(&c, "#case-eligibility", "王芳").await;

    // The plan: a line without a location is refused next to it; the total follows
    // what is typed, with the cap of the year and a warning above it.
    select(&c, "plan-0-item", "ramp").await;
    fill(&c, "#plan-0-cost", "1200").await;
    click(&c, "#plan-save").await;
    wait_text(&c, "#plan-0-location-error", "必填").await;
    check_page(&c, "plan with an error", true).await;
    fill(&c, "#plan-0-location", "大门口").await;
    click(&c, "#plan-add").await;
    select(&c, "plan-1-item", "grab_bars").await;
    fill(&c, "#plan-1-location", "卫生间").await;
    fill(&c, "#plan-1-quantity", "2").await;
    fill(&c, "#plan-1-cost", "300").await;
    wait_text(&c, "#plan-live", "1,800.00").await;
    wait_text(&c, "#plan-live", "每户上限（元） 5,000.00").await;
    assert!(!present(&c, "plan-live-over-cap").await, "below the cap");
    fill(&c, "#plan-0-cost", "6000").await;
    wait_text(&c, "#plan-live-over-cap", "超过每户上限").await;
    check_page(&c, "plan above the cap", true).await;
    shot(&c, "retrofit-plan-over-cap").await;
    fill(&c, "#plan-0-cost", "1200").await;
    wait_text(&c, "#plan-live", "1,800.00").await;
    click(&c, "#plan-save").await;
    wait_text(&c, "#plan-saved", "方案已保存").await;
    check_page(&c, "a saved plan", true).await;
    confirm(&c, "case-draft_plan").await;
    wait_text(&c, "#case-status", "方案待审批").await;
    wait_text(&c, "#plan-live", "1,800.00").await;
    // Its author may not approve it, and is told why.
    assert!(!present(&c, "case-approve_plan").await, "four eyes");
    wait_text(&c, "#case-four-eyes", "另一位县级工作人员批准").await;
    check_page(&c, "a plan awaiting approval", true).await;
    shot(&c, "retrofit-four-eyes").await;
    logout(&c).await;

    // A second county user approves it.
    login(&c, &base, "xiangxiang.staff").await;
    open(&c, &base, &case_path).await;
    wait_text(&c, "#case-status", "方案待审批").await;
    confirm(&c, "case-approve_plan").await;
    wait_text(&c, "#case-status", "方案已批准，待施工").await;
    check_page(&c, "an approved plan", true).await;
    logout(&c).await;

    // Before the works: the before photo through the file input, then the start.
    login(&c, &base, "xiangxiang.rights").await;
    open(&c, &base, &case_path).await;
    wait_text(&c, "#case-status", "方案已批准，待施工").await;
    watch_uploads(&c).await;
    choose_file(&c, "case-before-pick", &before).await;
    wait_text(&c, "#case-before-box", "已上传").await;
    upload_figures(&c, &app, &before).await;
    check_page(&c, "a before photo uploaded", true).await;
    shot(&c, "retrofit-before-photo").await;
    click(&c, "#case-start").await;
    fill(&c, "#step-start-first", "湘乡市安居建筑装饰有限公司").await;
    click(&c, "#step-start-save").await;
    wait_text(&c, "#case-status", "施工中").await;
    wait_text(&c, "#case-construction", "安居建筑").await;

    // Completion: the actual costs start from the plan.
    click(&c, "#case-complete").await;
    fill(&c, "#complete-cost-1", "550").await;
    wait_text(&c, "#complete-total", "1,750.00").await;
    check_page(&c, "completion form", true).await;
    click(&c, "#step-complete-save").await;
    wait_text(&c, "#case-status", "已完工，待验收").await;

    // Acceptance: every item done, satisfaction, the signature; without an after photo
    // it is refused next to the after-photo box.
    click(&c, "#case-accept").await;
    fill(&c, "#accept-team", "湘乡市残联 王芳、李强").await;
    select(&c, "accept-result-0", "done").await;
    select(&c, "accept-result-1", "done").await;
    select(&c, "accept-satisfaction", "satisfied").await;
    wait_text(&c, "#accept-before-count", "已有 1 张").await;
    // Taken now, after the start (a file's time counts as when the photo was taken).
    let (signature, after) = (png("signature"), png("after"));
    choose_file(&c, "accept-signature-pick", &signature).await;
    wait_text(&c, "#accept-signature-box", "已上传").await;
    click(&c, "#step-accept-save").await;
    wait_text(&c, "#accept-after-error", "请上传改造后照片").await;
    assert!(
        !present(&c, "accept-before-error").await,
        "the before photo is there"
    );
    check_page(&c, "acceptance without an after photo", true).await;
    shot(&c, "retrofit-acceptance-error").await;
    choose_file(&c, "accept-after-pick", &after).await;
    wait_text(&c, "#accept-after-box", "已上传").await;
    assert!(!present(&c, "accept-after-error").await, "the error goes");
    check_page(&c, "acceptance with its photos", true).await;
    shot(&c, "retrofit-acceptance").await;
    click(&c, "#step-accept-save").await;
    wait_text(&c, "#case-status", "已验收").await;
    wait_text(&c, "#case-acceptances", "验收合格").await;
    wait_text(&c, "main", "改造后照片（1 张）").await;
    wait_text(&c, "main", "改造前照片（1 张）").await;
    check_page(&c, "an accepted case", true).await;
    confirm(&c, "case-archive").await;
    wait_text(&c, "#case-status", "已归档").await;
    check_page(&c, "an archived case", true).await;

    // The KPI table counts the household.
    open(&c, &base, "/kpi/retrofits").await;
    wait_text(&c, "#kpi-total", "1 / 1 (100.0 %)").await;
    check_page(&c, "retrofit KPI", true).await;
    shot(&c, "retrofit-kpi").await;

    // The list: nothing waits any more; all cases, by status, overdue; the export.
    open(&c, &base, "/retrofits").await;
    wait_text(&c, "main", "没有等待您办理的改造案例").await;
    click(&c, "#case-waiting").await;
    wait_text(&c, "#cases", "改造甲").await;
    wait_text(&c, "#cases", "已归档").await;
    click(&c, "#case-filters-box summary").await;
    select(&c, "case-filter-status", "in_construction").await;
    wait_text(&c, "main", "没有符合条件的改造案例").await;
    select(&c, "case-filter-status", "archived").await;
    wait_text(&c, "#cases", "改造甲").await;
    click(&c, "#case-overdue").await;
    wait_text(&c, "main", "没有符合条件的改造案例").await;
    click(&c, "#case-overdue").await;
    wait_text(&c, "#cases", "改造甲").await;
    click(&c, "#cases-export").await;
    wait_text(&c, "#cases-download", "已导出").await;
    check_page(&c, "retrofit cases with filters", true).await;
    shot(&c, "retrofit-list").await;

    for f in [&before, &signature, &after] {
        let _ = std::fs::remove_file(f);
    }
    let _ = c.close().await;
    server.stop(true).await;
}
