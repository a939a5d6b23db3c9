//! Safe defaults of a fresh install, and the headers of every answer.

use clap::Parser;

use crate::db_tests;
use crate::testing::{Backend, TestApp};

#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    config: crate::config::Config,
}

/// A first start on the embedded database: a private data directory (0700), private
/// database and key files (0600), no connection errors while the pool opens (the pool
/// once raced to switch to WAL: fifteen "database is locked"), and no demo accounts
/// unless asked for.
#[test]
fn a_first_start_is_private_quiet_and_without_demo_accounts() {
    use diesel::prelude::*;
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("data");
    let cli = Cli::try_parse_from([
        "xiangzhu",
        "--data-dir",
        &data.to_string_lossy(),
        "--db-pool",
        "16",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!cli.config.demo, "demo accounts are off by default");
    let errors_before = crate::db::POOL_ERRORS.load(std::sync::atomic::Ordering::Relaxed);
    let state = crate::server::prepare(&cli.config).unwrap_or_else(|e| panic!("{e}"));
    // Let the pool open all its connections.
    let conns: Vec<_> = (0..16)
        .map(|_| state.pool.get().unwrap_or_else(|e| panic!("{e}")))
        .collect();
    drop(conns);
    assert_eq!(
        crate::db::POOL_ERRORS.load(std::sync::atomic::Ordering::Relaxed),
        errors_before,
        "opening the pool logged errors"
    );
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&data), 0o700, "data directory");
    for f in ["xiangzhu.db", "pii.key", "jwt.secret"] {
        assert_eq!(mode(&data.join(f)), 0o600, "{f}");
    }
    let mut conn = state.pool.get().unwrap_or_else(|e| panic!("{e}"));
    let users: i64 = crate::db::schema::users::table
        .count()
        .get_result(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(users, 0, "no demo accounts without --demo");
}

db_tests!(every_answer_carries_the_security_headers);

/// No framing, no sniffing, no referrer, and a policy that allows no inline script.
async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = TestApp::new(backend).await;
    for path in ["/api/v1/openapi.json", "/api/v1/persons", "/healthz"] {
        let r = app.get("", path).await;
        let h = |k: &str| {
            r.headers
                .get(k)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = h("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        let script = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert!(
            !script.contains("unsafe-inline") && !script.contains("'unsafe-eval'"),
            "{path}: {script}"
        );
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{path}");
    }
}
