//! Who is asking: sessions (cookie) and API tokens (bearer), sign-in with lockout and rate limits
//! that never reveal whether an account exists, sign-out, and password changes.

use crate::AppState;
use crate::csrf::{self, AnonForm, CsrfForm};
use crate::error::{Problem, Rendered};
use crate::i18n::Tr;
use crate::pages::{Layout, html};
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_core::access::{Principal, RoleOn};
use hocvuso_core::i18n::Message;
use hocvuso_core::personal_id::PersonalId;
use hocvuso_core::{password, text};
use hocvuso_db::accounts::{self, Account, Grant};
use hocvuso_db::audit::Actor;
use hocvuso_db::sessions;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
            .authorize_account(target.iter().map(|g| (g.role(), g.unit_path.as_str())))
    }
    /// The roles of an account this viewer would act on, as the access rules read them.
    pub fn may_act_on(&self, target: &[Grant]) -> bool {
        self.principal
            .may_act_on_account(target.iter().map(|g| (g.role(), g.unit_path.as_str())))
    }
}

/// A role this release does not know gives its holder nothing (and, held by someone else, counts
/// as the widest when acting on them: see `Principal::may_act_on_account`).
pub fn principal_of(account: &Account, grants: &[Grant], ip: &str) -> Principal {
    let roles = grants
        .iter()
        .filter_map(|g| {
            g.role().map(|role| RoleOn {
                role,
                unit_path: g.unit_path.clone(),
            })
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
    let Some(session) = sessions::get(&state.db, &token).await? else {
        return Ok(None);
    };
    let Some(account) = accounts::get(&state.db, session.account_id).await? else {
        return Ok(None);
    };
    if !account.active {
        return Ok(None);
    }
    sessions::touch(&state.db, &token, &session).await?;
    let grants = accounts::grants(&state.db, account.id).await?;
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
#[derive(Default)]
pub struct Throttle {
    by_pair: Mutex<HashMap<(String, String), LoginFailures>>,
    by_login: Mutex<HashMap<String, (u32, Instant)>>,
    known: Mutex<HashMap<String, Vec<String>>>,
    by_ip: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Failures counted, when counting started, locked until.
type LoginFailures = (u32, Instant, Option<Instant>);

pub const MAX_FAILURES: u32 = 5;
pub const LOCK_FOR: Duration = Duration::from_secs(15 * 60);
/// OWASP ASVS 2.2.1: no more than 100 failed attempts per hour on one account.
pub const LOGIN_MAX_FAILURES: u32 = 100;
pub const LOGIN_WINDOW: Duration = Duration::from_secs(60 * 60);
pub const IP_WINDOW: Duration = Duration::from_secs(10 * 60);
pub const IP_MAX_ATTEMPTS: u32 = 30;
/// Addresses remembered per login as having signed in successfully.
const KNOWN_PER_LOGIN: usize = 8;
const MAX_ENTRIES: usize = 100_000;

impl Throttle {
    /// Counts an attempt from `ip`; false once the address has tried too often in the window.
    pub fn allow_ip(&self, ip: &str) -> bool {
        let Ok(mut m) = self.by_ip.lock() else { return true };
        let now = Instant::now();
        if m.len() > MAX_ENTRIES {
            m.retain(|_, (_, t)| now.duration_since(*t) < IP_WINDOW);
        }
        let e = m.entry(ip.to_string()).or_insert((0, now));
        if now.duration_since(e.1) > IP_WINDOW {
            *e = (0, now);
        }
        e.0 += 1;
        e.0 <= IP_MAX_ATTEMPTS
    }

    /// Whether an attempt on `login` from `ip` must wait.
    pub fn locked(&self, login: &str, ip: &str) -> bool {
        let now = Instant::now();
        if let Ok(m) = self.by_pair.lock()
            && matches!(m.get(&(login.to_string(), ip.to_string())), Some((_, _, Some(until))) if *until > now)
        {
            return true;
        }
        let mass_attack = self.by_login.lock().is_ok_and(|m| {
            matches!(m.get(login), Some((n, since)) if *n >= LOGIN_MAX_FAILURES && now.duration_since(*since) <= LOGIN_WINDOW)
        });
        mass_attack
            && !self
                .known
                .lock()
                .is_ok_and(|k| k.get(login).is_some_and(|ips| ips.iter().any(|i| i == ip)))
    }

    pub fn fail(&self, login: &str, ip: &str) {
        let now = Instant::now();
        if let Ok(mut m) = self.by_pair.lock() {
            if m.len() > MAX_ENTRIES {
                m.retain(|_, (_, t, until)| now.duration_since(*t) < LOCK_FOR || until.is_some_and(|u| u > now));
            }
            let e = m.entry((login.to_string(), ip.to_string())).or_insert((0, now, None));
            if now.duration_since(e.1) > LOCK_FOR {
                *e = (0, now, None);
            }
            e.0 += 1;
            if e.0 >= MAX_FAILURES {
                e.2 = Some(now + LOCK_FOR);
                e.0 = 0;
                e.1 = now;
            }
        }
        if let Ok(mut m) = self.by_login.lock() {
            if m.len() > MAX_ENTRIES {
                m.retain(|_, (_, t)| now.duration_since(*t) <= LOGIN_WINDOW);
            }
            let e = m.entry(login.to_string()).or_insert((0, now));
            if now.duration_since(e.1) > LOGIN_WINDOW {
                *e = (0, now);
            }
            e.0 = e.0.saturating_add(1);
        }
    }

    /// A successful sign-in clears its own address's failures and remembers the address. The
    /// per-login count stays: a success does not buy an attacker more guesses.
    pub fn succeed(&self, login: &str, ip: &str) {
        if let Ok(mut m) = self.by_pair.lock() {
            m.remove(&(login.to_string(), ip.to_string()));
        }
        if let Ok(mut k) = self.known.lock() {
            if k.len() > MAX_ENTRIES {
                k.clear();
            }
            let ips = k.entry(login.to_string()).or_default();
            if !ips.iter().any(|i| i == ip) {
                if ips.len() >= KNOWN_PER_LOGIN {
                    ips.remove(0);
                }
                ips.push(ip.to_string());
            }
        }
    }
}

pub fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/account/password", get(password_page).post(change_password))
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    l: Layout,
    csrf: String,
    next: String,
    login: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
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

async fn login_page(
    tr: Tr,
    parts: Parts0,
    Query(q): Query<NextQuery>,
    MaybeViewer(v): MaybeViewer,
) -> Result<Response, Problem> {
    if v.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let (csrf, set) = csrf::anonymous_token(&parts.0);
    let page = LoginPage {
        l: Layout::anonymous(tr, &parts.0),
        csrf,
        next: safe_next(q.next.as_deref()),
        login: String::new(),
        error: None,
    };
    let mut r = html(&page)?;
    if let Some(c) = set {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(r)
}

/// The request parts, for handlers that need headers beyond the extractors.
pub struct Parts0(pub Parts);
impl<S: Send + Sync> FromRequestParts<S> for Parts0 {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Parts0(parts.clone()))
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

enum LoginKey {
    Phone(String),
    Pid(PersonalId),
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn login_key(input: &str) -> Option<LoginKey> {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() == 12 && compact.chars().all(|c| c.is_ascii_digit()) {
        return PersonalId::parse(&compact).ok().map(LoginKey::Pid);
    }
    text::normalize_phone(input).map(LoginKey::Phone)
}

async fn login(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    AnonForm(form): AnonForm<LoginForm>,
) -> Result<Response, Problem> {
    let ip = client_ip(&parts.0, state.config.trust_proxy);
    let (csrf, _) = csrf::anonymous_token(&parts.0);
    let shown_login: String = form.login.chars().take(40).collect();
    let fail_page = |status: StatusCode, key: &str| -> Result<Response, Problem> {
        let page = LoginPage {
            l: Layout::anonymous(tr, &parts.0),
            csrf: csrf.clone(),
            next: safe_next(Some(&form.next)),
            login: shown_login.clone(),
            error: Some(tr.get(key)),
        };
        let mut r = html(&page)?;
        *r.status_mut() = status;
        r.extensions_mut().insert(Rendered);
        if status == StatusCode::TOO_MANY_REQUESTS {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
        }
        Ok(r)
    };
    if !state.throttle.allow_ip(&ip) {
        return fail_page(StatusCode::TOO_MANY_REQUESTS, "login-rate-limited");
    }
    // Counted under one spelling per account ("+84 900…" and "0900…" are the same login), and an
    // ID number under its blind index, so the throttle holds no ID number in plain text.
    let parsed = login_key(&form.login);
    let key_text = match &parsed {
        Some(LoginKey::Phone(p)) => format!("tel:{p}"),
        Some(LoginKey::Pid(id)) => format!("pid:{}", hex_lower(&state.vault.blind_index(id))),
        None => format!("raw:{}", text::fold(&form.login).replace(' ', "")),
    };
    if state.throttle.locked(&key_text, &ip) {
        return fail_page(StatusCode::TOO_MANY_REQUESTS, "login-locked");
    }
    let account = match parsed {
        Some(LoginKey::Phone(p)) => accounts::by_phone(&state.db, &p).await?,
        Some(LoginKey::Pid(id)) => accounts::by_pid_index(&state.db, state.vault.blind_index(&id)).await?,
        None => None,
    };
    let pw = form.password.clone();
    let Some(account) = account.filter(|a| a.active) else {
        // Same work as a real check so timing does not tell whether the account exists.
        let _ = tokio::task::spawn_blocking(move || password::verify(&pw, password::dummy_hash())).await;
        state.throttle.fail(&key_text, &ip);
        return fail_page(StatusCode::UNAUTHORIZED, "login-failed");
    };
    let hash = account.password_hash.clone();
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw, &hash))
        .await
        .unwrap_or(false);
    if !ok {
        accounts::record_failure(&state.db, &account).await?;
        state.throttle.fail(&key_text, &ip);
        return fail_page(StatusCode::UNAUTHORIZED, "login-failed");
    }
    state.throttle.succeed(&key_text, &ip);
    let ua = parts
        .0
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // A fresh session id at every sign-in; any session the browser carried before is ended.
    let old = cookie(&parts.0.headers, SESSION_COOKIE);
    let token = hocvuso_app::accounts::sign_in(&state.app, &account, &ip, ua, old.as_deref()).await?;
    let to = if account.must_change_password {
        "/account/password".to_string()
    } else {
        safe_next(Some(&form.next))
    };
    let mut r = Redirect::to(&to).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &token,
            sessions::IDLE.whole_seconds(),
            state.config.behind_tls,
        ),
    );
    Ok(r)
}

async fn logout(
    State(state): State<AppState>,
    CsrfForm(viewer, _): CsrfForm<serde_json::Value>,
) -> Result<Response, Problem> {
    if let Some(t) = &viewer.session_token {
        sessions::delete(&state.db, t).await?;
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.config.behind_tls),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    l: Layout,
    forced: bool,
    error: Option<String>,
    done: bool,
}

async fn password_page(tr: Tr, parts: Parts0, viewer: Viewer) -> Result<Response, Problem> {
    let forced = viewer.account.must_change_password;
    html(&PasswordPage {
        l: Layout::for_viewer(tr, &parts.0, &viewer),
        forced,
        error: None,
        done: false,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    CsrfForm(viewer, form): CsrfForm<PasswordForm>,
) -> Result<Response, Problem> {
    let layout = Layout::for_viewer(tr, &parts.0, &viewer);
    let forced = viewer.account.must_change_password;
    let error = |m: Message| -> Result<Response, Problem> {
        let mut r = html(&PasswordPage {
            l: layout.clone(),
            forced,
            error: Some(tr.msg(&m)),
            done: false,
        })?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r.extensions_mut().insert(Rendered);
        Ok(r)
    };
    let hash = viewer.account.password_hash.clone();
    let current = form.current.clone();
    if !tokio::task::spawn_blocking(move || password::verify(&current, &hash))
        .await
        .unwrap_or(false)
    {
        return error(Message::new("err-password-current"));
    }
    if let Err(m) = password::check_policy(&form.new) {
        return error(m);
    }
    if form.new != form.confirm {
        return error(Message::new("err-password-mismatch"));
    }
    if form.new == form.current {
        return error(Message::new("err-password-same"));
    }
    let new = form.new.clone();
    let new_hash = tokio::task::spawn_blocking(move || password::hash(&new))
        .await
        .map_err(|_| Problem::internal())?;
    hocvuso_app::accounts::change_password(&state.app, &viewer.principal, new_hash, viewer.session_token.as_deref())
        .await?;
    let mut v = viewer.clone();
    v.account.must_change_password = false;
    html(&PasswordPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        forced: false,
        error: None,
        done: true,
    })
}
