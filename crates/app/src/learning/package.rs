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
use hocvuso_core::learning::{
    self as core, COURSE_FILE, CompetenceRef, ContentError, ContentLang, CourseStatus, LessonText, Module, Translation,
    package,
};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::learning::{self as db, CompetenceLink};
use hocvuso_db::{DbError, units};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Names the pages under `/author/{course}/…` and `/author/import` take for themselves: a lesson
/// or course named so could never be opened in the editor.
const RESERVED_COURSE_SLUGS: &[&str] = &["import"];
const RESERVED_LESSON_SLUGS: &[&str] = &["package", "submit", "publish"];

/// What an accepted package did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedCourse {
    pub slug: String,
    pub created: bool,
    pub new_versions: usize,
    pub retired: usize,
    pub status: CourseStatus,
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

/// The course as stored now: its texts, modules, live lessons in order and the text of each
/// lesson's current version in every language. Installing stores the original text as
/// Vietnamese (`store_course`), so that is the original here too; other languages are
/// translations.
async fn stored_course(app: &App, c: &db::Course) -> Result<core::Course> {
    let texts: Vec<db::CourseText> = db::course_texts(&app.db)
        .await?
        .into_iter()
        .filter(|t| t.course_id == c.id)
        .collect();
    let text = |lang: ContentLang| texts.iter().find(|t| t.lang == lang);
    let vi = text(ContentLang::Vi).ok_or_else(|| stored_invalid(format!("course_texts: no vi text of {}", c.slug)))?;
    let course_links = db::course_competences(&app.db).await?;
    let lesson_links = db::lesson_competences(&app.db, c.id).await?;
    let mut modules = Vec::new();
    let mut ids = Vec::new();
    for m in db::modules(&app.db, c.id).await? {
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
    for l in db::lessons(&app.db, c.id).await? {
        let Some(index) = ids.iter().position(|id| *id == l.module_id) else {
            return Err(stored_invalid(format!("lessons.module_id of {}/{}", c.slug, l.slug)));
        };
        let versions = db::lesson_texts(&app.db, &l).await?;
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
            competences: competences_of(&lesson_links, l.id),
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
        competences: competences_of(&course_links, c.id),
        level: c.level.clone(),
        source_note: c.source_note.clone(),
        en: text(ContentLang::En).map(|t| Translation {
            title: t.title.clone(),
            summary: t.summary.clone(),
        }),
        modules,
        media: super::media::package_files(&app.db, c.id).await?,
    })
}

/// The course as a package: its file name (`<slug>.zip`) and the zip's bytes.
pub async fn export_package(app: &App, who: &Principal, slug: &str) -> Result<(String, Vec<u8>)> {
    let c = db::course_by_slug(&app.db, slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    let course = stored_course(app, &c).await?;
    let bytes = package::write_zip(&course.slug, &course.to_files())
        .map_err(|e| stored_invalid(format!("package of {}: {e}", course.slug)))?;
    Ok((format!("{}.zip", course.slug), bytes))
}

fn invalid(errors: Vec<ContentError>) -> Error {
    Error::Invalid(errors.into_iter().map(|e| located(e, true)).collect())
}

/// The package's course, or every problem of its files and of what they name.
fn read_package(bytes: &[u8], frameworks: &[core::Framework]) -> std::result::Result<core::Course, Vec<ContentError>> {
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
/// `unit_path` (the author's first unit where they may write when none is given); a course the
/// author may already edit brought up to its content, keeping its status, its owner and learners'
/// progress. Every problem of the package is returned at once and nothing is stored.
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
    let (course, media) = app
        .reader
        .read(move || {
            let course = read_package(&bytes, &frameworks)?;
            let media = super::media::prepare_package_media(&course.media)?;
            Ok::<_, Vec<ContentError>>((course, media))
        })
        .await?
        .map_err(invalid)?;
    // Refused before the writer is taken; checked again below on what is stored then.
    may_replace(who, db::course_by_slug(&app.db, &course.slug).await?.as_ref())?;

    let mut tx = app.db.begin().await?;
    if units::by_path_tx(&mut tx, &path).await?.is_none() {
        return Err(Error::NotFound);
    }
    let existing = db::course_by_slug_tx(&mut tx, &course.slug).await?;
    may_replace(who, existing.as_ref())?;
    let status = existing.as_ref().map_or(CourseStatus::Draft, |c| c.status);
    let owner = existing.as_ref().map_or(path.clone(), |c| c.owner_path.clone());
    let changed = store_course(&mut tx, &course, &digest, status, &owner).await?;
    let media_stored =
        super::media::store_package_media(&mut tx, changed.course_id, who.account_id, &course.media, &media).await?;
    let event = Event::CourseImported {
        course_id: changed.course_id,
        detail: json!({
            "slug": course.slug,
            "unit": owner,
            "digest": digest,
            "created": changed.created,
            "new_versions": changed.new_versions,
            "retired": changed.retired,
            "media": media_stored,
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
    })
}
