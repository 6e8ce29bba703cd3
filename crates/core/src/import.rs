//! Reading spreadsheets the way communes really have them: CSV in UTF-8 (with or without BOM),
//! UTF-16 or Windows-1258, `,` `;` or tab separated; XLSX with title rows, merged cells and
//! formulas. Every problem is tied to a line number and a column so the officer can fix the file.

use crate::i18n::Message;
use crate::people::{FieldError, Groups, PersonForm, PersonInput, TargetGroup};
use crate::text;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::Date;

pub use crate::xlsx::Limits;

/// Rows of a sheet, each with the line (CSV) or row (XLSX) number a person sees in their editor.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub header_line: usize,
    pub rows: Vec<TableRow>,
}

#[derive(Debug, Clone)]
pub struct TableRow {
    pub line: usize,
    pub cells: Vec<String>,
    /// How the spreadsheet stored each cell (parallel to `cells`; every CSV cell is `Text`). An ID
    /// number stored as a number lost its leading zero; one stored as text did not.
    pub kinds: Vec<CellKind>,
    /// Some cell of the row is a formula (closing "Tổng cộng" rows usually are).
    pub formula: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    Empty,
    Text,
    Number,
    Date,
    Bool,
    Error,
}

impl TableRow {
    /// A row of text cells, as a CSV line gives them.
    pub fn text(line: usize, cells: Vec<String>) -> TableRow {
        let kinds = cells
            .iter()
            .map(|c| if c.is_empty() { CellKind::Empty } else { CellKind::Text })
            .collect();
        TableRow {
            line,
            cells,
            kinds,
            formula: false,
        }
    }

    pub fn kind(&self, i: usize) -> CellKind {
        self.kinds.get(i).copied().unwrap_or(CellKind::Empty)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub message: Message,
}

/// Problems of one file kept one by one; past them only counted. A file of 500,000 bad rows would
/// otherwise hold millions of problems (~150 bytes each) in memory, and the officer fixes a file
/// from its first problems anyway.
pub const MAX_KEPT_ERRORS: usize = 10_000;

/// The problems of a file: the first [`MAX_KEPT_ERRORS`] kept, the rest counted, and the number of
/// distinct bad lines over all of them. Problems are pushed row by row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowErrors {
    kept: Vec<RowError>,
    dropped: usize,
    lines: usize,
    last_line: Option<usize>,
}

impl RowErrors {
    pub fn push(&mut self, e: RowError) {
        if self.last_line != Some(e.line) {
            self.lines += 1;
            self.last_line = Some(e.line);
        }
        if self.kept.len() < MAX_KEPT_ERRORS {
            self.kept.push(e);
        } else {
            self.dropped += 1;
        }
    }
    /// Problems found past the kept ones.
    pub fn dropped(&self) -> usize {
        self.dropped
    }
    /// Lines with at least one problem, kept or not.
    pub fn bad_lines(&self) -> usize {
        self.lines
    }
    pub fn into_vec(self) -> Vec<RowError> {
        self.kept
    }
}

impl std::ops::Deref for RowErrors {
    type Target = [RowError];
    fn deref(&self) -> &[RowError] {
        &self.kept
    }
}

impl Extend<RowError> for RowErrors {
    fn extend<I: IntoIterator<Item = RowError>>(&mut self, iter: I) {
        for e in iter {
            self.push(e);
        }
    }
}

const MAX_HEADER_SCAN: usize = 20;

/// Reads CSV or XLSX bytes into a table. The header row is the first row (within the first 20) that
/// names a recognised column, so title rows above it are skipped.
pub fn read_table(bytes: &[u8], known: &dyn Fn(&str) -> bool) -> Result<Table, Message> {
    read_table_within(bytes, known, &Limits::DEFAULT)
}

/// [`read_table`] under the given limits (what one file may cost, see [`crate::xlsx`]).
pub fn read_table_within(bytes: &[u8], known: &dyn Fn(&str) -> bool, limits: &Limits) -> Result<Table, Message> {
    if bytes.is_empty() {
        return Err(Message::new("err-file-empty"));
    }
    let raw = if bytes.starts_with(b"PK\x03\x04") {
        crate::xlsx::read_rows(bytes, limits)?
    } else {
        read_csv(bytes, limits)?
    };
    let header_idx = raw
        .iter()
        .take(MAX_HEADER_SCAN)
        .position(|r| r.cells.iter().filter(|c| known(c)).count() >= 2)
        .ok_or_else(|| Message::new("err-file-no-header"))?;
    let header = &raw[header_idx];
    let headers = header.cells.iter().map(|c| c.trim().to_string()).collect();
    let header_line = header.line;
    let rows = raw
        .into_iter()
        .skip(header_idx + 1)
        .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
        .collect();
    Ok(Table {
        headers,
        header_line,
        rows,
    })
}

fn decode_text(bytes: &[u8]) -> Result<String, Message> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec()).map_err(|_| Message::new("err-file-encoding"));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let enc = if bytes[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (s, _, had_errors) = enc.decode(bytes);
        if had_errors {
            return Err(Message::new("err-file-encoding"));
        }
        return Ok(s.into_owned());
    }
    // UTF-16 without a BOM: every other byte of ASCII text is zero.
    let sample = &bytes[..bytes.len().min(4096)];
    let zeros_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let zeros_odd = sample.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if sample.len() >= 8 && (zeros_odd * 3 > sample.len() / 2 || zeros_even * 3 > sample.len() / 2) {
        let enc = if zeros_odd > zeros_even {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (s, _, had_errors) = enc.decode(bytes);
        if !had_errors {
            return Ok(s.into_owned());
        }
    }
    if sample.contains(&0) {
        return Err(Message::new("err-file-binary"));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(_) => {
            // Old Vietnamese Windows machines save CSV as Windows-1258.
            let (s, _, had_errors) = encoding_rs::WINDOWS_1258.decode(bytes);
            if had_errors {
                Err(Message::new("err-file-encoding"))
            } else {
                Ok(s.into_owned())
            }
        }
    }
}

fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Vec<TableRow>, Message> {
    let text = decode_text(bytes)?;
    // Title rows above the header have no separators, so count over the first lines.
    let head: Vec<&str> = text.lines().take(MAX_HEADER_SCAN).collect();
    let mut delimiter = b',';
    let mut best = 0;
    for d in [b',', b';', b'\t'] {
        let n = head
            .iter()
            .map(|l| l.bytes().filter(|b| *b == d).count())
            .max()
            .unwrap_or(0);
        if n > best {
            best = n;
            delimiter = d;
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    // The csv crate does not count the blank lines it skips, so lines are counted from byte offsets.
    let bytes = text.as_bytes();
    let mut counted_to = 0usize;
    let mut line = 1usize;
    let mut line_at = |offset: usize| {
        let mut offset = offset.min(bytes.len());
        // A record's position can point at the blank lines skipped before it.
        while offset < bytes.len() && matches!(bytes[offset], b'\n' | b'\r') {
            offset += 1;
        }
        if offset > counted_to {
            line += bytes[counted_to..offset].iter().filter(|&&b| b == b'\n').count();
            counted_to = offset;
        }
        line
    };
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut cells = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let line = line_at(record.position().map(|p| p.byte() as usize).unwrap_or(0));
                // The same limits as a spreadsheet's, so a CSV of a million short lines is
                // refused before it is held.
                if rows.len() >= limits.rows {
                    return Err(crate::xlsx::too_many_rows(limits));
                }
                // Trailing empty cells (a sheet saved with empty columns) are not held.
                let width = (0..record.len())
                    .rev()
                    .find(|&i| !record[i].is_empty())
                    .map_or(0, |i| i + 1);
                if width > limits.columns {
                    let cell = format!("{}{line}", crate::xlsx::column_name(width - 1));
                    return Err(crate::xlsx::too_many_columns(limits, &cell));
                }
                cells += width;
                if cells > limits.cells {
                    return Err(crate::xlsx::too_many_cells(limits));
                }
                rows.push(TableRow::text(
                    line,
                    record.iter().take(width).map(str::to_string).collect(),
                ))
            }
            Ok(false) => break,
            Err(e) => {
                let line = line_at(e.position().map(|p| p.byte() as usize).unwrap_or(0));
                return Err(Message::new("err-file-csv").arg("line", line));
            }
        }
    }
    Ok(rows)
}

/// The fields of a people import, and the header spellings recognised for each.
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

/// Turns a table into people, reporting every bad row (and duplicate ID numbers inside the file).
pub fn check_people(table: &Table, today: Date, mappings: &Mappings) -> Result<CheckedPeople, Message> {
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in table.headers.iter().enumerate() {
        if let Some(field) = mappings.column(h) {
            index.entry(field).or_insert(i);
        }
    }
    let missing: Vec<String> = missing_fields(table, mappings)
        .iter()
        .map(|f| crate::i18n::t(crate::Lang::Vi, &format!("field-{f}")))
        .collect();
    if !missing.is_empty() {
        return Err(Message::new("err-file-missing-columns").arg("columns", missing.join(", ")));
    }
    let header_of = |field: &str| {
        index
            .get(field)
            .and_then(|&i| table.headers.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let cell = |row: &TableRow, field: &str| -> String {
        index
            .get(field)
            .and_then(|&i| row.cells.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let mut out = CheckedPeople {
        total_rows: table.rows.len(),
        headers: Headers(
            index
                .iter()
                .filter_map(|(field, &i)| Some((field.to_string(), table.headers.get(i)?.clone())))
                .collect(),
        ),
        ..Default::default()
    };
    let pid_col = index.get("personal_id").copied().unwrap_or(usize::MAX);
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
        let digits = !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit());
        if digits && pid.len() < 12 {
            if row.kind(pid_col) == CellKind::Number && pid.len() >= 9 {
                // The spreadsheet stored the ID number as a number and dropped its leading zeros.
                out.notes.push(RowError {
                    line: row.line,
                    column: header_of("personal_id"),
                    message: Message::new("note-import-pid-padded").arg("digits", 12 - pid.len()),
                });
                pid = format!("{pid:0>12}");
            } else {
                out.errors.push(RowError {
                    line: row.line,
                    column: header_of("personal_id"),
                    message: Message::new("err-import-pid-short").arg("len", pid.len()),
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
        let phone_col = index.get("phone").copied().unwrap_or(usize::MAX);
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 24);

    fn table(bytes: &[u8]) -> Table {
        read_table(bytes, &is_people_header).unwrap()
    }

    #[test]
    fn csv_with_title_rows_and_bom() {
        let csv = "\u{FEFF}DANH SÁCH NGƯỜI DÂN\n\nHọ và tên,Ngày sinh,Giới tính,Số định danh\nNguyễn Văn An,14/03/1985,Nam,019085001234\n";
        let t = table(csv.as_bytes());
        assert_eq!(t.header_line, 3);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].line, 4);
        let c = check_people(&t, TODAY, &Mappings::default()).unwrap();
        assert_eq!(c.good.len(), 1);
    }

    /// Windows-1258 writes tone marks as combining characters after a (possibly precomposed) base.
    fn to_windows_1258(text: &str) -> Vec<u8> {
        use unicode_normalization::UnicodeNormalization;
        let mut out = Vec::new();
        for c in text.chars() {
            let one = c.to_string();
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&one);
            if !unmappable {
                out.extend_from_slice(&bytes);
                continue;
            }
            let tones = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];
            let d: String = c.to_string().nfd().collect();
            let base: String = d
                .chars()
                .filter(|m| !tones.contains(m))
                .collect::<String>()
                .nfc()
                .collect();
            let tone: String = d.chars().filter(|m| tones.contains(m)).collect();
            let composed = format!("{base}{tone}");
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&composed);
            assert!(!unmappable, "{c}");
            out.extend_from_slice(&bytes);
        }
        out
    }

    #[test]
    fn windows_1258_and_utf16() {
        let text = "Họ và tên;Ngày sinh;Giới tính;Số định danh\nLê Thị Hồng;01/02/1990;Nữ;019190001111\n";
        let t = table(&to_windows_1258(text));
        let c = check_people(&t, TODAY, &Mappings::default()).unwrap();
        assert_eq!(c.good.len(), 1, "{:?}", c.errors);
        assert_eq!(c.good[0].1.full_name, "Lê Thị Hồng");
        let mut utf16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        let c = check_people(&table(&utf16), TODAY, &Mappings::default()).unwrap();
        assert_eq!(c.good[0].1.full_name, "Lê Thị Hồng");
    }

    #[test]
    fn every_bad_row_reported() {
        let csv = "Họ và tên,Ngày sinh,Giới tính,Số định danh\n\
                   Nguyễn Văn An,14/03/1985,Nam,019085001234\n\
                   ,31/02/1990,Nam,019090001234\n\
                   Trần Bình,14/03/1985,Nam,019085001234\n\
                   Lò Văn Sáng,01/01/1980,Nam,003080001234\n";
        let c = check_people(&table(csv.as_bytes()), TODAY, &Mappings::default()).unwrap();
        assert_eq!(c.good.len(), 1);
        let lines: Vec<(usize, &str)> = c.errors.iter().map(|e| (e.line, e.message.key.as_str())).collect();
        assert_eq!(
            lines,
            vec![
                (3, "err-text-empty"),
                (3, "err-date-invalid"),
                (4, "err-import-duplicate-in-file"),
                (5, "err-pid-province")
            ]
        );
        assert_eq!(c.errors[1].column, "Ngày sinh");
    }

    fn row(line: usize, cells: &[(&str, CellKind)], formula: bool) -> TableRow {
        TableRow {
            line,
            cells: cells.iter().map(|(c, _)| c.to_string()).collect(),
            kinds: cells.iter().map(|(_, k)| *k).collect(),
            formula,
        }
    }

    /// Lists as the police or the personnel office keep them: IDs stored as numbers or as text,
    /// a repeated ID with other mistakes, a closing total row, groups written many ways.
    #[test]
    fn real_lists() {
        use CellKind::{Number, Text};
        let headers = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Đối tượng"];
        let t = Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            header_line: 1,
            rows: vec![
                // Stored as a number: the leading zero was lost by the spreadsheet.
                row(
                    2,
                    &[
                        ("1", Number),
                        ("Lò Văn Sáng", Text),
                        ("01/01/1980", Text),
                        ("Nam", Text),
                        ("19080001234", Number),
                        ("Người lao động doanh nghiệp", Text),
                    ],
                    false,
                ),
                // Typed as text with a digit missing: not padded.
                row(
                    3,
                    &[
                        ("2", Number),
                        ("Lò Thị Hoa", Text),
                        ("01/01/1981", Text),
                        ("Nữ", Text),
                        ("01918100123", Text),
                        ("CB, CC, VC", Text),
                    ],
                    false,
                ),
                // Repeats line 2's number and has a bad date: the duplicate is what is reported.
                row(
                    4,
                    &[
                        ("3", Number),
                        ("Lò Văn Sáng", Text),
                        ("31/02/1980", Text),
                        ("Nam", Text),
                        ("019080001234", Text),
                        ("HS-SV", Text),
                    ],
                    false,
                ),
                row(
                    5,
                    &[
                        ("4", Number),
                        ("Vì Thị Mai", Text),
                        ("02/02/1990", Text),
                        ("Nữ", Text),
                        ("019190002345", Text),
                        ("Hội viên phụ nữ", Text),
                    ],
                    false,
                ),
                row(
                    6,
                    &[
                        ("5", Number),
                        ("Vì Văn Tú", Text),
                        ("03/03/1991", Text),
                        ("Nam", Text),
                        ("019091003456", Text),
                        ("hội viên phụ nữ", Text),
                    ],
                    false,
                ),
                row(
                    7,
                    &[
                        ("", Text),
                        ("Tổng cộng", Text),
                        ("", Text),
                        ("", Text),
                        ("", Text),
                        ("5", Number),
                    ],
                    true,
                ),
            ],
        };
        let c = check_people(&t, TODAY, &Mappings::default()).unwrap();
        let good: Vec<(usize, &str)> = c.good.iter().map(|(l, p)| (*l, p.personal_id.as_str())).collect();
        assert_eq!(good, vec![(2, "019080001234")]);
        assert!(c.good[0].1.groups.contains(TargetGroup::Worker));
        let errors: Vec<(usize, &str, &str)> = c
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str(), e.message.key.as_str()))
            .collect();
        assert_eq!(
            errors,
            vec![
                (3, "Số CCCD", "err-import-pid-short"),
                (4, "Số CCCD", "err-import-duplicate-in-file"),
                (5, "Đối tượng", "err-group-unknown"),
                (6, "Đối tượng", "err-group-unknown"),
            ]
        );
        assert_eq!(c.errors[0].message.args, vec![("len".to_string(), "11".to_string())]);
        assert_eq!(c.errors[1].message.args, vec![("first".to_string(), "2".to_string())]);
        let notes: Vec<(usize, &str)> = c.notes.iter().map(|n| (n.line, n.message.key.as_str())).collect();
        assert_eq!(notes, vec![(2, "note-import-pid-padded"), (7, "note-import-total-row")]);
        assert_eq!(c.total_rows, 5);
        assert_eq!(c.unknown_groups, vec![("Hội viên phụ nữ".to_string(), 2)]);

        // Once the officer says what the value means, the same file passes.
        let mut m = Mappings::default();
        m.groups
            .insert(crate::people::group_key("Hội viên phụ nữ"), TargetGroup::Resident);
        let c = check_people(&t, TODAY, &m).unwrap();
        let good: Vec<usize> = c.good.iter().map(|(l, _)| *l).collect();
        assert_eq!(good, vec![2, 5, 6]);
        assert!(c.unknown_groups.is_empty());
    }

    /// A header nobody wrote into the platform, mapped by the officer once.
    #[test]
    fn mapped_headers() {
        let csv = "Họ và tên,Ngày sinh,Phái,Mã định danh công dân\nNguyễn Văn An,14/03/1985,Nam,019085001234\n";
        let t = table(csv.as_bytes());
        let none = Mappings::default();
        assert_eq!(missing_fields(&t, &none), vec!["sex", "personal_id"]);
        assert_eq!(unknown_headers(&t, &none), vec!["Phái", "Mã định danh công dân"]);
        assert_eq!(
            check_people(&t, TODAY, &none).unwrap_err().key,
            "err-file-missing-columns"
        );
        let mut m = Mappings::default();
        m.columns.insert(text::fold("Phái"), "sex");
        m.columns.insert(text::fold("Mã định danh công dân"), "personal_id");
        assert!(missing_fields(&t, &m).is_empty());
        let c = check_people(&t, TODAY, &m).unwrap();
        assert_eq!(c.good.len(), 1, "{:?}", c.errors);
        assert_eq!(c.headers.of("personal_id"), "Mã định danh công dân");
    }

    /// The template's headers (both languages) and its example row are what the check expects.
    #[test]
    fn template_is_read_back() {
        for lang in [crate::Lang::Vi, crate::Lang::En] {
            let headers: Vec<String> = people_fields()
                .map(|f| crate::i18n::t(lang, &format!("template-header-{f}")))
                .collect();
            let fields: Vec<Option<&str>> = headers.iter().map(|h| people_column(h)).collect();
            assert_eq!(fields, people_fields().map(Some).collect::<Vec<_>>(), "{lang:?}");
            let example: Vec<&str> = people_fields()
                .map(|f| {
                    TEMPLATE_EXAMPLE
                        .iter()
                        .find(|(k, _)| *k == f)
                        .map(|(_, v)| *v)
                        .unwrap_or("")
                })
                .collect();
            let csv = format!("{}\n{}\n", headers.join(","), example.join(","));
            let c = check_people(&table(csv.as_bytes()), TODAY, &Mappings::default()).unwrap();
            assert!(c.good.is_empty() && c.errors.is_empty(), "{:?}", c.errors);
            assert_eq!(c.notes[0].message.key, "note-import-example-row");
            // The example itself is a valid person, so a copy with another name imports.
            let other = csv.replace("Nguyễn Văn Mẫu", "Nguyễn Văn Thật");
            let c = check_people(&table(other.as_bytes()), TODAY, &Mappings::default()).unwrap();
            assert_eq!(c.good.len(), 1, "{:?}", c.errors);
        }
    }

    #[test]
    fn bad_files() {
        assert_eq!(read_table(b"", &is_people_header).unwrap_err().key, "err-file-empty");
        assert_eq!(
            read_table(b"a,b\n1,2\n", &is_people_header).unwrap_err().key,
            "err-file-no-header"
        );
        assert_eq!(
            read_table(b"\x00\x01\x02\x03binary\x00\x00\xff", &is_people_header)
                .unwrap_err()
                .key,
            "err-file-binary"
        );
        assert_eq!(
            read_table(b"PK\x03\x04garbage", &is_people_header).unwrap_err().key,
            "err-file-xlsx"
        );
        let t = table("Họ và tên,Ngày sinh\nA,1/1/2000\n".as_bytes());
        assert_eq!(
            check_people(&t, TODAY, &Mappings::default()).unwrap_err().key,
            "err-file-missing-columns"
        );
    }
}

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
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in table.headers.iter().enumerate() {
        if let Some(f) = village_column(h) {
            index.entry(f).or_insert(i);
        }
    }
    let Some(&name_col) = index.get("name") else {
        return Err(Message::new("err-file-missing-columns").arg("columns", "Tên thôn"));
    };
    let header = |f: &str| {
        index
            .get(f)
            .and_then(|&i| table.headers.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in &table.rows {
        let cell = |f: &str| index.get(f).and_then(|&i| r.cells.get(i)).cloned().unwrap_or_default();
        let name = match text::required_line("name", r.cells.get(name_col).map(String::as_str).unwrap_or(""), 150) {
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
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in table.headers.iter().enumerate() {
        let f = text::fold(h);
        if let Some((field, _)) = DENOMINATOR_COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&f.as_str()))
        {
            index.entry(field).or_insert(i);
        }
    }
    let missing: Vec<&str> = [
        ("unit", "Mã đơn vị"),
        ("kind", "Chỉ tiêu"),
        ("value", "Giá trị"),
        ("source", "Nguồn"),
    ]
    .iter()
    .filter(|(f, _)| !index.contains_key(f))
    .map(|(_, label)| *label)
    .collect();
    if !missing.is_empty() {
        return Err(Message::new("err-file-missing-columns").arg("columns", missing.join(", ")));
    }
    let header = |f: &str| {
        index
            .get(f)
            .and_then(|&i| table.headers.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for r in &table.rows {
        let cell = |f: &str| index.get(f).and_then(|&i| r.cells.get(i)).cloned().unwrap_or_default();
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
