//! The confirmed people of a unit's subtree (xác nhận đạt phổ cập kỹ năng số): the officer's list,
//! its spreadsheet, and the batch of their certificates in one PDF. Each is audited by its use case.

use crate::kit::download::{PDF, XLSX, attachment, build, file_part};
use crate::kit::format::load_unit;
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, html};
use crate::kit::problem::Problem;
use crate::kit::state::AppState;
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use hocvuso_app::assessment::confirmed::{self as app, ConfirmedList};
use hocvuso_core::roles::Action;
use hocvuso_db::units::Unit;

pub(super) struct ConfirmedRow {
    pub person_id: i64,
    pub name: String,
    pub unit: String,
    pub group: String,
    pub level: String,
    pub on: String,
    pub how: String,
}

fn rows(tr: Tr, list: &ConfirmedList) -> Vec<ConfirmedRow> {
    list.people
        .iter()
        .map(|p| ConfirmedRow {
            person_id: p.person_id,
            name: p.full_name.clone(),
            unit: list.unit_names.get(&p.unit_path).cloned().unwrap_or_default(),
            group: tr.get(&p.target_group.label_key()),
            level: p.level.clone(),
            on: hocvuso_core::people::format_date(p.attained_on),
            how: format!(
                "{} · {}",
                tr.get(&format!("confirmed-method-{}", p.method.as_str())),
                tr.get(&format!("confirmed-source-{}", p.source.as_str()))
            ),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "units/confirmed.html")]
struct ConfirmedPage {
    l: Layout,
    unit: Unit,
    people: Vec<ConfirmedRow>,
    more: bool,
    can_export: bool,
    /// The viewer may import confirmations made on VNeID into the unit.
    can_import: bool,
}

pub(super) async fn confirmed_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    let list = app::list(&state.app, &v.principal, &unit).await?;
    html(&ConfirmedPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        people: rows(tr, &list),
        more: list.more,
        can_export: v.principal.can(Action::ExportPeople, &unit.path),
        can_import: v.principal.can(Action::ImportPeople, &unit.path),
        unit,
    })
}

pub(super) async fn confirmed_xlsx(
    State(state): State<AppState>,
    tr: Tr,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    let list = app::export(&state.app, &v.principal, &unit).await?;
    let header: Vec<String> = [
        "field-full_name",
        "confirmed-unit",
        "confirmed-group",
        "confirmed-level",
        "confirmed-on",
        "confirmed-how",
    ]
    .iter()
    .map(|k| tr.get(k))
    .collect();
    let sheet_name = tr.get("confirmed-xlsx-sheet");
    let rows = rows(tr, &list);
    let bytes = build(move || {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name(&sheet_name)?;
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (c, w) in [30.0, 24.0, 28.0, 20.0, 14.0, 30.0].iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let n = i as u32 + 1;
            for (c, value) in [&r.name, &r.unit, &r.group, &r.level, &r.on, &r.how].iter().enumerate() {
                sheet.write_string(n, c as u16, value.as_str())?;
            }
        }
        book.save_to_buffer()
    })
    .await?;
    attachment(bytes, XLSX, &format!("da-xac-nhan-{}.xlsx", file_part(&unit.code)))
}

/// The valid certificates of the unit's people in one PDF, a page each: a village's or an
/// agency's class printed at once. A unit with none gets the list page's message instead.
pub(super) async fn certificates_pdf(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    let stored = hocvuso_app::assessment::confirmed::batch(&state.app, &v.principal, &unit).await?;
    if stored.is_empty() {
        return html(&ConfirmedPage {
            l: Layout::for_viewer(tr, &parts.0, &v),
            people: Vec::new(),
            more: false,
            can_export: false,
            can_import: false,
            unit,
        });
    }
    let printed = stored
        .iter()
        .map(|c| hocvuso_app::assessment::certificate::printed(&state.app, c))
        .collect::<Result<Vec<_>, _>>()?;
    let bytes = hocvuso_app::assessment::certificate::render_pdf(printed).await?;
    attachment(bytes, PDF, &format!("giay-chung-nhan-{}.pdf", file_part(&unit.code)))
}
