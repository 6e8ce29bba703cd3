//! The digital competence frameworks as pages (issue 9 §1): the list and each framework, public
//! like the API that serves them (they are official or published documents, and a learner or a
//! teacher reads what a level means without an account); the correction form of the national
//! steering committee; and a unit's table of the levels each target group must reach, per year,
//! set by a province's (or the country's) steering committee.

use crate::kit::csrf::CsrfForm;
use crate::kit::format::load_unit;
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, Nav, html};
use crate::kit::problem::{Problem, Rendered};
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::viewer::{MaybeViewer, Parts0, Viewer};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_app::Error as AppError;
use hocvuso_app::learning::admin::{self as app, RequirementSource};
use hocvuso_core::access::act;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::Framework;
use hocvuso_core::learning::correction::{AreaText, Field, LevelText, cell_name};
use hocvuso_core::people::TargetGroup;
use hocvuso_core::roles::Action;
use hocvuso_core::units::parse_year;
use hocvuso_db::units::Unit;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .route("/frameworks", Access::Public, get(list))
        .route("/frameworks/{framework}", Access::Public, get(show))
        // No unit in the path: the right is checked at the country's unit (frameworks are
        // national), so every role below it is refused like a role out of scope.
        .route(
            "/frameworks/{framework}/edit",
            Access::Scoped,
            get(edit_page).post(save_edit),
        )
        .route(
            "/units/{code}/requirements",
            Access::Scoped,
            get(requirements_page).post(save_requirements),
        )
        .route(
            "/units/{code}/requirements/delete",
            Access::Scoped,
            post(delete_requirements),
        )
}

fn layout(tr: Tr, parts: &Parts0, v: &Option<Viewer>) -> Layout {
    match v {
        Some(v) => Layout::for_viewer(tr, &parts.0, v),
        None => Layout::anonymous(tr, &parts.0),
    }
}

/// A page answered with a refusal status that is already the whole answer.
fn refused(page: Result<Response, Problem>, status: StatusCode) -> Result<Response, Problem> {
    let mut r = page?;
    *r.status_mut() = status;
    r.extensions_mut().insert(Rendered);
    Ok(r)
}

// ---- the list and a framework ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "frameworks/list.html")]
struct ListPage {
    l: Layout,
    list: Vec<app::FrameworkSummary>,
    /// (address, unit name) of the requirement pages the viewer may edit.
    tables: Vec<(String, String)>,
}

async fn list(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
) -> Result<Response, Problem> {
    let list = app::framework_list(&state.app).await?;
    let mut tables = Vec::new();
    if let Some(v) = &v {
        for s in v.principal.scopes::<act::SetRequirements>() {
            if let Some(u) = hocvuso_db::units::by_path(&state.db, s.root()).await? {
                tables.push((format!("/units/{}/requirements", u.code), u.name));
            }
        }
    }
    html(&ListPage {
        l: layout(tr, &parts, &v),
        list,
        tables,
    })
}

#[derive(Template)]
#[template(path = "frameworks/show.html")]
struct ShowPage {
    l: Layout,
    f: Framework,
    corrected: bool,
    versions: String,
    may_edit: bool,
    saved: bool,
    unchanged: bool,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    saved: Option<String>,
    unchanged: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    MaybeViewer(v): MaybeViewer,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, Problem> {
    let s = app::stored_framework(&state.app, &id).await?;
    let may_edit = match &v {
        Some(v) => app::may_correct_frameworks(&state.app, &v.principal).await?,
        None => false,
    };
    html(&ShowPage {
        l: layout(tr, &parts, &v),
        versions: Message::new("frameworks-versions").arg("n", s.versions).render(tr.0),
        corrected: s.corrected,
        f: s.framework,
        may_edit,
        saved: q.saved.is_some(),
        unchanged: q.unchanged.is_some(),
    })
}

// ---- the correction form ---------------------------------------------------------------------

pub struct EditItem {
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    pub multiline: bool,
    pub error: Option<String>,
}

pub struct EditSection {
    pub heading: String,
    pub items: Vec<EditItem>,
}

#[derive(Template)]
#[template(path = "frameworks/edit.html")]
struct EditPage {
    l: Layout,
    id: String,
    title: String,
    digest: String,
    sections: Vec<EditSection>,
    /// Problems not about one field (a stale form).
    errors: Vec<String>,
}

fn field_label(tr: Tr, field: &Field) -> (String, String, bool) {
    let text = |t: &str| tr.get(&format!("frameworks-field-{t}"));
    let heading = |key: &str, code: &str| Message::new(key).arg("code", code).render(tr.0);
    match field {
        Field::Title => (String::new(), text("title"), false),
        Field::SourceNote => (String::new(), tr.get("frameworks-source-note"), true),
        Field::Level(c, t) => (
            heading("frameworks-level", c),
            match t {
                LevelText::Name => text("name"),
                LevelText::Description => text("description"),
            },
            *t == LevelText::Description,
        ),
        Field::Area(c, t) | Field::Competence(c, t) => {
            let key = if matches!(field, Field::Area(..)) {
                "frameworks-area"
            } else {
                "frameworks-competence"
            };
            let label = match t {
                AreaText::Name => text("name"),
                AreaText::Description => text("description"),
                AreaText::Note => text("note"),
            };
            (heading(key, c), label, *t != AreaText::Name)
        }
    }
}

/// The form's sections: the framework's texts, or what was sent (so nothing typed is lost when it
/// is refused), with each field's problem beside it.
fn sections(tr: Tr, f: &Framework, sent: Option<&[(String, String)]>, errors: &[(String, String)]) -> Vec<EditSection> {
    let mut out: Vec<EditSection> = Vec::new();
    for (field, current) in f.texts() {
        let name = field.name();
        let (heading, label, multiline) = field_label(tr, &field);
        let value = sent
            .and_then(|s| s.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))
            .unwrap_or(current);
        let error = errors.iter().find(|(k, _)| *k == name).map(|(_, m)| m.clone());
        let item = EditItem {
            label: if heading.is_empty() {
                label
            } else {
                format!("{heading} · {label}")
            },
            id: format!("f-{}", name.replace([':', '.'], "-")),
            name,
            value,
            multiline,
            error,
        };
        match out.last_mut() {
            Some(s) if s.heading == heading => s.items.push(item),
            _ => out.push(EditSection {
                heading,
                items: vec![item],
            }),
        }
    }
    out
}

async fn edit_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    if !app::may_correct_frameworks(&state.app, &v.principal).await? {
        return Err(Problem::forbidden());
    }
    let s = app::stored_framework(&state.app, &id).await?;
    html(&EditPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        title: s.framework.title.clone(),
        sections: sections(tr, &s.framework, None, &[]),
        id,
        digest: s.digest,
        errors: Vec::new(),
    })
}

async fn save_edit(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(id): Path<String>,
    CsrfForm(v, form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    if !app::may_correct_frameworks(&state.app, &v.principal).await? {
        return Err(Problem::forbidden());
    }
    let digest = form
        .iter()
        .find(|(k, _)| k == "digest")
        .map(|(_, d)| d.clone())
        .unwrap_or_default();
    let edits: Vec<(String, String)> = form
        .into_iter()
        .filter(|(k, _)| k != "_csrf" && k != "digest")
        .collect();
    let (status, field_errors, errors) =
        match app::correct_framework(&state.app, &v.principal, &id, &digest, &edits).await {
            Ok(changes) => {
                let flag = if changes.is_empty() { "unchanged" } else { "saved" };
                return Ok(Redirect::to(&format!("/frameworks/{id}?{flag}=1")).into_response());
            }
            Err(AppError::Conflict(f)) => (StatusCode::CONFLICT, Vec::new(), vec![tr.msg(&f.message)]),
            Err(AppError::Invalid(fs)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                fs.iter()
                    .map(|f| (f.field.clone(), tr.msg(&f.message)))
                    .collect::<Vec<_>>(),
                fs.iter()
                    .map(|f| format!("{}: {}", f.field, tr.msg(&f.message)))
                    .collect(),
            ),
            Err(e) => return Err(e.into()),
        };
    // The form again, with what was sent, against the version stored now: a stale form shows
    // the new version's digest, so sending it again is a deliberate choice over the other edit.
    let s = app::stored_framework(&state.app, &id).await?;
    let keep_sent = status != StatusCode::CONFLICT;
    let page = EditPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        title: s.framework.title.clone(),
        sections: sections(tr, &s.framework, keep_sent.then_some(edits.as_slice()), &field_errors),
        id,
        digest: if keep_sent { digest } else { s.digest },
        errors,
    };
    refused(html(&page), status)
}

// ---- a unit's requirement table --------------------------------------------------------------

pub struct ReqRow {
    pub id: String,
    pub name: String,
    pub label: String,
    /// (code, name, selected)
    pub options: Vec<(String, String, bool)>,
    pub shown: String,
}

pub struct ReqGroup {
    pub heading: String,
    pub rows: Vec<ReqRow>,
    /// The "required lessons" field: its name and id, whether it says yes, and the words shown
    /// read-only.
    pub lessons_name: String,
    pub lessons_id: String,
    pub lessons_on: bool,
    pub lessons_shown: String,
    /// The cells no published course teaches (the editor is warned: they cannot be demanded).
    pub no_course: String,
}

#[derive(Template)]
#[template(path = "frameworks/requirements.html")]
struct RequirementsPage {
    l: Layout,
    unit: Unit,
    year: i32,
    source: String,
    years: String,
    own: bool,
    can_edit: bool,
    sets_tables: bool,
    groups: Vec<ReqGroup>,
    errors: Vec<String>,
    saved: bool,
    deleted: bool,
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<String>,
    saved: Option<String>,
    deleted: Option<String>,
}

fn this_year() -> i32 {
    time::OffsetDateTime::now_utc().year()
}

struct Shown {
    errors: Vec<String>,
    sent: Option<Vec<(String, String)>>,
    saved: bool,
    deleted: bool,
}

async fn requirements_view(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    unit: Unit,
    year: i32,
    shown: Shown,
) -> Result<Response, Problem> {
    let r = app::unit_requirements(&state.app, &v.principal, &unit, year).await?;
    let shipped = hocvuso_app::learning::shipped_requirement_rows(year)?;
    let source = match &r.applied.source {
        RequirementSource::Unit { unit_path, year: y } => {
            let name = hocvuso_db::units::by_path(&state.db, unit_path)
                .await?
                .map(|u| u.name)
                .unwrap_or_default();
            let key = if r.own {
                "requirements-source-own"
            } else {
                "requirements-source-unit"
            };
            Message::new(key).arg("unit", name).arg("year", y).render(tr.0)
        }
        RequirementSource::Shipped => tr.get("requirements-source-shipped"),
    };
    let years = if r.years.is_empty() {
        tr.get("requirements-no-own")
    } else {
        Message::new("requirements-years")
            .arg(
                "years",
                r.years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", "),
            )
            .render(tr.0)
    };
    let none = tr.get("requirements-not-required");
    let mut groups = Vec::new();
    for g in TargetGroup::ALL {
        let rows_of = |rows: &[hocvuso_db::learning::Requirement]| {
            rows.iter()
                .filter(|x| x.target_group == g.as_str())
                .map(|x| x.framework_id.clone())
                .next()
        };
        let fw_id = rows_of(&r.applied.rows)
            .or_else(|| rows_of(&shipped))
            .or_else(|| r.frameworks.first().map(|f| f.id.clone()));
        let Some(fw) = fw_id.and_then(|id| r.frameworks.iter().find(|f| f.id == id)) else {
            continue;
        };
        let group_label = tr.get(&g.label_key());
        let rows = fw
            .competences()
            .map(|c| {
                let name = cell_name(g, &fw.id, &c.code);
                let stored = r
                    .applied
                    .rows
                    .iter()
                    .find(|x| x.target_group == g.as_str() && x.framework_id == fw.id && x.competence == c.code)
                    .map(|x| x.level.clone())
                    .unwrap_or_default();
                let chosen = shown
                    .sent
                    .as_ref()
                    .and_then(|s| s.iter().find(|(k, _)| *k == name).map(|(_, v)| v.trim().to_string()))
                    .unwrap_or(stored);
                let mut options = vec![(String::new(), none.clone(), chosen.is_empty())];
                options.extend(
                    fw.levels
                        .iter()
                        .map(|l| (l.code.clone(), l.name.clone(), l.code == chosen)),
                );
                let shown_level = fw
                    .level(&chosen)
                    .map(|l| l.name.clone())
                    .unwrap_or_else(|| none.clone());
                ReqRow {
                    id: format!("r-{}-{}-{}", g.as_str(), fw.id, c.code.replace('.', "_")),
                    label: format!("{} {}", c.code, c.name),
                    name,
                    options,
                    shown: shown_level,
                }
            })
            .collect();
        let lessons_name = app::lessons_field(g);
        let stored_on = r.lessons.iter().any(|(x, on)| *x == g && *on);
        // A refused form shows what was sent; a value that is neither yes nor no shows "no".
        let lessons_on = match shown.sent.as_ref() {
            Some(sent) => sent.iter().any(|(k, v)| *k == lessons_name && v.trim() == "yes"),
            None => stored_on,
        };
        let no_course = r
            .no_course
            .iter()
            .find(|(x, _)| *x == g)
            .map(|(_, cells)| {
                let list = cells
                    .iter()
                    .map(|c| {
                        let level = fw
                            .level(&c.level)
                            .map(|l| l.name.clone())
                            .unwrap_or_else(|| c.level.clone());
                        format!("{} ({level})", c.competence)
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                Message::new("requirements-no-course").arg("cells", list).render(tr.0)
            })
            .unwrap_or_default();
        groups.push(ReqGroup {
            lessons_id: format!("lessons-{}", g.as_str()),
            lessons_shown: tr.get(if stored_on {
                "requirements-lessons-yes"
            } else {
                "requirements-lessons-no"
            }),
            lessons_name,
            lessons_on,
            no_course,
            heading: Message::new("requirements-group")
                .arg("group", group_label)
                .arg("framework", &fw.title)
                .render(tr.0),
            rows,
        });
    }
    html(&RequirementsPage {
        l: Layout::for_viewer(tr, &parts.0, v),
        unit,
        year,
        source,
        years,
        own: r.own,
        can_edit: r.can_edit,
        sets_tables: r.sets_tables,
        groups,
        errors: shown.errors,
        saved: shown.saved,
        deleted: shown.deleted,
    })
}

fn year_of(raw: Option<&str>) -> Result<i32, Problem> {
    match raw.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => parse_year(y).map_err(|_| Problem::bad_request(Message::new("err-requirements-year"))),
        None => Ok(this_year()),
    }
}

async fn requirements_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::ViewLearning>(&unit.path)?;
    let year = year_of(q.year.as_deref())?;
    let shown = Shown {
        errors: Vec::new(),
        sent: None,
        saved: q.saved.is_some(),
        deleted: q.deleted.is_some(),
    };
    requirements_view(&state, tr, &parts, &v, unit, year, shown).await
}

async fn save_requirements(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(code): Path<String>,
    CsrfForm(v, form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::SetRequirements>(&unit.path)?;
    let year = parse_year(
        form.iter()
            .find(|(k, _)| k == "year")
            .map(|(_, y)| y.trim())
            .unwrap_or(""),
    )
    .map_err(|_| Problem::bad_request(Message::new("err-requirements-year")))?;
    let cells: Vec<(String, String)> = form.into_iter().filter(|(k, _)| k != "_csrf" && k != "year").collect();
    match app::set_unit_requirements(&state.app, &v.principal, &unit, year, &cells).await {
        Ok(()) => Ok(Redirect::to(&format!("/units/{}/requirements?year={year}&saved=1", unit.code)).into_response()),
        Err(AppError::Invalid(fs)) => {
            let mut errors = vec![tr.get("requirements-problems")];
            errors.extend(fs.iter().map(|f| {
                if f.field.is_empty() {
                    tr.msg(&f.message)
                } else {
                    format!("{}: {}", f.field, tr.msg(&f.message))
                }
            }));
            let shown = Shown {
                errors,
                sent: Some(cells),
                saved: false,
                deleted: false,
            };
            refused(
                requirements_view(&state, tr, &parts, &v, unit, year, shown).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct DeleteForm {
    #[serde(default)]
    year: String,
}

async fn delete_requirements(
    State(state): State<AppState>,
    Path(code): Path<String>,
    CsrfForm(v, form): CsrfForm<DeleteForm>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::SetRequirements>(&unit.path)?;
    let year = parse_year(form.year.trim()).map_err(|_| Problem::bad_request(Message::new("err-requirements-year")))?;
    app::delete_unit_requirements(&state.app, &v.principal, &unit, year).await?;
    Ok(Redirect::to(&format!("/units/{}/requirements?year={year}&deleted=1", unit.code)).into_response())
}

/// The frameworks for the steering committee (who corrects them or sets requirement tables).
pub fn nav(tr: Tr, v: Option<&Viewer>) -> Vec<Nav> {
    match v {
        Some(v)
            if v.principal.can_somewhere(Action::SetRequirements)
                || v.principal.can_somewhere(Action::ManageFrameworks) =>
        {
            vec![Nav {
                href: "/frameworks".into(),
                label: tr.get("nav-frameworks"),
                current: false,
            }]
        }
        _ => Vec::new(),
    }
}
