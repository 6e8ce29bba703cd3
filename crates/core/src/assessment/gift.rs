//! GIFT, Moodle's plain-text quiz format, read into items. Supported: `$CATEGORY:` (the pool of
//! the questions after it), `::name::` titles, single choice `{=a ~b ~c}`, multiple choice with
//! fractions `{~%50%a ~%50%b ~%-100%c}` (the right answers' fractions add up to 100), true/false
//! `{T}` `{F}` `{TRUE}` `{FALSE}`, matching `{=a -> b =c -> d}`, general feedback `####…` as the
//! explanation (required: nothing is invented in its place), escapes `\~ \= \# \{ \} \: \\ \n`,
//! `//` comment lines, HTML (in `[html]` and in Moodle's default format; tags stripped, line
//! breaks kept; a picture or sound,
//! a file GIFT cannot carry, is reported). Essay, numerical,
//! short answer and description questions are reported by name, as is every question whose
//! answers do not make a valid item; all else is imported.

use super::import::{Codes, Defaults, ImportProblem, Imported, MAX_IMPORT_BYTES, MAX_IMPORT_QUESTIONS, label};
use super::item::{Body, Item, ItemText};
use crate::i18n::Message;
use crate::learning::ContentLang;
use std::collections::BTreeSet;
use unicode_normalization::UnicodeNormalization;

/// Reads a GIFT file: every question that makes a valid item, and a problem for every other.
pub fn parse(bytes: &[u8], defaults: &Defaults) -> Imported {
    let mut out = Imported::default();
    let whole_file = |message: Message| ImportProblem {
        question: String::new(),
        line: None,
        column: None,
        message,
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        out.problems.push(whole_file(
            Message::new("err-import-too-big").arg("max", MAX_IMPORT_BYTES / 1024 / 1024),
        ));
        return out;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            out.problems.push(ImportProblem {
                question: String::new(),
                line: Some(line),
                column: None,
                message: Message::new("err-import-not-utf8").arg("line", line),
            });
            return out;
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text: String = text.nfc().collect();
    let entries = entries(&text);
    let count = entries.iter().filter(|e| matches!(e, Entry::Question { .. })).count();
    if count > MAX_IMPORT_QUESTIONS {
        out.problems.push(whole_file(
            Message::new("err-import-too-many")
                .arg("n", count)
                .arg("max", MAX_IMPORT_QUESTIONS),
        ));
        return out;
    }
    let mut pool = String::new();
    let mut codes = Codes::default();
    for entry in entries {
        match entry {
            Entry::Category(path) => pool = path,
            Entry::Question { line, text } => {
                let q = question(&text);
                let code = codes.next(&q.name_or_stem());
                let name = label(&q.name, &q.stem);
                let mut problems = q.problems;
                if let Some((body, options, matches)) = q.body {
                    let item = Item {
                        code,
                        competence: defaults.competence.clone(),
                        level: defaults.level.clone(),
                        difficulty: defaults.difficulty,
                        body,
                        picture: None,
                        texts: vec![(
                            ContentLang::Vi,
                            ItemText {
                                picture_alt: String::new(),
                                stem: q.stem.clone(),
                                options,
                                matches,
                                explanation: q.explanation.clone(),
                            },
                        )],
                    };
                    let missing_explanation = q.explanation.trim().is_empty();
                    if missing_explanation {
                        problems.push(Message::new("err-gift-no-explanation"));
                    }
                    problems.extend(
                        item.problems()
                            .into_iter()
                            .filter(|m| !(missing_explanation && m.key == "err-item-no-explanation")),
                    );
                    if problems.is_empty() {
                        out.items.push((pool.clone(), item));
                        continue;
                    }
                }
                out.problems.extend(problems.into_iter().map(|message| ImportProblem {
                    question: name.clone(),
                    line: Some(line),
                    column: None,
                    message,
                }));
            }
        }
    }
    out
}

enum Entry {
    Category(String),
    Question { line: usize, text: String },
}

/// The file cut into categories and questions: a question is a run of lines ended by a blank
/// line; `//` comment lines are left out.
fn entries(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let flush = |current: &mut Option<(usize, String)>, out: &mut Vec<Entry>| {
        if let Some((line, text)) = current.take() {
            out.push(Entry::Question { line, text });
        }
    };
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut current, &mut out);
            continue;
        }
        if let Some(path) = trimmed.strip_prefix("$CATEGORY:") {
            flush(&mut current, &mut out);
            out.push(Entry::Category(category(path)));
            continue;
        }
        match &mut current {
            Some((_, text)) => {
                text.push('\n');
                text.push_str(line);
            }
            None => current = Some((i + 1, line.to_string())),
        }
    }
    flush(&mut current, &mut out);
    out
}

/// `$course$/top/Lừa đảo/Tin nhắn` → `Lừa đảo/Tin nhắn`.
fn category(path: &str) -> String {
    let mut parts: Vec<String> = path
        .split('/')
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    if parts
        .first()
        .is_some_and(|p| p.len() > 1 && p.starts_with('$') && p.ends_with('$'))
    {
        parts.remove(0);
    }
    if parts.first().is_some_and(|p| p.eq_ignore_ascii_case("top")) {
        parts.remove(0);
    }
    parts.join("/")
}

/// A character of the question and whether it was escaped (so it is text, never syntax).
#[derive(Debug, Clone, Copy)]
struct C {
    c: char,
    esc: bool,
}

fn mark(s: &str) -> Vec<C> {
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(C { c, esc: false });
            continue;
        }
        match it.peek().copied() {
            Some(n) if "~=#{}:\\".contains(n) => {
                it.next();
                out.push(C { c: n, esc: true });
            }
            Some('n') => {
                it.next();
                out.push(C { c: '\n', esc: true });
            }
            _ => out.push(C { c: '\\', esc: true }),
        }
    }
    out
}

fn is(cs: &[C], i: usize, c: char) -> bool {
    cs.get(i).is_some_and(|x| !x.esc && x.c == c)
}

fn starts(cs: &[C], i: usize, pat: &str) -> bool {
    pat.chars().enumerate().all(|(k, c)| is(cs, i + k, c))
}

fn find(cs: &[C], from: usize, pat: &str) -> Option<usize> {
    (from..cs.len()).find(|&i| starts(cs, i, pat))
}

fn raw(cs: &[C]) -> String {
    cs.iter().map(|c| c.c).collect()
}

fn trim(cs: &[C]) -> &[C] {
    let start = cs.iter().position(|c| !c.c.is_whitespace()).unwrap_or(cs.len());
    let end = cs.iter().rposition(|c| !c.c.is_whitespace()).map_or(start, |e| e + 1);
    &cs[start..end.max(start)]
}

/// Plain text: tags stripped when the question is HTML, control characters dropped, white space
/// collapsed within each line, blank lines kept at most one in a row.
fn clean(cs: &[C], html: bool) -> String {
    let text = raw(cs);
    let text = if html { strip_html(&text) } else { text };
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let line: String = line.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

fn one_line(cs: &[C], html: bool) -> String {
    clean(cs, html).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// HTML to plain text: `<br>`, `</p>`, `</div>`, `</li>` become line breaks, other tags go, the
/// common entities are decoded.
fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        // A tag starts with a letter, "/" or "!" and ends before any other "<": "x < 5 và y > 3"
        // is text. Stopping at either sign keeps this linear on hostile input.
        let tag_like = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match after.find(['<', '>']) {
            Some(len) if tag_like && after.as_bytes()[len] == b'>' => {
                let tag = after[..len].trim().to_ascii_lowercase();
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                let breaks = matches!(name.as_str(), "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3");
                if breaks && !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                rest = &after[len + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

struct Question {
    name: String,
    stem: String,
    explanation: String,
    /// The body with the option texts and the matching column, when the answers make one.
    body: Option<(Body, Vec<String>, Vec<String>)>,
    problems: Vec<Message>,
}

impl Question {
    fn name_or_stem(&self) -> String {
        if self.name.is_empty() {
            label("", &self.stem)
        } else {
            self.name.clone()
        }
    }
}

fn question(text: &str) -> Question {
    let cs = mark(text);
    let mut q = Question {
        name: String::new(),
        stem: String::new(),
        explanation: String::new(),
        body: None,
        problems: Vec::new(),
    };
    let mut i = cs.iter().position(|c| !c.c.is_whitespace()).unwrap_or(cs.len());
    if starts(&cs, i, "::") {
        match find(&cs, i + 2, "::") {
            Some(end) => {
                q.name = one_line(&cs[i + 2..end], false);
                i = end + 2;
            }
            None => {
                q.stem = one_line(&cs[i..], false);
                q.problems.push(Message::new("err-gift-unclosed-title"));
                return q;
            }
        }
    }
    while cs.get(i).is_some_and(|c| c.c.is_whitespace()) {
        i += 1;
    }
    // Moodle's own format (the default) lets HTML through, as [html] does: tags are stripped.
    let mut html = true;
    if let Some(end) = is(&cs, i, '[').then(|| find(&cs, i + 1, "]")).flatten() {
        let format = raw(&cs[i + 1..end]).to_ascii_lowercase();
        if matches!(format.as_str(), "html" | "moodle" | "plain" | "markdown") {
            html = matches!(format.as_str(), "html" | "moodle");
            i = end + 1;
        }
    }
    if html {
        // A picture or sound in GIFT is a link to a file the GIFT file cannot carry: stripping the
        // tag would silently change the question.
        let lower = raw(&cs[i..]).to_lowercase();
        if ["<img", "<audio", "<video", "<object", "<embed", "<iframe"]
            .iter()
            .any(|t| lower.contains(t))
        {
            q.stem = one_line(&cs[i..], true);
            q.problems.push(Message::new("err-gift-media"));
            return q;
        }
    }
    let Some(open) = find(&cs, i, "{") else {
        q.stem = clean(&cs[i..], html);
        q.problems.push(Message::new("err-import-description"));
        return q;
    };
    let before = clean(&cs[i..open], html);
    let Some(close) = find(&cs, open + 1, "}") else {
        q.stem = before;
        q.problems.push(Message::new("err-gift-unclosed-brace"));
        return q;
    };
    if find(&cs[..close], open + 1, "{").is_some() {
        q.stem = before;
        q.problems.push(Message::new("err-gift-brace-inside"));
        return q;
    }
    if find(&cs, close + 1, "{").is_some() || find(&cs, close + 1, "}").is_some() {
        q.stem = before;
        q.problems.push(Message::new("err-gift-two-answer-blocks"));
        return q;
    }
    let after = clean(&cs[close + 1..], html);
    q.stem = if after.is_empty() {
        before
    } else if before.is_empty() {
        after
    } else {
        // Moodle's "missing word" form: the answers stand for a gap in the sentence.
        format!("{before} _____ {after}")
    };
    let inner = &cs[open + 1..close];
    let (answers, general) = match find(inner, 0, "####") {
        Some(g) => (&inner[..g], Some(&inner[g + 4..])),
        None => (inner, None),
    };
    q.explanation = general.map(|g| clean(g, html)).unwrap_or_default();
    let answers = trim(answers);
    if answers.is_empty() {
        q.problems.push(Message::new("err-import-essay"));
        return q;
    }
    if is(answers, 0, '#') {
        q.problems.push(Message::new("err-import-numerical"));
        return q;
    }
    let first = find(answers, 0, "#").unwrap_or(answers.len());
    match raw(trim(&answers[..first])).to_ascii_uppercase().as_str() {
        "T" | "TRUE" => {
            q.body = Some((Body::TrueFalse { answer: true }, Vec::new(), Vec::new()));
            return q;
        }
        "F" | "FALSE" => {
            q.body = Some((Body::TrueFalse { answer: false }, Vec::new(), Vec::new()));
            return q;
        }
        _ => {}
    }
    if !is(answers, 0, '=') && !is(answers, 0, '~') {
        q.problems.push(Message::new("err-gift-bad-answers"));
        return q;
    }
    // Each answer: its mark, its weight (None when not written), its text without feedback.
    let mut parsed: Vec<(char, Option<f64>, &[C])> = Vec::new();
    let mut k = 0;
    while k < answers.len() {
        let mark = answers[k].c;
        let end = (k + 1..answers.len())
            .find(|&j| is(answers, j, '=') || is(answers, j, '~'))
            .unwrap_or(answers.len());
        let mut body = trim(&answers[k + 1..end]);
        let mut weight = None;
        if is(body, 0, '%') {
            match find(body, 1, "%") {
                Some(e) => {
                    match raw(&body[1..e]).trim().parse::<f64>() {
                        Ok(w) if w.is_finite() && (-100.0..=100.0).contains(&w) => weight = Some(w),
                        _ => {
                            q.problems
                                .push(Message::new("err-gift-bad-weight").arg("weight", raw(&body[1..e])));
                            return q;
                        }
                    }
                    body = &body[e + 1..];
                }
                None => {
                    q.problems
                        .push(Message::new("err-gift-bad-weight").arg("weight", raw(body)));
                    return q;
                }
            }
        }
        let text_end = find(body, 0, "#").unwrap_or(body.len());
        parsed.push((mark, weight, &body[..text_end]));
        k = end;
    }
    let is_pair = |t: &[C]| find(t, 0, "->").is_some();
    if parsed.iter().any(|(m, _, t)| *m == '=' && is_pair(t)) {
        if parsed.iter().any(|(m, _, t)| *m != '=' || !is_pair(t)) {
            q.problems.push(Message::new("err-gift-bad-matching"));
            return q;
        }
        let mut left = Vec::new();
        let mut right = Vec::new();
        for (_, _, t) in &parsed {
            let arrow = find(t, 0, "->").unwrap_or(0);
            let l = one_line(&t[..arrow], html);
            if l.is_empty() {
                q.problems.push(Message::new("err-import-matching-extra"));
                return q;
            }
            left.push(l);
            right.push(one_line(&t[arrow + 2..], html));
        }
        q.body = Some((Body::Matching { options: left.len() }, left, right));
        return q;
    }
    if parsed.iter().all(|(m, _, _)| *m == '=') {
        q.problems.push(Message::new("err-import-short-answer"));
        return q;
    }
    let weights: Vec<f64> = parsed
        .iter()
        .map(|(m, w, _)| w.unwrap_or(if *m == '=' { 100.0 } else { 0.0 }))
        .collect();
    let correct: BTreeSet<usize> = (0..weights.len()).filter(|&i| weights[i] > 0.0).collect();
    let sum: f64 = correct.iter().map(|&i| weights[i]).sum();
    if correct.is_empty() {
        q.problems.push(Message::new("err-item-no-correct"));
        return q;
    }
    if (sum - 100.0).abs() > 0.01 {
        let shown = format!("{:.2}", sum);
        let shown = shown.trim_end_matches('0').trim_end_matches('.');
        q.problems.push(Message::new("err-import-fractions").arg("sum", shown));
        return q;
    }
    let options: Vec<String> = parsed.iter().map(|(_, _, t)| one_line(t, html)).collect();
    let body = if correct.len() == 1 {
        Body::SingleChoice {
            options: options.len(),
            correct: correct.first().copied().unwrap_or(0),
        }
    } else {
        Body::MultipleChoice {
            options: options.len(),
            correct,
        }
    };
    q.body = Some((body, options, Vec::new()));
    q
}

/// Why GIFT cannot hold `item`, when it cannot: it has no ordering question, and a matching pair
/// is cut at its first `->` (which GIFT cannot escape), so a left-hand item holding one would come
/// back cut elsewhere.
pub fn cannot_write(item: &Item) -> Option<&'static str> {
    match &item.body {
        Body::Ordering { .. } => Some("GIFT không có loại câu hỏi sắp xếp thứ tự"),
        Body::Matching { .. }
            if item
                .texts
                .iter()
                .any(|(_, t)| t.options.iter().any(|o| o.contains("->"))) =>
        {
            Some("một mục bên trái có “->”, dấu GIFT dùng để ngăn hai vế")
        }
        _ => None,
    }
}

/// A GIFT file of `items` (pool, item) that [`parse`] reads back as the same items: a
/// `$CATEGORY:` line before each run of one pool, the code as the question's name, `[plain]`
/// text (what an item holds is plain text, never HTML), the explanation as general feedback.
/// Only the Vietnamese text is written, and a picture cannot travel in GIFT. An item GIFT cannot
/// hold ([`cannot_write`]) is left out, with a `//` comment line naming it where it would have been.
/// The code is written as the name, which [`parse`] turns back into the same code when it is a
/// slug (lowercase ASCII letters and digits between single hyphens), as every imported code is.
pub fn write(items: &[(String, Item)]) -> String {
    let mut out = String::new();
    let mut pool: Option<&str> = None;
    for (p, item) in items {
        if let Some(why) = cannot_write(item) {
            out.push_str(&format!(
                "// Không ghi được câu hỏi “{}”: {why}.\n\n",
                item.code.replace(['\n', '\r'], " ")
            ));
            continue;
        }
        if pool != Some(p.as_str()) {
            let segments: Vec<&str> = p.split('/').map(str::trim).filter(|s| !s.is_empty()).collect();
            let path = if segments.is_empty() {
                String::new()
            } else {
                format!("/{}", segments.join("/"))
            };
            out.push_str(&format!("$CATEGORY: $course$/top{path}\n\n"));
            pool = Some(p.as_str());
        }
        let Some((_, t)) = item
            .texts
            .iter()
            .find(|(l, _)| *l == ContentLang::Vi)
            .or_else(|| item.texts.first())
        else {
            continue;
        };
        out.push_str(&format!("::{}::[plain]{}{{\n", escape(&item.code), escape(&t.stem)));
        let weights = |k: usize| fraction(100.0 / k as f64);
        match &item.body {
            Body::SingleChoice { correct, .. } => {
                for (i, o) in t.options.iter().enumerate() {
                    let mark = if i == *correct { '=' } else { '~' };
                    out.push_str(&format!("{mark}{}\n", escape(o)));
                }
            }
            Body::MultipleChoice { correct, .. } => {
                let right = weights(correct.len());
                let wrong = format!("-{}", weights(t.options.len().saturating_sub(correct.len()).max(1)));
                for (i, o) in t.options.iter().enumerate() {
                    let w = if correct.contains(&i) { &right } else { &wrong };
                    out.push_str(&format!("~%{w}%{}\n", escape(o)));
                }
            }
            Body::TrueFalse { answer } => out.push_str(if *answer { "TRUE\n" } else { "FALSE\n" }),
            Body::Matching { .. } => {
                for (l, r) in t.options.iter().zip(&t.matches) {
                    out.push_str(&format!("={} -> {}\n", escape(l), escape(r)));
                }
            }
            Body::Ordering { .. } => {}
        }
        out.push_str(&format!("####{}\n}}\n\n", escape(&t.explanation)));
    }
    out
}

/// A fraction as Moodle writes it: at most five decimals (33.33333), no trailing zeros.
pub(crate) fn fraction(f: f64) -> String {
    let s = format!("{f:.5}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// GIFT text: its special characters and the backslash escaped, a line break written `\n` (a
/// blank line would end the question).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::item::Difficulty;
    use crate::learning::CompetenceRef;

    fn defaults() -> Defaults {
        Defaults {
            competence: CompetenceRef {
                framework: "digcomp22".into(),
                code: "4.1".into(),
            },
            level: "1".into(),
            difficulty: Difficulty::Medium,
        }
    }

    /// The items as (pool, code, body, stem, options, matches, explanation).
    type Row = (String, String, Body, String, Vec<String>, Vec<String>, String);

    fn rows(imported: &Imported) -> Vec<Row> {
        imported
            .items
            .iter()
            .map(|(pool, item)| {
                assert_eq!(item.competence, defaults().competence);
                assert_eq!(item.level, "1");
                assert_eq!(item.difficulty, Difficulty::Medium);
                assert!(item.problems().is_empty(), "{:?}", item.problems());
                assert_eq!(item.texts.len(), 1);
                let (lang, t) = &item.texts[0];
                assert_eq!(*lang, ContentLang::Vi);
                (
                    pool.clone(),
                    item.code.clone(),
                    item.body.clone(),
                    t.stem.clone(),
                    t.options.clone(),
                    t.matches.clone(),
                    t.explanation.clone(),
                )
            })
            .collect()
    }

    fn problems(imported: &Imported) -> Vec<(String, Option<usize>, String)> {
        imported
            .problems
            .iter()
            .map(|p| (p.question.clone(), p.line, p.message.key.clone()))
            .collect()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    const QUIZ: &str = "// Bài kiểm tra: nhận biết lừa đảo trực tuyến
// Soạn cho lớp kỹ năng số của xã.

$CATEGORY: $course$/top/Lừa đảo/Tin nhắn

::Tin nhắn giả ngân hàng::Bạn nhận được tin nhắn: \"Tài khoản của bạn bị khoá, bấm vào đường dẫn để mở lại\". Bạn nên làm gì?
{
  =Gọi số tổng đài in trên thẻ ngân hàng để hỏi#Đúng: tự tìm số chính thức.
  ~Bấm vào đường dẫn và đăng nhập#Đó là trang giả.
  ~Trả lời tin nhắn để hỏi thêm
  ####Ngân hàng không gửi đường dẫn yêu cầu đăng nhập qua tin nhắn; hãy liên hệ qua số chính thức.
}

::Dấu hiệu lừa đảo::Những dấu hiệu nào cho thấy một tin nhắn có thể là lừa đảo? {
~%50%Giục bạn làm ngay kẻo mất tiền
~%50%Xin mã OTP
~%-100%Gửi từ tổng đài đã quen dùng
####Kẻ gian tạo áp lực thời gian và xin mã OTP\\; tổng đài quen thuộc không phải là dấu hiệu.}

::OTP::Nhân viên ngân hàng có thể hỏi mã OTP của bạn qua điện thoại.{FALSE####Ngân hàng không bao giờ hỏi mã OTP.}

::Cuộc gọi video::Kẻ gian có thể giả giọng và khuôn mặt người thân trong cuộc gọi video.{T#Sai rồi.#Đúng.####Công nghệ deepfake làm được việc này; hãy gọi lại vào số quen thuộc để kiểm tra.}

$CATEGORY: $course$/top/Lừa đảo/Ứng cứu

::Ghép việc cần làm::Ghép mỗi tình huống với việc nên làm. {
=Lỡ chuyển tiền cho kẻ gian -> Gọi ngay ngân hàng để yêu cầu phong toả
=Nhận cuộc gọi tự xưng công an -> Gác máy và đến trụ sở công an gần nhất
=Thấy trang web giả mạo -> Báo cáo cho cơ quan chức năng
####Hành động sớm giúp giảm thiệt hại.
}

// Dấu ngoặc và dấu bằng viết kèm dấu \\ để là chữ.
::Ký tự đặc biệt\\: mã giảm giá::Tin nhắn \\{khuyến mãi\\} báo \"giảm 100% \\= miễn phí\" thường là:{
=Mồi nhử để lấy thông tin
~Quà thật từ cửa hàng \\~ siêu thị
####Không có quà miễn phí nào đòi thông tin cá nhân \\#1.}

Một người lạ gọi điện tự xưng là công an và yêu cầu bạn chuyển tiền để \"điều tra\". {
~%100%Từ chối, gác máy
~Chuyển tiền ngay
~Đọc số tài khoản cho họ
####Công an không làm việc qua điện thoại để yêu cầu chuyển tiền.}
";

    #[test]
    fn a_scam_quiz_is_read_with_every_supported_kind() {
        let imported = parse(QUIZ.as_bytes(), &defaults());
        assert_eq!(problems(&imported), vec![]);
        let tin = "Lừa đảo/Tin nhắn".to_string();
        let ung = "Lừa đảo/Ứng cứu".to_string();
        let expected: Vec<Row> = vec![
            (
                tin.clone(),
                "tin-nhan-gia-ngan-hang".into(),
                Body::SingleChoice { options: 3, correct: 0 },
                "Bạn nhận được tin nhắn: \"Tài khoản của bạn bị khoá, bấm vào đường dẫn để mở lại\". Bạn nên làm gì?"
                    .into(),
                s(&[
                    "Gọi số tổng đài in trên thẻ ngân hàng để hỏi",
                    "Bấm vào đường dẫn và đăng nhập",
                    "Trả lời tin nhắn để hỏi thêm",
                ]),
                vec![],
                "Ngân hàng không gửi đường dẫn yêu cầu đăng nhập qua tin nhắn; hãy liên hệ qua số chính thức.".into(),
            ),
            (
                tin.clone(),
                "dau-hieu-lua-dao".into(),
                Body::MultipleChoice {
                    options: 3,
                    correct: [0, 1].into_iter().collect(),
                },
                "Những dấu hiệu nào cho thấy một tin nhắn có thể là lừa đảo?".into(),
                s(&[
                    "Giục bạn làm ngay kẻo mất tiền",
                    "Xin mã OTP",
                    "Gửi từ tổng đài đã quen dùng",
                ]),
                vec![],
                "Kẻ gian tạo áp lực thời gian và xin mã OTP\\; tổng đài quen thuộc không phải là dấu hiệu.".into(),
            ),
            (
                tin.clone(),
                "otp".into(),
                Body::TrueFalse { answer: false },
                "Nhân viên ngân hàng có thể hỏi mã OTP của bạn qua điện thoại.".into(),
                vec![],
                vec![],
                "Ngân hàng không bao giờ hỏi mã OTP.".into(),
            ),
            (
                tin.clone(),
                "cuoc-goi-video".into(),
                Body::TrueFalse { answer: true },
                "Kẻ gian có thể giả giọng và khuôn mặt người thân trong cuộc gọi video.".into(),
                vec![],
                vec![],
                "Công nghệ deepfake làm được việc này; hãy gọi lại vào số quen thuộc để kiểm tra.".into(),
            ),
            (
                ung.clone(),
                "ghep-viec-can-lam".into(),
                Body::Matching { options: 3 },
                "Ghép mỗi tình huống với việc nên làm.".into(),
                s(&[
                    "Lỡ chuyển tiền cho kẻ gian",
                    "Nhận cuộc gọi tự xưng công an",
                    "Thấy trang web giả mạo",
                ]),
                s(&[
                    "Gọi ngay ngân hàng để yêu cầu phong toả",
                    "Gác máy và đến trụ sở công an gần nhất",
                    "Báo cáo cho cơ quan chức năng",
                ]),
                "Hành động sớm giúp giảm thiệt hại.".into(),
            ),
            (
                ung.clone(),
                "ky-tu-dac-biet-ma-giam-gia".into(),
                Body::SingleChoice { options: 2, correct: 0 },
                "Tin nhắn {khuyến mãi} báo \"giảm 100% = miễn phí\" thường là:".into(),
                s(&["Mồi nhử để lấy thông tin", "Quà thật từ cửa hàng ~ siêu thị"]),
                vec![],
                "Không có quà miễn phí nào đòi thông tin cá nhân #1.".into(),
            ),
            (
                ung.clone(),
                "mot-nguoi-la-goi-dien-tu-xung-la-cong-an".into(),
                Body::SingleChoice { options: 3, correct: 0 },
                "Một người lạ gọi điện tự xưng là công an và yêu cầu bạn chuyển tiền để \"điều tra\".".into(),
                s(&["Từ chối, gác máy", "Chuyển tiền ngay", "Đọc số tài khoản cho họ"]),
                vec![],
                "Công an không làm việc qua điện thoại để yêu cầu chuyển tiền.".into(),
            ),
        ];
        assert_eq!(rows(&imported), expected);
    }

    const REFUSED: &str = "$CATEGORY: Lừa đảo

::Tự luận::Kể lại một lần bạn suýt bị lừa qua mạng. {}

::Số tiền::Kẻ gian thường đòi chuyển bao nhiêu triệu đồng? {#5:2}

::Trả lời ngắn::Số tổng đài chống lừa đảo là gì? {=156 =0156}

Phần sau đây nói về lừa đảo qua mạng xã hội.

::Tỉ lệ sai::Chọn các dấu hiệu lừa đảo. {~%50%Giục làm gấp ~%30%Xin OTP ~%-100%Tin từ người quen####Kẻ gian giục giã.}

::Không đáp án đúng::Việc nào an toàn? {~Cho mượn CCCD ~Đọc OTP####Không việc nào an toàn.}

::Tất cả đúng::Những việc nào an toàn? {~%50%Đặt mật khẩu mạnh ~%50%Bật xác thực hai bước####Cả hai đều giúp an toàn.}

::Không giải thích::Có nên bấm vào đường dẫn lạ? {F}

::Trùng phương án::Chọn cách đúng. {=Gác máy ~Gác máy####Gác máy là đúng.}

::Ghép thiếu::Ghép đôi. {=Tin nhắn -> Xoá =-> Thừa####x}

::Ngoặc chưa đóng::Chọn cách đúng. {=Gác máy ~Nghe tiếp

::Sau đó::Câu này vẫn được nhập.{T####Vì dòng trống kết thúc câu trước.}
";

    #[test]
    fn every_unsupported_or_broken_question_is_named_and_the_rest_imported() {
        let imported = parse(REFUSED.as_bytes(), &defaults());
        let p = |name: &str, line: usize, key: &str| (name.to_string(), Some(line), key.to_string());
        assert_eq!(
            problems(&imported),
            vec![
                p("Tự luận", 3, "err-import-essay"),
                p("Số tiền", 5, "err-import-numerical"),
                p("Trả lời ngắn", 7, "err-import-short-answer"),
                p("Phần sau đây nói về lừa đảo qua mạng xã…", 9, "err-import-description"),
                p("Tỉ lệ sai", 11, "err-import-fractions"),
                p("Không đáp án đúng", 13, "err-item-no-correct"),
                p("Tất cả đúng", 15, "err-item-all-correct"),
                p("Không giải thích", 17, "err-gift-no-explanation"),
                p("Trùng phương án", 19, "err-item-same-option"),
                p("Ghép thiếu", 21, "err-import-matching-extra"),
                p("Ngoặc chưa đóng", 23, "err-gift-unclosed-brace"),
            ]
        );
        assert_eq!(
            imported.problems[4].message.args,
            vec![("sum".to_string(), "80".to_string())]
        );
        // The message says what is wrong in Vietnamese, not its key.
        let shown = imported.problems[4].message.render(crate::i18n::Lang::Vi);
        assert!(shown.contains("80%"), "{shown}");
        let shown = imported.problems[7].message.render(crate::i18n::Lang::Vi);
        assert!(shown.contains("chưa có lời giải thích"), "{shown}");
        assert_eq!(
            rows(&imported),
            vec![(
                "Lừa đảo".to_string(),
                "sau-do".to_string(),
                Body::TrueFalse { answer: true },
                "Câu này vẫn được nhập.".to_string(),
                vec![],
                vec![],
                "Vì dòng trống kết thúc câu trước.".to_string(),
            )]
        );
    }

    #[test]
    fn codes_are_unique_and_text_is_nfc_and_html_is_stripped() {
        // "Lừa" written decomposed (u + horn + grave) must come out composed.
        let decomposed = "Lu\u{031b}\u{0300}a đảo";
        let text = format!(
            "::Câu hỏi::{decomposed} là gì?{{T####Đúng.}}\n\n::Câu hỏi::Lần hai.{{F####Sai.}}\n\n\
             ::HTML::[html]<p>Đọc <b>kỹ</b> tin nhắn</p><p>rồi chọn&nbsp;đáp án:</p>{{=<i>Xoá</i> ~Trả lời####<p>Xoá &amp; chặn số.</p>}}\n\n\
             Tin nhắn báo trúng thưởng: _____ là lừa đảo. {{=thường ~hiếm khi####Trúng thưởng bất ngờ là mồi nhử.}} Hãy cảnh giác.\n"
        );
        let imported = parse(text.as_bytes(), &defaults());
        assert_eq!(problems(&imported), vec![]);
        let rows = rows(&imported);
        let codes: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(
            codes,
            vec!["cau-hoi", "cau-hoi-2", "html", "tin-nhan-bao-trung-thuong-la-lua-dao"]
        );
        assert_eq!(rows[0].3, "Lừa đảo là gì?");
        assert_eq!(rows[0].0, "");
        assert_eq!(rows[2].3, "Đọc kỹ tin nhắn\nrồi chọn đáp án:");
        assert_eq!(rows[2].4, s(&["Xoá", "Trả lời"]));
        assert_eq!(rows[2].6, "Xoá & chặn số.");
        assert_eq!(
            rows[3].3,
            "Tin nhắn báo trúng thưởng: _____ là lừa đảo. _____ Hãy cảnh giác."
        );
    }

    #[test]
    fn brackets_that_are_not_a_format_marker_and_comments_inside_answers_stay_text() {
        let text = "[Khẩn] Tài khoản của bạn bị khoá, đúng không?\n{\n// ghi chú của người soạn\nF####Tin nhắn \\[Khẩn\\] là chiêu giục giã.\n}\n\n$CATEGORY: Tin giả\n::Một::Dòng\\nhai {T####Đúng.}\n\n::Dấu so sánh::Nếu x < 5 và <b>y</b> > 3 &amp; <3 thì? {T####Vì <i>vậy</i>.}\n\n[plain]Gõ <b>đậm</b> ra sao? {T####Như thế.}\n";
        let imported = parse(text.as_bytes(), &defaults());
        assert_eq!(problems(&imported), vec![]);
        let rows = rows(&imported);
        assert_eq!(rows[0].1, "khan-tai-khoan-cua-ban-bi-khoa-dung-khong");
        assert_eq!(rows[0].2, Body::TrueFalse { answer: false });
        assert_eq!(rows[0].3, "[Khẩn] Tài khoản của bạn bị khoá, đúng không?");
        assert_eq!(rows[0].6, "Tin nhắn \\[Khẩn\\] là chiêu giục giã.");
        assert_eq!((rows[1].0.as_str(), rows[1].3.as_str()), ("Tin giả", "Dòng\nhai"));
        assert_eq!(rows[2].3, "Nếu x < 5 và y > 3 & <3 thì?");
        assert_eq!(rows[2].6, "Vì vậy.");
        assert_eq!(rows[3].3, "Gõ <b>đậm</b> ra sao?");
    }

    #[test]
    fn bad_fractions_and_syntax_are_named() {
        let text = "::Tỉ lệ::Chọn. {~%abc%Một ~%50%Hai####x}\n\n\
                    ::Thiếu phần trăm::Chọn. {~%50 Một ~Hai####x}\n\n\
                    ::Ghép lẫn::Ghép. {=a -> b ~c####x}\n\n\
                    ::Lạ::Chọn. {Một Hai####x}\n\n\
                    ::Hai ngoặc::Chọn {=a ~b} và {=c ~d}\n\n\
                    ::Ngoặc lồng::Chọn {=a {~b}}\n\n\
                    ::Tên chưa đóng Chọn {=a ~b}\n\n\
                    ::Ảnh::[html]<p>Trang này thật hay giả?</p><IMG src=\"@@PLUGINFILE@@/web.png\">{T####x}\n\n\
                    ::Ba phần::Chọn ba. {~%33.33333%Một ~%33.33333%Hai ~%33.33333%Ba ~Bốn####Ba cái đầu.}\n";
        let imported = parse(text.as_bytes(), &defaults());
        let keys: Vec<(String, String)> = imported
            .problems
            .iter()
            .map(|p| (p.question.clone(), p.message.key.clone()))
            .collect();
        let k = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            keys,
            vec![
                k("Tỉ lệ", "err-gift-bad-weight"),
                k("Thiếu phần trăm", "err-gift-bad-weight"),
                k("Ghép lẫn", "err-gift-bad-matching"),
                k("Lạ", "err-gift-bad-answers"),
                k("Hai ngoặc", "err-gift-two-answer-blocks"),
                k("Ngoặc lồng", "err-gift-brace-inside"),
                k("::Tên chưa đóng Chọn {=a ~b}", "err-gift-unclosed-title"),
                k("Ảnh", "err-gift-media"),
            ]
        );
        let rows = rows(&imported);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].2,
            Body::MultipleChoice {
                options: 4,
                correct: [0, 1, 2].into_iter().collect()
            }
        );
    }

    #[test]
    fn hostile_input_is_refused_with_one_problem_and_never_panics() {
        // Invalid UTF-8 on line 2.
        let mut bytes = b"::A::Ch\xe1\xbb\x8dn. {T####x}\n".to_vec();
        bytes.extend_from_slice(b"::B::\xff\xfe {T####x}\n");
        let imported = parse(&bytes, &defaults());
        assert!(imported.items.is_empty());
        assert_eq!(
            problems(&imported),
            vec![(String::new(), Some(2), "err-import-not-utf8".to_string())]
        );

        // Over 10 MB.
        let big = vec![b'a'; MAX_IMPORT_BYTES + 1];
        let imported = parse(&big, &defaults());
        assert!(imported.items.is_empty());
        assert_eq!(
            problems(&imported),
            vec![(String::new(), None, "err-import-too-big".to_string())]
        );

        // More than 5,000 questions.
        let many = "Câu hỏi? {T####Vì vậy.}\n\n".repeat(MAX_IMPORT_QUESTIONS + 1);
        let imported = parse(many.as_bytes(), &defaults());
        assert!(imported.items.is_empty());
        assert_eq!(
            problems(&imported),
            vec![(String::new(), None, "err-import-too-many".to_string())]
        );
        // Exactly 5,000 are read, each with its own code.
        let many = "Câu hỏi? {T####Vì vậy.}\n\n".repeat(MAX_IMPORT_QUESTIONS);
        let imported = parse(many.as_bytes(), &defaults());
        assert_eq!(imported.items.len(), MAX_IMPORT_QUESTIONS);
        assert_eq!(imported.items[4_999].1.code, "cau-hoi-5000");

        // Deeply nested braces, a huge unterminated answer, escapes at the very end.
        let nested = format!("::Lồng::Chọn {}", "{".repeat(1_000_000));
        let imported = parse(nested.as_bytes(), &defaults());
        assert_eq!(
            problems(&imported),
            vec![("Lồng".to_string(), Some(1), "err-gift-unclosed-brace".to_string())]
        );
        let nested = format!("::Lồng::Chọn {}{}", "{".repeat(100_000), "}".repeat(100_000));
        let imported = parse(nested.as_bytes(), &defaults());
        assert_eq!(imported.problems[0].message.key, "err-gift-brace-inside");
        let huge = format!("::Dài::{} {{=a ~b####x}}", "chữ ".repeat(1_000_000));
        let imported = parse(huge.as_bytes(), &defaults());
        assert!(imported.items.is_empty());
        assert_eq!(imported.problems[0].message.key, "err-item-too-long");
        // Half-open tags everywhere: read in linear time, kept as text, too long to store.
        let tags = format!("::Thẻ::{} {{=a ~b####x}}", "<a".repeat(1_000_000));
        let imported = parse(tags.as_bytes(), &defaults());
        assert_eq!(imported.problems[0].message.key, "err-item-too-long");
        for odd in [
            "\\",
            "::",
            "{",
            "}",
            "{=",
            "{~%",
            "{~%%",
            "{=a->",
            "::\\::",
            "\u{feff}",
            "[html]{=<",
            "{T#",
        ] {
            let _ = parse(odd.as_bytes(), &defaults());
        }
        assert_eq!(parse(b"", &defaults()), Imported::default());
    }

    #[test]
    fn every_message_key_exists_in_both_languages() {
        for lang in ["vi", "en"] {
            let path = format!("{}/../../locales/{lang}/assessment.ftl", env!("CARGO_MANIFEST_DIR"));
            let ftl = std::fs::read_to_string(path).expect("read ftl");
            let src = include_str!("gift.rs");
            let mut rest = src;
            while let Some(at) = rest.find("Message::new(\"") {
                rest = &rest[at + 14..];
                let key = &rest[..rest.find('"').unwrap_or(0)];
                assert!(ftl.contains(&format!("\n{key} = ")), "{key} missing in {lang}");
            }
        }
    }

    #[test]
    fn a_written_bank_reads_back_the_same_but_ordering() {
        let bank = crate::assessment::xlsx_items::tests::bank();
        let mut bank: Vec<(String, Item)> = bank
            .into_iter()
            .map(|(pool, mut item)| {
                // What GIFT carries of an item: the import's defaults stand for the rest.
                item.competence = defaults().competence;
                item.level = defaults().level;
                item.difficulty = defaults().difficulty;
                (pool, item)
            })
            .collect();
        // Every GIFT special character, a backslash and a line break in each kind of text.
        // (An option is one line: GIFT reads its line breaks as spaces.)
        let line = "a ~ b = c # d { e } f: g \\ h -> i";
        let tricky = format!("{line}\n// j\n$CATEGORY: k");
        let t = &mut bank[0].1.texts[0].1;
        t.stem = format!("::{tricky}");
        t.options[0] = format!("={line}");
        t.explanation = format!("####{tricky}");
        bank[4].1.texts[0].1.matches[0] = format!("{line} ->");
        let text = write(&bank);
        let back = parse(text.as_bytes(), &defaults());
        assert_eq!(problems(&back), vec![], "{text}");
        let expected: Vec<(String, Item)> = bank
            .iter()
            .filter(|(_, i)| cannot_write(i).is_none())
            .cloned()
            .collect();
        assert_eq!(expected.len(), 4);
        assert_eq!(back.items, expected, "{text}");
        assert!(
            text.contains("// Không ghi được câu hỏi “nop-ho-so”: GIFT không có loại câu hỏi sắp xếp thứ tự."),
            "{text}"
        );
        let mut arrow = bank[4].clone();
        arrow.1.texts[0].1.options[0] = "Mũi tên -> trái".into();
        let text = write(&[arrow]);
        assert!(parse(text.as_bytes(), &defaults()).items.is_empty());
        assert!(
            text.starts_with("// Không ghi được câu hỏi “ghep”: một mục bên trái có “->”"),
            "{text}"
        );
        // Three right answers of five: thirds that Moodle and the reader both take for 100%.
        let mut three = bank[1].clone();
        three.1.body = Body::MultipleChoice {
            options: 4,
            correct: BTreeSet::from([0, 1, 3]),
        };
        let text = write(&[three.clone()]);
        assert!(text.contains("~%33.33333%Giục làm ngay"), "{text}");
        assert_eq!(parse(text.as_bytes(), &defaults()).items, vec![three]);
    }
}
