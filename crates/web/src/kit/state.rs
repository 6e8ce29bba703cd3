//! What every handler shares.

use crate::kit::metrics::Metrics;
use crate::kit::throttle::Throttle;
use hocvuso_core::crypto::PidVault;
use hocvuso_db::Db;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What the web layer needs from configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Uploads larger than this are refused with 413 before they are read.
    pub max_upload_bytes: usize,
    /// Served behind TLS: cookies get `Secure` and responses carry HSTS.
    pub behind_tls: bool,
    /// A reverse proxy in front sets `X-Forwarded-For`; only then is that header believed.
    pub trust_proxy: bool,
    /// Where uploaded import files wait for the background checker.
    pub upload_dir: PathBuf,
    pub request_timeout: Duration,
    /// When set, `/metrics` requires `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    /// The use cases: every change and every read of personal data goes through them (and the
    /// nudge for this process's job runner).
    pub app: hocvuso_app::App,
    pub db: Db,
    pub vault: Arc<PidVault>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    pub throttle: Arc<Throttle>,
}
