//! A course as its folder holds it (`content/courses/<slug>/`): `course.toml`, one Markdown file per
//! lesson with TOML front matter (`NN-<slug>.md`) and translations in `<lang>/NN-<slug>.md`
//! (content/README.md describes the format).
//!
//! [`Course::from_files`] reads the files of one folder or of one uploaded package. It trusts
//! nothing: every path is a plain relative name, every file has a size cap, text must be UTF-8
//! and is normalised to NFC, every lesson listed must exist and every lesson present must be
//! listed. Every problem found is reported with its file and, when known, its line.

use super::error::{ContentError, Source, decode, is_code, is_slug, line_text, long_text};
use super::framework::{Framework, group_code};
use super::markdown;
use super::media::{self, MediaKind, Shelf, Shelved};
use super::video::Video;
use crate::i18n::Message;
use crate::people::TargetGroup;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use toml::Spanned;

pub const COURSE_FILE: &str = "course.toml";
pub const MAX_COURSE_TOML_BYTES: usize = 20 * 1024;
pub const MAX_LESSON_BYTES: usize = 200 * 1024;
pub const MAX_LESSONS: usize = 60;
/// `course.toml`, each lesson in each content language, and the course's images and files.
pub const MAX_FILES: usize = 1 + MAX_LESSONS * ContentLang::ALL.len() + media::MAX_COURSE_MEDIA;
/// Everything a package holds, inflated: its text (a few hundred KB) and its pictures and files.
pub const MAX_PACKAGE_BYTES: usize = 64 * 1024 * 1024;
pub const MAX_PATH_BYTES: usize = 200;
pub const MAX_SLUG_CHARS: usize = 100;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_SUMMARY_CHARS: usize = 1_000;
pub const MAX_SOURCE_NOTE_CHARS: usize = 5_000;
pub const MAX_MODULES: usize = 20;
pub const MAX_COMPETENCES: usize = 30;
pub const MAX_CHECKLIST: usize = 20;
pub const MAX_CHECKLIST_ITEM_CHARS: usize = 300;
pub const MINUTES: RangeInclusive<u16> = 1..=60;
/// The framework whose levels a course's and a lesson's `level` are (content/README.md).
pub const LEVEL_FRAMEWORK: &str = "digcomp22";

/// A language content is written in. Only Vietnamese and English are languages of the interface
/// ([`crate::Lang`]); Jrai and Bahnar lessons are content only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ContentLang {
    #[serde(rename = "vi")]
    Vi,
    #[serde(rename = "en")]
    En,
    #[serde(rename = "jra")]
    Jrai,
    #[serde(rename = "bdq")]
    Bahnar,
}

impl ContentLang {
    pub const ALL: [ContentLang; 4] = [ContentLang::Vi, ContentLang::En, ContentLang::Jrai, ContentLang::Bahnar];

    /// The ISO 639 code: `vi`, `en`, `jra`, `bdq`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentLang::Vi => "vi",
            ContentLang::En => "en",
            ContentLang::Jrai => "jra",
            ContentLang::Bahnar => "bdq",
        }
    }

    /// The code exactly as [`ContentLang::as_str`] writes it.
    pub fn parse(s: &str) -> Option<ContentLang> {
        ContentLang::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("content-lang-{}", self.as_str())
    }
}

/// A competence of a framework, written `framework:code` ("digcomp22:4.1").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CompetenceRef {
    pub framework: String,
    pub code: String,
}

impl CompetenceRef {
    pub fn parse(s: &str) -> Option<CompetenceRef> {
        let (framework, code) = s.trim().split_once(':')?;
        (is_slug(framework, 50) && is_code(code)).then(|| CompetenceRef {
            framework: framework.to_string(),
            code: code.to_string(),
        })
    }
}

impl std::fmt::Display for CompetenceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.framework, self.code)
    }
}

impl TryFrom<String> for CompetenceRef {
    type Error = Message;
    fn try_from(s: String) -> Result<Self, Message> {
        CompetenceRef::parse(&s).ok_or_else(|| Message::new("err-learning-competence-ref").arg("value", s))
    }
}

impl From<CompetenceRef> for String {
    fn from(c: CompetenceRef) -> String {
        c.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Course {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub language: ContentLang,
    pub groups: Vec<TargetGroup>,
    pub competences: Vec<CompetenceRef>,
    /// A level of [`LEVEL_FRAMEWORK`].
    pub level: String,
    pub source_note: String,
    /// The author asks for a certificate of completion: a learner with a person record who
    /// completes every lesson gets one (`completion_certificate = true` in course.toml).
    #[serde(default)]
    pub completion_certificate: bool,
    pub en: Option<Translation>,
    pub modules: Vec<Module>,
    /// The course's images and files as a package carries them (`media/<name>`), by stored name:
    /// an image as its full JPEG, a download as it came. Checked by their bytes only when stored.
    #[serde(skip)]
    pub media: BTreeMap<String, Vec<u8>>,
}

/// The course's title and summary in English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    pub title: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Module {
    pub title: String,
    pub title_en: Option<String>,
    pub lessons: Vec<Lesson>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    /// The file name in the course folder, "01-ai-la-gi.md".
    pub file: String,
    /// The file name without its number and `.md`, "ai-la-gi".
    pub slug: String,
    /// 1 for the first lesson of the course, counted across modules.
    pub position: u16,
    pub title: String,
    pub minutes: u16,
    pub competences: Vec<CompetenceRef>,
    pub level: String,
    /// The practice steps a learner ticks; a translation has as many, in the same order.
    pub checklist: Vec<String>,
    pub body_md: String,
    /// A video the lesson links to, with its transcript (`[video]` in the front matter).
    pub video: Option<Video>,
    /// In the order of [`ContentLang::ALL`].
    pub translations: Vec<(ContentLang, LessonText)>,
}

/// What a translation of a lesson carries; minutes, competences and level are the original's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonText {
    pub title: String,
    pub checklist: Vec<String>,
    pub body_md: String,
    /// The video in this language (a translation names its own, or none).
    pub video: Option<Video>,
}

impl Lesson {
    pub fn translation(&self, lang: ContentLang) -> Option<&LessonText> {
        self.translations.iter().find(|(l, _)| *l == lang).map(|(_, t)| t)
    }
}

// course.toml as written, with positions for the messages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    slug: Spanned<String>,
    title: Spanned<String>,
    summary: Spanned<String>,
    language: Spanned<String>,
    groups: Spanned<Vec<Spanned<String>>>,
    competences: Spanned<Vec<Spanned<String>>>,
    level: Spanned<String>,
    source_note: Spanned<String>,
    #[serde(default)]
    completion_certificate: bool,
    en: Option<RawCourseText>,
    #[serde(default)]
    modules: Vec<RawModule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourseText {
    title: Spanned<String>,
    summary: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    title: Spanned<String>,
    title_en: Option<Spanned<String>>,
    lessons: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    title: Spanned<String>,
    minutes: Spanned<i64>,
    #[serde(default)]
    competences: Vec<Spanned<String>>,
    level: Spanned<String>,
    #[serde(default)]
    checklist: Vec<Spanned<String>>,
    video: Option<Spanned<RawVideo>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVideo {
    #[serde(default)]
    url: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    transcript: String,
}

/// The `[video]` table of a lesson file, checked as the editor checks it; problems at its line.
fn video(src: &Source, raw: &Option<Spanned<RawVideo>>, errors: &mut Vec<ContentError>) -> Option<Video> {
    let raw = raw.as_ref()?;
    let v = raw.get_ref();
    match Video::check(&v.url, &v.title, &v.transcript) {
        Ok(video) => {
            if video.is_none() {
                errors.push(src.error(Some(raw.span()), Message::new("err-learning-video-url-empty")));
            }
            video
        }
        Err(problems) => {
            errors.extend(problems.into_iter().map(|(_, m)| src.error(Some(raw.span()), m)));
            None
        }
    }
}

/// A translation may repeat minutes, competences and level; they must then be the original's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLessonText {
    title: Spanned<String>,
    minutes: Option<Spanned<i64>>,
    competences: Option<Spanned<Vec<String>>>,
    level: Option<Spanned<String>>,
    #[serde(default)]
    checklist: Option<Spanned<Vec<Spanned<String>>>>,
    video: Option<Spanned<RawVideo>>,
}

/// What a path of the package is.
pub(super) enum Entry<'a> {
    Course,
    Lesson(&'a str),
    Translation(ContentLang, &'a str),
    /// `media/<name>`: an image or a file the lessons show.
    Media(&'a str),
}

/// A plain relative name: no `..` or `.`, no leading `/`, no backslash, no drive letter or other
/// colon, no control character, no empty folder name.
pub(super) fn is_plain(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', ':'])
        && !path.chars().any(char::is_control)
        && path.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
}

/// A plain relative name ([`is_plain`]) with at most one folder, which is a content language.
pub(super) fn classify(path: &str) -> Result<Entry<'_>, Message> {
    let unsafe_path = || Message::new("err-learning-path-unsafe").arg("path", path);
    if path.len() > MAX_PATH_BYTES || !is_plain(path) {
        return Err(unsafe_path());
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 2 {
        return Err(unsafe_path());
    }
    match parts[..] {
        [COURSE_FILE] => Ok(Entry::Course),
        [name] if name.ends_with(".md") => Ok(Entry::Lesson(name)),
        ["media", name] if media::is_stored_name(name) => Ok(Entry::Media(name)),
        ["media", name] => Err(Message::new("err-learning-media-name").arg("file", name)),
        [dir, name] => match ContentLang::parse(dir) {
            None => Err(Message::new("err-learning-lang-unknown").arg("value", dir)),
            Some(lang) if name.ends_with(".md") => Ok(Entry::Translation(lang, name)),
            Some(_) => Err(Message::new("err-learning-file-unexpected").arg("path", path)),
        },
        _ => Err(Message::new("err-learning-file-unexpected").arg("path", path)),
    }
}

/// `NN-<slug>.md` → (NN, slug).
fn lesson_name(name: &str) -> Option<(u8, &str)> {
    let stem = name.strip_suffix(".md")?;
    let (number, slug) = stem.split_at_checked(2)?;
    let slug = slug.strip_prefix('-')?;
    let number: u8 = number
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| number.parse().ok())??;
    is_slug(slug, MAX_SLUG_CHARS).then_some((number, slug))
}

/// Splits `+++\n<front matter>\n+++\n<body>`: the front matter, the body and the line the body
/// starts on.
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let first = text.split_inclusive('\n').next()?;
    if first.trim_end() != "+++" {
        return None;
    }
    let rest = &text[first.len()..];
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "+++" {
            return Some((&rest[..offset], &rest[offset + line.len()..], i + 3));
        }
        offset += line.len();
    }
    None
}

fn minutes(src: &Source, value: &Spanned<i64>, errors: &mut Vec<ContentError>) -> u16 {
    match u16::try_from(*value.get_ref()) {
        Ok(m) if MINUTES.contains(&m) => m,
        _ => {
            errors.push(src.at(
                value,
                Message::new("err-learning-minutes").arg("value", value.get_ref()),
            ));
            0
        }
    }
}

fn level(src: &Source, value: &Spanned<String>, errors: &mut Vec<ContentError>) -> String {
    let level = value.get_ref().trim().to_string();
    if !is_code(&level) {
        errors.push(src.at(value, Message::new("err-learning-level").arg("value", value.get_ref())));
    }
    level
}

fn competences(src: &Source, values: &[Spanned<String>], errors: &mut Vec<ContentError>) -> Vec<CompetenceRef> {
    if values.len() > MAX_COMPETENCES {
        errors.push(
            src.at(
                &values[MAX_COMPETENCES],
                Message::new("err-learning-too-many")
                    .arg("field", "learning-competences")
                    .arg("max", MAX_COMPETENCES),
            ),
        );
    }
    let mut seen = BTreeSet::new();
    values
        .iter()
        .filter_map(|v| match CompetenceRef::parse(v.get_ref()) {
            None => {
                errors.push(src.at(v, Message::new("err-learning-competence-ref").arg("value", v.get_ref())));
                None
            }
            Some(c) if !seen.insert(c.clone()) => {
                errors.push(src.at(v, Message::new("err-learning-competence-duplicate").arg("value", &c)));
                None
            }
            Some(c) => Some(c),
        })
        .collect()
}

fn checklist(src: &Source, values: &[Spanned<String>], errors: &mut Vec<ContentError>) -> Vec<String> {
    if values.len() > MAX_CHECKLIST {
        errors.push(
            src.at(
                &values[MAX_CHECKLIST],
                Message::new("err-learning-too-many")
                    .arg("field", "learning-checklist")
                    .arg("max", MAX_CHECKLIST),
            ),
        );
    }
    values
        .iter()
        .map(|v| line_text(src, v, "learning-checklist-item", MAX_CHECKLIST_ITEM_CHARS, errors))
        .collect()
}

/// The body: not empty, and Markdown the renderer shows as written (no raw HTML, no images, no
/// link it would drop).
fn body(file: &str, body: &str, first_line: usize, shelf: &Shelf, errors: &mut Vec<ContentError>) -> String {
    let src = Source::new(file, body, first_line);
    if body.trim().is_empty() {
        errors.push(src.error(Some(0..0), Message::new("err-learning-body-empty")));
    }
    // One report per kind and line: "<b>x</b>" is one problem, not two.
    let mut reported = BTreeSet::new();
    for (offset, message) in markdown::problems_with(body, shelf) {
        if reported.insert((src.line_at(offset), message.key.clone())) {
            errors.push(src.error(Some(offset..offset), message));
        }
    }
    body.to_string()
}

/// The front matter and body of a lesson file, or why they cannot be read.
fn front_matter<'t>(file: &str, text: &'t str) -> Result<(&'t str, &'t str, usize), ContentError> {
    split_front_matter(text).ok_or_else(|| ContentError::new(file, Some(1), Message::new("err-learning-front-matter")))
}

struct CourseHead {
    slug: String,
    title: String,
    summary: String,
    language: Option<ContentLang>,
    groups: Vec<TargetGroup>,
    competences: Vec<CompetenceRef>,
    level: String,
    source_note: String,
    completion_certificate: bool,
    en: Option<Translation>,
    modules: Vec<ModuleHead>,
}

struct ModuleHead {
    title: String,
    title_en: Option<String>,
    /// Each listed file name with its line in course.toml.
    lessons: Vec<(String, usize)>,
}

fn read_course_toml(bytes: &[u8], errors: &mut Vec<ContentError>) -> Option<CourseHead> {
    let text = decode(COURSE_FILE, bytes, MAX_COURSE_TOML_BYTES)
        .map_err(|e| errors.push(e))
        .ok()?;
    let src = Source::new(COURSE_FILE, &text, 1);
    let raw: RawCourse = src.toml().map_err(|e| errors.push(e)).ok()?;
    let e = errors;

    let slug = raw.slug.get_ref().trim().to_string();
    if !is_slug(&slug, MAX_SLUG_CHARS) {
        e.push(src.at(
            &raw.slug,
            Message::new("err-learning-course-slug").arg("value", raw.slug.get_ref()),
        ));
    }
    let title = line_text(&src, &raw.title, "learning-title", MAX_TITLE_CHARS, e);
    let summary = line_text(&src, &raw.summary, "learning-summary", MAX_SUMMARY_CHARS, e);
    let language = ContentLang::parse(raw.language.get_ref().trim());
    if language.is_none() {
        e.push(src.at(
            &raw.language,
            Message::new("err-learning-language-unknown").arg("value", raw.language.get_ref()),
        ));
    }
    let mut groups = Vec::new();
    for g in raw.groups.get_ref() {
        match group_code(g.get_ref().trim()) {
            None => e.push(src.at(g, Message::new("err-learning-group-unknown").arg("value", g.get_ref()))),
            Some(group) if groups.contains(&group) => e.push(src.at(
                g,
                Message::new("err-learning-group-duplicate").arg("value", group.as_str()),
            )),
            Some(group) => groups.push(group),
        }
    }
    if raw.groups.get_ref().is_empty() {
        e.push(src.at(&raw.groups, Message::new("err-learning-groups-empty")));
    }
    let competences = competences(&src, raw.competences.get_ref(), e);
    let level = level(&src, &raw.level, e);
    let source_note = long_text(&src, &raw.source_note, "learning-source-note", MAX_SOURCE_NOTE_CHARS, e);
    let en = raw.en.as_ref().map(|t| Translation {
        title: line_text(&src, &t.title, "learning-title", MAX_TITLE_CHARS, e),
        summary: line_text(&src, &t.summary, "learning-summary", MAX_SUMMARY_CHARS, e),
    });
    if raw.modules.is_empty() {
        e.push(src.error(None, Message::new("err-learning-modules-empty")));
    }
    if raw.modules.len() > MAX_MODULES {
        e.push(
            src.at(
                &raw.modules[MAX_MODULES].title,
                Message::new("err-learning-too-many")
                    .arg("field", "learning-modules")
                    .arg("max", MAX_MODULES),
            ),
        );
    }
    let modules = raw
        .modules
        .iter()
        .take(MAX_MODULES)
        .map(|m| {
            let title = line_text(&src, &m.title, "learning-module-title", MAX_TITLE_CHARS, e);
            if m.lessons.get_ref().is_empty() {
                e.push(src.at(
                    &m.lessons,
                    Message::new("err-learning-module-empty").arg("module", &title),
                ));
            }
            ModuleHead {
                title_en: m
                    .title_en
                    .as_ref()
                    .map(|t| line_text(&src, t, "learning-module-title", MAX_TITLE_CHARS, e)),
                lessons: m
                    .lessons
                    .get_ref()
                    .iter()
                    .map(|l| (l.get_ref().trim().to_string(), src.line_at(l.span().start)))
                    .collect(),
                title,
            }
        })
        .collect();
    Some(CourseHead {
        slug,
        title,
        summary,
        language,
        groups,
        competences,
        level,
        source_note,
        completion_certificate: raw.completion_certificate,
        en,
        modules,
    })
}

fn read_lesson(
    file: &str,
    slug: &str,
    position: u16,
    bytes: &[u8],
    shelf: &Shelf,
    errors: &mut Vec<ContentError>,
) -> Option<Lesson> {
    let before = errors.len();
    let text = decode(file, bytes, MAX_LESSON_BYTES).map_err(|e| errors.push(e)).ok()?;
    let (front, rest, body_line) = front_matter(file, &text).map_err(|e| errors.push(e)).ok()?;
    let src = Source::new(file, front, 2);
    let raw: RawLesson = src.toml().map_err(|e| errors.push(e)).ok()?;
    let e = errors;
    let lesson = Lesson {
        file: file.to_string(),
        slug: slug.to_string(),
        position,
        title: line_text(&src, &raw.title, "learning-title", MAX_TITLE_CHARS, e),
        minutes: minutes(&src, &raw.minutes, e),
        competences: competences(&src, &raw.competences, e),
        level: level(&src, &raw.level, e),
        checklist: checklist(&src, &raw.checklist, e),
        body_md: body(file, rest, body_line, shelf, e),
        video: video(&src, &raw.video, e),
        translations: Vec::new(),
    };
    (e.len() == before).then_some(lesson)
}

/// A translation; checked against its original when that one was read.
fn read_translation(
    path: &str,
    bytes: &[u8],
    original: Option<&Lesson>,
    shelf: &Shelf,
    errors: &mut Vec<ContentError>,
) -> Option<LessonText> {
    let before = errors.len();
    let text = decode(path, bytes, MAX_LESSON_BYTES).map_err(|e| errors.push(e)).ok()?;
    let (front, rest, body_line) = front_matter(path, &text).map_err(|e| errors.push(e)).ok()?;
    let src = Source::new(path, front, 2);
    let raw: RawLessonText = src.toml().map_err(|e| errors.push(e)).ok()?;
    let e = errors;
    let title = line_text(&src, &raw.title, "learning-title", MAX_TITLE_CHARS, e);
    let items = raw
        .checklist
        .as_ref()
        .map(|c| checklist(&src, c.get_ref(), e))
        .unwrap_or_default();
    let body_md = body(path, rest, body_line, shelf, e);
    let video = video(&src, &raw.video, e);
    if let Some(original) = original {
        let mismatch = |span: std::ops::Range<usize>, field: &str| {
            src.error(
                Some(span),
                Message::new("err-learning-translation-mismatch").arg("field", field),
            )
        };
        if let Some(m) = &raw.minutes
            && i64::from(original.minutes) != *m.get_ref()
        {
            e.push(mismatch(m.span(), "learning-minutes"));
        }
        if let Some(c) = &raw.competences {
            let same = c.get_ref().len() == original.competences.len()
                && c.get_ref()
                    .iter()
                    .zip(&original.competences)
                    .all(|(a, b)| CompetenceRef::parse(a).as_ref() == Some(b));
            if !same {
                e.push(mismatch(c.span(), "learning-competences"));
            }
        }
        if let Some(l) = &raw.level
            && l.get_ref().trim() != original.level
        {
            e.push(mismatch(l.span(), "learning-level"));
        }
        if items.len() != original.checklist.len() {
            e.push(
                src.error(
                    raw.checklist.as_ref().map(|c| c.span()).or(Some(0..0)),
                    Message::new("err-learning-translation-checklist")
                        .arg("count", items.len())
                        .arg("expected", original.checklist.len()),
                ),
            );
        }
    }
    (e.len() == before).then_some(LessonText {
        title,
        checklist: items,
        body_md,
        video,
    })
}

impl Course {
    /// Reads a course from its files, keyed by their path relative to the course folder
    /// ("course.toml", "01-x.md", "en/01-x.md"). Every problem is reported; a problem of the whole
    /// package (too many files, too large) has an empty file name.
    pub fn from_files(files: &BTreeMap<String, Vec<u8>>) -> Result<Course, Vec<ContentError>> {
        if files.len() > MAX_FILES {
            return Err(vec![ContentError::new(
                "",
                None,
                Message::new("err-learning-too-many-files")
                    .arg("count", files.len())
                    .arg("max", MAX_FILES),
            )]);
        }
        let total: usize = files.values().map(Vec::len).sum();
        if total > MAX_PACKAGE_BYTES {
            return Err(vec![ContentError::new(
                "",
                None,
                Message::new("err-learning-package-too-large")
                    .arg("size", total)
                    .arg("max", MAX_PACKAGE_BYTES),
            )]);
        }

        let mut errors = Vec::new();
        let mut course_toml = None;
        let mut present: BTreeMap<&str, &[u8]> = BTreeMap::new();
        let mut translations: Vec<(ContentLang, &str, &str, &[u8])> = Vec::new();
        let mut media_files = BTreeMap::new();
        for (path, bytes) in files {
            match classify(path) {
                Ok(Entry::Course) => course_toml = Some(bytes.as_slice()),
                Ok(Entry::Media(name)) => {
                    media_files.insert(name.to_string(), bytes.clone());
                }
                Ok(Entry::Lesson(name)) => match lesson_name(name) {
                    Some(_) => {
                        present.insert(name, bytes);
                    }
                    None => errors.push(ContentError::new(
                        path,
                        None,
                        Message::new("err-learning-lesson-name").arg("file", name),
                    )),
                },
                Ok(Entry::Translation(lang, name)) => match lesson_name(name) {
                    Some(_) => translations.push((lang, name, path, bytes)),
                    None => errors.push(ContentError::new(
                        path,
                        None,
                        Message::new("err-learning-lesson-name").arg("file", name),
                    )),
                },
                Err(message) => errors.push(ContentError::new(path, None, message)),
            }
        }

        let media_bytes: usize = media_files.values().map(Vec::len).sum();
        if media_bytes as u64 > media::MAX_COURSE_MEDIA_BYTES {
            errors.push(ContentError::new(
                "",
                None,
                Message::new("err-learning-package-media-too-large")
                    .arg("size", media_bytes.div_ceil(1024 * 1024))
                    .arg("max", media::MAX_COURSE_MEDIA_BYTES / (1024 * 1024)),
            ));
        }
        if media_files.len() > media::MAX_COURSE_MEDIA {
            errors.push(ContentError::new(
                "",
                None,
                Message::new("err-learning-too-many-media").arg("max", media::MAX_COURSE_MEDIA),
            ));
        }
        // What the lessons may show: the names the package carries, of the kind their extension
        // says (the bytes are checked when they are stored).
        let mut shelf = Shelf::empty();
        for name in media_files.keys() {
            let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
            // A stored name ends in .jpg (an image) or a download's own extension.
            let kind = MediaKind::parse(ext).unwrap_or(MediaKind::Image);
            shelf.insert(
                name.clone(),
                Shelved {
                    kind,
                    width: 0,
                    height: 0,
                    bytes: 0,
                },
            );
        }
        let Some(head) = course_toml.and_then(|b| read_course_toml(b, &mut errors)) else {
            if course_toml.is_none() {
                errors.push(ContentError::new(
                    COURSE_FILE,
                    None,
                    Message::new("err-learning-course-missing"),
                ));
            }
            // Without the list of lessons only the files themselves can be checked.
            for (name, bytes) in &present {
                let slug = lesson_name(name).map_or("", |(_, s)| s);
                read_lesson(name, slug, 0, bytes, &shelf, &mut errors);
            }
            for (_, _, path, bytes) in &translations {
                read_translation(path, bytes, None, &shelf, &mut errors);
            }
            return Err(errors);
        };

        let at = |line: usize, message: Message| ContentError::new(COURSE_FILE, Some(line), message);
        let mut listed: BTreeSet<&str> = BTreeSet::new();
        let mut slugs: BTreeSet<&str> = BTreeSet::new();
        let mut previous: Option<(u8, &str)> = None;
        let mut position: u16 = 0;
        let mut modules = Vec::new();
        for m in &head.modules {
            let mut lessons = Vec::new();
            for (name, line) in &m.lessons {
                let line = *line;
                if !listed.insert(name) {
                    errors.push(at(
                        line,
                        Message::new("err-learning-lesson-listed-twice").arg("file", name),
                    ));
                    continue;
                }
                let Some((number, slug)) = lesson_name(name) else {
                    errors.push(at(line, Message::new("err-learning-lesson-name").arg("file", name)));
                    continue;
                };
                if let Some((before, before_name)) = previous
                    && number <= before
                {
                    errors.push(at(
                        line,
                        Message::new("err-learning-lesson-order")
                            .arg("file", name)
                            .arg("previous", before_name),
                    ));
                }
                previous = Some((number, name));
                if !slugs.insert(slug) {
                    errors.push(at(
                        line,
                        Message::new("err-learning-lesson-slug-duplicate").arg("slug", slug),
                    ));
                }
                let Some(bytes) = present.get(name.as_str()) else {
                    errors.push(at(
                        line,
                        Message::new("err-learning-lesson-missing")
                            .arg("module", &m.title)
                            .arg("file", name),
                    ));
                    continue;
                };
                position = position.saturating_add(1);
                if let Some(lesson) = read_lesson(name, slug, position, bytes, &shelf, &mut errors) {
                    lessons.push(lesson);
                }
            }
            modules.push(Module {
                title: m.title.clone(),
                title_en: m.title_en.clone(),
                lessons,
            });
        }
        if listed.len() > MAX_LESSONS {
            errors.push(ContentError::new(
                COURSE_FILE,
                None,
                Message::new("err-learning-too-many-lessons")
                    .arg("count", listed.len())
                    .arg("max", MAX_LESSONS),
            ));
        }
        for name in present.keys() {
            if !listed.contains(name) {
                errors.push(ContentError::new(
                    name,
                    None,
                    Message::new("err-learning-lesson-unlisted").arg("file", name),
                ));
            }
        }

        translations.sort_by_key(|(lang, name, _, _)| (*lang, *name));
        for (lang, name, path, bytes) in translations {
            if Some(lang) == head.language {
                errors.push(ContentError::new(
                    path,
                    None,
                    Message::new("err-learning-translation-same-lang").arg("lang", lang.as_str()),
                ));
                continue;
            }
            if !present.contains_key(name) {
                errors.push(ContentError::new(
                    path,
                    None,
                    Message::new("err-learning-translation-orphan")
                        .arg("file", name)
                        .arg("lang", lang.as_str()),
                ));
                continue;
            }
            let original = modules
                .iter_mut()
                .flat_map(|m| m.lessons.iter_mut())
                .find(|l| l.file == name);
            let text = read_translation(path, bytes, original.as_deref(), &shelf, &mut errors);
            if let (Some(original), Some(text)) = (original, text) {
                original.translations.push((lang, text));
            }
        }

        match head.language {
            Some(language) if errors.is_empty() => Ok(Course {
                slug: head.slug,
                title: head.title,
                summary: head.summary,
                language,
                groups: head.groups,
                competences: head.competences,
                level: head.level,
                source_note: head.source_note,
                completion_certificate: head.completion_certificate,
                en: head.en,
                modules,
                media: media_files,
            }),
            _ => Err(errors),
        }
    }

    /// Every lesson in order.
    pub fn lessons(&self) -> impl Iterator<Item = &Lesson> {
        self.modules.iter().flat_map(|m| m.lessons.iter())
    }

    /// Every competence the course and its lessons name is one of `frameworks`, and every level
    /// is a level of [`LEVEL_FRAMEWORK`].
    pub fn check(&self, frameworks: &[Framework]) -> Vec<ContentError> {
        let mut errors = Vec::new();
        let levels = frameworks.iter().find(|f| f.id == LEVEL_FRAMEWORK);
        let mut check = |file: &str, competences: &[CompetenceRef], level: &str| {
            for c in competences {
                match frameworks.iter().find(|f| f.id == c.framework) {
                    None => errors.push(ContentError::new(
                        file,
                        None,
                        Message::new("err-learning-framework-unknown").arg("framework", &c.framework),
                    )),
                    Some(f) if f.competence(&c.code).is_none() => errors.push(ContentError::new(
                        file,
                        None,
                        Message::new("err-learning-competence-unknown")
                            .arg("framework", &f.id)
                            .arg("code", &c.code),
                    )),
                    Some(_) => {}
                }
            }
            if levels.is_none_or(|f| f.level(level).is_none()) {
                errors.push(ContentError::new(
                    file,
                    None,
                    Message::new("err-learning-level-unknown")
                        .arg("framework", LEVEL_FRAMEWORK)
                        .arg("level", level),
                ));
            }
        };
        check(COURSE_FILE, &self.competences, &self.level);
        for l in self.lessons() {
            check(&l.file, &l.competences, &l.level);
        }
        errors
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    pub(crate) fn courses_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content/courses")
    }

    /// The files of a course folder, keyed as `from_files` expects.
    pub(crate) fn read_folder(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(dir).expect("course folder") {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            if path.is_dir() {
                for inner in std::fs::read_dir(&path).expect("language folder") {
                    let inner = inner.expect("entry").path();
                    let inner_name = inner.file_name().expect("name").to_string_lossy().into_owned();
                    files.insert(format!("{name}/{inner_name}"), std::fs::read(&inner).expect("read"));
                }
            } else {
                files.insert(name, std::fs::read(&path).expect("read"));
            }
        }
        files
    }

    fn shipped() -> Vec<Course> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(courses_dir())
            .expect("content/courses")
            .map(|e| e.expect("entry").path())
            .collect();
        dirs.sort();
        dirs.iter()
            .map(|d| {
                let course = Course::from_files(&read_folder(d)).unwrap_or_else(|e| panic!("{}: {e:#?}", d.display()));
                assert_eq!(
                    Some(course.slug.as_str()),
                    d.file_name().and_then(|n| n.to_str()),
                    "the folder is named after the course"
                );
                course
            })
            .collect()
    }

    pub(crate) fn frameworks() -> Vec<Framework> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/frameworks");
        ["digcomp22.toml", "tt02-2025.toml", "qd757-2025.toml"]
            .iter()
            .map(|n| Framework::parse(&std::fs::read_to_string(dir.join(n)).expect("read")).expect("framework"))
            .collect()
    }

    #[test]
    fn every_shipped_course_reads_checks_and_renders() {
        let courses = shipped();
        assert_eq!(courses.len(), 12);
        let fs = frameworks();
        let mut lessons = 0;
        let mut translated = 0;
        for c in &courses {
            assert_eq!(c.check(&fs), vec![], "{}", c.slug);
            assert_eq!(c.language, ContentLang::Vi);
            let positions: Vec<u16> = c.lessons().map(|l| l.position).collect();
            assert_eq!(positions, (1..=positions.len() as u16).collect::<Vec<_>>());
            for l in c.lessons() {
                lessons += 1;
                let html = markdown::render(&l.body_md);
                assert!(html.contains("<h2>"), "{}/{}", c.slug, l.file);
                assert!(!html.contains("<h1>") && !html.contains("<img"), "{}", l.file);
                assert!(!markdown::plain_text(&l.body_md).contains("**"), "{}", l.file);
                assert!(MINUTES.contains(&l.minutes));
                for (lang, t) in &l.translations {
                    translated += 1;
                    assert_eq!(*lang, ContentLang::En);
                    assert_eq!(t.checklist.len(), l.checklist.len());
                    assert!(markdown::render(&t.body_md).contains("<h2>"));
                }
            }
            if c.lessons().any(|l| !l.translations.is_empty()) {
                assert!(c.en.is_some(), "{}", c.slug);
            }
        }
        assert_eq!((lessons, translated), (47, 9));
        let fraud = courses.iter().find(|c| c.slug == "nhan-biet-lua-dao").expect("course");
        assert_eq!(fraud.modules.len(), 2);
        assert_eq!(fraud.groups.len(), 4);
        let first = &fraud.modules[0].lessons[0];
        assert_eq!(first.slug, "vi-sao-ai-cung-co-the-bi-lua");
        assert_eq!(first.competences[0].to_string(), "digcomp22:4.2");
        assert_eq!(
            first.translation(ContentLang::En).map(|t| t.title.as_str()),
            Some("Why can anyone be scammed?")
        );
        // The stored form (JSON) reads back the same, competences as "framework:code".
        let json = serde_json::to_string(fraud).expect("json");
        assert!(json.contains("\"digcomp22:4.2\""));
        assert_eq!(&serde_json::from_str::<Course>(&json).expect("back"), fraud);
    }

    pub(crate) const COURSE: &str = r#"slug = "thu"
title = "Khóa thử"
summary = "Tóm tắt."
language = "vi"
groups = ["resident"]
competences = ["digcomp22:4.2"]
level = "1"
source_note = "Nguồn."

[[modules]]
title = "Học phần một"
lessons = ["01-mot.md", "02-hai.md"]
"#;

    pub(crate) fn lesson(title: &str) -> Vec<u8> {
        format!(
            "+++\ntitle = \"{title}\"\nminutes = 5\ncompetences = [\"digcomp22:4.2\"]\nlevel = \"1\"\nchecklist = [\"Làm một việc\"]\n+++\n## Phần một\n\nNội dung **đậm**.\n"
        )
        .into_bytes()
    }

    pub(crate) fn package() -> BTreeMap<String, Vec<u8>> {
        BTreeMap::from([
            ("course.toml".to_string(), COURSE.as_bytes().to_vec()),
            ("01-mot.md".to_string(), lesson("Bài một")),
            ("02-hai.md".to_string(), lesson("Bài hai")),
        ])
    }

    fn errors(files: &BTreeMap<String, Vec<u8>>) -> Vec<(String, Option<usize>, String)> {
        match Course::from_files(files) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| (e.file, e.line, e.message.key)).collect(),
        }
    }

    fn err(file: &str, line: Option<usize>, key: &str) -> (String, Option<usize>, String) {
        (file.to_string(), line, key.to_string())
    }

    #[test]
    fn a_small_package_reads() {
        let c = Course::from_files(&package()).expect("course");
        assert_eq!(c.lessons().count(), 2);
        assert_eq!(c.modules[0].lessons[1].slug, "hai");
        assert_eq!(c.modules[0].lessons[1].position, 2);
        assert_eq!(c.check(&frameworks()), vec![]);
    }

    #[test]
    fn paths_must_be_plain_relative_names() {
        for bad in [
            "../01-mot.md",
            "/etc/passwd",
            "en/../../x.md",
            "..\\x.md",
            "en\\01-mot.md",
            "C:/x.md",
            "C:x.md",
            "./01-mot.md",
            "en//01-mot.md",
            "en/",
            "a/b/c.md",
            "en/sub/01-mot.md",
            "01-mot.md\0",
            "",
        ] {
            let mut files = package();
            files.insert(bad.to_string(), lesson("x"));
            assert_eq!(errors(&files), [err(bad, None, "err-learning-path-unsafe")], "{bad:?}");
        }
        let mut files = package();
        files.insert(format!("{}.md", "a".repeat(MAX_PATH_BYTES)), lesson("x"));
        assert_eq!(errors(&files)[0].2, "err-learning-path-unsafe");
        // A folder that is not a content language; a file that is not part of a course.
        for (path, key) in [
            ("fr/01-mot.md", "err-learning-lang-unknown"),
            ("EN/01-mot.md", "err-learning-lang-unknown"),
            ("images/a.png", "err-learning-lang-unknown"),
            ("README.txt", "err-learning-file-unexpected"),
            ("en/course.toml", "err-learning-file-unexpected"),
            ("notes.md", "err-learning-lesson-name"),
            ("1-mot.md", "err-learning-lesson-name"),
            ("01-Một.md", "err-learning-lesson-name"),
            ("en/notes.md", "err-learning-lesson-name"),
        ] {
            let mut files = package();
            files.insert(path.to_string(), lesson("x"));
            assert_eq!(errors(&files), [err(path, None, key)], "{path}");
        }
    }

    #[test]
    fn text_must_be_utf8_and_is_nfc() {
        let mut files = package();
        files.insert("02-hai.md".into(), b"+++\ntitle = \"B\xe0i\"\n".to_vec());
        assert_eq!(errors(&files), [err("02-hai.md", Some(2), "err-learning-not-utf8")]);
        let mut files = package();
        // "Bài" with a combining grave accent (NFD) is stored composed.
        files.insert("01-mot.md".into(), lesson("Ba\u{0300}i một"));
        let c = Course::from_files(&files).expect("course");
        assert_eq!(c.modules[0].lessons[0].title, "Bài một");
        let mut files = package();
        files.insert("01-mot.md".into(), lesson("Bài\u{0007}"));
        assert_eq!(errors(&files), [err("01-mot.md", Some(2), "err-learning-control-char")]);
        // An escape in TOML cannot smuggle a line break or a control character into a title.
        let mut files = package();
        files.insert("01-mot.md".into(), lesson("Bài\\nmột"));
        assert_eq!(errors(&files), [err("01-mot.md", Some(2), "err-learning-text-line")]);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        // TOML nested as deep as the size caps allow: the parser's depth limit answers.
        let mut files = package();
        let deep = format!("{}{}", "[".repeat(9_000), "]".repeat(9_000));
        files.insert(
            "course.toml".into(),
            COURSE.replace("[\"resident\"]", &deep).into_bytes(),
        );
        assert_eq!(errors(&files)[0].2, "err-learning-toml");
        let mut files = package();
        let front = format!("+++\ntitle = {}\n+++\n## a\n", "[".repeat(100_000));
        files.insert("01-mot.md".into(), front.into_bytes());
        assert_eq!(errors(&files), [err("01-mot.md", Some(2), "err-learning-toml")]);
        let mut files = package();
        let inline = format!(
            "+++\ntitle = \"B\"\nminutes = 5\nlevel = \"1\"\nx = {}\n+++\n## a\n",
            "{a=".repeat(50_000)
        );
        files.insert("01-mot.md".into(), inline.into_bytes());
        assert_eq!(errors(&files)[0].2, "err-learning-toml");
        // Markdown nested as deep: read and rendered.
        let mut files = package();
        let quotes = String::from_utf8(lesson("Bài một")).unwrap_or_default() + &"> ".repeat(90_000) + "x\n";
        files.insert("01-mot.md".into(), quotes.into_bytes());
        let c = Course::from_files(&files).expect("deep quotes are Markdown");
        let html = markdown::render(&c.modules[0].lessons[0].body_md);
        assert!(html.contains("<blockquote>"));
    }

    #[test]
    fn sizes_are_capped() {
        let mut files = package();
        let mut big = lesson("Bài một");
        big.extend(std::iter::repeat_n(b'a', MAX_LESSON_BYTES));
        files.insert("01-mot.md".into(), big);
        assert_eq!(errors(&files), [err("01-mot.md", None, "err-learning-file-too-large")]);

        let mut files = package();
        let toml = format!("{COURSE}# {}\n", "x".repeat(MAX_COURSE_TOML_BYTES));
        files.insert("course.toml".into(), toml.into_bytes());
        assert_eq!(
            errors(&files),
            [
                err("course.toml", None, "err-learning-file-too-large"),
                // Without course.toml the lessons are still read on their own.
            ]
        );

        let mut files = package();
        for i in 0..MAX_FILES {
            files.insert(format!("{i:02}-x{i}.md"), Vec::new());
        }
        assert_eq!(errors(&files), [err("", None, "err-learning-too-many-files")]);

        let mut files = package();
        for i in 0..50 {
            files.insert(format!("{i:02}-x.md"), vec![b'a'; MAX_PACKAGE_BYTES / 40]);
        }
        assert_eq!(errors(&files), [err("", None, "err-learning-package-too-large")]);

        let names: Vec<String> = (1..=MAX_LESSONS + 1).map(|i| format!("{i:02}-bai-{i}.md")).collect();
        let list = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
        let toml = COURSE.replace("\"01-mot.md\", \"02-hai.md\"", &list);
        let mut files = BTreeMap::from([("course.toml".to_string(), toml.into_bytes())]);
        for n in &names {
            files.insert(n.clone(), lesson("Bài"));
        }
        assert_eq!(
            errors(&files),
            [err("course.toml", None, "err-learning-too-many-lessons")]
        );

        let mut files = package();
        let long = "Bài ".repeat(60);
        files.insert("01-mot.md".into(), lesson(&long));
        assert_eq!(
            errors(&files),
            [err("01-mot.md", Some(2), "err-learning-text-too-long")]
        );
    }

    #[test]
    fn listing_and_files_must_agree() {
        // Listed but missing, naming the module and the file.
        let mut files = package();
        files.remove("02-hai.md");
        let e = Course::from_files(&files).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].file.as_str(), e[0].line, e[0].key()),
            ("course.toml", Some(12), "err-learning-lesson-missing")
        );
        assert_eq!(
            e[0].message.args,
            [
                ("module".to_string(), "Học phần một".to_string()),
                ("file".to_string(), "02-hai.md".to_string())
            ]
        );
        // Present but not listed.
        let mut files = package();
        files.insert("03-ba.md".into(), lesson("Bài ba"));
        assert_eq!(errors(&files), [err("03-ba.md", None, "err-learning-lesson-unlisted")]);
        // Listed twice, in the same module or another.
        let mut files = package();
        let twice = COURSE.replace("\"02-hai.md\"]", "\"02-hai.md\", \"01-mot.md\"]");
        files.insert("course.toml".into(), twice.into_bytes());
        assert_eq!(
            errors(&files),
            [err("course.toml", Some(12), "err-learning-lesson-listed-twice")]
        );
        let mut files = package();
        let other = format!("{COURSE}\n[[modules]]\ntitle = \"Hai\"\nlessons = [\"02-hai.md\"]\n");
        files.insert("course.toml".into(), other.into_bytes());
        assert_eq!(
            errors(&files),
            [err("course.toml", Some(16), "err-learning-lesson-listed-twice")]
        );
        // Out of order; two numbers for one slug; a listed name that is not a lesson file name.
        let mut files = package();
        files.insert(
            "course.toml".into(),
            COURSE
                .replace("\"01-mot.md\", \"02-hai.md\"", "\"02-hai.md\", \"01-mot.md\"")
                .into_bytes(),
        );
        assert_eq!(
            errors(&files),
            [err("course.toml", Some(12), "err-learning-lesson-order")]
        );
        let mut files = package();
        files.insert("03-mot.md".into(), lesson("Bài một nữa"));
        files.insert(
            "course.toml".into(),
            COURSE
                .replace("\"02-hai.md\"", "\"02-hai.md\", \"03-mot.md\"")
                .into_bytes(),
        );
        assert_eq!(
            errors(&files),
            [err("course.toml", Some(12), "err-learning-lesson-slug-duplicate")]
        );
        let mut files = package();
        files.insert(
            "course.toml".into(),
            COURSE
                .replace("\"02-hai.md\"", "\"02-hai.md\", \"../x.md\"")
                .into_bytes(),
        );
        assert_eq!(
            errors(&files),
            [err("course.toml", Some(12), "err-learning-lesson-name")]
        );
        // No course.toml; no module; an empty module.
        let mut files = package();
        files.remove("course.toml");
        assert_eq!(
            errors(&files),
            [err("course.toml", None, "err-learning-course-missing")]
        );
        let no_modules = COURSE.split("[[modules]]").next().unwrap_or_default().to_string();
        let files = BTreeMap::from([("course.toml".to_string(), no_modules.into_bytes())]);
        assert_eq!(errors(&files), [err("course.toml", None, "err-learning-modules-empty")]);
        let mut files = package();
        files.insert(
            "course.toml".into(),
            format!("{COURSE}\n[[modules]]\ntitle = \"Trống\"\nlessons = []\n").into_bytes(),
        );
        assert_eq!(
            errors(&files),
            [err("course.toml", Some(16), "err-learning-module-empty")]
        );
    }

    #[test]
    fn a_course_asks_for_a_certificate_of_completion_in_course_toml() {
        assert!(!Course::from_files(&package()).expect("course").completion_certificate);
        let mut files = package();
        files.insert(
            "course.toml".into(),
            format!("completion_certificate = true\n{COURSE}").into_bytes(),
        );
        let c = Course::from_files(&files).expect("course");
        assert!(c.completion_certificate);
        // Written back only when asked for, and read back the same.
        let back = Course::from_files(&c.to_files()).expect("back");
        assert!(back.completion_certificate);
        assert!(
            !String::from_utf8_lossy(&Course::from_files(&package()).expect("course").to_files()["course.toml"])
                .contains("completion_certificate")
        );
        // Anything but true or false is refused at its line, not taken as a yes.
        let mut files = package();
        files.insert(
            "course.toml".into(),
            format!(
                "{}completion_certificate = \"có\"\n",
                COURSE.split("[[modules]]").next().unwrap_or_default()
            )
            .into_bytes(),
        );
        let e = errors(&files);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            (e[0].0.as_str(), e[0].1, e[0].2.as_str()),
            ("course.toml", Some(10), "err-learning-toml"),
            "{e:?}"
        );
    }

    #[test]
    fn course_toml_fields_are_checked_and_all_reported() {
        let bad = COURSE
            .replace("slug = \"thu\"", "slug = \"Khóa Thử\"")
            .replace("language = \"vi\"", "language = \"fr\"")
            .replace("[\"resident\"]", "[\"resident\", \"Người dân\", \"resident\"]")
            .replace(
                "[\"digcomp22:4.2\"]",
                "[\"digcomp22-4.2\", \"digcomp22:4.2\", \"digcomp22:4.2\"]",
            )
            .replace("level = \"1\"", "level = \"\"")
            .replace("title = \"Khóa thử\"", "title = \"\"");
        let mut files = package();
        files.insert("course.toml".into(), bad.into_bytes());
        assert_eq!(
            errors(&files),
            [
                err("course.toml", Some(1), "err-learning-course-slug"),
                err("course.toml", Some(2), "err-learning-text-empty"),
                err("course.toml", Some(4), "err-learning-language-unknown"),
                err("course.toml", Some(5), "err-learning-group-unknown"),
                err("course.toml", Some(5), "err-learning-group-duplicate"),
                err("course.toml", Some(6), "err-learning-competence-ref"),
                err("course.toml", Some(6), "err-learning-competence-duplicate"),
                err("course.toml", Some(7), "err-learning-level"),
            ]
        );
        // Unknown keys are refused, in course.toml and in a lesson's front matter.
        let mut files = package();
        files.insert("course.toml".into(), format!("author = \"x\"\n{COURSE}").into_bytes());
        assert_eq!(errors(&files), [err("course.toml", Some(1), "err-learning-toml")]);
        let mut files = package();
        let with_key =
            String::from_utf8(lesson("Bài"))
                .unwrap_or_default()
                .replacen("+++\n", "+++\nscript = \"x\"\n", 1);
        files.insert("01-mot.md".into(), with_key.into_bytes());
        assert_eq!(errors(&files), [err("01-mot.md", Some(2), "err-learning-toml")]);
        let mut files = package();
        files.insert("course.toml".into(), format!("{COURSE}[modules.extra]\n").into_bytes());
        assert_eq!(errors(&files)[0].2, "err-learning-toml");
        let groups_empty = COURSE.replace("[\"resident\"]", "[]");
        let mut files = package();
        files.insert("course.toml".into(), groups_empty.into_bytes());
        assert_eq!(
            errors(&files),
            [err("course.toml", Some(5), "err-learning-groups-empty")]
        );
    }

    #[test]
    fn lesson_files_are_checked() {
        let body = |front: &str, md: &str| format!("+++\n{front}\n+++\n{md}").into_bytes();
        let good = "title = \"B\"\nminutes = 5\nlevel = \"1\"";
        for (bytes, expected) in [
            (
                b"## No front matter\n".to_vec(),
                err("01-mot.md", Some(1), "err-learning-front-matter"),
            ),
            (
                b"+++\ntitle = \"B\"\n".to_vec(),
                err("01-mot.md", Some(1), "err-learning-front-matter"),
            ),
            (
                body(&good.replace("5", "0"), "## a\n"),
                err("01-mot.md", Some(3), "err-learning-minutes"),
            ),
            (
                body(&good.replace("5", "61"), "## a\n"),
                err("01-mot.md", Some(3), "err-learning-minutes"),
            ),
            (
                body(&good.replace("5", "-70000"), "## a\n"),
                err("01-mot.md", Some(3), "err-learning-minutes"),
            ),
            (
                body(&good.replace("5", "\"5\""), "## a\n"),
                err("01-mot.md", Some(3), "err-learning-toml"),
            ),
            (
                body(good, "  \n\n"),
                err("01-mot.md", Some(6), "err-learning-body-empty"),
            ),
            (
                body(good, "## a\n\nText <b>bold</b>\n"),
                err("01-mot.md", Some(8), "err-learning-markdown-html"),
            ),
            (
                body(good, "## a\n\n<script>alert(1)</script>\n"),
                err("01-mot.md", Some(8), "err-learning-markdown-html"),
            ),
            (
                body(good, "## a\n\n![x](https://a.vn/x.png)\n"),
                err("01-mot.md", Some(8), "err-learning-markdown-image"),
            ),
            (
                body(good, "## a\n\n[x](javascript:alert(1))\n"),
                err("01-mot.md", Some(8), "err-learning-markdown-link"),
            ),
            (
                body(&format!("{good}\nchecklist = [\"\"]"), "## a\n"),
                err("01-mot.md", Some(5), "err-learning-text-empty"),
            ),
        ] {
            let mut files = package();
            files.insert("01-mot.md".into(), bytes);
            assert_eq!(errors(&files), std::slice::from_ref(&expected), "{expected:?}");
        }
        let mut files = package();
        let many: Vec<String> = (0..=MAX_CHECKLIST).map(|i| format!("\"Bước {i}\"")).collect();
        files.insert(
            "01-mot.md".into(),
            body(&format!("{good}\nchecklist = [{}]", many.join(", ")), "## a\n"),
        );
        assert_eq!(errors(&files), [err("01-mot.md", Some(5), "err-learning-too-many")]);
        // CRLF line ends and a byte order mark are accepted.
        let mut files = package();
        let crlf = String::from_utf8(lesson("Bài một"))
            .unwrap_or_default()
            .replace('\n', "\r\n");
        files.insert("01-mot.md".into(), format!("\u{feff}{crlf}").into_bytes());
        let c = Course::from_files(&files).expect("CRLF");
        assert_eq!(c.modules[0].lessons[0].title, "Bài một");
        assert!(!c.modules[0].lessons[0].body_md.contains('\r'));
    }

    fn translation(front_extra: &str) -> Vec<u8> {
        format!("+++\ntitle = \"Lesson one\"\n{front_extra}checklist = [\"Do one thing\"]\n+++\n## Part one\n\nText.\n")
            .into_bytes()
    }

    #[test]
    fn translations() {
        let mut files = package();
        files.insert(
            "en/01-mot.md".into(),
            translation("minutes = 5\nlevel = \"1\"\ncompetences = [\"digcomp22:4.2\"]\n"),
        );
        files.insert("jra/01-mot.md".into(), translation(""));
        let c = Course::from_files(&files).expect("course");
        let l = &c.modules[0].lessons[0];
        assert_eq!(
            l.translations.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [ContentLang::En, ContentLang::Jrai]
        );
        assert_eq!(l.translation(ContentLang::Jrai).map(|t| t.checklist.len()), Some(1));

        for (path, bytes, expected) in [
            (
                "en/03-ba.md",
                translation(""),
                err("en/03-ba.md", None, "err-learning-translation-orphan"),
            ),
            (
                "vi/01-mot.md",
                translation(""),
                err("vi/01-mot.md", None, "err-learning-translation-same-lang"),
            ),
            (
                "en/01-mot.md",
                translation("minutes = 6\n"),
                err("en/01-mot.md", Some(3), "err-learning-translation-mismatch"),
            ),
            (
                "en/01-mot.md",
                translation("level = \"2\"\n"),
                err("en/01-mot.md", Some(3), "err-learning-translation-mismatch"),
            ),
            (
                "en/01-mot.md",
                translation("competences = [\"digcomp22:4.1\"]\n"),
                err("en/01-mot.md", Some(3), "err-learning-translation-mismatch"),
            ),
            (
                "en/01-mot.md",
                b"+++\ntitle = \"One\"\n+++\n## a\n".to_vec(),
                err("en/01-mot.md", Some(2), "err-learning-translation-checklist"),
            ),
            (
                "en/01-mot.md",
                translation("summary = \"x\"\n"),
                err("en/01-mot.md", Some(3), "err-learning-toml"),
            ),
            (
                "en/01-mot.md",
                b"+++\ntitle = \"One\"\nchecklist = [\"a\"]\n+++\n<img src=x onerror=alert(1)>\n".to_vec(),
                err("en/01-mot.md", Some(5), "err-learning-markdown-html"),
            ),
        ] {
            let mut files = package();
            files.insert(path.into(), bytes);
            assert_eq!(errors(&files), std::slice::from_ref(&expected), "{expected:?}");
        }
    }

    #[test]
    fn check_against_frameworks() {
        let mut files = package();
        files.insert(
            "course.toml".into(),
            COURSE
                .replace("[\"digcomp22:4.2\"]", "[\"digcomp22:9.9\", \"khung-khac:1.1\"]")
                .replace("level = \"1\"", "level = \"9\"")
                .into_bytes(),
        );
        let c = Course::from_files(&files).expect("reads");
        let errors = c.check(&frameworks());
        let keys: Vec<&str> = errors.iter().map(|e| e.key()).collect();
        assert_eq!(
            keys,
            [
                "err-learning-competence-unknown",
                "err-learning-framework-unknown",
                "err-learning-level-unknown"
            ]
        );
    }

    #[test]
    fn content_languages_and_competence_refs() {
        for l in ContentLang::ALL {
            assert_eq!(ContentLang::parse(l.as_str()), Some(l));
        }
        assert_eq!(ContentLang::Bahnar.as_str(), "bdq");
        assert_eq!(ContentLang::Jrai.as_str(), "jra");
        assert_eq!(ContentLang::parse("VI"), None);
        assert_eq!(
            serde_json::to_string(&ContentLang::Jrai).ok().as_deref(),
            Some("\"jra\"")
        );
        let c = CompetenceRef::parse("tt02-2025:6.1").expect("ref");
        assert_eq!((c.framework.as_str(), c.code.as_str()), ("tt02-2025", "6.1"));
        for bad in [
            "digcomp22",
            "digcomp22:",
            ":4.1",
            "DigComp:4.1",
            "digcomp22:4.1:2",
            "digcomp22:4 1",
        ] {
            assert_eq!(CompetenceRef::parse(bad), None, "{bad}");
        }
        assert!(serde_json::from_str::<CompetenceRef>("\"x:1\"").is_ok());
        assert!(serde_json::from_str::<CompetenceRef>("\"x 1\"").is_err());
    }
}
