//! Lesson audio on both databases, with the real eSpeak NG and opusenc: a lesson installed from the
//! release gets its audio when first read (the page says it is coming, then offers it), the audio
//! is Ogg Opus of a few hundred KB served under an address naming its version, and publishing a
//! new version asks for that version's audio at once.

use crate::both;
use crate::helpers::{Backend, Options, TestApp};
use crate::learning::{COURSE, LESSON};
use hocvuso_core::learning::ContentLang;
use hocvuso_db::learning as db;
use std::time::{Duration, Instant};

fn with_audio() -> Options {
    Options {
        seed: true,
        people: 100,
        vars: vec![("HOCVUSO_LESSON_AUDIO", "true".to_string())],
        ..Options::default()
    }
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

/// Waits for the audio of a version, at most two minutes (eSpeak takes seconds per lesson).
async fn audio_of(t: &TestApp, lesson_id: i64, lang: ContentLang, version: i32) -> hocvuso_db::audio::AudioInfo {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(a) = hocvuso_db::audio::info(&t.db, lesson_id, lang, version).await.unwrap() {
            return a;
        }
        assert!(
            Instant::now() < deadline,
            "no audio for lesson {lesson_id} {lang:?} v{version}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn audio_is_made_and_served(b: Backend) {
    let t = TestApp::spawn_with(b, with_audio()).await;
    let l = lesson(&t).await;
    let c = t.client();
    let url = format!("/learn/{COURSE}/{LESSON}");
    let (s, page) = c.text(&url).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Bản nghe của bài đang được tạo"),
        "first reading asks for the audio"
    );
    let info = audio_of(&t, l.id, ContentLang::Vi, l.version).await;
    assert_eq!(info.source, hocvuso_db::audio::AudioSource::Generated);
    assert!(info.duration_ms > 10_000, "{info:?}");
    assert!(
        info.bytes < 600 * 1024,
        "a lesson's audio stays a few hundred KB: {info:?}"
    );

    let (_, page) = c.text(&url).await;
    let src = format!("/learn/{COURSE}/{LESSON}/audio?lang=vi&#38;v={}", l.version);
    assert!(
        page.contains(&format!("<audio controls preload=\"none\" src=\"{src}\"")),
        "{page}"
    );
    let r = c.get(&src.replace("&#38;", "&")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/ogg; codecs=opus");
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"OggS"));
    assert!(bytes.windows(8).any(|w| w == b"OpusHead"));
    assert_eq!(bytes.len() as i64, info.bytes);
    // Another version, another language without audio, an unknown language: 404.
    for bad in [
        format!("/learn/{COURSE}/{LESSON}/audio?lang=vi&v={}", l.version + 7),
        format!("/learn/{COURSE}/{LESSON}/audio?lang=xx&v={}", l.version),
        format!("/learn/{COURSE}/{LESSON}/audio?lang=vi&v=abc"),
        format!("/learn/{COURSE}/khong-co/audio?lang=vi&v=1"),
    ] {
        assert_eq!(c.get(&bad).await.status(), 404, "{bad}");
    }

    // Publishing a new version asks for its audio at once; other languages' audio carries over.
    let en = t.client();
    let (_, _) = en.text(&format!("{url}?lang=en")).await;
    audio_of(&t, l.id, ContentLang::En, l.version).await;
    let writer = crate::helpers::principal(&t, "0900000009").await;
    let reviewer = crate::helpers::principal(&t, "0900000010").await;
    let a = t.app();
    use hocvuso_app::learning::authoring;
    let r = authoring::save(
        &a,
        &writer,
        COURSE,
        LESSON,
        ContentLang::Vi,
        0,
        "Bài mới",
        "## Phần mới\n\nMột câu mới.",
        "Một\nHai\nBa",
        Default::default(),
    )
    .await
    .unwrap();
    authoring::submit(&a, &writer, COURSE, LESSON, ContentLang::Vi, r)
        .await
        .unwrap();
    let v = authoring::publish(&a, &reviewer, COURSE, LESSON, ContentLang::Vi, r + 1)
        .await
        .unwrap();
    assert_eq!(v, l.version + 1);
    let carried = hocvuso_db::audio::info(&t.db, l.id, ContentLang::En, v).await.unwrap();
    assert!(carried.is_some(), "the English audio carries over to the new version");
    let fresh = audio_of(&t, l.id, ContentLang::Vi, v).await;
    assert!(
        fresh.duration_ms < info.duration_ms,
        "the new, shorter text was read: {fresh:?}"
    );
    t.finish().await;
}

both!(made_and_served, audio_is_made_and_served);
