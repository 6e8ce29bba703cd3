//! Course packages, so that provinces can share courses: a course exported as stored now (the
//! lesson versions learners read, not drafts) into the zip `core::learning::package` writes, and a
//! package uploaded by an author read, checked against the stored frameworks and stored as a draft
//! course of the author's unit (or brought up to date when the author may already edit it).

use super::authoring::located;
use super::store_course;
use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Denied, Principal, act};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::video::Video;
use hocvuso_core::learning::{
    self as core, COURSE_FILE, CompetenceRef, ContentError, ContentLang, CourseStatus, LessonText, Module, Translation,
    package,
};
use hocvuso_core::people::TargetGroup;
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::authoring::{self as drafts, DraftText};
use hocvuso_db::learning::{self as db, CompetenceLink};
use hocvuso_db::{DbError, Tx, revisions, units};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Names the pages under `/author/{course}/…` and `/author/import` take for themselves: a lesson
/// or course named so could never be opened in the editor.
const RESERVED_COURSE_SLUGS: &[&str] = &["import"];
const RESERVED_LESSON_SLUGS: &[&str] = &[
    "package",
    "submit",
    "publish",
    "return",
    "media",
    "revision",
    "certificate",
];

/// What an accepted package did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedCourse {
    pub slug: String,
    pub created: bool,
    pub new_versions: usize,
    pub retired: usize,
    pub status: CourseStatus,
    /// Lesson texts of a published course stored as drafts waiting for review.
    pub staged: usize,
    /// The package waits whole as the published course's revision.
    pub revision: bool,
}

fn stored_invalid(what: String) -> Error {
    Error::Db(DbError::Invalid(what))
}

fn competences_of(links: &[CompetenceLink], owner: i64) -> Vec<CompetenceRef> {
    let mut out: Vec<CompetenceRef> = links
        .iter()
        .filter(|l| l.owner_id == owner)
        .map(|l| CompetenceRef {
            framework: l.framework_id.clone(),
            code: l.code.clone(),
        })
        .collect();
    // Storage keeps competences as a set: a stable order gives the same package every time.
    out.sort();
    out
}

fn checklist_of(json: &str, lesson: &str) -> Result<Vec<String>> {
    serde_json::from_str(json).map_err(|e| stored_invalid(format!("lesson_versions.checklist of {lesson}: {e}")))
}

fn video_of(stored: &str, lesson: &str) -> Result<Option<hocvuso_core::learning::video::Video>> {
    hocvuso_core::learning::video::Video::from_stored(stored)
        .map_err(|e| stored_invalid(format!("lesson_versions.video of {lesson}: {e}")))
}

/// What a course is exported from, read in one place (the pool, or the writing transaction of an
/// import that compares a package with what learners read now).
pub(super) struct StoredRows {
    texts: Vec<db::CourseText>,
    course_links: Vec<CompetenceLink>,
    lesson_links: Vec<CompetenceLink>,
    modules: Vec<db::Module>,
    lessons: Vec<(db::Lesson, Vec<db::LessonText>)>,
}

pub(super) async fn stored_rows(app: &App, c: &db::Course) -> Result<StoredRows> {
    let mut lessons = Vec::new();
    for l in db::lessons(&app.db, c.id).await? {
        let texts = db::lesson_texts(&app.db, &l).await?;
        lessons.push((l, texts));
    }
    Ok(StoredRows {
        texts: db::course_texts(&app.db)
            .await?
            .into_iter()
            .filter(|t| t.course_id == c.id)
            .collect(),
        course_links: db::course_competences(&app.db).await?,
        lesson_links: db::lesson_competences(&app.db, c.id).await?,
        modules: db::modules(&app.db, c.id).await?,
        lessons,
    })
}

pub(super) async fn stored_rows_tx(tx: &mut Tx, c: &db::Course) -> Result<StoredRows> {
    let mut lessons = Vec::new();
    for l in db::lessons_tx(tx, c.id).await? {
        let texts = db::lesson_texts_tx(tx, &l).await?;
        lessons.push((l, texts));
    }
    Ok(StoredRows {
        texts: db::course_texts_tx(tx, c.id).await?,
        course_links: db::course_competences_tx(tx, c.id).await?,
        lesson_links: db::lesson_competences_tx(tx, c.id).await?,
        modules: db::modules_tx(tx, c.id).await?,
        lessons,
    })
}

/// The course as stored: its texts, modules, live lessons in order and the text of each lesson's
/// current version in every language. Installing stores the original text as Vietnamese
/// (`store_course`), so that is the original here too; other languages are translations.
pub(super) fn stored_course(
    c: &db::Course,
    rows: StoredRows,
    media: BTreeMap<String, Vec<u8>>,
) -> Result<core::Course> {
    let text = |lang: ContentLang| rows.texts.iter().find(|t| t.lang == lang);
    let vi = text(ContentLang::Vi).ok_or_else(|| stored_invalid(format!("course_texts: no vi text of {}", c.slug)))?;
    let mut modules = Vec::new();
    let mut ids = Vec::new();
    for m in &rows.modules {
        let titles: BTreeMap<String, String> = serde_json::from_str(&m.titles)
            .map_err(|e| stored_invalid(format!("course_modules.titles of {}: {e}", c.slug)))?;
        ids.push(m.id);
        modules.push(Module {
            title: titles.get("vi").cloned().unwrap_or_default(),
            title_en: titles.get("en").cloned(),
            lessons: Vec::new(),
        });
    }
    let mut position: u16 = 0;
    for (l, versions) in rows.lessons {
        let Some(index) = ids.iter().position(|id| *id == l.module_id) else {
            return Err(stored_invalid(format!("lessons.module_id of {}/{}", c.slug, l.slug)));
        };
        let Some(original) = versions.iter().find(|t| t.lang == ContentLang::Vi) else {
            return Err(stored_invalid(format!(
                "lesson_versions: no vi text of {}/{}",
                c.slug, l.slug
            )));
        };
        let mut translations = Vec::new();
        for lang in ContentLang::ALL.into_iter().filter(|l| *l != ContentLang::Vi) {
            if let Some(t) = versions.iter().find(|t| t.lang == lang) {
                translations.push((
                    lang,
                    LessonText {
                        title: t.title.clone(),
                        checklist: checklist_of(&t.checklist, &l.slug)?,
                        body_md: t.body_md.clone(),
                        video: video_of(&t.video, &l.slug)?,
                    },
                ));
            }
        }
        position += 1;
        modules[index].lessons.push(core::Lesson {
            // Numbered by position: the package lists lessons in the order learners take them.
            file: format!("{position:02}-{}.md", l.slug),
            position,
            title: original.title.clone(),
            minutes: u16::try_from(l.minutes)
                .map_err(|_| stored_invalid(format!("lessons.minutes of {}/{}", c.slug, l.slug)))?,
            competences: competences_of(&rows.lesson_links, l.id),
            level: l.level.clone(),
            checklist: checklist_of(&original.checklist, &l.slug)?,
            body_md: original.body_md.clone(),
            video: video_of(&original.video, &l.slug)?,
            translations,
            slug: l.slug,
        });
    }
    // A module whose lessons were all dropped stays stored but is not shown, nor exported.
    modules.retain(|m| !m.lessons.is_empty());
    Ok(core::Course {
        slug: c.slug.clone(),
        title: vi.title.clone(),
        summary: vi.summary.clone(),
        language: c.language,
        groups: c.groups.iter().collect(),
        competences: competences_of(&rows.course_links, c.id),
        level: c.level.clone(),
        source_note: c.source_note.clone(),
        completion_certificate: c.completion_certificate,
        en: text(ContentLang::En).map(|t| Translation {
            title: t.title.clone(),
            summary: t.summary.clone(),
        }),
        modules,
        media,
    })
}

/// The course as a package: its file name (`<slug>.zip`) and the zip's bytes.
pub async fn export_package(app: &App, who: &Principal, slug: &str) -> Result<(String, Vec<u8>)> {
    let c = db::course_by_slug(&app.db, slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    let rows = stored_rows(app, &c).await?;
    let course = stored_course(&c, rows, super::media::package_files(&app.db, c.id).await?)?;
    let bytes = package::write_zip(&course.slug, &course.to_files())
        .map_err(|e| stored_invalid(format!("package of {}: {e}", course.slug)))?;
    Ok((format!("{}.zip", course.slug), bytes))
}

pub(super) fn invalid(errors: Vec<ContentError>) -> Error {
    Error::Invalid(errors.into_iter().map(|e| located(e, true)).collect())
}

/// The package's course, or every problem of its files and of what they name.
pub(super) fn read_package(
    bytes: &[u8],
    frameworks: &[core::Framework],
) -> std::result::Result<core::Course, Vec<ContentError>> {
    let files = package::read_zip(bytes)?;
    let course = core::Course::from_files(&files)?;
    let mut errors = course.check(frameworks);
    // Storage keeps a lesson's original text as its Vietnamese text.
    if course.language != ContentLang::Vi {
        errors.push(ContentError::new(
            COURSE_FILE,
            None,
            Message::new("err-authoring-package-language").arg("lang", course.language.as_str()),
        ));
    }
    if RESERVED_COURSE_SLUGS.contains(&course.slug.as_str()) {
        errors.push(ContentError::new(
            COURSE_FILE,
            None,
            Message::new("err-authoring-package-slug-reserved").arg("slug", &course.slug),
        ));
    }
    for l in course.lessons() {
        if RESERVED_LESSON_SLUGS.contains(&l.slug.as_str()) {
            errors.push(ContentError::new(
                &l.file,
                None,
                Message::new("err-authoring-package-lesson-reserved").arg("slug", &l.slug),
            ));
        }
    }
    if errors.is_empty() { Ok(course) } else { Err(errors) }
}

/// A lesson's texts as the package or storage holds them, the original (Vietnamese) first.
fn texts_of(l: &core::Lesson) -> Vec<(ContentLang, LessonText)> {
    let mut out = vec![(
        ContentLang::Vi,
        LessonText {
            title: l.title.clone(),
            checklist: l.checklist.clone(),
            body_md: l.body_md.clone(),
            video: l.video.clone(),
        },
    )];
    out.extend(l.translations.iter().cloned());
    out
}

fn group_order(groups: &[TargetGroup]) -> Vec<usize> {
    let mut v: Vec<usize> = groups
        .iter()
        .filter_map(|g| TargetGroup::ALL.iter().position(|x| x == g))
        .collect();
    v.sort_unstable();
    v
}

fn sorted(refs: &[CompetenceRef]) -> Vec<CompetenceRef> {
    let mut v = refs.to_vec();
    v.sort();
    v
}

fn lang_named(lang: ContentLang) -> String {
    let label = hocvuso_core::i18n::t(hocvuso_core::i18n::Lang::Vi, &format!("content-lang-{}", lang.as_str()));
    format!("{label} ({})", lang.as_str())
}

/// A lesson text of the package that differs from what learners read now.
pub(super) struct Change {
    pub slug: String,
    pub file: String,
    pub lang: ContentLang,
    pub text: LessonText,
}

/// How a package differs from the published course it would change.
pub(super) struct Differences {
    /// Changes of the course's shape (its own fields, lessons added, removed or moved, a lesson's
    /// minutes, level, competences or number of practice steps): they reach learners only as a
    /// whole-course revision a second person publishes ([`super::revision`]), each described here.
    pub structure: Vec<Message>,
    /// What no package may do to a published course (drop a translation learners read).
    pub refused: Vec<ContentError>,
    /// Lesson texts that differ from what learners read.
    pub changes: Vec<Change>,
}

/// Compares a package with the published course, every difference at once.
pub(super) fn differences(stored: &core::Course, package: &core::Course) -> Differences {
    let mut d = Differences {
        structure: Vec::new(),
        refused: Vec::new(),
        changes: Vec::new(),
    };
    let mut fields = Vec::new();
    for (name, same) in [
        ("title", stored.title == package.title),
        ("summary", stored.summary == package.summary),
        ("en", stored.en == package.en),
        ("language", stored.language == package.language),
        ("groups", group_order(&stored.groups) == group_order(&package.groups)),
        (
            "competences",
            sorted(&stored.competences) == sorted(&package.competences),
        ),
        ("level", stored.level == package.level),
        ("source_note", stored.source_note == package.source_note),
        (
            "modules",
            stored
                .modules
                .iter()
                .map(|m| (&m.title, &m.title_en))
                .collect::<Vec<_>>()
                == package
                    .modules
                    .iter()
                    .map(|m| (&m.title, &m.title_en))
                    .collect::<Vec<_>>(),
        ),
    ] {
        if !same {
            fields.push(name);
        }
    }
    if !fields.is_empty() {
        d.structure
            .push(Message::new("author-revision-course").arg("fields", fields.join(", ")));
    }
    let find = |c: &core::Course, slug: &str| c.lessons().find(|l| l.slug == slug).cloned();
    let mut added_or_removed = false;
    for l in package.lessons() {
        if find(stored, &l.slug).is_none() {
            added_or_removed = true;
            d.structure.push(
                Message::new("author-revision-lesson-new")
                    .arg("title", &l.title)
                    .arg("file", &l.file),
            );
        }
    }
    for l in stored.lessons() {
        if find(package, &l.slug).is_none() {
            added_or_removed = true;
            d.structure
                .push(Message::new("author-revision-lesson-removed").arg("title", &l.title));
        }
    }
    let places = |c: &core::Course| -> Vec<(usize, String)> {
        c.modules
            .iter()
            .enumerate()
            .flat_map(|(i, m)| m.lessons.iter().map(move |l| (i, l.slug.clone())))
            .collect()
    };
    if !added_or_removed && places(stored) != places(package) {
        d.structure.push(Message::new("author-revision-order"));
    }
    for p in package.lessons() {
        let Some(s) = find(stored, &p.slug) else { continue };
        let mut fields = Vec::new();
        for (name, same) in [
            ("minutes", s.minutes == p.minutes),
            ("level", s.level == p.level),
            ("competences", sorted(&s.competences) == sorted(&p.competences)),
        ] {
            if !same {
                fields.push(name);
            }
        }
        if !fields.is_empty() {
            d.structure.push(
                Message::new("author-revision-lesson-meta")
                    .arg("title", &p.title)
                    .arg("fields", fields.join(", ")),
            );
        }
        if s.checklist.len() != p.checklist.len() {
            d.structure.push(
                Message::new("author-revision-steps")
                    .arg("title", &p.title)
                    .arg("theirs", s.checklist.len())
                    .arg("mine", p.checklist.len()),
            );
        }
        let theirs = texts_of(&s);
        let mine = texts_of(p);
        for (lang, _) in &theirs {
            if !mine.iter().any(|(l, _)| l == lang) {
                d.refused.push(ContentError::new(
                    &p.file,
                    None,
                    Message::new("err-authoring-published-lang-missing")
                        .arg("lang", lang_named(*lang))
                        .arg("dir", lang.as_str()),
                ));
            }
        }
        for (lang, text) in mine {
            if theirs.iter().any(|(l, t)| *l == lang && *t == text) {
                continue;
            }
            d.changes.push(Change {
                slug: p.slug.clone(),
                file: p.file.clone(),
                lang,
                text,
            });
        }
    }
    d
}

/// Stores each changed lesson text of a package over a published course as a draft in review,
/// sent by the importer, inside the import's transaction: learners keep reading the published
/// version until a second person publishes each draft through the lesson's publish step. A lesson
/// text that already has a draft with other content is refused (that draft is someone's work);
/// one whose draft already holds the package's text is left as it is. Returns what was staged.
async fn stage_published(
    tx: &mut Tx,
    who: &Principal,
    c: &db::Course,
    package: &core::Course,
    upload: (&[u8], &str),
) -> Result<Staged> {
    let me = super::account(who)?;
    let stored = stored_course(c, stored_rows_tx(tx, c).await?, BTreeMap::new())?;
    let d = differences(&stored, package);
    if !d.refused.is_empty() {
        return Err(invalid(d.refused));
    }
    // While a revision of the whole course waits, it is what the reviewer reads: a package
    // changing the course beside it would be reviewed against a course that is about to change.
    if let Some(waiting) = revisions::get_tx(tx, c.id).await? {
        if waiting.digest == upload.1 {
            return Ok(Staged::Revision { again: true });
        }
        return Err(Error::Conflict(FieldError::new(
            "file",
            Message::new("err-authoring-revision-waiting"),
        )));
    }
    if !d.structure.is_empty() {
        revisions::put(tx, c.id, upload.0, upload.1, me).await?;
        return Ok(Staged::Revision { again: false });
    }
    let changes = d.changes;
    let mut problems = Vec::new();
    let mut ready = Vec::new();
    for ch in changes {
        let l = db::lesson_by_slug_tx(tx, c.id, &ch.slug)
            .await?
            .ok_or_else(|| stored_invalid(format!("lessons: {}/{} vanished in its transaction", c.slug, ch.slug)))?;
        let checklist = serde_json::to_string(&ch.text.checklist).map_err(|e| stored_invalid(e.to_string()))?;
        let video = Video::to_stored(ch.text.video.as_ref());
        match drafts::draft_tx(tx, l.id, ch.lang).await? {
            Some(d)
                if d.title == ch.text.title
                    && d.body_md == ch.text.body_md
                    && d.checklist == checklist
                    && d.video == video => {}
            Some(_) => problems.push(ContentError::new(
                &ch.file,
                None,
                Message::new("err-authoring-published-draft-exists").arg("lang", lang_named(ch.lang)),
            )),
            None => ready.push((l, ch, checklist, video)),
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let mut staged = Vec::new();
    for (l, ch, checklist, video) in ready {
        let text = DraftText {
            title: &ch.text.title,
            body_md: &ch.text.body_md,
            checklist: &checklist,
            video: &video,
        };
        // Conditional insert: a draft someone started since it was read above is never replaced.
        if !drafts::stage_for_review(tx, l.id, ch.lang, &text, l.version, me).await? {
            return Err(Error::Conflict(FieldError::new(
                "file",
                Message::new("err-authoring-published-draft-exists").arg("lang", lang_named(ch.lang)),
            )));
        }
        staged.push(json!({"lesson": l.slug, "lang": ch.lang.as_str(), "base_version": l.version}));
    }
    Ok(Staged::Drafts(staged))
}

/// How a package over a published course waits for review.
enum Staged {
    /// Each changed lesson text as a draft in review (what was staged).
    Drafts(Vec<serde_json::Value>),
    /// The whole package as the course's revision (`again`: it was waiting already).
    Revision { again: bool },
}

/// An author may replace a course only where they may edit it.
fn may_replace(who: &Principal, existing: Option<&db::Course>) -> Result<()> {
    match existing {
        Some(c) if !who.can(hocvuso_core::roles::Action::AuthorContent, &c.owner_path) => Err(Error::Conflict(
            FieldError::new("file", Message::new("err-authoring-package-taken").arg("slug", &c.slug)),
        )),
        _ => Ok(()),
    }
}

/// Reads an uploaded package and stores its course, in one transaction: a new course as a draft of
/// `unit_path` (the author's first unit where they may write when none is given); a draft course
/// the author may already edit brought up to its content, keeping its owner; a course in review
/// likewise, and back to draft (it must be sent again); a published course left as learners read
/// it, each changed lesson text stored as a draft in review sent by the importer
/// ([`stage_published`]). Every problem of the package is returned at once and nothing is stored.
pub async fn import_package(
    app: &App,
    who: &Principal,
    unit_path: Option<&str>,
    bytes: Vec<u8>,
) -> Result<ImportedCourse> {
    let path = match unit_path {
        Some(p) => p.to_string(),
        None => who
            .scopes::<act::AuthorContent>()
            .first()
            .map(|s| s.root().to_string())
            .ok_or(Error::Denied(Denied::Forbidden))?,
    };
    who.authorize::<act::AuthorContent>(&path)?;
    if bytes.is_empty() {
        return Err(Error::Invalid(vec![FieldError::new(
            "file",
            Message::new("err-authoring-package-empty"),
        )]));
    }
    let frameworks = super::frameworks(app).await?;
    let digest = format!("package:{}", hex::encode(Sha256::digest(&bytes)));
    let (course, media, bytes) = app
        .reader
        .read(move || {
            let course = read_package(&bytes, &frameworks)?;
            let media = super::media::prepare_package_media(&course.media)?;
            Ok::<_, Vec<ContentError>>((course, media, bytes))
        })
        .await?
        .map_err(invalid)?;
    // Refused before the writer is taken; checked again below on what is stored then.
    may_replace(who, db::course_by_slug(&app.db, &course.slug).await?.as_ref())?;

    let mut tx = app.db.begin().await?;
    if units::by_path_tx(&mut tx, &path).await?.is_none() {
        return Err(Error::NotFound);
    }
    let existing = db::course_for_edit_tx(&mut tx, &course.slug).await?;
    may_replace(who, existing.as_ref())?;
    let owner = existing.as_ref().map_or(path.clone(), |c| c.owner_path.clone());
    let was = existing.as_ref().map(|c| c.status);
    let (course_id, changed, staged, status) = match &existing {
        // Learners read a published course: its changes wait for a second person.
        Some(c) if c.status.open_to_learners() => {
            let staged = stage_published(&mut tx, who, c, &course, (&bytes, &digest)).await?;
            (c.id, db::Changed::default(), staged, c.status)
        }
        _ => {
            let status = match was {
                // A course in review changed by a package is no longer what was sent: the reviewer
                // could otherwise publish text they never saw. It is sent again.
                Some(CourseStatus::Review) | None => CourseStatus::Draft,
                Some(other) => other,
            };
            let changed = store_course(&mut tx, &course, &digest, status, &owner).await?;
            (changed.course_id, changed, Staged::Drafts(Vec::new()), status)
        }
    };
    let media_stored =
        super::media::store_package_media(&mut tx, course_id, who.account_id, &course.media, &media).await?;
    let event = Event::CourseImported {
        course_id,
        detail: json!({
            "slug": course.slug,
            "unit": owner,
            "digest": digest,
            "created": changed.created,
            "new_versions": changed.new_versions,
            "retired": changed.retired,
            "media": media_stored,
            "status_before": was.map(|s| s.as_str()),
            "status": status.as_str(),
            "staged_for_review": match &staged { Staged::Drafts(v) => v.clone(), Staged::Revision { .. } => Vec::new() },
            "revision": match staged { Staged::Revision { again } => Some(if again { "waiting" } else { "stored" }), Staged::Drafts(_) => None },
        }),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&owner, &event)).await?;
    tx.commit().await?;
    Ok(ImportedCourse {
        slug: course.slug,
        created: changed.created,
        new_versions: changed.new_versions,
        retired: changed.retired,
        status,
        staged: match &staged {
            Staged::Drafts(v) => v.len(),
            Staged::Revision { .. } => 0,
        },
        revision: matches!(staged, Staged::Revision { .. }),
    })
}
