//! Files a page hands out: spreadsheets and PDFs built off the async workers, sent as
//! attachments that no shared cache keeps (they hold personal data or one viewer's figures).

use crate::kit::problem::Problem;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const PDF: &str = "application/pdf";

/// A file name part from a code or slug: a name in a header takes no chances.
pub fn file_part(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(40)
        .collect()
}

pub fn attachment(body: Vec<u8>, content_type: &'static str, file: &str) -> Result<Response, Problem> {
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")).map_err(|_| Problem::internal())?;
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(header::CONTENT_DISPOSITION, disposition);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(r)
}

/// Builds a file off the async workers (thousands of rows or pages take a while).
pub async fn build<F, E>(f: F) -> Result<Vec<u8>, Problem>
where
    F: FnOnce() -> Result<Vec<u8>, E> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot build a file");
            Err(Problem::internal())
        }
        Err(e) => {
            tracing::error!(error = %e, "the file task failed");
            Err(Problem::internal())
        }
    }
}
