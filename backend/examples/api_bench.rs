//! The API under load on PostgreSQL, each figure beside a reference measured in the
//! same run (issue 15, "Speed"). Run by `cargo xtask bench`, which builds the release
//! server, fills the database and runs this with
//!
//! ```text
//! api_bench <server binary> <database url>
//! ```
//!
//! The database must hold the demo accounts (`xiangzhu --demo migrate`) and the
//! generated persons (`xiangzhu generate`). The bench adds two small tables of its own
//! (`bench_ids`, `bench_counties`: which persons and counties to ask for, so that
//! `pgbench` asks for the same ones) and, in the soak, persons, courses and enrolments
//! of 湘乡市.
//!
//! Figures, each at `BENCH_CONNECTIONS` (default 32) keep-alive connections for
//! `BENCH_SECONDS` (default 15) after a short warm-up, by a client in this process on
//! the same cores as the server (as wrk would be):
//! - the references: an actix-web hello-world JSON handler in this process (the
//!   framework's ceiling) and the server's own `/healthz` (framework plus our
//!   middleware, no database);
//! - `GET /api/v1/persons/{id}` as a city user (湘潭市), against `pgbench` running the
//!   handler's two statements (the session joined to its user and unit, then the person
//!   in scope), prepared, at the same number of clients: the database's ceiling; and
//!   against `pgbench` of the four statements the server really sends (the pool's
//!   `SELECT 1` test before each of the two);
//! - `GET /api/v1/persons?limit=50&county_code=…` (a county of the city, first page),
//!   against `pgbench` running its statements;
//! - the person get while 50 logins run flat out (argon2 at its OWASP cost), against the
//!   same get when quiet; the resident memory before and after those logins;
//! - the resident memory with 500 connections reading persons, against idle;
//! - a soak of `BENCH_SOAK` requests (default 100,000) mixing logins, gets, lists,
//!   writes and roster imports, with the resident memory sampled through it.
//!
//! `pgbench` picks its person and county through the bench tables in the same statement
//! (`id = (SELECT id FROM bench_ids WHERE n = :n)`): one extra index probe the API does
//! not make, so the database's ceiling is, if anything, a little low.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, ensure, Context};
use backend::testing::http::{bearer, free_port, quantile_ms, Client, ServerProcess};
use backend::testing::PersonBuilder;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use shared::person::PersonInput;

const PASSWORD: &str = "xiangzhu-demo";
/// The city user whose scope the reads run in.
const READER: &str = "xiangtan.staff";
const CITY: &str = "4303";
/// The county user who writes and imports in the soak.
const WRITER: &str = "xiangxiang.staff";
const MB: f64 = 1_000_000.0;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What a load run measured.
struct Load {
    requests: usize,
    elapsed: Duration,
    sorted: Vec<Duration>,
    /// Answers that were not the expected status.
    unexpected: usize,
}

impl Load {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn p50(&self) -> f64 {
        quantile_ms(&self.sorted, 0.50)
    }
    fn p99(&self) -> f64 {
        quantile_ms(&self.sorted, 0.99)
    }
}

/// `connections` threads, each with its own keep-alive connection, call `request` in a
/// loop for `duration` (after `warmup` uncounted calls each). `request` returns whether
/// the answer was the expected one.
fn load<F>(addr: &str, connections: usize, warmup: usize, duration: Duration, request: F) -> Load
where
    F: Fn(&mut Client, &mut StdRng) -> bool + Sync,
{
    let unexpected = AtomicUsize::new(0);
    let started = Instant::now();
    let mut all: Vec<Duration> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..connections)
            .map(|t| {
                let (request, unexpected) = (&request, &unexpected);
                s.spawn(move || {
                    let mut rng = StdRng::seed_from_u64(t as u64);
                    let mut client = Client::connect(addr).unwrap_or_else(|e| panic!("{e}"));
                    for _ in 0..warmup {
                        request(&mut client, &mut rng);
                    }
                    let deadline = Instant::now() + duration;
                    let mut times = Vec::with_capacity(4096);
                    while Instant::now() < deadline {
                        let at = Instant::now();
                        if !request(&mut client, &mut rng) {
                            unexpected.fetch_add(1, Ordering::Relaxed);
                        }
                        times.push(at.elapsed());
                    }
                    times
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|_| panic!("a load thread failed")))
            .collect()
    });
    let elapsed = started.elapsed();
    all.sort();
    Load {
        requests: all.len(),
        // Each thread ran for `duration` after its warm-up; the rate is over that.
        elapsed: duration.min(elapsed),
        sorted: all,
        unexpected: unexpected.into_inner(),
    }
}

/// One line of the summary: a figure, its reference, their ratio and the goal.
struct Row {
    what: String,
    figure: String,
    reference: String,
    ratio: String,
    goal: String,
}

fn row(what: &str, figure: String, reference: String, ratio: f64, goal: String) -> Row {
    Row {
        what: what.into(),
        figure,
        reference,
        ratio: format!("{ratio:.2}"),
        goal,
    }
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "missed"
    }
}

/// `pgbench` at `clients` clients for `seconds` on `script`: transactions per second and
/// the latencies of every transaction (from its per-transaction log).
fn pgbench(
    url: &str,
    script: &str,
    vars: &[(&str, &str)],
    clients: usize,
    seconds: u64,
    dir: &Path,
) -> anyhow::Result<(f64, Vec<Duration>)> {
    let logs = dir.join(format!("pgbench-{}", free_port()?));
    std::fs::create_dir_all(&logs)?;
    let file = logs.join("script.sql");
    std::fs::write(&file, script)?;
    let mut cmd = Command::new("pgbench");
    cmd.args(["-n", "-M", "prepared", "-j", "2", "-l"])
        .arg(format!("--log-prefix={}", logs.join("tx").display()))
        .arg(format!("-c{clients}"))
        .arg(format!("-T{seconds}"))
        .arg("-f")
        .arg(&file);
    for (k, v) in vars {
        cmd.arg("-D").arg(format!("{k}={v}"));
    }
    let out = cmd
        .arg(url)
        .output()
        .context("running pgbench (Debian package postgresql-client)")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success(),
        "pgbench failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tps = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("tps = "))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| anyhow!("no tps in pgbench's output: {stdout}"))?;
    // Per-transaction log: client_id transaction_no time(µs) script_no epoch µs
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(&logs)? {
        let path = entry?.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("tx"))
        {
            for line in std::fs::read_to_string(&path)?.lines() {
                if let Some(us) = line.split_whitespace().nth(2).and_then(|v| v.parse().ok()) {
                    latencies.push(Duration::from_micros(us));
                }
            }
        }
    }
    latencies.sort();
    let _ = std::fs::remove_dir_all(&logs);
    Ok((tps, latencies))
}

/// The actix-web hello-world JSON handler (the framework's ceiling), on its own
/// system thread with the default number of workers, like the server.
fn hello_world() -> anyhow::Result<String> {
    use actix_web::{web, App, HttpResponse, HttpServer};
    let addr = format!("127.0.0.1:{}", free_port()?);
    let bind = addr.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(|| {
                App::new().route(
                    "/hello",
                    web::get().to(|| async {
                        HttpResponse::Ok().json(json!({"message": "Hello, world!"}))
                    }),
                )
            })
            .bind(&bind)?;
            server.run().await
        })
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while Client::connect(&addr).is_err() {
        ensure!(
            Instant::now() < deadline,
            "the hello-world server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(addr)
}

fn login(addr: &str, user: &str) -> anyhow::Result<String> {
    let mut c = Client::connect(addr)?;
    let (status, body, _) = c.login(user, PASSWORD, 1);
    ensure!(status == 200, "login as {user}: {status} {body}");
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no access token: {body}"))
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / MB
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(bin), Some(url)) = (args.first(), args.get(1)) else {
        anyhow::bail!("usage: api_bench <server binary> <database url>");
    };
    let seconds: u64 = env_or("BENCH_SECONDS", 15);
    let conns: usize = env_or("BENCH_CONNECTIONS", 32);
    let soak: usize = env_or("BENCH_SOAK", 100_000);
    let duration = Duration::from_secs(seconds);
    let dir = std::env::temp_dir().join(format!("xiangzhu-api-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    // What to ask for: 10,000 persons of the city and its counties, in tables pgbench
    // reads too.
    let mut conn = PgConnection::establish(url).with_context(|| format!("connecting to {url}"))?;
    let persons: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "SELECT count(*) FROM persons WHERE deleted_at IS NULL",
    )
    .get_result(&mut conn)?;
    conn.batch_execute(&format!(
        "DROP TABLE IF EXISTS bench_ids, bench_counties;
         CREATE TABLE bench_ids AS SELECT row_number() OVER (ORDER BY md5(id))::int AS n, id
           FROM persons WHERE city_code = '{CITY}' AND deleted_at IS NULL ORDER BY md5(id) LIMIT 10000;
         ALTER TABLE bench_ids ADD PRIMARY KEY (n);
         CREATE TABLE bench_counties AS SELECT row_number() OVER (ORDER BY county_code)::int AS n,
           county_code AS code FROM (SELECT DISTINCT county_code FROM persons WHERE city_code = '{CITY}') c;
         ALTER TABLE bench_counties ADD PRIMARY KEY (n);
         ANALYZE bench_ids; ANALYZE bench_counties;"
    ))?;
    let ids: Vec<String> = diesel::sql_query("SELECT id FROM bench_ids ORDER BY n")
        .load::<Id>(&mut conn)?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let counties: Vec<String> =
        diesel::sql_query("SELECT code AS id FROM bench_counties ORDER BY n")
            .load::<Id>(&mut conn)?
            .into_iter()
            .map(|r| r.id)
            .collect();
    ensure!(
        !ids.is_empty(),
        "no persons in {CITY}: run `xiangzhu generate` first"
    );
    println!(
        "{persons} live persons; reading {} of them in {CITY} ({} counties); {conns} connections, {seconds} s each",
        ids.len(),
        counties.len()
    );

    let server = ServerProcess::start(Path::new(bin), url, &dir.join("server"), &[])?;
    let addr = server.addr.clone();
    std::thread::sleep(Duration::from_secs(1));
    let (idle, idle_threads) = server.status()?;
    println!(
        "server idle: VmRSS {:.1} MB, {idle_threads} threads",
        mb(idle)
    );
    let mut rows = Vec::new();

    // References: hello world and /healthz.
    let hello = hello_world()?;
    let ok = |c: &mut Client, path: &str, auth: &str| {
        c.send("GET", path, auth, "text/plain", b"")
            .is_ok_and(|(s, _)| s == 200)
    };
    let hw = load(&hello, conns, 100, duration, |c, _| ok(c, "/hello", ""));
    println!(
        "actix hello-world JSON: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        hw.rate(),
        hw.p50(),
        hw.p99()
    );
    let health = load(&addr, conns, 100, duration, |c, _| ok(c, "/healthz", ""));
    println!(
        "server /healthz: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        health.rate(),
        health.p50(),
        health.p99()
    );
    rows.push(row(
        "/healthz (our middleware, no DB) vs hello-world",
        format!("{:.0} req/s", health.rate()),
        format!("{:.0} req/s", hw.rate()),
        health.rate() / hw.rate(),
        "—".into(),
    ));

    // The person get against pgbench of its two statements.
    let token = login(&addr, READER)?;
    let auth = bearer(Some(&token));
    let get = load(&addr, conns, 50, duration, |c, rng| {
        let id = &ids[rng.gen_range(0..ids.len())];
        ok(c, &format!("/api/v1/persons/{id}"), &auth)
    });
    ensure!(get.unexpected == 0, "{} person gets failed", get.unexpected);
    println!(
        "API GET /persons/{{id}}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        get.rate(),
        get.p50(),
        get.p99()
    );
    #[derive(QueryableByName)]
    struct Session {
        #[diesel(sql_type = Text)]
        sid: String,
        #[diesel(sql_type = Text)]
        uid: String,
    }
    let session: Session = diesel::sql_query(
        "SELECT s.id AS sid, s.user_id AS uid FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE u.username = $1 AND s.revoked_at IS NULL ORDER BY s.created_at DESC LIMIT 1",
    )
    .bind::<Text, _>(READER)
    .get_result(&mut conn)?;
    // The handler's statements as diesel builds them (PostgreSQL's statement log shows
    // each column named where these say `*`): the session, its user and the unit's
    // region; then the person in scope.
    let session_sql = "SELECT users.*, sessions.revoked_at, sessions.expires_at, \
        org_units.region_code, sessions.write_lsn FROM ((users INNER JOIN sessions ON \
        (sessions.user_id = users.id)) INNER JOIN org_units ON (users.unit_code = org_units.code)) \
        WHERE ((users.id = :uid) AND (sessions.id = :sid)) LIMIT 1;\n";
    let get_script = format!(
        "\\set n random(1, {})\n{session_sql}SELECT persons.* FROM persons WHERE ((persons.city_code = '{CITY}') \
         AND (persons.deleted_at IS NULL)) AND (persons.id = (SELECT id FROM bench_ids WHERE n = :n)) LIMIT 1;\n",
        ids.len()
    );
    let vars = [("uid", session.uid.as_str()), ("sid", session.sid.as_str())];
    let (tps, pg_get) = pgbench(url, &get_script, &vars, conns, seconds, &dir)?;
    println!(
        "pgbench, the two statements: {tps:.0} tx/s, p50 {:.2} ms, p99 {:.2} ms",
        quantile_ms(&pg_get, 0.5),
        quantile_ms(&pg_get, 0.99)
    );
    // What the server really sends: the pool tests each connection it hands out with
    // `SELECT 1` (r2d2's test on check-out), once per hand-off.
    let pinged = get_script.replace(session_sql, &format!("SELECT 1;\n{session_sql}SELECT 1;\n"));
    let (tps4, _) = pgbench(url, &pinged, &vars, conns, seconds, &dir)?;
    println!("pgbench, the four statements sent (with the pool's two SELECT 1): {tps4:.0} tx/s");
    rows.push(row(
        "GET /persons/{id} vs pgbench of the 4 statements it sends",
        format!("{:.0} req/s", get.rate()),
        format!("{tps4:.0} tx/s"),
        get.rate() / tps4,
        "—".into(),
    ));
    rows.push(row(
        "GET /persons/{id} vs pgbench of its SQL",
        format!("{:.0} req/s", get.rate()),
        format!("{tps:.0} tx/s"),
        get.rate() / tps,
        format!("≥ 1.00: {}", verdict(get.rate() >= tps)),
    ));
    rows.push(row(
        "GET /persons/{id} vs hello-world",
        format!("{:.0} req/s", get.rate()),
        format!("{:.0} req/s", hw.rate()),
        get.rate() / hw.rate(),
        "—".into(),
    ));
    rows.push(row(
        "GET /persons/{id} p99 vs pgbench p99",
        format!("{:.2} ms", get.p99()),
        format!("{:.2} ms", quantile_ms(&pg_get, 0.99)),
        get.p99() / quantile_ms(&pg_get, 0.99),
        format!("p99 ≤ 20 ms: {}", verdict(get.p99() <= 20.0)),
    ));

    // The person list, first page of a county of the city.
    let list = load(&addr, conns, 20, duration, |c, rng| {
        let county = &counties[rng.gen_range(0..counties.len())];
        ok(
            c,
            &format!("/api/v1/persons?limit=50&county_code={county}"),
            &auth,
        )
    });
    ensure!(list.unexpected == 0, "{} lists failed", list.unexpected);
    let list_script = format!(
        "\\set c random(1, {})\n{session_sql}SELECT persons.* FROM persons WHERE ((persons.city_code = '{CITY}') \
         AND (persons.deleted_at IS NULL)) AND (persons.county_code = (SELECT code FROM bench_counties WHERE n = :c)) \
         ORDER BY persons.id ASC LIMIT 51;\n",
        counties.len()
    );
    let (list_tps, pg_list) = pgbench(url, &list_script, &vars, conns, seconds, &dir)?;
    println!(
        "API GET /persons?limit=50: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms; pgbench {list_tps:.0} tx/s, p99 {:.2} ms",
        list.rate(),
        list.p50(),
        list.p99(),
        quantile_ms(&pg_list, 0.99)
    );
    let ratio = list.p99() / quantile_ms(&pg_list, 0.99);
    rows.push(row(
        "GET /persons?limit=50 p99 vs its SQL raw",
        format!("{:.2} ms", list.p99()),
        format!("{:.2} ms", quantile_ms(&pg_list, 0.99)),
        ratio,
        format!("≤ 3.00: {}", verdict(ratio <= 3.0)),
    ));
    rows.push(row(
        "GET /persons?limit=50 rate vs its SQL raw",
        format!("{:.0} req/s", list.rate()),
        format!("{list_tps:.0} tx/s"),
        list.rate() / list_tps,
        "—".into(),
    ));

    // 500 connections (before any login has made the hashing threads allocate their
    // work areas, 2 × 19 MiB kept for the life of the process).
    let peak = AtomicUsize::new(0);
    let done = AtomicBool::new(false);
    let many = std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                if let Ok((rss, _)) = server.status() {
                    peak.fetch_max(rss as usize, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        let many = load(&addr, 500, 2, duration, |c, rng| {
            let id = &ids[rng.gen_range(0..ids.len())];
            ok(c, &format!("/api/v1/persons/{id}"), &auth)
        });
        done.store(true, Ordering::Relaxed);
        let _ = sampler.join();
        many
    });
    let (at_500, threads) = server.status()?;
    let peak = peak.into_inner() as u64;
    println!(
        "500 connections: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} failed; VmRSS peak {:.1} MB, end {:.1} MB, {threads} threads",
        many.rate(),
        many.p50(),
        many.p99(),
        many.unexpected,
        mb(peak),
        mb(at_500)
    );
    rows.push(row(
        "VmRSS peak at 500 connections vs idle",
        format!("{:.1} MB", mb(peak)),
        format!("{:.1} MB", mb(idle)),
        peak as f64 / idle as f64,
        format!("≤ 100 MB: {}", verdict(mb(peak) <= 100.0)),
    ));
    rows.push(row(
        "GET at 500 connections vs at 32",
        format!("{:.0} req/s, p99 {:.0} ms", many.rate(), many.p99()),
        format!("{:.0} req/s", get.rate()),
        many.rate() / get.rate(),
        "—".into(),
    ));

    // Logins: 50 at once, flat out, while persons are read; accounts of this run's own.
    let accounts = 20_000;
    let run = std::process::id() as usize;
    conn.batch_execute(&format!(
        "INSERT INTO users (id, username, display_name, password_hash, unit_code, roles, disabled,
             create_hash, version, created_at, created_by, updated_at, updated_by, pending_roles,
             proposed_by, proposed_at, must_change_password)
         SELECT gen_random_uuid()::text, 'bench.{run}.' || g, display_name, password_hash, unit_code,
             roles, disabled, NULL, 1, created_at, NULL, updated_at, NULL, NULL, NULL, NULL, false
         FROM users, generate_series(0, {accounts}) g WHERE username = '{READER}'"
    ))?;
    let (before_logins, _) = server.status()?;
    let stop = AtomicBool::new(false);
    let logins_done = AtomicUsize::new(0);
    let (during, storm_logins) = std::thread::scope(|s| {
        let storm: Vec<_> = (0..50)
            .map(|t| {
                let (stop, done, addr) = (&stop, &logins_done, &addr);
                s.spawn(move || {
                    let mut c = Client::connect(addr).unwrap_or_else(|e| panic!("{e}"));
                    let mut i = t;
                    while !stop.load(Ordering::Relaxed) && i < accounts {
                        // Right password, wrong password, unknown name, in turn; each
                        // account tried once (no lockout, no throttle race).
                        let (user, password) = match i % 3 {
                            0 => (format!("bench.{run}.{i}"), PASSWORD),
                            1 => (format!("bench.{run}.{i}"), "wrong-password"),
                            _ => (format!("nobody.{run}.{i}"), PASSWORD),
                        };
                        c.login(&user, password, i);
                        done.fetch_add(1, Ordering::Relaxed);
                        i += 50;
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        let during = load(&addr, conns, 0, duration, |c, rng| {
            let id = &ids[rng.gen_range(0..ids.len())];
            ok(c, &format!("/api/v1/persons/{id}"), &auth)
        });
        stop.store(true, Ordering::Relaxed);
        for t in storm {
            let _ = t.join();
        }
        (during, logins_done.load(Ordering::Relaxed))
    });
    let (after_logins, threads) = server.status()?;
    ensure!(
        during.unexpected == 0,
        "{} gets failed during logins",
        during.unexpected
    );
    println!(
        "GET /persons/{{id}} during {storm_logins} logins: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms; \
         VmRSS {:.1} MB -> {:.1} MB, {threads} threads",
        during.rate(),
        during.p50(),
        during.p99(),
        mb(before_logins),
        mb(after_logins)
    );
    rows.push(row(
        "GET p99 during 50 parallel logins vs quiet",
        format!("{:.2} ms", during.p99()),
        format!("{:.2} ms", get.p99()),
        during.p99() / get.p99(),
        "—".into(),
    ));
    let growth = mb(after_logins.saturating_sub(before_logins));
    rows.push(row(
        &format!("VmRSS after {storm_logins} logins vs before"),
        format!("{:.1} MB", mb(after_logins)),
        format!("{:.1} MB", mb(before_logins)),
        after_logins as f64 / before_logins as f64,
        format!("≤ +100 MB: {} (+{growth:.1} MB)", verdict(growth <= 100.0)),
    ));

    // The soak.
    let (rss_series, soak_load) = soak_run(&server, &ids, &counties, conns, soak)?;
    // Flat: what the second half of the soak added (the first half includes warming
    // the caches and the allocator's arenas to the mix).
    let first = rss_series.first().copied().unwrap_or_default();
    let middle = rss_series
        .get(rss_series.len() / 2)
        .copied()
        .unwrap_or_default();
    let last = rss_series.last().copied().unwrap_or_default();
    let max = rss_series.iter().copied().max().unwrap_or_default();
    println!(
        "soak of {} requests: {:.0} req/s, p99 {:.2} ms, {} unexpected answers; VmRSS every {} requests (MB): {}",
        soak_load.requests,
        soak_load.rate(),
        soak_load.p99(),
        soak_load.unexpected,
        soak / 20,
        rss_series
            .iter()
            .map(|r| format!("{:.0}", mb(*r)))
            .collect::<Vec<_>>()
            .join(" ")
    );
    rows.push(row(
        &format!("VmRSS at the end of a {soak}-request soak vs at its half"),
        format!(
            "{:.1} MB (first {:.1}, max {:.1})",
            mb(last),
            mb(first),
            mb(max)
        ),
        format!("{:.1} MB", mb(middle)),
        last as f64 / middle.max(1) as f64,
        format!(
            "flat (≤ 1.05): {}",
            verdict(last as f64 <= middle as f64 * 1.05)
        ),
    ));
    rows.push(row(
        "soak rate vs GET at 32 connections",
        format!(
            "{:.0} req/s, p99 {:.0} ms",
            soak_load.rate(),
            soak_load.p99()
        ),
        format!("{:.0} req/s", get.rate()),
        soak_load.rate() / get.rate(),
        "—".into(),
    ));

    println!("\n| figure | value | reference | ratio | goal |\n|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            r.what, r.figure, r.reference, r.ratio, r.goal
        );
    }
    conn.batch_execute("DROP TABLE IF EXISTS bench_ids, bench_counties")?;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// What one soak worker does for request number `i`: per 1,000 requests 5 logins, 250
/// lists, 40 person creates (5 of them then updated), the rest person gets; every 10,000th request
/// a roster import of 20 persons the soak created (upload, validation, commit).
fn soak_run(
    server: &ServerProcess,
    ids: &[String],
    counties: &[String],
    conns: usize,
    total: usize,
) -> anyhow::Result<(Vec<u64>, Load)> {
    let addr = server.addr.as_str();
    let reader = bearer(Some(&login(addr, READER)?));
    let writer = bearer(Some(&login(addr, WRITER)?));
    let next = AtomicUsize::new(0);
    let series = std::sync::Mutex::new(Vec::new());
    let step = (total / 20).max(1);
    let created = std::sync::Mutex::new(Vec::<String>::new());
    let unexpected = AtomicUsize::new(0);
    let started = Instant::now();
    let mut all: Vec<Duration> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..conns)
            .map(|t| {
                let (next, series, created, unexpected) = (&next, &series, &created, &unexpected);
                let (reader, writer) = (&reader, &writer);
                s.spawn(move || {
                    let mut rng = StdRng::seed_from_u64(1000 + t as u64);
                    let mut c = Client::connect(addr).unwrap_or_else(|e| panic!("{e}"));
                    let mut times = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= total {
                            return times;
                        }
                        if i % step == 0 {
                            if let Ok((rss, _)) = server.status() {
                                series
                                    .lock()
                                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                                    .push((i, rss));
                            }
                        }
                        let at = Instant::now();
                        let good = match (i % 10_000, i % 1000) {
                            (9_999, _) => {
                                let batch: Vec<String> = {
                                    let mut done = created
                                        .lock()
                                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                                    let n = done.len().min(20);
                                    done.drain(..n).collect()
                                };
                                batch.is_empty() || import(&mut c, writer, &batch)
                            }
                            (_, k) if k < 5 => {
                                let (status, _, _) = c.login(READER, PASSWORD, (1 << 20) | i);
                                status == 200
                            }
                            (_, k) if k < 255 => {
                                let county = &counties[rng.gen_range(0..counties.len())];
                                let path = format!("/api/v1/persons?limit=50&county_code={county}");
                                c.send("GET", &path, reader, "", b"")
                                    .is_ok_and(|(s, _)| s == 200)
                            }
                            (_, k) if k < 295 => {
                                let input = PersonBuilder::new().county("430381").input();
                                let body = serde_json::to_string(&input).unwrap_or_default();
                                match c.send(
                                    "POST",
                                    "/api/v1/persons",
                                    writer,
                                    "application/json",
                                    body.as_bytes(),
                                ) {
                                    Ok((201, answer)) if k < 260 => {
                                        update(&mut c, writer, &input, &answer)
                                    }
                                    Ok((201, _)) => {
                                        created
                                            .lock()
                                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                                            .push(input.id_number.unwrap_or_default());
                                        true
                                    }
                                    // A random identity number that already exists.
                                    Ok((409, _)) => true,
                                    _ => false,
                                }
                            }
                            _ => {
                                let id = &ids[rng.gen_range(0..ids.len())];
                                c.send("GET", &format!("/api/v1/persons/{id}"), reader, "", b"")
                                    .is_ok_and(|(s, _)| s == 200)
                            }
                        };
                        if !good {
                            unexpected.fetch_add(1, Ordering::Relaxed);
                        }
                        times.push(at.elapsed());
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|_| panic!("a soak worker failed")))
            .collect()
    });
    let elapsed = started.elapsed();
    all.sort();
    let mut series = series
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    series.sort();
    if let Ok((rss, _)) = server.status() {
        series.push((total, rss));
    }
    Ok((
        series.into_iter().map(|(_, rss)| rss).collect(),
        Load {
            requests: all.len(),
            elapsed,
            sorted: all,
            unexpected: unexpected.into_inner(),
        },
    ))
}

/// Replaces a person just created with a changed name, against its version.
fn update(c: &mut Client, auth: &str, input: &PersonInput, created: &[u8]) -> bool {
    let Some(id) = serde_json::from_slice::<Value>(created)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_owned))
    else {
        return false;
    };
    let mut body = json!(input);
    body["name"] = json!("基准测试改名");
    body["version"] = json!(1);
    c.send(
        "PUT",
        &format!("/api/v1/persons/{id}"),
        auth,
        "application/json",
        body.to_string().as_bytes(),
    )
    .is_ok_and(|(s, _)| s == 200)
}

/// A roster import of these identity numbers into a new course of 湘乡市: upload,
/// wait for validation, commit, wait for the commit.
fn import(c: &mut Client, auth: &str, numbers: &[String]) -> bool {
    let course = json!({"name": "浸泡测试班", "kind": "practical_technique", "county_code": "430381",
        "start_date": "2020-05-06", "end_date": "2020-05-10", "planned_places": 100, "hours": 32});
    let Ok((201, body)) = c.send(
        "POST",
        "/api/v1/courses",
        auth,
        "application/json",
        course.to_string().as_bytes(),
    ) else {
        return false;
    };
    let Some(course) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_owned))
    else {
        return false;
    };
    let table = backend::testing::completed_roster(numbers);
    let Ok(csv) = backend::tabular::write(&table, backend::tabular::Format::Csv) else {
        return false;
    };
    let Ok((202, body)) = c.send(
        "POST",
        &format!("/api/v1/courses/{course}/roster/import?format=csv"),
        auth,
        "application/octet-stream",
        &csv,
    ) else {
        return false;
    };
    let Some(job) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_owned))
    else {
        return false;
    };
    let state = |c: &mut Client| {
        c.send("GET", &format!("/api/v1/imports/{job}"), auth, "", b"")
            .ok()
            .and_then(|(_, b)| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v["state"].as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let wait_while = |c: &mut Client, busy: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = state(c);
            if s != busy || Instant::now() > deadline {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    if wait_while(c, "validating") != "valid" {
        return false;
    }
    let Ok((202, _)) = c.send(
        "POST",
        &format!("/api/v1/imports/{job}/commit"),
        auth,
        "application/json",
        b"{}",
    ) else {
        return false;
    };
    wait_while(c, "committing") == "committed"
}
