//! A Moodle XML question bank (issue 10 §1) read into items: categories become pool names;
//! multiple choice (one or several answers), true/false, matching and ordering (qtype_ordering)
//! are imported with their general feedback as the explanation; every question that cannot be
//! imported is reported with its name, its line and why, and the rest is imported. HTML is
//! reduced to plain text (line breaks kept); an embedded file is kept only when its bytes are an
//! image (PNG, JPEG, GIF, WebP); a recording is named as left out (a bank has no place for one). No DTD: a `<!DOCTYPE>` is refused, so no entity
//! is ever defined, let alone expanded; input size and element depth are bounded.

use super::item::{Body, Item, ItemText};
use crate::i18n::Message;
use crate::learning::ContentLang;
use crate::learning::media::ImageKind;
use crate::learning::recording::{self, AudioFormat};
use base64::Engine as _;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeSet, HashSet};
use unicode_normalization::UnicodeNormalization;

/// The largest file read (10 MB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most questions in one file.
pub const MAX_QUESTIONS: usize = 5_000;
/// The deepest element nesting read; a Moodle file needs about six.
pub const MAX_DEPTH: usize = 32;
/// The most elements read: a full bank of [`MAX_QUESTIONS`] needs far fewer, and each one read is
/// kept in memory.
pub const MAX_ELEMENTS: usize = 300_000;
const MAX_CODE_CHARS: usize = 60;

pub use super::import::{Defaults, ImportProblem, Imported};

/// An element read into memory: the file is at most 10 MB and at most [`MAX_DEPTH`] deep.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
    line: usize,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// The `<text>` of an element such as `<questiontext>`, reduced to plain text when its format
    /// is HTML (Moodle's default).
    fn rich_text(&self) -> String {
        let raw = self.child("text").map(|t| t.text.as_str()).unwrap_or("");
        match self.attr("format") {
            None | Some("html") | Some("moodle_auto_format") => plain_text(raw),
            Some(_) => tidy(raw),
        }
    }
    /// Every `<file>` in this element and below, in order.
    fn files<'a>(&'a self, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if c.name == "file" {
                out.push(c);
            } else {
                c.files(out);
            }
        }
    }
}

fn whole_file(line: Option<usize>, message: Message) -> Imported {
    Imported {
        problems: vec![ImportProblem {
            question: String::new(),
            line,
            column: None,
            message,
        }],
        ..Imported::default()
    }
}

/// Reads a Moodle XML file (UTF-8). Never fails: what cannot be imported is in `problems`.
pub fn parse(bytes: &[u8], defaults: &Defaults) -> Imported {
    if bytes.len() > MAX_BYTES {
        return whole_file(
            None,
            Message::new("err-moodle-too-big").arg("max", MAX_BYTES / (1024 * 1024)),
        );
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count();
            return whole_file(Some(line), Message::new("err-moodle-not-utf8"));
        }
    };
    let root = match read_tree(text) {
        Ok(root) => root,
        Err((line, message)) => return whole_file(Some(line), message),
    };
    if root.name != "quiz" {
        return whole_file(Some(root.line), Message::new("err-moodle-not-quiz"));
    }
    let questions = root
        .all("question")
        .filter(|q| q.attr("type") != Some("category"))
        .count();
    if questions > MAX_QUESTIONS {
        return whole_file(
            None,
            Message::new("err-moodle-too-many")
                .arg("n", questions)
                .arg("max", MAX_QUESTIONS),
        );
    }
    let mut out = Imported::default();
    let mut pool = String::new();
    let mut codes = HashSet::new();
    let mut file_names = HashSet::new();
    for q in root.all("question") {
        let kind = q.attr("type").unwrap_or("");
        if kind == "category" {
            pool = q
                .child("category")
                .map(|c| pool_name(&c.rich_text()))
                .unwrap_or_default();
            continue;
        }
        let name = q
            .child("name")
            .map(|n| tidy_line(n.child("text").map(|t| t.text.as_str()).unwrap_or("")));
        let stem = q.child("questiontext").map(Node::rich_text).unwrap_or_default();
        let label = match name.as_deref() {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => first_words(&stem),
        };
        let mut problems = Vec::new();
        let body = match kind {
            "multichoice" => multichoice(q, &mut problems),
            "truefalse" => truefalse(q, &mut problems),
            "matching" => matching(q, &mut problems),
            "ordering" => ordering(q),
            other => {
                problems.push(Message::new("err-moodle-unsupported-type").arg("type", other));
                None
            }
        };
        let report = |out: &mut Imported, problems: Vec<Message>| {
            for message in problems {
                out.problems.push(ImportProblem {
                    question: label.clone(),
                    line: Some(q.line),
                    column: None,
                    message,
                });
            }
        };
        let Some((body, options, matches)) = body else {
            report(&mut out, problems);
            continue;
        };
        let explanation = q.child("generalfeedback").map(Node::rich_text).unwrap_or_default();
        let mut item = Item {
            code: String::new(),
            competence: defaults.competence.clone(),
            level: defaults.level.clone(),
            difficulty: defaults.difficulty,
            body,
            picture: None,
            texts: vec![(
                ContentLang::Vi,
                ItemText {
                    picture_alt: String::new(),
                    stem,
                    options,
                    matches,
                    explanation,
                },
            )],
        };
        problems.extend(item.problems());
        if !problems.is_empty() {
            report(&mut out, problems);
            continue;
        }
        // Embedded files: a question is imported without a file it cannot keep, said so.
        let mut files = Vec::new();
        q.files(&mut files);
        let mut kept = Vec::new();
        let mut file_problems = Vec::new();
        for f in files {
            let shown = tidy_line(f.attr("name").unwrap_or(""));
            let data: String = f.text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let Ok(data) = base64::engine::general_purpose::STANDARD.decode(data.as_bytes()) else {
                file_problems.push(Message::new("err-moodle-file-damaged").arg("name", &shown));
                continue;
            };
            let ext = if let Some(kind) = ImageKind::sniff(&data) {
                if item.picture.is_some() {
                    file_problems.push(Message::new("err-moodle-extra-picture").arg("name", &shown));
                    continue;
                }
                image_extension(kind)
            } else if let Some(format) = recording::sniff(&data) {
                // A question bank has no place for a recording (an item shows one picture): the
                // question is imported without it, said so with the file's name.
                file_problems.push(
                    Message::new("err-moodle-audio-not-kept")
                        .arg("name", &shown)
                        .arg("kind", audio_extension(format)),
                );
                continue;
            } else {
                file_problems.push(Message::new("err-moodle-file-kind").arg("name", &shown));
                continue;
            };
            let stored = unique(&mut file_names, &format!("{}.{ext}", slug(&shown_stem(&shown), "tep")));
            if ImageKind::sniff(&data).is_some() {
                item.picture = Some(stored.clone());
                // The question text's `<img alt>`: what the bank requires a picture to have.
                let raw = q
                    .child("questiontext")
                    .and_then(|t| t.child("text"))
                    .map(|t| t.text.as_str())
                    .unwrap_or("");
                if let Some((_, t)) = item.texts.first_mut() {
                    t.picture_alt = img_alt(raw);
                }
            }
            kept.push((stored, data));
        }
        report(&mut out, file_problems);
        item.code = unique(&mut codes, &slug(&label, "cau-hoi"));
        out.files.extend(kept);
        out.items.push((pool.clone(), item));
    }
    out
}

type Parts = (Body, Vec<String>, Vec<String>);

fn answers(q: &Node) -> Vec<(f64, String)> {
    q.all("answer")
        .map(|a| {
            let fraction = a
                .attr("fraction")
                .and_then(|f| f.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            (fraction, tidy_line(&a.rich_text()))
        })
        .collect()
}

fn multichoice(q: &Node, problems: &mut Vec<Message>) -> Option<Parts> {
    let single = q
        .child("single")
        .map(|s| s.text.trim().to_string())
        .or_else(|| q.attr("single").map(str::to_string))
        .is_none_or(|s| s == "true" || s == "1");
    let answers = answers(q);
    let options: Vec<String> = answers.iter().map(|(_, t)| t.clone()).collect();
    let n = answers.len();
    if single {
        let full: Vec<usize> = (0..n).filter(|&i| (answers[i].0 - 100.0).abs() < 0.01).collect();
        let partial = answers.iter().any(|(f, _)| *f > 0.01 && (f - 100.0).abs() >= 0.01);
        if partial {
            problems.push(Message::new("err-moodle-partial-credit"));
            return None;
        }
        match full.as_slice() {
            [] => {
                problems.push(Message::new("err-item-no-correct"));
                None
            }
            [one] => Some((
                Body::SingleChoice {
                    options: n,
                    correct: *one,
                },
                options,
                Vec::new(),
            )),
            several => {
                problems.push(Message::new("err-moodle-several-correct").arg("n", several.len()));
                None
            }
        }
    } else {
        let correct: BTreeSet<usize> = (0..n).filter(|&i| answers[i].0 > 0.0).collect();
        let sum: f64 = answers.iter().filter(|(f, _)| *f > 0.0).map(|(f, _)| f).sum();
        if correct.is_empty() {
            problems.push(Message::new("err-item-no-correct"));
            return None;
        }
        if correct.len() == n {
            problems.push(Message::new("err-item-all-correct"));
            return None;
        }
        // Moodle writes a third as 33.33333: a tenth of a percent of slack.
        if (sum - 100.0).abs() > 0.1 {
            problems.push(Message::new("err-moodle-fractions-sum").arg("sum", format!("{:.0}", sum)));
            return None;
        }
        Some((Body::MultipleChoice { options: n, correct }, options, Vec::new()))
    }
}

fn truefalse(q: &Node, problems: &mut Vec<Message>) -> Option<Parts> {
    let right: Vec<bool> = q
        .all("answer")
        .filter(|a| {
            a.attr("fraction")
                .and_then(|f| f.trim().parse::<f64>().ok())
                .unwrap_or(0.0)
                > 99.99
        })
        .filter_map(|a| match a.rich_text().trim().to_lowercase().as_str() {
            "true" | "đúng" => Some(true),
            "false" | "sai" => Some(false),
            _ => None,
        })
        .collect();
    match right.as_slice() {
        [answer] => Some((Body::TrueFalse { answer: *answer }, Vec::new(), Vec::new())),
        _ => {
            problems.push(Message::new("err-item-no-correct"));
            None
        }
    }
}

fn matching(q: &Node, problems: &mut Vec<Message>) -> Option<Parts> {
    let mut left = Vec::new();
    let mut right = Vec::new();
    let mut distractors = 0;
    for s in q.all("subquestion") {
        let l = tidy_line(&s.rich_text());
        let r = s
            .child("answer")
            .map(|a| tidy_line(a.child("text").map(|t| t.text.as_str()).unwrap_or("")))
            .unwrap_or_default();
        if l.is_empty() {
            // Moodle's extra wrong answers: a right-hand item matching nothing.
            distractors += 1;
        } else {
            left.push(l);
            right.push(r);
        }
    }
    if distractors > 0 {
        problems.push(Message::new("err-moodle-matching-distractor").arg("n", distractors));
        return None;
    }
    Some((Body::Matching { options: left.len() }, left, right))
}

fn ordering(q: &Node) -> Option<Parts> {
    let steps: Vec<String> = q.all("answer").map(|a| tidy_line(&a.rich_text())).collect();
    Some((Body::Ordering { options: steps.len() }, steps, Vec::new()))
}

/// The elements of a document, refusing a DTD, an unknown entity and nesting deeper than
/// [`MAX_DEPTH`]. Errors carry the line.
fn read_tree(text: &str) -> Result<Node, (usize, Message)> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let bytes = text.as_bytes();
    let (mut counted, mut line) = (0usize, 1usize);
    let mut line_at = |pos: usize| {
        let pos = pos.min(bytes.len());
        if pos > counted {
            line += bytes[counted..pos].iter().filter(|b| **b == b'\n').count();
            counted = pos;
        }
        line
    };
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0usize;
    loop {
        let at = reader.buffer_position() as usize;
        let here = line_at(at);
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(_) => {
                let pos = reader.error_position() as usize;
                return Err((line_at(pos), Message::new("err-moodle-malformed")));
            }
        };
        match ev {
            Event::DocType(_) => return Err((here, Message::new("err-moodle-doctype"))),
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err((here, Message::new("err-moodle-malformed")));
            }
            Event::Start(_) | Event::Empty(_) if elements >= MAX_ELEMENTS => {
                return Err((
                    here,
                    Message::new("err-moodle-too-many-elements").arg("max", MAX_ELEMENTS),
                ));
            }
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((here, Message::new("err-moodle-too-deep").arg("max", MAX_DEPTH)));
                }
                elements += 1;
                stack.push(node(&e, here)?);
            }
            Event::Empty(e) => {
                elements += 1;
                let n = node(&e, here)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::End(_) => {
                let Some(n) = stack.pop() else {
                    return Err((here, Message::new("err-moodle-malformed")));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::Text(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match quick_xml::escape::resolve_xml_entity(&r) {
                    Some(s) => Some(s.to_string()),
                    None => r.resolve_char_ref().ok().flatten().map(String::from),
                };
                let Some(s) = resolved else {
                    return Err((here, Message::new("err-moodle-malformed")));
                };
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root {
        Some(root) if stack.is_empty() => Ok(root),
        _ => Err((line_at(bytes.len()), Message::new("err-moodle-malformed"))),
    }
}

fn node(e: &BytesStart, line: usize) -> Result<Node, (usize, Message)> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|_| (line, Message::new("err-moodle-malformed")))?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|_| (line, Message::new("err-moodle-malformed")))?;
        attrs.push((a.key.as_ref().to_string(), v.into_owned()));
    }
    Ok(Node {
        name: e.name().as_ref().to_string(),
        attrs,
        line,
        ..Node::default()
    })
}

/// A Moodle category path (`$course$/top/Lừa đảo/Tin nhắn`) as a pool name: the segments after
/// the context and `top`, joined by " / " (a `//` in a segment is a slash in its name).
fn pool_name(path: &str) -> String {
    let path = path.replace("//", "\u{0}");
    let mut segments: Vec<String> = path
        .split('/')
        .map(|s| tidy_line(&s.replace('\u{0}', "/")))
        .filter(|s| !s.is_empty())
        .collect();
    if segments.first().is_some_and(|s| s.starts_with('$') && s.ends_with('$')) {
        segments.remove(0);
    }
    if segments.first().is_some_and(|s| s == "top") {
        segments.remove(0);
    }
    segments.join(" / ")
}

/// HTML reduced to its text: tags gone (block ends and `<br>` are line breaks), scripts and
/// styles dropped with their content, entities decoded, lines tidied.
fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        if let Some(body) = after.strip_prefix("<!--") {
            rest = body.find("-->").map(|e| &body[e + 3..]).unwrap_or("");
            continue;
        }
        if !after[1..].starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?')) {
            // "a < b" is text, not a tag.
            out.push('<');
            rest = &after[1..];
            continue;
        }
        let Some(gt) = after.find('>') else {
            // A lone "<" is text.
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = &after[1..gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &after[gt + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let close = format!("</{name}");
            rest = find_ascii_ci(rest, &close)
                .and_then(|e| rest[e..].find('>').map(|g| &rest[e + g + 1..]))
                .unwrap_or("");
            continue;
        }
        if matches!(
            name.as_str(),
            "br" | "p"
                | "div"
                | "li"
                | "tr"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "ul"
                | "ol"
                | "table"
                | "blockquote"
        ) {
            out.push('\n');
        } else if matches!(name.as_str(), "td" | "th") {
            out.push(' ');
        }
    }
    out.push_str(rest);
    tidy(&decode_entities(&out))
}

/// The first place of `needle` (ASCII) in `haystack`, ignoring ASCII case; no copy, so scanning
/// stays linear however many scripts a text holds.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        // Only a short name is an entity: a look that stays short keeps the scan linear.
        let end = after.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let v = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(v)
                }
            }?;
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// NFC, no control characters, white space collapsed within each line, empty lines dropped.
fn tidy(s: &str) -> String {
    let nfc: String = s
        .nfc()
        .map(|c| if c == '\u{a0}' || c == '\t' { ' ' } else { c })
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    nfc.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Like [`tidy`], on one line (options and names).
fn tidy_line(s: &str) -> String {
    tidy(s).replace('\n', " ")
}

fn first_words(stem: &str) -> String {
    let words: Vec<&str> = stem.split_whitespace().take(8).collect();
    words.join(" ")
}

/// An ASCII slug (`lừa đảo qua OTP` → `lua-dao-qua-otp`), `fallback` when nothing is left.
fn slug(s: &str, fallback: &str) -> String {
    let folded = crate::text::fold(s);
    let ascii: String = folded
        .split(' ')
        .map(|w| w.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let mut cut: String = ascii.chars().take(MAX_CODE_CHARS).collect();
    while cut.ends_with('-') {
        cut.pop();
    }
    if cut.is_empty() { fallback.to_string() } else { cut }
}

/// `base`, or `base-2`, `base-3` … (before the extension of a file name) when taken.
fn unique(taken: &mut HashSet<String>, base: &str) -> String {
    let (stem, ext) = match base.rsplit_once('.') {
        Some((s, e)) => (s, format!(".{e}")),
        None => (base, String::new()),
    };
    let mut candidate = base.to_string();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{stem}-{n}{ext}");
        n += 1;
    }
    candidate
}

fn shown_stem(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|| name.to_string())
}

fn image_extension(kind: ImageKind) -> &'static str {
    match kind {
        ImageKind::Jpeg => "jpg",
        ImageKind::Png => "png",
        ImageKind::WebP => "webp",
        ImageKind::Gif => "gif",
    }
}

/// The `alt` text of the first picture an HTML text shows that has one, as plain text.
fn img_alt(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<img") {
        let start = from + at;
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let tag = &html[start..end];
        let tag_lower = &lower[start..end];
        if let Some(a) = tag_lower.find(" alt=").or_else(|| tag_lower.find("\talt=")) {
            let rest = &tag[a + 5..];
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                _ => rest.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or(""),
            };
            let text = tidy_line(&plain_text(value));
            if !text.is_empty() {
                return text;
            }
        }
        from = end;
    }
    String::new()
}

fn audio_extension(format: AudioFormat) -> &'static str {
    match format {
        AudioFormat::Wav => "wav",
        AudioFormat::Flac => "flac",
        AudioFormat::OggVorbis => "ogg",
        AudioFormat::OggOpus => "opus",
        AudioFormat::Mp3 => "mp3",
        AudioFormat::Aac => "aac",
        AudioFormat::Mp4 => "m4a",
    }
}

/// A Moodle XML file of `items` (pool, item) that [`parse`] reads back as the same items and
/// Moodle's own import takes: a `<question type="category">` before each run of one pool (a
/// category path split at each "/", so "Lừa đảo/Tin nhắn" comes back as [`parse`] writes pools,
/// "Lừa đảo / Tin nhắn"), the code as the name and the ID
/// number, plain text (`format="plain_text"`), the explanation as general feedback; every type
/// of item, ordering as the qtype_ordering plugin's question. Only the Vietnamese text is
/// written, and no picture (the item names a file of the bank; its bytes are not here).
pub fn write(items: &[(String, Item)]) -> Result<Vec<u8>, Message> {
    use std::fmt::Write as _;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    let mut pool: Option<&str> = None;
    let text = |s: &str| format!("<text>{}</text>", xml_text(s));
    let plain = |tag: &str, s: &str| format!("<{tag} format=\"plain_text\">{}</{tag}>", text(s));
    for (p, item) in items {
        if pool != Some(p.as_str()) {
            let segments: Vec<&str> = p.split('/').map(str::trim).filter(|s| !s.is_empty()).collect();
            let mut path = String::from("$course$/top");
            for s in &segments {
                path.push('/');
                path.push_str(s);
            }
            let _ = write!(
                out,
                "  <question type=\"category\">\n    <category>{}</category>\n  </question>\n",
                text(&path)
            );
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
        let kind = match item.body {
            Body::SingleChoice { .. } | Body::MultipleChoice { .. } => "multichoice",
            Body::TrueFalse { .. } => "truefalse",
            Body::Ordering { .. } => "ordering",
            Body::Matching { .. } => "matching",
        };
        let _ = write!(
            out,
            "  <question type=\"{kind}\">\n    <name>{}</name>\n    {}\n    {}\n    \
             <defaultgrade>1</defaultgrade>\n    <penalty>0.3333333</penalty>\n    <hidden>0</hidden>\n    \
             <idnumber>{}</idnumber>\n",
            text(&item.code),
            plain("questiontext", &t.stem),
            plain("generalfeedback", &t.explanation),
            xml_text(&item.code),
        );
        let answer = |fraction: &str, s: &str| {
            format!(
                "    <answer fraction=\"{fraction}\" format=\"plain_text\">{}<feedback format=\"plain_text\"><text></text></feedback></answer>\n",
                text(s)
            )
        };
        match &item.body {
            Body::SingleChoice { correct, .. } => {
                out.push_str("    <single>true</single>\n    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>abc</answernumbering>\n");
                for (i, o) in t.options.iter().enumerate() {
                    out.push_str(&answer(if i == *correct { "100" } else { "0" }, o));
                }
            }
            Body::MultipleChoice { correct, .. } => {
                out.push_str("    <single>false</single>\n    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>abc</answernumbering>\n");
                let right = super::gift::fraction(100.0 / correct.len().max(1) as f64);
                let wrong = format!(
                    "-{}",
                    super::gift::fraction(100.0 / t.options.len().saturating_sub(correct.len()).max(1) as f64)
                );
                for (i, o) in t.options.iter().enumerate() {
                    out.push_str(&answer(if correct.contains(&i) { &right } else { &wrong }, o));
                }
            }
            Body::TrueFalse { answer: truth } => {
                for (value, name) in [(true, "true"), (false, "false")] {
                    let fraction = if value == *truth { "100" } else { "0" };
                    let _ = writeln!(
                        out,
                        "    <answer fraction=\"{fraction}\" format=\"moodle_auto_format\"><text>{name}</text><feedback format=\"plain_text\"><text></text></feedback></answer>"
                    );
                }
            }
            Body::Ordering { .. } => {
                out.push_str("    <layouttype>VERTICAL</layouttype>\n    <selecttype>ALL</selecttype>\n    <selectcount>0</selectcount>\n    <gradingtype>ABSOLUTE_POSITION</gradingtype>\n");
                for (i, o) in t.options.iter().enumerate() {
                    // qtype_ordering keeps the right order in the answers' order; its fraction is
                    // the position.
                    out.push_str(&answer(&format!("{}", i + 1), o));
                }
            }
            Body::Matching { .. } => {
                out.push_str("    <shuffleanswers>true</shuffleanswers>\n");
                for (l, r) in t.options.iter().zip(&t.matches) {
                    let _ = writeln!(
                        out,
                        "    <subquestion format=\"plain_text\">{}<answer>{}</answer></subquestion>",
                        text(l),
                        text(r)
                    );
                }
            }
        }
        out.push_str("  </question>\n");
    }
    out.push_str("</quiz>\n");
    Ok(out.into_bytes())
}

/// Text as XML character data: markup escaped, and the characters XML 1.0 cannot carry (other
/// control characters) left out rather than making the file unreadable.
pub(crate) fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::item::Difficulty;
    use crate::i18n::Lang;
    use crate::learning::CompetenceRef;

    fn defaults() -> Defaults {
        Defaults {
            competence: CompetenceRef {
                framework: "digcomp22".into(),
                code: "4.1".into(),
            },
            level: "1".into(),
            difficulty: Difficulty::Easy,
        }
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn keys(imported: &Imported) -> Vec<(String, String)> {
        imported
            .problems
            .iter()
            .map(|p| (p.question.clone(), p.message.key.clone()))
            .collect()
    }

    fn quiz(questions: &str) -> String {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n{questions}\n</quiz>\n")
    }

    fn mc(name: &str, single: bool, answers: &[(&str, &str)], feedback: &str) -> String {
        let answers: String = answers
            .iter()
            .map(|(f, t)| format!("<answer fraction=\"{f}\" format=\"html\"><text><![CDATA[<p>{t}</p>]]></text><feedback format=\"html\"><text></text></feedback></answer>\n"))
            .collect();
        format!(
            "<question type=\"multichoice\"><name><text>{name}</text></name>\
             <questiontext format=\"html\"><text><![CDATA[<p>{name}?</p>]]></text></questiontext>\
             <generalfeedback format=\"html\"><text>{feedback}</text></generalfeedback>\
             <single>{single}</single><shuffleanswers>true</shuffleanswers>\n{answers}</question>"
        )
    }

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    fn wav() -> Vec<u8> {
        let mut w = b"RIFF\x24\0\0\0WAVEfmt ".to_vec();
        w.extend_from_slice(&[0; 24]);
        w
    }

    #[test]
    fn a_scam_recognition_bank_is_imported() {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Nhận biết lừa đảo/Tin nhắn giả mạo</text></category>
  </question>
  <question type="multichoice">
    <name><text>Tin nhắn OTP giả</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Bạn nhận được tin nhắn:&nbsp;<b>“Tài khoản của bạn bị khoá, gửi mã OTP để mở”</b>.<br>Bạn nên làm gì?</p><p><img src="@@PLUGINFILE@@/tin-nhan.png" alt="Ảnh chụp tin nhắn &quot;Tài khoản bị khoá&quot;"></p><script>alert(1)</script>]]></text>
      <file name="tin-nhan.png" path="/" encoding="base64">{png}</file>
      <file name="loi-canh-bao.wav" path="/" encoding="base64">{wav}</file>
      <file name="huong-dan.pdf" path="/" encoding="base64">{pdf}</file>
    </questiontext>
    <generalfeedback format="html"><text>&lt;p&gt;Ngân hàng &amp;amp; công an không bao giờ hỏi mã OTP.&lt;/p&gt;</text></generalfeedback>
    <single>true</single>
    <answer fraction="100" format="html"><text>Không gửi, gọi tổng đài ngân hàng</text></answer>
    <answer fraction="0" format="html"><text>Gửi mã OTP ngay</text></answer>
    <answer fraction="-33.33333" format="html"><text>Bấm vào đường link trong tin</text></answer>
  </question>
  {multi}
  <question type="category">
    <category><text>$course$/top/Nhận biết lừa đảo/Cuộc gọi//video</text></category>
  </question>
  <question type="truefalse">
    <name><text>Công an gọi video</text></name>
    <questiontext format="html"><text>Công an có thể làm việc với người dân qua cuộc gọi video.</text></questiontext>
    <generalfeedback format="html"><text>Công an mời lên trụ sở bằng giấy mời, không làm việc qua video.</text></generalfeedback>
    <answer fraction="0" format="moodle_auto_format"><text>true</text></answer>
    <answer fraction="100" format="moodle_auto_format"><text>false</text></answer>
  </question>
  <question type="matching">
    <name><text>Dấu hiệu lừa đảo</text></name>
    <questiontext format="html"><text>Ghép mỗi thủ đoạn với dấu hiệu của nó.</text></questiontext>
    <generalfeedback format="html"><text>Mỗi thủ đoạn đều tạo cảm giác gấp gáp.</text></generalfeedback>
    <subquestion format="html"><text>Tin trúng thưởng</text><answer><text>Đòi nộp phí nhận quà</text></answer></subquestion>
    <subquestion format="html"><text>Việc nhẹ lương cao</text><answer><text>Đòi đặt cọc trước</text></answer></subquestion>
  </question>
  <question type="ordering">
    <name><text>Khi lỡ chuyển tiền</text></name>
    <questiontext format="html"><text>Sắp xếp các bước khi lỡ chuyển tiền cho kẻ lừa đảo.</text></questiontext>
    <generalfeedback format="html"><text>Báo ngân hàng trước để kịp phong toả.</text></generalfeedback>
    <answer fraction="1" format="moodle_auto_format"><text>Gọi ngân hàng yêu cầu phong toả</text></answer>
    <answer fraction="2" format="moodle_auto_format"><text>Báo công an nơi gần nhất</text></answer>
    <answer fraction="3" format="moodle_auto_format"><text>Cảnh báo người thân</text></answer>
  </question>
  {multi}
</quiz>
"#,
            png = b64(PNG),
            wav = b64(&wav()),
            pdf = b64(b"%PDF-1.4 huong dan"),
            multi = mc(
                "Dấu hiệu tin nhắn lừa đảo",
                false,
                &[
                    ("50", "Đường link lạ"),
                    ("50", "Giục làm ngay"),
                    ("-100", "Có tên người gửi"),
                    ("0", "Viết đúng chính tả")
                ],
                "Kẻ gian dùng link lạ và sự gấp gáp."
            ),
        );
        let got = parse(xml.as_bytes(), &defaults());
        assert_eq!(
            keys(&got),
            [
                ("Tin nhắn OTP giả".to_string(), "err-moodle-audio-not-kept".to_string()),
                ("Tin nhắn OTP giả".to_string(), "err-moodle-file-kind".to_string())
            ]
        );
        assert_eq!(got.problems[0].line, Some(7));
        let codes: Vec<&str> = got.items.iter().map(|(_, i)| i.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "tin-nhan-otp-gia",
                "dau-hieu-tin-nhan-lua-dao",
                "cong-an-goi-video",
                "dau-hieu-lua-dao",
                "khi-lo-chuyen-tien",
                "dau-hieu-tin-nhan-lua-dao-2"
            ]
        );
        let pools: Vec<&str> = got.items.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(pools[0], "Nhận biết lừa đảo / Tin nhắn giả mạo");
        assert_eq!(pools[2], "Nhận biết lừa đảo / Cuộc gọi/video");
        for (_, item) in &got.items {
            assert_eq!(item.problems(), Vec::<Message>::new());
        }
        let otp = &got.items[0].1;
        assert_eq!(otp.body, Body::SingleChoice { options: 3, correct: 0 });
        let t = &otp.texts[0].1;
        assert_eq!(
            t.stem,
            "Bạn nhận được tin nhắn: “Tài khoản của bạn bị khoá, gửi mã OTP để mở”.\nBạn nên làm gì?"
        );
        assert_eq!(t.explanation, "Ngân hàng & công an không bao giờ hỏi mã OTP.");
        assert_eq!(t.options[2], "Bấm vào đường link trong tin");
        assert_eq!(otp.picture.as_deref(), Some("tin-nhan.png"));
        assert_eq!(t.picture_alt, "Ảnh chụp tin nhắn \"Tài khoản bị khoá\"");
        assert_eq!(got.files, [("tin-nhan.png".to_string(), PNG.to_vec())]);
        assert_eq!(
            got.items[1].1.body,
            Body::MultipleChoice {
                options: 4,
                correct: BTreeSet::from([0, 1])
            }
        );
        assert_eq!(got.items[2].1.body, Body::TrueFalse { answer: false });
        let matching = &got.items[3].1;
        assert_eq!(matching.body, Body::Matching { options: 2 });
        assert_eq!(
            matching.texts[0].1.matches,
            ["Đòi nộp phí nhận quà", "Đòi đặt cọc trước"]
        );
        let ordering = &got.items[4].1;
        assert_eq!(ordering.body, Body::Ordering { options: 3 });
        assert_eq!(ordering.texts[0].1.options[0], "Gọi ngân hàng yêu cầu phong toả");
        assert_eq!((otp.level.as_str(), otp.difficulty), ("1", Difficulty::Easy));
        assert_eq!(otp.texts[0].0, ContentLang::Vi);
    }

    #[test]
    fn what_cannot_be_imported_is_named_with_its_reason() {
        let mut qs = String::new();
        for kind in [
            "essay",
            "numerical",
            "shortanswer",
            "description",
            "multianswer",
            "calculated",
            "calculatedsimple",
            "calculatedmulti",
            "ddwtos",
            "gapselect",
            "random",
        ] {
            qs.push_str(&format!(
                "<question type=\"{kind}\"><name><text>Câu {kind}</text></name><questiontext><text>Vì sao?</text></questiontext></question>\n"
            ));
        }
        let fb = "Vì kẻ gian giả danh.";
        qs.push_str(&mc("Tổng sai", false, &[("50", "A"), ("30", "B"), ("0", "C")], fb));
        qs.push_str(&mc("Không đáp án đúng", false, &[("0", "A"), ("-50", "B")], fb));
        qs.push_str(&mc("Tất cả đều đúng", false, &[("50", "A"), ("50", "B")], fb));
        qs.push_str(&mc("Một đáp án chưa chọn", true, &[("0", "A"), ("0", "B")], fb));
        qs.push_str(&mc("Hai đáp án 100", true, &[("100", "A"), ("100", "B")], fb));
        qs.push_str(&mc("Điểm một phần", true, &[("100", "A"), ("50", "B")], fb));
        qs.push_str(&mc("Thiếu giải thích", true, &[("100", "A"), ("0", "B")], ""));
        qs.push_str(&mc("Trùng phương án", true, &[("100", "A"), ("0", "A")], fb));
        qs.push_str(
            "<question type=\"matching\"><name><text>Ghép có mục thừa</text></name>\
             <questiontext><text>Ghép</text></questiontext><generalfeedback><text>Vì vậy.</text></generalfeedback>\
             <subquestion><text>OTP</text><answer><text>Mã một lần</text></answer></subquestion>\
             <subquestion><text>PIN</text><answer><text>Mã thẻ</text></answer></subquestion>\
             <subquestion><text></text><answer><text>Mật khẩu wifi</text></answer></subquestion></question>\n",
        );
        qs.push_str(
            "<question type=\"truefalse\"><name><text></text></name>\
             <questiontext><text>Ngân hàng gửi link qua tin nhắn để cập nhật thông tin là bình thường, đúng không?</text></questiontext>\
             <generalfeedback><text>Vì vậy.</text></generalfeedback></question>\n",
        );
        let got = parse(quiz(&qs).as_bytes(), &defaults());
        assert!(got.items.is_empty(), "{:?}", got.items);
        let k = keys(&got);
        assert_eq!(k.len(), 21, "{k:?}");
        for (i, kind) in ["essay", "numerical", "shortanswer", "description", "multianswer"]
            .iter()
            .enumerate()
        {
            assert_eq!(k[i], (format!("Câu {kind}"), "err-moodle-unsupported-type".to_string()));
            assert_eq!(got.problems[i].message.args, [("type".to_string(), kind.to_string())]);
            assert_eq!(got.problems[i].line, Some(3 + i));
        }
        let rest: Vec<(&str, &str)> = k[11..].iter().map(|(q, m)| (q.as_str(), m.as_str())).collect();
        assert_eq!(
            rest,
            [
                ("Tổng sai", "err-moodle-fractions-sum"),
                ("Không đáp án đúng", "err-item-no-correct"),
                ("Tất cả đều đúng", "err-item-all-correct"),
                ("Một đáp án chưa chọn", "err-item-no-correct"),
                ("Hai đáp án 100", "err-moodle-several-correct"),
                ("Điểm một phần", "err-moodle-partial-credit"),
                ("Thiếu giải thích", "err-item-no-explanation"),
                ("Trùng phương án", "err-item-same-option"),
                ("Ghép có mục thừa", "err-moodle-matching-distractor"),
                // No name: the first words of the question.
                ("Ngân hàng gửi link qua tin nhắn để", "err-item-no-correct"),
            ]
        );
        assert_eq!(got.problems[11].message.args, [("sum".to_string(), "80".to_string())]);
        for p in &got.problems {
            for lang in [Lang::Vi, Lang::En] {
                let text = p.message.render(lang);
                assert!(!text.starts_with("err-"), "{text}");
            }
        }
    }

    #[test]
    fn thirds_add_up_and_damaged_or_extra_files_are_left_out() {
        let fb = "Cả ba đều là dấu hiệu.";
        let mut q = mc(
            "Ba dấu hiệu",
            false,
            &[
                ("33.33333", "Link lạ"),
                ("33.33333", "Giục gấp"),
                ("33.33333", "Đòi OTP"),
                ("-100", "Chữ ký ngân hàng"),
            ],
            fb,
        );
        q = q.replace(
            "</question>",
            &format!(
                "<file name=\"a.gif\" encoding=\"base64\">{}</file><file name=\"b.png\" encoding=\"base64\">{}</file>\
                 <file name=\"c.jpg\" encoding=\"base64\">@@không phải base64@@</file><file name=\"x.svg\" encoding=\"base64\">{}</file></question>",
                b64(b"GIF89a...."),
                b64(PNG),
                b64(b"<svg onload='alert(1)'/>")
            ),
        );
        let got = parse(quiz(&q).as_bytes(), &defaults());
        assert_eq!(got.items.len(), 1);
        assert_eq!(got.items[0].0, "");
        assert_eq!(got.items[0].1.picture.as_deref(), Some("a.gif"));
        assert_eq!(got.files.len(), 1);
        let k: Vec<String> = got.problems.iter().map(|p| p.message.key.clone()).collect();
        assert_eq!(
            k,
            [
                "err-moodle-extra-picture",
                "err-moodle-file-damaged",
                "err-moodle-file-kind"
            ]
        );
    }

    #[test]
    fn hostile_files_are_refused_with_one_problem() {
        let one = |bytes: &[u8]| {
            let got = parse(bytes, &defaults());
            assert!(got.items.is_empty());
            assert_eq!(got.problems.len(), 1, "{:?}", got.problems);
            (got.problems[0].message.key.clone(), got.problems[0].line)
        };
        let doctype = "<?xml version=\"1.0\"?>\n<!DOCTYPE quiz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n<quiz>&lol2;</quiz>";
        assert_eq!(one(doctype.as_bytes()), ("err-moodle-doctype".into(), Some(2)));
        let external = "<quiz><question type=\"truefalse\"><name><text>&xxe;</text></name></question></quiz>";
        assert_eq!(one(external.as_bytes()).0, "err-moodle-malformed");
        let unterminated = "<quiz>\n<question type=\"truefalse\">\n<name><text>Câu { chưa đóng</text>\n</quiz>";
        assert_eq!(one(unterminated.as_bytes()).0, "err-moodle-malformed");
        assert_eq!(one(b"<quiz><question").0, "err-moodle-malformed");
        assert_eq!(one(b"").0, "err-moodle-malformed");
        assert_eq!(one(b"<quiz></quiz><quiz></quiz>").0, "err-moodle-malformed");
        let deep = format!("<quiz>{}{}</quiz>", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert_eq!(one(deep.as_bytes()), ("err-moodle-too-deep".into(), Some(1)));
        let flat = format!("<quiz>{}</quiz>", "<a/>".repeat(MAX_ELEMENTS + 1));
        assert_eq!(one(flat.as_bytes()).0, "err-moodle-too-many-elements");
        let huge = vec![b' '; MAX_BYTES + 1];
        assert_eq!(one(&huge), ("err-moodle-too-big".into(), None));
        let mut bad_utf8 = b"<quiz>\n<question type=\"truefalse\"><name><text>L".to_vec();
        bad_utf8.extend_from_slice(&[0xE1, 0xBB, 0x28]);
        bad_utf8.extend_from_slice(b"a</text></name></question></quiz>");
        assert_eq!(one(&bad_utf8), ("err-moodle-not-utf8".into(), Some(2)));
        assert_eq!(one(b"<html><body>Hi</body></html>").0, "err-moodle-not-quiz");
        let many = quiz(&"<question type=\"truefalse\"></question>".repeat(MAX_QUESTIONS + 1));
        assert_eq!(one(many.as_bytes()).0, "err-moodle-too-many");
        for key in [
            "err-moodle-doctype",
            "err-moodle-too-deep",
            "err-moodle-too-big",
            "err-moodle-not-utf8",
            "err-moodle-not-quiz",
            "err-moodle-malformed",
        ] {
            let m = Message::new(key).arg("max", 10).arg("n", 5001);
            assert!(!m.render(Lang::Vi).starts_with("err-"), "{key}");
        }
        // A byte-order mark is not a problem.
        let bom = [b"\xEF\xBB\xBF".as_slice(), quiz("").as_bytes()].concat();
        assert_eq!(parse(&bom, &defaults()), Imported::default());
    }

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            plain_text(
                "<p>Dòng 1</p><p>Dòng&nbsp;&nbsp;2 &lt;b&gt; a < b</p><style>p{}</style><!-- x -->&#7843;&#x1EA1;&bogus;"
            ),
            "Dòng 1\nDòng 2 <b> a < b\nảạ&bogus;"
        );
        // Decomposed Vietnamese is stored composed (NFC).
        assert_eq!(plain_text("Lu\u{0300}a da\u{0309}o"), "Lùa dảo");
        assert_eq!(plain_text("<b>không đóng"), "không đóng");
        assert_eq!(plain_text("x <unterminated"), "x <unterminated");
        // Hostile HTML stays linear: many scripts, a sea of ampersands. (No clock here: a
        // quadratic scan of these inputs would take hours and hit the suite's time limit.)
        let scripts = "<SCRIPT>x</script>".repeat(200_000);
        assert_eq!(plain_text(&scripts), "");
        assert_eq!(plain_text(&"&".repeat(2_000_000)).len(), 2_000_000);
        assert_eq!(slug("Đ!@# ", "cau-hoi"), "d");
        assert_eq!(slug("!!!", "cau-hoi"), "cau-hoi");
        assert_eq!(pool_name("$course$/top"), "");
        assert_eq!(pool_name("$system$/top/Lừa đảo"), "Lừa đảo");
    }

    #[test]
    fn a_written_bank_reads_back_the_same() {
        let mut bank: Vec<(String, Item)> = crate::assessment::xlsx_items::tests::bank()
            .into_iter()
            .map(|(pool, mut item)| {
                // What Moodle XML carries of an item: the import's defaults stand for the rest.
                item.competence = defaults().competence;
                item.level = defaults().level;
                item.difficulty = defaults().difficulty;
                (pool.replace('/', " / "), item)
            })
            .collect();
        let t = &mut bank[0].1.texts[0].1;
        t.stem = "Nếu x < 5 & y > 3 thì <b>đậm</b>?\n]]> \"cuối\"".into();
        t.options[0] = "<script>alert(1)</script> &amp;".into();
        let bytes = write(&bank).unwrap();
        let back = parse(&bytes, &defaults());
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(keys(&back), vec![], "{text}");
        assert_eq!(back.items, bank, "{text}");
        // Three right answers of four: thirds that Moodle and the reader both take for 100%.
        let mut three = bank[1].clone();
        three.1.body = Body::MultipleChoice {
            options: 4,
            correct: BTreeSet::from([0, 1, 3]),
        };
        let bytes = write(std::slice::from_ref(&three)).unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains("fraction=\"33.33333\""));
        assert_eq!(parse(&bytes, &defaults()).items, vec![three]);
    }
}
