//! The audio versions of lessons: one per lesson, language and version, read whole (a lesson's is a
//! few hundred KB) and written once.

use crate::{Db, Result, Tx, now, record};
use hocvuso_core::learning::ContentLang;
use sea_query::{Expr, ExprTrait, Iden, OnConflict, Query};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub enum LessonAudio {
    Table,
    LessonId,
    Lang,
    Version,
    Source,
    Audio,
    Bytes,
    DurationMs,
    Tools,
    CreatedAt,
}

/// Whose voice a lesson's audio is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AudioSource {
    /// Read by eSpeak NG.
    Generated,
    /// An author's own recording, published with the draft it belonged to.
    Uploaded,
}

impl AudioSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AudioSource::Generated => "generated",
            AudioSource::Uploaded => "uploaded",
        }
    }

    pub fn parse(s: &str) -> Option<AudioSource> {
        match s {
            "generated" => Some(AudioSource::Generated),
            "uploaded" => Some(AudioSource::Uploaded),
            _ => None,
        }
    }
}

crate::stored::stored_as_text!(AudioSource);

record! {
    /// What a lesson page says about the audio, without its bytes.
    #[derive(Debug, Clone, Serialize)]
    pub struct AudioInfo {
        pub source: AudioSource as "lesson_audio.source",
        pub bytes: i64,
        pub duration_ms: i64,
    }
}

record! {
    struct AudioBytes {
        audio: Vec<u8>,
    }
}

fn key(lesson_id: i64, lang: ContentLang, version: i32) -> sea_query::SelectStatement {
    Query::select()
        .from(LessonAudio::Table)
        .and_where(Expr::col(LessonAudio::LessonId).eq(lesson_id))
        .and_where(Expr::col(LessonAudio::Lang).eq(lang.as_str()))
        .and_where(Expr::col(LessonAudio::Version).eq(version))
        .to_owned()
}

pub async fn info(db: &Db, lesson_id: i64, lang: ContentLang, version: i32) -> Result<Option<AudioInfo>> {
    db.fetch_optional(key(lesson_id, lang, version).columns([
        LessonAudio::Source,
        LessonAudio::Bytes,
        LessonAudio::DurationMs,
    ]))
    .await
}

pub async fn bytes(db: &Db, lesson_id: i64, lang: ContentLang, version: i32) -> Result<Option<Vec<u8>>> {
    let row: Option<AudioBytes> = db
        .fetch_optional(key(lesson_id, lang, version).column(LessonAudio::Audio))
        .await?;
    Ok(row.map(|r| r.audio))
}

pub struct NewAudio<'a> {
    pub lesson_id: i64,
    pub lang: ContentLang,
    pub version: i32,
    pub source: AudioSource,
    pub audio: &'a [u8],
    pub duration_ms: i64,
    /// The programs and versions that made it, for whoever hears something wrong.
    pub tools: &'a str,
}

/// Stores the audio; a second one for the same lesson, language and version changes nothing
/// (two runs of the same job, or a job racing an author's upload: the first stays).
pub async fn put(tx: &mut Tx, a: &NewAudio<'_>) -> Result<bool> {
    let n = tx
        .execute(
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
                .values_panic([
                    a.lesson_id.into(),
                    a.lang.as_str().into(),
                    a.version.into(),
                    a.source.as_str().into(),
                    a.audio.to_vec().into(),
                    (a.audio.len() as i64).into(),
                    a.duration_ms.into(),
                    a.tools.into(),
                    now().into(),
                ])
                .on_conflict(
                    OnConflict::columns([LessonAudio::LessonId, LessonAudio::Lang, LessonAudio::Version])
                        .do_nothing()
                        .to_owned(),
                ),
        )
        .await?;
    Ok(n == 1)
}

#[derive(Iden, Clone, Copy)]
pub enum LessonDraftRecordings {
    Table,
    LessonId,
    Lang,
    Audio,
    Bytes,
    DurationMs,
    Tools,
    OriginalFormat,
    OriginalBytes,
    UploadedBy,
    UploadedAt,
}

record! {
    /// A draft's recording without its bytes, for the editor.
    #[derive(Debug, Clone, Serialize)]
    pub struct RecordingInfo {
        pub bytes: i64,
        pub duration_ms: i64,
        pub original_format: String,
        pub original_bytes: i64,
        pub uploaded_by: i64,
        pub uploaded_at: time::OffsetDateTime,
    }
}

fn recording_key(lesson_id: i64, lang: ContentLang) -> sea_query::SelectStatement {
    Query::select()
        .from(LessonDraftRecordings::Table)
        .and_where(Expr::col(LessonDraftRecordings::LessonId).eq(lesson_id))
        .and_where(Expr::col(LessonDraftRecordings::Lang).eq(lang.as_str()))
        .to_owned()
}

const RECORDING_INFO: [LessonDraftRecordings; 6] = [
    LessonDraftRecordings::Bytes,
    LessonDraftRecordings::DurationMs,
    LessonDraftRecordings::OriginalFormat,
    LessonDraftRecordings::OriginalBytes,
    LessonDraftRecordings::UploadedBy,
    LessonDraftRecordings::UploadedAt,
];

pub async fn recording_info(db: &Db, lesson_id: i64, lang: ContentLang) -> Result<Option<RecordingInfo>> {
    db.fetch_optional(recording_key(lesson_id, lang).columns(RECORDING_INFO))
        .await
}

pub async fn recording_info_tx(tx: &mut Tx, lesson_id: i64, lang: ContentLang) -> Result<Option<RecordingInfo>> {
    tx.fetch_optional(recording_key(lesson_id, lang).columns(RECORDING_INFO))
        .await
}

pub async fn recording_bytes(db: &Db, lesson_id: i64, lang: ContentLang) -> Result<Option<Vec<u8>>> {
    let row: Option<AudioBytes> = db
        .fetch_optional(recording_key(lesson_id, lang).column(LessonDraftRecordings::Audio))
        .await?;
    Ok(row.map(|r| r.audio))
}

/// An author's recording for a draft, re-encoded.
pub struct NewRecording<'a> {
    pub lesson_id: i64,
    pub lang: ContentLang,
    pub audio: &'a [u8],
    pub duration_ms: i64,
    pub tools: &'a str,
    /// What was uploaded ("MP3", "FLAC" …) and its size.
    pub original_format: &'a str,
    pub original_bytes: i64,
    pub uploaded_by: i64,
}

/// Stores the draft's recording, replacing the one it had. Call it in the transaction that moves
/// the draft to its next revision.
pub async fn put_recording(tx: &mut Tx, r: &NewRecording<'_>) -> Result<()> {
    delete_recording(tx, r.lesson_id, r.lang).await?;
    tx.execute(
        Query::insert()
            .into_table(LessonDraftRecordings::Table)
            .columns([
                LessonDraftRecordings::LessonId,
                LessonDraftRecordings::Lang,
                LessonDraftRecordings::Audio,
                LessonDraftRecordings::Bytes,
                LessonDraftRecordings::DurationMs,
                LessonDraftRecordings::Tools,
                LessonDraftRecordings::OriginalFormat,
                LessonDraftRecordings::OriginalBytes,
                LessonDraftRecordings::UploadedBy,
                LessonDraftRecordings::UploadedAt,
            ])
            .values_panic([
                r.lesson_id.into(),
                r.lang.as_str().into(),
                r.audio.to_vec().into(),
                (r.audio.len() as i64).into(),
                r.duration_ms.into(),
                r.tools.into(),
                r.original_format.into(),
                r.original_bytes.into(),
                r.uploaded_by.into(),
                now().into(),
            ]),
    )
    .await?;
    Ok(())
}

/// Removes the draft's recording; `false` when it had none.
pub async fn delete_recording(tx: &mut Tx, lesson_id: i64, lang: ContentLang) -> Result<bool> {
    let n = tx
        .execute(
            Query::delete()
                .from_table(LessonDraftRecordings::Table)
                .and_where(Expr::col(LessonDraftRecordings::LessonId).eq(lesson_id))
                .and_where(Expr::col(LessonDraftRecordings::Lang).eq(lang.as_str())),
        )
        .await?;
    Ok(n > 0)
}

/// Publishing: the draft's recording becomes `version`'s audio in its language (source
/// "uploaded") and leaves the draft. `true` when there was one.
pub async fn publish_recording(tx: &mut Tx, lesson_id: i64, lang: ContentLang, version: i32) -> Result<bool> {
    let n = tx
        .execute(
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
                        .column(LessonDraftRecordings::LessonId)
                        .column(LessonDraftRecordings::Lang)
                        .expr(Expr::val(version))
                        .expr(Expr::val(AudioSource::Uploaded.as_str()))
                        .columns([
                            LessonDraftRecordings::Audio,
                            LessonDraftRecordings::Bytes,
                            LessonDraftRecordings::DurationMs,
                            LessonDraftRecordings::Tools,
                        ])
                        .expr(Expr::val(now()))
                        .from(LessonDraftRecordings::Table)
                        .and_where(Expr::col(LessonDraftRecordings::LessonId).eq(lesson_id))
                        .and_where(Expr::col(LessonDraftRecordings::Lang).eq(lang.as_str()))
                        .to_owned(),
                )
                .map_err(|e| crate::DbError::Invalid(e.to_string()))?,
        )
        .await?;
    delete_recording(tx, lesson_id, lang).await?;
    Ok(n > 0)
}
