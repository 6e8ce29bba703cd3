//! An author's own recording of a lesson: uploaded into the draft of a lesson and language,
//! recognised by its bytes, decoded (symphonia in this process on the reading gate, or `opusdec`
//! for Ogg Opus) and encoded again through [`speech::encode`], so what is stored is always small
//! Ogg Opus at the platform's bitrate. Uploading or removing it moves the draft to its next
//! revision (a draft again, even one in review): a reviewer publishes what they heard. Publishing
//! makes it the new version's audio and no machine voice is made for that language and version.

use super::authoring::{audit_event, conflict, course_and_lesson, locked};
use crate::speech::{self, EncodeCaps, SpeechError};
use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Principal, act};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::ContentLang;
use hocvuso_core::learning::recording::{self as rec, AudioFormat, RecordingError};
use hocvuso_db::audio::{self as store, NewRecording, RecordingInfo};
use hocvuso_db::authoring::{self as drafts, DraftText};
use serde_json::json;
use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

fn invalid(e: &RecordingError) -> Error {
    Error::Invalid(vec![FieldError::new("recording", e.message())])
}

/// A recording ready to store.
pub struct Converted {
    pub format: AudioFormat,
    pub ogg_opus: Vec<u8>,
    pub duration_secs: f64,
    pub tools: String,
}

/// The decoder's output, passed to the encoder a chunk at a time (at most a few chunks waiting):
/// the blocking side writes, the async side reads.
struct ChunkWriter {
    tx: mpsc::Sender<Vec<u8>>,
    buf: Vec<u8>,
}

const CHUNK: usize = 64 * 1024;

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.buf);
        self.tx
            .blocking_send(chunk)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the encoder stopped"))
    }
}

struct ChunkReader {
    rx: mpsc::Receiver<Vec<u8>>,
    pending: Vec<u8>,
    at: usize,
}

impl AsyncRead for ChunkReader {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, out: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        loop {
            if self.at < self.pending.len() {
                let n = out.remaining().min(self.pending.len() - self.at);
                let at = self.at;
                out.put_slice(&self.pending[at..at + n]);
                self.at += n;
                return Poll::Ready(Ok(()));
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(chunk)) => {
                    self.pending = chunk;
                    self.at = 0;
                }
                // The decoder is done (or gone): the end of the stream.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

fn caps() -> EncodeCaps {
    EncodeCaps {
        max_audio_bytes: speech::MAX_AUDIO_BYTES,
        max_seconds: Some(rec::MAX_SECONDS),
    }
}

fn encoder_error(e: SpeechError) -> Error {
    match e {
        SpeechError::TooLongAudio { .. } => invalid(&RecordingError::TooLong {
            seconds: rec::MAX_SECONDS + 1,
        }),
        e => {
            tracing::error!(error = %e, "a recording could not be encoded");
            Error::Invalid(vec![FieldError::new("recording", Message::new("err-recording-encode"))])
        }
    }
}

/// Recognises, decodes and encodes an upload. Decoding runs on the process's reading gate (one
/// upload read at a time, on the blocking pool), its output streamed into `opusenc`.
pub async fn convert(app: &App, bytes: Vec<u8>) -> Result<Converted> {
    if bytes.is_empty() {
        return Err(invalid(&RecordingError::Empty));
    }
    if bytes.len() > rec::MAX_UPLOAD_BYTES {
        return Err(invalid(&RecordingError::TooLarge { size: bytes.len() }));
    }
    let format = rec::sniff(&bytes).ok_or_else(|| invalid(&RecordingError::NotAudio))?;
    let opusenc = speech::version(speech::OPUSENC).await.map_err(encoder_error)?;
    let (encoded, decoder) = if format == AudioFormat::OggOpus {
        let encoded = speech::reencode_ogg_opus(&bytes, caps()).await.map_err(|e| match e {
            // opusdec refused it: not a playable Opus stream.
            SpeechError::Failed { tool, .. } | SpeechError::Io { tool, .. } if tool == speech::OPUSDEC => {
                invalid(&RecordingError::Damaged)
            }
            e => encoder_error(e),
        })?;
        let opusdec = speech::version(speech::OPUSDEC).await.map_err(encoder_error)?;
        (encoded, opusdec)
    } else {
        let (tx, rx) = mpsc::channel::<Vec<u8>>(4);
        let decoding = app.reader.read(move || {
            let mut w = ChunkWriter {
                tx,
                buf: Vec::with_capacity(CHUNK),
            };
            rec::decode_to_wav(format, bytes, &mut w)
            // The writer is dropped here: the encoder sees the end of the stream.
        });
        let reader = ChunkReader {
            rx,
            pending: Vec::new(),
            at: 0,
        };
        let encoding = speech::encode(reader, speech::DECODER, caps());
        let (decoded, encoded) = tokio::join!(decoding, encoding);
        match decoded? {
            // The decoder's refusal is the reason, whatever the encoder made of a partial stream.
            Err(RecordingError::Output(_)) => {}
            Err(e) => return Err(invalid(&e)),
            Ok(_) => {}
        }
        (encoded.map_err(encoder_error)?, "symphonia 0.5".to_string())
    };
    if encoded.duration_secs < rec::MIN_SECONDS {
        return Err(invalid(&RecordingError::TooShort));
    }
    Ok(Converted {
        format,
        ogg_opus: encoded.ogg_opus,
        duration_secs: encoded.duration_secs,
        tools: format!("{decoder}; {opusenc}"),
    })
}

/// Stores an author's recording in the draft of a lesson in `lang`, made from the draft at
/// `from_revision` (0: there was none; the draft then starts from the published text). Returns
/// the draft's new revision. A draft that moved on is a conflict and nothing is stored.
#[allow(clippy::too_many_arguments)]
pub async fn upload(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
    from_revision: i32,
    bytes: Vec<u8>,
) -> Result<i32> {
    let me = super::account(who)?;
    // Who may upload is decided before the file is looked at.
    let (c, _) = course_and_lesson(app, course_slug, lesson_slug).await?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    let original_bytes = bytes.len();
    let sha256 = hocvuso_core::crypto::sha256_hex(&[&bytes]);
    let converted = convert(app, bytes).await?;

    let mut tx = app.db.begin().await?;
    let (c, l) = locked::<act::AuthorContent>(&mut tx, who, course_slug, lesson_slug).await?;
    let revision = if from_revision == 0 {
        // No draft when the page was opened: one starts from the published text, with the
        // recording. A draft someone made since is a conflict (the insert changes nothing).
        let t = drafts::text_at(&mut tx, l.id, lang, l.version).await?.ok_or_else(|| {
            Error::Invalid(vec![FieldError::new(
                "recording",
                Message::new("err-recording-no-text"),
            )])
        })?;
        let text = DraftText {
            title: &t.title,
            body_md: &t.body_md,
            checklist: &t.checklist,
            video: &t.video,
        };
        drafts::save(&mut tx, l.id, lang, &text, l.version, 0, me).await?
    } else {
        drafts::touch(&mut tx, l.id, lang, from_revision, me).await?
    };
    let Some(revision) = revision else {
        return Err(conflict("err-authoring-conflict"));
    };
    let duration_ms = (converted.duration_secs * 1000.0).round() as i64;
    store::put_recording(
        &mut tx,
        &NewRecording {
            lesson_id: l.id,
            lang,
            audio: &converted.ogg_opus,
            duration_ms,
            tools: &converted.tools,
            original_format: converted.format.label(),
            original_bytes: original_bytes as i64,
            uploaded_by: me,
        },
    )
    .await?;
    audit_event(
        &mut tx,
        who,
        &c,
        Event::LessonRecordingUploaded {
            lesson_id: l.id,
            detail: json!({
                "course": c.slug, "lesson": l.slug, "lang": lang.as_str(), "revision": revision,
                "format": converted.format.label(), "upload_bytes": original_bytes,
                "upload_sha256": sha256, "bytes": converted.ogg_opus.len(), "duration_ms": duration_ms,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(revision)
}

/// Removes the recording from the draft at `from_revision`; returns the draft's new revision.
pub async fn remove(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
    from_revision: i32,
) -> Result<i32> {
    let me = super::account(who)?;
    let mut tx = app.db.begin().await?;
    let (c, l) = locked::<act::AuthorContent>(&mut tx, who, course_slug, lesson_slug).await?;
    let Some(had) = store::recording_info_tx(&mut tx, l.id, lang).await? else {
        return Err(Error::Invalid(vec![FieldError::new(
            "recording",
            Message::new("err-recording-none"),
        )]));
    };
    let Some(revision) = drafts::touch(&mut tx, l.id, lang, from_revision, me).await? else {
        return Err(conflict("err-authoring-conflict"));
    };
    store::delete_recording(&mut tx, l.id, lang).await?;
    audit_event(
        &mut tx,
        who,
        &c,
        Event::LessonRecordingRemoved {
            lesson_id: l.id,
            detail: json!({
                "course": c.slug, "lesson": l.slug, "lang": lang.as_str(), "revision": revision,
                "bytes": had.bytes, "duration_ms": had.duration_ms,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(revision)
}

/// The draft's recording for its authors (Ogg Opus); `None` when the draft has none.
pub async fn play(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
) -> Result<Option<Vec<u8>>> {
    let (c, l) = course_and_lesson(app, course_slug, lesson_slug).await?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    Ok(store::recording_bytes(&app.db, l.id, lang).await?)
}

/// The draft's recording as the editor describes it.
pub async fn info(app: &App, lesson_id: i64, lang: ContentLang) -> Result<Option<RecordingInfo>> {
    Ok(store::recording_info(&app.db, lesson_id, lang).await?)
}
