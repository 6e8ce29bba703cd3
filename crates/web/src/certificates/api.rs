//! The certificate API: anyone checks a code and gets what the verification page shows.

use crate::kit::problem::{Problem, ProblemDto};
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::routing::get;
use hocvuso_app::assessment::certificate as app;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Routes {
    Routes::new().route("/v1/certificates/{cert}", Access::Public, get(get_certificate))
}

#[derive(OpenApi)]
#[openapi(paths(get_certificate), components(schemas(CertificateDto)))]
pub struct Doc;

/// A certificate as anyone may see it: the holder's name partly masked.
#[derive(Serialize, ToSchema)]
pub struct CertificateDto {
    /// The code as printed, `XXXX-XXXX-XXXX`.
    code: String,
    /// The given name whole, other words by their initial: "N. T. N. Ánh".
    holder: String,
    achievement: String,
    level: String,
    /// `YYYY-MM-DD`.
    issued_on: String,
    issuer: String,
    /// `valid` or `revoked`.
    status: String,
    /// `YYYY-MM-DD`, when revoked.
    revoked_on: Option<String>,
    /// The public page the QR code opens.
    url: String,
}

/// Checks a certificate by its code (as typed: case and dashes do not matter).
#[utoipa::path(get, path = "/api/v1/certificates/{cert}",
    params(("cert" = String, Path, description = "The certificate's code")),
    responses((status = 200, body = CertificateDto), (status = 404, body = ProblemDto)))]
async fn get_certificate(
    State(state): State<AppState>,
    Path(cert): Path<String>,
) -> Result<Json<CertificateDto>, Problem> {
    let c = app::public_view(&state.app, &cert).await?;
    Ok(Json(CertificateDto {
        url: app::verify_url(&state.app, &c.code),
        status: if c.revoked_on.is_some() { "revoked" } else { "valid" }.into(),
        revoked_on: c.revoked_on.map(|d| d.to_string()),
        issued_on: c.issued_on.to_string(),
        code: c.code,
        holder: c.holder,
        achievement: c.achievement,
        level: c.level,
        issuer: c.issuer,
    }))
}
