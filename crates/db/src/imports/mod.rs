//! Storage of background imports of people: the import rows (one per uploaded file, with its
//! status, counts and progress), the uploaded file and the staged rows on disk, the row reports
//! ([`reports`]), the officer's mappings ([`mappings`]) and the lookups of who already holds an
//! import's ID numbers ([`existing`]). The stages themselves (check, apply) are use cases:
//! `hocvuso_app::imports`. A frame's rows commit together with the import's progress
//! ([`record_frame`]), so a restart resumes exactly where it stopped.

pub mod existing;
pub mod mappings;
mod reports;
pub mod staged;

pub use reports::{ImportErrors, StoredError, append_errors, errors, notes, refusals_this_hour, replace_reports};
pub use staged::FRAME_ROWS as CHUNK;

use crate::units::Unit;
use crate::{Db, DbError, Result, Scalar, Tx, now, record};
use hocvuso_core::crypto::PidVault;
use hocvuso_core::i18n::Message;
use hocvuso_core::import as parse;
use hocvuso_core::text;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde::Serialize;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

// The tables this module owns; other modules import these to join them.
#[derive(Iden, Clone, Copy)]
pub enum ImportJobs {
    Table,
    Id,
    UnitId,
    CreatedBy,
    FileName,
    Status,
    TotalRows,
    GoodRows,
    BadRows,
    ProcessedRows,
    Inserted,
    Updated,
    Unchanged,
    Message,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
    Unknowns,
    Attempts,
    UnstoredErrors,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Uploaded; the background checker has not finished.
    Checking,
    /// Checked; waiting for the officer to choose.
    AwaitingDecision,
    /// The file lacks a required column under a header we know: the officer says which of its
    /// headers holds it, then the file is checked again.
    NeedsMapping,
    /// The officer chose to import; rows are being applied.
    Applying,
    Done,
    /// The file could not be read at all, or applying failed; nothing half-applied stays hidden.
    Failed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Checking => "checking",
            Status::AwaitingDecision => "awaiting_decision",
            Status::NeedsMapping => "needs_mapping",
            Status::Applying => "applying",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "checking" => Status::Checking,
            "awaiting_decision" => Status::AwaitingDecision,
            "needs_mapping" => Status::NeedsMapping,
            "applying" => Status::Applying,
            "done" => Status::Done,
            "failed" => Status::Failed,
            "cancelled" => Status::Cancelled,
            _ => return None,
        })
    }
    pub fn finished(self) -> bool {
        matches!(self, Status::Done | Status::Failed | Status::Cancelled)
    }
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Job {
        pub id: i64,
        pub unit_id: i64,
        pub created_by: i64,
        pub file_name: String,
        pub status: Status as "import_jobs.status",
        pub total_rows: i32,
        pub good_rows: i32,
        pub bad_rows: i32,
        pub processed_rows: i32,
        pub inserted: i32,
        pub updated: i32,
        pub unchanged: i32,
        /// The file-level problem, if the job failed.
        pub message: Option<Message> as "import_jobs.message",
        pub created_at: OffsetDateTime,
        pub finished_at: Option<OffsetDateTime>,
        pub unknowns: Option<Unknowns> as "import_jobs.unknowns",
        /// No longer counted here (release 9 and later count each stage's starts in the job queue,
        /// `jobs.attempts`); kept for the rows of older releases.
        pub attempts: i32,
        /// Problems found past the [`MAX_STORED_ERRORS`] kept, counted only.
        pub unstored_errors: i32,
    }
}

/// What the check of a file did not recognise, for the officer to map once for the commune.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Unknowns {
    /// Required fields without a column (the job then waits for a mapping).
    pub missing: Vec<String>,
    /// Headers of the file that name no field, in file order.
    pub headers: Vec<String>,
    /// Target-group values no spelling recognised, as first written, with how many rows.
    pub groups: Vec<(String, usize)>,
}

impl Unknowns {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.groups.is_empty()
    }
}

crate::stored::stored_as_text!(Status);

/// Stored as JSON; NULL until the check has run.
impl crate::stored::Stored for Unknowns {
    type Raw = String;
    fn from_stored(raw: &String) -> Option<Self> {
        serde_json::from_str(raw).ok()
    }
}

impl Job {
    /// The field, for the many callers that read it as a method.
    pub fn status(&self) -> Status {
        self.status
    }
    /// The file-level problem, if the job failed.
    pub fn message(&self) -> Option<Message> {
        self.message.clone()
    }
    pub fn unknowns(&self) -> Unknowns {
        self.unknowns.clone().unwrap_or_default()
    }
    pub fn percent(&self) -> i32 {
        if self.good_rows == 0 {
            100
        } else {
            (self.processed_rows as i64 * 100 / self.good_rows as i64) as i32
        }
    }
}

const JOB_COLS: [ImportJobs; 18] = [
    ImportJobs::Id,
    ImportJobs::UnitId,
    ImportJobs::CreatedBy,
    ImportJobs::FileName,
    ImportJobs::Status,
    ImportJobs::TotalRows,
    ImportJobs::GoodRows,
    ImportJobs::BadRows,
    ImportJobs::ProcessedRows,
    ImportJobs::Inserted,
    ImportJobs::Updated,
    ImportJobs::Unchanged,
    ImportJobs::Message,
    ImportJobs::CreatedAt,
    ImportJobs::FinishedAt,
    ImportJobs::Unknowns,
    ImportJobs::Attempts,
    ImportJobs::UnstoredErrors,
];

/// Problems of one import kept row by row (line, column, reason); past them only a count is kept.
/// A file of 300,000 bad rows once stored 1.2 million error rows (~600 MB); an officer fixes a
/// file from its first problems and checks it again.
pub const MAX_STORED_ERRORS: usize = parse::MAX_KEPT_ERRORS;

/// Workers a stage of a job may be started by: the first run and one retry after the process
/// stopped mid-way. A third start means the same file stopped the server twice.
pub const MAX_ATTEMPTS: i32 = 2;

/// Where uploaded files wait for the checker.
pub fn upload_path(dir: &Path, job_id: i64) -> PathBuf {
    dir.join(format!("import-{job_id}.upload"))
}

/// The first bytes of a sealed upload. A file without them was stored by a release that kept
/// uploads as sent; it is still read, and removed like any upload once its import is decided.
const SEALED_UPLOAD: &[u8; 8] = b"HVUPLD1\n";

/// Seals an uploaded file (it holds ID numbers in plain text) and stores it, synced and renamed
/// into place so the checker never reads half a file.
/// Seals the upload and writes it, synced, on the blocking pool: a list of 100 MB takes its time
/// to reach the disk, and the async workers keep answering meanwhile.
async fn store_upload(dir: &Path, job_id: i64, vault: &PidVault, bytes: &[u8]) -> std::io::Result<()> {
    let sealed = vault.seal(bytes);
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        std::fs::create_dir_all(&dir)?;
        let path = upload_path(&dir, job_id);
        let part = path.with_extension("upload.part");
        let mut f = std::fs::File::create(&part)?;
        f.write_all(SEALED_UPLOAD)?;
        f.write_all(&sealed)?;
        f.sync_all()?;
        std::fs::rename(&part, &path)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// The uploaded file of a job as the officer sent it. `Ok(None)`: it is gone (removed after a
/// decision, or lost with a restore). A sealed file that does not open is an error.
pub fn read_upload(dir: &Path, job_id: i64, vault: &PidVault) -> Result<Option<Vec<u8>>> {
    let stored = match std::fs::read(upload_path(dir, job_id)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(DbError::Invalid(format!("cannot read upload: {e}"))),
    };
    match stored.strip_prefix(SEALED_UPLOAD.as_slice()) {
        Some(sealed) => vault
            .open(sealed)
            .map(Some)
            .map_err(|_| DbError::Invalid("upload damaged or sealed with another key".into())),
        None => Ok(Some(stored)),
    }
}

/// Removes the uploaded file of a job (gone already is fine).
pub fn remove_upload(dir: &Path, job_id: i64) {
    let _ = std::fs::remove_file(upload_path(dir, job_id));
}

/// Creates a job for an uploaded file and stores the file for the background checker, inside the
/// caller's transaction; the caller enqueues the check in the same transaction
/// (`hocvuso_app::imports::upload`). `created_by` is `None` for the command line.
pub async fn create(
    tx: &mut Tx,
    upload_dir: &Path,
    vault: &PidVault,
    unit: &Unit,
    created_by: Option<i64>,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64> {
    let name: String = text::clean_line("file", file_name, 200)
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let at = now();
    let id: Scalar<i64> = tx
        .fetch_one(
            Query::insert()
                .into_table(ImportJobs::Table)
                .columns([
                    ImportJobs::UnitId,
                    ImportJobs::CreatedBy,
                    ImportJobs::FileName,
                    ImportJobs::Status,
                    ImportJobs::CreatedAt,
                    ImportJobs::UpdatedAt,
                ])
                .values_panic([
                    unit.id.into(),
                    // 0 has always stood for the command line here.
                    created_by.unwrap_or(0).into(),
                    name.into(),
                    Status::Checking.as_str().into(),
                    at.into(),
                    at.into(),
                ])
                .returning_col(ImportJobs::Id),
        )
        .await?;
    store_upload(upload_dir, id.0, vault, bytes)
        .await
        .map_err(|e| DbError::Invalid(format!("cannot store upload: {e}")))?;
    Ok(id.0)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Job>> {
    db.fetch_optional(
        Query::select()
            .columns(JOB_COLS)
            .from(ImportJobs::Table)
            .and_where(Expr::col(ImportJobs::Id).eq(id)),
    )
    .await
}

pub async fn recent_for_unit(db: &Db, unit_id: i64, limit: u64) -> Result<Vec<Job>> {
    db.fetch_all(
        Query::select()
            .columns(JOB_COLS)
            .from(ImportJobs::Table)
            .and_where(Expr::col(ImportJobs::UnitId).eq(unit_id))
            .order_by(ImportJobs::Id, Order::Desc)
            .limit(limit),
    )
    .await
}

/// Marks a job failed with a file-level problem, whatever stage it was in (the stage that found
/// the problem is its only writer). See [`fail`] for a stage that failed for good in the queue.
pub async fn mark_failed(db: &Db, job_id: i64, message: &Message) -> Result<()> {
    db.execute(&status_update(job_id, Status::Failed, Some(message)))
        .await?;
    Ok(())
}

fn status_update(job_id: i64, status: Status, message: Option<&Message>) -> sea_query::UpdateStatement {
    let mut values = vec![
        (ImportJobs::Status, status.as_str().into()),
        (ImportJobs::UpdatedAt, now().into()),
    ];
    if let Some(m) = message {
        values.push((ImportJobs::Message, serde_json::to_string(m).unwrap_or_default().into()));
    }
    if status.finished() {
        values.push((ImportJobs::FinishedAt, now().into()));
    }
    Query::update()
        .table(ImportJobs::Table)
        .values(values)
        .and_where(Expr::col(ImportJobs::Id).eq(job_id))
        .to_owned()
}

/// The check found required fields without a column and headers it does not know: the job waits
/// for the officer's mapping, keeping its file.
pub async fn needs_mapping(db: &Db, job_id: i64, unknowns: &Unknowns) -> Result<()> {
    db.execute(
        Query::update()
            .table(ImportJobs::Table)
            .values([
                (ImportJobs::Status, Status::NeedsMapping.as_str().into()),
                (ImportJobs::Unknowns, serde_json::to_string(unknowns).ok().into()),
                (ImportJobs::Attempts, 0.into()),
                (ImportJobs::UpdatedAt, now().into()),
            ])
            .and_where(Expr::col(ImportJobs::Id).eq(job_id)),
    )
    .await?;
    Ok(())
}

/// What a finished check counted.
#[derive(Debug, Clone)]
pub struct Checked<'a> {
    pub total_rows: usize,
    pub good_rows: usize,
    pub bad_rows: usize,
    /// Problems found past the [`MAX_STORED_ERRORS`] kept.
    pub unstored_errors: usize,
    pub unknowns: &'a Unknowns,
}

/// The check ran to its end: the job waits for the officer's decision, inside the caller's
/// transaction (which also stored the reports and the check's audit entries).
pub async fn mark_checked(tx: &mut Tx, job_id: i64, c: &Checked<'_>) -> Result<()> {
    tx.execute(
        Query::update()
            .table(ImportJobs::Table)
            .values([
                (ImportJobs::Status, Status::AwaitingDecision.as_str().into()),
                (ImportJobs::TotalRows, (c.total_rows as i32).into()),
                (ImportJobs::GoodRows, (c.good_rows as i32).into()),
                (ImportJobs::BadRows, (c.bad_rows as i32).into()),
                (ImportJobs::Unknowns, serde_json::to_string(c.unknowns).ok().into()),
                (ImportJobs::UnstoredErrors, (c.unstored_errors as i32).into()),
                // The stage ran to its end: its crash count goes in the same write as its result,
                // so nobody ever sees a finished stage still counting attempts.
                (ImportJobs::Attempts, 0.into()),
                (ImportJobs::UpdatedAt, now().into()),
            ])
            .and_where(Expr::col(ImportJobs::Id).eq(job_id)),
    )
    .await?;
    Ok(())
}

/// The officer mapped headers or values of a checked file: remember the mapping for the unit and
/// set the file to be checked again, inside the caller's transaction (which enqueues the check:
/// `hocvuso_app::imports::remap`). Returns false when the job no longer waits (a repeated click).
pub async fn remap(tx: &mut Tx, job_id: i64, by: i64, choices: &mappings::Choices) -> Result<bool> {
    // Re-read inside the transaction: only a job still waiting for its officer is re-checked.
    let job: Option<Job> = tx
        .fetch_optional(
            Query::select()
                .columns(JOB_COLS)
                .from(ImportJobs::Table)
                .and_where(Expr::col(ImportJobs::Id).eq(job_id))
                .and_where(
                    Expr::col(ImportJobs::Status)
                        .is_in([Status::AwaitingDecision.as_str(), Status::NeedsMapping.as_str()]),
                ),
        )
        .await?;
    let Some(job) = job else {
        return Ok(false);
    };
    mappings::save(tx, job.unit_id, by, choices).await?;
    tx.execute(
        Query::update()
            .table(ImportJobs::Table)
            .values([
                (ImportJobs::Status, Status::Checking.as_str().into()),
                (ImportJobs::UpdatedAt, now().into()),
            ])
            .and_where(Expr::col(ImportJobs::Id).eq(job_id)),
    )
    .await?;
    Ok(true)
}

/// The officer's choice after the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    ImportGoodRows,
    Cancel,
}

/// Records the decision inside the caller's transaction (which enqueues the apply:
/// `hocvuso_app::imports::decide`). Returns false if the job was not waiting for one (a repeated
/// click). Once it commits, [`after_decision`] removes the files the decision made useless.
pub async fn decide(tx: &mut Tx, job_id: i64, decision: Decision) -> Result<bool> {
    let (status, from): (Status, &[&str]) = match decision {
        Decision::ImportGoodRows => (Status::Applying, &[Status::AwaitingDecision.as_str()]),
        Decision::Cancel => (
            Status::Cancelled,
            &[Status::AwaitingDecision.as_str(), Status::NeedsMapping.as_str()],
        ),
    };
    let n = tx
        .execute(
            status_update(job_id, status, None).and_where(Expr::col(ImportJobs::Status).is_in(from.iter().copied())),
        )
        .await?;
    Ok(n == 1)
}

/// The decision is committed: the upload is no longer needed for a re-check, and a cancelled job
/// needs its staged rows no more.
pub fn after_decision(upload_dir: &Path, job_id: i64, decision: Decision) {
    remove_upload(upload_dir, job_id);
    if decision == Decision::Cancel {
        staged::remove(upload_dir, job_id);
    }
}

/// What one applied frame did, counted for the job.
#[derive(Debug, Clone, Copy)]
pub struct FrameCounts {
    /// Rows of the job applied before this frame.
    pub processed_before: i32,
    /// Rows of this frame (applied, unchanged or refused).
    pub rows: i32,
    pub inserted: i32,
    pub updated: i32,
    pub unchanged: i32,
    /// Rows refused while applying.
    pub refused: i32,
}

/// Adds a frame's counts to the job inside the frame's transaction: the progress commits with
/// the rows, so a restart continues from exactly here. The guard on the old progress makes a
/// second applier of the same job (there is none) fail loudly: false when it did not match.
pub async fn record_frame(tx: &mut Tx, job_id: i64, f: &FrameCounts) -> Result<bool> {
    let n = tx
        .execute(
            Query::update()
                .table(ImportJobs::Table)
                .values([
                    (ImportJobs::ProcessedRows, (f.processed_before + f.rows).into()),
                    (ImportJobs::Inserted, Expr::col(ImportJobs::Inserted).add(f.inserted)),
                    (ImportJobs::Updated, Expr::col(ImportJobs::Updated).add(f.updated)),
                    (ImportJobs::Unchanged, Expr::col(ImportJobs::Unchanged).add(f.unchanged)),
                    (ImportJobs::BadRows, Expr::col(ImportJobs::BadRows).add(f.refused)),
                    (ImportJobs::UpdatedAt, now().into()),
                ])
                .and_where(Expr::col(ImportJobs::Id).eq(job_id))
                .and_where(Expr::col(ImportJobs::ProcessedRows).eq(f.processed_before)),
        )
        .await?;
    Ok(n == 1)
}

/// Every frame is applied: the job is done, inside the caller's transaction (which records the
/// import in the audit log).
pub async fn mark_done(tx: &mut Tx, job_id: i64) -> Result<()> {
    tx.execute(
        Query::update()
            .table(ImportJobs::Table)
            .values([
                (ImportJobs::Status, Status::Done.as_str().into()),
                (ImportJobs::Attempts, 0.into()),
                (ImportJobs::FinishedAt, now().into()),
                (ImportJobs::UpdatedAt, now().into()),
            ])
            .and_where(Expr::col(ImportJobs::Id).eq(job_id)),
    )
    .await?;
    Ok(())
}

/// The reason shown for a job whose stage stopped the process [`MAX_ATTEMPTS`] times.
pub fn crashed_message(stage: Status) -> Message {
    Message::new(if stage == Status::Applying {
        "err-import-crashed-twice-applying"
    } else {
        "err-import-crashed-twice-checking"
    })
}

/// The reason shown for a stage that stopped on an unexpected error (`why`, for the administrator).
pub fn failed_message(why: &str) -> Message {
    Message::new("err-import-failed").arg("reason", why)
}

/// Marks a job failed with `message` inside the caller's transaction (the queue fails its job in
/// the same one, so the import's page and the queue never disagree), keeping what was applied
/// (each applied chunk is complete and recorded in `processed_rows`). Its upload and staged rows
/// are removed: a failed job is never resumed.
pub async fn fail(tx: &mut Tx, upload_dir: &Path, job_id: i64, message: &Message) -> Result<()> {
    staged::remove(upload_dir, job_id);
    remove_upload(upload_dir, job_id);
    tx.execute(
        status_update(job_id, Status::Failed, Some(message))
            .and_where(Expr::col(ImportJobs::Status).is_in([Status::Checking.as_str(), Status::Applying.as_str()])),
    )
    .await?;
    Ok(())
}
