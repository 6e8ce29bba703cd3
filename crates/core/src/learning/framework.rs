//! Digital-competence frameworks (`data/frameworks/<id>.toml`), the levels each target group must
//! reach (`requirements.toml`) and the mappings between two frameworks (`mapping-*.toml`).
//!
//! Each file is read strictly: a key the format does not know is an error, and every problem of a
//! file is reported, not only the first.

use super::error::{ContentError, Source, is_code, is_slug, line_text, long_text};
use crate::i18n::Message;
use crate::people::TargetGroup;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

/// A framework file is at most this long (the largest shipped one is about 30 KB).
pub const MAX_FRAMEWORK_BYTES: usize = 256 * 1024;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
pub const MAX_NOTE_CHARS: usize = 5_000;

/// The file name errors of [`Framework::parse`] carry; see [`ContentError::in_file`].
pub const FRAMEWORK_FILE: &str = "framework.toml";
pub const REQUIREMENTS_FILE: &str = "requirements.toml";
pub const MAPPING_FILE: &str = "mapping.toml";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub version: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    pub issued_by: String,
    pub source: String,
    pub source_note: String,
    pub levels: Vec<Level>,
    pub areas: Vec<Area>,
}

/// A proficiency level, in order from the lowest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What is uncertain about this area (a placeholder, wording not yet checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub competences: Vec<Competence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Competence {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

// The file as written, with the position of each value for the error messages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    id: Spanned<String>,
    version: Spanned<String>,
    title: Spanned<String>,
    title_en: Option<Spanned<String>>,
    issued_by: Spanned<String>,
    source: Spanned<String>,
    source_note: Spanned<String>,
    #[serde(default)]
    levels: Vec<RawLevel>,
    #[serde(default)]
    areas: Vec<RawArea>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    code: Spanned<String>,
    name: Spanned<String>,
    name_en: Option<Spanned<String>>,
    description: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    code: Spanned<String>,
    name: Spanned<String>,
    name_en: Option<Spanned<String>>,
    description: Option<Spanned<String>>,
    note: Option<Spanned<String>>,
    #[serde(default)]
    competences: Vec<RawCompetence>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompetence {
    code: Spanned<String>,
    name: Spanned<String>,
    name_en: Option<Spanned<String>>,
    description: Spanned<String>,
    note: Option<Spanned<String>>,
}

/// NFC, then the size cap (checked on the text; framework files come as text).
fn prepare(file: &str, text: &str) -> Result<String, ContentError> {
    super::error::decode(file, text.as_bytes(), MAX_FRAMEWORK_BYTES)
}

fn code(src: &Source, value: &Spanned<String>, errors: &mut Vec<ContentError>) -> String {
    let code: String = value.get_ref().trim().to_string();
    if !is_code(&code) {
        errors.push(src.at(value, Message::new("err-learning-code").arg("value", value.get_ref())));
    }
    code
}

fn optional(
    src: &Source,
    value: &Option<Spanned<String>>,
    field: &str,
    max: usize,
    errors: &mut Vec<ContentError>,
) -> Option<String> {
    value
        .as_ref()
        .map(|v| long_text(src, v, field, max, errors))
        .filter(|s| !s.is_empty())
}

impl Framework {
    /// Reads a framework file. Errors name [`FRAMEWORK_FILE`]; the caller may rename them with
    /// [`ContentError::in_file`].
    pub fn parse(text: &str) -> Result<Framework, Vec<ContentError>> {
        let text = prepare(FRAMEWORK_FILE, text).map_err(|e| vec![e])?;
        let src = Source::new(FRAMEWORK_FILE, &text, 1);
        let raw: RawFramework = src.toml().map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        let e = &mut errors;

        let id = raw.id.get_ref().trim().to_string();
        if !is_slug(&id, 50) {
            e.push(src.at(
                &raw.id,
                Message::new("err-learning-framework-id").arg("value", raw.id.get_ref()),
            ));
        }
        let version = line_text(&src, &raw.version, "learning-version", 50, e);
        let title = line_text(&src, &raw.title, "learning-title", MAX_NAME_CHARS, e);
        let title_en = raw
            .title_en
            .as_ref()
            .map(|t| line_text(&src, t, "learning-title-en", MAX_NAME_CHARS, e));
        let issued_by = line_text(&src, &raw.issued_by, "learning-issued-by", 500, e);
        let source = long_text(&src, &raw.source, "learning-source", MAX_NOTE_CHARS, e);
        let source_note = long_text(&src, &raw.source_note, "learning-source-note", MAX_NOTE_CHARS, e);

        if raw.levels.is_empty() {
            e.push(src.error(None, Message::new("err-learning-framework-no-levels")));
        }
        if raw.areas.is_empty() {
            e.push(src.error(None, Message::new("err-learning-framework-no-areas")));
        }

        let mut level_codes = BTreeSet::new();
        let levels = raw
            .levels
            .iter()
            .map(|l| {
                let code = code(&src, &l.code, e);
                if !level_codes.insert(code.clone()) {
                    e.push(src.at(
                        &l.code,
                        Message::new("err-learning-framework-level-duplicate").arg("code", &code),
                    ));
                }
                Level {
                    name: line_text(&src, &l.name, "learning-name", MAX_NAME_CHARS, e),
                    name_en: l
                        .name_en
                        .as_ref()
                        .map(|n| line_text(&src, n, "learning-name-en", MAX_NAME_CHARS, e)),
                    description: long_text(&src, &l.description, "learning-description", MAX_DESCRIPTION_CHARS, e),
                    code,
                }
            })
            .collect();

        let mut area_codes = BTreeSet::new();
        let mut competence_codes = BTreeSet::new();
        let areas = raw
            .areas
            .iter()
            .map(|a| {
                let area_code = code(&src, &a.code, e);
                if !area_codes.insert(area_code.clone()) {
                    e.push(src.at(
                        &a.code,
                        Message::new("err-learning-framework-area-duplicate").arg("code", &area_code),
                    ));
                }
                if a.competences.is_empty() {
                    e.push(src.at(
                        &a.code,
                        Message::new("err-learning-framework-area-empty").arg("code", &area_code),
                    ));
                }
                let competences = a
                    .competences
                    .iter()
                    .map(|c| {
                        let code = code(&src, &c.code, e);
                        if !competence_codes.insert(code.clone()) {
                            e.push(src.at(
                                &c.code,
                                Message::new("err-learning-framework-competence-duplicate").arg("code", &code),
                            ));
                        }
                        Competence {
                            name: line_text(&src, &c.name, "learning-name", MAX_NAME_CHARS, e),
                            name_en: c
                                .name_en
                                .as_ref()
                                .map(|n| line_text(&src, n, "learning-name-en", MAX_NAME_CHARS, e)),
                            description: long_text(
                                &src,
                                &c.description,
                                "learning-description",
                                MAX_DESCRIPTION_CHARS,
                                e,
                            ),
                            note: optional(&src, &c.note, "learning-note", MAX_NOTE_CHARS, e),
                            code,
                        }
                    })
                    .collect();
                Area {
                    name: line_text(&src, &a.name, "learning-name", MAX_NAME_CHARS, e),
                    name_en: a
                        .name_en
                        .as_ref()
                        .map(|n| line_text(&src, n, "learning-name-en", MAX_NAME_CHARS, e)),
                    description: optional(&src, &a.description, "learning-description", MAX_DESCRIPTION_CHARS, e),
                    note: optional(&src, &a.note, "learning-note", MAX_NOTE_CHARS, e),
                    code: area_code,
                    competences,
                }
            })
            .collect();

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Framework {
            id,
            version,
            title,
            title_en,
            issued_by,
            source,
            source_note,
            levels,
            areas,
        })
    }

    pub fn level(&self, code: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.code == code)
    }

    /// Every competence of every area, in the file's order.
    pub fn competences(&self) -> impl Iterator<Item = &Competence> {
        self.areas.iter().flat_map(|a| a.competences.iter())
    }

    pub fn competence(&self, code: &str) -> Option<&Competence> {
        self.competences().find(|c| c.code == code)
    }
}

fn framework<'a>(frameworks: &'a [Framework], id: &str) -> Option<&'a Framework> {
    frameworks.iter().find(|f| f.id == id)
}

/// The levels each target group must reach, per competence of one framework: the province's
/// default that its steering committee edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirements {
    pub note: String,
    pub groups: Vec<GroupRequirements>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRequirements {
    pub group: TargetGroup,
    pub framework: String,
    pub require: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub competence: String,
    pub level: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirements {
    #[serde(default)]
    note: Option<Spanned<String>>,
    #[serde(default)]
    group: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    group: Spanned<String>,
    framework: Spanned<String>,
    #[serde(default)]
    require: Vec<RawRequire>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequire {
    competence: Spanned<String>,
    level: Spanned<String>,
}

/// A target group as content files write it: its code exactly (`public_staff`, `student`,
/// `worker`, `resident`), not the spellings lists of people use.
pub(crate) fn group_code(s: &str) -> Option<TargetGroup> {
    TargetGroup::parse(s).filter(|g| g.as_str() == s)
}

impl Requirements {
    /// Reads `requirements.toml`; errors name [`REQUIREMENTS_FILE`].
    pub fn parse(text: &str) -> Result<Requirements, Vec<ContentError>> {
        let text = prepare(REQUIREMENTS_FILE, text).map_err(|e| vec![e])?;
        let src = Source::new(REQUIREMENTS_FILE, &text, 1);
        let raw: RawRequirements = src.toml().map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        let e = &mut errors;
        let note = optional(&src, &raw.note, "learning-note", MAX_NOTE_CHARS, e).unwrap_or_default();
        let mut seen = BTreeSet::new();
        let groups = raw
            .group
            .iter()
            .filter_map(|g| {
                let group = group_code(g.group.get_ref().trim());
                match group {
                    None => e.push(src.at(
                        &g.group,
                        Message::new("err-learning-group-unknown").arg("value", g.group.get_ref()),
                    )),
                    Some(group) if !seen.insert(group.as_str()) => e.push(src.at(
                        &g.group,
                        Message::new("err-learning-requirement-group-duplicate").arg("group", group.as_str()),
                    )),
                    Some(_) => {}
                }
                let framework = g.framework.get_ref().trim().to_string();
                if !is_slug(&framework, 50) {
                    e.push(src.at(
                        &g.framework,
                        Message::new("err-learning-framework-id").arg("value", &framework),
                    ));
                }
                let mut competences = BTreeSet::new();
                let require = g
                    .require
                    .iter()
                    .map(|r| {
                        let competence = code(&src, &r.competence, e);
                        if !competences.insert(competence.clone()) {
                            e.push(
                                src.at(
                                    &r.competence,
                                    Message::new("err-learning-requirement-duplicate")
                                        .arg("group", g.group.get_ref())
                                        .arg("competence", &competence),
                                ),
                            );
                        }
                        Requirement {
                            competence,
                            level: code(&src, &r.level, e),
                        }
                    })
                    .collect();
                Some(GroupRequirements {
                    group: group?,
                    framework,
                    require,
                })
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Requirements { note, groups })
    }

    /// Every framework, competence and level named exists in `frameworks`.
    pub fn check(&self, frameworks: &[Framework]) -> Vec<ContentError> {
        let mut errors = Vec::new();
        let err = |m: Message| ContentError::new(REQUIREMENTS_FILE, None, m);
        for g in &self.groups {
            let Some(f) = framework(frameworks, &g.framework) else {
                errors.push(err(
                    Message::new("err-learning-framework-unknown").arg("framework", &g.framework)
                ));
                continue;
            };
            for r in &g.require {
                if f.competence(&r.competence).is_none() {
                    errors.push(err(Message::new("err-learning-competence-unknown")
                        .arg("framework", &f.id)
                        .arg("code", &r.competence)));
                }
                if f.level(&r.level).is_none() {
                    errors.push(err(Message::new("err-learning-level-unknown")
                        .arg("framework", &f.id)
                        .arg("level", &r.level)));
                }
            }
        }
        errors
    }

    /// What `group` must reach, if the table names it.
    pub fn for_group(&self, group: TargetGroup) -> Option<&GroupRequirements> {
        self.groups.iter().find(|g| g.group == group)
    }
}

/// How the `from` competence relates to the `to` competence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// About the same.
    Close,
    /// `from` is wider than `to`.
    Broader,
    /// `from` is narrower than `to` (they overlap in part).
    Narrower,
}

impl Relation {
    pub const ALL: [Relation; 3] = [Relation::Close, Relation::Broader, Relation::Narrower];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Close => "close",
            Relation::Broader => "broader",
            Relation::Narrower => "narrower",
        }
    }

    pub fn parse(s: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A table from the competences of one framework to those of another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub from_framework: String,
    pub to_framework: String,
    pub note: String,
    pub map: Vec<MapEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapEntry {
    pub from: String,
    pub to: String,
    pub relation: Relation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    from_framework: Spanned<String>,
    to_framework: Spanned<String>,
    #[serde(default)]
    note: Option<Spanned<String>>,
    #[serde(default)]
    map: Vec<RawMapEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapEntry {
    from: Spanned<String>,
    to: Spanned<String>,
    relation: Spanned<String>,
}

impl Mapping {
    /// Reads a `mapping-*.toml`; errors name [`MAPPING_FILE`].
    pub fn parse(text: &str) -> Result<Mapping, Vec<ContentError>> {
        let text = prepare(MAPPING_FILE, text).map_err(|e| vec![e])?;
        let src = Source::new(MAPPING_FILE, &text, 1);
        let raw: RawMapping = src.toml().map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        let e = &mut errors;
        let id = |v: &Spanned<String>, e: &mut Vec<ContentError>| {
            let id = v.get_ref().trim().to_string();
            if !is_slug(&id, 50) {
                e.push(src.at(v, Message::new("err-learning-framework-id").arg("value", v.get_ref())));
            }
            id
        };
        let from_framework = id(&raw.from_framework, e);
        let to_framework = id(&raw.to_framework, e);
        if from_framework == to_framework {
            e.push(src.at(
                &raw.to_framework,
                Message::new("err-learning-mapping-same").arg("framework", &to_framework),
            ));
        }
        let note = optional(&src, &raw.note, "learning-note", MAX_NOTE_CHARS, e).unwrap_or_default();
        let mut pairs = BTreeMap::new();
        let map = raw
            .map
            .iter()
            .filter_map(|m| {
                let from = code(&src, &m.from, e);
                let to = code(&src, &m.to, e);
                if pairs.insert((from.clone(), to.clone()), ()).is_some() {
                    e.push(
                        src.at(
                            &m.from,
                            Message::new("err-learning-mapping-duplicate")
                                .arg("from", &from)
                                .arg("to", &to),
                        ),
                    );
                }
                let relation = Relation::parse(m.relation.get_ref().trim());
                if relation.is_none() {
                    e.push(src.at(
                        &m.relation,
                        Message::new("err-learning-mapping-relation").arg("value", m.relation.get_ref()),
                    ));
                }
                Some(MapEntry {
                    from,
                    to,
                    relation: relation?,
                })
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Mapping {
            from_framework,
            to_framework,
            note,
            map,
        })
    }

    /// Both frameworks exist in `frameworks` and every code is a competence of its framework.
    pub fn check(&self, frameworks: &[Framework]) -> Vec<ContentError> {
        let err = |m: Message| ContentError::new(MAPPING_FILE, None, m);
        let mut errors = Vec::new();
        let mut find = |id: &str| {
            let f = framework(frameworks, id);
            if f.is_none() {
                errors.push(err(Message::new("err-learning-framework-unknown").arg("framework", id)));
            }
            f
        };
        let (from, to) = (find(&self.from_framework), find(&self.to_framework));
        for m in &self.map {
            for (f, code) in [(from, &m.from), (to, &m.to)] {
                if let Some(f) = f
                    && f.competence(code).is_none()
                {
                    errors.push(err(Message::new("err-learning-competence-unknown")
                        .arg("framework", &f.id)
                        .arg("code", code)));
                }
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/frameworks")
    }

    fn read(name: &str) -> String {
        std::fs::read_to_string(dir().join(name)).expect("read framework file")
    }

    /// Every framework file shipped in data/frameworks (all but requirements and mappings).
    pub(crate) fn shipped() -> Vec<Framework> {
        let mut names: Vec<String> = std::fs::read_dir(dir())
            .expect("data/frameworks")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml") && n != REQUIREMENTS_FILE && !n.starts_with("mapping-"))
            .collect();
        names.sort();
        assert_eq!(names, ["digcomp22.toml", "qd757-2025.toml", "tt02-2025.toml"]);
        names
            .iter()
            .map(|n| match Framework::parse(&read(n)) {
                Ok(f) => {
                    assert_eq!(format!("{}.toml", f.id), *n, "the file is named after its id");
                    f
                }
                Err(errors) => panic!("{n}: {errors:#?}"),
            })
            .collect()
    }

    fn keys(errors: &[ContentError]) -> Vec<&str> {
        errors.iter().map(|e| e.key()).collect()
    }

    #[test]
    fn shipped_frameworks_parse() {
        let fs = shipped();
        let digcomp = &fs[0];
        assert_eq!(digcomp.levels.len(), 8);
        assert_eq!(digcomp.areas.len(), 5);
        assert_eq!(digcomp.competences().count(), 21);
        assert_eq!(
            digcomp.competence("4.2").and_then(|c| c.name_en.as_deref()),
            Some("Protecting personal data and privacy")
        );
        let tt02 = &fs[2];
        assert_eq!((tt02.areas.len(), tt02.competences().count()), (6, 24));
        assert!(tt02.competences().all(|c| c.note.is_some()));
        let qd757 = &fs[1];
        assert_eq!(qd757.levels.len(), 1);
        assert!(qd757.areas.iter().all(|a| a.note.is_some()));
        assert!(qd757.competence("P1.1").is_some());
        // The stored form (a JSON document) reads back the same.
        let json = serde_json::to_string(digcomp).expect("json");
        assert_eq!(&serde_json::from_str::<Framework>(&json).expect("back"), digcomp);
    }

    #[test]
    fn shipped_requirements_and_mapping_check_clean() {
        let fs = shipped();
        let req = Requirements::parse(&read(REQUIREMENTS_FILE)).expect("requirements");
        assert_eq!(req.check(&fs), vec![]);
        assert_eq!(req.groups.len(), 4);
        for g in TargetGroup::ALL {
            assert!(req.for_group(g).is_some_and(|r| !r.require.is_empty()), "{g:?}");
        }
        assert_eq!(
            req.for_group(TargetGroup::Student).map(|g| g.framework.as_str()),
            Some("tt02-2025")
        );
        let mut mappings = 0;
        for entry in std::fs::read_dir(dir()).expect("dir").filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("mapping-") {
                let m = Mapping::parse(&read(&name)).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
                assert_eq!(m.check(&fs), vec![], "{name}");
                assert!(m.map.iter().any(|e| e.relation == Relation::Narrower));
                mappings += 1;
            }
        }
        assert_eq!(mappings, 1);
    }

    const SMALL: &str = r#"
id = "x"
version = "1"
title = "Khung thử"
issued_by = "hocvuso"
source = "—"
source_note = "—"

[[levels]]
code = "1"
name = "Mức 1"
description = "…"

[[areas]]
code = "1"
name = "Lĩnh vực"

[[areas.competences]]
code = "1.1"
name = "Năng lực"
description = "…"
"#;

    #[test]
    fn a_small_framework_parses_and_unknown_keys_are_refused() {
        let f = Framework::parse(SMALL).expect("small");
        assert_eq!(f.competence("1.1").map(|c| c.name.as_str()), Some("Năng lực"));
        let e = Framework::parse(&SMALL.replace("name = \"Mức 1\"", "name = \"Mức 1\"\ncolour = \"red\"")).unwrap_err();
        assert_eq!(keys(&e), ["err-learning-toml"]);
        assert!(e[0].message.args[0].1.contains("colour"), "{e:?}");
        assert_eq!(e[0].line, Some(12));
        // A framework without `version` is refused by name.
        let e = Framework::parse(&SMALL.replace("version = \"1\"\n", "")).unwrap_err();
        assert!(e[0].message.args[0].1.contains("version"), "{e:?}");
    }

    #[test]
    fn every_framework_problem_is_reported() {
        let bad = r#"
id = "Digcomp 2"
version = "1"
title = ""
issued_by = "x"
source = "x"
source_note = "x"

[[levels]]
code = "1"
name = "A"
description = ""

[[levels]]
code = "1"
name = "B"
description = ""

[[areas]]
code = "1"
name = "A"

[[areas.competences]]
code = "1.1"
name = "A"
description = ""

[[areas]]
code = "1"
name = ""

[[areas.competences]]
code = "1.1"
name = "B"
description = ""

[[areas.competences]]
code = "1 2"
name = "C"
description = ""

[[areas]]
code = "3"
name = "Trống"
"#;
        let e = Framework::parse(bad).unwrap_err();
        assert_eq!(
            keys(&e),
            [
                "err-learning-framework-id",
                "err-learning-text-empty",
                "err-learning-framework-level-duplicate",
                "err-learning-framework-area-duplicate",
                "err-learning-framework-competence-duplicate",
                "err-learning-code",
                "err-learning-text-empty",
                "err-learning-framework-area-empty",
            ]
        );
        assert_eq!(e[0].line, Some(2));
        assert_eq!(e[2].line, Some(15));
        assert_eq!(e[4].line, Some(33));
        let none =
            "id = \"x\"\nversion = \"1\"\ntitle = \"x\"\nissued_by = \"x\"\nsource = \"x\"\nsource_note = \"x\"\n";
        assert_eq!(
            keys(&Framework::parse(none).unwrap_err()),
            ["err-learning-framework-no-levels", "err-learning-framework-no-areas"]
        );
    }

    #[test]
    fn requirements_problems() {
        let fs = vec![Framework::parse(SMALL).expect("small")];
        let text = r#"
note = "n"
[[group]]
group = "resident"
framework = "x"
[[group.require]]
competence = "1.1"
level = "1"
[[group.require]]
competence = "1.1"
level = "1"

[[group]]
group = "Người dân"
framework = "x"

[[group]]
group = "resident"
framework = "x"
"#;
        let e = Requirements::parse(text).unwrap_err();
        assert_eq!(
            keys(&e),
            [
                "err-learning-requirement-duplicate",
                "err-learning-group-unknown",
                "err-learning-requirement-group-duplicate"
            ]
        );
        assert_eq!(e[1].line, Some(14));
        let text = r#"
[[group]]
group = "worker"
framework = "x"
[[group.require]]
competence = "9.9"
level = "7"
[[group]]
group = "student"
framework = "y"
"#;
        let r = Requirements::parse(text).expect("parses");
        assert_eq!(
            keys(&r.check(&fs)),
            [
                "err-learning-competence-unknown",
                "err-learning-level-unknown",
                "err-learning-framework-unknown"
            ]
        );
        let e = Requirements::parse("[[group]]\ngroup = \"worker\"\nframework = \"x\"\nlevel = \"1\"\n").unwrap_err();
        assert_eq!(keys(&e), ["err-learning-toml"]);
    }

    #[test]
    fn mapping_problems() {
        let fs = vec![
            Framework::parse(SMALL).expect("small"),
            Framework::parse(&SMALL.replace("id = \"x\"", "id = \"y\"")).expect("y"),
        ];
        let good = "from_framework = \"x\"\nto_framework = \"y\"\nnote = \"n\"\n[[map]]\nfrom = \"1.1\"\nto = \"1.1\"\nrelation = \"broader\"\n";
        let m = Mapping::parse(good).expect("good");
        assert_eq!(m.map[0].relation, Relation::Broader);
        assert_eq!(m.check(&fs), vec![]);
        let bad = format!("{good}[[map]]\nfrom = \"1.1\"\nto = \"1.1\"\nrelation = \"same\"\n");
        let e = Mapping::parse(&bad).unwrap_err();
        assert_eq!(
            keys(&e),
            ["err-learning-mapping-duplicate", "err-learning-mapping-relation"]
        );
        assert_eq!(e[1].line, Some(11));
        let unknown = good.replace("to = \"1.1\"", "to = \"2.1\"").replace("\"y\"", "\"z\"");
        let m = Mapping::parse(&unknown).expect("parses");
        assert_eq!(keys(&m.check(&fs)), ["err-learning-framework-unknown"]);
        let m = Mapping::parse(&good.replace("to = \"1.1\"", "to = \"2.1\"")).expect("parses");
        assert_eq!(keys(&m.check(&fs)), ["err-learning-competence-unknown"]);
        let same = good.replace("to_framework = \"y\"", "to_framework = \"x\"");
        assert_eq!(keys(&Mapping::parse(&same).unwrap_err()), ["err-learning-mapping-same"]);
    }
}
