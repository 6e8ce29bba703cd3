//! One place turns failures into responses. Handlers return [`Problem`]; the [`render_errors`]
//! middleware turns every error response — ours and the framework's own rejections — into a
//! Vietnamese HTML page or, under `/api`, `application/problem+json`. Never a stack trace.

use crate::kit::i18n::{Tr, lang_from_parts};
use crate::kit::layout::Layout;
use crate::kit::state::AppState;
use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hocvuso_core::i18n::Message;
use hocvuso_db::DbError;

/// A failure with the status to send and a message for the user.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub message: Message,
    pub fields: Vec<(String, Message)>,
    /// Seconds after which the request may be sent again (`Retry-After`), for a busy server.
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, key: &str) -> Problem {
        Problem {
            status,
            message: Message::new(key),
            fields: Vec::new(),
            retry_after: None,
        }
    }
    pub fn bad_request(m: Message) -> Problem {
        Problem {
            status: StatusCode::BAD_REQUEST,
            message: m,
            fields: Vec::new(),
            retry_after: None,
        }
    }
    pub fn unprocessable(m: Message) -> Problem {
        Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: m,
            fields: Vec::new(),
            retry_after: None,
        }
    }
    pub fn forbidden() -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "error-403")
    }
    pub fn not_found() -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "error-404")
    }
    pub fn conflict(m: Message) -> Problem {
        Problem {
            status: StatusCode::CONFLICT,
            message: m,
            fields: Vec::new(),
            retry_after: None,
        }
    }
    pub fn unauthorized() -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "error-401")
    }
    pub fn internal() -> Problem {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "error-500")
    }
}

/// Carried in the response extensions from the handler to the renderer.
#[derive(Debug, Clone)]
struct ProblemBody(Problem);

/// Marks a response that is already a complete page (a form shown again with its errors).
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = self.status;
        if let Some(secs) = self.retry_after {
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        r.extensions_mut().insert(ProblemBody(self));
        r
    }
}

impl From<DbError> for Problem {
    fn from(e: DbError) -> Problem {
        match e {
            DbError::NotFound => Problem::not_found(),
            other => {
                tracing::error!(error = %other, "storage failure");
                Problem::internal()
            }
        }
    }
}

impl From<askama::Error> for Problem {
    fn from(e: askama::Error) -> Problem {
        tracing::error!(error = %e, "template failure");
        Problem::internal()
    }
}

pub async fn not_found() -> Problem {
    Problem::not_found()
}

fn default_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "error-400",
        401 => "error-401",
        403 => "error-403",
        404 => "error-404",
        405 => "error-405",
        408 => "error-408",
        409 => "error-409",
        413 => "error-413",
        415 => "error-415",
        422 => "error-422",
        429 => "error-429",
        503 => "error-503",
        s if s >= 500 => "error-500",
        _ => "error-400",
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    l: Layout,
    status: u16,
    title: String,
    message: String,
    fields: Vec<(String, String)>,
}

pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let (parts, body) = req.into_parts();
    let tr = Tr(lang_from_parts(&parts));
    let layout = Layout::anonymous(tr, &parts);
    let req = Request::from_parts(parts, body);
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || response.extensions().get::<Rendered>().is_some() {
        return response;
    }
    let problem = match response.extensions().get::<ProblemBody>() {
        Some(p) => p.0.clone(),
        None => Problem::new(status, default_key(status)),
    };
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let message = tr.msg(&problem.message);
    let fields: Vec<(String, String)> = problem.fields.iter().map(|(f, m)| (f.clone(), tr.msg(m))).collect();
    let mut out = if is_api {
        let body = serde_json::json!({
            "type": "about:blank",
            "title": tr.get(default_key(status)),
            "status": status.as_u16(),
            "detail": message,
            "errors": fields.iter().map(|(f, m)| serde_json::json!({"field": f, "detail": m})).collect::<Vec<_>>(),
        });
        let mut r = (status, body.to_string()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        r
    } else {
        let page = ErrorPage {
            l: layout,
            status: status.as_u16(),
            title: tr.get(&format!("{}-title", default_key(status))),
            message,
            fields,
        };
        match page.render() {
            Ok(html) => {
                let mut r = (status, html).into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                r
            }
            Err(_) => (status, "Lỗi hệ thống").into_response(),
        }
    };
    if let Some(ra) = retry_after {
        out.headers_mut().insert(header::RETRY_AFTER, ra);
    }
    if status.is_server_error() {
        state
            .metrics
            .server_errors
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    out
}

impl From<hocvuso_core::access::Denied> for Problem {
    fn from(d: hocvuso_core::access::Denied) -> Problem {
        use hocvuso_core::access::Denied;
        match d {
            Denied::Forbidden => Problem::forbidden(),
            // Personal data out of sight: not even the record's existence is revealed.
            Denied::Hidden => Problem::not_found(),
            Denied::WiderAccount => Problem::new(StatusCode::FORBIDDEN, "err-account-wider-rights"),
        }
    }
}

impl From<hocvuso_app::Error> for Problem {
    fn from(e: hocvuso_app::Error) -> Problem {
        use hocvuso_app::Error;
        let with_fields = |status, fields: Vec<hocvuso_app::FieldError>| {
            let message = fields
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_else(|| Message::new("error-422"));
            Problem {
                status,
                message,
                fields: fields.into_iter().map(|f| (f.field, f.message)).collect(),
                retry_after: None,
            }
        };
        match e {
            Error::Denied(d) => d.into(),
            Error::NotFound => Problem::not_found(),
            Error::Invalid(fields) => with_fields(StatusCode::UNPROCESSABLE_ENTITY, fields),
            Error::Conflict(f) => with_fields(StatusCode::CONFLICT, vec![f]),
            Error::Limited(f) => with_fields(StatusCode::TOO_MANY_REQUESTS, vec![f]),
            // Nothing was read or stored: the officer sends the same file again a little later.
            Error::Busy => Problem {
                status: StatusCode::SERVICE_UNAVAILABLE,
                message: Message::new("err-upload-reader-busy"),
                fields: Vec::new(),
                retry_after: Some(hocvuso_app::reading::RETRY_AFTER_SECS),
            },
            Error::Db(d) => d.into(),
        }
    }
}

/// `application/problem+json` (RFC 9457) with the Vietnamese explanation in `detail`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ProblemDto {
    title: String,
    status: u16,
    detail: String,
}
