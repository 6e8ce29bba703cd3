//! The units API: the official hierarchy and the platform's villages and organisations (public),
//! and a unit's residents who have not started learning (for those who may see its people).

use crate::kit::format::find_unit as find;
use crate::kit::problem::{Problem, ProblemDto};
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::viewer::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use hocvuso_core::i18n::Message;
use hocvuso_core::units::Level;
use hocvuso_db::units::{self, Unit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub fn router() -> Routes {
    Routes::new()
        .route("/v1/units", Access::Public, get(list_units))
        .route("/v1/units/{code}", Access::Public, get(get_unit))
        .route("/v1/units/{code}/children", Access::Public, get(children))
        .route(
            "/v1/units/{code}/learning/not-started",
            Access::Scoped,
            get(not_started),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(list_units, get_unit, children, not_started),
    components(schemas(UnitDto, NotStartedDto, NotStartedPersonDto))
)]
pub struct Doc;

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

/// A resident who has not started: enough to find and call them (no ID number).
#[derive(Serialize, ToSchema)]
pub struct NotStartedPersonDto {
    id: i64,
    full_name: String,
    /// The unit they live in (a village, or the commune itself).
    unit_name: String,
    /// Target group codes: public_staff, student, worker, resident.
    groups: Vec<String>,
    phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NotStartedDto {
    year: i32,
    /// The course whose start was looked for; absent for any course.
    course: Option<String>,
    people: Vec<NotStartedPersonDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct NotStartedQuery {
    /// Calendar year of enrolment, 2020 to 2100 (default: this year).
    year: Option<String>,
    /// A course slug: only its target groups are listed and only its lessons count as a start.
    course: Option<String>,
    /// A target group code: public_staff, student, worker or resident.
    group: Option<String>,
    cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<u64>,
}

/// Residents of a unit's subtree who have not started learning in the year: none of their
/// enrolments of that year (in the course, when given) has an opened lesson. In Vietnamese name
/// order. Needs the rights to see the unit's learning figures and its people; every call is
/// recorded in the audit log.
#[utoipa::path(get, path = "/api/v1/units/{code}/learning/not-started",
    params(("code" = String, Path, description = "unit code"), NotStartedQuery), security(("bearer" = [])),
    responses((status = 200, body = NotStartedDto), (status = 400, body = ProblemDto), (status = 401, body = ProblemDto),
        (status = 403, body = ProblemDto), (status = 404, body = ProblemDto), (status = 422, body = ProblemDto)))]
async fn not_started(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<NotStartedQuery>,
) -> Result<Json<NotStartedDto>, Problem> {
    let unit = find(&state, &code).await?;
    let year = super::learning_pages::year_of(q.year.as_deref())?;
    let course = super::learning_pages::course_of(q.course.as_deref())?;
    let group = match q.group.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        None => None,
        Some(g) => Some(
            hocvuso_core::people::TargetGroup::ALL
                .into_iter()
                .find(|x| x.as_str() == g)
                .ok_or_else(|| {
                    Problem::bad_request(
                        Message::new("err-api-group").arg("value", g.chars().take(40).collect::<String>()),
                    )
                })?,
        ),
    };
    let req = hocvuso_app::learning::NotStartedRequest {
        year,
        course: course.as_deref(),
        group,
        at: q
            .cursor
            .as_deref()
            .map_or(hocvuso_db::people::PageAt::First, hocvuso_db::people::PageAt::After),
        limit: q.limit.unwrap_or(super::learning_pages::PAGE).clamp(1, 200),
        count: false,
        via: hocvuso_app::Via::Api,
    };
    let listed = hocvuso_app::learning::not_started(
        &state.app,
        &v.principal,
        &unit,
        req,
        hocvuso_core::learning::ContentLang::Vi,
    )
    .await?;
    Ok(Json(NotStartedDto {
        year,
        course: listed.course.map(|c| c.slug),
        people: listed
            .page
            .people
            .into_iter()
            .map(|p| NotStartedPersonDto {
                id: p.id,
                groups: p.groups().iter().map(|g| g.as_str().to_string()).collect(),
                full_name: p.full_name,
                unit_name: p.unit_name,
                phone: p.phone,
            })
            .collect(),
        next_cursor: listed.page.next_cursor,
    }))
}
