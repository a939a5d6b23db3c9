//! The province dashboard at scale (issue 11, "Speed"): the leaders' dashboard read from
//! the kept per-unit aggregates, against the naive figures computed from the records on
//! the same data, under concurrent load; p50/p99 latency and requests per second, and
//! their ratios. A trivial query (`SELECT 1`) through the same pool is the reference
//! for the machine's noise.
//!
//! It measures a database made by `rehab_kpi_bench` (1 M persons and 3 M rehabilitation
//! records by default) and kept:
//!
//! ```text
//! export CARGO_TARGET_DIR=/var/tmp/xiangzhu-target
//! flock /tmp/xiangzhu-build.lock cargo build --release -p xiangzhu-backend --features testing \
//!     --example rehab_kpi_bench --example dashboard_bench
//! REHAB_BENCH_KEEP=1 $CARGO_TARGET_DIR/release/examples/rehab_kpi_bench postgres 1000000 3000000
//! $CARGO_TARGET_DIR/release/examples/dashboard_bench <the printed URL> [threads] [seconds]
//! ```
//!
//! Steps: apply pending migrations; build the aggregates from the records (timed: what
//! the first start after this release costs; `DASH_BENCH_KEEP_AGGREGATES=1` keeps those
//! of an earlier run); check that the kept figures equal the
//! naive ones at the province and its cities for the year; then, for each of the three
//! workloads, `threads` threads (default 4) each with its own connection run it in a
//! loop for `seconds` (default 20; at least two calls each) after one warm-up call. "Naive" is what the
//! dashboard would cost without the aggregates: every computed indicator's grouped
//! query for the province and its 14 cities. "Dashboard" is the whole
//! `GET /api/v1/dashboard?unit=43&period=2020` minus HTTP: targets, reports,
//! snapshots, reported values and the kept figures.

use std::time::{Duration, Instant};

use backend::auth::{AuthUser, Scope};
use backend::db::DbConn;
use backend::plan::indicators::REGISTRY;
use diesel::connection::SimpleConnection;
use shared::auth::Role;
use shared::plan::Period;
use uuid::Uuid;

const YEAR: i32 = 2020;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args.first().cloned().ok_or_else(|| {
        anyhow::anyhow!("usage: dashboard_bench <database url> [threads] [seconds]")
    })?;
    let threads: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(4);
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let pool = backend::db::connect(&url, u32::try_from(threads + 1)?)?;
    let mut conn = pool.get()?;

    let started = Instant::now();
    if std::env::var_os("DASH_BENCH_KEEP_AGGREGATES").is_some() {
        backend::plan::aggregates::build_missing(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "aggregates built if missing: {:.1} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        backend::plan::aggregates::rebuild_all(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "built the aggregates from the records: {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    if let DbConn::Pg(c) = &mut *conn {
        c.batch_execute("ANALYZE kpi_contributions; ANALYZE kpi_totals")?;
    }
    let started = Instant::now();
    let diff = backend::plan::aggregates::all_differences(&mut conn, &["43"], &[YEAR])
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "kept = naive at the province and its cities for {YEAR}: {} ({} differences, {:.1} s)",
        if diff.is_empty() { "yes" } else { "NO" },
        diff.len(),
        started.elapsed().as_secs_f64()
    );
    for d in diff.iter().take(10) {
        println!("  {d}");
    }
    drop(conn);

    let leader = AuthUser {
        id: Uuid::nil(),
        username: "bench".into(),
        unit_code: "43".into(),
        roles: vec![Role::Leader],
        scope: Scope::Province,
        session_id: Uuid::nil(),
        write_lsn: None,
    };
    let cities: Vec<String> = {
        let mut conn = pool.get()?;
        backend::plan::units_below(&mut conn, "43")
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .1
            .into_iter()
            .map(|(code, _)| code)
            .collect()
    };
    let period = Period::year(YEAR);

    let reference = run(&pool, threads, seconds, "SELECT 1 (reference)", |conn| {
        conn.batch_execute("SELECT 1")?;
        Ok(())
    })?;
    let kept = run(
        &pool,
        threads,
        seconds,
        "dashboard, kept aggregates",
        |conn| {
            let d = backend::plan::dashboard::dashboard(conn, &leader, "43", period)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(!d.rows.is_empty(), "an empty dashboard");
            Ok(())
        },
    )?;
    let naive = run(
        &pool,
        threads,
        seconds,
        "naive figures from the records",
        |conn| {
            for c in REGISTRY {
                c.figures(conn, "43", &cities, period)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", c.key()))?;
            }
            Ok(())
        },
    )?;
    println!();
    println!(
        "dashboard ÷ naive: p99 {:.2} %, p50 {:.2} %; throughput {:.0}× (goal: ≤ 5 % of the naive time)",
        100.0 * kept.p99 / naive.p99,
        100.0 * kept.p50 / naive.p50,
        kept.per_second / naive.per_second
    );
    println!(
        "dashboard ÷ SELECT 1: p99 {:.1}×, p50 {:.1}×",
        kept.p99 / reference.p99,
        kept.p50 / reference.p50
    );
    Ok(())
}

/// Latency percentiles (ms) and throughput of one workload.
struct Measured {
    p50: f64,
    p99: f64,
    per_second: f64,
}

fn run<F>(
    pool: &backend::db::DbPool,
    threads: usize,
    seconds: u64,
    name: &str,
    work: F,
) -> anyhow::Result<Measured>
where
    F: Fn(&mut DbConn) -> anyhow::Result<()> + Sync,
{
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let results: Vec<anyhow::Result<Vec<f64>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| -> anyhow::Result<Vec<f64>> {
                    let mut conn = pool.get()?;
                    work(&mut conn)?;
                    let mut times = Vec::new();
                    // At least two requests each, however slow.
                    while Instant::now() < until || times.len() < 2 {
                        let t = Instant::now();
                        work(&mut conn)?;
                        times.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    Ok(times)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a thread panicked")))
            })
            .collect()
    });
    let mut all = Vec::new();
    for r in results {
        all.extend(r?);
    }
    let took = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let i = ((all.len() as f64 - 1.0) * q).round() as usize;
        all[i.min(all.len() - 1)]
    };
    let m = Measured {
        p50: at(0.50),
        p99: at(0.99),
        per_second: all.len() as f64 / took,
    };
    println!(
        "{name:<34} {threads} threads × {took:>5.1} s: {:>7} requests, {:>9.2} req/s, p50 {:>9.3} ms, p99 {:>9.3} ms",
        all.len(),
        m.per_second,
        m.p50,
        m.p99
    );
    Ok(m)
}
