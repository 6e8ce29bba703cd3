//! The people-list template an officer fills in: the expected columns, an example row, and what
//! each column accepts in plain words (a second sheet of the XLSX; the upload page shows the same).

use crate::kit::i18n::Tr;
use crate::kit::problem::Problem;
use crate::kit::viewer::Viewer;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use hocvuso_core::import::{REQUIRED, TEMPLATE_EXAMPLE, people_fields};

/// One column of the template: its header, whether it is required, what it accepts.
pub struct ColumnHelp {
    pub header: String,
    pub required: bool,
    pub accepts: String,
}

/// The template's columns in order, with the header and explanation in the reader's language.
pub fn columns(tr: Tr) -> Vec<ColumnHelp> {
    people_fields()
        .map(|f| ColumnHelp {
            header: tr.get(&format!("template-header-{f}")),
            required: REQUIRED.contains(&f),
            accepts: tr.get(&format!("template-accepts-{f}")),
        })
        .collect()
}

fn example() -> Vec<&'static str> {
    people_fields()
        .map(|f| {
            TEMPLATE_EXAMPLE
                .iter()
                .find(|(field, _)| *field == f)
                .map(|(_, v)| *v)
                .unwrap_or("")
        })
        .collect()
}

fn attachment(body: Vec<u8>, content_type: &'static str, file: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut()
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(file));
    r
}

pub async fn csv(tr: Tr, _v: Viewer) -> Response {
    let esc = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let cols = columns(tr);
    let mut out = String::from("\u{FEFF}");
    out.push_str(&cols.iter().map(|c| esc(&c.header)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    out.push_str(&example().iter().map(|v| esc(v)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    attachment(
        out.into_bytes(),
        "text/csv; charset=utf-8",
        "attachment; filename=\"mau-danh-sach-nguoi-dan.csv\"",
    )
}

pub async fn xlsx(tr: Tr, _v: Viewer) -> Result<Response, Problem> {
    let bytes = build_xlsx(tr).map_err(|e| {
        tracing::error!(error = %e, "cannot build the import template");
        Problem::internal()
    })?;
    Ok(attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment; filename=\"mau-danh-sach-nguoi-dan.xlsx\"",
    ))
}

fn build_xlsx(tr: Tr) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let cols = columns(tr);
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    // ID numbers and phone numbers are text: as numbers the spreadsheet drops their leading zero.
    let text = Format::new().set_num_format("@");
    let list = book.add_worksheet();
    list.set_name(tr.get("template-sheet-list"))?;
    for (i, (c, v)) in cols.iter().zip(example()).enumerate() {
        let col = i as u16;
        list.write_string_with_format(0, col, &c.header, &bold)?;
        list.set_column_width(col, 22)?;
        let field = people_fields().nth(i).unwrap_or("");
        if matches!(field, "personal_id" | "phone") {
            list.set_column_format(col, &text)?;
            list.write_string_with_format(1, col, v, &text)?;
        } else {
            list.write_string(1, col, v)?;
        }
    }
    let help = book.add_worksheet();
    help.set_name(tr.get("template-sheet-help"))?;
    help.write_string_with_format(0, 0, tr.get("template-help-column"), &bold)?;
    help.write_string_with_format(0, 1, tr.get("template-help-required"), &bold)?;
    help.write_string_with_format(0, 2, tr.get("template-help-accepts"), &bold)?;
    help.set_column_width(0, 24)?;
    help.set_column_width(1, 12)?;
    help.set_column_width(2, 100)?;
    for (i, c) in cols.iter().enumerate() {
        let row = i as u32 + 1;
        help.write_string(row, 0, &c.header)?;
        help.write_string(
            row,
            1,
            tr.get(if c.required {
                "template-required"
            } else {
                "template-optional"
            }),
        )?;
        help.write_string(row, 2, &c.accepts)?;
    }
    help.write_string(cols.len() as u32 + 2, 0, tr.get("template-help-example"))?;
    book.save_to_buffer()
}
