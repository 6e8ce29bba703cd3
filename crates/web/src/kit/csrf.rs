//! CSRF protection for every state-changing form. Signed-in forms carry the session's token in a
//! hidden `_csrf` field; anonymous forms (sign-in) use a double-submit cookie. A missing or stale
//! token is refused with 403 and a message that says to reload the page.

use crate::kit::problem::Problem;
use crate::kit::state::AppState;
use crate::kit::viewer::{AuthRejection, Viewer, cookie, set_cookie};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hocvuso_core::crypto::{random_token, same_secret};
use serde::de::DeserializeOwned;

pub const ANON_COOKIE: &str = "hvs_csrf";

/// The anonymous token of this browser, creating one (and its cookie) on first visit.
pub fn anonymous_token(parts: &Parts) -> (String, Option<HeaderValue>) {
    match cookie(&parts.headers, ANON_COOKIE) {
        Some(t) if t.len() >= 32 => (t, None),
        _ => {
            let t = random_token();
            let c = set_cookie(ANON_COOKIE, &t, 60 * 60 * 24, false);
            (t, Some(c))
        }
    }
}

fn field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_urlencoded::from_bytes(body).map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "err-form"))
}

/// A form posted without a session (sign-in), checked against the double-submit cookie.
pub struct AnonForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for AnonForm<T> {
    type Rejection = Problem;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|_| Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "error-413"))?;
        let sent = field(&bytes, "_csrf").unwrap_or_default();
        let expected = cookie(&parts.headers, ANON_COOKIE).unwrap_or_default();
        if expected.is_empty() || !same_secret(&sent, &expected) {
            return Err(Problem::new(StatusCode::FORBIDDEN, "err-csrf"));
        }
        Ok(AnonForm(parse(&bytes)?))
    }
}

/// A form posted by a signed-in viewer, checked against the session's token.
pub struct CsrfForm<T>(pub Viewer, pub T);

pub enum CsrfRejection {
    Auth(AuthRejection),
    Problem(Problem),
}

impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        match self {
            CsrfRejection::Auth(a) => a.into_response(),
            CsrfRejection::Problem(p) => p.into_response(),
        }
    }
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = CsrfRejection;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state)
            .await
            .map_err(CsrfRejection::Auth)?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| CsrfRejection::Problem(Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "error-413")))?;
        check(&viewer, &field(&bytes, "_csrf").unwrap_or_default()).map_err(CsrfRejection::Problem)?;
        let value = parse(&bytes).map_err(CsrfRejection::Problem)?;
        Ok(CsrfForm(viewer, value))
    }
}

/// Checks a token sent by a signed-in viewer. Bearer-token clients send no cookies, so they need
/// none.
pub fn check(viewer: &Viewer, sent: &str) -> Result<(), Problem> {
    if viewer.session_token.is_none() {
        return Ok(());
    }
    if sent.is_empty() || !same_secret(sent, &viewer.csrf) {
        return Err(Problem::new(StatusCode::FORBIDDEN, "err-csrf"));
    }
    Ok(())
}
