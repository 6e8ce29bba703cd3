//! The audit log: append-only and hash-chained. Each entry's hash covers its content and the hash
//! before it, so changing or deleting any row breaks the chain from there on; `verify` finds it.
//! Appends are serialised by the row lock on `audit_head` (PostgreSQL) or the single writer (SQLite).
//!
//! The chain is keyed: each link is an HMAC-SHA256 under a key derived from the secret key, which
//! is not in the database, so someone who can write the database cannot recompute the chain after
//! editing it. Entries written before the keyed scheme (migration 0005) keep their plain SHA-256
//! links up to `audit_head.keyed_from - 1`; the boundary is sealed with a MAC over its position and
//! the last plain hash, so editing those entries breaks the chain too. A [`Checkpoint`] (the head's
//! position and hash, signed with the same key) kept outside the database proves a truncated tail
//! or a history rewritten as a whole.

use crate::bulk::Rows;
use crate::{Db, DbError, Result, Scalar, Tx, now, record};
use hocvuso_core::access::{OwnRecord, Scope, act};
use hocvuso_core::audit::Event;
use hocvuso_core::crypto::{AuditKey, sha256_hex};
use sea_query::{Expr, ExprTrait, Iden, Order, Query, SelectStatement};
use serde::Serialize;
use std::sync::Mutex;
use time::OffsetDateTime;
use tokio::sync::{Notify, oneshot};

// The tables this module owns; other modules import these to join them.
#[derive(Iden, Clone, Copy)]
pub enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    ActorLabel,
    Ip,
    Action,
    ObjectKind,
    ObjectId,
    PersonId,
    UnitPath,
    Detail,
    PrevHash,
    Hash,
}

#[derive(Iden, Clone, Copy)]
pub enum AuditHead {
    Table,
    Id,
    Seq,
    LastHash,
    KeyedFrom,
    BoundaryMac,
}

/// Who did it and from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub label: String,
    pub ip: String,
}

impl From<&hocvuso_core::access::Principal> for Actor {
    fn from(p: &hocvuso_core::access::Principal) -> Actor {
        Actor {
            account_id: p.account_id,
            label: p.label.clone(),
            ip: p.ip.clone(),
        }
    }
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

/// What happened, to what, and in which part of the hierarchy (for inspectors' scope). Made only
/// from a typed [`Event`], so no caller writes an action name by hand.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    action: &'static str,
    object_kind: &'static str,
    object_id: String,
    person_id: Option<i64>,
    unit_path: &'a str,
    detail: serde_json::Value,
}

impl<'a> Entry<'a> {
    pub fn of(unit_path: &'a str, event: &Event) -> Entry<'a> {
        let (object_kind, object_id) = event.object();
        Entry {
            action: event.action(),
            object_kind,
            object_id,
            person_id: event.person_id(),
            unit_path,
            detail: event.detail(),
        }
    }
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

/// The link of an entry: an HMAC under `key`, or plain SHA-256 (the scheme before migration 0005,
/// for entries before the boundary).
fn entry_hash(r: &AuditRow, key: Option<&AuditKey>) -> String {
    let person = r.person_id.map(|p| p.to_string()).unwrap_or_default();
    let actor = r.actor_id.map(|p| p.to_string()).unwrap_or_default();
    let at = r.at.unix_timestamp_nanos().to_string();
    let id = r.id.to_string();
    let parts: [&[u8]; 12] = [
        r.prev_hash.as_bytes(),
        id.as_bytes(),
        at.as_bytes(),
        actor.as_bytes(),
        r.actor_label.as_bytes(),
        r.ip.as_bytes(),
        r.action.as_bytes(),
        r.object_kind.as_bytes(),
        r.object_id.as_bytes(),
        person.as_bytes(),
        r.unit_path.as_bytes(),
        r.detail.as_bytes(),
    ];
    match key {
        Some(k) => k.mac_hex(&parts),
        None => sha256_hex(&parts),
    }
}

/// The MAC that seals the boundary between the plain and the keyed part of the chain.
fn boundary_mac(key: &AuditKey, keyed_from: i64, last_plain_hash: &str) -> String {
    key.mac_hex(&[
        b"hocvuso audit boundary",
        keyed_from.to_string().as_bytes(),
        last_plain_hash.as_bytes(),
    ])
}

record! {
    struct Head {
        seq: i64,
        last_hash: String,
        keyed_from: Option<i64>,
        boundary_mac: Option<String>,
    }
}

const HEAD_COLS: [AuditHead; 4] = [
    AuditHead::Seq,
    AuditHead::LastHash,
    AuditHead::KeyedFrom,
    AuditHead::BoundaryMac,
];

/// The head, read through the writer: on SQLite a reader connection opened before migration
/// 0005 added the keyed columns was seen answering without them.
async fn read_head(db: &Db) -> Result<Head> {
    let mut tx = db.begin().await?;
    let head = tx
        .fetch_one(
            Query::select()
                .columns(HEAD_COLS)
                .from(AuditHead::Table)
                .and_where(Expr::col(AuditHead::Id).eq(1)),
        )
        .await?;
    tx.commit().await?;
    Ok(head)
}

fn no_key() -> DbError {
    DbError::Invalid("the audit key is not configured (Db::with_audit_key)".into())
}

/// Seals the boundary between the plain and the keyed chain, once, before the first keyed entry
/// is written. Called at start-up; [`append_many`] does it too if start-up did not.
pub async fn seal_boundary(db: &Db) -> Result<()> {
    let key = db.audit_key().ok_or_else(no_key)?;
    // Read and sealed in one writing transaction: no entry can be appended in between.
    let mut tx = db.begin().await?;
    let head: Head = tx
        .fetch_one(
            Query::select()
                .columns(HEAD_COLS)
                .from(AuditHead::Table)
                .and_where(Expr::col(AuditHead::Id).eq(1)),
        )
        .await?;
    let keyed_from = head.keyed_from.unwrap_or(1);
    if head.boundary_mac.is_some() || head.seq >= keyed_from {
        return Ok(());
    }
    let mac = boundary_mac(key, keyed_from, &head.last_hash);
    tx.execute(
        Query::update()
            .table(AuditHead::Table)
            .value(AuditHead::BoundaryMac, mac)
            .and_where(Expr::col(AuditHead::Id).eq(1)),
    )
    .await?;
    tx.commit().await
}

/// Appends inside the caller's transaction, so a change and its audit entry commit together.
pub async fn append(tx: &mut Tx, actor: &Actor, e: Entry<'_>) -> Result<i64> {
    append_many(tx, actor, vec![e]).await
}

record! {
    struct PlainHead {
        seq: i64,
        last_hash: String,
    }
}

/// Appends several entries in order inside the caller's transaction (an import writes one per
/// person it creates or changes) with one head update and one bulk insert. Returns the id of the
/// last entry.
///
/// A [`Db`] without an audit key writes what releases before migration 0005 wrote (plain SHA-256
/// links, the head without the keyed columns): tests use it to build a database as such a release
/// left it. The application always has a key (`prepare_db`); an unkeyed entry after the boundary
/// would fail `verify`.
pub async fn append_many(tx: &mut Tx, actor: &Actor, entries: Vec<Entry<'_>>) -> Result<i64> {
    append_each(tx, entries.into_iter().map(|e| (actor, e))).await
}

/// [`append_many`] with an actor per entry (the group commit of [`record`]).
async fn append_each<'a>(tx: &mut Tx, entries: impl ExactSizeIterator<Item = (&'a Actor, Entry<'a>)>) -> Result<i64> {
    let n = entries.len() as i64;
    if n == 0 {
        return Err(crate::DbError::Invalid("no audit entries to append".into()));
    }
    let key = tx.audit_key.clone();
    // Taking the numbers locks the head row until this transaction ends (PostgreSQL) or runs
    // under the single writer (SQLite), so the chain never forks.
    let take = Query::update()
        .table(AuditHead::Table)
        .value(AuditHead::Seq, Expr::col(AuditHead::Seq).add(n))
        .and_where(Expr::col(AuditHead::Id).eq(1))
        .to_owned();
    let (seq, last_hash, keyed_from) = match &key {
        Some(key) => {
            let head: Head = tx
                .fetch_one(take.clone().returning(Query::returning().columns(HEAD_COLS)))
                .await?;
            let keyed_from = head.keyed_from.unwrap_or(1);
            let first = head.seq - n + 1;
            if head.boundary_mac.is_none() && first == keyed_from {
                tx.execute(
                    Query::update()
                        .table(AuditHead::Table)
                        .value(AuditHead::BoundaryMac, boundary_mac(key, keyed_from, &head.last_hash))
                        .and_where(Expr::col(AuditHead::Id).eq(1)),
                )
                .await?;
            }
            (head.seq, head.last_hash, keyed_from)
        }
        None => {
            let head: PlainHead = tx
                .fetch_one(
                    take.clone()
                        .returning(Query::returning().columns([AuditHead::Seq, AuditHead::LastHash])),
                )
                .await?;
            (head.seq, head.last_hash, i64::MAX)
        }
    };
    let at = now();
    let mut prev_hash = last_hash;
    let mut rows = Rows::new(AuditLog::Table, COLS);
    for (i, (actor, e)) in entries.enumerate() {
        let mut row = AuditRow {
            id: seq - n + 1 + i as i64,
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
        row.hash = entry_hash(&row, key.as_deref().filter(|_| row.id >= keyed_from));
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
    Ok(seq)
}

/// Records an entry in a transaction of its own (for reads such as a view or an export) and
/// returns its id once that transaction has committed: a caller that gets `Ok` may show what was
/// viewed; one that gets an error must not.
///
/// Entries recorded by concurrent requests share one transaction (group commit): each request
/// queues its entry; one flusher task takes everything queued, appends it in queue order with one
/// head update and one insert, commits, then answers every request. Two hundred officers' page
/// views cost one commit instead of two hundred, and one set of WAL pages. If that transaction
/// fails, every request in it gets the error. Changes keep appending inside their own transaction
/// ([`append`]); the head row orders them with the flusher's batches.
pub async fn record(db: &Db, actor: &Actor, e: Entry<'_>) -> Result<i64> {
    let (ack, answer) = oneshot::channel();
    let queued = Queued {
        actor: actor.clone(),
        action: e.action,
        object_kind: e.object_kind,
        object_id: e.object_id,
        person_id: e.person_id,
        unit_path: e.unit_path.to_string(),
        detail: e.detail,
        ack,
    };
    // Queued before the first await: a request whose future was polled once is in the queue, and
    // `Db::close` will write it.
    if db.recorder.push(queued) {
        tokio::spawn(flush(db.clone()));
    }
    match answer.await {
        Ok(Ok(id)) => Ok(id),
        Ok(Err(why)) => Err(DbError::Invalid(format!("audit entry not recorded: {why}"))),
        Err(_) => Err(DbError::Invalid(
            "audit entry not recorded: the audit writer stopped".into(),
        )),
    }
}

/// An entry waiting for the group commit, with the channel that answers its request.
struct Queued {
    actor: Actor,
    action: &'static str,
    object_kind: &'static str,
    object_id: String,
    person_id: Option<i64>,
    unit_path: String,
    detail: serde_json::Value,
    ack: oneshot::Sender<std::result::Result<i64, String>>,
}

/// Entries one group commit writes at most: a transaction stays short even after a stall.
const MAX_BATCH: usize = 2_000;

/// The queue of [`record`]: one per [`Db`] and audit key. A flusher task runs while the queue is
/// not empty and ends when it is, so nothing runs between bursts and nothing outlives the runtime.
#[derive(Default)]
pub(crate) struct Recorder {
    state: Mutex<RecorderState>,
    idle: Notify,
}

#[derive(Default)]
struct RecorderState {
    queue: Vec<Queued>,
    flushing: bool,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recorder")
    }
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, RecorderState> {
        // The lock is held for pushes and swaps only; a panic cannot leave the queue half-changed.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues an entry; true if the caller must start a flusher.
    fn push(&self, q: Queued) -> bool {
        let mut s = self.lock();
        s.queue.push(q);
        !std::mem::replace(&mut s.flushing, true)
    }

    /// The next batch in queue order, or `None` (and the flusher ends) when nothing is queued.
    fn take(&self) -> Option<Vec<Queued>> {
        let mut s = self.lock();
        if s.queue.is_empty() {
            s.flushing = false;
            self.idle.notify_waiters();
            return None;
        }
        let rest = if s.queue.len() > MAX_BATCH {
            s.queue.split_off(MAX_BATCH)
        } else {
            Vec::new()
        };
        Some(std::mem::replace(&mut s.queue, rest))
    }

    /// Waits until every entry queued so far is written (or failed) and answered.
    pub(crate) async fn drain(&self) {
        loop {
            let idle = self.idle.notified();
            if !self.lock().flushing {
                return;
            }
            idle.await;
        }
    }
}

/// If a flusher panics or is dropped mid-batch, the requests it held get an error (their channels
/// close), and so do those queued behind them: each fails rather than waits for a flusher that no
/// longer runs. The next request starts a new one.
struct FlushGuard(Option<Db>);

impl Drop for FlushGuard {
    fn drop(&mut self) {
        if let Some(db) = self.0.take() {
            let stranded = {
                let mut s = db.recorder.lock();
                s.flushing = false;
                std::mem::take(&mut s.queue)
            };
            drop(stranded);
            db.recorder.idle.notify_waiters();
        }
    }
}

async fn flush(db: Db) {
    let mut guard = FlushGuard(Some(db.clone()));
    while let Some(batch) = db.recorder.take() {
        let result = write_batch(&db, &batch).await;
        let first = result.as_ref().map(|last| last - batch.len() as i64 + 1);
        for (i, q) in batch.into_iter().enumerate() {
            let answer = match &first {
                Ok(first) => Ok(first + i as i64),
                Err(e) => Err(e.to_string()),
            };
            // A request that went away meanwhile has nothing to answer; its entry stays recorded.
            let _ = q.ack.send(answer);
        }
        if let Err(e) = result {
            tracing::error!(error = %e, "audit entries not recorded; their requests fail");
        }
    }
    guard.0 = None;
}

async fn write_batch(db: &Db, batch: &[Queued]) -> Result<i64> {
    let mut tx = db.begin().await?;
    let last = append_each(
        &mut tx,
        batch.iter().map(|q| {
            (
                &q.actor,
                Entry {
                    action: q.action,
                    object_kind: q.object_kind,
                    object_id: q.object_id.clone(),
                    person_id: q.person_id,
                    unit_path: &q.unit_path,
                    detail: q.detail.clone(),
                },
            )
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(last)
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

/// Who reads the log, and so which entries they may read.
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    /// Entries filed inside the scope.
    Within(&'a Scope<act::ViewAudit>),
    /// Entries about one person, wherever they were filed, for an auditor of the place the person
    /// lives (the scope): nothing when the person lives outside it.
    Person(&'a Scope<act::ViewAudit>, i64),
    /// The entries about the resident's own record.
    Own(&'a OwnRecord),
}

/// Filters for reading the log, within what the [`Reader`] may read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
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
pub async fn list(db: &Db, reader: Reader<'_>, f: &Filter, limit: u64) -> Result<Vec<AuditRow>> {
    let mut q = select();
    match reader {
        Reader::Within(scope) => {
            let (lo, hi) = scope.bounds();
            q.and_where(Expr::col(AuditLog::UnitPath).gte(lo))
                .and_where(Expr::col(AuditLog::UnitPath).lt(hi));
        }
        Reader::Person(scope, person_id) => {
            let lives_in = crate::people::locate(db, person_id).await?;
            if !lives_in.is_some_and(|path| scope.contains(&path)) {
                return Ok(Vec::new());
            }
            q.and_where(Expr::col(AuditLog::PersonId).eq(person_id));
        }
        Reader::Own(own) => {
            q.and_where(Expr::col(AuditLog::PersonId).eq(own.person_id()));
        }
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

/// Checks the whole chain with the database's audit key.
pub async fn verify(db: &Db) -> Result<Verification> {
    verify_with(db, None).await
}

fn broken(entries: i64, at: i64, why: impl Into<String>) -> Result<Verification> {
    Ok(Verification {
        entries,
        broken: Some((at, why.into())),
    })
}

/// Checks the whole chain, and that it still holds the entry a checkpoint kept outside the
/// database names, with the same hash.
pub async fn verify_with(db: &Db, checkpoint: Option<&Checkpoint>) -> Result<Verification> {
    let key = db.audit_key().ok_or_else(no_key)?;
    let head = read_head(db).await?;
    let keyed_from = head.keyed_from.unwrap_or(1);
    if let Some(cp) = checkpoint {
        if !cp.signed_by(key) {
            return broken(
                0,
                cp.seq,
                "checkpoint signature invalid (another key, or the file was edited)",
            );
        }
        if cp.keyed_from != keyed_from {
            return broken(0, keyed_from, "boundary of the keyed chain moved since the checkpoint");
        }
    }
    let mut prev_hash = "genesis".to_string();
    let mut expected_id = 1i64;
    let mut entries = 0i64;
    let check_boundary = |prev: &str| match &head.boundary_mac {
        Some(m) => key.verify_hex(
            &[
                b"hocvuso audit boundary",
                keyed_from.to_string().as_bytes(),
                prev.as_bytes(),
            ],
            m,
        ),
        None => false,
    };
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
                return broken(entries, expected_id, "missing entry (deleted)");
            }
            if r.prev_hash != prev_hash {
                return broken(entries, r.id, "link to previous entry broken");
            }
            if r.id == keyed_from && !check_boundary(&prev_hash) {
                return broken(entries, r.id, "boundary of the keyed chain not sealed or seal wrong");
            }
            if entry_hash(&r, (r.id >= keyed_from).then_some(key)) != r.hash {
                return broken(entries, r.id, "content changed");
            }
            if let Some(cp) = checkpoint
                && cp.seq == r.id
                && cp.hash != r.hash
            {
                return broken(entries, r.id, "entry differs from the checkpoint (history rewritten)");
            }
            prev_hash = r.hash;
            expected_id += 1;
            entries += 1;
        }
    }
    if let Some(cp) = checkpoint
        && entries < cp.seq
    {
        return broken(
            entries,
            entries + 1,
            format!(
                "entries {}..{} deleted (the checkpoint holds {})",
                entries + 1,
                cp.seq,
                cp.seq
            ),
        );
    }
    if head.seq != entries || head.last_hash != prev_hash {
        return broken(entries, entries + 1, "latest entries deleted");
    }
    Ok(Verification { entries, broken: None })
}

/// The head of the chain at one moment, signed with the audit key: kept outside the database (a
/// file the operator stores elsewhere), it proves later that no entry up to `seq` was removed or
/// rewritten. Its text form is one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub keyed_from: i64,
    pub mac: String,
}

const CHECKPOINT_TAG: &str = "hocvuso-audit-checkpoint/v1";

impl Checkpoint {
    fn parts_mac(key: &AuditKey, seq: i64, hash: &str, keyed_from: i64) -> String {
        key.mac_hex(&[
            CHECKPOINT_TAG.as_bytes(),
            seq.to_string().as_bytes(),
            hash.as_bytes(),
            keyed_from.to_string().as_bytes(),
        ])
    }

    pub fn signed_by(&self, key: &AuditKey) -> bool {
        key.verify_hex(
            &[
                CHECKPOINT_TAG.as_bytes(),
                self.seq.to_string().as_bytes(),
                self.hash.as_bytes(),
                self.keyed_from.to_string().as_bytes(),
            ],
            &self.mac,
        )
    }

    pub fn to_line(&self) -> String {
        format!(
            "{CHECKPOINT_TAG} seq={} hash={} keyed_from={} mac={}",
            self.seq, self.hash, self.keyed_from, self.mac
        )
    }

    /// Reads the line written by [`Checkpoint::to_line`] (surrounding blank lines allowed).
    pub fn parse(text: &str) -> std::result::Result<Checkpoint, String> {
        let line = text.trim();
        let mut it = line.split_whitespace();
        if it.next() != Some(CHECKPOINT_TAG) {
            return Err(format!("not a checkpoint: it must start with {CHECKPOINT_TAG}"));
        }
        let mut fields = std::collections::HashMap::new();
        for kv in it {
            let (k, v) = kv.split_once('=').ok_or_else(|| format!("'{kv}' is not name=value"))?;
            fields.insert(k, v);
        }
        let get = |k: &str| fields.get(k).copied().ok_or_else(|| format!("missing {k}="));
        let num = |k: &str| -> std::result::Result<i64, String> {
            get(k)?.parse().map_err(|_| format!("{k}= is not a number"))
        };
        Ok(Checkpoint {
            seq: num("seq")?,
            hash: get("hash")?.to_string(),
            keyed_from: num("keyed_from")?,
            mac: get("mac")?.to_string(),
        })
    }
}

/// Signs the current head. Run `verify` first: a checkpoint of a chain already broken proves
/// nothing.
pub async fn checkpoint(db: &Db) -> Result<Checkpoint> {
    let key = db.audit_key().ok_or_else(no_key)?;
    let head = read_head(db).await?;
    let keyed_from = head.keyed_from.unwrap_or(1);
    Ok(Checkpoint {
        mac: Checkpoint::parts_mac(key, head.seq, &head.last_hash, keyed_from),
        seq: head.seq,
        hash: head.last_hash,
        keyed_from,
    })
}

pub async fn count(db: &Db) -> Result<i64> {
    let n: Scalar<i64> = db
        .fetch_one(Query::select().expr(Expr::cust("COUNT(*)")).from(AuditLog::Table))
        .await?;
    Ok(n.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hocvuso_core::crypto::MasterKey;

    #[test]
    fn checkpoint_round_trips_and_refuses_edits() {
        let key = AuditKey::new(&MasterKey::generate());
        let cp = Checkpoint {
            mac: Checkpoint::parts_mac(&key, 42, "abc", 3),
            seq: 42,
            hash: "abc".into(),
            keyed_from: 3,
        };
        let back = Checkpoint::parse(&format!("\n{}\n", cp.to_line())).unwrap();
        assert_eq!(back, cp);
        assert!(back.signed_by(&key));
        let edited = Checkpoint::parse(&cp.to_line().replace("seq=42", "seq=41")).unwrap();
        assert!(!edited.signed_by(&key));
        assert!(!cp.signed_by(&AuditKey::new(&MasterKey::generate())));
        assert!(Checkpoint::parse("seq=1").is_err());
        assert!(Checkpoint::parse(&cp.to_line().replace("seq=42", "seq=x")).is_err());
    }
}
