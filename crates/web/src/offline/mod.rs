//! Reading on weak connections: the service worker (`/sw.js`) that keeps the course and lesson
//! pages a learner opened, the site's script that registers it, and the offline page the worker
//! shows when a page it did not keep cannot be fetched. All of it is an enhancement: without
//! JavaScript nothing here runs and every page works as before.

use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, html};
use crate::kit::problem::Problem;
use crate::kit::routes::{Access, Routes};
use crate::kit::script::{SCRIPT, SCRIPT_PATH, script_url};
use crate::kit::style::stylesheet_url;
use crate::kit::viewer::Parts0;
use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const WORKER: &str = include_str!("../../static/sw.js");

pub fn router() -> Routes {
    Routes::new()
        .route("/sw.js", Access::Public, get(worker))
        .route(SCRIPT_PATH, Access::Public, get(script))
        .route("/offline", Access::Public, get(offline))
}

/// The worker's cache version: the release and a hash of the worker and of the assets it keeps.
/// Any change to one of them changes the worker's bytes, so browsers install the new worker,
/// whose activation deletes every older cache.
pub fn cache_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        let h = hocvuso_core::crypto::sha256_hex(&[
            WORKER.as_bytes(),
            stylesheet_url().as_bytes(),
            script_url().as_bytes(),
        ]);
        format!("{}-{}", env!("CARGO_PKG_VERSION"), &h[..12])
    })
}

fn worker_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        WORKER
            .replace("__VERSION__", cache_version())
            .replace("__CSS__", stylesheet_url())
            .replace("__JS__", script_url())
    })
}

async fn worker() -> Response {
    let mut r = worker_source().into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    // Checked on every visit, so a new release's worker replaces the old one at once.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

async fn script() -> Response {
    let mut r = SCRIPT.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    r
}

#[derive(Template)]
#[template(path = "offline.html")]
struct OfflinePage {
    l: Layout,
}

/// The page the worker keeps at install and shows offline. Always the anonymous layout, even
/// for a signed-in visitor: a stored copy must hold no name and no CSRF token.
async fn offline(tr: Tr, parts: Parts0) -> Result<Response, Problem> {
    html(&OfflinePage {
        l: Layout::anonymous(tr, &parts.0),
    })
}
