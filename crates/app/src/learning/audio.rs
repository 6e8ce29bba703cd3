//! The audio version of a lesson: its title, text and practice steps read aloud by eSpeak NG
//! ([`crate::speech`]) in a background job, stored per lesson, language and version. A version
//! gets its audio when it is published, or, for content installed from the release, when a
//! learner first opens it: no machine time is spent on lessons nobody reads.

use crate::jobs::{self, Job, JobError, Lane, Retry, Run};
use crate::{App, Result, speech};
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::{ContentLang, markdown};
use hocvuso_db::audio::{self as store, AudioInfo, NewAudio};
use hocvuso_db::jobs::Status;
use hocvuso_db::{Tx, authoring};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioRef {
    pub lesson_id: i64,
    pub lang: String,
    pub version: i32,
}

/// Makes and stores one lesson version's audio. Long lane: a lesson takes seconds of CPU.
pub struct MakeAudio;

impl Job for MakeAudio {
    const KIND: &'static str = "lesson.audio";
    const LANE: Lane = Lane::Long;
    const MAX_ATTEMPTS: i32 = 3;
    const RETRY: Retry = Retry::Backoff {
        first: Duration::from_secs(60),
    };
    type Payload = AudioRef;

    async fn run(&self, app: &App, run: &Run<AudioRef>) -> std::result::Result<(), JobError> {
        let p = &run.payload;
        let Some(lang) = ContentLang::parse(&p.lang) else {
            return Err(JobError::Refused(Message::new("err-audio-lang").arg("lang", &p.lang)));
        };
        if store::info(&app.db, p.lesson_id, lang, p.version).await?.is_some() {
            return Ok(());
        }
        let mut tx = app.db.begin().await?;
        let text = authoring::text_at(&mut tx, p.lesson_id, lang, p.version).await?;
        tx.commit().await?;
        let Some(text) = text else {
            // The version is gone (a lesson retired with its course): nothing to read.
            return Ok(());
        };
        let steps: Vec<String> = serde_json::from_str(&text.checklist).unwrap_or_default();
        let script = script(&text.title, &text.body_md, &steps);
        let audio = match speech::synthesize(&script, lang.as_str()).await {
            Ok(a) => a,
            Err(speech::SpeechError::NoVoice(_) | speech::SpeechError::Empty) => return Ok(()),
            Err(e @ (speech::SpeechError::Missing(_) | speech::SpeechError::TooLong { .. })) => {
                return Err(JobError::Refused(Message::new("err-audio-failed").arg("reason", e)));
            }
            Err(e) => return Err(JobError::Broke(e.to_string())),
        };
        let tools = format!("{}; {}", audio.tools.espeak_ng, audio.tools.opusenc);
        let mut tx = app.db.begin().await?;
        store::put(
            &mut tx,
            &NewAudio {
                lesson_id: p.lesson_id,
                lang,
                version: p.version,
                source: store::AudioSource::Generated,
                audio: &audio.ogg_opus,
                duration_ms: (audio.duration_secs * 1000.0).round() as i64,
                tools: &tools,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What is read aloud: the title, the text as plain lines, then the practice steps numbered.
pub fn script(title: &str, body_md: &str, steps: &[String]) -> String {
    let mut out = format!("{title}.\n{}", markdown::plain_text(body_md));
    for (i, s) in steps.iter().enumerate() {
        out.push_str(&format!("\n{}. {s}", i + 1));
    }
    out
}

/// Where a lesson version's audio stands for the page that offers it.
#[derive(Debug, Clone, Serialize)]
pub enum Audio {
    Ready(AudioInfo),
    /// Being made; the page says to come back in a few minutes.
    Pending,
    /// None in this language (no voice), none configured, or making it failed for good.
    None,
}

fn payload(lesson_id: i64, lang: ContentLang, version: i32) -> AudioRef {
    AudioRef {
        lesson_id,
        lang: lang.as_str().to_string(),
        version,
    }
}

/// Adds the job that makes a version's audio, inside the caller's transaction (publishing).
pub async fn enqueue_in(app: &App, tx: &mut Tx, lesson_id: i64, lang: ContentLang, version: i32) -> Result<()> {
    if app.lesson_audio && speech::voice(lang.as_str()).is_some() {
        jobs::enqueue::<MakeAudio>(tx, &payload(lesson_id, lang, version), None).await?;
    }
    Ok(())
}

/// The audio of a version, asking for it to be made when there is none and no job for it yet.
pub async fn want(app: &App, lesson_id: i64, lang: ContentLang, version: i32) -> Result<Audio> {
    let info = store::info(&app.db, lesson_id, lang, version).await?;
    want_known(app, lesson_id, lang, version, info).await
}

/// [`want`] when the stored audio's row was read already (with the lesson's text).
pub async fn want_known(
    app: &App,
    lesson_id: i64,
    lang: ContentLang,
    version: i32,
    stored: Option<AudioInfo>,
) -> Result<Audio> {
    if let Some(info) = stored {
        return Ok(Audio::Ready(info));
    }
    if !app.lesson_audio || speech::voice(lang.as_str()).is_none() {
        return Ok(Audio::None);
    }
    let p = payload(lesson_id, lang, version);
    let text = jobs::payload_text::<MakeAudio>(&p)?;
    let earlier = hocvuso_db::jobs::find(&app.db, MakeAudio::KIND, &text).await?;
    if earlier
        .iter()
        .any(|j| matches!(j.status, Status::Queued | Status::Running))
    {
        return Ok(Audio::Pending);
    }
    if !earlier.is_empty() {
        // Made nothing (no text) or failed for good: the job's reason is in the queue's records.
        return Ok(Audio::None);
    }
    let mut tx = app.db.begin().await?;
    jobs::enqueue::<MakeAudio>(&mut tx, &p, None).await?;
    tx.commit().await?;
    app.jobs.wake();
    Ok(Audio::Pending)
}

/// The stored audio of a published lesson version.
pub async fn bytes(app: &App, lesson_id: i64, lang: ContentLang, version: i32) -> Result<Option<Vec<u8>>> {
    Ok(store::bytes(&app.db, lesson_id, lang, version).await?)
}
