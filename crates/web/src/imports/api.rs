//! The imports API: upload a list, follow its check, map unknown headers, decide.

use crate::kit::csrf;
use crate::kit::format::find_unit as find;
use crate::kit::problem::{Problem, ProblemDto};
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::upload::read_upload;
use crate::kit::viewer::Viewer;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hocvuso_core::access::act;
use hocvuso_core::i18n::Message;
use hocvuso_db::imports::{self, Decision};
use hocvuso_db::units::{self};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Routes {
    Routes::new()
        .route("/v1/people/import", Access::Scoped, post(import_people))
        .route("/v1/imports/{id}", Access::Scoped, get(get_import))
        .route("/v1/imports/{id}/decision", Access::Scoped, post(decide_import))
        .route("/v1/imports/{id}/mapping", Access::Scoped, post(map_import))
}

#[derive(OpenApi)]
#[openapi(
    paths(import_people, get_import, decide_import, map_import),
    components(schemas(ImportDto, DecisionDto, MappingDto))
)]
pub struct Doc;

/// An import job and its progress.
#[derive(Serialize, ToSchema)]
pub struct ImportDto {
    id: i64,
    /// checking, awaiting_decision, needs_mapping, applying, done, failed, cancelled
    status: String,
    file_name: String,
    total_rows: i32,
    good_rows: i32,
    bad_rows: i32,
    processed_rows: i32,
    inserted: i32,
    updated: i32,
    unchanged: i32,
    /// Why the job failed, in Vietnamese.
    message: Option<String>,
    /// Every bad row: line, column, reason (Vietnamese).
    errors: Vec<ImportErrorDto>,
    /// Notes on rows that were accepted (a restored leading zero, a skipped total row).
    notes: Vec<ImportErrorDto>,
    /// Required fields without a column (status `needs_mapping`).
    missing_columns: Vec<String>,
    /// Headers of the file that name no field, as written.
    unknown_headers: Vec<String>,
    /// Target-group values not recognised, as written (send a mapping to use them).
    unknown_groups: Vec<String>,
}

/// What the headers and values a check did not recognise mean. Remembered for the unit's next
/// files; the file is then checked again.
#[derive(Deserialize, ToSchema)]
pub struct MappingDto {
    /// Header as written → field: full_name, birth_date, sex, personal_id, phone, groups,
    /// village, household, workplace.
    #[serde(default)]
    columns: std::collections::HashMap<String, String>,
    /// Value as written → group: public_staff, student, worker, resident.
    #[serde(default)]
    groups: std::collections::HashMap<String, String>,
    #[serde(default)]
    _csrf: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportErrorDto {
    line: i32,
    column: String,
    reason: String,
}

/// Uploads a CSV or XLSX file of residents for a unit (multipart fields `unit` and `file`). The
/// file is checked in the background; poll the job, then send a decision.
#[utoipa::path(post, path = "/api/v1/people/import", security(("bearer" = [])),
    responses((status = 202, body = ImportDto), (status = 400, body = ProblemDto), (status = 403, body = ProblemDto), (status = 413, body = ProblemDto)))]
async fn import_people(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<UnitParam>,
    mp: Multipart,
) -> Result<Response, Problem> {
    let unit = find(&state, &q.unit).await?;
    v.principal.authorize::<act::ImportPeople>(&unit.path)?;
    let (sent, name, bytes) = read_upload(&state, mp).await?;
    csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    if bytes.is_empty() {
        return Err(Problem::bad_request(Message::new("err-file-empty")));
    }
    let id = hocvuso_app::imports::upload(&state.app, &v.principal, &unit, &name, &bytes).await?;
    let job = imports::get(&state.db, id).await?.ok_or_else(Problem::internal)?;
    Ok((StatusCode::ACCEPTED, Json(import_dto(&state, job).await?)).into_response())
}

#[derive(Deserialize)]
pub struct UnitParam {
    unit: String,
}

async fn import_dto(state: &AppState, j: imports::Job) -> Result<ImportDto, Problem> {
    let dto = |e: imports::StoredError| ImportErrorDto {
        line: e.line,
        reason: e.message().render(hocvuso_core::Lang::Vi),
        column: e.column_name,
    };
    let errors = imports::errors(&state.db, j.id, 100_000)
        .await?
        .into_iter()
        .map(dto)
        .collect();
    let notes = imports::notes(&state.db, j.id, 100_000)
        .await?
        .into_iter()
        .map(dto)
        .collect();
    let unknowns = j.unknowns();
    Ok(ImportDto {
        notes,
        missing_columns: unknowns.missing,
        unknown_headers: unknowns.headers,
        unknown_groups: unknowns.groups.into_iter().map(|(v, _)| v).collect(),
        message: j.message().map(|m| m.render(hocvuso_core::Lang::Vi)),
        id: j.id,
        status: j.status.as_str().into(),
        file_name: j.file_name,
        total_rows: j.total_rows,
        good_rows: j.good_rows,
        bad_rows: j.bad_rows,
        processed_rows: j.processed_rows,
        inserted: j.inserted,
        updated: j.updated,
        unchanged: j.unchanged,
        errors,
    })
}

async fn load_job(state: &AppState, v: &Viewer, id: &str) -> Result<imports::Job, Problem> {
    let id: i64 = id.parse().map_err(|_| Problem::not_found())?;
    let job = imports::get(&state.db, id).await?.ok_or_else(Problem::not_found)?;
    let unit = units::get(&state.db, job.unit_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    v.principal.authorize_person::<act::ImportPeople>(&unit.path)?;
    Ok(job)
}

/// An import job with every bad row.
#[utoipa::path(get, path = "/api/v1/imports/{id}", params(("id" = i64, Path, description = "job id")), security(("bearer" = [])),
    responses((status = 200, body = ImportDto), (status = 404, body = ProblemDto)))]
async fn get_import(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<Json<ImportDto>, Problem> {
    let job = load_job(&state, &v, &id).await?;
    Ok(Json(import_dto(&state, job).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionDto {
    /// `import` (the good rows) or `cancel` (nothing)
    choice: String,
    #[serde(default)]
    _csrf: String,
}

/// Decides a checked job: import the good rows, or nothing.
#[utoipa::path(post, path = "/api/v1/imports/{id}/decision", request_body = DecisionDto, params(("id" = i64, Path, description = "job id")), security(("bearer" = [])),
    responses((status = 200, body = ImportDto), (status = 409, body = ProblemDto), (status = 404, body = ProblemDto)))]
async fn decide_import(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<ImportDto>, Problem> {
    let d: DecisionDto =
        serde_json::from_slice(&body).map_err(|_| Problem::bad_request(Message::new("err-api-json")))?;
    csrf::check(&v, &d._csrf)?;
    let job = load_job(&state, &v, &id).await?;
    let decision = match d.choice.as_str() {
        "import" => Decision::ImportGoodRows,
        "cancel" => Decision::Cancel,
        _ => return Err(Problem::bad_request(Message::new("err-import-choice"))),
    };
    if !hocvuso_app::imports::decide(&state.app, &v.principal, job.id, decision).await? {
        return Err(Problem::conflict(Message::new("err-import-not-waiting")));
    }
    let job = imports::get(&state.db, job.id).await?.ok_or_else(Problem::internal)?;
    Ok(Json(import_dto(&state, job).await?))
}

/// Says what unrecognised headers and target-group values of a checked file mean; the mapping is
/// remembered for the unit and the file is checked again.
#[utoipa::path(post, path = "/api/v1/imports/{id}/mapping", request_body = MappingDto, params(("id" = i64, Path, description = "job id")), security(("bearer" = [])),
    responses((status = 200, body = ImportDto), (status = 409, body = ProblemDto), (status = 422, body = ProblemDto), (status = 404, body = ProblemDto)))]
async fn map_import(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<ImportDto>, Problem> {
    let m: MappingDto =
        serde_json::from_slice(&body).map_err(|_| Problem::bad_request(Message::new("err-api-json")))?;
    csrf::check(&v, &m._csrf)?;
    let job = load_job(&state, &v, &id).await?;
    let choices = imports::mappings::Choices::parse(
        &job.unknowns(),
        |h| m.columns.get(h).map(String::as_str),
        |g| m.groups.get(g).map(String::as_str),
    )
    .map_err(Problem::unprocessable)?;
    if !hocvuso_app::imports::remap(&state.app, &v.principal, job.id, &choices).await? {
        return Err(Problem::conflict(Message::new("err-import-not-waiting")));
    }
    let job = imports::get(&state.db, job.id).await?.ok_or_else(Problem::internal)?;
    Ok(Json(import_dto(&state, job).await?))
}
