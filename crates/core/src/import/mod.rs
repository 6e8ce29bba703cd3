//! Reading spreadsheets the way communes really have them: CSV in UTF-8 (with or without BOM),
//! UTF-16 or Windows-1258, `,` `;` or tab separated; XLSX with title rows, merged cells and
//! formulas. Every problem is tied to a line number and a column so the officer can fix the file.
//!
//! This module reads a file into a [`Table`]; each kind of list checks its rows in a module of
//! its own: [`people`], [`villages`], [`denominators`].

use crate::i18n::Message;
use serde::{Deserialize, Serialize};

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

/// Where each field a list knows sits in a table: the first column whose header names it. Every
/// list reader asks it for a field's cell in a row and for the header to name in a row's problem.
#[derive(Debug)]
pub struct Columns<'t> {
    headers: &'t [String],
    index: std::collections::HashMap<&'static str, usize>,
}

impl<'t> Columns<'t> {
    /// `field_of` names the field a header stands for (a list's own spellings), if any.
    pub fn find(table: &'t Table, field_of: impl Fn(&str) -> Option<&'static str>) -> Columns<'t> {
        let mut index = std::collections::HashMap::new();
        for (i, h) in table.headers.iter().enumerate() {
            if let Some(field) = field_of(h) {
                index.entry(field).or_insert(i);
            }
        }
        Columns {
            headers: &table.headers,
            index,
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.index.contains_key(field)
    }

    /// The field's column number; `usize::MAX` (no cell) when the table has none.
    pub fn position(&self, field: &str) -> usize {
        self.index.get(field).copied().unwrap_or(usize::MAX)
    }

    /// The header as the file wrote it, to name the column in a row's problem.
    pub fn header(&self, field: &str) -> String {
        self.headers.get(self.position(field)).cloned().unwrap_or_default()
    }

    /// The row's cell of the field as read (empty when the table has no such column).
    pub fn cell(&self, row: &TableRow, field: &str) -> String {
        row.cells.get(self.position(field)).cloned().unwrap_or_default()
    }

    /// Each field found with the header that named it.
    pub fn found(&self) -> impl Iterator<Item = (&'static str, &'t str)> + '_ {
        self.index
            .iter()
            .filter_map(|(field, &i)| Some((*field, self.headers.get(i)?.as_str())))
    }
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
pub mod denominators;
pub mod people;
pub mod villages;
pub mod vneid;

pub use denominators::*;
pub use people::*;
pub use villages::*;

#[cfg(test)]
mod tests;
