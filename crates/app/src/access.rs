//! Roles: granting a role on a unit (creating the account when the phone number has none) and
//! revoking it.

use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Denied, Principal};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::password;
use hocvuso_core::roles::Role;
use hocvuso_core::text;
use hocvuso_db::Tx;
use hocvuso_db::accounts::{self, NewAccount};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::units::Unit;

pub struct GrantRequest<'a> {
    pub role: Role,
    pub unit: &'a Unit,
    /// The phone number the account signs in with (normalised).
    pub phone: &'a str,
    /// The holder's name, used only when the account has to be created.
    pub name: &'a str,
}

/// A role granted; when the account was created for it, its phone and temporary password, shown
/// once to the person who granted it.
pub struct Granted {
    pub grant_id: i64,
    pub created: Option<(String, String)>,
}

/// Acting on an account that holds roles wider than the principal could grant is refused.
async fn reachable(tx: &mut Tx, who: &Principal, account_id: i64) -> Result<()> {
    accounts::lock_tx(tx, account_id).await?;
    let grants = accounts::grants_tx(tx, account_id).await?;
    who.authorize_account(grants.iter().map(|g| (g.role, g.unit_path.as_str())))?;
    Ok(())
}

pub async fn grant(app: &App, who: &Principal, r: GrantRequest<'_>) -> Result<Granted> {
    if r.role == Role::Learner || !who.may_grant(r.role, &r.unit.path) {
        return Err(Denied::Forbidden.into());
    }
    let existing = accounts::by_phone(&app.db, r.phone).await?;
    let new_account = match existing {
        Some(_) => None,
        None => {
            let name = text::required_line("full_name", r.name, 100)
                .map_err(|m| Error::Invalid(vec![FieldError::new("full_name", m)]))?;
            let temp = password::temporary();
            let t2 = temp.clone();
            let hash = tokio::task::spawn_blocking(move || password::hash(&t2))
                .await
                .map_err(|e| Error::Db(hocvuso_db::DbError::Invalid(format!("password hashing stopped: {e}"))))?;
            Some((name, temp, hash))
        }
    };
    let mut tx = app.db.begin().await?;
    // The unit as it is now: a role is granted where the unit sits at commit, not where it sat.
    let unit = hocvuso_db::units::get_tx(&mut tx, r.unit.id)
        .await?
        .ok_or(Error::NotFound)?;
    if !who.may_grant(r.role, &unit.path) {
        return Err(Denied::Forbidden.into());
    }
    let (account_id, created) = match (existing, new_account) {
        (Some(a), _) => {
            // Adding a role to an account that already holds wider ones is an action on it too.
            reachable(&mut tx, who, a.id).await?;
            (a.id, None)
        }
        (None, Some((name, temp, hash))) => {
            let new = NewAccount {
                display_name: &name,
                phone: Some(r.phone),
                pid_index: None,
                person_id: None,
                password_hash: hash,
                must_change_password: true,
            };
            let id = accounts::create(&mut tx, new).await.map_err(|e| match e {
                hocvuso_db::DbError::Unique(_) => {
                    Error::Conflict(FieldError::new("phone", Message::new("err-account-exists")))
                }
                e => e.into(),
            })?;
            (id, Some((r.phone.to_string(), temp)))
        }
        (None, None) => return Err(Error::NotFound),
    };
    let grant_id = accounts::grant(&mut tx, account_id, r.role, &unit, who.account_id).await?;
    let event = Event::RoleGranted {
        account_id,
        role: r.role.as_str().to_string(),
        unit_code: unit.code.clone(),
        grant_id,
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    tx.commit().await?;
    Ok(Granted { grant_id, created })
}

pub async fn revoke(app: &App, who: &Principal, grant_id: i64) -> Result<()> {
    let g = accounts::grant_by_id(&app.db, grant_id).await?.ok_or(Error::NotFound)?;
    let role = g.role;
    if !who.may_grant(role, &g.unit_path) {
        return Err(Denied::Forbidden.into());
    }
    let mut tx = app.db.begin().await?;
    // Checked inside the writing transaction, on the account's grants as they are now.
    reachable(&mut tx, who, g.account_id).await?;
    accounts::revoke(&mut tx, g.id, who.account_id).await?;
    let event = Event::RoleRevoked {
        account_id: g.account_id,
        role: g.role.as_str().to_string(),
        unit_code: g.unit_code.clone(),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&g.unit_path, &event)).await?;
    tx.commit().await?;
    Ok(())
}
