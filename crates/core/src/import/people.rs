//! The people list: its columns and their spellings, header mappings an officer chose, and the
//! row checks (every field error reported with its line).

use super::{CellKind, Columns, RowError, RowErrors, Table, TableRow};
use crate::i18n::Message;
use crate::people::{FieldError, Groups, PersonForm, PersonInput, TargetGroup};
use crate::text;
use std::collections::HashMap;
use time::Date;

const PEOPLE_COLUMNS: &[(&str, &[&str])] = &[
    (
        "full_name",
        &["ho va ten", "ho ten", "ten", "full name", "full_name", "name"],
    ),
    (
        "birth_date",
        &[
            "ngay sinh",
            "ngay thang nam sinh",
            "birth date",
            "birth_date",
            "date of birth",
            "dob",
        ],
    ),
    ("sex", &["gioi tinh", "sex", "gender"]),
    (
        "personal_id",
        &[
            "so dinh danh",
            "so dinh danh ca nhan",
            "so cccd",
            "cccd",
            "so can cuoc",
            "can cuoc cong dan",
            "personal id",
            "personal_id",
            "id number",
        ],
    ),
    ("phone", &["so dien thoai", "dien thoai", "sdt", "phone"]),
    ("groups", &["doi tuong", "nhom doi tuong", "target group", "groups"]),
    (
        "village",
        &[
            "thon",
            "thon to dan pho",
            "thon to",
            "to dan pho",
            "thon ban",
            "village",
        ],
    ),
    ("household", &["ho gia dinh", "ma ho", "so ho", "household"]),
    ("workplace", &["noi lam viec", "co quan", "don vi", "workplace"]),
];

pub const REQUIRED: [&str; 4] = ["full_name", "birth_date", "sex", "personal_id"];

/// The fields a people file may have, in the order the template lists them.
pub fn people_fields() -> impl Iterator<Item = &'static str> {
    PEOPLE_COLUMNS.iter().map(|(field, _)| *field)
}

pub fn people_column(header: &str) -> Option<&'static str> {
    let f = text::fold(header);
    PEOPLE_COLUMNS
        .iter()
        .find(|(_, names)| names.contains(&f.as_str()))
        .map(|(field, _)| *field)
}

pub fn is_people_header(header: &str) -> bool {
    people_column(header).is_some()
}

/// What an officer has told the platform once about a commune's files: a header that names a
/// field, a value that names a target group. Keys are folded the way they are compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mappings {
    /// `text::fold(header)` → field name.
    pub columns: HashMap<String, &'static str>,
    /// `people::group_key(value)` → group.
    pub groups: HashMap<String, TargetGroup>,
}

impl Mappings {
    /// The field a header names: a known spelling, or one the officer mapped.
    pub fn column(&self, header: &str) -> Option<&'static str> {
        people_column(header).or_else(|| self.columns.get(&text::fold(header)).copied())
    }

    pub fn knows(&self, header: &str) -> bool {
        self.column(header).is_some()
    }

    /// A field name as stored, if it is one of a people file's fields.
    pub fn field(name: &str) -> Option<&'static str> {
        people_fields().find(|f| *f == name)
    }
}

/// The outcome of checking a people file: every good row and every bad one.
#[derive(Debug, Default)]
pub struct CheckedPeople {
    pub good: Vec<(usize, PersonInput)>,
    pub errors: RowErrors,
    /// Things the officer should know about rows that were not refused (a restored leading zero,
    /// a closing total row skipped).
    pub notes: RowErrors,
    pub total_rows: usize,
    /// Target-group values no spelling or mapping recognised, as written, with how many rows.
    pub unknown_groups: Vec<(String, usize)>,
    /// The file's own header of each field found ("personal_id" → "Số định danh").
    pub headers: Headers,
}

/// The headers of a file by field, so later checks report columns as the officer wrote them.
#[derive(Debug, Clone, Default)]
pub struct Headers(HashMap<String, String>);

impl Headers {
    /// The file's header of a field, or the field's own name if the file has no such column.
    pub fn of(&self, field: &str) -> String {
        self.0.get(field).cloned().unwrap_or_else(|| field.to_string())
    }
}

impl CheckedPeople {
    pub fn bad_lines(&self) -> usize {
        self.errors.bad_lines()
    }
}

/// The header cells of a file that name no field (for the officer to map), in file order.
pub fn unknown_headers(table: &Table, mappings: &Mappings) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in &table.headers {
        let h = h.trim();
        if !h.is_empty() && !mappings.knows(h) && !out.iter().any(|o| o == h) {
            out.push(h.to_string());
        }
    }
    out
}

/// The required fields a table has no column for.
pub fn missing_fields(table: &Table, mappings: &Mappings) -> Vec<&'static str> {
    let found: Vec<&'static str> = table.headers.iter().filter_map(|h| mappings.column(h)).collect();
    REQUIRED.into_iter().filter(|f| !found.contains(f)).collect()
}

/// The example row of the template (`/imports/template.xlsx`): field → value. A file that still
/// holds it gets the row skipped with a note, so the example never becomes a person.
pub const TEMPLATE_EXAMPLE: [(&str, &str); 9] = [
    ("full_name", "Nguyễn Văn Mẫu"),
    ("birth_date", "14/03/1985"),
    ("sex", "Nam"),
    ("personal_id", "019085000000"),
    ("phone", "0912345678"),
    ("groups", "Người dân"),
    ("village", "Thôn 1"),
    ("household", "HGD-001"),
    ("workplace", ""),
];

/// A closing row of a list ("Tổng cộng", "Cộng", "Tổng số"), written by hand or as a formula.
fn is_total_row(row: &TableRow, pid_cell: &str) -> bool {
    let says_total = row.cells.iter().any(|c| {
        let f = text::fold(c);
        let f = f.trim().trim_end_matches(':').trim();
        matches!(f, "tong" | "cong" | "tong cong" | "tong so" | "total")
            || f.starts_with("tong cong")
            || f.starts_with("tong so ")
    });
    says_total && (row.formula || !pid_cell.trim().chars().all(|c| c.is_ascii_digit()) || pid_cell.trim().len() < 9)
}

/// An ID number cell of fewer than 12 digits: restored with its note when the spreadsheet stored
/// it as a number and dropped its leading zeros (9 digits or more), else refused as too short.
/// `None`: nothing to restore (the full check of the number comes later). Every list holding ID
/// numbers checks them through here, so they are read alike.
pub fn restore_pid(row: &TableRow, pid_col: usize, pid: &str) -> Result<Option<(String, Message)>, Message> {
    let digits = !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit());
    if !digits || pid.len() >= 12 {
        return Ok(None);
    }
    if row.kind(pid_col) == CellKind::Number && pid.len() >= 9 {
        let note = Message::new("note-import-pid-padded").arg("digits", 12 - pid.len());
        Ok(Some((format!("{pid:0>12}"), note)))
    } else {
        Err(Message::new("err-import-pid-short").arg("len", pid.len()))
    }
}

/// Turns a table into people, reporting every bad row (and duplicate ID numbers inside the file).
pub fn check_people(table: &Table, today: Date, mappings: &Mappings) -> Result<CheckedPeople, Message> {
    let cols = Columns::find(table, |h| mappings.column(h));
    let missing: Vec<String> = missing_fields(table, mappings)
        .iter()
        .map(|f| crate::i18n::t(crate::Lang::Vi, &format!("field-{f}")))
        .collect();
    if !missing.is_empty() {
        return Err(Message::new("err-file-missing-columns").arg("columns", missing.join(", ")));
    }
    let header_of = |field: &str| cols.header(field);
    let cell = |row: &TableRow, field: &str| cols.cell(row, field);
    let mut out = CheckedPeople {
        total_rows: table.rows.len(),
        headers: Headers(cols.found().map(|(f, h)| (f.to_string(), h.to_string())).collect()),
        ..Default::default()
    };
    let pid_col = cols.position("personal_id");
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut unknown_groups: Vec<(String, usize)> = Vec::new();
    for row in &table.rows {
        let mut pid = cell(row, "personal_id").trim().to_string();
        if is_total_row(row, &pid) {
            out.total_rows -= 1;
            out.notes.push(RowError {
                line: row.line,
                column: String::new(),
                message: Message::new("note-import-total-row"),
            });
            continue;
        }
        let example = |field: &str| TEMPLATE_EXAMPLE.iter().find(|(f, _)| *f == field).map(|(_, v)| *v);
        if Some(pid.as_str()) == example("personal_id")
            && Some(text::fold(&cell(row, "full_name")).as_str()) == example("full_name").map(text::fold).as_deref()
        {
            out.total_rows -= 1;
            out.notes.push(RowError {
                line: row.line,
                column: String::new(),
                message: Message::new("note-import-example-row"),
            });
            continue;
        }
        match restore_pid(row, pid_col, &pid) {
            Ok(None) => {}
            Ok(Some((padded, note))) => {
                out.notes.push(RowError {
                    line: row.line,
                    column: header_of("personal_id"),
                    message: note,
                });
                pid = padded;
            }
            Err(message) => {
                out.errors.push(RowError {
                    line: row.line,
                    column: header_of("personal_id"),
                    message,
                });
                continue;
            }
        }
        // A repeated ID number is reported as such before anything else about the row.
        if !pid.is_empty() {
            if let Some(first) = seen.get(&pid) {
                out.errors.push(RowError {
                    line: row.line,
                    column: header_of("personal_id"),
                    message: Message::new("err-import-duplicate-in-file").arg("first", first),
                });
                continue;
            }
            seen.insert(pid.clone(), row.line);
        }
        let mut groups = cell(row, "groups");
        if let Some(g) = mappings.groups.get(&crate::people::group_key(&groups)) {
            groups = g.as_str().to_string();
        } else if Groups::parse_list(&groups).is_err() {
            // Spellings that fold alike are one value to map.
            let key = crate::people::group_key(&groups);
            match unknown_groups
                .iter_mut()
                .find(|(v, _)| crate::people::group_key(v) == key)
            {
                Some((_, n)) => *n += 1,
                None => unknown_groups.push((groups.trim().to_string(), 1)),
            }
        }
        let mut phone = cell(row, "phone").trim().to_string();
        let phone_col = cols.position("phone");
        if row.kind(phone_col) == CellKind::Number && phone.len() == 9 && phone.chars().all(|c| c.is_ascii_digit()) {
            phone = format!("0{phone}");
            out.notes.push(RowError {
                line: row.line,
                column: header_of("phone"),
                message: Message::new("note-import-phone-padded"),
            });
        }
        let form = PersonForm {
            full_name: cell(row, "full_name"),
            birth_date: cell(row, "birth_date"),
            sex: cell(row, "sex"),
            personal_id: pid,
            phone,
            groups,
            village: cell(row, "village"),
            household: cell(row, "household"),
            workplace: cell(row, "workplace"),
        };
        match form.validate(today) {
            Ok(person) => out.good.push((row.line, person)),
            Err(errors) => {
                for FieldError { field, message } in errors {
                    out.errors.push(RowError {
                        line: row.line,
                        column: header_of(&field),
                        message,
                    });
                }
            }
        }
    }
    out.unknown_groups = unknown_groups;
    Ok(out)
}
