//! Authoring in the browser: an author edits a lesson's text as a draft (with a preview), sends it
//! for review, and a second person publishes it as the lesson's next version or returns it. The
//! course's owning unit decides who may: `AuthorContent` to write, `PublishContent` to publish.
//! Every write names the draft revision it was made from; a save made from an older revision is
//! refused and the author keeps what they typed (the page shows both texts).

use super::pick;
use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Principal, act};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::draft::{DraftState, LessonEdit, VideoFields};
use hocvuso_core::learning::media::Shelf;
use hocvuso_core::learning::video::Video;
use hocvuso_core::learning::{ContentError, ContentLang, CourseStatus, markdown};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::authoring::{self as drafts, Draft, DraftText};
use hocvuso_db::learning::{self as db, Course, Lesson};
use hocvuso_db::{Tx, accounts};
use serde_json::json;

/// A course an author may edit, with its lessons and their drafts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuthorCourse {
    pub slug: String,
    pub title: String,
    pub status: CourseStatus,
    pub lessons: Vec<AuthorLesson>,
    /// The signed-in person may publish drafts of this course.
    pub may_publish: bool,
    /// Who sent the course for review, when it was.
    pub submitted_by: String,
    /// The course is in review, sent by someone else, and the viewer may publish it.
    pub may_publish_course: bool,
    /// The course is in review and the viewer may publish in its unit, so may return it to draft.
    pub may_return_course: bool,
    /// A package changing the published course's shape waits for review (`/author/{course}/revision`).
    pub revision_waiting: bool,
    /// Learners who complete every lesson get a certificate of completion.
    pub completion_certificate: bool,
    /// The viewer may turn that on or off (see [`set_certificate`]).
    pub may_set_certificate: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuthorLesson {
    pub slug: String,
    pub title: String,
    pub version: i32,
    /// Drafts by language: state and who saved last.
    pub drafts: Vec<DraftLine>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DraftLine {
    pub lang: ContentLang,
    pub state: DraftState,
    pub revision: i32,
    pub updated_by: String,
}

/// The courses the signed-in person may author, and the drafts waiting for them to review.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Desk {
    pub courses: Vec<DeskCourse>,
    pub waiting: Vec<WaitingDraft>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DeskCourse {
    pub slug: String,
    pub title: String,
    pub status: CourseStatus,
    pub drafts: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct WaitingDraft {
    pub course_slug: String,
    pub lesson_slug: String,
    pub lang: ContentLang,
    pub title: String,
    pub submitted_by: String,
    pub submitted_at: Option<time::OffsetDateTime>,
    /// Sent by this person: someone else must publish it.
    pub own: bool,
}

pub(super) async fn name_of(app: &App, account_id: Option<i64>) -> Result<String> {
    Ok(match account_id {
        Some(id) => accounts::get(&app.db, id)
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

fn author_id(who: &Principal) -> Result<i64> {
    super::account(who)
}

/// The author's desk: courses owned inside any subtree where they may write, newest drafts
/// counted; drafts sent for review inside any subtree where they may publish.
pub async fn desk(app: &App, who: &Principal, lang: ContentLang) -> Result<Desk> {
    let me = author_id(who)?;
    let writes = who.scopes::<act::AuthorContent>();
    let publishes = who.scopes::<act::PublishContent>();
    if writes.is_empty() && publishes.is_empty() {
        return Err(Error::Denied(hocvuso_core::access::Denied::Forbidden));
    }
    let texts = db::course_texts(&app.db).await?;
    let mut courses = Vec::new();
    for c in db::courses(&app.db).await? {
        if !writes.iter().any(|s| s.contains(&c.owner_path)) {
            continue;
        }
        let drafts = drafts::drafts_of_course(&app.db, c.id).await?.len();
        courses.push(DeskCourse {
            title: super::course_title(&texts, c.id, lang),
            slug: c.slug,
            status: c.status,
            drafts,
        });
    }
    let mut waiting = Vec::new();
    for s in &publishes {
        let (lo, hi) = s.bounds();
        for w in drafts::waiting(&app.db, &lo, &hi).await? {
            waiting.push(WaitingDraft {
                own: w.submitted_by == Some(me),
                submitted_by: name_of(app, w.submitted_by).await?,
                course_slug: w.course_slug,
                lesson_slug: w.lesson_slug,
                lang: w.lang,
                title: w.title,
                submitted_at: w.submitted_at,
            });
        }
    }
    Ok(Desk { courses, waiting })
}

/// A course as its authors see it: every live lesson, its published version and its drafts.
pub async fn course(app: &App, who: &Principal, slug: &str, lang: ContentLang) -> Result<AuthorCourse> {
    let c = db::course_by_slug(&app.db, slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    let may_publish = who.can(hocvuso_core::roles::Action::PublishContent, &c.owner_path);
    let texts = db::course_texts(&app.db).await?;
    let titles = db::lesson_titles(&app.db, c.id).await?;
    let all_drafts = drafts::drafts_of_course(&app.db, c.id).await?;
    let mut lessons = Vec::new();
    for l in db::lessons(&app.db, c.id).await? {
        let title = pick(
            lang,
            titles
                .iter()
                .filter(|t| t.lesson_id == l.id)
                .map(|t| (t.lang, t.title.clone())),
        )
        .map(|t| t.value)
        .unwrap_or_default();
        let mut lines = Vec::new();
        for d in all_drafts.iter().filter(|d| d.lesson_id == l.id) {
            lines.push(DraftLine {
                lang: d.lang,
                state: d.state,
                revision: d.revision,
                updated_by: name_of(app, Some(d.updated_by)).await?,
            });
        }
        lessons.push(AuthorLesson {
            slug: l.slug,
            title,
            version: l.version,
            drafts: lines,
        });
    }
    let sent_by = db::course_submitted_by(&app.db, c.id).await?;
    let revision_waiting = hocvuso_db::revisions::waiting(&app.db, c.id).await?.is_some();
    Ok(AuthorCourse {
        revision_waiting,
        completion_certificate: c.completion_certificate,
        may_set_certificate: c.status == CourseStatus::Draft || may_publish,
        slug: c.slug.clone(),
        title: super::course_title(&texts, c.id, lang),
        status: c.status,
        lessons,
        may_publish,
        submitted_by: match c.status {
            CourseStatus::Review => name_of(app, sent_by).await?,
            _ => String::new(),
        },
        may_publish_course: may_publish && c.status == CourseStatus::Review && sent_by != Some(author_id(who)?),
        may_return_course: may_publish && c.status == CourseStatus::Review,
    })
}

/// What the lesson editor shows: the draft if there is one, else the published text, in the
/// language being edited.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Editor {
    pub course_slug: String,
    pub course_title: String,
    pub lesson_slug: String,
    pub lang: ContentLang,
    /// The version learners read now.
    pub version: i32,
    /// Learners can open the course (else the learner pages answer 404: the preview stands in).
    pub course_published: bool,
    pub title: String,
    pub body_md: String,
    /// One step per line, as the form edits it.
    pub checklist: String,
    /// The video's fields, empty when the lesson has none.
    pub video_url: String,
    pub video_title: String,
    pub video_transcript: String,
    /// 0 when there is no draft yet.
    pub revision: i32,
    pub state: Option<DraftState>,
    pub updated_by: String,
    pub updated_at: Option<time::OffsetDateTime>,
    pub submitted_by: String,
    /// The published text in this language changed after the draft was started.
    pub stale: bool,
    /// May send this draft for review.
    pub may_submit: bool,
    /// May publish or return this draft: it is in review, sent by someone else, and the viewer
    /// may publish in the course's unit.
    pub may_publish: bool,
    pub may_publish_somewhere: bool,
    /// The course's images and files, with what to paste to show each.
    pub media: Vec<super::media::MediaItem>,
    /// The same files as a preview renders them.
    #[serde(skip)]
    pub shelf: hocvuso_core::learning::media::Shelf,
    /// The author's recording in the draft, when there is one.
    pub recording: Option<RecordingLine>,
}

/// A draft's recording as the editor describes it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordingLine {
    pub minutes: i64,
    pub seconds: i64,
    pub kilobytes: i64,
    /// What was uploaded: "MP3", "WAV" …
    pub format: String,
    pub uploaded_by: String,
}

fn checklist_lines(json: &str) -> String {
    serde_json::from_str::<Vec<String>>(json).unwrap_or_default().join("\n")
}

pub(super) async fn course_and_lesson(app: &App, course_slug: &str, lesson_slug: &str) -> Result<(Course, Lesson)> {
    let c = db::course_by_slug(&app.db, course_slug).await?.ok_or(Error::NotFound)?;
    let l = db::lessons(&app.db, c.id)
        .await?
        .into_iter()
        .find(|l| l.slug == lesson_slug)
        .ok_or(Error::NotFound)?;
    Ok((c, l))
}

/// Whether the signed-in person may write in this lesson's course (404 for an unknown course or
/// lesson): the steps below check it again in their transaction, this answers a form before its
/// fields are read, so a stranger learns nothing about them.
pub async fn check_author(app: &App, who: &Principal, course_slug: &str, lesson_slug: &str) -> Result<()> {
    let (c, _) = course_and_lesson(app, course_slug, lesson_slug).await?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    Ok(())
}

pub async fn editor(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
) -> Result<Editor> {
    let me = author_id(who)?;
    let (c, l) = course_and_lesson(app, course_slug, lesson_slug).await?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    let published = db::lesson_texts(&app.db, &l).await?;
    let current = published.iter().find(|t| t.lang == lang);
    let draft = drafts::draft(&app.db, l.id, lang).await?;
    let texts = db::course_texts(&app.db).await?;
    let may_publish_here = who.can(hocvuso_core::roles::Action::PublishContent, &c.owner_path);
    let shelf = super::media::shelf(&app.db, &c).await?;
    let media = super::media::list(app, who, &c.slug).await?;
    let recording = match super::recording::info(app, l.id, lang).await? {
        Some(r) => Some(RecordingLine {
            minutes: r.duration_ms / 60_000,
            seconds: (r.duration_ms / 1000) % 60,
            kilobytes: (r.bytes + 1023) / 1024,
            format: r.original_format,
            uploaded_by: name_of(app, Some(r.uploaded_by)).await?,
        }),
        None => None,
    };
    let mut tx = app.db.begin().await?;
    let stale = match &draft {
        Some(d) => is_stale(&mut tx, &l, d).await?,
        None => false,
    };
    tx.commit().await?;
    let (title, body_md, checklist, video) = match (&draft, current) {
        (Some(d), _) => (
            d.title.clone(),
            d.body_md.clone(),
            checklist_lines(&d.checklist),
            &d.video,
        ),
        (None, Some(t)) => (
            t.title.clone(),
            t.body_md.clone(),
            checklist_lines(&t.checklist),
            &t.video,
        ),
        (None, None) => (String::new(), String::new(), String::new(), &String::new()),
    };
    // A stored video always decodes (it was checked when written); a damaged one shows empty.
    let video = Video::from_stored(video).ok().flatten();
    Ok(Editor {
        course_slug: c.slug.clone(),
        course_title: super::course_title(&texts, c.id, lang),
        lesson_slug: l.slug.clone(),
        lang,
        version: l.version,
        course_published: c.status.open_to_learners(),
        title,
        body_md,
        checklist,
        video_url: video.as_ref().map(|v| v.url.clone()).unwrap_or_default(),
        video_title: video.as_ref().map(|v| v.title.clone()).unwrap_or_default(),
        video_transcript: video.map(|v| v.transcript).unwrap_or_default(),
        revision: draft.as_ref().map_or(0, |d| d.revision),
        state: draft.as_ref().map(|d| d.state),
        updated_by: name_of(app, draft.as_ref().map(|d| d.updated_by)).await?,
        updated_at: draft.as_ref().map(|d| d.updated_at),
        submitted_by: name_of(app, draft.as_ref().and_then(|d| d.submitted_by)).await?,
        stale,
        may_submit: draft.as_ref().is_some_and(|d| d.state == DraftState::Draft),
        may_publish: may_publish_here
            && draft
                .as_ref()
                .is_some_and(|d| d.state == DraftState::Review && d.submitted_by != Some(me)),
        may_publish_somewhere: may_publish_here,
        media,
        shelf,
        recording,
    })
}

/// Whether the published text in the draft's language changed since the draft was started.
async fn is_stale(tx: &mut Tx, l: &Lesson, d: &Draft) -> Result<bool> {
    if d.base_version == l.version {
        return Ok(false);
    }
    let then = drafts::text_at(tx, l.id, d.lang, d.base_version).await?;
    let now = drafts::text_at(tx, l.id, d.lang, l.version).await?;
    Ok(match (then, now) {
        (Some(a), Some(b)) => {
            a.title != b.title || a.body_md != b.body_md || a.checklist != b.checklist || a.video != b.video
        }
        (None, None) => false,
        _ => true,
    })
}

/// A content problem as a field error: the field is its file, and the message says the line (and,
/// for a package of many files, the file) where there is one.
pub(super) fn located(e: ContentError, name_file: bool) -> FieldError {
    let problem = || e.message.render(hocvuso_core::i18n::Lang::Vi);
    let message = match (name_file && !e.file.is_empty(), e.line) {
        (false, None) => e.message.clone(),
        (false, Some(line)) => Message::new("err-authoring-at-line")
            .arg("line", line)
            .arg("problem", problem()),
        (true, None) => Message::new("err-authoring-in-file")
            .arg("file", &e.file)
            .arg("problem", problem()),
        (true, Some(line)) => Message::new("err-authoring-in-file-at-line")
            .arg("file", &e.file)
            .arg("line", line)
            .arg("problem", problem()),
    };
    FieldError::new(&e.file, message)
}

/// The form's problems as field errors: the field, and the line where there is one.
fn field_errors(errors: Vec<ContentError>) -> Error {
    Error::Invalid(errors.into_iter().map(|e| located(e, false)).collect())
}

/// The lesson as learners would see it, with the course's files, without saving anything.
pub fn preview(
    title: &str,
    body: &str,
    checklist: &str,
    video: VideoFields<'_>,
    shelf: &Shelf,
) -> Result<(LessonEdit, String)> {
    let edit = LessonEdit::parse(title, body, checklist, video, shelf).map_err(field_errors)?;
    let html = markdown::render_with(&edit.body_md, shelf);
    Ok((edit, html))
}

/// The course and lesson inside the writing transaction, with the author's right checked on the
/// course's owner as stored now.
pub(super) async fn locked<A: hocvuso_core::access::Act>(
    tx: &mut Tx,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
) -> Result<(Course, Lesson)> {
    let c = db::course_for_edit_tx(tx, course_slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<A>(&c.owner_path)?;
    let l = db::lesson_by_slug_tx(tx, c.id, lesson_slug)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((c, l))
}

pub(super) fn conflict(key: &str) -> Error {
    Error::Conflict(FieldError::new("revision", Message::new(key)))
}

pub(super) async fn audit_event(tx: &mut Tx, who: &Principal, c: &Course, event: Event) -> Result<()> {
    audit::append(tx, &Actor::from(who), Entry::of(&c.owner_path, &event)).await?;
    Ok(())
}

/// Saves the author's text as the draft's next revision; returns it. `from_revision` is the one
/// the form was opened at (0: no draft then). A save from an older revision is a conflict and
/// stores nothing.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
    from_revision: i32,
    title: &str,
    body: &str,
    checklist: &str,
    video: VideoFields<'_>,
) -> Result<i32> {
    let me = author_id(who)?;
    let mut tx = app.db.begin().await?;
    // Who may write is decided before what was written is judged.
    let (c, l) = locked::<act::AuthorContent>(&mut tx, who, course_slug, lesson_slug).await?;
    // The course's files as stored now: a picture the body shows must be there when it is saved.
    let shelf = super::media::shelf_tx(&mut tx, &c).await?;
    let edit = LessonEdit::parse(title, body, checklist, video, &shelf).map_err(field_errors)?;
    // A lesson has as many practice steps in every language (a package whose translation
    // differs is refused on import, and learners tick the same steps whatever they read).
    for other in ContentLang::ALL.into_iter().filter(|o| *o != lang) {
        if let Some(t) = drafts::text_at(&mut tx, l.id, other, l.version).await? {
            let theirs = serde_json::from_str::<Vec<String>>(&t.checklist).map_or(0, |v| v.len());
            if theirs != edit.checklist.len() {
                return Err(Error::Invalid(vec![FieldError::new(
                    "checklist",
                    Message::new("err-authoring-checklist-count")
                        .arg("lang", other.as_str())
                        .arg("theirs", theirs)
                        .arg("mine", edit.checklist.len()),
                )]));
            }
        }
    }
    let steps =
        serde_json::to_string(&edit.checklist).map_err(|e| Error::Db(hocvuso_db::DbError::Invalid(e.to_string())))?;
    let video_stored = Video::to_stored(edit.video.as_ref());
    let text = DraftText {
        title: &edit.title,
        body_md: &edit.body_md,
        checklist: &steps,
        video: &video_stored,
    };
    let Some(revision) = drafts::save(&mut tx, l.id, lang, &text, l.version, from_revision, me).await? else {
        return Err(conflict("err-authoring-conflict"));
    };
    audit_event(
        &mut tx,
        who,
        &c,
        Event::LessonDraftSaved {
            lesson_id: l.id,
            detail: json!({"course": c.slug, "lesson": l.slug, "lang": lang.as_str(), "revision": revision}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(revision)
}

/// Sends the draft at `revision` for review.
pub async fn submit(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
    revision: i32,
) -> Result<()> {
    let me = author_id(who)?;
    let mut tx = app.db.begin().await?;
    let (c, l) = locked::<act::AuthorContent>(&mut tx, who, course_slug, lesson_slug).await?;
    let d = drafts::draft_tx(&mut tx, l.id, lang).await?.ok_or(Error::NotFound)?;
    if d.state != DraftState::Draft || !drafts::set_state(&mut tx, l.id, lang, revision, DraftState::Review, me).await?
    {
        return Err(conflict("err-authoring-conflict"));
    }
    audit_event(
        &mut tx,
        who,
        &c,
        Event::LessonSubmitted {
            lesson_id: l.id,
            detail: json!({"course": c.slug, "lesson": l.slug, "lang": lang.as_str(), "revision": revision}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The draft in review, checked for a reviewer: in review, at `revision`, sent by someone else.
async fn reviewable(tx: &mut Tx, who: &Principal, l: &Lesson, lang: ContentLang, revision: i32) -> Result<Draft> {
    let me = author_id(who)?;
    let d = drafts::draft_tx(tx, l.id, lang).await?.ok_or(Error::NotFound)?;
    if d.revision != revision || d.state != DraftState::Review {
        return Err(conflict("err-authoring-conflict"));
    }
    if d.submitted_by == Some(me) || d.updated_by == me {
        return Err(Error::Conflict(FieldError::new(
            "revision",
            Message::new("err-authoring-own-draft"),
        )));
    }
    Ok(d)
}

/// Publishes the draft in review as the lesson's next version; returns the version. Learners'
/// progress on the lesson stays (it is kept per lesson, not per version).
pub async fn publish(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
    revision: i32,
) -> Result<i32> {
    let me = author_id(who)?;
    let mut tx = app.db.begin().await?;
    let (c, l) = locked::<act::PublishContent>(&mut tx, who, course_slug, lesson_slug).await?;
    let d = reviewable(&mut tx, who, &l, lang, revision).await?;
    if is_stale(&mut tx, &l, &d).await? {
        return Err(conflict("err-authoring-stale"));
    }
    let drafts::Published { version, recorded } = drafts::publish(&mut tx, l.id, lang, revision, me)
        .await?
        .ok_or_else(|| conflict("err-authoring-conflict"))?;
    // The new text is read aloud now, not when a learner first opens it, unless its author
    // recorded it: then the recording is its audio.
    if !recorded {
        super::audio::enqueue_in(app, &mut tx, l.id, lang, version).await?;
    }
    audit_event(
        &mut tx,
        who,
        &c,
        Event::LessonPublished {
            lesson_id: l.id,
            detail: json!({
                "course": c.slug, "lesson": l.slug, "lang": lang.as_str(),
                "revision": revision, "version": version, "submitted_by": d.submitted_by,
                "audio": if recorded { "uploaded" } else { "generated" },
            }),
        },
    )
    .await?;
    tx.commit().await?;
    app.jobs.wake();
    Ok(version)
}

/// Returns the draft in review to its author, with a note saying what to change.
#[allow(clippy::too_many_arguments)]
pub async fn return_draft(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
    revision: i32,
    note: &str,
) -> Result<()> {
    let me = author_id(who)?;
    let note = hocvuso_core::text::clean_line("authoring-note", note, 1000)
        .map_err(|m| Error::Invalid(vec![FieldError::new("note", m)]))?;
    let mut tx = app.db.begin().await?;
    let (c, l) = locked::<act::PublishContent>(&mut tx, who, course_slug, lesson_slug).await?;
    reviewable(&mut tx, who, &l, lang, revision).await?;
    if !drafts::set_state(&mut tx, l.id, lang, revision, DraftState::Draft, me).await? {
        return Err(conflict("err-authoring-conflict"));
    }
    audit_event(
        &mut tx,
        who,
        &c,
        Event::LessonReturned {
            lesson_id: l.id,
            detail: json!({"course": c.slug, "lesson": l.slug, "lang": lang.as_str(), "revision": revision, "note": note}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The course inside the writing transaction, with the right `A` checked on its owner as stored
/// now.
async fn locked_course<A: hocvuso_core::access::Act>(tx: &mut Tx, who: &Principal, slug: &str) -> Result<Course> {
    let c = db::course_for_edit_tx(tx, slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<A>(&c.owner_path)?;
    Ok(c)
}

/// Sends a draft course (an imported package) for review; whoever sends it may not publish it.
pub async fn submit_course(app: &App, who: &Principal, slug: &str) -> Result<()> {
    let me = author_id(who)?;
    let mut tx = app.db.begin().await?;
    let c = locked_course::<act::AuthorContent>(&mut tx, who, slug).await?;
    if c.status != CourseStatus::Draft
        || !db::set_course_status(&mut tx, c.id, CourseStatus::Draft, CourseStatus::Review, Some(me)).await?
    {
        return Err(conflict("err-authoring-course-not-draft"));
    }
    let event = Event::CourseSubmitted {
        course_id: c.id,
        detail: json!({"slug": c.slug}),
    };
    audit_event(&mut tx, who, &c, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes a course in review to learners: by someone who may publish in its unit and did not
/// send it for review.
pub async fn publish_course(app: &App, who: &Principal, slug: &str) -> Result<()> {
    let me = author_id(who)?;
    let mut tx = app.db.begin().await?;
    let c = locked_course::<act::PublishContent>(&mut tx, who, slug).await?;
    if c.status != CourseStatus::Review {
        return Err(conflict("err-authoring-course-not-review"));
    }
    let sent_by = db::course_submitted_by_tx(&mut tx, c.id).await?;
    if sent_by == Some(me) {
        return Err(conflict("err-authoring-own-course"));
    }
    if !db::set_course_status(&mut tx, c.id, CourseStatus::Review, CourseStatus::Published, None).await? {
        return Err(conflict("err-authoring-course-not-review"));
    }
    let event = Event::CoursePublished {
        course_id: c.id,
        detail: json!({"slug": c.slug, "submitted_by": sent_by}),
    };
    audit_event(&mut tx, who, &c, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Turns a course's certificate of completion on or off. Its authors decide while it is a draft;
/// once it is in review or published, someone who may publish in its unit does, since from then
/// on learners receive certificates in the issuing body's name. Audited; nothing changes (and
/// nothing is recorded) when it is set so already.
pub async fn set_certificate(app: &App, who: &Principal, slug: &str, on: bool) -> Result<()> {
    author_id(who)?;
    let mut tx = app.db.begin().await?;
    let c = locked_course::<act::AuthorContent>(&mut tx, who, slug).await?;
    if c.status != CourseStatus::Draft {
        who.authorize::<act::PublishContent>(&c.owner_path)?;
    }
    if c.completion_certificate == on {
        return Ok(());
    }
    db::set_completion_certificate(&mut tx, c.id, on).await?;
    let event = Event::CourseCertificateSet {
        course_id: c.id,
        detail: json!({"slug": c.slug, "on": on}),
    };
    audit_event(&mut tx, who, &c, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Returns a course in review to draft, with an optional note saying what to change: by someone
/// who may publish in its unit, the sender included (it takes nothing to learners, so it needs no
/// second person, and a sender who spots a mistake can take the course back).
pub async fn return_course(app: &App, who: &Principal, slug: &str, note: &str) -> Result<()> {
    author_id(who)?;
    let mut tx = app.db.begin().await?;
    // Who may is decided before what they wrote is judged.
    let c = locked_course::<act::PublishContent>(&mut tx, who, slug).await?;
    let note = hocvuso_core::text::clean_line("authoring-note", note, 1000)
        .map_err(|m| Error::Invalid(vec![FieldError::new("note", m)]))?;
    // Conditional on the status as stored: of a publish and a return sent at once, one applies.
    if c.status != CourseStatus::Review
        || !db::set_course_status(&mut tx, c.id, CourseStatus::Review, CourseStatus::Draft, None).await?
    {
        return Err(conflict("err-authoring-course-return-not-review"));
    }
    let sent_by = db::course_submitted_by_tx(&mut tx, c.id).await?;
    let event = Event::CourseReturned {
        course_id: c.id,
        detail: json!({"slug": c.slug, "submitted_by": sent_by, "note": note}),
    };
    audit_event(&mut tx, who, &c, event).await?;
    tx.commit().await?;
    Ok(())
}

/// A lesson as learners would see it, for its authors: the draft in the language asked when there
/// is one, else the published text; a language the lesson lacks shows the Vietnamese text. Works
/// for a course learners cannot open yet; records no progress and enrols nobody.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LessonPreview {
    pub course_slug: String,
    pub course_title: String,
    pub course_published: bool,
    pub lesson_slug: String,
    /// The language shown (Vietnamese when the one asked has no text).
    pub lang: ContentLang,
    pub fallback: bool,
    pub title: String,
    /// The body as the lesson page renders it, with the course's images.
    pub html: String,
    pub checklist: Vec<String>,
    pub video: Option<Video>,
    /// The draft shown, when it is one; `None`: the published text.
    pub draft: Option<DraftState>,
    /// The version learners read now.
    pub version: i32,
    pub position: usize,
    pub of: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

pub async fn lesson_preview(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
) -> Result<LessonPreview> {
    let c = db::course_by_slug(&app.db, course_slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    let lessons = db::lessons(&app.db, c.id).await?;
    let index = lessons
        .iter()
        .position(|l| l.slug == lesson_slug)
        .ok_or(Error::NotFound)?;
    let l = &lessons[index];
    let published = db::lesson_texts(&app.db, l).await?;
    // (title, body, checklist as stored, video as stored, draft state)
    let text_in = |lang: ContentLang, d: Option<Draft>| match d {
        Some(d) => Some((d.title, d.body_md, d.checklist, d.video, Some(d.state))),
        None => published.iter().find(|t| t.lang == lang).map(|t| {
            (
                t.title.clone(),
                t.body_md.clone(),
                t.checklist.clone(),
                t.video.clone(),
                None,
            )
        }),
    };
    let mut shown = lang;
    let mut found = text_in(lang, drafts::draft(&app.db, l.id, lang).await?);
    if found.is_none() && lang != ContentLang::Vi {
        shown = ContentLang::Vi;
        found = text_in(shown, drafts::draft(&app.db, l.id, shown).await?);
    }
    let (title, body, checklist, video, draft) = found.ok_or(Error::NotFound)?;
    let shelf = super::media::shelf(&app.db, &c).await?;
    let texts = db::course_texts(&app.db).await?;
    Ok(LessonPreview {
        course_slug: c.slug.clone(),
        course_title: super::course_title(&texts, c.id, lang),
        course_published: c.status.open_to_learners(),
        lesson_slug: l.slug.clone(),
        lang: shown,
        fallback: shown != lang,
        title,
        html: markdown::render_with(&body, &shelf),
        checklist: serde_json::from_str(&checklist).unwrap_or_default(),
        // Stored texts were checked when written; a damaged video is left out, not shown broken.
        video: Video::from_stored(&video).ok().flatten(),
        draft,
        version: l.version,
        position: index + 1,
        of: lessons.len(),
        prev: index.checked_sub(1).map(|i| lessons[i].slug.clone()),
        next: lessons.get(index + 1).map(|n| n.slug.clone()),
    })
}
