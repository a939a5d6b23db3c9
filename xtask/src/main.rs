//! The task runner behind the README's two commands:
//!
//! - `cargo xtask run`  — builds everything in release mode and runs the server on the
//!   embedded SQLite database with demo data (first start seeds it).
//! - `cargo xtask test` — every check CI runs: formatting, clippy, the shared crate on
//!   wasm32, the shared crate's independence from diesel/actix, and all tests on SQLite
//!   and PostgreSQL.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod frontend;

/// The workspace root, found at run time (`cargo locate-project --workspace`, which
/// looks upward from the current directory). Not the path baked in at compile time:
/// with a `CARGO_TARGET_DIR` shared between two clones, one clone's build of xtask
/// would otherwise build and test the other clone.
fn root() -> PathBuf {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        Command::new(cargo)
            .args(["locate-project", "--workspace", "--message-format", "plain"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| {
                let manifest = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
                manifest.parent().map(Path::to_path_buf)
            })
            .or_else(|| env::current_dir().ok())
            .unwrap_or_default()
    })
    .clone()
}

/// Where cargo puts build output.
fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn cargo() -> Command {
    let mut c = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

/// Runs a command, echoing it; an error names the step that failed.
fn run(step: &str, mut cmd: Command) -> Result<(), String> {
    eprintln!("\n==> {step}");
    let status = cmd
        .status()
        .map_err(|e| format!("{step}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

fn output(mut cmd: Command) -> Option<String> {
    cmd.output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Adds the wasm target when missing (a fresh machine does not have it).
fn ensure_wasm_target() -> Result<(), String> {
    let mut list = Command::new("rustup");
    list.args(["target", "list", "--installed"]);
    let installed = output(list).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    let mut add = Command::new("rustup");
    add.args(["target", "add", "wasm32-unknown-unknown"]);
    run("rustup target add wasm32-unknown-unknown", add)
}

fn test() -> Result<(), String> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    run("cargo fmt --check", fmt)?;

    ensure_wasm_target()?;
    let mut wasm = cargo();
    wasm.args([
        "check",
        "-p",
        "xiangzhu-shared",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    run("shared crate builds for wasm32-unknown-unknown", wasm)?;

    // Like Lemmy's check: the shared crate must not pull in server-side crates.
    let mut tree = cargo();
    tree.args([
        "tree",
        "-p",
        "xiangzhu-shared",
        "-e",
        "normal",
        "--prefix",
        "none",
    ]);
    let deps = output(tree).ok_or("cargo tree failed")?;
    for banned in ["diesel", "actix-web", "tokio "] {
        if deps.lines().any(|l| l.starts_with(banned)) {
            return Err(format!("the shared crate depends on {banned}"));
        }
    }
    eprintln!("\n==> shared crate is free of diesel, actix-web and tokio");

    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run("cargo clippy -D warnings", clippy)?;
    let mut clippy_wasm = cargo();
    clippy_wasm.args([
        "clippy",
        "-p",
        "xiangzhu-frontend",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]);
    run("cargo clippy -D warnings (web app, wasm32)", clippy_wasm)?;

    // The browser tests drive the real built app.
    frontend::build(true)?;
    ensure_browser_tools()?;

    if env::var_os("XIANGZHU_TEST_PG").is_none() {
        eprintln!("\n(PostgreSQL tests use postgres://postgres@127.0.0.1:5432/postgres; set XIANGZHU_TEST_PG to change it)");
    }
    let mut tests = cargo();
    tests.args(["test", "--workspace"]);
    run(
        "cargo test (every database test on SQLite and on PostgreSQL)",
        tests,
    )?;
    api_fuzz()
}

/// Fuzzes the API from its OpenAPI document with schemathesis (from PyPI, in a virtual
/// environment under the target directory), as an admin and as a county user.
fn api_fuzz() -> Result<(), String> {
    // `cargo test --workspace` has just built the server binary (the backend's
    // integration tests run it) with the test build's features. A separate
    // `cargo build -p xiangzhu-backend` would resolve the features of fewer crates and
    // compile every dependency a second time (minutes on a cold CI machine).
    if !target_dir().join("debug/xiangzhu").exists() {
        let mut build = cargo();
        build.args(["build", "-p", "xiangzhu-backend", "--bin", "xiangzhu"]);
        run("build the server for the API fuzzer", build)?;
    }
    let venv = target_dir().join("fuzz-venv");
    let python = venv.join("bin/python");
    let requirements = root().join("tests/fuzz/requirements.txt");
    let stamp = venv.join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).map_err(|e| format!("{e}"))?;
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        let mut mk = Command::new("python3");
        mk.args(["-m", "venv"]).arg(&venv);
        run("python3 -m venv (API fuzzer)", mk)?;
        let mut pip = Command::new(&python);
        pip.args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements);
        run("pip install schemathesis openapi-spec-validator", pip)?;
        std::fs::write(&stamp, wanted).map_err(|e| format!("{e}"))?;
    }
    let mut fuzz = Command::new(&python);
    fuzz.current_dir(root())
        .arg(root().join("tests/fuzz/api_fuzz.py"))
        .arg(target_dir().join("debug/xiangzhu"));
    run(
        "API fuzzing: openapi-spec-validator and schemathesis (admin, county user)",
        fuzz,
    )
}

/// Checks for Chromium and its driver, and installs axe-core for the accessibility checks.
fn ensure_browser_tools() -> Result<(), String> {
    for tool in ["chromium", "chromedriver"] {
        let path = env::var(tool.to_uppercase()).unwrap_or_else(|_| format!("/usr/bin/{tool}"));
        if !Path::new(&path).exists() {
            return Err(format!("{path} is missing: apt-get install -y chromium chromium-driver (.ci/run does this)"));
        }
    }
    let e2e = root().join("tests/e2e");
    if !e2e.join("node_modules/axe-core/axe.min.js").exists() {
        let mut npm = Command::new("npm");
        npm.current_dir(&e2e)
            .args(["install", "--no-audit", "--no-fund"]);
        run("npm install (axe-core)", npm)?;
    }
    Ok(())
}

fn serve(release: bool, extra: &[String]) -> Result<(), String> {
    // The web app first: the server serves frontend/dist when it is there.
    frontend::build(release)?;
    let mut build = cargo();
    build.args(["build", "-p", "xiangzhu-backend", "--bin", "xiangzhu"]);
    if release {
        build.arg("--release");
    }
    run("build the server", build)?;
    let bin = target_dir()
        .join(if release { "release" } else { "debug" })
        .join("xiangzhu");
    let mut server = Command::new(bin);
    server.current_dir(root()).args(extra);
    run("xiangzhu serve", server)
}

/// `cargo xtask run` is the README's try-it command: demo accounts on, unless the
/// caller configures a database of their own.
fn with_demo(extra: &[String]) -> Vec<String> {
    let mut args = extra.to_vec();
    let own_db = extra.iter().any(|a| a.starts_with("--database-url"))
        || env::var_os("DATABASE_URL").is_some();
    if !own_db && !args.iter().any(|a| a == "--demo") {
        args.push("--demo".into());
    }
    args
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("run") => serve(true, &with_demo(&args[1..])),
        Some("run-debug") => serve(false, &with_demo(&args[1..])),
        Some("build-frontend") => frontend::build(true).map(|_| ()),
        Some("bench") => bench::bench(&args[1..]),
        _ => Err("usage: cargo xtask <run|test|bench>\n  run    build in release mode and run the server with demo data\n  test   every check and test CI runs\n  bench  every speed figure on PostgreSQL against its reference (about half an hour; not part of test)".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
