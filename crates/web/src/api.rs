//! The JSON API under `/api/v1`, with the same access rules as the pages. Machine clients send
//! `Authorization: Bearer <token>`; the browser may use its session (with the CSRF token for
//! writes). Errors are `application/problem+json`. The OpenAPI document is generated from these
//! handlers and types and served at `/api/openapi.json`.

use crate::AppState;
use crate::auth::Viewer;
use crate::authz;
use crate::csrf;
use crate::error::Problem;
use crate::pages::imports::read_upload;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hocvuso_core::i18n::Message;
use hocvuso_core::people::format_date;
use hocvuso_core::roles::Action;
use hocvuso_core::units::Level;
use hocvuso_db::audit::{self, Entry};
use hocvuso_db::imports::{self, Decision};
use hocvuso_db::people::{self, SearchTerm};
use hocvuso_db::units::{self, Unit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/openapi.json", get(openapi))
        .route("/v1/units", get(list_units))
        .route("/v1/units/{code}", get(get_unit))
        .route("/v1/units/{code}/children", get(children))
        .route("/v1/people", get(list_people))
        .route("/v1/people/import", post(import_people))
        .route("/v1/imports/{id}", get(get_import))
        .route("/v1/imports/{id}/decision", post(decide_import))
        .route("/v1/imports/{id}/mapping", post(map_import))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hocvuso API",
        description = "Bình dân học vụ số — units, people and imports. Messages are in Vietnamese."
    ),
    paths(
        list_units,
        get_unit,
        children,
        list_people,
        import_people,
        get_import,
        decide_import,
        map_import
    ),
    components(schemas(UnitDto, PersonDto, PeoplePageDto, ImportDto, DecisionDto, MappingDto, ProblemDto))
)]
struct ApiDoc;

async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// An administrative unit or organisation.
#[derive(Serialize, ToSchema)]
pub struct UnitDto {
    /// Official code (2-digit province, 5-digit commune) or the platform's code for villages and organisations.
    code: String,
    name: String,
    /// country, province, commune, village or organisation.
    level: String,
    kind: String,
    parent_code: Option<String>,
    active: bool,
}

/// `application/problem+json` (RFC 9457) with the Vietnamese explanation in `detail`.
#[derive(Serialize, ToSchema)]
pub struct ProblemDto {
    title: String,
    status: u16,
    detail: String,
}

async fn dto(state: &AppState, u: Unit) -> Result<UnitDto, Problem> {
    let parent_code = match u.parent_id {
        Some(p) => units::get(&state.db, p).await?.map(|p| p.code),
        None => None,
    };
    Ok(UnitDto {
        code: u.code,
        name: u.name,
        level: u.level.as_str().into(),
        kind: u.kind.as_str().into(),
        parent_code,
        active: u.active,
    })
}

#[derive(Deserialize, IntoParams)]
pub struct LevelQuery {
    /// province (default) or country
    level: Option<String>,
}

/// Lists units of one level (provinces by default). Public.
#[utoipa::path(get, path = "/api/v1/units", params(LevelQuery), responses((status = 200, body = [UnitDto]), (status = 400, body = ProblemDto)))]
async fn list_units(State(state): State<AppState>, Query(q): Query<LevelQuery>) -> Result<Json<Vec<UnitDto>>, Problem> {
    let level = match q.level.as_deref().unwrap_or("province") {
        "province" => Level::Province,
        "country" => Level::Country,
        "commune" => return Err(Problem::bad_request(Message::new("err-api-level-commune"))),
        other => {
            return Err(Problem::bad_request(
                Message::new("err-api-level").arg("value", other.chars().take(40).collect::<String>()),
            ));
        }
    };
    let list = units::by_level(&state.db, level).await?;
    let country_code = hocvuso_core::units::COUNTRY_CODE.to_string();
    Ok(Json(
        list.into_iter()
            .map(|u| UnitDto {
                parent_code: (u.level() == Level::Province).then(|| country_code.clone()),
                code: u.code,
                name: u.name,
                level: u.level.as_str().into(),
                kind: u.kind.as_str().into(),
                active: u.active,
            })
            .collect(),
    ))
}

async fn find(state: &AppState, code: &str) -> Result<Unit, Problem> {
    if code.len() > 60 {
        return Err(Problem::not_found());
    }
    units::by_code(&state.db, code).await?.ok_or_else(|| Problem {
        status: StatusCode::NOT_FOUND,
        message: Message::new("err-unit-not-found").arg("code", code),
        fields: Vec::new(),
    })
}

/// One unit by code. Public.
#[utoipa::path(get, path = "/api/v1/units/{code}", params(("code" = String, Path, description = "unit code")), responses((status = 200, body = UnitDto), (status = 404, body = ProblemDto)))]
async fn get_unit(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<UnitDto>, Problem> {
    let u = find(&state, &code).await?;
    Ok(Json(dto(&state, u).await?))
}

/// The active children of a unit, in Vietnamese order. Public.
#[utoipa::path(get, path = "/api/v1/units/{code}/children", params(("code" = String, Path, description = "unit code")), responses((status = 200, body = [UnitDto]), (status = 404, body = ProblemDto)))]
async fn children(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<Vec<UnitDto>>, Problem> {
    let u = find(&state, &code).await?;
    let parent_code = u.code.clone();
    let list = units::children(&state.db, u.id).await?;
    Ok(Json(
        list.into_iter()
            .map(|c| UnitDto {
                code: c.code,
                name: c.name,
                level: c.level.as_str().into(),
                kind: c.kind.as_str().into(),
                parent_code: Some(parent_code.clone()),
                active: c.active,
            })
            .collect(),
    ))
}

/// A person, ID number masked.
#[derive(Serialize, ToSchema)]
pub struct PersonDto {
    id: i64,
    full_name: String,
    /// dd/mm/yyyy
    birth_date: String,
    sex: String,
    personal_id_masked: String,
    phone: Option<String>,
    groups: Vec<String>,
    unit_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PeoplePageDto {
    people: Vec<PersonDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
    /// More name matches than were examined: ask for a longer name.
    truncated: bool,
}

#[derive(Deserialize, IntoParams)]
pub struct PeopleQuery {
    /// Unit code whose subtree is listed.
    unit: String,
    /// Name (with or without diacritics), phone, or exact 12-digit ID number.
    q: Option<String>,
    cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<u64>,
}

/// People of a unit's subtree, in Vietnamese name order. Needs a role that may view people there.
#[utoipa::path(get, path = "/api/v1/people", params(PeopleQuery), security(("bearer" = [])),
    responses((status = 200, body = PeoplePageDto), (status = 401, body = ProblemDto), (status = 403, body = ProblemDto), (status = 404, body = ProblemDto)))]
async fn list_people(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<PeopleQuery>,
) -> Result<Json<PeoplePageDto>, Problem> {
    let unit = find(&state, &q.unit).await?;
    authz::require(&v, Action::ViewPeople, &unit.path)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let query = hocvuso_core::text::clean_line("q", q.q.as_deref().unwrap_or(""), 100).map_err(Problem::bad_request)?;
    let term = SearchTerm::parse(&query);
    let page = people::search(&state.db, &state.vault, &unit.path, &term, q.cursor.as_deref(), limit).await?;
    audit::record(
        &state.db,
        &v.actor(),
        Entry {
            action: "people.list",
            object_kind: "unit",
            object_id: unit.code.clone(),
            person_id: None,
            unit_path: &unit.path,
            detail: {
                let mut d = crate::pages::people::search_audit_detail(&state, &query, &term, page.people.len());
                d["via"] = "api".into();
                d
            },
        },
    )
    .await?;
    Ok(Json(PeoplePageDto {
        people: page
            .people
            .iter()
            .map(|p| PersonDto {
                id: p.id,
                full_name: p.full_name.clone(),
                birth_date: format_date(p.birth_date),
                sex: p.sex.as_str().into(),
                personal_id_masked: p.masked_pid(),
                phone: p.phone.clone(),
                groups: p.groups().iter().map(|g| g.as_str().to_string()).collect(),
                unit_name: p.unit_name.clone(),
            })
            .collect(),
        next_cursor: page.next_cursor,
        truncated: page.truncated,
    }))
}

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
    authz::require(&v, Action::ImportPeople, &unit.path)?;
    let (sent, name, bytes) = read_upload(&state, mp).await?;
    csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    if bytes.is_empty() {
        return Err(Problem::bad_request(Message::new("err-file-empty")));
    }
    let id = imports::create(&state.db, &state.config.upload_dir, &unit, v.account.id, &name, &bytes).await?;
    state.jobs.check(id);
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
    authz::require_person(v, Action::ImportPeople, &unit.path)?;
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
    if !imports::decide(&state.db, &state.config.upload_dir, job.id, decision).await? {
        return Err(Problem::conflict(Message::new("err-import-not-waiting")));
    }
    if decision == Decision::ImportGoodRows {
        state.jobs.apply(job.id);
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
    if !imports::remap(&state.db, job.id, v.account.id, &choices).await? {
        return Err(Problem::conflict(Message::new("err-import-not-waiting")));
    }
    state.jobs.check(job.id);
    let job = imports::get(&state.db, job.id).await?.ok_or_else(Problem::internal)?;
    Ok(Json(import_dto(&state, job).await?))
}
