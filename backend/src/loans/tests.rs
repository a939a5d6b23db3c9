//! HTTP tests of the loan workflow and the budget, each on SQLite and on PostgreSQL.

use serde_json::{json, Value};

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    workflow_from_draft_to_disbursed_by_the_right_roles,
    sending_back_and_budget_limits,
    racing_approvals_never_overspend
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
    // The city sends one back; a reason is required; the county resubmits.
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
