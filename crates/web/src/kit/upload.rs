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
