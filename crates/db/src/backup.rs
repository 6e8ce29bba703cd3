//! Consistent copies of a live SQLite database through SQLite's online backup API, taken while the
//! platform keeps serving, and restore. (PostgreSQL: `pg_dump`/`pg_restore`, see the README.)

use crate::{Backend, Db, DbError, Result};
use std::path::Path;

/// Copies the live database into `dest` page by page; writers are only briefly paused per step.
pub async fn backup_sqlite(db: &Db, dest: &Path) -> Result<()> {
    if db.backend() != Backend::Sqlite {
        return Err(DbError::Invalid(
            "backup command is for SQLite; use pg_dump for PostgreSQL".into(),
        ));
    }
    let pool = db.sqlite_write_pool().ok_or(DbError::NotFound)?;
    let mut conn = pool.acquire().await?;
    let dest = dest.to_path_buf();
    let mut handle = conn.lock_handle().await?;
    let src = handle.as_raw_handle().as_ptr();
    // The raw handle is used synchronously while the connection is locked; the copy of a database
    // of a few GB takes seconds, acceptable on the writer connection for an operator command.
    copy_pages(src, &dest)
}

fn copy_pages(src: *mut libsqlite3_sys::sqlite3, dest: &Path) -> Result<()> {
    use libsqlite3_sys as ffi;
    use std::ffi::CString;
    let path =
        CString::new(dest.to_string_lossy().as_bytes()).map_err(|_| DbError::Invalid("bad backup path".into()))?;
    // SAFETY: `src` is a live connection owned by the locked sqlx handle for the whole call; the
    // destination handle is opened and closed here; every return code is checked.
    unsafe {
        let mut dst: *mut ffi::sqlite3 = std::ptr::null_mut();
        let rc = ffi::sqlite3_open_v2(
            path.as_ptr(),
            &mut dst,
            ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE,
            std::ptr::null(),
        );
        if rc != ffi::SQLITE_OK {
            ffi::sqlite3_close(dst);
            return Err(DbError::Invalid(format!("cannot open backup file (sqlite code {rc})")));
        }
        let main = c"main";
        let b = ffi::sqlite3_backup_init(dst, main.as_ptr(), src, main.as_ptr());
        if b.is_null() {
            let msg = std::ffi::CStr::from_ptr(ffi::sqlite3_errmsg(dst))
                .to_string_lossy()
                .into_owned();
            ffi::sqlite3_close(dst);
            return Err(DbError::Invalid(format!("backup could not start: {msg}")));
        }
        let mut rc;
        loop {
            rc = ffi::sqlite3_backup_step(b, 1024);
            if rc == ffi::SQLITE_BUSY || rc == ffi::SQLITE_LOCKED {
                ffi::sqlite3_sleep(20);
                continue;
            }
            if rc != ffi::SQLITE_OK {
                break;
            }
        }
        ffi::sqlite3_backup_finish(b);
        ffi::sqlite3_close(dst);
        if rc != ffi::SQLITE_DONE {
            return Err(DbError::Invalid(format!("backup failed (sqlite code {rc})")));
        }
    }
    Ok(())
}

/// Restores `src` over the database file at `dest` (the platform must be stopped), keeping the
/// replaced file beside it as `*.before-restore`.
pub fn restore_sqlite(src: &Path, dest: &Path) -> std::io::Result<()> {
    if !src.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "backup file not found",
        ));
    }
    if dest.exists() {
        let keep = dest.with_extension("before-restore");
        std::fs::rename(dest, keep)?;
    }
    for suffix in ["-wal", "-shm"] {
        let side = format!("{}{suffix}", dest.display());
        let _ = std::fs::remove_file(side);
    }
    let tmp = dest.with_extension("restoring");
    std::fs::copy(src, &tmp)?;
    std::fs::rename(tmp, dest)
}

/// Per table of the catalogue: row count and a digest of every row's content, for comparing a backup or restore
/// with its source (SQLite).
pub async fn sqlite_fingerprint(db: &Db) -> Result<Vec<(String, i64, String)>> {
    use sqlx::Row;
    let pool = db
        .sqlite_write_pool()
        .ok_or_else(|| DbError::Invalid("fingerprint is for SQLite".into()))?;
    let mut out = Vec::new();
    for table in crate::catalog::tables(db).await? {
        let cols: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info({table})")))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("name"))
            .collect::<Result<_, _>>()?;
        let expr = cols
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join("||','||");
        // SQLite has no built-in SHA: the rows are concatenated here and hashed in Rust.
        let order = cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT COUNT(*), COALESCE(group_concat({expr}, char(10)), '') FROM (SELECT * FROM {table} ORDER BY {order})"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await?;
        let n: i64 = row.try_get(0)?;
        let text: String = row.try_get(1)?;
        out.push((table, n, hocvuso_core::crypto::sha256_hex(&[text.as_bytes()])));
    }
    Ok(out)
}

/// Every row of every table the database's own catalogue lists, as text, sorted — for tests that
/// must prove nothing stored changed (comparing contents, not counts). `skip` names whole tables
/// (`"sessions"`) or single columns (`"accounts.last_login_at"`) that legitimately change.
pub async fn table_contents(db: &Db, skip: &[&str]) -> Result<std::collections::BTreeMap<String, Vec<String>>> {
    use crate::Scalar;
    let raw = |sql: String| async move {
        match db.backend() {
            Backend::Sqlite => {
                let pool = db
                    .sqlite_write_pool()
                    .ok_or_else(|| DbError::Invalid("no SQLite pool".into()))?;
                let rows: Vec<Scalar<String>> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
                Ok::<Vec<String>, DbError>(rows.into_iter().map(|s| s.0).collect())
            }
            Backend::Postgres => {
                let rows: Vec<Scalar<String>> =
                    db.fetch_all_raw_pg(sql, sqlx::postgres::PgArguments::default()).await?;
                Ok(rows.into_iter().map(|s| s.0).collect())
            }
        }
    };
    let tables = crate::catalog::tables(db).await?;
    let mut out = std::collections::BTreeMap::new();
    for table in tables {
        if skip.contains(&table.as_str()) {
            continue;
        }
        let cols = raw(match db.backend() {
            Backend::Sqlite => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
            Backend::Postgres => format!(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position"
            ),
        })
        .await?;
        let cols: Vec<String> = cols
            .into_iter()
            .filter(|c| !skip.contains(&format!("{table}.{c}").as_str()))
            .collect();
        if cols.is_empty() {
            continue;
        }
        let expr = match db.backend() {
            Backend::Sqlite => cols
                .iter()
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join("||','||"),
            Backend::Postgres => format!(
                "concat_ws(',', {})",
                cols.iter()
                    .map(|c| format!("quote_nullable(CAST(\"{c}\" AS TEXT))"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut rows = raw(format!("SELECT {expr} FROM \"{table}\"")).await?;
        rows.sort();
        out.insert(table, rows);
    }
    Ok(out)
}
