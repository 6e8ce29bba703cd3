//! Configuration: zero needed. Everything has a default that just works; the environment and an
//! optional TOML file (`HOCVUSO_CONFIG`, else `./hocvuso.toml` if present) override it. Secrets never
//! appear in `Debug` output.

use hocvuso_core::crypto::MasterKey;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    pub secret_key: MasterKey,
    pub max_upload_bytes: usize,
    pub behind_tls: bool,
    /// Believe `X-Forwarded-For` (set when a reverse proxy is in front).
    pub trust_proxy: bool,
    /// Seed the demo province when the database is empty.
    pub demo: bool,
    pub request_timeout: Duration,
    /// `/metrics` answers only this bearer token when set.
    pub metrics_token: Option<String>,
    /// Run background jobs in this process (default). Further processes serving pages from the
    /// same PostgreSQL database may set `HOCVUSO_JOBS=false`; any number may run jobs, since claims
    /// never overlap.
    pub jobs: bool,
    /// How long an upload read in the request (village list, denominators) waits for another
    /// upload's read before it is answered 503 (one read at a time: `hocvuso_app::reading`).
    pub upload_wait: Duration,
    /// The address learners reach the platform at (`HOCVUSO_PUBLIC_URL`, default
    /// `http://<addr>`): the home of their xAPI accounts and the root of activity IRIs.
    pub public_url: String,
    /// Lessons get an audio version made with eSpeak NG (`HOCVUSO_LESSON_AUDIO`, default true):
    /// generated when a version is published, or when a lesson is first read without one.
    pub lesson_audio: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("secret_key", &"<redacted>")
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("behind_tls", &self.behind_tls)
            .field("trust_proxy", &self.trust_proxy)
            .field("demo", &self.demo)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "<redacted>"))
            .field("jobs", &self.jobs)
            .field("upload_wait", &self.upload_wait)
            .field("lesson_audio", &self.lesson_audio)
            .finish()
    }
}

/// Hides the password in a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..s + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: {problem}")]
    Invalid { name: &'static str, problem: String },
    #[error("cannot read config file {0}: {1}")]
    File(PathBuf, String),
    #[error("cannot create or use the data directory {0}: {1}")]
    DataDir(PathBuf, String),
}

/// The optional TOML file; every key mirrors an environment variable.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    data_dir: Option<String>,
    database_url: Option<String>,
    secret_key: Option<String>,
    max_upload_mb: Option<usize>,
    behind_tls: Option<bool>,
    trust_proxy: Option<bool>,
    demo: Option<bool>,
    request_timeout_secs: Option<u64>,
    metrics_token: Option<String>,
    jobs: Option<bool>,
    upload_wait_secs: Option<u64>,
    public_url: Option<String>,
    lesson_audio: Option<bool>,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Config::from_vars(&vars)
    }

    /// Builds configuration from explicit variables (tests pass their own).
    pub fn from_vars(vars: &[(String, String)]) -> Result<Config, ConfigError> {
        let get = |k: &str| {
            vars.iter()
                .rev()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.trim().is_empty())
        };
        let file_path = get("HOCVUSO_CONFIG").map(PathBuf::from).or_else(|| {
            let p = PathBuf::from("hocvuso.toml");
            p.exists().then_some(p)
        });
        let file: FileConfig = match &file_path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| ConfigError::File(p.clone(), e.to_string()))?;
                toml::from_str(&text).map_err(|e| ConfigError::File(p.clone(), e.to_string()))?
            }
            None => FileConfig::default(),
        };
        let addr_s = get("HOCVUSO_ADDR")
            .or(file.addr)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr: SocketAddr = addr_s.parse().map_err(|_| ConfigError::Invalid {
            name: "HOCVUSO_ADDR",
            problem: format!("'{addr_s}' is not host:port, e.g. 127.0.0.1:8080"),
        })?;
        let data_dir = PathBuf::from(
            get("HOCVUSO_DATA_DIR")
                .or(file.data_dir)
                .unwrap_or_else(|| "./data".into()),
        );
        std::fs::create_dir_all(&data_dir).map_err(|e| ConfigError::DataDir(data_dir.clone(), e.to_string()))?;
        let database_url = get("DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("hocvuso.db").display()));
        if !(database_url.starts_with("sqlite://")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                problem: "must start with sqlite:// or postgres://".into(),
            });
        }
        let secret_key = match get("HOCVUSO_SECRET_KEY").or(file.secret_key) {
            Some(hex) => MasterKey::from_hex(&hex).map_err(|e| ConfigError::Invalid {
                name: "HOCVUSO_SECRET_KEY",
                problem: e.to_string(),
            })?,
            None => key_file(&data_dir)?,
        };
        let parse_bool = |name: &'static str,
                          v: Option<String>,
                          fallback: Option<bool>,
                          default: bool|
         -> Result<bool, ConfigError> {
            match v.as_deref().map(str::trim).map(str::to_ascii_lowercase).as_deref() {
                None => Ok(fallback.unwrap_or(default)),
                Some("1" | "true" | "yes" | "on") => Ok(true),
                Some("0" | "false" | "no" | "off") => Ok(false),
                Some(other) => Err(ConfigError::Invalid {
                    name,
                    problem: format!("'{other}' is not true or false"),
                }),
            }
        };
        let max_mb = match get("HOCVUSO_MAX_UPLOAD_MB") {
            Some(v) => v.trim().parse::<usize>().map_err(|_| ConfigError::Invalid {
                name: "HOCVUSO_MAX_UPLOAD_MB",
                problem: format!("'{v}' is not a number of megabytes"),
            })?,
            None => file.max_upload_mb.unwrap_or(100),
        };
        let timeout = match get("HOCVUSO_REQUEST_TIMEOUT_SECS") {
            Some(v) => v.trim().parse::<u64>().map_err(|_| ConfigError::Invalid {
                name: "HOCVUSO_REQUEST_TIMEOUT_SECS",
                problem: format!("'{v}' is not a number of seconds"),
            })?,
            None => file.request_timeout_secs.unwrap_or(60),
        };
        let upload_wait = match get("HOCVUSO_UPLOAD_WAIT_SECS") {
            Some(v) => v.trim().parse::<u64>().map_err(|_| ConfigError::Invalid {
                name: "HOCVUSO_UPLOAD_WAIT_SECS",
                problem: format!("'{v}' is not a number of seconds"),
            })?,
            None => file
                .upload_wait_secs
                .unwrap_or(hocvuso_app::reading::DEFAULT_WAIT.as_secs()),
        };
        let public_url = match get("HOCVUSO_PUBLIC_URL").or(file.public_url) {
            Some(u) if !(u.starts_with("https://") || u.starts_with("http://")) => {
                return Err(ConfigError::Invalid {
                    name: "HOCVUSO_PUBLIC_URL",
                    problem: format!("'{u}' is not an http(s) address, e.g. https://hocvuso.example.gov.vn"),
                });
            }
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{addr}"),
        };
        Ok(Config {
            public_url,
            addr,
            data_dir,
            database_url,
            secret_key,
            max_upload_bytes: max_mb.max(1) * 1024 * 1024,
            behind_tls: parse_bool("HOCVUSO_BEHIND_TLS", get("HOCVUSO_BEHIND_TLS"), file.behind_tls, false)?,
            trust_proxy: parse_bool(
                "HOCVUSO_TRUST_PROXY",
                get("HOCVUSO_TRUST_PROXY"),
                file.trust_proxy,
                false,
            )?,
            demo: parse_bool("HOCVUSO_DEMO", get("HOCVUSO_DEMO"), file.demo, true)?,
            jobs: parse_bool("HOCVUSO_JOBS", get("HOCVUSO_JOBS"), file.jobs, true)?,
            lesson_audio: parse_bool(
                "HOCVUSO_LESSON_AUDIO",
                get("HOCVUSO_LESSON_AUDIO"),
                file.lesson_audio,
                true,
            )?,
            request_timeout: Duration::from_secs(timeout.max(1)),
            upload_wait: Duration::from_secs(upload_wait),
            metrics_token: match get("HOCVUSO_METRICS_TOKEN").or(file.metrics_token) {
                Some(t) if t.trim().len() < 16 => {
                    return Err(ConfigError::Invalid {
                        name: "HOCVUSO_METRICS_TOKEN",
                        problem: "use at least 16 characters (for example `openssl rand -hex 24`)".into(),
                    });
                }
                Some(t) => Some(t.trim().to_string()),
                None => None,
            },
        })
    }

    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.database_url.strip_prefix("sqlite://").map(PathBuf::from)
    }
}

/// The demo's key lives in the data directory, created on first start (mode 0600). Production
/// deployments set `HOCVUSO_SECRET_KEY` and keep it in their secret store.
fn key_file(dir: &Path) -> Result<MasterKey, ConfigError> {
    let path = dir.join("secret.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return MasterKey::from_hex(&text).map_err(|e| ConfigError::Invalid {
            name: "data/secret.key",
            problem: e.to_string(),
        });
    }
    let key = MasterKey::generate();
    // Created with mode 0600 from the start: no moment where another user could read it.
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    {
        use std::io::Write;
        let mut f = opts
            .open(&path)
            .map_err(|e| ConfigError::DataDir(dir.to_path_buf(), e.to_string()))?;
        f.write_all(key.to_hex().as_bytes())
            .map_err(|e| ConfigError::DataDir(dir.to_path_buf(), e.to_string()))?;
    }
    tracing::warn!(path = %path.display(), "generated a new secret key for personal ID encryption; back it up with the database");
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(dir: &Path, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut v = vec![("HOCVUSO_DATA_DIR".to_string(), dir.display().to_string())];
        v.extend(extra.iter().map(|(a, b)| (a.to_string(), b.to_string())));
        v
    }

    #[test]
    fn defaults_just_work() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::from_vars(&vars(dir.path(), &[])).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert!(c.database_url.starts_with("sqlite://"));
        assert!(dir.path().join("secret.key").exists());
        // The same key is read back at the next start.
        let c2 = Config::from_vars(&vars(dir.path(), &[])).unwrap();
        assert_eq!(c.secret_key.to_hex(), c2.secret_key.to_hex());
    }

    #[test]
    fn bad_values_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let e = Config::from_vars(&vars(dir.path(), &[("HOCVUSO_ADDR", "nowhere")])).unwrap_err();
        assert!(e.to_string().contains("HOCVUSO_ADDR"));
        assert!(Config::from_vars(&vars(dir.path(), &[("DATABASE_URL", "mysql://x")])).is_err());
        assert!(Config::from_vars(&vars(dir.path(), &[("HOCVUSO_DEMO", "maybe")])).is_err());
    }

    #[test]
    fn secrets_redacted() {
        assert_eq!(redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        let dir = tempfile::tempdir().unwrap();
        let c = Config::from_vars(&vars(dir.path(), &[])).unwrap();
        assert!(!format!("{c:?}").contains(&c.secret_key.to_hex()));
    }
}
