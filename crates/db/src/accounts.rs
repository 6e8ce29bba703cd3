//! Accounts, sign-in bookkeeping (failed attempts, lockout), password resets and role grants.

use crate::units::{Unit, Units};
use crate::{Db, DbError, Result, Scalar, Tx, now, record};
use hocvuso_core::crypto::{random_token, token_digest};
use hocvuso_core::roles::Role;
use sea_query::{Expr, ExprTrait, Iden, LockType, Order, Query, SelectStatement};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

// The tables this module owns; other modules import these to join them.
#[derive(Iden, Clone, Copy)]
pub enum Accounts {
    Table,
    Id,
    PersonId,
    DisplayName,
    Phone,
    PidIndex,
    PasswordHash,
    MustChangePassword,
    FailedLogins,
    LockedUntil,
    Active,
    CreatedAt,
    LastLoginAt,
}

#[derive(Iden, Clone, Copy)]
pub enum RoleGrants {
    Table,
    Id,
    AccountId,
    Role,
    UnitId,
    GrantedBy,
    GrantedAt,
    RevokedAt,
    RevokedBy,
}

#[derive(Iden, Clone, Copy)]
pub enum ApiTokens {
    Table,
    Id,
    AccountId,
    Name,
    Digest,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
    ExpiresAt,
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Account {
        pub id: i64,
        pub person_id: Option<i64>,
        pub display_name: String,
        pub phone: Option<String>,
        #[serde(skip)]
        pub password_hash: String,
        pub must_change_password: bool,
        pub failed_logins: i32,
        pub locked_until: Option<OffsetDateTime>,
        pub active: bool,
        pub last_login_at: Option<OffsetDateTime>,
    }
}

pub(crate) fn select() -> SelectStatement {
    Query::select()
        // Qualified: joins (the session, its grants and their units) have columns of the same names.
        .columns(
            [
                Accounts::Id,
                Accounts::PersonId,
                Accounts::DisplayName,
                Accounts::Phone,
                Accounts::PasswordHash,
                Accounts::MustChangePassword,
                Accounts::FailedLogins,
                Accounts::LockedUntil,
                Accounts::Active,
                Accounts::LastLoginAt,
            ]
            .map(|c| (Accounts::Table, c)),
        )
        .from(Accounts::Table)
        .to_owned()
}

pub struct NewAccount<'a> {
    pub display_name: &'a str,
    pub phone: Option<&'a str>,
    pub pid_index: Option<Vec<u8>>,
    pub person_id: Option<i64>,
    pub password_hash: String,
    pub must_change_password: bool,
}

pub async fn create(tx: &mut Tx, a: NewAccount<'_>) -> Result<i64> {
    let id: Scalar<i64> = tx
        .fetch_one(
            Query::insert()
                .into_table(Accounts::Table)
                .columns([
                    Accounts::DisplayName,
                    Accounts::Phone,
                    Accounts::PidIndex,
                    Accounts::PersonId,
                    Accounts::PasswordHash,
                    Accounts::MustChangePassword,
                    Accounts::CreatedAt,
                ])
                .values_panic([
                    a.display_name.into(),
                    a.phone.map(str::to_string).into(),
                    a.pid_index.into(),
                    a.person_id.into(),
                    a.password_hash.into(),
                    a.must_change_password.into(),
                    now().into(),
                ])
                .returning_col(Accounts::Id),
        )
        .await
        .map_err(|e| match e {
            DbError::Sqlx(e) => DbError::classify(e),
            e => e,
        })?;
    Ok(id.0)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Account>> {
    db.fetch_optional(select().and_where(Expr::col(Accounts::Id).eq(id)))
        .await
}

pub async fn by_phone(db: &Db, phone: &str) -> Result<Option<Account>> {
    db.fetch_optional(select().and_where(Expr::col(Accounts::Phone).eq(phone)))
        .await
}

pub async fn by_pid_index(db: &Db, index: Vec<u8>) -> Result<Option<Account>> {
    db.fetch_optional(select().and_where(Expr::col(Accounts::PidIndex).eq(index)))
        .await
}

pub async fn by_person(db: &Db, person_id: i64) -> Result<Option<Account>> {
    db.fetch_optional(select().and_where(Expr::col(Accounts::PersonId).eq(person_id)))
        .await
}

/// Counts a failed sign-in since the last success, for the record. It no longer locks the
/// account: a lock stored per account let anyone lock a real user out from anywhere (see the
/// throttle in `hocvuso_web::auth` and docs/DECISIONS.md).
pub async fn record_failure(db: &Db, account: &Account) -> Result<()> {
    db.execute(
        Query::update()
            .table(Accounts::Table)
            .value(Accounts::FailedLogins, account.failed_logins.saturating_add(1))
            .and_where(Expr::col(Accounts::Id).eq(account.id)),
    )
    .await?;
    Ok(())
}

pub async fn record_success(db: &Db, account_id: i64) -> Result<()> {
    db.execute(
        Query::update()
            .table(Accounts::Table)
            .values([
                (Accounts::FailedLogins, 0.into()),
                (Accounts::LockedUntil, Option::<OffsetDateTime>::None.into()),
                (Accounts::LastLoginAt, now().into()),
            ])
            .and_where(Expr::col(Accounts::Id).eq(account_id)),
    )
    .await?;
    Ok(())
}

/// Links an ID number to an account that was created with a phone only, so the person can also
/// sign in with their ID number.
pub async fn set_pid_index(tx: &mut Tx, account_id: i64, index: Vec<u8>) -> Result<()> {
    tx.execute(
        Query::update()
            .table(Accounts::Table)
            .value(Accounts::PidIndex, index)
            .and_where(Expr::col(Accounts::Id).eq(account_id))
            .and_where(Expr::col(Accounts::PidIndex).is_null()),
    )
    .await?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, account_id: i64, hash: String, must_change: bool) -> Result<()> {
    tx.execute(
        Query::update()
            .table(Accounts::Table)
            .values([
                (Accounts::PasswordHash, hash.into()),
                (Accounts::MustChangePassword, must_change.into()),
                (Accounts::FailedLogins, 0.into()),
                (Accounts::LockedUntil, Option::<OffsetDateTime>::None.into()),
            ])
            .and_where(Expr::col(Accounts::Id).eq(account_id)),
    )
    .await?;
    Ok(())
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Grant {
        pub id: i64,
        pub account_id: i64,
        pub role: Role as "role_grants.role",
        pub unit_id: i64,
        pub unit_path: String,
        pub unit_name: String,
        pub unit_code: String,
        pub granted_at: OffsetDateTime,
    }
}

fn grants_select() -> SelectStatement {
    Query::select()
        .columns([
            (RoleGrants::Table, RoleGrants::Id),
            (RoleGrants::Table, RoleGrants::AccountId),
            (RoleGrants::Table, RoleGrants::Role),
            (RoleGrants::Table, RoleGrants::UnitId),
            (RoleGrants::Table, RoleGrants::GrantedAt),
        ])
        .expr_as(Expr::col((Units::Table, Units::Path)), "unit_path")
        .expr_as(Expr::col((Units::Table, Units::Name)), "unit_name")
        .expr_as(Expr::col((Units::Table, Units::Code)), "unit_code")
        .from(RoleGrants::Table)
        .inner_join(
            Units::Table,
            Expr::col((Units::Table, Units::Id)).equals((RoleGrants::Table, RoleGrants::UnitId)),
        )
        .and_where(Expr::col((RoleGrants::Table, RoleGrants::RevokedAt)).is_null())
        .to_owned()
}

/// The active grants of an account, widest scope first.
pub async fn grants(db: &Db, account_id: i64) -> Result<Vec<Grant>> {
    let mut g: Vec<Grant> = db
        .fetch_all(grants_select().and_where(Expr::col((RoleGrants::Table, RoleGrants::AccountId)).eq(account_id)))
        .await?;
    order_grants(&mut g);
    Ok(g)
}

/// Widest scope first, then the stronger role: the order principals and pages show grants in.
pub(crate) fn order_grants(g: &mut [Grant]) {
    g.sort_by_key(|g| (g.unit_path.len(), std::cmp::Reverse(g.role), g.id));
}

/// The active grants of an account, read inside a writing transaction: a check made on them
/// holds for the write (grants may change between the form and the write).
pub async fn grants_tx(tx: &mut Tx, account_id: i64) -> Result<Vec<Grant>> {
    tx.fetch_all(grants_select().and_where(Expr::col((RoleGrants::Table, RoleGrants::AccountId)).eq(account_id)))
        .await
}

/// The account linked to a person, read inside a writing transaction and locked until it ends
/// (PostgreSQL; SQLite's single writer already serialises), so a grant made meanwhile waits.
pub async fn by_person_tx(tx: &mut Tx, person_id: i64) -> Result<Option<Account>> {
    tx.fetch_optional(
        select()
            .and_where(Expr::col(Accounts::PersonId).eq(person_id))
            .lock(LockType::Update),
    )
    .await
}

/// Locks an account's row until the transaction ends: every change of its grants and every
/// action checked against them (a password reset) take this lock first, so a check and the write
/// it allows see the same grants.
pub async fn lock_tx(tx: &mut Tx, account_id: i64) -> Result<Option<Account>> {
    tx.fetch_optional(
        select()
            .and_where(Expr::col(Accounts::Id).eq(account_id))
            .lock(LockType::Update),
    )
    .await
}

/// Grants held by anyone on units inside a subtree (for the access-management page).
pub async fn grants_in(db: &Db, scope_path: &str) -> Result<Vec<Grant>> {
    let (lo, hi) = crate::subtree_range(scope_path);
    db.fetch_all(
        grants_select()
            .and_where(Expr::col((Units::Table, Units::Path)).gte(lo))
            .and_where(Expr::col((Units::Table, Units::Path)).lt(hi))
            .order_by((RoleGrants::Table, RoleGrants::Id), Order::Asc),
    )
    .await
}

pub async fn grant(tx: &mut Tx, account_id: i64, role: Role, unit: &Unit, by: Option<i64>) -> Result<i64> {
    lock_tx(tx, account_id).await?;
    let id: Scalar<i64> = tx
        .fetch_one(
            Query::insert()
                .into_table(RoleGrants::Table)
                .columns([
                    RoleGrants::AccountId,
                    RoleGrants::Role,
                    RoleGrants::UnitId,
                    RoleGrants::GrantedBy,
                    RoleGrants::GrantedAt,
                ])
                .values_panic([
                    account_id.into(),
                    role.as_str().into(),
                    unit.id.into(),
                    by.into(),
                    now().into(),
                ])
                .returning_col(RoleGrants::Id),
        )
        .await?;
    Ok(id.0)
}

pub async fn revoke(tx: &mut Tx, grant_id: i64, by: Option<i64>) -> Result<u64> {
    tx.execute(
        Query::update()
            .table(RoleGrants::Table)
            .values([
                (RoleGrants::RevokedAt, now().into()),
                (RoleGrants::RevokedBy, by.into()),
            ])
            .and_where(Expr::col(RoleGrants::Id).eq(grant_id))
            .and_where(Expr::col(RoleGrants::RevokedAt).is_null()),
    )
    .await
}

pub async fn grant_by_id(db: &Db, grant_id: i64) -> Result<Option<Grant>> {
    db.fetch_optional(grants_select().and_where(Expr::col((RoleGrants::Table, RoleGrants::Id)).eq(grant_id)))
        .await
}

/// API tokens live this long unless revoked.
pub const TOKEN_DAYS: i64 = 90;

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct ApiToken {
        pub id: i64,
        pub name: String,
        pub created_at: OffsetDateTime,
        pub last_used_at: Option<OffsetDateTime>,
        pub revoked_at: Option<OffsetDateTime>,
        pub expires_at: Option<OffsetDateTime>,
    }
}

impl ApiToken {
    /// Tokens issued before expiry was recorded expire [`TOKEN_DAYS`] after creation.
    pub fn expires(&self) -> OffsetDateTime {
        self.expires_at.unwrap_or(self.created_at + Duration::days(TOKEN_DAYS))
    }

    pub fn live(&self, at: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires() > at
    }
}

fn tokens_select() -> SelectStatement {
    Query::select()
        .columns([
            ApiTokens::Id,
            ApiTokens::Name,
            ApiTokens::CreatedAt,
            ApiTokens::LastUsedAt,
            ApiTokens::RevokedAt,
            ApiTokens::ExpiresAt,
        ])
        .from(ApiTokens::Table)
        .to_owned()
}

/// Issues an API token for machine clients; the token is shown once, only its digest is kept.
pub async fn create_api_token(tx: &mut Tx, account_id: i64, name: &str) -> Result<String> {
    let token = format!("hvs_{}", random_token());
    let at = now();
    tx.execute(
        Query::insert()
            .into_table(ApiTokens::Table)
            .columns([
                ApiTokens::AccountId,
                ApiTokens::Name,
                ApiTokens::Digest,
                ApiTokens::CreatedAt,
                ApiTokens::ExpiresAt,
            ])
            .values_panic([
                account_id.into(),
                name.into(),
                token_digest(&token).into(),
                at.into(),
                (at + Duration::days(TOKEN_DAYS)).into(),
            ]),
    )
    .await?;
    Ok(token)
}

/// The tokens of an account, newest first, revoked and expired ones included (shown as such).
pub async fn api_tokens(db: &Db, account_id: i64) -> Result<Vec<ApiToken>> {
    db.fetch_all(
        tokens_select()
            .and_where(Expr::col(ApiTokens::AccountId).eq(account_id))
            .order_by(ApiTokens::Id, Order::Desc),
    )
    .await
}

/// Revokes one of the account's own tokens; 0 when it is not theirs or already revoked.
pub async fn revoke_api_token(tx: &mut Tx, account_id: i64, token_id: i64) -> Result<u64> {
    tx.execute(
        Query::update()
            .table(ApiTokens::Table)
            .value(ApiTokens::RevokedAt, now())
            .and_where(Expr::col(ApiTokens::Id).eq(token_id))
            .and_where(Expr::col(ApiTokens::AccountId).eq(account_id))
            .and_where(Expr::col(ApiTokens::RevokedAt).is_null()),
    )
    .await
}

record! {
    struct TokenOwner {
        id: i64,
        account_id: i64,
        created_at: OffsetDateTime,
        last_used_at: Option<OffsetDateTime>,
        revoked_at: Option<OffsetDateTime>,
        expires_at: Option<OffsetDateTime>,
    }
}

/// The account behind a bearer token, if the token is known, not revoked and not expired. The
/// last use is recorded at most once a minute, to spare the writer.
pub async fn account_for_token(db: &Db, token: &str) -> Result<Option<Account>> {
    let row: Option<TokenOwner> = db
        .fetch_optional(
            Query::select()
                .columns([
                    ApiTokens::Id,
                    ApiTokens::AccountId,
                    ApiTokens::CreatedAt,
                    ApiTokens::LastUsedAt,
                    ApiTokens::RevokedAt,
                    ApiTokens::ExpiresAt,
                ])
                .from(ApiTokens::Table)
                .and_where(Expr::col(ApiTokens::Digest).eq(token_digest(token))),
        )
        .await?;
    let Some(t) = row else { return Ok(None) };
    let at = now();
    let view = ApiToken {
        id: t.id,
        name: String::new(),
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
        expires_at: t.expires_at,
    };
    if !view.live(at) {
        return Ok(None);
    }
    if t.last_used_at.is_none_or(|u| at - u >= Duration::minutes(1)) {
        db.execute(
            Query::update()
                .table(ApiTokens::Table)
                .value(ApiTokens::LastUsedAt, at)
                .and_where(Expr::col(ApiTokens::Id).eq(t.id)),
        )
        .await?;
    }
    get(db, t.account_id).await
}
