//! Storage of hocvuso. One code path over SQLite and PostgreSQL: each query is built once with
//! sea-query and rendered for the backend in use; rows decode through [`Record`], implemented for
//! both backends by [`record!`]. Backend differences live in this file, in [`bulk`] (inserting many
//! rows) and in `migrations/`.

pub mod accounts;
pub mod assessment;
pub mod attainments;
pub mod attempts;
pub mod audio;
pub mod audit;
pub mod authoring;
pub mod backup;
pub mod bulk;
pub mod catalog;
pub mod demo;
pub mod denominators;
pub mod idempotency;
pub mod imports;
pub mod jobs;
pub mod learning;
mod lender;
pub mod media;
pub mod people;
pub mod reveal;
pub mod revisions;
pub mod schema;
pub mod sessions;
pub mod stored;
pub mod units;

use hocvuso_core::crypto::AuditKey;
use lender::Lender;
use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder, Value};
use sea_query_sqlx::{SqlxBinder, SqlxValues};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Postgres, Sqlite};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

pub use sea_query;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlx(#[source] sqlx::Error),
    /// A stored value this release does not know ([`stored`]).
    #[error("{0}")]
    Unknown(stored::UnknownValue),
    #[error("unique constraint {0} violated")]
    Unique(String),
    #[error("not found")]
    NotFound,
    #[error("migration {version} failed: {source}")]
    Migration { version: i64, source: sqlx::Error },
    #[error("{0}")]
    Invalid(String),
}

impl DbError {
    /// Named unique constraints become domain errors at this boundary.
    fn classify(e: sqlx::Error) -> DbError {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            let name = db
                .constraint()
                .map(str::to_string)
                .unwrap_or_else(|| unique_from_message(db.message()));
            return DbError::Unique(name);
        }
        DbError::from(e)
    }

    pub fn is_unique(&self, constraint: &str) -> bool {
        matches!(self, DbError::Unique(c) if c == constraint)
    }
}

/// SQLite does not name the constraint; it says "UNIQUE constraint failed: people.pid_index".
fn unique_from_message(msg: &str) -> String {
    let cols = msg.rsplit(": ").next().unwrap_or("");
    let mut parts = cols.split(", ").map(|c| c.trim());
    let first = parts.next().unwrap_or("");
    let (table, col) = first.split_once('.').unwrap_or(("", first));
    let mut columns = vec![col.to_string()];
    columns.extend(parts.map(|c| c.split_once('.').map(|(_, c)| c).unwrap_or(c).to_string()));
    unique_name(table, &columns)
}

/// The name [`DbError::Unique`] carries for a unique constraint on `columns` of `table` when SQLite
/// reports it, and PostgreSQL's default name for it: `<table>_<col>_<col>_key`. A PostgreSQL
/// constraint must carry this name for both backends to report the same one (the schema
/// comparison test checks it).
pub(crate) fn unique_name(table: &str, columns: &[String]) -> String {
    format!("{table}_{}_key", columns.join("_"))
}

impl From<sqlx::Error> for DbError {
    /// A row that failed to decode because of an unknown stored value says so by name.
    fn from(e: sqlx::Error) -> DbError {
        match e {
            sqlx::Error::ColumnDecode { index, source } => match source.downcast::<stored::UnknownValue>() {
                Ok(unknown) => DbError::Unknown(*unknown),
                Err(source) => DbError::Sqlx(sqlx::Error::ColumnDecode { index, source }),
            },
            other => DbError::Sqlx(other),
        }
    }
}

pub type Result<T, E = DbError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A row type decodable from both backends.
pub trait Record: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Record for T where T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}

/// Declares a struct that decodes from a row of either backend, column by field name. A field
/// holding a [`stored::Stored`] value names where it is stored, `pub level: Level as "units.level"`,
/// and decodes strictly: a value this release does not know fails the read with
/// [`DbError::Unknown`] naming that table, column and value.
#[macro_export]
macro_rules! record {
    (@get $row:ident, $field:ident, $ty:ty) => {
        $row.try_get(stringify!($field))?
    };
    (@get $row:ident, $field:ident, $ty:ty, $at:literal) => {
        $crate::stored::decode::<$ty, _>($row, stringify!($field), $at)?
    };
    ($(#[$m:meta])* $vis:vis struct $name:ident { $($(#[$fm:meta])* $fvis:vis $field:ident : $ty:ty $(as $at:literal)?),* $(,)? }) => {
        $(#[$m])* $vis struct $name { $($(#[$fm])* $fvis $field: $ty),* }
        impl<'r> ::sqlx::FromRow<'r, ::sqlx::sqlite::SqliteRow> for $name {
            fn from_row(row: &'r ::sqlx::sqlite::SqliteRow) -> ::std::result::Result<Self, ::sqlx::Error> {
                use ::sqlx::Row;
                Ok($name { $($field: $crate::record!(@get row, $field, $ty $(, $at)?)),* })
            }
        }
        impl<'r> ::sqlx::FromRow<'r, ::sqlx::postgres::PgRow> for $name {
            fn from_row(row: &'r ::sqlx::postgres::PgRow) -> ::std::result::Result<Self, ::sqlx::Error> {
                use ::sqlx::Row;
                Ok($name { $($field: $crate::record!(@get row, $field, $ty $(, $at)?)),* })
            }
        }
    };
}

/// Two records read from one row of a join (their column names must not clash): one statement
/// where two would each cost a round trip.
pub struct Both<A, B>(pub A, pub B);
impl<'r, A, B> sqlx::FromRow<'r, SqliteRow> for Both<A, B>
where
    A: sqlx::FromRow<'r, SqliteRow>,
    B: sqlx::FromRow<'r, SqliteRow>,
{
    fn from_row(row: &'r SqliteRow) -> Result<Self, sqlx::Error> {
        Ok(Both(A::from_row(row)?, B::from_row(row)?))
    }
}
impl<'r, A, B> sqlx::FromRow<'r, PgRow> for Both<A, B>
where
    A: sqlx::FromRow<'r, PgRow>,
    B: sqlx::FromRow<'r, PgRow>,
{
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Both(A::from_row(row)?, B::from_row(row)?))
    }
}

/// A single scalar column, for COUNT(*) and friends.
pub struct Scalar<T>(pub T);
impl<'r, T> sqlx::FromRow<'r, SqliteRow> for Scalar<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    fn from_row(row: &'r SqliteRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(Scalar(row.try_get(0)?))
    }
}
impl<'r, T> sqlx::FromRow<'r, PgRow> for Scalar<T>
where
    T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(Scalar(row.try_get(0)?))
    }
}

#[derive(Clone, Debug)]
enum Pools {
    /// One writer connection (SQLite allows one writer at a time; queuing in the pool beats
    /// SQLITE_BUSY retries) and several readers over WAL.
    Sqlite {
        read: Arc<Lender<sqlx::SqliteConnection>>,
        write: sqlx::SqlitePool,
        /// When the writer checkpoints the WAL (see [`Checkpoints`]).
        checkpoints: Arc<Checkpoints>,
    },
    /// Transactions from sqlx's pool; single reads from the lender (see [`lender`]).
    Postgres(sqlx::PgPool, Arc<Lender<sqlx::PgConnection>>),
}

/// The database handle shared by the whole application.
#[derive(Clone, Debug)]
pub struct Db {
    pools: Pools,
    /// The key of the audit chain; never stored in the database (see [`audit`]).
    audit_key: Option<Arc<AuditKey>>,
    /// Entries [`audit::record`] has queued for the next group commit (with this key).
    recorder: Arc<audit::Recorder>,
    /// Statements sent to the database through this handle and its transactions (see
    /// [`Db::statements_sent`]).
    sent: Arc<Sent>,
}

/// A count of the statements sent, `BEGIN` and `COMMIT` included: one relaxed atomic add per
/// statement, so a test can say how many statements a request costs (tests/it/lesson_speed.rs).
#[derive(Debug, Default)]
pub(crate) struct Sent(AtomicU64);

impl Sent {
    fn one(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn render<S: SqlxBinder>(backend: Backend, stmt: &S) -> (String, SqlxValues) {
    match backend {
        Backend::Sqlite => {
            let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
            inline_limits(&sql, values)
        }
        Backend::Postgres => {
            let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
            inline_limits_pg(&sql, values)
        }
    }
}

/// The number a `LIMIT`/`OFFSET` parameter holds, if it is an integer (always, from sea-query).
fn limit_number(v: &Value) -> Option<i128> {
    match v {
        Value::BigUnsigned(Some(n)) => Some(*n as i128),
        Value::BigInt(Some(n)) => Some(*n as i128),
        Value::Unsigned(Some(n)) => Some(*n as i128),
        Value::Int(Some(n)) => Some(*n as i128),
        _ => None,
    }
}

/// Writes the numbers of `LIMIT $n` and `OFFSET $n` into PostgreSQL's SQL and numbers the other
/// parameters again.
///
/// With the limit bound, PostgreSQL cannot cost a generic plan (it assumes a tenth of the rows),
/// so it planned the commune list's union of one index range per village afresh at every
/// execution: 0.87 ms of planning for 0.53 ms of work (docs/PERFORMANCE.md, 2026-12-04). With the
/// number written, the generic plan costs what the custom one does and is kept after the fifth
/// execution. Range searches still get custom plans: their cost depends on the range, which stays
/// bound. The numbers come from code (page sizes, bounds), never from text a user typed.
fn inline_limits_pg(sql: &str, values: SqlxValues) -> (String, SqlxValues) {
    if !sql.contains(" LIMIT $") && !sql.contains(" OFFSET $") {
        return (sql.to_string(), values);
    }
    let values = values.0.0;
    let mut out = String::with_capacity(sql.len());
    let mut kept: Vec<Value> = Vec::with_capacity(values.len());
    // Old parameter number (1-based) → new number, for a parameter written twice.
    let mut renumbered: Vec<Option<usize>> = vec![None; values.len()];
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') if chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let Some(i) = digits.parse::<usize>().ok().filter(|i| (1..=values.len()).contains(i)) else {
                    out.push('$');
                    out.push_str(&digits);
                    continue;
                };
                let v = &values[i - 1];
                match limit_number(v) {
                    Some(n) if out.ends_with(" LIMIT ") || out.ends_with(" OFFSET ") => {
                        out.push_str(&n.to_string());
                    }
                    _ => {
                        let new = *renumbered[i - 1].get_or_insert_with(|| {
                            kept.push(v.clone());
                            kept.len()
                        });
                        out.push('$');
                        out.push_str(&new.to_string());
                    }
                }
                continue;
            }
            (None, _) => {}
        }
        out.push(c);
    }
    (out, SqlxValues(sea_query::Values(kept)))
}

/// Turns off SQLite's memory statistics before the library starts: kept on, every allocation of
/// every connection takes one process-wide mutex, and nine connections threads (eight readers and
/// the writer) spent a tenth of their time waking one another on it. The statistics are not used.
fn sqlite_without_memory_statistics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_config` must run before the library is initialised and while no other
        // thread uses it; this runs before the first connection of the process opens (every
        // connection opens through this function), and `Once` makes other callers wait. Were the
        // library already initialised, SQLite refuses with SQLITE_MISUSE and nothing changes.
        let rc =
            unsafe { libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int) };
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::debug!(rc, "SQLite memory statistics stay on: the library had started");
        }
    });
}

/// Writes the numbers of `LIMIT ?` and `OFFSET ?` into SQLite's SQL instead of binding them.
///
/// SQLite plans a bound LIMIT with its value and marks the statement to be prepared again
/// whenever that parameter is bound anew, that is on every execution: a people page spent an
/// eighth of its database time parsing its own SQL again. The numbers come from code (page sizes,
/// bounds), never from text a user typed; only integers are inlined.
fn inline_limits(sql: &str, values: SqlxValues) -> (String, SqlxValues) {
    if !sql.contains(" LIMIT ?") && !sql.contains(" OFFSET ?") {
        return (sql.to_string(), values);
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut kept = Vec::with_capacity(values.0.0.len());
    let mut values = values.0.0.into_iter();
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '?') => {
                let Some(v) = values.next() else {
                    out.push(c);
                    continue;
                };
                match limit_number(&v) {
                    Some(n) if out.ends_with(" LIMIT ") || out.ends_with(" OFFSET ") => {
                        out.push_str(&n.to_string());
                    }
                    _ => {
                        out.push(c);
                        kept.push(v);
                    }
                }
                continue;
            }
            (None, _) => {}
        }
        out.push(c);
    }
    kept.extend(values);
    (out, SqlxValues(sea_query::Values(kept)))
}

impl Db {
    /// Opens (creating if needed) the database named by `url`: `sqlite://path` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                // No round trip to the server before each transaction: a connection the server
                // closed fails its statement and is dropped (docs/DECISIONS.md, 2026-12-04).
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts.clone())
                .await?;
            let read = Arc::new(Lender::new(opts, 8));
            read.open_one().await?;
            return Ok(Db {
                pools: Pools::Postgres(pool, read),
                audit_key: None,
                recorder: Arc::default(),
                sent: Arc::default(),
            });
        }
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        Self::open_sqlite(Path::new(path)).await
    }

    pub async fn open_sqlite(path: &Path) -> Result<Db> {
        restrict_sqlite_files(path)?;
        sqlite_without_memory_statistics();
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-65536")
            .pragma("wal_autocheckpoint", WAL_PAGES.to_string())
            // The writer maps the file (imports read what they write); readers do not (below).
            .pragma("mmap_size", "268435456")
            .pragma("temp_store", "memory");
        let checkpoints = Arc::new(Checkpoints::default());
        // An SQLite connection lives in this process and cannot be lost the way a network one
        // can: testing it before each statement only doubled the hand-offs to its thread.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect({
                let checkpoints = checkpoints.clone();
                move |_, _| {
                    // A new writer connection starts from the options above.
                    checkpoints.applied.store(WAL_PAGES, Ordering::SeqCst);
                    Box::pin(async { Ok(()) })
                }
            })
            .connect_with(opts.clone())
            .await?;
        // A reader drops its map whenever another connection committed, and every view's audit
        // entry commits: remapping cost 20 % of the signed-in page rate at 1,000,000 people,
        // reading through the page cache nothing (docs/PERFORMANCE.md, 2026-12-04).
        let read = Arc::new(Lender::new(opts.read_only(true).pragma("mmap_size", "0"), 8));
        read.open_one().await?;
        Ok(Db {
            pools: Pools::Sqlite {
                read,
                write,
                checkpoints,
            },
            audit_key: None,
            recorder: Arc::default(),
            sent: Arc::default(),
        })
    }

    /// Marks a bulk write (an import applying its frames) until the guard is dropped: meanwhile
    /// the WAL may grow to [`WAL_PAGES_BULK`] pages between checkpoints (see [`Checkpoints`]).
    pub fn bulk_writes(&self) -> BulkWrites {
        let checkpoints = match &self.pools {
            Pools::Sqlite { checkpoints, .. } => {
                checkpoints.bulk.fetch_add(1, Ordering::SeqCst);
                Some(checkpoints.clone())
            }
            Pools::Postgres(..) => None,
        };
        BulkWrites(checkpoints)
    }

    /// The same database, appending to the audit log with `key` (derived from the secret key that
    /// the configuration holds, outside the database).
    pub fn with_audit_key(mut self, key: AuditKey) -> Db {
        self.audit_key = Some(Arc::new(key));
        // A queue of its own: entries queued under the old key are not written with the new one.
        self.recorder = Arc::default();
        self
    }

    pub fn audit_key(&self) -> Option<&AuditKey> {
        self.audit_key.as_deref()
    }

    /// How many statements this database handle (every clone of it) has sent so far, `BEGIN` and
    /// `COMMIT` included: the cost of a request is the difference across it, while nothing else
    /// runs (no job runner).
    pub fn statements_sent(&self) -> u64 {
        self.sent.0.load(Ordering::Relaxed)
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(..) => Backend::Postgres,
        }
    }

    /// Writes the audit entries still queued (their requests are answered), then closes.
    pub async fn close(&self) {
        self.recorder.drain().await;
        match &self.pools {
            Pools::Sqlite { read, write, .. } => {
                read.close().await;
                // Leaves a clean file behind: the WAL is checkpointed into the database.
                if let Ok(mut c) = write.acquire().await {
                    let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *c).await;
                }
                write.close().await;
            }
            Pools::Postgres(p, read) => {
                read.close().await;
                p.close().await;
            }
        }
    }

    pub async fn ping(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { read, .. } => {
                let mut c = read.lend().await?;
                let r = sqlx::query("SELECT 1").execute(c.conn()).await;
                c.ended(r)?;
            }
            Pools::Postgres(_, read) => {
                let mut c = read.lend().await?;
                let r = sqlx::query("SELECT 1").execute(c.conn()).await;
                c.ended(r)?;
            }
        }
        Ok(())
    }

    pub async fn fetch_all<T: Record, S: SqlxBinder>(&self, stmt: &S) -> Result<Vec<T>> {
        self.sent.one();
        let (sql, values) = render(self.backend(), stmt);
        Ok(match &self.pools {
            Pools::Sqlite { read, .. } => {
                let mut c = read.lend().await?;
                let r = sqlx::query_as_with(sqlx::AssertSqlSafe(sql), values)
                    .fetch_all(c.conn())
                    .await;
                c.ended(r)?
            }
            Pools::Postgres(_, read) => {
                let mut c = read.lend().await?;
                let r = sqlx::query_as_with(sqlx::AssertSqlSafe(sql), values)
                    .fetch_all(c.conn())
                    .await;
                c.ended(r)?
            }
        })
    }

    pub async fn fetch_optional<T: Record, S: SqlxBinder>(&self, stmt: &S) -> Result<Option<T>> {
        self.sent.one();
        let (sql, values) = render(self.backend(), stmt);
        Ok(match &self.pools {
            Pools::Sqlite { read, .. } => {
                let mut c = read.lend().await?;
                let r = sqlx::query_as_with(sqlx::AssertSqlSafe(sql), values)
                    .fetch_optional(c.conn())
                    .await;
                c.ended(r)?
            }
            Pools::Postgres(_, read) => {
                let mut c = read.lend().await?;
                let r = sqlx::query_as_with(sqlx::AssertSqlSafe(sql), values)
                    .fetch_optional(c.conn())
                    .await;
                c.ended(r)?
            }
        })
    }

    pub async fn fetch_one<T: Record, S: SqlxBinder>(&self, stmt: &S) -> Result<T> {
        self.fetch_optional(stmt).await?.ok_or(DbError::NotFound)
    }

    /// A fixed statement sea-query cannot express (catalogue queries), on either backend.
    pub(crate) async fn fetch_all_raw<T: Record>(&self, sql: &'static str) -> Result<Vec<T>> {
        self.sent.one();
        Ok(match &self.pools {
            Pools::Sqlite { read, .. } => {
                let mut c = read.lend().await?;
                let r = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c.conn()).await;
                c.ended(r)?
            }
            Pools::Postgres(_, read) => {
                let mut c = read.lend().await?;
                let r = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c.conn()).await;
                c.ended(r)?
            }
        })
    }

    /// A PostgreSQL-only statement that sea-query cannot express (see [`bulk`]).
    pub(crate) async fn fetch_all_raw_pg<T: Record>(
        &self,
        sql: String,
        args: sqlx::postgres::PgArguments,
    ) -> Result<Vec<T>> {
        self.sent.one();
        match &self.pools {
            Pools::Postgres(_, read) => {
                let mut c = read.lend().await?;
                let r = sqlx::query_as_with(sqlx::AssertSqlSafe(sql), args)
                    .fetch_all(c.conn())
                    .await;
                Ok(c.ended(r)?)
            }
            Pools::Sqlite { .. } => Err(DbError::Invalid("PostgreSQL statement sent to SQLite".into())),
        }
    }

    /// Runs a single write in its own transaction.
    pub async fn execute<S: SqlxBinder>(&self, stmt: &S) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = tx.execute(stmt).await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn begin(&self) -> Result<Tx> {
        self.sent.one();
        let conn = match &self.pools {
            Pools::Sqlite { write, checkpoints, .. } => {
                // BEGIN IMMEDIATE takes the write lock up front, so a transaction that reads then
                // writes cannot fail half-way with SQLITE_BUSY.
                let mut tx = write.begin_with("BEGIN IMMEDIATE").await?;
                let wanted = checkpoints.wanted();
                if checkpoints.applied.load(Ordering::SeqCst) != wanted {
                    // Takes effect at this transaction's commit; only the writer ever checkpoints.
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PRAGMA wal_autocheckpoint = {wanted}")))
                        .execute(&mut *tx)
                        .await?;
                    checkpoints.applied.store(wanted, Ordering::SeqCst);
                }
                TxConn::Sqlite(tx)
            }
            Pools::Postgres(p, _) => TxConn::Postgres(p.begin().await?),
        };
        Ok(Tx {
            conn,
            audit_key: self.audit_key.clone(),
            sent: self.sent.clone(),
        })
    }

    /// The writer's checkpoint threshold in WAL pages as SQLite reports it (`None` on PostgreSQL):
    /// for tests and operators checking the policy of [`Db::bulk_writes`].
    pub async fn wal_autocheckpoint(&self) -> Result<Option<i64>> {
        let Pools::Sqlite { .. } = &self.pools else {
            return Ok(None);
        };
        let mut tx = self.begin().await?;
        let n: (i64,) = match &mut tx.conn {
            TxConn::Sqlite(c) => sqlx::query_as("PRAGMA wal_autocheckpoint").fetch_one(&mut **c).await?,
            TxConn::Postgres(_) | TxConn::Lent => return Ok(None),
        };
        tx.commit().await?;
        Ok(Some(n.0))
    }

    pub(crate) fn sqlite_write_pool(&self) -> Option<&sqlx::SqlitePool> {
        match &self.pools {
            Pools::Sqlite { write, .. } => Some(write),
            Pools::Postgres(..) => None,
        }
    }

    /// Applies pending migrations of this backend, each in its own transaction.
    pub async fn migrate(&self) -> Result<usize> {
        schema::migrate(self, None).await
    }

    /// Applies pending migrations up to `version` only: for tests that build a database as an
    /// older release left it and check that the next migration carries its data over.
    pub async fn migrate_to(&self, version: i64) -> Result<usize> {
        schema::migrate(self, Some(version)).await
    }
}

/// WAL pages after which the writer's commit checkpoints, in normal traffic (SQLite's default).
/// Readers look each page up in the part of the WAL not yet copied back (`walFindFrame`): with
/// the WAL allowed to reach 50,000 pages, officers' pages spent 11 % of the server's CPU there, and
/// served fewer pages per second (docs/DECISIONS.md, 2026-11-29).
pub const WAL_PAGES: u32 = 1_000;
/// … while an import applies its frames: each checkpoint copies the latest version of every page
/// written since the last one, and an import rewrites the same index pages frame after frame;
/// checkpointing after every frame made the 1,000,000-row import about a quarter slower.
pub const WAL_PAGES_BULK: u32 = 50_000;

/// The writer's checkpoint threshold: [`WAL_PAGES`], or [`WAL_PAGES_BULK`] while a bulk write is
/// running. Set on the writer connection by the next transaction that begins after it changes;
/// the first commit after an import checkpoints what the import left in the WAL.
#[derive(Debug, Default)]
struct Checkpoints {
    /// Bulk writes running ([`Db::bulk_writes`]).
    bulk: AtomicUsize,
    /// The threshold the writer connection has now.
    applied: AtomicU32,
}

impl Checkpoints {
    fn wanted(&self) -> u32 {
        if self.bulk.load(Ordering::SeqCst) > 0 {
            WAL_PAGES_BULK
        } else {
            WAL_PAGES
        }
    }
}

/// A bulk write in progress; see [`Db::bulk_writes`].
#[must_use]
pub struct BulkWrites(Option<Arc<Checkpoints>>);

impl Drop for BulkWrites {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            c.bulk.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// The database file holds personal data (encrypted ID numbers, names, phones, the audit log): it
/// is created with mode 0600 before SQLite opens it, and tightened if an older release left it
/// readable. SQLite gives the WAL and shared-memory files the database file's mode; they are
/// tightened too in case they already exist.
fn restrict_sqlite_files(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let io = |e: std::io::Error| DbError::Invalid(format!("{}: {e}", path.display()));
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
                .map_err(io)?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = std::path::PathBuf::from(p);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
            }
        }
    }
    Ok(())
}

/// A transaction on either backend, with the same query methods as [`Db`]. It carries the audit
/// key of the [`Db`] it came from, so [`audit::append`] can chain entries inside it.
pub struct Tx {
    pub(crate) conn: TxConn,
    pub(crate) audit_key: Option<Arc<AuditKey>>,
    pub(crate) sent: Arc<Sent>,
}

pub(crate) enum TxConn {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
    /// The PostgreSQL transaction is lent to a task that runs a COPY to its end whether or not
    /// its caller still waits ([`bulk`]); it comes back when the task ends.
    Lent,
}

/// The error of a statement sent while the transaction was lent (a caller that gave up waiting
/// for a COPY and went on using the transaction).
pub(crate) fn lent() -> DbError {
    DbError::Invalid("the transaction was lent to a COPY that did not finish".into())
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match &self.conn {
            TxConn::Sqlite(_) => Backend::Sqlite,
            TxConn::Postgres(_) | TxConn::Lent => Backend::Postgres,
        }
    }

    pub async fn fetch_all<T: Record, S: SqlxBinder>(&mut self, stmt: &S) -> Result<Vec<T>> {
        self.sent.one();
        let (sql, values) = render(self.backend(), stmt);
        // Writes with RETURNING come through here: name their constraint violations too.
        let r = match &mut self.conn {
            TxConn::Sqlite(tx) => {
                sqlx::query_as_with(sqlx::AssertSqlSafe(sql), values)
                    .fetch_all(&mut **tx)
                    .await
            }
            TxConn::Postgres(tx) => {
                sqlx::query_as_with(sqlx::AssertSqlSafe(sql), values)
                    .fetch_all(&mut **tx)
                    .await
            }
            TxConn::Lent => return Err(lent()),
        };
        r.map_err(DbError::classify)
    }

    pub async fn fetch_optional<T: Record, S: SqlxBinder>(&mut self, stmt: &S) -> Result<Option<T>> {
        self.sent.one();
        let (sql, values) = render(self.backend(), stmt);
        // Writes with RETURNING come through here: name their constraint violations too.
        let r = match &mut self.conn {
            TxConn::Sqlite(tx) => {
                sqlx::query_as_with(sqlx::AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **tx)
                    .await
            }
            TxConn::Postgres(tx) => {
                sqlx::query_as_with(sqlx::AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **tx)
                    .await
            }
            TxConn::Lent => return Err(lent()),
        };
        r.map_err(DbError::classify)
    }

    pub async fn fetch_one<T: Record, S: SqlxBinder>(&mut self, stmt: &S) -> Result<T> {
        self.fetch_optional(stmt).await?.ok_or(DbError::NotFound)
    }

    pub async fn execute<S: SqlxBinder>(&mut self, stmt: &S) -> Result<u64> {
        self.sent.one();
        let (sql, values) = render(self.backend(), stmt);
        let r = match &mut self.conn {
            TxConn::Sqlite(tx) => sqlx::query_with(sqlx::AssertSqlSafe(sql), values)
                .execute(&mut **tx)
                .await
                .map(|r| r.rows_affected()),
            TxConn::Postgres(tx) => sqlx::query_with(sqlx::AssertSqlSafe(sql), values)
                .execute(&mut **tx)
                .await
                .map(|r| r.rows_affected()),
            TxConn::Lent => return Err(lent()),
        };
        r.map_err(DbError::classify)
    }

    /// A PostgreSQL-only statement that sea-query cannot express (see [`bulk`]).
    pub(crate) async fn fetch_all_raw_pg<T: Record>(
        &mut self,
        sql: String,
        args: sqlx::postgres::PgArguments,
    ) -> Result<Vec<T>> {
        self.sent.one();
        match &mut self.conn {
            TxConn::Postgres(tx) => sqlx::query_as_with(sqlx::AssertSqlSafe(sql), args)
                .fetch_all(&mut **tx)
                .await
                .map_err(DbError::classify),
            TxConn::Sqlite(_) => Err(DbError::Invalid("PostgreSQL statement sent to SQLite".into())),
            TxConn::Lent => Err(lent()),
        }
    }

    /// Raw SQL for operators' tools and tests that must step outside the model (for example to
    /// tamper with the audit log and prove the chain check finds it). Never for user input.
    pub async fn execute_unchecked(&mut self, sql: &str) -> Result<()> {
        self.execute_raw(sql).await
    }

    /// Raw SQL for the few statements sea-query does not express (DDL in migrations).
    pub(crate) async fn execute_raw(&mut self, sql: &str) -> Result<()> {
        self.sent.one();
        match &mut self.conn {
            TxConn::Sqlite(tx) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(&mut **tx)
                    .await?;
            }
            TxConn::Postgres(tx) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(&mut **tx)
                    .await?;
            }
            TxConn::Lent => return Err(lent()),
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        self.sent.one();
        match self.conn {
            TxConn::Sqlite(tx) => tx.commit().await?,
            TxConn::Postgres(tx) => tx.commit().await?,
            TxConn::Lent => return Err(lent()),
        }
        Ok(())
    }
}

/// Now, truncated to microseconds so that PostgreSQL and SQLite round-trip the same value.
pub fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

/// The half-open range of paths inside the subtree rooted at `path` ("/1/25/" → ["/1/25/", "/1/250")).
/// Works as an index range scan on both backends.
pub fn subtree_range(path: &str) -> (String, String) {
    hocvuso_core::access::subtree_bounds(path)
}

impl Db {
    /// Creates a PostgreSQL database (test harness and `generate`); the name is checked to be a
    /// plain identifier because DDL cannot take bind parameters.
    pub async fn create_database(&self, name: &str) -> Result<()> {
        let Pools::Postgres(p, _) = &self.pools else {
            return Err(DbError::Invalid("create_database is for PostgreSQL".into()));
        };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(DbError::Invalid("database names are letters, digits and _".into()));
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(p)
            .await?;
        Ok(())
    }

    pub async fn drop_database(&self, name: &str) -> Result<()> {
        let Pools::Postgres(p, _) = &self.pools else {
            return Err(DbError::Invalid("drop_database is for PostgreSQL".into()));
        };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(DbError::Invalid("database names are letters, digits and _".into()));
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(p)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_limits_are_written_into_the_sql() {
        use sea_query::{Alias, Expr, ExprTrait, Query};
        let q = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("people"))
            .and_where(Expr::col(Alias::new("name")).eq("a ? ' LIMIT ?"))
            .and_where(Expr::col(Alias::new("n")).eq(7))
            .limit(51)
            .offset(100)
            .to_owned();
        let (sql, values) = render(Backend::Sqlite, &q);
        assert_eq!(
            sql,
            r#"SELECT "id" FROM "people" WHERE "name" = ? AND "n" = ? LIMIT 51 OFFSET 100"#
        );
        assert_eq!(values.0.0, vec![Value::from("a ? ' LIMIT ?"), Value::from(7)]);
        // Inside a subquery and a union too; PostgreSQL keeps its parameters.
        let inner = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("people"))
            .and_where(Expr::col(Alias::new("unit_path")).eq("/1/"))
            .limit(3)
            .to_owned();
        let outer = Query::select()
            .column(Alias::new("id"))
            .from_subquery(inner.clone(), Alias::new("m"))
            .and_where(Expr::col(Alias::new("id")).gt(5))
            .limit(2)
            .to_owned();
        let (sql, values) = render(Backend::Sqlite, &outer);
        assert!(sql.contains("LIMIT 3) AS \"m\" WHERE \"id\" > ? LIMIT 2"), "{sql}");
        assert_eq!(values.0.0, vec![Value::from("/1/"), Value::from(5)]);
        let (sql, values) = render(Backend::Postgres, &outer);
        assert_eq!(
            sql,
            r#"SELECT "id" FROM (SELECT "id" FROM "people" WHERE "unit_path" = $1 LIMIT 3) AS "m" WHERE "id" > $2 LIMIT 2"#
        );
        assert_eq!(values.0.0, vec![Value::from("/1/"), Value::from(5)]);
    }

    #[test]
    fn postgres_limits_are_written_and_parameters_numbered_again() {
        use sea_query::{Alias, Expr, ExprTrait, Query, UnionType};
        let branch = |path: &str, n: u64| {
            Query::select()
                .column(Alias::new("id"))
                .from(Alias::new("people"))
                .and_where(Expr::col(Alias::new("unit_path")).eq(path))
                .and_where(Expr::col(Alias::new("name")).eq("it's $1 LIMIT $2"))
                .limit(n)
                .to_owned()
        };
        let mut q = branch("/1/", 51);
        q.union(UnionType::All, branch("/2/", 52));
        let (sql, values) = render(Backend::Postgres, &q);
        assert_eq!(
            sql,
            r#"SELECT "id" FROM "people" WHERE "unit_path" = $1 AND "name" = $2 UNION ALL (SELECT "id" FROM "people" WHERE "unit_path" = $3 AND "name" = $4 LIMIT 52) LIMIT 51"#
        );
        assert_eq!(
            values.0.0,
            vec![
                Value::from("/1/"),
                Value::from("it's $1 LIMIT $2"),
                Value::from("/2/"),
                Value::from("it's $1 LIMIT $2"),
            ]
        );
        // No limit: unchanged.
        let plain = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("people"))
            .and_where(Expr::col(Alias::new("id")).eq(9))
            .to_owned();
        let (sql, values) = render(Backend::Postgres, &plain);
        assert_eq!(sql, r#"SELECT "id" FROM "people" WHERE "id" = $1"#);
        assert_eq!(values.0.0, vec![Value::from(9)]);
    }

    #[test]
    fn sqlite_unique_names() {
        assert_eq!(
            unique_from_message("UNIQUE constraint failed: people.pid_index"),
            "people_pid_index_key"
        );
        assert_eq!(
            unique_from_message("UNIQUE constraint failed: households.unit_id, households.code"),
            "households_unit_id_code_key"
        );
    }

    #[test]
    fn subtree() {
        let (lo, hi) = subtree_range("/1/25/");
        assert!("/1/25/".as_bytes() >= lo.as_bytes() && "/1/25/".as_bytes() < hi.as_bytes());
        assert!("/1/25/99/".as_bytes() < hi.as_bytes());
        assert!("/1/250/".as_bytes() >= hi.as_bytes());
        assert!("/1/26/".as_bytes() >= hi.as_bytes());
    }
}
