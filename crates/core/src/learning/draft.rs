//! An author's edit of a lesson's text in the browser, checked by the same rules as a lesson file,
//! and where a draft stands on its way to learners.

use super::course::{MAX_CHECKLIST, MAX_CHECKLIST_ITEM_CHARS, MAX_LESSON_BYTES, MAX_TITLE_CHARS};
use super::error::ContentError;
use super::markdown;
use super::media::Shelf;
use super::video::Video;
use crate::i18n::Message;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use unicode_normalization::UnicodeNormalization;

/// A draft is being written, or waits for a second person to publish it or return it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftState {
    Draft,
    Review,
}

impl DraftState {
    pub const ALL: [DraftState; 2] = [DraftState::Draft, DraftState::Review];

    pub fn as_str(self) -> &'static str {
        match self {
            DraftState::Draft => "draft",
            DraftState::Review => "review",
        }
    }

    pub fn parse(s: &str) -> Option<DraftState> {
        DraftState::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("draft-state-{}", self.as_str())
    }
}

/// The form fields of the lesson editor, as [`ContentError::file`] names them.
pub const FIELD_TITLE: &str = "title";
pub const FIELD_BODY: &str = "body";
pub const FIELD_CHECKLIST: &str = "checklist";

/// A lesson's text as an author typed it, checked: NFC, line ends made `\n`, the title one line,
/// the body safe Markdown, the checklist one step per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LessonEdit {
    pub title: String,
    pub body_md: String,
    pub checklist: Vec<String>,
    pub video: Option<Video>,
}

/// The editor's three video fields as typed; all empty for a lesson without a video.
#[derive(Debug, Clone, Copy, Default)]
pub struct VideoFields<'a> {
    pub url: &'a str,
    pub title: &'a str,
    pub transcript: &'a str,
}

fn clean(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n").nfc().collect()
}

impl LessonEdit {
    /// Every problem of the fields, each naming its field and, in the body and the checklist,
    /// its line; a video needs an allowed address, a title and a transcript; the body's images and file links are checked against the course's
    /// files (`shelf`).
    pub fn parse(
        title: &str,
        body: &str,
        checklist: &str,
        video: VideoFields<'_>,
        shelf: &Shelf,
    ) -> Result<LessonEdit, Vec<ContentError>> {
        let mut errors = Vec::new();
        let title = clean(title).trim().to_string();
        if title.is_empty() {
            errors.push(ContentError::new(
                FIELD_TITLE,
                None,
                Message::new("err-learning-text-empty").arg("field", "learning-title"),
            ));
        } else if title.chars().any(char::is_control) {
            errors.push(ContentError::new(
                FIELD_TITLE,
                None,
                Message::new("err-learning-text-line").arg("field", "learning-title"),
            ));
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.push(ContentError::new(
                FIELD_TITLE,
                None,
                Message::new("err-learning-text-too-long")
                    .arg("field", "learning-title")
                    .arg("max", MAX_TITLE_CHARS)
                    .arg("len", title.chars().count()),
            ));
        }

        let body = clean(body);
        let line_at = |offset: usize| body[..offset.min(body.len())].matches('\n').count() + 1;
        if body.len() > MAX_LESSON_BYTES {
            errors.push(ContentError::new(
                FIELD_BODY,
                None,
                Message::new("err-authoring-body-too-big")
                    .arg("size", body.len() / 1024)
                    .arg("max", MAX_LESSON_BYTES / 1024),
            ));
        } else if body.trim().is_empty() {
            errors.push(ContentError::new(
                FIELD_BODY,
                None,
                Message::new("err-authoring-body-empty"),
            ));
        } else {
            let mut reported = BTreeSet::new();
            for (offset, message) in markdown::problems_with(&body, shelf) {
                let line = line_at(offset);
                if reported.insert((line, message.key.clone())) {
                    errors.push(ContentError::new(FIELD_BODY, Some(line), message));
                }
            }
            if body.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                errors.push(ContentError::new(
                    FIELD_BODY,
                    None,
                    Message::new("err-learning-text-control").arg("field", "learning-body"),
                ));
            }
        }

        let steps: Vec<(usize, String)> = clean(checklist)
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim().to_string()))
            .filter(|(_, l)| !l.is_empty())
            .collect();
        if steps.len() > MAX_CHECKLIST {
            errors.push(ContentError::new(
                FIELD_CHECKLIST,
                steps.get(MAX_CHECKLIST).map(|(n, _)| *n),
                Message::new("err-learning-too-many")
                    .arg("field", "learning-checklist")
                    .arg("max", MAX_CHECKLIST),
            ));
        }
        for (line, step) in &steps {
            if step.chars().any(char::is_control) {
                errors.push(ContentError::new(
                    FIELD_CHECKLIST,
                    Some(*line),
                    Message::new("err-learning-text-control").arg("field", "learning-checklist-item"),
                ));
            } else if step.chars().count() > MAX_CHECKLIST_ITEM_CHARS {
                errors.push(ContentError::new(
                    FIELD_CHECKLIST,
                    Some(*line),
                    Message::new("err-learning-text-too-long")
                        .arg("field", "learning-checklist-item")
                        .arg("max", MAX_CHECKLIST_ITEM_CHARS)
                        .arg("len", step.chars().count()),
                ));
            }
        }
        let video = match Video::check(video.url, video.title, video.transcript) {
            Ok(v) => v,
            Err(problems) => {
                errors.extend(problems.into_iter().map(|(f, m)| ContentError::new(f, None, m)));
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(LessonEdit {
            title,
            body_md: body,
            checklist: steps.into_iter().map(|(_, s)| s).collect(),
            video,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(r: Result<LessonEdit, Vec<ContentError>>) -> Vec<(String, Option<usize>, String)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.file, e.line, e.message.key))
            .collect()
    }

    #[test]
    fn a_plain_edit_is_cleaned() {
        let e = LessonEdit::parse(
            "  Bài mới\r\n",
            "## Mở đầu\r\n\r\nNội dung.",
            "Mở VNeID\r\n\r\n  Chọn mục cần dùng  \n",
            VideoFields::default(),
            &Shelf::empty(),
        )
        .unwrap();
        assert_eq!(e.title, "Bài mới");
        assert_eq!(e.body_md, "## Mở đầu\n\nNội dung.");
        assert_eq!(e.checklist, vec!["Mở VNeID", "Chọn mục cần dùng"]);
        // Text typed in decomposed form is stored composed.
        let d = LessonEdit::parse("Ba\u{0300}i", "x", "", VideoFields::default(), &Shelf::empty()).unwrap();
        assert_eq!(d.title, "Bài");
    }

    #[test]
    fn hostile_markdown_is_refused_with_its_line() {
        let body = "## A\n\nChữ.\n\n<script>alert(1)</script>\n\n[bấm](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n\n![](data:image/svg+xml;base64,PHN2Zz4=)";
        let found = keys(LessonEdit::parse(
            "Bài",
            body,
            "",
            VideoFields::default(),
            &Shelf::empty(),
        ));
        assert_eq!(
            found,
            vec![
                ("body".to_string(), Some(5), "err-learning-markdown-html".to_string()),
                ("body".to_string(), Some(7), "err-learning-markdown-link".to_string()),
                ("body".to_string(), Some(9), "err-learning-markdown-html".to_string()),
                ("body".to_string(), Some(11), "err-learning-markdown-image".to_string()),
            ]
        );
    }

    #[test]
    fn every_field_is_checked_at_once() {
        let long = "x".repeat(MAX_TITLE_CHARS + 1);
        let many: String = (0..=MAX_CHECKLIST).map(|i| format!("Bước {i}\n")).collect();
        let found = keys(LessonEdit::parse(
            &long,
            "   ",
            &many,
            VideoFields::default(),
            &Shelf::empty(),
        ));
        assert_eq!(
            found,
            vec![
                ("title".to_string(), None, "err-learning-text-too-long".to_string()),
                ("body".to_string(), None, "err-authoring-body-empty".to_string()),
                (
                    "checklist".to_string(),
                    Some(MAX_CHECKLIST + 1),
                    "err-learning-too-many".to_string()
                ),
            ]
        );
        let big = "a".repeat(MAX_LESSON_BYTES + 1);
        assert_eq!(
            keys(LessonEdit::parse("", &big, "", VideoFields::default(), &Shelf::empty())),
            vec![
                ("title".to_string(), None, "err-learning-text-empty".to_string()),
                ("body".to_string(), None, "err-authoring-body-too-big".to_string()),
            ]
        );
    }

    #[test]
    fn states_round_trip() {
        for s in DraftState::ALL {
            assert_eq!(DraftState::parse(s.as_str()), Some(s));
        }
        assert_eq!(DraftState::parse("published"), None);
    }
}
