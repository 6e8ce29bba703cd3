//! What a question-bank import produces, whatever the file format: the items that can be stored,
//! each with the pool it goes to, and every question that cannot, named, with the reason.

use super::item::{Difficulty, Item};
use crate::i18n::Message;
use crate::learning::CompetenceRef;
use std::collections::{HashMap, HashSet};

/// The largest file an import reads.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
/// The most questions one file may hold.
pub const MAX_IMPORT_QUESTIONS: usize = 5_000;

/// What the file itself does not say: every imported item gets these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    pub competence: CompetenceRef,
    pub level: String,
    pub difficulty: Difficulty,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Imported {
    /// (pool, item): the pool is the file's category path ("Lừa đảo/Tin nhắn"); empty when the
    /// file names none, for the caller to choose.
    pub items: Vec<(String, Item)>,
    pub problems: Vec<ImportProblem>,
    /// The accepted embedded files by name (Moodle XML, a QTI package): each is the
    /// `Item::picture` of its question (a recording is refused by name: an item has no place for
    /// one). GIFT, a spreadsheet and a single QTI item file have none.
    pub files: Vec<(String, Vec<u8>)>,
}

/// One question (or the whole file, with an empty `question`) that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// The question's name, or its first words when it has none.
    pub question: String,
    /// Its first line in the file, from 1 (a spreadsheet's row number).
    pub line: Option<usize>,
    /// The column at fault, as the file's header row names it (spreadsheets); `None` when the
    /// problem is the whole question's or the format has no columns.
    pub column: Option<String>,
    pub message: Message,
}

/// A question's name as a problem shows it: the name itself, or the first words of its text.
pub fn label(name: &str, stem: &str) -> String {
    let name = name.trim();
    if !name.is_empty() {
        return name.chars().take(120).collect();
    }
    let words: Vec<&str> = stem.split_whitespace().collect();
    let mut out = words.iter().take(10).copied().collect::<Vec<_>>().join(" ");
    if out.chars().count() > 80 {
        out = out.chars().take(80).collect();
    }
    if words.len() > 10 || out.len() < words.join(" ").len() {
        out.push('…');
    }
    out
}

/// Item codes for one file: an ASCII slug of the question's name, numbered -2, -3 … when taken.
#[derive(Debug, Default)]
pub(crate) struct Codes {
    used: HashSet<String>,
    /// The next number to try for a base: 5,000 questions of one name stay linear.
    next: HashMap<String, usize>,
}

impl Codes {
    /// Reserves a code the file gives itself, so that no generated code takes it; false when it
    /// was already taken.
    pub(crate) fn reserve(&mut self, code: &str) -> bool {
        self.used.insert(code.to_string())
    }

    pub(crate) fn next(&mut self, name: &str) -> String {
        let folded = crate::text::fold(name);
        let mut base = String::new();
        for word in folded.split(' ') {
            let word: String = word.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            if word.is_empty() {
                continue;
            }
            if base.len() + word.len() + 1 > 60 {
                break;
            }
            if !base.is_empty() {
                base.push('-');
            }
            base.push_str(&word);
        }
        if base.is_empty() {
            base = "cau-hoi".into();
        }
        let mut code = base.clone();
        let n = self.next.entry(base.clone()).or_insert(1);
        while self.used.contains(&code) {
            *n += 1;
            code = format!("{base}-{n}");
        }
        self.used.insert(code.clone());
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ascii_slugs_numbered_when_taken() {
        let mut c = Codes::default();
        assert_eq!(c.next("Tin nhắn giả ngân hàng"), "tin-nhan-gia-ngan-hang");
        assert_eq!(c.next("Tin nhắn GIẢ ngân hàng!"), "tin-nhan-gia-ngan-hang-2");
        assert_eq!(c.next("Tin nhắn giả ngân hàng"), "tin-nhan-gia-ngan-hang-3");
        assert_eq!(c.next("诈骗"), "cau-hoi");
        assert_eq!(c.next("Đường dây nóng"), "duong-day-nong");
        // A name that is itself a numbered code is not given twice.
        assert_eq!(c.next("OTP 2"), "otp-2");
        assert_eq!(c.next("OTP"), "otp");
        assert_eq!(c.next("OTP"), "otp-3");
    }

    #[test]
    fn a_label_is_the_name_or_the_first_words() {
        assert_eq!(label("  OTP ", "x"), "OTP");
        assert_eq!(
            label(
                "",
                "Một người lạ gọi điện tự xưng là công an và yêu cầu bạn chuyển tiền ngay"
            ),
            "Một người lạ gọi điện tự xưng là công an…"
        );
        assert_eq!(label("", "Ngắn gọn"), "Ngắn gọn");
    }
}
