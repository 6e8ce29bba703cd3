//! A whole-course revision: a package that changes the shape of a published course (lessons
//! added, removed or moved, the course's or a lesson's own fields, the number of practice steps)
//! waits whole, as uploaded, until a second person who may publish in the course's unit reads it
//! and publishes it as one, or returns it. Learners keep reading the published course meanwhile;
//! publishing stores it as installing does (changed texts → new versions, dropped lessons retired,
//! progress kept).

use super::authoring::name_of;
use super::package::{differences, invalid, read_package, stored_course, stored_rows, stored_rows_tx};
use super::store_course;
use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Principal, act};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::{self as core, ContentLang, CourseStatus, markdown};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::learning as db;
use hocvuso_db::revisions;
use serde_json::json;
use std::collections::BTreeMap;

/// One lesson of the revised course, as the reviewer reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RevisedLesson {
    pub slug: String,
    pub title: String,
    pub module: String,
    /// New in this revision, or its text changed in some language.
    pub new: bool,
    pub changed: bool,
    /// Every language's text, rendered with the course's files (new and changed lessons only).
    pub texts: Vec<RevisedText>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RevisedText {
    pub lang: ContentLang,
    pub title: String,
    pub html: String,
    pub checklist: Vec<String>,
}

/// The waiting revision of a course, for its authors and reviewers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RevisionView {
    pub course_slug: String,
    pub title: String,
    pub submitted_by: String,
    pub submitted_at: time::OffsetDateTime,
    /// What identifies this revision: a publish names it, so a revision replaced since the page
    /// was read is not published unseen.
    pub digest: String,
    /// What changes, in the reader's words (course fields, lessons added, removed, moved …).
    pub changes: Vec<Message>,
    pub lessons: Vec<RevisedLesson>,
    /// The viewer may publish it (may publish in the unit, and did not send it).
    pub may_publish: bool,
    /// The viewer may return it (may publish in the unit) or withdraw it (sent it).
    pub may_return: bool,
}

/// The revision waiting for a course, compared with what learners read now; `None` when none
/// waits (it was published or returned: the course's authors may still ask).
pub async fn view(app: &App, who: &Principal, slug: &str) -> Result<Option<RevisionView>> {
    let me = super::account(who)?;
    let c = db::course_by_slug(&app.db, slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    let Some(r) = revisions::get(&app.db, c.id).await? else {
        return Ok(None);
    };
    let frameworks = super::frameworks(app).await?;
    let bytes = r.package.clone();
    let package = app
        .reader
        .read(move || read_package(&bytes, &frameworks))
        .await?
        // Frameworks can change after a package was accepted: the reviewer is told what no longer
        // holds rather than shown a page that cannot be published.
        .map_err(invalid)?;
    let stored = stored_course(&c, stored_rows(app, &c).await?, BTreeMap::new())?;
    let d = differences(&stored, &package);
    let mut changes = d.structure;
    changes.extend(d.refused.into_iter().map(|e| e.message));
    for ch in &d.changes {
        changes.push(
            Message::new("author-revision-text")
                .arg(
                    "title",
                    package
                        .lessons()
                        .find(|l| l.slug == ch.slug)
                        .map_or("", |l| l.title.as_str()),
                )
                .arg("lang", ch.lang.as_str()),
        );
    }
    let shelf = super::media::shelf(&app.db, &c).await?;
    let mut lessons = Vec::new();
    for m in &package.modules {
        for l in &m.lessons {
            let new = !stored.lessons().any(|s| s.slug == l.slug);
            let changed = d.changes.iter().any(|ch| ch.slug == l.slug);
            let mut texts = Vec::new();
            if new || changed {
                texts.push(RevisedText {
                    lang: ContentLang::Vi,
                    title: l.title.clone(),
                    html: markdown::render_with(&l.body_md, &shelf),
                    checklist: l.checklist.clone(),
                });
                for (lang, t) in &l.translations {
                    texts.push(RevisedText {
                        lang: *lang,
                        title: t.title.clone(),
                        html: markdown::render_with(&t.body_md, &shelf),
                        checklist: t.checklist.clone(),
                    });
                }
            }
            lessons.push(RevisedLesson {
                slug: l.slug.clone(),
                title: l.title.clone(),
                module: m.title.clone(),
                new,
                changed,
                texts,
            });
        }
    }
    let may_publish_here = who.can(hocvuso_core::roles::Action::PublishContent, &c.owner_path);
    Ok(Some(RevisionView {
        course_slug: c.slug.clone(),
        title: package.title.clone(),
        submitted_by: name_of(app, Some(r.submitted_by)).await?,
        submitted_at: r.submitted_at,
        digest: r.digest,
        changes,
        lessons,
        may_publish: may_publish_here && r.submitted_by != me,
        may_return: may_publish_here || r.submitted_by == me,
    }))
}

/// Every course file the revision's lesson texts show that the course no longer holds (removed
/// since the package was uploaded).
fn missing_files(package: &core::Course, held: &[String]) -> Vec<String> {
    let mut missing: Vec<String> = package
        .lessons()
        .flat_map(|l| {
            std::iter::once(l.body_md.as_str())
                .chain(l.translations.iter().map(|(_, t)| t.body_md.as_str()))
                .flat_map(markdown::media_names)
                .collect::<Vec<_>>()
        })
        .filter(|n| !held.contains(n))
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

/// Publishes the course's waiting revision, the one named by `digest`, as what learners read.
pub async fn publish(app: &App, who: &Principal, slug: &str, digest: &str) -> Result<db::Changed> {
    let me = super::account(who)?;
    let c = db::course_by_slug(&app.db, slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::PublishContent>(&c.owner_path)?;
    let r = revisions::get(&app.db, c.id).await?.ok_or(Error::NotFound)?;
    let frameworks = super::frameworks(app).await?;
    let bytes = r.package.clone();
    // Parsed before the writer is taken (a package may hold many files); what it is checked
    // against is read again below, in the transaction that writes.
    let package = app
        .reader
        .read(move || read_package(&bytes, &frameworks))
        .await?
        .map_err(invalid)?;

    let mut tx = app.db.begin().await?;
    let c = db::course_for_edit_tx(&mut tx, slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::PublishContent>(&c.owner_path)?;
    let Some(now) = revisions::get_tx(&mut tx, c.id).await? else {
        return Err(Error::NotFound);
    };
    if now.digest != digest || now.digest != r.digest {
        return Err(Error::Conflict(FieldError::new(
            "digest",
            Message::new("err-authoring-revision-changed"),
        )));
    }
    if now.submitted_by == me {
        return Err(Error::Conflict(FieldError::new(
            "digest",
            Message::new("err-authoring-revision-own"),
        )));
    }
    if !c.status.open_to_learners() {
        return Err(Error::Conflict(FieldError::new(
            "digest",
            Message::new("err-authoring-revision-not-published"),
        )));
    }
    let stored = stored_course(&c, stored_rows_tx(&mut tx, &c).await?, BTreeMap::new())?;
    let d = differences(&stored, &package);
    if !d.refused.is_empty() {
        return Err(invalid(d.refused));
    }
    let held: Vec<String> = hocvuso_db::media::names_tx(&mut tx, c.id).await?;
    let missing = missing_files(&package, &held);
    if !missing.is_empty() {
        return Err(Error::Conflict(FieldError::new(
            "digest",
            Message::new("err-authoring-revision-missing-files").arg("files", missing.join(", ")),
        )));
    }
    let changed = store_course(&mut tx, &package, &now.digest, CourseStatus::Published, &c.owner_path).await?;
    revisions::remove(&mut tx, c.id).await?;
    let event = Event::CourseRevisionPublished {
        course_id: c.id,
        detail: json!({
            "course": c.slug,
            "digest": now.digest,
            "submitted_by": now.submitted_by,
            "new_versions": changed.new_versions,
            "retired": changed.retired,
            "changes": d.structure.iter().map(|m| m.render(hocvuso_core::i18n::Lang::Vi)).collect::<Vec<_>>(),
        }),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&c.owner_path, &event)).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Returns the course's waiting revision to its sender with a note: it is removed, learners never
/// saw it. Anyone who may publish in the course's unit, or its sender withdrawing it.
pub async fn give_back(app: &App, who: &Principal, slug: &str, note: &str) -> Result<()> {
    let me = super::account(who)?;
    let mut tx = app.db.begin().await?;
    let c = db::course_for_edit_tx(&mut tx, slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    let Some(r) = revisions::get_tx(&mut tx, c.id).await? else {
        return Err(Error::NotFound);
    };
    if r.submitted_by != me {
        who.authorize::<act::PublishContent>(&c.owner_path)?;
    }
    revisions::remove(&mut tx, c.id).await?;
    let event = Event::CourseRevisionReturned {
        course_id: c.id,
        detail: json!({
            "course": c.slug,
            "digest": r.digest,
            "submitted_by": r.submitted_by,
            "note": note,
        }),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&c.owner_path, &event)).await?;
    tx.commit().await?;
    Ok(())
}
