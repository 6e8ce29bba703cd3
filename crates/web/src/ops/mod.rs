//! Operations: `/healthz`, `/metrics` (Prometheus text), the stylesheet, security headers and
//! request counting.

use crate::kit::routes::Access;
use crate::kit::state::AppState;
use crate::kit::style::{STYLESHEET, STYLESHEET_PATH};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hocvuso_app::jobs::Job;
use std::sync::atomic::{AtomicU64, Ordering};

pub fn router() -> crate::kit::routes::Routes {
    crate::kit::routes::Routes::new()
        .route("/healthz", Access::Public, get(healthz))
        .route("/metrics", Access::Public, get(metrics))
        .route(STYLESHEET_PATH, Access::Public, get(stylesheet))
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            let mut r = (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            r
        }
    }
}

/// `/metrics` answers only a scraper that presents the configured token (`HOCVUSO_METRICS_TOKEN`)
/// as a bearer token, when one is configured; without one it is open, as before.
fn metrics_allowed(state: &AppState, headers: &axum::http::HeaderMap) -> bool {
    let Some(expected) = state.config.metrics_token.as_deref() else {
        return true;
    };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|sent| hocvuso_core::crypto::same_secret(sent.trim(), expected))
}

async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if !metrics_allowed(&state, &headers) {
        let mut r = (StatusCode::UNAUTHORIZED, "metrics need the configured bearer token\n").into_response();
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        r.extensions_mut().insert(crate::kit::problem::Rendered);
        return r;
    }
    let m = &state.metrics;
    let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let body = format!(
        "# HELP hocvuso_http_requests_total HTTP requests served.\n\
         # TYPE hocvuso_http_requests_total counter\n\
         hocvuso_http_requests_total {}\n\
         # HELP hocvuso_http_responses_total HTTP responses by status class.\n\
         # TYPE hocvuso_http_responses_total counter\n\
         hocvuso_http_responses_total{{class=\"2xx\"}} {}\n\
         hocvuso_http_responses_total{{class=\"3xx\"}} {}\n\
         hocvuso_http_responses_total{{class=\"4xx\"}} {}\n\
         hocvuso_http_responses_total{{class=\"5xx\"}} {}\n\
         # HELP hocvuso_http_request_duration_seconds_sum Total time spent serving requests.\n\
         # TYPE hocvuso_http_request_duration_seconds_sum counter\n\
         hocvuso_http_request_duration_seconds_sum {:.6}\n\
         {}\
         {}\
         # HELP hocvuso_database_backend Database in use.\n\
         # TYPE hocvuso_database_backend gauge\n\
         hocvuso_database_backend{{backend=\"{}\"}} 1\n",
        g(&m.requests),
        g(&m.responses_2xx),
        g(&m.responses_3xx),
        g(&m.responses_4xx),
        g(&m.responses_5xx),
        g(&m.duration_us) as f64 / 1e6,
        jobs_metrics(&state).await,
        reader_metrics(&state),
        match state.db.backend() {
            hocvuso_db::Backend::Sqlite => "sqlite",
            hocvuso_db::Backend::Postgres => "postgres",
        },
    );
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

/// The process's one spreadsheet reader (`hocvuso_app::reading`): reads done, requests refused
/// because it stayed busy past their wait, and reads waiting for it now.
fn reader_metrics(state: &AppState) -> String {
    let c = state.app.reader.counts();
    format!(
        "# HELP hocvuso_upload_reads_total Spreadsheet uploads read and checked (one at a time).\n\
         # TYPE hocvuso_upload_reads_total counter\n\
         hocvuso_upload_reads_total {}\n\
         # HELP hocvuso_upload_reads_refused_busy_total Uploads answered 503: another was being read past their wait.\n\
         # TYPE hocvuso_upload_reads_refused_busy_total counter\n\
         hocvuso_upload_reads_refused_busy_total {}\n\
         # HELP hocvuso_upload_reads_waiting Uploads waiting for the reader now.\n\
         # TYPE hocvuso_upload_reads_waiting gauge\n\
         hocvuso_upload_reads_waiting {}\n",
        c.done, c.refused_busy, c.waiting
    )
}

/// The queue's jobs by kind and status (every kind the application knows, zeros included), and the
/// finished imports by outcome as before the queue: done = applies done, failed = stages failed.
async fn jobs_metrics(state: &AppState) -> String {
    use hocvuso_app::imports::{ApplyImport, CheckImport};
    use hocvuso_db::jobs::Status;
    let counts = match hocvuso_app::jobs::counts(&state.db, &hocvuso_app::jobs::registry()).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot count jobs for the metrics");
            return String::new();
        }
    };
    let mut out = String::from(
        "# HELP hocvuso_jobs Background jobs in the queue by kind and status.\n\
         # TYPE hocvuso_jobs gauge\n",
    );
    let (mut done, mut failed) = (0, 0);
    for k in &counts {
        for (status, n) in k.by_status {
            out.push_str(&format!(
                "hocvuso_jobs{{kind=\"{}\",status=\"{}\"}} {n}\n",
                label_value(&k.kind),
                status.as_str()
            ));
            match (k.kind.as_str(), status) {
                (ApplyImport::KIND, Status::Done) => done += n,
                (ApplyImport::KIND | CheckImport::KIND, Status::Failed) => failed += n,
                _ => {}
            }
        }
    }
    out.push_str(&format!(
        "# HELP hocvuso_imports_total Finished background imports by outcome.\n\
         # TYPE hocvuso_imports_total counter\n\
         hocvuso_imports_total{{outcome=\"done\"}} {done}\n\
         hocvuso_imports_total{{outcome=\"failed\"}} {failed}\n"
    ));
    out
}

/// A Prometheus label value: backslash, quote and newline escaped (a kind stored by another
/// release is not trusted to be plain).
fn label_value(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

async fn stylesheet() -> Response {
    let mut r = STYLESHEET.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    r
}
