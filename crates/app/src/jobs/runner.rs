//! Runs the queue: one worker per [`Lane`], each job in a task of its own.
//!
//! A worker claims the next job of its lane among the kinds it knows (the attempt is counted and
//! committed before the work: `hocvuso_db::jobs::claim`), runs it in its own task (a panic ends
//! that job, reported failed with the panic's text, and the lane goes on), and records the end:
//! done; queued again later when the kind retries errors and attempts remain; or failed with the
//! reason, in one transaction with the kind's own record of the failure ([`Job::failed`]).
//!
//! While a job runs, its heartbeat is refreshed; a running job whose heartbeat went stale lost its
//! process (killed, out of memory, the machine stopped) and is recovered the same way for every
//! kind, at start-up and then periodically: queued again while attempts remain, else failed with
//! the reason ("stopped the process N times"). A clean shutdown stops the jobs in flight between
//! statements and gives their attempt back, so deploys never count against a job.
//!
//! [`Job::failed`]: super::Job::failed

use super::{Erased, Failure, JobError, Lane, Registry, Retry};
use crate::App;
use hocvuso_db::jobs::{self as store, Status};
use hocvuso_db::{DbError, now};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Timings of the runner.
#[derive(Debug, Clone)]
pub struct Options {
    /// An idle lane looks for ready jobs this often (jobs enqueued by this process wake it at once;
    /// this finds those of other processes and retries that came due).
    pub poll: Duration,
    /// A running job's heartbeat is written this often, and stale jobs are looked for.
    pub heartbeat: Duration,
    /// A running job whose heartbeat is older than this lost its process. Many heartbeats long, so
    /// a busy database that delays one write does not make a live job look dead.
    pub lease: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            poll: Duration::from_secs(1),
            heartbeat: Duration::from_secs(5),
            lease: Duration::from_secs(30),
        }
    }
}

struct Shared {
    app: App,
    registry: Registry,
    options: Options,
    /// Runs in flight in this process: job id → attempt, for the heartbeat.
    live: Mutex<HashMap<i64, i32>>,
}

impl Shared {
    fn live_runs(&self) -> Vec<(i64, i32)> {
        match self.live.lock() {
            Ok(m) => m.iter().map(|(&id, &a)| (id, a)).collect(),
            Err(_) => Vec::new(),
        }
    }
    fn set_live(&self, id: i64, attempt: Option<i32>) {
        if let Ok(mut m) = self.live.lock() {
            match attempt {
                Some(a) => m.insert(id, a),
                None => m.remove(&id),
            };
        }
    }
}

/// The running lanes and sweeper of this process.
pub struct Runner {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Runner {
    /// Recovers the jobs a stopped process left running, then starts a worker for each lane that
    /// has kinds and the sweeper (heartbeats, recovery of other processes' stale jobs).
    pub async fn start(app: App, registry: Registry, options: Options) -> Runner {
        let shared = Arc::new(Shared {
            app,
            registry,
            options,
            live: Mutex::new(HashMap::new()),
        });
        recover(&shared).await;
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        for lane in Lane::ALL {
            let kinds = shared.registry.in_lane(lane);
            if kinds.is_empty() {
                continue;
            }
            tasks.push(tokio::spawn(work(shared.clone(), lane, kinds, stopped.clone())));
        }
        tasks.push(tokio::spawn(sweep(shared, stopped)));
        Runner { stop, tasks }
    }

    /// Stops every lane: a job in flight is stopped between statements (its open transaction rolls
    /// back) and queued again with its attempt given back; returns when all have stopped.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// One lane's worker.
async fn work(shared: Arc<Shared>, lane: Lane, kinds: Vec<&'static str>, mut stopped: watch::Receiver<bool>) {
    let db = shared.app.db.clone();
    loop {
        if *stopped.borrow() {
            return;
        }
        let at = now();
        let claimed = match store::ready(&db, lane.as_str(), &kinds, at).await {
            Ok(true) => store::claim(&db, lane.as_str(), &kinds, at).await,
            Ok(false) => Ok(None),
            Err(e) => Err(e),
        };
        match claimed {
            Ok(Some(job)) => {
                if execute(&shared, job, &mut stopped).await == Ended::Stopped {
                    return;
                }
            }
            Ok(None) => {
                tokio::select! {
                    _ = shared.app.jobs.lane(lane).notified() => {}
                    _ = tokio::time::sleep(shared.options.poll) => {}
                    _ = stopped.changed() => return,
                }
            }
            Err(e) => {
                tracing::error!(lane = lane.as_str(), error = %e, "cannot claim a job");
                tokio::select! {
                    _ = tokio::time::sleep(shared.options.poll) => {}
                    _ = stopped.changed() => return,
                }
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Ended {
    Recorded,
    Stopped,
}

/// Runs one claimed job in a task of its own and records how it ended.
async fn execute(shared: &Arc<Shared>, job: store::Job, stopped: &mut watch::Receiver<bool>) -> Ended {
    let db = &shared.app.db;
    let (id, attempt) = (job.id, job.attempts);
    let Some(kind) = shared.registry.get(&job.kind) else {
        // Only kinds of the registry are claimed; should one slip through, it waits for a process
        // that knows it.
        let _ = store::release(db, id, attempt).await;
        return Ended::Recorded;
    };
    tracing::info!(job = id, kind = %job.kind, attempt, "job started");
    shared.set_live(id, Some(attempt));
    let mut task = {
        let (kind, app, job) = (kind.clone(), shared.app.clone(), job.clone());
        tokio::spawn(async move { kind.run(&app, &job).await })
    };
    let outcome = tokio::select! {
        // A job that ended as the stop came is recorded as it ended, never run again.
        biased;
        r = &mut task => r,
        _ = stopped.changed() => {
            task.abort();
            match task.await {
                Err(e) if e.is_cancelled() => {
                    shared.set_live(id, None);
                    // Stopped on purpose, not by the job: the next start runs it again, uncounted.
                    if let Err(e) = store::release(db, id, attempt).await {
                        tracing::error!(job = id, error = %e, "cannot give back the attempt of a stopped job");
                    }
                    return Ended::Stopped;
                }
                // It had already ended: the abort came too late to matter.
                r => r,
            }
        }
    };
    shared.set_live(id, None);
    let error = match outcome {
        Ok(Ok(())) => {
            match store::finish(db, id, attempt).await {
                Ok(true) => tracing::info!(job = id, kind = %job.kind, "job done"),
                Ok(false) => tracing::warn!(job = id, "job finished after it was taken from this run"),
                Err(e) => tracing::error!(job = id, error = %e, "cannot record a finished job"),
            }
            return Ended::Recorded;
        }
        Ok(Err(e)) => e,
        Err(e) if e.is_panic() => JobError::Broke(format!("panic: {}", panic_text(e))),
        // Only `stop` aborts a job's task, and it was handled above.
        Err(_) => JobError::Broke("cancelled".into()),
    };
    record_error(shared, kind.as_ref(), &job, error).await;
    Ended::Recorded
}

fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn record_error(shared: &Shared, kind: &dyn Erased, job: &store::Job, error: JobError) {
    let db = &shared.app.db;
    let failure = match error {
        JobError::Refused(m) => Failure::Refused(m),
        JobError::Broke(why) => match kind.retry() {
            Retry::Backoff { first } if job.attempts < job.max_attempts => {
                let reason = Failure::Broke(why.clone()).reason();
                let wait = first.saturating_mul(1 << (job.attempts - 1).clamp(0, 16));
                let run_after = now() + time::Duration::try_from(wait).unwrap_or(time::Duration::HOUR);
                tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %why, "job failed; tried again later");
                if let Err(e) = store::retry_later(db, job.id, job.attempts, &reason, run_after).await {
                    tracing::error!(job = job.id, error = %e, "cannot queue a failed job again");
                }
                return;
            }
            _ => Failure::Broke(why),
        },
    };
    tracing::error!(job = job.id, kind = %job.kind, attempt = job.attempts, reason = %failure.reason(), "job failed");
    if let Err(e) = fail_for_good(shared, kind, job, &failure, FailAs::Run).await {
        // The job stays running; recovery tries again once its heartbeat is stale.
        tracing::error!(job = job.id, error = %e, "cannot record a failed job");
    }
}

enum FailAs {
    /// The run that claimed it.
    Run,
    /// Recovery of a job whose heartbeat is older than this.
    Stale(time::OffsetDateTime),
}

/// Marks the job failed and lets its kind record what that means, in one transaction.
async fn fail_for_good(
    shared: &Shared,
    kind: &dyn Erased,
    job: &store::Job,
    failure: &Failure,
    how: FailAs,
) -> Result<(), DbError> {
    let reason = failure.reason();
    let mut tx = shared.app.db.begin().await?;
    let mine = match how {
        FailAs::Run => store::fail(&mut tx, job.id, job.attempts, &reason).await?,
        FailAs::Stale(before) => store::fail_stale(&mut tx, job.id, before, &reason).await?,
    };
    if mine {
        kind.failed(&shared.app, &mut tx, job, failure).await?;
    }
    tx.commit().await
}

/// Heartbeats of this process's runs, and recovery of stale ones, until stopped.
async fn sweep(shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(shared.options.heartbeat) => {}
            _ = stopped.changed() => return,
        }
        if let Err(e) = store::heartbeat(&shared.app.db, &shared.live_runs()).await {
            tracing::warn!(error = %e, "cannot write the heartbeat of running jobs");
        }
        recover(&shared).await;
    }
}

/// Running jobs whose heartbeat is older than the lease lost their process: queued again while
/// attempts remain, otherwise failed with the reason (only kinds this process knows; a newer
/// release's wait for a process that knows them).
async fn recover(shared: &Shared) {
    let db = &shared.app.db;
    let before = now() - time::Duration::try_from(shared.options.lease).unwrap_or(time::Duration::MINUTE);
    match store::any_stale(db, before).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::error!(error = %e, "cannot look for interrupted jobs");
            return;
        }
    }
    match store::requeue_stale(db, before).await {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!(jobs = n, "interrupted jobs queued again");
            shared.app.jobs.wake();
        }
        Err(e) => tracing::error!(error = %e, "cannot queue interrupted jobs again"),
    }
    let exhausted = match store::exhausted_stale(db, &shared.registry.kinds(), before).await {
        Ok(j) => j,
        Err(e) => {
            tracing::error!(error = %e, "cannot list jobs that stopped the process");
            return;
        }
    };
    for job in exhausted {
        let Some(kind) = shared.registry.get(&job.kind) else {
            continue;
        };
        let failure = Failure::Crashed { attempts: job.attempts };
        tracing::error!(job = job.id, kind = %job.kind, attempts = job.attempts, "job stopped the process every time it ran; given up");
        if let Err(e) = fail_for_good(shared, kind.as_ref(), &job, &failure, FailAs::Stale(before)).await {
            tracing::error!(job = job.id, error = %e, "cannot record a given-up job");
        }
    }
}

/// Runs one queued job here and now, as a lane would (the command line runs the job it just
/// enqueued, with its heartbeat kept while it runs). Returns the job's status afterwards, or
/// `None` when it was not queued (a server's runner took it first, or it ended).
pub async fn run_inline(app: &App, registry: &Registry, job_id: i64) -> Result<Option<Status>, DbError> {
    let Some(job) = store::claim_id(&app.db, job_id, now()).await? else {
        return Ok(None);
    };
    let shared = Arc::new(Shared {
        app: app.clone(),
        registry: registry.clone(),
        options: Options::default(),
        live: Mutex::new(HashMap::new()),
    });
    let (stop, mut stopped) = watch::channel(false);
    let heartbeat = {
        let shared = shared.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(shared.options.heartbeat).await;
                let _ = store::heartbeat(&shared.app.db, &shared.live_runs()).await;
            }
        })
    };
    execute(&shared, job, &mut stopped).await;
    heartbeat.abort();
    drop(stop);
    Ok(store::get(&app.db, job_id).await?.map(|j| j.status))
}
