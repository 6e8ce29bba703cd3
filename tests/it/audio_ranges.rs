//! Lesson audio answers byte ranges: a player learns the duration and seeks without the whole
//! file, and a download cut off on a weak connection resumes. The audio is stored directly (no
//! eSpeak NG needed): the bytes are a counting pattern, so any misplaced byte shows.

use crate::helpers::{Backend, TestApp};
use crate::learning::{COURSE, LESSON};
use hocvuso_core::learning::ContentLang;
use hocvuso_db::learning as db;

const LEN: usize = 300_000;

async fn stored_audio(t: &TestApp) -> (String, Vec<u8>) {
    let c = db::course_by_slug(&t.db, COURSE).await.unwrap().unwrap();
    let l = db::lessons(&t.db, c.id)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.slug == LESSON)
        .unwrap();
    let mut bytes = b"OggS".to_vec();
    bytes.extend((0..LEN - 4).map(|i| (i % 251) as u8));
    let mut tx = t.db.begin().await.unwrap();
    let stored = hocvuso_db::audio::put(
        &mut tx,
        &hocvuso_db::audio::NewAudio {
            lesson_id: l.id,
            lang: ContentLang::Vi,
            version: l.version,
            source: hocvuso_db::audio::AudioSource::Uploaded,
            audio: &bytes,
            duration_ms: 60_000,
            tools: "test",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(stored);
    (format!("/learn/{COURSE}/{LESSON}/audio?lang=vi&v={}", l.version), bytes)
}

#[tokio::test]
async fn lesson_audio_answers_byte_ranges() {
    let t = TestApp::spawn(Backend::Sqlite).await;
    let (url, bytes) = stored_audio(&t).await;
    let c = t.client();
    let get = |range: Option<&str>, extra: Option<(&'static str, String)>| {
        let mut rq = c.http.get(c.url(&url)).header("accept-encoding", "gzip");
        if let Some(r) = range {
            rq = rq.header("range", r);
        }
        if let Some((k, v)) = extra {
            rq = rq.header(k, v);
        }
        rq.send()
    };

    // The whole file: says it takes ranges, is not compressed again (that would drop
    // Accept-Ranges), and is validated by an ETag.
    let r = get(None, None).await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["accept-ranges"], "bytes");
    assert!(h.get("content-encoding").is_none(), "{h:?}");
    assert_eq!(h["content-type"], "audio/ogg; codecs=opus");
    assert!(h["cache-control"].to_str().unwrap().contains("immutable"));
    let etag = h["etag"].to_str().unwrap().to_string();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
        "{etag}"
    );
    assert_eq!(r.bytes().await.unwrap(), bytes);

    let n = LEN;
    for (range, from, to) in [
        ("bytes=0-99", 0, 99),
        ("bytes=0-0", 0, 0),
        ("bytes=1000-", 1000, n - 1),
        ("bytes=-500", n - 500, n - 1),
        ("bytes=299990-999999999", n - 10, n - 1),
        ("bytes=-99999999999999999999999", 0, n - 1),
    ] {
        let r = get(Some(range), None).await.unwrap();
        assert_eq!(r.status(), 206, "{range}");
        let h = r.headers().clone();
        assert_eq!(h["content-range"], format!("bytes {from}-{to}/{n}"), "{range}");
        assert_eq!(h["accept-ranges"], "bytes");
        assert_eq!(h["etag"], etag.as_str());
        assert!(h["cache-control"].to_str().unwrap().contains("immutable"));
        assert_eq!(h["content-length"], (to - from + 1).to_string(), "{range}");
        assert!(h.get("content-encoding").is_none(), "{range}");
        assert_eq!(r.bytes().await.unwrap(), bytes[from..=to], "{range}");
    }

    // Nothing in the file: 416 naming the length, not an error page, and not cached.
    for range in [
        format!("bytes={n}-"),
        format!("bytes={}-", u64::MAX),
        "bytes=99999999999999999999999-".to_string(),
        "bytes=5-2".to_string(),
        "bytes=-0".to_string(),
        "bytes=abc".to_string(),
    ] {
        let r = get(Some(&range), None).await.unwrap();
        assert_eq!(r.status(), 416, "{range}");
        let h = r.headers().clone();
        assert_eq!(h["content-range"], format!("bytes */{n}"), "{range}");
        assert_eq!(h["accept-ranges"], "bytes");
        assert!(!h["cache-control"].to_str().unwrap().contains("immutable"), "{range}");
        assert!(r.bytes().await.unwrap().is_empty(), "{range}");
    }

    // Several ranges, another unit, or a range of another file (If-Range): the whole file.
    for (range, extra) in [
        ("bytes=0-1,5-6", None),
        ("items=0-5", None),
        ("bytes=0-99", Some(("if-range", "\"another\"".to_string()))),
    ] {
        let r = get(Some(range), extra).await.unwrap();
        assert_eq!(r.status(), 200, "{range}");
        assert_eq!(r.headers()["accept-ranges"], "bytes");
        assert_eq!(r.bytes().await.unwrap().len(), n, "{range}");
    }
    let r = get(Some("bytes=0-99"), Some(("if-range", etag.clone()))).await.unwrap();
    assert_eq!(r.status(), 206, "the same file: the range");
    let r = get(None, Some(("if-none-match", etag.clone()))).await.unwrap();
    assert_eq!(r.status(), 304);

    // An address that names no stored audio is still 404.
    let r = c.get(&url.replace("lang=vi", "lang=en")).await;
    assert_eq!(r.status(), 404);
    t.finish().await;
}
