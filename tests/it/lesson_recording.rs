//! An author's own recording of a lesson, end to end on both databases with the real encoders:
//! a WAV made here, and Ogg Opus, MP3 and FLAC made by `opusenc`, `lame` and `flac` at test
//! time, uploaded through the editor's form; each is stored as small Ogg Opus whose length is the
//! recording's, played back to its authors, and published as the version's audio with no eSpeak
//! job; the learner's page says it is the author's voice. A text named .mp3, a cut-short FLAC, a
//! silent WAV and a file over the 25 MB cap are refused on the editor with their reason, the
//! recording held before kept. People who may not edit the course get nothing. A recording removed
//! before the next publication leaves that version to the machine voice.

use crate::both;
use crate::helpers::{Backend, Client, Options, TestApp};
use crate::learning::{COURSE, LESSON};
use hocvuso_app::jobs::payload_text;
use hocvuso_app::learning::audio::{AudioRef, MakeAudio};
use hocvuso_app::learning::authoring;
use hocvuso_core::learning::ContentLang;
use hocvuso_db::audio::{self as audio, AudioSource};
use hocvuso_db::learning as db;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LEARNER: &str = "0900000008";
const WRITER: &str = "0900000009";
const REVIEWER: &str = "0900000010";
const PROVINCE_AUTHOR: &str = "0900000004";

fn options() -> Options {
    Options {
        seed: true,
        people: 50,
        // The server's own limit is above the recording's cap, so the cap is what refuses.
        max_upload_mb: Some(40),
        vars: vec![("HOCVUSO_LESSON_AUDIO", "true".to_string())],
    }
}

/// A mono 16-bit WAV of a tone whose pitch moves (not silence, not a pure constant).
fn wav(rate: u32, seconds: f64, amp: f64) -> Vec<u8> {
    let frames = (f64::from(rate) * seconds) as u32;
    let data = frames * 2;
    let mut w = Vec::new();
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + data).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes());
    w.extend_from_slice(&rate.to_le_bytes());
    w.extend_from_slice(&(rate * 2).to_le_bytes());
    w.extend_from_slice(&2u16.to_le_bytes());
    w.extend_from_slice(&16u16.to_le_bytes());
    w.extend_from_slice(b"data");
    w.extend_from_slice(&data.to_le_bytes());
    for i in 0..frames {
        let t = f64::from(i) / f64::from(rate);
        let f = 220.0 + 110.0 * (t * 0.7).sin();
        let v = (amp * (2.0 * std::f64::consts::PI * f * t).sin() * 32767.0) as i16;
        w.extend_from_slice(&v.to_le_bytes());
    }
    w
}

/// `program args…` reading `input` on stdin, its stdout returned; the program must be installed
/// (scripts/test installs flac and lame with the other audio tools).
fn run(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}; apt-get install flac lame opus-tools"));
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The length of an Ogg Opus stream by the granule position of its last page (48 kHz samples
/// less the pre-skip in OpusHead): what a player will show.
fn ogg_seconds(ogg: &[u8]) -> f64 {
    assert!(ogg.starts_with(b"OggS"), "not Ogg");
    let head = ogg.windows(8).position(|w| w == b"OpusHead").expect("OpusHead");
    let last = ogg.windows(4).rposition(|w| w == b"OggS").unwrap();
    let granule = u64::from_le_bytes(ogg[last + 6..last + 14].try_into().unwrap());
    let pre_skip = u16::from_le_bytes([ogg[head + 10], ogg[head + 11]]);
    (granule - u64::from(pre_skip)) as f64 / 48_000.0
}

fn editor() -> String {
    format!("/author/{COURSE}/{LESSON}?lang=vi")
}

async fn lesson(t: &TestApp) -> db::Lesson {
    let c = db::course_by_slug(&t.db, COURSE).await.unwrap().unwrap();
    db::lessons(&t.db, c.id)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.slug == LESSON)
        .unwrap()
}

async fn revision(t: &TestApp, lesson_id: i64) -> i32 {
    hocvuso_db::authoring::draft(&t.db, lesson_id, ContentLang::Vi)
        .await
        .unwrap()
        .map_or(0, |d| d.revision)
}

async fn upload(c: &Client, revision: i32, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let token = c.csrf(&editor()).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token)
        .text("lang", "vi")
        .text("revision", revision.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let r = c
        .http
        .post(c.url(&format!("/author/{COURSE}/{LESSON}/recording")))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = r.status().as_u16();
    if status == 303 {
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(
            to,
            format!("/author/{COURSE}/{LESSON}?lang=vi&recording=saved#recording")
        );
    }
    (status, r.text().await.unwrap())
}

/// The draft's recording as stored (bytes, duration).
async fn stored(t: &TestApp, lesson_id: i64) -> Option<(Vec<u8>, i64)> {
    let info = audio::recording_info(&t.db, lesson_id, ContentLang::Vi)
        .await
        .unwrap()?;
    let bytes = audio::recording_bytes(&t.db, lesson_id, ContentLang::Vi)
        .await
        .unwrap()?;
    assert_eq!(bytes.len() as i64, info.bytes);
    Some((bytes, info.duration_ms))
}

/// Uploads and checks what is kept: Ogg Opus as long as the recording, small.
async fn upload_ok(t: &TestApp, c: &Client, lesson_id: i64, name: &str, bytes: Vec<u8>, seconds: f64) -> Vec<u8> {
    let before = revision(t, lesson_id).await;
    let (s, body) = upload(c, before, name, bytes).await;
    assert_eq!(s, 303, "{name}: {body}");
    assert_eq!(revision(t, lesson_id).await, before + 1, "{name}: the draft moved on");
    let (ogg, ms) = stored(t, lesson_id).await.expect("a recording");
    assert!(
        (ms as f64 / 1000.0 - seconds).abs() < 0.15,
        "{name}: {ms} ms for {seconds} s"
    );
    let encoded = ogg_seconds(&ogg);
    assert!(
        (encoded - seconds).abs() < 0.15,
        "{name}: Ogg of {encoded} s for {seconds} s"
    );
    // 16 kbit/s: 2 KB a second and the Ogg pages around them.
    assert!(
        ogg.len() < (seconds * 2_600.0) as usize + 8_000,
        "{name}: {} bytes",
        ogg.len()
    );
    let (_, page) = c.text(&editor()).await;
    assert!(
        page.contains("Đã lưu bản ghi âm vào bản nháp") || page.contains("Bản ghi âm của bản nháp"),
        "{page}"
    );
    ogg
}

async fn audit_actions(t: &TestApp) -> Vec<(String, serde_json::Value)> {
    let mut rows = hocvuso_db::audit::list(
        &t.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &hocvuso_db::audit::Filter::default(),
        1000,
    )
    .await
    .unwrap();
    rows.reverse();
    rows.into_iter()
        .filter(|r| r.action.starts_with("lesson.recording"))
        .map(|r| (r.action, serde_json::from_str(&r.detail).unwrap()))
        .collect()
}

async fn audio_jobs(t: &TestApp, lesson_id: i64, version: i32) -> usize {
    let p = AudioRef {
        lesson_id,
        lang: "vi".into(),
        version,
    };
    let text = payload_text::<MakeAudio>(&p).unwrap();
    hocvuso_db::jobs::find(&t.db, "lesson.audio", &text)
        .await
        .unwrap()
        .len()
}

async fn publish(t: &TestApp, lesson_id: i64) -> i32 {
    let a = t.app();
    let writer = crate::helpers::principal(t, WRITER).await;
    let reviewer = crate::helpers::principal(t, REVIEWER).await;
    let r = revision(t, lesson_id).await;
    authoring::submit(&a, &writer, COURSE, LESSON, ContentLang::Vi, r)
        .await
        .unwrap();
    authoring::publish(&a, &reviewer, COURSE, LESSON, ContentLang::Vi, r + 1)
        .await
        .unwrap()
}

async fn authors_recording_becomes_the_lessons_voice(b: Backend) {
    let t = TestApp::spawn_with(b, options()).await;
    let l = lesson(&t).await;
    let writer = t.login(WRITER).await;
    let (s, page) = writer.text(&editor()).await;
    assert_eq!(s, 200);
    assert!(
        page.contains(&format!("action=\"/author/{COURSE}/{LESSON}/recording\"")),
        "the editor offers the upload"
    );
    assert!(page.contains("Bản nháp chưa có bản ghi âm"), "{page}");

    // A WAV made here: with no draft yet, the draft starts from the published text.
    upload_ok(&t, &writer, l.id, "bai-doc.wav", wav(22_050, 4.0, 0.5), 4.0).await;
    let d = hocvuso_db::authoring::draft(&t.db, l.id, ContentLang::Vi)
        .await
        .unwrap()
        .unwrap();
    let published = hocvuso_db::authoring::text_at(&mut t.db.begin().await.unwrap(), l.id, ContentLang::Vi, l.version)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (d.title.as_str(), d.body_md.as_str()),
        (published.title.as_str(), published.body_md.as_str())
    );

    // Ogg Opus from opusenc, MP3 from lame, FLAC from flac: each replaces the one before.
    let source = wav(44_100, 5.0, 0.5);
    let opus = run("opusenc", &["--quiet", "--bitrate", "64", "-", "-"], &source);
    upload_ok(&t, &writer, l.id, "ghi-am.opus", opus, 5.0).await;
    let mp3 = run("lame", &["--quiet", "-b", "64", "-", "-"], &wav(44_100, 6.0, 0.5));
    // An MP3 encoder pads its first and last frames: a few tens of milliseconds more.
    upload_ok(&t, &writer, l.id, "ghi-am.mp3", mp3, 6.03).await;
    let flac = run("flac", &["--silent", "--stdout", "-"], &wav(44_100, 7.0, 0.5));
    let kept = upload_ok(&t, &writer, l.id, "ghi-am.flac", flac.clone(), 7.0).await;

    // The authors hear it before publishing; the editor says what it is.
    let play = format!("/author/{COURSE}/{LESSON}/recording?lang=vi");
    let r = writer.get(&play).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/ogg; codecs=opus");
    assert_eq!(r.bytes().await.unwrap().to_vec(), kept);
    let (_, page) = writer.text(&editor()).await;
    assert!(page.contains("0 phút 7 giây") && page.contains("tệp FLAC"), "{page}");

    // Bad files: refused on the editor with their reason, the FLAC kept, the draft unmoved.
    let rev = revision(&t, l.id).await;
    let mut cut = flac.clone();
    cut.truncate(flac.len() / 2);
    let mut over = wav(8_000, 1.0, 0.5);
    over.resize(25 * 1024 * 1024 + 1, 0x11);
    let bad: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "bai-giang.mp3",
            "Đây là bài giảng, không phải tệp ghi âm.\n".repeat(50).into_bytes(),
            422,
            "không phải tệp ghi âm đọc được",
        ),
        ("cat-doi.flac", cut, 422, "bị thiếu phần cuối"),
        ("im-lang.wav", wav(16_000, 3.0, 0.0), 422, "không có tiếng"),
        ("rong.mp3", Vec::new(), 422, "Tệp ghi âm trống"),
        ("qua-lon.wav", over, 413, "quá giới hạn 25 MB"),
    ];
    for (name, bytes, status, says) in bad {
        let (s, body) = upload(&writer, rev, name, bytes).await;
        assert_eq!(s, status, "{name}: {body}");
        assert!(body.contains(says), "{name}: {body}");
        assert!(body.contains("role=\"alert\""), "{name}");
        assert_eq!(stored(&t, l.id).await.map(|s| s.0), Some(kept.clone()), "{name}");
        assert_eq!(revision(&t, l.id).await, rev, "{name}");
    }
    // An upload made from an older revision is a conflict.
    let (s, body) = upload(&writer, rev - 1, "cu.wav", wav(16_000, 2.0, 0.5)).await;
    assert_eq!(s, 409, "{body}");
    assert_eq!(stored(&t, l.id).await.map(|s| s.0), Some(kept.clone()));

    // Nobody who may not edit the course hears, replaces or removes it.
    for who in [PROVINCE_AUTHOR, LEARNER] {
        let c = t.login(who).await;
        let s = c.get(&play).await.status().as_u16();
        assert!([403, 404].contains(&s), "{who}: GET {s}");
        let token = c.csrf("/").await;
        let r = c
            .http
            .post(c.url(&format!("/author/{COURSE}/{LESSON}/recording/remove")))
            .form(&[
                ("_csrf", token.as_str()),
                ("lang", "vi"),
                ("revision", &rev.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            [403, 404].contains(&r.status().as_u16()),
            "{who}: remove {}",
            r.status()
        );
        // Last on this connection: refused before its body is read, the server closes it. A
        // short recording: a body larger than the socket's buffers could still be being written
        // when the refusal closes the connection, and the client would see a broken pipe instead
        // of the answer (it happened in the full suite).
        let form = reqwest::multipart::Form::new()
            .text("_csrf", token.clone())
            .text("lang", "vi")
            .text("revision", rev.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(wav(16_000, 0.05, 0.5)).file_name("x.wav"),
            );
        let r = c
            .http
            .post(c.url(&format!("/author/{COURSE}/{LESSON}/recording")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert!(
            [403, 404].contains(&r.status().as_u16()),
            "{who}: upload {}",
            r.status()
        );
    }
    assert_eq!(stored(&t, l.id).await.map(|s| s.0), Some(kept.clone()));
    assert_eq!(revision(&t, l.id).await, rev);

    // Published: the recording is the new version's audio, and no eSpeak job was asked for.
    let v = publish(&t, l.id).await;
    assert_eq!(v, l.version + 1);
    let info = audio::info(&t.db, l.id, ContentLang::Vi, v)
        .await
        .unwrap()
        .expect("audio");
    assert_eq!(info.source, AudioSource::Uploaded);
    assert_eq!(
        audio::bytes(&t.db, l.id, ContentLang::Vi, v).await.unwrap(),
        Some(kept.clone())
    );
    assert_eq!(
        audio_jobs(&t, l.id, v).await,
        0,
        "no machine voice for a recorded version"
    );
    assert!(stored(&t, l.id).await.is_none(), "the draft and its recording are gone");
    let r = writer.get(&play).await;
    assert_eq!(r.status(), 303, "no recording to play: back to the editor");
    assert_eq!(
        r.headers()["location"],
        format!("/author/{COURSE}/{LESSON}?lang=vi#recording").as_str()
    );
    let learner = t.login(LEARNER).await;
    let (s, page) = learner.text(&format!("/learn/{COURSE}/{LESSON}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("Bản nghe do tác giả của bài tự đọc và ghi âm"), "{page}");
    assert!(!page.contains("Bản nghe do máy đọc"));
    let r = learner
        .get(&format!("/learn/{COURSE}/{LESSON}/audio?lang=vi&v={v}"))
        .await;
    assert_eq!(r.status(), 200);
    let heard = r.bytes().await.unwrap().to_vec();
    assert_eq!(heard, kept);
    assert!((ogg_seconds(&heard) - 7.0).abs() < 0.15);
    assert_eq!(audio_jobs(&t, l.id, v).await, 0, "reading it asks for nothing either");

    // A recording uploaded and then removed: the next version gets the machine voice.
    upload_ok(&t, &writer, l.id, "lan-hai.wav", wav(16_000, 3.0, 0.5), 3.0).await;
    let r = writer
        .post_form(
            &editor(),
            &format!("/author/{COURSE}/{LESSON}/recording/remove"),
            &[("lang", "vi"), ("revision", &revision(&t, l.id).await.to_string())],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(stored(&t, l.id).await.is_none());
    let (_, page) = writer.text(&editor()).await;
    assert!(page.contains("Bản nháp chưa có bản ghi âm"), "{page}");
    let v2 = publish(&t, l.id).await;
    assert_eq!(audio_jobs(&t, l.id, v2).await, 1, "the machine voice is asked for");
    let deadline = Instant::now() + Duration::from_secs(120);
    let info = loop {
        if let Some(a) = audio::info(&t.db, l.id, ContentLang::Vi, v2).await.unwrap() {
            break a;
        }
        assert!(Instant::now() < deadline, "no machine audio for v{v2}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(info.source, AudioSource::Generated);
    let (_, page) = learner.text(&format!("/learn/{COURSE}/{LESSON}")).await;
    assert!(page.contains("Bản nghe do máy đọc"), "{page}");
    // The earlier version keeps the author's recording.
    assert_eq!(audio::bytes(&t.db, l.id, ContentLang::Vi, v).await.unwrap(), Some(kept));

    let actions = audit_actions(&t).await;
    let kinds: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "lesson.recording_upload",
            "lesson.recording_upload",
            "lesson.recording_upload",
            "lesson.recording_upload",
            "lesson.recording_upload",
            "lesson.recording_remove"
        ]
    );
    let formats: Vec<&str> = actions.iter().filter_map(|(_, d)| d["format"].as_str()).collect();
    assert_eq!(formats, ["WAV", "Ogg Opus", "MP3", "FLAC", "WAV"]);
    t.finish().await;
}

both!(recording, authors_recording_becomes_the_lessons_voice);
