//! What several features show the same way: times in Vietnam time, consents and the access log
//! of a person, the confirmation box of irreversible actions, a unit looked up from a URL.

use crate::kit::i18n::Tr;
use crate::kit::problem::Problem;
use crate::kit::state::AppState;
use hocvuso_db::units::{self, Unit};
use hocvuso_db::{audit, people};
use time::OffsetDateTime;

/// The unit named in a URL, or "not found".
pub async fn load_unit(state: &AppState, code: &str) -> Result<Unit, Problem> {
    if code.len() > 60 {
        return Err(Problem::not_found());
    }
    units::by_code(&state.db, code).await?.ok_or_else(Problem::not_found)
}

/// [`load_unit`] with the unit's active children, read in the same statement.
pub async fn load_unit_with_children(state: &AppState, code: &str) -> Result<(Unit, Vec<Unit>), Problem> {
    if code.len() > 60 {
        return Err(Problem::not_found());
    }
    units::by_code_with_children(&state.db, code)
        .await?
        .ok_or_else(Problem::not_found)
}

/// The value of the confirmation box on the pages of irreversible actions.
pub const CONFIRMED: &str = "yes";

/// Times are shown in Vietnam time (UTC+7), day first.
pub fn fmt_time(t: &OffsetDateTime) -> String {
    hocvuso_core::i18n::format_datetime(*t)
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
            action: tr.get(&hocvuso_core::audit::label_key(&a.action)),
        })
        .collect()
}

/// The unit named in an API request, or a problem naming the code that was not found.
pub async fn find_unit(state: &AppState, code: &str) -> Result<Unit, Problem> {
    if code.len() > 60 {
        return Err(Problem::not_found());
    }
    units::by_code(&state.db, code).await?.ok_or_else(|| Problem {
        status: axum::http::StatusCode::NOT_FOUND,
        message: hocvuso_core::i18n::Message::new("err-unit-not-found").arg("code", code),
        fields: Vec::new(),
        retry_after: None,
    })
}
