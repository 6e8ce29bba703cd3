//! Reading an XLSX package that nobody vouches for. An XLSX file is a zip of XML parts; its sheet
//! declares a dimension (`A1:XFD1048576`), every cell names its own address and the shared
//! strings declare how many they are. None of those numbers is believed: the package is read as
//! streams, every byte inflated is counted, and a cell costs memory only when it holds a value.
//! What a file may cost is capped by [`Limits`]; a file past a limit is refused, before anything is
//! allocated for it, with a message naming the limit. A spreadsheet library's whole-sheet range API
//! sizes a dense grid from the addresses it finds, which one far cell turns into an abort.

use crate::i18n::Message;
use crate::import::{CellKind, TableRow};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read};

const MIB: u64 = 1024 * 1024;

/// Bytes all the parts read from one package may inflate to, together. A list of 200,000 rows of
/// ten columns inflates to 75 MB (sheet 63 MB, shared strings 12 MB); past this a file only costs
/// time.
pub const MAX_INFLATED_BYTES: u64 = 512 * MIB;
/// How many times larger than its compressed bytes a part may inflate. The 200,000-row list:
/// 7.8× (sheet) and 9.8× (shared strings); deflate cannot pass ~1030×, which a bomb approaches.
/// Parts under [`RATIO_FREE_BYTES`] are not held to it: tiny parts compress oddly.
pub const MAX_INFLATE_RATIO: u64 = 250;
/// Inflated bytes a part may reach before [`MAX_INFLATE_RATIO`] applies.
pub const RATIO_FREE_BYTES: u64 = MIB;
/// Entries of the zip package (the 200,000-row list has 10). Checked on the package's own end
/// records before the zip reader sizes its directory from them.
pub const MAX_PARTS: usize = 10_000;
/// Rows holding a value (2.5 times the largest commune list expected, 200,000 people).
pub const MAX_ROWS: usize = 500_000;
/// The last row number a spreadsheet program can write (Excel's own limit): an address past it
/// (`A99999999999`) cannot come from a real list.
pub const MAX_ROW_NUMBER: u64 = 1_048_576;
/// Columns holding a value (column IV, the old Excel limit; the people import knows 9).
pub const MAX_COLUMNS: usize = 256;
/// Cells of the table as it is held, counting the empty cells left of a row's last value.
/// 25 bytes each when empty: 100 MB at the limit.
pub const MAX_CELLS: usize = 4_000_000;
/// Bytes of text held: the shared strings plus every cell's text.
pub const MAX_TEXT_BYTES: u64 = 128 * MIB;
/// Distinct strings of the shared-strings part.
pub const MAX_SHARED_STRINGS: usize = 1_000_000;
/// Bytes of one cell's text (Excel stores at most 32,767 characters, at most 4 bytes each).
pub const MAX_CELL_BYTES: usize = 32_767 * 4;
/// Bytes of one XML element or text run: the XML reader buffers one whole event, so this bounds
/// its buffer whatever the file holds.
pub const MAX_XML_EVENT_BYTES: u64 = 4 * MIB;

/// What one file may cost. [`Limits::DEFAULT`] is what every upload gets; tests lower them to
/// build small files that pass them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub inflated_bytes: u64,
    pub inflate_ratio: u64,
    pub ratio_free_bytes: u64,
    pub parts: usize,
    pub rows: usize,
    pub row_number: u64,
    pub columns: usize,
    pub cells: usize,
    pub text_bytes: u64,
    pub shared_strings: usize,
    pub cell_bytes: usize,
    pub xml_event_bytes: u64,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        inflated_bytes: MAX_INFLATED_BYTES,
        inflate_ratio: MAX_INFLATE_RATIO,
        ratio_free_bytes: RATIO_FREE_BYTES,
        parts: MAX_PARTS,
        rows: MAX_ROWS,
        row_number: MAX_ROW_NUMBER,
        columns: MAX_COLUMNS,
        cells: MAX_CELLS,
        text_bytes: MAX_TEXT_BYTES,
        shared_strings: MAX_SHARED_STRINGS,
        cell_bytes: MAX_CELL_BYTES,
        xml_event_bytes: MAX_XML_EVENT_BYTES,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

fn malformed() -> Message {
    Message::new("err-file-xlsx")
}

fn mb(bytes: u64) -> u64 {
    bytes.div_ceil(MIB)
}

/// The name of a column from its index (0 → A, 255 → IV).
pub fn column_name(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The limit messages, shared with the CSV reader.
pub(crate) fn too_many_rows(limits: &Limits) -> Message {
    Message::new("err-import-too-many-rows").arg("max", limits.rows)
}

pub(crate) fn too_many_columns(limits: &Limits, cell: &str) -> Message {
    Message::new("err-import-too-many-columns")
        .arg("cell", cell)
        .arg("max", column_name(limits.columns.saturating_sub(1)))
}

pub(crate) fn too_many_cells(limits: &Limits) -> Message {
    Message::new("err-import-too-many-cells").arg("max", limits.cells)
}

/// Counts what the package costs as it is read; every part's reader reports here.
struct Budget<'l> {
    limits: &'l Limits,
    /// Bytes of the whole package.
    file_len: u64,
    inflated: Cell<u64>,
    /// Bytes read since the XML reader last returned an event.
    since_event: Cell<u64>,
    text: Cell<u64>,
    tripped: RefCell<Option<Message>>,
}

impl Budget<'_> {
    fn trip(&self, m: Message) -> std::io::Error {
        self.tripped.replace(Some(m));
        std::io::Error::other("limit passed")
    }

    /// The message for a failed read: the limit that stopped it, or a damaged file.
    fn failure(&self) -> Message {
        self.tripped.take().unwrap_or_else(malformed)
    }

    fn add_text(&self, bytes: usize) -> Result<(), Message> {
        let t = self.text.get().saturating_add(bytes as u64);
        self.text.set(t);
        if t > self.limits.text_bytes {
            return Err(Message::new("err-import-too-much-text").arg("max", mb(self.limits.text_bytes)));
        }
        Ok(())
    }
}

/// A part's inflated bytes, counted as they come out of the inflater: the sizes the zip headers
/// declare are never what is believed.
struct Metered<'b, 'l, R> {
    inner: R,
    budget: &'b Budget<'l>,
    read: u64,
    compressed: u64,
}

impl<R: Read> Read for Metered<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let b = self.budget;
        let l = b.limits;
        self.read += n as u64;
        b.inflated.set(b.inflated.get() + n as u64);
        b.since_event.set(b.since_event.get() + n as u64);
        if b.inflated.get() > l.inflated_bytes {
            return Err(b.trip(Message::new("err-xlsx-too-large").arg("max", mb(l.inflated_bytes))));
        }
        if self.read > l.ratio_free_bytes && self.read > self.compressed.saturating_mul(l.inflate_ratio) {
            return Err(b.trip(Message::new("err-xlsx-ratio").arg("ratio", l.inflate_ratio)));
        }
        if b.since_event.get() > l.xml_event_bytes {
            return Err(b.trip(Message::new("err-xlsx-element-too-long").arg("max", mb(l.xml_event_bytes))));
        }
        Ok(n)
    }
}

pub(crate) type Package<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// The next XML event, with the event-size meter restarted.
fn next<'b, R: BufRead>(xml: &mut Reader<R>, buf: &'b mut Vec<u8>, budget: &Budget) -> Result<Event<'b>, Message> {
    buf.clear();
    budget.since_event.set(0);
    xml.read_event_into(buf).map_err(|_| budget.failure())
}

fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

/// The `r:id` of an element (a relationship id, in the relationships namespace).
fn rel_id(e: &BytesStart) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == "id" && a.key.prefix().is_some())
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

/// Why [`open_zip`] refused a package.
pub(crate) enum Unopened {
    /// Not a zip, or one whose directory cannot be read.
    NotZip,
    TooManyEntries,
}

/// Opens a zip held in memory that may hold at most `max_entries` entries. The end records are
/// checked before the zip reader sees them: it reserves its directory from their declared count
/// before reading a single entry.
pub(crate) fn open_zip(bytes: &[u8], max_entries: usize) -> Result<Package<'_>, Unopened> {
    let u16_at = |i: usize| bytes.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as u64);
    let u64_at = |i: usize| {
        bytes
            .get(i..i + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
    };
    for (i, w) in bytes.windows(4).enumerate() {
        if w[0] != b'P' || w[1] != b'K' {
            continue;
        }
        let counts = match (w[2], w[3]) {
            (5, 6) => [u16_at(i + 8), u16_at(i + 10)],
            (6, 6) => [u64_at(i + 24), u64_at(i + 32)],
            _ => continue,
        };
        if counts.iter().flatten().any(|&n| n > max_entries as u64) {
            return Err(Unopened::TooManyEntries);
        }
    }
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Unopened::NotZip)?;
    if zip.len() > max_entries {
        return Err(Unopened::TooManyEntries);
    }
    Ok(zip)
}

/// The index of a part by name, as the package spells it or in another case.
fn find_part(zip: &Package, name: &str) -> Option<usize> {
    zip.index_for_name(name).or_else(|| {
        zip.file_names_raw()
            .position(|n| n.eq_ignore_ascii_case(name.as_bytes()))
    })
}

/// Streams the events of one part to `each`. Returns false if the package has no such part.
fn read_part(
    zip: &mut Package,
    name: &str,
    budget: &Budget,
    mut each: impl FnMut(Event<'_>) -> Result<bool, Message>,
) -> Result<bool, Message> {
    let Some(idx) = find_part(zip, name) else {
        return Ok(false);
    };
    let file = zip.by_index(idx).map_err(|_| malformed())?;
    // A header may claim more compressed bytes than the whole file has.
    let compressed = file.compressed_size().min(budget.file_len);
    let metered = Metered {
        inner: file,
        budget,
        read: 0,
        compressed,
    };
    let mut xml = Reader::from_reader(BufReader::with_capacity(64 * 1024, metered));
    let mut buf = Vec::new();
    loop {
        let ev = next(&mut xml, &mut buf, budget)?;
        if matches!(ev, Event::Eof) {
            return Ok(true);
        }
        if !each(ev)? {
            return Ok(true);
        }
    }
}

/// The relationships of a part: id → (type, target resolved against `base`).
fn relationships(
    zip: &mut Package,
    rels: &str,
    base: &str,
    budget: &Budget,
) -> Result<Vec<(String, String, String)>, Message> {
    let mut out = Vec::new();
    read_part(zip, rels, budget, |ev| {
        if let Event::Start(e) | Event::Empty(e) = &ev
            && e.local_name().as_ref() == "Relationship"
            && attr(e, "TargetMode").is_none_or(|m| !m.eq_ignore_ascii_case("external"))
            && out.len() < 10_000
            && let (Some(id), Some(kind), Some(target)) = (attr(e, "Id"), attr(e, "Type"), attr(e, "Target"))
        {
            out.push((id, kind, resolve(base, &target)));
        }
        Ok(true)
    })?;
    Ok(out)
}

/// A relationship target as a part name: absolute ("/xl/x.xml") or relative to `base`'s folder.
fn resolve(base: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    } else {
        base.split('/').collect()
    };
    parts.pop();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Excel writes characters XML cannot carry as `_xHHHH_` (UTF-16 units).
fn unescape_excel(s: &str) -> String {
    if !s.contains("_x") {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut units: Vec<u16> = Vec::new();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.extend(char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
    };
    while i < b.len() {
        if b[i] == b'_'
            && b.get(i + 1) == Some(&b'x')
            && b.get(i + 6) == Some(&b'_')
            && let Some(hex) = s.get(i + 2..i + 6)
            && let Ok(u) = u16::from_str_radix(hex, 16)
            && hex.bytes().all(|c| c.is_ascii_hexdigit())
        {
            units.push(u);
            i += 7;
            continue;
        }
        flush(&mut units, &mut out);
        let ch_len = s[i..].chars().next().map(char::len_utf8).unwrap_or(1);
        out.push_str(&s[i..i + ch_len]);
        i += ch_len;
    }
    flush(&mut units, &mut out);
    out
}

/// Text of a text event appended to `out`, refusing past the one-cell limit.
fn push_text(out: &mut String, ev: &Event, limits: &Limits) -> Result<(), Message> {
    match ev {
        Event::Text(t) => out.push_str(&t.xml10_content()),
        Event::CData(t) => out.push_str(&t.xml10_content()),
        Event::GeneralRef(r) => {
            if let Some(s) = quick_xml::escape::resolve_xml_entity(r) {
                out.push_str(s);
            } else if let Ok(Some(c)) = r.resolve_char_ref() {
                out.push(c);
            } else {
                return Err(malformed());
            }
        }
        _ => {}
    }
    if out.len() > limits.cell_bytes {
        return Err(Message::new("err-import-cell-too-long").arg("max", limits.cell_bytes / 4));
    }
    Ok(())
}

/// Built-in number formats that show a date or time.
fn builtin_date(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)
}

/// A custom number format shows a date when, outside quotes, escapes and `[...]` sections, it has
/// a day, month, year, hour or second code.
fn custom_date(code: &str) -> bool {
    let mut quoted = false;
    let mut bracket = false;
    let mut escaped = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '\\' => escaped = true,
            '[' => bracket = true,
            ']' => bracket = false,
            _ if bracket => {}
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' => return true,
            _ => {}
        }
    }
    false
}

/// For each cell format (`s` of a cell), whether it shows a date.
fn date_styles(zip: &mut Package, name: &str, budget: &Budget) -> Result<Vec<bool>, Message> {
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut xfs = Vec::new();
    let mut in_xfs = false;
    read_part(zip, name, budget, |ev| {
        match &ev {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" if custom.len() < 100_000 => {
                    if let (Some(id), Some(code)) = (attr(e, "numFmtId"), attr(e, "formatCode"))
                        && let Ok(id) = id.parse::<u32>()
                    {
                        custom.insert(id, custom_date(&code));
                    }
                }
                "cellXfs" => in_xfs = matches!(ev, Event::Start(_)),
                "xf" if in_xfs && xfs.len() < 100_000 => {
                    let id = attr(e, "numFmtId").and_then(|i| i.parse::<u32>().ok()).unwrap_or(0);
                    xfs.push(custom.get(&id).copied().unwrap_or_else(|| builtin_date(id)));
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
            _ => {}
        }
        Ok(true)
    })?;
    Ok(xfs)
}

fn shared_strings(zip: &mut Package, name: &str, budget: &Budget) -> Result<Vec<String>, Message> {
    let limits = budget.limits;
    let mut strings: Vec<String> = Vec::new();
    let mut current = String::new();
    let (mut in_si, mut in_t, mut in_rph) = (false, false, false);
    read_part(zip, name, budget, |ev| {
        match &ev {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => {
                    in_si = true;
                    current.clear();
                }
                "t" => in_t = true,
                "rPh" => in_rph = true,
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => {
                if strings.len() >= limits.shared_strings {
                    return Err(Message::new("err-xlsx-too-many-strings").arg("max", limits.shared_strings));
                }
                strings.push(String::new());
            }
            Event::End(e) => match e.local_name().as_ref() {
                "si" if in_si => {
                    in_si = false;
                    if strings.len() >= limits.shared_strings {
                        return Err(Message::new("err-xlsx-too-many-strings").arg("max", limits.shared_strings));
                    }
                    let s = unescape_excel(&current);
                    budget.add_text(s.len())?;
                    strings.push(s);
                }
                "t" => in_t = false,
                "rPh" => in_rph = false,
                _ => {}
            },
            _ if in_si && in_t && !in_rph => push_text(&mut current, &ev, limits)?,
            _ => {}
        }
        Ok(true)
    })?;
    Ok(strings)
}

/// A cell address: column index from its letters, row number from its digits. Either is `None`
/// past any real sheet (more than three letters, or a row past `u64`).
fn parse_ref(r: &str) -> (Option<usize>, Option<u64>) {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    let col = if (1..=3).contains(&letters) {
        let mut c = 0usize;
        for b in r.bytes().take(letters) {
            c = c * 26 + (b.to_ascii_uppercase() - b'A') as usize + 1;
        }
        Some(c - 1)
    } else {
        None
    };
    let row = r[letters..].parse::<u64>().ok();
    (col, row)
}

fn short(s: &str) -> String {
    s.chars().take(24).collect()
}

fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// A spreadsheet serial date as dd/mm/yyyy (the 1900 system counts a 29 February 1900 that never
/// was, so serials before it are one day later than the plain count).
fn format_date(serial: f64, date1904: bool) -> Option<String> {
    if !serial.is_finite() || serial.abs() > 3_000_000.0 {
        return None;
    }
    let mut days = serial.floor() as i64;
    let base = if date1904 {
        time::macros::date!(1904 - 01 - 01)
    } else {
        if days < 60 {
            days += 1;
        }
        time::macros::date!(1899 - 12 - 30)
    };
    let d = base.checked_add(time::Duration::days(days))?;
    Some(format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year()))
}

/// One cell being read.
#[derive(Default)]
struct CellState {
    /// Column index, `None` past three letters.
    col: Option<usize>,
    address: String,
    kind: String,
    style: usize,
    value: String,
    has_value: bool,
    in_v: bool,
    in_is: bool,
    in_t: bool,
    in_rph: bool,
}

struct Sheet<'a> {
    limits: &'a Limits,
    budget: &'a Budget<'a>,
    strings: &'a [String],
    dates: &'a [bool],
    date1904: bool,
    rows: Vec<TableRow>,
    cells: usize,
    /// The row being read: its number, its valued cells in column order, a formula seen.
    line: u64,
    last_line: u64,
    row: Vec<(usize, String, CellKind)>,
    formula: bool,
    /// The column of the row's last cell with a value, and of its last cell of any kind (a cell
    /// without an address follows the one before it).
    last_col: Option<usize>,
    prev_col: Option<usize>,
    cell: Option<CellState>,
}

impl Sheet<'_> {
    fn start_row(&mut self, e: &BytesStart) -> Result<(), Message> {
        let line = match attr(e, "r") {
            Some(r) => match r.trim().parse::<u64>() {
                Ok(n) => n,
                Err(_) if !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()) => u64::MAX,
                Err(_) => return Err(malformed()),
            },
            None => self.last_line + 1,
        };
        if line > self.limits.row_number {
            return Err(Message::new("err-import-row-too-far")
                .arg("row", short(&line.to_string()))
                .arg("max", self.limits.row_number));
        }
        // Rows come in order in every spreadsheet program's files; one going back is damage.
        if line <= self.last_line || line == 0 {
            return Err(malformed());
        }
        self.line = line;
        self.last_line = line;
        self.row.clear();
        self.formula = false;
        self.last_col = None;
        self.prev_col = None;
        Ok(())
    }

    fn start_cell(&mut self, e: &BytesStart) -> Result<(), Message> {
        let mut c = CellState::default();
        match attr(e, "r") {
            Some(r) => {
                let (col, row) = parse_ref(&r);
                if let Some(row) = row
                    && row > self.limits.row_number
                {
                    return Err(Message::new("err-import-row-too-far")
                        .arg("row", short(r.trim_start_matches(|c: char| c.is_ascii_alphabetic())))
                        .arg("max", self.limits.row_number));
                }
                c.col = col;
                c.address = short(&r);
            }
            None => {
                let col = self.prev_col.map_or(0, |c| c + 1);
                c.col = Some(col);
                c.address = format!("{}{}", column_name(col), self.line);
            }
        }
        self.prev_col = c.col.or(Some(usize::MAX - 1));
        c.kind = attr(e, "t").unwrap_or_default();
        c.style = attr(e, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
        self.cell = Some(c);
        Ok(())
    }

    fn end_cell(&mut self) -> Result<(), Message> {
        let Some(c) = self.cell.take() else {
            return Ok(());
        };
        let (text, kind) = match c.kind.as_str() {
            _ if !c.has_value => return Ok(()),
            "s" => {
                let i: usize = c.value.trim().parse().map_err(|_| malformed())?;
                (self.strings.get(i).ok_or_else(malformed)?.clone(), CellKind::Text)
            }
            "str" | "inlineStr" => (unescape_excel(&c.value), CellKind::Text),
            "b" => ((c.value.trim() == "1").to_string(), CellKind::Bool),
            "e" => ("#ERROR".to_string(), CellKind::Error),
            "d" => (c.value.trim().to_string(), CellKind::Date),
            _ => match c.value.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => {
                    if self.dates.get(c.style).copied().unwrap_or(false) {
                        (
                            format_date(f, self.date1904).unwrap_or_else(|| format_number(f)),
                            CellKind::Date,
                        )
                    } else {
                        (format_number(f), CellKind::Number)
                    }
                }
                _ => (c.value.trim().to_string(), CellKind::Text),
            },
        };
        if text.is_empty() {
            return Ok(());
        }
        let col = match c.col {
            Some(col) if col < self.limits.columns => col,
            _ => return Err(too_many_columns(self.limits, &c.address)),
        };
        // Every spreadsheet program writes a row's cells left to right.
        if self.last_col.is_some_and(|l| col <= l) {
            return Err(malformed());
        }
        self.last_col = Some(col);
        // The text budget counts each cell's own copy of a shared string.
        self.budget.add_text(text.len())?;
        self.row.push((col, text, kind));
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), Message> {
        self.cell = None;
        let Some(width) = self.row.last().map(|(c, ..)| c + 1) else {
            return Ok(());
        };
        if self.rows.len() >= self.limits.rows {
            return Err(too_many_rows(self.limits));
        }
        self.cells += width;
        if self.cells > self.limits.cells {
            return Err(too_many_cells(self.limits));
        }
        let mut cells = vec![String::new(); width];
        let mut kinds = vec![CellKind::Empty; width];
        for (col, text, kind) in self.row.drain(..) {
            cells[col] = text;
            kinds[col] = kind;
        }
        self.rows.push(TableRow {
            line: usize::try_from(self.line).unwrap_or(usize::MAX),
            cells,
            kinds,
            formula: self.formula,
        });
        Ok(())
    }
}

/// The rows of the first sheet, each cell as the reader of the file sees it (numbers without a
/// trailing ".0", dates as dd/mm/yyyy).
pub fn read_rows(bytes: &[u8], limits: &Limits) -> Result<Vec<TableRow>, Message> {
    let mut zip = open_zip(bytes, limits.parts).map_err(|e| match e {
        Unopened::NotZip => malformed(),
        Unopened::TooManyEntries => Message::new("err-xlsx-too-many-parts").arg("max", limits.parts),
    })?;
    let budget = Budget {
        limits,
        file_len: bytes.len() as u64,
        inflated: Cell::new(0),
        since_event: Cell::new(0),
        text: Cell::new(0),
        tripped: RefCell::new(None),
    };
    let workbook = relationships(&mut zip, "_rels/.rels", "", &budget)?
        .into_iter()
        .find(|(_, kind, _)| kind.ends_with("/officeDocument"))
        .map(|(_, _, target)| target)
        .unwrap_or_else(|| "xl/workbook.xml".to_string());
    let (dir, file) = workbook.rsplit_once('/').unwrap_or(("", workbook.as_str()));
    let rels_name = if dir.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{dir}/_rels/{file}.rels")
    };
    let rels = relationships(&mut zip, &rels_name, &workbook, &budget)?;

    let mut first_sheet = None;
    let mut date1904 = false;
    let found = read_part(&mut zip, &workbook, &budget, |ev| {
        if let Event::Start(e) | Event::Empty(e) = &ev {
            match e.local_name().as_ref() {
                "workbookPr" => {
                    date1904 = attr(e, "date1904").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
                }
                "sheet" => {
                    first_sheet = rel_id(e);
                    return Ok(false);
                }
                _ => {}
            }
        }
        Ok(true)
    })?;
    if !found {
        return Err(malformed());
    }
    let sheet = first_sheet
        .and_then(|id| rels.iter().find(|(rid, ..)| *rid == id))
        .map(|(_, _, target)| target.clone())
        .ok_or_else(malformed)?;
    let part = |suffix: &str| {
        rels.iter()
            .find(|(_, kind, _)| kind.ends_with(suffix))
            .map(|(_, _, t)| t.clone())
    };
    let dates = match part("/styles") {
        Some(name) => date_styles(&mut zip, &name, &budget)?,
        None => Vec::new(),
    };
    let strings = match part("/sharedStrings") {
        Some(name) => shared_strings(&mut zip, &name, &budget)?,
        None => Vec::new(),
    };
    let mut s = Sheet {
        limits,
        budget: &budget,
        strings: &strings,
        dates: &dates,
        date1904,
        rows: Vec::new(),
        cells: 0,
        line: 0,
        last_line: 0,
        row: Vec::new(),
        formula: false,
        last_col: None,
        prev_col: None,
        cell: None,
    };
    let mut in_data = false;
    let found = read_part(&mut zip, &sheet, &budget, |ev| {
        match &ev {
            Event::Start(e) => match e.local_name().as_ref() {
                "sheetData" => in_data = true,
                "row" if in_data => s.start_row(e)?,
                "c" if in_data => s.start_cell(e)?,
                "v" => {
                    if let Some(c) = &mut s.cell {
                        c.in_v = true;
                        c.has_value = true;
                    }
                }
                "is" => {
                    if let Some(c) = &mut s.cell {
                        c.in_is = true;
                        c.has_value = true;
                    }
                }
                "t" => {
                    if let Some(c) = &mut s.cell {
                        c.in_t = true;
                    }
                }
                "rPh" => {
                    if let Some(c) = &mut s.cell {
                        c.in_rph = true;
                    }
                }
                "f" if s.cell.is_some() => s.formula = true,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "row" if in_data => {
                    s.start_row(e)?;
                    s.end_row()?;
                }
                "c" if in_data => {
                    s.start_cell(e)?;
                    s.end_cell()?;
                }
                "f" if s.cell.is_some() => s.formula = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "sheetData" => {
                    in_data = false;
                    return Ok(false);
                }
                "row" if in_data => s.end_row()?,
                "c" if in_data => s.end_cell()?,
                "v" => {
                    if let Some(c) = &mut s.cell {
                        c.in_v = false;
                    }
                }
                "is" => {
                    if let Some(c) = &mut s.cell {
                        c.in_is = false;
                    }
                }
                "t" => {
                    if let Some(c) = &mut s.cell {
                        c.in_t = false;
                    }
                }
                "rPh" => {
                    if let Some(c) = &mut s.cell {
                        c.in_rph = false;
                    }
                }
                _ => {}
            },
            _ => {
                if let Some(c) = &mut s.cell
                    && (c.in_v || (c.in_is && c.in_t && !c.in_rph))
                {
                    push_text(&mut c.value, &ev, limits)?;
                }
            }
        }
        Ok(true)
    })?;
    if !found {
        return Err(malformed());
    }
    Ok(s.rows)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    /// Counts the heap of the current thread, so a test can measure what one read cost.
    struct PerThread;

    thread_local! {
        static NOW: Cell<usize> = const { Cell::new(0) };
        static PEAK: Cell<usize> = const { Cell::new(0) };
    }

    unsafe impl GlobalAlloc for PerThread {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let _ = NOW.try_with(|n| {
                n.set(n.get() + layout.size());
                let _ = PEAK.try_with(|p| p.set(p.get().max(n.get())));
            });
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            let _ = NOW.try_with(|n| n.set(n.get().saturating_sub(layout.size())));
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let _ = NOW.try_with(|n| {
                n.set(n.get().saturating_sub(layout.size()) + new_size);
                let _ = PEAK.try_with(|p| p.set(p.get().max(n.get())));
            });
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static ALLOC: PerThread = PerThread;

    /// Runs `f` and returns its result with the most heap it held at once on this thread (other
    /// modules' tests measure their readers with it too).
    pub(crate) fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let base = NOW.with(Cell::get);
        PEAK.with(|p| p.set(base));
        let out = f();
        (out, PEAK.with(Cell::get) - base)
    }

    /// Reads a package and returns the result with the most heap the read held at once.
    fn measured(bytes: &[u8], limits: &Limits) -> (Result<Vec<TableRow>, Message>, usize) {
        peak_heap(|| read_rows(bytes, limits))
    }

    /// Small enough that a bomb inflating past them stays a small test file.
    const TEST: Limits = Limits {
        inflated_bytes: 8 * MIB,
        inflate_ratio: 250,
        ratio_free_bytes: 64 * 1024,
        parts: 100,
        rows: 2_000,
        row_number: MAX_ROW_NUMBER,
        columns: MAX_COLUMNS,
        cells: 20_000,
        text_bytes: MIB,
        shared_strings: 5_000,
        cell_bytes: MAX_CELL_BYTES,
        xml_event_bytes: 256 * 1024,
    };
    /// What one read under [`TEST`] may hold at most, whatever the file.
    const TEST_HEAP: usize = 16 * MIB as usize;

    const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

    fn sheet(rows: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}><sheetData>{rows}</sheetData></worksheet>"#
        )
    }

    fn shared(strings: &[&str], unique_count: &str) -> String {
        let si: String = strings.iter().map(|s| format!("<si><t>{s}</t></si>")).collect();
        format!(r#"<sst {NS} count="{unique_count}" uniqueCount="{unique_count}">{si}</sst>"#)
    }

    const STYLES: &str = r##"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/><numFmt numFmtId="165" formatCode="#,##0&quot;đ&quot;"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>"##;

    fn package_with(parts: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let level = (method == zip::CompressionMethod::Deflated).then_some(9);
        let opts = SimpleFileOptions::default()
            .compression_method(method)
            .compression_level(level);
        for (name, data) in parts {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn package(sheet_xml: &str, strings: Option<&str>, method: zip::CompressionMethod) -> Vec<u8> {
        let ct = r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
        let wb = format!(
            r#"<workbook {NS}><workbookPr/><sheets><sheet name="DS" sheetId="1" r:id="rId1"/><sheet name="B" sheetId="2" r:id="rId9"/></sheets></workbook>"#
        );
        let wb_rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
        let mut parts: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", ct.as_bytes()),
            ("_rels/.rels", rels.as_bytes()),
            ("xl/workbook.xml", wb.as_bytes()),
            ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
            ("xl/styles.xml", STYLES.as_bytes()),
            ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes()),
        ];
        if let Some(s) = strings {
            parts.push(("xl/sharedStrings.xml", s.as_bytes()));
        }
        package_with(&parts, method)
    }

    fn deflated(sheet_xml: &str, strings: Option<&str>) -> Vec<u8> {
        package(sheet_xml, strings, zip::CompressionMethod::Deflated)
    }

    fn key(r: Result<Vec<TableRow>, Message>) -> String {
        match r {
            Ok(rows) => format!("ok {} rows", rows.len()),
            Err(m) => m.key,
        }
    }

    #[test]
    fn values_kinds_and_lines() {
        let rows = sheet(concat!(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><r><t>Ngày</t></r><r><t xml:space="preserve"> sinh</t></r><rPh><t>x</t></rPh></is></c></row>"#,
            r#"<row r="4" spans="1:6"><c r="A4" t="s"><v>1</v></c><c r="B4"><v>19085001234</v></c><c r="C4" s="1"><v>31120</v></c>"#,
            r#"<c r="D4" s="2"><v>45000.75</v></c><c r="E4" t="b"><v>1</v></c><c r="F4" t="e"><v>#N/A</v></c></row>"#,
            r#"<row r="7"><c r="A7" t="str"><f>A1&amp;"x"</f><v>Tổng &amp; cộng</v></c><c r="B7" s="3"><f>SUM(B1:B4)</f><v>2.5</v></c><c r="C7" s="9"/><c r="XFD7" s="1"/></row>"#,
            r#"<row r="8"><c r="A8" s="1"/></row><row r="1000000"><c><v>1</v></c><c><v>-3</v></c></row>"#,
        ));
        let out = read_rows(
            &deflated(&rows, Some(&shared(&["Họ và tên", "Lò Thị Ánh"], "1000000000"))),
            &Limits::DEFAULT,
        )
        .unwrap();
        let got: Vec<(usize, Vec<&str>, Vec<CellKind>, bool)> = out
            .iter()
            .map(|r| {
                (
                    r.line,
                    r.cells.iter().map(String::as_str).collect(),
                    r.kinds.clone(),
                    r.formula,
                )
            })
            .collect();
        use CellKind::*;
        assert_eq!(
            got,
            vec![
                (1, vec!["Họ và tên", "", "Ngày sinh"], vec![Text, Empty, Text], false),
                (
                    4,
                    vec![
                        "Lò Thị Ánh",
                        "19085001234",
                        "14/03/1985",
                        "15/03/2023",
                        "true",
                        "#ERROR"
                    ],
                    vec![Text, Number, Date, Date, Bool, Error],
                    false
                ),
                (7, vec!["Tổng & cộng", "2.5"], vec![Text, Number], true),
                (1_000_000, vec!["1", "-3"], vec![Number, Number], false),
            ]
        );
    }

    #[test]
    fn dates_of_both_systems() {
        assert_eq!(format_date(1.0, false).as_deref(), Some("01/01/1900"));
        assert_eq!(format_date(61.0, false).as_deref(), Some("01/03/1900"));
        assert_eq!(format_date(44927.0, false).as_deref(), Some("01/01/2023"));
        assert_eq!(format_date(0.0, true).as_deref(), Some("01/01/1904"));
        assert_eq!(format_date(1e300, false), None);
        assert!(custom_date("[$-42A]dd/mm/yyyy"));
        assert!(!custom_date("#,##0\"đ ngày\""));
        assert!(!custom_date("[Red]0.00"));
        assert!(!custom_date("General"));
    }

    /// Each file the review found aborting the process, refused with the limit it passed, within
    /// a small heap.
    #[test]
    fn hostile_sheets_are_refused_naming_the_limit() {
        let far =
            sheet(r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#);
        let wrap = sheet(r#"<row r="1"><c r="ZZZZZZZ1"><v>1</v></c></row>"#);
        let far_row = sheet(r#"<row><c r="A99999999999"><v>1</v></c></row>"#);
        let far_row_el = sheet(r#"<row r="99999999999999999999999"><c><v>1</v></c></row>"#);
        let dim = format!(
            r#"<worksheet {NS}><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#
        );
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (deflated(&far, None), "err-import-too-many-columns"),
            (deflated(&wrap, None), "err-import-too-many-columns"),
            (deflated(&far_row, None), "err-import-row-too-far"),
            (deflated(&far_row_el, None), "err-import-row-too-far"),
            (
                deflated(&dim, Some(&shared(&["a"], "18446744073709551615"))),
                "ok 1 rows",
            ),
        ];
        for (i, (bytes, want)) in cases.into_iter().enumerate() {
            let (out, heap) = measured(&bytes, &TEST);
            assert_eq!(key(out), want, "case {i}");
            assert!(heap < TEST_HEAP, "case {i} held {heap} bytes");
        }
        let (out, _) = measured(&deflated(&far, None), &Limits::DEFAULT);
        let m = out.unwrap_err();
        assert_eq!(
            m.args,
            vec![("cell".into(), "XFD1048576".into()), ("max".into(), "IV".into())]
        );
    }

    #[test]
    fn bombs_and_floods_are_refused() {
        // A sheet of empty rows that inflates ~1000 times: the ratio stops it.
        let empty_rows: String = "<row/>".repeat(400_000);
        let bomb = deflated(&sheet(&empty_rows), None);
        assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
        let (out, heap) = measured(&bomb, &TEST);
        assert_eq!(key(out), "err-xlsx-ratio");
        assert!(heap < TEST_HEAP, "{heap}");
        // Stored parts inflate 1:1, so only the total stops them.
        let big = package(
            &sheet(&" ".repeat(9 * MIB as usize)),
            None,
            zip::CompressionMethod::Stored,
        );
        let (out, heap) = measured(
            &big,
            &Limits {
                xml_event_bytes: 16 * MIB,
                ..TEST
            },
        );
        assert_eq!(key(out), "err-xlsx-too-large");
        assert!(heap < TEST_HEAP, "{heap}");
        // One endless text run cannot grow the XML reader's buffer.
        let long = package(
            &sheet(&format!(
                r#"<row><c t="str"><v>{}</v></c></row>"#,
                "9".repeat(3 * MIB as usize)
            )),
            None,
            zip::CompressionMethod::Stored,
        );
        let (out, heap) = measured(&long, &TEST);
        assert_eq!(key(out), "err-xlsx-element-too-long");
        assert!(heap < TEST_HEAP, "{heap}");
        // Many rows, many cells, many strings, much text.
        let rows: String = (1..=2_001)
            .map(|r| format!(r#"<row r="{r}"><c><v>{r}</v></c></row>"#))
            .collect();
        assert_eq!(
            key(read_rows(&deflated(&sheet(&rows), None), &TEST)),
            "err-import-too-many-rows"
        );
        let wide: String = (1..=100)
            .map(|r| format!(r#"<row r="{r}"><c r="IV{r}"><v>1</v></c></row>"#))
            .collect();
        assert_eq!(
            key(read_rows(&deflated(&sheet(&wide), None), &TEST)),
            "err-import-too-many-cells"
        );
        let many: Vec<String> = (0..5_001).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let sst = shared(&many, "1");
        assert_eq!(
            key(read_rows(&deflated(&sheet(""), Some(&sst)), &TEST)),
            "err-xlsx-too-many-strings"
        );
        let same: String = (1..=1_000)
            .map(|r| format!(r#"<row r="{r}"><c t="s"><v>0</v></c></row>"#))
            .collect();
        let long_string = "x".repeat(4_000);
        assert_eq!(
            key(read_rows(
                &deflated(&sheet(&same), Some(&shared(&[&long_string], "1"))),
                &TEST
            )),
            "err-import-too-much-text"
        );
    }

    #[test]
    fn a_package_declaring_many_entries_is_refused_before_the_zip_reader_sizes_them() {
        let mut bytes = deflated(&sheet(""), None);
        let end = bytes.len() - 22;
        assert_eq!(&bytes[end..end + 4], b"PK\x05\x06");
        bytes[end + 8..end + 12].copy_from_slice(&[0xFF, 0xFE, 0xFF, 0xFE]);
        assert_eq!(key(read_rows(&bytes, &Limits::DEFAULT)), "err-xlsx-too-many-parts");
    }

    /// A CSV is held to the same rows, columns and cells limits; trailing empty cells cost nothing.
    #[test]
    fn csv_limits() {
        use crate::import::{is_people_header, read_table_within};
        let header = "Họ và tên,Ngày sinh,Giới tính,Số định danh";
        let wide = format!("{header}\nAn,1/1/1990,Nam,1{}x\n", ",".repeat(300));
        let m = read_table_within(wide.as_bytes(), &is_people_header, &TEST).unwrap_err();
        assert_eq!(m.key, "err-import-too-many-columns");
        assert_eq!(m.args[0], ("cell".to_string(), "KR2".to_string()));
        let padded =
            format!("{header}{}\n", ",".repeat(300)) + &format!("An,1/1/1990,Nam,1{}\n", ",".repeat(300)).repeat(1_000);
        let t = read_table_within(padded.as_bytes(), &is_people_header, &TEST).unwrap();
        assert_eq!((t.headers.len(), t.rows.len(), t.rows[999].cells.len()), (4, 1_000, 4));
        let long = format!("{header}\n") + &"An,1/1/1990,Nam,1\n".repeat(TEST.rows + 1);
        let m = read_table_within(long.as_bytes(), &is_people_header, &TEST).unwrap_err();
        assert_eq!(m.key, "err-import-too-many-rows");
    }

    /// A generated sheet: cells at any address (valid, far, garbage), rows with and without
    /// numbers, declared dimension and counts of any size.
    fn arb_sheet() -> impl Strategy<Value = (String, String)> {
        let col = prop_oneof![
            "[A-Z]{1,2}",
            Just("XFD".to_string()),
            "[A-Z]{3,9}",
            "[a-z]{1,3}",
            Just(String::new()),
        ];
        let row = prop_oneof![
            (1u64..50).prop_map(|r| r.to_string()),
            (1u64..u64::MAX).prop_map(|r| r.to_string()),
            Just("99999999999999999999999".to_string()),
            Just(String::new()),
            "[0-9a-z-]{1,4}",
        ];
        let value = prop_oneof![
            (0u32..4).prop_map(|i| format!(r#" t="s"><v>{i}</v></c>"#)),
            any::<f64>().prop_map(|f| format!(r#" s="1"><v>{f}</v></c>"#)),
            "[a-zA-Z &;#0-9]{0,12}".prop_map(|t| format!(r#" t="inlineStr"><is><t>{t}</t></is></c>"#)),
            Just(r#" t="b"><v>0</v></c>"#.to_string()),
            Just(r#"><f>SUM(A1:A2)</f><v>3</v></c>"#.to_string()),
            Just("/>".to_string()),
        ];
        let cell = (col, row.clone(), value).prop_map(|(c, r, v)| format!(r#"<c r="{c}{r}"{v}"#));
        let row_el = (row, proptest::collection::vec(cell, 0..6))
            .prop_map(|(r, cells)| format!(r#"<row r="{r}">{}</row>"#, cells.concat()));
        let dims = prop_oneof![
            Just("A1:XFD1048576".to_string()),
            "[A-Z]{1,8}[0-9]{1,12}",
            Just("A1".to_string())
        ];
        let count = prop_oneof![
            Just("1000000000".to_string()),
            Just("18446744073709551615".to_string()),
            Just("-1".to_string()),
            (0u64..10).prop_map(|n| n.to_string())
        ];
        (proptest::collection::vec(row_el, 0..12), dims, count).prop_map(|(rows, dim, count)| {
            (
                format!(
                    r#"<worksheet {NS}><dimension ref="{dim}"/><sheetData>{}</sheetData></worksheet>"#,
                    rows.concat()
                ),
                count,
            )
        })
    }

    fn valid_file() -> Vec<u8> {
        let rows: String = (1..=30)
            .map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>{}</v></c><c r="B{r}" s="1"><v>{}</v></c><c r="C{r}"><v>0{r}</v></c></row>"#, r % 3, 30000 + r))
            .collect();
        deflated(&sheet(&rows), Some(&shared(&["Họ và tên", "An", "Bình"], "3")))
    }

    fn check_one(bytes: &[u8]) -> Result<(), TestCaseError> {
        let (out, heap) = measured(bytes, &TEST);
        prop_assert!(heap < TEST_HEAP, "held {} bytes", heap);
        if let Ok(rows) = out {
            prop_assert!(rows.len() <= TEST.rows);
            for r in &rows {
                prop_assert_eq!(r.cells.len(), r.kinds.len());
                prop_assert!(r.cells.len() <= TEST.columns);
                prop_assert!(r.line as u64 <= TEST.row_number);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

        /// Generated packages: whatever the addresses and declared sizes, the reader returns rows or
        /// a message, never panics, and holds little.
        #[test]
        fn generated_sheets_never_panic((sheet_xml, count) in arb_sheet(), stored in any::<bool>()) {
            let method = if stored { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
            let strings = shared(&["Họ và tên", "An", "Bình", "x"], &count);
            check_one(&package(&sheet_xml, Some(&strings), method))?;
        }

        /// Random byte changes of a valid file, compressed and stored.
        #[test]
        fn mutated_files_never_panic(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
            stored in any::<bool>(),
        ) {
            let mut bytes = if stored {
                let rows: String = (1..=30).map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>{}</v></c><c r="B{r}"><v>{r}</v></c></row>"#, r % 3)).collect();
                package(&sheet(&rows), Some(&shared(&["Họ và tên", "An", "Bình"], "3")), zip::CompressionMethod::Stored)
            } else {
                valid_file()
            };
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            check_one(&bytes)?;
        }
    }
}
