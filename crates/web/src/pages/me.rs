//! "My data": a person sees what the platform holds about them, their consent (and can withdraw
//! it), and who has looked at their record. Staff create API tokens for machine clients here.

use crate::AppState;
use crate::auth::{Parts0, Viewer};
use crate::authz;
use crate::csrf::CsrfForm;
use crate::error::Problem;
use crate::i18n::Tr;
use crate::pages::people::{AccessRow, ConsentRow, access_rows, consent_rows, fmt_time};
use crate::pages::{Layout, html};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_core::people::format_date;
use hocvuso_core::roles::Action;
use hocvuso_core::text;
use hocvuso_db::accounts;
use hocvuso_db::audit::{self, Entry, Filter};
use hocvuso_db::people;
use serde::Deserialize;

pub fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/me", get(page))
        .route("/me/consent/withdraw", post(withdraw))
        .route("/me/tokens", post(create_token))
        .route("/me/tokens/revoke", post(revoke_token))
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
    if let Some(pid) = v.account.person_id
        && let Some(p) = people::get(&state.db, pid).await?
    {
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
        let c = consent_rows(tr, &people::consents(&state.db, pid).await?);
        consents = c.0;
        consent_active = c.1;
        access = access_rows(
            tr,
            audit::list(
                &state.db,
                &Filter {
                    person_id: Some(pid),
                    ..Default::default()
                },
                50,
            )
            .await?,
        );
    }
    let can_tokens = !authz::scopes(v, Action::ManageApiTokens).is_empty();
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
    let Some(pid) = v.account.person_id else {
        return Err(Problem::not_found());
    };
    let p = people::get(&state.db, pid).await?.ok_or_else(Problem::not_found)?;
    let mut tx = state.db.begin().await?;
    people::withdraw_consent(&mut tx, pid, Some(v.account.id)).await?;
    audit::append(
        &mut tx,
        &v.actor(),
        Entry {
            action: "person.consent_withdrawn",
            object_kind: "person",
            object_id: pid.to_string(),
            person_id: Some(pid),
            unit_path: &p.unit_path,
            detail: serde_json::json!({"by": "self"}),
        },
    )
    .await?;
    tx.commit().await?;
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
    if authz::scopes(&v, Action::ManageApiTokens).is_empty() {
        return Err(Problem::forbidden());
    }
    let name = text::required_line("name", &form.name, 100).map_err(Problem::unprocessable)?;
    let token = accounts::create_api_token(&state.db, v.account.id, &name).await?;
    audit::record(
        &state.db,
        &v.actor(),
        Entry {
            action: "account.api_token",
            object_kind: "account",
            object_id: v.account.id.to_string(),
            person_id: None,
            unit_path: &v.home_path(),
            detail: serde_json::json!({"name": name}),
        },
    )
    .await?;
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
    let mut tx = state.db.begin().await?;
    if accounts::revoke_api_token(&mut tx, v.account.id, form.token_id).await? == 0 {
        return Err(Problem::not_found());
    }
    audit::append(
        &mut tx,
        &v.actor(),
        Entry {
            action: "account.api_token_revoked",
            object_kind: "account",
            object_id: v.account.id.to_string(),
            person_id: None,
            unit_path: &v.home_path(),
            detail: serde_json::json!({"token": form.token_id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/me").into_response())
}
