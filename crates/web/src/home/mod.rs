//! The home page (what the viewer can reach from here) and the language switch.

use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, Nav, TextSize, html};
use crate::kit::problem::Problem;
use crate::kit::routes::Access;
use crate::kit::state::AppState;
use crate::kit::viewer::Viewer;
use crate::kit::viewer::{MaybeViewer, Parts0, set_cookie};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hocvuso_core::Lang;
use hocvuso_core::learning::ContentLang;
use serde::Deserialize;

pub fn router() -> crate::kit::routes::Routes {
    crate::kit::routes::Routes::new()
        .route("/", Access::Public, get(home))
        .route("/lang/{code}", Access::Public, get(switch_lang))
        .route("/text-size/{size}", Access::Public, get(switch_text_size))
}

pub struct GrantView {
    pub role: String,
    pub unit_code: String,
    pub unit_name: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    grants: Vec<GrantView>,
    signed_in: bool,
    has_person: bool,
    /// What to do next: the course in progress and its next lesson, how far along, and how many
    /// competences the learner's groups must reach.
    next: Option<NextStep>,
    required: usize,
}

pub struct NextStep {
    pub course_slug: String,
    pub course_title: String,
    pub lesson_slug: Option<String>,
    pub lesson_title: Option<String>,
    pub done: usize,
    pub lessons: usize,
}

async fn home(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
) -> Result<Response, Problem> {
    let Some(v) = v else {
        return html(&HomePage {
            l: Layout::anonymous(tr, &parts.0),
            grants: Vec::new(),
            signed_in: false,
            has_person: false,
            next: None,
            required: 0,
        });
    };
    if v.account.must_change_password {
        return Ok(Redirect::to("/account/password").into_response());
    }
    let grants = v
        .grants
        .iter()
        .map(|g| GrantView {
            role: tr.get(&g.role.label_key()),
            unit_code: g.unit_code.clone(),
            unit_name: g.unit_name.clone(),
        })
        .collect();
    let lang = match tr.0 {
        Lang::Vi => ContentLang::Vi,
        Lang::En => ContentLang::En,
    };
    let mine = hocvuso_app::learning::my_learning(&state.app, &v.principal, lang).await?;
    // The course last used that is not finished; its next lesson.
    let next = mine.courses.iter().find(|c| !c.completed).map(|c| NextStep {
        course_slug: c.slug.clone(),
        course_title: c.title.clone(),
        lesson_slug: c.next.clone(),
        lesson_title: c.next_title.clone(),
        done: c.done,
        lessons: c.lessons,
    });
    html(&HomePage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        grants,
        signed_in: true,
        has_person: v.account.person_id.is_some(),
        next,
        required: mine.required.len(),
    })
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn switch_lang(Path(code): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    remember_and_return("lang", lang.code(), &q)
}

/// A reader's preference kept for a year, then back to the page they were on (same site only).
fn remember_and_return(cookie: &str, value: &str, q: &NextQuery) -> Response {
    let next = crate::kit::viewer::safe_next(q.next.as_deref());
    let mut r = Redirect::to(&next).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(cookie, value, 60 * 60 * 24 * 365, false));
    r
}

/// The header's type-size switch: a link, like the language switch, so it works without
/// JavaScript; an unknown size goes back to the normal one.
async fn switch_text_size(Path(size): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let size = TextSize::parse(&size).unwrap_or_default();
    remember_and_return(TextSize::COOKIE, size.as_str(), &q)
}

/// The home page, for everyone.
pub fn nav(tr: Tr, _: Option<&Viewer>) -> Vec<Nav> {
    vec![Nav {
        href: "/".into(),
        label: tr.get("nav-home"),
        current: false,
    }]
}
