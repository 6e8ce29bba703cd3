//! What every response passes through: security headers and request counting.

use crate::kit::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::Ordering;
use std::time::Instant;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};

/// What the compression layer may compress: not media, which is compressed already, and whose
/// whole answers must keep `Accept-Ranges` (the layer drops it from what it compresses).
pub fn compressible() -> impl Predicate {
    DefaultPredicate::new()
        .and(NotForContentType::const_new("audio/"))
        .and(NotForContentType::const_new("video/"))
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
