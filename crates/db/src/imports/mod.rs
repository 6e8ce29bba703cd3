//! Background imports of people. An upload becomes a job: the file is checked in the background
//! (every bad row kept with its line, column and reason), the officer decides (import the good
//! rows, or nothing), then the rows are applied in chunks. Each chunk commits together with the
//! job's progress, so a restart resumes exactly where it stopped; rows are upserted by ID number,
//! so re-importing the same file changes nothing.

pub mod mappings;
mod staged;

pub use staged::FRAME_ROWS as CHUNK;
use staged::Staged;

use crate::audit::{self, Actor, Entry};
use crate::bulk;
use crate::people::{self, People, Placement};
use crate::units::{self, Unit};
use crate::{Db, DbError, Result, Scalar, Tx, now, record};
use hocvuso_core::audit::{Event, RefusedIn};
use hocvuso_core::crypto::PidVault;
use hocvuso_core::i18n::Message;
use hocvuso_core::import::{self as parse, RowError};
use hocvuso_core::people::{Groups, Sex};
use hocvuso_core::text;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use time::{Date, OffsetDateTime};

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

#[derive(Iden, Clone, Copy)]
pub enum ImportErrors {
    Table,
    JobId,
    Seq,
    Line,
    ColumnName,
    Message,
    Kind,
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

/// Creates a job for an uploaded file and stores the file for the background checker, inside the
/// caller's transaction; the caller enqueues the check in the same transaction
/// (`hocvuso_app::imports::upload`). `created_by` is `None` for the command line.
pub async fn create(
    tx: &mut Tx,
    upload_dir: &Path,
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
    std::fs::create_dir_all(upload_dir).map_err(|e| DbError::Invalid(format!("cannot create upload folder: {e}")))?;
    std::fs::write(upload_path(upload_dir, id.0), bytes)
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

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct StoredError {
        pub line: i32,
        pub column_name: String,
        pub message: Message as "import_errors.message",
    }
}

impl StoredError {
    pub fn message(&self) -> Message {
        self.message.clone()
    }
}

const ERROR: &str = "error";
const NOTE: &str = "note";

/// The rows refused, in line order.
pub async fn errors(db: &Db, job_id: i64, limit: u64) -> Result<Vec<StoredError>> {
    row_reports(db, job_id, ERROR, limit).await
}

/// Notes on rows that were not refused (a restored leading zero, a skipped total row).
pub async fn notes(db: &Db, job_id: i64, limit: u64) -> Result<Vec<StoredError>> {
    row_reports(db, job_id, NOTE, limit).await
}

async fn row_reports(db: &Db, job_id: i64, kind: &str, limit: u64) -> Result<Vec<StoredError>> {
    db.fetch_all(
        Query::select()
            .columns([ImportErrors::Line, ImportErrors::ColumnName, ImportErrors::Message])
            .from(ImportErrors::Table)
            .and_where(Expr::col(ImportErrors::JobId).eq(job_id))
            .and_where(Expr::col(ImportErrors::Kind).eq(kind))
            .order_by(ImportErrors::Seq, Order::Asc)
            .limit(limit),
    )
    .await
}

async fn set_status(db: &Db, job_id: i64, status: Status, message: Option<&Message>) -> Result<()> {
    db.execute(&status_update(job_id, status, message)).await?;
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

/// Checks the uploaded file of a job: parses, validates, resolves villages and workplaces, looks up
/// ID numbers already held elsewhere, and stages the good rows. Re-running it is safe.
pub async fn check(db: &Db, vault: &PidVault, upload_dir: &Path, job_id: i64, today: Date) -> Result<()> {
    let job = get(db, job_id).await?.ok_or(DbError::NotFound)?;
    let unit = units::get(db, job.unit_id).await?.ok_or(DbError::NotFound)?;
    let path = upload_path(upload_dir, job_id);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(_) => {
            return set_status(
                db,
                job_id,
                Status::Failed,
                Some(&Message::new("err-import-upload-lost")),
            )
            .await;
        }
    };
    let mapped = mappings::load(db, job.unit_id).await?;
    // CPU work of seconds on a large or hostile file: off the async workers.
    let read = {
        let mapped = mapped.clone();
        tokio::task::spawn_blocking(move || parse::read_table(&bytes, &|h| mapped.knows(h)))
            .await
            .map_err(|e| DbError::Invalid(format!("reading the file stopped: {e}")))?
    };
    let table = match read {
        Ok(t) => t,
        Err(m) => {
            let _ = std::fs::remove_file(&path);
            return set_status(db, job_id, Status::Failed, Some(&m)).await;
        }
    };
    let mut unknowns = Unknowns {
        missing: parse::missing_fields(&table, &mapped)
            .into_iter()
            .map(String::from)
            .collect(),
        headers: parse::unknown_headers(&table, &mapped),
        groups: Vec::new(),
    };
    if !unknowns.missing.is_empty() && !unknowns.headers.is_empty() {
        // A required column may hide under a header nobody taught us: ask, keep the file.
        return set_unknowns(db, job_id, Status::NeedsMapping, &unknowns).await;
    }
    let checked = match parse::check_people(&table, today, &mapped) {
        Ok(c) => c,
        Err(m) => {
            let _ = std::fs::remove_file(&path);
            return set_status(db, job_id, Status::Failed, Some(&m)).await;
        }
    };
    unknowns.groups = checked.unknown_groups;
    let notes = checked.notes;
    let mut errors = checked.errors;
    let headers = checked.headers;
    let total = checked.total_rows;
    // Resolve villages and workplaces once per distinct value.
    let mut villages: HashMap<String, Option<Unit>> = HashMap::new();
    let mut workplaces: HashMap<String, Option<Unit>> = HashMap::new();
    // Workplaces are looked up in the whole province: people often work outside their commune.
    let province_path = unit.province_path();
    let mut good: Vec<(usize, Staged)> = Vec::with_capacity(checked.good.len());
    for (line, person) in checked.good {
        let mut residence = unit.id;
        if let Some(v) = &person.village {
            let key = text::fold(v);
            if !villages.contains_key(&key) {
                let found = if unit.level() == hocvuso_core::units::Level::Commune {
                    units::find_village(db, &unit, v).await?
                } else {
                    None
                };
                villages.insert(key.clone(), found);
            }
            match villages.get(&key).and_then(|u| u.as_ref()) {
                Some(u) => residence = u.id,
                None => {
                    errors.push(RowError {
                        line,
                        column: headers.of("village"),
                        message: Message::new("err-import-village").arg("value", v),
                    });
                    continue;
                }
            }
        }
        let mut workplace_id = None;
        if let Some(w) = &person.workplace {
            let key = text::fold(w);
            if !workplaces.contains_key(&key) {
                let found = units::find_organisation(db, &province_path, w).await?;
                workplaces.insert(key.clone(), found);
            }
            match workplaces.get(&key).and_then(|u| u.as_ref()) {
                Some(u) => workplace_id = Some(u.id),
                None => {
                    errors.push(RowError {
                        line,
                        column: headers.of("workplace"),
                        message: Message::new("err-import-workplace").arg("value", w),
                    });
                    continue;
                }
            }
        }
        good.push((
            line,
            Staged {
                line,
                person,
                unit_id: residence,
                workplace_id,
            },
        ));
    }
    // ID numbers already registered to someone outside this unit's subtree cannot be taken over.
    let idx: Vec<Vec<u8>> = good
        .iter()
        .map(|(_, s)| vault.blind_index(&s.person.personal_id))
        .collect();
    let held: Vec<IndexPath> = bulk::fetch_by_keys(
        db,
        People::Table,
        &[People::PidIndex, People::UnitPath],
        People::PidIndex,
        &idx,
    )
    .await?;
    let outside: std::collections::HashSet<Vec<u8>> = held
        .into_iter()
        .filter(|r| !r.unit_path.starts_with(&unit.path))
        .map(|r| r.pid_index)
        .collect();
    let pid_header = headers.of("personal_id");
    let mut taken = idx.iter().map(|i| outside.contains(i));
    let mut refused: Vec<(usize, String, String)> = Vec::new();
    good.retain(|(line, s)| {
        if taken.next().unwrap_or(false) {
            errors.push(RowError {
                line: *line,
                column: pid_header.clone(),
                message: Message::new("err-import-other-unit"),
            });
            refused.push((
                *line,
                s.person.personal_id.masked(),
                pid_ref(vault, &s.person.personal_id),
            ));
            false
        } else {
            true
        }
    });
    // Each refusal tells the importer that a number is held somewhere: audited, and limited per
    // account so a file of guessed numbers cannot map who is registered.
    if !refused.is_empty() {
        let earlier = refusals_this_hour(db, job.created_by, job_id).await?;
        if earlier + refused.len() as i64 > IMPORT_REFUSAL_MAX {
            let _ = std::fs::remove_file(&path);
            let mut tx = db.begin().await?;
            audit::append(
                &mut tx,
                &importer(&job),
                Entry::of(
                    &unit.path,
                    &Event::PidRefusalsLimited {
                        job_id,
                        refusals: refused.len(),
                        earlier_this_hour: earlier,
                    },
                ),
            )
            .await?;
            tx.commit().await?;
            return set_status(
                db,
                job_id,
                Status::Failed,
                Some(&Message::new("err-import-refusals-limit").arg("max", IMPORT_REFUSAL_MAX)),
            )
            .await;
        }
    }
    // Only the first problems were kept in memory; the rest were counted.
    let bad_lines = errors.bad_lines();
    let unstored = errors.dropped();
    let mut errors = errors.into_vec();
    errors.sort_by_key(|e| e.line);
    let good: Vec<Staged> = good.into_iter().map(|(_, s)| s).collect();
    let meta = staged::Meta {
        pid_column: pid_header.clone(),
    };
    staged::write(upload_dir, job_id, vault, &meta, &good).map_err(|e| DbError::Invalid(e.to_string()))?;
    let mut tx = db.begin().await?;
    tx.execute(
        Query::delete()
            .from_table(ImportErrors::Table)
            .and_where(Expr::col(ImportErrors::JobId).eq(job_id)),
    )
    .await?;
    let reports = errors.iter().map(|e| (ERROR, e)).chain(notes.iter().map(|n| (NOTE, n)));
    let reports: Vec<(&str, &RowError)> = reports.collect();
    for (n, chunk) in reports.chunks(500).enumerate() {
        let mut ins = Query::insert()
            .into_table(ImportErrors::Table)
            .columns([
                ImportErrors::JobId,
                ImportErrors::Seq,
                ImportErrors::Line,
                ImportErrors::ColumnName,
                ImportErrors::Message,
                ImportErrors::Kind,
            ])
            .to_owned();
        for (i, (kind, e)) in chunk.iter().enumerate() {
            ins.values_panic([
                job_id.into(),
                ((n * 500 + i) as i64).into(),
                (e.line as i64).into(),
                e.column.clone().into(),
                serde_json::to_string(&e.message).unwrap_or_default().into(),
                (*kind).into(),
            ]);
        }
        tx.execute(&ins).await?;
    }
    if !refused.is_empty() {
        let entries = refused
            .iter()
            .map(|(line, masked, pid_ref)| {
                Entry::of(
                    &unit.path,
                    &Event::PidRefused {
                        pid_masked: masked.clone(),
                        pid_ref: pid_ref.clone(),
                        at: RefusedIn::Import {
                            job_id,
                            line: *line as u64,
                        },
                    },
                )
            })
            .collect();
        audit::append_many(&mut tx, &importer(&job), entries).await?;
    }
    tx.execute(
        Query::update()
            .table(ImportJobs::Table)
            .values([
                (ImportJobs::Status, Status::AwaitingDecision.as_str().into()),
                (ImportJobs::TotalRows, (total as i32).into()),
                (ImportJobs::GoodRows, (good.len() as i32).into()),
                (ImportJobs::BadRows, (bad_lines as i32).into()),
                (ImportJobs::Unknowns, serde_json::to_string(&unknowns).ok().into()),
                (ImportJobs::UnstoredErrors, (unstored as i32).into()),
                // The stage ran to its end: its crash count goes in the same write as its result,
                // so nobody ever sees a finished stage still counting attempts.
                (ImportJobs::Attempts, 0.into()),
                (ImportJobs::UpdatedAt, now().into()),
            ])
            .and_where(Expr::col(ImportJobs::Id).eq(job_id)),
    )
    .await?;
    tx.commit().await?;
    // The upload stays until the officer decides: a mapping chosen now checks it again.
    Ok(())
}

/// Refusals of ID numbers held elsewhere one account may receive from its imports in an hour.
/// A commune's list legitimately names a few dozen people registered elsewhere (moved in, not yet
/// transferred); a file of guessed numbers names far more.
pub const IMPORT_REFUSAL_MAX: i64 = 200;

/// A short reference to an ID number (the start of its blind index), for audit entries that
/// must say which number without holding it.
fn pid_ref(vault: &PidVault, pid: &hocvuso_core::personal_id::PersonalId) -> String {
    vault
        .blind_index(pid)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The account that uploaded the file, as the actor of what its background check records.
fn importer(job: &Job) -> Actor {
    Actor {
        account_id: Some(job.created_by),
        label: "import".into(),
        ip: "background".into(),
    }
}

/// Rows refused as held elsewhere in the account's imports of the last hour, read from what the
/// checks stored (so the limit holds across restarts and processes).
async fn refusals_this_hour(db: &Db, account_id: i64, except_job: i64) -> Result<i64> {
    let since = now() - time::Duration::hours(1);
    let n: Scalar<i64> = db
        .fetch_one(
            Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(ImportErrors::Table)
                .inner_join(
                    ImportJobs::Table,
                    Expr::col((ImportJobs::Table, ImportJobs::Id)).equals((ImportErrors::Table, ImportErrors::JobId)),
                )
                .and_where(Expr::col((ImportJobs::Table, ImportJobs::CreatedBy)).eq(account_id))
                // A re-check of the same file replaces its own earlier refusals.
                .and_where(Expr::col((ImportJobs::Table, ImportJobs::Id)).ne(except_job))
                .and_where(Expr::col((ImportJobs::Table, ImportJobs::CreatedAt)).gte(since))
                .and_where(Expr::col((ImportErrors::Table, ImportErrors::Message)).like("%err-import-other-unit%")),
        )
        .await?;
    Ok(n.0)
}

async fn set_unknowns(db: &Db, job_id: i64, status: Status, unknowns: &Unknowns) -> Result<()> {
    db.execute(
        Query::update()
            .table(ImportJobs::Table)
            .values([
                (ImportJobs::Status, status.as_str().into()),
                (ImportJobs::Unknowns, serde_json::to_string(unknowns).ok().into()),
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

record! {
    struct IndexPath {
        pid_index: Vec<u8>,
        unit_path: String,
    }
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
    let _ = std::fs::remove_file(upload_path(upload_dir, job_id));
    if decision == Decision::Cancel {
        staged::remove(upload_dir, job_id);
    }
}

record! {
    struct Existing {
        id: i64,
        pid_index: Vec<u8>,
        full_name: String,
        birth_date: Date,
        sex: Sex as "people.sex",
        phone: Option<String>,
        groups: Groups as "people.groups",
        unit_id: i64,
        unit_path: String,
        workplace_id: Option<i64>,
        household_id: Option<i64>,
    }
}

/// Times a frame is tried again when another transaction registered one of its ID numbers
/// between our lookup and our insert (PostgreSQL; SQLite's single writer cannot race).
const FRAME_RETRIES: usize = 3;

/// Applies the staged rows of a job from where it stopped, frame by frame. Each frame, its audit
/// entries and the job's progress commit together. Returns when the job is done.
pub async fn apply(db: &Db, vault: &PidVault, upload_dir: &Path, job_id: i64, actor: &Actor) -> Result<()> {
    let job = get(db, job_id).await?.ok_or(DbError::NotFound)?;
    if job.status() != Status::Applying {
        return Ok(());
    }
    let scope = units::get(db, job.unit_id).await?.ok_or(DbError::NotFound)?;
    let mut unit_cache: HashMap<i64, Unit> = HashMap::new();
    let from = usize::try_from(job.processed_rows).unwrap_or(0);
    let mut reader = match staged::Reader::open(upload_dir, job_id, vault, from) {
        Ok(r) => r,
        // A restore from a backup brings the job back without its staged file: say so, keep
        // whatever whole frames were applied, and ask for the file again.
        Err(staged::StagedError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return set_status(
                db,
                job_id,
                Status::Failed,
                Some(&Message::new("err-import-staged-lost")),
            )
            .await;
        }
        Err(e) => return Err(DbError::Invalid(e.to_string())),
    };
    let pid_column = reader.meta.pid_column.clone();
    let mut processed = job.processed_rows;
    // Frames are checkpointed together, not one by one (see `Db::bulk_writes`).
    let _bulk = db.bulk_writes();
    while let Some(staged) = reader.next_frame().map_err(|e| DbError::Invalid(e.to_string()))? {
        if staged.is_empty() {
            continue;
        }
        for s in &staged {
            if !unit_cache.contains_key(&s.unit_id)
                && let Some(u) = units::get(db, s.unit_id).await?
            {
                unit_cache.insert(u.id, u);
            }
        }
        let frame = Frame {
            job: &job,
            scope: &scope,
            units: &unit_cache,
            rows: &staged,
            processed,
            pid_column: &pid_column,
        };
        let mut tries = 0;
        loop {
            match frame.apply(db, vault, actor).await {
                Err(FrameError::Raced) if tries < FRAME_RETRIES => tries += 1,
                Err(FrameError::Raced) => {
                    return Err(DbError::Invalid(format!(
                        "import {job_id}: ID numbers kept being registered elsewhere while applying"
                    )));
                }
                Err(FrameError::Db(e)) => return Err(e),
                Ok(()) => break,
            }
        }
        processed += staged.len() as i32;
    }
    let job = get(db, job_id).await?.ok_or(DbError::NotFound)?;
    let mut tx = db.begin().await?;
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
    audit::append(
        &mut tx,
        actor,
        Entry::of(
            &scope.path,
            &Event::PeopleImported {
                job_id,
                file: job.file_name.clone(),
                inserted: job.inserted.into(),
                updated: job.updated.into(),
                unchanged: job.unchanged.into(),
                bad_rows: job.bad_rows.into(),
            },
        ),
    )
    .await?;
    tx.commit().await?;
    staged::remove(upload_dir, job_id);
    Ok(())
}

enum FrameError {
    /// Another transaction registered one of the frame's ID numbers after our lookup: try again.
    Raced,
    Db(DbError),
}

impl From<DbError> for FrameError {
    fn from(e: DbError) -> Self {
        FrameError::Db(e)
    }
}

/// One frame of staged rows and what applying it needs.
struct Frame<'a> {
    job: &'a Job,
    scope: &'a Unit,
    units: &'a HashMap<i64, Unit>,
    rows: &'a [Staged],
    /// Rows of the job applied before this frame.
    processed: i32,
    pid_column: &'a str,
}

impl Frame<'_> {
    /// Applies the frame in one transaction. Whom an ID number belongs to is read inside that
    /// transaction (rows locked on PostgreSQL), so a person registered or moved outside the
    /// importer's scope since the file was checked is refused here, reported with its line, and
    /// left as it is.
    async fn apply(&self, db: &Db, vault: &PidVault, actor: &Actor) -> std::result::Result<(), FrameError> {
        let job_id = self.job.id;
        let indexes: Vec<Vec<u8>> = self
            .rows
            .iter()
            .map(|s| vault.blind_index(&s.person.personal_id))
            .collect();
        let mut tx = db.begin().await?;
        let existing: Vec<Existing> = tx
            .fetch_by_keys_for_update(
                People::Table,
                &[
                    People::Id,
                    People::PidIndex,
                    People::FullName,
                    People::BirthDate,
                    People::Sex,
                    People::Phone,
                    People::Groups,
                    People::UnitId,
                    People::UnitPath,
                    People::WorkplaceId,
                    People::HouseholdId,
                ],
                People::PidIndex,
                &indexes,
            )
            .await?;
        let existing: HashMap<Vec<u8>, Existing> = existing.into_iter().map(|e| (e.pid_index.clone(), e)).collect();
        let (mut updated, mut unchanged) = (0i32, 0i32);
        let mut refused: Vec<RowError> = Vec::new();
        let mut refused_pids: Vec<(usize, String, String)> = Vec::new();
        let mut new_people = Vec::new();
        // (person id, line, created?) of every person this frame creates or changes.
        let mut changed: Vec<(i64, usize, bool, &str)> = Vec::new();
        let mut new_lines = Vec::new();
        for (s, idx) in self.rows.iter().zip(&indexes) {
            let Some(residence) = self.units.get(&s.unit_id) else {
                continue;
            };
            if !residence.path.starts_with(&self.scope.path) {
                continue;
            }
            if let Some(e) = existing.get(idx)
                && !e.unit_path.starts_with(&self.scope.path)
            {
                refused.push(RowError {
                    line: s.line,
                    column: self.pid_column.to_string(),
                    message: Message::new("err-import-other-unit"),
                });
                refused_pids.push((
                    s.line,
                    s.person.personal_id.masked(),
                    pid_ref(vault, &s.person.personal_id),
                ));
                continue;
            }
            let household_id = match &s.person.household {
                Some(code) => Some(people::household_id(&mut tx, residence.id, code).await?),
                None => None,
            };
            let place = Placement {
                residence,
                workplace_id: s.workplace_id,
                household_id,
            };
            match existing.get(idx) {
                None => {
                    new_people.push(people::BatchItem {
                        person: &s.person,
                        residence,
                        workplace_id: s.workplace_id,
                        household_id,
                    });
                    new_lines.push((s.line, residence.path.as_str()));
                }
                Some(e) if same(e, s, &place) => unchanged += 1,
                Some(e) => {
                    match people::update(&mut tx, vault, e.id, &s.person, &place).await {
                        Ok(()) => {}
                        Err(people::PersonError::DuplicateId) => return Err(FrameError::Raced),
                        Err(other) => return Err(person_err(other).into()),
                    }
                    changed.push((e.id, s.line, false, residence.path.as_str()));
                    updated += 1;
                }
            }
        }
        let inserted = new_people.len() as i32;
        let ids = match people::insert_batch(&mut tx, vault, &new_people, Some(self.job.created_by)).await {
            Ok(ids) => ids,
            Err(people::PersonError::DuplicateId) => return Err(FrameError::Raced),
            Err(other) => return Err(person_err(other).into()),
        };
        changed.extend(
            ids.into_iter()
                .zip(new_lines)
                .map(|(id, (line, path))| (id, line, true, path)),
        );
        // Every person created or changed gets an entry of their own, so it shows on their
        // "who looked at or changed my data" page.
        let mut entries: Vec<Entry<'_>> = changed
            .iter()
            .map(|&(person_id, line, created, path)| {
                let line = line as u64;
                let event = if created {
                    Event::PersonImportCreated {
                        person_id,
                        job_id,
                        line,
                    }
                } else {
                    Event::PersonImportUpdated {
                        person_id,
                        job_id,
                        line,
                    }
                };
                Entry::of(path, &event)
            })
            .collect();
        entries.extend(refused_pids.iter().map(|(line, masked, pid_ref)| {
            Entry::of(
                &self.scope.path,
                &Event::PidRefused {
                    pid_masked: masked.clone(),
                    pid_ref: pid_ref.clone(),
                    at: RefusedIn::ImportApply {
                        job_id,
                        line: *line as u64,
                    },
                },
            )
        }));
        if !entries.is_empty() {
            audit::append_many(&mut tx, actor, entries).await?;
        }
        if !refused.is_empty() {
            store_errors(&mut tx, job_id, &refused).await?;
        }
        // The progress commits with the rows: a restart continues from exactly here. The guard on
        // the old value makes a second applier of the same job (there is none) fail loudly.
        let n = tx
            .execute(
                Query::update()
                    .table(ImportJobs::Table)
                    .values([
                        (
                            ImportJobs::ProcessedRows,
                            (self.processed + self.rows.len() as i32).into(),
                        ),
                        (ImportJobs::Inserted, Expr::col(ImportJobs::Inserted).add(inserted)),
                        (ImportJobs::Updated, Expr::col(ImportJobs::Updated).add(updated)),
                        (ImportJobs::Unchanged, Expr::col(ImportJobs::Unchanged).add(unchanged)),
                        (
                            ImportJobs::BadRows,
                            Expr::col(ImportJobs::BadRows).add(refused.len() as i32),
                        ),
                        (ImportJobs::UpdatedAt, now().into()),
                    ])
                    .and_where(Expr::col(ImportJobs::Id).eq(job_id))
                    .and_where(Expr::col(ImportJobs::ProcessedRows).eq(self.processed)),
            )
            .await?;
        if n != 1 {
            return Err(DbError::Invalid(format!("import {job_id} was applied by someone else")).into());
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Appends row errors after those already recorded for the job.
async fn store_errors(tx: &mut crate::Tx, job_id: i64, errors: &[RowError]) -> Result<()> {
    let next: Scalar<i64> = tx
        .fetch_one(
            Query::select()
                .expr(Expr::cust("CAST(COALESCE(MAX(seq) + 1, 0) AS BIGINT)"))
                .from(ImportErrors::Table)
                .and_where(Expr::col(ImportErrors::JobId).eq(job_id)),
        )
        .await?;
    let mut rows = bulk::Rows::new(
        ImportErrors::Table,
        [
            ImportErrors::JobId,
            ImportErrors::Seq,
            ImportErrors::Line,
            ImportErrors::ColumnName,
            ImportErrors::Message,
            ImportErrors::Kind,
        ],
    );
    for (i, e) in errors.iter().enumerate() {
        rows.push(vec![
            job_id.into(),
            ((next.0 + i as i64) as i32).into(),
            (e.line as i32).into(),
            e.column.clone().into(),
            serde_json::to_string(&e.message).unwrap_or_default().into(),
            ERROR.into(),
        ]);
    }
    tx.insert_rows(rows).await?;
    Ok(())
}

fn same(e: &Existing, s: &Staged, place: &Placement<'_>) -> bool {
    let p = &s.person;
    e.full_name == p.full_name
        && e.birth_date == p.birth_date
        && e.sex == p.sex
        && e.phone == p.phone
        && e.groups == p.groups
        && e.unit_id == place.residence.id
        && e.workplace_id == place.workplace_id
        && e.household_id == place.household_id
}

fn person_err(e: people::PersonError) -> DbError {
    match e {
        people::PersonError::Db(d) => d,
        other => DbError::Invalid(other.to_string()),
    }
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
    let _ = std::fs::remove_file(upload_path(upload_dir, job_id));
    tx.execute(
        status_update(job_id, Status::Failed, Some(message))
            .and_where(Expr::col(ImportJobs::Status).is_in([Status::Checking.as_str(), Status::Applying.as_str()])),
    )
    .await?;
    Ok(())
}
