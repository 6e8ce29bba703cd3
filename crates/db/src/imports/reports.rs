//! What the stages found wrong (or worth a note) row by row: line, column and reason, kept per
//! import in `import_errors`.

use super::ImportJobs;
use crate::{Db, Result, Scalar, Tx, bulk, now, record};
use hocvuso_core::i18n::Message;
use hocvuso_core::import::RowError;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde::Serialize;

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

/// Report rows per INSERT statement when a check stores its reports.
const REPORTS_PER_STATEMENT: usize = 500;

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

/// Replaces the reports of a job with what its latest check found: the errors (in the order
/// given), then the notes.
pub async fn replace_reports(tx: &mut Tx, job_id: i64, errors: &[RowError], notes: &[RowError]) -> Result<()> {
    tx.execute(
        Query::delete()
            .from_table(ImportErrors::Table)
            .and_where(Expr::col(ImportErrors::JobId).eq(job_id)),
    )
    .await?;
    let reports = errors.iter().map(|e| (ERROR, e)).chain(notes.iter().map(|n| (NOTE, n)));
    let reports: Vec<(&str, &RowError)> = reports.collect();
    for (n, chunk) in reports.chunks(REPORTS_PER_STATEMENT).enumerate() {
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
                ((n * REPORTS_PER_STATEMENT + i) as i64).into(),
                (e.line as i64).into(),
                e.column.clone().into(),
                serde_json::to_string(&e.message).unwrap_or_default().into(),
                (*kind).into(),
            ]);
        }
        tx.execute(&ins).await?;
    }
    Ok(())
}

/// Appends row errors after those already recorded for the job.
pub async fn append_errors(tx: &mut Tx, job_id: i64, errors: &[RowError]) -> Result<()> {
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

/// Rows refused as held elsewhere in the account's imports of the last hour, read from what the
/// checks stored (so a limit on them holds across restarts and processes). The reports of
/// `except_job` are left out: a re-check of the same file replaces its own earlier refusals.
pub async fn refusals_this_hour(db: &Db, account_id: i64, except_job: i64) -> Result<i64> {
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
                .and_where(Expr::col((ImportJobs::Table, ImportJobs::Id)).ne(except_job))
                .and_where(Expr::col((ImportJobs::Table, ImportJobs::CreatedAt)).gte(since))
                .and_where(Expr::col((ImportErrors::Table, ImportErrors::Message)).like("%err-import-other-unit%")),
        )
        .await?;
    Ok(n.0)
}
