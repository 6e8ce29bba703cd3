//! IMS QTI 2.1 question items read into items (issue 10 §1): one `assessmentItem` file, or a
//! content package (a zip whose `imsmanifest.xml` lists item resources). Supported: a
//! `choiceInteraction` (one choice allowed: single choice, or true/false when its two choices are
//! Đúng/Sai or True/False; more: multiple choice), an `orderInteraction` (ordering), and a
//! `matchInteraction` or `associateInteraction` whose right pairs match each choice with exactly
//! one other (matching). The key is the response declaration's `correctResponse`; the
//! explanation is the item's `modalFeedback` and `feedbackBlock` text. Every other item (text
//! entry, extended text, hotspot and the rest; a missing or partial key; a key naming a choice the
//! item does not have; a picture in an option, a sound or a formula the text would lose) is
//! reported with its title and the reason. One picture in a packaged question's text becomes the
//! item's picture (its bytes in `Imported::files`, named after the item's code); a single item
//! file cannot carry one. Markup is reduced to plain text, line breaks kept. No DTD is read,
//! sizes, depth and element counts are bounded, and a package's entries are read through caps
//! with no name leaving the package.

use super::import::{Codes, Defaults, ImportProblem, Imported, MAX_IMPORT_BYTES, MAX_IMPORT_QUESTIONS, label};
use super::item::{Body, Item, ItemText};
use crate::i18n::Message;
use crate::learning::media::{ImageKind, MAX_IMAGE_UPLOAD_BYTES};
use crate::learning::{CompetenceRef, ContentLang};
use crate::xlsx::{Unopened, open_zip};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use unicode_normalization::UnicodeNormalization;

/// The deepest element nesting read: an item's XHTML body rarely passes ten.
pub const MAX_DEPTH: usize = 64;
/// The most elements one XML file may have.
pub const MAX_ELEMENTS: usize = 100_000;
/// The most elements a manifest may have: a package of the most questions one import takes, each
/// resource with its metadata as [`write_package`] writes it (under fifty elements) and files.
pub const MAX_MANIFEST_ELEMENTS: usize = 64 * MAX_IMPORT_QUESTIONS + 1_000;
/// The largest item file read from a package.
pub const MAX_ITEM_BYTES: usize = 1024 * 1024;
/// The largest manifest read.
pub const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;
/// Bytes all the files read from one package may inflate to, together.
pub const MAX_PACKAGE_INFLATED: usize = 128 * 1024 * 1024;
/// Entries a package may have: an item file and a picture for each question, and some more.
pub const MAX_PACKAGE_ENTRIES: usize = 2 * MAX_IMPORT_QUESTIONS + 100;

const MANIFEST: &str = "imsmanifest.xml";

mod write;
pub use write::{CODE_CATALOG, POOL_SOURCE, write_package};

// The file type bits of a unix mode, as zip tools store it in the external attributes.
const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;

/// An element with its content in document order (text between child elements matters here:
/// `<p>Gọi <b>113</b> ngay</p>`). Names are local: a QTI file may bind its namespace to a prefix.
#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    content: Vec<Content>,
    line: usize,
}

/// What an element holds besides text: the pictures it shows (their `src`), and whether it holds
/// something else text cannot carry (a sound, a video, a formula).
#[derive(Debug, Default)]
struct Media {
    pictures: Vec<String>,
    /// Each picture's `alt` text (empty when it has none), in the order of `pictures`.
    alts: Vec<String>,
    other: bool,
}

impl Media {
    fn any(&self) -> bool {
        self.other || !self.pictures.is_empty()
    }
}

#[derive(Debug)]
enum Content {
    El(El),
    Text(String),
}

impl El {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn children(&self) -> impl Iterator<Item = &El> {
        self.content.iter().filter_map(|c| match c {
            Content::El(e) => Some(e),
            Content::Text(_) => None,
        })
    }
    fn child(&self, name: &str) -> Option<&El> {
        self.children().find(|c| c.name == name)
    }
    /// Every element below this one (not itself) named `name`, in document order.
    fn descendants<'a>(&'a self, name: &str, out: &mut Vec<&'a El>) {
        for c in self.children() {
            if c.name == name {
                out.push(c);
            }
            c.descendants(name, out);
        }
    }
    /// Every element below this one whose name says it is an interaction.
    fn interactions<'a>(&'a self, out: &mut Vec<&'a El>) {
        for c in self.children() {
            if c.name.ends_with("Interaction") {
                out.push(c);
            } else {
                c.interactions(out);
            }
        }
    }
    /// All the text of the element, and what it holds that text cannot carry.
    fn text(&self) -> (String, Media) {
        let mut out = String::new();
        let mut media = Media::default();
        render(self, &mut out, &mut media, true);
        (tidy(&out), media)
    }
}

/// Plain text of `el`'s content: a block element or `<br>` is a line break; interactions and
/// feedback are not part of the text they sit in, so they are left out below the top.
fn render(el: &El, out: &mut String, media: &mut Media, top: bool) {
    if !top
        && (el.name.ends_with("Interaction")
            || matches!(el.name.as_str(), "feedbackBlock" | "feedbackInline" | "rubricBlock"))
    {
        return;
    }
    let picture = match el.name.as_str() {
        "img" => Some(el.attr("src")),
        "object" if el.attr("type").is_some_and(|t| t.starts_with("image/")) => Some(el.attr("data")),
        _ => None,
    };
    match picture {
        Some(Some(src)) => {
            media.pictures.push(src.trim().to_string());
            let alt = el.attr("alt").unwrap_or("");
            media.alts.push(alt.split_whitespace().collect::<Vec<_>>().join(" "));
            return;
        }
        Some(None) => {
            media.other = true;
            return;
        }
        None => {}
    }
    if matches!(
        el.name.as_str(),
        "object" | "audio" | "video" | "math" | "printedVariable"
    ) {
        media.other = true;
        return;
    }
    let block = matches!(
        el.name.as_str(),
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "tr"
            | "table"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "prompt"
            | "pre"
    );
    if block {
        out.push('\n');
    } else if matches!(el.name.as_str(), "td" | "th") {
        out.push(' ');
    }
    for c in &el.content {
        match c {
            Content::Text(t) => out.push_str(t),
            Content::El(e) => render(e, out, media, false),
        }
    }
    if block {
        out.push('\n');
    }
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

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.to_string(),
    }
}

fn element(e: &BytesStart, line: usize) -> Result<El, (usize, Message)> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|_| (line, Message::new("err-qti-malformed")))?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|_| (line, Message::new("err-qti-malformed")))?;
        attrs.push((local(a.key.as_ref()), v.into_owned()));
    }
    attrs.shrink_to_fit();
    Ok(El {
        name: local(e.name().as_ref()),
        attrs,
        line,
        content: Vec::new(),
    })
}

/// The document's root element, refusing a DTD, an unknown entity, nesting deeper than
/// [`MAX_DEPTH`] and more than [`MAX_ELEMENTS`] elements. Errors carry the line.
fn read_tree(text: &str) -> Result<El, (usize, Message)> {
    read_tree_capped(text, MAX_ELEMENTS, false)
}

/// [`read_tree`] with room for `max_elements` elements; `structure` drops the white space between
/// elements (a manifest's indentation: no text of it is read, and a large one would hold
/// hundreds of thousands of such strings).
fn read_tree_capped(text: &str, max_elements: usize, structure: bool) -> Result<El, (usize, Message)> {
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
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    let mut elements = 0usize;
    let malformed = || Message::new("err-qti-malformed");
    let push_text = |stack: &mut Vec<El>, s: &str| {
        if let Some(top) = stack.last_mut() {
            match top.content.last_mut() {
                Some(Content::Text(t)) => t.push_str(s),
                _ => top.content.push(Content::Text(s.to_string())),
            }
        }
    };
    loop {
        let here = line_at(reader.buffer_position() as usize);
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(_) => {
                let pos = reader.error_position() as usize;
                return Err((line_at(pos), malformed()));
            }
        };
        match ev {
            Event::DocType(_) => return Err((here, Message::new("err-qti-doctype"))),
            Event::Start(_) | Event::Empty(_) if root.is_some() => return Err((here, malformed())),
            Event::Start(_) | Event::Empty(_) if elements >= max_elements => {
                return Err((here, Message::new("err-qti-too-many-elements").arg("max", max_elements)));
            }
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((here, Message::new("err-qti-too-deep").arg("max", MAX_DEPTH)));
                }
                elements += 1;
                stack.push(element(&e, here)?);
            }
            Event::Empty(e) => {
                elements += 1;
                let el = element(&e, here)?;
                match stack.last_mut() {
                    Some(parent) => parent.content.push(Content::El(el)),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err((here, malformed()));
                };
                // A large manifest holds a quarter of a million elements: no growth slack kept.
                el.content.shrink_to_fit();
                match stack.last_mut() {
                    Some(parent) => parent.content.push(Content::El(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let t = t.xml10_content();
                if !(structure && t.trim().is_empty()) {
                    push_text(&mut stack, &t);
                }
            }
            Event::CData(t) => push_text(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match quick_xml::escape::resolve_xml_entity(&r) {
                    Some(s) => Some(s.to_string()),
                    // XHTML's &nbsp; is common in item bodies written by hand.
                    None if &*r == "nbsp" => Some("\u{a0}".to_string()),
                    None => r.resolve_char_ref().ok().flatten().map(String::from),
                };
                let Some(s) = resolved else {
                    return Err((here, malformed()));
                };
                push_text(&mut stack, &s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root {
        Some(root) if stack.is_empty() => Ok(root),
        _ => Err((line_at(bytes.len()), malformed())),
    }
}

/// An XML file's text: UTF-8, a byte-order mark dropped.
fn utf8(bytes: &[u8]) -> Result<&str, (usize, Message)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count();
        (line, Message::new("err-qti-not-utf8"))
    })
}

fn problem(question: &str, line: Option<usize>, message: Message) -> ImportProblem {
    ImportProblem {
        question: question.to_string(),
        line,
        column: None,
        message,
    }
}

/// Reads one QTI 2.1 `assessmentItem` file. Never fails: what cannot be imported is in `problems`.
pub fn parse_item(xml: &[u8], defaults: &Defaults) -> Imported {
    let mut out = Imported::default();
    if xml.len() > MAX_IMPORT_BYTES {
        out.problems.push(problem(
            "",
            None,
            Message::new("err-import-too-big").arg("max", MAX_IMPORT_BYTES / 1024 / 1024),
        ));
        return out;
    }
    let file = ItemFile {
        xml,
        shown: "",
        meta: &Meta::default(),
        translations: Vec::new(),
    };
    item_file(file, defaults, &mut Codes::default(), &mut out, None);
    out
}

/// What a package's manifest says of one item resource (its LOM metadata, as
/// [`write_package`] writes it; another tool's package rarely says any of it).
#[derive(Debug, Default)]
struct Meta {
    code: Option<String>,
    competence: Option<String>,
    level: Option<String>,
    difficulty: Option<String>,
    pool: Option<String>,
}

impl Meta {
    fn of(resource: &El) -> Meta {
        let mut meta = Meta::default();
        let Some(lom) = resource.child("metadata").and_then(|m| m.child("lom")) else {
            return meta;
        };
        let text = |el: Option<&El>| el.map(|e| e.text().0).filter(|t| !t.is_empty());
        // A LangString's text: its first <string>, or the element's own text.
        let lang_string = |el: Option<&El>| match el {
            Some(e) => text(e.child("string")).or_else(|| text(Some(e))),
            None => None,
        };
        if let Some(general) = lom.child("general") {
            for id in general.children().filter(|c| c.name == "identifier") {
                if text(id.child("catalog")).as_deref() == Some(CODE_CATALOG) {
                    meta.code = text(id.child("entry"));
                }
            }
        }
        meta.difficulty = text(
            lom.child("educational")
                .and_then(|e| e.child("difficulty"))
                .and_then(|d| d.child("value")),
        );
        for c in lom.children().filter(|c| c.name == "classification") {
            let purpose = text(c.child("purpose").and_then(|p| p.child("value")));
            let Some(path) = c.child("taxonPath") else { continue };
            let source = lang_string(path.child("source")).unwrap_or_default();
            let taxon = path.child("taxon");
            let id = text(taxon.and_then(|t| t.child("id")));
            match purpose.as_deref() {
                Some("competency") => meta.competence = id.map(|id| format!("{source}:{id}")),
                Some("skill level") => meta.level = id,
                Some("discipline") if source == POOL_SOURCE => {
                    meta.pool = lang_string(taxon.and_then(|t| t.child("entry")));
                }
                _ => {}
            }
        }
        meta
    }

    /// `defaults` with what the metadata says instead: a malformed value is a problem, not a
    /// fallback (the author would not see the item land elsewhere).
    fn defaults(&self, defaults: &Defaults) -> Result<Defaults, Vec<Message>> {
        let mut d = defaults.clone();
        let mut problems = Vec::new();
        if let Some(c) = &self.competence {
            match CompetenceRef::parse(c) {
                Some(c) => d.competence = c,
                None => problems.push(Message::new("err-qti-bad-competence").arg("value", c.as_str())),
            }
        }
        if let Some(l) = &self.level {
            d.level = l.clone();
        }
        if let Some(x) = &self.difficulty {
            match write::difficulty_of_lom(x) {
                Some(x) => d.difficulty = x,
                None => problems.push(Message::new("err-qti-bad-difficulty").arg("value", x.as_str())),
            }
        }
        if problems.is_empty() { Ok(d) } else { Err(problems) }
    }
}

/// One item file to read, with what its package says of it.
struct ItemFile<'a> {
    xml: &'a [u8],
    /// The file's name in a package's problems (empty for one file).
    shown: &'a str,
    meta: &'a Meta,
    /// The other item files of the item's resource, by name: the item in other languages.
    translations: Vec<(String, Vec<u8>)>,
}

/// Adds to `item` its text in each other language its resource carries: a file of the resource
/// that is an `assessmentItem` whose `xml:lang` names a language other than the main file's
/// (`main_lang`), with the same interaction, choices and key. Files of the resource that are no
/// item (a stylesheet, a page), or an item that says no language or the main file's, are not
/// translations.
fn translate(
    item: &mut Item,
    main_lang: &str,
    pictured: bool,
    files: &[(String, Vec<u8>)],
    defaults: &Defaults,
) -> Result<(), Vec<Message>> {
    for (name, xml) in files {
        let Ok(root) = utf8(xml).and_then(read_tree) else {
            continue;
        };
        if root.name != "assessmentItem" {
            continue;
        }
        let lang_attr = root.attr("lang").unwrap_or("").trim().to_string();
        if lang_attr.is_empty() || lang_attr.eq_ignore_ascii_case(main_lang) {
            continue;
        }
        let lang = match ContentLang::parse(&lang_attr) {
            Some(l) if l != ContentLang::Vi => l,
            _ => {
                return Err(vec![
                    Message::new("err-qti-translation-lang")
                        .arg("file", name.as_str())
                        .arg("lang", lang_attr),
                ]);
            }
        };
        let differs = || {
            vec![
                Message::new("err-qti-translation-differs")
                    .arg("file", name.as_str())
                    .arg("lang", lang.as_str()),
            ]
        };
        let (translated, picture) = self::item(&root, defaults).map_err(|_| differs())?;
        if translated.body != item.body || picture.is_some() != pictured {
            return Err(differs());
        }
        if let Some((_, t)) = translated.texts.into_iter().next() {
            item.texts.push((lang, t));
        }
    }
    Ok(())
}

/// One item file into `out`; `file` names it in the problems of a package (empty for one file).
/// Reads a file of the package named relative to the item file: `Ok(None)` when there is none.
type Fetch<'a> = &'a mut dyn FnMut(&str) -> Result<Option<Vec<u8>>, Message>;

fn item_file(f: ItemFile, defaults: &Defaults, codes: &mut Codes, out: &mut Imported, fetch: Option<Fetch>) {
    let file = f.shown;
    let root = match utf8(f.xml).and_then(read_tree) {
        Ok(root) => root,
        Err((line, message)) => {
            out.problems.push(problem(file, Some(line), message));
            return;
        }
    };
    if root.name != "assessmentItem" {
        out.problems.push(problem(
            file,
            Some(root.line),
            Message::new("err-qti-not-item").arg("root", &root.name),
        ));
        return;
    }
    let identifier = root.attr("identifier").unwrap_or("").trim().to_string();
    let title = root.attr("title").unwrap_or("").trim().to_string();
    // The main file's text becomes the Vietnamese text, whatever it says; one that says nothing
    // is taken for Vietnamese.
    let main_lang = match root.attr("lang").map(str::trim) {
        Some(l) if !l.is_empty() => l.to_string(),
        _ => ContentLang::Vi.as_str().to_string(),
    };
    let name = label(if title.is_empty() { &identifier } else { &title }, "");
    let shown = if file.is_empty() {
        name.clone()
    } else {
        format!("{name} ({file})")
    };
    let report = |out: &mut Imported, messages: Vec<Message>| {
        for m in messages {
            out.problems.push(problem(&shown, Some(root.line), m));
        }
    };
    let defaults = match f.meta.defaults(defaults) {
        Ok(d) => d,
        Err(messages) => return report(out, messages),
    };
    match item(&root, &defaults) {
        Err(messages) => report(out, messages),
        Ok((mut item, picture)) => {
            if let Err(messages) = translate(&mut item, &main_lang, picture.is_some(), &f.translations, &defaults) {
                return report(out, messages);
            }
            let problems = item.problems();
            if !problems.is_empty() {
                report(out, problems);
                return;
            }
            let picture = match (picture, fetch) {
                (None, _) => None,
                (Some(_), None) => {
                    report(out, vec![Message::new("err-qti-picture-needs-package")]);
                    return;
                }
                (Some(src), Some(fetch)) => match fetch(&src) {
                    Ok(Some(bytes)) => match ImageKind::sniff(&bytes) {
                        Some(kind) => Some((kind, bytes)),
                        None => {
                            report(out, vec![Message::new("err-qti-picture-kind").arg("href", &src)]);
                            return;
                        }
                    },
                    Ok(None) => {
                        report(out, vec![Message::new("err-qti-missing-file").arg("href", &src)]);
                        return;
                    }
                    Err(m) => {
                        report(out, vec![m]);
                        return;
                    }
                },
            };
            let base = if identifier.is_empty() { &title } else { &identifier };
            // The code the package gives the item, when it is one and this file has not used it.
            item.code = match &f.meta.code {
                Some(code) if super::bank::is_code(code) && codes.reserve(code) => code.clone(),
                _ => codes.next(base),
            };
            if let Some((kind, bytes)) = picture {
                // The item's code is unique in the import, and so is its picture's name.
                let name = format!("{}.{}", item.code, image_extension(kind));
                item.picture = Some(name.clone());
                out.files.push((name, bytes));
            }
            out.items.push((f.meta.pool.clone().unwrap_or_default(), item));
        }
    }
}

type Parts = (Body, Vec<String>, Vec<String>);

/// The item a file holds, with the `src` of the one picture its question shows, if any.
fn item(root: &El, defaults: &Defaults) -> Result<(Item, Option<String>), Vec<Message>> {
    let Some(item_body) = root.child("itemBody") else {
        return Err(vec![Message::new("err-qti-no-interaction")]);
    };
    let mut found = Vec::new();
    item_body.interactions(&mut found);
    let interaction = match found.as_slice() {
        [] => return Err(vec![Message::new("err-qti-no-interaction")]),
        [one] => *one,
        several => {
            return Err(vec![
                Message::new("err-qti-several-interactions").arg("n", several.len()),
            ]);
        }
    };
    let (body_text, mut media) = item_body.text();
    let (prompt, prompt_media) = interaction.child("prompt").map(El::text).unwrap_or_default();
    media.pictures.extend(prompt_media.pictures);
    media.alts.extend(prompt_media.alts);
    media.other |= prompt_media.other;
    // An option is text: a picture in one would be lost.
    let mut in_choices = false;
    let stem = [body_text, prompt]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let key = correct_response(root, interaction);
    let parts = match interaction.name.as_str() {
        "choiceInteraction" => choice(interaction, key, &mut in_choices),
        "orderInteraction" => order(interaction, key, &mut in_choices),
        "matchInteraction" => matching(interaction, key, &mut in_choices),
        "associateInteraction" => associate(interaction, key, &mut in_choices),
        other => Err(Message::new("err-qti-unsupported-interaction").arg("interaction", other)),
    };
    let (body, options, matches) = parts.map_err(|m| vec![m])?;
    if media.other || in_choices {
        return Err(vec![Message::new("err-qti-media")]);
    }
    let picture = match &media.pictures[..] {
        [] => None,
        [one] => Some(one.clone()),
        several => {
            return Err(vec![Message::new("err-qti-pictures-several").arg("n", several.len())]);
        }
    };
    // Feedback shown after answering: the item's modal feedback and its feedback blocks.
    let mut feedback = Vec::new();
    for f in root.children().filter(|c| c.name == "modalFeedback") {
        feedback.push(f.text().0);
    }
    let mut blocks = Vec::new();
    item_body.descendants("feedbackBlock", &mut blocks);
    for f in blocks {
        feedback.push(f.text().0);
    }
    let mut seen = BTreeSet::new();
    let explanation = feedback
        .into_iter()
        .filter(|f| !f.is_empty() && seen.insert(f.clone()))
        .collect::<Vec<_>>()
        .join("\n");
    Ok((
        Item {
            code: String::new(),
            competence: defaults.competence.clone(),
            level: defaults.level.clone(),
            difficulty: defaults.difficulty,
            body,
            picture: None,
            texts: vec![(
                ContentLang::Vi,
                ItemText {
                    // What the picture shows, as the file describes it (the bank requires it).
                    picture_alt: if picture.is_some() {
                        media.alts.first().cloned().unwrap_or_default()
                    } else {
                        String::new()
                    },
                    stem,
                    options,
                    matches,
                    explanation,
                },
            )],
        },
        picture,
    ))
}

/// The values of the correct response declared for the interaction's response; `None` when
/// there is no declaration or it has no correct response.
fn correct_response(root: &El, interaction: &El) -> Option<Vec<String>> {
    let id = interaction.attr("responseIdentifier")?;
    let declaration = root
        .children()
        .find(|c| c.name == "responseDeclaration" && c.attr("identifier") == Some(id))?;
    let values: Vec<String> = declaration
        .child("correctResponse")?
        .children()
        .filter(|v| v.name == "value")
        .map(|v| v.text().0)
        .filter(|v| !v.is_empty())
        .collect();
    (!values.is_empty()).then_some(values)
}

/// The choices named `name` of an interaction (below it, so `simpleMatchSet`s and groups are
/// looked into): identifier and one-line text.
fn choices(el: &El, name: &str, media: &mut bool) -> Vec<(String, String)> {
    let mut found = Vec::new();
    el.descendants(name, &mut found);
    found
        .into_iter()
        .map(|c| {
            let (text, m) = c.text();
            *media |= m.any();
            (c.attr("identifier").unwrap_or("").trim().to_string(), one_line(&text))
        })
        .collect()
}

fn index_of(choices: &[(String, String)]) -> HashMap<&str, usize> {
    choices
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect()
}

fn unknown(id: &str) -> Message {
    Message::new("err-qti-unknown-choice").arg("id", id)
}

fn choice(el: &El, key: Option<Vec<String>>, media: &mut bool) -> Result<Parts, Message> {
    let choices = choices(el, "simpleChoice", media);
    let key = key.ok_or_else(|| Message::new("err-qti-no-correct-response"))?;
    let at = index_of(&choices);
    let mut correct = BTreeSet::new();
    for v in &key {
        correct.insert(*at.get(v.as_str()).ok_or_else(|| unknown(v))?);
    }
    let texts: Vec<String> = choices.iter().map(|(_, t)| t.clone()).collect();
    // QTI's default is one choice.
    let max: usize = el.attr("maxChoices").and_then(|m| m.trim().parse().ok()).unwrap_or(1);
    if max != 1 {
        return Ok((
            Body::MultipleChoice {
                options: texts.len(),
                correct,
            },
            texts,
            Vec::new(),
        ));
    }
    let [correct] = correct.into_iter().collect::<Vec<_>>()[..] else {
        return Err(Message::new("err-qti-single-several").arg("n", key.len()));
    };
    let truth = |t: &str| match crate::text::fold(t).as_str() {
        "dung" | "true" => Some(true),
        "sai" | "false" => Some(false),
        _ => None,
    };
    if let [a, b] = &texts[..]
        && let (Some(x), Some(y)) = (truth(a), truth(b))
        && x != y
    {
        let answer = if correct == 0 { x } else { y };
        return Ok((Body::TrueFalse { answer }, Vec::new(), Vec::new()));
    }
    Ok((
        Body::SingleChoice {
            options: texts.len(),
            correct,
        },
        texts,
        Vec::new(),
    ))
}

fn order(el: &El, key: Option<Vec<String>>, media: &mut bool) -> Result<Parts, Message> {
    let choices = choices(el, "simpleChoice", media);
    let key = key.ok_or_else(|| Message::new("err-qti-no-correct-response"))?;
    let at = index_of(&choices);
    let mut steps = Vec::new();
    let mut used = BTreeSet::new();
    for v in &key {
        let i = *at.get(v.as_str()).ok_or_else(|| unknown(v))?;
        if used.insert(i) {
            steps.push(choices[i].1.clone());
        }
    }
    if steps.len() != key.len() || steps.len() != choices.len() {
        return Err(Message::new("err-qti-order-incomplete")
            .arg("listed", used.len())
            .arg("n", choices.len()));
    }
    Ok((Body::Ordering { options: steps.len() }, steps, Vec::new()))
}

/// `A B` of a pair or directed pair.
fn pairs(key: &[String]) -> Result<Vec<(&str, &str)>, Message> {
    key.iter()
        .map(|v| match v.split_whitespace().collect::<Vec<_>>()[..] {
            [a, b] => Ok((a, b)),
            _ => Err(Message::new("err-qti-bad-pair").arg("value", v)),
        })
        .collect()
}

fn matching(el: &El, key: Option<Vec<String>>, media: &mut bool) -> Result<Parts, Message> {
    let sets: Vec<&El> = el.children().filter(|c| c.name == "simpleMatchSet").collect();
    let [left, right] = sets[..] else {
        return Err(Message::new("err-qti-not-one-to-one"));
    };
    let left = choices(left, "simpleAssociableChoice", media);
    let right = choices(right, "simpleAssociableChoice", media);
    let key = key.ok_or_else(|| Message::new("err-qti-no-correct-response"))?;
    let (l_at, r_at) = (index_of(&left), index_of(&right));
    let mut paired: Vec<Option<usize>> = vec![None; left.len()];
    let mut used = BTreeSet::new();
    for (a, b) in pairs(&key)? {
        let l = *l_at.get(a).ok_or_else(|| unknown(a))?;
        let r = *r_at.get(b).ok_or_else(|| unknown(b))?;
        if paired[l].is_some() || !used.insert(r) {
            return Err(Message::new("err-qti-not-one-to-one"));
        }
        paired[l] = Some(r);
    }
    if left.len() != right.len() || paired.iter().any(Option::is_none) {
        return Err(Message::new("err-qti-not-one-to-one"));
    }
    let options = left.iter().map(|(_, t)| t.clone()).collect();
    let matches = paired.iter().flatten().map(|&r| right[r].1.clone()).collect();
    Ok((Body::Matching { options: left.len() }, options, matches))
}

fn associate(el: &El, key: Option<Vec<String>>, media: &mut bool) -> Result<Parts, Message> {
    let choices = choices(el, "simpleAssociableChoice", media);
    let key = key.ok_or_else(|| Message::new("err-qti-no-correct-response"))?;
    let at = index_of(&choices);
    let mut used = BTreeSet::new();
    let (mut options, mut matches) = (Vec::new(), Vec::new());
    for (a, b) in pairs(&key)? {
        let x = *at.get(a).ok_or_else(|| unknown(a))?;
        let y = *at.get(b).ok_or_else(|| unknown(b))?;
        if x == y || !used.insert(x) || !used.insert(y) {
            return Err(Message::new("err-qti-not-one-to-one"));
        }
        options.push(choices[x].1.clone());
        matches.push(choices[y].1.clone());
    }
    if used.len() != choices.len() {
        return Err(Message::new("err-qti-not-one-to-one"));
    }
    Ok((Body::Matching { options: options.len() }, options, matches))
}

/// A plain relative name inside a package: no `..` or `.`, no leading `/`, no backslash, no
/// drive letter, scheme or other colon, no control character, no empty folder name.
fn is_plain(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', ':'])
        && !path.chars().any(char::is_control)
        && path.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
}

/// `src` (a URI reference, relative to the folder `dir`) as a name inside the package; `None` when
/// it leaves the package or is not a plain relative reference (a scheme, a drive, a leading `/`).
fn resolve(dir: &str, src: &str) -> Option<String> {
    let src = percent_decode(src.split(['#', '?']).next().unwrap_or(""))?;
    if src.is_empty() || src.starts_with('/') || src.contains(['\\', ':']) || src.chars().any(char::is_control) {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in src.split('/') {
        match p {
            "" => return None,
            "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let name = parts.join("/");
    is_plain(&name).then_some(name)
}

fn image_extension(kind: ImageKind) -> &'static str {
    match kind {
        ImageKind::Jpeg => "jpg",
        ImageKind::Png => "png",
        ImageKind::WebP => "webp",
        ImageKind::Gif => "gif",
    }
}

/// `%20` and the other escapes of a URI reference; `None` when one is broken or not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Reads one entry of a package by name, refusing an encrypted entry, a link and more than `cap`
/// bytes; `inflated` counts what every entry read so far has cost, against
/// [`MAX_PACKAGE_INFLATED`]. `Ok(None)` when the package has no such entry.
fn read_entry(
    zip: &mut crate::xlsx::Package,
    name: &str,
    cap: usize,
    inflated: &mut usize,
) -> Result<Option<Vec<u8>>, Message> {
    let Some(i) = zip.index_for_name(name) else {
        return Ok(None);
    };
    let unreadable = || Message::new("err-qti-entry-unreadable");
    {
        let entry = zip.by_index_data(i).map_err(|_| unreadable())?;
        if entry.encrypted() {
            return Err(Message::new("err-qti-entry-encrypted"));
        }
        if entry.is_dir() || entry.unix_mode().is_some_and(|m| m & S_IFMT == S_IFLNK) {
            return Err(Message::new("err-qti-entry-not-file"));
        }
    }
    let room = MAX_PACKAGE_INFLATED.saturating_sub(*inflated);
    if room == 0 {
        return Err(Message::new("err-qti-package-inflated-too-large").arg("max", MAX_PACKAGE_INFLATED / 1024 / 1024));
    }
    let limit = cap.min(room);
    let mut content = Vec::new();
    let read = zip.by_index(i).map_err(|_| unreadable()).and_then(|f| {
        f.take(limit as u64 + 1)
            .read_to_end(&mut content)
            .map_err(|_| unreadable())
    });
    *inflated += content.len();
    read?;
    if content.len() > cap {
        return Err(Message::new("err-qti-entry-too-large").arg("max", cap / 1024));
    }
    if content.len() > limit {
        return Err(Message::new("err-qti-package-inflated-too-large").arg("max", MAX_PACKAGE_INFLATED / 1024 / 1024));
    }
    Ok(Some(content))
}

/// Reads an IMS content package of QTI 2.1 items: every item resource its `imsmanifest.xml`
/// lists (at the top of the zip, or in its one top folder), in the manifest's order. Tests,
/// sections and other resources are not read; the items come without a pool.
pub fn parse_package(zip: &[u8], defaults: &Defaults) -> Imported {
    let mut out = Imported::default();
    let whole = |out: &mut Imported, message: Message| out.problems.push(problem("", None, message));
    if zip.len() > MAX_IMPORT_BYTES {
        whole(
            &mut out,
            Message::new("err-import-too-big").arg("max", MAX_IMPORT_BYTES / 1024 / 1024),
        );
        return out;
    }
    let mut archive = match open_zip(zip, MAX_PACKAGE_ENTRIES) {
        Ok(a) => a,
        Err(Unopened::NotZip) => {
            whole(&mut out, Message::new("err-qti-not-zip"));
            return out;
        }
        Err(Unopened::TooManyEntries) => {
            whole(
                &mut out,
                Message::new("err-qti-too-many-entries").arg("max", MAX_PACKAGE_ENTRIES),
            );
            return out;
        }
    };
    // The manifest at the top, or in the package's one top folder (a zipped folder).
    let folder = if archive.index_for_name(MANIFEST).is_some() {
        String::new()
    } else {
        let mut folders = archive
            .file_names()
            .filter_map(Result::ok)
            .filter_map(|n| n.strip_suffix(MANIFEST).map(str::to_string))
            .filter(|dir| dir.len() > 1 && dir.find('/') == Some(dir.len() - 1) && is_plain(&dir[..dir.len() - 1]))
            .collect::<Vec<_>>();
        match (folders.pop(), folders.is_empty()) {
            (Some(dir), true) => dir,
            _ => {
                whole(&mut out, Message::new("err-qti-no-manifest"));
                return out;
            }
        }
    };
    let mut inflated = 0usize;
    let manifest_name = format!("{folder}{MANIFEST}");
    let manifest = match read_entry(&mut archive, &manifest_name, MAX_MANIFEST_BYTES, &mut inflated) {
        Ok(Some(m)) => m,
        Ok(None) => {
            whole(&mut out, Message::new("err-qti-no-manifest"));
            return out;
        }
        Err(m) => {
            out.problems.push(problem(MANIFEST, None, m));
            return out;
        }
    };
    let root = match utf8(&manifest).and_then(|m| read_tree_capped(m, MAX_MANIFEST_ELEMENTS, true)) {
        Ok(r) if r.name == "manifest" => r,
        Ok(r) => {
            out.problems.push(problem(
                MANIFEST,
                Some(r.line),
                Message::new("err-qti-not-manifest").arg("root", &r.name),
            ));
            return out;
        }
        Err((line, m)) => {
            out.problems.push(problem(MANIFEST, Some(line), m));
            return out;
        }
    };
    let mut resources = Vec::new();
    root.descendants("resource", &mut resources);
    let items: Vec<&El> = resources
        .into_iter()
        .filter(|r| r.attr("type").is_some_and(|t| t.starts_with("imsqti_item_xmlv2p")))
        .collect();
    if items.is_empty() {
        whole(&mut out, Message::new("err-qti-no-items"));
        return out;
    }
    if items.len() > MAX_IMPORT_QUESTIONS {
        whole(
            &mut out,
            Message::new("err-import-too-many")
                .arg("n", items.len())
                .arg("max", MAX_IMPORT_QUESTIONS),
        );
        return out;
    }
    let mut codes = Codes::default();
    let mut read = BTreeSet::new();
    for resource in items {
        let href = resource
            .attr("href")
            .or_else(|| resource.child("file").and_then(|f| f.attr("href")))
            .unwrap_or("")
            .trim()
            .to_string();
        let shown: String = href
            .chars()
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect();
        let at = |m: Message| problem(&shown, Some(resource.line), m);
        let path = match percent_decode(&href) {
            Some(p) if is_plain(&p) => p,
            _ => {
                out.problems
                    .push(at(Message::new("err-qti-unsafe-href").arg("href", &shown)));
                continue;
            }
        };
        let path: String = format!("{folder}{path}");
        if !read.insert(path.clone()) {
            // Listed twice: imported once.
            continue;
        }
        match read_entry(&mut archive, &path, MAX_ITEM_BYTES, &mut inflated) {
            Ok(Some(xml)) => {
                let meta = Meta::of(resource);
                // The resource's other item files: the item in other languages.
                let mut translations: Vec<(String, Vec<u8>)> = Vec::new();
                let mut failed = None;
                for f in resource.children().filter(|c| c.name == "file") {
                    let href = f.attr("href").unwrap_or("").trim();
                    let Some(other) = percent_decode(href).filter(|p| is_plain(p) && p.ends_with(".xml")) else {
                        continue;
                    };
                    let other = format!("{folder}{other}");
                    if other == path || translations.iter().any(|(n, _)| *n == other) {
                        continue;
                    }
                    match read_entry(&mut archive, &other, MAX_ITEM_BYTES, &mut inflated) {
                        Ok(Some(bytes)) => translations.push((other, bytes)),
                        Ok(None) => {}
                        Err(m) => {
                            failed = Some(m);
                            break;
                        }
                    }
                }
                if let Some(m) = failed {
                    let stop = m.key == "err-qti-package-inflated-too-large";
                    out.problems.push(at(m));
                    if stop {
                        break;
                    }
                    continue;
                }
                let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                let mut fetch = |src: &str| -> Result<Option<Vec<u8>>, Message> {
                    let unsafe_href = || Message::new("err-qti-unsafe-href").arg("href", src);
                    let target = resolve(dir, src).ok_or_else(unsafe_href)?;
                    if !target.starts_with(&folder) {
                        return Err(unsafe_href());
                    }
                    read_entry(&mut archive, &target, MAX_IMAGE_UPLOAD_BYTES, &mut inflated)
                };
                let file = ItemFile {
                    xml: &xml,
                    shown: &shown,
                    meta: &meta,
                    translations,
                };
                item_file(file, defaults, &mut codes, &mut out, Some(&mut fetch));
            }
            Ok(None) => out
                .problems
                .push(at(Message::new("err-qti-missing-file").arg("href", &shown))),
            Err(m) => {
                let stop = m.key == "err-qti-package-inflated-too-large";
                out.problems.push(at(m));
                if stop {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
