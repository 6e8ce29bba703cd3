//! Connections lent for one read statement at a time.
//!
//! sqlx's pool tests a connection before lending it and again, in a task of its own, when it is
//! given back: on SQLite each test is a hand-off to the connection's thread and back, on PostgreSQL
//! a round trip to the server. Measured on the signed-in pages (docs/PERFORMANCE.md, 2026-12-04)
//! that made three hand-offs of every statement. Reads go through this lender instead: a
//! connection is taken from a list and put back when its statement ended, with no test.
//!
//! A connection comes back only when its statement ran to an answer, a row or a database error:
//! a statement whose request was dropped half-way (the client went away), or that failed below
//! the database (I/O, a crashed worker thread), leaves its connection to be closed, and the next
//! borrower opens a new one. Writes keep sqlx's pool (transactions, see [`crate::Db::begin`]).

use crate::{DbError, Result};
use sqlx::{ConnectOptions, Connection};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// How long a reader waits for a free connection before the request fails.
const WAIT: Duration = Duration::from_secs(30);

pub(crate) struct Lender<C: Connection> {
    options: <C as Connection>::Options,
    idle: Mutex<Vec<C>>,
    permits: Semaphore,
}

impl<C: Connection> std::fmt::Debug for Lender<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lender")
            .field("free", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl<C: Connection> Lender<C> {
    /// A lender of at most `max` connections, opened when first needed.
    pub(crate) fn new(options: <C as Connection>::Options, max: usize) -> Self {
        Lender {
            options,
            idle: Mutex::new(Vec::with_capacity(max)),
            permits: Semaphore::new(max),
        }
    }

    /// Opens one connection now, so a database that cannot be opened fails at start-up.
    pub(crate) async fn open_one(&self) -> Result<()> {
        let conn = self.options.connect().await?;
        self.idle_list().push(conn);
        Ok(())
    }

    pub(crate) async fn lend(&self) -> Result<Lent<'_, C>> {
        let permit = match tokio::time::timeout(WAIT, self.permits.acquire()).await {
            Ok(Ok(p)) => p,
            Ok(Err(_)) => return Err(DbError::from(sqlx::Error::PoolClosed)),
            Err(_) => return Err(DbError::from(sqlx::Error::PoolTimedOut)),
        };
        let idle = self.idle_list().pop();
        let conn = match idle {
            Some(c) => c,
            None => self.options.connect().await?,
        };
        Ok(Lent {
            conn: Some(conn),
            lender: self,
            _permit: permit,
        })
    }

    /// Lends no more connections and closes the idle ones.
    pub(crate) async fn close(&self) {
        self.permits.close();
        let conns = std::mem::take(&mut *self.idle_list());
        for c in conns {
            let _ = c.close().await;
        }
    }

    fn idle_list(&self) -> std::sync::MutexGuard<'_, Vec<C>> {
        // The list is only pushed to and popped from: a panic elsewhere cannot leave it torn.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A lent connection. Dropped without [`Lent::ended`], it is closed rather than given back.
pub(crate) struct Lent<'a, C: Connection> {
    conn: Option<C>,
    lender: &'a Lender<C>,
    _permit: SemaphorePermit<'a>,
}

impl<C: Connection> Lent<'_, C> {
    pub(crate) fn conn(&mut self) -> &mut C {
        self.conn
            .as_mut()
            .expect("a lent connection is present until it is given back")
    }

    /// The statement ended with `r`: the connection goes back unless the failure lies below the
    /// database's own answer.
    pub(crate) fn ended<T>(mut self, r: std::result::Result<T, sqlx::Error>) -> std::result::Result<T, sqlx::Error> {
        if let Some(conn) = self.conn.take() {
            let sound = match &r {
                Ok(_) => true,
                Err(e) => matches!(
                    e,
                    sqlx::Error::Database(_)
                        | sqlx::Error::RowNotFound
                        | sqlx::Error::ColumnNotFound(_)
                        | sqlx::Error::ColumnIndexOutOfBounds { .. }
                        | sqlx::Error::ColumnDecode { .. }
                        | sqlx::Error::Decode(_)
                        | sqlx::Error::Encode(_)
                        | sqlx::Error::TypeNotFound { .. }
                ),
            };
            if sound {
                self.lender.idle_list().push(conn);
            }
        }
        r
    }
}
