//! Certificates as strangers and holders meet them: the public verification page the QR code
//! opens (`/xac-minh/{cert}`, no sign-in, only what matches the paper to its holder), the form to
//! type a code, and the same minimal data in the API.

pub mod api;

use crate::kit::download::{PDF, attachment, file_part};
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, html};
use crate::kit::problem::Problem;
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::upload::read_upload_capped;
use crate::kit::viewer::{MaybeViewer, Parts0, Viewer};
use askama::Template;
use axum::extract::Multipart;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_app::Error as AppError;
use hocvuso_app::assessment::certificate::{self as app, PublicView};
use hocvuso_core::certificate::Code;
use hocvuso_core::certificate::credential;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .route("/xac-minh", Access::Public, get(lookup))
        .pure_route("/xac-minh/tep", Access::Public, post(check_file))
        .route("/xac-minh/{cert}", Access::Public, get(verify_page))
        .route("/certificates/{cert}/pdf", Access::Own, get(own_pdf))
        .route("/certificates/{cert}/credential", Access::Own, get(own_credential))
        .route(credential::DID_DOCUMENT_PATH, Access::Public, get(did_document))
        .route("/credentials/status/{n}", Access::Public, get(status_list))
}

/// The holder's certificate, printed.
async fn own_pdf(State(state): State<AppState>, v: Viewer, Path(cert): Path<String>) -> Result<Response, Problem> {
    let (code, bytes) = app::pdf(&state.app, &v.principal, &cert).await?;
    attachment(bytes, PDF, &format!("giay-chung-nhan-{}.pdf", file_part(&code)))
}

/// The holder's certificate as a signed credential, to keep or to show anyone.
async fn own_credential(
    State(state): State<AppState>,
    v: Viewer,
    Path(cert): Path<String>,
) -> Result<Response, Problem> {
    let vc = app::credential(&state.app, &v.principal, &cert).await?;
    let bytes = serde_json::to_vec_pretty(&vc).map_err(|_| Problem::internal())?;
    attachment(
        bytes,
        "application/ld+json",
        &format!("chung-nhan-so-{}.json", file_part(&cert.to_ascii_uppercase())),
    )
}

fn public_json(value: &serde_json::Value, content_type: &'static str, max_age: &'static str) -> Response {
    let mut r = axum::Json(value).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(max_age));
    // Verifiers in browsers fetch these from other origins.
    r.headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r
}

/// The platform's DID document: the public key credentials are checked with.
async fn did_document(State(state): State<AppState>) -> Result<Response, Problem> {
    let doc = app::did_document(&state.app)?;
    Ok(public_json(&doc, "application/did+json", "public, max-age=3600"))
}

/// A signed status list: which certificates of its range are revoked. Short-lived in caches so
/// a revocation shows within minutes.
async fn status_list(State(state): State<AppState>, Path(n): Path<String>) -> Result<Response, Problem> {
    let n: u64 = n.parse().map_err(|_| Problem::not_found())?;
    let list = app::status_list(&state.app, n).await?;
    Ok(public_json(&list, "application/vc+ld+json", "public, max-age=300"))
}

#[derive(Template)]
#[template(path = "certificates/checked.html")]
struct CheckedPage {
    l: Layout,
    /// The certificate the genuine file states, as the register has it now.
    ok: Option<(PublicView, String, Option<String>)>,
    /// Why the file is not a genuine credential of this platform.
    refused: Option<String>,
}

/// A credential file checked from the verification page: a stranger without tools uploads what
/// the holder sent them. Nothing is kept.
async fn check_file(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
    mp: Multipart,
) -> Result<Response, Problem> {
    let up = read_upload_capped(&state, mp, credential::MAX_CREDENTIAL_BYTES).await?;
    let result = match up.file {
        Ok(bytes) if !bytes.is_empty() => app::check_credential(&state.app, &bytes).await,
        _ => Err(app::CheckError::Failed(credential::Failure::NotJson)),
    };
    let (status, ok, refused) = match result {
        Ok(c) => (
            StatusCode::OK,
            Some((
                c.public.clone(),
                hocvuso_core::people::format_date(c.public.issued_on),
                c.public.revoked_on.map(hocvuso_core::people::format_date),
            )),
            None,
        ),
        Err(app::CheckError::App(e)) => return Err(e.into()),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, None, Some(tr.msg(&e.message()))),
    };
    let page = CheckedPage {
        l: layout(tr, &parts, &v),
        ok,
        refused,
    };
    with_status(status, &page)
}

/// A page that is itself the answer to a refusal (a code not found, a forged file): the error
/// middleware leaves it as it is.
fn with_status(status: StatusCode, page: &impl Template) -> Result<Response, Problem> {
    let mut r = html(page)?;
    *r.status_mut() = status;
    if status != StatusCode::OK {
        r.extensions_mut().insert(crate::kit::problem::Rendered);
    }
    Ok(r)
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
    with_status(status, &page)
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
            return with_status(StatusCode::NOT_FOUND, &page);
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
