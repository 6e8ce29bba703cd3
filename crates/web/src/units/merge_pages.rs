//! Merging a unit into a sibling, step by step: search, choose, read what will happen, confirm.

use super::*;

#[derive(Template)]
#[template(path = "units/merge.html")]
struct MergePage {
    l: Layout,
    unit: Unit,
    q: String,
    /// Siblings matching the search, each offered with its own choose button.
    matches: Vec<UnitRow>,
    /// How many siblings there are in all (the list shows those matching `q`).
    siblings: usize,
    /// The chosen target and what the merge will do, in sentences.
    chosen: Option<UnitRow>,
    consequences: Vec<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct MergeQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    unconfirmed: Option<String>,
}

/// Whether a sibling matches what was typed: its name without diacritics, or the start of its code.
fn unit_matches(u: &Unit, q: &str) -> bool {
    let q = q.trim();
    if q.is_empty() {
        return true;
    }
    let folded = hocvuso_core::text::fold(q);
    (!folded.is_empty() && hocvuso_core::text::fold(&u.name).contains(&folded)) || u.code.starts_with(q)
}

/// What merging `from` into `into` does, as the officer should read it before confirming.
async fn merge_consequences(state: &AppState, tr: Tr, from: &Unit, into: &Unit) -> Result<Vec<String>, Problem> {
    let people = hocvuso_db::people::count_in(&state.db, &from.path).await?;
    let children = units::children(&state.db, from.id).await?.len() as i64;
    let grants = hocvuso_db::accounts::grants_in(&state.db, &from.path)
        .await?
        .iter()
        .filter(|g| g.unit_id == from.id)
        .count() as i64;
    let m = |key: &str| {
        Message::new(key)
            .arg("from", from.name.as_str())
            .arg("into", into.name.as_str())
    };
    Ok(vec![
        tr.msg(&m("merge-will-people").arg("count", tr.num(&people))),
        tr.msg(&m("merge-will-children").arg("count", tr.num(&children))),
        tr.msg(&m("merge-will-denominators")),
        tr.msg(&m("merge-will-inactive")),
        tr.msg(&m("merge-will-grants").arg("count", tr.num(&grants))),
        tr.get("merge-will-final"),
    ])
}

/// The merge, step by step on its own page: search the siblings, choose one, read what will
/// happen, tick the confirmation. Nothing is chosen or ticked in advance.
pub(super) async fn merge_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<MergeQuery>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    if v.principal.authorize_unit_change(&unit.path, unit.level()).is_err() {
        return Err(Problem::forbidden());
    }
    let query = hocvuso_core::text::clean_line("q", &q.q, 100).unwrap_or_default();
    let targets = app_units::merge_targets(&state.app, &unit).await?;
    let siblings = targets.len();
    let mut error = q.unconfirmed.is_some().then(|| tr.get("merge-not-confirmed"));
    let (chosen, consequences) = match targets.iter().find(|t| !q.into.is_empty() && t.code == q.into.trim()) {
        Some(t) => (
            Some(rows(tr, vec![t.clone()]).remove(0)),
            merge_consequences(&state, tr, &unit, t).await?,
        ),
        None => {
            if !q.into.trim().is_empty() {
                error = Some(tr.get("err-unit-merge-target"));
            }
            (None, Vec::new())
        }
    };
    let matches = rows(tr, targets.into_iter().filter(|t| unit_matches(t, &query)).collect());
    let mut r = html(&MergePage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        unit,
        q: query,
        matches,
        siblings,
        chosen,
        consequences,
        error,
    })?;
    if q.unconfirmed.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r.extensions_mut().insert(Rendered);
    }
    Ok(r)
}

#[derive(Deserialize)]
pub(super) struct MergeForm {
    #[serde(default)]
    into: String,
    /// Ticked on the confirmation page; without it nothing happens.
    #[serde(default)]
    confirm: String,
}

pub(super) async fn merge(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(code): Path<String>,
    CsrfForm(v, form): CsrfForm<MergeForm>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    if v.principal.authorize_unit_change(&unit.path, unit.level()).is_err() {
        return Err(Problem::forbidden());
    }
    let into_code = form.into.trim();
    if form.confirm != CONFIRMED {
        // Not confirmed: back to the confirmation page, which says so; nothing changes.
        let qs = serde_urlencoded::to_string([("into", into_code), ("unconfirmed", "1")]).unwrap_or_default();
        return Ok(Redirect::to(&format!("/units/{}/merge?{qs}", unit.code)).into_response());
    }
    match app_units::merge(&state.app, &v.principal, &unit, into_code).await {
        Ok(into) => Ok(Redirect::to(&format!("/units/{}", into.code)).into_response()),
        Err(e) => unit_failure(&state, tr, &parts, v, unit, e).await,
    }
}
