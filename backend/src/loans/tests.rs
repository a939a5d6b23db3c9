//! HTTP tests of the loan workflow and the budget, each on SQLite and on PostgreSQL.

use serde_json::{json, Value};

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    workflow_from_draft_to_disbursed_by_the_right_roles,
    sending_back_and_budget_limits,
    racing_approvals_never_overspend,
    money_sums_never_overflow,
    racing_allocation_changes_stay_within_the_budget,
    per_person_cap_holds_across_a_persons_loans,
    each_step_has_one_level_and_four_eyes,
    returned_applications_are_corrected_and_resubmitted_or_withdrawn,
    budget_changes_are_audited,
);

fn loan(person: &str) -> Value {
    json!({
        "applicant": "person", "person_id": person, "bank": "湘乡农村商业银行", "principal_fen": 5_000_000,
        "annual_rate_bp": 435, "term_months": 12, "loan_date": "2020-04-01", "purpose": "生猪养殖"
    })
}

async fn allocate(app: &TestApp, city: &str, fen: i64) {
    let e = app.token("employment").await;
    let r = app
        .put(
            &e,
            &format!("/api/v1/programme-years/2020/allocations/{city}"),
            json!({"allocated_fen": fen}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn step(app: &TestApp, token: &str, id: &str, body: Value) -> crate::testing::Resp {
    app.post(token, &format!("/api/v1/loans/{id}/actions"), body)
        .await
}

async fn workflow_from_draft_to_disbursed_by_the_right_roles(backend: Backend) {
    let app = TestApp::new(backend).await;
    allocate(&app, "4303", 200_000).await;
    let p = PersonBuilder::new().county("430381").create(&app);
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    let province = app.token("employment").await;
    let leader = app.token("leader").await;
    let r = app
        .post(&county, "/api/v1/loans", loan(&p.id.to_string()))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["calculation"],
        json!({"interest_fen": 217_500, "subsidy_fen": 108_750, "capped": false})
    );
    assert_eq!(
        (r.body["status"].as_str(), r.body["year"].as_i64()),
        (Some("draft"), Some(2020))
    );
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    // Out of order and by the wrong people, nothing moves.
    assert_eq!(
        step(&app, &city, &id, json!({"action": "review", "version": 1}))
            .await
            .code(),
        "invalid_transition"
    );
    assert_eq!(
        step(
            &app,
            &leader,
            &id,
            json!({"action": "submit", "version": 1})
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.get(
            &app.token("liuyang.staff").await,
            &format!("/api/v1/loans/{id}")
        )
        .await
        .status,
        404
    );
    let r = step(
        &app,
        &county,
        &id,
        json!({"action": "submit", "version": 1}),
    )
    .await;
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(
        step(
            &app,
            &county,
            &id,
            json!({"action": "review", "version": 2})
        )
        .await
        .status,
        403,
        "a county does not review"
    );
    assert_eq!(
        step(
            &app,
            &province,
            &id,
            json!({"action": "review", "version": 2})
        )
        .await
        .status,
        403,
        "the province does not review"
    );
    assert_eq!(
        step(&app, &city, &id, json!({"action": "review", "version": 2}))
            .await
            .body["status"],
        "reviewed"
    );
    assert_eq!(
        step(&app, &city, &id, json!({"action": "approve", "version": 3}))
            .await
            .status,
        403,
        "a city does not approve"
    );
    let over = step(
        &app,
        &province,
        &id,
        json!({"action": "approve", "version": 3, "amount_fen": 108_751}),
    )
    .await;
    assert_eq!(
        over.field_errors(),
        vec![("amount_fen".to_owned(), "out_of_range".to_owned())]
    );
    let r = step(
        &app,
        &province,
        &id,
        json!({"action": "approve", "version": 3}),
    )
    .await;
    assert_eq!(
        (r.body["status"].as_str(), r.body["approved_fen"].as_i64()),
        (Some("approved"), Some(108_750))
    );
    let year = app.get(&province, "/api/v1/programme-years/2020").await;
    assert_eq!(year.body["allocations"][0]["committed_fen"], 108_750);
    let r = step(
        &app,
        &county,
        &id,
        json!({"action": "disburse", "version": 4, "amount_fen": 200_000, "date": "2020-06-01"}),
    )
    .await;
    assert_eq!(
        r.field_errors(),
        vec![("amount_fen".to_owned(), "out_of_range".to_owned())],
        "never more than approved"
    );
    let r = step(
        &app,
        &county,
        &id,
        json!({"action": "disburse", "version": 4}),
    )
    .await;
    assert_eq!(
        r.field_errors(),
        vec![("date".to_owned(), "required".to_owned())]
    );
    let r = step(
        &app,
        &county,
        &id,
        json!({"action": "disburse", "version": 4, "amount_fen": 100_000, "date": "2020-06-01"}),
    )
    .await;
    assert_eq!(
        (r.body["status"].as_str(), r.body["disbursed_fen"].as_i64()),
        (Some("disbursed"), Some(100_000))
    );
    let steps: Vec<&str> = r.body["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e["to_status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        steps,
        vec!["draft", "submitted", "reviewed", "approved", "disbursed"]
    );
    assert_eq!(r.body["timeline"][3]["actor_username"], "employment");
    assert_eq!(app.audit_count(&id, "update"), 4);
    assert_eq!(
        step(
            &app,
            &county,
            &id,
            json!({"action": "disburse", "version": 5, "date": "2020-06-02"})
        )
        .await
        .code(),
        "invalid_transition"
    );
}

async fn sending_back_and_budget_limits(backend: Backend) {
    let app = TestApp::new(backend).await;
    allocate(&app, "4303", 150_000).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    let province = app.token("employment").await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let p = PersonBuilder::new().create(&app);
        let r = app
            .post(&county, "/api/v1/loans", loan(&p.id.to_string()))
            .await;
        let id = r.body["id"].as_str().unwrap_or_default().to_owned();
        step(
            &app,
            &county,
            &id,
            json!({"action": "submit", "version": 1}),
        )
        .await;
        ids.push(id);
    }
    // The city sends one back; a reason is required; the county resubmits (not "submit").
    assert_eq!(
        step(
            &app,
            &city,
            &ids[0],
            json!({"action": "return", "version": 2})
        )
        .await
        .field_errors()[0]
            .0,
        "reason"
    );
    let r = step(
        &app,
        &city,
        &ids[0],
        json!({"action": "return", "version": 2, "reason": "缺少贷款合同复印件"}),
    )
    .await;
    assert_eq!(r.body["status"], "returned");
    assert_eq!(r.body["timeline"][2]["reason"], "缺少贷款合同复印件");
    assert_eq!(
        step(
            &app,
            &province,
            &ids[0],
            json!({"action": "return", "version": 3, "reason": "不是本环节"})
        )
        .await
        .status,
        409
    );
    assert_eq!(
        step(
            &app,
            &county,
            &ids[0],
            json!({"action": "submit", "version": 3})
        )
        .await
        .code(),
        "invalid_transition"
    );
    assert_eq!(
        step(
            &app,
            &county,
            &ids[0],
            json!({"action": "resubmit", "version": 3})
        )
        .await
        .body["status"],
        "submitted"
    );
    // Both reviewed; the allocation covers one subsidy (108,750 fen), not two.
    assert_eq!(
        step(
            &app,
            &city,
            &ids[0],
            json!({"action": "review", "version": 4})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        step(
            &app,
            &city,
            &ids[1],
            json!({"action": "review", "version": 2})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        step(
            &app,
            &province,
            &ids[0],
            json!({"action": "approve", "version": 5})
        )
        .await
        .status,
        200
    );
    let r = step(
        &app,
        &province,
        &ids[1],
        json!({"action": "approve", "version": 3}),
    )
    .await;
    assert_eq!((r.status, r.code()), (409, "budget_exceeded"));
    assert_eq!(
        app.get(&province, &format!("/api/v1/loans/{}", ids[1]))
            .await
            .body["status"],
        "reviewed",
        "nothing changed"
    );
    // A smaller amount still fits; the province can send back instead.
    assert_eq!(
        step(
            &app,
            &province,
            &ids[1],
            json!({"action": "approve", "version": 3, "amount_fen": 41_250})
        )
        .await
        .status,
        200
    );
    let y = app.get(&province, "/api/v1/programme-years/2020").await;
    assert_eq!(y.body["allocations"][0]["committed_fen"], 150_000);
    // Allocations stay within the budget and above what is committed.
    let r = app
        .put(
            &province,
            "/api/v1/programme-years/2020/allocations/4303",
            json!({"allocated_fen": 100_000}),
        )
        .await;
    assert_eq!(r.field_errors()[0].1, "below_committed");
    let r = app
        .put(
            &province,
            "/api/v1/programme-years/2020/allocations/4301",
            json!({"allocated_fen": 300_000_000}),
        )
        .await;
    assert_eq!(r.field_errors()[0].1, "above_budget");
    assert_eq!(
        app.put(
            &city,
            "/api/v1/programme-years/2020/allocations/4301",
            json!({"allocated_fen": 1})
        )
        .await
        .status,
        403
    );
    // Next year's plan is data: the province sets it up, and loans of that year follow its rule.
    let plan = json!({"share_bp": 10000, "cap_person_fen": 300_000, "cap_base_fen": 3_000_000, "max_principal_fen": 50_000_000,
        "budget_fen": 1_000_000, "target_persons_trained": 100, "target_subsidy_fen": 1_000_000});
    assert_eq!(
        app.put(&city, "/api/v1/programme-years/2021", plan.clone())
            .await
            .status,
        403
    );
    let r = app
        .put(&province, "/api/v1/programme-years/2021", plan)
        .await;
    assert_eq!(
        (r.status, r.body["rule"]["share_bp"].as_i64()),
        (200, Some(10000))
    );
    let p21 = PersonBuilder::new().create(&app);
    let mut l21 = loan(&p21.id.to_string());
    l21["loan_date"] = json!("2021-03-01");
    let r = app.post(&county, "/api/v1/loans", l21).await;
    assert_eq!(
        r.body["calculation"]["subsidy_fen"], 217_500,
        "the whole interest under 2021's rule"
    );
    let shrink = json!({"share_bp": 5000, "cap_person_fen": 1, "cap_base_fen": 1, "max_principal_fen": 1, "budget_fen": 100,
        "target_persons_trained": 1, "target_subsidy_fen": 1});
    assert_eq!(
        app.put(&province, "/api/v1/programme-years/2020", shrink)
            .await
            .field_errors()[0]
            .1,
        "below_allocated"
    );
    // Validation and the year's rule.
    let p = PersonBuilder::new().create(&app);
    let mut bad = loan(&p.id.to_string());
    bad["principal_fen"] = json!(60_000_000);
    bad["loan_date"] = json!("2019-12-31");
    let fields: Vec<String> = app
        .post(&county, "/api/v1/loans", bad)
        .await
        .field_errors()
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(fields, vec!["no_programme_year"]);
    let mut bad = loan(&p.id.to_string());
    bad["principal_fen"] = json!(60_000_000);
    assert_eq!(
        app.post(&county, "/api/v1/loans", bad).await.field_errors()[0].1,
        "above_maximum"
    );
}

async fn racing_approvals_never_overspend(backend: Backend) {
    let app = TestApp::new(backend).await;
    // Room for two subsidies of 108,750 fen, and eight applications racing for it.
    allocate(&app, "4303", 250_000).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    let province = app.token("employment").await;
    let mut ids = Vec::new();
    for _ in 0..8 {
        let p = PersonBuilder::new().create(&app);
        let id = app
            .post(&county, "/api/v1/loans", loan(&p.id.to_string()))
            .await
            .body["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        step(
            &app,
            &county,
            &id,
            json!({"action": "submit", "version": 1}),
        )
        .await;
        step(&app, &city, &id, json!({"action": "review", "version": 2})).await;
        ids.push(id);
    }
    let approvals = ids.iter().map(|id| {
        step(
            &app,
            &province,
            id,
            json!({"action": "approve", "version": 3}),
        )
    });
    let results = futures_util::future::join_all(approvals).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        2,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    let y = app.get(&province, "/api/v1/programme-years/2020").await;
    assert_eq!(y.body["allocations"][0]["committed_fen"], 217_500);
    let approved = app.get(&province, "/api/v1/loans?status=approved").await;
    assert_eq!(approved.body["items"].as_array().map(Vec::len), Some(2));
}

async fn put_allocation(
    app: &TestApp,
    token: &str,
    year: i32,
    city: &str,
    fen: i64,
) -> crate::testing::Resp {
    app.put(
        token,
        &format!("/api/v1/programme-years/{year}/allocations/{city}"),
        json!({ "allocated_fen": fen }),
    )
    .await
}

/// The id of a new draft of the standard loan for `person`, made by `token`.
async fn draft(app: &TestApp, token: &str, person: &str) -> String {
    let r = app.post(token, "/api/v1/loans", loan(person)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

/// Sets 2020's plan with the given per-person cap and budget.
async fn plan_2020(app: &TestApp, cap_person_fen: i64, budget_fen: i64) {
    let e = app.token("employment").await;
    let r = app
        .put(
            &e,
            "/api/v1/programme-years/2020",
            json!({"share_bp": 5000, "cap_person_fen": cap_person_fen, "cap_base_fen": 5_000_000,
                "max_principal_fen": 50_000_000, "budget_fen": budget_fen, "target_persons_trained": 5000,
                "target_subsidy_fen": 300_000_000}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

fn actions(r: &crate::testing::Resp) -> Vec<&str> {
    r.body["allowed_actions"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Defect 6: sums of fen are checked; i64::MAX never slips through a budget check, and
/// interest beyond 64 bits is a field error, not a saturated value.
async fn money_sums_never_overflow(backend: Backend) {
    let app = TestApp::new(backend).await;
    let e = app.token("employment").await;
    allocate(&app, "4301", 1).await;
    let r = app
        .put(
            &e,
            "/api/v1/programme-years/2020/allocations/4303",
            json!({"allocated_fen": i64::MAX}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.field_errors()[0].1, "above_budget");
    let r = app
        .put(
            &e,
            "/api/v1/programme-years/2020/allocations/4303",
            json!({"allocated_fen": i64::MAX - 1}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let y = app.get(&e, "/api/v1/programme-years/2020").await;
    assert_eq!(y.body["allocations"].as_array().map(Vec::len), Some(1));
    // A budget of i64::MAX with allocations that together would pass it.
    let max_plan = json!({"share_bp": 10000, "cap_person_fen": i64::MAX, "cap_base_fen": i64::MAX,
        "max_principal_fen": i64::MAX, "budget_fen": i64::MAX, "target_persons_trained": 1, "target_subsidy_fen": 1});
    assert_eq!(
        app.put(&e, "/api/v1/programme-years/2021", max_plan)
            .await
            .status,
        200
    );
    let put = |city: &'static str, fen: i64| put_allocation(&app, &e, 2021, city, fen);
    assert_eq!(put("4301", i64::MAX - 10).await.status, 200);
    let r = put("4303", 11).await;
    assert_eq!(
        (r.status, r.field_errors()[0].1.as_str()),
        (422, "above_budget")
    );
    assert_eq!(put("4303", 10).await.status, 200);
    // Interest that does not fit in 64 bits: a field error, not i64::MAX.
    let county = app.token("xiangxiang.staff").await;
    let p = PersonBuilder::new().create(&app);
    let mut huge = loan(&p.id.to_string());
    huge["loan_date"] = json!("2021-03-01");
    huge["principal_fen"] = json!(i64::MAX);
    huge["annual_rate_bp"] = json!(5000);
    huge["term_months"] = json!(120);
    let r = app.post(&county, "/api/v1/loans", huge).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.field_errors(),
        vec![("principal_fen".to_owned(), "too_large".to_owned())]
    );
}

/// Defect 6: allocation changes racing for the same budget are serialised on both
/// databases; together they never exceed it. Raced in four years, as one race may
/// happen not to overlap.
async fn racing_allocation_changes_stay_within_the_budget(backend: Backend) {
    let app = TestApp::new(backend).await;
    let e = app.token("employment").await;
    let cities = [
        "4301", "4302", "4303", "4304", "4305", "4306", "4307", "4308", "4309", "4310", "4311",
        "4312", "4313", "4331",
    ];
    for year in [2020, 2021, 2022, 2023] {
        // A budget of 300,000,000 fen (2020's): room for two of these, not three.
        let plan = json!({"share_bp": 5000, "cap_person_fen": 500_000, "cap_base_fen": 5_000_000,
            "max_principal_fen": 50_000_000, "budget_fen": 300_000_000, "target_persons_trained": 1,
            "target_subsidy_fen": 1});
        let r = app
            .put(&e, &format!("/api/v1/programme-years/{year}"), plan)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let puts = cities
            .iter()
            .map(|c| put_allocation(&app, &e, year, c, 100_000_001));
        let results = futures_util::future::join_all(puts).await;
        let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            2,
            "{year}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 422),
            "{statuses:?}"
        );
        let y = app
            .get(&e, &format!("/api/v1/programme-years/{year}"))
            .await;
        let total: i64 = y.body["allocations"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x["allocated_fen"].as_i64()).sum())
            .unwrap_or_default();
        assert_eq!(total, 200_000_002);
    }
}

/// Defect 6: two applications of one person in one year never together pass the
/// per-person cap: the subsidy is held to what is left at create and edit, and checked
/// again at approval, where racing approvals are serialised.
async fn per_person_cap_holds_across_a_persons_loans(backend: Backend) {
    let app = TestApp::new(backend).await;
    allocate(&app, "4303", 1_000_000).await;
    plan_2020(&app, 150_000, 300_000_000).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    let province = app.token("employment").await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let a = draft(&app, &county, &p).await;
    let r = app.post(&county, "/api/v1/loans", loan(&p)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["calculation"]["subsidy_fen"], 41_250,
        "150,000 less the first loan's 108,750"
    );
    assert_eq!(r.body["calculation"]["capped"], true);
    let b = r.body["id"].as_str().unwrap_or_default().to_owned();
    let r = app.post(&county, "/api/v1/loans", loan(&p)).await;
    assert_eq!(
        r.field_errors(),
        vec![("person_id".to_owned(), "above_person_cap".to_owned())]
    );
    // Another person is not affected.
    let other = PersonBuilder::new().create(&app).id.to_string();
    draft(&app, &county, &other).await;
    // With a higher cap, B is corrected to its full subsidy; then the cap drops again.
    plan_2020(&app, 300_000, 300_000_000).await;
    let r = app
        .put(&county, &format!("/api/v1/loans/{b}"), {
            let mut body = loan(&p);
            body["version"] = json!(1);
            body
        })
        .await;
    assert_eq!(r.body["calculation"]["subsidy_fen"], 108_750, "{}", r.body);
    plan_2020(&app, 150_000, 300_000_000).await;
    for (id, v) in [(&a, 1), (&b, 2)] {
        assert_eq!(
            step(&app, &county, id, json!({"action": "submit", "version": v}))
                .await
                .status,
            200
        );
        assert_eq!(
            step(
                &app,
                &city,
                id,
                json!({"action": "review", "version": v + 1})
            )
            .await
            .status,
            200
        );
    }
    // Both approvals race; the cap lets one through.
    let (ra, rb) = futures_util::future::join(
        step(
            &app,
            &province,
            &a,
            json!({"action": "approve", "version": 3}),
        ),
        step(
            &app,
            &province,
            &b,
            json!({"action": "approve", "version": 4}),
        ),
    )
    .await;
    let mut statuses = [ra.status, rb.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 422], "{} {}", ra.body, rb.body);
    let refused = if ra.status == 422 { &ra } else { &rb };
    assert_eq!(
        refused.field_errors(),
        vec![("amount_fen".to_owned(), "above_person_cap".to_owned())]
    );
    // What is left under the cap can still be approved.
    let (left, id, v) = if ra.status == 422 {
        (150_000 - 108_750, &a, 3)
    } else {
        (150_000 - 108_750, &b, 4)
    };
    let r = step(
        &app,
        &province,
        id,
        json!({"action": "approve", "version": v, "amount_fen": left}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let y = app.get(&province, "/api/v1/programme-years/2020").await;
    assert_eq!(y.body["allocations"][0]["committed_fen"], 150_000);
}

/// Defect 8: each step belongs to one level (the city cannot submit the county's draft,
/// nor the province), nobody takes two consecutive steps, and the answer lists exactly
/// the steps the caller may take.
async fn each_step_has_one_level_and_four_eyes(backend: Backend) {
    let app = TestApp::new(backend).await;
    allocate(&app, "4303", 200_000).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    let province = app.token("employment").await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    // Drafts are the county's: the city and the province neither make nor submit them.
    assert_eq!(app.post(&city, "/api/v1/loans", loan(&p)).await.status, 403);
    let id = draft(&app, &county, &p).await;
    let r = app.get(&county, &format!("/api/v1/loans/{id}")).await;
    assert_eq!(actions(&r), vec!["submit", "withdraw"]);
    assert_eq!(r.body["can_edit"], true);
    let r = app.get(&city, &format!("/api/v1/loans/{id}")).await;
    assert!(actions(&r).is_empty(), "{}", r.body);
    assert_eq!(r.body["can_edit"], false);
    for who in [&city, &province] {
        let r = step(&app, who, &id, json!({"action": "submit", "version": 1})).await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
    let r = step(
        &app,
        &county,
        &id,
        json!({"action": "submit", "version": 1}),
    )
    .await;
    assert_eq!(actions(&r), Vec::<&str>::new(), "the county waits");
    let r = app.get(&city, &format!("/api/v1/loans/{id}")).await;
    assert_eq!(actions(&r), vec!["review", "return"]);
    assert!(actions(&app.get(&province, &format!("/api/v1/loans/{id}")).await).is_empty());
    let r = step(&app, &city, &id, json!({"action": "review", "version": 2})).await;
    assert_eq!(r.body["status"], "reviewed");
    assert!(actions(&r).is_empty(), "the city has done its step");
    let r = step(
        &app,
        &province,
        &id,
        json!({"action": "approve", "version": 3}),
    )
    .await;
    assert_eq!(r.body["status"], "approved", "{}", r.body);
    assert!(actions(&r).is_empty(), "the province does not pay out");
    assert_eq!(
        step(
            &app,
            &province,
            &id,
            json!({"action": "disburse", "version": 4, "date": "2020-06-01"})
        )
        .await
        .status,
        403
    );
    // Four eyes: the approver, moved to the county, still may not take the next step.
    {
        use crate::db::schema::users;
        use diesel::prelude::*;
        diesel::update(users::table.filter(users::username.eq("employment")))
            .set(users::unit_code.eq("430381"))
            .execute(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let r = app.get(&province, &format!("/api/v1/loans/{id}")).await;
    assert!(actions(&r).is_empty(), "{}", r.body);
    let r = step(
        &app,
        &province,
        &id,
        json!({"action": "disburse", "version": 4, "date": "2020-06-01"}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        r.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("previous step")),
        "{}",
        r.body
    );
    let r = app.get(&county, &format!("/api/v1/loans/{id}")).await;
    assert_eq!(actions(&r), vec!["disburse"]);
    let r = step(
        &app,
        &county,
        &id,
        json!({"action": "disburse", "version": 4, "date": "2020-06-01"}),
    )
    .await;
    assert_eq!(r.body["status"], "disbursed", "{}", r.body);
    let actors: Vec<&str> = r.body["timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|e| e["actor_username"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        actors,
        vec![
            "xiangxiang.staff",
            "xiangxiang.staff",
            "xiangtan.staff",
            "employment",
            "xiangxiang.staff"
        ]
    );
}

/// Defect 8: a returned application is corrected (PUT, with the version) and resubmitted,
/// or withdrawn; a draft can be withdrawn too. Every step is in the timeline and the
/// audit log.
async fn returned_applications_are_corrected_and_resubmitted_or_withdrawn(backend: Backend) {
    let app = TestApp::new(backend).await;
    let county = app.token("xiangxiang.staff").await;
    let city = app.token("xiangtan.staff").await;
    let p = PersonBuilder::new().create(&app).id.to_string();
    let id = draft(&app, &county, &p).await;
    let path = format!("/api/v1/loans/{id}");
    step(
        &app,
        &county,
        &id,
        json!({"action": "submit", "version": 1}),
    )
    .await;
    let mut fixed = loan(&p);
    fixed["principal_fen"] = json!(4_000_000);
    fixed["version"] = json!(2);
    let r = app.put(&county, &path, fixed.clone()).await;
    assert_eq!(
        (r.status, r.code()),
        (409, "not_editable"),
        "not while the city has it"
    );
    let r = step(
        &app,
        &city,
        &id,
        json!({"action": "return", "version": 2, "reason": "本金与合同不符"}),
    )
    .await;
    assert_eq!(actions(&r), Vec::<&str>::new());
    let r = app.get(&county, &path).await;
    assert_eq!(actions(&r), vec!["resubmit", "withdraw"]);
    assert_eq!(r.body["can_edit"], true);
    // Corrected by the county, with the current version only.
    assert_eq!(
        app.put(&county, &path, fixed.clone()).await.code(),
        "stale_version"
    );
    fixed["version"] = json!(3);
    assert_eq!(app.put(&city, &path, fixed.clone()).await.status, 403);
    let r = app.put(&county, &path, fixed.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (
            r.body["version"].as_i64(),
            r.body["principal_fen"].as_i64(),
            r.body["calculation"]["subsidy_fen"].as_i64(),
            r.body["status"].as_str()
        ),
        (Some(4), Some(4_000_000), Some(87_000), Some("returned"))
    );
    let mut bad = fixed.clone();
    bad["version"] = json!(4);
    bad["bank"] = json!(" ");
    assert_eq!(
        app.put(&county, &path, bad).await.field_errors(),
        vec![("bank".to_owned(), "required".to_owned())]
    );
    let r = step(
        &app,
        &county,
        &id,
        json!({"action": "resubmit", "version": 4}),
    )
    .await;
    assert_eq!(r.body["status"], "submitted", "{}", r.body);
    // Returned again, then withdrawn: final.
    step(
        &app,
        &city,
        &id,
        json!({"action": "return", "version": 5, "reason": "仍缺材料"}),
    )
    .await;
    assert_eq!(
        step(
            &app,
            &city,
            &id,
            json!({"action": "withdraw", "version": 6})
        )
        .await
        .status,
        403,
        "the county withdraws"
    );
    let r = step(
        &app,
        &county,
        &id,
        json!({"action": "withdraw", "version": 6, "reason": "申请人放弃"}),
    )
    .await;
    assert_eq!(r.body["status"], "withdrawn", "{}", r.body);
    assert!(actions(&r).is_empty());
    assert_eq!(r.body["can_edit"], false);
    let steps: Vec<&str> = r.body["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e["to_status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        steps,
        vec![
            "draft",
            "submitted",
            "returned",
            "submitted",
            "returned",
            "withdrawn"
        ]
    );
    assert_eq!(r.body["timeline"][5]["reason"], "申请人放弃");
    // Five steps and one correction.
    assert_eq!(app.audit_count(&id, "update"), 6);
    for action in ["resubmit", "submit", "withdraw"] {
        assert_eq!(
            step(&app, &county, &id, json!({"action": action, "version": 7}))
                .await
                .code(),
            "invalid_transition"
        );
    }
    fixed["version"] = json!(7);
    assert_eq!(app.put(&county, &path, fixed).await.code(), "not_editable");
    // A draft can be withdrawn straight away.
    let d = draft(&app, &county, &p).await;
    let r = step(
        &app,
        &county,
        &d,
        json!({"action": "withdraw", "version": 1}),
    )
    .await;
    assert_eq!(r.body["status"], "withdrawn", "{}", r.body);
}

/// Programme years and city allocations are money decisions: each change is in the log,
/// with its before and after.
async fn budget_changes_are_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let e = app.token("employment").await;
    let r = app
        .put(
            &e,
            "/api/v1/programme-years/2020/allocations/4304",
            json!({"allocated_fen": 1_000}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let allocation = uuid::Uuid::from_u128((2020_u128 << 32) | 4304).to_string();
    assert_eq!(
        app.audit_count(&allocation, "create") + app.audit_count(&allocation, "update"),
        1
    );
    let year = app.get(&e, "/api/v1/programme-years/2020").await.body;
    let mut set = json!({
        "share_bp": year["rule"]["share_bp"], "cap_person_fen": year["rule"]["cap_person_fen"],
        "cap_base_fen": year["rule"]["cap_base_fen"], "max_principal_fen": year["rule"]["max_principal_fen"],
        "budget_fen": year["budget_fen"], "target_persons_trained": year["targets"]["persons_trained"],
        "target_subsidy_fen": year["targets"]["subsidy_fen"]
    });
    set["target_persons_trained"] = json!(5001);
    let r = app.put(&e, "/api/v1/programme-years/2020", set).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let key = uuid::Uuid::from_u128(2020_u128 << 32).to_string();
    assert_eq!(app.audit_count(&key, "update"), 1);
}
