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

record! {
    /// What a lesson page says about the audio, without its bytes.
    #[derive(Debug, Clone, Serialize)]
    pub struct AudioInfo {
        pub source: String,
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
    /// "generated" (eSpeak NG) or "uploaded" (an author's recording).
    pub source: &'a str,
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
                    a.source.into(),
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
