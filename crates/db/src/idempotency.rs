//! Idempotency keys: a form or API request carries a key; the first request claims it inside its
//! own transaction, a repeat (double click, network retry) finds it claimed and gets the first
//! request's result instead of doing the work twice. On PostgreSQL a concurrent repeat waits on the
//! key's unique index until the first transaction ends.

use crate::{Db, Result, Scalar, Tx, now};
use sea_query::{Expr, ExprTrait, Iden, OnConflict, Query};

// The tables this module owns; other modules import these to join them.
#[derive(Iden, Clone, Copy)]
pub enum IdempotencyKeys {
    Table,
    Key,
    AccountId,
    Result,
    CreatedAt,
}

/// Accepts keys the forms generate (URL-safe base64 tokens); anything else is ignored.
pub fn valid_key(key: &str) -> bool {
    (16..=64).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// True if this transaction now owns the key; false if an earlier request already used it.
pub async fn claim(tx: &mut Tx, account_id: i64, key: &str) -> Result<bool> {
    let n = tx
        .execute(
            Query::insert()
                .into_table(IdempotencyKeys::Table)
                .columns([
                    IdempotencyKeys::Key,
                    IdempotencyKeys::AccountId,
                    IdempotencyKeys::Result,
                    IdempotencyKeys::CreatedAt,
                ])
                .values_panic([key.into(), account_id.into(), "".into(), now().into()])
                .on_conflict(
                    OnConflict::columns([IdempotencyKeys::AccountId, IdempotencyKeys::Key])
                        .do_nothing()
                        .to_owned(),
                ),
        )
        .await?;
    Ok(n == 1)
}

/// Records what the claimed request produced (a URL to show again).
pub async fn finish(tx: &mut Tx, account_id: i64, key: &str, result: &str) -> Result<()> {
    tx.execute(
        Query::update()
            .table(IdempotencyKeys::Table)
            .value(IdempotencyKeys::Result, result)
            .and_where(Expr::col(IdempotencyKeys::AccountId).eq(account_id))
            .and_where(Expr::col(IdempotencyKeys::Key).eq(key)),
    )
    .await?;
    Ok(())
}

/// The result recorded by the request that claimed the key.
pub async fn result(db: &Db, account_id: i64, key: &str) -> Result<Option<String>> {
    let r: Option<Scalar<String>> = db
        .fetch_optional(
            Query::select()
                .column(IdempotencyKeys::Result)
                .from(IdempotencyKeys::Table)
                .and_where(Expr::col(IdempotencyKeys::AccountId).eq(account_id))
                .and_where(Expr::col(IdempotencyKeys::Key).eq(key)),
        )
        .await?;
    Ok(r.map(|s| s.0).filter(|s| !s.is_empty()))
}
