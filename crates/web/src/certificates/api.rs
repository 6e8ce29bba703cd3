//! The certificate API: anyone checks a code and gets what the verification page shows.

use crate::kit::problem::{Problem, ProblemDto};
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use hocvuso_app::assessment::certificate as app;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Routes {
    Routes::new()
        .route("/v1/certificates/{cert}", Access::Public, get(get_certificate))
        .pure_route("/v1/credentials/verify", Access::Public, post(verify_credential))
}

#[derive(OpenApi)]
#[openapi(
    paths(get_certificate, verify_credential),
    components(schemas(CertificateDto, VerifiedDto))
)]
pub struct Doc;

/// A genuine credential: what it states, and the certificate's status in the register now.
#[derive(Serialize, ToSchema)]
pub struct VerifiedDto {
    /// Always true: a file that is not genuine gets a 422 problem saying why.
    valid_signature: bool,
    /// The full name the credential carries (the holder chose to show it).
    holder_name: String,
    achievement: String,
    level: String,
    /// `validFrom` as signed.
    issued: String,
    certificate: CertificateDto,
}

/// Checks a credential file (the request body, as downloaded): signed by this platform's key and
/// unchanged since, and its certificate's status in the register. One changed character, a
/// removed proof or another key's signature is a 422 problem with the reason in Vietnamese.
#[utoipa::path(post, path = "/api/v1/credentials/verify",
    request_body(content = String, content_type = "application/json", description = "The credential file"),
    responses((status = 200, body = VerifiedDto), (status = 422, body = ProblemDto)))]
async fn verify_credential(State(state): State<AppState>, body: Bytes) -> Result<Json<VerifiedDto>, Problem> {
    let c = match app::check_credential(&state.app, &body).await {
        Ok(c) => c,
        Err(app::CheckError::App(e)) => return Err(e.into()),
        Err(e) => return Err(Problem::unprocessable(e.message())),
    };
    Ok(Json(VerifiedDto {
        valid_signature: true,
        holder_name: c.verified.holder_name,
        achievement: c.verified.achievement,
        level: c.verified.level,
        issued: c.verified.issued,
        certificate: dto(&state, c.public),
    }))
}

fn dto(state: &AppState, c: app::PublicView) -> CertificateDto {
    CertificateDto {
        url: app::verify_url(&state.app, &c.code),
        status: if c.revoked_on.is_some() { "revoked" } else { "valid" }.into(),
        revoked_on: c.revoked_on.map(|d| d.to_string()),
        issued_on: c.issued_on.to_string(),
        code: c.code,
        holder: c.holder,
        achievement: c.achievement,
        level: c.level,
        issuer: c.issuer,
        kind: c.kind.as_str().into(),
    }
}

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
    /// `attainment` (a confirmation of attainment) or `course_completion` (a course completed,
    /// where its author asked for a certificate; never an attainment).
    kind: String,
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
    Ok(Json(dto(&state, c)))
}
