//! The agency cross-check at province scale (issue 13): a 500,000-row list of the
//! nursing subsidy imported against 1,000,000 registry persons, then the year's gaps,
//! each beside a reference measured in the same run.
//!
//! ```text
//! export CARGO_TARGET_DIR=/var/tmp/xiangzhu-target
//! flock /tmp/xiangzhu-build.lock cargo build --release -p xiangzhu-backend --features testing --example crosscheck_bench
//! $CARGO_TARGET_DIR/release/examples/crosscheck_bench postgres 1000000 500000
//! ```
//!
//! Persons are inserted directly (multi-row INSERTs) with real identity numbers of their
//! county and the server's real keyed hash of each (`Pii::lookup_hash`), ~70 % registered
//! poor, levels 1–4 evenly, then `VACUUM ANALYZE`d. The list is a CSV as civil affairs
//! would send it: 90 % registry persons (level 1–2 first, 5 % stopped, 2 % paid in
//! another county) and 10 % persons not in the registry. It is imported through the
//! HTTP handler (`POST /api/v1/crosscheck/lists`, in process), so the time covers
//! reading the CSV, checking every row, hashing every number and writing the snapshot.
//!
//! References: the same 500,000 rows written by plain multi-row INSERTs into a scratch
//! table (the floor of the write), and a plain hash join of the list with the registry
//! by keyed hash (the floor of any cross-check).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::Instant;

use backend::db::DbConn;
use backend::testing::{Backend, TestApp};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

/// Rows per INSERT statement.
const ROWS: usize = 4_000;

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = if args.first().map(String::as_str) == Some("postgres") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let persons: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let rows: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500_000);
    actix_web::rt::System::new().block_on(run(backend, persons.max(10), rows.max(10)))
}

/// A generated person: identity number, county, level, registered poor.
struct P {
    id: String,
    county: String,
    level: u8,
    poor: bool,
}

async fn run(backend: Backend, n_persons: usize, n_rows: usize) -> anyhow::Result<()> {
    let app = TestApp::new(backend).await;
    let mut conn = app.conn();
    let mut rng = StdRng::seed_from_u64(13);
    let counties: Vec<(String, String)> =
        backend::demo::all_counties(&mut conn).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    anyhow::ensure!(!counties.is_empty(), "no counties");
    let actor = backend::demo::system_user(&mut conn).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let at = backend::db::now().format("%Y-%m-%d %H:%M:%S").to_string();

    // The registry.
    let started = Instant::now();
    let mut seen = HashSet::with_capacity(n_persons);
    let mut people: Vec<P> = Vec::with_capacity(n_persons);
    let mut body = String::new();
    let mut in_body = 0;
    let head = "INSERT INTO persons (id, name, id_number_enc, id_number_hmac, id_number_masked, \
        has_certificate, sex, birth_year, disability_category, disability_level, county_code, \
        city_code, poverty_status, registered_poor, multi_disabled_household, elderly_disabled, \
        assure_food_clothing, assure_education, assure_medical, assure_housing, \
        assure_drinking_water, notes, synthetic, version, created_at, created_by, updated_at, \
        updated_by) VALUES ";
    while people.len() < n_persons {
        let (county, city) = &counties[rng.gen_range(0..counties.len())];
        let id = backend::demo::synthetic_id_number(&mut rng, county);
        if !seen.insert(id.clone()) {
            continue;
        }
        let level: u8 = rng.gen_range(1..=4);
        let poor = rng.gen_bool(0.7);
        let status = if poor {
            ["in_poverty", "lifted", "lifted", "unstable"][rng.gen_range(0..4)]
        } else {
            "none"
        };
        let i = people.len();
        body.push_str(if in_body == 0 { "(" } else { "), (" });
        let _ = write!(
            body,
            "'{}', '合成人员{i}', 'bench-placeholder', '{}', '{}', FALSE, 'male', {}, 'physical', \
             {level}, '{county}', '{city}', '{status}', {poor}, FALSE, FALSE, 'met', 'met', 'met', \
             'met', 'met', 'benchmark placeholder, not a real person', TRUE, 1, '{at}', '{actor}', \
             '{at}', '{actor}'",
            uuid::Uuid::now_v7(),
            app.state.pii.lookup_hash(&id),
            shared::mask::mask_id_number(&id),
            &id[6..10],
        );
        in_body += 1;
        if in_body == ROWS {
            conn.batch_execute(&format!("{head}{body})"))?;
            body.clear();
            in_body = 0;
        }
        people.push(P {
            id,
            county: county.clone(),
            level,
            poor,
        });
    }
    if in_body > 0 {
        conn.batch_execute(&format!("{head}{body})"))?;
    }
    println!(
        "{backend:?}: {n_persons} persons in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if let DbConn::Pg(c) = &mut *conn {
        c.batch_execute("VACUUM ANALYZE persons")?;
    }

    // The rule: level 1–2 registered poor should receive the nursing subsidy, and every
    // recipient must be registered.
    let poverty = app.token("poverty").await;
    let r = app
        .put(
            &poverty,
            "/api/v1/crosscheck/rules/2020",
            json!({"rules": [{"scheme": "nursing_subsidy", "registered_poor_only": true,
                "max_level": 2, "recipients_registered": true}], "reason": "bench"}),
        )
        .await;
    anyhow::ensure!(r.status == 200, "rules: {:?}", r.body);

    // The list: eligible persons first, then others, then persons not in the registry.
    let mut order: Vec<usize> = (0..people.len()).collect();
    order.sort_by_key(|&i| !(people[i].poor && people[i].level <= 2));
    let registered = (n_rows * 9 / 10).min(people.len());
    let mut csv = String::from("身份证号,姓名,项目,状态,期间,发放地区\n");
    let mut stopped = 0;
    let mut elsewhere = 0;
    for &i in order.iter().take(registered) {
        let p = &people[i];
        let status = if rng.gen_bool(0.05) {
            stopped += 1;
            "停发"
        } else {
            "享受"
        };
        let county = if rng.gen_bool(0.02) {
            elsewhere += 1;
            &counties[rng.gen_range(0..counties.len())].0
        } else {
            &p.county
        };
        let _ = writeln!(
            csv,
            "{},名{i},重度残疾人护理补贴,{status},2020-06,{county}",
            p.id
        );
    }
    let mut outsiders = 0;
    while registered + outsiders < n_rows {
        let (county, _) = &counties[rng.gen_range(0..counties.len())];
        let id = backend::demo::synthetic_id_number(&mut rng, county);
        if !seen.insert(id.clone()) {
            continue;
        }
        let _ = writeln!(
            csv,
            "{id},外{outsiders},重度残疾人护理补贴,享受,2020-06,{county}"
        );
        outsiders += 1;
    }
    let eligible = people.iter().filter(|p| p.poor && p.level <= 2).count();
    println!(
        "list: {n_rows} rows ({} MB CSV): {registered} registered ({stopped} stopped, {elsewhere} \
         paid in a random county), {outsiders} not registered; {eligible} persons eligible",
        csv.len() / 1_000_000
    );

    app.add_user("bench.staff", "43.poverty_office", "staff");
    let staff = app.token("bench.staff").await;
    let started = Instant::now();
    let r = app
        .upload(
            &staff,
            "/api/v1/crosscheck/lists?scheme=nursing_subsidy&period=2020-06&area=43&format=csv",
            csv.clone().into_bytes(),
        )
        .await;
    let import = started.elapsed().as_secs_f64();
    anyhow::ensure!(r.status == 201, "import: {} {:?}", r.status, r.body);
    println!(
        "import through the handler: {import:.1} s ({:.0} rows/s)",
        n_rows as f64 / import
    );
    let list_id = r.body["id"].as_str().unwrap_or_default().to_owned();

    // Reference 1: the same rows by plain multi-row INSERTs into a scratch table.
    conn.batch_execute(
        "CREATE TABLE bench_rows (list_id TEXT, row_no INTEGER, id_number_hmac TEXT, \
         id_number_masked TEXT, name TEXT, receipt TEXT, county_code TEXT)",
    )?;
    let started = Instant::now();
    let mut body = String::new();
    let mut in_body = 0;
    for (i, line) in csv.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        body.push_str(if in_body == 0 { "(" } else { "), (" });
        let _ = write!(
            body,
            "'{list_id}', {}, '{}', '{}', '{}', 'receiving', '{}'",
            i + 2,
            app.state.pii.lookup_hash(cells[0]),
            shared::mask::mask_id_number(cells[0]),
            cells[1],
            cells[5]
        );
        in_body += 1;
        if in_body == ROWS {
            conn.batch_execute(&format!("INSERT INTO bench_rows VALUES {body})"))?;
            body.clear();
            in_body = 0;
        }
    }
    if in_body > 0 {
        conn.batch_execute(&format!("INSERT INTO bench_rows VALUES {body})"))?;
    }
    let plain = started.elapsed().as_secs_f64();
    println!(
        "reference: plain INSERTs of the same rows (hashing included): {plain:.1} s; import = {:.1}× it",
        import / plain
    );

    let join = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM agency_list_rows r JOIN persons p \
         ON p.id_number_hmac = r.id_number_hmac AND p.deleted_at IS NULL WHERE r.list_id = '{list_id}'"
    );
    let leader = app.token("leader").await;
    let county = app.token("xiangxiang.staff").await;
    for phase in [
        "right after the import (no statistics on the new rows)",
        "after ANALYZE",
    ] {
        if phase.starts_with("after") {
            if let DbConn::Pg(c) = &mut *conn {
                c.batch_execute("ANALYZE agency_list_rows; ANALYZE agency_lists")?;
            }
        }
        println!("\n{phase}:");
        let started = Instant::now();
        let n: N = diesel::sql_query(&join).get_result(&mut *conn)?;
        let reference = started.elapsed().as_secs_f64();
        println!(
            "  reference: hash join of the list with the registry ({} matched): {:.0} ms",
            n.n,
            reference * 1e3
        );
        let started = Instant::now();
        let r = app
            .get(&leader, "/api/v1/crosscheck/summary?year=2020")
            .await;
        let summary = started.elapsed().as_secs_f64();
        anyhow::ensure!(r.status == 200, "summary: {:?}", r.body);
        println!(
            "  province summary (all three kinds, 14 cities): {:.0} ms = {:.1}× the join; totals {}",
            summary * 1e3,
            summary / reference,
            r.body["totals"]
        );
        for (who, token, area) in [
            ("province", &leader, "43"),
            ("county 湘乡市", &county, "430381"),
        ] {
            for kind in ["missing", "not_in_registry", "other_county"] {
                let started = Instant::now();
                let r = app
                    .get(
                        token,
                        &format!(
                            "/api/v1/crosscheck/gaps?year=2020&scheme=nursing_subsidy&kind={kind}&limit=50"
                        ),
                    )
                    .await;
                anyhow::ensure!(r.status == 200, "{kind}: {:?}", r.body);
                println!(
                    "  first page of {kind:<15} at the {who} ({area}): {:>6.0} ms, {} items",
                    started.elapsed().as_secs_f64() * 1e3,
                    r.body["items"].as_array().map_or(0, Vec::len)
                );
            }
        }
        let started = Instant::now();
        let r = app
            .get(&county, "/api/v1/crosscheck/summary?year=2020")
            .await;
        anyhow::ensure!(r.status == 200, "county summary: {:?}", r.body);
        println!(
            "  county summary (430381): {:.0} ms; totals {}",
            started.elapsed().as_secs_f64() * 1e3,
            r.body["totals"]
        );
    }
    Ok(())
}
