//! Two server processes on one PostgreSQL behave as one, behind Debian's nginx with the
//! shipped proxy settings (`deploy/nginx/`), and the shipped nginx site passes `nginx -t`.
//!
//! The real server binary runs twice (replicas A and B) on a database of the test's own,
//! with the secrets from configuration. Checked across the two: a login on A refreshed on
//! B; a lockout earned on A holding on B; a roster import started on A and committed on
//! B; allocations racing for one budget on both; requests through nginx; then A killed
//! with `kill -9` in the middle of an import's commit (nothing written, the job failed
//! as soon as B notices A stopped beating, not "committing" until a timeout; nginx sends
//! everything to B), and B stopped with SIGTERM while a photo upload is in flight (the
//! upload finishes, the process exits cleanly and leaves the instance list).
//!
//! Needs `/usr/sbin/nginx` (`.ci/run` installs Debian's `nginx`); without it the test
//! fails, saying so.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use backend::db::schema::{enrolments, import_jobs, persons, server_instances};
use backend::testing::{empty_database, Backend};
use diesel::prelude::*;
use serde_json::{json, Value};

const JWT: &str = "replica-test-token-signing-secret-0123456789";
/// Base64 of 32 bytes.
const PII_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const PASSWORD: &str = "xiangzhu-demo";
const NGINX: &str = "/usr/sbin/nginx";
/// Persons in the import that A is killed in the middle of: enough for a commit of a few
/// seconds in a debug build.
const BIG_IMPORT: usize = 12_000;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

fn temp_dir(what: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("xiangzhu-{what}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// One answer: status, headers (lower-case names) and body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// One request on a connection of its own (`Connection: close`).
fn send(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
    extra: &str,
) -> Answer {
    let mut stream =
        TcpStream::connect(addr).unwrap_or_else(|e| panic!("{method} {path} to {addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap_or_else(|e| panic!("{e}"));
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: replicas\r\nConnection: close\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n{auth}{extra}\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .unwrap_or_else(|e| panic!("sending {method} {path}: {e}"));
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("the answer to {method} {path}: {e}"));
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{method} {path}: bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("{e}"));
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    assert!(
        !headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")),
        "{method} {path}: a chunked answer"
    );
    let mut body = Vec::new();
    reader
        .read_to_end(&mut body)
        .unwrap_or_else(|e| panic!("{e}"));
    Answer {
        status,
        headers,
        body,
    }
}

fn get(addr: &str, path: &str, token: &str) -> Answer {
    send(addr, "GET", path, Some(token), "application/json", b"", "")
}

fn post(addr: &str, path: &str, token: Option<&str>, body: &Value) -> Answer {
    send(
        addr,
        "POST",
        path,
        token,
        "application/json",
        body.to_string().as_bytes(),
        "",
    )
}

fn put(addr: &str, path: &str, token: &str, body: &Value) -> Answer {
    send(
        addr,
        "PUT",
        path,
        Some(token),
        "application/json",
        body.to_string().as_bytes(),
        "",
    )
}

/// Access and refresh token of `user` (from the address `from`, through the trusted
/// proxy header, so the per-address throttle does not add up over the test).
fn login_from(addr: &str, user: &str, password: &str, from: &str) -> Answer {
    send(
        addr,
        "POST",
        "/api/v1/auth/login",
        None,
        "application/json",
        json!({"username": user, "password": password})
            .to_string()
            .as_bytes(),
        &format!("X-Forwarded-For: {from}\r\n"),
    )
}

fn token(addr: &str, user: &str) -> String {
    let r = login_from(addr, user, PASSWORD, "10.1.0.1");
    assert_eq!(r.status, 200, "login of {user}: {}", r.json());
    r.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A server process on `db`; killed on drop.
struct Server {
    child: Child,
    addr: String,
    dir: PathBuf,
}

impl Server {
    fn start(db: &str, demo: bool) -> Self {
        let dir = temp_dir("replica");
        let addr = format!("127.0.0.1:{}", free_port());
        let log = std::fs::File::create(dir.join("server.log")).unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(env!("CARGO_BIN_EXE_xiangzhu"))
            .env("DATABASE_URL", db)
            .env("XIANGZHU_BIND", &addr)
            .env("XIANGZHU_DATA_DIR", dir.join("data"))
            .env("XIANGZHU_STATIC_DIR", dir.join("no-spa"))
            .env("XIANGZHU_DEMO", if demo { "true" } else { "false" })
            .env("XIANGZHU_JWT_SECRET", JWT)
            .env("XIANGZHU_PII_KEY", PII_KEY)
            .env("XIANGZHU_TRUSTED_PROXIES", "127.0.0.1")
            .env("XIANGZHU_DB_POOL", "8")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting the server: {e}"));
        let server = Self { child, addr, dir };
        server.wait_up();
        server
    }

    fn wait_up(&self) {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if TcpStream::connect(&self.addr).is_ok()
                && send(&self.addr, "GET", "/healthz", None, "text/plain", b"", "").status == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not come up: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -{name}");
    }

    /// Waits for the process to end; its exit code.
    fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// nginx in front of the replicas, with the shipped proxy settings; stopped on drop.
struct Nginx {
    child: Child,
    addr: String,
    dir: PathBuf,
}

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

impl Nginx {
    fn start(upstreams: &[&str]) -> Self {
        assert!(
            Path::new(NGINX).exists(),
            "{NGINX} is missing: install Debian's nginx (`.ci/run` does)"
        );
        let dir = temp_dir("nginx");
        std::fs::create_dir_all(dir.join("snippets")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(
            deploy_dir().join("nginx/snippets/xiangzhu-proxy.conf"),
            dir.join("snippets/xiangzhu-proxy.conf"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let addr = format!("127.0.0.1:{}", free_port());
        let servers: String = upstreams
            .iter()
            .map(|u| format!("        server {u} max_fails=1 fail_timeout=30s;\n"))
            .collect();
        let d = dir.display();
        let conf = format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n\
             \x20   access_log {d}/access.log;\n\
             \x20   client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n\
             \x20   fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n\
             \x20   scgi_temp_path {d}/scgi;\n\
             \x20   upstream xiangzhu {{\n{servers}        keepalive 8;\n    }}\n\
             \x20   server {{\n        listen {addr};\n\
             \x20       location / {{\n            include snippets/xiangzhu-proxy.conf;\n        }}\n\
             \x20   }}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .args(["-g", "daemon off; master_process off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting nginx: {e}"));
        let nginx = Self { child, addr, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(&nginx.addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not come up: {}",
                std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        nginx
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Polls an import job on `addr` until it leaves `state`; the job's last status.
fn wait_job(addr: &str, token: &str, job: &str, state: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let s = get(addr, &format!("/api/v1/imports/{job}"), token).json();
        if s["state"] != state {
            return s;
        }
        assert!(Instant::now() < deadline, "job still {state}: {s}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A roster file enrolling these identity numbers.
fn roster_csv(ids: &[String]) -> Vec<u8> {
    let table = backend::testing::completed_roster(ids);
    backend::tabular::write(&table, backend::tabular::Format::Csv).unwrap_or_else(|e| panic!("{e}"))
}

fn new_course(addr: &str, token: &str, places: i64) -> String {
    let r = post(
        addr,
        "/api/v1/courses",
        Some(token),
        &json!({"name": "副本测试班", "kind": "practical_technique", "county_code": "430381",
            "start_date": "2020-05-06", "end_date": "2020-05-10", "planned_places": places,
            "hours": 32}),
    );
    assert_eq!(r.status, 201, "{}", r.json());
    r.json()["id"].as_str().unwrap_or_default().to_owned()
}

fn upload_roster(addr: &str, token: &str, course: &str, csv: &[u8]) -> String {
    let r = send(
        addr,
        "POST",
        &format!("/api/v1/courses/{course}/roster/import?format=csv"),
        Some(token),
        "application/octet-stream",
        csv,
        "",
    );
    assert_eq!(r.status, 202, "{}", r.json());
    r.json()["id"].as_str().unwrap_or_default().to_owned()
}

fn enrolled(conn: &mut backend::db::DbConn, course: &str) -> i64 {
    enrolments::table
        .filter(enrolments::course_id.eq(course))
        .count()
        .get_result(conn)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn postgres_without_configured_secrets_refuses_to_start() {
    let (url, _db) = empty_database(Backend::Postgres);
    let dir = temp_dir("no-secrets");
    let out = Command::new(env!("CARGO_BIN_EXE_xiangzhu"))
        .env("DATABASE_URL", &url)
        .env("XIANGZHU_BIND", format!("127.0.0.1:{}", free_port()))
        .env("XIANGZHU_DATA_DIR", dir.join("data"))
        .env("XIANGZHU_JWT_SECRET", JWT)
        .env_remove("XIANGZHU_PII_KEY")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "it started: {said}");
    assert!(said.contains("XIANGZHU_PII_KEY must be set"), "{said}");
    assert!(
        !dir.join("data/pii.key").exists(),
        "no key of its own was generated"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_shipped_nginx_site_passes_nginx_t() {
    assert!(
        Path::new(NGINX).exists(),
        "{NGINX} is missing: install Debian's nginx (`.ci/run` does)"
    );
    let dir = temp_dir("nginx-t");
    std::fs::create_dir_all(dir.join("snippets")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        deploy_dir().join("nginx/snippets/xiangzhu-proxy.conf"),
        dir.join("snippets/xiangzhu-proxy.conf"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // A throw-away certificate where the site expects the real one.
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes"])
        .args(["-subj", "/CN=localhost", "-days", "1", "-keyout"])
        .arg(dir.join("privkey.pem"))
        .arg("-out")
        .arg(dir.join("fullchain.pem"))
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "openssl could not make a certificate");
    let site = std::fs::read_to_string(deploy_dir().join("nginx/xiangzhu.conf"))
        .unwrap_or_else(|e| panic!("{e}"))
        .replace("/etc/ssl/xiangzhu/", &format!("{}/", dir.display()));
    std::fs::write(dir.join("site.conf"), site).unwrap_or_else(|e| panic!("{e}"));
    let d = dir.display();
    std::fs::write(
        dir.join("nginx.conf"),
        format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n\
             \x20   include /etc/nginx/mime.types;\n    include {d}/site.conf;\n}}\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(NGINX)
        .arg("-t")
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "nginx -t: {said}");
    assert!(said.contains("test is successful"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_replicas_behind_nginx_behave_as_one() {
    let (url, _db) = empty_database(Backend::Postgres);
    let mut a = Server::start(&url, true);
    let mut b = Server::start(&url, false);
    let nginx = Nginx::start(&[&a.addr, &b.addr]);
    let pool = backend::db::connect(&url, 2).unwrap_or_else(|e| panic!("{e}"));
    let mut conn = pool.get().unwrap_or_else(|e| panic!("{e}"));
    let instances: i64 = server_instances::table
        .count()
        .get_result(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(instances, 2, "both replicas beat");

    // A login on A, refreshed on B; both tokens work on either.
    let r = login_from(&a.addr, "xiangxiang.staff", PASSWORD, "10.1.0.2");
    assert_eq!(r.status, 200, "{}", r.json());
    let refresh = r.json()["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = post(
        &b.addr,
        "/api/v1/auth/refresh",
        None,
        &json!({ "refresh_token": refresh }),
    );
    assert_eq!(r.status, 200, "refresh on the other replica: {}", r.json());
    let staff = r.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for server in [&a, &b] {
        assert_eq!(get(&server.addr, "/api/v1/me", &staff).status, 200);
    }

    // A lockout earned on A holds on B, even for the right password.
    for i in 0..backend::auth::throttle::ACCOUNT.max {
        let r = login_from(&a.addr, "rights", &format!("wrong-{i}"), "10.2.0.1");
        assert_eq!(r.status, 401);
    }
    let r = login_from(&b.addr, "rights", PASSWORD, "10.2.0.2");
    assert_eq!(r.status, 401, "locked out on B: {}", r.json());

    // Through nginx: every request answered, by both replicas in turn.
    for _ in 0..20 {
        assert_eq!(get(&nginx.addr, "/api/v1/me", &staff).status, 200);
    }
    let log = std::fs::read_to_string(nginx.dir.join("access.log")).unwrap_or_default();
    assert!(log.lines().count() >= 20, "{log}");

    // Allocations racing for one budget on both replicas: room for two, never three.
    let employment = token(&a.addr, "employment");
    let plan = json!({"share_bp": 5000, "cap_person_fen": 500_000, "cap_base_fen": 5_000_000,
        "max_principal_fen": 50_000_000, "budget_fen": 300_000_000,
        "target_persons_trained": 1, "target_subsidy_fen": 1});
    let r = put(&b.addr, "/api/v1/programme-years/2021", &employment, &plan);
    assert_eq!(r.status, 200, "{}", r.json());
    let cities = [
        "4301", "4302", "4303", "4304", "4305", "4306", "4307", "4308", "4309", "4310", "4311",
        "4312", "4313", "4331",
    ];
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let racers: Vec<_> = cities
            .iter()
            .enumerate()
            .map(|(i, city)| {
                let (addr, token) = (if i % 2 == 0 { &a.addr } else { &b.addr }, &employment);
                s.spawn(move || {
                    put(
                        addr,
                        &format!("/api/v1/programme-years/2021/allocations/{city}"),
                        token,
                        &json!({"allocated_fen": 100_000_001}),
                    )
                    .status
                })
            })
            .collect();
        racers.into_iter().filter_map(|r| r.join().ok()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        2,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 422),
        "{statuses:?}"
    );

    // The registry the imports enrol from (the same key as the servers').
    let key: [u8; 32] = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(PII_KEY)
            .ok()
            .and_then(|k| k.try_into().ok())
            .unwrap_or_else(|| panic!("the test key"))
    };
    let pii = backend::pii::Pii::new(&key);
    backend::demo::seed_persons(
        &mut conn,
        &pii,
        &[("430381".to_owned(), "4303".to_owned())],
        BIG_IMPORT,
        11,
        &|_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> = persons::table
        .filter(persons::county_code.eq("430381"))
        .select(persons::id_number_enc)
        .limit(i64::try_from(BIG_IMPORT).unwrap_or(i64::MAX))
        .load::<String>(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(|enc| pii.decrypt(enc).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(ids.len(), BIG_IMPORT);

    // An import started on A is seen and committed on B.
    let small = new_course(&a.addr, &staff, 100);
    let job = upload_roster(&a.addr, &staff, &small, &roster_csv(&ids[..3]));
    let s = wait_job(&b.addr, &staff, &job, "validating", Duration::from_secs(60));
    assert_eq!(s["state"], "valid", "{s}");
    let r = post(
        &b.addr,
        &format!("/api/v1/imports/{job}/commit"),
        Some(&staff),
        &json!({}),
    );
    assert_eq!(r.status, 202, "{}", r.json());
    let s = wait_job(&a.addr, &staff, &job, "committing", Duration::from_secs(60));
    assert_eq!(s["state"], "committed", "{s}");
    assert_eq!(enrolled(&mut conn, &small), 3);

    // kill -9 of A in the middle of a commit: nothing written, and the job failed as
    // soon as B sees A stopped beating.
    let big = new_course(&a.addr, &staff, 10_000);
    let job = upload_roster(&a.addr, &staff, &big, &roster_csv(&ids));
    let s = wait_job(
        &a.addr,
        &staff,
        &job,
        "validating",
        Duration::from_secs(300),
    );
    assert_eq!(s["state"], "valid", "{s}");
    let r = post(
        &a.addr,
        &format!("/api/v1/imports/{job}/commit"),
        Some(&staff),
        &json!({}),
    );
    assert_eq!(r.status, 202, "{}", r.json());
    let deadline = Instant::now() + Duration::from_secs(120);
    let written = loop {
        let s = get(&a.addr, &format!("/api/v1/imports/{job}"), &staff).json();
        assert_eq!(
            s["state"], "committing",
            "the commit ended before the kill: {s}"
        );
        let n = s["processed_rows"].as_u64().unwrap_or_default();
        if n > 0 {
            break n;
        }
        assert!(Instant::now() < deadline, "the commit never started: {s}");
        std::thread::sleep(Duration::from_millis(20));
    };
    a.signal("KILL");
    a.wait_exit(Duration::from_secs(10));
    let killed_at = Instant::now();
    let s = wait_job(&b.addr, &staff, &job, "committing", Duration::from_secs(60));
    let noticed = killed_at.elapsed();
    assert_eq!(s["state"], "failed", "{s}");
    assert!(
        s["failure"]
            .as_str()
            .is_some_and(|f| f.contains("interrupted")),
        "{s}"
    );
    assert_eq!(
        enrolled(&mut conn, &big),
        0,
        "nothing of the commit is left"
    );
    eprintln!(
        "kill -9 after {written} of {BIG_IMPORT} rows: failed on B after {:.1} s, 0 rows kept",
        noticed.as_secs_f64()
    );
    let worker: Option<String> = import_jobs::table
        .find(&job)
        .select(import_jobs::worker)
        .first(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(worker.is_some());
    // With A gone, nginx sends everything to B.
    for _ in 0..10 {
        assert_eq!(get(&nginx.addr, "/api/v1/me", &staff).status, 200);
    }

    // SIGTERM to B while a photo upload is in flight: the upload finishes, B exits 0
    // and leaves the instance list.
    let person: String = persons::table
        .filter(persons::county_code.eq("430381"))
        .select(persons::id)
        .first(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    let photo = backend::testing::phone_photo(4000, 3000);
    let upload_path = format!(
        "/api/v1/attachments?owner_type=person&owner_id={person}&id={}",
        uuid::Uuid::new_v4()
    );
    let addr = b.addr.clone();
    let answer = std::thread::scope(|s| {
        let uploading = s.spawn(|| {
            send(
                &addr,
                "POST",
                &upload_path,
                Some(&staff),
                "application/octet-stream",
                &photo,
                "",
            )
        });
        std::thread::sleep(Duration::from_millis(300));
        b.signal("TERM");
        uploading.join()
    });
    let answer = answer.unwrap_or_else(|_| panic!("the upload thread panicked"));
    assert_eq!(
        answer.status,
        201,
        "the upload in flight finished: {}",
        answer.json()
    );
    assert!(answer.headers.iter().any(|(n, _)| n == "content-type"));
    let code = b.wait_exit(Duration::from_secs(40));
    assert_eq!(code, Some(0), "{}", b.log());
    let instances: i64 = server_instances::table
        .count()
        .get_result(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(instances, 1, "B left; A's row stays until it is forgotten");
}
