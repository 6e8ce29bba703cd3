//! People pages: the list and search of a unit's residents, registering a person with their
//! consent, the person's record (ID number masked; unmasking is a separate audited action),
//! password resets done in person, and consent withdrawal.

pub mod api;

use crate::kit::csrf::CsrfForm;
use crate::kit::format::{AccessRow, ConsentRow, access_rows, consent_rows};
use crate::kit::format::{load_unit, load_unit_with_children};
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, html};
use crate::kit::problem::{Problem, Rendered};
use crate::kit::routes::Access;
use crate::kit::state::AppState;
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_app::people::{self as app_people, Record, Registered};
use hocvuso_app::{Error as AppError, Via};
use hocvuso_core::access::act;
use hocvuso_core::i18n::Message;
use hocvuso_core::people::{PersonForm, TargetGroup, format_date};
use hocvuso_core::roles::Action;
use hocvuso_core::units::Level;
use hocvuso_db::people::{self, ConsentMethod, Person};
use hocvuso_db::units::{self, Unit};
use serde::Deserialize;
use time::OffsetDateTime;

pub fn router() -> crate::kit::routes::Routes {
    crate::kit::routes::Routes::new()
        .route("/units/{code}/people", Access::Scoped, get(list))
        .route("/units/{code}/people/new", Access::Scoped, get(new_page).post(create))
        .route("/people/{id}", Access::Scoped, get(show))
        .route("/people/{id}/reveal", Access::Scoped, post(reveal))
        .account_route(
            "/people/{id}/reset-password",
            Access::Scoped,
            get(reset_password_page).post(reset_password),
        )
        .route("/people/{id}/consent/withdraw", Access::Scoped, post(withdraw_consent))
        .route(
            "/people/{id}/certificates/revoke",
            Access::Scoped,
            post(revoke_certificate),
        )
        .route("/people/{id}/assessment", Access::Scoped, post(assess_in_person))
}

const PAGE: u64 = 50;

pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub birth: String,
    pub sex: String,
    pub pid: String,
    pub phone: String,
    pub groups: String,
    pub unit: String,
}

fn row(tr: Tr, p: &Person) -> PersonRow {
    PersonRow {
        id: p.id,
        name: p.full_name.clone(),
        birth: format_date(p.birth_date),
        sex: tr.get(p.sex.label_key()),
        pid: p.masked_pid(),
        phone: p.phone.clone().unwrap_or_default(),
        groups: p
            .groups()
            .iter()
            .map(|g| tr.get(&g.label_key()))
            .collect::<Vec<_>>()
            .join(", "),
        unit: p.unit_name.clone(),
    }
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    l: Layout,
    unit: Unit,
    q: String,
    people: Vec<PersonRow>,
    /// "1.234 người" (or "hơn 2.000" for a name search cut short).
    total: String,
    villages: Vec<(String, String)>,
    village: String,
    groups: Vec<(String, String)>,
    group: String,
    next: Option<String>,
    prev: Option<String>,
    truncated: bool,
    searched: bool,
    can_register: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    village: String,
    #[serde(default)]
    group: String,
    /// Older links say `cursor` for what is now `after`.
    cursor: Option<String>,
    after: Option<String>,
    before: Option<String>,
}

/// The query string of a people-list link: the filters, and where the page starts.
fn list_link(query: &str, village: &str, group: &str, cursor: (&str, &str)) -> String {
    let pairs: Vec<(&str, &str)> = [("q", query), ("village", village), ("group", group), cursor]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    format!("?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

async fn list(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, Problem> {
    // The unit and its villages in one statement: this page is the one officers open most.
    let (unit, children) = load_unit_with_children(&state, &code).await?;
    let query: String = hocvuso_core::text::clean_line("q", &q.q, 100).unwrap_or_default();
    let village_units: Vec<units::Unit> = if unit.level() == Level::Commune {
        children.into_iter().filter(|u| u.level() == Level::Village).collect()
    } else {
        Vec::new()
    };
    let village = village_units.iter().find(|u| u.code == q.village).cloned();
    let villages: Vec<(String, String)> = village_units.into_iter().map(|u| (u.code, u.name)).collect();
    let group = TargetGroup::ALL.into_iter().find(|g| g.as_str() == q.group);
    let at = match (q.before.as_deref(), q.after.as_deref().or(q.cursor.as_deref())) {
        (Some(b), _) => people::PageAt::Before(b),
        (None, Some(a)) => people::PageAt::After(a),
        (None, None) => people::PageAt::First,
    };
    let req = app_people::ListRequest {
        query: &query,
        village: village.as_ref(),
        group,
        at,
        limit: PAGE,
        count: true,
        via: Via::Page,
    };
    let listed = app_people::list(&state.app, &v.principal, &unit, req).await?;
    let page = listed.page;
    let village = listed.village.unwrap_or_default();
    let total = match (page.matched, listed.total) {
        (Some(n), _) if page.truncated => tr.msg(&Message::new("people-total-more").arg("count", tr.num(&(n as i64)))),
        (Some(n), _) => tr.msg(&Message::new("people-total").arg("count", tr.num(&(n as i64)))),
        (None, Some(people::Total::Exact(n))) => tr.msg(&Message::new("people-total").arg("count", tr.num(&n))),
        (None, _) => tr.msg(&Message::new("people-total-not-counted").arg("count", tr.num(&people::COUNT_BOUND))),
    };
    let group_str = group.map(|g| g.as_str()).unwrap_or("");
    let next = page
        .next_cursor
        .map(|c| list_link(&query, &village, group_str, ("after", &c)));
    let prev = page
        .prev_cursor
        .map(|c| list_link(&query, &village, group_str, ("before", &c)));
    html(&ListPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        people: page.people.iter().map(|p| row(tr, p)).collect(),
        total,
        groups: TargetGroup::ALL
            .into_iter()
            .map(|g| (g.as_str().to_string(), tr.get(&g.label_key())))
            .collect(),
        group: group_str.to_string(),
        villages,
        village,
        next,
        prev,
        truncated: page.truncated,
        searched: !query.is_empty() || group.is_some() || !q.village.is_empty(),
        q: query,
        can_register: v.principal.can(Action::RegisterPerson, &unit.path),
        unit,
    })
}

#[derive(Template)]
#[template(path = "people/new.html")]
struct NewPage {
    l: Layout,
    unit: Unit,
    form: PersonForm,
    consent: String,
    idem: String,
    villages: Vec<(String, String)>,
    groups: Vec<(String, String, bool)>,
    errors: Vec<(String, String)>,
    /// The same messages by field name, so each input can point at its own message.
    field_errors: std::collections::HashMap<String, String>,
}

async fn villages_of(state: &AppState, unit: &Unit) -> Result<Vec<(String, String)>, Problem> {
    if unit.level() != Level::Commune {
        return Ok(Vec::new());
    }
    Ok(units::children(&state.db, unit.id)
        .await?
        .into_iter()
        .filter(|u| u.level() == Level::Village)
        .map(|u| (u.code, u.name))
        .collect())
}

fn group_choices(tr: Tr, selected: &str) -> Vec<(String, String, bool)> {
    let chosen: Vec<&str> = selected.split(';').collect();
    TargetGroup::ALL
        .into_iter()
        .map(|g| {
            (
                g.as_str().to_string(),
                tr.get(&g.label_key()),
                chosen.contains(&g.as_str()),
            )
        })
        .collect()
}

async fn new_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::RegisterPerson>(&unit.path)?;
    html(&NewPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        villages: villages_of(&state, &unit).await?,
        groups: group_choices(tr, "resident"),
        form: PersonForm::default(),
        consent: String::new(),
        idem: hocvuso_core::crypto::random_token(),
        errors: Vec::new(),
        field_errors: Default::default(),
        unit,
    })
}

/// The registration form as posted: the person's fields, their groups as checkboxes, and consent.
#[derive(Deserialize)]
struct CreateForm {
    #[serde(flatten)]
    person: PersonForm,
    #[serde(default)]
    consent: String,
    /// Idempotency key of this form: a double-clicked submit registers the person once.
    #[serde(default, rename = "_idem")]
    idem: String,
    #[serde(default)]
    group_public_staff: Option<String>,
    #[serde(default)]
    group_student: Option<String>,
    #[serde(default)]
    group_worker: Option<String>,
    #[serde(default)]
    group_resident: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(code): Path<String>,
    CsrfForm(v, form): CsrfForm<CreateForm>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    v.principal.authorize::<act::RegisterPerson>(&unit.path)?;
    let mut pf = form.person.clone();
    let groups: Vec<&str> = [
        (form.group_public_staff.is_some(), "public_staff"),
        (form.group_student.is_some(), "student"),
        (form.group_worker.is_some(), "worker"),
        (form.group_resident.is_some(), "resident"),
    ]
    .into_iter()
    .filter_map(|(on, g)| on.then_some(g))
    .collect();
    pf.groups = groups.join(";");
    let today = OffsetDateTime::now_utc().date();
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut field_errors: std::collections::HashMap<String, String> = Default::default();
    let consent = ConsentMethod::parse(&form.consent);
    if consent.is_none() {
        errors.push((tr.get("consent-title"), tr.get("err-consent-required")));
        field_errors.insert("consent".into(), tr.get("err-consent-required"));
    }
    let validated = pf.validate(today);
    if let Err(errs) = &validated {
        for e in errs {
            errors.push((tr.get(&format!("field-{}", e.field)), tr.msg(&e.message)));
            field_errors
                .entry(e.field.clone())
                .or_insert_with(|| tr.msg(&e.message));
        }
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty()
        && let (Ok(p), Some(consent)) = (&validated, consent)
    {
        let idem = hocvuso_db::idempotency::valid_key(&form.idem).then_some(form.idem.as_str());
        let r = app_people::Registration {
            person: p,
            consent,
            idem,
        };
        match app_people::register(&state.app, &v.principal, &unit, r).await {
            Ok(Registered::Created { url, .. } | Registered::Repeat { url }) => {
                return Ok(Redirect::to(&url).into_response());
            }
            Err(e) => {
                let (s, fields) = match e {
                    AppError::Invalid(f) => (StatusCode::UNPROCESSABLE_ENTITY, f),
                    AppError::Conflict(f) if f.field.is_empty() => return Err(AppError::Conflict(f).into()),
                    AppError::Conflict(f) => (StatusCode::CONFLICT, vec![f]),
                    AppError::Limited(f) => (StatusCode::TOO_MANY_REQUESTS, vec![f]),
                    other => return Err(other.into()),
                };
                status = s;
                for f in fields {
                    let m = tr.msg(&f.message);
                    errors.push((tr.get(&format!("field-{}", f.field)), m.clone()));
                    field_errors.entry(f.field).or_insert(m);
                }
            }
        }
    }
    let page = NewPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        villages: villages_of(&state, &unit).await?,
        groups: group_choices(tr, &pf.groups),
        form: form.person,
        consent: form.consent,
        idem: form.idem,
        errors,
        field_errors,
        unit,
    };
    let mut r = html(&page)?;
    *r.status_mut() = status;
    r.extensions_mut().insert(Rendered);
    Ok(r)
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct ShowPage {
    l: Layout,
    p: PersonRow,
    person_id: i64,
    unit_code: String,
    revealed: Option<String>,
    temp_password: Option<String>,
    has_account: bool,
    must_change: bool,
    consents: Vec<ConsentRow>,
    consent_active: bool,
    access: Vec<AccessRow>,
    can_unmask: bool,
    can_reset: bool,
    can_manage: bool,
    can_audit: bool,
    certificates: Vec<CertificateRow>,
    /// The viewer may conduct a final assessment in person: the person's groups to choose from.
    assess_groups: Vec<(String, String)>,
}

struct CertificateRow {
    code: String,
    achievement: String,
    level: String,
    issued_on: String,
    /// When and why it was revoked, when it was.
    revoked: Option<(String, String)>,
}

fn person_id(id: &str) -> Result<i64, Problem> {
    id.parse().map_err(|_| Problem::not_found())
}

fn show_view(
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    r: Record,
    temp_password: Option<String>,
) -> Result<Response, Problem> {
    let p = &r.person;
    let (consents, consent_active) = consent_rows(tr, &r.consents);
    html(&ShowPage {
        l: Layout::for_viewer(tr, &parts.0, v),
        person_id: p.id,
        unit_code: r.unit_code.clone(),
        revealed: r.revealed.clone(),
        temp_password,
        has_account: r.account.is_some(),
        must_change: r.account.as_ref().is_some_and(|a| a.must_change_password),
        consents,
        consent_active,
        can_audit: r.access.is_some(),
        access: r.access.map(|a| access_rows(tr, a)).unwrap_or_default(),
        can_unmask: v.principal.can(Action::UnmaskPersonalId, &p.unit_path),
        can_reset: v.principal.can(Action::ResetPassword, &p.unit_path) && r.reset_reachable,
        can_manage: v.principal.can(Action::ManagePeople, &p.unit_path),
        assess_groups: if v.principal.can(Action::RegisterPerson, &p.unit_path) && v.principal.person_id != Some(p.id) {
            p.groups
                .iter()
                .map(|g| (g.as_str().to_string(), tr.get(&g.label_key())))
                .collect()
        } else {
            Vec::new()
        },
        certificates: r
            .certificates
            .iter()
            .map(|c| CertificateRow {
                code: c.code.clone(),
                achievement: c.achievement.clone(),
                level: c.level.clone(),
                issued_on: hocvuso_core::people::format_date(c.issued_on),
                revoked: c.revoked_at.map(|at| {
                    (
                        crate::kit::format::fmt_time(&at),
                        c.revoked_reason.clone().unwrap_or_default(),
                    )
                }),
            })
            .collect(),
        p: row(tr, p),
    })
}

async fn show(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let r = app_people::view(&state.app, &v.principal, person_id(&id)?, &reveal_owner(&v)).await?;
    show_view(tr, &parts, &v, r, None)
}

/// Whose reveal ticket: the browser session (a bearer token has none; its account then).
fn reveal_owner(v: &Viewer) -> String {
    match &v.session_token {
        Some(t) => format!("s:{}", hocvuso_core::crypto::token_digest(t)),
        None => format!("a:{}", v.account.id),
    }
}

/// Audits the unmasking and redirects to the person's page, which shows the number once
/// (post/redirect/get: a reload neither repeats the reveal nor puts the number in a URL).
async fn reveal(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(v, _): CsrfForm<serde_json::Value>,
) -> Result<Response, Problem> {
    let id = app_people::unmask(&state.app, &v.principal, person_id(&id)?, &reveal_owner(&v)).await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "people/reset.html")]
struct ResetPage {
    l: Layout,
    person_id: i64,
    name: String,
    has_account: bool,
    consequences: Vec<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ResetQuery {
    #[serde(default)]
    unconfirmed: Option<String>,
}

/// Says what a temporary password does before one is issued; nothing is ticked in advance.
async fn reset_password_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ResetQuery>,
) -> Result<Response, Problem> {
    let (p, has_account) = app_people::reset_preview(&state.app, &v.principal, person_id(&id)?).await?;
    let m = |key: &str| tr.msg(&Message::new(key).arg("name", p.full_name.as_str()));
    let consequences = if has_account {
        vec![
            m("reset-will-new"),
            m("reset-will-old-stops"),
            m("reset-will-sessions"),
            m("reset-will-change"),
        ]
    } else {
        vec![m("reset-will-create"), m("reset-will-change")]
    };
    let mut r = html(&ResetPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        person_id: p.id,
        name: p.full_name.clone(),
        has_account,
        consequences,
        error: q.unconfirmed.is_some().then(|| tr.get("reset-not-confirmed")),
    })?;
    if q.unconfirmed.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r.extensions_mut().insert(Rendered);
    }
    Ok(r)
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

/// An officer, with the resident in front of them, sets a temporary password (creating the
/// account if needed); the resident must change it at next sign-in.
async fn reset_password(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(id): Path<String>,
    CsrfForm(v, confirm): CsrfForm<ConfirmForm>,
) -> Result<Response, Problem> {
    let id = person_id(&id)?;
    if confirm.confirm != crate::kit::format::CONFIRMED {
        // Refused before anything else, confirmed or not, when the viewer may not act on it.
        let (p, _) = app_people::reset_preview(&state.app, &v.principal, id).await?;
        // Not confirmed: nothing is issued; the confirmation page says why it is shown again.
        return Ok(Redirect::to(&format!("/people/{}/reset-password?unconfirmed=1", p.id)).into_response());
    }
    let (r, temp) = app_people::reset_password(&state.app, &v.principal, id).await?;
    show_view(tr, &parts, &v, r, Some(temp))
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    reason: String,
}

/// Revokes one of the person's certificates with its reason; the page shows it revoked.
async fn revoke_certificate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(v, form): CsrfForm<RevokeForm>,
) -> Result<Response, Problem> {
    let id = person_id(&id)?;
    hocvuso_app::assessment::certificate::revoke(&state.app, &v.principal, id, &form.code, &form.reason).await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

#[derive(Deserialize)]
struct AssessForm {
    #[serde(default)]
    group: String,
}

/// Starts a final assessment the viewer conducts in person for this person; its questions open
/// on the viewer's device.
async fn assess_in_person(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(v, form): CsrfForm<AssessForm>,
) -> Result<Response, Problem> {
    let group = hocvuso_core::people::TargetGroup::parse(&form.group);
    let s = hocvuso_app::assessment::start_in_person(&state.app, &v.principal, person_id(&id)?, group).await?;
    Ok(Redirect::to(&format!("/tests/attempt/{}/1", s.public_id)).into_response())
}

async fn withdraw_consent(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(v, _): CsrfForm<serde_json::Value>,
) -> Result<Response, Problem> {
    let id = app_people::withdraw_consent(&state.app, &v.principal, person_id(&id)?).await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}
