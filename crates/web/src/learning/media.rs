//! A course's images and files as lessons show them: `/media/{course}/{name}` (`?w=480`: an
//! image's phone-sized variant). A stored name never changes its bytes, so a published course's
//! files are cached for a year by anyone; a draft's only by its author's browser.

use crate::kit::problem::Problem;
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::viewer::MaybeViewer;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hocvuso_app::learning::media as app;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new().route("/media/{course}/{name}", Access::Public, get(file))
}

#[derive(Deserialize, Default)]
struct Width {
    w: Option<String>,
}

async fn file(
    State(state): State<AppState>,
    MaybeViewer(v): MaybeViewer,
    Path((course, name)): Path<(String, String)>,
    Query(q): Query<Width>,
) -> Result<Response, Problem> {
    let phone =
        q.w.is_some_and(|w| w.parse::<u32>().is_ok_and(|w| w <= app::PHONE_WIDTH));
    let served = app::file(&state.app, v.as_ref().map(|v| &v.principal), &course, &name, phone).await?;
    let mut r = served.bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(served.content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if served.public {
            "public, max-age=31536000, immutable"
        } else {
            "private, no-cache"
        }),
    );
    if let Some(file) = served.download {
        // The stored name is plain ASCII (letters, digits, hyphens, one dot).
        let value =
            HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")).map_err(|_| Problem::internal())?;
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(r)
}
