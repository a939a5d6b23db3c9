//! Measures 17, 21, 12, 16, 10 and 19 and the county lists in the browser, on a phone in
//! Chinese, as the demo users do it.
//! The poverty office sets 2020's key poverty counties (through the API, as set-up).
//! County staff (`xiangxiang.staff`) open 食堂采购: an empty form is refused next to its
//! fields; two purchases are recorded through the form, one from a key county (泸溪县)
//! and one from a county not on the list, and the page shows the canteen's own share
//! (60.00 %) against its 20 % target with the light in words; the ledger exports as an
//! XLSX file, one purchase's amount is changed through its edit button, and a purchase
//! recorded in error is deleted after a confirmation. The
//! provincial general office (`office`) opens 因素法资金分配: weights that do not make
//! 100 % are refused next to them, and so (by the server) is a factor no county has;
//! the allocation is computed, its page shows the counties' amounts adding up to the
//! fund, the wide table scrolls inside its own region, and it exports as an XLSX file
//! (the bytes start with `PK`). The office adjusts two counties (an unbalanced change is refused next to the
//! sum), a provincial leader approves it, and the county records spending from its
//! share.
//!
//! Then the county staff link a village of 湘乡市 (an empty form is refused next to the
//! village), record an activity with money there, see the count of villages linked
//! and export the ledger; collect a person's typical case without consent (the person
//! picked from the registry, a picture linked). The city's leader (`xiangtan.leader`)
//! tries to select it and is told that consent is needed (consent_required); the county
//! records the consent, the city selects it, the province's leader selects it too. The
//! poverty office sees 1 village of its target of 140, keeps a pairing of 长沙市 with
//! 泸溪县, records money and a visit under it (a visit has no amount field) and sees
//! them in the pairing's figures with nothing idle this quarter, and adds 湘乡市 to
//! 2020's key poverty counties by ticking it (a missing reason is refused next to it).
//!
//! One server and one browser for the whole file; every page visited passes axe-core,
//! does not scroll sideways and shows no English.

use backend::testing::{Backend, PersonBuilder, TestApp};
use fantoccini::{Client, Locator};
use serde_json::json;
use xiangzhu_tests::*;

/// How many elements match `css` now.
async fn count(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css))
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

/// Starts keeping the files the app hands to the browser as blob downloads (in
/// `window.__blobs`, until the page is loaded again).
async fn count_downloads(c: &Client) {
    c.execute(
        "window.__blobs = []; const make = URL.createObjectURL; URL.createObjectURL = function (b) { window.__blobs.push(b); return make.call(URL, b); };",
        vec![],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
}

/// The first two bytes of the `n`th file (from 0) handed to the browser since
/// [`count_downloads`], as a JSON array (null when there is none).
async fn first_bytes(c: &Client, n: usize) -> serde_json::Value {
    c.execute_async(
        "const done = arguments[arguments.length - 1];
         const b = (window.__blobs || [])[arguments[0]];
         if (!b) { done(null); return; }
         b.slice(0, 2).arrayBuffer().then(a => done(Array.from(new Uint8Array(a)))).catch(() => done(null));",
        vec![json!(n)],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The checks of every page here: axe-core, nothing sideways, Chinese, no English.
async fn check(c: &Client, page: &str) {
    check_page(c, page, true).await;
    assert_no_english(c, page).await;
}

/// The first real option (after "choose") of the select with this id, once loaded.
async fn first_option(c: &Client, id: &str) -> String {
    c.wait()
        .at_most(std::time::Duration::from_secs(15))
        .for_element(Locator::Css(&format!("[id='{id}'] option:nth-child(2)")))
        .await
        .unwrap_or_else(|e| panic!("{id} has no options: {e}"));
    let v = c
        .execute(
            "return document.getElementById(arguments[0]).options[1].value;",
            vec![json!(id)],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    select(c, id, &v).await;
    v
}

/// The record id in the element id of the first `css` element whose text holds
/// `needle` (`prefix` before it: "link-", "pair-", "case-").
async fn row_id(c: &Client, css: &str, needle: &str, prefix: &str) -> String {
    wait_text(c, css.split(" >").next().unwrap_or(css), needle).await;
    let row = c
        .execute(
            "const li = [...document.querySelectorAll(arguments[0])].find(li => li.innerText.includes(arguments[1]));
             return li ? li.id : '';",
            vec![json!(css), json!(needle)],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    row.strip_prefix(prefix)
        .unwrap_or_else(|| panic!("no row holding {needle:?}: {row:?}"))
        .to_owned()
}

/// An amount as the page writes it ("166,666.67") in fen.
fn fen_of(text: &str) -> i64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|e| panic!("{text:?} is no amount: {e}"))
}

/// Fen as the page's amount fields take them ("166566.67").
fn yuan_of(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

#[actix_web::test]
async fn the_federations_duties_on_a_phone() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    // The registry the factors count: registered-poor persons in poverty with a level 2
    // disability (the builder's default), 3 in 湘乡市, 2 in 泸溪县 and 1 in 浏阳市.
    for (county, n) in [("430381", 3), ("433122", 2), ("430181", 1)] {
        for _ in 0..n {
            PersonBuilder::new().county(county).create(&app);
        }
    }
    // The poverty office sets 2020's key poverty counties (set-up through the API).
    let poverty = app.token("poverty").await;
    let r = app
        .put(
            &poverty,
            "/api/v1/county-lists/2020/key_poverty",
            json!({ "counties": ["433122", "433123"], "reason": "省扶贫开发重点县名单" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;

    // County staff: the menu, an empty year, the form's errors next to its fields.
    login(&c, &base, "xiangxiang.staff").await;
    let menu = text_of(&c, "header nav").await;
    assert!(
        menu.contains("食堂采购") && menu.contains("因素法资金分配"),
        "{menu}"
    );
    open(&c, &base, "/purchases").await;
    wait_text(&c, "main h1", "食堂采购").await;
    wait_text(&c, "#consumption-light", "暂无采购").await;
    wait_text(&c, "main", "本年尚无采购记录").await;
    check_page(&c, "canteen purchases, none yet", true).await;
    click(&c, "#purchase-save").await;
    wait_text(&c, "#purchase-supplier-error", "必填").await;
    wait_text(&c, "#purchase-origin-city-error", "必填").await;
    wait_text(&c, "#purchase-amount-error", "必填").await;
    check_page(&c, "purchase form with errors", true).await;

    // From a key county (泸溪县), bought from a base.
    set_date(&c, "purchase-date", "2020-06-01").await;
    fill(&c, "#purchase-supplier", "泸溪县浦市镇椪柑合作社").await;
    select(&c, "purchase-origin-city", "4331").await;
    select(&c, "purchase-origin", "433122").await;
    fill(&c, "#purchase-amount", "600").await;
    click(&c, "#purchase-base").await;
    fill(&c, "#purchase-goods", "椪柑").await;
    click(&c, "#purchase-save").await;
    wait_text(&c, "#purchase-saved", "泸溪县浦市镇椪柑合作社").await;
    // The page shows the year the purchase counts in.
    wait_text(&c, "#purchases-title", "2020").await;
    wait_text(&c, "#purchases", "重点县").await;
    wait_text(&c, "#consumption-share", "100.00 %").await;

    // From 湘乡市 itself, not a key county.
    set_date(&c, "purchase-date", "2020-06-02").await;
    fill_and_keep(&c, "#purchase-supplier", "湘乡市东山农贸公司").await;
    select(&c, "purchase-origin-city", "4303").await;
    select(&c, "purchase-origin", "430381").await;
    fill_and_keep(&c, "#purchase-amount", "400").await;
    click(&c, "#purchase-save").await;
    wait_text(&c, "#purchase-saved", "湘乡市东山农贸公司").await;
    wait_text(&c, "#consumption-share", "60.00 %").await;
    wait_text(&c, "#consumption-threshold", "≥ 20.00 %").await;
    wait_text(&c, "#consumption-light", "达标").await;
    wait_text(&c, "#consumption-total", "1,000.00 元").await;
    wait_text(&c, "#consumption-key", "600.00 元").await;
    wait_text(&c, "#consumption-base", "600.00 元").await;
    wait_text(&c, "#purchases", "湘乡市东山农贸公司").await;
    assert_eq!(count(&c, "#purchases > li").await, 2, "two purchases");
    assert_eq!(
        count(&c, "#purchases .badge.key").await,
        1,
        "one from a key county"
    );
    check_page(&c, "canteen purchases with the share", true).await;
    shot(&c, "duties-purchases").await;

    // The ledger exports as an XLSX file.
    count_downloads(&c).await;
    click(&c, "#purchases-export").await;
    wait_text(&c, "#purchases-export-done", "已导出").await;
    assert_eq!(
        first_bytes(&c, 0).await,
        json!([0x50, 0x4b]),
        "an XLSX (zip) file"
    );
    // The purchase from 泸溪县 was for 900 yuan: changed through its edit button.
    let key_row = row_id(&c, "#purchases > li", "椪柑合作社", "purchase-").await;
    click(&c, &format!("#purchase-edit-{key_row}")).await;
    wait_text(&c, "#purchase-form-title", "修改采购记录").await;
    fill_and_keep(&c, "#purchase-amount", "900").await;
    click(&c, "#purchase-save").await;
    wait_text(&c, "#consumption-total", "1,300.00 元").await;
    wait_text(&c, "#purchase-form-title", "登记采购").await;
    // The purchase from 湘乡市 was recorded in error: deleted after a confirmation, the
    // share is all from the key county again.
    let row = c
        .execute(
            "const li = [...document.querySelectorAll('#purchases > li')].find(li => li.innerText.includes(arguments[0]));
             return li ? li.id : '';",
            vec![json!("湘乡市东山农贸公司")],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let id = row
        .strip_prefix("purchase-")
        .unwrap_or_else(|| panic!("no row of the purchase: {row:?}"));
    click(&c, &format!("#purchase-delete-{id}")).await;
    wait_text(&c, &format!("#purchase-delete-{id}-q"), "确定删除").await;
    click(&c, &format!("#purchase-delete-{id}-yes")).await;
    wait_text(&c, "#purchase-removal", "已删除").await;
    wait_text(&c, "#consumption-share", "100.00 %").await;
    assert_eq!(count(&c, "#purchases > li").await, 1, "one purchase left");
    check_page(&c, "canteen purchases after a delete", true).await;
    logout(&c).await;

    // The general office computes an allocation through the form.
    login(&c, &base, "office").await;
    let menu = text_of(&c, "header nav").await;
    assert!(
        menu.contains("因素法资金分配") && menu.contains("食堂采购"),
        "{menu}"
    );
    open(&c, &base, "/funds").await;
    wait_text(&c, "main h1", "因素法资金分配").await;
    wait_text(&c, "#allocations-none", "暂无资金分配方案").await;
    check_page(&c, "funds, none yet", true).await;
    fill(&c, "#alloc-title", "2020年残疾人康复项目资金").await;
    select(&c, "alloc-year", "2020").await;
    select(&c, "alloc-department", "43.rehabilitation").await;
    fill(&c, "#alloc-total", "1000000").await;
    // Weights that do not make a whole are refused next to them.
    fill(&c, "#alloc-weight-registered_poor", "50").await;
    wait_text(&c, "#alloc-weights-sum", "110.00 %").await;
    click(&c, "#alloc-save").await;
    wait_text(&c, "#alloc-weights-error", "合计须为100%").await;
    // A factor no county has (there are no retrofit cases) is refused by the server,
    // next to the weights too.
    fill(&c, "#alloc-weight-registered_poor", "30").await;
    fill(&c, "#alloc-weight-retrofit_need", "10").await;
    wait_text(&c, "#alloc-weights-sum", "100.00 %").await;
    click(&c, "#alloc-save").await;
    wait_text(&c, "#alloc-weights-error", "数值都为0").await;
    check_page(&c, "allocation form with an error", true).await;
    shot(&c, "duties-allocation-form").await;
    fill(&c, "#alloc-weight-registered_poor", "40").await;
    fill(&c, "#alloc-weight-retrofit_need", "0").await;
    wait_text(&c, "#alloc-weights-sum", "100.00 %").await;
    click(&c, "#alloc-save").await;

    // Its page: the working, and the lines adding up to the fund.
    wait_text(&c, "#alloc-status", "草稿").await;
    let path = c
        .current_url()
        .await
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    assert!(path.starts_with("/funds/"), "{path}");
    wait_text(&c, "#alloc-total", "1,000,000.00 元").await;
    wait_text(&c, "#alloc-department", "省残联康复部").await;
    wait_text(&c, "#alloc-sum", "两者相等").await;
    wait_text(&c, "#alloc-lines-sum", "1,000,000.00").await;
    // 湘乡市 has half of every factor: half the fund.
    wait_text(&c, "#alloc-line-430381", "500,000.00").await;
    let lines = count(&c, "#alloc-lines tbody tr").await;
    assert!(lines > 100, "every county of Hunan has a line: {lines}");
    let sum = c
        .execute(
            "return [...document.querySelectorAll('#alloc-lines td.amount')]
                .reduce((s, td) => s + Number(td.dataset.fen), 0);",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_i64());
    assert_eq!(
        sum,
        Some(100_000_000),
        "the lines add up to the fund in fen"
    );
    check_page(&c, "an allocation", true).await;
    shot(&c, "duties-allocation").await;

    // The export: the browser receives an XLSX file (a zip: "PK").
    count_downloads(&c).await;
    click(&c, "#alloc-export").await;
    wait_text(&c, "#alloc-download", "已导出").await;
    assert_eq!(
        first_bytes(&c, 0).await,
        json!([0x50, 0x4b]),
        "an XLSX (zip) file"
    );

    // Adjusting one county alone would leave the sum off the fund: refused next to it.
    click(&c, "#alloc-adjust").await;
    select(&c, "alloc-adjust-first", "430381").await;
    assert_eq!(value_of(&c, "adjust-0-amount").await, "500,000.00");
    fill_and_keep(&c, "#adjust-0-amount", "500100").await;
    fill(&c, "#adjust-reason", "湘乡市康复机构建设任务较重").await;
    wait_text(&c, "#adjust-sum", "相差 100.00 元").await;
    click(&c, "#adjust-save").await;
    wait_text(&c, "#adjust-sum-error", "须等于资金总额").await;
    check_page(&c, "an unbalanced adjustment", true).await;
    // With 100 yuan less for 浏阳市 it balances.
    click(&c, "#adjust-add").await;
    select(&c, "adjust-1-county", "430181").await;
    let before = fen_of(&value_of(&c, "adjust-1-amount").await);
    fill_and_keep(&c, "#adjust-1-amount", &yuan_of(before - 10_000)).await;
    wait_text(&c, "#adjust-sum", "两者相等").await;
    click(&c, "#adjust-save").await;
    wait_text(&c, "#alloc-notice", "已调整").await;
    wait_text(&c, "#alloc-sum", "两者相等").await;
    wait_text(&c, "#alloc-line-430381", "500,100.00").await;
    wait_text(&c, "#alloc-line-430381", "康复机构建设").await;
    check_page(&c, "an adjusted allocation", true).await;
    logout(&c).await;

    // A provincial leader who did not compute it approves it.
    login(&c, &base, "leader").await;
    open(&c, &base, &path).await;
    wait_text(&c, "#alloc-status", "草稿").await;
    click(&c, "#alloc-approve").await;
    fill(&c, "#alloc-approve-first", "省残联理事长办公会议审定").await;
    check_page(&c, "approving an allocation", true).await;
    click(&c, "#approve-save").await;
    wait_text(&c, "#alloc-status", "已审批").await;
    wait_text(&c, "#alloc-approve-reason", "办公会议").await;
    logout(&c).await;

    // The county records spending from its share; the county sees only its own line.
    login(&c, &base, "xiangxiang.staff").await;
    open(&c, &base, "/funds").await;
    wait_text(&c, "#allocations", "2020年残疾人康复项目资金").await;
    check_page(&c, "funds of a county", true).await;
    click(&c, "#allocations a").await;
    wait_text(&c, "#alloc-status", "已审批").await;
    assert_eq!(count(&c, "#alloc-lines tbody tr").await, 1, "its own line");
    click(&c, "#alloc-spend").await;
    fill(&c, "#spend-amount", "20000").await;
    fill(&c, "#spend-purpose", "辅具适配 12 人").await;
    click(&c, "#spend-save").await;
    wait_text(&c, "#alloc-notice", "已登记支出").await;
    wait_text(&c, "#alloc-spending", "辅具适配").await;
    wait_text(&c, "#alloc-line-430381", "20,000.00").await;
    check_page(&c, "an allocation with spending", true).await;
    shot(&c, "duties-spending").await;

    // Measure 12: the county links a village and records an activity there.
    let menu = text_of(&c, "header nav").await;
    for page in ["连千村帮万户", "结对帮扶", "典型案例"] {
        assert!(menu.contains(page), "{page}: {menu}");
    }
    open(&c, &base, "/villages").await;
    wait_text(&c, "main h1", "连千村帮万户").await;
    wait_text(&c, "#villages-count", "0").await;
    wait_text(&c, "#village-links-none", "本年尚无联系的村").await;
    check(&c, "village links, none yet").await;
    click(&c, "#link-save").await;
    wait_text(&c, "#link-village-error", "必填").await;
    check(&c, "village link form with an error").await;
    select(&c, "link-county", "430381").await;
    first_option(&c, "link-town").await;
    let village = first_option(&c, "link-village").await;
    assert_eq!(village.len(), 12, "a village code: {village}");
    fill(&c, "#link-households", "12").await;
    fill(&c, "#link-note", "产业帮扶和助残服务").await;
    click(&c, "#link-save").await;
    wait_text(&c, "#village-outcome", "已保存").await;
    wait_text(&c, "#villages-count", "1").await;
    let link = row_id(&c, "#village-links > li", "帮扶 12 户", "link-").await;
    click(&c, &format!("#activity-{link}-open")).await;
    fill_and_keep(
        &c,
        &format!("#activity-{link}-what"),
        "走访慰问贫困残疾人家庭",
    )
    .await;
    fill(&c, &format!("#activity-{link}-money"), "500").await;
    click(&c, &format!("#activity-{link}-save")).await;
    wait_text(&c, &format!("#link-{link}-activities"), "走访慰问").await;
    wait_text(&c, "#villages-money", "500.00 元").await;
    wait_text(&c, "#villages-households", "12").await;
    check(&c, "a village link with an activity").await;
    shot(&c, "duties-villages").await;
    count_downloads(&c).await;
    click(&c, "#village-links-export").await;
    wait_text(&c, "#village-links-export-done", "已导出").await;
    assert_eq!(
        first_bytes(&c, 0).await,
        json!([0x50, 0x4b]),
        "an XLSX file"
    );

    // Measures 10 and 19: a person's case, collected without consent.
    PersonBuilder::new()
        .county("430381")
        .name("案例甲")
        .create(&app);
    open(&c, &base, "/cases").await;
    wait_text(&c, "main h1", "典型案例").await;
    wait_text(&c, "#cases-none", "暂无典型案例").await;
    check(&c, "typical cases, none yet").await;
    select(&c, "case-subject", "person").await;
    fill(&c, "#case-person-search", "案例甲").await;
    click(&c, "#case-person-search-go").await;
    wait_text(&c, "#case-person-candidates", "案例甲").await;
    click(&c, "#case-person-candidates button").await;
    fill(&c, "#case-title", "身残志坚养殖致富").await;
    fill(&c, "#case-story", "通过小额信贷发展养殖，带动邻里增收。").await;
    click(&c, "#case-media-add").await;
    fill_and_keep(&c, "#case-media-0-url", "https://example.cn/case.jpg").await;
    fill(&c, "#case-media-0-caption", "养殖场照片").await;
    click(&c, "#case-sunshine").await;
    check(&c, "typical case form").await;
    click(&c, "#case-save").await;
    wait_text(&c, "#case-outcome", "已保存").await;
    let case = row_id(&c, "#cases > li", "身残志坚养殖致富", "case-").await;
    wait_text(&c, &format!("#case-{case}-consent"), "未登记本人同意").await;
    let shown = text_of(&c, &format!("#case-{case}")).await;
    assert!(!shown.contains("案例甲"), "the name is masked: {shown}");
    wait_text(&c, "#cases-count", "1").await;
    wait_text(&c, "#cases-material", "图片 1").await;
    check(&c, "a typical case collected").await;
    logout(&c).await;

    // The city cannot select it without consent: said on the case.
    login(&c, &base, "xiangtan.leader").await;
    open(&c, &base, "/cases").await;
    click(&c, &format!("#case-{case}-select")).await;
    wait_text(&c, &format!("#case-{case}-outcome"), "须先登记本人同意").await;
    wait_text(&c, &format!("#case-{case}-status"), "已收集").await;
    check(&c, "selecting a case without consent").await;
    shot(&c, "duties-case-consent").await;
    logout(&c).await;

    // The county records the consent; the name shows.
    login(&c, &base, "xiangxiang.staff").await;
    open(&c, &base, "/cases").await;
    click(&c, &format!("#consent-{case}-open")).await;
    fill_and_keep(
        &c,
        &format!("#consent-{case}-note"),
        "本人签字同意书，村干部见证",
    )
    .await;
    click(&c, &format!("#consent-{case}-save")).await;
    wait_text(&c, &format!("#case-{case}-outcome"), "已登记本人同意").await;
    wait_text(&c, &format!("#case-{case}"), "案例甲").await;
    check(&c, "a case with consent").await;
    logout(&c).await;

    // Now the city selects it, then the province.
    login(&c, &base, "xiangtan.leader").await;
    open(&c, &base, "/cases").await;
    click(&c, &format!("#case-{case}-select")).await;
    wait_text(&c, &format!("#case-{case}-status"), "市州已遴选").await;
    logout(&c).await;
    login(&c, &base, "leader").await;
    open(&c, &base, "/cases").await;
    click(&c, &format!("#case-{case}-select")).await;
    wait_text(&c, &format!("#case-{case}-status"), "省级已遴选").await;
    wait_text(&c, "#cases-province", "1").await;
    check(&c, "a case selected by the province").await;
    logout(&c).await;

    // The poverty office: the villages against the province's target.
    login(&c, &base, "poverty").await;
    open(&c, &base, "/villages").await;
    wait_text(&c, "#villages-count", "1 / 目标 140").await;
    wait_text(&c, "#villages-children-4303", "1").await;
    check(&c, "village links of the province").await;

    // Measure 16: a pairing, money and a visit under it.
    open(&c, &base, "/support").await;
    wait_text(&c, "main h1", "结对帮扶").await;
    wait_text(&c, "#pairs-none", "暂无结对关系").await;
    click(&c, "#pair-save").await;
    wait_text(&c, "#pair-supporter-error", "必填").await;
    check(&c, "pairing form with errors").await;
    select(&c, "pair-supporter", "4301").await;
    select(&c, "pair-supported", "433122").await;
    click(&c, "#pair-save").await;
    wait_text(&c, "#support-outcome", "已保存结对").await;
    let pair = row_id(&c, "#pairs > li", "泸溪县", "pair-").await;
    // This quarter, where the idle pairings show.
    let quarter = c
        .execute(
            "return String(Math.floor(new Date().getMonth() / 3) + 1);",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    select(&c, "support-quarter", &quarter).await;
    wait_text(&c, &format!("#pair-{pair}-kpi"), "本季度无记录").await;
    wait_text(&c, "#support-idle", "1 个结对中，1 个").await;
    click(&c, &format!("#support-{pair}-open")).await;
    fill_and_keep(&c, &format!("#support-{pair}-amount"), "10000").await;
    fill(&c, &format!("#support-{pair}-what"), "援建康复站").await;
    click(&c, &format!("#support-{pair}-save")).await;
    wait_text(&c, &format!("#pair-{pair}"), "援建康复站").await;
    wait_text(&c, "#support-outcome", "已登记").await;
    wait_text(&c, &format!("#support-{pair}-entries"), "援建康复站").await;
    select(&c, &format!("support-{pair}-kind"), "visit").await;
    assert_eq!(
        count(&c, &format!("#support-{pair}-amount")).await,
        0,
        "a visit carries no amount"
    );
    fill(&c, &format!("#support-{pair}-what"), "两地残联互访交流").await;
    click(&c, &format!("#support-{pair}-save")).await;
    wait_text(&c, &format!("#support-{pair}-entries"), "互访交流").await;
    wait_text(&c, &format!("#pair-{pair}-kpi"), "资金 10,000.00 元").await;
    wait_text(&c, &format!("#pair-{pair}-kpi"), "互访 1 次").await;
    wait_text(&c, "#support-idle", "1 个结对中，0 个").await;
    check(&c, "paired support recorded").await;
    shot(&c, "duties-support").await;

    // The county lists: 湘乡市 joins 2020's key poverty counties.
    open(&c, &base, "/county-lists").await;
    wait_text(&c, "main h1", "重点县名单").await;
    select(&c, "county-list-year", "2020").await;
    wait_text(&c, "#county-list-count", "共 2 个县").await;
    wait_text(&c, "#county-list", "泸溪县").await;
    check(&c, "county lists").await;
    click(&c, "#county-list-edit").await;
    click(&c, "#county-430381").await;
    wait_text(&c, "#county-list-ticked", "共 3 个县").await;
    click(&c, "#county-list-save").await;
    wait_text(&c, "#county-list-reason-error", "必填").await;
    check(&c, "county list form with an error").await;
    fill(&c, "#county-list-reason", "湘政办发〔2020〕1号").await;
    click(&c, "#county-list-save").await;
    wait_text(&c, "#county-list-outcome", "共 3 个县").await;
    wait_text(&c, "#county-list", "湘乡市").await;
    check(&c, "county list saved").await;

    let _ = c.close().await;
    server.stop(true).await;
}
