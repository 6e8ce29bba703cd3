//! The people API: a unit's residents, with the same scope and audit as the pages.

use crate::kit::format::find_unit as find;
use crate::kit::problem::{Problem, ProblemDto};
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::viewer::Viewer;
use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use hocvuso_core::people::format_date;
use hocvuso_db::people::{self};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub fn router() -> Routes {
    Routes::new().route("/v1/people", Access::Scoped, get(list_people))
}

#[derive(OpenApi)]
#[openapi(paths(list_people), components(schemas(PersonDto, PeoplePageDto)))]
pub struct Doc;

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
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let query = hocvuso_core::text::clean_line("q", q.q.as_deref().unwrap_or(""), 100).map_err(Problem::bad_request)?;
    let req = hocvuso_app::people::ListRequest {
        query: &query,
        village: None,
        group: None,
        at: q.cursor.as_deref().map_or(people::PageAt::First, people::PageAt::After),
        limit,
        count: false,
        via: hocvuso_app::Via::Api,
    };
    let page = hocvuso_app::people::list(&state.app, &v.principal, &unit, req)
        .await?
        .page;
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
