//! Access management: who holds which role on which unit, granting a role to an account (by phone,
//! creating a staff account with a temporary password if needed) and revoking it. A role can only
//! be granted inside the granter's subtree, and on a narrower unit unless it is a lower role.

use crate::kit::csrf::CsrfForm;
use crate::kit::format::fmt_time;
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, Nav, html};
use crate::kit::problem::{Problem, Rendered};
use crate::kit::routes::Access;
use crate::kit::state::AppState;
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_app::Error as AppError;
use hocvuso_app::access::{self as app_access, GrantRequest, Granted};
use hocvuso_core::access::act;
use hocvuso_core::i18n::Message;
use hocvuso_core::roles::{Action, Role};
use hocvuso_core::text;
use hocvuso_db::accounts;
use hocvuso_db::units;
use serde::Deserialize;

pub fn router() -> crate::kit::routes::Routes {
    crate::kit::routes::Routes::new()
        .account_route("/access", Access::ScopedByForm, get(page).post(grant))
        .account_route("/access/revoke", Access::ScopedByForm, post(revoke))
}

pub struct GrantRow {
    pub id: i64,
    pub account: String,
    pub role: String,
    pub unit: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "access/list.html")]
struct AccessPage {
    l: Layout,
    grants: Vec<GrantRow>,
    roles: Vec<(String, String)>,
    error: Option<String>,
    created: Option<(String, String)>,
    /// The unit picker: what was typed, what matched, and the unit chosen.
    unit_q: String,
    unit_matches: Vec<UnitChoice>,
    searched: bool,
    chosen: Option<UnitChoice>,
}

pub struct UnitChoice {
    pub code: String,
    pub name: String,
    /// Where it lies ("Tỉnh Thái Nguyên"), so two "Thôn 1" can be told apart.
    pub within: String,
}

/// How many units the picker lists for one search.
const UNIT_CHOICES: u64 = 30;

/// What the unit picker shows.
#[derive(Default, Deserialize)]
struct Picker {
    /// The search typed: a name without diacritics, or a code.
    #[serde(default)]
    unit_q: String,
    /// The unit chosen from the results.
    #[serde(default)]
    unit: String,
}

/// The unit, if it lies inside one of the actor's granting scopes.
async fn unit_in_scope(state: &AppState, v: &Viewer, code: &str) -> Result<Option<hocvuso_db::units::Unit>, Problem> {
    let code = code.trim();
    if code.is_empty() || code.len() > 60 {
        return Ok(None);
    }
    Ok(units::by_code(&state.db, code)
        .await?
        .filter(|u| u.active && v.principal.can(Action::GrantRoles, &u.path)))
}

async fn choice(state: &AppState, u: hocvuso_db::units::Unit) -> Result<UnitChoice, Problem> {
    let parents = units::ancestors(&state.db, &u).await?;
    let within = parents
        .iter()
        .filter(|a| a.id != u.id && a.parent_id.is_some())
        .map(|a| a.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    Ok(UnitChoice {
        code: u.code,
        name: u.name,
        within,
    })
}

async fn view(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    picker: &Picker,
    error: Option<String>,
    created: Option<(String, String)>,
) -> Result<Response, Problem> {
    let scopes = v.principal.scopes::<act::GrantRoles>();
    let Some(scope) = scopes.first() else {
        return Err(Problem::forbidden());
    };
    let mut grants = Vec::new();
    for g in accounts::grants_in(&state.db, scope.root()).await? {
        let name = accounts::get(&state.db, g.account_id)
            .await?
            .map(|a| format!("{} ({})", a.display_name, a.phone.unwrap_or_default()))
            .unwrap_or_default();
        grants.push(GrantRow {
            id: g.id,
            account: name,
            role: tr.get(&g.role.label_key()),
            unit: format!("{} ({})", g.unit_name, g.unit_code),
            since: fmt_time(&g.granted_at),
        });
    }
    let roles = Role::ALL
        .iter()
        .filter(|r| **r != Role::Learner)
        .map(|r| (r.as_str().to_string(), tr.get(&r.label_key())))
        .collect();
    let unit_q = text::clean_line("unit_q", &picker.unit_q, 100).unwrap_or_default();
    let mut unit_matches = Vec::new();
    if !unit_q.is_empty() {
        let mut seen = std::collections::HashSet::new();
        for g in &scopes {
            for u in units::search_in(&state.db, g.root(), &unit_q, UNIT_CHOICES).await? {
                if seen.insert(u.id) && (unit_matches.len() as u64) < UNIT_CHOICES {
                    unit_matches.push(choice(state, u).await?);
                }
            }
        }
    }
    let chosen = match unit_in_scope(state, v, &picker.unit).await? {
        Some(u) => Some(choice(state, u).await?),
        None => None,
    };
    let mut r = html(&AccessPage {
        l: Layout::for_viewer(tr, &parts.0, v),
        grants,
        roles,
        created,
        error: error.clone(),
        searched: !unit_q.is_empty(),
        unit_q,
        unit_matches,
        chosen,
    })?;
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r.extensions_mut().insert(Rendered);
    }
    Ok(r)
}

async fn page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    axum::extract::Query(picker): axum::extract::Query<Picker>,
) -> Result<Response, Problem> {
    view(&state, tr, &parts, &v, &picker, None, None).await
}

#[derive(Deserialize)]
struct GrantForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_code: String,
}

async fn grant(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    CsrfForm(v, form): CsrfForm<GrantForm>,
) -> Result<Response, Problem> {
    if !v.principal.can_somewhere(Action::GrantRoles) {
        return Err(Problem::forbidden());
    }
    // A refused form comes back with the chosen unit still chosen.
    let picker = Picker {
        unit_q: String::new(),
        unit: form.unit_code.clone(),
    };
    macro_rules! fail {
        ($m:expr) => {
            view(&state, tr, &parts, &v, &picker, Some(tr.msg(&$m)), None)
        };
    }
    let Some(role) = Role::parse(&form.role).filter(|r| *r != Role::Learner) else {
        return fail!(Message::new("err-role")).await;
    };
    let Some(unit) = units::by_code(&state.db, form.unit_code.trim()).await? else {
        return fail!(Message::new("err-access-unit-choose")).await;
    };
    if !v.principal.may_grant(role, &unit.path) {
        return Err(Problem::forbidden());
    }
    let Some(phone) = text::normalize_phone(&form.phone) else {
        return fail!(Message::new("err-phone").arg("value", form.phone.trim())).await;
    };
    let r = GrantRequest {
        role,
        unit: &unit,
        phone: &phone,
        name: &form.name,
    };
    match app_access::grant(&state.app, &v.principal, r).await {
        Ok(Granted { created: Some(c), .. }) => {
            return view(&state, tr, &parts, &v, &Picker::default(), None, Some(c)).await;
        }
        Ok(_) => {}
        Err(AppError::Invalid(mut f)) if !f.is_empty() => return fail!(f.remove(0).message).await,
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/access").into_response())
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    grant_id: i64,
}

async fn revoke(State(state): State<AppState>, CsrfForm(v, form): CsrfForm<RevokeForm>) -> Result<Response, Problem> {
    app_access::revoke(&state.app, &v.principal, form.grant_id).await?;
    Ok(Redirect::to("/access").into_response())
}

/// Roles, for whoever may grant some.
pub fn nav(tr: Tr, v: Option<&Viewer>) -> Vec<Nav> {
    match v {
        Some(v) if v.principal.can_somewhere(Action::GrantRoles) => vec![Nav {
            href: "/access".into(),
            label: tr.get("nav-access"),
            current: false,
        }],
        _ => Vec::new(),
    }
}
