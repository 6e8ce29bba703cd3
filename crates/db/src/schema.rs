//! The migration runner. Migrations are plain SQL, one folder per backend kept in lockstep (same
//! file names; a test checks it, and `tests/it/schema.rs` compares the resulting schemas column by
//! column), applied in order and recorded in `schema_migrations`. Each module declares the
//! identifiers of the tables it owns beside its queries; the list of tables is the database's own
//! catalogue ([`crate::catalog`]).

use crate::{Backend, Db, DbError, Result, Scalar};
use sea_query::Iden;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migrations {
    ($($version:literal => $file:literal),* $(,)?) => {
        pub const MIGRATIONS: &[Migration] = &[$(Migration {
            version: $version,
            name: $file,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file)),
            postgres: include_str!(concat!("../migrations/postgres/", $file)),
        }),*];
    };
}

migrations! {
    1 => "0001_core.sql",
    2 => "0002_idempotency.sql",
    3 => "0003_import_write_path.sql",
    4 => "0004_job_attempts.sql",
    5 => "0005_accounts_hardening.sql",
    6 => "0006_reveal_tickets.sql",
    7 => "0007_import_mappings.sql",
    8 => "0008_audit_rowid.sql",
    9 => "0009_jobs.sql",
    10 => "0010_schema_parity.sql",
    11 => "0011_people_counts.sql",
    12 => "0012_people_scope_with_id.sql",
    13 => "0013_people_counts_on_insert.sql",
    14 => "0014_learning.sql",
    15 => "0015_authoring.sql",
    16 => "0016_lesson_audio.sql",
    17 => "0017_course_media.sql",
    18 => "0018_lesson_video.sql",
    19 => "0019_draft_recordings.sql",
    20 => "0020_framework_corrections.sql",
    21 => "0021_course_revisions.sql",
    22 => "0022_question_items.sql",
    23 => "0023_attempts.sql",
    24 => "0024_attempts_by_person.sql",
    25 => "0025_requirement_lessons.sql",
    26 => "0026_course_certificates.sql",
    27 => "0027_bank_pictures.sql",
}

/// Applies the pending migrations up to and including `last` (all of them with `None`).
pub(crate) async fn migrate(db: &Db, last: Option<i64>) -> Result<usize> {
    let mut tx = db.begin().await?;
    tx.execute_raw(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await?;
    tx.commit().await?;
    let applied: Vec<Scalar<i64>> = db
        .fetch_all(
            sea_query::Query::select()
                .column(SchemaMigrations::Version)
                .from(SchemaMigrations::Table),
        )
        .await?;
    let applied: Vec<i64> = applied.into_iter().map(|s| s.0).collect();
    let mut count = 0;
    let wanted = |m: &&Migration| !applied.contains(&m.version) && last.is_none_or(|l| m.version <= l);
    for m in MIGRATIONS.iter().filter(wanted) {
        let mut tx = db.begin().await?;
        let sql = match db.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        tx.execute_raw(sql).await.map_err(|e| match e {
            DbError::Sqlx(source) => DbError::Migration {
                version: m.version,
                source,
            },
            other => other,
        })?;
        tx.execute(
            sea_query::Query::insert()
                .into_table(SchemaMigrations::Table)
                .columns([
                    SchemaMigrations::Version,
                    SchemaMigrations::Name,
                    SchemaMigrations::AppliedAt,
                ])
                .values_panic([m.version.into(), m.name.into(), crate::now().to_string().into()]),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
        count += 1;
    }
    Ok(count)
}

#[derive(Iden)]
pub enum SchemaMigrations {
    Table,
    Version,
    Name,
    AppliedAt,
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_in_lockstep() {
        let names = |dir: &str| {
            let mut v: Vec<String> = std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let sqlite = names("sqlite");
        assert_eq!(sqlite, names("postgres"));
        let declared: Vec<&str> = super::MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(sqlite, declared);
    }
}
