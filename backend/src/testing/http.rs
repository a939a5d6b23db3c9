//! What benchmarks and process-level tests need to drive the real server binary: a
//! keep-alive HTTP/1.1 client (one connection, blocking, no allocation per request
//! beyond the answer) and the server as a child process, with its resident memory.
//!
//! Deliberately small: answers with `Content-Length` only, which is all the API sends
//! to a client that does not ask for compression.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A keep-alive HTTP/1.1 connection.
#[derive(Debug)]
pub struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    /// Connects to `addr` (`host:port`).
    pub fn connect(addr: &str) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Self {
            reader: BufReader::new(stream),
        })
    }

    /// Sends one request and reads its answer: the status and the body's bytes.
    /// `headers` are extra header lines, each ending in `\r\n`.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &str,
        content_type: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: {content_type}\r\n\
             Content-Length: {}\r\n{headers}\r\n",
            body.len()
        );
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(format!("bad status line {line:?}")))?;
        let mut length = 0;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(bad("the connection closed in the headers".into()));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
                if name.eq_ignore_ascii_case("transfer-encoding") {
                    return Err(bad("chunked answers are not supported".into()));
                }
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok((status, body))
    }

    /// A JSON request; panics when the connection fails (for tests and benchmarks,
    /// where that ends the run).
    pub fn request(&mut self, method: &str, path: &str, headers: &str, body: &str) -> (u16, Value) {
        let (status, bytes) = self
            .send(method, path, headers, "application/json", body.as_bytes())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// `GET path`, with the access token when given.
    pub fn get(&mut self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.request("GET", path, &bearer(token), "")
    }

    /// Logs in from the client address `from` (the server must trust the caller as a
    /// proxy, so that the per-address throttle does not stop a benchmark); retries while
    /// the hashing queue is full. Returns the status, the body and how many 503s it took.
    pub fn login(&mut self, username: &str, password: &str, from: usize) -> (u16, Value, usize) {
        let xff = format!(
            "X-Forwarded-For: 10.{}.{}.{}\r\n",
            (from >> 16) & 255,
            (from >> 8) & 255,
            from & 255
        );
        let body = json!({"username": username, "password": password}).to_string();
        let mut busy = 0;
        loop {
            let (status, value) = self.request("POST", "/api/v1/auth/login", &xff, &body);
            if status != 503 {
                return (status, value, busy);
            }
            busy += 1;
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The `Authorization` header line for a token, or nothing.
pub fn bearer(token: Option<&str>) -> String {
    token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"))
}

/// A free TCP port on 127.0.0.1 (free when asked; good enough for a child server).
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The `q` quantile (0–1) of sorted latencies, in milliseconds (nearest rank).
pub fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (sorted.len() as f64 * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// The server binary running as a child process; killed on drop.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    /// `host:port` it listens on.
    pub addr: String,
    /// Its working directory (data directory, log).
    pub dir: PathBuf,
}

/// The secrets a benchmark or process test gives the server (PostgreSQL refuses to
/// start without them).
pub const BENCH_SECRETS: [(&str, &str); 2] = [
    ("XIANGZHU_JWT_SECRET", "xiangzhu-bench-secret-of-32-bytes!!"),
    (
        "XIANGZHU_PII_KEY",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    ),
];

impl ServerProcess {
    /// Starts `bin` on `database_url` in `dir` (created), on a free port, trusting
    /// 127.0.0.1 as a proxy, with the bench secrets and `env`; waits until `/healthz`
    /// answers 200 (two minutes at most).
    pub fn start(
        bin: &Path,
        database_url: &str,
        dir: &Path,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let addr = format!("127.0.0.1:{}", free_port()?);
        let log = std::fs::File::create(dir.join("server.log"))?;
        let mut cmd = Command::new(bin);
        cmd.env("DATABASE_URL", database_url)
            .env("XIANGZHU_BIND", &addr)
            .env("XIANGZHU_DATA_DIR", dir.join("data"))
            .env("XIANGZHU_STATIC_DIR", dir.join("no-spa"))
            .env("XIANGZHU_TRUSTED_PROXIES", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .envs(BENCH_SECRETS)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log);
        let child = cmd
            .spawn()
            .map_err(|e| anyhow::anyhow!("starting {}: {e}", bin.display()))?;
        let server = Self {
            child,
            addr,
            dir: dir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(mut c) = Client::connect(&server.addr) {
                if c.send("GET", "/healthz", "", "text/plain", b"")
                    .is_ok_and(|(s, _)| s == 200)
                {
                    return Ok(server);
                }
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the server did not come up; see {}",
                server.dir.join("server.log").display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `VmRSS` in bytes and `Threads` of the server process.
    pub fn status(&self) -> anyhow::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| anyhow::anyhow!("no {name} in the server's status"))
        };
        Ok((field("VmRSS:")? * 1024, field("Threads:")?))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
