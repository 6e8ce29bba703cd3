//! Inserting many rows in one go, the way each backend does it fastest.
//!
//! SQLite gets multi-row `VALUES` statements kept under its limit of bound parameters.
//! PostgreSQL gets one statement that binds one array per column and unnests them
//! (`INSERT … SELECT * FROM UNNEST($1::text[], …)`): it is parsed and planned once whatever the
//! number of rows, where a `VALUES` list of thousands of rows is parsed anew each time.

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
            TxConn::Postgres(tx) => {
                let (sql, args) = unnest(&rows, &[])?;
                let r = sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
                    .execute(&mut **tx)
                    .await
                    .map_err(DbError::classify)?;
                Ok(r.rows_affected())
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
