//! Authoring pages: the author's desk (courses they may edit, drafts waiting for review), a course's
//! lessons with their drafts, and the lesson editor (preview, save a draft, send for review,
//! publish or return). Plain forms: everything works without JavaScript. A save made from an
//! older revision of the draft is answered 409 with the author's text still in the form.
//! Course packages: a course downloaded as a zip, a zip uploaded as a course (every problem of
//! the package listed on one page), and a draft course sent for review and published by a second
//! person. A course's images and files: uploaded on the course page, listed in the editor with
//! the line that shows each in a lesson.

mod revision;
use crate::kit::csrf::{self, CsrfForm};
use crate::kit::format::{fmt_time, load_unit};
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, Nav, html};
use crate::kit::problem::{Problem, Rendered};
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::upload::{read_upload_capped, read_upload_with_fields};
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_app::Error as AppError;
use hocvuso_app::learning::authoring::{self as app, AuthorCourse, Desk, Editor, LessonPreview};
use hocvuso_app::learning::media::{self, MediaItem};
use hocvuso_app::learning::package;
use hocvuso_app::learning::recording as recordings;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::ContentLang;
use hocvuso_core::learning::draft::VideoFields;
use hocvuso_core::learning::recording::{self as rec, RecordingError};
use hocvuso_core::learning::video::Video;
use hocvuso_core::roles::Action;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .route("/author", Access::Own, get(desk))
        // The unit a package is imported into is checked by the use case: without one it is the
        // author's own first unit.
        .route("/author/import", Access::Own, post(import))
        .route("/author/{course}", Access::Scoped, get(course))
        .route("/author/{course}/package", Access::Scoped, get(export))
        .route("/author/{course}/submit", Access::Scoped, post(submit_course))
        .route("/author/{course}/publish", Access::Scoped, post(publish_course))
        .route("/author/{course}/return", Access::Scoped, post(return_course))
        .route("/author/{course}/certificate", Access::Scoped, post(set_certificate))
        .route("/author/{course}/media", Access::Scoped, post(upload_media))
        .route("/author/{course}/media/remove", Access::Scoped, post(remove_media))
        .route("/author/{course}/revision", Access::Scoped, get(revision::page))
        .route(
            "/author/{course}/revision/publish",
            Access::Scoped,
            post(revision::publish),
        )
        .route(
            "/author/{course}/revision/return",
            Access::Scoped,
            post(revision::give_back),
        )
        .route("/author/{course}/{lesson}", Access::Scoped, get(editor).post(save))
        .route("/author/{course}/{lesson}/submit", Access::Scoped, post(submit))
        .route("/author/{course}/{lesson}/publish", Access::Scoped, post(publish))
        .route("/author/{course}/{lesson}/return", Access::Scoped, post(return_draft))
        .route("/author/{course}/{lesson}/preview", Access::Scoped, get(preview))
        .route(
            "/author/{course}/{lesson}/recording",
            Access::Scoped,
            get(recording).post(upload_recording),
        )
        .route(
            "/author/{course}/{lesson}/recording/remove",
            Access::Scoped,
            post(remove_recording),
        )
}

/// The language being edited: `?lang=` or the form's, Vietnamese when absent or unknown.
fn lang_of(s: Option<&str>) -> ContentLang {
    s.and_then(ContentLang::parse).unwrap_or(ContentLang::Vi)
}

fn lang_label(tr: Tr, l: ContentLang) -> String {
    tr.get(&format!("content-lang-{}", l.as_str()))
}

/// A unit a package may be imported into: the root of one of the author's writing scopes.
struct ImportUnit {
    code: String,
    name: String,
}

/// The roots of the viewer's writing scopes, named as their grants name them.
fn import_units(v: &Viewer) -> Vec<ImportUnit> {
    let roots = v.principal.scopes::<hocvuso_core::access::act::AuthorContent>();
    let mut out: Vec<ImportUnit> = Vec::new();
    for r in &roots {
        if let Some(g) = v.grants.iter().find(|g| g.unit_path == r.root()) {
            out.push(ImportUnit {
                code: g.unit_code.clone(),
                name: g.unit_name.clone(),
            });
        }
    }
    out
}

#[derive(Template)]
#[template(path = "authoring/desk.html")]
struct DeskPage {
    l: Layout,
    d: Desk,
    /// When each waiting draft was sent, in Vietnam time.
    sent: Vec<String>,
    units: Vec<ImportUnit>,
    max_mb: usize,
}

async fn desk(State(state): State<AppState>, tr: Tr, parts: Parts0, v: Viewer) -> Result<Response, Problem> {
    let d = app::desk(&state.app, &v.principal, ContentLang::Vi).await?;
    html(&DeskPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        sent: d
            .waiting
            .iter()
            .map(|w| w.submitted_at.as_ref().map(fmt_time).unwrap_or_default())
            .collect(),
        d,
        units: import_units(&v),
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
    })
}

/// The answer to a refused package: every problem, and the form to send a corrected one.
#[derive(Template)]
#[template(path = "authoring/import.html")]
struct ImportPage {
    l: Layout,
    problems: Vec<String>,
    units: Vec<ImportUnit>,
    max_mb: usize,
}

async fn import(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    mp: Multipart,
) -> Result<Response, Problem> {
    let max_mb = state.config.max_upload_bytes / (1024 * 1024);
    // The upload kit speaks of lists; a package is told in its own words.
    let (sent, _, bytes, fields) = read_upload_with_fields(&state, mp).await.map_err(|p| match p.status {
        StatusCode::PAYLOAD_TOO_LARGE => Problem {
            message: Message::new("err-authoring-package-too-large").arg("n", max_mb),
            ..p
        },
        _ if p.message.key == "err-upload-no-file" => Problem {
            message: Message::new("err-authoring-package-no-file"),
            ..p
        },
        _ => p,
    })?;
    csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    let unit = match fields.get("unit").map(|c| c.trim()).filter(|c| !c.is_empty()) {
        Some(code) => Some(load_unit(&state, code).await?.path),
        None => None,
    };
    let refused = match package::import_package(&state.app, &v.principal, unit.as_deref(), bytes).await {
        // Over a published course the page says what waits for review and that learners still
        // read the old text.
        Ok(c) if c.revision => return Ok(Redirect::to(&format!("/author/{}/revision", c.slug)).into_response()),
        Ok(c) if c.status.open_to_learners() => {
            return Ok(Redirect::to(&format!("/author/{}?staged={}", c.slug, c.staged)).into_response());
        }
        Ok(c) => return Ok(Redirect::to(&format!("/author/{}", c.slug)).into_response()),
        Err(AppError::Invalid(fields)) => (StatusCode::UNPROCESSABLE_ENTITY, fields),
        Err(AppError::Conflict(f)) => (StatusCode::CONFLICT, vec![f]),
        Err(e) => return Err(e.into()),
    };
    let page = ImportPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        problems: refused.1.iter().map(|f| tr.msg(&f.message)).collect(),
        units: import_units(&v),
        max_mb,
    };
    with_status(html(&page), refused.0)
}

/// The course as a zip, as learners read it now.
async fn export(State(state): State<AppState>, v: Viewer, Path(slug): Path<String>) -> Result<Response, Problem> {
    let (file, bytes) = package::export_package(&state.app, &v.principal, &slug).await?;
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")).map_err(|_| Problem::internal())?;
    let mut r = bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    r.headers_mut().insert(header::CONTENT_DISPOSITION, disposition);
    Ok(r)
}

/// The course form's only field is its token.
#[derive(Deserialize, Default)]
struct Empty {}

async fn submit_course(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    CsrfForm(v, _): CsrfForm<Empty>,
) -> Result<Response, Problem> {
    app::submit_course(&state.app, &v.principal, &slug).await?;
    Ok(Redirect::to(&format!("/author/{slug}")).into_response())
}

async fn publish_course(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    CsrfForm(v, _): CsrfForm<Empty>,
) -> Result<Response, Problem> {
    app::publish_course(&state.app, &v.principal, &slug).await?;
    Ok(Redirect::to(&format!("/author/{slug}")).into_response())
}

/// The course's certificate of completion: the box is sent only when ticked.
#[derive(Deserialize, Default)]
struct CertificateForm {
    #[serde(default)]
    on: Option<String>,
}

async fn set_certificate(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    CsrfForm(v, form): CsrfForm<CertificateForm>,
) -> Result<Response, Problem> {
    app::set_certificate(&state.app, &v.principal, &slug, form.on.is_some()).await?;
    Ok(Redirect::to(&format!("/author/{slug}#settings")).into_response())
}

/// A note is the only field of returning a course for changes.
#[derive(Deserialize, Default)]
pub(super) struct NoteForm {
    #[serde(default)]
    pub(super) note: String,
}

async fn return_course(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    CsrfForm(v, form): CsrfForm<NoteForm>,
) -> Result<Response, Problem> {
    app::return_course(&state.app, &v.principal, &slug, &form.note).await?;
    Ok(Redirect::to(&format!("/author/{slug}")).into_response())
}

#[derive(Template)]
#[template(path = "authoring/course.html")]
struct CoursePage {
    l: Layout,
    c: AuthorCourse,
    langs: Vec<(String, String)>,
    media: Vec<MediaItem>,
    /// The file just stored, to copy its line into a lesson.
    uploaded: Option<MediaItem>,
    /// Why an upload was refused.
    media_errors: Vec<String>,
    max_mb: usize,
    /// After a package over a published course: how many lesson texts wait for review.
    staged: Option<usize>,
    /// The file just removed.
    removed: Option<String>,
    /// A whole-course revision was just published.
    revised: bool,
    /// Why a removal was refused (the lessons that still show the file).
    remove_refused: Option<String>,
}

impl CoursePage {
    async fn of(state: &AppState, tr: Tr, parts: &Parts0, v: &Viewer, slug: &str) -> Result<CoursePage, Problem> {
        let c = app::course(&state.app, &v.principal, slug, ContentLang::Vi).await?;
        let media = media::list(&state.app, &v.principal, slug).await?;
        Ok(CoursePage {
            l: Layout::for_viewer(tr, &parts.0, v),
            c,
            langs: ContentLang::ALL
                .into_iter()
                .map(|l| (l.as_str().to_string(), lang_label(tr, l)))
                .collect(),
            media,
            uploaded: None,
            media_errors: Vec::new(),
            max_mb: state.config.max_upload_bytes / (1024 * 1024),
            staged: None,
            removed: None,
            revised: false,
            remove_refused: None,
        })
    }
}

#[derive(Deserialize, Default)]
struct UploadedQuery {
    uploaded: Option<String>,
    removed: Option<String>,
    revised: Option<String>,
    /// Read leniently: a hand-edited address shows no notice rather than an error page.
    staged: Option<String>,
}

async fn course(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<UploadedQuery>,
) -> Result<Response, Problem> {
    let mut page = CoursePage::of(&state, tr, &parts, &v, &slug).await?;
    page.uploaded = q
        .uploaded
        .and_then(|name| page.media.iter().find(|m| m.name == name).cloned());
    page.staged = q.staged.and_then(|n| n.parse().ok());
    page.revised = q.revised.is_some();
    // Only a name the course no longer holds: a hand-made address cannot claim a removal.
    page.removed = q.removed.filter(|name| {
        hocvuso_core::learning::media::is_stored_name(name) && !page.media.iter().any(|m| &m.name == name)
    });
    html(&page)
}

/// An image or a file for the course's lessons: stored, then the course page shows the line to
/// paste; a refused file is told on the same page with the reason and what to do.
async fn upload_media(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(slug): Path<String>,
    mp: Multipart,
) -> Result<Response, Problem> {
    // The course must be one the viewer may edit before anything of the upload is answered.
    app::course(&state.app, &v.principal, &slug, ContentLang::Vi).await?;
    let (sent, name, bytes, _) = read_upload_with_fields(&state, mp).await?;
    csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    match media::upload(&state.app, &v.principal, &slug, &name, bytes).await {
        Ok(m) => Ok(Redirect::to(&format!("/author/{slug}?uploaded={}#media", m.name)).into_response()),
        Err(AppError::Invalid(fields)) => {
            let mut page = CoursePage::of(&state, tr, &parts, &v, &slug).await?;
            page.media_errors = fields.iter().map(|f| tr.msg(&f.message)).collect();
            with_status(html(&page), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Conflict(f)) => {
            let mut page = CoursePage::of(&state, tr, &parts, &v, &slug).await?;
            page.media_errors = vec![tr.msg(&f.message)];
            with_status(html(&page), StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct RemoveForm {
    name: String,
}

/// Removes a file no lesson text shows; one still shown is refused on the course page with the
/// lessons that show it.
async fn remove_media(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(slug): Path<String>,
    CsrfForm(v, form): CsrfForm<RemoveForm>,
) -> Result<Response, Problem> {
    match media::remove(&state.app, &v.principal, &slug, &form.name).await {
        Ok(()) => Ok(Redirect::to(&format!("/author/{slug}?removed={}#media", form.name)).into_response()),
        Err(AppError::Conflict(f)) => {
            let mut page = CoursePage::of(&state, tr, &parts, &v, &slug).await?;
            page.remove_refused = Some(tr.msg(&f.message));
            with_status(html(&page), StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

/// What the form shows: the stored editor state, with the author's own typing over it when a
/// save was refused or previewed.
#[derive(Template)]
#[template(path = "authoring/editor.html")]
struct EditorPage {
    l: Layout,
    e: Editor,
    lang_label: String,
    title: String,
    body: String,
    checklist: String,
    video_url: String,
    video_title: String,
    video_transcript: String,
    /// The revision the next save is made from.
    revision: i32,
    preview: Option<String>,
    /// The video as the preview shows it.
    preview_video: Option<Video>,
    errors: Vec<(String, String)>,
    /// A save refused because the draft moved on: the stored draft, to compare with.
    conflict: Option<Editor>,
    saved: bool,
    /// When the stored draft was saved, in Vietnam time.
    updated_at: String,
    /// What the recording section says: the formats and caps, the draft's recording, why an
    /// upload was refused, what was just done.
    recording_help: String,
    recording_line: Option<String>,
    recording_errors: Vec<String>,
    recording_notice: Option<String>,
}

impl EditorPage {
    fn of(tr: Tr, parts: &Parts0, v: &Viewer, e: Editor) -> EditorPage {
        EditorPage {
            l: Layout::for_viewer(tr, &parts.0, v),
            lang_label: lang_label(tr, e.lang),
            title: e.title.clone(),
            body: e.body_md.clone(),
            checklist: e.checklist.clone(),
            video_url: e.video_url.clone(),
            video_title: e.video_title.clone(),
            video_transcript: e.video_transcript.clone(),
            revision: e.revision,
            preview: None,
            preview_video: None,
            errors: Vec::new(),
            conflict: None,
            saved: false,
            updated_at: e.updated_at.as_ref().map(fmt_time).unwrap_or_default(),
            recording_help: tr.msg(
                &Message::new("author-recording-help")
                    .arg("mb", rec::MAX_UPLOAD_BYTES / (1024 * 1024))
                    .arg("min", rec::MAX_SECONDS / 60),
            ),
            recording_line: e.recording.as_ref().map(|r| {
                tr.msg(
                    &Message::new("author-recording-current")
                        .arg("min", r.minutes)
                        .arg("sec", r.seconds)
                        .arg("kb", r.kilobytes)
                        .arg("format", &r.format)
                        .arg("by", &r.uploaded_by),
                )
            }),
            recording_errors: Vec::new(),
            recording_notice: None,
            e,
        }
    }
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    lang: Option<String>,
    saved: Option<String>,
    /// "saved" or "removed" after a recording was uploaded or removed.
    recording: Option<String>,
}

async fn editor(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path((course, lesson)): Path<(String, String)>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, Problem> {
    let lang = lang_of(q.lang.as_deref());
    let e = app::editor(&state.app, &v.principal, &course, &lesson, lang).await?;
    let mut page = EditorPage::of(tr, &parts, &v, e);
    page.saved = q.saved.is_some();
    page.recording_notice = match q.recording.as_deref() {
        Some("saved") => Some(tr.get("author-recording-saved")),
        Some("removed") => Some(tr.get("author-recording-removed")),
        _ => None,
    };
    html(&page)
}

#[derive(Deserialize, Default)]
struct EditForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    checklist: String,
    #[serde(default)]
    video_url: String,
    #[serde(default)]
    video_title: String,
    #[serde(default)]
    video_transcript: String,
    /// "preview" shows the lesson without saving; anything else saves.
    #[serde(default)]
    action: String,
}

fn revision_of(s: &str) -> Result<i32, Problem> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|r| *r >= 0)
        .ok_or_else(|| Problem::bad_request(hocvuso_core::i18n::Message::new("err-authoring-revision")))
}

/// The editor page itself as the answer to a refused save: the error middleware leaves it alone.
pub(super) fn with_status(r: Result<Response, Problem>, status: StatusCode) -> Result<Response, Problem> {
    r.map(|mut r| {
        *r.status_mut() = status;
        r.extensions_mut().insert(Rendered);
        r
    })
}

async fn save(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path((course, lesson)): Path<(String, String)>,
    CsrfForm(v, form): CsrfForm<EditForm>,
) -> Result<Response, Problem> {
    let lang = lang_of(Some(&form.lang));
    // The editor as stored: it also checks that the viewer may edit this course.
    let stored = app::editor(&state.app, &v.principal, &course, &lesson, lang).await?;
    let revision = revision_of(&form.revision)?;
    let mut page = EditorPage::of(tr, &parts, &v, stored.clone());
    page.title = form.title.clone();
    page.body = form.body.clone();
    page.checklist = form.checklist.clone();
    page.video_url = form.video_url.clone();
    page.video_title = form.video_title.clone();
    page.video_transcript = form.video_transcript.clone();
    page.revision = revision;
    let video = VideoFields {
        url: &form.video_url,
        title: &form.video_title,
        transcript: &form.video_transcript,
    };
    let outcome = if form.action == "preview" {
        app::preview(&form.title, &form.body, &form.checklist, video, &stored.shelf).map(|(edit, html)| {
            page.preview = Some(html);
            page.preview_video = edit.video;
        })
    } else {
        match app::save(
            &state.app,
            &v.principal,
            &course,
            &lesson,
            lang,
            revision,
            &form.title,
            &form.body,
            &form.checklist,
            video,
        )
        .await
        {
            Ok(_) => {
                let to = format!("/author/{course}/{lesson}?lang={}&saved=1", lang.as_str());
                return Ok(Redirect::to(&to).into_response());
            }
            Err(e) => Err(e),
        }
    };
    match outcome {
        Ok(()) => html(&page),
        Err(AppError::Invalid(fields)) => {
            page.errors = fields
                .iter()
                .map(|f| (tr.get(&format!("field-authoring-{}", f.field)), tr.msg(&f.message)))
                .collect();
            with_status(html(&page), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Conflict(f)) => {
            // Nothing the author typed is lost: it stays in the form, now made from the stored
            // revision, and the stored draft is shown beside it to compare.
            page.errors = vec![(String::new(), tr.msg(&f.message))];
            page.revision = stored.revision;
            page.conflict = Some(stored);
            with_status(html(&page), StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct StepForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    note: String,
}

fn back(course: &str, lesson: &str, lang: ContentLang) -> Response {
    Redirect::to(&format!("/author/{course}/{lesson}?lang={}", lang.as_str())).into_response()
}

async fn submit(
    State(state): State<AppState>,
    Path((course, lesson)): Path<(String, String)>,
    CsrfForm(v, form): CsrfForm<StepForm>,
) -> Result<Response, Problem> {
    let lang = lang_of(Some(&form.lang));
    app::check_author(&state.app, &v.principal, &course, &lesson).await?;
    app::submit(
        &state.app,
        &v.principal,
        &course,
        &lesson,
        lang,
        revision_of(&form.revision)?,
    )
    .await?;
    Ok(back(&course, &lesson, lang))
}

async fn publish(
    State(state): State<AppState>,
    Path((course, lesson)): Path<(String, String)>,
    CsrfForm(v, form): CsrfForm<StepForm>,
) -> Result<Response, Problem> {
    let lang = lang_of(Some(&form.lang));
    app::check_author(&state.app, &v.principal, &course, &lesson).await?;
    app::publish(
        &state.app,
        &v.principal,
        &course,
        &lesson,
        lang,
        revision_of(&form.revision)?,
    )
    .await?;
    Ok(back(&course, &lesson, lang))
}

async fn return_draft(
    State(state): State<AppState>,
    Path((course, lesson)): Path<(String, String)>,
    CsrfForm(v, form): CsrfForm<StepForm>,
) -> Result<Response, Problem> {
    let lang = lang_of(Some(&form.lang));
    app::check_author(&state.app, &v.principal, &course, &lesson).await?;
    app::return_draft(
        &state.app,
        &v.principal,
        &course,
        &lesson,
        lang,
        revision_of(&form.revision)?,
        &form.note,
    )
    .await?;
    Ok(back(&course, &lesson, lang))
}

/// A lesson as learners would see it, for its authors, whether or not the course is published.
#[derive(Template)]
#[template(path = "authoring/preview.html")]
struct PreviewPage {
    l: Layout,
    x: LessonPreview,
    /// What the page shows when it is a draft: its state, and that learners do not see it.
    draft_note: Option<String>,
    /// `?lang=…` for the links to the neighbouring lessons.
    lq: String,
}

#[derive(Deserialize, Default)]
struct LangQuery {
    lang: Option<String>,
}

async fn preview(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path((course, lesson)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
) -> Result<Response, Problem> {
    let lang = lang_of(q.lang.as_deref());
    let x = app::lesson_preview(&state.app, &v.principal, &course, &lesson, lang).await?;
    html(&PreviewPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        draft_note: x
            .draft
            .map(|s| tr.msg(&Message::new("author-preview-draft").arg("state", tr.get(&s.label_key())))),
        lq: format!("?lang={}", lang.as_str()),
        x,
    })
}

/// The draft's recording, for its authors: a player on the editor plays it before it is published.
async fn recording(
    State(state): State<AppState>,
    v: Viewer,
    Path((course, lesson)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, Problem> {
    let lang = lang_of(q.lang.as_deref());
    let Some(bytes) = recordings::play(&state.app, &v.principal, &course, &lesson, lang).await? else {
        // No recording (removed, or published with its draft): the editor's recording section
        // says so and offers the upload.
        return Ok(back_to_recording(&course, &lesson, lang, None));
    };
    let etag = format!("\"{}\"", &hocvuso_core::crypto::sha256_hex(&[&bytes])[..32]);
    let mut r = crate::kit::range::respond(&headers, bytes, &etag);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/ogg; codecs=opus"));
    // A draft's recording changes and is not public: no cache on the way keeps it.
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    Ok(r)
}

fn back_to_recording(course: &str, lesson: &str, lang: ContentLang, done: Option<&str>) -> Response {
    let done = done.map(|d| format!("&recording={d}")).unwrap_or_default();
    Redirect::to(&format!(
        "/author/{course}/{lesson}?lang={}{done}#recording",
        lang.as_str()
    ))
    .into_response()
}

/// The editor again, with why the recording was refused.
async fn recording_refused(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    (course, lesson, lang): (&str, &str, ContentLang),
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, Problem> {
    let e = app::editor(&state.app, &v.principal, course, lesson, lang).await?;
    let mut page = EditorPage::of(tr, parts, v, e);
    page.recording_errors = errors;
    with_status(html(&page), status)
}

/// An author's recording into the draft: stored, or the editor says why not (nothing stored).
async fn upload_recording(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path((course, lesson)): Path<(String, String)>,
    mp: Multipart,
) -> Result<Response, Problem> {
    // The lesson must be one the viewer may edit before anything of the upload is answered.
    app::check_author(&state.app, &v.principal, &course, &lesson).await?;
    let cap = rec::MAX_UPLOAD_BYTES.min(state.config.max_upload_bytes);
    let up = read_upload_capped(&state, mp, cap).await?;
    csrf::check(&v, up.csrf.as_deref().unwrap_or(""))?;
    let lang = lang_of(up.fields.get("lang").map(String::as_str));
    let revision = revision_of(up.fields.get("revision").map_or("", String::as_str))?;
    let at = (course.as_str(), lesson.as_str(), lang);
    let bytes = match up.file {
        Ok(b) => b,
        Err(size) => {
            let m = tr.msg(&RecordingError::TooLarge { size }.message());
            return recording_refused(&state, tr, &parts, &v, at, vec![m], StatusCode::PAYLOAD_TOO_LARGE).await;
        }
    };
    match recordings::upload(&state.app, &v.principal, &course, &lesson, lang, revision, bytes).await {
        Ok(_) => Ok(back_to_recording(&course, &lesson, lang, Some("saved"))),
        Err(AppError::Invalid(fields)) => {
            let errors = fields.iter().map(|f| tr.msg(&f.message)).collect();
            recording_refused(&state, tr, &parts, &v, at, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Conflict(f)) => {
            let errors = vec![tr.msg(&f.message)];
            recording_refused(&state, tr, &parts, &v, at, errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_recording(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path((course, lesson)): Path<(String, String)>,
    CsrfForm(v, form): CsrfForm<StepForm>,
) -> Result<Response, Problem> {
    let lang = lang_of(Some(&form.lang));
    app::check_author(&state.app, &v.principal, &course, &lesson).await?;
    let revision = revision_of(&form.revision)?;
    let at = (course.as_str(), lesson.as_str(), lang);
    match recordings::remove(&state.app, &v.principal, &course, &lesson, lang, revision).await {
        Ok(_) => Ok(back_to_recording(&course, &lesson, lang, Some("removed"))),
        Err(AppError::Invalid(fields)) => {
            let errors = fields.iter().map(|f| tr.msg(&f.message)).collect();
            recording_refused(&state, tr, &parts, &v, at, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Conflict(f)) => {
            let errors = vec![tr.msg(&f.message)];
            recording_refused(&state, tr, &parts, &v, at, errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// "Soạn bài" for those who may write or publish content somewhere.
pub fn nav(tr: Tr, v: Option<&Viewer>) -> Vec<Nav> {
    match v {
        Some(v)
            if v.principal.can_somewhere(Action::AuthorContent)
                || v.principal.can_somewhere(Action::PublishContent) =>
        {
            vec![Nav {
                href: "/author".into(),
                label: tr.get("nav-author"),
                current: false,
            }]
        }
        _ => Vec::new(),
    }
}
