//! Configuration from the environment (DOMAIN.md, "Running it"), and the secrets kept in
//! the data directory when they are not configured.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::RngCore;

/// Settings of a running server.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// `postgres://…`, or a SQLite path or `sqlite://` URL; default `<data dir>/xiangzhu.db`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// A PostgreSQL streaming replica of `DATABASE_URL` for reads that tolerate a little
    /// lag (KPIs, dashboards, large lists); a user's reads after their own write stay on
    /// the primary until the replica has replayed it.
    #[arg(long, env = "DATABASE_READ_URL")]
    pub database_read_url: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "XIANGZHU_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Directory for the SQLite database and generated secrets.
    #[arg(long, env = "XIANGZHU_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Secret for signing access tokens (at least 32 bytes); generated when unset.
    #[arg(long, env = "XIANGZHU_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Base64 of the 32-byte key protecting identity numbers; generated when unset.
    #[arg(long, env = "XIANGZHU_PII_KEY", hide_env_values = true)]
    pub pii_key: Option<String>,
    /// Seed the demo accounts (published password) and synthetic persons if the database
    /// has no users yet. Off unless asked for; `cargo xtask run` asks.
    #[arg(long, env = "XIANGZHU_DEMO")]
    pub demo: bool,
    /// Directory of the built SPA to serve at `/` (skipped when missing).
    #[arg(long, env = "XIANGZHU_STATIC_DIR", default_value = "./frontend/dist")]
    pub static_dir: PathBuf,
    /// Largest number of pooled database connections.
    #[arg(long, env = "XIANGZHU_DB_POOL", default_value_t = 16)]
    pub db_pool: u32,
    /// Reverse proxies whose `X-Forwarded-For` header names the client (comma-separated
    /// addresses or CIDR networks, e.g. `127.0.0.1,10.0.0.0/8`). Without it the header
    /// is ignored and the direct peer is the client, for login throttling and the audit.
    #[arg(long, env = "XIANGZHU_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<crate::auth::client::ProxyNet>,
    /// Keep the bytes of attachments (photos, scans) as files under this directory
    /// instead of in the database. Every replica must mount the same directory, and it
    /// is backed up apart from the database. Unset: in the database.
    #[arg(long, env = "XIANGZHU_ATTACHMENTS_DIR")]
    pub attachments_dir: Option<PathBuf>,
    /// Address of a second listener that serves Prometheus metrics at `/metrics` (e.g.
    /// `127.0.0.1:9464`); keep it off public networks. Unset: no metrics listener. The
    /// main address never serves metrics.
    #[arg(long, env = "XIANGZHU_METRICS_BIND")]
    pub metrics_bind: Option<String>,
}

impl Config {
    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            self.data_dir
                .join("xiangzhu.db")
                .to_string_lossy()
                .into_owned()
        })
    }

    /// True when running on the embedded default (no `DATABASE_URL`).
    pub fn is_embedded_default(&self) -> bool {
        self.database_url.is_none()
    }
}

/// The secrets the server needs, from configuration or the data directory.
#[derive(Clone)]
pub struct Secrets {
    /// HMAC key for access tokens.
    pub jwt: Vec<u8>,
    /// Master key for identity numbers.
    pub pii: [u8; 32],
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

impl Secrets {
    /// Takes the configured secrets, or on SQLite reads them from (or generates them into)
    /// the data directory on first start. On PostgreSQL both must be configured: several
    /// replicas share the database, and one that generated its own key would sign tokens
    /// the others refuse and write identity numbers no other can read.
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        if crate::db::DbKind::of(&config.database_url()) == crate::db::DbKind::Postgres {
            for (name, set) in [
                ("XIANGZHU_JWT_SECRET", config.jwt_secret.is_some()),
                ("XIANGZHU_PII_KEY", config.pii_key.is_some()),
            ] {
                if !set {
                    anyhow::bail!(
                        "{name} must be set on PostgreSQL: every replica uses the same \
                         secrets, so none generates its own (a key an earlier version \
                         generated is in the data directory: jwt.secret, pii.key)"
                    );
                }
            }
        }
        create_private_dir(&config.data_dir)?;
        let jwt = match &config.jwt_secret {
            Some(s) if s.len() >= 32 => s.as_bytes().to_vec(),
            Some(_) => anyhow::bail!("XIANGZHU_JWT_SECRET must be at least 32 bytes"),
            None => B64.decode(read_or_generate(&config.data_dir.join("jwt.secret"))?.trim())?,
        };
        let pii_b64 = match &config.pii_key {
            Some(s) => s.clone(),
            None => read_or_generate(&config.data_dir.join("pii.key"))?,
        };
        let pii: [u8; 32] = B64
            .decode(pii_b64.trim())?
            .try_into()
            .map_err(|_| anyhow::anyhow!("XIANGZHU_PII_KEY must be base64 of exactly 32 bytes"))?;
        Ok(Self { jwt, pii })
    }
}

fn read_or_generate(path: &Path) -> anyhow::Result<String> {
    if path.exists() {
        return Ok(std::fs::read_to_string(path)?);
    }
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let text = B64.encode(key);
    write_private(path, &text)?;
    tracing::info!(path = %path.display(), "generated a new secret");
    Ok(text)
}

/// Creates `dir` if missing and makes it readable by its owner only (0700): it holds the
/// database and the keys.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Creates an empty file readable and writable by its owner only (0600).
pub fn create_private_file(path: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?;
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text)?;
    Ok(())
}
