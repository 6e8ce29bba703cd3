//! The HTTP face of hocvuso: server-rendered pages that work without JavaScript, the JSON API
//! under `/api/v1`, sessions and CSRF, and the middleware that every request passes through.
//!
//! [`kit`] is what every feature shares and imports no feature. Each feature (`units`, `people`,
//! `imports`, `learning`, `assessment`, `certificates`, `authoring`, `question_bank`, `frameworks`, `audit`, `access`, `me`, `auth`, `home`, `offline`, `ops`) is a folder with its `router()`,
//! its navigation entries, thin handlers (extract → one use case of `hocvuso_app` → view) and
//! its API endpoints; no feature imports another. This file is the one place that names them:
//! it merges their routers, their API descriptions and their navigation.
//!
//! A request flows: security headers → request id → compression → timeout → metrics →
//! error rendering (HTML page or problem+json) → the feature's handler.

pub mod kit;

pub mod access;
pub mod api;
pub mod assessment;
pub mod audit;
pub mod auth;
pub mod authoring;
pub mod certificates;
pub mod frameworks;
pub mod home;
pub mod imports;
pub mod learning;
pub mod me;
pub mod offline;
pub mod ops;
pub mod people;
pub mod question_bank;
pub mod units;

pub use kit::state::{AppState, WebConfig};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

/// The navigation, in the order shown: each feature's entries for the viewer.
const NAVIGATION: &[kit::layout::NavFn] = &[
    home::nav,
    learning::nav,
    assessment::nav,
    authoring::nav,
    question_bank::nav,
    frameworks::nav,
    units::nav,
    audit::nav,
    access::nav,
    me::nav,
];

/// Every route of the application, with the table of its paths and who may reach each (see
/// [`kit::routes::Routes`]).
pub fn routes() -> kit::routes::Routes {
    kit::layout::install_navigation(NAVIGATION);
    let api = api::router(vec![
        (units::api::router(), <units::api::Doc as utoipa::OpenApi>::openapi()),
        (people::api::router(), <people::api::Doc as utoipa::OpenApi>::openapi()),
        (
            imports::api::router(),
            <imports::api::Doc as utoipa::OpenApi>::openapi(),
        ),
        (
            learning::api::router(),
            <learning::api::Doc as utoipa::OpenApi>::openapi(),
        ),
        (
            certificates::api::router(),
            <certificates::api::Doc as utoipa::OpenApi>::openapi(),
        ),
    ]);
    kit::routes::Routes::new()
        .merge(home::router())
        .merge(units::router())
        .merge(people::router())
        .merge(imports::router())
        .merge(learning::router())
        .merge(assessment::router())
        .merge(certificates::router())
        .merge(authoring::router())
        .merge(question_bank::router())
        .merge(frameworks::router())
        .merge(audit::router())
        .merge(access::router())
        .merge(me::router())
        .merge(auth::router())
        .merge(offline::router())
        .nest("/api", api)
        .merge(ops::router())
}

/// Builds the whole application router.
pub fn router(state: AppState) -> Router {
    let max_upload = state.config.max_upload_bytes;
    let timeout = state.config.request_timeout;
    routes()
        .into_router()
        .fallback(kit::problem::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            kit::problem::render_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            kit::middleware::count_requests,
        ))
        .layer(DefaultBodyLimit::max(max_upload))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(CompressionLayer::new().compress_when(kit::middleware::compressible()))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            kit::middleware::security_headers,
        ))
        .with_state(state)
}

#[cfg(test)]
mod boundaries {
    use std::path::{Path, PathBuf};

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The kit imports nothing but itself; a feature imports the kit and itself, never another
    /// feature. Only the crate root names features. Read from the source tree, so a new feature
    /// folder is held to it without being listed.
    #[test]
    fn the_kit_is_a_leaf_and_features_do_not_import_each_other() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut breaches = Vec::new();
        for f in files {
            let rel = f.strip_prefix(&src).unwrap_or(&f);
            if rel == Path::new("lib.rs") {
                continue;
            }
            let owner = rel
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .unwrap_or("")
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for (n, line) in text.lines().enumerate() {
                for (i, _) in line.match_indices("crate::") {
                    let name: String = line[i + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    let allowed = name == "kit" || (owner != "kit" && name == owner);
                    if !allowed {
                        breaches.push(format!("{}:{}: crate::{name}", rel.display(), n + 1));
                    }
                }
            }
        }
        assert!(
            breaches.is_empty(),
            "imports across the web layer's boundaries: {breaches:#?}"
        );
    }
}
