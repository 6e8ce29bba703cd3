//! The one queue of background work, for every module. A job is a row of `jobs`: its kind, its
//! payload (JSON), the lane it runs in, the account whose action asked for it, and where it is
//! (queued → running → done or failed, with the reason).
//!
//! The promises, kept here so that every kind has them without writing them again:
//! - [`enqueue`] takes the caller's transaction: a job exists exactly when the change that needs it
//!   committed, and never for a change rolled back.
//! - [`claim`] takes the next job of a lane and counts the attempt in a transaction of its own,
//!   committed before any work: a process that dies during the work leaves the count behind.
//!   Several workers may claim at once (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: its one
//!   writer takes claims one at a time).
//! - A worker's later writes ([`finish`], [`fail`], [`retry_later`], [`release`], [`heartbeat`])
//!   name the attempt they belong to, so a run that lost its job (recovered after its heartbeat went
//!   stale and claimed again elsewhere) cannot finish or fail the newer run.
//! - Recovery is the same for every kind: a running job whose heartbeat went stale lost its process;
//!   [`requeue_stale`] queues it again while it has attempts left, and [`fail_stale`] fails it with
//!   the reason once they are used up.

use crate::{Db, Result, Tx, now, record};
use hocvuso_core::i18n::Message;
use sea_query::{Expr, ExprTrait, Iden, LockBehavior, LockType, Order, Query, SelectStatement};
use serde::Serialize;
use time::OffsetDateTime;

#[derive(Iden, Clone, Copy)]
pub enum Jobs {
    Table,
    Id,
    Kind,
    Payload,
    Lane,
    Status,
    Attempts,
    MaxAttempts,
    ActorId,
    RunAfter,
    CreatedAt,
    StartedAt,
    HeartbeatAt,
    FinishedAt,
    LastError,
}

const COLS: [Jobs; 14] = [
    Jobs::Id,
    Jobs::Kind,
    Jobs::Payload,
    Jobs::Lane,
    Jobs::Status,
    Jobs::Attempts,
    Jobs::MaxAttempts,
    Jobs::ActorId,
    Jobs::RunAfter,
    Jobs::CreatedAt,
    Jobs::StartedAt,
    Jobs::HeartbeatAt,
    Jobs::FinishedAt,
    Jobs::LastError,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for a worker (from `run_after` on).
    Queued,
    /// A worker claimed it; `attempts` counts this start.
    Running,
    Done,
    /// Failed for good: its last attempt failed, or the failure was one no retry can fix.
    Failed,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Queued, Status::Running, Status::Done, Status::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }

    /// Exactly the stored form; anything else is `None`. Read from a row, a value this release did
    /// not write is an error naming the column ([`crate::stored`]), never a guess: a job read as
    /// something it is not would be run twice or never.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

crate::stored::stored_as_text!(Status);

record! {
    /// A job as stored, decoded strictly.
    #[derive(Debug, Clone)]
    pub struct Job {
        pub id: i64,
        pub kind: String,
        /// JSON; each kind decodes its own payload type.
        pub payload: String,
        pub lane: String,
        pub status: Status as "jobs.status",
        /// Starts so far, the current one included while it runs.
        pub attempts: i32,
        pub max_attempts: i32,
        /// The account whose action enqueued the job; `None` for the operator's command line.
        pub actor_id: Option<i64>,
        pub run_after: OffsetDateTime,
        pub created_at: OffsetDateTime,
        pub started_at: Option<OffsetDateTime>,
        pub heartbeat_at: Option<OffsetDateTime>,
        pub finished_at: Option<OffsetDateTime>,
        /// Why the last attempt failed, or why the job failed for good.
        pub last_error: Option<Message> as "jobs.last_error",
    }
}

fn select() -> SelectStatement {
    Query::select().columns(COLS).from(Jobs::Table).to_owned()
}

fn reason_text(reason: &Message) -> String {
    serde_json::to_string(reason).unwrap_or_else(|_| format!("{{\"key\":\"{}\"}}", reason.key))
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub lane: &'a str,
    /// JSON of the kind's payload type.
    pub payload: String,
    pub max_attempts: i32,
    pub actor_id: Option<i64>,
    /// Not before this time (now when `None`).
    pub run_after: Option<OffsetDateTime>,
}

/// Adds a job inside the caller's transaction: it exists exactly when the caller commits.
pub async fn enqueue(tx: &mut Tx, job: NewJob<'_>) -> Result<i64> {
    let at = now();
    let id: crate::Scalar<i64> = tx
        .fetch_one(
            Query::insert()
                .into_table(Jobs::Table)
                .columns([
                    Jobs::Kind,
                    Jobs::Payload,
                    Jobs::Lane,
                    Jobs::Status,
                    Jobs::Attempts,
                    Jobs::MaxAttempts,
                    Jobs::ActorId,
                    Jobs::RunAfter,
                    Jobs::CreatedAt,
                ])
                .values_panic([
                    job.kind.into(),
                    job.payload.into(),
                    job.lane.into(),
                    Status::Queued.as_str().into(),
                    0.into(),
                    std::cmp::max(job.max_attempts, 1).into(),
                    job.actor_id.into(),
                    job.run_after.unwrap_or(at).into(),
                    at.into(),
                ])
                .returning_col(Jobs::Id),
        )
        .await?;
    Ok(id.0)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Job>> {
    db.fetch_optional(&select().and_where(Expr::col(Jobs::Id).eq(id)).to_owned())
        .await
}

/// The jobs of a kind whose payload is exactly `payload` (as the kind serialises it), oldest first.
pub async fn find(db: &Db, kind: &str, payload: &str) -> Result<Vec<Job>> {
    db.fetch_all(
        &select()
            .and_where(Expr::col(Jobs::Kind).eq(kind))
            .and_where(Expr::col(Jobs::Payload).eq(payload))
            .order_by(Jobs::Id, Order::Asc)
            .to_owned(),
    )
    .await
}

/// Every job of a kind, oldest first.
pub async fn of_kind(db: &Db, kind: &str) -> Result<Vec<Job>> {
    db.fetch_all(
        &select()
            .and_where(Expr::col(Jobs::Kind).eq(kind))
            .order_by(Jobs::Id, Order::Asc)
            .to_owned(),
    )
    .await
}

fn ready_filter(q: &mut SelectStatement, lane: &str, kinds: &[&str], at: OffsetDateTime) {
    q.and_where(Expr::col(Jobs::Lane).eq(lane))
        .and_where(Expr::col(Jobs::Status).eq(Status::Queued.as_str()))
        .and_where(Expr::col(Jobs::Kind).is_in(kinds.iter().copied()))
        .and_where(Expr::col(Jobs::RunAfter).lte(at));
}

/// Whether a job of one of `kinds` waits in `lane`: a read, so an idle worker polling does not take
/// SQLite's write lock.
pub async fn ready(db: &Db, lane: &str, kinds: &[&str], at: OffsetDateTime) -> Result<bool> {
    if kinds.is_empty() {
        return Ok(false);
    }
    let mut q = Query::select().column(Jobs::Id).from(Jobs::Table).limit(1).to_owned();
    ready_filter(&mut q, lane, kinds, at);
    let found: Option<crate::Scalar<i64>> = db.fetch_optional(&q).await?;
    Ok(found.is_some())
}

/// Claims the oldest ready job of `lane` among `kinds` (a process claims only kinds it knows, so a
/// job of a newer release waits for a process that can run it). The attempt is counted and
/// committed before this returns. `at` is the claim's time (tests pass an older one to stand for a
/// process that claimed and died).
pub async fn claim(db: &Db, lane: &str, kinds: &[&str], at: OffsetDateTime) -> Result<Option<Job>> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let mut q = Query::select()
        .column(Jobs::Id)
        .from(Jobs::Table)
        .order_by(Jobs::Id, Order::Asc)
        .limit(1)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    ready_filter(&mut q, lane, kinds, at);
    let next: Option<crate::Scalar<i64>> = tx.fetch_optional(&q).await?;
    let Some(id) = next else {
        return Ok(None);
    };
    let job = start(&mut tx, id.0, at).await?;
    tx.commit().await?;
    Ok(job)
}

/// Claims one given job if it is queued (the command line runs the job it just enqueued). `None`
/// when it is not queued: another worker has it, or it ended.
pub async fn claim_id(db: &Db, id: i64, at: OffsetDateTime) -> Result<Option<Job>> {
    let mut tx = db.begin().await?;
    let next: Option<crate::Scalar<i64>> = tx
        .fetch_optional(
            &Query::select()
                .column(Jobs::Id)
                .from(Jobs::Table)
                .and_where(Expr::col(Jobs::Id).eq(id))
                .and_where(Expr::col(Jobs::Status).eq(Status::Queued.as_str()))
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .to_owned(),
        )
        .await?;
    if next.is_none() {
        return Ok(None);
    }
    let job = start(&mut tx, id, at).await?;
    tx.commit().await?;
    Ok(job)
}

async fn start(tx: &mut Tx, id: i64, at: OffsetDateTime) -> Result<Option<Job>> {
    tx.fetch_optional(
        &Query::update()
            .table(Jobs::Table)
            .values([
                (Jobs::Status, Status::Running.as_str().into()),
                (Jobs::Attempts, Expr::col(Jobs::Attempts).add(1)),
                (Jobs::StartedAt, at.into()),
                (Jobs::HeartbeatAt, at.into()),
            ])
            .and_where(Expr::col(Jobs::Id).eq(id))
            .and_where(Expr::col(Jobs::Status).eq(Status::Queued.as_str()))
            .returning(Query::returning().columns(COLS))
            .to_owned(),
    )
    .await
}

/// The running attempt `attempt` of job `id`: a worker's writes touch only the run it claimed.
fn this_run(q: &mut sea_query::UpdateStatement, id: i64, attempt: i32) {
    q.and_where(Expr::col(Jobs::Id).eq(id))
        .and_where(Expr::col(Jobs::Status).eq(Status::Running.as_str()))
        .and_where(Expr::col(Jobs::Attempts).eq(attempt));
}

/// Tells the others that these runs are alive (see [`requeue_stale`]).
pub async fn heartbeat(db: &Db, runs: &[(i64, i32)]) -> Result<()> {
    if runs.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let at = now();
    for &(id, attempt) in runs {
        let mut q = Query::update()
            .table(Jobs::Table)
            .value(Jobs::HeartbeatAt, at)
            .to_owned();
        this_run(&mut q, id, attempt);
        tx.execute(&q).await?;
    }
    tx.commit().await
}

/// The run ended well. False when the run no longer owned the job.
pub async fn finish(db: &Db, id: i64, attempt: i32) -> Result<bool> {
    let at = now();
    let mut q = Query::update()
        .table(Jobs::Table)
        .values([
            (Jobs::Status, Status::Done.as_str().into()),
            (Jobs::FinishedAt, at.into()),
            (Jobs::HeartbeatAt, Option::<OffsetDateTime>::None.into()),
        ])
        .to_owned();
    this_run(&mut q, id, attempt);
    Ok(db.execute(&q).await? == 1)
}

/// The run failed and the job may be tried again from `run_after`.
pub async fn retry_later(db: &Db, id: i64, attempt: i32, reason: &Message, run_after: OffsetDateTime) -> Result<bool> {
    let mut q = Query::update()
        .table(Jobs::Table)
        .values([
            (Jobs::Status, Status::Queued.as_str().into()),
            (Jobs::RunAfter, run_after.into()),
            (Jobs::LastError, reason_text(reason).into()),
            (Jobs::HeartbeatAt, Option::<OffsetDateTime>::None.into()),
        ])
        .to_owned();
    this_run(&mut q, id, attempt);
    Ok(db.execute(&q).await? == 1)
}

/// Fails the job for good with the reason, inside the caller's transaction (the kind records what
/// the failure means for its own rows in the same transaction). False when the run no longer owned
/// the job.
pub async fn fail(tx: &mut Tx, id: i64, attempt: i32, reason: &Message) -> Result<bool> {
    let mut q = Query::update()
        .table(Jobs::Table)
        .values([
            (Jobs::Status, Status::Failed.as_str().into()),
            (Jobs::LastError, reason_text(reason).into()),
            (Jobs::FinishedAt, now().into()),
            (Jobs::HeartbeatAt, Option::<OffsetDateTime>::None.into()),
        ])
        .to_owned();
    this_run(&mut q, id, attempt);
    Ok(tx.execute(&q).await? == 1)
}

/// A clean shutdown stopped the run: the job is queued again and the attempt given back, since
/// only a process that died (or a run that failed) should count against it.
pub async fn release(db: &Db, id: i64, attempt: i32) -> Result<bool> {
    let mut q = Query::update()
        .table(Jobs::Table)
        .values([
            (Jobs::Status, Status::Queued.as_str().into()),
            (Jobs::Attempts, Expr::col(Jobs::Attempts).sub(1)),
            (Jobs::HeartbeatAt, Option::<OffsetDateTime>::None.into()),
        ])
        .to_owned();
    this_run(&mut q, id, attempt);
    Ok(db.execute(&q).await? == 1)
}

fn stale(q: &mut sea_query::UpdateStatement, stale_before: OffsetDateTime) {
    q.and_where(Expr::col(Jobs::Status).eq(Status::Running.as_str()))
        .and_where(
            Expr::col(Jobs::HeartbeatAt)
                .is_null()
                .or(Expr::col(Jobs::HeartbeatAt).lt(stale_before)),
        );
}

/// Running jobs whose last heartbeat is older than `stale_before` lost their process. Those with
/// attempts left are queued again, whatever their kind; returns how many. (Those without are left
/// for [`fail_stale`], which a process that knows the kind calls with the kind's own failure.)
pub async fn requeue_stale(db: &Db, stale_before: OffsetDateTime) -> Result<u64> {
    let mut q = Query::update()
        .table(Jobs::Table)
        .values([
            (Jobs::Status, Status::Queued.as_str().into()),
            (Jobs::HeartbeatAt, Option::<OffsetDateTime>::None.into()),
        ])
        .and_where(Expr::col(Jobs::Attempts).lt(Expr::col(Jobs::MaxAttempts)))
        .to_owned();
    stale(&mut q, stale_before);
    db.execute(&q).await
}

/// Stale running jobs of `kinds` that used all their attempts: each stopped its process every time
/// it ran.
pub async fn exhausted_stale(db: &Db, kinds: &[&str], stale_before: OffsetDateTime) -> Result<Vec<Job>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    db.fetch_all(
        &select()
            .and_where(Expr::col(Jobs::Status).eq(Status::Running.as_str()))
            .and_where(
                Expr::col(Jobs::HeartbeatAt)
                    .is_null()
                    .or(Expr::col(Jobs::HeartbeatAt).lt(stale_before)),
            )
            .and_where(Expr::col(Jobs::Attempts).gte(Expr::col(Jobs::MaxAttempts)))
            .and_where(Expr::col(Jobs::Kind).is_in(kinds.iter().copied()))
            .order_by(Jobs::Id, Order::Asc)
            .to_owned(),
    )
    .await
}

/// Fails a job found by [`exhausted_stale`], inside the caller's transaction, if it is still stale
/// (another process may have done it meanwhile). Returns whether this call failed it.
pub async fn fail_stale(tx: &mut Tx, id: i64, stale_before: OffsetDateTime, reason: &Message) -> Result<bool> {
    let mut q = Query::update()
        .table(Jobs::Table)
        .values([
            (Jobs::Status, Status::Failed.as_str().into()),
            (Jobs::LastError, reason_text(reason).into()),
            (Jobs::FinishedAt, now().into()),
            (Jobs::HeartbeatAt, Option::<OffsetDateTime>::None.into()),
        ])
        .and_where(Expr::col(Jobs::Id).eq(id))
        .to_owned();
    stale(&mut q, stale_before);
    Ok(tx.execute(&q).await? == 1)
}

/// Whether any running job's heartbeat is older than `stale_before` (a read, for the sweeper).
pub async fn any_stale(db: &Db, stale_before: OffsetDateTime) -> Result<bool> {
    let found: Option<crate::Scalar<i64>> = db
        .fetch_optional(
            &Query::select()
                .column(Jobs::Id)
                .from(Jobs::Table)
                .and_where(Expr::col(Jobs::Status).eq(Status::Running.as_str()))
                .and_where(
                    Expr::col(Jobs::HeartbeatAt)
                        .is_null()
                        .or(Expr::col(Jobs::HeartbeatAt).lt(stale_before)),
                )
                .limit(1)
                .to_owned(),
        )
        .await?;
    Ok(found.is_some())
}

record! {
    /// How many jobs of a kind are in a status.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Count {
        pub kind: String,
        pub status: Status as "jobs.status",
        pub n: i64,
    }
}

/// Jobs by kind and status (for `/metrics`).
pub async fn counts(db: &Db) -> Result<Vec<Count>> {
    db.fetch_all(
        &Query::select()
            .columns([Jobs::Kind, Jobs::Status])
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .from(Jobs::Table)
            .group_by_col(Jobs::Kind)
            .group_by_col(Jobs::Status)
            .order_by(Jobs::Kind, Order::Asc)
            .to_owned(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_decodes_strictly() {
        use crate::stored::Stored;
        for s in Status::ALL {
            assert_eq!(Status::from_stored(&s.as_str().to_string()), Some(s));
        }
        for unknown in ["cancelled", "Queued", "queued ", ""] {
            assert_eq!(Status::from_stored(&unknown.to_string()), None, "{unknown:?}");
        }
    }
}
