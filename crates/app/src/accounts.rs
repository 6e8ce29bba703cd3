//! An account's own actions: signing in (the session and its audit entry), changing the
//! password, and API tokens.

use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Denied, Principal};
use hocvuso_core::audit::Event;
use hocvuso_core::roles::Action;
use hocvuso_core::text;
use hocvuso_db::accounts::{self, Account};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::sessions;

/// Opens a session for an account whose password was just verified, and records the sign-in.
/// Returns the session token. `replaces` is a session the browser carried before: it ends.
pub async fn sign_in(
    app: &App,
    account: &Account,
    ip: &str,
    user_agent: &str,
    replaces: Option<&str>,
) -> Result<String> {
    accounts::record_success(&app.db, account.id).await?;
    if let Some(old) = replaces {
        sessions::delete(&app.db, old).await?;
    }
    let token = sessions::create(&app.db, account.id, ip, user_agent).await?;
    let grants = accounts::grants(&app.db, account.id).await?;
    let unit_path = grants.first().map(|g| g.unit_path.as_str()).unwrap_or("/");
    let actor = Actor {
        account_id: Some(account.id),
        label: account.display_name.clone(),
        ip: ip.to_string(),
    };
    let event = Event::Login {
        account_id: account.id,
        person_id: account.person_id,
    };
    audit::record(&app.db, &actor, Entry::of(unit_path, &event)).await?;
    Ok(token)
}

/// Sets the principal's own new password (already hashed). Every other session of the account
/// ends (a stolen cookie, a forgotten computer) in the same transaction, so a new password never
/// stands beside an old session; `keep_session` stays.
pub async fn change_password(app: &App, who: &Principal, new_hash: String, keep_session: Option<&str>) -> Result<()> {
    let account_id = who.account_id.ok_or(Denied::Forbidden)?;
    let account = accounts::get(&app.db, account_id).await?.ok_or(Error::NotFound)?;
    let mut tx = app.db.begin().await?;
    accounts::set_password(&mut tx, account_id, new_hash, false).await?;
    match keep_session {
        Some(keep) => {
            sessions::delete_others(&mut tx, account_id, keep).await?;
        }
        None => sessions::delete_for_account(&mut tx, account_id).await?,
    }
    let event = Event::PasswordChanged {
        account_id,
        person_id: account.person_id,
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(who.home_path(), &event)).await?;
    tx.commit().await?;
    Ok(())
}

/// A new API token for the principal's own account; the token is shown once.
pub async fn create_api_token(app: &App, who: &Principal, name: &str) -> Result<String> {
    let account_id = who.account_id.ok_or(Denied::Forbidden)?;
    if !who.can_somewhere(Action::ManageApiTokens) {
        return Err(Denied::Forbidden.into());
    }
    let name = text::required_line("name", name, 100).map_err(|m| Error::Invalid(vec![FieldError::new("name", m)]))?;
    let mut tx = app.db.begin().await?;
    let token = accounts::create_api_token(&mut tx, account_id, &name).await?;
    let event = Event::ApiTokenCreated { account_id, name };
    audit::append(&mut tx, &Actor::from(who), Entry::of(who.home_path(), &event)).await?;
    tx.commit().await?;
    Ok(token)
}

/// Revokes one of the principal's own tokens; someone else's token is "not found".
pub async fn revoke_api_token(app: &App, who: &Principal, token_id: i64) -> Result<()> {
    let account_id = who.account_id.ok_or(Denied::Forbidden)?;
    let mut tx = app.db.begin().await?;
    if accounts::revoke_api_token(&mut tx, account_id, token_id).await? == 0 {
        return Err(Error::NotFound);
    }
    let event = Event::ApiTokenRevoked { account_id, token_id };
    audit::append(&mut tx, &Actor::from(who), Entry::of(who.home_path(), &event)).await?;
    tx.commit().await?;
    Ok(())
}
