//! The page where a whole-course revision (a package changing a published course's shape) is
//! read, published by a second person, or returned.

use super::{NoteForm, with_status};
use crate::kit::csrf::CsrfForm;
use crate::kit::format::fmt_time;
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, html};
use crate::kit::problem::Problem;
use crate::kit::state::AppState;
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hocvuso_app::Error as AppError;
use hocvuso_app::learning::revision::{self, RevisionView};
use serde::Deserialize;

/// A package that changes a published course's shape, waiting whole for a second person: what
/// changes, and the new and changed lessons as learners would read them.
#[derive(Template)]
#[template(path = "authoring/revision.html")]
struct RevisionPage {
    l: Layout,
    r: RevisionView,
    sent_at: String,
    /// Why publishing was refused.
    refused: Option<String>,
}

impl RevisionPage {
    fn of(tr: Tr, parts: &Parts0, v: &Viewer, r: RevisionView, refused: Option<String>) -> RevisionPage {
        RevisionPage {
            l: Layout::for_viewer(tr, &parts.0, v),
            sent_at: fmt_time(&r.submitted_at),
            r,
            refused,
        }
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(slug): Path<String>,
) -> Result<Response, Problem> {
    match revision::view(&state.app, &v.principal, &slug).await? {
        Some(r) => html(&RevisionPage::of(tr, &parts, &v, r, None)),
        // Published or returned since the link was given: the course page says where it stands.
        None => Ok(Redirect::to(&format!("/author/{slug}")).into_response()),
    }
}

#[derive(Deserialize)]
pub(super) struct DigestForm {
    #[serde(default)]
    digest: String,
}

pub(super) async fn publish(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(slug): Path<String>,
    CsrfForm(v, form): CsrfForm<DigestForm>,
) -> Result<Response, Problem> {
    match revision::publish(&state.app, &v.principal, &slug, &form.digest).await {
        Ok(_) => Ok(Redirect::to(&format!("/author/{slug}?revised=1")).into_response()),
        Err(AppError::Conflict(f)) => match revision::view(&state.app, &v.principal, &slug).await? {
            Some(r) => {
                let page = RevisionPage::of(tr, &parts, &v, r, Some(tr.msg(&f.message)));
                with_status(html(&page), StatusCode::CONFLICT)
            }
            None => Err(AppError::Conflict(f).into()),
        },
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn give_back(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    CsrfForm(v, form): CsrfForm<NoteForm>,
) -> Result<Response, Problem> {
    revision::give_back(&state.app, &v.principal, &slug, &form.note).await?;
    Ok(Redirect::to(&format!("/author/{slug}")).into_response())
}
