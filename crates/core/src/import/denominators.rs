//! The denominators sheet: a unit's figures by kind, with their source.

use super::{Columns, RowError, Table};
use crate::i18n::Message;
use crate::text;

/// One figure of a denominators sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenominatorRow {
    pub line: usize,
    pub unit_code: String,
    pub kind: crate::units::DenominatorKind,
    pub value: i64,
    pub source: String,
}

const DENOMINATOR_COLUMNS: &[(&str, &[&str])] = &[
    ("unit", &["ma don vi", "ma", "don vi", "unit", "unit code"]),
    ("kind", &["chi tieu", "loai", "mau so", "kind"]),
    ("value", &["gia tri", "so luong", "so lieu", "value"]),
    ("source", &["nguon", "nguon so lieu", "source"]),
];

pub fn is_denominator_header(header: &str) -> bool {
    let f = text::fold(header);
    DENOMINATOR_COLUMNS.iter().any(|(_, names)| names.contains(&f.as_str()))
}

fn denominator_kind(s: &str) -> Option<crate::units::DenominatorKind> {
    use crate::units::DenominatorKind as K;
    if let Some(k) = K::parse(s.trim()) {
        return Some(k);
    }
    let f = text::fold(s);
    Some(match f.as_str() {
        "cbccvc" | "can bo cong chuc vien chuc" | "can bo cong chuc vien chuc nguoi lao dong" | "khu vuc cong" => {
            K::PublicStaff
        }
        "hoc sinh sinh vien" | "hssv" | "hoc sinh" => K::Students,
        "nguoi truong thanh" | "nguoi lon" => K::Adults,
        "nguoi tu 16 tuoi tro len" | "tu 16 tuoi" | "16 tuoi tro len" => K::Aged16Plus,
        "nguoi lao dong" | "lao dong doanh nghiep" | "nguoi lao dong doanh nghiep hop tac xa" => K::Workers,
        "ho gia dinh" | "so ho" => K::Households,
        "thon to dan pho" | "so thon" | "thon" => K::Villages,
        _ => return None,
    })
}

/// Checks a denominators sheet: unit code, a known figure, a count and its source on every row.
pub fn check_denominators(table: &Table) -> Result<(Vec<DenominatorRow>, Vec<RowError>), Message> {
    let cols = Columns::find(table, |h| {
        let f = text::fold(h);
        DENOMINATOR_COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&f.as_str()))
            .map(|(field, _)| *field)
    });
    let missing: Vec<&str> = [
        ("unit", "Mã đơn vị"),
        ("kind", "Chỉ tiêu"),
        ("value", "Giá trị"),
        ("source", "Nguồn"),
    ]
    .iter()
    .filter(|(f, _)| !cols.has(f))
    .map(|(_, label)| *label)
    .collect();
    if !missing.is_empty() {
        return Err(Message::new("err-file-missing-columns").arg("columns", missing.join(", ")));
    }
    let header = |f: &str| cols.header(f);
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for r in &table.rows {
        let cell = |f: &str| cols.cell(r, f);
        let mut bad = |field: &str, message: Message| {
            errors.push(RowError {
                line: r.line,
                column: header(field),
                message,
            })
        };
        let unit_code = cell("unit").trim().to_string();
        if unit_code.is_empty() {
            bad("unit", Message::new("err-text-empty").arg("field", "code"));
            continue;
        }
        let Some(kind) = denominator_kind(&cell("kind")) else {
            bad(
                "kind",
                Message::new("err-denominator-kind").arg("value", cell("kind").trim()),
            );
            continue;
        };
        let value = match crate::units::parse_count(&cell("value")) {
            Ok(v) => v,
            Err(m) => {
                bad("value", m);
                continue;
            }
        };
        let source = match text::required_line("source", &cell("source"), 200) {
            Ok(s) => s,
            Err(m) => {
                bad("source", m);
                continue;
            }
        };
        rows.push(DenominatorRow {
            line: r.line,
            unit_code,
            kind,
            value,
            source,
        });
    }
    Ok((rows, errors))
}
