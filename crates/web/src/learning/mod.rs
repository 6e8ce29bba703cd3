//! Learning pages: the catalogue (filtered by group, competence and language, searched without
//! diacritics), a course with the learner's progress, a lesson, enrolling, marking a lesson done,
//! and "my learning". Pages are public to read; enrolling and progress need a signed-in account.

pub mod api;
mod media;

use crate::kit::csrf::CsrfForm;
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, Nav, html};
use crate::kit::problem::Problem;
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::viewer::{MaybeViewer, Parts0, Viewer};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_app::assessment::course_certificate::{self, OnCoursePage};
use hocvuso_app::learning::audio::Audio;
use hocvuso_app::learning::{self as app, CatalogueFilter, CourseCard, CourseView, LessonView, MyLearning};
use hocvuso_core::Lang;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::ContentLang;
use hocvuso_core::people::TargetGroup;
use hocvuso_db::audio::AudioSource;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .route("/learn", Access::Public, get(catalogue))
        .route("/my-learning", Access::Own, get(mine))
        .route("/learn/{course}", Access::Public, get(course))
        .route("/learn/{course}/enrol", Access::Own, post(enrol))
        .route("/learn/{course}/{lesson}", Access::Public, get(lesson))
        .route("/learn/{course}/{lesson}/done", Access::Own, post(done))
        .route("/learn/{course}/{lesson}/audio", Access::Public, get(audio))
        .merge(media::router())
}

/// The content language: the one asked for in the address (`?lang=en`), else the interface's.
fn content_lang(tr: Tr, asked: Option<&str>) -> ContentLang {
    asked.and_then(ContentLang::parse).unwrap_or(match tr.0 {
        Lang::Vi => ContentLang::Vi,
        Lang::En => ContentLang::En,
    })
}

/// `?lang=…` to carry in links when the content language is not the interface's.
fn lang_query(tr: Tr, lang: ContentLang) -> String {
    if content_lang(tr, None) == lang {
        String::new()
    } else {
        format!("?lang={}", lang.as_str())
    }
}

#[derive(Deserialize, Default)]
struct CatalogueQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    competence: String,
    #[serde(default)]
    lang: String,
}

#[derive(Template)]
#[template(path = "learning/catalogue.html")]
struct CataloguePage {
    l: Layout,
    cards: Vec<CourseCard>,
    q: String,
    group: String,
    groups: Vec<(String, String)>,
    lang: String,
    langs: Vec<(String, String)>,
    competence: String,
    filtered: bool,
    bad_competence: bool,
    /// Slugs of the courses that teach a competence the signed-in learner must reach.
    for_me: Vec<String>,
}

fn layout(tr: Tr, parts: &Parts0, v: &Option<Viewer>) -> Layout {
    match v {
        Some(v) => Layout::for_viewer(tr, &parts.0, v),
        None => Layout::anonymous(tr, &parts.0),
    }
}

fn lang_label(tr: Tr, l: ContentLang) -> String {
    tr.get(&format!("content-lang-{}", l.as_str()))
}

async fn catalogue(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response, Problem> {
    let group = TargetGroup::ALL.into_iter().find(|g| g.as_str() == q.group);
    let lang = ContentLang::parse(&q.lang);
    let competence = q
        .competence
        .split_once(':')
        .map(|(f, c)| (f.trim().to_string(), c.trim().to_string()));
    let filter = CatalogueFilter {
        group,
        lang,
        competence: competence.clone(),
        q: Some(q.q.chars().take(100).collect()).filter(|s: &String| !s.trim().is_empty()),
    };
    let shown = content_lang(tr, lang.map(|l| l.as_str()));
    let cards = app::catalogue(&state.app, &filter, shown).await?;
    let required = match &v {
        Some(v) => app::admin::my_required_competences(&state.app, &v.principal).await?,
        None => Vec::new(),
    };
    let for_me = cards
        .iter()
        .filter(|c| c.competences.iter().any(|x| required.contains(x)))
        .map(|c| c.slug.clone())
        .collect();
    html(&CataloguePage {
        for_me,
        l: layout(tr, &parts, &v),
        filtered: filter.group.is_some() || filter.lang.is_some() || filter.competence.is_some() || filter.q.is_some(),
        bad_competence: !q.competence.trim().is_empty() && competence.is_none(),
        cards,
        q: q.q.chars().take(100).collect(),
        group: group.map(|g| g.as_str().to_string()).unwrap_or_default(),
        groups: TargetGroup::ALL
            .into_iter()
            .map(|g| (g.as_str().to_string(), tr.get(&g.label_key())))
            .collect(),
        lang: lang.map(|l| l.as_str().to_string()).unwrap_or_default(),
        langs: ContentLang::ALL
            .into_iter()
            .map(|l| (l.as_str().to_string(), lang_label(tr, l)))
            .collect(),
        competence: q.competence.chars().take(40).collect(),
    })
}

#[derive(Deserialize, Default)]
struct LangQuery {
    lang: Option<String>,
}

#[derive(Template)]
#[template(path = "learning/course.html")]
struct CoursePage {
    l: Layout,
    c: CourseView,
    signed_in: bool,
    lq: String,
    groups: String,
    lang_label: String,
    /// The certificate of completion the course gives, and the learner's.
    cert: OnCoursePage,
}

async fn course(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
    Path(slug): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, Problem> {
    let lang = content_lang(tr, q.lang.as_deref());
    let c = app::course(&state.app, v.as_ref().map(|v| &v.principal), &slug, lang).await?;
    let cert = course_certificate::on_course_page(&state.app, v.as_ref().map(|v| &v.principal), &slug).await?;
    html(&CoursePage {
        cert,
        l: layout(tr, &parts, &v),
        signed_in: v.is_some(),
        lq: lang_query(tr, lang),
        groups: c
            .card
            .groups
            .iter()
            .map(|g| tr.get(&g.label_key()))
            .collect::<Vec<_>>()
            .join(", "),
        lang_label: lang_label(tr, lang),
        c,
    })
}

#[derive(Template)]
#[template(path = "learning/lesson.html")]
struct LessonPage {
    l: Layout,
    x: LessonView,
    signed_in: bool,
    lq: String,
    other_langs: Vec<(String, String)>,
    /// The audio's address and what it is ("Nghe bài (3 phút 12 giây, 380 KB)").
    audio: Option<(String, String)>,
    audio_pending: bool,
}

async fn lesson(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
    Path((course, lesson)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
) -> Result<Response, Problem> {
    let lang = content_lang(tr, q.lang.as_deref());
    let x = app::lesson(&state.app, v.as_ref().map(|v| &v.principal), &course, &lesson, lang).await?;
    let audio = match &x.audio {
        Audio::Ready(a) => Some((
            format!(
                "/learn/{}/{}/audio?lang={}&v={}",
                x.course_slug,
                x.slug,
                x.lang.as_str(),
                x.version
            ),
            // Whose voice it is: the author's own recording, or the machine's.
            Message::new(match a.source {
                AudioSource::Uploaded => "learn-audio-about-author",
                AudioSource::Generated => "learn-audio-about",
            })
            .arg("min", a.duration_ms / 60_000)
            .arg("sec", (a.duration_ms / 1000) % 60)
            .arg("kb", (a.bytes + 1023) / 1024)
            .render(tr.0),
        )),
        _ => None,
    };
    html(&LessonPage {
        audio,
        audio_pending: matches!(x.audio, Audio::Pending),
        l: layout(tr, &parts, &v),
        signed_in: v.is_some(),
        lq: lang_query(tr, lang),
        other_langs: x
            .languages
            .iter()
            .filter(|l| **l != x.lang)
            .map(|l| (l.as_str().to_string(), lang_label(tr, *l)))
            .collect(),
        x,
    })
}

#[derive(Deserialize, Default)]
struct AudioQuery {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    v: String,
}

/// The audio of one version of a lesson: its address names the version, so it never changes and
/// a phone keeps it in its cache.
async fn audio(
    State(state): State<AppState>,
    Path((course, lesson)): Path<(String, String)>,
    Query(q): Query<AudioQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, Problem> {
    let (Some(lang), Ok(version)) = (ContentLang::parse(&q.lang), q.v.parse::<i32>()) else {
        return Err(Problem::not_found());
    };
    let bytes = app::lesson_audio(&state.app, &course, &lesson, lang, version).await?;
    // Ranges let a player show the duration and seek without the whole file, and resume a
    // download cut off on a weak connection; the validator is the bytes' own hash.
    let etag = format!("\"{}\"", &hocvuso_core::crypto::sha256_hex(&[&bytes])[..32]);
    let mut r = crate::kit::range::respond(&headers, bytes, &etag);
    let ogg = axum::http::HeaderValue::from_static("audio/ogg; codecs=opus");
    r.headers_mut().insert(header::CONTENT_TYPE, ogg);
    // A cache keys on the address, not the range: a refused range must not be kept for it.
    if r.status() != axum::http::StatusCode::RANGE_NOT_SATISFIABLE {
        let forever = axum::http::HeaderValue::from_static("public, max-age=31536000, immutable");
        r.headers_mut().insert(header::CACHE_CONTROL, forever);
    }
    Ok(r)
}

#[derive(Deserialize, Default)]
struct LangForm {
    #[serde(default)]
    lang: String,
}

async fn enrol(
    State(state): State<AppState>,
    tr: Tr,
    Path(slug): Path<String>,
    CsrfForm(v, form): CsrfForm<LangForm>,
) -> Result<Response, Problem> {
    let lang = content_lang(tr, Some(form.lang.as_str()));
    app::enrol(&state.app, &v.principal, &slug, lang).await?;
    let to = match app::next_lesson_slug(&state.app, &v.principal, &slug).await? {
        Some(n) => format!("/learn/{slug}/{n}{}", lang_query(tr, lang)),
        None => format!("/learn/{slug}{}", lang_query(tr, lang)),
    };
    Ok(Redirect::to(&to).into_response())
}

async fn done(
    State(state): State<AppState>,
    tr: Tr,
    Path((course, lesson)): Path<(String, String)>,
    CsrfForm(v, form): CsrfForm<LangForm>,
) -> Result<Response, Problem> {
    let lang = content_lang(tr, Some(form.lang.as_str()));
    let done = app::complete(&state.app, &v.principal, &course, &lesson, lang).await?;
    // On to the next lesson not done, or back to the course when all are.
    let to = match done.next {
        Some(n) => format!("/learn/{course}/{n}{}", lang_query(tr, lang)),
        None => format!("/learn/{course}{}", lang_query(tr, lang)),
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "learning/mine.html")]
struct MinePage {
    l: Layout,
    m: MyLearning,
    groups: String,
    /// ((group code, group label), what its passed final waits for).
    waiting: Vec<((String, String), Vec<hocvuso_app::assessment::lessons::Needed>)>,
}

async fn mine(State(state): State<AppState>, tr: Tr, parts: Parts0, v: Viewer) -> Result<Response, Problem> {
    let lang = content_lang(tr, None);
    let m = app::my_learning(&state.app, &v.principal, lang).await?;
    html(&MinePage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        groups: m
            .groups
            .iter()
            .map(|g| tr.get(&g.label_key()))
            .collect::<Vec<_>>()
            .join(", "),
        waiting: m
            .waiting
            .iter()
            .map(|(g, n)| ((g.as_str().to_string(), tr.get(&g.label_key())), n.clone()))
            .collect(),
        m,
    })
}

/// The catalogue for everyone; one's own learning for the signed in.
pub fn nav(tr: Tr, v: Option<&Viewer>) -> Vec<Nav> {
    let mut out = vec![Nav {
        href: "/learn".into(),
        label: tr.get("nav-learn"),
        current: false,
    }];
    if v.is_some() {
        out.push(Nav {
            href: "/my-learning".into(),
            label: tr.get("nav-my-learning"),
            current: false,
        });
    }
    out
}
