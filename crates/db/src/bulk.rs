//! Inserting many rows in one go, the way each backend does it fastest.
//!
//! SQLite gets multi-row `VALUES` statements kept under its limit of bound parameters.
//! PostgreSQL gets `COPY … FROM STDIN (FORMAT binary)` where no row needs to come back: the
//! server writes the rows a page at a time (one WAL record per heap page instead of one per row)
//! and decodes no arrays. Where rows must come back (`RETURNING`), it gets one statement that
//! binds one array per column and unnests them (`INSERT … SELECT * FROM UNNEST($1::text[], …)`):
//! parsed and planned once whatever the number of rows, where a `VALUES` list of thousands of rows
//! is parsed anew each time.

use crate::{Backend, Db, DbError, Record, Result, Tx, TxConn};
use sea_query::{Expr, ExprTrait, Iden, Query, Value};
use sqlx::Arguments;
use sqlx::postgres::PgArguments;
use time::{Date, OffsetDateTime};

/// Keys looked up per statement on SQLite (an IN list).
const SQLITE_LOOKUP_KEYS: usize = 1000;

/// The rows of `table` whose unique binary column `key` (a blind index) is one of `keys`, with
/// `columns`. SQLite gets IN lists. PostgreSQL gets one array and one probe of the unique index
/// per key, forced by a LATERAL subquery: given a long IN list, its planner prices each probe as a
/// disk read and scans the whole table instead (every import chunk read every person held).
pub async fn fetch_by_keys<T: Record, I: Iden + Copy + 'static>(
    db: &Db,
    table: I,
    columns: &[I],
    key: I,
    keys: &[Vec<u8>],
) -> Result<Vec<T>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    match db.backend() {
        Backend::Sqlite => {
            let mut out = Vec::new();
            for part in keys.chunks(SQLITE_LOOKUP_KEYS) {
                out.extend(db.fetch_all::<T, _>(&sqlite_lookup(table, columns, key, part)).await?);
            }
            Ok(out)
        }
        Backend::Postgres => {
            let (sql, args) = pg_lookup(table, columns, key, keys, false)?;
            db.fetch_all_raw_pg(sql, args).await
        }
    }
}

impl Tx {
    /// [`fetch_by_keys`] inside a transaction that is about to change the rows found: on
    /// PostgreSQL they stay locked (`FOR UPDATE`) until it ends, so a rule checked on them holds
    /// when the change is written; SQLite's single writer gives the same guarantee.
    pub async fn fetch_by_keys_for_update<T: Record, I: Iden + Copy + 'static>(
        &mut self,
        table: I,
        columns: &[I],
        key: I,
        keys: &[Vec<u8>],
    ) -> Result<Vec<T>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        match self.backend() {
            Backend::Sqlite => {
                let mut out = Vec::new();
                for part in keys.chunks(SQLITE_LOOKUP_KEYS) {
                    out.extend(
                        self.fetch_all::<T, _>(&sqlite_lookup(table, columns, key, part))
                            .await?,
                    );
                }
                Ok(out)
            }
            Backend::Postgres => {
                let (sql, args) = pg_lookup(table, columns, key, keys, true)?;
                self.fetch_all_raw_pg(sql, args).await
            }
        }
    }
}

fn sqlite_lookup<I: Iden + Copy + 'static>(
    table: I,
    columns: &[I],
    key: I,
    part: &[Vec<u8>],
) -> sea_query::SelectStatement {
    Query::select()
        .columns(columns.iter().copied())
        .from(table)
        .and_where(Expr::col(key).is_in(part.to_vec()))
        .to_owned()
}

fn pg_lookup<I: Iden + Copy + 'static>(
    table: I,
    columns: &[I],
    key: I,
    keys: &[Vec<u8>],
    for_update: bool,
) -> Result<(String, PgArguments)> {
    let cols: Vec<String> = columns.iter().map(quoted).collect();
    let sql = format!(
        "SELECT p.* FROM UNNEST($1::bytea[]) AS k(v) CROSS JOIN LATERAL \
         (SELECT {} FROM {} WHERE {} = k.v LIMIT 1{}) AS p",
        cols.join(", "),
        quoted(&table),
        quoted(&key),
        if for_update { " FOR UPDATE" } else { "" }
    );
    let mut args = PgArguments::default();
    args.add(keys.to_vec())
        .map_err(|e| DbError::Invalid(format!("key lookup: {e}")))?;
    Ok((sql, args))
}

/// SQLite binds at most 32,766 parameters in one statement.
const SQLITE_MAX_PARAMS: usize = 32_766;

/// Rows to insert into one table: every row has one value per column, in column order.
pub struct Rows<I: Iden + Copy + 'static> {
    table: I,
    columns: Vec<I>,
    rows: Vec<Vec<Value>>,
}

impl<I: Iden + Copy + 'static> Rows<I> {
    pub fn new(table: I, columns: impl IntoIterator<Item = I>) -> Self {
        Rows {
            table,
            columns: columns.into_iter().collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; the values follow the column order and their types stay the same from row to
    /// row (a NULL keeps its type: `Option::<String>::None` is a text NULL).
    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl Tx {
    /// Inserts all the rows; returns how many were inserted.
    pub async fn insert_rows<I: Iden + Copy + 'static>(&mut self, rows: Rows<I>) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        match &mut self.conn {
            TxConn::Sqlite(_) => {
                let mut n = 0;
                for stmt in sqlite_statements(rows, &[]) {
                    n += self.execute(&stmt).await?;
                }
                Ok(n)
            }
            // A few rows (an audit entry, a page's writes) go as one UNNEST statement: sqlx sends
            // a COPY's data and its end as two small writes without TCP_NODELAY, and the second
            // waited for PostgreSQL's delayed acknowledgement (~40 ms) while the audit head stayed
            // locked (measured by benches/assessment.rs, docs/PERFORMANCE.md).
            TxConn::Postgres(tx) if rows.len() < COPY_MIN_ROWS => {
                let (sql, args) = unnest(&rows, &[])?;
                let done = sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
                    .execute(&mut **tx)
                    .await
                    .map_err(DbError::classify)?;
                Ok(done.rows_affected())
            }
            TxConn::Postgres(_) => {
                let (sql, chunks) = copy_data(&rows)?;
                // sqlx's COPY is not cancel-safe: dropped half-way, it leaves the connection
                // answering the wrong statements. So the transaction is lent to a task that runs
                // the COPY to its end even if this caller stops waiting (an import stopped by a
                // clean shutdown); a caller that stops waiting drops the transaction with it.
                let TxConn::Postgres(mut pg) = std::mem::replace(&mut self.conn, TxConn::Lent) else {
                    return Err(crate::lent());
                };
                let task = tokio::spawn(async move {
                    let r = copy_in(&mut pg, &sql, chunks).await;
                    (pg, r)
                });
                match task.await {
                    Ok((pg, r)) => {
                        self.conn = TxConn::Postgres(pg);
                        r
                    }
                    Err(e) => Err(DbError::Invalid(format!("the COPY's task ended: {e}"))),
                }
            }
            TxConn::Lent => Err(crate::lent()),
        }
    }

    /// On PostgreSQL, `n` new values of `table`'s identity column `column`, taken from its
    /// sequence, so that new rows can be sent by COPY with their ids. On SQLite, `None`: its rows
    /// get their ids back from `INSERT … RETURNING`, which costs it nothing extra.
    pub async fn take_ids<I: Iden>(&mut self, table: I, column: I, n: usize) -> Result<Option<Vec<i64>>> {
        match &mut self.conn {
            TxConn::Sqlite(_) => Ok(None),
            TxConn::Lent => Err(crate::lent()),
            TxConn::Postgres(tx) => {
                let ids: Vec<i64> =
                    sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence($1, $2)) FROM generate_series(1, $3)")
                        .bind(quoted(&table))
                        .bind(column.unquoted().to_string())
                        .bind(n as i64)
                        .fetch_all(&mut **tx)
                        .await
                        .map_err(DbError::classify)?;
                Ok(Some(ids))
            }
        }
    }

    /// Inserts all the rows and returns the `returning` columns of each (in no promised order).
    pub async fn insert_rows_returning<T: Record, I: Iden + Copy + 'static>(
        &mut self,
        rows: Rows<I>,
        returning: &[I],
    ) -> Result<Vec<T>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        match &mut self.conn {
            TxConn::Sqlite(_) => {
                let mut out = Vec::with_capacity(rows.len());
                for stmt in sqlite_statements(rows, returning) {
                    out.extend(self.fetch_all::<T, _>(&stmt).await?);
                }
                Ok(out)
            }
            TxConn::Lent => Err(crate::lent()),
            TxConn::Postgres(tx) => {
                let (sql, args) = unnest(&rows, returning)?;
                sqlx::query_as_with(sqlx::AssertSqlSafe(sql), args)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(DbError::classify)
            }
        }
    }
}

/// From this many rows on, PostgreSQL gets them by COPY (imports); fewer go as one statement.
const COPY_MIN_ROWS: usize = 64;

fn sqlite_statements<I: Iden + Copy + 'static>(rows: Rows<I>, returning: &[I]) -> Vec<sea_query::InsertStatement> {
    let per_statement = (SQLITE_MAX_PARAMS / rows.columns.len().max(1)).max(1);
    let mut out = Vec::new();
    let mut iter = rows.rows.into_iter().peekable();
    while iter.peek().is_some() {
        let mut stmt = Query::insert()
            .into_table(rows.table)
            .columns(rows.columns.iter().copied())
            .to_owned();
        for row in iter.by_ref().take(per_statement) {
            stmt.values_panic(row.into_iter().map(Expr::val));
        }
        if !returning.is_empty() {
            stmt.returning(Query::returning().columns(returning.iter().copied()));
        }
        out.push(stmt);
    }
    out
}

/// One column's values as a typed PostgreSQL array.
enum Column {
    Bool(Vec<Option<bool>>),
    Int(Vec<Option<i32>>),
    BigInt(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    Bytes(Vec<Option<Vec<u8>>>),
    Date(Vec<Option<Date>>),
    Timestamp(Vec<Option<OffsetDateTime>>),
}

impl Column {
    fn for_value(v: &Value, n: usize) -> Result<Column> {
        Ok(match v {
            Value::Bool(_) => Column::Bool(Vec::with_capacity(n)),
            Value::Int(_) => Column::Int(Vec::with_capacity(n)),
            Value::BigInt(_) => Column::BigInt(Vec::with_capacity(n)),
            Value::String(_) => Column::Text(Vec::with_capacity(n)),
            Value::Bytes(_) => Column::Bytes(Vec::with_capacity(n)),
            Value::TimeDate(_) => Column::Date(Vec::with_capacity(n)),
            Value::TimeDateTimeWithTimeZone(_) => Column::Timestamp(Vec::with_capacity(n)),
            other => return Err(DbError::Invalid(format!("bulk insert of {other:?} is not supported"))),
        })
    }

    fn cast(&self) -> &'static str {
        match self {
            Column::Bool(_) => "bool[]",
            Column::Int(_) => "int4[]",
            Column::BigInt(_) => "int8[]",
            Column::Text(_) => "text[]",
            Column::Bytes(_) => "bytea[]",
            Column::Date(_) => "date[]",
            Column::Timestamp(_) => "timestamptz[]",
        }
    }

    fn push(&mut self, v: &Value) -> Result<()> {
        match (self, v) {
            (Column::Bool(c), Value::Bool(x)) => c.push(*x),
            (Column::Int(c), Value::Int(x)) => c.push(*x),
            (Column::BigInt(c), Value::BigInt(x)) => c.push(*x),
            (Column::Text(c), Value::String(x)) => c.push(x.clone()),
            (Column::Bytes(c), Value::Bytes(x)) => c.push(x.clone()),
            (Column::Date(c), Value::TimeDate(x)) => c.push(*x),
            (Column::Timestamp(c), Value::TimeDateTimeWithTimeZone(x)) => c.push(*x),
            (_, other) => {
                return Err(DbError::Invalid(format!(
                    "bulk insert: {other:?} in a column of another type"
                )));
            }
        }
        Ok(())
    }

    fn bind(self, args: &mut PgArguments) -> Result<()> {
        let r = match self {
            Column::Bool(c) => args.add(c),
            Column::Int(c) => args.add(c),
            Column::BigInt(c) => args.add(c),
            Column::Text(c) => args.add(c),
            Column::Bytes(c) => args.add(c),
            Column::Date(c) => args.add(c),
            Column::Timestamp(c) => args.add(c),
        };
        r.map_err(|e| DbError::Invalid(format!("bulk insert: {e}")))
    }
}

fn quoted(i: &impl Iden) -> String {
    format!("\"{}\"", i.unquoted().replace('"', "\"\""))
}

fn unnest<I: Iden + Copy + 'static>(rows: &Rows<I>, returning: &[I]) -> Result<(String, PgArguments)> {
    let first = rows.rows.first().ok_or(DbError::NotFound)?;
    let mut columns: Vec<Column> = first
        .iter()
        .map(|v| Column::for_value(v, rows.rows.len()))
        .collect::<Result<_>>()?;
    for row in &rows.rows {
        if row.len() != columns.len() {
            return Err(DbError::Invalid("bulk insert: rows of different lengths".into()));
        }
        for (c, v) in columns.iter_mut().zip(row) {
            c.push(v)?;
        }
    }
    let names: Vec<String> = rows.columns.iter().map(quoted).collect();
    let arrays: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("${}::{}", i + 1, c.cast()))
        .collect();
    let mut sql = format!(
        "INSERT INTO {} ({}) SELECT * FROM UNNEST({})",
        quoted(&rows.table),
        names.join(", "),
        arrays.join(", ")
    );
    if !returning.is_empty() {
        let r: Vec<String> = returning.iter().map(quoted).collect();
        sql.push_str(" RETURNING ");
        sql.push_str(&r.join(", "));
    }
    let mut args = PgArguments::default();
    for c in columns {
        c.bind(&mut args)?;
    }
    Ok((sql, args))
}

/// Bytes of COPY data sent per message: the encoded rows are never all held at once.
const COPY_CHUNK: usize = 1 << 20;

/// Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for binary timestamps.
const PG_EPOCH_DAYS: i64 = 10_957;

/// The `COPY … FROM STDIN (FORMAT binary)` statement for `rows` and its data, in chunks of about
/// [`COPY_CHUNK`] bytes. Binary fields are not converted by the server, so each value's type must
/// be its column's (an `Int` into a BIGINT column is refused as malformed data, never stored
/// wrong); the tests of every caller run on PostgreSQL. Encoded before the COPY starts: a value
/// that cannot be sent fails here, with nothing sent.
fn copy_data<I: Iden + Copy + 'static>(rows: &Rows<I>) -> Result<(String, Vec<Vec<u8>>)> {
    let names: Vec<String> = rows.columns.iter().map(quoted).collect();
    let sql = format!(
        "COPY {} ({}) FROM STDIN (FORMAT binary)",
        quoted(&rows.table),
        names.join(", ")
    );
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut buf = Vec::with_capacity(COPY_CHUNK + 4096);
    // Signature, flags (no OIDs), header extension length.
    buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    buf.extend_from_slice(&0i32.to_be_bytes());
    buf.extend_from_slice(&0i32.to_be_bytes());
    let width =
        i16::try_from(rows.columns.len()).map_err(|_| DbError::Invalid("bulk insert: too many columns".into()))?;
    for row in &rows.rows {
        if row.len() != rows.columns.len() {
            return Err(DbError::Invalid("bulk insert: rows of different lengths".into()));
        }
        buf.extend_from_slice(&width.to_be_bytes());
        for v in row {
            encode_binary(&mut buf, v)?;
        }
        if buf.len() >= COPY_CHUNK {
            chunks.push(std::mem::replace(&mut buf, Vec::with_capacity(COPY_CHUNK + 4096)));
        }
    }
    buf.extend_from_slice(&(-1i16).to_be_bytes());
    chunks.push(buf);
    Ok((sql, chunks))
}

/// Runs the COPY on `tx` and returns how many rows it stored.
async fn copy_in(tx: &mut sqlx::Transaction<'static, sqlx::Postgres>, sql: &str, chunks: Vec<Vec<u8>>) -> Result<u64> {
    let mut copy = tx.copy_in_raw(sql).await.map_err(DbError::classify)?;
    for chunk in chunks {
        if let Err(e) = copy.send(chunk).await {
            // The server learns the COPY is abandoned; the transaction fails and rolls back.
            let _ = copy.abort(e.to_string()).await;
            return Err(DbError::classify(e));
        }
    }
    copy.finish().await.map_err(DbError::classify)
}

/// One field of a binary COPY row: its length (-1 for NULL), then PostgreSQL's binary form.
fn encode_binary(buf: &mut Vec<u8>, v: &Value) -> Result<()> {
    fn field(buf: &mut Vec<u8>, bytes: &[u8]) -> Result<()> {
        let n = i32::try_from(bytes.len()).map_err(|_| DbError::Invalid("bulk insert: value too long".into()))?;
        buf.extend_from_slice(&n.to_be_bytes());
        buf.extend_from_slice(bytes);
        Ok(())
    }
    match v {
        Value::Bool(Some(x)) => field(buf, &[u8::from(*x)]),
        Value::Int(Some(x)) => field(buf, &x.to_be_bytes()),
        Value::BigInt(Some(x)) => field(buf, &x.to_be_bytes()),
        Value::String(Some(x)) => field(buf, x.as_bytes()),
        Value::Bytes(Some(x)) => field(buf, x),
        Value::TimeDate(Some(d)) => {
            // Julian day 2,451,545 is 2000-01-01; no calendar date overflows.
            let days = d.to_julian_day() - 2_451_545;
            field(buf, &days.to_be_bytes())
        }
        Value::TimeDateTimeWithTimeZone(Some(t)) => {
            let micros = t.unix_timestamp_nanos() / 1_000 - i128::from(PG_EPOCH_DAYS) * 86_400_000_000;
            let micros =
                i64::try_from(micros).map_err(|_| DbError::Invalid(format!("bulk insert: time {t} out of range")))?;
            field(buf, &micros.to_be_bytes())
        }
        Value::Bool(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::String(None)
        | Value::Bytes(None)
        | Value::TimeDate(None)
        | Value::TimeDateTimeWithTimeZone(None) => {
            buf.extend_from_slice(&(-1i32).to_be_bytes());
            Ok(())
        }
        other => Err(DbError::Invalid(format!("bulk insert of {other:?} is not supported"))),
    }
}
