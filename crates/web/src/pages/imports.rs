//! Importing residents from a spreadsheet: upload, background check with every bad row listed,
//! the officer's decision, background apply with progress. The status page refreshes itself with
//! a meta refresh, so it works without JavaScript.

use crate::AppState;
use crate::auth::{Parts0, Viewer};
use crate::authz;
use crate::csrf::{self, CsrfForm};
use crate::error::Problem;
use crate::i18n::Tr;
use crate::pages::people::fmt_time;
use crate::pages::units::load;
use crate::pages::{Layout, html};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_core::i18n::Message;
use hocvuso_core::roles::Action;
use hocvuso_db::imports::{self, Decision, Job, Status};
use hocvuso_db::units::{self, Unit};
use serde::Deserialize;

pub fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/units/{code}/import", get(upload_page).post(upload))
        .route("/imports/{id}", get(status_page))
        .route("/imports/{id}/decision", post(decide))
        .route("/imports/{id}/errors.csv", get(errors_csv))
        .route("/imports/{id}/mapping", post(remap))
        .route("/imports/template.xlsx", get(super::import_template::xlsx))
        .route("/imports/template.csv", get(super::import_template::csv))
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
    columns: Vec<super::import_template::ColumnHelp>,
}

async fn upload_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    authz::require(&v, Action::ImportPeople, &unit.path)?;
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
        columns: super::import_template::columns(tr),
    })
}

/// Reads the whole upload. Multipart fields: `_csrf`, then `file`.
pub async fn read_upload(state: &AppState, mp: Multipart) -> Result<(Option<String>, String, Vec<u8>), Problem> {
    let (csrf, name, bytes, _) = read_upload_with_fields(state, mp).await?;
    Ok((csrf, name, bytes))
}

/// Like [`read_upload`], also returning the other short text fields of the form (at most 20).
pub async fn read_upload_with_fields(
    state: &AppState,
    mut mp: Multipart,
) -> Result<
    (
        Option<String>,
        String,
        Vec<u8>,
        std::collections::HashMap<String, String>,
    ),
    Problem,
> {
    let mut fields = std::collections::HashMap::new();
    let too_large = || Problem {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: Message::new("err-file-too-large").arg("max", state.config.max_upload_bytes / (1024 * 1024)),
        fields: Vec::new(),
    };
    let mut csrf_sent = None;
    let mut file = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(Problem::bad_request(Message::new("err-upload-form"))),
        };
        match field.name() {
            Some("_csrf") => {
                csrf_sent = Some(
                    field
                        .text()
                        .await
                        .map_err(|_| Problem::bad_request(Message::new("err-upload-form")))?,
                )
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("danh-sach").to_string();
                let bytes = match field.bytes().await {
                    Ok(b) => b,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                    Err(_) => return Err(Problem::bad_request(Message::new("err-upload-form"))),
                };
                file = Some((name, bytes.to_vec()));
            }
            Some(other) if fields.len() < 20 => {
                let key = other.chars().take(40).collect::<String>();
                let value = field
                    .text()
                    .await
                    .map_err(|_| Problem::bad_request(Message::new("err-upload-form")))?;
                fields.insert(key, value.chars().take(200).collect());
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| Problem::bad_request(Message::new("err-upload-no-file")))?;
    Ok((csrf_sent, name, bytes, fields))
}

async fn upload(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    mp: Multipart,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    authz::require(&v, Action::ImportPeople, &unit.path)?;
    let (sent, name, bytes) = read_upload(&state, mp).await?;
    csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    if bytes.is_empty() {
        return Err(Problem::bad_request(Message::new("err-file-empty")));
    }
    let job = imports::create(&state.db, &state.config.upload_dir, &unit, v.account.id, &name, &bytes).await?;
    state.jobs.check(job);
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
    authz::require_person(v, Action::ImportPeople, &unit.path)?;
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
    if imports::decide(&state.db, &state.config.upload_dir, job.id, decision).await?
        && decision == Decision::ImportGoodRows
    {
        state.jobs.apply(job.id);
    }
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
    if imports::remap(&state.db, job.id, v.account.id, &choices).await? {
        state.jobs.check(job.id);
    }
    Ok(Redirect::to(&format!("/imports/{}", job.id)).into_response())
}
