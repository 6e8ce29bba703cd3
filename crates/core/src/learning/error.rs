//! What is wrong with a piece of learning content and where, and the checks every content file
//! shares: decoding (UTF-8, NFC, no control characters, a size cap), TOML errors with their line,
//! and single-line texts.

use crate::i18n::Message;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use toml::Spanned;
use unicode_normalization::UnicodeNormalization;

/// One problem of a content file: the file (a path inside the course folder or package, or the
/// name of a framework file), the line when it is known (1-based), and what is wrong as a message
/// key of `locales/*/learning.ftl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentError {
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: Message,
}

impl ContentError {
    pub fn new(file: &str, line: Option<usize>, message: Message) -> Self {
        ContentError {
            file: file.to_string(),
            line,
            message,
        }
    }

    /// The same problem reported against another file name (a framework file read under its own
    /// name rather than the default one `parse` uses).
    pub fn in_file(mut self, file: &str) -> Self {
        self.file = file.to_string();
        self
    }

    /// The message key, e.g. `err-learning-lesson-missing`.
    pub fn key(&self) -> &str {
        &self.message.key
    }
}

impl std::fmt::Display for ContentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ContentError {}

/// A text being checked: its file name, the text itself and the line its first character is on
/// (a lesson's front matter starts on line 2), so byte offsets become line numbers.
pub(crate) struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub first_line: usize,
}

impl<'a> Source<'a> {
    pub fn new(file: &'a str, text: &'a str, first_line: usize) -> Self {
        Source { file, text, first_line }
    }

    pub fn line_at(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.first_line + self.text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count()
    }

    pub fn error(&self, span: Option<Range<usize>>, message: Message) -> ContentError {
        ContentError::new(self.file, span.map(|s| self.line_at(s.start)), message)
    }

    pub fn at<T>(&self, spanned: &Spanned<T>, message: Message) -> ContentError {
        self.error(Some(spanned.span()), message)
    }

    /// Reads TOML into `T`; a syntax error, a wrong type, a missing or an unknown key is one error
    /// with its line.
    pub fn toml<T: serde::de::DeserializeOwned>(&self) -> Result<T, ContentError> {
        toml::from_str(self.text).map_err(|e| {
            self.error(
                e.span(),
                Message::new("err-learning-toml").arg("detail", e.message().trim()),
            )
        })
    }
}

/// Checks the size, decodes UTF-8, drops a leading byte order mark, turns CRLF into LF, normalises
/// to NFC and refuses control characters other than tab and line feed.
pub(crate) fn decode(file: &str, bytes: &[u8], max_bytes: usize) -> Result<String, ContentError> {
    if bytes.len() > max_bytes {
        return Err(ContentError::new(
            file,
            None,
            Message::new("err-learning-file-too-large")
                .arg("size", bytes.len())
                .arg("max", max_bytes),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
        ContentError::new(file, Some(line), Message::new("err-learning-not-utf8"))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text: String = text.replace("\r\n", "\n").nfc().collect();
    if let Some((offset, c)) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && c != '\n' && c != '\t')
    {
        let src = Source::new(file, &text, 1);
        return Err(src.error(
            Some(offset..offset),
            Message::new("err-learning-control-char").arg("code", format!("U+{:04X}", c as u32)),
        ));
    }
    Ok(text)
}

/// A name, a title, a checklist step: NFC, trimmed, not empty, one line, at most `max` characters.
/// `field` names a `field-learning-*` key.
pub(crate) fn line_text(
    src: &Source,
    value: &Spanned<String>,
    field: &str,
    max: usize,
    errors: &mut Vec<ContentError>,
) -> String {
    let text: String = value.get_ref().trim().nfc().collect();
    if text.is_empty() {
        errors.push(src.at(value, Message::new("err-learning-text-empty").arg("field", field)));
    } else if text.chars().any(char::is_control) {
        errors.push(src.at(value, Message::new("err-learning-text-line").arg("field", field)));
    } else {
        let len = text.chars().count();
        if len > max {
            errors.push(
                src.at(
                    value,
                    Message::new("err-learning-text-too-long")
                        .arg("field", field)
                        .arg("max", max)
                        .arg("len", len),
                ),
            );
        }
    }
    text
}

/// A longer text (a description, a note): NFC, trimmed, may hold line breaks, at most `max`
/// characters, no control characters other than line feeds and tabs.
pub(crate) fn long_text(
    src: &Source,
    value: &Spanned<String>,
    field: &str,
    max: usize,
    errors: &mut Vec<ContentError>,
) -> String {
    let text: String = value.get_ref().trim().nfc().collect();
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        errors.push(src.at(value, Message::new("err-learning-text-control").arg("field", field)));
    }
    let len = text.chars().count();
    if len > max {
        errors.push(
            src.at(
                value,
                Message::new("err-learning-text-too-long")
                    .arg("field", field)
                    .arg("max", max)
                    .arg("len", len),
            ),
        );
    }
    text
}

/// A slug or an identifier: `[a-z0-9-]+`, at most `max` characters.
pub(crate) fn is_slug(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A code of a level, an area or a competence ("1", "4.2", "P1.1"): ASCII letters, digits and dots.
pub(crate) fn is_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_reports_what_is_wrong_with_its_line() {
        let e = decode("a.md", b"ok\nok\n\xff", 100).unwrap_err();
        assert_eq!((e.key(), e.line), ("err-learning-not-utf8", Some(3)));
        let e = decode("a.md", b"ok\nb\x07", 100).unwrap_err();
        assert_eq!((e.key(), e.line), ("err-learning-control-char", Some(2)));
        assert_eq!(e.message.args[0].1, "U+0007");
        let e = decode("a.md", &[b'a'; 101], 100).unwrap_err();
        assert_eq!(e.key(), "err-learning-file-too-large");
        // Decomposed "ệ" becomes one code point; CRLF becomes LF; a BOM is dropped.
        let text = decode("a.md", "\u{feff}Vie\u{0323}\u{0302}t\r\nNam".as_bytes(), 100).unwrap();
        assert_eq!(text, "Việt\nNam");
    }

    #[test]
    fn slugs_and_codes() {
        assert!(is_slug("nhan-biet-lua-dao", 100));
        for bad in ["", "Nhan", "a_b", "a b", "lừa", "a/b", "..", &"a".repeat(101)] {
            assert!(!is_slug(bad, 100), "{bad}");
        }
        assert!(is_code("P1.1") && is_code("4") && is_code("2.10"));
        for bad in ["", "4 1", "4:1", "a-b", "ạ"] {
            assert!(!is_code(bad), "{bad}");
        }
    }
}
