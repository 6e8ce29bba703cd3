//! The starter question banks shipped with hocvuso: one TOML file per cell (competence × level) of
//! a framework, `content/items/<framework>/<competence>-<level>.toml`, written by hand and read
//! into [`Item`]s. The format is described in `content/items/README.md`. The reader refuses a
//! file with any problem and names every one, so whoever writes a bank fixes it all in one pass;
//! a bank shipped with the platform is never half-loaded.

use super::item::{Body, Difficulty, Item, ItemText};
use crate::i18n::Message;
use crate::learning::{CompetenceRef, ContentLang};
use std::collections::{BTreeSet, HashSet};
use toml::{Table, Value};
use unicode_normalization::UnicodeNormalization;

/// The longest item code: a short ASCII slug a person can read in a problem list.
pub const MAX_CODE_CHARS: usize = 60;

/// One bank file, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    pub framework: String,
    pub competence: String,
    pub level: String,
    /// The pool (category) every item of the file goes to.
    pub pool: String,
    /// What the items are based on and what is uncertain: for the reviewer, not the learner.
    pub source_note: String,
    pub items: Vec<Item>,
}

/// Something wrong in a bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankProblem {
    /// The item's code; `#N` (its place in the file, from 1) when it has no usable code; `None`
    /// for a problem of the whole file.
    pub item: Option<String>,
    pub message: Message,
}

impl BankProblem {
    fn file(message: Message) -> Self {
        BankProblem { item: None, message }
    }
}

/// What a key's value must be. Checked by hand before serde so that a wrong value is named with
/// its key and what is expected, in Vietnamese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Texts,
    Bool,
    /// An integer (single choice) or a list of integers (multiple choice).
    Numbers,
    Items,
}

impl Kind {
    fn fits(self, v: &Value) -> bool {
        match self {
            Kind::Text => v.is_str(),
            Kind::Texts => v.as_array().is_some_and(|a| a.iter().all(Value::is_str)),
            Kind::Bool => v.is_bool(),
            Kind::Numbers => v.is_integer() || v.as_array().is_some_and(|a| a.iter().all(Value::is_integer)),
            Kind::Items => v.as_array().is_some_and(|a| a.iter().all(Value::is_table)),
        }
    }

    fn problem(self, key: &str) -> Message {
        let k = match self {
            Kind::Text => "err-bank-type-text",
            Kind::Texts => "err-bank-type-texts",
            Kind::Bool => "err-bank-type-bool",
            Kind::Numbers => "err-bank-type-numbers",
            Kind::Items => "err-bank-type-items",
        };
        Message::new(k).arg("key", key)
    }
}

const BANK_KEYS: &[(&str, Kind)] = &[
    ("framework", Kind::Text),
    ("competence", Kind::Text),
    ("level", Kind::Text),
    ("pool", Kind::Text),
    ("source_note", Kind::Text),
    ("item", Kind::Items),
];

const ITEM_KEYS: &[(&str, Kind)] = &[
    ("code", Kind::Text),
    ("difficulty", Kind::Text),
    ("type", Kind::Text),
    ("stem", Kind::Text),
    ("options", Kind::Texts),
    ("correct", Kind::Numbers),
    ("answer", Kind::Bool),
    ("matches", Kind::Texts),
    ("explanation", Kind::Text),
    ("picture", Kind::Text),
    ("picture_alt", Kind::Text),
];

// The shapes serde reads once the keys and their types are checked; `deny_unknown_fields` keeps
// the two lists honest with each other.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBank {
    framework: String,
    competence: String,
    level: String,
    pool: String,
    source_note: String,
    #[serde(default)]
    item: Vec<Table>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: String,
    difficulty: String,
    #[serde(rename = "type")]
    kind: String,
    stem: String,
    options: Option<Vec<String>>,
    correct: Option<Correct>,
    answer: Option<bool>,
    matches: Option<Vec<String>>,
    explanation: String,
    picture: Option<String>,
    picture_alt: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Correct {
    One(i64),
    Several(Vec<i64>),
}

/// Unknown keys and values of the wrong type in one table.
fn check_keys(table: &Table, allowed: &[(&str, Kind)]) -> Vec<Message> {
    let mut out = Vec::new();
    for (key, value) in table {
        match allowed.iter().find(|(k, _)| k == key) {
            None => out.push(Message::new("err-bank-unknown-key").arg("key", key).arg(
                "allowed",
                allowed.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "),
            )),
            Some((_, kind)) if !kind.fits(value) => out.push(kind.problem(key)),
            Some(_) => {}
        }
    }
    out
}

/// NFC, no white space at either end: what is compared and stored.
fn clean(s: &str) -> String {
    s.nfc().collect::<String>().trim().to_string()
}

pub(crate) fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_CODE_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A picture is a plain file of the bank's `media/` folder: no path, so it cannot name a file
/// outside it.
fn is_picture(s: &str) -> bool {
    let Some((stem, ext)) = s.rsplit_once('.') else {
        return false;
    };
    is_code(stem) && matches!(ext, "png" | "jpg" | "jpeg" | "webp")
}

/// The number of options, steps or pairs the format allows for each item type: few enough to
/// read on a phone, enough that guessing is not an easy pass.
fn option_range(kind: &str) -> Option<(usize, usize, &'static str)> {
    match kind {
        "single_choice" | "multiple_choice" => Some((3, 4, "err-bank-option-count")),
        "ordering" => Some((3, 5, "err-bank-step-count")),
        "matching" => Some((3, 4, "err-bank-pair-count")),
        _ => None,
    }
}

/// Which of the type-dependent keys each type needs; every other one of them it must not have.
fn keys_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "single_choice" | "multiple_choice" => &["options", "correct"],
        "true_false" => &["answer"],
        "ordering" => &["options"],
        "matching" => &["options", "matches"],
        _ => &[],
    }
}

const TYPE_KEYS: [&str; 4] = ["options", "correct", "answer", "matches"];
const TYPES: [&str; 5] = ["single_choice", "multiple_choice", "true_false", "ordering", "matching"];

/// Reads one bank file. `file_name` is its path under `content/items/` (`digcomp22/1.1-2.toml`)
/// or just its name (`1.1-2.toml`): the name must be the file's competence and level, and a folder,
/// when given, its framework. Every problem is returned, each naming its item.
pub fn read(file_name: &str, text: &str) -> Result<Bank, Vec<BankProblem>> {
    let text: String = text.strip_prefix('\u{feff}').unwrap_or(text).nfc().collect();
    let table: Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let e: toml::de::Error = e;
            let line = e.span().map(|s| {
                1 + text.as_bytes()[..s.start.min(text.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
            });
            let message = Message::new("err-bank-syntax")
                .arg("line", line.map(|l| l.to_string()).unwrap_or_else(|| "?".into()))
                .arg("detail", e.message().trim());
            return Err(vec![BankProblem::file(message)]);
        }
    };

    let mut problems: Vec<BankProblem> = check_keys(&table, BANK_KEYS)
        .into_iter()
        .map(BankProblem::file)
        .collect();
    for (key, _) in BANK_KEYS.iter().filter(|(k, _)| *k != "item") {
        if !table.contains_key(*key) {
            problems.push(BankProblem::file(Message::new("err-bank-missing-key").arg("key", key)));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let raw: RawBank = match Value::Table(table).try_into() {
        Ok(r) => r,
        Err(e) => {
            let e: toml::de::Error = e;
            return Err(vec![BankProblem::file(
                Message::new("err-bank-invalid").arg("detail", e.message().trim()),
            )]);
        }
    };

    let framework = clean(&raw.framework);
    let competence = clean(&raw.competence);
    let level = clean(&raw.level);
    let pool = clean(&raw.pool);
    let source_note = clean(&raw.source_note);
    for (key, value) in [
        ("framework", &framework),
        ("competence", &competence),
        ("level", &level),
        ("pool", &pool),
        ("source_note", &source_note),
    ] {
        if value.is_empty() {
            problems.push(BankProblem::file(Message::new("err-bank-empty").arg("key", key)));
        }
    }
    let competence_ref = CompetenceRef::parse(&format!("{framework}:{competence}"));
    if competence_ref.is_none() && !framework.is_empty() && !competence.is_empty() {
        problems.push(BankProblem::file(
            Message::new("err-bank-bad-competence")
                .arg("framework", &framework)
                .arg("competence", &competence),
        ));
    }
    let level_ok = level.len() <= 2 && level.bytes().all(|b| b.is_ascii_digit());
    if !level.is_empty() && !level_ok {
        problems.push(BankProblem::file(
            Message::new("err-bank-bad-level").arg("level", &level),
        ));
    }
    if pool.chars().count() > 200 {
        problems.push(BankProblem::file(
            Message::new("err-bank-pool-too-long").arg("max", 200),
        ));
    }

    // The file's name and folder say which cell it is: a file copied to start the next cell and
    // not edited would otherwise put its items in the wrong cell unnoticed.
    let path = file_name.replace('\\', "/");
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or_default();
    let expected = format!("{competence}-{level}.toml");
    if name != expected {
        problems.push(BankProblem::file(
            Message::new("err-bank-file-name")
                .arg("file", name)
                .arg("competence", &competence)
                .arg("level", &level)
                .arg("expected", &expected),
        ));
    }
    if let Some(folder) = parts.next().filter(|f| !f.is_empty())
        && folder != framework
    {
        problems.push(BankProblem::file(
            Message::new("err-bank-file-folder")
                .arg("folder", folder)
                .arg("framework", &framework),
        ));
    }

    if raw.item.is_empty() {
        problems.push(BankProblem::file(Message::new("err-bank-no-items")));
    }
    let competence_ref = competence_ref.unwrap_or(CompetenceRef {
        framework: framework.clone(),
        code: competence.clone(),
    });
    let mut items = Vec::new();
    let mut codes = HashSet::new();
    for (n, table) in raw.item.into_iter().enumerate() {
        let label = table
            .get("code")
            .and_then(Value::as_str)
            .map(clean)
            .filter(|c| is_code(c))
            .unwrap_or_else(|| format!("#{}", n + 1));
        let mut report = |message: Message| {
            problems.push(BankProblem {
                item: Some(label.clone()),
                message,
            })
        };
        if label.starts_with('#') && table.get("code").is_some_and(Value::is_str) {
            report(Message::new("err-bank-bad-code").arg("max", MAX_CODE_CHARS));
        } else if !label.starts_with('#') && !codes.insert(label.clone()) {
            report(Message::new("err-bank-code-twice"));
        }
        match read_item(table, &competence_ref, &level) {
            Ok(item) => {
                for m in item.problems() {
                    report(m);
                }
                items.push(item);
            }
            Err(ms) => ms.into_iter().for_each(&mut report),
        }
    }

    if problems.is_empty() {
        Ok(Bank {
            framework,
            competence,
            level,
            pool,
            source_note,
            items,
        })
    } else {
        Err(problems)
    }
}

/// One `[[item]]` table as an [`Item`], or what keeps it from being one. The item's own rules
/// ([`Item::problems`]) are checked by the caller.
fn read_item(table: Table, competence: &CompetenceRef, level: &str) -> Result<Item, Vec<Message>> {
    let mut out = check_keys(&table, ITEM_KEYS);
    for key in ["code", "difficulty", "type", "stem", "explanation"] {
        if !table.contains_key(key) {
            out.push(Message::new("err-bank-missing-key").arg("key", key));
        }
    }
    if let Some(kind) = table.get("type").and_then(Value::as_str) {
        if TYPES.contains(&kind) {
            let wanted = keys_of(kind);
            for key in TYPE_KEYS {
                match (wanted.contains(&key), table.contains_key(key)) {
                    (true, false) => out.push(
                        Message::new("err-bank-missing-key-for-type")
                            .arg("key", key)
                            .arg("type", kind),
                    ),
                    (false, true) => out.push(
                        Message::new("err-bank-key-not-for-type")
                            .arg("key", key)
                            .arg("type", kind),
                    ),
                    _ => {}
                }
            }
            // single_choice takes one number, multiple_choice a list: the other shape is a
            // sign the type or the key is wrong.
            match (kind, table.get("correct")) {
                ("single_choice", Some(v)) if !v.is_integer() => out.push(Message::new("err-bank-correct-one")),
                ("multiple_choice", Some(v)) if !v.is_array() => out.push(Message::new("err-bank-correct-several")),
                _ => {}
            }
        } else {
            out.push(
                Message::new("err-bank-bad-type")
                    .arg("type", kind)
                    .arg("allowed", TYPES.join(", ")),
            );
        }
    }
    if let Some(d) = table.get("difficulty").and_then(Value::as_str)
        && Difficulty::parse(d.trim()).is_none()
    {
        out.push(Message::new("err-bank-bad-difficulty").arg("difficulty", d));
    }
    if !out.is_empty() {
        return Err(out);
    }
    let raw: RawItem = Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| vec![Message::new("err-bank-invalid").arg("detail", e.message().trim())])?;

    let options: Vec<String> = raw.options.unwrap_or_default().iter().map(|o| clean(o)).collect();
    let matches: Vec<String> = raw.matches.unwrap_or_default().iter().map(|o| clean(o)).collect();
    let n = options.len();
    if let Some((min, max, key)) = option_range(&raw.kind)
        && !(min..=max).contains(&n)
    {
        out.push(Message::new(key).arg("n", n).arg("min", min).arg("max", max));
    }
    // 1-based in the file, as a person counts the options; 0-based in the item.
    let index = |c: i64, out: &mut Vec<Message>| -> Option<usize> {
        let i = usize::try_from(c).ok().filter(|i| (1..=n).contains(i));
        if i.is_none() {
            out.push(Message::new("err-bank-correct-range").arg("correct", c).arg("n", n));
        }
        i.map(|i| i - 1)
    };
    let body = match (raw.kind.as_str(), raw.correct, raw.answer) {
        ("single_choice", Some(Correct::One(c)), _) => Body::SingleChoice {
            options: n,
            correct: index(c, &mut out).unwrap_or(0),
        },
        ("multiple_choice", Some(Correct::Several(cs)), _) => {
            let mut correct = BTreeSet::new();
            for c in cs {
                if let Some(i) = index(c, &mut out)
                    && !correct.insert(i)
                {
                    out.push(Message::new("err-bank-correct-twice").arg("correct", c));
                }
            }
            Body::MultipleChoice { options: n, correct }
        }
        ("true_false", _, Some(answer)) => Body::TrueFalse { answer },
        ("ordering", _, _) => Body::Ordering { options: n },
        ("matching", _, _) => Body::Matching { options: n },
        // Shapes are checked above; this is what serde read differently from them.
        _ => {
            out.push(Message::new("err-bank-invalid").arg("detail", &raw.kind));
            return Err(out);
        }
    };
    let picture = raw.picture.map(|p| clean(&p));
    if let Some(p) = &picture
        && !is_picture(p)
    {
        out.push(Message::new("err-bank-bad-picture").arg("picture", p));
    }
    if !out.is_empty() {
        return Err(out);
    }
    Ok(Item {
        code: clean(&raw.code),
        competence: competence.clone(),
        level: level.to_string(),
        difficulty: Difficulty::parse(raw.difficulty.trim()).unwrap_or(Difficulty::Medium),
        body,
        picture,
        texts: vec![(
            ContentLang::Vi,
            ItemText {
                picture_alt: raw.picture_alt.as_deref().map(clean).unwrap_or_default(),
                stem: clean(&raw.stem),
                options,
                matches,
                explanation: clean(&raw.explanation),
            },
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    const HEAD: &str = r#"
framework = "digcomp22"
competence = "4.1"
level = "2"
pool = "Bảo vệ thiết bị – mức 2"
source_note = "Viết cho hocvuso để thử bộ đọc."
"#;

    const GOOD: &str = r#"
[[item]]
code = "bv2-01"
difficulty = "easy"
type = "single_choice"
stem = "Ai được biết mã OTP của bạn?"
options = ["Chỉ mình bạn", "Nhân viên ngân hàng", "Công an gọi điện"]
correct = 1
explanation = "Mã OTP chỉ dành cho chính bạn."

[[item]]
code = "bv2-02"
difficulty = "medium"
type = "multiple_choice"
stem = "Dấu hiệu nào cho thấy tin nhắn có thể là lừa đảo?"
options = ["Giục làm ngay", "Đòi mã OTP", "Gửi từ số quen", "Có đường link lạ"]
correct = [1, 2, 4]
explanation = "Giục giã, đòi OTP và đường link lạ là dấu hiệu lừa đảo."

[[item]]
code = "bv2-03"
difficulty = "easy"
type = "true_false"
stem = "Ngân hàng có thể gọi điện hỏi mã OTP của bạn."
answer = false
explanation = "Ngân hàng không bao giờ hỏi mã OTP."

[[item]]
code = "bv2-04"
difficulty = "hard"
type = "ordering"
stem = "Xếp các bước khi nhận tin nhắn đáng ngờ."
options = ["Dừng lại", "Kiểm tra", "Hỏi người tin cậy"]
explanation = "Dừng lại trước, kiểm tra, rồi hỏi người tin cậy."
picture = "tin-nhan.png"
picture_alt = "Ảnh chụp một tin nhắn lạ xin mã OTP"

[[item]]
code = "bv2-05"
difficulty = "medium"
type = "matching"
stem = "Ghép mỗi số điện thoại với dịch vụ."
options = ["113", "114", "115"]
matches = ["Công an", "Cứu hỏa", "Cấp cứu"]
explanation = "113 công an, 114 cứu hỏa, 115 cấp cứu."
"#;

    fn bank(items: &str) -> String {
        format!("{HEAD}{items}")
    }

    /// The message keys of every problem, with the item each names.
    fn problems(file: &str, text: &str) -> Vec<(Option<String>, String)> {
        match read(file, text) {
            Ok(b) => panic!("read: {b:?}"),
            Err(ps) => ps.into_iter().map(|p| (p.item, p.message.key)).collect(),
        }
    }

    fn one(item: &str, key: &str) -> Vec<(Option<String>, String)> {
        vec![(Some(item.to_string()), key.to_string())]
    }

    #[test]
    fn a_good_bank_becomes_items() {
        let b = read("digcomp22/4.1-2.toml", &bank(GOOD)).expect("good bank");
        assert_eq!(
            (b.framework.as_str(), b.competence.as_str(), b.level.as_str()),
            ("digcomp22", "4.1", "2")
        );
        assert_eq!(b.pool, "Bảo vệ thiết bị – mức 2");
        assert_eq!(b.items.len(), 5);
        let i = &b.items[0];
        assert_eq!(i.competence.to_string(), "digcomp22:4.1");
        assert_eq!(i.level, "2");
        assert_eq!(i.difficulty, Difficulty::Easy);
        // 1-based in the file, 0-based in the item.
        assert_eq!(i.body, Body::SingleChoice { options: 3, correct: 0 });
        assert_eq!(i.texts[0].0, ContentLang::Vi);
        assert_eq!(
            b.items[1].body,
            Body::MultipleChoice {
                options: 4,
                correct: BTreeSet::from([0, 1, 3])
            }
        );
        assert_eq!(b.items[2].body, Body::TrueFalse { answer: false });
        assert_eq!(b.items[3].body, Body::Ordering { options: 3 });
        assert_eq!(b.items[3].texts[0].1.options[0], "Dừng lại");
        assert_eq!(b.items[3].picture.as_deref(), Some("tin-nhan.png"));
        assert_eq!(b.items[4].body, Body::Matching { options: 3 });
        assert_eq!(b.items[4].texts[0].1.matches[2], "Cấp cứu");
        // The bare file name is enough.
        assert!(read("4.1-2.toml", &bank(GOOD)).is_ok());
    }

    #[test]
    fn text_is_stored_in_nfc() {
        // "Ai" + "được" written decomposed (e + combining marks).
        let nfd: String = bank(GOOD).nfd().collect();
        let b = read("4.1-2.toml", &nfd).expect("good bank");
        assert_eq!(b.items[0].texts[0].1.stem, "Ai được biết mã OTP của bạn?");
        assert_eq!(b.pool, "Bảo vệ thiết bị – mức 2");
    }

    #[test]
    fn a_syntax_error_is_one_problem_with_its_line() {
        let text = bank("[[item]]\ncode = \"x\nstem = 1\n");
        let ps = read("4.1-2.toml", &text).unwrap_err();
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].message.key, "err-bank-syntax");
        let line = ps[0]
            .message
            .args
            .iter()
            .find(|(k, _)| k == "line")
            .map(|(_, v)| v.as_str());
        assert_eq!(line, Some("8"));
        assert!(ps[0].message.render(Lang::Vi).contains("dòng 8"));
    }

    #[test]
    fn a_file_named_for_another_cell_is_refused() {
        assert_eq!(
            problems("digcomp22/4.1-1.toml", &bank(GOOD)),
            [(None, "err-bank-file-name".to_string())]
        );
        assert_eq!(
            problems("tt02-2025/4.1-2.toml", &bank(GOOD)),
            [(None, "err-bank-file-folder".to_string())]
        );
        let m = read("4.2-2.toml", &bank(GOOD)).unwrap_err().remove(0).message;
        assert_eq!(
            m.render(Lang::Vi),
            "Tệp “4.2-2.toml” khai báo năng lực 4.1 mức 2, nên phải có tên “4.1-2.toml”. Đổi tên tệp hoặc sửa competence, level cho đúng ô của khung năng lực."
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_named() {
        let text = format!("{HEAD}author = \"An\"\n{GOOD}");
        assert_eq!(
            problems("4.1-2.toml", &text),
            [(None, "err-bank-unknown-key".to_string())]
        );
        let text = bank(&GOOD.replace("correct = 1\n", "correct = 1\nhint = \"Dễ\"\n"));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-01", "err-bank-unknown-key"));
        let text = bank(&GOOD.replace("answer = false", "answer = \"sai\""));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-03", "err-bank-type-bool"));
        let text = bank(&GOOD.replace("options = [\"113\", \"114\", \"115\"]", "options = [113, 114, 115]"));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-05", "err-bank-type-texts"));
        let text = format!("{}{GOOD}", HEAD.replace("level = \"2\"", "level = 2"));
        assert_eq!(
            problems("4.1-2.toml", &text),
            [(None, "err-bank-type-text".to_string())]
        );
        let m = read("4.1-2.toml", &text).unwrap_err().remove(0).message;
        assert!(m.render(Lang::Vi).contains("“level”"), "{}", m.render(Lang::Vi));
    }

    #[test]
    fn missing_and_empty_keys_are_refused() {
        let text = bank(GOOD).replace("pool = \"Bảo vệ thiết bị – mức 2\"\n", "");
        assert_eq!(
            problems("4.1-2.toml", &text),
            [(None, "err-bank-missing-key".to_string())]
        );
        let text = bank(GOOD).replace(
            "source_note = \"Viết cho hocvuso để thử bộ đọc.\"",
            "source_note = \"  \"",
        );
        assert_eq!(problems("4.1-2.toml", &text), [(None, "err-bank-empty".to_string())]);
        assert_eq!(problems("4.1-2.toml", HEAD), [(None, "err-bank-no-items".to_string())]);
        let text = bank(&GOOD.replace("explanation = \"Mã OTP chỉ dành cho chính bạn.\"\n", ""));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-01", "err-bank-missing-key"));
        let text = bank(&GOOD.replace("code = \"bv2-01\"\n", ""));
        assert_eq!(problems("4.1-2.toml", &text), one("#1", "err-bank-missing-key"));
    }

    #[test]
    fn a_bad_competence_or_level_is_refused() {
        let text = bank(GOOD).replace("competence = \"4.1\"", "competence = \"bốn\"");
        let keys = problems("bốn-2.toml", &text);
        assert_eq!(keys, [(None, "err-bank-bad-competence".to_string())]);
        let text = bank(GOOD).replace("level = \"2\"", "level = \"hai\"");
        assert_eq!(
            problems("4.1-hai.toml", &text),
            [(None, "err-bank-bad-level".to_string())]
        );
    }

    #[test]
    fn codes_must_be_slugs_and_unique_in_the_file() {
        let text = bank(&GOOD.replace("bv2-02", "bv2-01"));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-01", "err-bank-code-twice"));
        let text = bank(&GOOD.replace("bv2-02", "Câu 2"));
        assert_eq!(problems("4.1-2.toml", &text), one("#2", "err-bank-bad-code"));
    }

    #[test]
    fn types_difficulties_and_their_keys_are_checked() {
        let text = bank(&GOOD.replace("type = \"true_false\"", "type = \"yes_no\""));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-03", "err-bank-bad-type"));
        let text = bank(&GOOD.replace("difficulty = \"hard\"", "difficulty = \"khó\""));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-04", "err-bank-bad-difficulty"));
        // A true/false item with options; a matching item without its right column.
        let text = bank(&GOOD.replace(
            "answer = false",
            "answer = false\noptions = [\"Đúng\", \"Sai\", \"Không biết\"]",
        ));
        assert_eq!(
            problems("4.1-2.toml", &text),
            one("bv2-03", "err-bank-key-not-for-type")
        );
        let text = bank(&GOOD.replace("matches = [\"Công an\", \"Cứu hỏa\", \"Cấp cứu\"]\n", ""));
        assert_eq!(
            problems("4.1-2.toml", &text),
            one("bv2-05", "err-bank-missing-key-for-type")
        );
        let text = bank(&GOOD.replace("correct = 1\n", ""));
        assert_eq!(
            problems("4.1-2.toml", &text),
            one("bv2-01", "err-bank-missing-key-for-type")
        );
        let text = bank(&GOOD.replace("correct = 1\n", "correct = [1]\n"));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-01", "err-bank-correct-one"));
        let text = bank(&GOOD.replace("correct = [1, 2, 4]", "correct = 2"));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-02", "err-bank-correct-several"));
    }

    #[test]
    fn correct_answers_must_name_options() {
        for wrong in ["0", "4", "-1"] {
            let text = bank(&GOOD.replace("correct = 1\n", &format!("correct = {wrong}\n")));
            assert_eq!(
                problems("4.1-2.toml", &text),
                one("bv2-01", "err-bank-correct-range"),
                "{wrong}"
            );
        }
        let text = bank(&GOOD.replace("correct = [1, 2, 4]", "correct = [1, 1]"));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-02", "err-bank-correct-twice"));
        // Every option right, or none: the item's own rule.
        let text = bank(&GOOD.replace("correct = [1, 2, 4]", "correct = [1, 2, 3, 4]"));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-02", "err-item-all-correct"));
        let text = bank(&GOOD.replace("correct = [1, 2, 4]", "correct = []"));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-02", "err-item-no-correct"));
    }

    #[test]
    fn option_counts_follow_the_format() {
        let text = bank(&GOOD.replace(
            "options = [\"Chỉ mình bạn\", \"Nhân viên ngân hàng\", \"Công an gọi điện\"]",
            "options = [\"Chỉ mình bạn\", \"Nhân viên ngân hàng\"]",
        ));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-01", "err-bank-option-count"));
        let text = bank(&GOOD.replace(
            "options = [\"Dừng lại\", \"Kiểm tra\", \"Hỏi người tin cậy\"]",
            "options = [\"Dừng lại\", \"Kiểm tra\"]",
        ));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-04", "err-bank-step-count"));
        let text = bank(&GOOD.replace(
            "options = [\"113\", \"114\", \"115\"]\nmatches = [\"Công an\", \"Cứu hỏa\", \"Cấp cứu\"]",
            "options = [\"113\", \"115\"]\nmatches = [\"Công an\", \"Cấp cứu\"]",
        ));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-05", "err-bank-pair-count"));
        // Left and right columns of different lengths: the item's own rule.
        let text = bank(&GOOD.replace("\"Cứu hỏa\", \"Cấp cứu\"]", "\"Cứu hỏa\"]"));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-05", "err-item-matches-differ"));
    }

    #[test]
    fn item_rules_are_applied_to_each_item() {
        let text = bank(&GOOD.replace("\"Công an gọi điện\"", "\"Chỉ mình bạn\""));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-01", "err-item-same-option"));
        let text = bank(&GOOD.replace("stem = \"Ai được biết mã OTP của bạn?\"", "stem = \" \""));
        assert_eq!(problems("4.1-2.toml", &text), one("bv2-01", "err-item-no-stem"));
    }

    #[test]
    fn a_picture_is_a_plain_file_name() {
        for bad in ["../secret.png", "media/tin-nhan.png", "tin-nhan.exe", "Tin Nhắn.png"] {
            let text = bank(&GOOD.replace("tin-nhan.png", bad));
            assert_eq!(
                problems("4.1-2.toml", &text),
                one("bv2-04", "err-bank-bad-picture"),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = bank(
            &GOOD
                .replace("difficulty = \"hard\"", "difficulty = \"khó\"")
                .replace("answer = false", "answer = 0"),
        );
        let ps = problems("4.1-1.toml", &text);
        assert_eq!(
            ps,
            [
                (None, "err-bank-file-name".to_string()),
                (Some("bv2-03".to_string()), "err-bank-type-bool".to_string()),
                (Some("bv2-04".to_string()), "err-bank-bad-difficulty".to_string()),
            ]
        );
    }

    #[test]
    fn every_bank_message_reads_in_both_languages() {
        let messages = [
            Message::new("err-bank-syntax").arg("line", 3).arg("detail", "x"),
            Message::new("err-bank-invalid").arg("detail", "x"),
            Message::new("err-bank-unknown-key")
                .arg("key", "k")
                .arg("allowed", "a, b"),
            Message::new("err-bank-missing-key").arg("key", "k"),
            Message::new("err-bank-missing-key-for-type")
                .arg("key", "k")
                .arg("type", "t"),
            Message::new("err-bank-key-not-for-type")
                .arg("key", "k")
                .arg("type", "t"),
            Message::new("err-bank-empty").arg("key", "k"),
            Message::new("err-bank-type-text").arg("key", "k"),
            Message::new("err-bank-type-texts").arg("key", "k"),
            Message::new("err-bank-type-bool").arg("key", "k"),
            Message::new("err-bank-type-numbers").arg("key", "k"),
            Message::new("err-bank-type-items").arg("key", "k"),
            Message::new("err-bank-bad-competence")
                .arg("framework", "f")
                .arg("competence", "c"),
            Message::new("err-bank-bad-level").arg("level", "l"),
            Message::new("err-bank-pool-too-long").arg("max", 200),
            Message::new("err-bank-file-name")
                .arg("file", "f")
                .arg("competence", "c")
                .arg("level", "l")
                .arg("expected", "e"),
            Message::new("err-bank-file-folder")
                .arg("folder", "f")
                .arg("framework", "g"),
            Message::new("err-bank-no-items"),
            Message::new("err-bank-bad-code").arg("max", 60),
            Message::new("err-bank-code-twice"),
            Message::new("err-bank-bad-type").arg("type", "t").arg("allowed", "a"),
            Message::new("err-bank-bad-difficulty").arg("difficulty", "d"),
            Message::new("err-bank-correct-one"),
            Message::new("err-bank-correct-several"),
            Message::new("err-bank-correct-range").arg("correct", 9).arg("n", 3),
            Message::new("err-bank-correct-twice").arg("correct", 1),
            Message::new("err-bank-option-count")
                .arg("n", 2)
                .arg("min", 3)
                .arg("max", 4),
            Message::new("err-bank-step-count")
                .arg("n", 2)
                .arg("min", 3)
                .arg("max", 5),
            Message::new("err-bank-pair-count")
                .arg("n", 2)
                .arg("min", 3)
                .arg("max", 4),
            Message::new("err-bank-bad-picture").arg("picture", "p"),
        ];
        for m in messages {
            for lang in [Lang::Vi, Lang::En] {
                let s = m.render(lang);
                assert!(s != m.key && !s.contains("{ $") && !s.contains("{$"), "{lang:?}: {s}");
            }
        }
    }
}
