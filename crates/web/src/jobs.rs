//! The background worker for imports: one job at a time, fed by a queue, and on start every job a
//! restart interrupted. A chunk commits with the job's progress, so stopping mid-way loses at most
//! the uncommitted chunk, which the next run applies again.

use hocvuso_core::crypto::PidVault;
use hocvuso_db::Db;
use hocvuso_db::audit::Actor;
use hocvuso_db::imports;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::mpsc;

#[derive(Clone)]
pub struct JobQueue {
    tx: mpsc::UnboundedSender<i64>,
}

impl JobQueue {
    pub fn push(&self, job_id: i64) {
        // The worker lives as long as the server; a closed queue only happens during shutdown,
        // and the job is picked up again at the next start.
        let _ = self.tx.send(job_id);
    }
}

/// Starts the worker and re-queues unfinished jobs. Returns the queue and the worker's handle.
pub async fn start(
    db: Db,
    vault: Arc<PidVault>,
    upload_dir: PathBuf,
    metrics: Arc<crate::ops::Metrics>,
) -> (JobQueue, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<i64>();
    match imports::unfinished(&db).await {
        Ok(jobs) => {
            for j in jobs {
                tracing::info!(job = j.id, status = %j.status, "resuming interrupted import");
                let _ = tx.send(j.id);
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot list unfinished imports"),
    }
    let handle = tokio::spawn(async move {
        while let Some(job_id) = rx.recv().await {
            let today = time::OffsetDateTime::now_utc().date();
            let actor = match imports::get(&db, job_id).await {
                Ok(Some(j)) => Actor {
                    account_id: Some(j.created_by),
                    label: "import".into(),
                    ip: "background".into(),
                },
                _ => Actor::system("import"),
            };
            match imports::run(&db, &vault, &upload_dir, job_id, today, &actor).await {
                Ok(()) => {
                    metrics.imports_done.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    tracing::error!(job = job_id, error = %e, "import failed");
                    metrics.imports_failed.fetch_add(1, Ordering::Relaxed);
                    let _ = imports::fail(&db, job_id, &e.to_string()).await;
                }
            }
        }
    });
    (JobQueue { tx }, handle)
}
