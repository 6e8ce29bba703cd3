//! People pages: the list and search of a unit's residents, registering a person with their
//! consent, the person's record (ID number masked; unmasking is a separate audited action),
//! password resets done in person, and consent withdrawal.

use crate::AppState;
use crate::auth::{Parts0, Viewer};
use crate::authz;
use crate::csrf::CsrfForm;
use crate::error::{Problem, Rendered};
use crate::i18n::Tr;
use crate::pages::units::load;
use crate::pages::{Layout, html};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_core::i18n::Message;
use hocvuso_core::password;
use hocvuso_core::people::{PersonForm, TargetGroup, format_date};
use hocvuso_core::roles::Action;
use hocvuso_core::units::Level;
use hocvuso_db::accounts::{self, NewAccount};
use hocvuso_db::audit::{self, Entry, Filter};
use hocvuso_db::people::{self, ConsentMethod, Person, PersonError, Placement, SearchTerm};
use hocvuso_db::sessions;
use hocvuso_db::units::{self, Unit};
use serde::Deserialize;
use time::OffsetDateTime;

pub fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/units/{code}/people", get(list))
        .route("/units/{code}/people/new", get(new_page).post(create))
        .route("/people/{id}", get(show))
        .route("/people/{id}/reveal", post(reveal))
        .route(
            "/people/{id}/reset-password",
            get(reset_password_page).post(reset_password),
        )
        .route("/people/{id}/consent/withdraw", post(withdraw_consent))
}

const PAGE: u64 = 50;

/// Times are shown in Vietnam time (UTC+7), day first.
pub fn fmt_time(t: &OffsetDateTime) -> String {
    let offset = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let t = t.to_offset(offset);
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

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
    let unit = load(&state, &code).await?;
    authz::require(&v, Action::ViewPeople, &unit.path)?;
    let query: String = hocvuso_core::text::clean_line("q", &q.q, 100).unwrap_or_default();
    let term = SearchTerm::parse(&query);
    let villages = villages_of(&state, &unit).await?;
    // A village filter narrows the scope to the village's subtree: the same index range, shorter.
    let village = villages
        .iter()
        .find(|(c, _)| *c == q.village)
        .map(|(c, _)| c.clone())
        .unwrap_or_default();
    let scope = match village.as_str() {
        "" => unit.path.clone(),
        c => match units::by_code(&state.db, c).await? {
            Some(vu) if vu.path.starts_with(&unit.path) => vu.path,
            _ => unit.path.clone(),
        },
    };
    let group = TargetGroup::ALL.into_iter().find(|g| g.as_str() == q.group);
    let filter = people::ListFilter { group };
    let at = match (q.before.as_deref(), q.after.as_deref().or(q.cursor.as_deref())) {
        (Some(b), _) => people::PageAt::Before(b),
        (None, Some(a)) => people::PageAt::After(a),
        (None, None) => people::PageAt::First,
    };
    let page = people::list(&state.db, &state.vault, &scope, &term, filter, at, PAGE).await?;
    let total = match page.matched {
        Some(n) if page.truncated => tr.msg(&Message::new("people-total-more").arg("count", tr.num(&(n as i64)))),
        Some(n) => tr.msg(&Message::new("people-total").arg("count", tr.num(&(n as i64)))),
        None => match people::count_filtered(&state.db, &scope, filter).await? {
            people::Total::Exact(n) => tr.msg(&Message::new("people-total").arg("count", tr.num(&n))),
            people::Total::Over(n) => tr.msg(&Message::new("people-total-over").arg("count", tr.num(&n))),
            people::Total::NotCounted => {
                tr.msg(&Message::new("people-total-not-counted").arg("count", tr.num(&people::COUNT_BOUND)))
            }
        },
    };
    let group_str = group.map(|g| g.as_str()).unwrap_or("");
    audit::record(
        &state.db,
        &v.actor(),
        Entry {
            action: "people.list",
            object_kind: "unit",
            object_id: unit.code.clone(),
            person_id: None,
            unit_path: &unit.path,
            detail: {
                let mut d = search_audit_detail(&state, &query, &term, page.people.len());
                d["village"] = serde_json::json!(village);
                d["group"] = serde_json::json!(group_str);
                d
            },
        },
    )
    .await?;
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
        can_register: authz::can(&v, Action::RegisterPerson, &unit.path),
        unit,
    })
}

/// What the audit log keeps of a search: never an ID number (nor a phone) in plain text — the
/// log is append-only and cannot be purged — but its masked form and, for an ID number, a short
/// reference derived from its blind index, by which an auditor holding the number can tell which
/// searches looked for it.
pub fn search_audit_detail(state: &AppState, query: &str, term: &SearchTerm, shown: usize) -> serde_json::Value {
    let mut d = serde_json::json!({
        "query": hocvuso_core::personal_id::redact_numbers(query),
        "shown": shown,
    });
    if let SearchTerm::PersonalId(id) = term {
        let ix = state.vault.blind_index(id);
        d["pid_ref"] = serde_json::Value::String(ix.iter().take(8).map(|b| format!("{b:02x}")).collect());
    }
    d
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
    let unit = load(&state, &code).await?;
    authz::require(&v, Action::RegisterPerson, &unit.path)?;
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
    let unit = load(&state, &code).await?;
    authz::require(&v, Action::RegisterPerson, &unit.path)?;
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
    // Residence: the chosen village of the commune, or the unit itself.
    let mut residence = unit.clone();
    if let Ok(p) = &validated
        && let Some(vcode) = &p.village
    {
        match units::by_code(&state.db, vcode).await? {
            Some(vu) if vu.parent_id == Some(unit.id) && vu.level() == Level::Village => residence = vu,
            _ => errors.push((
                tr.get("field-village"),
                tr.msg(&Message::new("err-import-village").arg("value", vcode)),
            )),
        }
    }
    let mut workplace_id = None;
    if let Ok(p) = &validated
        && let Some(w) = &p.workplace
    {
        match units::find_organisation(&state.db, &unit.province_path(), w).await? {
            Some(org) => workplace_id = Some(org.id),
            None => {
                let m = tr.msg(&Message::new("err-import-workplace").arg("value", w));
                errors.push((tr.get("field-workplace"), m.clone()));
                field_errors.insert("workplace".into(), m);
            }
        }
    }
    if errors.is_empty()
        && let (Ok(_), Some(_)) = (&validated, consent)
        && !state.throttle.id_refusals_allowed(v.account.id)
    {
        // Each refusal tells whether a number is held somewhere: past the limit, no more probes.
        errors.push((tr.get("field-personal_id"), tr.get("err-pid-refusals-limit")));
        field_errors.insert("personal_id".into(), tr.get("err-pid-refusals-limit"));
    }
    let mut refused = false;
    if errors.is_empty()
        && let (Ok(p), Some(method)) = (&validated, consent)
    {
        let mut tx = state.db.begin().await?;
        let idem = hocvuso_db::idempotency::valid_key(&form.idem).then_some(form.idem.as_str());
        if let Some(key) = idem
            && !hocvuso_db::idempotency::claim(&mut tx, v.account.id, key).await?
        {
            drop(tx);
            return match hocvuso_db::idempotency::result(&state.db, v.account.id, key).await? {
                Some(url) => Ok(Redirect::to(&url).into_response()),
                None => Err(Problem::conflict(Message::new("err-repeat"))),
            };
        }
        let household_id = match &p.household {
            Some(h) => Some(people::household_id(&mut tx, residence.id, h).await?),
            None => None,
        };
        let place = Placement {
            residence: &residence,
            workplace_id,
            household_id,
        };
        match people::insert(&mut tx, &state.vault, p, &place, Some(v.account.id)).await {
            Ok(id) => {
                people::record_consent(&mut tx, id, method, Some(v.account.id)).await?;
                audit::append(
                    &mut tx,
                    &v.actor(),
                    Entry {
                        action: "person.create",
                        object_kind: "person",
                        object_id: id.to_string(),
                        person_id: Some(id),
                        unit_path: &residence.path,
                        detail: serde_json::json!({"consent": method.as_str()}),
                    },
                )
                .await?;
                let url = format!("/people/{id}");
                if let Some(key) = idem {
                    hocvuso_db::idempotency::finish(&mut tx, v.account.id, key, &url).await?;
                }
                tx.commit().await?;
                return Ok(Redirect::to(&url).into_response());
            }
            Err(PersonError::DuplicateId) => {
                drop(tx);
                refused = true;
                let n = state.throttle.count_id_refusal(v.account.id);
                // The refusal is kept (one record per person) but audited, without the number.
                audit::record(
                    &state.db,
                    &v.actor(),
                    Entry {
                        action: "person.pid_refused",
                        object_kind: "unit",
                        object_id: unit.code.clone(),
                        person_id: None,
                        unit_path: &residence.path,
                        detail: serde_json::json!({
                            "pid": p.personal_id.masked(),
                            "pid_ref": state.vault.blind_index(&p.personal_id).iter().take(8).map(|b| format!("{b:02x}")).collect::<String>(),
                            "refusals_this_hour": n,
                            "via": "form",
                        }),
                    },
                )
                .await?;
                errors.push((tr.get("field-personal_id"), tr.get("err-pid-duplicate")));
                field_errors.insert("personal_id".into(), tr.get("err-pid-duplicate"));
            }
            Err(PersonError::Invalid(m)) => errors.push((String::new(), tr.msg(&m))),
            Err(PersonError::Db(e)) => return Err(e.into()),
        }
    }
    let status = if refused {
        StatusCode::CONFLICT
    } else if errors.iter().any(|(_, m)| m == &tr.get("err-pid-refusals-limit")) {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
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

pub struct ConsentRow {
    pub method: String,
    pub given: String,
    pub withdrawn: Option<String>,
}

pub struct AccessRow {
    pub at: String,
    pub who: String,
    pub action: String,
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
}

pub fn consent_rows(tr: Tr, list: &[people::Consent]) -> (Vec<ConsentRow>, bool) {
    let active = list.iter().any(|c| c.withdrawn_at.is_none());
    let rows = list
        .iter()
        .map(|c| ConsentRow {
            method: tr.get(&format!("consent-{}", c.method.as_str())),
            given: fmt_time(&c.given_at),
            withdrawn: c.withdrawn_at.as_ref().map(fmt_time),
        })
        .collect();
    (rows, active)
}

pub fn access_rows(tr: Tr, list: Vec<audit::AuditRow>) -> Vec<AccessRow> {
    list.into_iter()
        .map(|a| AccessRow {
            at: fmt_time(&a.at),
            who: a.actor_label,
            action: tr.get(&format!("audit-{}", a.action.replace('.', "-"))),
        })
        .collect()
}

async fn load_person(state: &AppState, v: &Viewer, id: &str, action: Action) -> Result<Person, Problem> {
    let id: i64 = id.parse().map_err(|_| Problem::not_found())?;
    let p = people::get(&state.db, id).await?.ok_or_else(Problem::not_found)?;
    // Out of sight: 404, the record's existence is not revealed. In sight but not allowed: 403.
    authz::require_person(v, Action::ViewPeople, &p.unit_path)?;
    authz::require(v, action, &p.unit_path)?;
    Ok(p)
}

async fn show_view(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    p: Person,
    revealed: Option<String>,
    temp_password: Option<String>,
) -> Result<Response, Problem> {
    let account = accounts::by_person(&state.db, p.id).await?;
    let reset_reachable = match &account {
        Some(a) => authz::can_act_on_account(v, &accounts::grants(&state.db, a.id).await?),
        None => true,
    };
    let (consents, consent_active) = consent_rows(tr, &people::consents(&state.db, p.id).await?);
    let can_audit = authz::can(v, Action::ViewAudit, &p.unit_path);
    let access = if can_audit {
        access_rows(
            tr,
            audit::list(
                &state.db,
                &Filter {
                    person_id: Some(p.id),
                    ..Default::default()
                },
                20,
            )
            .await?,
        )
    } else {
        Vec::new()
    };
    let unit_code = units::get(&state.db, p.unit_id)
        .await?
        .map(|u| u.code)
        .unwrap_or_default();
    html(&ShowPage {
        l: Layout::for_viewer(tr, &parts.0, v),
        person_id: p.id,
        unit_code,
        revealed,
        temp_password,
        has_account: account.is_some(),
        must_change: account.as_ref().is_some_and(|a| a.must_change_password),
        consents,
        consent_active,
        access,
        can_unmask: authz::can(v, Action::UnmaskPersonalId, &p.unit_path),
        can_reset: authz::can(v, Action::ResetPassword, &p.unit_path) && reset_reachable,
        can_manage: authz::can(v, Action::ManagePeople, &p.unit_path),
        can_audit,
        p: row(tr, &p),
    })
}

async fn show(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let p = load_person(&state, &v, &id, Action::ViewPeople).await?;
    audit::record(
        &state.db,
        &v.actor(),
        Entry {
            action: "person.view",
            object_kind: "person",
            object_id: p.id.to_string(),
            person_id: Some(p.id),
            unit_path: &p.unit_path,
            detail: serde_json::json!({}),
        },
    )
    .await?;
    // The reveal POST left a ticket for this session: show the full number this once.
    let revealed = if hocvuso_db::reveal::take(&state.db, &reveal_owner(&v), p.id).await? {
        people::reveal_personal_id(&state.db, &state.vault, p.id).await?
    } else {
        None
    };
    show_view(&state, tr, &parts, &v, p, revealed, None).await
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
    let p = load_person(&state, &v, &id, Action::UnmaskPersonalId).await?;
    audit::record(
        &state.db,
        &v.actor(),
        Entry {
            action: "person.unmask",
            object_kind: "person",
            object_id: p.id.to_string(),
            person_id: Some(p.id),
            unit_path: &p.unit_path,
            detail: serde_json::json!({}),
        },
    )
    .await?;
    hocvuso_db::reveal::issue(&state.db, &reveal_owner(&v), p.id).await?;
    Ok(Redirect::to(&format!("/people/{}", p.id)).into_response())
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
    let p = load_person(&state, &v, &id, Action::ResetPassword).await?;
    let account = accounts::by_person(&state.db, p.id).await?;
    if let Some(a) = &account {
        authz::require_act_on_account(&v, &accounts::grants(&state.db, a.id).await?)?;
    }
    let has_account = account.is_some();
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
    let p = load_person(&state, &v, &id, Action::ResetPassword).await?;
    // Refused before anything else, confirmed or not: the account holds rights wider than the
    // viewer could grant.
    if let Some(a) = accounts::by_person(&state.db, p.id).await? {
        authz::require_act_on_account(&v, &accounts::grants(&state.db, a.id).await?)?;
    }
    if confirm.confirm != crate::pages::units::CONFIRMED {
        // Not confirmed: nothing is issued; the confirmation page says why it is shown again.
        return Ok(Redirect::to(&format!("/people/{}/reset-password?unconfirmed=1", p.id)).into_response());
    }
    let temp = password::temporary();
    let t2 = temp.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&t2))
        .await
        .map_err(|_| Problem::internal())?;
    let pid = people::reveal_personal_id(&state.db, &state.vault, p.id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let index = hocvuso_core::personal_id::PersonalId::parse(&pid)
        .map(|id| state.vault.blind_index(&id))
        .ok();
    let mut tx = state.db.begin().await?;
    // Again inside the writing transaction, on the account locked as it is now: its grants may
    // have changed since the page was shown.
    let existing = accounts::by_person_tx(&mut tx, p.id).await?;
    if let Some(a) = &existing {
        authz::require_act_on_account(&v, &accounts::grants_tx(&mut tx, a.id).await?)?;
    }
    match &existing {
        Some(a) => {
            accounts::set_password(&mut tx, a.id, hash, true).await?;
            if let Some(ix) = index.clone()
                && accounts::by_pid_index(&state.db, ix.clone()).await?.is_none()
            {
                accounts::set_pid_index(&mut tx, a.id, ix).await?;
            }
        }
        None => {
            // A phone already used by another account is left out; the ID number still signs in.
            let phone_free = match &p.phone {
                Some(ph) => accounts::by_phone(&state.db, ph).await?.is_none(),
                None => false,
            };
            accounts::create(
                &mut tx,
                NewAccount {
                    display_name: &p.full_name,
                    phone: if phone_free { p.phone.as_deref() } else { None },
                    pid_index: index,
                    person_id: Some(p.id),
                    password_hash: hash,
                    must_change_password: true,
                },
            )
            .await
            .map_err(|e| {
                if matches!(e, hocvuso_db::DbError::Unique(_)) {
                    Problem::conflict(Message::new("err-account-exists"))
                } else {
                    e.into()
                }
            })?;
        }
    }
    audit::append(
        &mut tx,
        &v.actor(),
        Entry {
            action: "person.password_reset",
            object_kind: "person",
            object_id: p.id.to_string(),
            person_id: Some(p.id),
            unit_path: &p.unit_path,
            detail: serde_json::json!({"created": existing.is_none()}),
        },
    )
    .await?;
    tx.commit().await?;
    if let Some(a) = existing {
        sessions::delete_for_account(&state.db, a.id).await?;
    }
    show_view(&state, tr, &parts, &v, p, None, Some(temp)).await
}

async fn withdraw_consent(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(v, _): CsrfForm<serde_json::Value>,
) -> Result<Response, Problem> {
    let p = load_person(&state, &v, &id, Action::ManagePeople).await?;
    let mut tx = state.db.begin().await?;
    people::withdraw_consent(&mut tx, p.id, Some(v.account.id)).await?;
    audit::append(
        &mut tx,
        &v.actor(),
        Entry {
            action: "person.consent_withdrawn",
            object_kind: "person",
            object_id: p.id.to_string(),
            person_id: Some(p.id),
            unit_path: &p.unit_path,
            detail: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{}", p.id)).into_response())
}
