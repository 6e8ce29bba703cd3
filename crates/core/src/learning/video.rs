//! A video a lesson links to, with its transcript. The page never embeds a player (no third-party
//! script, no tracking, nothing heavy on a learner's phone): it shows a link to the video's own
//! page and the transcript, which is the video for anyone who cannot watch or hear it (WCAG 2.1
//! 1.2.1 and 1.2.3) and what a learner on a weak connection reads instead.

use crate::i18n::Message;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Sites a lesson may send learners to for a video: the video platforms the movement's
/// materials are published on, and government sites (`*.gov.vn`).
pub const VIDEO_HOSTS: [&str; 6] = [
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtu.be",
    "vimeo.com",
    "player.vimeo.com",
];
pub const MAX_VIDEO_URL: usize = 500;
pub const MAX_VIDEO_TITLE: usize = 200;
/// About twenty minutes of speech.
pub const MAX_TRANSCRIPT_CHARS: usize = 30_000;

/// The form fields (and front-matter keys) of a video.
pub const FIELD_URL: &str = "video_url";
pub const FIELD_TITLE: &str = "video_title";
pub const FIELD_TRANSCRIPT: &str = "video_transcript";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Video {
    pub url: String,
    pub title: String,
    /// Plain text; paragraphs separated by blank lines.
    pub transcript: String,
}

/// The host of an `https://` address written plainly, lower case; `None` for anything else.
fn https_host(url: &str) -> Option<String> {
    if url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\' || c == '"' || c == '<' || c == '>')
    {
        return None;
    }
    let rest = url
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("https://"))
        .map(|_| &url[8..])?;
    let authority = rest.split(['/', '?', '#']).next()?;
    // No user name or password before the host ("https://youtube.com@evil.example").
    if authority.contains('@') || authority.is_empty() {
        return None;
    }
    let host = authority.split(':').next()?.to_ascii_lowercase();
    host.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        .then_some(host)
}

/// Whether a lesson may link to a video at `host`.
pub fn allowed_host(host: &str) -> bool {
    VIDEO_HOSTS.contains(&host) || host == "gov.vn" || host.ends_with(".gov.vn")
}

impl Video {
    /// A video from its three fields, all empty meaning none; every problem with its field.
    pub fn check(url: &str, title: &str, transcript: &str) -> Result<Option<Video>, Vec<(&'static str, Message)>> {
        let clean = |s: &str| -> String { s.replace("\r\n", "\n").replace('\r', "\n").trim().nfc().collect() };
        let (url, title, transcript) = (clean(url), clean(title), clean(transcript));
        if url.is_empty() && title.is_empty() && transcript.is_empty() {
            return Ok(None);
        }
        let mut errors = Vec::new();
        if url.is_empty() {
            errors.push((FIELD_URL, Message::new("err-learning-video-url-empty")));
        } else if url.chars().count() > MAX_VIDEO_URL {
            errors.push((
                FIELD_URL,
                Message::new("err-learning-text-too-long")
                    .arg("field", "learning-video-url")
                    .arg("max", MAX_VIDEO_URL)
                    .arg("len", url.chars().count()),
            ));
        } else {
            match https_host(&url) {
                None => errors.push((FIELD_URL, Message::new("err-learning-video-url").arg("url", &url))),
                Some(host) if !allowed_host(&host) => {
                    errors.push((FIELD_URL, Message::new("err-learning-video-host").arg("host", &host)))
                }
                Some(_) => {}
            }
        }
        if title.is_empty() {
            errors.push((
                FIELD_TITLE,
                Message::new("err-learning-text-empty").arg("field", "learning-video-title"),
            ));
        } else if title.chars().any(char::is_control) {
            errors.push((
                FIELD_TITLE,
                Message::new("err-learning-text-line").arg("field", "learning-video-title"),
            ));
        } else if title.chars().count() > MAX_VIDEO_TITLE {
            errors.push((
                FIELD_TITLE,
                Message::new("err-learning-text-too-long")
                    .arg("field", "learning-video-title")
                    .arg("max", MAX_VIDEO_TITLE)
                    .arg("len", title.chars().count()),
            ));
        }
        if transcript.is_empty() {
            errors.push((FIELD_TRANSCRIPT, Message::new("err-learning-video-transcript-empty")));
        } else if transcript.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            errors.push((
                FIELD_TRANSCRIPT,
                Message::new("err-learning-text-control").arg("field", "learning-video-transcript"),
            ));
        } else if transcript.chars().count() > MAX_TRANSCRIPT_CHARS {
            errors.push((
                FIELD_TRANSCRIPT,
                Message::new("err-learning-text-too-long")
                    .arg("field", "learning-video-transcript")
                    .arg("max", MAX_TRANSCRIPT_CHARS)
                    .arg("len", transcript.chars().count()),
            ));
        }
        if errors.is_empty() {
            Ok(Some(Video { url, title, transcript }))
        } else {
            Err(errors)
        }
    }

    /// The site the link goes to, as the page names it ("youtube.com").
    pub fn site(&self) -> String {
        https_host(&self.url)
            .map(|h| h.trim_start_matches("www.").trim_start_matches("m.").to_string())
            .unwrap_or_default()
    }

    /// The transcript's paragraphs.
    pub fn paragraphs(&self) -> Vec<String> {
        self.transcript
            .split("\n\n")
            .map(|p| p.lines().map(str::trim).collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect()
    }

    /// How it is stored: JSON, or "" for none.
    pub fn to_stored(video: Option<&Video>) -> String {
        video.and_then(|v| serde_json::to_string(v).ok()).unwrap_or_default()
    }

    /// What [`Video::to_stored`] wrote; `Err` for anything else.
    pub fn from_stored(s: &str) -> Result<Option<Video>, String> {
        if s.is_empty() {
            return Ok(None);
        }
        serde_json::from_str(s).map(Some).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(url: &str, title: &str, transcript: &str) -> Vec<(&'static str, String)> {
        match Video::check(url, title, transcript) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|(f, m)| (f, m.key)).collect(),
        }
    }

    #[test]
    fn a_video_needs_an_allowed_address_a_title_and_a_transcript() {
        assert_eq!(Video::check("", " ", "\n"), Ok(None));
        let v = Video::check(
            " https://www.youtube.com/watch?v=abc ",
            "Kích hoạt VNeID",
            "Đoạn một\r\ndòng hai.\r\n\r\nĐoạn hai.",
        )
        .unwrap()
        .unwrap();
        assert_eq!(v.url, "https://www.youtube.com/watch?v=abc");
        assert_eq!(v.site(), "youtube.com");
        assert_eq!(v.paragraphs(), ["Đoạn một dòng hai.", "Đoạn hai."]);
        assert_eq!(Video::from_stored(&Video::to_stored(Some(&v))), Ok(Some(v)));
        assert_eq!(Video::from_stored(""), Ok(None));
        assert!(Video::from_stored("{").is_err());
        for ok in [
            "https://youtu.be/x",
            "https://dichvucong.gov.vn/p/video",
            "HTTPS://vimeo.com/1",
        ] {
            assert!(keys(ok, "t", "x").is_empty(), "{ok}");
        }
        for (url, key) in [
            ("http://youtube.com/x", "err-learning-video-url"),
            ("javascript:alert(1)", "err-learning-video-url"),
            ("https://youtube.com@evil.example/x", "err-learning-video-url"),
            ("https://you tube.com/x", "err-learning-video-url"),
            ("https://youtube.com/\"onmouseover=x", "err-learning-video-url"),
            ("//youtube.com/x", "err-learning-video-url"),
            ("https://evil.example/x", "err-learning-video-host"),
            ("https://youtube.com.evil.example/x", "err-learning-video-host"),
            ("https://notgov.vn/x", "err-learning-video-host"),
        ] {
            assert_eq!(keys(url, "t", "x"), [(FIELD_URL, key.to_string())], "{url}");
        }
        assert_eq!(
            keys("https://youtu.be/x", "", ""),
            [
                (FIELD_TITLE, "err-learning-text-empty".to_string()),
                (FIELD_TRANSCRIPT, "err-learning-video-transcript-empty".to_string())
            ]
        );
        assert_eq!(
            keys("", "t", &"a".repeat(MAX_TRANSCRIPT_CHARS + 1)),
            [
                (FIELD_URL, "err-learning-video-url-empty".to_string()),
                (FIELD_TRANSCRIPT, "err-learning-text-too-long".to_string())
            ]
        );
    }
}
