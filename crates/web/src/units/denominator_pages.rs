//! A unit's denominators (the figures targets are measured against): typed on the page or
//! uploaded as a sheet for the unit and the units below it.

use super::*;

pub struct DenomRow {
    pub kind: String,
    pub label: String,
    pub value: String,
    pub source: String,
    pub children_sum: String,
    pub children_reporting: i64,
}

#[derive(Template)]
#[template(path = "units/denominators.html")]
struct DenominatorsPage {
    l: Layout,
    unit: Unit,
    year: i32,
    rows: Vec<DenomRow>,
    can_edit: bool,
    errors: Vec<String>,
    saved: bool,
}

#[derive(Deserialize)]
pub(super) struct YearQuery {
    year: Option<String>,
    saved: Option<String>,
}

fn this_year() -> i32 {
    time::OffsetDateTime::now_utc().year()
}

/// What happened to the last submission, shown above the table.
enum Submitted {
    Nothing,
    Saved,
    Refused(Vec<String>),
}

async fn denominators_view(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    unit: Unit,
    year: i32,
    submitted: Submitted,
) -> Result<DenominatorsPage, Problem> {
    let (errors, saved) = match submitted {
        Submitted::Nothing => (Vec::new(), false),
        Submitted::Saved => (Vec::new(), true),
        Submitted::Refused(e) => (e, false),
    };
    let lines = denominators::for_unit(&state.db, unit.id, year).await?;
    let rows = lines
        .into_iter()
        .map(|l| DenomRow {
            kind: l.kind.as_str().into(),
            label: tr.get(&l.kind.label_key()),
            value: l.own.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
            source: l.own.as_ref().map(|d| d.source.clone()).unwrap_or_default(),
            children_sum: tr.num(&l.children_sum),
            children_reporting: l.children_reporting,
        })
        .collect();
    Ok(DenominatorsPage {
        l: Layout::for_viewer(tr, &parts.0, v),
        can_edit: v.principal.can(Action::ManageDenominators, &unit.path),
        unit,
        year,
        rows,
        errors,
        saved,
    })
}

pub(super) async fn denominators_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::ViewDenominators>(&unit.path)?;
    let year = match q.year.as_deref() {
        Some(y) => parse_year(y).map_err(Problem::bad_request)?,
        None => this_year(),
    };
    let submitted = if q.saved.is_some() {
        Submitted::Saved
    } else {
        Submitted::Nothing
    };
    html(&denominators_view(&state, tr, &parts, &v, unit, year, submitted).await?)
}

pub(super) async fn save_denominators(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(code): Path<String>,
    CsrfForm(v, form): CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::ManageDenominators>(&unit.path)?;
    let year = parse_year(form.get("year").map(String::as_str).unwrap_or("")).map_err(Problem::bad_request)?;
    let mut errors = Vec::new();
    let mut values = Vec::new();
    for kind in DenominatorKind::ALL {
        let raw = form
            .get(&format!("value_{}", kind.as_str()))
            .map(String::as_str)
            .unwrap_or("")
            .trim();
        if raw.is_empty() {
            continue;
        }
        let source = form
            .get(&format!("source_{}", kind.as_str()))
            .map(String::as_str)
            .unwrap_or("");
        let label = tr.get(&kind.label_key());
        match (
            parse_count(raw),
            hocvuso_core::text::required_line("source", source, 200),
        ) {
            (Ok(n), Ok(src)) => values.push((kind, n, src)),
            (Err(m), _) | (_, Err(m)) => errors.push(format!("{label}: {}", tr.msg(&m))),
        }
    }
    if !errors.is_empty() {
        let page = denominators_view(&state, tr, &parts, &v, unit, year, Submitted::Refused(errors)).await?;
        let mut r = html(&page)?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r.extensions_mut().insert(Rendered);
        return Ok(r);
    }
    app_units::set_denominators(&state.app, &v.principal, &unit, year, &values).await?;
    Ok(Redirect::to(&format!("/units/{}/denominators?year={year}&saved=1", unit.code)).into_response())
}

/// Officers upload a sheet of denominators for their unit and the units below it; nothing is saved
/// unless every row is valid and inside the officer's scope.
pub(super) async fn import_denominators(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    mp: axum::extract::Multipart,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::ManageDenominators>(&unit.path)?;
    let (sent, _, bytes, fields) = crate::kit::upload::read_upload_with_fields(&state, mp).await?;
    crate::kit::csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    let year = parse_year(fields.get("year").map(String::as_str).unwrap_or("")).map_err(Problem::bad_request)?;
    let refuse = |errors: Vec<String>| async {
        let page = denominators_view(&state, tr, &parts, &v, unit.clone(), year, Submitted::Refused(errors)).await?;
        let mut r = html(&page)?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r.extensions_mut().insert(Rendered);
        Ok::<Response, Problem>(r)
    };
    // Read off the async workers, one upload at a time in the process (app::reading): a busy
    // reader answers 503 with Retry-After after the configured wait.
    let (rows, errors) = match app_units::read_denominators(&state.app, &v.principal, &unit, bytes).await {
        Ok(x) => x,
        Err(AppError::Invalid(f)) => return refuse(vec![super::village_list::unreadable(tr, &f)]).await,
        Err(e) => return Err(e.into()),
    };
    let line = |n: usize, m: String| format!("{} {n}: {m}", tr.get("import-line"));
    let mut problems: Vec<(usize, String)> = errors.into_iter().map(|e| (e.line, tr.msg(&e.message))).collect();
    let refused = app_units::refused_denominator_units(&state.app, &v.principal, &unit, &rows).await?;
    problems.extend(refused.into_iter().map(|(n, m)| (n, tr.msg(&m))));
    if problems.is_empty() {
        // Checked again inside the transaction that saves: a unit moved meanwhile is refused.
        let refused = app_units::import_denominators(&state.app, &v.principal, &unit, year, &rows).await?;
        problems.extend(refused.into_iter().map(|(n, m)| (n, tr.msg(&m))));
    }
    problems.sort_by_key(|(n, _)| *n);
    let problems: Vec<String> = problems.into_iter().map(|(n, m)| line(n, m)).collect();
    if !problems.is_empty() {
        return refuse(problems).await;
    }
    Ok(Redirect::to(&format!("/units/{}/denominators?year={year}&saved=1", unit.code)).into_response())
}
