//! Importing residents from a spreadsheet: the steps an officer takes (upload, map, decide), each
//! one transaction that also enqueues the background stage it starts, and those stages as job
//! kinds (check the file, apply the decided rows).
//!
//! Each step authorises its principal for `ImportPeople` on the import's unit; the stages act for
//! the account that took the step and authorise it again, with its grants of that moment, when
//! they run ([`jobs::may_still`]). The stages' own work is in [`check`] and [`apply`]; storage
//! (`hocvuso_db::imports`) only keeps the import's rows, reports and staged file.

mod apply;
mod check;

pub use check::IMPORT_REFUSAL_MAX;

use crate::jobs::{self, Failure, Job, JobError, Lane, Retry, Run};
use crate::{App, Error, Result};
use hocvuso_core::access::{Principal, act};
use hocvuso_db::audit::Actor;
use hocvuso_db::imports::{self, Decision, Status, mappings};
use hocvuso_db::units::{self, Unit};
use hocvuso_db::{DbError, Tx};
use serde::{Deserialize, Serialize};

/// The payload of both stages: which import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRef {
    pub import_id: i64,
}

/// Stores an uploaded file as an import and enqueues its check acting for `who`, in one
/// transaction, once `who` may import into the unit. Returns the import's id.
pub async fn upload(app: &App, who: &Principal, unit: &Unit, file_name: &str, bytes: &[u8]) -> Result<i64> {
    who.authorize::<act::ImportPeople>(&unit.path)?;
    let mut tx = app.db.begin().await?;
    let id = imports::create(
        &mut tx,
        &app.upload_dir,
        &app.vault,
        unit,
        who.account_id,
        file_name,
        bytes,
    )
    .await?;
    jobs::enqueue::<CheckImport>(&mut tx, &ImportRef { import_id: id }, who.account_id).await?;
    tx.commit().await?;
    app.jobs.wake();
    Ok(id)
}

/// The import and its unit, once `who` may import there (out of sight: not found).
async fn authorized(app: &App, who: &Principal, import_id: i64) -> Result<Unit> {
    let import = imports::get(&app.db, import_id).await?.ok_or(Error::NotFound)?;
    let unit = units::get(&app.db, import.unit_id).await?.ok_or(Error::NotFound)?;
    who.authorize_person::<act::ImportPeople>(&unit.path)?;
    Ok(unit)
}

/// Records the officer's decision and, to import, enqueues the apply acting for `who`, in one
/// transaction. False when the import was not waiting for a decision (a repeated click).
pub async fn decide(app: &App, who: &Principal, import_id: i64, decision: Decision) -> Result<bool> {
    authorized(app, who, import_id).await?;
    let mut tx = app.db.begin().await?;
    if !imports::decide(&mut tx, import_id, decision).await? {
        return Ok(false);
    }
    if decision == Decision::ImportGoodRows {
        jobs::enqueue::<ApplyImport>(&mut tx, &ImportRef { import_id }, who.account_id).await?;
    }
    tx.commit().await?;
    imports::after_decision(&app.upload_dir, import_id, decision);
    app.jobs.wake();
    Ok(true)
}

/// Remembers the officer's mapping for the unit and enqueues a new check of the file acting for
/// `who`, in one transaction. False when the import no longer waits (a repeated click).
pub async fn remap(app: &App, who: &Principal, import_id: i64, choices: &mappings::Choices) -> Result<bool> {
    authorized(app, who, import_id).await?;
    let mut tx = app.db.begin().await?;
    // 0 has always stood for the command line in `updated_by`.
    if !imports::remap(&mut tx, import_id, who.account_id.unwrap_or(0), choices).await? {
        return Ok(false);
    }
    jobs::enqueue::<CheckImport>(&mut tx, &ImportRef { import_id }, who.account_id).await?;
    tx.commit().await?;
    app.jobs.wake();
    Ok(true)
}

/// Runs the queued stage `J` of an import in this process, through the queue as a runner would
/// (the command line and the benchmark, which run without a server). Returns the stage's job id
/// and whether it ran here: false when a server's runner had taken it first (its result lands in
/// the same rows) or it was not queued.
pub async fn run_here<J: Job<Payload = ImportRef>>(
    app: &App,
    import_id: i64,
) -> std::result::Result<(i64, bool), DbError> {
    let payload = jobs::payload_text::<J>(&ImportRef { import_id })?;
    let found = hocvuso_db::jobs::find(&app.db, J::KIND, &payload).await?;
    let job = found
        .iter()
        .rev()
        .find(|j| j.status == hocvuso_db::jobs::Status::Queued)
        .or(found.last())
        .ok_or(DbError::NotFound)?;
    let ran = jobs::run_inline(app, &jobs::registry(), job.id).await?.is_some();
    Ok((job.id, ran))
}

/// The import in the stage a job of `stage` works on, with the principal the job acts as, once
/// the job's account is found still allowed to import into the import's unit. `None` when the
/// import has moved on (a stage found done by a run that lost its process after the stage's last
/// write).
async fn at_stage(app: &App, run: &Run<ImportRef>, stage: Status) -> std::result::Result<Option<Principal>, JobError> {
    let db = &app.db;
    let Some(import) = imports::get(db, run.payload.import_id).await? else {
        return Ok(None);
    };
    if import.status() != stage {
        return Ok(None);
    }
    let unit = units::get(db, import.unit_id).await?.ok_or(DbError::NotFound)?;
    let (principal, _scope) = jobs::may_still::<act::ImportPeople>(db, run.actor, &unit).await?;
    Ok(Some(principal))
}

/// What the import's own page says when a stage failed for good.
fn failure_message(stage: Status, failure: &Failure) -> hocvuso_core::i18n::Message {
    match failure {
        Failure::Crashed { .. } => imports::crashed_message(stage),
        Failure::Refused(m) => m.clone(),
        Failure::Broke(why) => imports::failed_message(why),
    }
}

/// Checks an uploaded file: every bad row with its line, column and reason; the good rows staged.
/// Short lane: a commune's list is checked while a province's list is being applied.
pub struct CheckImport;

impl Job for CheckImport {
    const KIND: &'static str = "import.check";
    const LANE: Lane = Lane::Short;
    const MAX_ATTEMPTS: i32 = imports::MAX_ATTEMPTS;
    /// A file that broke the check breaks it again: the officer is told at once.
    const RETRY: Retry = Retry::Never;
    type Payload = ImportRef;

    async fn run(&self, app: &App, run: &Run<ImportRef>) -> std::result::Result<(), JobError> {
        if at_stage(app, run, Status::Checking).await?.is_none() {
            return Ok(());
        }
        let today = time::OffsetDateTime::now_utc().date();
        check::check(app, run.payload.import_id, today).await?;
        Ok(())
    }

    async fn failed(
        &self,
        app: &App,
        tx: &mut Tx,
        run: &Run<ImportRef>,
        failure: &Failure,
    ) -> std::result::Result<(), DbError> {
        let message = failure_message(Status::Checking, failure);
        imports::fail(tx, &app.upload_dir, run.payload.import_id, &message).await
    }
}

/// Applies the rows an officer decided to import, a frame per transaction with the progress (a
/// restart resumes after the last committed frame). Long lane.
pub struct ApplyImport;

impl Job for ApplyImport {
    const KIND: &'static str = "import.apply";
    const LANE: Lane = Lane::Long;
    const MAX_ATTEMPTS: i32 = imports::MAX_ATTEMPTS;
    const RETRY: Retry = Retry::Never;
    type Payload = ImportRef;

    async fn run(&self, app: &App, run: &Run<ImportRef>) -> std::result::Result<(), JobError> {
        let Some(principal) = at_stage(app, run, Status::Applying).await? else {
            return Ok(());
        };
        let actor = Actor::from(&principal);
        apply::apply(app, run.payload.import_id, &actor).await?;
        Ok(())
    }

    async fn failed(
        &self,
        app: &App,
        tx: &mut Tx,
        run: &Run<ImportRef>,
        failure: &Failure,
    ) -> std::result::Result<(), DbError> {
        let message = failure_message(Status::Applying, failure);
        imports::fail(tx, &app.upload_dir, run.payload.import_id, &message).await
    }
}
