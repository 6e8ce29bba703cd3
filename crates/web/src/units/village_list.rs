//! A commune's list of villages and residential groups, uploaded as a file.

use super::*;

pub struct LineError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "units/villages_result.html")]
struct VillagesResult {
    l: Layout,
    unit: Unit,
    done: Option<String>,
    failure: Option<String>,
    errors: Vec<LineError>,
}

/// A commune officer uploads the list of villages and residential groups; nothing is created unless
/// every row is valid, and villages already present (same name) are kept.
pub(super) async fn import_villages(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    mp: axum::extract::Multipart,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::ManageUnits>(&unit.path)?;
    if unit.level() != Level::Commune {
        return Err(Problem::bad_request(Message::new("err-unit-parent")));
    }
    let (sent, _, bytes) = crate::kit::upload::read_upload(&state, mp).await?;
    crate::kit::csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    let render = |done: Option<String>, failure: Option<String>, errors: Vec<LineError>| -> Result<Response, Problem> {
        let failed = failure.is_some() || !errors.is_empty();
        let mut r = html(&VillagesResult {
            l: Layout::for_viewer(tr, &parts.0, &v),
            unit: unit.clone(),
            done,
            failure,
            errors,
        })?;
        if failed {
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r.extensions_mut().insert(Rendered);
        }
        Ok(r)
    };
    // Read off the async workers, one upload at a time in the process (app::reading): a busy
    // reader answers 503 with Retry-After after the configured wait.
    let (rows, errors) = match app_units::read_village_list(&state.app, &v.principal, &unit, bytes).await {
        Ok(x) => x,
        Err(AppError::Invalid(f)) => return render(None, Some(unreadable(tr, &f)), Vec::new()),
        Err(e) => return Err(e.into()),
    };
    // Created in one transaction while the officer waits: bounded before the lines are listed.
    let max = hocvuso_app::units::MAX_VILLAGES_PER_UPLOAD;
    if rows.len() + errors.len() > max {
        let m = Message::new("err-villages-too-many").arg("max", max);
        return render(None, Some(tr.msg(&m)), Vec::new());
    }
    if !errors.is_empty() {
        let errors = errors
            .into_iter()
            .map(|e| LineError {
                line: e.line,
                column: e.column,
                message: tr.msg(&e.message),
            })
            .collect();
        return render(None, None, errors);
    }
    let done = match app_units::import_villages(&state.app, &v.principal, &unit, &rows).await {
        Ok(done) => done,
        Err((line, AppError::Invalid(f))) if line > 0 => {
            let errors = f
                .into_iter()
                .map(|f| LineError {
                    line,
                    column: String::new(),
                    message: tr.msg(&f.message),
                })
                .collect();
            return render(None, None, errors);
        }
        Err((_, e)) => return Err(e.into()),
    };
    let done = tr.msg(
        &Message::new("villages-import-done")
            .arg("created", done.created)
            .arg("unchanged", done.unchanged),
    );
    render(Some(done), None, Vec::new())
}

/// The reader's message about a file it could not read (a limit passed, named).
pub(super) fn unreadable(tr: Tr, fields: &[hocvuso_app::FieldError]) -> String {
    fields.iter().map(|f| tr.msg(&f.message)).collect::<Vec<_>>().join(" ")
}
