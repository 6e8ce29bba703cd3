//! A job acts for the account that asked for it, with that account's rights as they are when the
//! job runs, not as they were when it was enqueued: a right revoked (or an account locked, or a
//! unit moved out of the grant's subtree) meanwhile stops the job.
//!
//! This is the one place background jobs decide access; when `hocvuso_core::access` (a principal
//! with its grants and `authorize(action, unit_path)`) lands, its check replaces the body of
//! [`may_still`] and nothing else changes.

use super::JobError;
use hocvuso_core::i18n::Message;
use hocvuso_core::roles::Action;
use hocvuso_db::units::Unit;
use hocvuso_db::{Db, accounts};

/// Whether account `actor` may still do `action` on `unit`: the account exists and is active, and
/// one of its current grants allows the action on a subtree that contains the unit. `None` is the
/// operator's command line, which acts with the shell's authority over the whole database.
pub async fn may_still(db: &Db, actor: Option<i64>, action: Action, unit: &Unit) -> Result<(), JobError> {
    let Some(account_id) = actor else {
        return Ok(());
    };
    let active = accounts::get(db, account_id).await?.is_some_and(|a| a.active);
    let allowed = active
        && accounts::grants(db, account_id)
            .await?
            .iter()
            .any(|g| g.role().is_some_and(|r| r.allows(action)) && unit.path.starts_with(&g.unit_path));
    if allowed {
        Ok(())
    } else {
        tracing::warn!(
            account = account_id,
            unit = %unit.code,
            ?action,
            "background job refused: its account may no longer act on the unit"
        );
        Err(JobError::Refused(
            Message::new("err-job-actor-denied").arg("unit", &unit.name),
        ))
    }
}
