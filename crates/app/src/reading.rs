//! One spreadsheet read at a time in the process. Reading and checking one upload within the
//! reader's limits peaks at ~139 MB (the 200,000-row commune list, `tests/upload_memory.rs`), under
//! the documented bound of 512 MB; several read at once would each add as much. Every read and
//! check of an uploaded sheet — the people import's background check, the village list, the
//! denominators — passes through the [`Gate`] held in [`crate::App`] (one per process: the server
//! builds one `App` and clones it), so the process holds one upload's read at a time whatever
//! number of officers upload together.
//!
//! A request waits for the gate at most [`Gate::wait`] (`HOCVUSO_UPLOAD_WAIT_SECS`), then is
//! answered [`crate::Error::Busy`] (503, `Retry-After`); a queued background check waits as long as
//! it takes. The work itself runs on the blocking pool, never on the async workers, and keeps its
//! permit until it ends, even when the request that started it has gone.

use crate::{Error, Result};
use hocvuso_db::DbError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a request waits for another upload's read to finish, unless configured.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);
/// What a refused request is told to wait before sending the file again (seconds).
pub const RETRY_AFTER_SECS: u64 = 60;

/// The process's one reader permit, and what `/metrics` reports of it.
#[derive(Debug)]
pub struct Gate {
    permit: Arc<Semaphore>,
    wait: Duration,
    done: AtomicU64,
    refused_busy: AtomicU64,
    waiting: AtomicU64,
}

/// What the gate has done since the process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Reads (with their checks) finished, whatever their outcome.
    pub done: u64,
    /// Requests answered busy after waiting their time.
    pub refused_busy: u64,
    /// Reads waiting for the gate now.
    pub waiting: u64,
}

/// The gate, held: nobody else reads until it is dropped.
#[derive(Debug)]
pub struct Held(#[allow(dead_code)] OwnedSemaphorePermit);

/// Counts a waiter for as long as it waits, even when its request is dropped meanwhile.
struct Waiting<'a>(&'a AtomicU64);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Default for Gate {
    fn default() -> Gate {
        Gate::new(DEFAULT_WAIT)
    }
}

impl Gate {
    /// A gate whose requests wait at most `wait` for it.
    pub fn new(wait: Duration) -> Gate {
        Gate {
            permit: Arc::new(Semaphore::new(1)),
            wait,
            done: AtomicU64::new(0),
            refused_busy: AtomicU64::new(0),
            waiting: AtomicU64::new(0),
        }
    }

    /// How long a request waits for the gate.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    pub fn counts(&self) -> Counts {
        Counts {
            done: self.done.load(Ordering::Relaxed),
            refused_busy: self.refused_busy.load(Ordering::Relaxed),
            waiting: self.waiting.load(Ordering::Relaxed),
        }
    }

    /// Takes the gate, waiting at most `limit` (`None`: as long as it takes).
    async fn enter(&self, limit: Option<Duration>) -> Option<Held> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        let acquire = self.permit.clone().acquire_owned();
        let permit = match limit {
            Some(d) => tokio::time::timeout(d, acquire).await.ok()?,
            None => acquire.await,
        };
        // The semaphore is never closed.
        permit.ok().map(Held)
    }

    /// Holds the gate until the returned value is dropped, waiting as long as it takes (an
    /// operator's tool, and tests that need the gate busy).
    pub async fn hold(&self) -> Held {
        loop {
            if let Some(h) = self.enter(None).await {
                return h;
            }
        }
    }

    /// Runs `work` (a read and its check) on the blocking pool once the gate is free, waiting at
    /// most [`Gate::wait`]: the read of a request, whose officer is waiting for the page.
    pub async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let Some(held) = self.enter(Some(self.wait)).await else {
            self.refused_busy.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                wait_secs = self.wait.as_secs(),
                "upload refused: another upload is being read"
            );
            return Err(Error::Busy);
        };
        self.run(held, work).await
    }

    /// Runs `work` on the blocking pool once the gate is free, waiting as long as it takes: the
    /// read of a queued background job, which nobody waits for on a page.
    pub async fn read_queued<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let held = self.hold().await;
        self.run(held, work).await
    }

    async fn run<T, F>(&self, held: Held, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let out = tokio::task::spawn_blocking(move || {
            // Released when the work ends, not when the caller stops waiting for it.
            let _held = held;
            work()
        })
        .await;
        self.done.fetch_add(1, Ordering::Relaxed);
        out.map_err(|e| Error::Db(DbError::Invalid(format!("reading the file stopped: {e}"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_read_at_a_time_and_a_bounded_wait() {
        let gate = Arc::new(Gate::new(Duration::from_millis(50)));
        let held = gate.hold().await;
        // Busy: a request gives up after its wait, counted.
        assert!(matches!(gate.read(|| 1).await, Err(Error::Busy)));
        // A queued read waits until the gate is released.
        let queued = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.read_queued(|| 2).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(gate.counts().waiting, 1);
        drop(held);
        assert_eq!(queued.await.unwrap().unwrap(), 2);
        assert_eq!(gate.read(|| 3).await.unwrap(), 3);
        assert_eq!(
            gate.counts(),
            Counts {
                done: 2,
                refused_busy: 1,
                waiting: 0
            }
        );
    }

    #[tokio::test]
    async fn a_read_keeps_the_gate_after_its_caller_left() {
        let gate = Arc::new(Gate::new(Duration::from_millis(50)));
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let reading = {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.read(move || {
                    let _ = wait.recv();
                })
                .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The request is gone (a timeout, a closed connection); its read still runs.
        reading.abort();
        assert!(matches!(gate.read(|| ()).await, Err(Error::Busy)));
        let _ = go.send(());
        assert!(gate.read_queued(|| ()).await.is_ok());
    }
}
