//! Unit pages: the public hierarchy, and for officers the villages, organisations,
//! reorganisation (rename, merge) and denominators of their units.

use crate::AppState;
use crate::auth::{MaybeViewer, Parts0, Viewer};
use crate::authz;
use crate::csrf::CsrfForm;
use crate::error::{Problem, Rendered};
use crate::i18n::Tr;
use crate::pages::{Layout, html};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_core::i18n::Message;
use hocvuso_core::roles::Action;
use hocvuso_core::units::{DenominatorKind, Kind, Level, parse_count, parse_year};
use hocvuso_db::audit::{self, Entry};
use hocvuso_db::denominators;
use hocvuso_db::units::{self, NewUnit, Unit, UnitError};
use serde::Deserialize;

pub fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/units", get(list_provinces))
        .route("/units/{code}", get(show))
        .route("/units/{code}/children", post(create_child))
        .route("/units/{code}/rename", post(rename))
        .route("/units/{code}/merge", get(merge_page).post(merge))
        .route(
            "/units/{code}/denominators",
            get(denominators_page).post(save_denominators),
        )
        .route("/units/{code}/villages/import", post(import_villages))
        .route("/units/{code}/denominators/import", post(import_denominators))
        .route("/units/{code}/move", post(move_unit))
}

pub async fn load(state: &AppState, code: &str) -> Result<Unit, Problem> {
    if code.len() > 60 {
        return Err(Problem::not_found());
    }
    units::by_code(&state.db, code).await?.ok_or_else(Problem::not_found)
}

fn layout(tr: Tr, parts: &Parts0, v: &Option<Viewer>) -> Layout {
    match v {
        Some(v) => Layout::for_viewer(tr, &parts.0, v),
        None => Layout::anonymous(tr, &parts.0),
    }
}

/// Creating a commune under `province` needs a steering or system administrator whose scope
/// contains the province (and so is strictly wider than the new commune).
fn may_create_official(v: &Viewer, province: &Unit) -> bool {
    v.grants.iter().any(|g| {
        matches!(
            g.role,
            hocvuso_core::roles::Role::SteeringAdmin | hocvuso_core::roles::Role::SystemAdmin
        ) && province.path.starts_with(&g.unit_path)
    })
}

pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub kind: String,
}

fn rows(tr: Tr, list: Vec<Unit>) -> Vec<UnitRow> {
    list.into_iter()
        .map(|u| UnitRow {
            kind: tr.get(&u.kind.label_key()),
            code: u.code,
            name: u.name,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "units/list.html")]
struct ListPage {
    l: Layout,
    units: Vec<UnitRow>,
}

async fn list_provinces(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
) -> Result<Response, Problem> {
    let mut list = units::by_level(&state.db, Level::Province).await?;
    hocvuso_core::text::sort_natural(&mut list, |u| &u.name);
    html(&ListPage {
        l: layout(tr, &parts, &v),
        units: rows(tr, list),
    })
}

pub struct EventRow {
    pub at: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "units/show.html")]
struct ShowPage {
    l: Layout,
    unit: Unit,
    kind: String,
    crumbs: Vec<UnitRow>,
    admin_children: Vec<UnitRow>,
    org_children: Vec<UnitRow>,
    can_people: bool,
    can_import: bool,
    can_register: bool,
    can_denominators: bool,
    can_manage: bool,
    child_kinds: Vec<(String, String)>,
    can_import_villages: bool,
    can_move: bool,
    siblings: Vec<UnitRow>,
    events: Vec<EventRow>,
    successor: Option<UnitRow>,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Option<Viewer>,
    unit: Unit,
    error: Option<String>,
) -> Result<ShowPage, Problem> {
    let crumbs = rows(tr, units::ancestors(&state.db, &unit).await?);
    let children = units::children(&state.db, unit.id).await?;
    let (orgs, admin): (Vec<Unit>, Vec<Unit>) = children.into_iter().partition(|u| u.level() == Level::Organisation);
    let allowed = |a: Action| v.as_ref().is_some_and(|v| authz::can(v, a, &unit.path));
    let can_manage = v.as_ref().is_some_and(|v| authz::can_manage_unit(v, &unit));
    let can_add = allowed(Action::ManageUnits);
    let mut child_kinds = Vec::new();
    if can_add {
        let kinds: Vec<Kind> = match unit.level() {
            Level::Commune => Kind::village_kinds().chain(Kind::organisation_kinds()).collect(),
            Level::Province if v.as_ref().is_some_and(|v| may_create_official(v, &unit)) => {
                [Kind::Xa, Kind::Phuong, Kind::DacKhu]
                    .into_iter()
                    .chain(Kind::organisation_kinds())
                    .collect()
            }
            Level::Province | Level::Village | Level::Organisation => Kind::organisation_kinds().collect(),
            Level::Country => Vec::new(),
        };
        child_kinds = kinds
            .into_iter()
            .map(|k| (k.as_str().to_string(), tr.get(&k.label_key())))
            .collect();
    }
    let siblings = if can_manage {
        match unit.parent_id {
            Some(p) => rows(
                tr,
                units::children(&state.db, p)
                    .await?
                    .into_iter()
                    .filter(|s| s.id != unit.id && s.level() == unit.level())
                    .collect(),
            ),
            None => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let events = if can_manage || allowed(Action::ViewDenominators) {
        units::events(&state.db, unit.id)
            .await?
            .into_iter()
            .map(|e| EventRow {
                at: crate::pages::people::fmt_time(&e.at),
                text: event_text(tr, e.event, &e.detail),
            })
            .collect()
    } else {
        Vec::new()
    };
    let successor = match unit.successor_id {
        Some(id) => units::get(&state.db, id).await?.map(|u| rows(tr, vec![u]).remove(0)),
        None => None,
    };
    Ok(ShowPage {
        l: layout(tr, parts, v),
        kind: tr.get(&unit.kind.label_key()),
        crumbs,
        admin_children: rows(tr, admin),
        org_children: rows(tr, orgs),
        can_people: allowed(Action::ViewPeople),
        can_import: allowed(Action::ImportPeople),
        can_register: allowed(Action::RegisterPerson),
        can_denominators: allowed(Action::ViewDenominators),
        can_manage,
        can_import_villages: can_add && unit.level() == Level::Commune,
        can_move: can_manage && matches!(unit.level(), Level::Village | Level::Organisation),
        child_kinds,
        siblings,
        events,
        successor,
        error,
        unit,
    })
}

fn event_text(tr: Tr, event: units::EventKind, detail: &str) -> String {
    use units::EventKind;
    let d: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    let s = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let m = match event {
        EventKind::Created => Message::new("event-created").arg("name", s("name")),
        EventKind::Renamed => Message::new("event-renamed").arg("from", s("from")).arg("to", s("to")),
        EventKind::MergedInto => Message::new("event-merged-into")
            .arg("name", s("name"))
            .arg("code", s("into")),
        EventKind::Absorbed => Message::new("event-absorbed")
            .arg("name", s("name"))
            .arg("code", s("from")),
        EventKind::Moved => Message::new("event-moved").arg("code", s("to")),
    };
    tr.msg(&m)
}

async fn show(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    html(&show_page(&state, tr, &parts, &v, unit, None).await?)
}

/// A refused change shows the unit page again with the reason; a storage failure is a 500.
async fn unit_failure(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: Viewer,
    unit: Unit,
    e: UnitError,
) -> Result<Response, Problem> {
    match e {
        UnitError::Invalid(m) => show_with_error(state, tr, parts, v, unit, m).await,
        UnitError::Db(e) => Err(e.into()),
    }
}

async fn show_with_error(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: Viewer,
    unit: Unit,
    m: Message,
) -> Result<Response, Problem> {
    let page = show_page(state, tr, parts, &Some(v), unit, Some(tr.msg(&m))).await?;
    let mut r = html(&page)?;
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r.extensions_mut().insert(Rendered);
    Ok(r)
}

#[derive(Deserialize)]
struct ChildForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
}

async fn create_child(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(code): Path<String>,
    CsrfForm(v, form): CsrfForm<ChildForm>,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    authz::require(&v, Action::ManageUnits, &unit.path)?;
    let Some(kind) = Kind::parse(&form.kind) else {
        return show_with_error(&state, tr, &parts, v, unit, Message::new("err-unit-kind")).await;
    };
    // New communes (a split, a new ward) are official units: only an administrator above them.
    if kind.level() == Level::Commune && !may_create_official(&v, &unit) {
        return Err(Problem::forbidden());
    }
    let new = NewUnit {
        parent: &unit,
        kind,
        name: &form.name,
        code: Some(form.code.as_str()).filter(|c| !c.trim().is_empty()),
    };
    match units::create(&state.db, new, &v.actor()).await {
        Ok(_) => Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response()),
        Err(e) => unit_failure(&state, tr, &parts, v, unit, e).await,
    }
}

#[derive(Deserialize)]
struct RenameForm {
    #[serde(default)]
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(code): Path<String>,
    CsrfForm(v, form): CsrfForm<RenameForm>,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    if !authz::can_manage_unit(&v, &unit) {
        return Err(Problem::forbidden());
    }
    if let Err(e) = units::rename(&state.db, &unit, &form.name, &v.actor()).await {
        return unit_failure(&state, tr, &parts, v, unit, e).await;
    }
    Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response())
}

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
struct MergeQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    unconfirmed: Option<String>,
}

/// Units that `unit` may be merged into: its active siblings of the same level.
async fn merge_targets(state: &AppState, unit: &Unit) -> Result<Vec<Unit>, Problem> {
    let Some(parent) = unit.parent_id else {
        return Ok(Vec::new());
    };
    Ok(units::children(&state.db, parent)
        .await?
        .into_iter()
        .filter(|s| s.id != unit.id && s.level() == unit.level())
        .collect())
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
async fn merge_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<MergeQuery>,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    if !authz::can_manage_unit(&v, &unit) {
        return Err(Problem::forbidden());
    }
    let query = hocvuso_core::text::clean_line("q", &q.q, 100).unwrap_or_default();
    let targets = merge_targets(&state, &unit).await?;
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
struct MergeForm {
    #[serde(default)]
    into: String,
    /// Ticked on the confirmation page; without it nothing happens.
    #[serde(default)]
    confirm: String,
}

/// The value of the confirmation box on the pages of irreversible actions.
pub const CONFIRMED: &str = "yes";

async fn merge(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(code): Path<String>,
    CsrfForm(v, form): CsrfForm<MergeForm>,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    if !authz::can_manage_unit(&v, &unit) {
        return Err(Problem::forbidden());
    }
    let into_code = form.into.trim();
    if form.confirm != CONFIRMED {
        // Not confirmed: back to the confirmation page, which says so; nothing changes.
        let qs = serde_urlencoded::to_string([("into", into_code), ("unconfirmed", "1")]).unwrap_or_default();
        return Ok(Redirect::to(&format!("/units/{}/merge?{qs}", unit.code)).into_response());
    }
    let targets = merge_targets(&state, &unit).await?;
    let Some(into) = targets.into_iter().find(|t| t.code == into_code) else {
        return show_with_error(&state, tr, &parts, v, unit, Message::new("err-unit-merge-target")).await;
    };
    if !authz::can_manage_unit(&v, &into) {
        return Err(Problem::forbidden());
    }
    if let Err(e) = units::merge(&state.db, &unit, &into, &v.actor()).await {
        return unit_failure(&state, tr, &parts, v, unit, e).await;
    }
    Ok(Redirect::to(&format!("/units/{}", into.code)).into_response())
}

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
struct YearQuery {
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
        can_edit: authz::can(v, Action::ManageDenominators, &unit.path),
        unit,
        year,
        rows,
        errors,
        saved,
    })
}

async fn denominators_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    authz::require(&v, Action::ViewDenominators, &unit.path)?;
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

async fn save_denominators(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(code): Path<String>,
    CsrfForm(v, form): CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    authz::require(&v, Action::ManageDenominators, &unit.path)?;
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
    let mut tx = state.db.begin().await?;
    for (kind, n, src) in &values {
        denominators::set(&mut tx, unit.id, year, *kind, *n, src, Some(v.account.id)).await?;
    }
    audit::append(
        &mut tx,
        &v.actor(),
        Entry {
            action: "denominators.set",
            object_kind: "unit",
            object_id: unit.code.clone(),
            person_id: None,
            unit_path: &unit.path,
            detail: serde_json::json!({"year": year, "values": values.iter().map(|(k, n, s)| serde_json::json!({"kind": k.as_str(), "value": n, "source": s})).collect::<Vec<_>>()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/units/{}/denominators?year={year}&saved=1", unit.code)).into_response())
}

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
async fn import_villages(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    mp: axum::extract::Multipart,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    authz::require(&v, Action::ManageUnits, &unit.path)?;
    if unit.level() != Level::Commune {
        return Err(Problem::bad_request(Message::new("err-unit-parent")));
    }
    let (sent, _, bytes) = crate::pages::imports::read_upload(&state, mp).await?;
    crate::csrf::check(&v, sent.as_deref().unwrap_or(""))?;
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
    // Reading a spreadsheet is CPU work bounded by the reader's limits, still seconds for a hostile
    // file: off the async workers, so other requests are answered meanwhile.
    let checked = tokio::task::spawn_blocking(move || {
        hocvuso_core::import::read_table(&bytes, &hocvuso_core::import::is_village_header)
            .and_then(|t| hocvuso_core::import::check_villages(&t))
    })
    .await
    .map_err(|_| Problem::internal())?;
    let (rows, errors) = match checked {
        Ok(x) => x,
        Err(m) => return render(None, Some(tr.msg(&m)), Vec::new()),
    };
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
    let default_kind = if unit.kind.as_str() == "phuong" {
        Kind::ToDanPho
    } else {
        Kind::Thon
    };
    let (mut created, mut unchanged) = (0, 0);
    let mut tx = state.db.begin().await?;
    for r in &rows {
        if units::find_village(&state.db, &unit, &r.name).await?.is_some() {
            unchanged += 1;
            continue;
        }
        let new = NewUnit {
            parent: &unit,
            kind: r.kind.unwrap_or(default_kind),
            name: &r.name,
            code: r.code.as_deref(),
        };
        match units::create_in(&mut tx, new, &v.actor()).await {
            Ok(_) => created += 1,
            Err(UnitError::Invalid(m)) => {
                drop(tx);
                return render(
                    None,
                    None,
                    vec![LineError {
                        line: r.line,
                        column: String::new(),
                        message: tr.msg(&m),
                    }],
                );
            }
            Err(UnitError::Db(e)) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    let done = tr.msg(
        &Message::new("villages-import-done")
            .arg("created", created)
            .arg("unchanged", unchanged),
    );
    render(Some(done), None, Vec::new())
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    to: String,
}

/// Moves a village or organisation under another unit (the step of a split); its people follow.
async fn move_unit(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(code): Path<String>,
    CsrfForm(v, form): CsrfForm<MoveForm>,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    if !authz::can_manage_unit(&v, &unit) || !matches!(unit.level(), Level::Village | Level::Organisation) {
        return Err(Problem::forbidden());
    }
    let Some(to) = units::by_code(&state.db, form.to.trim()).await? else {
        return show_with_error(
            &state,
            tr,
            &parts,
            v,
            unit,
            Message::new("err-unit-not-found").arg("code", form.to.trim()),
        )
        .await;
    };
    authz::require(&v, Action::ManageUnits, &to.path)?;
    if let Err(e) = units::move_to(&state.db, &unit, &to, &v.actor()).await {
        return unit_failure(&state, tr, &parts, v, unit, e).await;
    }
    Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response())
}

/// Officers upload a sheet of denominators for their unit and the units below it; nothing is saved
/// unless every row is valid and inside the officer's scope.
async fn import_denominators(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    mp: axum::extract::Multipart,
) -> Result<Response, Problem> {
    let unit = load(&state, &code).await?;
    authz::require(&v, Action::ManageDenominators, &unit.path)?;
    let (sent, _, bytes, fields) = crate::pages::imports::read_upload_with_fields(&state, mp).await?;
    crate::csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    let year = parse_year(fields.get("year").map(String::as_str).unwrap_or("")).map_err(Problem::bad_request)?;
    let refuse = |errors: Vec<String>| async {
        let page = denominators_view(&state, tr, &parts, &v, unit.clone(), year, Submitted::Refused(errors)).await?;
        let mut r = html(&page)?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r.extensions_mut().insert(Rendered);
        Ok::<Response, Problem>(r)
    };
    // Reading a spreadsheet is CPU work bounded by the reader's limits, still seconds for a hostile
    // file: off the async workers, so other requests are answered meanwhile.
    let checked = tokio::task::spawn_blocking(move || {
        hocvuso_core::import::read_table(&bytes, &hocvuso_core::import::is_denominator_header)
            .and_then(|t| hocvuso_core::import::check_denominators(&t))
    })
    .await
    .map_err(|_| Problem::internal())?;
    let (rows, errors) = match checked {
        Ok(x) => x,
        Err(m) => return refuse(vec![tr.msg(&m)]).await,
    };
    let line = |n: usize, m: String| format!("{} {n}: {m}", tr.get("import-line"));
    let mut problems: Vec<String> = errors.into_iter().map(|e| line(e.line, tr.msg(&e.message))).collect();
    let mut resolved = Vec::new();
    for r in &rows {
        match units::by_code(&state.db, &r.unit_code).await? {
            Some(u) if u.path.starts_with(&unit.path) && authz::can(&v, Action::ManageDenominators, &u.path) => {
                resolved.push((u, r))
            }
            _ => problems.push(line(
                r.line,
                tr.msg(&Message::new("err-denominator-unit").arg("code", &r.unit_code)),
            )),
        }
    }
    if !problems.is_empty() {
        return refuse(problems).await;
    }
    let mut tx = state.db.begin().await?;
    for (u, r) in &resolved {
        denominators::set(&mut tx, u.id, year, r.kind, r.value, &r.source, Some(v.account.id)).await?;
    }
    audit::append(
        &mut tx,
        &v.actor(),
        Entry {
            action: "denominators.set",
            object_kind: "unit",
            object_id: unit.code.clone(),
            person_id: None,
            unit_path: &unit.path,
            detail: serde_json::json!({"year": year, "imported": resolved.len()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/units/{}/denominators?year={year}&saved=1", unit.code)).into_response())
}
