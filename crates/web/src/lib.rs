//! The HTTP face of hocvuso: server-rendered pages that work without JavaScript, the JSON API
//! under `/api/v1`, sessions and CSRF, and the middleware that every request passes through.
//!
//! A request flows: security headers → request id → compression → timeout → metrics →
//! error rendering (HTML page or problem+json) → the route's handler, which parses input, asks
//! [`authz`] whether the viewer may act on the unit, calls `hocvuso_db`, and renders a page struct.

pub mod api;
pub mod auth;
pub mod csrf;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod ops;
pub mod pages;
pub mod routes;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use hocvuso_core::crypto::PidVault;
use hocvuso_db::Db;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

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
    /// The use cases: every change and every read of personal data goes through them.
    pub app: hocvuso_app::App,
    pub db: Db,
    pub vault: Arc<PidVault>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<ops::Metrics>,
    pub throttle: Arc<auth::Throttle>,
    pub jobs: jobs::JobQueue,
}

/// Every route of the application, with the table of its paths (see [`routes::Routes`]).
pub fn routes() -> routes::Routes {
    routes::Routes::new()
        .merge(pages::router())
        .merge(auth::router())
        .nest("/api", api::router())
        .merge(ops::router())
}

/// Builds the whole application router.
pub fn router(state: AppState) -> Router {
    let max_upload = state.config.max_upload_bytes;
    let timeout = state.config.request_timeout;
    routes()
        .into_router()
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::count_requests))
        .layer(DefaultBodyLimit::max(max_upload))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::security_headers,
        ))
        .with_state(state)
}
