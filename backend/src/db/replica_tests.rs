//! Reads from a real streaming replica: `pg_basebackup` of the test server into a
//! temporary directory, a second postmaster on another port (as the `postgres` user),
//! replay paused and resumed to see which database answered.
//!
//! Needs a replication entry in `pg_hba.conf` for 127.0.0.1 (`.ci/run` adds
//! `host replication all 127.0.0.1/32 trust` when missing) and `runuser`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::Value;

use crate::testing::{pg_admin_url, Backend, PersonBuilder, TestApp};

/// The newest PostgreSQL server binaries of Debian's layout.
fn pg_bin(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    versions.sort();
    versions
        .last()
        .map(|v| v.join("bin").join(name))
        .unwrap_or_else(|| panic!("no PostgreSQL under /usr/lib/postgresql"))
}

fn as_postgres(program: &Path) -> Command {
    let mut c = Command::new("runuser");
    c.args(["-u", "postgres", "--"]).arg(program);
    c
}

/// A hot standby of the test server, stopped and removed on drop.
struct Standby {
    postmaster: Child,
    dir: PathBuf,
    port: u16,
}

impl Standby {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let dir = std::env::temp_dir().join(format!("xiangzhu-standby-{port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let owned = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(owned, "chown of {} to postgres", dir.display());
        // postgres://user@host:port/db → host and port.
        let admin = pg_admin_url();
        let authority = admin
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .map(|a| a.rsplit('@').next().unwrap_or(a))
            .unwrap_or("127.0.0.1:5432");
        let (host, port_of_primary) = authority.split_once(':').unwrap_or((authority, "5432"));
        let out = as_postgres(&pg_bin("pg_basebackup"))
            .args(["-h", host, "-p", port_of_primary])
            .args(["-U", "postgres", "-X", "stream", "-R", "-c", "fast", "-D"])
            .arg(&dir)
            .output()
            .unwrap_or_else(|e| panic!("pg_basebackup: {e}"));
        assert!(
            out.status.success(),
            "pg_basebackup failed (does pg_hba.conf allow replication from 127.0.0.1? \
             .ci/run adds it): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Debian keeps the configuration outside the data directory: the standby's own.
        let d = dir.display();
        for (name, text) in [
            (
                "postgresql.conf",
                format!(
                    "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{d}'\n\
                     hot_standby = on\nfsync = off\n"
                ),
            ),
            (
                "pg_hba.conf",
                "local all all trust\nhost all all 127.0.0.1/32 trust\n".to_owned(),
            ),
            ("pg_ident.conf", String::new()),
        ] {
            std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{e}"));
        }
        let owned = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(owned);
        // PostgreSQL refuses a data directory others may read.
        let private = Command::new("chmod")
            .arg("0700")
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(private);
        let log = std::fs::File::create(
            std::env::temp_dir().join(format!("xiangzhu-standby-{port}.log")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let postmaster = as_postgres(&pg_bin("postgres"))
            .arg("-D")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting the standby: {e}"));
        let standby = Self {
            postmaster,
            dir,
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while PgConnection::establish(&standby.url("postgres")).is_err() {
            assert!(
                Instant::now() < deadline,
                "the standby did not come up: {}",
                std::fs::read_to_string(
                    std::env::temp_dir().join(format!("xiangzhu-standby-{port}.log"))
                )
                .unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        standby
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn run(&self, sql: &str) {
        PgConnection::establish(&self.url("postgres"))
            .and_then(|mut c| {
                c.batch_execute(sql)
                    .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
            })
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

impl Drop for Standby {
    fn drop(&mut self) {
        // A fast shutdown, waited for: `runuser` is not the postmaster, so a signal to
        // it would not say when PostgreSQL has stopped.
        let _ = as_postgres(&pg_bin("pg_ctl"))
            .args(["stop", "-m", "fast", "-w", "-t", "30", "-D"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.postmaster.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.postmaster.kill();
        let _ = self.postmaster.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(
            std::env::temp_dir().join(format!("xiangzhu-standby-{}.log", self.port)),
        );
    }
}

async fn count(app: &TestApp, token: &str) -> usize {
    let r = app.get(token, "/api/v1/persons?limit=500").await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().map(Vec::len).unwrap_or_default()
}

#[actix_web::test]
async fn lagging_reads_go_to_the_replica_and_own_writes_stay_on_the_primary() {
    let mut app = TestApp::new(Backend::Postgres).await;
    PersonBuilder::new().county("430381").create(&app);
    let standby = actix_web::web::block(Standby::start)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let db = app.url.rsplit('/').next().unwrap_or_default().to_owned();
    let replica = super::connect_replica(&standby.url(&db), 4).unwrap_or_else(|e| panic!("{e}"));
    app.state = actix_web::web::Data::new(crate::state::AppState {
        read_pool: Some(replica),
        ..app.state.get_ref().clone()
    });
    let leader = app.token("leader").await;
    let staff = app.token("xiangxiang.staff").await;
    assert_eq!(count(&app, &leader).await, 1);

    // Replay stops: what is written now reaches the primary only.
    standby.run("SELECT pg_wal_replay_pause()");
    let created = app
        .post(
            &staff,
            "/api/v1/persons",
            PersonBuilder::new().county("430381").json(),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    // The writer reads their own write (the primary: the replica has not replayed it)…
    assert_eq!(count(&app, &staff).await, 2);
    // …someone who wrote nothing reads the replica, which has not seen it yet.
    assert_eq!(count(&app, &leader).await, 1, "the leader read the replica");
    // The reads sent to the replica write nothing: each answers from a read-only standby.
    for path in [
        "/api/v1/kpi/employment?year=2020",
        "/api/v1/kpi/rehab?year=2020",
        "/api/v1/kpi/retrofits?year=2020",
        "/api/v1/kpi/rectification",
        "/api/v1/kpi/care?year=2020",
        "/api/v1/kpi/petitions?year=2020",
        "/api/v1/kpi/pairing",
        "/api/v1/kpi/inspections?year=2020",
    ] {
        let r = app.get(&leader, path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert_ne!(r.body, Value::Null, "{path}");
    }

    // Replay resumes: the replica catches up and the leader sees the new person.
    standby.run("SELECT pg_wal_replay_resume()");
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&app, &leader).await != 2 {
        assert!(Instant::now() < deadline, "the replica never caught up");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    // A replica that is gone: reads go to the primary.
    drop(standby);
    assert_eq!(count(&app, &leader).await, 2);
    assert_eq!(count(&app, &staff).await, 2);
}
