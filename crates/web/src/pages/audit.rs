//! The audit log screen: inspectors and administrators read the entries of their scope, newest
//! first, and can see whether the hash chain is intact.

use crate::AppState;
use crate::auth::{Parts0, Viewer};
use crate::authz;
use crate::error::Problem;
use crate::i18n::Tr;
use crate::pages::people::fmt_time;
use crate::pages::{Layout, html};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use hocvuso_core::roles::Action;
use hocvuso_db::audit::{self, Filter};
use serde::Deserialize;

pub fn router() -> crate::routes::Routes {
    crate::routes::Routes::new().route("/audit", get(page))
}

pub struct Row {
    pub id: i64,
    pub at: String,
    pub who: String,
    pub ip: String,
    pub action: String,
    pub object: String,
    pub person: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<Row>,
    next: Option<i64>,
    chain_ok: Option<bool>,
}

#[derive(Deserialize)]
struct AuditQuery {
    before: Option<i64>,
}

const PAGE: u64 = 100;

async fn page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Query(q): Query<AuditQuery>,
) -> Result<Response, Problem> {
    let scopes = authz::scopes(&v, Action::ViewAudit);
    let Some(scope) = scopes.first() else {
        return Err(Problem::forbidden());
    };
    let list = audit::list(
        &state.db,
        &Filter {
            scope_path: Some(scope.unit_path.clone()),
            before_id: q.before,
            ..Default::default()
        },
        PAGE,
    )
    .await?;
    let next = (list.len() as u64 == PAGE).then(|| list.last().map(|r| r.id)).flatten();
    // Verifying the whole chain reads every entry; only the national administrator's page does it.
    let chain_ok = if scope.unit_path.matches('/').count() <= 2
        && q.before.is_none()
        && authz::has_role(&v, hocvuso_core::roles::Role::SystemAdmin)
    {
        Some(audit::verify(&state.db).await?.ok())
    } else {
        None
    };
    let rows = list
        .into_iter()
        .map(|r| Row {
            id: r.id,
            at: fmt_time(&r.at),
            who: r.actor_label,
            ip: r.ip,
            action: tr.get(&format!("audit-{}", r.action.replace('.', "-"))),
            object: format!("{} {}", r.object_kind, r.object_id),
            person: r.person_id,
        })
        .collect();
    html(&AuditPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        rows,
        next,
        chain_ok,
    })
}
