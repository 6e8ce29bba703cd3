//! Confirmations made on VNeID, imported from the officer's export into a unit: the form, and the
//! report of the import (how many recorded, how many confirmed already, every bad row's line).

use super::*;
use hocvuso_app::assessment::vneid::{self as app_vneid, VneidReport};

pub struct LineError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

/// One column the page explains: its name, whether it is required, the names accepted.
pub struct ColumnHelp {
    pub name: String,
    pub required: bool,
    pub accepts: String,
}

fn columns(tr: Tr) -> Vec<ColumnHelp> {
    [
        ("field-vneid_personal_id", "personal_id", true),
        ("field-full_name", "full_name", false),
        ("field-vneid_group", "group", true),
        ("field-vneid_level", "level", false),
        ("field-vneid_attained_on", "attained_on", true),
    ]
    .into_iter()
    .map(|(label, field, required)| ColumnHelp {
        name: tr.get(label),
        required,
        accepts: tr.get(&format!("vneid-names-{field}")),
    })
    .collect()
}

/// What the page says after an upload.
pub struct Outcome {
    pub heading: String,
    pub done: Option<String>,
    pub problem: Option<String>,
    pub errors: Vec<LineError>,
    pub more: Option<String>,
    /// About rows that were kept (an ID number whose leading zeros were restored).
    pub notes: Vec<LineError>,
}

#[derive(Template)]
#[template(path = "units/vneid_import.html")]
struct VneidPage {
    l: Layout,
    unit: Unit,
    max_mb: usize,
    columns: Vec<ColumnHelp>,
    outcome: Option<Outcome>,
}

fn page(tr: Tr, parts: &Parts0, v: &Viewer, state: &AppState, unit: Unit, outcome: Option<Outcome>) -> VneidPage {
    VneidPage {
        l: Layout::for_viewer(tr, &parts.0, v),
        unit,
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
        columns: columns(tr),
        outcome,
    }
}

pub(super) async fn vneid_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::ImportPeople>(&unit.path)?;
    html(&page(tr, &parts, &v, &state, unit, None))
}

fn lines(tr: Tr, rows: Vec<hocvuso_core::import::RowError>) -> Vec<LineError> {
    rows.into_iter()
        .map(|e| LineError {
            line: e.line,
            column: e.column,
            message: tr.msg(&e.message),
        })
        .collect()
}

fn outcome(tr: Tr, file: &str, r: VneidReport) -> Outcome {
    let problem = if r.rows == 0 {
        Some(tr.get("vneid-empty"))
    } else if r.all_bad() {
        Some(tr.get("vneid-nothing"))
    } else if r.bad_lines > 0 {
        Some(tr.msg(&Message::new("vneid-some-bad").arg("lines", r.bad_lines)))
    } else {
        None
    };
    let done = (!r.all_bad() && r.rows > 0).then(|| {
        tr.msg(
            &Message::new("vneid-done")
                .arg("imported", r.imported)
                .arg("already", r.already),
        )
    });
    Outcome {
        heading: tr.msg(&Message::new("vneid-report").arg("file", file)),
        done,
        problem,
        errors: lines(tr, r.errors),
        notes: lines(tr, r.notes),
        more: (r.more_errors > 0).then(|| tr.msg(&Message::new("vneid-more-errors").arg("count", r.more_errors))),
    }
}

/// The officer's upload: read, checked and recorded while they wait (one transaction), then the
/// report on the same page. A file nothing could be recorded from answers 422.
pub(super) async fn import_vneid(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    mp: axum::extract::Multipart,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::ImportPeople>(&unit.path)?;
    let (sent, name, bytes) = crate::kit::upload::read_upload(&state, mp).await?;
    crate::kit::csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    let heading = tr.msg(&Message::new("vneid-report").arg("file", &name));
    let (out, failed) = match app_vneid::import_vneid(&state.app, &v.principal, &unit, &name, bytes).await {
        Ok(report) => {
            let failed = report.rows == 0 || report.all_bad();
            (outcome(tr, &name, report), failed)
        }
        Err(AppError::Invalid(f)) => (
            Outcome {
                heading,
                done: None,
                problem: Some(village_list::unreadable(tr, &f)),
                errors: Vec::new(),
                more: None,
                notes: Vec::new(),
            },
            true,
        ),
        Err(e) => return Err(e.into()),
    };
    let mut r = html(&page(tr, &parts, &v, &state, unit, Some(out)))?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r.extensions_mut().insert(Rendered);
    }
    Ok(r)
}
