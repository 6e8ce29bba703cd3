//! Peak heap while an upload is read and checked (`read_table` + `check_people`, what the
//! background checker runs before it touches the database), for every kind of file that once took
//! the server down, and for a real-sized commune list of 200,000 rows. The bound is the documented
//! 512 MB (docs/DECISIONS.md); several uploads of that list read at once through the process's
//! one reader (`hocvuso_app::reading`) stay under it too. A binary of its own: its allocator counts
//! the whole process, so its one test runs the cases one after another.

use hocvuso_app::reading::Gate;
use hocvuso_core::import::{Mappings, check_people, is_people_header, read_table};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            let now = NOW.fetch_sub(layout.size(), Ordering::Relaxed) - layout.size() + new_size;
            NOW.fetch_add(new_size, Ordering::Relaxed);
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The documented bound on the server's memory while it checks one upload.
const BOUND: usize = 512 * 1024 * 1024;
const MB: usize = 1024 * 1024;

/// Reads and checks a file as the checker does; returns the outcome and the peak heap above what
/// was held before (the file's own bytes are already held, as the checker holds the upload).
fn check(bytes: &[u8]) -> (Result<(usize, usize), String>, usize) {
    let base = NOW.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let today = time::OffsetDateTime::now_utc().date();
    let out = read_table(bytes, &is_people_header)
        .and_then(|t| check_people(&t, today, &Mappings::default()))
        .map(|c| (c.good.len(), c.errors.len()))
        .map_err(|m| m.key);
    (out, PEAK.load(Ordering::Relaxed) - base)
}

const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;

/// A minimal package around one sheet (and shared strings), compressed as hard as deflate can.
fn package(sheet_rows: &str, shared: Option<&str>) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let sheet =
        format!(r#"<worksheet {NS}><dimension ref="A1:XFD1048576"/><sheetData>{sheet_rows}</sheetData></worksheet>"#);
    let mut rels = String::from(
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
    );
    if shared.is_some() {
        rels.push_str(r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#);
    }
    rels.push_str("</Relationships>");
    let mut parts = vec![
        (
            "_rels/.rels".to_string(),
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml".to_string(),
            format!(r#"<workbook {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ),
        ("xl/_rels/workbook.xml.rels".to_string(), rels),
        ("xl/worksheets/sheet1.xml".to_string(), sheet),
    ];
    if let Some(s) = shared {
        parts.push(("xl/sharedStrings.xml".to_string(), s.to_string()));
    }
    for (name, data) in parts {
        w.start_file(name, opts).unwrap();
        w.write_all(data.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const HEADER: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c><c r="B1" t="inlineStr"><is><t>Ngày sinh</t></is></c><c r="C1" t="inlineStr"><is><t>Giới tính</t></is></c><c r="D1" t="inlineStr"><is><t>Số định danh</t></is></c></row>"#;

/// A commune list as an officer's spreadsheet has it: 200,000 people, ten columns (eight filled).
fn commune_list(rows: u32) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let headers = [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số định danh",
        "Số điện thoại",
        "Đối tượng",
        "Thôn/Tổ dân phố",
        "Hộ gia đình",
        "Nơi làm việc",
    ];
    for (i, h) in headers.iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    let family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
    let given = [
        "An", "Bình", "Chi", "Dũng", "Hằng", "Khánh", "Lan", "Minh", "Nam", "Thảo",
    ];
    for i in 0..rows {
        let r = i + 1;
        let female = i % 2 == 1;
        let year = 1960 + (i % 40) as i16;
        let name = format!(
            "{} {} {}",
            family[i as usize % 8],
            if female { "Thị" } else { "Văn" },
            given[i as usize % 10]
        );
        ws.write_number(r, 0, r as f64).unwrap();
        ws.write_string(r, 1, &name).unwrap();
        let d = ExcelDateTime::from_ymd(year as u16, (1 + i % 12) as u8, (1 + i % 28) as u8).unwrap();
        ws.write_datetime_with_format(r, 2, &d, &date).unwrap();
        ws.write_string(r, 3, if female { "Nữ" } else { "Nam" }).unwrap();
        let pid = format!("019{}{:02}{:06}", u32::from(female), year % 100, i);
        ws.write_string(r, 4, &pid).unwrap();
        ws.write_string(r, 5, format!("09{:08}", i)).unwrap();
        ws.write_string(r, 6, "Người dân").unwrap();
        // Village and workplace left empty: they are resolved against the database, not here.
        ws.write_string(r, 8, format!("HGD-{:06}", i / 4)).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn checking_any_upload_stays_under_the_bound() {
    let far_cell = {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "Họ và tên").unwrap();
        ws.write_string(1_048_575, 16_383, "x").unwrap();
        wb.save_to_buffer().unwrap()
    };
    let shared =
        |count: &str| format!(r#"<sst {NS} count="{count}" uniqueCount="{count}"><si><t>Nguyễn Văn An</t></si></sst>"#);
    let value_rows = |n: usize| -> String {
        let mut s = String::from(HEADER);
        for r in 2..n + 2 {
            s.push_str(&format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#));
        }
        s
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("cells A1 and XFD1048576", far_cell, "err-import-too-many-columns"),
        (
            "column ZZZZZZZ",
            package(
                &format!(r#"{HEADER}<row r="2"><c r="ZZZZZZZ2"><v>1</v></c></row>"#),
                None,
            ),
            "err-import-too-many-columns",
        ),
        (
            "row 99999999999",
            package(&format!(r#"{HEADER}<row><c r="A99999999999"><v>1</v></c></row>"#), None),
            "err-import-row-too-far",
        ),
        (
            "uniqueCount 1000000000",
            package(&value_rows(3), Some(&shared("1000000000"))),
            "ok",
        ),
        (
            "uniqueCount 2^64-1",
            package(&value_rows(3), Some(&shared("18446744073709551615"))),
            "ok",
        ),
        (
            "sheet inflating ~1000 times (80 MB of empty cells)",
            package(
                &format!(r#"{HEADER}<row r="2">{}</row>"#, r#"<c s="0"/>"#.repeat(10_000_000)),
                None,
            ),
            "err-xlsx-ratio",
        ),
        (
            "600,000 rows of one value",
            package(&value_rows(600_000), Some(&shared("1"))),
            "err-import-too-many-rows",
        ),
        (
            "rows of 256 columns (~70 million cells as a range)",
            package(
                &(2..300_000)
                    .map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>1</v></c><c r="IV{r}"><v>1</v></c></row>"#))
                    .collect::<String>(),
                None,
            ),
            "err-import-too-many-cells",
        ),
        (
            "300,000 rows that are each bad",
            package(&value_rows(300_000), Some(&shared("1"))),
            "ok",
        ),
    ];
    let mut report = Vec::new();
    for (name, bytes, want) in cases {
        let (out, peak) = check(&bytes);
        let got = match &out {
            Ok(_) => "ok".to_string(),
            Err(k) => k.clone(),
        };
        report.push(format!(
            "{name}: {} KB file, {got}, peak {} MB",
            bytes.len() / 1024,
            peak / MB
        ));
        assert_eq!(got, want, "{name}");
        assert!(peak < BOUND, "{name}: peak heap {} MB", peak / MB);
    }
    let list = commune_list(200_000);
    let (out, peak) = check(&list);
    let one = peak;
    report.push(format!(
        "200,000-row commune list: {} KB file, {out:?}, peak {} MB",
        list.len() / 1024,
        peak / MB
    ));
    assert_eq!(out, Ok((200_000, 0)), "{report:#?}");
    assert!(peak < BOUND, "{report:#?}");
    if let Ok(path) = std::env::var("HOCVUSO_KEEP_LIST") {
        std::fs::write(path, &list).unwrap();
    }
    // Several officers upload the list at once: through the process's one reader the peak stays
    // that of one read. `HOCVUSO_BYPASS_GATE=1` reads them side by side instead, to show what the
    // gate prevents (each read adds its own ~139 MB).
    let bypass = std::env::var("HOCVUSO_BYPASS_GATE").is_ok_and(|v| v == "1");
    let (outs, peak) = at_once(&list, AT_ONCE, bypass);
    report.push(format!(
        "{AT_ONCE} uploads of the list at once{}: peak {} MB ({:.1} times one read)",
        if bypass { ", gate bypassed" } else { " through the gate" },
        peak / MB,
        peak as f64 / one as f64
    ));
    eprintln!("{}", report.join("\n"));
    assert!(outs.iter().all(|o| *o == Ok((200_000, 0))), "{outs:?}");
    assert!(peak < BOUND, "{report:#?}");
}

/// Officers uploading the 200,000-row list at the same moment.
const AT_ONCE: usize = 4;

/// Reads and checks `n` copies of `bytes` at once, each from a task of its own on a two-worker
/// runtime, as the server's checks and requests would: through one [`Gate`] (what the server
/// does), or side by side with the gate bypassed. Returns the outcomes and the peak heap above
/// what was held before.
fn at_once(bytes: &[u8], n: usize, bypass: bool) -> (Vec<Outcome>, usize) {
    let bytes = std::sync::Arc::new(bytes.to_vec());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let base = NOW.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let gate = std::sync::Arc::new(Gate::new(std::time::Duration::from_secs(600)));
    let outs = rt.block_on(async {
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let (bytes, gate) = (bytes.clone(), gate.clone());
                tokio::spawn(async move {
                    let work = move || read_and_check(&bytes);
                    if bypass {
                        tokio::task::spawn_blocking(work).await.unwrap()
                    } else {
                        gate.read(work).await.unwrap()
                    }
                })
            })
            .collect();
        let mut outs = Vec::new();
        for t in tasks {
            outs.push(t.await.unwrap());
        }
        outs
    });
    let peak = PEAK.load(Ordering::Relaxed) - base;
    drop(rt);
    (outs, peak)
}

/// Good rows and problems of a file read and checked, or the key of its refusal.
type Outcome = Result<(usize, usize), String>;

fn read_and_check(bytes: &[u8]) -> Outcome {
    let today = time::OffsetDateTime::now_utc().date();
    read_table(bytes, &is_people_header)
        .and_then(|t| check_people(&t, today, &Mappings::default()))
        .map(|c| (c.good.len(), c.errors.len()))
        .map_err(|m| m.key)
}
