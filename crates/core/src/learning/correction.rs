//! Corrections of a stored framework by the steering committee, and the checks of a unit's table
//! of required levels. Pure functions over a [`Framework`]: every problem is reported with the
//! field (or cell) it is about, in the reader's language through a message key.
//!
//! A correction changes words only (titles, descriptions, source notes): codes, the order of
//! levels and which competence belongs to which area stay as shipped, since courses, lessons and
//! requirement tables refer to them.

use super::framework::{Framework, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_NOTE_CHARS};
use crate::i18n::Message;
use crate::people::TargetGroup;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// One text of a framework as a form names it: `title`, `source_note`, `level:<code>:name`,
/// `area:<code>:note`, `competence:<code>:description`…
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Title,
    SourceNote,
    Level(String, LevelText),
    Area(String, AreaText),
    Competence(String, AreaText),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelText {
    Name,
    Description,
}

/// The texts an area or a competence has (an area's description may be empty; a competence's may
/// not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaText {
    Name,
    Description,
    Note,
}

impl AreaText {
    fn as_str(self) -> &'static str {
        match self {
            AreaText::Name => "name",
            AreaText::Description => "description",
            AreaText::Note => "note",
        }
    }
}

impl Field {
    pub fn parse(name: &str) -> Option<Field> {
        match name {
            "title" => return Some(Field::Title),
            "source_note" => return Some(Field::SourceNote),
            _ => {}
        }
        let mut parts = name.splitn(3, ':');
        let (kind, code, text) = (parts.next()?, parts.next()?, parts.next()?);
        let area_text = match text {
            "name" => Some(AreaText::Name),
            "description" => Some(AreaText::Description),
            "note" => Some(AreaText::Note),
            _ => None,
        };
        match kind {
            "level" => {
                let t = match text {
                    "name" => LevelText::Name,
                    "description" => LevelText::Description,
                    _ => return None,
                };
                Some(Field::Level(code.to_string(), t))
            }
            "area" => Some(Field::Area(code.to_string(), area_text?)),
            "competence" => Some(Field::Competence(code.to_string(), area_text?)),
            _ => None,
        }
    }

    /// The form field's name (the inverse of [`Field::parse`]).
    pub fn name(&self) -> String {
        match self {
            Field::Title => "title".into(),
            Field::SourceNote => "source_note".into(),
            Field::Level(c, LevelText::Name) => format!("level:{c}:name"),
            Field::Level(c, LevelText::Description) => format!("level:{c}:description"),
            Field::Area(c, t) => format!("area:{c}:{}", t.as_str()),
            Field::Competence(c, t) => format!("competence:{c}:{}", t.as_str()),
        }
    }

    /// (longest length, one line, may be empty)
    fn rule(&self) -> (usize, bool, bool) {
        match self {
            Field::Title => (MAX_NAME_CHARS, true, false),
            Field::SourceNote => (MAX_NOTE_CHARS, false, false),
            Field::Level(_, LevelText::Name) => (MAX_NAME_CHARS, true, false),
            Field::Level(_, LevelText::Description) => (MAX_DESCRIPTION_CHARS, false, false),
            Field::Area(_, AreaText::Name) | Field::Competence(_, AreaText::Name) => (MAX_NAME_CHARS, true, false),
            Field::Area(_, AreaText::Description) => (MAX_DESCRIPTION_CHARS, false, true),
            Field::Competence(_, AreaText::Description) => (MAX_DESCRIPTION_CHARS, false, false),
            Field::Area(_, AreaText::Note) | Field::Competence(_, AreaText::Note) => (MAX_NOTE_CHARS, false, true),
        }
    }
}

/// A field the correction changed, with its text before and after (the audit event's detail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A problem with one field of a correction.
#[derive(Debug, Clone)]
pub struct FieldProblem {
    pub field: String,
    pub message: Message,
}

fn clean(field: &Field, value: &str) -> Result<String, Message> {
    let (max, one_line, may_be_empty) = field.rule();
    let text: String = value.replace("\r\n", "\n").trim().nfc().collect();
    if text.is_empty() && !may_be_empty {
        return Err(Message::new("err-framework-text-empty"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && (one_line || (c != '\n' && c != '\t')))
    {
        return Err(if one_line {
            Message::new("err-framework-text-line")
        } else {
            Message::new("err-framework-text-control")
        });
    }
    let len = text.chars().count();
    if len > max {
        return Err(Message::new("err-framework-text-too-long")
            .arg("max", max)
            .arg("len", len));
    }
    Ok(text)
}

fn slot<'a>(f: &'a mut Framework, field: &Field) -> Option<Slot<'a>> {
    Some(match field {
        Field::Title => Slot::Required(&mut f.title),
        Field::SourceNote => Slot::Required(&mut f.source_note),
        Field::Level(code, t) => {
            let l = f.levels.iter_mut().find(|l| &l.code == code)?;
            match t {
                LevelText::Name => Slot::Required(&mut l.name),
                LevelText::Description => Slot::Required(&mut l.description),
            }
        }
        Field::Area(code, t) => {
            let a = f.areas.iter_mut().find(|a| &a.code == code)?;
            match t {
                AreaText::Name => Slot::Required(&mut a.name),
                AreaText::Description => Slot::Optional(&mut a.description),
                AreaText::Note => Slot::Optional(&mut a.note),
            }
        }
        Field::Competence(code, t) => {
            let c = f
                .areas
                .iter_mut()
                .flat_map(|a| a.competences.iter_mut())
                .find(|c| &c.code == code)?;
            match t {
                AreaText::Name => Slot::Required(&mut c.name),
                AreaText::Description => Slot::Required(&mut c.description),
                AreaText::Note => Slot::Optional(&mut c.note),
            }
        }
    })
}

enum Slot<'a> {
    Required(&'a mut String),
    Optional(&'a mut Option<String>),
}

impl Framework {
    /// The framework with the texts of `edits` (form field name → text) put in. A field the form
    /// leaves out keeps its text. Returns the corrected framework and what changed, or every
    /// problem with the field it is about; nothing is half applied.
    pub fn corrected(&self, edits: &[(String, String)]) -> Result<(Framework, Vec<Change>), Vec<FieldProblem>> {
        let mut out = self.clone();
        let mut changes = Vec::new();
        let mut problems = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (name, value) in edits {
            let problem = |m: Message| FieldProblem {
                field: name.clone(),
                message: m,
            };
            if !seen.insert(name.as_str()) {
                problems.push(problem(Message::new("err-framework-field-twice")));
                continue;
            }
            let Some(field) = Field::parse(name) else {
                problems.push(problem(Message::new("err-framework-field-unknown").arg("field", name)));
                continue;
            };
            let text = match clean(&field, value) {
                Ok(t) => t,
                Err(m) => {
                    problems.push(problem(m));
                    continue;
                }
            };
            let Some(slot) = slot(&mut out, &field) else {
                problems.push(problem(Message::new("err-framework-field-unknown").arg("field", name)));
                continue;
            };
            let before = match slot {
                Slot::Required(s) => std::mem::replace(s, text.clone()),
                Slot::Optional(s) => {
                    let new = (!text.is_empty()).then(|| text.clone());
                    std::mem::replace(s, new).unwrap_or_default()
                }
            };
            if before != text {
                changes.push(Change {
                    field: field.name(),
                    before,
                    after: text,
                });
            }
        }
        if problems.is_empty() {
            Ok((out, changes))
        } else {
            Err(problems)
        }
    }

    /// Every text a correction may change, as (field, current text), in the page's order.
    pub fn texts(&self) -> Vec<(Field, String)> {
        let mut out = vec![
            (Field::Title, self.title.clone()),
            (Field::SourceNote, self.source_note.clone()),
        ];
        for l in &self.levels {
            out.push((Field::Level(l.code.clone(), LevelText::Name), l.name.clone()));
            out.push((
                Field::Level(l.code.clone(), LevelText::Description),
                l.description.clone(),
            ));
        }
        for a in &self.areas {
            out.push((Field::Area(a.code.clone(), AreaText::Name), a.name.clone()));
            out.push((
                Field::Area(a.code.clone(), AreaText::Description),
                a.description.clone().unwrap_or_default(),
            ));
            out.push((
                Field::Area(a.code.clone(), AreaText::Note),
                a.note.clone().unwrap_or_default(),
            ));
            for c in &a.competences {
                out.push((Field::Competence(c.code.clone(), AreaText::Name), c.name.clone()));
                out.push((
                    Field::Competence(c.code.clone(), AreaText::Description),
                    c.description.clone(),
                ));
                out.push((
                    Field::Competence(c.code.clone(), AreaText::Note),
                    c.note.clone().unwrap_or_default(),
                ));
            }
        }
        out
    }
}

/// One cell of a requirement table as a form sends it: `<group>:<framework>:<competence>` → level
/// code, or empty for "not required".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub group: TargetGroup,
    pub framework: String,
    pub competence: String,
    pub level: String,
}

/// The form field name of a cell.
pub fn cell_name(group: TargetGroup, framework: &str, competence: &str) -> String {
    format!("{}:{framework}:{competence}", group.as_str())
}

/// Reads the cells of a requirement table from a form's fields (name → level; an empty level is
/// "not required" and makes no row), checking each against the stored frameworks: an unknown group,
/// framework, competence or level is a problem named by the cell. A cell sent twice is refused.
pub fn requirement_cells(
    fields: &[(String, String)],
    frameworks: &[Framework],
) -> Result<Vec<Cell>, Vec<FieldProblem>> {
    let mut cells = Vec::new();
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (name, level) in fields {
        let problem = |m: Message| FieldProblem {
            field: name.clone(),
            message: m,
        };
        let level = level.trim();
        let mut parts = name.splitn(3, ':');
        let (Some(g), Some(f), Some(c)) = (parts.next(), parts.next(), parts.next()) else {
            problems.push(problem(Message::new("err-requirements-cell-name").arg("field", name)));
            continue;
        };
        let Some(group) = super::framework::group_code(g) else {
            problems.push(problem(Message::new("err-requirements-group-unknown").arg("group", g)));
            continue;
        };
        let Some(fw) = frameworks.iter().find(|x| x.id == f) else {
            problems.push(problem(
                Message::new("err-requirements-framework-unknown").arg("framework", f),
            ));
            continue;
        };
        if fw.competence(c).is_none() {
            problems.push(problem(
                Message::new("err-requirements-competence-unknown")
                    .arg("framework", f)
                    .arg("competence", c),
            ));
            continue;
        }
        if !seen.insert((group.as_str(), c.to_string())) {
            problems.push(problem(
                Message::new("err-requirements-cell-twice").arg("competence", c),
            ));
            continue;
        }
        if level.is_empty() {
            continue;
        }
        if fw.level(level).is_none() {
            problems.push(problem(
                Message::new("err-requirements-level-unknown")
                    .arg("framework", f)
                    .arg("level", level)
                    .arg("competence", c),
            ));
            continue;
        }
        cells.push(Cell {
            group,
            framework: fw.id.clone(),
            competence: c.to_string(),
            level: level.to_string(),
        });
    }
    if problems.is_empty() { Ok(cells) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digcomp() -> Framework {
        Framework::parse(include_str!("../../../../data/frameworks/digcomp22.toml")).expect("shipped framework")
    }

    fn edits(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn a_correction_changes_only_the_texts_named_and_says_what_changed() {
        let f = digcomp();
        let (g, changes) = f
            .corrected(&edits(&[
                ("competence:1.1:name", "  Tìm kiếm  thông ti\u{301}n "),
                ("area:1:note", "Đã đối chiếu."),
                ("title", &f.title),
            ]))
            .expect("a valid correction");
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].field, "competence:1.1:name");
        assert_eq!(changes[0].before, f.competence("1.1").unwrap().name);
        // NFC: the combining accent is joined to its letter.
        assert_eq!(g.competence("1.1").unwrap().name, "Tìm kiếm  thông tín");
        assert_eq!(g.areas[0].note.as_deref(), Some("Đã đối chiếu."));
        assert_eq!(g.levels, f.levels);
        assert_eq!(g.competence("2.1"), f.competence("2.1"));
    }

    #[test]
    fn a_bad_correction_names_every_field_and_changes_nothing() {
        let f = digcomp();
        let problems = f
            .corrected(&edits(&[
                ("competence:9.9:name", "x"),
                ("level:1:name", "   "),
                ("area:1:name", "hai\ndòng"),
                ("title", &"x".repeat(MAX_NAME_CHARS + 1)),
                ("id", "other"),
            ]))
            .expect_err("refused");
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            ["competence:9.9:name", "level:1:name", "area:1:name", "title", "id"]
        );
        assert_eq!(problems[1].message.key, "err-framework-text-empty");
        assert_eq!(problems[2].message.key, "err-framework-text-line");
        assert_eq!(problems[3].message.key, "err-framework-text-too-long");
    }

    #[test]
    fn every_text_round_trips_through_its_field_name() {
        let f = digcomp();
        for (field, text) in f.texts() {
            assert_eq!(Field::parse(&field.name()), Some(field.clone()));
            let (_, changes) = f.corrected(&[(field.name(), text)]).expect("unchanged text is valid");
            assert!(changes.is_empty());
        }
    }

    #[test]
    fn requirement_cells_are_checked_against_the_frameworks() {
        let fws = vec![digcomp()];
        let ok = requirement_cells(
            &edits(&[("resident:digcomp22:1.1", "3"), ("resident:digcomp22:1.2", "")]),
            &fws,
        )
        .expect("valid cells");
        assert_eq!(
            ok,
            vec![Cell {
                group: TargetGroup::Resident,
                framework: "digcomp22".into(),
                competence: "1.1".into(),
                level: "3".into(),
            }]
        );
        let bad = requirement_cells(
            &edits(&[
                ("alien:digcomp22:1.1", "3"),
                ("resident:nope:1.1", "3"),
                ("resident:digcomp22:9.9", "3"),
                ("resident:digcomp22:1.1", "99"),
                ("garbage", "1"),
            ]),
            &fws,
        )
        .expect_err("refused");
        let keys: Vec<&str> = bad.iter().map(|p| p.message.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "err-requirements-group-unknown",
                "err-requirements-framework-unknown",
                "err-requirements-competence-unknown",
                "err-requirements-level-unknown",
                "err-requirements-cell-name",
            ]
        );
    }
}
