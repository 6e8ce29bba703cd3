//! Server-side sessions. The cookie holds a random token; the table holds its SHA-256, the account,
//! the CSRF token of the session and when it expires.

use crate::accounts::{self, Account, Accounts, Grant, RoleGrants};
use crate::units::Units;
use crate::{Both, Db, Result, Tx, now, record};
use hocvuso_core::crypto::{random_token, token_digest};
use hocvuso_core::roles::Role;
use sea_query::{Expr, ExprTrait, Iden, Query};
use time::{Duration, OffsetDateTime};

// The tables this module owns; other modules import these to join them.
#[derive(Iden, Clone, Copy)]
pub enum Sessions {
    Table,
    IdDigest,
    AccountId,
    CsrfToken,
    CreatedAt,
    ExpiresAt,
    LastSeenAt,
    Ip,
    UserAgent,
}

/// Idle sessions end after this long; the deadline slides with use.
pub const IDLE: Duration = Duration::hours(8);

record! {
    #[derive(Debug, Clone)]
    pub struct Session {
        pub account_id: i64,
        pub csrf_token: String,
        pub expires_at: OffsetDateTime,
        pub last_seen_at: OffsetDateTime,
    }
}

/// Starts a session; returns the cookie token. A new token at every sign-in stops session fixation.
pub async fn create(db: &Db, account_id: i64, ip: &str, user_agent: &str) -> Result<String> {
    let token = random_token();
    let at = now();
    db.execute(
        Query::insert()
            .into_table(Sessions::Table)
            .columns([
                Sessions::IdDigest,
                Sessions::AccountId,
                Sessions::CsrfToken,
                Sessions::CreatedAt,
                Sessions::ExpiresAt,
                Sessions::LastSeenAt,
                Sessions::Ip,
                Sessions::UserAgent,
            ])
            .values_panic([
                token_digest(&token).into(),
                account_id.into(),
                random_token().into(),
                at.into(),
                (at + IDLE).into(),
                at.into(),
                ip.into(),
                user_agent.chars().take(300).collect::<String>().into(),
            ]),
    )
    .await?;
    Ok(token)
}

/// The live session for a cookie token; expired ones are treated as absent.
pub async fn get(db: &Db, token: &str) -> Result<Option<Session>> {
    let s: Option<Session> = db
        .fetch_optional(
            Query::select()
                .columns([
                    Sessions::AccountId,
                    Sessions::CsrfToken,
                    Sessions::ExpiresAt,
                    Sessions::LastSeenAt,
                ])
                .from(Sessions::Table)
                .and_where(Expr::col(Sessions::IdDigest).eq(token_digest(token))),
        )
        .await?;
    Ok(s.filter(|s| s.expires_at > now()))
}

/// The live session for a cookie token, its account and the account's active grants (widest
/// scope first), in one statement: every signed-in page starts with it, and on PostgreSQL each
/// statement is a round trip and a plan.
pub async fn signed_in(db: &Db, token: &str) -> Result<Option<(Session, Account, Vec<Grant>)>> {
    let rows: Vec<Both<Both<Session, Account>, MaybeGrant>> = db
        .fetch_all(
            accounts::select()
                .columns([
                    (Sessions::Table, Sessions::AccountId),
                    (Sessions::Table, Sessions::CsrfToken),
                    (Sessions::Table, Sessions::ExpiresAt),
                    (Sessions::Table, Sessions::LastSeenAt),
                ])
                .expr_as(Expr::col((RoleGrants::Table, RoleGrants::Id)), "grant_id")
                .expr_as(Expr::col((RoleGrants::Table, RoleGrants::Role)), "grant_role")
                .expr_as(Expr::col((RoleGrants::Table, RoleGrants::UnitId)), "grant_unit_id")
                .expr_as(
                    Expr::col((RoleGrants::Table, RoleGrants::GrantedAt)),
                    "grant_granted_at",
                )
                .expr_as(Expr::col((Units::Table, Units::Path)), "grant_unit_path")
                .expr_as(Expr::col((Units::Table, Units::Name)), "grant_unit_name")
                .expr_as(Expr::col((Units::Table, Units::Code)), "grant_unit_code")
                .inner_join(
                    Sessions::Table,
                    Expr::col((Sessions::Table, Sessions::AccountId)).equals((Accounts::Table, Accounts::Id)),
                )
                .left_join(
                    RoleGrants::Table,
                    Expr::col((RoleGrants::Table, RoleGrants::AccountId))
                        .equals((Accounts::Table, Accounts::Id))
                        .and(Expr::col((RoleGrants::Table, RoleGrants::RevokedAt)).is_null()),
                )
                .left_join(
                    Units::Table,
                    Expr::col((Units::Table, Units::Id)).equals((RoleGrants::Table, RoleGrants::UnitId)),
                )
                .and_where(Expr::col((Sessions::Table, Sessions::IdDigest)).eq(token_digest(token))),
        )
        .await?;
    let mut rows = rows.into_iter();
    let Some(Both(Both(session, account), first)) = rows.next() else {
        return Ok(None);
    };
    if session.expires_at <= now() {
        return Ok(None);
    }
    let mut grants: Vec<Grant> = std::iter::once(first)
        .chain(rows.map(|Both(_, g)| g))
        .filter_map(|g| g.into_grant(account.id))
        .collect();
    accounts::order_grants(&mut grants);
    Ok(Some((session, account, grants)))
}

record! {
    /// A grant's columns of a LEFT JOIN: all NULL for an account without grants.
    struct MaybeGrant {
        grant_id: Option<i64>,
        grant_role: Option<Role> as "role_grants.role",
        grant_unit_id: Option<i64>,
        grant_granted_at: Option<OffsetDateTime>,
        grant_unit_path: Option<String>,
        grant_unit_name: Option<String>,
        grant_unit_code: Option<String>,
    }
}

impl MaybeGrant {
    fn into_grant(self, account_id: i64) -> Option<Grant> {
        Some(Grant {
            id: self.grant_id?,
            account_id,
            role: self.grant_role?,
            unit_id: self.grant_unit_id?,
            unit_path: self.grant_unit_path?,
            unit_name: self.grant_unit_name?,
            unit_code: self.grant_unit_code?,
            granted_at: self.grant_granted_at?,
        })
    }
}

/// Slides the idle deadline, at most once a minute to spare the writer.
pub async fn touch(db: &Db, token: &str, session: &Session) -> Result<()> {
    let at = now();
    if at - session.last_seen_at < Duration::minutes(1) {
        return Ok(());
    }
    db.execute(
        Query::update()
            .table(Sessions::Table)
            .values([
                (Sessions::LastSeenAt, at.into()),
                (Sessions::ExpiresAt, (at + IDLE).into()),
            ])
            .and_where(Expr::col(Sessions::IdDigest).eq(token_digest(token))),
    )
    .await?;
    Ok(())
}

pub async fn delete(db: &Db, token: &str) -> Result<()> {
    db.execute(
        Query::delete()
            .from_table(Sessions::Table)
            .and_where(Expr::col(Sessions::IdDigest).eq(token_digest(token))),
    )
    .await?;
    Ok(())
}

/// Ends every session of an account (after a password reset), in the transaction that changes
/// the password: both happen or neither.
pub async fn delete_for_account(tx: &mut Tx, account_id: i64) -> Result<()> {
    tx.execute(
        Query::delete()
            .from_table(Sessions::Table)
            .and_where(Expr::col(Sessions::AccountId).eq(account_id)),
    )
    .await?;
    Ok(())
}

/// Ends every session of an account but one (after a password change: the session that changed
/// it stays signed in, any other — perhaps an attacker's — ends), in the transaction that changes
/// the password.
pub async fn delete_others(tx: &mut Tx, account_id: i64, keep_token: &str) -> Result<u64> {
    tx.execute(
        Query::delete()
            .from_table(Sessions::Table)
            .and_where(Expr::col(Sessions::AccountId).eq(account_id))
            .and_where(Expr::col(Sessions::IdDigest).ne(token_digest(keep_token))),
    )
    .await
}

pub async fn purge_expired(db: &Db) -> Result<u64> {
    db.execute(
        Query::delete()
            .from_table(Sessions::Table)
            .and_where(Expr::col(Sessions::ExpiresAt).lt(now())),
    )
    .await
}
