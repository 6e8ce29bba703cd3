//! "My data": a person sees what the platform holds about them, their consent (and can withdraw
//! it), and who has looked at their record. Staff create API tokens for machine clients here.

use crate::kit::csrf::CsrfForm;
use crate::kit::format::{AccessRow, ConsentRow, access_rows, consent_rows, fmt_time};
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, Nav, html};
use crate::kit::problem::Problem;
use crate::kit::routes::Access;
use crate::kit::state::AppState;
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_core::people::format_date;
use hocvuso_core::roles::Action;
use hocvuso_db::accounts;
use serde::Deserialize;

pub fn router() -> crate::kit::routes::Routes {
    crate::kit::routes::Routes::new()
        .route("/me", Access::Own, get(page))
        .route("/me/consent/withdraw", Access::Own, post(withdraw))
        .route("/me/tokens", Access::Own, post(create_token))
        .route("/me/tokens/revoke", Access::Own, post(revoke_token))
}

pub struct Held {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "me/me.html")]
struct MePage {
    l: Layout,
    name: String,
    held: Vec<Held>,
    consents: Vec<ConsentRow>,
    consent_active: bool,
    access: Vec<AccessRow>,
    is_person: bool,
    can_tokens: bool,
    new_token: Option<String>,
    tokens: Vec<TokenRow>,
}

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub expires: String,
    pub live: bool,
    pub state: String,
}

async fn view(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    new_token: Option<String>,
) -> Result<Response, Problem> {
    let mut held = vec![Held {
        label: tr.get("field-phone"),
        value: v.account.phone.clone().unwrap_or_default(),
    }];
    let (mut consents, mut consent_active, mut access) = (Vec::new(), false, Vec::new());
    if let Some(own) = hocvuso_app::people::own_record(&state.app, &v.principal).await? {
        let p = &own.person;
        held = vec![
            Held {
                label: tr.get("field-full_name"),
                value: p.full_name.clone(),
            },
            Held {
                label: tr.get("field-birth_date"),
                value: format_date(p.birth_date),
            },
            Held {
                label: tr.get("field-sex"),
                value: tr.get(p.sex.label_key()),
            },
            Held {
                label: tr.get("field-personal_id"),
                value: p.masked_pid(),
            },
            Held {
                label: tr.get("field-phone"),
                value: p.phone.clone().unwrap_or_default(),
            },
            Held {
                label: tr.get("field-groups"),
                value: p
                    .groups()
                    .iter()
                    .map(|g| tr.get(&g.label_key()))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            Held {
                label: tr.get("field-village"),
                value: p.unit_name.clone(),
            },
        ];
        let c = consent_rows(tr, &own.consents);
        consents = c.0;
        consent_active = c.1;
        access = access_rows(tr, own.access);
    }
    let can_tokens = v.principal.can_somewhere(Action::ManageApiTokens);
    // Listed to anyone who holds tokens, even after losing the right to make new ones, so they
    // can still be seen and revoked.
    let at = hocvuso_db::now();
    let tokens: Vec<TokenRow> = accounts::api_tokens(&state.db, v.account.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name.clone(),
            created: fmt_time(&t.created_at),
            last_used: t
                .last_used_at
                .as_ref()
                .map(fmt_time)
                .unwrap_or_else(|| tr.get("tokens-never-used")),
            expires: fmt_time(&t.expires()),
            live: t.live(at),
            state: tr.get(if t.revoked_at.is_some() {
                "tokens-revoked"
            } else {
                "tokens-expired"
            }),
        })
        .collect();
    html(&MePage {
        l: Layout::for_viewer(tr, &parts.0, v),
        name: v.account.display_name.clone(),
        held,
        consents,
        consent_active,
        access,
        is_person: v.account.person_id.is_some(),
        can_tokens: can_tokens || !tokens.is_empty(),
        new_token,
        tokens,
    })
}

async fn page(State(state): State<AppState>, tr: Tr, parts: Parts0, v: Viewer) -> Result<Response, Problem> {
    view(&state, tr, &parts, &v, None).await
}

async fn withdraw(
    State(state): State<AppState>,
    CsrfForm(v, _): CsrfForm<serde_json::Value>,
) -> Result<Response, Problem> {
    hocvuso_app::people::withdraw_own_consent(&state.app, &v.principal).await?;
    Ok(Redirect::to("/me").into_response())
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    CsrfForm(v, form): CsrfForm<TokenForm>,
) -> Result<Response, Problem> {
    let token = hocvuso_app::accounts::create_api_token(&state.app, &v.principal, &form.name).await?;
    view(&state, tr, &parts, &v, Some(token)).await
}

#[derive(Deserialize)]
struct RevokeTokenForm {
    #[serde(default)]
    token_id: i64,
}

/// Revokes one of the viewer's own tokens; someone else's token is "not found".
async fn revoke_token(
    State(state): State<AppState>,
    CsrfForm(v, form): CsrfForm<RevokeTokenForm>,
) -> Result<Response, Problem> {
    hocvuso_app::accounts::revoke_api_token(&state.app, &v.principal, form.token_id).await?;
    Ok(Redirect::to("/me").into_response())
}

/// One's own account, for every signed-in viewer.
pub fn nav(tr: Tr, v: Option<&Viewer>) -> Vec<Nav> {
    match v {
        Some(_) => vec![Nav {
            href: "/me".into(),
            label: tr.get("nav-me"),
            current: false,
        }],
        None => Vec::new(),
    }
}
