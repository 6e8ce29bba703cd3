//! Background work for imports, in two lanes: a checker (reads and validates uploaded files) and an
//! applier (writes the rows an officer decided to import), so a new upload is checked while a large
//! import is being applied. On start, jobs a restart interrupted are queued again. An applied chunk
//! commits with the job's progress, so stopping mid-way loses at most the uncommitted chunk, which
//! the next run applies again.

use hocvuso_core::crypto::PidVault;
use hocvuso_db::Db;
use hocvuso_db::audit::Actor;
use hocvuso_db::imports::{self, Status};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::mpsc;

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

/// The running lanes; aborting them stops between statements, never half-way through a commit.
pub struct Workers {
    handles: Vec<tokio::task::JoinHandle<()>>,
}

impl Workers {
    pub async fn stop(self) {
        for h in &self.handles {
            h.abort();
        }
        for h in self.handles {
            let _ = h.await;
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

pub async fn start(
    db: Db,
    vault: Arc<PidVault>,
    upload_dir: PathBuf,
    metrics: Arc<crate::ops::Metrics>,
) -> (JobQueue, Workers) {
    let (check_tx, mut check_rx) = mpsc::unbounded_channel::<i64>();
    let (apply_tx, mut apply_rx) = mpsc::unbounded_channel::<i64>();
    match imports::unfinished(&db).await {
        Ok(jobs) => {
            for j in jobs {
                tracing::info!(job = j.id, status = %j.status, "resuming interrupted import");
                let _ = if j.status() == Status::Checking {
                    check_tx.send(j.id)
                } else {
                    apply_tx.send(j.id)
                };
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot list unfinished imports"),
    }
    let checker = {
        let (db, vault, metrics, upload_dir) = (db.clone(), vault.clone(), metrics.clone(), upload_dir.clone());
        tokio::spawn(async move {
            while let Some(job_id) = check_rx.recv().await {
                let today = time::OffsetDateTime::now_utc().date();
                if let Err(e) = imports::check(&db, &vault, &upload_dir, job_id, today).await {
                    tracing::error!(job = job_id, error = %e, "import check failed");
                    metrics.imports_failed.fetch_add(1, Ordering::Relaxed);
                    let _ = imports::fail(&db, &upload_dir, job_id, &e.to_string()).await;
                }
            }
        })
    };
    let applier = tokio::spawn(async move {
        while let Some(job_id) = apply_rx.recv().await {
            let actor = actor_for(&db, job_id).await;
            match imports::apply(&db, &vault, &upload_dir, job_id, &actor).await {
                Ok(()) => {
                    metrics.imports_done.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    tracing::error!(job = job_id, error = %e, "import failed");
                    metrics.imports_failed.fetch_add(1, Ordering::Relaxed);
                    let _ = imports::fail(&db, &upload_dir, job_id, &e.to_string()).await;
                }
            }
        }
    });
    (
        JobQueue {
            check: check_tx,
            apply: apply_tx,
        },
        Workers {
            handles: vec![checker, applier],
        },
    )
}
