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

mod frontend;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
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

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("run") => serve(true, &args[1..]),
        Some("run-debug") => serve(false, &args[1..]),
        Some("build-frontend") => frontend::build(true).map(|_| ()),
        _ => Err("usage: cargo xtask <run|test>\n  run   build in release mode and run the server with demo data\n  test  every check and test CI runs".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
