//! A course package: the files of a course folder in one zip, so a province can hand its course to
//! another. [`Course::to_files`] writes a course back into the folder layout
//! [`Course::from_files`] reads, [`write_zip`] packs those files under one top folder and
//! [`read_zip`] unpacks an uploaded package into the same map, under hard limits. What the files
//! say (lessons listed and present, fields, references) is left to [`Course::from_files`].

use super::course::{
    COURSE_FILE, ContentLang, Course, Entry, MAX_COURSE_TOML_BYTES, MAX_FILES, MAX_LESSON_BYTES, MAX_PACKAGE_BYTES,
    classify, is_plain,
};
use super::error::ContentError;
use crate::i18n::Message;
use crate::xlsx::{Unopened, open_zip};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};
use unicode_normalization::UnicodeNormalization;

/// Entries of a package: every file a course may have, its top folder, its media folder and a
/// folder per content language (zip tools write folders as entries of their own).
pub const MAX_ENTRIES: usize = MAX_FILES + 2 + ContentLang::ALL.len();

// The file type bits of a unix mode, as zip tools store it in the external attributes.
const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;

// course.toml and a lesson's front matter as `Course::from_files` reads them: the serialisers
// write the same keys its `Raw*` structs accept, so the two cannot drift apart unnoticed (the
// round-trip test fails).
#[derive(Serialize)]
struct CourseToml<'a> {
    slug: &'a str,
    title: &'a str,
    summary: &'a str,
    language: ContentLang,
    groups: &'a [crate::people::TargetGroup],
    competences: &'a [super::CompetenceRef],
    level: &'a str,
    source_note: &'a str,
    // Written only when asked for, so a course without it reads exactly as before.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    completion_certificate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    en: Option<&'a super::Translation>,
    modules: Vec<ModuleToml<'a>>,
}

#[derive(Serialize)]
struct ModuleToml<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_en: Option<&'a str>,
    lessons: Vec<&'a str>,
}

/// A translation carries only its title and checklist: minutes, competences and level are the
/// original's.
#[derive(Serialize)]
struct FrontMatter<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    minutes: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    competences: Option<&'a [super::CompetenceRef]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<&'a str>,
    checklist: &'a [String],
    // Last: a table after the plain keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    video: Option<&'a super::video::Video>,
}

/// TOML of plain strings, numbers and arrays of tables, which the serialiser always accepts.
fn to_toml(value: &impl Serialize) -> String {
    toml::to_string(value).expect("strings, numbers and tables serialise")
}

/// `+++`, the front matter, `+++`, then the body exactly as it was read.
fn lesson_file(front: &FrontMatter, body_md: &str) -> Vec<u8> {
    format!("+++\n{}+++\n{body_md}", to_toml(front)).into_bytes()
}

impl Course {
    /// The files of the course's folder, keyed as [`Course::from_files`] reads them: course.toml,
    /// `NN-<slug>.md` and `<lang>/NN-<slug>.md`. Reading them back gives this course again.
    pub fn to_files(&self) -> BTreeMap<String, Vec<u8>> {
        let head = CourseToml {
            slug: &self.slug,
            title: &self.title,
            summary: &self.summary,
            language: self.language,
            groups: &self.groups,
            competences: &self.competences,
            level: &self.level,
            source_note: &self.source_note,
            completion_certificate: self.completion_certificate,
            en: self.en.as_ref(),
            modules: self
                .modules
                .iter()
                .map(|m| ModuleToml {
                    title: &m.title,
                    title_en: m.title_en.as_deref(),
                    lessons: m.lessons.iter().map(|l| l.file.as_str()).collect(),
                })
                .collect(),
        };
        let mut files = BTreeMap::from([(COURSE_FILE.to_string(), to_toml(&head).into_bytes())]);
        for l in self.lessons() {
            let front = FrontMatter {
                title: &l.title,
                minutes: Some(l.minutes),
                competences: Some(&l.competences),
                level: Some(&l.level),
                checklist: &l.checklist,
                video: l.video.as_ref(),
            };
            files.insert(l.file.clone(), lesson_file(&front, &l.body_md));
            for (lang, t) in &l.translations {
                let front = FrontMatter {
                    title: &t.title,
                    minutes: None,
                    competences: None,
                    level: None,
                    checklist: &t.checklist,
                    video: t.video.as_ref(),
                };
                files.insert(format!("{}/{}", lang.as_str(), l.file), lesson_file(&front, &t.body_md));
            }
        }
        for (name, bytes) in &self.media {
            files.insert(format!("{}{name}", super::media::MEDIA_DIR), bytes.clone());
        }
        files
    }
}

/// A zip of `files`, each deflated under the top folder `folder` (the course's slug; none if empty),
/// so a package unpacks into a folder named after its course. Entries carry a fixed date, so one course always
/// gives the same bytes. Fails only on what no course has: a name or a file past the zip format's
/// sizes.
pub fn write_zip(folder: &str, files: &BTreeMap<String, Vec<u8>>) -> zip::result::ZipResult<Vec<u8>> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (path, bytes) in files {
        let name = if folder.is_empty() {
            path.clone()
        } else {
            format!("{folder}/{path}")
        };
        zip.start_file(name, options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Shows a name from a package in a message: its control characters (a NUL, a line break) would
/// otherwise hide or garble what is wrong.
fn shown(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { char::REPLACEMENT_CHARACTER } else { c })
        .collect()
}

/// Every name of the central directory as written. The zip reader keeps one entry per name, so a
/// name written twice is only seen here.
fn directory_names(bytes: &[u8], start: u64, max: usize) -> Vec<&[u8]> {
    let mut names = Vec::new();
    let mut at = usize::try_from(start).unwrap_or(usize::MAX);
    while names.len() < max && bytes.get(at..at.saturating_add(4)) == Some(b"PK\x01\x02") {
        let u16_at = |i: usize| {
            bytes
                .get(at + i..at + i + 2)
                .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])))
        };
        let (name_len, extra_len, comment_len) = (u16_at(28), u16_at(30), u16_at(32));
        let Some(name) = bytes.get(at + 46..at + 46 + name_len) else {
            break;
        };
        names.push(name);
        at += 46 + name_len + extra_len + comment_len;
    }
    names
}

/// The top folder of a package packed as a folder (`<folder>/course.toml`), with its slash; empty
/// for a package packed without one.
fn top_folder(names: &[String]) -> &str {
    if names.iter().any(|n| n == COURSE_FILE) {
        return "";
    }
    names
        .iter()
        .filter_map(|n| n.strip_suffix(COURSE_FILE))
        .find(|dir| dir.len() > 1 && dir.find('/') == Some(dir.len() - 1))
        .unwrap_or("")
}

/// Reads an uploaded package into its files, keyed as [`Course::from_files`] reads them. A package
/// packed as a folder (`<folder>/course.toml`, no course.toml at the top) has that folder taken
/// off, and a file outside it is refused; one packed without a folder is read as it is. Nothing the package declares about itself is
/// believed: entries are counted before the zip reader sizes its directory from them, and every
/// file is inflated through a cap one byte past its limit, so a bomb costs at most that much time
/// and memory. Every problem is reported, naming the entry as the package spells it; a problem of
/// the whole package has an empty file name.
pub fn read_zip(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, Vec<ContentError>> {
    let whole = |message: Message| vec![ContentError::new("", None, message)];
    let mut zip = open_zip(bytes, MAX_ENTRIES).map_err(|e| {
        whole(match e {
            Unopened::NotZip => Message::new("err-learning-package-not-zip"),
            Unopened::TooManyEntries => Message::new("err-learning-package-too-many-entries").arg("max", MAX_FILES),
        })
    })?;
    let mut errors = Vec::new();
    let at = |name: &str, message: Message| ContentError::new(&shown(name), None, message.arg("path", shown(name)));

    if zip.has_duplicate_names() {
        let mut seen = BTreeSet::new();
        for name in directory_names(bytes, zip.central_directory_start(), MAX_ENTRIES) {
            let name = String::from_utf8_lossy(name);
            if !seen.insert(name.clone()) {
                errors.push(at(&name, Message::new("err-learning-package-duplicate")));
            }
        }
    }
    // A name the zip reader cannot decode is still shown, as far as its bytes are text.
    let names: Vec<String> = zip
        .file_names_raw()
        .enumerate()
        .map(|(i, raw)| match zip.name_for_index(i) {
            Some(Ok(name)) => name.into_owned(),
            _ => String::from_utf8_lossy(raw).into_owned(),
        })
        .collect();
    let top = top_folder(&names).to_string();

    let mut files = BTreeMap::new();
    // Bytes inflated so far, kept or not: what the package has cost.
    let mut inflated = 0;
    for (i, name) in names.iter().enumerate() {
        let Ok(entry) = zip.by_index_data(i) else {
            errors.push(at(name, Message::new("err-learning-package-entry-unreadable")));
            continue;
        };
        if !is_plain(name.strip_suffix('/').unwrap_or(name)) {
            errors.push(at(name, Message::new("err-learning-path-unsafe")));
            continue;
        }
        let (encrypted, is_dir) = (entry.encrypted(), entry.is_dir());
        let kind = entry.unix_mode().map_or(0, |mode| mode & S_IFMT);
        if encrypted {
            errors.push(at(name, Message::new("err-learning-package-encrypted")));
            continue;
        }
        if kind == S_IFLNK {
            errors.push(at(name, Message::new("err-learning-package-symlink")));
            continue;
        }
        let expected = if is_dir { S_IFDIR } else { S_IFREG };
        if kind != 0 && kind != expected {
            errors.push(at(name, Message::new("err-learning-package-not-file")));
            continue;
        }
        let Some(relative) = name.strip_prefix(&top) else {
            let folder = top.trim_end_matches('/');
            errors.push(at(
                name,
                Message::new("err-learning-package-outside-folder").arg("folder", folder),
            ));
            continue;
        };
        // A folder holds nothing of its own; its files are entries of their own.
        if is_dir {
            continue;
        }
        let relative: String = relative.nfc().collect();
        let cap = match classify(&relative) {
            Ok(Entry::Course) => MAX_COURSE_TOML_BYTES,
            Ok(Entry::Media(_)) => super::media::MAX_DOWNLOAD_BYTES,
            Ok(_) => MAX_LESSON_BYTES,
            Err(message) => {
                errors.push(ContentError::new(&shown(name), None, message));
                continue;
            }
        };
        if files.contains_key(&relative) {
            errors.push(at(name, Message::new("err-learning-package-duplicate")));
            continue;
        }
        if inflated > MAX_PACKAGE_BYTES {
            // Reported once, when it was passed; the remaining entries' names are still checked.
            continue;
        }
        let limit = cap.min(MAX_PACKAGE_BYTES - inflated);
        let mut content = Vec::new();
        let read = zip
            .by_index(i)
            .and_then(|file| Ok(file.take(limit as u64 + 1).read_to_end(&mut content)?));
        inflated += content.len();
        if read.is_err() {
            errors.push(at(name, Message::new("err-learning-package-entry-unreadable")));
        } else if content.len() > cap {
            errors.push(at(
                name,
                Message::new("err-learning-package-entry-too-large").arg("max", cap),
            ));
        } else if inflated <= MAX_PACKAGE_BYTES {
            files.insert(relative, content);
        }
        if inflated > MAX_PACKAGE_BYTES {
            errors.push(ContentError::new(
                "",
                None,
                Message::new("err-learning-package-inflated-too-large").arg("max", MAX_PACKAGE_BYTES),
            ));
        }
    }
    if errors.is_empty() { Ok(files) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::course::tests::{COURSE, courses_dir, frameworks, lesson, package, read_folder};
    use zip::write::SimpleFileOptions;

    fn options() -> SimpleFileOptions {
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
    }

    /// A zip of the small test course under `thu/`, then `extra` entries written as given.
    fn hostile(extra: impl FnOnce(&mut zip::ZipWriter<Cursor<Vec<u8>>>)) -> Vec<u8> {
        let mut w = zip::ZipWriter::new_append(Cursor::new(write_zip("thu", &package()).unwrap())).unwrap();
        extra(&mut w);
        w.finish().unwrap().into_inner()
    }

    fn add(w: &mut zip::ZipWriter<Cursor<Vec<u8>>>, name: &str, opts: SimpleFileOptions, bytes: &[u8]) {
        w.start_file(name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }

    fn problems(bytes: &[u8]) -> Vec<(String, String)> {
        match read_zip(bytes) {
            Ok(files) => panic!("read: {:?}", files.keys().collect::<Vec<_>>()),
            Err(e) => e.into_iter().map(|e| (e.file, e.message.key)).collect(),
        }
    }

    fn p(file: &str, key: &str) -> (String, String) {
        (file.to_string(), key.to_string())
    }

    #[test]
    fn every_shipped_course_round_trips_through_files_and_a_zip() {
        let mut dirs: Vec<_> = std::fs::read_dir(courses_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        assert_eq!(dirs.len(), 12);
        for dir in dirs {
            let course = Course::from_files(&read_folder(&dir)).unwrap();
            let files = course.to_files();
            assert_eq!(Course::from_files(&files).as_ref(), Ok(&course), "{}", course.slug);
            let zip = write_zip(&course.slug, &files).unwrap();
            let back = read_zip(&zip).unwrap();
            assert_eq!(back, files, "{}", course.slug);
            assert_eq!(Course::from_files(&back), Ok(course.clone()));
            // The folder exactly as authors keep it packs and reads back too.
            let folder = read_folder(&dir);
            assert_eq!(read_zip(&write_zip(&course.slug, &folder).unwrap()).unwrap(), folder);
            let archive = zip::ZipArchive::new(Cursor::new(&zip[..])).unwrap();
            let prefix = format!("{}/", course.slug);
            assert!(archive.file_names().all(|n| n.unwrap().starts_with(&prefix)));
        }
        // Same course, same bytes.
        let files = package();
        assert_eq!(write_zip("thu", &files).unwrap(), write_zip("thu", &files).unwrap());
    }

    #[test]
    fn a_package_without_a_top_folder_or_with_folder_entries_reads() {
        let mut files = package();
        files.insert("en/01-mot.md".into(), lesson("One"));
        assert_eq!(read_zip(&write_zip("", &files).unwrap()).unwrap(), files);
        let with_dirs = hostile(|w| {
            w.add_directory("thu/", options()).unwrap();
            w.add_directory("thu/en/", options()).unwrap();
        });
        assert_eq!(read_zip(&with_dirs).unwrap(), package());
    }

    #[test]
    fn hostile_names_and_entries_are_each_reported() {
        let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let bytes = hostile(|w| {
            for name in [
                "../evil.md",
                "/abs.md",
                "C:\\x.md",
                "\\\\server\\x.md",
                "thu/../evil.md",
                "thu/en\\01-mot.md",
                "thu/a\u{0}b.md",
                "thu/../",
            ] {
                add(w, name, options(), b"x");
            }
            add(w, "01-mot.md", options(), &lesson("Outside"));
            add(w, "thu/notes.txt", options(), b"x");
            add(w, "thu/images/a.png", options(), b"x");
            w.add_symlink("thu/03-ba.md", "/etc/passwd", options()).unwrap();
            add(
                w,
                "thu/04-bon.md",
                options().external_attributes(0o120_777 << 16),
                b"/etc/shadow",
            );
            add(w, "thu/05-nam.md", stored.external_attributes(0o010_644 << 16), b"");
        });
        assert_eq!(
            problems(&bytes),
            [
                p("../evil.md", "err-learning-path-unsafe"),
                p("/abs.md", "err-learning-path-unsafe"),
                p("C:\\x.md", "err-learning-path-unsafe"),
                p("\\\\server\\x.md", "err-learning-path-unsafe"),
                p("thu/../evil.md", "err-learning-path-unsafe"),
                p("thu/en\\01-mot.md", "err-learning-path-unsafe"),
                p("thu/a\u{fffd}b.md", "err-learning-path-unsafe"),
                p("thu/../", "err-learning-path-unsafe"),
                p("01-mot.md", "err-learning-package-outside-folder"),
                p("thu/notes.txt", "err-learning-file-unexpected"),
                p("thu/images/a.png", "err-learning-lang-unknown"),
                p("thu/03-ba.md", "err-learning-package-symlink"),
                p("thu/04-bon.md", "err-learning-package-symlink"),
                p("thu/05-nam.md", "err-learning-package-not-file"),
            ]
        );
    }

    #[test]
    fn encrypted_and_damaged_entries_are_refused() {
        let mut bytes = hostile(|w| add(w, "thu/03-ba.md", options(), &lesson("Ba")));
        // No encryption feature is built in: set the "encrypted" flag of the last entry by hand,
        // in its local header and in the central directory.
        let local = bytes.windows(4).rposition(|w| w == b"PK\x03\x04").unwrap();
        let central = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        bytes[local + 6] |= 1;
        bytes[central + 8] |= 1;
        assert_eq!(problems(&bytes), [p("thu/03-ba.md", "err-learning-package-encrypted")]);
        // A checksum that does not match what inflates: the entry is refused, not read half-way.
        let mut bytes = hostile(|w| add(w, "thu/03-ba.md", options(), &lesson("Ba")));
        let local = bytes.windows(4).rposition(|w| w == b"PK\x03\x04").unwrap();
        let central = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        bytes[local + 14] ^= 0xFF;
        bytes[central + 16] ^= 0xFF;
        assert_eq!(
            problems(&bytes),
            [p("thu/03-ba.md", "err-learning-package-entry-unreadable")]
        );
    }

    #[test]
    fn duplicate_names_are_refused() {
        // The writer refuses a name twice; write two and make them equal afterwards.
        let mut bytes = hostile(|w| add(w, "thu/01-moX.md", options(), &lesson("Again")));
        for at in 0..bytes.len() - 8 {
            if &bytes[at..at + 9] == b"01-moX.md" {
                bytes[at + 5] = b't';
            }
        }
        assert_eq!(problems(&bytes), [p("thu/01-mot.md", "err-learning-package-duplicate")]);
        // The same name in two Unicode forms (composed and decomposed "ộ").
        let bytes = hostile(|w| {
            add(w, "thu/03-mộ.md", options(), b"x");
            add(w, "thu/03-mo\u{0323}\u{0302}.md", options(), b"x");
        });
        assert_eq!(
            problems(&bytes),
            [p("thu/03-mo\u{0323}\u{0302}.md", "err-learning-package-duplicate")]
        );
    }

    #[test]
    fn bombs_are_stopped_at_the_cap_with_bounded_memory() {
        // 200 MB of zeros deflate to about 200 KB.
        let bomb = hostile(|w| {
            w.start_file("thu/03-ba.md", options()).unwrap();
            let zeros = vec![0; 1024 * 1024];
            for _ in 0..200 {
                w.write_all(&zeros).unwrap();
            }
        });
        assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
        let (out, heap) = crate::xlsx::tests::peak_heap(|| read_zip(&bomb));
        // The cap, its buffer's doubling and the inflater's window: a few hundred KB, not 200 MB.
        assert!(heap < 4 * MAX_LESSON_BYTES, "{heap}");
        let e = out.unwrap_err();
        assert_eq!(
            (e[0].file.as_str(), e[0].key(), e.len()),
            ("thu/03-ba.md", "err-learning-package-entry-too-large", 1)
        );
        assert!(
            e[0].message
                .args
                .contains(&("max".to_string(), MAX_LESSON_BYTES.to_string()))
        );
        // course.toml has its own, smaller cap.
        let mut files = package();
        files.insert("course.toml".into(), vec![b' '; MAX_COURSE_TOML_BYTES + 1]);
        let big = write_zip("thu", &files).unwrap();
        assert_eq!(
            problems(&big),
            [p("thu/course.toml", "err-learning-package-entry-too-large")]
        );
        // Files each under their cap, together over the package's.
        let mut files = package();
        let cap = super::super::media::MAX_DOWNLOAD_BYTES;
        for i in 0..=MAX_PACKAGE_BYTES / cap {
            files.insert(format!("media/tep-{i}.txt"), vec![b'a'; cap]);
        }
        let many = write_zip("thu", &files).unwrap();
        assert_eq!(problems(&many), [p("", "err-learning-package-inflated-too-large")]);
    }

    #[test]
    fn too_many_entries_and_files_that_are_no_zip() {
        let bytes = hostile(|w| {
            for i in 0..MAX_ENTRIES {
                add(w, &format!("thu/x{i}.md"), options(), b"");
            }
        });
        assert_eq!(problems(&bytes), [p("", "err-learning-package-too-many-entries")]);
        // A package that only declares many: refused before the zip reader sizes its directory.
        let mut bytes = write_zip("thu", &package()).unwrap();
        let end = bytes.len() - 22;
        bytes[end + 8..end + 12].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(problems(&bytes), [p("", "err-learning-package-too-many-entries")]);

        let zip = write_zip("thu", &package()).unwrap();
        for not_zip in [&b""[..], b"not a zip", &lesson("x")[..], &zip[..zip.len() / 2]] {
            assert_eq!(problems(not_zip), [p("", "err-learning-package-not-zip")]);
        }
        // An empty zip reads as no files: from_files then says course.toml is missing.
        let empty = zip::ZipWriter::new(Cursor::new(Vec::new()))
            .finish()
            .unwrap()
            .into_inner();
        assert_eq!(read_zip(&empty), Ok(BTreeMap::new()));
    }

    #[test]
    fn what_the_files_say_is_checked_after_reading() {
        let mut files = package();
        files.remove("02-hai.md");
        let read = read_zip(&write_zip("thu", &files).unwrap()).unwrap();
        let e = Course::from_files(&read).unwrap_err();
        assert_eq!(
            (e[0].file.as_str(), e[0].key(), e.len()),
            ("course.toml", "err-learning-lesson-missing", 1)
        );
        assert_eq!(e[0].message.args[1], ("file".to_string(), "02-hai.md".to_string()));

        let mut files = package();
        let unknown = COURSE.replace("[\"digcomp22:4.2\"]", "[\"digcomp22:9.9\"]");
        files.insert("course.toml".into(), unknown.into_bytes());
        let course = Course::from_files(&read_zip(&write_zip("thu", &files).unwrap()).unwrap()).unwrap();
        let e = course.check(&frameworks());
        assert_eq!(
            e.iter().map(|e| (e.file.as_str(), e.key())).collect::<Vec<_>>(),
            [("course.toml", "err-learning-competence-unknown")]
        );
    }

    #[test]
    fn images_and_files_travel_with_their_lessons() {
        let body = "+++\ntitle = \"Bài một\"\nminutes = 5\ncompetences = [\"digcomp22:4.2\"]\nlevel = \"1\"\nchecklist = []\n[video]\nurl = \"https://www.youtube.com/watch?v=abc\"\ntitle = \"Kích hoạt VNeID\"\ntranscript = \"\"\"\nMở ứng dụng.\n\nChọn \\\"Kích hoạt\\\".\"\"\"\n+++\n## Màn hình\n\n![Màn hình chính](media/man-hinh.jpg)\n\nTải [tờ khai](media/to-khai.pdf).\n";
        let mut files = package();
        files.insert("01-mot.md".into(), body.as_bytes().to_vec());
        files.insert("media/man-hinh.jpg".into(), b"\xff\xd8\xff\xe0 jpeg bytes".to_vec());
        files.insert("media/to-khai.pdf".into(), b"%PDF-1.4 form".to_vec());
        let course = Course::from_files(&files).unwrap();
        let video = course.modules[0].lessons[0].video.clone().unwrap();
        assert_eq!(
            (video.title.as_str(), video.paragraphs()),
            (
                "Kích hoạt VNeID",
                vec!["Mở ứng dụng.".to_string(), "Chọn \"Kích hoạt\".".to_string()]
            )
        );
        assert_eq!(
            course.media.keys().map(String::as_str).collect::<Vec<_>>(),
            ["man-hinh.jpg", "to-khai.pdf"]
        );
        let zip = write_zip(&course.slug, &course.to_files()).unwrap();
        let back = read_zip(&zip).unwrap();
        assert_eq!(Course::from_files(&back), Ok(course));
        // A video at an address lessons may not send learners to is refused at its table.
        let mut bad = files.clone();
        let text = String::from_utf8(bad["01-mot.md"].clone())
            .unwrap()
            .replace("www.youtube.com", "evil.example");
        bad.insert("01-mot.md".into(), text.into_bytes());
        let errors = Course::from_files(&bad).unwrap_err();
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.line, e.message.key.as_str()))
                .collect::<Vec<_>>(),
            [(Some(7), "err-learning-video-host")]
        );

        // A lesson naming a file the package does not carry, and names no stored file can have.
        let mut missing = files.clone();
        missing.remove("media/to-khai.pdf");
        let keys: Vec<(String, String)> = Course::from_files(&missing)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.file, e.message.key))
            .collect();
        assert_eq!(
            keys,
            [(
                "01-mot.md".to_string(),
                "err-learning-markdown-media-missing".to_string()
            )]
        );
        for bad in [
            "media/Anh.JPG",
            "media/a.svg",
            "media/a b.jpg",
            "media/x/y.jpg",
            "media/.jpg",
        ] {
            let mut f = files.clone();
            f.insert(bad.into(), b"x".to_vec());
            let errors = Course::from_files(&f).unwrap_err();
            assert!(
                errors.iter().any(|e| e.file == bad
                    && ["err-learning-media-name", "err-learning-path-unsafe"].contains(&e.message.key.as_str())),
                "{bad}: {errors:?}"
            );
        }
    }
}
