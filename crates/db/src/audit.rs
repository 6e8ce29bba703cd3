//! The audit log: append-only and hash-chained. Each entry's hash covers its content and the hash
//! before it, so changing or deleting any row breaks the chain from there on; `verify` finds it.
//! Appends are serialised by the row lock on `audit_head` (PostgreSQL) or the single writer (SQLite).

use crate::bulk::Rows;
use crate::schema::{AuditHead, AuditLog};
use crate::{Db, Result, Scalar, Tx, now, record, subtree_range};
use hocvuso_core::crypto::sha256_hex;
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;
use time::OffsetDateTime;

/// Who did it and from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub label: String,
    pub ip: String,
}

impl Actor {
    pub fn system(label: &str) -> Actor {
        Actor {
            account_id: None,
            label: label.to_string(),
            ip: "local".into(),
        }
    }
}

/// What happened, to what, and in which part of the hierarchy (for inspectors' scope).
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: String,
    pub person_id: Option<i64>,
    pub unit_path: &'a str,
    pub detail: serde_json::Value,
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct AuditRow {
        pub id: i64,
        pub at: OffsetDateTime,
        pub actor_id: Option<i64>,
        pub actor_label: String,
        pub ip: String,
        pub action: String,
        pub object_kind: String,
        pub object_id: String,
        pub person_id: Option<i64>,
        pub unit_path: String,
        pub detail: String,
        pub prev_hash: String,
        pub hash: String,
    }
}

fn entry_hash(r: &AuditRow) -> String {
    let person = r.person_id.map(|p| p.to_string()).unwrap_or_default();
    let actor = r.actor_id.map(|p| p.to_string()).unwrap_or_default();
    sha256_hex(&[
        r.prev_hash.as_bytes(),
        r.id.to_string().as_bytes(),
        r.at.unix_timestamp_nanos().to_string().as_bytes(),
        actor.as_bytes(),
        r.actor_label.as_bytes(),
        r.ip.as_bytes(),
        r.action.as_bytes(),
        r.object_kind.as_bytes(),
        r.object_id.as_bytes(),
        person.as_bytes(),
        r.unit_path.as_bytes(),
        r.detail.as_bytes(),
    ])
}

record! {
    struct Head {
        seq: i64,
        last_hash: String,
    }
}

/// Appends inside the caller's transaction, so a change and its audit entry commit together.
pub async fn append(tx: &mut Tx, actor: &Actor, e: Entry<'_>) -> Result<i64> {
    append_many(tx, actor, vec![e]).await
}

/// Appends several entries in order inside the caller's transaction (an import writes one per
/// person it creates or changes) with one head update and one bulk insert. Returns the id of the
/// last entry.
pub async fn append_many(tx: &mut Tx, actor: &Actor, entries: Vec<Entry<'_>>) -> Result<i64> {
    let n = entries.len() as i64;
    if n == 0 {
        return Err(crate::DbError::Invalid("no audit entries to append".into()));
    }
    // Taking the numbers locks the head row until this transaction ends (PostgreSQL) or runs
    // under the single writer (SQLite), so the chain never forks.
    let head: Head = tx
        .fetch_one(
            Query::update()
                .table(AuditHead::Table)
                .value(AuditHead::Seq, Expr::col(AuditHead::Seq).add(n))
                .and_where(Expr::col(AuditHead::Id).eq(1))
                .returning(Query::returning().columns([AuditHead::Seq, AuditHead::LastHash])),
        )
        .await?;
    let at = now();
    let mut prev_hash = head.last_hash;
    let mut rows = Rows::new(AuditLog::Table, COLS);
    for (i, e) in entries.into_iter().enumerate() {
        let mut row = AuditRow {
            id: head.seq - n + 1 + i as i64,
            at,
            actor_id: actor.account_id,
            actor_label: actor.label.clone(),
            ip: actor.ip.clone(),
            action: e.action.to_string(),
            object_kind: e.object_kind.to_string(),
            object_id: e.object_id,
            person_id: e.person_id,
            unit_path: e.unit_path.to_string(),
            detail: e.detail.to_string(),
            prev_hash,
            hash: String::new(),
        };
        row.hash = entry_hash(&row);
        prev_hash = row.hash.clone();
        rows.push(vec![
            row.id.into(),
            row.at.into(),
            row.actor_id.into(),
            row.actor_label.into(),
            row.ip.into(),
            row.action.into(),
            row.object_kind.into(),
            row.object_id.into(),
            row.person_id.into(),
            row.unit_path.into(),
            row.detail.into(),
            row.prev_hash.into(),
            row.hash.into(),
        ]);
    }
    tx.insert_rows(rows).await?;
    tx.execute(
        Query::update()
            .table(AuditHead::Table)
            .value(AuditHead::LastHash, prev_hash)
            .and_where(Expr::col(AuditHead::Id).eq(1)),
    )
    .await?;
    Ok(head.seq)
}

/// Appends in a transaction of its own (for reads such as a view or an export).
pub async fn record(db: &Db, actor: &Actor, e: Entry<'_>) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = append(&mut tx, actor, e).await?;
    tx.commit().await?;
    Ok(id)
}

const COLS: [AuditLog; 13] = [
    AuditLog::Id,
    AuditLog::At,
    AuditLog::ActorId,
    AuditLog::ActorLabel,
    AuditLog::Ip,
    AuditLog::Action,
    AuditLog::ObjectKind,
    AuditLog::ObjectId,
    AuditLog::PersonId,
    AuditLog::UnitPath,
    AuditLog::Detail,
    AuditLog::PrevHash,
    AuditLog::Hash,
];

fn select() -> SelectStatement {
    Query::select().columns(COLS).from(AuditLog::Table).to_owned()
}

/// Filters for reading the log.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub scope_path: Option<String>,
    pub person_id: Option<i64>,
    pub action: Option<String>,
    pub before_id: Option<i64>,
    /// Entries newer than this id (the page before); still returned newest first.
    pub after_id: Option<i64>,
    /// Only entries about one of these people (an empty list matches nothing).
    pub person_ids: Option<Vec<i64>>,
    /// Only entries by one of these accounts (an empty list matches nothing).
    pub actor_ids: Option<Vec<i64>>,
    /// Entries at or after this moment.
    pub from: Option<OffsetDateTime>,
    /// Entries before this moment.
    pub until: Option<OffsetDateTime>,
}

/// Newest first, `limit` rows.
pub async fn list(db: &Db, f: &Filter, limit: u64) -> Result<Vec<AuditRow>> {
    let mut q = select();
    if let Some(p) = &f.scope_path {
        let (lo, hi) = subtree_range(p);
        q.and_where(Expr::col(AuditLog::UnitPath).gte(lo))
            .and_where(Expr::col(AuditLog::UnitPath).lt(hi));
    }
    if let Some(p) = f.person_id {
        q.and_where(Expr::col(AuditLog::PersonId).eq(p));
    }
    if let Some(a) = &f.action {
        q.and_where(Expr::col(AuditLog::Action).eq(a.clone()));
    }
    if let Some(b) = f.before_id {
        q.and_where(Expr::col(AuditLog::Id).lt(b));
    }
    if let Some(a) = f.after_id {
        q.and_where(Expr::col(AuditLog::Id).gt(a));
    }
    if let Some(ids) = &f.person_ids {
        q.and_where(Expr::col(AuditLog::PersonId).is_in(ids.clone()));
    }
    if let Some(ids) = &f.actor_ids {
        q.and_where(Expr::col(AuditLog::ActorId).is_in(ids.clone()));
    }
    if let Some(t) = f.from {
        q.and_where(Expr::col(AuditLog::At).gte(t));
    }
    if let Some(t) = f.until {
        q.and_where(Expr::col(AuditLog::At).lt(t));
    }
    if f.after_id.is_some() && f.before_id.is_none() {
        // The page just above `after_id`: the oldest `limit` entries after it, shown newest first.
        let mut rows: Vec<AuditRow> = db.fetch_all(q.order_by(AuditLog::Id, Order::Asc).limit(limit)).await?;
        rows.reverse();
        return Ok(rows);
    }
    db.fetch_all(q.order_by(AuditLog::Id, Order::Desc).limit(limit)).await
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub entries: i64,
    /// The first entry whose content, link or position is wrong, with what is wrong.
    pub broken: Option<(i64, String)>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.broken.is_none()
    }
}

pub async fn verify(db: &Db) -> Result<Verification> {
    let mut prev_hash = "genesis".to_string();
    let mut expected_id = 1i64;
    let mut entries = 0i64;
    loop {
        let batch: Vec<AuditRow> = db
            .fetch_all(
                select()
                    .and_where(Expr::col(AuditLog::Id).gte(expected_id))
                    .order_by(AuditLog::Id, Order::Asc)
                    .limit(5000),
            )
            .await?;
        if batch.is_empty() {
            break;
        }
        for r in batch {
            if r.id != expected_id {
                return Ok(Verification {
                    entries,
                    broken: Some((expected_id, "missing entry (deleted)".into())),
                });
            }
            if r.prev_hash != prev_hash {
                return Ok(Verification {
                    entries,
                    broken: Some((r.id, "link to previous entry broken".into())),
                });
            }
            if entry_hash(&r) != r.hash {
                return Ok(Verification {
                    entries,
                    broken: Some((r.id, "content changed".into())),
                });
            }
            prev_hash = r.hash;
            expected_id += 1;
            entries += 1;
        }
    }
    let head: Head = db
        .fetch_one(
            Query::select()
                .columns([AuditHead::Seq, AuditHead::LastHash])
                .from(AuditHead::Table)
                .and_where(Expr::col(AuditHead::Id).eq(1)),
        )
        .await?;
    if head.seq != entries || head.last_hash != prev_hash {
        return Ok(Verification {
            entries,
            broken: Some((entries + 1, "latest entries deleted".into())),
        });
    }
    Ok(Verification { entries, broken: None })
}

pub async fn count(db: &Db) -> Result<i64> {
    let n: Scalar<i64> = db
        .fetch_one(Query::select().expr(Expr::cust("COUNT(*)")).from(AuditLog::Table))
        .await?;
    Ok(n.0)
}
