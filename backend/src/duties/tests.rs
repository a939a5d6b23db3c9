//! HTTP tests of the federation's own duties (measures 17 and 21), each on SQLite and
//! on PostgreSQL: the county lists, canteen purchases and their share, and funds
//! allocated by factors, approved and spent.

use serde_json::{json, Value};

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    county_lists_are_kept_by_the_poverty_office,
    purchases_stay_with_their_dpf_and_bad_input_changes_nothing,
    the_share_is_a_ratio_of_sums_against_each_unit_s_threshold,
    the_allocation_adds_up_to_the_fund_with_the_uplift,
    adjustments_keep_the_sum_and_approval_takes_four_eyes,
    spending_stays_within_the_county_s_share_and_area,
    exports_are_spreadsheets_and_audited,
    villages_count_once_across_units_and_links_stay_with_their_unit,
    pairs_are_kept_by_the_poverty_office_and_support_is_seen_from_both_sides,
    a_person_s_case_goes_public_only_with_consent_city_then_province,
);

/// The poverty office (keeps the county lists).
const POVERTY: &str = "poverty";
/// The provincial general office (computes funds, records the province's canteen).
const OFFICE: &str = "office";
/// A provincial leader (approves funds).
const LEADER: &str = "leader";
/// County staff of 湘乡市 (430381).
const COUNTY: &str = "xiangxiang.staff";
/// County staff of 浏阳市 (430181).
const OTHER_COUNTY: &str = "liuyang.staff";
/// City staff of 湘潭市 (4303).
const CITY: &str = "xiangtan.staff";

fn purchase(on: &str, origin: Option<&str>, yuan_fen: i64) -> Value {
    json!({"purchased_on": on, "supplier": "湘西农副产品合作社", "origin_county_code": origin,
        "amount_fen": yuan_fen, "goods": "大米"})
}

async fn set_list(app: &TestApp, list: &str, counties: &[&str]) {
    let t = app.token(POVERTY).await;
    let r = app
        .put(
            &t,
            &format!("/api/v1/county-lists/2020/{list}"),
            json!({"counties": counties, "reason": "湘政办发〔2020〕测试"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn county_lists_are_kept_by_the_poverty_office(backend: Backend) {
    let app = TestApp::new(backend).await;
    let poverty = app.token(POVERTY).await;
    let path = "/api/v1/county-lists/2020/deeply_poor";
    let r = app
        .put(
            &poverty,
            path,
            json!({"counties": ["433122", "433123"], "reason": "省定深度贫困县"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["counties"], json!(["433122", "433123"]));
    // Everyone signed in reads it; only the province's poverty office changes it.
    let county = app.token(COUNTY).await;
    let r = app.get(&county, path).await;
    assert_eq!(r.body["counties"], json!(["433122", "433123"]));
    for who in [OFFICE, LEADER, COUNTY, "xiangtan.leader"] {
        let t = app.token(who).await;
        let r = app
            .put(&t, path, json!({"counties": ["430381"], "reason": "x"}))
            .await;
        assert_eq!(r.status, 403, "{who}");
    }
    // Bad lists change nothing.
    for (counties, code) in [
        (json!(["433122", "433122"]), "duplicate"),
        (json!(["4331"]), "unknown_county"),
        (json!(["439999"]), "unknown_county"),
        (json!(["43.rights"]), "unknown_county"),
    ] {
        let r = app
            .put(&poverty, path, json!({"counties": counties, "reason": "x"}))
            .await;
        assert_eq!(r.status, 422, "{counties}");
        assert_eq!(r.field_errors()[0], ("counties".into(), code.into()));
    }
    let r = app
        .put(&poverty, path, json!({"counties": [], "reason": " "}))
        .await;
    assert_eq!(r.field_errors(), vec![("reason".into(), "required".into())]);
    let r = app.get(&county, path).await;
    assert_eq!(r.body["counties"], json!(["433122", "433123"]));
    let r = app.get(&county, "/api/v1/county-lists/2020/nonsense").await;
    assert!(
        r.status == 404 || r.status == 422 || r.status == 400,
        "{}",
        r.status
    );
    // One audit entry per change, with the reason.
    let id = super::lists::entity_id(2020, shared::duties::CountyList::DeeplyPoor);
    assert_eq!(app.audit_count(&id.to_string(), "update"), 1);
}

async fn purchases_stay_with_their_dpf_and_bad_input_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token(COUNTY).await;
    let city = app.token(CITY).await;
    let office = app.token(OFFICE).await;
    let other = app.token(OTHER_COUNTY).await;
    let id = uuid::Uuid::now_v7();
    let mut body = purchase("2020-05-06", Some("433122"), 30_000);
    body["id"] = json!(id);
    let r = app.post(&county, "/api/v1/purchases", body.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["unit_code"], "430381");
    // A retry over a bad network answers the same record; another body under the id is
    // a conflict.
    let again = app.post(&county, "/api/v1/purchases", body.clone()).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["id"], r.body["id"]);
    let mut changed = body.clone();
    changed["amount_fen"] = json!(1);
    assert_eq!(
        app.post(&county, "/api/v1/purchases", changed).await.code(),
        "id_conflict"
    );
    // Each DPF records for its own canteen: the city's and the province's.
    let c = app
        .post(
            &city,
            "/api/v1/purchases",
            purchase("2020-05-07", None, 10_000),
        )
        .await;
    assert_eq!(
        (c.status, c.body["unit_code"].as_str()),
        (201, Some("4303"))
    );
    let p = app
        .post(
            &office,
            "/api/v1/purchases",
            purchase("2020-05-08", Some("430381"), 5_000),
        )
        .await;
    assert_eq!((p.status, p.body["unit_code"].as_str()), (201, Some("43")));
    // The list is newest first by day, paged with the cursor.
    for day in ["2020-01-02", "2020-09-09"] {
        let r = app
            .post(&county, "/api/v1/purchases", purchase(day, None, 100))
            .await;
        assert_eq!(r.status, 201);
    }
    let page = app.get(&county, "/api/v1/purchases?limit=2").await;
    let days: Vec<&str> = page.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["purchased_on"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(days, vec!["2020-09-09", "2020-05-06"]);
    let cursor = page.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let next = app
        .get(
            &county,
            &format!("/api/v1/purchases?limit=2&cursor={cursor}"),
        )
        .await;
    assert_eq!(next.body["items"][0]["purchased_on"], "2020-01-02");
    assert_eq!(next.body["next_cursor"], Value::Null);
    assert_eq!(
        app.get(&county, "/api/v1/purchases?cursor=YWJj")
            .await
            .field_errors(),
        vec![("cursor".into(), "invalid_cursor".into())]
    );
    for p in page.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .chain(
            next.body["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter(),
        )
    {
        if p["id"] != json!(id) {
            let path = format!(
                "/api/v1/purchases/{}?version=1",
                p["id"].as_str().unwrap_or_default()
            );
            assert_eq!(app.delete(&county, &path).await.status, 204);
        }
    }
    // Who sees what.
    let seen = |r: &crate::testing::Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| i["unit_code"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut units = seen(&app.get(&county, "/api/v1/purchases").await);
    units.sort();
    assert_eq!(units, vec!["430381"]);
    let mut units = seen(&app.get(&city, "/api/v1/purchases").await);
    units.sort();
    assert_eq!(units, vec!["4303", "430381"]);
    let leader = app.token(LEADER).await;
    assert_eq!(
        seen(&app.get(&leader, "/api/v1/purchases?year=2020").await).len(),
        3
    );
    assert_eq!(
        seen(&app.get(&leader, "/api/v1/purchases?year=2021").await).len(),
        0
    );
    assert!(seen(&app.get(&other, "/api/v1/purchases").await).is_empty());
    let one = format!("/api/v1/purchases/{id}");
    assert_eq!(app.get(&other, &one).await.status, 404);
    assert_eq!(app.get(&city, &one).await.status, 200);
    // Only the DPF whose canteen bought changes it: the city reads, never writes.
    let mut upd = purchase("2020-05-06", Some("433122"), 40_000);
    upd["version"] = json!(1);
    assert_eq!(app.put(&city, &one, upd.clone()).await.status, 403);
    assert_eq!(app.put(&other, &one, upd.clone()).await.status, 404);
    assert_eq!(
        app.delete(&city, &format!("{one}?version=1")).await.status,
        403
    );
    // Roles without the capability: the admin writes nothing, reads nothing.
    let admin = app.token("admin").await;
    assert_eq!(
        app.post(&admin, "/api/v1/purchases", purchase("2020-05-06", None, 1))
            .await
            .status,
        403
    );
    assert_eq!(app.get(&admin, "/api/v1/purchases").await.status, 403);
    // Bad input: every problem at once, nothing written.
    let bad = app
        .post(
            &county,
            "/api/v1/purchases",
            json!({"purchased_on": "2999-01-01", "supplier": " ", "origin_county_code": "431299",
                "amount_fen": 0}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let mut fields = bad.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("amount_fen".into(), "not_positive".into()),
            ("origin_county_code".into(), "unknown_county".into()),
            ("purchased_on".into(), "in_future".into()),
            ("supplier".into(), "required".into()),
        ]
    );
    let bad = app
        .post(
            &county,
            "/api/v1/purchases",
            purchase("2020-01-01", Some("431299"), 100),
        )
        .await;
    assert_eq!(
        bad.field_errors(),
        vec![("origin_county_code".into(), "unknown_county".into())]
    );
    let bad = app
        .post(
            &county,
            "/api/v1/purchases",
            purchase("2020-01-01", Some("4303"), 100),
        )
        .await;
    assert_eq!(bad.field_errors()[0].1, "invalid_format");
    let bad = app
        .post(
            &county,
            "/api/v1/purchases",
            purchase("2020-01-01", None, i64::MAX),
        )
        .await;
    assert_eq!(
        bad.field_errors(),
        vec![("amount_fen".into(), "above_maximum".into())]
    );
    assert_eq!(seen(&app.get(&county, "/api/v1/purchases").await).len(), 1);
    // Update with the version; a stale one is refused; delete leaves a tombstone.
    let r = app.put(&county, &one, upd.clone()).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (200, Some(2)));
    assert_eq!(app.put(&county, &one, upd).await.code(), "stale_version");
    assert_eq!(
        app.delete(&county, &format!("{one}?version=1"))
            .await
            .code(),
        "stale_version"
    );
    assert_eq!(
        app.delete(&county, &format!("{one}?version=2"))
            .await
            .status,
        204
    );
    assert_eq!(app.get(&county, &one).await.status, 404);
    assert_eq!(app.audit_count(&id.to_string(), "create"), 1);
    assert_eq!(app.audit_count(&id.to_string(), "update"), 1);
    assert_eq!(app.audit_count(&id.to_string(), "delete"), 1);
    app.assert_kept_figures_match();
}

async fn the_share_is_a_ratio_of_sums_against_each_unit_s_threshold(backend: Backend) {
    let app = TestApp::new(backend).await;
    // 湘乡市 is on the key list here, so its own canteen's threshold is 50 %.
    set_list(&app, "key_poverty", &["433122", "430381"]).await;
    let county = app.token(COUNTY).await;
    let city = app.token(CITY).await;
    let office = app.token(OFFICE).await;
    for (t, origin, fen) in [
        (&county, Some("433122"), 30_000),
        (&county, Some("430102"), 50_000),
        (&county, None, 20_000),
        (&city, Some("430381"), 10_000),
        (&city, Some("430302"), 30_000),
        (&office, Some("433122"), 1_000),
    ] {
        let r = app
            .post(t, "/api/v1/purchases", purchase("2020-06-01", origin, fen))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    // A purchase of 2019 does not count in 2020.
    app.post(
        &county,
        "/api/v1/purchases",
        purchase("2019-12-31", Some("433122"), 99_999),
    )
    .await;
    let r = app.get(&city, "/api/v1/kpi/consumption?year=2020").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The city's own canteen: 100 of 400 yuan = 25 %, threshold 20 %: green.
    assert_eq!(r.body["total"]["unit_code"], "4303");
    assert_eq!(r.body["total"]["own"]["share_bp"], 2500);
    assert_eq!(r.body["total"]["threshold_bp"], 2000);
    assert_eq!(r.body["total"]["light"], "green");
    // Its area is a ratio of sums: (300 + 100) of (1,000 + 400) = 28.57 %, not the mean
    // of 30 % and 25 %.
    assert_eq!(r.body["total"]["area"]["key_county_fen"], 40_000);
    assert_eq!(r.body["total"]["area"]["total_fen"], 140_000);
    assert_eq!(r.body["total"]["area"]["share_bp"], 2857);
    let xx = r.body["children"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["unit_code"] == "430381"))
        .cloned()
        .unwrap_or_default();
    // 湘乡市: 300 of 1,000 = 30 % against 50 %: red. 湘潭县 bought nothing: none.
    assert_eq!(xx["key_county"], true);
    assert_eq!(xx["own"]["share_bp"], 3000);
    assert_eq!(xx["threshold_bp"], 5000);
    assert_eq!(xx["light"], "red");
    let none = r.body["children"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["unit_code"] == "430321"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (none["light"].as_str(), none["own"]["share_bp"].is_null()),
        (Some("none"), true)
    );
    // The province: its own canteen 10 of 10 yuan, the whole province 410 of 1,410.
    let leader = app.token(LEADER).await;
    let p = app.get(&leader, "/api/v1/kpi/consumption?year=2020").await;
    assert_eq!(p.body["total"]["own"]["share_bp"], 10_000);
    assert_eq!(
        p.body["total"]["area"]["share_bp"],
        41_000 * 10_000 / 141_000
    );
    // Out of scope is 404.
    assert_eq!(
        app.get(&county, "/api/v1/kpi/consumption?year=2020&unit=4301")
            .await
            .status,
        404
    );
    // The plan layer keeps the same figure, and follows a change of the list.
    app.assert_kept_figures_match();
    set_list(&app, "key_poverty", &["433122"]).await;
    app.assert_kept_figures_match();
    let r = app.get(&city, "/api/v1/kpi/consumption?year=2020").await;
    assert_eq!(r.body["total"]["own"]["share_bp"], 0);
    assert_eq!(r.body["total"]["light"], "red");
    // The dashboard shows it per unit: 湘潭市's area now 300 of 1,400 yuan.
    let dash = app
        .get(&leader, "/api/v1/dashboard?unit=4303&period=2020")
        .await;
    assert_eq!(dash.status, 200, "{:?}", dash.body);
    let cell = dash.body["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["unit_code"] == "4303"))
        .and_then(|r| r["cells"].as_array())
        .and_then(|c| {
            c.iter()
                .find(|c| c["indicator"] == "canteen_key_county_share")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(cell["live"]["numerator"], 30_000, "{cell}");
    assert_eq!(cell["live"]["denominator"], 140_000, "{cell}");
    assert_eq!(cell["live"]["value"], 2_142, "{cell}");
}

/// The fixture of five counties (registered-poor persons, of them severe) and the
/// allocation of 1,000,000 yuan by 60 % registered poor, 40 % severe, 泸溪县 (433122)
/// deeply poor.
async fn five_counties(app: &TestApp) {
    for (county, poor, severe) in [
        ("430381", 3, 1),
        ("430102", 1, 1),
        ("433122", 2, 0),
        ("430181", 2, 1),
        ("430302", 2, 1),
    ] {
        for i in 0..poor {
            let level = if i < severe { 1 } else { 3 };
            PersonBuilder::new()
                .county(county)
                .disability(shared::DisabilityCategory::Physical, level)
                .create(app);
        }
    }
    // Not counted: not registered poor, or deleted.
    PersonBuilder::new()
        .county("430381")
        .registered_poor(false)
        .create(app);
    set_list(app, "deeply_poor", &["433122"]).await;
}

fn allocation_body() -> Value {
    json!({"year": 2020, "title": "2020年残疾人康复项目资金", "department_code": "43.rehabilitation",
        "total_fen": 100_000_000, "weights": [
            {"factor": "registered_poor", "weight_bp": 6000},
            {"factor": "severe", "weight_bp": 4000}]})
}

fn line<'a>(a: &'a Value, county: &str) -> &'a Value {
    a["lines"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["county_code"] == county))
        .unwrap_or(&Value::Null)
}

async fn the_allocation_adds_up_to_the_fund_with_the_uplift(backend: Backend) {
    let app = TestApp::new(backend).await;
    five_counties(&app).await;
    let office = app.token(OFFICE).await;
    let r = app
        .post(&office, "/api/v1/funds/allocations", allocation_body())
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let a = &r.body;
    assert_eq!(a["status"], "draft");
    assert_eq!(a["factor_totals"], json!([10, 4]));
    // By hand: scores (10⁻¹²) 湘乡 0.6×3/10 + 0.4×1/4 = 0.28, 芙蓉 0.16, 泸溪 0.12 × 1.15 =
    // 0.138, 浏阳 and 雨湖 0.22; sum 1.018. 1e8 fen × score / 1.018, rounded down, leaves
    // 3 fen: to 浏阳 and 雨湖 (remainder .96, the lower code first) and 湘乡 (.59).
    for (county, base, score, fen, deep) in [
        (
            "430381",
            280_000_000_000_i64,
            280_000_000_000_i64,
            27_504_912,
            false,
        ),
        (
            "430102",
            160_000_000_000,
            160_000_000_000,
            15_717_092,
            false,
        ),
        ("433122", 120_000_000_000, 138_000_000_000, 13_555_992, true),
        (
            "430181",
            220_000_000_000,
            220_000_000_000,
            21_611_002,
            false,
        ),
        (
            "430302",
            220_000_000_000,
            220_000_000_000,
            21_611_002,
            false,
        ),
    ] {
        let l = line(a, county);
        assert_eq!(l["base_score"], base, "{county}");
        assert_eq!(l["score"], score, "{county}");
        assert_eq!(l["computed_fen"], fen, "{county}");
        assert_eq!(l["amount_fen"], fen, "{county}");
        assert_eq!(l["deeply_poor"], deep, "{county}");
    }
    let lines = a["lines"].as_array().cloned().unwrap_or_default();
    let sum: i64 = lines
        .iter()
        .map(|l| l["amount_fen"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(sum, 100_000_000);
    // Every county has a line; those without values get nothing.
    assert!(lines.len() > 100, "{}", lines.len());
    assert_eq!(line(a, "430321")["amount_fen"], 0);
    assert_eq!(line(a, "430381")["values"], json!([3, 1]));
    // Bad rules are refused with the field.
    let mut bad = allocation_body();
    bad["weights"] = json!([{"factor": "registered_poor", "weight_bp": 6000}]);
    let r = app.post(&office, "/api/v1/funds/allocations", bad).await;
    assert_eq!(
        r.field_errors(),
        vec![("weights".into(), "weights_not_whole".into())]
    );
    let mut bad = allocation_body();
    bad["weights"] = json!([{"factor": "retrofit_need", "weight_bp": 10000}]);
    let r = app.post(&office, "/api/v1/funds/allocations", bad).await;
    assert_eq!(
        r.field_errors(),
        vec![("weights".into(), "empty_factor".into())]
    );
    let mut bad = allocation_body();
    bad["department_code"] = json!("43.nonsense");
    bad["total_fen"] = json!(0);
    let r = app.post(&office, "/api/v1/funds/allocations", bad).await;
    let mut f = r.field_errors();
    f.sort();
    assert_eq!(
        f,
        vec![
            ("department_code".into(), "unknown_unit".into()),
            ("total_fen".into(), "not_positive".into())
        ]
    );
    // Only the province's general office computes.
    for who in [LEADER, COUNTY, "xiangtan.leader", "rehab"] {
        let t = app.token(who).await;
        let r = app
            .post(&t, "/api/v1/funds/allocations", allocation_body())
            .await;
        assert_eq!(r.status, 403, "{who}");
    }
}

async fn adjustments_keep_the_sum_and_approval_takes_four_eyes(backend: Backend) {
    let app = TestApp::new(backend).await;
    five_counties(&app).await;
    let office = app.token(OFFICE).await;
    let leader = app.token(LEADER).await;
    let a = app
        .post(&office, "/api/v1/funds/allocations", allocation_body())
        .await
        .body;
    let id = a["id"].as_str().unwrap_or_default().to_owned();
    let base = format!("/api/v1/funds/allocations/{id}");
    // Moving 10,000 yuan from 芙蓉区 to 湘乡市 keeps the sum; one side alone does not.
    let r = app
        .post(
            &office,
            &format!("{base}/adjust"),
            json!({"version": 1, "reason": "调整", "amounts": [{"county_code": "430381", "amount_fen": 28_504_912}]}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("amounts".into(), "unbalanced".into())]
    );
    let r = app
        .post(
            &office,
            &format!("{base}/adjust"),
            json!({"version": 1, "reason": "湘乡市新增改造任务", "amounts": [
                {"county_code": "430381", "amount_fen": 28_504_912},
                {"county_code": "430102", "amount_fen": 14_717_092}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(line(&r.body, "430381")["amount_fen"], 28_504_912);
    assert_eq!(line(&r.body, "430381")["computed_fen"], 27_504_912);
    assert_eq!(
        line(&r.body, "430381")["adjust_reason"],
        "湘乡市新增改造任务"
    );
    let r = app
        .post(
            &office,
            &format!("{base}/adjust"),
            json!({"version": 2, "reason": "x", "amounts": [{"county_code": "439999", "amount_fen": 0},
                {"county_code": "430102", "amount_fen": -1}]}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![
            ("amounts[0]".into(), "unknown_county".into()),
            ("amounts[1]".into(), "out_of_range".into())
        ]
    );
    // A change that changes nothing is refused.
    let r = app
        .post(
            &office,
            &format!("{base}/adjust"),
            json!({"version": 2, "reason": "核对", "amounts": [{"county_code": "430381", "amount_fen": 28_504_912}]}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("amounts".into(), "unchanged".into())]
    );
    // Drafts are the province's: a county does not see them.
    let county = app.token(COUNTY).await;
    assert_eq!(app.get(&county, &base).await.status, 404);
    // Whoever computed or adjusted it last does not approve it, nor a city's leader.
    let r = app
        .post(
            &office,
            &format!("{base}/approve"),
            json!({"version": 2, "reason": "党组会议"}),
        )
        .await;
    assert_eq!(r.status, 403);
    let city_leader = app.token("xiangtan.leader").await;
    let r = app
        .post(
            &city_leader,
            &format!("{base}/approve"),
            json!({"version": 2, "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, 403);
    // Nor does whoever touched it earlier, after a colleague's later change.
    app.add_user("office2", "43.general_office", "leader");
    let office2 = app.token("office2").await;
    let r = app
        .post(
            &office2,
            &format!("{base}/adjust"),
            json!({"version": 2, "reason": "复核", "amounts": [
                {"county_code": "430381", "amount_fen": 28_504_911},
                {"county_code": "430102", "amount_fen": 14_717_093}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .post(
            &office,
            &format!("{base}/approve"),
            json!({"version": 3, "reason": "党组会议"}),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(
            &leader,
            &format!("{base}/approve"),
            json!({"version": 1, "reason": "党组会议"}),
        )
        .await;
    assert_eq!(r.code(), "stale_version");
    let r = app
        .post(
            &leader,
            &format!("{base}/approve"),
            json!({"version": 3, "reason": " "}),
        )
        .await;
    assert_eq!(r.field_errors(), vec![("reason".into(), "required".into())]);
    let r = app
        .post(
            &leader,
            &format!("{base}/approve"),
            json!({"version": 3, "reason": "2020年第3次党组会议"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "approved");
    assert_eq!(r.body["approved_by"], LEADER);
    // Approved is final.
    let mut again = allocation_body();
    again["version"] = json!(4);
    assert_eq!(
        app.post(&office, &format!("{base}/compute"), again)
            .await
            .code(),
        "invalid_transition"
    );
    assert_eq!(
        app.delete(&office, &format!("{base}?version=4"))
            .await
            .code(),
        "invalid_transition"
    );
    // Now the county sees it, with its own line only.
    let r = app.get(&county, &base).await;
    assert_eq!(r.status, 200);
    let lines = r.body["lines"].as_array().cloned().unwrap_or_default();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["county_code"], "430381");
    // Every step is audited.
    assert_eq!(app.audit_count(&id, "create"), 1);
    assert_eq!(app.audit_count(&id, "update"), 3);
}

async fn spending_stays_within_the_county_s_share_and_area(backend: Backend) {
    let app = TestApp::new(backend).await;
    five_counties(&app).await;
    let office = app.token(OFFICE).await;
    let leader = app.token(LEADER).await;
    let county = app.token(COUNTY).await;
    let a = app
        .post(&office, "/api/v1/funds/allocations", allocation_body())
        .await
        .body;
    let id = a["id"].as_str().unwrap_or_default().to_owned();
    let spend = |county: &str, fen: i64| {
        json!({"allocation_id": id, "county_code": county, "spent_on": "2020-07-01",
            "amount_fen": fen, "purpose": "辅具适配"})
    };
    // Not before approval.
    let r = app
        .post(&county, "/api/v1/funds/spending", spend("430381", 100))
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("allocation_id".into(), "not_found".into())]
    );
    let r = app
        .post(
            &leader,
            &format!("/api/v1/funds/allocations/{id}/approve"),
            json!({"version": 1, "reason": "会议"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .post(
            &county,
            "/api/v1/funds/spending",
            spend("430381", 27_000_000),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let spent_id = r.body["id"].as_str().unwrap_or_default().to_owned();
    // Past the county's share of 27,504,912 fen: refused; exactly to it: accepted.
    let r = app
        .post(&county, "/api/v1/funds/spending", spend("430381", 504_913))
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("amount_fen".into(), "above_allocated".into())]
    );
    let r = app
        .post(&county, "/api/v1/funds/spending", spend("430381", 504_912))
        .await;
    assert_eq!(r.status, 201);
    // Another county's share is outside the county's area.
    let r = app
        .post(&county, "/api/v1/funds/spending", spend("430181", 1))
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("county_code".into(), "outside_scope".into())]
    );
    let r = app
        .post(&county, "/api/v1/funds/spending", spend("430381", i64::MAX))
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("amount_fen".into(), "above_maximum".into())]
    );
    let other = app.token(OTHER_COUNTY).await;
    let r = app
        .get(&other, &format!("/api/v1/funds/allocations/{id}/spending"))
        .await;
    assert_eq!(r.body, json!([]));
    // The performance table: the province, and 湘潭市 (its 湘乡市 spent all).
    let r = app
        .get(&leader, "/api/v1/funds/performance?year=2020&unit=4303")
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let rows = r.body["rows"].as_array().cloned().unwrap_or_default();
    let row = |u: &str| {
        rows.iter()
            .find(|r| r["unit_code"] == u)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(row("4303")["allocated_fen"], 27_504_912 + 21_611_002);
    assert_eq!(row("4303")["spent_fen"], 27_504_912);
    assert_eq!(row("430381")["rate_bp"], 10_000);
    assert_eq!(row("430302")["rate_bp"], 0);
    assert_eq!(
        app.get(&county, "/api/v1/funds/performance?year=2020&unit=4303")
            .await
            .status,
        404
    );
    // Spending deleted in error frees the share again.
    let r = app
        .delete(
            &county,
            &format!("/api/v1/funds/spending/{spent_id}?version=1"),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = app
        .post(&county, "/api/v1/funds/spending", spend("430381", 1_000))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        app.delete(
            &other,
            &format!("/api/v1/funds/spending/{spent_id}?version=2")
        )
        .await
        .status,
        404
    );
}

async fn exports_are_spreadsheets_and_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    five_counties(&app).await;
    let office = app.token(OFFICE).await;
    let a = app
        .post(&office, "/api/v1/funds/allocations", allocation_body())
        .await
        .body;
    let id = a["id"].as_str().unwrap_or_default().to_owned();
    let (status, bytes) = app
        .download(
            &office,
            &format!("/api/v1/funds/allocations/{id}/export?format=xlsx"),
        )
        .await;
    assert_eq!(status, 200);
    let t = crate::tabular::read(&bytes, crate::tabular::Format::Xlsx)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let xx = t
        .rows
        .iter()
        .find(|r| r[0] == "430381")
        .cloned()
        .unwrap_or_default();
    assert_eq!(xx[2], "3");
    assert_eq!(xx[3], "1");
    assert_eq!(xx[8], "275,049.12");
    let total = t.rows.last().cloned().unwrap_or_default();
    assert_eq!(total[0], "合计");
    assert_eq!(total[8], "1,000,000.00");
    assert_eq!(app.audit_count(&id, "export"), 1);
    // Purchases, as CSV; a formula-looking supplier stays text.
    let county = app.token(COUNTY).await;
    let mut p = purchase("2020-03-01", Some("433122"), 12_345);
    p["supplier"] = json!("=HYPERLINK(\"x\")");
    assert_eq!(app.post(&county, "/api/v1/purchases", p).await.status, 201);
    let (status, bytes) = app
        .download(&county, "/api/v1/purchases/export?format=csv&year=2020")
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(text.contains("123.45"), "{text}");
    assert_eq!(app.audit_count(&uuid::Uuid::nil().to_string(), "export"), 1);
}

/// `n` village codes of `county`.
fn villages_of(app: &TestApp, county: &str, n: i64) -> Vec<String> {
    use crate::db::schema::villages;
    use diesel::prelude::*;
    villages::table
        .filter(villages::code.like(format!("{county}%")))
        .order(villages::code.asc())
        .limit(n)
        .select(villages::code)
        .load(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn villages_count_once_across_units_and_links_stay_with_their_unit(backend: Backend) {
    let app = TestApp::new(backend).await;
    let xx = villages_of(&app, "430381", 2);
    let ly = villages_of(&app, "430181", 1);
    let (v1, v2, v3) = (xx[0].clone(), xx[1].clone(), ly[0].clone());
    let county = app.token(COUNTY).await;
    let city = app.token(CITY).await;
    let dept = app.token("employment").await;
    let other = app.token(OTHER_COUNTY).await;
    let link =
        |v: &str, from: &str| json!({"village_code": v, "from_on": from, "households_helped": 4});
    let mut ids = Vec::new();
    // 湘乡市 links two of its villages, 湘潭市 one of them too, and the provincial
    // education and employment department the same village and one in 浏阳市.
    for (t, v) in [
        (&county, &v1),
        (&county, &v2),
        (&city, &v1),
        (&dept, &v1),
        (&dept, &v3),
    ] {
        let r = app
            .post(t, "/api/v1/village-links", link(v, "2020-02-01"))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.push(r.body["id"].as_str().unwrap_or_default().to_owned());
    }
    // A link ended in 2019 does not count in 2020.
    let r = app
        .post(
            &other,
            "/api/v1/village-links",
            json!({"village_code": v3, "from_on": "2019-01-01", "to_on": "2019-12-31"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // Outside the area, twice, or a bad village: refused, nothing written.
    let r = app
        .post(&other, "/api/v1/village-links", link(&v1, "2020-02-01"))
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("village_code".into(), "outside_scope".into())]
    );
    let r = app
        .post(&county, "/api/v1/village-links", link(&v1, "2020-03-01"))
        .await;
    assert_eq!(r.code(), "duplicate");
    let r = app
        .post(
            &county,
            "/api/v1/village-links",
            link("430381999999", "2020-03-01"),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("village_code".into(), "not_found".into())]
    );
    let r = app
        .post(
            &county,
            "/api/v1/village-links",
            json!({"village_code": v2, "from_on": "2020-03-01", "to_on": "2020-01-01", "households_helped": -1}),
        )
        .await;
    let mut f = r.field_errors();
    f.sort();
    assert_eq!(
        f,
        vec![
            ("households_helped".into(), "out_of_range".into()),
            ("to_on".into(), "before_start".into())
        ]
    );
    // Counted once per unit, wherever the links come from.
    let leader = app.token(LEADER).await;
    let k = app.get(&leader, "/api/v1/kpi/villages?year=2020").await;
    assert_eq!(k.status, 200, "{:?}", k.body);
    assert_eq!(k.body["total"]["villages"], 3);
    assert_eq!(k.body["total"]["links"], 5);
    assert_eq!(k.body["total"]["target"], 140);
    let k = app.get(&city, "/api/v1/kpi/villages?year=2020").await;
    assert_eq!(k.body["total"]["villages"], 2);
    assert_eq!(k.body["total"]["links"], 3);
    let xxr = k.body["children"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["unit_code"] == "430381"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (xxr["villages"].as_i64(), xxr["links"].as_i64()),
        (Some(2), Some(2))
    );
    let k = app.get(&leader, "/api/v1/kpi/villages?year=2019").await;
    assert_eq!(k.body["total"]["villages"], 1);
    app.assert_kept_figures_match();
    let d = app
        .get(&leader, "/api/v1/dashboard?unit=43&period=2020")
        .await;
    let cell = d.body["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["unit_code"] == "43"))
        .and_then(|r| r["cells"].as_array())
        .and_then(|c| c.iter().find(|c| c["indicator"] == "villages_linked"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(cell["live"]["value"], 3, "{cell}");
    assert_eq!(cell["target"], 140, "{cell}");
    // The county sees the links of its villages, whoever made them; 浏阳市 does not.
    let seen = app.get(&county, "/api/v1/village-links?year=2020").await;
    assert_eq!(seen.body.as_array().map(Vec::len), Some(4));
    let one = format!("/api/v1/village-links/{}", ids[0]);
    assert_eq!(app.get(&other, &one).await.status, 404);
    // Only the linking unit changes its link and records activities there.
    let act =
        json!({"on_day": "2020-04-01", "what": "走访慰问", "money_fen": 200_000, "goods": "米油"});
    let r = app
        .post(&city, &format!("{one}/activities"), act.clone())
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(&county, &format!("{one}/activities"), act.clone())
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["money_fen"], 200_000);
    let mut early = act.clone();
    early["on_day"] = json!("2020-01-01");
    let r = app.post(&county, &format!("{one}/activities"), early).await;
    assert_eq!(
        r.field_errors(),
        vec![("on_day".into(), "out_of_range".into())]
    );
    let k = app.get(&county, "/api/v1/kpi/villages?year=2020").await;
    assert_eq!(k.body["total"]["money_fen"], 200_000);
    let mut upd = link(&v1, "2020-02-01");
    upd["version"] = json!(1);
    upd["to_on"] = json!("2020-06-30");
    assert_eq!(app.put(&city, &one, upd.clone()).await.status, 403);
    let mut moved = upd.clone();
    moved["village_code"] = json!(v2);
    assert_eq!(
        app.put(&county, &one, moved).await.field_errors(),
        vec![("village_code".into(), "immutable".into())]
    );
    assert_eq!(app.put(&county, &one, upd.clone()).await.status, 200);
    // A second link after the first ended; the first cannot then be reopened over it.
    let r = app
        .post(&county, "/api/v1/village-links", link(&v1, "2020-07-01"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let mut reopen = upd.clone();
    reopen["version"] = json!(2);
    reopen["to_on"] = Value::Null;
    assert_eq!(app.put(&county, &one, reopen).await.code(), "duplicate");
    assert_eq!(
        app.delete(&county, &format!("{one}?version={}", i64::MAX))
            .await
            .code(),
        "stale_version"
    );
    // Deleting the department's two links leaves 湘乡市's and 湘潭市's.
    for id in &ids[3..] {
        let r = app
            .delete(&dept, &format!("/api/v1/village-links/{id}?version=1"))
            .await;
        assert_eq!(r.status, 204);
    }
    let k = app.get(&leader, "/api/v1/kpi/villages?year=2020").await;
    assert_eq!(k.body["total"]["villages"], 2);
    app.assert_kept_figures_match();
    let (status, bytes) = app
        .download(
            &county,
            "/api/v1/village-links/export?format=xlsx&year=2020",
        )
        .await;
    assert_eq!(status, 200);
    let t = crate::tabular::read(&bytes, crate::tabular::Format::Xlsx)
        .unwrap_or_else(|e| panic!("{e:?}"));
    // 湘乡市's three links (one village twice, one after the other) and 湘潭市's in a
    // 湘乡市 village (the department's are deleted).
    assert_eq!(t.rows.len(), 4);
    assert!(t.rows.iter().any(|r| r[7] == "2,000.00"), "{:?}", t.rows);
}

async fn pairs_are_kept_by_the_poverty_office_and_support_is_seen_from_both_sides(
    backend: Backend,
) {
    let app = TestApp::new(backend).await;
    app.add_user("changsha.staff", "4301", "staff");
    app.add_user("luxi.staff", "433122", "staff");
    let poverty = app.token(POVERTY).await;
    let r = app
        .post(
            &poverty,
            "/api/v1/support-pairs",
            json!({"supporter_code": "4301", "supported_code": "433122", "from_year": 2020}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["supporter"], "长沙市");
    let changsha_pair = r.body["id"].as_str().unwrap_or_default().to_owned();
    let r = app
        .post(
            &poverty,
            "/api/v1/support-pairs",
            json!({"supporter_name": "济南市残联", "supported_code": "4331", "from_year": 2018, "to_year": 2020}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let jinan_pair = r.body["id"].as_str().unwrap_or_default().to_owned();
    // Bad pairings and other keepers are refused.
    for (body, field, code) in [
        (
            json!({"supported_code": "433122", "from_year": 2020}),
            "supporter_code",
            "required",
        ),
        (
            json!({"supporter_code": "4301", "supporter_name": "x", "supported_code": "433122", "from_year": 2020}),
            "supporter_code",
            "required",
        ),
        (
            json!({"supporter_code": "4301", "supported_code": "4301", "from_year": 2020}),
            "supported_code",
            "duplicate",
        ),
        (
            json!({"supporter_code": "4399", "supported_code": "433122", "from_year": 2020}),
            "supporter_code",
            "unknown_unit",
        ),
        (
            json!({"supporter_code": "4301", "supported_code": "433122", "from_year": 2020, "to_year": 2019}),
            "to_year",
            "before_start",
        ),
    ] {
        let r = app
            .post(&poverty, "/api/v1/support-pairs", body.clone())
            .await;
        assert_eq!(r.status, 422, "{body}");
        assert_eq!(r.field_errors()[0], (field.into(), code.into()), "{body}");
    }
    let office = app.token(OFFICE).await;
    let r = app
        .post(
            &office,
            "/api/v1/support-pairs",
            json!({"supporter_code": "4303", "supported_code": "433122", "from_year": 2020}),
        )
        .await;
    assert_eq!(r.status, 403);
    // Both sides record support; a third county neither sees nor records it.
    let changsha = app.token("changsha.staff").await;
    let luxi = app.token("luxi.staff").await;
    let county = app.token(COUNTY).await;
    let money = json!({"pair_id": changsha_pair, "on_day": "2020-05-01", "kind": "money",
        "amount_fen": 5_000_000, "description": "帮扶资金"});
    assert_eq!(
        app.post(&changsha, "/api/v1/support", money.clone())
            .await
            .status,
        201
    );
    let visit = json!({"pair_id": changsha_pair, "on_day": "2020-11-02", "kind": "visit",
        "description": "走访对接"});
    assert_eq!(app.post(&luxi, "/api/v1/support", visit).await.status, 201);
    let r = app.post(&county, "/api/v1/support", money.clone()).await;
    assert_eq!(
        r.field_errors(),
        vec![("pair_id".into(), "not_found".into())]
    );
    let seen = app.get(&county, "/api/v1/support-pairs").await;
    assert_eq!(seen.body, json!([]));
    // 泸溪县 sees its own pairing, not the prefecture's with Jinan.
    let seen = app.get(&luxi, "/api/v1/support-pairs").await;
    assert_eq!(seen.body.as_array().map(Vec::len), Some(1));
    let mut early = money.clone();
    early["on_day"] = json!("2019-12-31");
    let r = app.post(&changsha, "/api/v1/support", early).await;
    assert_eq!(
        r.field_errors(),
        vec![("on_day".into(), "out_of_range".into())]
    );
    let mut paid_visit = money.clone();
    paid_visit["kind"] = json!("visit");
    let r = app.post(&changsha, "/api/v1/support", paid_visit).await;
    assert_eq!(
        r.field_errors(),
        vec![("amount_fen".into(), "not_applicable".into())]
    );
    let mut free = money.clone();
    free["amount_fen"] = json!(0);
    let r = app.post(&changsha, "/api/v1/support", free).await;
    assert_eq!(
        r.field_errors(),
        vec![("amount_fen".into(), "not_positive".into())]
    );
    // The year: 长沙市's pairing gave money and a visit in the last quarter; Jinan's
    // gave nothing and is idle.
    let k = app.get(&poverty, "/api/v1/kpi/support?period=2020").await;
    assert_eq!(k.status, 200, "{:?}", k.body);
    let row = |k: &Value, id: &str| {
        k["pairs"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["pair"]["id"] == id))
            .cloned()
            .unwrap_or_default()
    };
    let c = row(&k.body, &changsha_pair);
    assert_eq!(
        (c["money_fen"].as_i64(), c["visits"].as_i64()),
        (Some(5_000_000), Some(1))
    );
    assert_eq!(c["nothing_this_quarter"], false);
    assert_eq!(row(&k.body, &jinan_pair)["nothing_this_quarter"], true);
    assert_eq!(k.body["idle_pairs"], 1);
    // Its second quarter had the money only; its third nothing.
    let k = app.get(&poverty, "/api/v1/kpi/support?period=2020Q2").await;
    assert_eq!(row(&k.body, &changsha_pair)["entries"], 1);
    let k = app.get(&poverty, "/api/v1/kpi/support?period=2020Q3").await;
    assert_eq!(row(&k.body, &changsha_pair)["nothing_this_quarter"], true);
    assert_eq!(k.body["idle_pairs"], 2);
    app.assert_kept_figures_match();
    // 2021: Jinan's pairing has ended.
    let k = app.get(&poverty, "/api/v1/kpi/support?period=2021").await;
    assert_eq!(k.body["pairs"].as_array().map(Vec::len), Some(1));
    let list = app
        .get(
            &luxi,
            &format!("/api/v1/support-pairs/{changsha_pair}/support"),
        )
        .await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(2));
    assert_eq!(
        app.get(
            &county,
            &format!("/api/v1/support-pairs/{changsha_pair}/support")
        )
        .await
        .status,
        404
    );
}

async fn a_person_s_case_goes_public_only_with_consent_city_then_province(backend: Backend) {
    let app = TestApp::new(backend).await;
    let person = PersonBuilder::new().name("张三丰").create(&app);
    let elsewhere = PersonBuilder::new().county("430181").create(&app);
    let county = app.token(COUNTY).await;
    let case = |person: &str, consent: Option<&str>| {
        json!({"subject": "person", "person_id": person, "title": "自强不息的种植能手",
            "story": "依靠阳光增收计划发展柑橘种植……", "sunshine": true,
            "media": [{"kind": "video", "url": "https://example.org/v/1", "caption": "采访"},
                      {"kind": "picture", "url": "https://example.org/p/1.jpg"}],
            "consent_on": consent, "consent_note": consent.map(|_| "本人签字同意书")})
    };
    let r = app
        .post(
            &county,
            "/api/v1/publicity/cases",
            case(&person.id.to_string(), None),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    // Without consent the name is masked, and no identity number is ever in a case.
    assert_eq!(r.body["person_name"], shared::mask::mask_name("张三丰"));
    let text = r.body.to_string();
    assert!(!text.contains("张三丰"), "{text}");
    assert!(!text.contains(&person.id_number), "{text}");
    assert!(!text.contains("id_number"), "{text}");
    // A person of another county, a bad link, a second subject: refused.
    let r = app
        .post(
            &county,
            "/api/v1/publicity/cases",
            case(&elsewhere.id.to_string(), None),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("person_id".into(), "not_found".into())]
    );
    let mut bad = case(&person.id.to_string(), None);
    bad["media"] = json!([{"kind": "video", "url": "javascript:alert(1)"}]);
    bad["base_id"] = json!(uuid::Uuid::now_v7());
    let mut f = app
        .post(&county, "/api/v1/publicity/cases", bad)
        .await
        .field_errors();
    f.sort();
    assert_eq!(
        f,
        vec![
            ("base_id".into(), "not_applicable".into()),
            ("media[0].url".into(), "invalid_format".into())
        ]
    );
    let mut bad = case(&person.id.to_string(), Some("2020-01-01"));
    bad["consent_note"] = json!(" ");
    let r = app.post(&county, "/api/v1/publicity/cases", bad).await;
    assert_eq!(
        r.field_errors(),
        vec![("consent_note".into(), "required".into())]
    );
    let office = app.token(OFFICE).await;
    assert_eq!(
        app.post(
            &office,
            "/api/v1/publicity/cases",
            case(&person.id.to_string(), None)
        )
        .await
        .status,
        403
    );
    // The city selects only with consent recorded.
    let city_leader = app.token("xiangtan.leader").await;
    let path = format!("/api/v1/publicity/cases/{id}");
    let r = app
        .post(
            &city_leader,
            &format!("{path}/select"),
            json!({"version": 1, "selected": true}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("consent_on".into(), "consent_required".into())]
    );
    let mut upd = case(&person.id.to_string(), Some("2020-04-01"));
    upd["version"] = json!(1);
    let r = app.put(&county, &path, upd.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["person_name"], "张三丰");
    // The province cannot skip the city; the county cannot select.
    let leader = app.token(LEADER).await;
    let r = app
        .post(
            &leader,
            &format!("{path}/select"),
            json!({"version": 2, "selected": true}),
        )
        .await;
    assert_eq!(r.code(), "invalid_transition");
    let r = app
        .post(
            &county,
            &format!("{path}/select"),
            json!({"version": 2, "selected": true}),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(
            &city_leader,
            &format!("{path}/select"),
            json!({"version": 2, "selected": true}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("city_selected"))
    );
    // Selected cases no longer change; another county does not see it.
    upd["version"] = json!(3);
    assert_eq!(
        app.put(&county, &path, upd).await.code(),
        "invalid_transition"
    );
    let other = app.token(OTHER_COUNTY).await;
    assert_eq!(app.get(&other, &path).await.status, 404);
    let r = app
        .post(
            &leader,
            &format!("{path}/select"),
            json!({"version": 3, "selected": true}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("province_selected"))
    );
    let k = app.get(&leader, "/api/v1/kpi/publicity").await;
    assert_eq!(k.status, 200, "{:?}", k.body);
    assert_eq!(
        (
            k.body["total"]["cases"].as_i64(),
            k.body["total"]["province_selected"].as_i64(),
            k.body["total"]["sunshine"].as_i64(),
            k.body["total"]["videos"].as_i64(),
            k.body["total"]["pictures"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(1), Some(1))
    );
    assert_eq!(app.audit_count(&id, "update"), 3);
    let (status, bytes) = app
        .download(&leader, "/api/v1/publicity/cases/export?format=xlsx")
        .await;
    assert_eq!(status, 200);
    let t = crate::tabular::read(&bytes, crate::tabular::Format::Xlsx)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0][3], "张三丰");
}
