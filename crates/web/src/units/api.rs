//! The units API: the official hierarchy and the platform's villages and organisations. Public.

use crate::kit::format::find_unit as find;
use crate::kit::problem::{Problem, ProblemDto};
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
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
}

#[derive(OpenApi)]
#[openapi(paths(list_units, get_unit, children), components(schemas(UnitDto)))]
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
