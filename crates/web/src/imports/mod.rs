//! Importing residents from a spreadsheet: upload, background check with every bad row listed,
//! the officer's decision, background apply with progress. The status page refreshes itself with
//! a meta refresh, so it works without JavaScript.

pub mod api;
pub mod template;

use crate::kit::csrf::{self, CsrfForm};
use crate::kit::format::fmt_time;
use crate::kit::format::load_unit;
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, html};
use crate::kit::problem::Problem;
use crate::kit::routes::Access;
use crate::kit::state::AppState;
use crate::kit::upload::read_upload;
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_core::access::act;
use hocvuso_core::i18n::Message;
use hocvuso_db::imports::{self, Decision, Job, Status};
use hocvuso_db::units::{self, Unit};
use serde::Deserialize;

pub fn router() -> crate::kit::routes::Routes {
    crate::kit::routes::Routes::new()
        .route("/units/{code}/import", Access::Scoped, get(upload_page).post(upload))
        .route("/imports/{id}", Access::Scoped, get(status_page))
        .route("/imports/{id}/decision", Access::Scoped, post(decide))
        .route("/imports/{id}/errors.csv", Access::Scoped, get(errors_csv))
        .route("/imports/{id}/mapping", Access::Scoped, post(remap))
        .route("/imports/template.xlsx", Access::Own, get(template::xlsx))
        .route("/imports/template.csv", Access::Own, get(template::csv))
}

pub struct JobRow {
    pub id: i64,
    pub file: String,
    pub status: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "imports/upload.html")]
struct UploadPage {
    l: Layout,
    unit: Unit,
    jobs: Vec<JobRow>,
    max_mb: usize,
    columns: Vec<template::ColumnHelp>,
}

async fn upload_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::ImportPeople>(&unit.path)?;
    let jobs = imports::recent_for_unit(&state.db, unit.id, 10)
        .await?
        .into_iter()
        .map(|j| JobRow {
            id: j.id,
            status: tr.get(&format!("import-status-{}", j.status.as_str())),
            created: fmt_time(&j.created_at),
            file: j.file_name,
        })
        .collect();
    html(&UploadPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        unit,
        jobs,
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
        columns: template::columns(tr),
    })
}

async fn upload(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    mp: Multipart,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::ImportPeople>(&unit.path)?;
    let (sent, name, bytes) = read_upload(&state, mp).await?;
    csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    if bytes.is_empty() {
        return Err(Problem::bad_request(Message::new("err-file-empty")));
    }
    let job = hocvuso_app::imports::upload(&state.app, &v.principal, &unit, &name, &bytes).await?;
    Ok(Redirect::to(&format!("/imports/{job}")).into_response())
}

pub struct ErrorRow {
    pub line: i32,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "imports/status.html")]
struct StatusPage {
    l: Layout,
    job: Job,
    unit: Unit,
    status: String,
    in_progress: bool,
    awaiting: bool,
    done: bool,
    failure: Option<String>,
    errors: Vec<ErrorRow>,
    more_errors: bool,
    notes: Vec<ErrorRow>,
    needs_mapping: bool,
    mapping: Option<MappingForm>,
    /// "… and N more problems not stored", when the check found more than it keeps.
    unstored: Option<String>,
}

/// Headers and values the check did not recognise, each with the choices the officer has.
struct MappingForm {
    /// Required fields without a column, by label.
    missing: Vec<String>,
    /// (index, header as written).
    headers: Vec<(usize, String)>,
    /// (index, value as written, rows).
    groups: Vec<(usize, String, usize)>,
    /// (field, label) a header may be mapped to.
    fields: Vec<(&'static str, String)>,
    /// (group, label) a value may be mapped to.
    group_choices: Vec<(&'static str, String)>,
}

fn mapping_form(tr: Tr, u: &imports::Unknowns) -> Option<MappingForm> {
    if u.headers.is_empty() && u.groups.is_empty() {
        return None;
    }
    // Optional unknown headers are offered only when the file needs a mapping anyway.
    if u.is_empty() {
        return None;
    }
    Some(MappingForm {
        missing: u.missing.iter().map(|f| tr.get(&format!("field-{f}"))).collect(),
        headers: u.headers.iter().cloned().enumerate().collect(),
        groups: u
            .groups
            .iter()
            .enumerate()
            .map(|(i, (v, n))| (i, v.clone(), *n))
            .collect(),
        fields: hocvuso_core::import::people_fields()
            .map(|f| (f, tr.get(&format!("field-{f}"))))
            .collect(),
        group_choices: hocvuso_core::people::TargetGroup::ALL
            .into_iter()
            .map(|g| (g.as_str(), tr.get(&g.label_key())))
            .collect(),
    })
}

const SHOWN_ERRORS: u64 = 500;

async fn load_job(state: &AppState, v: &Viewer, id: &str) -> Result<(Job, Unit), Problem> {
    let id: i64 = id.parse().map_err(|_| Problem::not_found())?;
    let job = imports::get(&state.db, id).await?.ok_or_else(Problem::not_found)?;
    let unit = units::get(&state.db, job.unit_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    v.principal.authorize_person::<act::ImportPeople>(&unit.path)?;
    Ok((job, unit))
}

async fn status_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let (job, unit) = load_job(&state, &v, &id).await?;
    let errs = imports::errors(&state.db, job.id, SHOWN_ERRORS + 1).await?;
    let more_errors = errs.len() as u64 > SHOWN_ERRORS;
    let errors = errs
        .into_iter()
        .take(SHOWN_ERRORS as usize)
        .map(|e| ErrorRow {
            line: e.line,
            message: tr.msg(&e.message()),
            column: column_label(tr, &e.column_name),
        })
        .collect();
    let notes = imports::notes(&state.db, job.id, SHOWN_ERRORS)
        .await?
        .into_iter()
        .map(|e| ErrorRow {
            line: e.line,
            message: tr.msg(&e.message()),
            column: column_label(tr, &e.column_name),
        })
        .collect();
    let s = job.status();
    let waiting = matches!(s, Status::AwaitingDecision | Status::NeedsMapping);
    let unstored = unstored_note(tr, &job);
    html(&StatusPage {
        notes,
        needs_mapping: s == Status::NeedsMapping,
        mapping: if waiting {
            mapping_form(tr, &job.unknowns())
        } else {
            None
        },
        l: Layout::for_viewer(tr, &parts.0, &v),
        status: tr.get(&format!("import-status-{}", job.status.as_str())),
        in_progress: matches!(s, Status::Checking | Status::Applying),
        awaiting: s == Status::AwaitingDecision,
        done: s == Status::Done,
        failure: job.message().map(|m| tr.msg(&m)),
        errors,
        more_errors,
        unstored,
        job,
        unit,
    })
}

fn unstored_note(tr: Tr, job: &Job) -> Option<String> {
    (job.unstored_errors > 0).then(|| {
        tr.msg(
            &Message::new("import-errors-unstored")
                .arg("count", job.unstored_errors)
                .arg("stored", imports::MAX_STORED_ERRORS),
        )
    })
}

/// Columns are named as in the officer's file; the few resolved after parsing use field names.
fn column_label(tr: Tr, c: &str) -> String {
    match c {
        "village" | "workplace" | "personal_id" => tr.get(&format!("field-{c}")),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    choice: String,
}

async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(v, form): CsrfForm<DecisionForm>,
) -> Result<Response, Problem> {
    let (job, _) = load_job(&state, &v, &id).await?;
    let decision = match form.choice.as_str() {
        "import" => Decision::ImportGoodRows,
        "cancel" => Decision::Cancel,
        _ => return Err(Problem::bad_request(Message::new("err-import-choice"))),
    };
    // A repeated click finds the job no longer waiting and simply shows its status.
    hocvuso_app::imports::decide(&state.app, &v.principal, job.id, decision).await?;
    Ok(Redirect::to(&format!("/imports/{}", job.id)).into_response())
}

async fn errors_csv(
    State(state): State<AppState>,
    tr: Tr,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let (job, _) = load_job(&state, &v, &id).await?;
    let errs = imports::errors(&state.db, job.id, u64::MAX >> 1).await?;
    let mut out = String::from("\u{FEFF}");
    let esc = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    out.push_str(&format!(
        "{},{},{}\n",
        esc(&tr.get("import-line")),
        esc(&tr.get("import-column")),
        esc(&tr.get("import-reason"))
    ));
    for e in errs {
        out.push_str(&format!(
            "{},{},{}\n",
            e.line,
            esc(&column_label(tr, &e.column_name)),
            esc(&tr.msg(&e.message()))
        ));
    }
    if let Some(note) = unstored_note(tr, &job) {
        out.push_str(&format!(",,{}\n", esc(&note)));
    }
    let mut r = out.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"loi-nhap-danh-sach.csv\""),
    );
    Ok(r)
}

/// The officer's mapping: `h<i>` = the field header i holds, `g<i>` = the group value i means
/// (indices into what the check stored as unknown); an empty choice leaves it unmapped.
async fn remap(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(v, form): CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, Problem> {
    let (job, _) = load_job(&state, &v, &id).await?;
    let unknowns = job.unknowns();
    let index_of = |list: Vec<&String>, value: &str| list.iter().position(|v| v.as_str() == value);
    let choices = imports::mappings::Choices::parse(
        &unknowns,
        |h| {
            let i = index_of(unknowns.headers.iter().collect(), h)?;
            form.get(&format!("h{i}")).map(String::as_str)
        },
        |g| {
            let i = index_of(unknowns.groups.iter().map(|(v, _)| v).collect(), g)?;
            form.get(&format!("g{i}")).map(String::as_str)
        },
    )
    .map_err(Problem::unprocessable)?;
    // A repeated click finds the job checking already and simply shows its status.
    hocvuso_app::imports::remap(&state.app, &v.principal, job.id, &choices).await?;
    Ok(Redirect::to(&format!("/imports/{}", job.id)).into_response())
}
