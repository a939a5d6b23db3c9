//! Roster import throughput: a 50,000-row XLSX validated and committed through the real
//! API, against a plain batched insert of the same rows.
//!
//! `cargo run --release -p xiangzhu-backend --features testing --example import_bench -- [sqlite|postgres] [rows]`

use std::time::{Duration, Instant};

use backend::db::schema::{enrolments, persons};
use backend::testing::{Backend, TestApp};
use diesel::prelude::*;
use serde_json::json;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = if args.first().map(String::as_str) == Some("postgres") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    actix_web::rt::System::new().block_on(run(backend, n))
}

async fn run(backend: Backend, n: usize) -> anyhow::Result<()> {
    let app = TestApp::new(backend).await;
    let counties = vec![("430381".to_owned(), "4303".to_owned())];
    let seeded =
        backend::demo::seed_persons(&mut app.conn(), &app.state.pii, &counties, n, 7, &|_| {})
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows: Vec<(String, String)> = persons::table
        .filter(persons::county_code.eq("430381"))
        .select((persons::id, persons::id_number_enc))
        .load(&mut app.conn())?;
    let ids: Vec<String> = rows
        .iter()
        .map(|(_, enc)| app.state.pii.decrypt(enc))
        .collect::<Result<_, _>>()?;
    println!("{backend:?}: {seeded} persons in the registry");
    let table = backend::testing::completed_roster(&ids);
    let xlsx = backend::tabular::write(&table, backend::tabular::Format::Xlsx)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("XLSX of {} rows: {} bytes", table.rows.len(), xlsx.len());
    let token = app.token("xiangxiang.staff").await;
    let course = json!({"name": "基准测试班", "kind": "practical_technique", "county_code": "430381", "start_date": "2020-05-06",
        "end_date": "2020-05-10", "planned_places": 10000, "hours": 32});
    let cid = app
        .post(&token, "/api/v1/courses", course.clone())
        .await
        .body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let started = Instant::now();
    let r = app
        .upload(
            &token,
            &format!("/api/v1/courses/{cid}/roster/import?format=xlsx"),
            xlsx,
        )
        .await;
    anyhow::ensure!(r.status == 202, "upload refused: {} {}", r.status, r.body);
    let job = r.body["id"].as_str().unwrap_or_default().to_owned();
    let state = wait(&app, &token, &job, "validating").await;
    let validated = started.elapsed();
    anyhow::ensure!(state == "valid", "import not valid: {state}");
    let r = app
        .post(&token, &format!("/api/v1/imports/{job}/commit"), json!({}))
        .await;
    anyhow::ensure!(r.status == 202, "commit refused: {}", r.body);
    let state = wait(&app, &token, &job, "committing").await;
    let total = started.elapsed();
    anyhow::ensure!(state == "committed", "import not committed: {state}");
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "import: parse+validate {:.2} s, commit {:.2} s, total {:.2} s = {:.0} rows/s",
        validated.as_secs_f64(),
        (total - validated).as_secs_f64(),
        total.as_secs_f64(),
        rate(total)
    );

    // The same rows as a plain batched insert: no parsing, validation or audit.
    let cid2 = app.post(&token, "/api/v1/courses", course).await.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let person_ids: Vec<String> = rows.iter().map(|(id, _)| id.clone()).collect();
    let started = Instant::now();
    let mut conn = app.conn();
    backend::db::write_tx(&mut conn, |conn| {
        let at = backend::db::now();
        for chunk in person_ids.chunks(1000) {
            let values: Vec<_> = chunk
                .iter()
                .map(|p| {
                    (
                        enrolments::id.eq(uuid::Uuid::now_v7().to_string()),
                        enrolments::course_id.eq(cid2.clone()),
                        enrolments::person_id.eq(p.clone()),
                        enrolments::county_code.eq("430381"),
                        enrolments::city_code.eq("4303"),
                        enrolments::status.eq("completed"),
                        enrolments::hours_attended.eq(32),
                        enrolments::certificate_obtained.eq(true),
                        enrolments::version.eq(1_i64),
                        enrolments::created_at.eq(at),
                        enrolments::created_by.eq("bench"),
                        enrolments::updated_at.eq(at),
                        enrolments::updated_by.eq("bench"),
                    )
                })
                .collect();
            match conn {
                backend::db::DbConn::Pg(c) => diesel::insert_into(enrolments::table)
                    .values(&values)
                    .execute(c)?,
                backend::db::DbConn::Sqlite(c) => diesel::insert_into(enrolments::table)
                    .values(&values)
                    .execute(c)?,
            };
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    let plain = started.elapsed();
    println!(
        "plain batched insert: {:.2} s = {:.0} rows/s",
        plain.as_secs_f64(),
        rate(plain)
    );
    Ok(())
}

async fn wait(app: &TestApp, token: &str, job: &str, state: &str) -> String {
    loop {
        let r = app.get(token, &format!("/api/v1/imports/{job}")).await;
        if r.body["state"] != state {
            return r.body["state"].as_str().unwrap_or_default().to_owned();
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}
