//! The village list of a commune: villages and residential groups, with their kind and code.

use super::{Columns, RowError, Table};
use crate::i18n::Message;
use crate::text;
use std::collections::HashMap;

/// A village or residential group row of a village list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageRow {
    pub line: usize,
    pub name: String,
    pub kind: Option<crate::units::Kind>,
    pub code: Option<String>,
}

const VILLAGE_COLUMNS: &[(&str, &[&str])] = &[
    (
        "name",
        &[
            "ten thon",
            "ten",
            "thon",
            "thon to dan pho",
            "ten thon to dan pho",
            "ten to dan pho",
            "name",
        ],
    ),
    ("kind", &["loai", "loai don vi", "kind"]),
    ("code", &["ma", "ma thon", "code"]),
];

pub fn village_column(header: &str) -> Option<&'static str> {
    let f = text::fold(header);
    VILLAGE_COLUMNS
        .iter()
        .find(|(_, names)| names.contains(&f.as_str()))
        .map(|(field, _)| *field)
}

pub fn is_village_header(header: &str) -> bool {
    village_column(header).is_some()
}

fn village_kind(s: &str) -> Option<crate::units::Kind> {
    use crate::units::Kind;
    match text::fold(s).as_str() {
        "thon" | "xom" | "lang" | "ap" => Some(Kind::Thon),
        "ban" | "buon" | "plei" | "soc" => Some(Kind::Ban),
        "to dan pho" | "to" | "khu pho" | "khu" => Some(Kind::ToDanPho),
        _ => None,
    }
}

/// Checks a list of villages: a name on every row, a known kind where given, no name twice.
pub fn check_villages(table: &Table) -> Result<(Vec<VillageRow>, Vec<RowError>), Message> {
    let cols = Columns::find(table, village_column);
    if !cols.has("name") {
        return Err(Message::new("err-file-missing-columns").arg("columns", "Tên thôn"));
    }
    let header = |f: &str| cols.header(f);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in &table.rows {
        let cell = |f: &str| cols.cell(r, f);
        let name = match text::required_line("name", &cell("name"), 150) {
            Ok(n) => n,
            Err(m) => {
                errors.push(RowError {
                    line: r.line,
                    column: header("name"),
                    message: m,
                });
                continue;
            }
        };
        let kind_text = cell("kind");
        let kind = if kind_text.trim().is_empty() {
            None
        } else {
            match village_kind(&kind_text) {
                Some(k) => Some(k),
                None => {
                    errors.push(RowError {
                        line: r.line,
                        column: header("kind"),
                        message: Message::new("err-village-kind").arg("value", kind_text.trim()),
                    });
                    continue;
                }
            }
        };
        if let Some(first) = seen.insert(text::fold(&name), r.line) {
            errors.push(RowError {
                line: r.line,
                column: header("name"),
                message: Message::new("err-village-twice").arg("first", first),
            });
            continue;
        }
        let code = Some(cell("code").trim().to_string()).filter(|c| !c.is_empty());
        rows.push(VillageRow {
            line: r.line,
            name,
            kind,
            code,
        });
    }
    Ok((rows, errors))
}
