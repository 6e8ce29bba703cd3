//! The learner: catalogue, a course, a lesson, enrolling, marking done, progress, frameworks.

use super::{account, course_title, pick};
use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::Principal;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::xapi::{self, Activity, Verb};
use hocvuso_core::learning::{self as core, ContentLang};
use hocvuso_core::people::{Groups, TargetGroup};
use hocvuso_core::text;
use hocvuso_db::learning::{self as db, Course, Enrolment, Lesson, Progress};
use hocvuso_db::{Tx, now};
use std::collections::BTreeMap;
#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub lang: ContentLang,
    pub fallback: bool,
    /// Languages the course's title is written in.
    pub languages: Vec<ContentLang>,
    pub groups: Vec<TargetGroup>,
    pub level: String,
    pub competences: Vec<(String, String)>,
    pub lessons: usize,
    pub minutes: i64,
}

#[derive(Debug, Clone, Default)]
pub struct CatalogueFilter {
    pub group: Option<TargetGroup>,
    /// Only courses written in (or translated into) this language.
    pub lang: Option<ContentLang>,
    /// `framework:code`, e.g. `digcomp22:4.1`.
    pub competence: Option<(String, String)>,
    /// Words of titles and summaries, with or without diacritics.
    pub q: Option<String>,
}

/// Published courses matching the filter, in the language asked for. The catalogue is read whole
/// and filtered here: a province has tens to a few hundred courses, and a word search over titles
/// and summaries folded without diacritics needs no index at that size.
pub async fn catalogue(app: &App, filter: &CatalogueFilter, lang: ContentLang) -> Result<Vec<CourseCard>> {
    let courses = db::courses(&app.db).await?;
    let texts = db::course_texts(&app.db).await?;
    let comps = db::course_competences(&app.db).await?;
    let lessons = db::all_lessons(&app.db).await?;
    let words: Vec<String> = filter
        .q
        .as_deref()
        .map(text::fold)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    for c in courses.into_iter().filter(|c| c.status.open_to_learners()) {
        let own_texts: Vec<_> = texts.iter().filter(|t| t.course_id == c.id).collect();
        let languages: Vec<ContentLang> = own_texts.iter().map(|t| t.lang).collect();
        if let Some(g) = filter.group
            && !c.groups.contains(g)
        {
            continue;
        }
        if let Some(l) = filter.lang
            && !languages.contains(&l)
        {
            continue;
        }
        let competences: Vec<(String, String)> = comps
            .iter()
            .filter(|x| x.owner_id == c.id)
            .map(|x| (x.framework_id.clone(), x.code.clone()))
            .collect();
        if let Some(want) = &filter.competence
            && !competences.contains(want)
        {
            continue;
        }
        if !words.iter().all(|w| c.search_key.contains(w.as_str())) {
            continue;
        }
        let Some(t) = pick(
            lang,
            own_texts.iter().map(|t| (t.lang, (t.title.clone(), t.summary.clone()))),
        ) else {
            continue;
        };
        let own_lessons: Vec<&Lesson> = lessons.iter().filter(|l| l.course_id == c.id).collect();
        out.push(CourseCard {
            id: c.id,
            slug: c.slug.clone(),
            title: t.value.0,
            summary: t.value.1,
            lang: t.lang,
            fallback: t.fallback,
            languages,
            groups: c.groups.iter().collect(),
            level: c.level.clone(),
            competences,
            lessons: own_lessons.len(),
            minutes: own_lessons.iter().map(|l| i64::from(l.minutes)).sum(),
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LessonItem {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub minutes: i32,
    pub opened: bool,
    pub done: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ModuleView {
    pub title: String,
    pub lessons: Vec<LessonItem>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseView {
    pub card: CourseCard,
    pub source_note: String,
    pub modules: Vec<ModuleView>,
    pub enrolled: bool,
    pub completed: bool,
    pub done: usize,
    /// Where to go on: the lesson last opened if not done, else the first lesson not done.
    pub next: Option<String>,
}

/// A published course as a learner sees it (with their progress when signed in).
pub async fn course(app: &App, who: Option<&Principal>, slug: &str, lang: ContentLang) -> Result<CourseView> {
    let c = db::course_by_slug(&app.db, slug).await?.ok_or(Error::NotFound)?;
    if !c.status.open_to_learners() {
        return Err(Error::NotFound);
    }
    let card = catalogue(app, &CatalogueFilter::default(), lang)
        .await?
        .into_iter()
        .find(|x| x.id == c.id)
        .ok_or(Error::NotFound)?;
    let modules = db::modules(&app.db, c.id).await?;
    let lessons = db::lessons(&app.db, c.id).await?;
    let titles = db::lesson_titles(&app.db, c.id).await?;
    let (enrolment, progress) = match who.and_then(|w| w.account_id) {
        Some(a) => (
            db::enrolments(&app.db, a)
                .await?
                .into_iter()
                .find(|e| e.course_id == c.id),
            db::progress(&app.db, a, Some(c.id)).await?,
        ),
        None => (None, Vec::new()),
    };
    let mut views = Vec::new();
    for m in &modules {
        let titles_doc: BTreeMap<String, String> = serde_json::from_str(&m.titles).unwrap_or_default();
        let title = titles_doc
            .get(lang.as_str())
            .or_else(|| titles_doc.get("vi"))
            .cloned()
            .unwrap_or_default();
        let items: Vec<LessonItem> = lessons
            .iter()
            .filter(|l| l.module_id == m.id)
            .map(|l| item(l, lang, &titles, &progress))
            .collect();
        if !items.is_empty() {
            views.push(ModuleView { title, lessons: items });
        }
    }
    let done = progress
        .iter()
        .filter(|p| p.completed_at.is_some() && lessons.iter().any(|l| l.id == p.lesson_id))
        .count();
    let next = enrolment
        .as_ref()
        .and_then(|e| next_lesson(e, &lessons, &progress))
        .map(|l| l.slug.clone());
    Ok(CourseView {
        card,
        source_note: c.source_note.clone(),
        modules: views,
        enrolled: enrolment.is_some(),
        completed: enrolment.as_ref().is_some_and(|e| e.completed_at.is_some()),
        done,
        next,
    })
}

fn item(l: &Lesson, lang: ContentLang, titles: &[db::LessonTitle], progress: &[Progress]) -> LessonItem {
    let title = pick(
        lang,
        titles
            .iter()
            .filter(|t| t.lesson_id == l.id)
            .map(|t| (t.lang, t.title.clone())),
    )
    .map(|t| t.value)
    .unwrap_or_default();
    let p = progress.iter().find(|p| p.lesson_id == l.id);
    LessonItem {
        id: l.id,
        slug: l.slug.clone(),
        title,
        minutes: l.minutes,
        opened: p.is_some(),
        done: p.is_some_and(|p| p.completed_at.is_some()),
    }
}

fn next_lesson<'a>(e: &Enrolment, lessons: &'a [Lesson], progress: &[Progress]) -> Option<&'a Lesson> {
    let done = |id: i64| progress.iter().any(|p| p.lesson_id == id && p.completed_at.is_some());
    if let Some(last) = e.last_lesson_id.and_then(|id| lessons.iter().find(|l| l.id == id))
        && !done(last.id)
    {
        return Some(last);
    }
    lessons.iter().find(|l| !done(l.id))
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LessonView {
    pub course_slug: String,
    pub course_title: String,
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub minutes: i32,
    pub version: i32,
    /// Sanitised HTML of the lesson's Markdown.
    pub html: String,
    pub checklist: Vec<String>,
    pub lang: ContentLang,
    pub fallback: bool,
    pub languages: Vec<ContentLang>,
    pub position: usize,
    pub of: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub enrolled: bool,
    pub done: bool,
    /// The audio of the text shown (its language and version).
    pub audio: super::audio::Audio,
    /// The video the text links to, with its transcript.
    pub video: Option<hocvuso_core::learning::video::Video>,
}

/// A lesson of a published course. An enrolled learner's first opening is recorded (progress and
/// an xAPI statement) and the course remembers it as where they are.
pub async fn lesson(
    app: &App,
    who: Option<&Principal>,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
) -> Result<LessonView> {
    // The course with its lessons, the lesson's texts with their audio, the course's titles, and
    // the learner's standing: four statements (docs/PERFORMANCE.md, learning).
    let (c, lessons) = db::course_with_lessons(&app.db, course_slug)
        .await?
        .ok_or(Error::NotFound)?;
    if !c.status.open_to_learners() {
        return Err(Error::NotFound);
    }
    let pos = lessons
        .iter()
        .position(|l| l.slug == lesson_slug)
        .ok_or(Error::NotFound)?;
    let l = &lessons[pos];
    let texts = db::lesson_texts_with_audio(&app.db, l).await?;
    let languages: Vec<ContentLang> = texts.iter().map(|(t, _)| t.lang).collect();
    let t = pick(lang, texts.into_iter().map(|(t, a)| (t.lang, (t, a)))).ok_or(Error::NotFound)?;
    let (text, stored_audio) = t.value;
    let course_texts = db::texts_of_course(&app.db, c.id).await?;
    let course_title = course_title(&course_texts, c.id, lang);
    let mut enrolled = false;
    let mut done = false;
    if let Some(account_id) = who.and_then(|w| w.account_id)
        && let Some(s) = db::standing(&app.db, account_id, c.id, l.id).await?
    {
        enrolled = true;
        done = s.done_at.is_some();
        // Written only when something changes: reading a lesson again costs no write.
        if (s.opened_at.is_none() || s.last_lesson_id != Some(l.id))
            && let Some(w) = who
        {
            // The statement names the course and the lesson as the page shows them, in the
            // language of the text shown (the course's title in it, else in Vietnamese).
            let statement_course_title = course_texts
                .iter()
                .find(|x| x.lang == t.lang)
                .or_else(|| course_texts.iter().find(|x| x.lang == ContentLang::Vi))
                .map(|x| x.title.as_str())
                .unwrap_or_default();
            let titles = Titles {
                course: statement_course_title,
                lesson: &text.title,
            };
            record_open(app, w, &c, l, t.lang, titles).await?;
        }
    }
    let checklist: Vec<String> = serde_json::from_str(&text.checklist).unwrap_or_default();
    let video = hocvuso_core::learning::video::Video::from_stored(&text.video)
        .ok()
        .flatten();
    let audio = super::audio::want_known(app, l.id, t.lang, text.version, stored_audio).await?;
    // Most lessons show no course file: they cost no query for the shelf.
    let html = if text.body_md.contains(hocvuso_core::learning::media::MEDIA_DIR) {
        let shelf = super::media::shelf(&app.db, &c).await?;
        app.rendered.get_or_render(&text.body_md, &shelf, || {
            core::markdown::render_with(&text.body_md, &shelf)
        })
    } else {
        let shelf = core::media::Shelf::empty();
        app.rendered
            .get_or_render(&text.body_md, &shelf, || core::markdown::render(&text.body_md))
    };
    Ok(LessonView {
        audio,
        video,
        course_slug: c.slug.clone(),
        course_title,
        id: l.id,
        slug: l.slug.clone(),
        title: text.title.clone(),
        minutes: l.minutes,
        version: text.version,
        html,
        checklist,
        lang: t.lang,
        fallback: t.fallback,
        languages,
        position: pos + 1,
        of: lessons.len(),
        prev: pos.checked_sub(1).and_then(|i| lessons.get(i)).map(|l| l.slug.clone()),
        next: lessons.get(pos + 1).map(|l| l.slug.clone()),
        enrolled,
        done,
    })
}

/// The learner's unit and target groups, for a statement's context: their resident record's, or
/// for an account without one (a civil servant learning) the unit of its first role.
struct Context {
    unit_path: String,
    unit_code: Option<String>,
    groups: Groups,
}

async fn context(tx: &mut Tx, who: &Principal) -> Result<Context> {
    if let Some(pid) = who.person_id
        && let Some(w) = hocvuso_db::people::place_tx(tx, pid).await?
    {
        return Ok(Context {
            unit_path: w.unit_path,
            unit_code: Some(w.unit_code),
            groups: w.groups,
        });
    }
    match who.grants().first().map(|g| g.unit_path.clone()) {
        Some(path) => {
            let code = hocvuso_db::units::by_path_tx(tx, &path).await?.map(|u| u.code);
            Ok(Context {
                unit_path: path,
                unit_code: code,
                groups: Groups::default(),
            })
        }
        None => Ok(Context {
            unit_path: String::new(),
            unit_code: None,
            groups: Groups::default(),
        }),
    }
}

struct Said<'a> {
    verb: Verb,
    course: &'a Course,
    lesson: Option<&'a Lesson>,
    lang: ContentLang,
    duration: Option<time::Duration>,
    titles: Titles<'a>,
}

/// The course's and the lesson's titles in the statement's language (or Vietnamese), as read by
/// the caller with what it read anyway.
#[derive(Clone, Copy)]
struct Titles<'a> {
    course: &'a str,
    lesson: &'a str,
}

/// Appends a statement; `ctx` is read once per transaction ([`context`]).
async fn say(app: &App, tx: &mut Tx, ctx: &Context, account_id: i64, s: Said<'_>) -> Result<()> {
    let at = now();
    let id = xapi::new_id();
    let (course_title, lesson_title) = (s.titles.course, s.titles.lesson);
    let statement = xapi::statement(&xapi::Event {
        home: &app.public_url,
        id: &id,
        account_id,
        verb: s.verb,
        activity: Activity {
            course_slug: &s.course.slug,
            course_title,
            lesson: s.lesson.map(|l| (l.slug.as_str(), lesson_title)),
        },
        at,
        language: s.lang.as_str(),
        unit_code: ctx.unit_code.as_deref(),
        groups: ctx.groups,
        duration: s.duration,
    });
    db::append_statement(
        tx,
        &db::NewStatement {
            uuid: &id,
            at,
            account_id,
            verb: s.verb.as_str(),
            course_id: s.course.id,
            lesson_id: s.lesson.map(|l| l.id),
            unit_path: &ctx.unit_path,
            groups: ctx.groups,
            statement: &statement,
        },
    )
    .await?;
    Ok(())
}

/// The course as it is now, inside the writing transaction: only a published course takes
/// enrolments and progress.
async fn open_course(tx: &mut Tx, slug: &str) -> Result<Course> {
    let c = db::course_by_slug_tx(tx, slug).await?.ok_or(Error::NotFound)?;
    if !c.status.open_to_learners() {
        return Err(Error::NotFound);
    }
    Ok(c)
}

async fn record_open(
    app: &App,
    who: &Principal,
    c: &Course,
    l: &Lesson,
    lang: ContentLang,
    titles: Titles<'_>,
) -> Result<()> {
    let account_id = account(who)?;
    let mut tx = app.db.begin().await?;
    // Course still open, lesson still live in it, learner still enrolled: one statement.
    match db::may_open_tx(&mut tx, account_id, c.id, l.id).await? {
        None => return Err(Error::NotFound),
        Some(false) => return Ok(()),
        Some(true) => {}
    }
    let at = now();
    if db::open(&mut tx, account_id, l, at).await? {
        let ctx = context(&mut tx, who).await?;
        say(
            app,
            &mut tx,
            &ctx,
            account_id,
            Said {
                verb: Verb::Experienced,
                course: c,
                lesson: Some(l),
                lang,
                duration: None,
                titles,
            },
        )
        .await?;
    }
    db::touch(&mut tx, account_id, c.id, l.id, at).await?;
    tx.commit().await?;
    Ok(())
}

/// Enrols the signed-in learner; `false` if they were already enrolled (nothing changes).
pub async fn enrol(app: &App, who: &Principal, course_slug: &str, lang: ContentLang) -> Result<bool> {
    let account_id = account(who)?;
    let mut tx = app.db.begin().await?;
    let c = open_course(&mut tx, course_slug).await?;
    let new = db::enrol(&mut tx, account_id, c.id, now()).await?;
    if new {
        let course_title = db::course_title_tx(&mut tx, c.id, lang).await?.unwrap_or_default();
        let ctx = context(&mut tx, who).await?;
        say(
            app,
            &mut tx,
            &ctx,
            account_id,
            Said {
                verb: Verb::Registered,
                course: &c,
                lesson: None,
                lang,
                duration: None,
                titles: Titles {
                    course: &course_title,
                    lesson: "",
                },
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(new)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Completed {
    /// `false` when the lesson was already done (a repeated post records nothing).
    pub lesson: bool,
    /// This completion finished the course.
    pub course: bool,
    /// Where the learner goes on (as [`next_lesson_slug`] says, read in the same transaction):
    /// `None` when every lesson is done.
    pub next: Option<String>,
}

/// Marks a lesson of a course the learner is enrolled in as done. Enrolment, the course being
/// published and the lesson being live are checked inside the writing transaction, in the one
/// statement that also reads the progress and the titles the xAPI statement names.
pub async fn complete(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
) -> Result<Completed> {
    let account_id = account(who)?;
    let mut tx = app.db.begin().await?;
    let x = db::completion_tx(&mut tx, account_id, course_slug, lesson_slug, lang)
        .await?
        .ok_or(Error::NotFound)?;
    let c = &x.course;
    if !c.status.open_to_learners() {
        return Err(Error::NotFound);
    }
    let Some(e) = &x.enrolment else {
        return Err(Error::Conflict(FieldError::new(
            "",
            Message::new("err-learning-not-enrolled"),
        )));
    };
    let Some(ls) = &x.lesson else {
        return Err(Error::NotFound);
    };
    let l = &ls.lesson;
    let titles = Titles {
        course: &x.course_title,
        lesson: &ls.title,
    };
    let at = now();
    let lesson_done = db::complete_once(&mut tx, account_id, l, at).await?;
    let mut last_lesson_id = e.last_lesson_id;
    // The learner's unit and groups, read once for this completion's statements.
    let ctx = match lesson_done {
        true => Some(context(&mut tx, who).await?),
        false => None,
    };
    if let Some(ctx) = &ctx {
        let duration = ls.opened_at.map(|o| at - o);
        say(
            app,
            &mut tx,
            ctx,
            account_id,
            Said {
                verb: Verb::Completed,
                course: c,
                lesson: Some(l),
                lang,
                duration,
                titles,
            },
        )
        .await?;
        db::touch(&mut tx, account_id, c.id, l.id, at).await?;
        last_lesson_id = Some(l.id);
    }
    // The course's lessons with what is done, read after this completion: whether the course is
    // done now, and where to go on.
    let rows = db::lessons_done_tx(&mut tx, account_id, c.id).await?;
    let mut course_done = false;
    if let Some(ctx) = &ctx
        && !rows.is_empty()
        && rows.iter().all(|r| r.completed_at.is_some())
    {
        course_done = db::finish_course(&mut tx, account_id, c.id, at).await?;
        if course_done {
            say(
                app,
                &mut tx,
                ctx,
                account_id,
                Said {
                    verb: Verb::Completed,
                    course: c,
                    lesson: None,
                    lang,
                    duration: None,
                    titles: Titles { lesson: "", ..titles },
                },
            )
            .await?;
            crate::assessment::course_certificate::on_course_done(app, &mut tx, who, c, at).await?;
        }
    }
    if course_done {
        // A passed final may have waited for this course (issue 10 §3).
        crate::assessment::attainment::confirm_waiting(app, &mut tx, who, at).await?;
    }
    let next = next_of(last_lesson_id, &rows);
    tx.commit().await?;
    Ok(Completed {
        lesson: lesson_done,
        course: course_done,
        next,
    })
}

/// [`next_lesson`] over a course's lessons with their completions.
fn next_of(last_lesson_id: Option<i64>, rows: &[db::LessonDone]) -> Option<String> {
    if let Some(last) = last_lesson_id.and_then(|id| rows.iter().find(|r| r.id == id))
        && last.completed_at.is_none()
    {
        return Some(last.slug.clone());
    }
    rows.iter().find(|r| r.completed_at.is_none()).map(|r| r.slug.clone())
}

/// Where the signed-in learner goes on in a course: the lesson last opened if not done, else the
/// first not done; `None` when every lesson is done or they are not enrolled. Reads only this
/// course's rows (it answers every "done" and "enrol" post).
pub async fn next_lesson_slug(app: &App, who: &Principal, course_slug: &str) -> Result<Option<String>> {
    let account_id = account(who)?;
    let c = db::course_by_slug(&app.db, course_slug).await?.ok_or(Error::NotFound)?;
    let Some(e) = db::enrolments(&app.db, account_id)
        .await?
        .into_iter()
        .find(|e| e.course_id == c.id)
    else {
        return Ok(None);
    };
    let lessons = db::lessons(&app.db, c.id).await?;
    let progress = db::progress(&app.db, account_id, Some(c.id)).await?;
    Ok(next_lesson(&e, &lessons, &progress).map(|l| l.slug.clone()))
}

// ---- the learner's progress -------------------------------------------------------------------

#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseProgress {
    pub slug: String,
    pub title: String,
    pub done: usize,
    pub lessons: usize,
    pub completed: bool,
    pub next: Option<String>,
    pub next_title: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Requirement {
    pub framework_id: String,
    pub competence: String,
    pub level: String,
    /// Lessons of this competence the learner completed.
    pub lessons_done: usize,
    /// Published courses that teach it.
    pub courses: Vec<String>,
    /// What the learner's latest placement test said: known (true), to learn (false), or not
    /// tested.
    pub placement: Option<bool>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MyLearning {
    pub courses: Vec<CourseProgress>,
    /// What the learner's target groups must reach, with what they have done towards it.
    pub required: Vec<Requirement>,
    pub groups: Vec<TargetGroup>,
    /// Groups whose passed online final waits for the required lessons, with what is still needed
    /// (issue 10 §3).
    pub waiting: Vec<(TargetGroup, Vec<crate::assessment::lessons::Needed>)>,
}

/// The signed-in learner's courses (most recent first) and what their group must learn.
pub async fn my_learning(app: &App, who: &Principal, lang: ContentLang) -> Result<MyLearning> {
    let account_id = account(who)?;
    let enrolments = db::enrolments(&app.db, account_id).await?;
    let progress = db::progress(&app.db, account_id, None).await?;
    let courses = db::courses(&app.db).await?;
    let texts = db::course_texts(&app.db).await?;
    let mut out = Vec::new();
    for e in &enrolments {
        let Some(c) = courses.iter().find(|c| c.id == e.course_id) else {
            continue;
        };
        let lessons = db::lessons(&app.db, c.id).await?;
        let titles = db::lesson_titles(&app.db, c.id).await?;
        let next = next_lesson(e, &lessons, &progress);
        out.push(CourseProgress {
            slug: c.slug.clone(),
            title: course_title(&texts, c.id, lang),
            done: lessons
                .iter()
                .filter(|l| progress.iter().any(|p| p.lesson_id == l.id && p.completed_at.is_some()))
                .count(),
            lessons: lessons.len(),
            completed: e.completed_at.is_some(),
            next: next.map(|l| l.slug.clone()),
            next_title: next.map(|l| item(l, lang, &titles, &progress).title),
        });
    }
    let home = match who.person_id {
        Some(pid) => hocvuso_db::people::whereabouts(&app.db, pid).await?,
        None => None,
    };
    let groups = home.as_ref().map(|w| w.groups).unwrap_or_default();
    let year = now().year();
    // The table of the learner's province (or the country's, or the shipped one) for this year.
    let reqs = super::admin::requirements_for(app, home.as_ref().map(|w| w.unit_path.as_str()), year)
        .await?
        .rows;
    let done_comps = db::completed_competences(&app.db, account_id).await?;
    let attempts = hocvuso_db::attempts::of_account(&app.db, account_id, 50).await?;
    let mut waiting = Vec::new();
    if let Some(pid) = who.person_id {
        use hocvuso_core::assessment::exam::{Kind, Mode};
        for a in attempts
            .iter()
            .filter(|a| a.kind == Kind::Final && a.mode == Mode::Online && a.passed == Some(true))
        {
            let Some(g) = a.target_group else { continue };
            if a.person_id != Some(pid) || waiting.iter().any(|(x, _)| *x == g) {
                continue;
            }
            let needed = crate::assessment::waiting_lessons(app, pid, g, account_id, lang).await?;
            if !needed.is_empty() {
                waiting.push((g, needed));
            }
        }
    }
    // The latest scored placement test: what it found known and what to learn.
    let placement = attempts
        .into_iter()
        .find(|a| a.kind == hocvuso_core::assessment::exam::Kind::Placement && a.result.is_some())
        .and_then(|a| a.result)
        .map(|s| s.cells)
        .unwrap_or_default();
    let course_comps = db::course_competences(&app.db).await?;
    let mut required: Vec<Requirement> = Vec::new();
    for r in reqs
        .iter()
        .filter(|r| TargetGroup::parse(&r.target_group).is_some_and(|g| groups.contains(g)))
    {
        if required
            .iter()
            .any(|x| x.framework_id == r.framework_id && x.competence == r.competence)
        {
            continue;
        }
        let teaching: Vec<String> = course_comps
            .iter()
            .filter(|x| x.framework_id == r.framework_id && x.code == r.competence)
            .filter_map(|x| {
                courses
                    .iter()
                    .find(|c| c.id == x.owner_id && c.status.open_to_learners())
            })
            .map(|c| c.slug.clone())
            .collect();
        required.push(Requirement {
            framework_id: r.framework_id.clone(),
            competence: r.competence.clone(),
            level: r.level.clone(),
            lessons_done: done_comps
                .iter()
                .filter(|x| x.framework_id == r.framework_id && x.code == r.competence)
                .count(),
            courses: teaching,
            placement: placement
                .iter()
                .find(|c| c.competence.framework == r.framework_id && c.competence.code == r.competence)
                .map(|c| c.passed),
        });
    }
    // What the placement test found to learn comes first.
    required.sort_by_key(|r| match r.placement {
        Some(false) => 0,
        None => 1,
        Some(true) => 2,
    });
    Ok(MyLearning {
        courses: out,
        required,
        groups: groups.iter().collect(),
        waiting,
    })
}

/// Frameworks as stored, parsed back (the API and the framework pages).
pub async fn frameworks(app: &App) -> Result<Vec<core::Framework>> {
    db::frameworks(&app.db)
        .await?
        .into_iter()
        .map(|f| {
            serde_json::from_str(&f.document).map_err(|e| {
                Error::Db(hocvuso_db::DbError::Invalid(format!(
                    "frameworks.document of {}: {e}",
                    f.id
                )))
            })
        })
        .collect()
}

pub async fn framework(app: &App, id: &str) -> Result<core::Framework> {
    let f = db::framework(&app.db, id).await?.ok_or(Error::NotFound)?;
    serde_json::from_str(&f.document).map_err(|e| {
        Error::Db(hocvuso_db::DbError::Invalid(format!(
            "frameworks.document of {}: {e}",
            f.id
        )))
    })
}

/// The audio of a version of a lesson of a published course (the address names the version, so
/// it can be cached for ever).
pub async fn lesson_audio(
    app: &App,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
    version: i32,
) -> Result<Vec<u8>> {
    let c = db::course_by_slug(&app.db, course_slug).await?.ok_or(Error::NotFound)?;
    if !c.status.open_to_learners() {
        return Err(Error::NotFound);
    }
    let l = db::lessons(&app.db, c.id)
        .await?
        .into_iter()
        .find(|l| l.slug == lesson_slug)
        .ok_or(Error::NotFound)?;
    super::audio::bytes(app, l.id, lang, version)
        .await?
        .ok_or(Error::NotFound)
}
