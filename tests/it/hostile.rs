//! The spreadsheets that once stopped the server (issue 7 §1), built small here so every upload
//! route can be sent the same set: a far cell, a row past any spreadsheet, an inflate bomb, a flood
//! of rows, a wrapped column reference and a declared count of a billion shared strings.

use std::io::Write;

const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;

/// A minimal XLSX package around one sheet (and shared strings when given), compressed as hard as
/// deflate can.
pub fn package_with(sheet_xml: &str, shared: Option<&str>) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
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
        ("xl/worksheets/sheet1.xml".to_string(), sheet_xml.to_string()),
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

/// [`package_with`] without shared strings.
pub fn package(sheet_xml: &str) -> Vec<u8> {
    package_with(sheet_xml, None)
}

/// A worksheet around `rows`.
pub fn sheet(rows: &str) -> String {
    format!(r#"<worksheet {NS}><sheetData>{rows}</sheetData></worksheet>"#)
}

const HEADER: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c><c r="B1" t="inlineStr"><is><t>Ngày sinh</t></is></c><c r="C1" t="inlineStr"><is><t>Giới tính</t></is></c><c r="D1" t="inlineStr"><is><t>Số định danh</t></is></c></row>"#;

/// One hostile file and what the reader must answer.
pub struct Hostile {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    /// The message key of the refusal; `None` for a file that is no attack once read within the
    /// limits (a declared count the reader never trusts): it is answered like any odd list.
    pub key: Option<&'static str>,
    /// Words of the Vietnamese message that name the limit passed.
    pub shown: &'static str,
}

/// An XLSX list with the people import's header row, plus whatever `rest` writes.
pub fn workbook(rest: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in ["Họ và tên", "Ngày sinh", "Giới tính", "Số định danh"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    rest(ws);
    wb.save_to_buffer().unwrap()
}

/// Every kind of file that once took the server down, each a few KB to a few hundred KB.
pub fn files() -> Vec<Hostile> {
    let far_cell = workbook(|ws| {
        ws.write_string(1_048_575, 16_383, "x").unwrap();
    });
    assert!(far_cell.len() < 8 * 1024, "{}", far_cell.len());
    let far_row = package(&sheet(&format!(
        r#"{HEADER}<row><c r="A99999999999"><v>1</v></c></row>"#
    )));
    let bomb = package(&sheet(&format!(
        r#"{HEADER}<row r="2">{}</row>"#,
        r#"<c s="0"/>"#.repeat(10_000_000)
    )));
    assert!(bomb.len() < 200 * 1024, "{}", bomb.len());
    let flood = package(&sheet(&"<row><c><v>1</v></c></row>".repeat(2_000_000)));
    assert!(flood.len() < 200 * 1024, "{}", flood.len());
    let wrapped_column = package(&sheet(&format!(
        r#"{HEADER}<row r="2"><c r="ZZZZZZZ2"><v>1</v></c></row>"#
    )));
    let shared =
        format!(r#"<sst {NS} count="1000000000" uniqueCount="1000000000"><si><t>Nguyễn Văn An</t></si></sst>"#);
    let declared_billion = package_with(
        &sheet(&format!(r#"{HEADER}<row r="2"><c r="A2" t="s"><v>0</v></c></row>"#)),
        Some(&shared),
    );
    vec![
        Hostile {
            name: "cells A1 and XFD1048576",
            bytes: far_cell,
            key: Some("err-import-too-many-columns"),
            shown: "Ô XFD1048576 có dữ liệu nhưng nằm quá cột IV",
        },
        Hostile {
            name: "row A99999999999",
            bytes: far_row,
            key: Some("err-import-row-too-far"),
            shown: "dòng 99999999999",
        },
        Hostile {
            name: "sheet inflating a thousandfold",
            bytes: bomb,
            key: Some("err-xlsx-ratio"),
            shown: "nén bất thường",
        },
        Hostile {
            name: "two million rows",
            bytes: flood,
            key: Some("err-import-too-many-rows"),
            shown: "hơn 500000 dòng",
        },
        Hostile {
            name: "column ZZZZZZZ",
            bytes: wrapped_column,
            key: Some("err-import-too-many-columns"),
            shown: "Ô ZZZZZZZ2 có dữ liệu nhưng nằm quá cột IV",
        },
        Hostile {
            name: "uniqueCount 1000000000",
            bytes: declared_billion,
            key: None,
            shown: "",
        },
    ]
}
