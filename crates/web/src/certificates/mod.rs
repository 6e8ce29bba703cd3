//! Certificates as strangers and holders meet them: the public verification page the QR code
//! opens (`/xac-minh/{cert}`, no sign-in, only what matches the paper to its holder), the form to
//! type a code, and the same minimal data in the API.

pub mod api;

use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, html};
use crate::kit::problem::Problem;
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::viewer::{MaybeViewer, Parts0, Viewer};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hocvuso_app::Error as AppError;
use hocvuso_app::assessment::certificate::{self as app, PublicView};
use hocvuso_core::certificate::Code;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new().route("/xac-minh", Access::Public, get(lookup)).route(
        "/xac-minh/{cert}",
        Access::Public,
        get(verify_page),
    )
}

fn layout(tr: Tr, parts: &Parts0, v: &Option<Viewer>) -> Layout {
    match v {
        Some(v) => Layout::for_viewer(tr, &parts.0, v),
        None => Layout::anonymous(tr, &parts.0),
    }
}

#[derive(Template)]
#[template(path = "certificates/lookup.html")]
struct LookupPage {
    l: Layout,
    typed: String,
    /// The typed code is not a certificate code at all (its shape), or names none.
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct LookupQuery {
    #[serde(default)]
    code: Option<String>,
}

/// The form to type a code from paper; a well-formed code goes to its page.
async fn lookup(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
    Query(q): Query<LookupQuery>,
) -> Result<Response, Problem> {
    let typed: String = q.code.unwrap_or_default().chars().take(40).collect();
    let mut error = None;
    if !typed.trim().is_empty() {
        match Code::parse(&typed) {
            Some(code) => {
                if app::public_view(&state.app, code.as_str()).await.is_ok() {
                    return Ok(Redirect::to(&format!("/xac-minh/{code}")).into_response());
                }
                error = Some(tr.get("verify-unknown"));
            }
            None => error = Some(tr.get("verify-bad-code")),
        }
    }
    let status = if error.is_some() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let page = LookupPage {
        l: layout(tr, &parts, &v),
        typed,
        error,
    };
    Ok((status, html(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "certificates/verify.html")]
struct VerifyPage {
    l: Layout,
    c: PublicView,
    issued_on: String,
    revoked_on: Option<String>,
}

async fn verify_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
    Path(cert): Path<String>,
) -> Result<Response, Problem> {
    let c = match app::public_view(&state.app, &cert).await {
        Ok(c) => c,
        Err(AppError::NotFound) => {
            let typed: String = cert.chars().take(40).collect();
            let page = LookupPage {
                l: layout(tr, &parts, &v),
                typed,
                error: Some(tr.get("verify-unknown")),
            };
            return Ok((StatusCode::NOT_FOUND, html(&page)?).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    // A typed variant of the code (lower case, O for 0) goes to the one address of the page.
    if c.code != cert {
        return Ok(Redirect::permanent(&format!("/xac-minh/{}", c.code)).into_response());
    }
    let page = VerifyPage {
        l: layout(tr, &parts, &v),
        issued_on: hocvuso_core::people::format_date(c.issued_on),
        revoked_on: c.revoked_on.map(hocvuso_core::people::format_date),
        c,
    };
    let mut r = html(&page)?;
    // A revocation must show at once: no cache keeps the answer.
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(r)
}
