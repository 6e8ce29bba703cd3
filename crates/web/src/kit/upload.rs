//! Reading an uploaded file and the form's short fields, refusing anything over the size limit
//! with a message that names it.

use crate::kit::problem::Problem;
use crate::kit::state::AppState;
use axum::extract::Multipart;
use axum::http::StatusCode;
use hocvuso_core::i18n::Message;

/// Reads the whole upload. Multipart fields: `_csrf`, then `file`.
pub async fn read_upload(state: &AppState, mp: Multipart) -> Result<(Option<String>, String, Vec<u8>), Problem> {
    let (csrf, name, bytes, _) = read_upload_with_fields(state, mp).await?;
    Ok((csrf, name, bytes))
}

/// Like [`read_upload`], also returning the other short text fields of the form (at most 20).
pub async fn read_upload_with_fields(
    state: &AppState,
    mut mp: Multipart,
) -> Result<
    (
        Option<String>,
        String,
        Vec<u8>,
        std::collections::HashMap<String, String>,
    ),
    Problem,
> {
    let mut fields = std::collections::HashMap::new();
    let too_large = || Problem {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: Message::new("err-file-too-large").arg("max", state.config.max_upload_bytes / (1024 * 1024)),
        fields: Vec::new(),
        retry_after: None,
    };
    let mut csrf_sent = None;
    let mut file = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(Problem::bad_request(Message::new("err-upload-form"))),
        };
        match field.name() {
            Some("_csrf") => {
                csrf_sent = Some(
                    field
                        .text()
                        .await
                        .map_err(|_| Problem::bad_request(Message::new("err-upload-form")))?,
                )
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("danh-sach").to_string();
                let bytes = match field.bytes().await {
                    Ok(b) => b,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                    Err(_) => return Err(Problem::bad_request(Message::new("err-upload-form"))),
                };
                file = Some((name, bytes.to_vec()));
            }
            Some(other) if fields.len() < 20 => {
                let key = other.chars().take(40).collect::<String>();
                let value = field
                    .text()
                    .await
                    .map_err(|_| Problem::bad_request(Message::new("err-upload-form")))?;
                fields.insert(key, value.chars().take(200).collect());
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| Problem::bad_request(Message::new("err-upload-no-file")))?;
    Ok((csrf_sent, name, bytes, fields))
}

/// An upload read under a cap of its own, below the server's body limit.
pub struct CappedUpload {
    pub csrf: Option<String>,
    /// The file's bytes, or how many it had when it was over the cap (its bytes not kept).
    pub file: Result<Vec<u8>, usize>,
    /// The form's other short text fields (at most 20).
    pub fields: std::collections::HashMap<String, String>,
}

/// Reads a form with one file, keeping at most `cap` bytes of it: a larger file is read to its end
/// (so the browser gets the answer rather than a cut connection) but not kept, and the caller says
/// why on its own page. Over the server's body limit it is refused like every upload.
pub async fn read_upload_capped(state: &AppState, mut mp: Multipart, cap: usize) -> Result<CappedUpload, Problem> {
    let too_large = || Problem {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: Message::new("err-file-too-large").arg("max", state.config.max_upload_bytes / (1024 * 1024)),
        fields: Vec::new(),
        retry_after: None,
    };
    let form = || Problem::bad_request(Message::new("err-upload-form"));
    let mut out = CappedUpload {
        csrf: None,
        file: Err(0),
        fields: std::collections::HashMap::new(),
    };
    let mut seen_file = false;
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(form()),
        };
        match field.name() {
            Some("_csrf") => out.csrf = Some(field.text().await.map_err(|_| form())?),
            Some("file") if !seen_file => {
                seen_file = true;
                let mut kept = Vec::new();
                let mut total = 0usize;
                loop {
                    match field.chunk().await {
                        Ok(Some(c)) => {
                            total += c.len();
                            if total <= cap {
                                kept.extend_from_slice(&c);
                            } else {
                                kept = Vec::new();
                            }
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                        Err(_) => return Err(form()),
                    }
                }
                out.file = if total <= cap { Ok(kept) } else { Err(total) };
            }
            Some(other) if out.fields.len() < 20 => {
                let key = other.chars().take(40).collect::<String>();
                let value = field.text().await.map_err(|_| form())?;
                out.fields.insert(key, value.chars().take(200).collect());
            }
            _ => {}
        }
    }
    if !seen_file {
        return Err(Problem::bad_request(Message::new("err-upload-no-file")));
    }
    Ok(out)
}
