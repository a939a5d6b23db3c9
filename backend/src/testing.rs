//! Test support: an app on a database of its own (a fresh SQLite file, or a fresh
//! PostgreSQL database cloned from a template and dropped afterwards), HTTP helpers that
//! go through the real app, and builders for test data.
//!
//! PostgreSQL tests use `XIANGZHU_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! and fail, rather than skip, when it cannot be reached.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use actix_web::http::Method;
use actix_web::{test, web};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use shared::person::{Person, PersonCreate, PersonInput};
use uuid::Uuid;

use crate::auth::{AuthUser, Scope};
use crate::config::Secrets;
use crate::db::{DbKind, PooledConn};
use crate::state::AppState;

pub mod http;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database.
    Postgres,
}

/// Defines, for each named `async fn(Backend)`, one test on SQLite and one on PostgreSQL.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    super::$name($crate::testing::Backend::Sqlite).await
                }
                #[actix_web::test]
                async fn postgres() {
                    super::$name($crate::testing::Backend::Postgres).await
                }
            }
        )*
    };
}

/// The PostgreSQL server tests use.
pub fn pg_admin_url() -> String {
    std::env::var("XIANGZHU_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The URL of database `db` on the PostgreSQL server tests use.
pub fn pg_url_for(db: &str) -> String {
    let admin = pg_admin_url();
    match admin.rfind('/') {
        Some(i) if admin[..i].contains("://") && i > admin.find("://").map_or(0, |p| p + 2) => {
            format!("{}/{db}", &admin[..i])
        }
        _ => format!("{admin}/{db}"),
    }
}

/// A fingerprint of the migrations and seed, naming the template databases.
fn fingerprint() -> String {
    let mut h = Sha256::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = walk(&root.join("../migrations"));
    files.sort();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).unwrap_or_default());
    }
    h.update(b"template v1: org tree + demo accounts");
    h.finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn test_secrets() -> Secrets {
    Secrets {
        jwt: b"test-secret-test-secret-test-secret!".to_vec(),
        pii: [42u8; 32],
    }
}

/// The demo password's hash, computed once per test process.
fn demo_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        crate::auth::password::hash_blocking(crate::demo::DEMO_PASSWORD).unwrap_or_default()
    })
}

fn fill_template(url: &str) -> anyhow::Result<()> {
    let pool = crate::db::connect(url, 1)?;
    let mut conn = pool.get()?;
    crate::org::seed::load(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::demo::seed_accounts(&mut conn, demo_hash()).map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::demo::system_user(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// A SQLite file with the schema, the org tree and the demo accounts, built once.
fn sqlite_template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!(
            "xiangzhu-test-{}-{}",
            fingerprint(),
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let path = dir.join("template.db");
        let _ = std::fs::remove_file(&path);
        fill_template(&path.to_string_lossy())
            .unwrap_or_else(|e| panic!("building the SQLite template: {e}"));
        let mut c = diesel::SqliteConnection::establish(&path.to_string_lossy())
            .unwrap_or_else(|e| panic!("{e}"));
        c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
            .unwrap_or_else(|e| panic!("{e}"));
        path
    })
}

/// The name of a PostgreSQL template database, built once per fingerprint.
fn pg_template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("xiangzhu_tpl_{}", fingerprint());
        let mut admin = PgConnection::establish(&pg_admin_url()).unwrap_or_else(|e| {
            panic!(
                "PostgreSQL tests need a server at {} (set XIANGZHU_TEST_PG): {e}",
                pg_admin_url()
            )
        });
        if pg_exists(&mut admin, &name) {
            return name;
        }
        // Build under a private name, then rename: a half-built template is never used.
        let building = format!("{name}_{}", std::process::id());
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .unwrap_or_else(|e| panic!("{e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .unwrap_or_else(|e| panic!("{e}"));
        fill_template(&pg_url_for(&building))
            .unwrap_or_else(|e| panic!("building the PostgreSQL template: {e}"));
        if admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .is_err()
        {
            // Another test process finished first; use theirs.
            let _ =
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"));
        }
        name
    })
}

fn pg_exists(conn: &mut PgConnection, name: &str) -> bool {
    use diesel::prelude::*;
    diesel::sql_query(format!(
        "SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"
    ))
    .execute(conn)
    .is_ok_and(|n| n > 0)
}

/// An empty database of its own (no schema), dropped with the guard.
pub fn empty_database(backend: Backend) -> (String, impl Drop + Send + 'static) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            (
                dir.path().join("empty.db").to_string_lossy().into_owned(),
                TestDb::Sqlite(dir),
            )
        }
        Backend::Postgres => {
            let name = format!("xiangzhu_test_{}", Uuid::new_v4().simple());
            let mut admin =
                PgConnection::establish(&pg_admin_url()).unwrap_or_else(|e| panic!("{e}"));
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap_or_else(|e| panic!("{e}"));
            (pg_url_for(&name), TestDb::Postgres(name))
        }
    }
}

enum TestDb {
    Sqlite(
        #[expect(dead_code, reason = "held so the directory lives as long as the test")]
        tempfile::TempDir,
    ),
    Postgres(String),
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres(name) = self {
            if let Ok(mut admin) = PgConnection::establish(&pg_admin_url()) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// An HTTP answer: status, JSON body (null when empty) and headers.
#[derive(Debug)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Body as JSON (`Value::Null` if empty or not JSON).
    pub body: Value,
    /// Headers.
    pub headers: actix_web::http::header::HeaderMap,
}

impl Resp {
    /// The problem `code`, or "" if none.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// The `(field, code)` pairs of a problem's field errors.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or("").to_owned(),
                            e["code"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The app over a database of its own.
pub struct TestApp {
    /// The state the app runs with.
    pub state: web::Data<AppState>,
    /// Which database.
    pub backend: Backend,
    /// The database's URL (a SQLite path or a `postgres://` URL).
    pub url: String,
    _db: Box<dyn std::any::Any + Send>,
}

impl TestApp {
    /// A fresh database (with the org tree and demo accounts) and the app over it.
    pub async fn new(backend: Backend) -> Self {
        web::block(move || Self::new_blocking(backend))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn new_blocking(backend: Backend) -> Self {
        let (url, db) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
                let path = dir.path().join("test.db");
                std::fs::copy(sqlite_template(), &path).unwrap_or_else(|e| panic!("{e}"));
                (path.to_string_lossy().into_owned(), TestDb::Sqlite(dir))
            }
            Backend::Postgres => {
                let template = pg_template();
                let name = format!("xiangzhu_test_{}", Uuid::new_v4().simple());
                let mut admin =
                    PgConnection::establish(&pg_admin_url()).unwrap_or_else(|e| panic!("{e}"));
                admin
                    .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .unwrap_or_else(|e| panic!("{e}"));
                (pg_url_for(&name), TestDb::Postgres(name))
            }
        };
        Self::over(backend, &url, db)
    }

    /// The app over the database at `url` (one [`empty_database`] made and a restore
    /// filled, say), with the test secrets; `guard` drops the database with the app.
    pub fn over(backend: Backend, url: &str, guard: impl std::any::Any + Send) -> Self {
        let pool =
            crate::db::connect(url, 8).unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
        let state = AppState::new(pool, DbKind::of(url), &test_secrets());
        Self {
            state: web::Data::new(state),
            backend,
            url: url.to_owned(),
            _db: Box::new(guard),
        }
    }

    /// The server as after a restart: the same database, nothing kept in memory.
    pub fn restart(&mut self) {
        let state = AppState::new(self.state.pool.clone(), self.state.db_kind, &test_secrets());
        self.state = web::Data::new(state);
    }

    /// Asserts that the plan's kept KPI aggregates equal a naive count over the records
    /// (province, 湘潭市 and 长沙市 with their children, 2019–2021): a module's real write
    /// paths move them as they move the records.
    pub fn assert_kept_figures_match(&self) {
        let mut conn = self.conn();
        let diff = crate::plan::aggregates::all_differences(
            &mut conn,
            &["43", "4303", "4301"],
            &[2019, 2020, 2021],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            diff.is_empty(),
            "the kept KPI figures differ from a naive count:\n{}",
            diff.join("\n")
        );
    }

    /// A pooled connection, for setting up and checking the database directly.
    pub fn conn(&self) -> PooledConn {
        self.state.pool.get().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Sends a request through the real app.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let app = test::init_service(crate::server::app(self.state.clone())).await;
        let mut req = test::TestRequest::default()
            .method(method)
            .uri(path)
            .peer_addr("127.0.0.1:40000".parse().unwrap_or_else(|e| panic!("{e}")));
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        if let Some(b) = body {
            req = req.set_json(b);
        }
        let resp = test::call_service(&app, req.to_request()).await;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = test::read_body(resp).await;
        Resp {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            headers,
        }
    }

    /// Sends raw bytes with a content type and a token.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Resp {
        let app = test::init_service(crate::server::app(self.state.clone())).await;
        let req = test::TestRequest::default()
            .method(method)
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("content-type", content_type.to_owned()))
            .set_payload(bytes)
            .to_request();
        let resp = test::call_service(&app, req).await;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = test::read_body(resp).await;
        Resp {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            headers,
        }
    }

    /// Sends raw bytes (an uploaded file) with a token.
    pub async fn upload(&self, token: &str, path: &str, bytes: Vec<u8>) -> Resp {
        let app = test::init_service(crate::server::app(self.state.clone())).await;
        let req = test::TestRequest::post()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", "application/octet-stream"))
            .set_payload(bytes)
            .to_request();
        let resp = test::call_service(&app, req).await;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = test::read_body(resp).await;
        Resp {
            status,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            headers,
        }
    }

    /// GETs a file: status and raw bytes.
    pub async fn download(&self, token: &str, path: &str) -> (u16, Vec<u8>) {
        let app = test::init_service(crate::server::app(self.state.clone())).await;
        let req = test::TestRequest::get()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        let resp = test::call_service(&app, req).await;
        let status = resp.status().as_u16();
        (status, test::read_body(resp).await.to_vec())
    }

    /// GET with a token.
    pub async fn get(&self, token: &str, path: &str) -> Resp {
        self.request(Method::GET, path, Some(token), None, &[])
            .await
    }

    /// POST JSON with a token.
    pub async fn post(&self, token: &str, path: &str, body: Value) -> Resp {
        self.request(Method::POST, path, Some(token), Some(body), &[])
            .await
    }

    /// PUT JSON with a token.
    pub async fn put(&self, token: &str, path: &str, body: Value) -> Resp {
        self.request(Method::PUT, path, Some(token), Some(body), &[])
            .await
    }

    /// DELETE with a token.
    pub async fn delete(&self, token: &str, path: &str) -> Resp {
        self.request(Method::DELETE, path, Some(token), None, &[])
            .await
    }

    /// Logs in and returns the whole answer.
    pub async fn login_as(&self, username: &str, password: &str) -> Resp {
        self.request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": username, "password": password})),
            &[],
        )
        .await
    }

    /// Logs in a demo account and returns its access token.
    pub async fn token(&self, username: &str) -> String {
        self.token_with(username, crate::demo::DEMO_PASSWORD).await
    }

    /// Logs in with a password and returns the access token.
    pub async fn token_with(&self, username: &str, password: &str) -> String {
        let r = self.login_as(username, password).await;
        assert_eq!(r.status, 200, "login of {username}: {}", r.body);
        r.body["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A caller with province scope and every capability, for setting up data directly.
    pub fn setup_actor(&self) -> AuthUser {
        use diesel::prelude::*;
        let id: String = crate::db::schema::users::table
            .filter(crate::db::schema::users::username.eq("admin"))
            .select(crate::db::schema::users::id)
            .first(&mut self.conn())
            .unwrap_or_else(|e| panic!("{e}"));
        AuthUser {
            id: Uuid::parse_str(&id).unwrap_or_else(|e| panic!("{e}")),
            username: "admin".into(),
            unit_code: "43".into(),
            roles: vec![shared::auth::Role::Staff],
            scope: Scope::Province,
            session_id: Uuid::nil(),
            write_lsn: None,
        }
    }

    /// Adds an account like `leader` (the same password) at `unit` with `roles` (the
    /// stored comma-separated list).
    pub fn add_user(&self, username: &str, unit: &str, roles: &str) {
        use diesel::connection::SimpleConnection;
        let mut conn = self.conn();
        conn.batch_execute(&format!(
            "INSERT INTO users (id, username, display_name, password_hash, unit_code, roles, disabled,
                version, created_at, updated_at, must_change_password)
             SELECT '{id}', '{username}', 'test', password_hash, '{unit}', '{roles}', FALSE, 1,
                created_at, updated_at, FALSE
             FROM users WHERE username = 'leader'",
            id = Uuid::now_v7()
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Number of audit entries about a record.
    pub fn audit_count(&self, entity_id: &str, action: &str) -> i64 {
        use crate::db::schema::audit_log;
        use diesel::prelude::*;
        audit_log::table
            .filter(audit_log::entity_id.eq(entity_id))
            .filter(audit_log::action.eq(action))
            .count()
            .get_result(&mut self.conn())
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Builds registry entries for tests.
#[derive(Debug, Clone)]
pub struct PersonBuilder {
    input: PersonInput,
    id: Option<Uuid>,
}

impl Default for PersonBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl PersonBuilder {
    /// A valid person in 湘乡市 (430381) with a fresh random identity number.
    pub fn new() -> Self {
        let input: PersonInput = serde_json::from_value(json!({
            "name": "测试人员",
            "disability_category": "physical",
            "disability_level": 2,
            "county_code": "430381",
            "poverty_status": "in_poverty",
            "registered_poor": true,
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        Self { input, id: None }.county("430381")
    }

    /// Gives the person a household number (persons of one county sharing it are one
    /// household).
    pub fn household(mut self, number: &str) -> Self {
        self.input.household_number = Some(number.into());
        self
    }

    /// Places the person in `county` (with an identity number issued there).
    pub fn county(mut self, county: &str) -> Self {
        self.input.county_code = county.into();
        self.input.id_number = Some(crate::demo::synthetic_id_number(
            &mut rand::thread_rng(),
            county,
        ));
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> Self {
        self.input.name = name.into();
        self
    }

    /// Sets the identity number.
    pub fn id_number(mut self, id: &str) -> Self {
        self.input.id_number = Some(id.into());
        self
    }

    /// Gives the person an identity number of their county with a birth date in `year`.
    pub fn born(mut self, year: i32) -> Self {
        use rand::Rng;
        let seq: u32 = rand::thread_rng().gen_range(100..999);
        let body = format!("{}{year}0615{seq}", self.input.county_code);
        let check = shared::id_number::check_character(body.as_bytes()).unwrap_or(b'X');
        self.input.id_number = Some(format!("{body}{}", char::from(check)));
        self
    }

    /// Sets the disability category and level.
    pub fn disability(mut self, category: shared::DisabilityCategory, level: u8) -> Self {
        self.input.disability_category = category;
        self.input.disability_level =
            shared::DisabilityLevel::new(level).unwrap_or(shared::DisabilityLevel::MILDEST);
        self
    }

    /// Sets the town.
    pub fn town(mut self, town: &str) -> Self {
        self.input.town_code = Some(town.into());
        self
    }

    /// Sets the registered-poor flag.
    pub fn registered_poor(mut self, b: bool) -> Self {
        self.input.registered_poor = b;
        self
    }

    /// Sets the poverty status.
    pub fn status(mut self, status: shared::PovertyStatus) -> Self {
        self.input.poverty_status = status;
        self
    }

    /// Gives the person a certificate agreeing with their number, category and level.
    pub fn with_certificate(mut self) -> Self {
        let id = self.input.id_number.clone().unwrap_or_default();
        self.input.has_certificate = true;
        self.input.certificate_number = Some(format!(
            "{id}{}{}",
            self.input.disability_category.digit(),
            self.input.disability_level.get()
        ));
        self
    }

    /// The input form.
    pub fn input(&self) -> PersonInput {
        self.input.clone()
    }

    /// The create body as JSON.
    pub fn json(&self) -> Value {
        serde_json::to_value(PersonCreate {
            id: self.id,
            fields: self.input.clone(),
        })
        .unwrap_or_default()
    }

    /// Writes the person straight through the query layer (as a provincial actor).
    pub fn create(self, app: &TestApp) -> Person {
        let actor = app.setup_actor();
        let body = PersonCreate {
            id: self.id,
            fields: self.input,
        };
        match crate::persons::queries::create(&mut app.conn(), &app.state.pii, &actor, &body) {
            Ok(crate::persons::queries::Created::New(p)) => p,
            other => panic!("creating a test person: {other:?}"),
        }
    }
}

/// A JPEG the size a phone camera makes (`w` × `h`, e.g. 4000 × 3000 ≈ 6 MB): smooth
/// light with sensor-like noise, which compresses about as badly as a real photo.
pub fn phone_photo(w: u32, h: u32) -> Vec<u8> {
    let mut seed: u32 = 0x2545_f491;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        // xorshift: cheap noise, the same picture every run.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = |shift: u32| i64::from((seed >> shift) & 0xff) * 22 / 256 - 11;
        let base = |v: u32, span: u32| i64::from(v) * 160 / i64::from(span.max(1)) + 48;
        let channel = |v: i64| u8::try_from(v.clamp(0, 255)).unwrap_or(u8::MAX);
        image::Rgb([
            channel(base(x, w) + noise(0)),
            channel(base(y, h) + noise(8)),
            channel(base(x + y, w + h) + noise(16)),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(&img)
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

/// A roster file's table enrolling these identity numbers, each completed on 2020-05-10
/// with 32 hours, a certificate and a job (the rows a benchmark or a replica test
/// imports).
pub fn completed_roster(ids: &[String]) -> crate::tabular::Table {
    crate::tabular::Table {
        choices: Vec::new(),
        headers: crate::training::transfer::COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        rows: ids
            .iter()
            .map(|id| {
                vec![
                    id.clone(),
                    String::new(),
                    "结业".into(),
                    "32".into(),
                    "2020-05-10".into(),
                    "是".into(),
                    "就业".into(),
                ]
            })
            .collect(),
    }
}
