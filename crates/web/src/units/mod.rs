//! Unit pages: the public hierarchy, and for officers the villages, organisations,
//! reorganisation (rename, merge) and denominators of their units.

pub mod api;
mod confirmed_pages;
mod denominator_pages;
mod learning_pages;
mod merge_pages;
mod village_list;
mod vneid_import;

use confirmed_pages::{certificates_pdf, confirmed_page, confirmed_xlsx};
use denominator_pages::{denominators_page, import_denominators, save_denominators};
use learning_pages::{figures_xlsx, not_started_page, not_started_xlsx};
use merge_pages::{merge, merge_page};
use village_list::import_villages;
use vneid_import::{import_vneid, vneid_page};

use crate::kit::csrf::CsrfForm;
use crate::kit::format::{CONFIRMED, load_unit, load_unit_with_children};
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, Nav, html};
use crate::kit::problem::{Problem, Rendered};
use crate::kit::routes::Access;
use crate::kit::state::AppState;
use crate::kit::viewer::{MaybeViewer, Parts0, Viewer};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_app::Error as AppError;
use hocvuso_app::units as app_units;
use hocvuso_core::access::act;
use hocvuso_core::i18n::Message;
use hocvuso_core::roles::Action;
use hocvuso_core::units::{DenominatorKind, Kind, Level, parse_count, parse_year};
use hocvuso_db::denominators;
use hocvuso_db::units::{self, Unit};
use serde::Deserialize;

pub fn router() -> crate::kit::routes::Routes {
    crate::kit::routes::Routes::new()
        .route("/units", Access::Public, get(list_provinces))
        .route("/units/{code}", Access::Public, get(show))
        .route("/units/{code}/children", Access::Scoped, post(create_child))
        .route("/units/{code}/rename", Access::Scoped, post(rename))
        .route("/units/{code}/merge", Access::Scoped, get(merge_page).post(merge))
        .route(
            "/units/{code}/denominators",
            Access::Scoped,
            get(denominators_page).post(save_denominators),
        )
        .route("/units/{code}/villages/import", Access::Scoped, post(import_villages))
        .route(
            "/units/{code}/denominators/import",
            Access::Scoped,
            post(import_denominators),
        )
        .route("/units/{code}/move", Access::Scoped, post(move_unit))
        .route("/units/{code}/learning/figures.xlsx", Access::Scoped, get(figures_xlsx))
        .route("/units/{code}/confirmed", Access::Scoped, get(confirmed_page))
        .route(
            "/units/{code}/confirmed/import",
            Access::Scoped,
            get(vneid_page).post(import_vneid),
        )
        .route("/units/{code}/confirmed.xlsx", Access::Scoped, get(confirmed_xlsx))
        .route("/units/{code}/certificates.pdf", Access::Scoped, get(certificates_pdf))
        .route(
            "/units/{code}/learning/not-started",
            Access::Scoped,
            get(not_started_page),
        )
        .route(
            "/units/{code}/learning/not-started.xlsx",
            Access::Scoped,
            get(not_started_xlsx),
        )
}

fn layout(tr: Tr, parts: &Parts0, v: &Option<Viewer>) -> Layout {
    match v {
        Some(v) => Layout::for_viewer(tr, &parts.0, v),
        None => Layout::anonymous(tr, &parts.0),
    }
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

/// One target group's line of the unit's confirmation figures.
struct ConfirmedLine {
    group: String,
    confirmed: String,
    denominator: Option<String>,
    /// "12,5 %": per mille written with a decimal comma.
    rate: Option<String>,
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
    /// This year's learning figures of the subtree, for those who may see them: shown first.
    learning: Option<hocvuso_app::learning::UnitFigures>,
    /// Confirmed people against the denominators, shown with the learning figures.
    confirmed: Vec<ConfirmedLine>,
    group_names: Vec<String>,
    /// The viewer may see who has not started (the unit's learning and its people).
    can_not_started: bool,
}

async fn show_page(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Option<Viewer>,
    unit: Unit,
    children: Option<Vec<Unit>>,
    error: Option<String>,
) -> Result<ShowPage, Problem> {
    let crumbs = rows(tr, units::ancestors(&state.db, &unit).await?);
    let children = match children {
        Some(c) => c,
        None => units::children(&state.db, unit.id).await?,
    };
    let (orgs, admin): (Vec<Unit>, Vec<Unit>) = children.into_iter().partition(|u| u.level() == Level::Organisation);
    let allowed = |a: Action| v.as_ref().is_some_and(|v| v.principal.can(a, &unit.path));
    let can_manage = v
        .as_ref()
        .is_some_and(|v| v.principal.authorize_unit_change(&unit.path, unit.level()).is_ok());
    let can_add = allowed(Action::ManageUnits);
    let mut child_kinds = Vec::new();
    if can_add {
        let kinds: Vec<Kind> = match unit.level() {
            Level::Commune => Kind::village_kinds().chain(Kind::organisation_kinds()).collect(),
            Level::Province if v.as_ref().is_some_and(|v| v.principal.may_add_commune(&unit.path)) => {
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
                at: crate::kit::format::fmt_time(&e.at),
                text: event_text(tr, e.event, &e.detail),
            })
            .collect()
    } else {
        Vec::new()
    };
    let learning = match v.as_ref() {
        Some(v) if v.principal.can(Action::ViewLearning, &unit.path) => {
            let lang = learning_pages::content_lang(tr);
            let year = time::OffsetDateTime::now_utc().year();
            Some(hocvuso_app::learning::unit_figures(&state.app, &v.principal, &unit.path, year, lang).await?)
        }
        _ => None,
    };
    let confirmed = match (v.as_ref(), &learning) {
        (Some(v), Some(f)) => {
            hocvuso_app::assessment::attainment::unit_confirmed(&state.app, &v.principal, &unit, f.year)
                .await?
                .rows
                .into_iter()
                .map(|r| ConfirmedLine {
                    group: tr.get(&r.group.label_key()),
                    rate: r.per_mille().map(|m| format!("{},{} %", m / 10, m % 10)),
                    denominator: r.denominator.map(|d| tr.num(&d)),
                    confirmed: tr.num(&r.confirmed),
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let can_not_started = learning.is_some() && allowed(Action::ViewPeople);
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
        learning,
        confirmed,
        group_names: hocvuso_core::people::TargetGroup::ALL
            .into_iter()
            .map(|g| tr.get(&g.label_key()))
            .collect(),
        can_not_started,
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
    let (unit, children) = load_unit_with_children(&state, &code).await?;
    html(&show_page(&state, tr, &parts, &v, unit, Some(children), None).await?)
}

/// A refused change is shown on the unit's page with its reason; anything else is an error page.
async fn unit_failure(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: Viewer,
    unit: Unit,
    e: AppError,
) -> Result<Response, Problem> {
    match e {
        AppError::Invalid(mut f) if !f.is_empty() => {
            let m = f.remove(0).message;
            show_with_error(state, tr, parts, v, unit, m).await
        }
        e => Err(e.into()),
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
    let page = show_page(state, tr, parts, &Some(v), unit, None, Some(tr.msg(&m))).await?;
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
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::ManageUnits>(&unit.path)?;
    let Some(kind) = Kind::parse(&form.kind) else {
        return show_with_error(&state, tr, &parts, v, unit, Message::new("err-unit-kind")).await;
    };
    let new = app_units::NewChild {
        kind,
        name: &form.name,
        code: Some(form.code.as_str()).filter(|c| !c.trim().is_empty()),
    };
    match app_units::create_child(&state.app, &v.principal, &unit, new).await {
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
    let unit = load_unit(&state, &code).await?;
    if let Err(e) = app_units::rename(&state.app, &v.principal, &unit, &form.name).await {
        return unit_failure(&state, tr, &parts, v, unit, e).await;
    }
    Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response())
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
    let unit = load_unit(&state, &code).await?;
    if v.principal.authorize_unit_change(&unit.path, unit.level()).is_err()
        || !matches!(unit.level(), Level::Village | Level::Organisation)
    {
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
    if let Err(e) = app_units::move_to(&state.app, &v.principal, &unit, &to).await {
        return unit_failure(&state, tr, &parts, v, unit, e).await;
    }
    Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response())
}

/// The units list for a visitor; for a signed-in viewer, each unit a role lets them see.
pub fn nav(tr: Tr, v: Option<&Viewer>) -> Vec<Nav> {
    let Some(v) = v else {
        return vec![Nav {
            href: "/units".into(),
            label: tr.get("nav-units"),
            current: false,
        }];
    };
    let mut seen = std::collections::HashSet::new();
    v.grants
        .iter()
        .filter(|g| v.principal.can(Action::ViewUnits, &g.unit_path) && seen.insert(g.unit_code.clone()))
        .map(|g| Nav {
            href: format!("/units/{}", g.unit_code),
            label: g.unit_name.clone(),
            current: false,
        })
        .collect()
}
