//! Logins must not eat the server's memory: the real server binary on PostgreSQL, 1,000
//! logins from 50 connections at once (right passwords, wrong ones and unknown names),
//! its resident memory (`VmRSS`) and thread count before and after, and the latency of
//! reading a person with and without a login storm going on.
//!
//! Ignored by default (it wants a release build and a few minutes); run it with
//!
//! ```text
//! cargo test --release -p xiangzhu-backend --features testing --test login_memory -- --ignored --nocapture
//! ```
//!
//! PostgreSQL comes from `XIANGZHU_TEST_PG` like in the other tests (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); a database of its own is created and
//! dropped. `XIANGZHU_BENCH_BIN` runs another build of the server instead of this one
//! (to compare with an older version). `XIANGZHU_BENCH_LOGINS` changes the number of
//! logins (default 1,000).
//!
//! The budget: after the logins the server may hold at most 100 MB more than idle, or
//! 40 MB plus 20 MiB per hashing thread (one per core) where that is more.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use backend::testing::http::{quantile_ms, Client, ServerProcess};
use backend::testing::{pg_admin_url, pg_url_for};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

const CONCURRENT_LOGINS: usize = 50;
const READERS: usize = 16;
const READS_PER_READER: usize = 150;
/// The most logins of the storm that runs while latency is measured.
const STORM_MAX: usize = 20_000;
const PASSWORD: &str = "xiangzhu-demo";
const MB: u64 = 1_000_000;

/// The server process on a database of its own, dropped afterwards.
struct Server {
    process: Option<ServerProcess>,
    db: String,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(p) = self.process.take() {
            let dir = p.dir.clone();
            drop(p);
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Ok(mut admin) = PgConnection::establish(&pg_admin_url()) {
            let _ =
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db));
        }
    }
}

impl Server {
    fn start() -> Self {
        let bin = std::env::var("XIANGZHU_BENCH_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_xiangzhu").to_owned());
        let db = format!("xiangzhu_bench_{}", std::process::id());
        let mut admin = PgConnection::establish(&pg_admin_url())
            .unwrap_or_else(|e| panic!("PostgreSQL at {}: {e}", pg_admin_url()));
        // One statement at a time: a batch runs in a transaction, where these cannot.
        for sql in [
            format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
            format!("CREATE DATABASE {db}"),
        ] {
            admin
                .batch_execute(&sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        let dir = std::env::temp_dir().join(&db);
        let process = ServerProcess::start(
            std::path::Path::new(&bin),
            &pg_url_for(&db),
            &dir,
            &[("XIANGZHU_DEMO", "true")],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let addr = process.addr.clone();
        Self {
            process: Some(process),
            db,
            addr,
        }
    }

    /// `VmRSS` in bytes and `Threads` of the server process.
    fn status(&self) -> (u64, u64) {
        self.process
            .as_ref()
            .map(|p| p.status().unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_default()
    }
}

/// Tallies of a batch of logins.
#[derive(Debug, Default)]
struct Logins {
    ok: AtomicUsize,
    refused: AtomicUsize,
    busy: AtomicUsize,
}

/// Runs `count` logins, numbered from `first`, over `CONCURRENT_LOGINS` connections:
/// a third with the right password, a third with a wrong one, a third for unknown names.
/// Stops early when `stop` is set.
fn logins(addr: &str, first: usize, count: usize, stop: &AtomicBool) -> Logins {
    let tally = Logins::default();
    let next = AtomicUsize::new(first);
    std::thread::scope(|s| {
        for _ in 0..CONCURRENT_LOGINS {
            s.spawn(|| {
                let mut client = Client::connect(addr).unwrap_or_else(|e| panic!("{e}"));
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= first + count || stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let (status, body, busy) = match i % 3 {
                        // Each bench account is tried once, so none is locked and no
                        // two logins race on one account's throttle.
                        0 => client.login(&format!("bench.{i}"), PASSWORD, i),
                        1 => client.login(&format!("bench.{i}"), "wrong-password", i),
                        _ => client.login(&format!("nobody.{i}"), PASSWORD, i),
                    };
                    tally.busy.fetch_add(busy, Ordering::SeqCst);
                    let expected = if i.is_multiple_of(3) { 200 } else { 401 };
                    assert_eq!(status, expected, "login {i}: {body}");
                    if status == 200 {
                        tally.ok.fetch_add(1, Ordering::SeqCst);
                    } else {
                        tally.refused.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    tally
}

/// The 50th and 99th percentile latency, in ms, of `READERS` connections each reading
/// `path` `READS_PER_READER` times.
fn latency(addr: &str, path: &str, token: &str) -> (f64, f64) {
    let mut all: Vec<Duration> = std::thread::scope(|s| {
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                s.spawn(|| {
                    let mut client = Client::connect(addr).unwrap_or_else(|e| panic!("{e}"));
                    (0..READS_PER_READER)
                        .map(|_| {
                            let started = Instant::now();
                            let (status, body) = client.get(path, Some(token));
                            assert_eq!(status, 200, "GET {path}: {body}");
                            started.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        readers
            .into_iter()
            .flat_map(|r| r.join().unwrap_or_else(|_| panic!("a reader failed")))
            .collect()
    });
    all.sort();
    (quantile_ms(&all, 0.50), quantile_ms(&all, 0.99))
}

#[test]
#[ignore = "starts the release server on PostgreSQL and runs for minutes; see the module docs"]
fn a_thousand_logins_keep_the_server_within_its_memory_budget() {
    let total: usize = std::env::var("XIANGZHU_BENCH_LOGINS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    let server = Server::start();
    let addr = server.addr.clone();
    // Accounts for the right and wrong passwords, one per attempt: copies of a demo
    // account (with its password).
    let mut conn =
        PgConnection::establish(&pg_url_for(&server.db)).unwrap_or_else(|e| panic!("{e}"));
    conn.batch_execute(&format!(
        "INSERT INTO users (id, username, display_name, password_hash, unit_code, roles, disabled,
             create_hash, version, created_at, created_by, updated_at, updated_by, pending_roles,
             proposed_by, proposed_at, must_change_password)
         SELECT gen_random_uuid()::text, 'bench.' || g, display_name, password_hash, unit_code,
             roles, disabled, NULL, 1, created_at, NULL, updated_at, NULL, NULL, NULL, NULL, false
         FROM users, generate_series(0, {}) g WHERE username = 'xiangtan.staff'",
        2 * total + STORM_MAX
    ))
    .unwrap_or_else(|e| panic!("adding bench accounts: {e}"));
    std::thread::sleep(Duration::from_secs(1));
    let (idle, idle_threads) = server.status();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let budget = (100 * MB).max(40 * MB + cores * 20 * 1024 * 1024);
    println!(
        "idle: VmRSS {:.1} MB, {idle_threads} threads; {cores} cores; budget +{:.0} MB",
        idle as f64 / MB as f64,
        budget as f64 / MB as f64
    );

    let never = AtomicBool::new(false);
    let started = Instant::now();
    let mut done = 0;
    let mut peak = idle;
    while done < total {
        let batch = (total / 5).max(1).min(total - done);
        let t = logins(&addr, done, batch, &never);
        done += batch;
        let (rss, threads) = server.status();
        peak = peak.max(rss);
        println!(
            "after {done} logins ({} ok, {} refused, {} retried after 503): VmRSS {:.1} MB \
             (+{:.1}), {threads} threads",
            t.ok.load(Ordering::SeqCst),
            t.refused.load(Ordering::SeqCst),
            t.busy.load(Ordering::SeqCst),
            rss as f64 / MB as f64,
            (rss as f64 - idle as f64) / MB as f64,
        );
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (after, threads) = server.status();
    println!(
        "{total} logins in {elapsed:.1} s ({:.0}/s): VmRSS idle {:.1} MB -> {:.1} MB \
         (+{:.1} MB, peak +{:.1} MB), threads {idle_threads} -> {threads}",
        total as f64 / elapsed,
        idle as f64 / MB as f64,
        after as f64 / MB as f64,
        (after as f64 - idle as f64) / MB as f64,
        (peak as f64 - idle as f64) / MB as f64,
    );

    // Reading a person, as a reference against `/healthz` measured in the same run, quiet
    // and while logins run flat out.
    let mut client = Client::connect(&addr).unwrap_or_else(|e| panic!("{e}"));
    let (status, tokens, _) = client.login("xiangtan.staff", PASSWORD, 1 << 20);
    assert_eq!(status, 200, "{tokens}");
    let token = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, page) = client.get("/api/v1/persons?limit=1", Some(&token));
    assert_eq!(status, 200, "{page}");
    let person = page["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no person to read: {page}"))
        .to_owned();
    let person_path = format!("/api/v1/persons/{person}");
    let (h50, h99) = latency(&addr, "/healthz", &token);
    let (p50, p99) = latency(&addr, &person_path, &token);
    let stop = AtomicBool::new(false);
    let (busy_health, busy_person, storm) = std::thread::scope(|s| {
        let storm = s.spawn(|| logins(&addr, 2 * total, STORM_MAX, &stop));
        // Let the storm fill the hashing queue first.
        std::thread::sleep(Duration::from_millis(500));
        let health = latency(&addr, "/healthz", &token);
        let person = latency(&addr, &person_path, &token);
        stop.store(true, Ordering::SeqCst);
        let storm = storm
            .join()
            .unwrap_or_else(|_| panic!("the login storm failed"));
        (health, person, storm)
    });
    let (end, end_threads) = server.status();
    println!(
        "latency at {READERS} connections, ms (p50 / p99), ratio of p99 to the quiet /healthz p99:"
    );
    for (what, (q50, q99)) in [
        ("/healthz, quiet", (h50, h99)),
        ("person GET, quiet", (p50, p99)),
        ("/healthz, during logins", busy_health),
        ("person GET, during logins", busy_person),
    ] {
        println!("  {what:<26} {q50:7.2} / {q99:7.2}   x{:.1}", q99 / h99);
    }
    println!(
        "the storm ran {} more logins ({} retried after 503); VmRSS at the end {:.1} MB \
         (+{:.1} MB), {end_threads} threads",
        storm.ok.load(Ordering::SeqCst) + storm.refused.load(Ordering::SeqCst),
        storm.busy.load(Ordering::SeqCst),
        end as f64 / MB as f64,
        (end as f64 - idle as f64) / MB as f64,
    );

    assert!(
        after <= idle + budget,
        "after {total} logins the server holds {:.1} MB more than idle (budget {:.0} MB)",
        (after as f64 - idle as f64) / MB as f64,
        budget as f64 / MB as f64
    );
    assert!(
        end <= idle + budget,
        "after the login storm the server holds {:.1} MB more than idle (budget {:.0} MB)",
        (end as f64 - idle as f64) / MB as f64,
        budget as f64 / MB as f64
    );
}
