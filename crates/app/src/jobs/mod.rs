//! Background work: one queue for every module (storage: `hocvuso_db::jobs`).
//!
//! A module adds a kind of job by implementing [`Job`] (its kind name, payload type, lane, attempts
//! and retry policy, and what running it does) and listing it in [`registry`]; its use cases call
//! [`enqueue`] inside their transaction. Nothing else of the queue changes: claiming, counting
//! attempts, lanes, the panic fence, clean shutdown, restart recovery, failure reasons and the
//! counts in `/metrics` are the same for every kind ([`runner`]).

mod actor;
pub mod runner;

pub use actor::may_still;
pub use runner::{Options, Runner, run_inline};

use crate::App;
use hocvuso_core::i18n::Message;
use hocvuso_db::jobs::{self as store, NewJob, Status};
use hocvuso_db::{Db, DbError, Tx};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Lanes run side by side, each one job at a time, so a long job (applying a province's list)
/// never holds up short ones (checking a commune's upload).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lane {
    Short,
    Long,
}

impl Lane {
    pub const ALL: [Lane; 2] = [Lane::Short, Lane::Long];

    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Short => "short",
            Lane::Long => "long",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What a run that returned an error (or panicked) leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The job fails at once with the reason. Only a run its process died in is started again,
    /// while attempts remain (a file that stops the server is not fed to it for ever).
    Never,
    /// Tried again after `first`, then twice as long each time, while attempts remain.
    Backoff { first: Duration },
}

/// Why a run did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    /// Trying again cannot help (the actor lost the right, the input is gone): the job fails now,
    /// with this reason for whoever reads it.
    Refused(Message),
    /// Something broke (database, disk, a bug): retried as the kind's [`Retry`] says.
    Broke(String),
}

impl From<DbError> for JobError {
    fn from(e: DbError) -> Self {
        JobError::Broke(e.to_string())
    }
}

/// Why a job failed for good, as its kind is told ([`Job::failed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The process stopped during each of its `attempts` runs.
    Crashed {
        attempts: i32,
    },
    Refused(Message),
    /// An error or a panic on its last permitted attempt (or on its only one, with [`Retry::Never`]).
    Broke(String),
}

impl Failure {
    /// The reason stored with the job.
    pub fn reason(&self) -> Message {
        match self {
            Failure::Crashed { attempts } => Message::new("err-job-crashed").arg("attempts", attempts),
            Failure::Refused(m) => m.clone(),
            Failure::Broke(why) => Message::new("err-job-broke").arg("reason", why),
        }
    }
}

/// One run of a job, with its decoded payload.
#[derive(Debug, Clone)]
pub struct Run<P> {
    pub id: i64,
    /// This start, from 1.
    pub attempt: i32,
    pub max_attempts: i32,
    /// The account whose action enqueued the job (`None`: the operator's command line). A job
    /// checks again that it may still act ([`may_still`]) before it changes anything.
    pub actor: Option<i64>,
    pub payload: P,
}

/// A kind of background job.
pub trait Job: Send + Sync + 'static {
    /// Stored with each job (`jobs.kind`): never renamed once released.
    const KIND: &'static str;
    const LANE: Lane;
    /// Starts allowed, the first included; a job that used them all is failed with its reason.
    const MAX_ATTEMPTS: i32 = 3;
    const RETRY: Retry = Retry::Backoff {
        first: Duration::from_secs(30),
    };
    /// Stored as JSON; decoded strictly (a payload that does not decode fails the job).
    type Payload: Serialize + DeserializeOwned + Send + Sync + 'static;

    fn run(&self, app: &App, run: &Run<Self::Payload>) -> impl Future<Output = Result<(), JobError>> + Send;

    /// The job failed for good: record what that means for the kind's own rows. Runs inside the
    /// transaction that marks the job failed, so both show the failure or neither does.
    fn failed(
        &self,
        _app: &App,
        _tx: &mut Tx,
        _run: &Run<Self::Payload>,
        _failure: &Failure,
    ) -> impl Future<Output = Result<(), DbError>> + Send {
        async { Ok(()) }
    }
}

/// Adds a job of kind `J` inside the caller's transaction: it exists exactly when the change that
/// needs it commits. After the commit, [`Wake::wake`] lets this process's runner start at once.
pub async fn enqueue<J: Job>(tx: &mut Tx, payload: &J::Payload, actor: Option<i64>) -> Result<i64, DbError> {
    store::enqueue(tx, new_job::<J>(payload, actor)?).await
}

fn new_job<J: Job>(payload: &J::Payload, actor: Option<i64>) -> Result<NewJob<'static>, DbError> {
    Ok(NewJob {
        kind: J::KIND,
        lane: J::LANE.as_str(),
        payload: payload_text::<J>(payload)?,
        max_attempts: J::MAX_ATTEMPTS,
        actor_id: actor,
        run_after: None,
    })
}

/// The payload as stored: the JSON that finds a job again (`hocvuso_db::jobs::find`).
pub fn payload_text<J: Job>(payload: &J::Payload) -> Result<String, DbError> {
    serde_json::to_string(payload).map_err(|e| DbError::Invalid(format!("{}: payload: {e}", J::KIND)))
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A [`Job`] with its payload type erased, for the registry.
trait Erased: Send + Sync {
    fn kind(&self) -> &'static str;
    fn lane(&self) -> Lane;
    fn retry(&self) -> Retry;
    fn run<'a>(&'a self, app: &'a App, job: &'a store::Job) -> BoxFuture<'a, Result<(), JobError>>;
    fn failed<'a>(
        &'a self,
        app: &'a App,
        tx: &'a mut Tx,
        job: &'a store::Job,
        failure: &'a Failure,
    ) -> BoxFuture<'a, Result<(), DbError>>;
}

struct Kind<J>(J);

fn decode<J: Job>(job: &store::Job) -> Result<Run<J::Payload>, JobError> {
    let payload = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Refused(Message::new("err-job-payload").arg("reason", e)))?;
    Ok(Run {
        id: job.id,
        attempt: job.attempts,
        max_attempts: job.max_attempts,
        actor: job.actor_id,
        payload,
    })
}

impl<J: Job> Erased for Kind<J> {
    fn kind(&self) -> &'static str {
        J::KIND
    }
    fn lane(&self) -> Lane {
        J::LANE
    }
    fn retry(&self) -> Retry {
        J::RETRY
    }
    fn run<'a>(&'a self, app: &'a App, job: &'a store::Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let run = decode::<J>(job)?;
            self.0.run(app, &run).await
        })
    }
    fn failed<'a>(
        &'a self,
        app: &'a App,
        tx: &'a mut Tx,
        job: &'a store::Job,
        failure: &'a Failure,
    ) -> BoxFuture<'a, Result<(), DbError>> {
        Box::pin(async move {
            match decode::<J>(job) {
                Ok(run) => self.0.failed(app, tx, &run, failure).await,
                // Nothing of the kind's own can be named without its payload.
                Err(_) => Ok(()),
            }
        })
    }
}

/// The kinds a runner knows, by name.
#[derive(Clone, Default)]
pub struct Registry {
    kinds: BTreeMap<&'static str, Arc<dyn Erased>>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds a kind. Two kinds of one name are a wiring mistake found at start-up.
    pub fn with<J: Job>(mut self, job: J) -> Registry {
        let previous = self.kinds.insert(J::KIND, Arc::new(Kind(job)));
        assert!(previous.is_none(), "job kind {} registered twice", J::KIND);
        self
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        self.kinds.keys().copied().collect()
    }

    fn get(&self, kind: &str) -> Option<Arc<dyn Erased>> {
        self.kinds.get(kind).cloned()
    }

    fn in_lane(&self, lane: Lane) -> Vec<&'static str> {
        self.kinds
            .values()
            .filter(|k| k.lane() == lane)
            .map(|k| k.kind())
            .collect()
    }
}

/// Every kind of job of the application. A module's kinds are added here.
pub fn registry() -> Registry {
    Registry::new()
        .with(crate::imports::CheckImport)
        .with(crate::imports::ApplyImport)
        .with(crate::learning::audio::MakeAudio)
        .with(crate::assessment::lessons::ConfirmWaiting)
}

/// Tells this process's runner that jobs were committed, so it claims them now rather than at its
/// next poll. Cheap and safe to call when nothing waits.
#[derive(Clone)]
pub struct Wake {
    lanes: Arc<[Notify; 2]>,
}

impl Default for Wake {
    fn default() -> Self {
        Wake {
            lanes: Arc::new([Notify::new(), Notify::new()]),
        }
    }
}

impl Wake {
    pub fn wake(&self) {
        for n in self.lanes.iter() {
            n.notify_one();
        }
    }

    fn lane(&self, lane: Lane) -> &Notify {
        &self.lanes[lane.index()]
    }
}

/// How many jobs of a kind are in each status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindCounts {
    pub kind: String,
    /// In [`Status::ALL`] order: queued, running, done, failed.
    pub by_status: [(Status, i64); 4],
}

/// Jobs by kind and status, every kind of `registry` listed (with zeros) and any other kind found
/// stored (a newer release's), for `/metrics`.
pub async fn counts(db: &Db, registry: &Registry) -> Result<Vec<KindCounts>, DbError> {
    let mut by_kind: BTreeMap<String, [(Status, i64); 4]> = registry
        .kinds()
        .into_iter()
        .map(|k| (k.to_string(), Status::ALL.map(|s| (s, 0))))
        .collect();
    for c in store::counts(db).await? {
        let row = by_kind.entry(c.kind).or_insert_with(|| Status::ALL.map(|s| (s, 0)));
        for (s, n) in row.iter_mut() {
            if *s == c.status {
                *n += c.n;
            }
        }
    }
    Ok(by_kind
        .into_iter()
        .map(|(kind, by_status)| KindCounts { kind, by_status })
        .collect())
}
