//! Who is asking: the session cookie or the API token (bearer) turned into a [`Viewer`] with the
//! account's roles as a [`Principal`]; cookies, the client's address and safe redirects.

use crate::kit::problem::Problem;
use crate::kit::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hocvuso_core::access::{Principal, RoleOn};
use hocvuso_db::accounts::{self, Account, Grant};
use hocvuso_db::audit::Actor;
use hocvuso_db::sessions;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "hvs_session";

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The client address: the socket peer, or — only when configured to sit behind a reverse proxy —
/// the first `X-Forwarded-For` hop. Trusting the header otherwise would let anyone choose the
/// address that rate limits count and the audit log records.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(f) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(first) = f.split(',').next()
    {
        return first.trim().chars().take(64).collect();
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The signed-in account, its grants and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub account: Account,
    pub grants: Vec<Grant>,
    /// The account's roles as the access rules read them: every check goes through it.
    pub principal: Principal,
    pub csrf: String,
    pub session_token: Option<String>,
    pub ip: String,
}

impl Viewer {
    pub fn actor(&self) -> Actor {
        Actor {
            account_id: Some(self.account.id),
            label: self.account.display_name.clone(),
            ip: self.ip.clone(),
        }
    }
    /// The widest scope path among the grants, for audit entries about the viewer themself.
    pub fn home_path(&self) -> String {
        self.principal.home_path().to_string()
    }
    pub fn authorize_account(&self, target: &[Grant]) -> Result<(), hocvuso_core::access::Denied> {
        self.principal
            .authorize_account(target.iter().map(|g| (g.role, g.unit_path.as_str())))
    }
    /// The roles of an account this viewer would act on, as the access rules read them.
    pub fn may_act_on(&self, target: &[Grant]) -> bool {
        self.principal
            .may_act_on_account(target.iter().map(|g| (g.role, g.unit_path.as_str())))
    }
}

/// The account's roles as the access rules read them. (A role this release does not know never
/// gets here: reading it fails, see `hocvuso_db::stored`.)
pub fn principal_of(account: &Account, grants: &[Grant], ip: &str) -> Principal {
    let roles = grants
        .iter()
        .map(|g| RoleOn {
            role: g.role,
            unit_path: g.unit_path.clone(),
        })
        .collect();
    Principal::account(account.id, &account.display_name, ip, roles).for_person(account.person_id)
}

async fn load_viewer(state: &AppState, parts: &Parts) -> Result<Option<Viewer>, Problem> {
    let ip = client_ip(parts, state.config.trust_proxy);
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let Some(token) = auth.strip_prefix("Bearer ") else {
            return Err(Problem::unauthorized());
        };
        let Some(account) = accounts::account_for_token(&state.db, token.trim()).await? else {
            return Err(Problem::unauthorized());
        };
        if !account.active {
            return Err(Problem::unauthorized());
        }
        let grants = accounts::grants(&state.db, account.id).await?;
        return Ok(Some(Viewer {
            principal: principal_of(&account, &grants, &ip),
            account,
            grants,
            csrf: String::new(),
            session_token: None,
            ip,
        }));
    }
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some((session, account, grants)) = sessions::signed_in(&state.db, &token).await? else {
        return Ok(None);
    };
    if !account.active {
        return Ok(None);
    }
    sessions::touch(&state.db, &token, &session).await?;
    Ok(Some(Viewer {
        principal: principal_of(&account, &grants, &ip),
        account,
        grants,
        csrf: session.csrf_token,
        session_token: Some(token),
        ip,
    }))
}

/// The viewer, if signed in.
pub struct MaybeViewer(pub Option<Viewer>);

impl FromRequestParts<AppState> for MaybeViewer {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(v) = parts.extensions.get::<Viewer>() {
            return Ok(MaybeViewer(Some(v.clone())));
        }
        let v = load_viewer(state, parts).await?;
        if let Some(v) = &v {
            parts.extensions.insert(v.clone());
        }
        Ok(MaybeViewer(v))
    }
}

/// Sends anonymous page visitors to the sign-in page, API clients a 401; and anyone who must change
/// their password to the password page first.
pub enum AuthRejection {
    Problem(Problem),
    Login(String),
    ChangePassword,
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Problem(p) => p.into_response(),
            AuthRejection::Login(next) => Redirect::to(&format!(
                "/login?next={}",
                serde_urlencoded::to_string([("", next)])
                    .unwrap_or_default()
                    .trim_start_matches('=')
            ))
            .into_response(),
            AuthRejection::ChangePassword => Redirect::to("/account/password").into_response(),
        }
    }
}

/// The path as the client sent it (nested routers see only the rest of it).
pub fn request_path(parts: &Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.0.path().to_string())
        .unwrap_or_else(|| parts.uri.path().to_string())
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AuthRejection;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let full_path = request_path(parts);
        let is_api = full_path.starts_with("/api/");
        let MaybeViewer(v) = MaybeViewer::from_request_parts(parts, state)
            .await
            .map_err(AuthRejection::Problem)?;
        let Some(v) = v else {
            return Err(if is_api {
                AuthRejection::Problem(Problem::unauthorized())
            } else {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "/".into());
                AuthRejection::Login(next)
            });
        };
        if v.account.must_change_password && !matches!(full_path.as_str(), "/account/password" | "/logout") {
            return Err(if is_api {
                AuthRejection::Problem(Problem::new(StatusCode::FORBIDDEN, "err-must-change-password"))
            } else {
                AuthRejection::ChangePassword
            });
        }
        Ok(v)
    }
}

/// Sign-in throttling, in memory (see docs/DECISIONS.md, "Login throttling"). Three counters:
/// - per (login, address): after [`MAX_FAILURES`] failures that pair waits [`LOCK_FOR`] — one
///   address cannot guess more than a few passwords of one account;
/// - per login, from every address: after [`LOGIN_MAX_FAILURES`] failures in [`LOGIN_WINDOW`]
///   only addresses that have signed in to it successfully before are heard — a botnet cannot
///   guess at scale, yet no one can lock the real user out of their usual place, and a correct
///   password from a new address passes as long as the account is not under a mass attack;
/// - per address: [`IP_MAX_ATTEMPTS`] attempts in [`IP_WINDOW`], whatever the login.
///
/// The login is counted under its normalised form (a phone in one spelling, an ID number as its
/// blind index), and the same counters and answers apply whether or not the account exists, so
/// neither the status nor the message tells which logins exist.
/// The request parts, for handlers that need headers beyond the extractors.
pub struct Parts0(pub Parts);
impl<S: Send + Sync> FromRequestParts<S> for Parts0 {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Parts0(parts.clone()))
    }
}

/// Only same-site paths are followed after sign-in or a language switch: a single `/` then a
/// path. Refused (and replaced by `/`): `//host` and `/\\host` (browsers read both as another
/// site), any control character (`/%09/evil.com` arrives here as `/<TAB>/evil.com`, which browsers
/// strip to `//evil.com`; a newline cannot go into a header at all), and the same shapes once more
/// percent-encoded, so a later decoding cannot make them either. Spaces and non-ASCII letters (a
/// search for "Nguyễn Văn") are percent-encoded, so the header stays valid.
pub fn safe_next(next: Option<&str>) -> String {
    fn same_site(n: &str) -> bool {
        let b = n.as_bytes();
        n.len() < 500
            && b.first() == Some(&b'/')
            && !matches!(b.get(1), Some(b'/' | b'\\'))
            && !n.chars().any(|c| c.is_control() || c == '\\')
    }
    match next {
        Some(n) if same_site(n) && same_site(&percent_decode(n)) => {
            let mut out = String::with_capacity(n.len());
            for &c in n.as_bytes() {
                if c.is_ascii_graphic() {
                    out.push(c as char);
                } else {
                    out.push_str(&format!("%{c:02X}"));
                }
            }
            out
        }
        _ => "/".into(),
    }
}

/// One round of percent-decoding, bytes that do not decode kept as they are.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
