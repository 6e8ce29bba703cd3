//! Learning content as pure data and rules: competence frameworks and what each target group must
//! reach, courses read from their folder or an uploaded package (and written back into one), lesson
//! Markdown made safe to show, authors' edits, and images and files checked for lessons. No storage
//! and no HTTP here.

pub mod correction;
mod course;
pub mod draft;
mod error;
mod framework;
pub mod lessons_rule;
pub mod markdown;
pub mod media;
pub mod package;
pub mod recording;
mod status;
pub mod video;
pub mod xapi;

pub use course::{
    COURSE_FILE, CompetenceRef, ContentLang, Course, LEVEL_FRAMEWORK, Lesson, LessonText, MAX_CHECKLIST,
    MAX_CHECKLIST_ITEM_CHARS, MAX_COMPETENCES, MAX_COURSE_TOML_BYTES, MAX_FILES, MAX_LESSON_BYTES, MAX_LESSONS,
    MAX_MODULES, MAX_PACKAGE_BYTES, MAX_PATH_BYTES, MAX_SLUG_CHARS, MAX_SOURCE_NOTE_CHARS, MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS, MINUTES, Module, Translation,
};
pub use error::ContentError;
pub use framework::{
    Area, Competence, FRAMEWORK_FILE, Framework, GroupRequirements, Level, MAPPING_FILE, MAX_FRAMEWORK_BYTES, MapEntry,
    Mapping, REQUIREMENTS_FILE, Relation, Requirement, Requirements,
};
pub use status::CourseStatus;

use crate::text;

/// The folded text a course is found by: its title and summary without diacritics, lower case,
/// so "dich vu cong" finds "Dịch vụ công".
pub fn search_key(title: &str, summary: &str) -> String {
    text::fold(&format!("{title} {summary}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_key_finds_without_diacritics() {
        let key = search_key(
            "Làm thủ tục trên Cổng Dịch vụ công quốc gia",
            "Nộp hồ sơ trực tuyến, theo dõi và nhận kết quả.",
        );
        assert!(key.contains("dich vu cong"), "{key}");
        assert!(key.contains(&text::fold("Đ nộp HỒ SƠ")[2..]), "{key}");
        assert!(key.contains(&text::fold("Dịch vụ công")));
        assert!(!key.contains("dịch"));
        assert_eq!(search_key("Đường", "dây nóng"), "duong day nong");
    }

    /// Every message key and field name this module uses is in learning.ftl of both languages,
    /// with the same arguments, and the files are loaded.
    #[test]
    fn learning_messages_exist_in_both_languages() {
        use crate::i18n::Lang;
        use std::collections::{BTreeMap, BTreeSet};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let ftl = |lang: &str| -> BTreeMap<String, BTreeSet<String>> {
            let text = std::fs::read_to_string(root.join("../../locales").join(lang).join("learning.ftl"))
                .expect("learning.ftl");
            // A message runs on over indented lines (plural variants); its arguments are every
            // `$name` in it.
            let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            let mut current: Option<String> = None;
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                let value = if line.starts_with(char::is_whitespace) {
                    line
                } else if let Some((k, v)) = line.split_once(" = ") {
                    current = Some(k.trim().to_string());
                    out.entry(k.trim().to_string()).or_default();
                    v
                } else {
                    current = None;
                    continue;
                };
                if let Some(k) = &current {
                    let args = out.entry(k.clone()).or_default();
                    for a in value.split('$').skip(1) {
                        let name: String = a
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                            .collect();
                        args.insert(name);
                    }
                }
            }
            out
        };
        let (vi, en) = (ftl("vi"), ftl("en"));
        assert_eq!(vi, en, "same keys with the same arguments");
        let mut used = BTreeSet::new();
        // Every source file of the module, so a new one is checked without being listed here.
        let files = std::fs::read_dir(root.join("src/learning")).expect("learning sources");
        for file in files
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        {
            let source = std::fs::read_to_string(&file).expect("source");
            for piece in source.split('"').skip(1).step_by(2) {
                if piece.starts_with("err-learning-") {
                    used.insert(piece.to_string());
                } else if piece.starts_with("learning-") && !piece.contains(' ') {
                    used.insert(format!("field-{piece}"));
                }
            }
        }
        for l in ContentLang::ALL {
            used.insert(l.label_key());
        }
        let missing: Vec<_> = used.iter().filter(|k| !vi.contains_key(*k)).collect();
        assert!(missing.is_empty(), "not in learning.ftl: {missing:?}");
        assert!(used.len() > 60, "{used:?}");
        for lang in [Lang::Vi, Lang::En] {
            let m = crate::Message::new("err-learning-not-utf8");
            assert_ne!(m.render(lang), m.key, "learning.ftl is loaded");
        }
        let m = crate::Message::new("err-learning-text-empty").arg("field", "learning-title");
        assert_eq!(
            m.render(Lang::Vi),
            "Mục “Tiêu đề” đang để trống. Điền nội dung cho mục này."
        );
        assert!(m.render(Lang::En).starts_with("“Title” is empty"));
    }
}
