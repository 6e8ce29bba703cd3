//! Operations: `/healthz`, `/metrics` (Prometheus text), the stylesheet, security headers and
//! request counting.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hocvuso_app::jobs::Job;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[derive(Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub responses_2xx: AtomicU64,
    pub responses_3xx: AtomicU64,
    pub responses_4xx: AtomicU64,
    pub responses_5xx: AtomicU64,
    pub server_errors: AtomicU64,
    /// Sum of request durations in microseconds, for an average.
    pub duration_us: AtomicU64,
}

pub fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route(STYLESHEET_PATH, get(stylesheet))
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
        r.extensions_mut().insert(crate::error::Rendered);
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

/// The queue's jobs by kind and status (every kind the application knows, zeros included), and the
/// finished imports by outcome as before the queue: done = applies done, failed = stages failed.
async fn jobs_metrics(state: &AppState) -> String {
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
                (hocvuso_app::imports::ApplyImport::KIND, Status::Done) => done += n,
                (hocvuso_app::imports::ApplyImport::KIND | hocvuso_app::imports::CheckImport::KIND, Status::Failed) => {
                    failed += n
                }
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

pub async fn count_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let r = next.run(req).await;
    let m = &state.metrics;
    m.requests.fetch_add(1, Ordering::Relaxed);
    let class = match r.status().as_u16() {
        200..=299 => &m.responses_2xx,
        300..=399 => &m.responses_3xx,
        400..=499 => &m.responses_4xx,
        _ => &m.responses_5xx,
    };
    class.fetch_add(1, Ordering::Relaxed);
    m.duration_us
        .fetch_add(start.elapsed().as_micros() as u64, Ordering::Relaxed);
    r
}

/// The stylesheet's URL carries its content hash, so it can be cached forever.
pub const STYLESHEET: &str = include_str!("../static/app.css");
pub const STYLESHEET_PATH: &str = "/static/app.css";

pub fn stylesheet_url() -> &'static str {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        let h = hocvuso_core::crypto::sha256_hex(&[STYLESHEET.as_bytes()]);
        format!("{STYLESHEET_PATH}?v={}", &h[..12])
    })
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

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if state.config.behind_tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
        // Every cookie, whoever set it (session, CSRF, language, any later one), is sent back
        // only over TLS.
        let cookies: Vec<HeaderValue> = h.get_all(header::SET_COOKIE).iter().cloned().collect();
        if cookies.iter().any(|c| !has_secure(c)) {
            h.remove(header::SET_COOKIE);
            for c in cookies {
                let v = if has_secure(&c) {
                    c
                } else {
                    let mut s = c.as_bytes().to_vec();
                    s.extend_from_slice(b"; Secure");
                    HeaderValue::from_bytes(&s).unwrap_or(c)
                };
                h.append(header::SET_COOKIE, v);
            }
        }
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages carry personal data: never store them in shared caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

fn has_secure(c: &HeaderValue) -> bool {
    c.to_str()
        .map(|s| s.split(';').any(|a| a.trim().eq_ignore_ascii_case("secure")))
        .unwrap_or(false)
}
