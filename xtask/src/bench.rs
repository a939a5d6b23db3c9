//! `cargo xtask bench`: every speed figure of the server on PostgreSQL, each beside a
//! reference measured in the same run (not part of the test command: it takes about
//! half an hour and wants the machine to itself).
//!
//! 1. a release build of the server and the benchmark programs;
//! 2. a PostgreSQL database `xiangzhu_bench_<persons>` with the demo accounts and
//!    `xiangzhu generate --persons N` synthetic persons (kept between runs; `--fresh`
//!    makes it again);
//! 3. `api_bench`: person get and list against `pgbench` and an actix hello-world, the
//!    get during a login storm, memory at 500 connections, a soak;
//! 4. `import_bench`: a 50,000-row roster import against a plain batched insert;
//! 5. `rehab_kpi_bench` then `dashboard_bench`: measure 14's KPI and the province
//!    dashboard against the naive `GROUP BY`, on 1,000,000 persons and 3,000,000
//!    rehabilitation records;
//! 6. `crosscheck_bench`: an agency list of half as many rows as persons imported
//!    through the handler against plain INSERTs, and its gaps against a plain hash join;
//! 7. the web app: its gzipped size against the goal, and the login page's first render
//!    in headless Chromium.

use std::env;
use std::process::Command;
use std::time::Instant;

use crate::{cargo, root, run, target_dir};

/// The PostgreSQL server the benchmarks use (the tests' `XIANGZHU_TEST_PG`).
fn pg_admin_url() -> String {
    env::var("XIANGZHU_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn pg_url_for(db: &str) -> String {
    let admin = pg_admin_url();
    let scheme_end = admin.find("://").map_or(0, |p| p + 3);
    match admin.rfind('/') {
        Some(i) if i >= scheme_end => format!("{}/{db}", &admin[..i]),
        _ => format!("{admin}/{db}"),
    }
}

/// Runs one SQL statement with psql and returns its trimmed output.
fn psql(url: &str, sql: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        .output()
        .map_err(|e| format!("psql: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(format!(
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The secrets the benchmark server runs with (PostgreSQL requires them); the same as
/// `backend::testing::http::BENCH_SECRETS`.
const SECRETS: [(&str, &str); 2] = [
    ("XIANGZHU_JWT_SECRET", "xiangzhu-bench-secret-of-32-bytes!!"),
    (
        "XIANGZHU_PII_KEY",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    ),
];

/// Makes (or reuses) the bench database with `persons` persons; returns its URL.
fn database(persons: u64, fresh: bool) -> Result<String, String> {
    let db = format!("xiangzhu_bench_{persons}");
    let url = pg_url_for(&db);
    let admin = pg_admin_url();
    let exists = psql(
        &admin,
        &format!("SELECT count(*) FROM pg_database WHERE datname = '{db}'"),
    )? == "1";
    let have: u64 = if exists && !fresh {
        psql(&url, "SELECT count(*) FROM persons")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    } else {
        0
    };
    if have >= persons {
        eprintln!("\n==> reusing {db} ({have} persons; --fresh makes it again)");
        return Ok(url);
    }
    psql(
        &admin,
        &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
    )?;
    psql(&admin, &format!("CREATE DATABASE {db}"))?;
    let bin = target_dir().join("release/xiangzhu");
    let data = target_dir().join("bench-data");
    let started = Instant::now();
    let mut migrate = Command::new(&bin);
    migrate
        .args(["--demo", "migrate"])
        .env("DATABASE_URL", &url)
        .env("XIANGZHU_DATA_DIR", &data)
        .envs(SECRETS);
    run("xiangzhu --demo migrate (demo accounts)", migrate)?;
    let demo: u64 = psql(&url, "SELECT count(*) FROM persons")?
        .parse()
        .map_err(|e| format!("{e}"))?;
    let mut generate = Command::new(&bin);
    generate
        .args(["generate", "--persons"])
        .arg(persons.saturating_sub(demo).to_string())
        .env("DATABASE_URL", &url)
        .env("XIANGZHU_DATA_DIR", &data)
        .env("RUST_LOG", "warn")
        .envs(SECRETS);
    run(&format!("xiangzhu generate --persons {persons}"), generate)?;
    psql(&url, "VACUUM ANALYZE")?;
    eprintln!(
        "bench database made in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(url)
}

/// `cargo xtask bench [--persons N] [--fresh]`.
pub fn bench(args: &[String]) -> Result<(), String> {
    let mut persons: u64 = 1_000_000;
    let mut fresh = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--persons" => {
                persons = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--persons takes a number")?;
            }
            "--fresh" => fresh = true,
            other => return Err(format!("cargo xtask bench: unknown argument {other}")),
        }
    }
    for tool in ["pgbench", "psql"] {
        if Command::new(tool).arg("--version").output().is_err() {
            return Err(format!(
                "{tool} is missing: apt-get install -y postgresql-client"
            ));
        }
    }
    let started = Instant::now();
    let mut build = cargo();
    build.args([
        "build",
        "--release",
        "-p",
        "xiangzhu-backend",
        "--features",
        "testing",
        "--bin",
        "xiangzhu",
        "--example",
        "api_bench",
        "--example",
        "import_bench",
        "--example",
        "rehab_kpi_bench",
        "--example",
        "dashboard_bench",
        "--example",
        "crosscheck_bench",
    ]);
    run("release build of the server and the benchmarks", build)?;
    let release = target_dir().join("release");
    let examples = release.join("examples");
    let url = database(persons, fresh)?;

    let mut api = Command::new(examples.join("api_bench"));
    api.arg(release.join("xiangzhu")).arg(&url);
    run(
        "api_bench: person get and list vs pgbench and hello-world, logins, memory, soak",
        api,
    )?;

    let mut import = Command::new(examples.join("import_bench"));
    import.args(["postgres", "50000"]);
    run(
        "import_bench: 50,000-row roster import vs a plain batched insert",
        import,
    )?;

    // The dashboard needs records behind its figures: rehab_kpi_bench makes 1 M persons
    // and 3 M rehabilitation records and keeps the database for dashboard_bench.
    eprintln!("\n==> rehab_kpi_bench postgres {persons} {}", 3 * persons);
    let out = Command::new(examples.join("rehab_kpi_bench"))
        .args(["postgres", &persons.to_string(), &(3 * persons).to_string()])
        .env("REHAB_BENCH_KEEP", "1")
        .output()
        .map_err(|e| format!("rehab_kpi_bench: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err("rehab_kpi_bench failed".into());
    }
    let kept = text
        .lines()
        .find_map(|l| l.strip_prefix("kept: REHAB_BENCH_URL="))
        .ok_or("rehab_kpi_bench printed no database")?
        .to_owned();
    let mut dash = Command::new(examples.join("dashboard_bench"));
    dash.arg(&kept);
    let dashboard = run(
        "dashboard_bench: the province dashboard vs the naive GROUP BY",
        dash,
    );
    if let Some(db) = kept.rsplit('/').next() {
        psql(
            &pg_admin_url(),
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        )?;
    }
    dashboard?;

    // Measures 5 and 8: a 500,000-row agency list against 1,000,000 persons.
    let mut cross = Command::new(examples.join("crosscheck_bench"));
    cross.args(["postgres", &persons.to_string(), &(persons / 2).to_string()]);
    run(
        "crosscheck_bench: a list of half as many rows as persons, imported and checked",
        cross,
    )?;

    // The web app: size (printed by the build, against the goal) and first render.
    crate::frontend::build(true)?;
    crate::ensure_browser_tools()?;
    let mut render = cargo();
    render.current_dir(root()).args([
        "test",
        "-p",
        "xiangzhu-tests",
        "--test",
        "e2e_browser",
        "--",
        "--nocapture",
    ]);
    run("the login page's first render (e2e_browser)", render)?;
    eprintln!(
        "\nbench done in {:.0} min",
        started.elapsed().as_secs_f64() / 60.0
    );
    Ok(())
}
