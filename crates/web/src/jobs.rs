//! Background work for imports, in two lanes: a checker (reads and validates uploaded files) and an
//! applier (writes the rows an officer decided to import), so a new upload is checked while a large
//! import is being applied. On start, jobs a restart interrupted are queued again. An applied chunk
//! commits with the job's progress, so stopping mid-way loses at most the uncommitted chunk, which
//! the next run applies again.
//!
//! A file can stop the process itself (memory, a bug in a reader). So that one file cannot keep the
//! platform down, every start of a job's stage is counted and committed before the work begins
//! (`imports::begin_attempt`): a job found unfinished with [`imports::MAX_ATTEMPTS`] starts behind
//! it is failed with the reason and its files removed, never started a third time. A clean
//! shutdown takes its attempt back. Each job runs in a task of its own, so a panic fails that job
//! and the lane goes on with the next.

use hocvuso_core::crypto::PidVault;
use hocvuso_db::Db;
use hocvuso_db::audit::Actor;
use hocvuso_db::imports::{self, Status};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

#[derive(Clone)]
pub struct JobQueue {
    check: mpsc::UnboundedSender<i64>,
    apply: mpsc::UnboundedSender<i64>,
}

impl JobQueue {
    /// A file was uploaded: check it.
    pub fn check(&self, job_id: i64) {
        // A closed queue only happens during shutdown; the job is picked up at the next start.
        let _ = self.check.send(job_id);
    }

    /// The officer chose to import: apply the staged rows.
    pub fn apply(&self, job_id: i64) {
        let _ = self.apply.send(job_id);
    }
}

/// The jobs being worked on, so a clean shutdown can stop them and take their attempt back.
type InFlight = Arc<Mutex<HashMap<i64, AbortHandle>>>;

/// The running lanes; aborting them stops between statements, never half-way through a commit.
pub struct Workers {
    handles: Vec<tokio::task::JoinHandle<()>>,
    in_flight: InFlight,
    db: Db,
}

impl Workers {
    pub async fn stop(self) {
        for h in &self.handles {
            h.abort();
        }
        for h in self.handles {
            let _ = h.await;
        }
        let stopped: Vec<(i64, AbortHandle)> = match self.in_flight.lock() {
            Ok(mut m) => m.drain().collect(),
            Err(_) => Vec::new(),
        };
        for (job_id, h) in stopped {
            h.abort();
            // Stopped on purpose, not by the file: the restart may try it again.
            if let Err(e) = imports::forget_attempt(&self.db, job_id).await {
                tracing::error!(job = job_id, error = %e, "cannot take back the attempt of a stopped import");
            }
        }
    }
}

async fn actor_for(db: &Db, job_id: i64) -> Actor {
    match imports::get(db, job_id).await {
        Ok(Some(j)) => Actor {
            account_id: Some(j.created_by),
            label: "import".into(),
            ip: "background".into(),
        },
        _ => Actor::system("import"),
    }
}

#[derive(Clone)]
struct Lane {
    db: Db,
    vault: Arc<PidVault>,
    upload_dir: PathBuf,
    metrics: Arc<crate::kit::metrics::Metrics>,
    in_flight: InFlight,
}

impl Lane {
    /// Runs one stage of a job: counts the attempt, gives up on a file that stopped the server
    /// twice, and runs the work in a task of its own so a panic ends only this job.
    async fn run(&self, job_id: i64, stage: Status) {
        let (db, dir) = (&self.db, &self.upload_dir);
        match imports::begin_attempt(db, job_id, stage).await {
            Ok(Some(n)) if n > imports::MAX_ATTEMPTS => {
                tracing::error!(
                    job = job_id,
                    attempts = n - 1,
                    "import stopped the server before; given up"
                );
                self.metrics.imports_failed.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = imports::give_up(db, dir, job_id, stage).await {
                    tracing::error!(job = job_id, error = %e, "cannot mark the import failed");
                }
                return;
            }
            Ok(Some(_)) => {}
            // Finished or moved on meanwhile (a repeated queue entry).
            Ok(None) => return,
            Err(e) => {
                tracing::error!(job = job_id, error = %e, "cannot count the import's attempt");
                return;
            }
        }
        let task = {
            let (db, vault, dir) = (db.clone(), self.vault.clone(), dir.clone());
            tokio::spawn(async move {
                if stage == Status::Checking {
                    let today = time::OffsetDateTime::now_utc().date();
                    imports::check(&db, &vault, &dir, job_id, today).await
                } else {
                    let actor = actor_for(&db, job_id).await;
                    imports::apply(&db, &vault, &dir, job_id, &actor).await
                }
            })
        };
        if let Ok(mut m) = self.in_flight.lock() {
            m.insert(job_id, task.abort_handle());
        }
        let outcome = task.await;
        if let Ok(mut m) = self.in_flight.lock() {
            m.remove(&job_id);
        }
        let why = match outcome {
            Ok(Ok(())) => {
                if stage == Status::Applying {
                    self.metrics.imports_done.fetch_add(1, Ordering::Relaxed);
                }
                return;
            }
            Ok(Err(e)) => e.to_string(),
            Err(e) if e.is_panic() => "panic".to_string(),
            // Cancelled by a shutdown: the restart picks the job up.
            Err(_) => return,
        };
        tracing::error!(job = job_id, error = %why, stage = stage.as_str(), "import failed");
        self.metrics.imports_failed.fetch_add(1, Ordering::Relaxed);
        let _ = imports::fail(db, dir, job_id, &why).await;
    }
}

pub async fn start(
    db: Db,
    vault: Arc<PidVault>,
    upload_dir: PathBuf,
    metrics: Arc<crate::kit::metrics::Metrics>,
) -> (JobQueue, Workers) {
    let (check_tx, mut check_rx) = mpsc::unbounded_channel::<i64>();
    let (apply_tx, mut apply_rx) = mpsc::unbounded_channel::<i64>();
    match imports::unfinished(&db).await {
        Ok(jobs) => {
            for j in jobs {
                tracing::info!(
                    job = j.id,
                    status = j.status.as_str(),
                    attempts = j.attempts,
                    "resuming interrupted import"
                );
                let _ = if j.status() == Status::Checking {
                    check_tx.send(j.id)
                } else {
                    apply_tx.send(j.id)
                };
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot list unfinished imports"),
    }
    let in_flight: InFlight = Arc::default();
    let lane = Lane {
        db: db.clone(),
        vault,
        upload_dir,
        metrics,
        in_flight: in_flight.clone(),
    };
    let checker = {
        let lane = lane.clone();
        tokio::spawn(async move {
            while let Some(job_id) = check_rx.recv().await {
                lane.run(job_id, Status::Checking).await;
            }
        })
    };
    let applier = tokio::spawn(async move {
        while let Some(job_id) = apply_rx.recv().await {
            lane.run(job_id, Status::Applying).await;
        }
    });
    (
        JobQueue {
            check: check_tx,
            apply: apply_tx,
        },
        Workers {
            handles: vec![checker, applier],
            in_flight,
            db,
        },
    )
}
