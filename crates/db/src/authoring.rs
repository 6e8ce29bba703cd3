//! Authoring: an author's draft of a lesson's text per language, and publishing it as the lesson's
//! next version. Every write names the revision it was made from and changes nothing when the
//! stored draft has moved on, so two authors saving at once cannot overwrite each other: the
//! check is the `WHERE revision = ?` of the write itself, not an earlier read.

use crate::audio::LessonAudio;
use crate::learning::{Courses, LessonVersions, Lessons};
use crate::{Db, Result, Tx, now, record};
use hocvuso_core::learning::ContentLang;
use hocvuso_core::learning::draft::DraftState;
use sea_query::{Expr, ExprTrait, Iden, OnConflict, Order, Query};
use serde::Serialize;
use time::OffsetDateTime;

#[derive(Iden, Clone, Copy)]
pub enum LessonDrafts {
    Table,
    LessonId,
    Lang,
    Title,
    BodyMd,
    Checklist,
    Video,
    BaseVersion,
    Revision,
    State,
    UpdatedBy,
    UpdatedAt,
    SubmittedBy,
    SubmittedAt,
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Draft {
        pub lesson_id: i64,
        pub lang: ContentLang as "lesson_drafts.lang",
        pub title: String,
        pub body_md: String,
        pub checklist: String,
        /// JSON or "" (core::learning::video::Video::from_stored).
        pub video: String,
        pub base_version: i32,
        pub revision: i32,
        pub state: DraftState as "lesson_drafts.state",
        pub updated_by: i64,
        pub updated_at: OffsetDateTime,
        pub submitted_by: Option<i64>,
        pub submitted_at: Option<OffsetDateTime>,
    }
}

const DRAFT_COLUMNS: [LessonDrafts; 13] = [
    LessonDrafts::LessonId,
    LessonDrafts::Lang,
    LessonDrafts::Title,
    LessonDrafts::BodyMd,
    LessonDrafts::Checklist,
    LessonDrafts::Video,
    LessonDrafts::BaseVersion,
    LessonDrafts::Revision,
    LessonDrafts::State,
    LessonDrafts::UpdatedBy,
    LessonDrafts::UpdatedAt,
    LessonDrafts::SubmittedBy,
    LessonDrafts::SubmittedAt,
];

pub async fn draft(db: &Db, lesson_id: i64, lang: ContentLang) -> Result<Option<Draft>> {
    db.fetch_optional(
        Query::select()
            .columns(DRAFT_COLUMNS)
            .from(LessonDrafts::Table)
            .and_where(Expr::col(LessonDrafts::LessonId).eq(lesson_id))
            .and_where(Expr::col(LessonDrafts::Lang).eq(lang.as_str())),
    )
    .await
}

pub async fn draft_tx(tx: &mut Tx, lesson_id: i64, lang: ContentLang) -> Result<Option<Draft>> {
    tx.fetch_optional(
        Query::select()
            .columns(DRAFT_COLUMNS)
            .from(LessonDrafts::Table)
            .and_where(Expr::col(LessonDrafts::LessonId).eq(lesson_id))
            .and_where(Expr::col(LessonDrafts::Lang).eq(lang.as_str())),
    )
    .await
}

/// The drafts of a course's lessons, every language.
pub async fn drafts_of_course(db: &Db, course_id: i64) -> Result<Vec<Draft>> {
    db.fetch_all(
        Query::select()
            .columns(DRAFT_COLUMNS.map(|c| (LessonDrafts::Table, c)))
            .from(LessonDrafts::Table)
            .inner_join(
                Lessons::Table,
                Expr::col((Lessons::Table, Lessons::Id)).equals((LessonDrafts::Table, LessonDrafts::LessonId)),
            )
            .and_where(Expr::col((Lessons::Table, Lessons::CourseId)).eq(course_id))
            .order_by((LessonDrafts::Table, LessonDrafts::LessonId), Order::Asc)
            .order_by((LessonDrafts::Table, LessonDrafts::Lang), Order::Asc),
    )
    .await
}

record! {
    /// A draft waiting for review, with where it belongs (for the reviewers' list).
    #[derive(Debug, Clone, Serialize)]
    pub struct Waiting {
        pub lesson_id: i64,
        pub lang: ContentLang as "lesson_drafts.lang",
        pub title: String,
        pub submitted_by: Option<i64>,
        pub submitted_at: Option<OffsetDateTime>,
        pub course_slug: String,
        pub lesson_slug: String,
        pub owner_path: String,
    }
}

/// Drafts sent for review of courses owned inside `[lo, hi)` (a subtree range), oldest first.
pub async fn waiting(db: &Db, lo: &str, hi: &str) -> Result<Vec<Waiting>> {
    db.fetch_all(
        Query::select()
            .columns([
                (LessonDrafts::Table, LessonDrafts::LessonId),
                (LessonDrafts::Table, LessonDrafts::Lang),
                (LessonDrafts::Table, LessonDrafts::Title),
                (LessonDrafts::Table, LessonDrafts::SubmittedBy),
                (LessonDrafts::Table, LessonDrafts::SubmittedAt),
            ])
            .expr_as(Expr::col((Courses::Table, Courses::Slug)), CourseSlug)
            .expr_as(Expr::col((Lessons::Table, Lessons::Slug)), LessonSlug)
            .column((Courses::Table, Courses::OwnerPath))
            .from(LessonDrafts::Table)
            .inner_join(
                Lessons::Table,
                Expr::col((Lessons::Table, Lessons::Id)).equals((LessonDrafts::Table, LessonDrafts::LessonId)),
            )
            .inner_join(
                Courses::Table,
                Expr::col((Courses::Table, Courses::Id)).equals((Lessons::Table, Lessons::CourseId)),
            )
            .and_where(Expr::col((LessonDrafts::Table, LessonDrafts::State)).eq(DraftState::Review.as_str()))
            .and_where(Expr::col((Courses::Table, Courses::OwnerPath)).gte(lo))
            .and_where(Expr::col((Courses::Table, Courses::OwnerPath)).lt(hi))
            .order_by((LessonDrafts::Table, LessonDrafts::SubmittedAt), Order::Asc),
    )
    .await
}

#[derive(Iden, Clone, Copy)]
struct CourseSlug;
#[derive(Iden, Clone, Copy)]
struct LessonSlug;

/// Every column of a lesson version, in the order `publish` writes them.
const VERSION_COLUMNS: [LessonVersions; 9] = [
    LessonVersions::LessonId,
    LessonVersions::Lang,
    LessonVersions::Version,
    LessonVersions::Title,
    LessonVersions::BodyMd,
    LessonVersions::Checklist,
    LessonVersions::Video,
    LessonVersions::CreatedBy,
    LessonVersions::CreatedAt,
];

/// A lesson text as the editor sends it.
pub struct DraftText<'a> {
    pub title: &'a str,
    pub body_md: &'a str,
    /// JSON array of steps.
    pub checklist: &'a str,
    /// JSON or "".
    pub video: &'a str,
}

// A lesson's first draft in a language, at revision 1: saved by `by` (a draft), or saved and sent
// by `by` (in review, so that `by` cannot publish it). Nothing is written when a draft exists.
fn new_draft(
    lesson_id: i64,
    lang: ContentLang,
    text: &DraftText<'_>,
    base_version: i32,
    by: i64,
    at: OffsetDateTime,
    state: DraftState,
) -> sea_query::InsertStatement {
    let sent = (state == DraftState::Review).then_some(by);
    let sent_at = (state == DraftState::Review).then_some(at);
    Query::insert()
        .into_table(LessonDrafts::Table)
        .columns(DRAFT_COLUMNS)
        .values_panic([
            lesson_id.into(),
            lang.as_str().into(),
            text.title.into(),
            text.body_md.into(),
            text.checklist.into(),
            text.video.into(),
            base_version.into(),
            1.into(),
            state.as_str().into(),
            by.into(),
            at.into(),
            sent.into(),
            sent_at.into(),
        ])
        .on_conflict(
            OnConflict::columns([LessonDrafts::LessonId, LessonDrafts::Lang])
                .do_nothing()
                .to_owned(),
        )
        .to_owned()
}

/// Saves the draft made from `from_revision` (0: there was no draft) as the next revision; `None`
/// when the stored draft is no longer that revision (someone else saved, sent or published it),
/// and then nothing is written. A saved draft is a draft again, even one that was in review.
pub async fn save(
    tx: &mut Tx,
    lesson_id: i64,
    lang: ContentLang,
    text: &DraftText<'_>,
    base_version: i32,
    from_revision: i32,
    by: i64,
) -> Result<Option<i32>> {
    let at = now();
    let written = if from_revision == 0 {
        tx.execute(&new_draft(
            lesson_id,
            lang,
            text,
            base_version,
            by,
            at,
            DraftState::Draft,
        ))
        .await?
    } else {
        tx.execute(
            Query::update()
                .table(LessonDrafts::Table)
                .values([
                    (LessonDrafts::Title, text.title.into()),
                    (LessonDrafts::BodyMd, text.body_md.into()),
                    (LessonDrafts::Checklist, text.checklist.into()),
                    (LessonDrafts::Video, text.video.into()),
                    (LessonDrafts::BaseVersion, base_version.into()),
                    (LessonDrafts::Revision, (from_revision + 1).into()),
                    (LessonDrafts::State, DraftState::Draft.as_str().into()),
                    (LessonDrafts::UpdatedBy, by.into()),
                    (LessonDrafts::UpdatedAt, at.into()),
                    (LessonDrafts::SubmittedBy, Option::<i64>::None.into()),
                    (LessonDrafts::SubmittedAt, Option::<OffsetDateTime>::None.into()),
                ])
                .and_where(Expr::col(LessonDrafts::LessonId).eq(lesson_id))
                .and_where(Expr::col(LessonDrafts::Lang).eq(lang.as_str()))
                .and_where(Expr::col(LessonDrafts::Revision).eq(from_revision)),
        )
        .await?
    };
    Ok((written == 1).then_some(if from_revision == 0 { 1 } else { from_revision + 1 }))
}

/// Moves the draft at `revision` to `state` (sent for review by `by`, or returned to draft);
/// `false` when the draft is not at that revision.
pub async fn set_state(
    tx: &mut Tx,
    lesson_id: i64,
    lang: ContentLang,
    revision: i32,
    state: DraftState,
    by: i64,
) -> Result<bool> {
    let at = now();
    let (submitted_by, submitted_at) = match state {
        DraftState::Review => (Some(by), Some(at)),
        DraftState::Draft => (None, None),
    };
    let n = tx
        .execute(
            Query::update()
                .table(LessonDrafts::Table)
                .values([
                    (LessonDrafts::State, state.as_str().into()),
                    (LessonDrafts::Revision, (revision + 1).into()),
                    (LessonDrafts::SubmittedBy, submitted_by.into()),
                    (LessonDrafts::SubmittedAt, submitted_at.into()),
                ])
                .and_where(Expr::col(LessonDrafts::LessonId).eq(lesson_id))
                .and_where(Expr::col(LessonDrafts::Lang).eq(lang.as_str()))
                .and_where(Expr::col(LessonDrafts::Revision).eq(revision)),
        )
        .await?;
    Ok(n == 1)
}

/// A published version and whether its audio in the published language is the author's recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    pub version: i32,
    /// The draft had a recording: it is the version's audio now, and no machine voice is needed.
    pub recorded: bool,
}

/// Publishes the draft at `revision` as the lesson's next version: the draft's language gets its
/// text (and its recording, when it has one, as the version's audio), every other language
/// carries its current text and audio over, the lesson points at the new version and the draft is
/// gone. `None` when the draft is not at that revision. Learners' progress is keyed by the lesson,
/// so it stays.
pub async fn publish(
    tx: &mut Tx,
    lesson_id: i64,
    lang: ContentLang,
    revision: i32,
    by: i64,
) -> Result<Option<Published>> {
    let Some(d) = draft_tx(tx, lesson_id, lang).await?.filter(|d| d.revision == revision) else {
        return Ok(None);
    };
    let gone = tx
        .execute(
            Query::delete()
                .from_table(LessonDrafts::Table)
                .and_where(Expr::col(LessonDrafts::LessonId).eq(lesson_id))
                .and_where(Expr::col(LessonDrafts::Lang).eq(lang.as_str()))
                .and_where(Expr::col(LessonDrafts::Revision).eq(revision)),
        )
        .await?;
    if gone != 1 {
        return Ok(None);
    }
    let Some(lesson) = crate::learning::lesson_tx(tx, lesson_id).await? else {
        return Ok(None);
    };
    let version = lesson.version + 1;
    let at = now();
    // The other languages' current texts, carried into the new version unchanged.
    tx.execute(
        Query::insert()
            .into_table(LessonVersions::Table)
            .columns(VERSION_COLUMNS)
            .select_from(
                Query::select()
                    .column(LessonVersions::LessonId)
                    .column(LessonVersions::Lang)
                    .expr(Expr::val(version))
                    .column(LessonVersions::Title)
                    .column(LessonVersions::BodyMd)
                    .column(LessonVersions::Checklist)
                    .column(LessonVersions::Video)
                    .expr(Expr::val(by))
                    .expr(Expr::val(at))
                    .from(LessonVersions::Table)
                    .and_where(Expr::col(LessonVersions::LessonId).eq(lesson_id))
                    .and_where(Expr::col(LessonVersions::Version).eq(lesson.version))
                    .and_where(Expr::col(LessonVersions::Lang).ne(lang.as_str()))
                    .to_owned(),
            )
            .map_err(|e| crate::DbError::Invalid(e.to_string()))?,
    )
    .await?;
    tx.execute(
        Query::insert()
            .into_table(LessonVersions::Table)
            .columns(VERSION_COLUMNS)
            .values_panic([
                lesson_id.into(),
                lang.as_str().into(),
                version.into(),
                d.title.into(),
                d.body_md.into(),
                d.checklist.into(),
                d.video.into(),
                by.into(),
                at.into(),
            ]),
    )
    .await?;
    // The author's own recording of the new text is its audio.
    let recorded = crate::audio::publish_recording(tx, lesson_id, lang, version).await?;
    // The other languages' audio is of the same text: it carries over too.
    tx.execute(
        Query::insert()
            .into_table(LessonAudio::Table)
            .columns([
                LessonAudio::LessonId,
                LessonAudio::Lang,
                LessonAudio::Version,
                LessonAudio::Source,
                LessonAudio::Audio,
                LessonAudio::Bytes,
                LessonAudio::DurationMs,
                LessonAudio::Tools,
                LessonAudio::CreatedAt,
            ])
            .select_from(
                Query::select()
                    .column(LessonAudio::LessonId)
                    .column(LessonAudio::Lang)
                    .expr(Expr::val(version))
                    .columns([
                        LessonAudio::Source,
                        LessonAudio::Audio,
                        LessonAudio::Bytes,
                        LessonAudio::DurationMs,
                        LessonAudio::Tools,
                        LessonAudio::CreatedAt,
                    ])
                    .from(LessonAudio::Table)
                    .and_where(Expr::col(LessonAudio::LessonId).eq(lesson_id))
                    .and_where(Expr::col(LessonAudio::Version).eq(lesson.version))
                    .and_where(Expr::col(LessonAudio::Lang).ne(lang.as_str()))
                    .to_owned(),
            )
            .map_err(|e| crate::DbError::Invalid(e.to_string()))?,
    )
    .await?;
    tx.execute(
        Query::update()
            .table(Lessons::Table)
            .value(Lessons::Version, version)
            .and_where(Expr::col(Lessons::Id).eq(lesson_id))
            .and_where(Expr::col(Lessons::Version).eq(lesson.version)),
    )
    .await?;
    // A course edited on the platform is no longer the shipped one: a later release keeps it.
    tx.execute(
        Query::update()
            .table(Courses::Table)
            .values([
                (Courses::Digest, format!("local:{lesson_id}:{version}").into()),
                (Courses::UpdatedAt, at.into()),
            ])
            .and_where(Expr::col(Courses::Id).eq(lesson.course_id)),
    )
    .await?;
    Ok(Some(Published { version, recorded }))
}

/// Moves the draft at `from_revision` to its next revision without changing its text (its
/// recording changed), as saved by `by`: a draft again, even one that was in review, so a
/// reviewer sees the change. `None` when the draft is no longer at that revision.
pub async fn touch(tx: &mut Tx, lesson_id: i64, lang: ContentLang, from_revision: i32, by: i64) -> Result<Option<i32>> {
    let n = tx
        .execute(
            Query::update()
                .table(LessonDrafts::Table)
                .values([
                    (LessonDrafts::Revision, (from_revision + 1).into()),
                    (LessonDrafts::State, DraftState::Draft.as_str().into()),
                    (LessonDrafts::UpdatedBy, by.into()),
                    (LessonDrafts::UpdatedAt, now().into()),
                    (LessonDrafts::SubmittedBy, Option::<i64>::None.into()),
                    (LessonDrafts::SubmittedAt, Option::<OffsetDateTime>::None.into()),
                ])
                .and_where(Expr::col(LessonDrafts::LessonId).eq(lesson_id))
                .and_where(Expr::col(LessonDrafts::Lang).eq(lang.as_str()))
                .and_where(Expr::col(LessonDrafts::Revision).eq(from_revision)),
        )
        .await?;
    Ok((n == 1).then_some(from_revision + 1))
}

/// A language's text of a lesson at a version, inside a transaction (publishing compares the text
/// a draft started from with the one learners read now).
pub async fn text_at(
    tx: &mut Tx,
    lesson_id: i64,
    lang: ContentLang,
    version: i32,
) -> Result<Option<crate::learning::LessonText>> {
    tx.fetch_optional(
        Query::select()
            .columns([
                LessonVersions::Lang,
                LessonVersions::Version,
                LessonVersions::Title,
                LessonVersions::BodyMd,
                LessonVersions::Checklist,
                LessonVersions::Video,
            ])
            .from(LessonVersions::Table)
            .and_where(Expr::col(LessonVersions::LessonId).eq(lesson_id))
            .and_where(Expr::col(LessonVersions::Lang).eq(lang.as_str()))
            .and_where(Expr::col(LessonVersions::Version).eq(version)),
    )
    .await
}

/// Stores a text sent for review without an editing step (a package imported over a published
/// course): a new draft at revision 1, in review, saved and sent by `by`, so that `by` cannot
/// publish it. `false` when the lesson already has a draft in that language (someone started one
/// since it was read), and then nothing is written.
pub async fn stage_for_review(
    tx: &mut Tx,
    lesson_id: i64,
    lang: ContentLang,
    text: &DraftText<'_>,
    base_version: i32,
    by: i64,
) -> Result<bool> {
    let at = now();
    let n = tx
        .execute(&new_draft(
            lesson_id,
            lang,
            text,
            base_version,
            by,
            at,
            DraftState::Review,
        ))
        .await?;
    Ok(n == 1)
}
