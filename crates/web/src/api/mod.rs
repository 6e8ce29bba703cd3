//! The JSON API under `/api/v1`, with the same access rules as the pages. Machine clients send
//! `Authorization: Bearer <token>`; the browser may use its session (with the CSRF token for
//! writes). Errors are `application/problem+json`. Each feature declares its endpoints and their
//! OpenAPI description (`<feature>::api`); the crate root merges them into the one document
//! served here at `/api/openapi.json`.

use crate::kit::problem::ProblemDto;
use crate::kit::routes::{Access, Routes};
use axum::Json;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hocvuso API",
        description = "Bình dân học vụ số — units, people and imports. Messages are in Vietnamese."
    ),
    components(schemas(ProblemDto))
)]
struct Base;

/// The API's routes: the document itself, then the features' endpoints, each with its
/// description merged into the document.
pub fn router(features: Vec<(Routes, utoipa::openapi::OpenApi)>) -> Routes {
    let mut doc = Base::openapi();
    let mut routes = Routes::new();
    for (r, d) in features {
        doc.merge(d);
        routes = routes.merge(r);
    }
    let doc = Arc::new(doc);
    let serve = move || {
        let doc = doc.clone();
        async move { Json(doc.as_ref().clone()).into_response() }
    };
    Routes::new()
        .route("/openapi.json", Access::Public, get(serve))
        .merge(routes)
}
