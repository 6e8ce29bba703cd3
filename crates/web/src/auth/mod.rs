//! Who is asking: sessions (cookie) and API tokens (bearer), sign-in with lockout and rate limits
//! that never reveal whether an account exists, sign-out, and password changes.

use crate::kit::csrf::{self, AnonForm, CsrfForm};
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, html};
use crate::kit::problem::{Problem, Rendered};
use crate::kit::routes::Access;
use crate::kit::state::AppState;
use crate::kit::viewer::{MaybeViewer, Parts0, SESSION_COOKIE, Viewer, client_ip, cookie, safe_next, set_cookie};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_core::i18n::Message;
use hocvuso_core::personal_id::PersonalId;
use hocvuso_core::{password, text};
use hocvuso_db::accounts::{self};
use hocvuso_db::sessions;
use serde::Deserialize;

pub fn router() -> crate::kit::routes::Routes {
    crate::kit::routes::Routes::new()
        .route("/login", Access::Public, get(login_page).post(login))
        .route("/logout", Access::Own, post(logout))
        .route(
            "/account/password",
            Access::Own,
            get(password_page).post(change_password),
        )
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
