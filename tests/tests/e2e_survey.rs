//! Measures 7, 5 and 8 in the browser, on a phone in Chinese, as the demo users do it.
//!
//! The provincial data update office (`data`) opens the round "2020年未脱贫残疾人摸底排查"
//! for the whole province (an empty form is refused next to its fields). County staff
//! (`xiangxiang.staff`) open it, find a registered-poor person of 湘乡市 on the work
//! list, survey them (the day starts clamped to the round's last day; a check marked
//! problem without a note is refused next to the note), and once saved the page says
//! which problem opened a rectification item; the round's problem list shows it, and
//! the person's household plan gets a measure. The poverty office (`poverty`) imports a
//! civil-affairs list of the living subsidy for poor disabled people built here as CSV
//! (a list with a bad identity number is refused with the error under its row, and
//! nothing is imported); the two recipients, valid numbers not in the registry, show as
//! gaps "非档案人员享受" of 2020 with their count.
//!
//! One server and one browser for the whole file; every page visited passes axe-core,
//! does not scroll sideways and shows no English.

use backend::testing::{Backend, PersonBuilder, TestApp};
use fantoccini::{Client, Locator};
use serde_json::json;
use xiangzhu_tests::*;

/// The checks of every page here: axe-core, nothing sideways, Chinese, no English.
async fn check(c: &Client, page: &str) {
    check_page(c, page, true).await;
    shot(c, &format!("survey-{}", page.replace(' ', "-"))).await;
}

/// A valid identity number of 湘乡市 born on `birth` (YYYYMMDD), sequence `seq`.
fn id_number(birth: &str, seq: u16) -> String {
    let body = format!("430381{birth}{seq:03}");
    let check = shared::id_number::check_character(body.as_bytes()).unwrap_or(b'0');
    format!("{body}{}", char::from(check))
}

/// A CSV list of the living subsidy in 湘乡市, June 2020: (identity number, name).
fn csv(rows: &[(&str, &str)]) -> String {
    let mut out = String::from("身份证号,姓名,项目,状态,期间,发放地区\n");
    for (id, name) in rows {
        out.push_str(&format!(
            "{id},{name},困难残疾人生活补贴,享受,2020-06,430381\n"
        ));
    }
    out
}

/// Chooses `path` in the file input `css`.
async fn choose_file(c: &Client, css: &str, path: &std::path::Path) {
    let el = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.send_keys(&path.display().to_string())
        .await
        .unwrap_or_else(|e| panic!("choosing {}: {e}", path.display()));
}

#[actix_web::test]
async fn a_county_surveys_a_person_and_the_poverty_office_cross_checks_a_list() {
    let started = std::time::Instant::now();
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::new(Backend::Sqlite).await;
    let person = PersonBuilder::new()
        .name("排查甲")
        .household("HH-0381-007")
        .create(&app);
    // 2020's rules (set-up through the API): the living subsidy is for registered
    // disabled persons only, so a recipient missing from the registry is a gap.
    let poverty = app.token("poverty").await;
    let r = app
        .put(
            &poverty,
            "/api/v1/crosscheck/rules/2020",
            json!({
                "rules": [{"scheme": "living_subsidy", "registered_poor_only": true,
                    "recipients_registered": true, "note": "困难残疾人生活补贴"}],
                "reason": "2020年交叉比对规则"
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (base, server) = serve(&app);
    let (c, _driver, _profile) = browser(360, 740).await;

    // The data update office opens the round.
    login(&c, &base, "data").await;
    let menu = text_of(&c, "header nav").await;
    assert!(menu.contains("摸底排查"), "{menu}");
    open(&c, &base, "/surveys").await;
    wait_text(&c, "main h1", "摸底排查").await;
    wait_text(&c, "main", "还没有排查轮次").await;
    check(&c, "rounds none yet").await;
    click(&c, "#round-save").await;
    wait_text(&c, "#round-title-error", "必填").await;
    wait_text(&c, "#round-area-error", "必填").await;
    check(&c, "round form with errors").await;
    fill(&c, "#round-title", "2020年未脱贫残疾人摸底排查").await;
    set_date(&c, "round-from", "2020-03-01").await;
    set_date(&c, "round-to", "2020-12-31").await;
    select(&c, "round-area", "43").await;
    click(&c, "#round-save").await;
    wait_text(&c, "main h1", "2020年未脱贫残疾人摸底排查").await;
    wait_text(&c, "#round-units", "全部县市区").await;
    wait_text(&c, "#progress", "长沙市").await;
    check(&c, "round of the province").await;
    logout(&c).await;

    // County staff survey a person of the work list.
    login(&c, &base, "xiangxiang.staff").await;
    open(&c, &base, "/surveys").await;
    wait_text(&c, "#rounds", "2020年未脱贫残疾人摸底排查").await;
    check(&c, "rounds").await;
    click(&c, "#rounds a").await;
    let row = format!("#person-{}", person.id);
    wait_text(&c, &row, "排查甲").await;
    wait_text(&c, "#progress-total", "1").await;
    check(&c, "round work list").await;
    click(&c, &format!("{row} a.button")).await;
    wait_text(&c, "main h1", "登记排查").await;
    wait_text(&c, "#survey-person", "排查甲").await;
    assert_eq!(
        value_of(&c, "survey-day").await,
        "2020-12-31",
        "today lies after the round: its last day"
    );
    select(&c, "check-housing", "problem").await;
    click(&c, "#policy-living_subsidy").await;
    click(&c, "#survey-save").await;
    wait_text(&c, "#check-housing-note-error", "必填").await;
    check(&c, "survey form with errors").await;
    fill_and_keep(&c, "#check-housing-note", "房屋漏雨，需维修").await;
    fill(&c, "#survey-note", "入户核实").await;
    click(&c, "#survey-save").await;
    wait_text(&c, "#survey-status", "已保存").await;
    wait_text(&c, "#survey-opened", "住房安全有保障").await;
    check(&c, "survey saved").await;

    // The problem is on the round's problem list, with its rectification item.
    click(&c, "#survey-done a.button").await;
    wait_text(&c, "#problems", "房屋漏雨，需维修").await;
    wait_text(&c, "#problems", "排查甲").await;
    check(&c, "round problem list").await;
    click(&c, "#problems a").await;
    wait_text(&c, "main", "房屋漏雨，需维修").await;
    check_page(&c, "the problem's rectification item", true).await;

    // The household plan gets a measure.
    open(&c, &base, &format!("/persons/{}/household-plan", person.id)).await;
    wait_text(&c, "#plan-none", "还没有").await;
    check(&c, "household plan none yet").await;
    click(&c, "#plan-save").await;
    wait_text(&c, "#plan-0-measure-error", "必填").await;
    fill(&c, "#plan-0-measure", "申报困难残疾人生活补贴").await;
    fill(&c, "#plan-0-unit", "县民政局").await;
    set_date(&c, "plan-0-due", "2020-12-31").await;
    click(&c, "#plan-save").await;
    wait_text(&c, "#plan-outcome", "已保存").await;
    wait_text(&c, "#plan-facts", "xiangxiang.staff").await;
    check(&c, "household plan saved").await;
    logout(&c).await;

    // The poverty office imports a civil-affairs list.
    login(&c, &base, "poverty").await;
    let menu = text_of(&c, "header nav").await;
    assert!(menu.contains("部门数据比对"), "{menu}");
    open(&c, &base, "/crosscheck").await;
    wait_text(&c, "main h1", "部门数据比对").await;
    check(&c, "crosscheck").await;
    let dir = tempdir::Dir::new();
    let bad = dir.path().join("bad.csv");
    let (one, two) = (id_number("19700101", 11), id_number("19800202", 22));
    let mut wrong = id_number("19900303", 33);
    wrong.replace_range(17.., if wrong.ends_with('1') { "2" } else { "1" });
    std::fs::write(&bad, csv(&[(&one, "名单甲"), (&wrong, "名单乙")]))
        .unwrap_or_else(|e| panic!("{e}"));
    select(&c, "list-scheme", "living_subsidy").await;
    set_date(&c, "list-period", "2020-06").await;
    choose_file(&c, "#list-file", &bad).await;
    click(&c, "#list-save").await;
    wait_text(&c, "#list-row-errors", "第 3 行").await;
    wait_text(&c, "#list-row-errors", "校验位").await;
    check(&c, "list refused by row").await;
    let good = dir.path().join("good.csv");
    std::fs::write(&good, csv(&[(&one, "名单甲"), (&two, "名单乙")]))
        .unwrap_or_else(|e| panic!("{e}"));
    choose_file(&c, "#list-file", &good).await;
    click(&c, "#list-save").await;
    wait_text(&c, "#list-outcome", "已导入").await;
    wait_text(&c, "#list-outcome", "享受 2 人").await;

    // Its recipients are not in the registry: gaps of 2020.
    select(&c, "cc-year", "2020").await;
    select(&c, "cc-scheme", "living_subsidy").await;
    select(&c, "cc-kind", "not_in_registry").await;
    wait_text(&c, "#gaps", "名单甲").await;
    wait_text(&c, "#gaps", "名单乙").await;
    wait_text(&c, "#cc-total-not_in_registry", "2").await;
    wait_text(&c, "#lists", "困难残疾人生活补贴").await;
    check(&c, "crosscheck gaps").await;

    let _ = c.close().await;
    server.stop(true).await;
    eprintln!("e2e_survey took {:.0?}", started.elapsed());
}
