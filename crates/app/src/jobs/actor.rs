//! A job acts for the account that asked for it, with that account's rights as they are when the
//! job runs, not as they were when it was enqueued: a right revoked (or an account locked, or a
//! unit moved out of the grant's subtree) meanwhile stops the job.

use super::JobError;
use hocvuso_core::access::{Act, Principal, RoleOn, Scope};
use hocvuso_core::i18n::Message;
use hocvuso_db::units::Unit;
use hocvuso_db::{Db, accounts};

/// Where a job acts from, in the audit log.
const IP: &str = "background";

/// The principal of account `actor` as it is now (its current grants), and its scope for `A` on
/// `unit`: the account must exist and be active, and one of its grants must allow `A` on a subtree
/// that contains the unit ([`Principal::authorize`], the one rule for requests and jobs alike).
/// `None` is the operator's command line, which acts as the platform. Otherwise the job is refused
/// with a reason naming the unit.
pub async fn may_still<A: Act>(db: &Db, actor: Option<i64>, unit: &Unit) -> Result<(Principal, Scope<A>), JobError> {
    let refused = || JobError::Refused(Message::new("err-job-actor-denied").arg("unit", &unit.name));
    let principal = match actor {
        None => Principal::system("cli import"),
        Some(account_id) => {
            let Some(account) = accounts::get(db, account_id).await?.filter(|a| a.active) else {
                tracing::warn!(account = account_id, unit = %unit.code, "background job refused: its account is gone or locked");
                return Err(refused());
            };
            let roles = accounts::grants(db, account_id)
                .await?
                .into_iter()
                .map(|g| RoleOn {
                    role: g.role,
                    unit_path: g.unit_path,
                })
                .collect();
            Principal::account(account_id, &account.display_name, IP, roles).for_person(account.person_id)
        }
    };
    match principal.authorize::<A>(&unit.path) {
        Ok(scope) => Ok((principal, scope)),
        Err(_) => {
            tracing::warn!(
                account = ?actor,
                unit = %unit.code,
                action = ?A::ACTION,
                "background job refused: its account may no longer act on the unit"
            );
            Err(refused())
        }
    }
}
