//! A question bank as a spreadsheet (issue 10 §1): one row per item under a header row in
//! Vietnamese, so an author can write questions in Excel or LibreOffice and a bank can leave the
//! platform. Columns are found by their header, in any order, written with or without diacritics;
//! the header row may sit under a few title rows. Every row that cannot become an item is
//! reported with its row number and the column at fault, and the other rows are imported. Only
//! the Vietnamese text travels (other languages and a scenario's picture stay in the bank).
//!
//! | column | holds |
//! | --- | --- |
//! | Mã | the item's code (`lua-dao-1`); made from the question when empty |
//! | Nhóm câu hỏi | the pool (`Lừa đảo/Tin nhắn`) |
//! | Năng lực, Mức, Độ khó | `digcomp22:4.1`, the level, Dễ / Trung bình / Khó; the import's defaults when empty |
//! | Loại | Một đáp án, Nhiều đáp án, Đúng/Sai, Sắp xếp thứ tự, Ghép nối |
//! | Câu hỏi | the stem |
//! | Phương án 1 … | the options (steps in their right order for Sắp xếp thứ tự, left column for Ghép nối) |
//! | Đáp án đúng | `2`, `1;3`, `Đúng` or `Sai`; empty for Sắp xếp thứ tự and Ghép nối |
//! | Cột ghép 1 … | Ghép nối only: what each option matches, in the same order |
//! | Giải thích | why the right answer is right |
//!
//! The reader is [`crate::import::read_table`], so a CSV file with the same header reads too.

use super::import::{Codes, Defaults, ImportProblem, Imported, MAX_IMPORT_BYTES, MAX_IMPORT_QUESTIONS, label};
use super::item::{Body, Difficulty, Item, ItemText, MAX_OPTIONS};
use crate::i18n::Message;
use crate::learning::{CompetenceRef, ContentLang};
use std::collections::{BTreeSet, HashMap};
use unicode_normalization::UnicodeNormalization;

/// Option and match columns a written sheet always has, so a new bank's author sees room for
/// them; more are written when an item needs them (up to [`MAX_OPTIONS`]).
pub const WRITTEN_OPTION_COLUMNS: usize = 8;
/// The longest code a row may give its item.
pub const MAX_CODE_CHARS: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Col {
    Code,
    Pool,
    Competence,
    Level,
    Difficulty,
    Kind,
    Stem,
    /// Option i (from 0).
    Option(usize),
    Key,
    /// Match i (from 0).
    Match(usize),
    Explanation,
}

/// The column a header names: compared folded ("Đáp án đúng" = "dap an dung"), so a header typed
/// without diacritics or in another case is still found.
fn column_of(header: &str) -> Option<Col> {
    let f = crate::text::fold(header);
    let numbered = |prefix: &str| -> Option<usize> {
        let n: usize = f.strip_prefix(prefix)?.trim().parse().ok()?;
        (1..=MAX_OPTIONS).contains(&n).then(|| n - 1)
    };
    Some(match f.as_str() {
        "ma" | "ma cau hoi" | "code" => Col::Code,
        "nhom cau hoi" | "nhom" | "nhom cau hoi pool" | "pool" => Col::Pool,
        "nang luc" | "competence" => Col::Competence,
        "muc" | "level" => Col::Level,
        "do kho" | "difficulty" => Col::Difficulty,
        "loai" | "loai cau hoi" | "type" => Col::Kind,
        "cau hoi" | "noi dung cau hoi" | "stem" | "question" => Col::Stem,
        "dap an dung" | "dap an" | "key" | "answer" => Col::Key,
        "giai thich" | "loi giai thich" | "explanation" => Col::Explanation,
        _ => {
            if let Some(i) = numbered("phuong an ").or_else(|| numbered("option ")) {
                Col::Option(i)
            } else if let Some(i) = numbered("cot ghep ").or_else(|| numbered("match ")) {
                Col::Match(i)
            } else {
                return None;
            }
        }
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Single,
    Multiple,
    TrueFalse,
    Ordering,
    Matching,
}

fn kind_of(value: &str) -> Option<Kind> {
    Some(match crate::text::fold(value).as_str() {
        "mot dap an" | "mot lua chon" | "single choice" | "single" => Kind::Single,
        "nhieu dap an" | "nhieu lua chon" | "multiple choice" | "multiple" => Kind::Multiple,
        "dung sai" | "true false" => Kind::TrueFalse,
        "sap xep thu tu" | "sap xep" | "ordering" => Kind::Ordering,
        "ghep noi" | "ghep doi" | "matching" => Kind::Matching,
        _ => return None,
    })
}

fn kind_label(body: &Body) -> &'static str {
    match body {
        Body::SingleChoice { .. } => "Một đáp án",
        Body::MultipleChoice { .. } => "Nhiều đáp án",
        Body::TrueFalse { .. } => "Đúng/Sai",
        Body::Ordering { .. } => "Sắp xếp thứ tự",
        Body::Matching { .. } => "Ghép nối",
    }
}

fn difficulty_of(value: &str) -> Option<Difficulty> {
    match crate::text::fold(value).as_str() {
        "de" | "easy" => Some(Difficulty::Easy),
        "trung binh" | "vua" | "medium" => Some(Difficulty::Medium),
        "kho" | "hard" => Some(Difficulty::Hard),
        _ => None,
    }
}

fn difficulty_label(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Easy => "Dễ",
        Difficulty::Medium => "Trung bình",
        Difficulty::Hard => "Khó",
    }
}

fn truth_of(value: &str) -> Option<bool> {
    match crate::text::fold(value).as_str() {
        "dung" | "true" => Some(true),
        "sai" | "false" => Some(false),
        _ => None,
    }
}

/// `2`, `1;3`, `1, 3`: option numbers from 1, each within `n`; `None` when anything else is written.
fn numbers(value: &str, n: usize) -> Option<BTreeSet<usize>> {
    let mut out = BTreeSet::new();
    for part in value.split([';', ',']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let k: usize = part.parse().ok()?;
        if k == 0 || k > n {
            return None;
        }
        out.insert(k - 1);
    }
    (!out.is_empty()).then_some(out)
}

fn valid_code(code: &str) -> bool {
    code.chars().count() <= MAX_CODE_CHARS
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A cell as an item holds it: NFC, no control character but the line break, trimmed.
fn cell_text(s: &str) -> String {
    let nfc: String = s
        .nfc()
        .map(|c| if c == '\t' || c == '\r' { ' ' } else { c })
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    nfc.trim().to_string()
}

fn whole_file(message: Message) -> Imported {
    Imported {
        problems: vec![ImportProblem {
            question: String::new(),
            line: None,
            column: None,
            message,
        }],
        ..Imported::default()
    }
}

/// Reads a spreadsheet (XLSX, or CSV with the same header) of questions: every row that makes a
/// valid item, and a problem naming the row and the column for every other.
pub fn read_items(bytes: &[u8], defaults: &Defaults) -> Imported {
    if bytes.len() > MAX_IMPORT_BYTES {
        return whole_file(Message::new("err-import-too-big").arg("max", MAX_IMPORT_BYTES / 1024 / 1024));
    }
    let table = match crate::import::read_table(bytes, &|h| column_of(h).is_some()) {
        Ok(t) => t,
        Err(m) if m.key == "err-file-no-header" => return whole_file(Message::new("err-bank-xlsx-no-header")),
        Err(m) => return whole_file(m),
    };
    // Which column holds what, and each column's header as the file writes it.
    let mut at: HashMap<Col, usize> = HashMap::new();
    let mut problems = Vec::new();
    for (i, h) in table.headers.iter().enumerate() {
        let folded = crate::text::fold(h);
        let numbered_beyond = ["phuong an ", "cot ghep ", "option ", "match "]
            .iter()
            .filter_map(|p| folded.strip_prefix(p))
            .any(|n| n.parse::<usize>().is_ok_and(|n| n > MAX_OPTIONS));
        if numbered_beyond {
            // A column the reader would skip: its texts would be lost without a word.
            problems.push(ImportProblem {
                question: String::new(),
                line: Some(table.header_line),
                column: Some(h.clone()),
                message: Message::new("err-bank-xlsx-column-beyond")
                    .arg("column", h.as_str())
                    .arg("max", MAX_OPTIONS),
            });
        }
        if let Some(col) = column_of(h)
            && at.insert(col, i).is_some()
        {
            problems.push(ImportProblem {
                question: String::new(),
                line: Some(table.header_line),
                column: Some(h.clone()),
                message: Message::new("err-bank-xlsx-column-twice").arg("column", h.as_str()),
            });
        }
    }
    for (col, name) in [(Col::Stem, "Câu hỏi"), (Col::Kind, "Loại")] {
        if !at.contains_key(&col) {
            problems.push(ImportProblem {
                question: String::new(),
                line: Some(table.header_line),
                column: None,
                message: Message::new("err-bank-xlsx-missing-column").arg("column", name),
            });
        }
    }
    if !problems.is_empty() {
        return Imported {
            problems,
            ..Imported::default()
        };
    }
    if table.rows.len() > MAX_IMPORT_QUESTIONS {
        return whole_file(
            Message::new("err-import-too-many")
                .arg("n", table.rows.len())
                .arg("max", MAX_IMPORT_QUESTIONS),
        );
    }
    let header = |col: Col| at.get(&col).and_then(|&i| table.headers.get(i)).cloned();

    // Codes the file gives are reserved first, so a code made for a row without one never takes
    // a code a later row gives.
    let mut codes = Codes::default();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let cell = |row: &crate::import::TableRow, col: Col| -> String {
        at.get(&col)
            .and_then(|&i| row.cells.get(i))
            .map(|c| cell_text(c))
            .unwrap_or_default()
    };
    for row in &table.rows {
        let code = cell(row, Col::Code);
        if !code.is_empty() && valid_code(&code) {
            codes.reserve(&code);
        }
    }

    let mut out = Imported::default();
    for row in &table.rows {
        let line = row.line;
        let code = cell(row, Col::Code);
        let stem = cell(row, Col::Stem);
        let name = label(&code, &stem);
        let mut bad: Vec<(Option<Col>, Message)> = Vec::new();
        if !code.is_empty() {
            if !valid_code(&code) {
                bad.push((
                    Some(Col::Code),
                    Message::new("err-bank-xlsx-bad-code")
                        .arg("code", code.as_str())
                        .arg("max", MAX_CODE_CHARS),
                ));
            } else if let Some(first) = first_line.get(&code) {
                bad.push((
                    Some(Col::Code),
                    Message::new("err-bank-xlsx-duplicate-code")
                        .arg("code", code.as_str())
                        .arg("line", *first),
                ));
            } else {
                first_line.insert(code.clone(), line);
            }
        }
        let competence = match cell(row, Col::Competence) {
            c if c.is_empty() => Some(defaults.competence.clone()),
            c => {
                let parsed = CompetenceRef::parse(&c);
                if parsed.is_none() {
                    bad.push((
                        Some(Col::Competence),
                        Message::new("err-bank-xlsx-bad-competence").arg("value", c),
                    ));
                }
                parsed
            }
        };
        let level = match cell(row, Col::Level) {
            l if l.is_empty() => defaults.level.clone(),
            l => l,
        };
        let difficulty = match cell(row, Col::Difficulty) {
            d if d.is_empty() => Some(defaults.difficulty),
            d => {
                let parsed = difficulty_of(&d);
                if parsed.is_none() {
                    bad.push((
                        Some(Col::Difficulty),
                        Message::new("err-bank-xlsx-bad-difficulty").arg("value", d),
                    ));
                }
                parsed
            }
        };
        let kind_text = cell(row, Col::Kind);
        let kind = kind_of(&kind_text);
        if kind.is_none() {
            bad.push((
                Some(Col::Kind),
                Message::new("err-bank-xlsx-bad-type").arg("value", kind_text),
            ));
        }
        let mut column = |make: fn(usize) -> Col| -> Vec<String> {
            let cells: Vec<String> = (0..MAX_OPTIONS).map(|i| cell(row, make(i))).collect();
            let used = cells.iter().rposition(|c| !c.is_empty()).map_or(0, |last| last + 1);
            if let Some(gap) = cells[..used].iter().position(String::is_empty) {
                bad.push((Some(make(gap)), Message::new("err-bank-xlsx-gap").arg("n", gap + 1)));
            }
            cells.into_iter().take(used).collect()
        };
        let options = column(Col::Option);
        let matches = column(Col::Match);
        let key = cell(row, Col::Key);
        let n = options.len();
        let bad_key = || {
            (
                Some(Col::Key),
                Message::new("err-bank-xlsx-bad-key")
                    .arg("value", key.as_str())
                    .arg("n", n),
            )
        };
        let body = match kind {
            Some(Kind::Single) => match numbers(&key, n) {
                Some(k) if k.len() == 1 => k.first().map(|&correct| Body::SingleChoice { options: n, correct }),
                Some(_) => {
                    bad.push((Some(Col::Key), Message::new("err-bank-xlsx-single-several")));
                    None
                }
                None => {
                    bad.push(bad_key());
                    None
                }
            },
            Some(Kind::Multiple) => match numbers(&key, n) {
                Some(correct) => Some(Body::MultipleChoice { options: n, correct }),
                None => {
                    bad.push(bad_key());
                    None
                }
            },
            Some(Kind::TrueFalse) => match truth_of(&key) {
                Some(answer) => Some(Body::TrueFalse { answer }),
                None => {
                    bad.push((
                        Some(Col::Key),
                        Message::new("err-bank-xlsx-bad-truth").arg("value", key.as_str()),
                    ));
                    None
                }
            },
            Some(k @ (Kind::Ordering | Kind::Matching)) => {
                if !key.is_empty() {
                    bad.push((
                        Some(Col::Key),
                        Message::new("err-bank-xlsx-key-unused").arg("value", key.as_str()),
                    ));
                }
                Some(if k == Kind::Ordering {
                    Body::Ordering { options: n }
                } else {
                    Body::Matching { options: n }
                })
            }
            None => None,
        };
        if let (Some(body), Some(competence), Some(difficulty), true) = (body, competence, difficulty, bad.is_empty()) {
            let item = Item {
                code: if code.is_empty() {
                    codes.next(&name)
                } else {
                    code.clone()
                },
                competence,
                level,
                difficulty,
                body,
                picture: None,
                texts: vec![(
                    ContentLang::Vi,
                    ItemText {
                        picture_alt: String::new(),
                        stem: stem.clone(),
                        options,
                        matches,
                        explanation: cell(row, Col::Explanation),
                    },
                )],
            };
            let problems = item.problems();
            if problems.is_empty() {
                out.items.push((cell(row, Col::Pool), item));
                continue;
            }
            bad.extend(problems.into_iter().map(|m| (item_column(&m), m)));
        }
        out.problems.extend(bad.into_iter().map(|(col, message)| ImportProblem {
            question: name.clone(),
            line: Some(line),
            column: col.and_then(header),
            message,
        }));
    }
    out
}

/// The column an item's own problem points at.
fn item_column(m: &Message) -> Option<Col> {
    Some(match m.key.as_str() {
        "err-item-no-correct" | "err-item-all-correct" => Col::Key,
        "err-item-option-count" | "err-item-options-differ" | "err-item-empty-option" | "err-item-same-option" => {
            Col::Option(0)
        }
        "err-item-matches-differ" => Col::Match(0),
        "err-item-no-stem" => Col::Stem,
        "err-item-no-explanation" => Col::Explanation,
        "err-item-too-long" => match m.args.iter().find(|(k, _)| k == "field").map(|(_, v)| v.as_str()) {
            Some("item-stem") => Col::Stem,
            Some("item-explanation") => Col::Explanation,
            _ => Col::Option(0),
        },
        _ => return None,
    })
}

/// A spreadsheet of `items` (pool, item), one row each under the header [`read_items`] reads, in
/// the order given. Only each item's Vietnamese text is written.
pub fn write_items(items: &[(String, Item)]) -> Result<Vec<u8>, Message> {
    write_sheet(items).map_err(|e| Message::new("err-bank-xlsx-write").arg("reason", e.to_string()))
}

fn write_sheet(items: &[(String, Item)]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let width = items
        .iter()
        .filter_map(|(_, i)| vi_text(i))
        .map(|t| t.options.len().max(t.matches.len()))
        .max()
        .unwrap_or(0)
        .clamp(WRITTEN_OPTION_COLUMNS, MAX_OPTIONS.max(WRITTEN_OPTION_COLUMNS));
    let mut header: Vec<String> = ["Mã", "Nhóm câu hỏi", "Năng lực", "Mức", "Độ khó", "Loại", "Câu hỏi"]
        .map(String::from)
        .to_vec();
    header.extend((1..=width).map(|i| format!("Phương án {i}")));
    header.push("Đáp án đúng".into());
    header.extend((1..=width).map(|i| format!("Cột ghép {i}")));
    header.push("Giải thích".into());

    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Câu hỏi")?;
    for (col, h) in (0u16..).zip(&header) {
        sheet.write_string_with_format(0, col, h, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 24)?;
    sheet.set_column_width(6, 50)?;
    let explanation_col = (header.len() - 1) as u16;
    sheet.set_column_width(explanation_col, 50)?;
    for (r, (pool, item)) in (1u32..).zip(items) {
        let empty = ItemText {
            picture_alt: String::new(),
            stem: String::new(),
            options: Vec::new(),
            matches: Vec::new(),
            explanation: String::new(),
        };
        let t = vi_text(item).unwrap_or(&empty);
        let key = match &item.body {
            Body::SingleChoice { correct, .. } => (correct + 1).to_string(),
            Body::MultipleChoice { correct, .. } => correct
                .iter()
                .map(|c| (c + 1).to_string())
                .collect::<Vec<_>>()
                .join(";"),
            Body::TrueFalse { answer } => if *answer { "Đúng" } else { "Sai" }.to_string(),
            Body::Ordering { .. } | Body::Matching { .. } => String::new(),
        };
        let fixed = [
            item.code.clone(),
            pool.clone(),
            item.competence.to_string(),
            item.level.clone(),
            difficulty_label(item.difficulty).to_string(),
            kind_label(&item.body).to_string(),
        ];
        for (col, v) in (0u16..).zip(&fixed) {
            if !v.is_empty() {
                sheet.write_string(r, col, v)?;
            }
        }
        sheet.write_string_with_format(r, 6, &t.stem, &wrap)?;
        let options_at = 7u16;
        for (col, o) in (options_at..).zip(&t.options) {
            sheet.write_string(r, col, o)?;
        }
        let key_col = options_at + width as u16;
        if !key.is_empty() {
            sheet.write_string(r, key_col, &key)?;
        }
        for (col, m) in (key_col + 1..).zip(&t.matches) {
            sheet.write_string(r, col, m)?;
        }
        sheet.write_string_with_format(r, explanation_col, &t.explanation, &wrap)?;
    }
    // The reader reads the first sheet only: the guide after it is for the author.
    let guide = book.add_worksheet();
    guide.set_name("Hướng dẫn")?;
    guide.set_column_width(0, 20)?;
    guide.set_column_width(1, 100)?;
    guide.write_string_with_format(0, 0, "Cột", &bold)?;
    guide.write_string_with_format(0, 1, "Cách điền", &bold)?;
    for (r, (col, how)) in (1u32..).zip(GUIDE) {
        guide.write_string(r, 0, col)?;
        guide.write_string_with_format(r, 1, how, &wrap)?;
    }
    book.save_to_buffer()
}

/// What the guide sheet says of each column.
const GUIDE: [(&str, &str); 11] = [
    (
        "Mã",
        "Mã riêng của câu hỏi, chỉ gồm chữ không dấu, chữ số và dấu - _ . (ví dụ lua-dao-1). Để trống thì hệ thống tự đặt. Hai dòng không được trùng mã.",
    ),
    (
        "Nhóm câu hỏi",
        "Nhóm để rút câu hỏi khi ra đề, ví dụ Lừa đảo/Tin nhắn. Có thể để trống.",
    ),
    (
        "Năng lực",
        "Năng lực mà câu hỏi đánh giá, dạng khung:mã, ví dụ digcomp22:4.1. Để trống thì dùng năng lực chọn khi nhập.",
    ),
    (
        "Mức",
        "Mức thành thạo của câu hỏi. Để trống thì dùng mức chọn khi nhập.",
    ),
    (
        "Độ khó",
        "Dễ, Trung bình hoặc Khó. Để trống thì dùng độ khó chọn khi nhập.",
    ),
    (
        "Loại",
        "Một trong: Một đáp án, Nhiều đáp án, Đúng/Sai, Sắp xếp thứ tự, Ghép nối.",
    ),
    (
        "Câu hỏi",
        "Nội dung câu hỏi (với câu Đúng/Sai: một nhận định để người học xét đúng hay sai).",
    ),
    (
        "Phương án 1, 2…",
        "Các phương án, điền liền nhau từ Phương án 1. Câu Sắp xếp thứ tự: các bước theo đúng thứ tự. Câu Ghép nối: các mục cột trái. Câu Đúng/Sai: để trống.",
    ),
    (
        "Đáp án đúng",
        "Số thứ tự của phương án đúng, ví dụ 2; câu Nhiều đáp án: các số cách nhau bằng dấu chấm phẩy, ví dụ 1;3; câu Đúng/Sai: Đúng hoặc Sai. Câu Sắp xếp thứ tự và Ghép nối: để trống.",
    ),
    (
        "Cột ghép 1, 2…",
        "Chỉ dùng cho câu Ghép nối: mục ghép với Phương án cùng số.",
    ),
    (
        "Giải thích",
        "Vì sao đáp án đúng là đúng. Bắt buộc: người học đọc lời giải thích sau khi trả lời.",
    ),
];

fn vi_text(item: &Item) -> Option<&ItemText> {
    item.texts.iter().find(|(l, _)| *l == ContentLang::Vi).map(|(_, t)| t)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn defaults() -> Defaults {
        Defaults {
            competence: CompetenceRef::parse("digcomp22:4.1").unwrap(),
            level: "1".into(),
            difficulty: Difficulty::Medium,
        }
    }

    fn item(code: &str, body: Body, stem: &str, options: &[&str], matches: &[&str], explanation: &str) -> Item {
        Item {
            code: code.into(),
            competence: CompetenceRef::parse("digcomp22:2.1").unwrap(),
            level: "2".into(),
            difficulty: Difficulty::Hard,
            body,
            picture: None,
            texts: vec![(
                ContentLang::Vi,
                ItemText {
                    picture_alt: String::new(),
                    stem: stem.into(),
                    options: options.iter().map(|s| s.to_string()).collect(),
                    matches: matches.iter().map(|s| s.to_string()).collect(),
                    explanation: explanation.into(),
                },
            )],
        }
    }

    /// One item of every type, with text a spreadsheet could mangle: a leading "=", a line break,
    /// digits that look like a number.
    pub(crate) fn bank() -> Vec<(String, Item)> {
        vec![
            (
                "Lừa đảo/Tin nhắn".into(),
                item(
                    "otp-1",
                    Body::SingleChoice { options: 3, correct: 1 },
                    "Tin nhắn báo: \"Tài khoản bị khoá, gửi mã OTP để mở\".\nBạn nên làm gì?",
                    &[
                        "Gửi mã OTP ngay",
                        "Không gửi, gọi tổng đài in trên thẻ",
                        "=Trả lời tin nhắn",
                    ],
                    &[],
                    "Ngân hàng không bao giờ hỏi mã OTP.",
                ),
            ),
            (
                "Lừa đảo/Tin nhắn".into(),
                item(
                    "dau-hieu",
                    Body::MultipleChoice {
                        options: 4,
                        correct: BTreeSet::from([0, 2]),
                    },
                    "Những dấu hiệu nào cho thấy tin nhắn có thể là lừa đảo?",
                    &["Giục làm ngay", "Gửi từ tổng đài quen", "Xin mã OTP", "0987654321"],
                    &[],
                    "Kẻ gian giục giã và xin mã OTP.",
                ),
            ),
            (
                String::new(),
                item(
                    "video-gia",
                    Body::TrueFalse { answer: false },
                    "Công an làm việc với người dân qua cuộc gọi video.",
                    &[],
                    &[],
                    "Công an mời làm việc bằng giấy mời.",
                ),
            ),
            (
                "Dịch vụ công".into(),
                item(
                    "nop-ho-so",
                    Body::Ordering { options: 3 },
                    "Sắp xếp các bước nộp hồ sơ trực tuyến.",
                    &["Đăng nhập VNeID", "Chọn thủ tục", "Nộp và theo dõi"],
                    &[],
                    "Đăng nhập trước, rồi chọn thủ tục.",
                ),
            ),
            (
                "Dịch vụ công".into(),
                item(
                    "ghep",
                    Body::Matching { options: 2 },
                    "Ghép mỗi từ với nghĩa của nó.",
                    &["OTP", "Mật khẩu"],
                    &["Mã dùng một lần", "Điều chỉ mình bạn biết"],
                    "OTP chỉ dùng một lần.",
                ),
            ),
        ]
    }

    fn problems(imported: &Imported) -> Vec<(String, Option<usize>, Option<String>, String)> {
        imported
            .problems
            .iter()
            .map(|p| (p.question.clone(), p.line, p.column.clone(), p.message.key.clone()))
            .collect()
    }

    #[test]
    fn a_written_bank_reads_back_the_same() {
        let bank = bank();
        let bytes = write_items(&bank).unwrap();
        let back = read_items(&bytes, &defaults());
        assert_eq!(problems(&back), vec![]);
        assert_eq!(back.items, bank);
        // Nine options: the sheet widens past its eight columns.
        let nine: Vec<String> = (1..=9).map(|i| format!("Phương án số {i}")).collect();
        let nine: Vec<&str> = nine.iter().map(String::as_str).collect();
        let wide = vec![(
            String::new(),
            item(
                "chin",
                Body::SingleChoice { options: 9, correct: 8 },
                "Chọn.",
                &nine,
                &[],
                "Vì vậy.",
            ),
        )];
        assert_eq!(read_items(&write_items(&wide).unwrap(), &defaults()).items, wide);
        // An empty bank is a header alone, and reads as nothing.
        let empty = read_items(&write_items(&[]).unwrap(), &defaults());
        assert_eq!(empty, Imported::default());
    }

    fn csv(text: &str) -> Imported {
        read_items(text.as_bytes(), &defaults())
    }

    #[test]
    fn columns_are_found_by_name_in_any_order_with_or_without_diacritics() {
        let imported = csv("Ngân hàng câu hỏi lớp kỹ năng số\n\
             giai thich,LOAI,Cau hoi,Dap an dung,Phuong an 2,Phuong an 1,do kho,nhom cau hoi\n\
             Vì vậy.,mot dap an,Chọn cách an toàn.,1,Đọc OTP,Gác máy,de,Lừa đảo\n\
             Vì vậy.,Đúng/Sai,Kẻ gian giả giọng được.,đúng,,,,\n");
        assert_eq!(problems(&imported), vec![]);
        let (pool, first) = &imported.items[0];
        assert_eq!(pool, "Lừa đảo");
        assert_eq!(first.body, Body::SingleChoice { options: 2, correct: 0 });
        assert_eq!(first.texts[0].1.options, ["Gác máy", "Đọc OTP"]);
        assert_eq!(first.difficulty, Difficulty::Easy);
        assert_eq!(first.competence, defaults().competence);
        assert_eq!(first.code, "chon-cach-an-toan");
        let second = &imported.items[1].1;
        assert_eq!(second.body, Body::TrueFalse { answer: true });
        assert_eq!(second.difficulty, Difficulty::Medium);
    }

    #[test]
    fn every_bad_row_is_named_with_its_line_and_column() {
        let imported = csv(
            "Mã,Loại,Câu hỏi,Phương án 1,Phương án 2,Phương án 3,Đáp án đúng,Cột ghép 1,Cột ghép 2,Giải thích,Năng lực,Độ khó\n\
             a,Một đáp án,Chọn.,Có,Không,,2,,,Vì.,,\n\
             a,Một đáp án,Chọn lại.,Có,Không,,1,,,Vì.,,\n\
             b,Một đáp án,Chọn.,Có,Không,,3,,,Vì.,,\n\
             c,Một đáp án,Chọn.,Có,Không,,1;2,,,Vì.,,\n\
             d,Tự luận,Kể lại.,,,,,,,Vì.,,\n\
             e,Đúng/Sai,Đúng không?,,,,Có lẽ,,,Vì.,,\n\
             f,Nhiều đáp án,Chọn.,Có,,Không,1,,,Vì.,,\n\
             g,Nhiều đáp án,Chọn.,Có,Không,Đôi khi,1;2;3,,,Vì.,,\n\
             h,Một đáp án,Chọn.,Có,Không,,1,,,,,\n\
             i,Ghép nối,Ghép.,OTP,Mật khẩu,,,Mã một lần,,Vì.,,\n\
             k l,Một đáp án,Chọn.,Có,Không,,1,,,Vì.,digcomp,rất khó\n\
             ,Sắp xếp,Xếp.,Một,Hai,,1,,,Vì.,,\n",
        );
        let p = |q: &str, line: usize, col: &str, key: &str| {
            (
                q.to_string(),
                Some(line),
                (!col.is_empty()).then(|| col.to_string()),
                key.to_string(),
            )
        };
        assert_eq!(
            problems(&imported),
            vec![
                p("a", 3, "Mã", "err-bank-xlsx-duplicate-code"),
                p("b", 4, "Đáp án đúng", "err-bank-xlsx-bad-key"),
                p("c", 5, "Đáp án đúng", "err-bank-xlsx-single-several"),
                p("d", 6, "Loại", "err-bank-xlsx-bad-type"),
                p("e", 7, "Đáp án đúng", "err-bank-xlsx-bad-truth"),
                p("f", 8, "Phương án 2", "err-bank-xlsx-gap"),
                p("g", 9, "Đáp án đúng", "err-item-all-correct"),
                p("h", 10, "Giải thích", "err-item-no-explanation"),
                p("i", 11, "Cột ghép 1", "err-item-matches-differ"),
                p("k l", 12, "Mã", "err-bank-xlsx-bad-code"),
                p("k l", 12, "Năng lực", "err-bank-xlsx-bad-competence"),
                p("k l", 12, "Độ khó", "err-bank-xlsx-bad-difficulty"),
                p("Xếp.", 13, "Đáp án đúng", "err-bank-xlsx-key-unused"),
            ]
        );
        assert_eq!(imported.items.len(), 1);
        assert_eq!(imported.items[0].1.code, "a");
        let duplicate = &imported.problems[0].message;
        assert!(
            duplicate.args.contains(&("line".to_string(), "2".to_string())),
            "{duplicate:?}"
        );
        let shown = duplicate.render(crate::i18n::Lang::Vi);
        assert!(shown.contains("dòng 2"), "{shown}");
    }

    #[test]
    fn a_missing_column_or_header_is_one_problem_of_the_file() {
        let imported = csv("Câu hỏi,Giải thích\nChọn.,Vì.\n");
        assert_eq!(
            problems(&imported),
            vec![(String::new(), Some(1), None, "err-bank-xlsx-missing-column".into())]
        );
        let imported = csv("Họ và tên,Ngày sinh\nAn,1/1/2000\n");
        assert_eq!(
            problems(&imported),
            vec![(String::new(), None, None, "err-bank-xlsx-no-header".into())]
        );
        let imported = csv("Câu hỏi,Loại,Cau hoi\n");
        assert_eq!(imported.problems[0].message.key, "err-bank-xlsx-column-twice");
        let imported = csv("Câu hỏi,Loại,Phương án 11\n");
        assert_eq!(
            problems(&imported),
            vec![(
                String::new(),
                Some(1),
                Some("Phương án 11".into()),
                "err-bank-xlsx-column-beyond".into()
            )]
        );
        assert_eq!(read_items(b"", &defaults()).problems[0].message.key, "err-file-empty");
        let big = vec![b'a'; MAX_IMPORT_BYTES + 1];
        assert_eq!(
            read_items(&big, &defaults()).problems[0].message.key,
            "err-import-too-big"
        );
    }

    #[test]
    fn generated_codes_never_take_a_code_the_file_gives() {
        let imported = csv("Mã,Loại,Câu hỏi,Phương án 1,Phương án 2,Đáp án đúng,Giải thích\n\
             ,Một đáp án,Chọn,Có,Không,1,Vì.\n\
             chon,Một đáp án,Chọn lại,Có,Không,1,Vì.\n");
        assert_eq!(problems(&imported), vec![]);
        let codes: Vec<&str> = imported.items.iter().map(|(_, i)| i.code.as_str()).collect();
        assert_eq!(codes, ["chon-2", "chon"]);
    }

    #[test]
    fn a_workbook_written_by_hand_reports_its_own_row_numbers() {
        use rust_xlsxwriter::Workbook;
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet
            .write_string(0, 0, "Ngân hàng câu hỏi lớp kỹ năng số xã An Bình")
            .unwrap();
        for (col, h) in (0u16..).zip([
            "Loại",
            "Câu hỏi",
            "Phương án 1",
            "Phương án 2",
            "Đáp án đúng",
            "Giải thích",
        ]) {
            sheet.write_string(2, col, h).unwrap();
        }
        for (row, key) in [(3u32, 2.0), (4, 5.0)] {
            for (col, v) in (0u16..).zip(["Một đáp án", "Chọn cách an toàn.", "Đọc OTP", "Gác máy"]) {
                sheet.write_string(row, col, v).unwrap();
            }
            // Typed as a number, as Excel stores a digit someone types.
            sheet.write_number(row, 4, key).unwrap();
            sheet
                .write_string(row, 5, "Không bao giờ đọc OTP cho người khác.")
                .unwrap();
        }
        let imported = read_items(&book.save_to_buffer().unwrap(), &defaults());
        assert_eq!(imported.items.len(), 1);
        assert_eq!(imported.items[0].1.body, Body::SingleChoice { options: 2, correct: 1 });
        assert_eq!(
            problems(&imported),
            vec![(
                "Chọn cách an toàn.".to_string(),
                Some(5),
                Some("Đáp án đúng".to_string()),
                "err-bank-xlsx-bad-key".to_string()
            )]
        );
    }

    /// `cargo test -p hocvuso-core --release measure_a_full_bank -- --ignored --nocapture`:
    /// a bank of the most questions one import takes, through every format's writer and reader.
    #[test]
    #[ignore]
    fn measure_a_full_bank() {
        let one = bank();
        let full: Vec<(String, Item)> = (0..MAX_IMPORT_QUESTIONS)
            .map(|i| {
                let (pool, mut item) = one[i % one.len()].clone();
                item.code = format!("cau-{i}");
                (pool, item)
            })
            .collect();
        let time = |what: &str, f: &mut dyn FnMut() -> usize| {
            let started = std::time::Instant::now();
            let n = f();
            println!("{what}: {n} in {:?}", started.elapsed());
        };
        let bytes = write_items(&full).unwrap();
        time("xlsx write (bytes)", &mut || write_items(&full).unwrap().len());
        time("xlsx read (items)", &mut || read_items(&bytes, &defaults()).items.len());
        let gift = crate::assessment::gift::write(&full);
        time("gift write (bytes)", &mut || {
            crate::assessment::gift::write(&full).len()
        });
        time("gift read (items)", &mut || {
            crate::assessment::gift::parse(gift.as_bytes(), &defaults()).items.len()
        });
        let moodle = crate::assessment::moodle_xml::write(&full).unwrap();
        time("moodle write (bytes)", &mut || {
            crate::assessment::moodle_xml::write(&full).unwrap().len()
        });
        time("moodle read (items)", &mut || {
            crate::assessment::moodle_xml::parse(&moodle, &defaults()).items.len()
        });
        let pictures = std::collections::HashMap::new();
        let qti = crate::assessment::qti::write_package(&full, &pictures).unwrap();
        time("qti package write (bytes)", &mut || {
            crate::assessment::qti::write_package(&full, &pictures).unwrap().len()
        });
        time("qti package read (items)", &mut || {
            crate::assessment::qti::parse_package(&qti, &defaults()).items.len()
        });
        assert_eq!(read_items(&bytes, &defaults()).items, full);
        let (back, heap) = crate::xlsx::tests::peak_heap(|| crate::assessment::qti::parse_package(&qti, &defaults()));
        println!("qti package read: peak heap {} MB", heap / 1024 / 1024);
        assert_eq!(back.items, full);
    }
}
