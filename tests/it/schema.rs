//! After every migration the SQLite and PostgreSQL schemas are the same, column by column: the
//! same tables and columns, types that hold the same values, the same nullability and defaults,
//! primary keys, indexes (name, columns, uniqueness, partial or not) and foreign keys. Read from
//! each database's own catalogue (`hocvuso_db::catalog`), so a module's new table is compared
//! without being listed here. The lockstep test only checks that the migration files have the same
//! names; this one checks what they built.

use crate::helpers::{create_pg_database, pg_admin_url};
use hocvuso_db::Db;
use hocvuso_db::catalog::{self, Column, Table};
use std::collections::{BTreeMap, BTreeSet};

/// One name per kind of value the application stores. SQLite's declared widths are not enforced
/// (every integer is 64-bit there), so INTEGER and BIGINT are one kind; PostgreSQL's widths are
/// enforced, and sqlx refuses to decode an int4 column into an i64, so a width mismatch there
/// fails the suite's tests on PostgreSQL.
fn sqlite_kind(declared: &str) -> String {
    match declared {
        "INTEGER" | "BIGINT" | "INT" | "SMALLINT" => "integer",
        "TEXT" | "VARCHAR" => "text",
        "BLOB" => "bytes",
        "BOOLEAN" => "boolean",
        "REAL" | "DOUBLE" | "FLOAT" => "real",
        other => return format!("SQLite {other}"),
    }
    .to_string()
}

fn postgres_kind(declared: &str) -> String {
    match declared {
        "int2" | "int4" | "int8" => "integer",
        "text" | "varchar" => "text",
        "bytea" => "bytes",
        "bool" => "boolean",
        "float4" | "float8" => "real",
        "timestamptz" => "timestamp",
        "date" => "date",
        other => return format!("PostgreSQL {other}"),
    }
    .to_string()
}

/// Times and dates are TEXT on SQLite (sqlx writes RFC 3339 text and reads it back into
/// `OffsetDateTime` / `Date`), TIMESTAMPTZ and DATE on PostgreSQL. Nothing else may differ.
fn same_kind(sqlite: &str, postgres: &str) -> bool {
    sqlite == postgres || (sqlite == "text" && matches!(postgres, "timestamp" | "date"))
}

/// `TRUE` / `true`, `'error'` / `'error'::text`: the same default written by two databases.
fn default(d: &Option<String>) -> Option<String> {
    d.as_ref().map(|d| {
        let d = d.trim().to_lowercase();
        d.split_once("::").map(|(value, _cast)| value.to_string()).unwrap_or(d)
    })
}

fn column(c: &Column, kind: impl Fn(&str) -> String) -> String {
    format!(
        "{} {}{}{}",
        kind(&c.declared),
        if c.not_null { "NOT NULL" } else { "nullable" },
        default(&c.default).map(|d| format!(" DEFAULT {d}")).unwrap_or_default(),
        if c.generated { " generated" } else { "" }
    )
}

/// A SQLite index of a table keyed by its rowid (`id INTEGER PRIMARY KEY`) ends with the rowid
/// without naming it: `(unit_path)` there orders and finds exactly what `(unit_path, id)` does on
/// PostgreSQL. A non-unique SQLite index matches a PostgreSQL one declared either way; a unique
/// one only as declared (uniqueness of `(a)` is not that of `(a, id)`). Messages show it as
/// declared.
fn with_rowid(t: &catalog::Table, i: &catalog::Index) -> catalog::Index {
    let mut i = i.clone();
    if let [pk] = t.primary_key.as_slice()
        && t.columns
            .get(pk)
            .is_some_and(|c| c.declared.eq_ignore_ascii_case("INTEGER"))
        && !i.unique
        && i.columns.last() != Some(pk)
    {
        i.columns.push(pk.clone());
    }
    i
}

/// Every difference, one line each, naming the table and the column or index.
pub fn differences(sqlite: &BTreeMap<String, Table>, postgres: &BTreeMap<String, Table>) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (s, p) = match (sqlite.get(name), postgres.get(name)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                out.push(format!("table {name}: only on SQLite"));
                continue;
            }
            (None, _) => {
                out.push(format!("table {name}: only on PostgreSQL"));
                continue;
            }
        };
        let cols: BTreeSet<&String> = s.columns.keys().chain(p.columns.keys()).collect();
        for col in cols {
            match (s.columns.get(col), p.columns.get(col)) {
                (Some(_), None) => out.push(format!("{name}.{col}: only on SQLite")),
                (None, Some(_)) => out.push(format!("{name}.{col}: only on PostgreSQL")),
                (Some(sc), Some(pc)) => {
                    let (sk, pk) = (sqlite_kind(&sc.declared), postgres_kind(&pc.declared));
                    let same = same_kind(&sk, &pk)
                        && sc.not_null == pc.not_null
                        && default(&sc.default) == default(&pc.default)
                        && sc.generated == pc.generated;
                    if !same {
                        out.push(format!(
                            "{name}.{col}: {} ({}) on SQLite, {} ({}) on PostgreSQL",
                            column(sc, sqlite_kind),
                            sc.declared,
                            column(pc, postgres_kind),
                            pc.declared
                        ));
                    }
                }
                (None, None) => {}
            }
        }
        if s.primary_key != p.primary_key {
            out.push(format!(
                "{name}: primary key ({}) on SQLite, ({}) on PostgreSQL",
                s.primary_key.join(", "),
                p.primary_key.join(", ")
            ));
        }
        let indexes: BTreeSet<&String> = s.indexes.keys().chain(p.indexes.keys()).collect();
        for index in indexes {
            let show = |i: &catalog::Index| {
                format!(
                    "{}({}){}",
                    if i.unique { "UNIQUE " } else { "" },
                    i.columns.join(", "),
                    if i.partial { " WHERE …" } else { "" }
                )
            };
            match (s.indexes.get(index), p.indexes.get(index)) {
                (Some(i), None) => out.push(format!("{name}: index {index} {} only on SQLite", show(i))),
                (None, Some(i)) => out.push(format!("{name}: index {index} {} only on PostgreSQL", show(i))),
                (Some(a), Some(b)) if a != b && with_rowid(s, a) != *b => out.push(format!(
                    "{name}: index {index} is {} on SQLite, {} on PostgreSQL",
                    show(a),
                    show(b)
                )),
                _ => {}
            }
        }
        for fk in &s.foreign_keys {
            if !p.foreign_keys.contains(fk) {
                out.push(format!(
                    "{name}.{}: foreign key {fk:?} only on SQLite",
                    fk.columns.join(", ")
                ));
            }
        }
        for fk in &p.foreign_keys {
            if !s.foreign_keys.contains(fk) {
                out.push(format!(
                    "{name}.{}: foreign key {fk:?} only on PostgreSQL",
                    fk.columns.join(", ")
                ));
            }
        }
    }
    out
}

struct Pair {
    sqlite: Db,
    postgres: Db,
    pg_name: String,
    _dir: tempfile::TempDir,
}

impl Pair {
    /// Both databases, fresh, with every migration applied.
    async fn migrated() -> Pair {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Db::connect(&format!("sqlite://{}", dir.path().join("schema.db").display()))
            .await
            .unwrap();
        sqlite.migrate().await.unwrap();
        let (pg_name, url) = create_pg_database().await;
        let postgres = Db::connect(&url).await.unwrap();
        postgres.migrate().await.unwrap();
        Pair {
            sqlite,
            postgres,
            pg_name,
            _dir: dir,
        }
    }

    async fn differences(&self) -> Vec<String> {
        let s = catalog::describe(&self.sqlite).await.unwrap();
        let p = catalog::describe(&self.postgres).await.unwrap();
        assert!(
            s.contains_key("people") && p.contains_key("people"),
            "the catalogues were read"
        );
        assert!(s["people"].columns.len() > 10 && !p["people"].indexes.is_empty());
        differences(&s, &p)
    }

    async fn finish(self) {
        self.sqlite.close().await;
        self.postgres.close().await;
        if let Ok(admin) = Db::connect(&pg_admin_url()).await {
            let _ = admin.drop_database(&self.pg_name).await;
            admin.close().await;
        }
    }
}

async fn run(db: &Db, sql: &str) {
    let mut tx = db.begin().await.unwrap();
    tx.execute_unchecked(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let pair = Pair::migrated().await;
    let diffs = pair.differences().await;
    pair.finish().await;
    assert!(
        diffs.is_empty(),
        "the two schemas differ after all migrations:\n{}",
        diffs.join("\n")
    );
}

/// The comparison can fail: each kind of drift, made on one side only, is reported by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_drift_is_reported_by_name() {
    let pair = Pair::migrated().await;
    let before = pair.differences().await;
    run(&pair.sqlite, "ALTER TABLE reveal_tickets ADD COLUMN note TEXT").await;
    run(&pair.sqlite, "CREATE INDEX people_birth_idx ON people (birth_date)").await;
    run(&pair.postgres, "ALTER TABLE sessions ALTER COLUMN ip DROP NOT NULL").await;
    run(
        &pair.postgres,
        "ALTER TABLE units ALTER COLUMN code TYPE BYTEA USING convert_to(code, 'UTF8')",
    )
    .await;
    run(
        &pair.postgres,
        "ALTER TABLE import_jobs ALTER COLUMN attempts SET DEFAULT 1",
    )
    .await;
    run(
        &pair.postgres,
        "ALTER TABLE denominators ALTER COLUMN year TYPE DATE USING make_date(year, 1, 1)",
    )
    .await;
    run(
        &pair.postgres,
        "DROP INDEX units_level_idx; CREATE UNIQUE INDEX units_level_idx ON units (level, code)",
    )
    .await;
    run(
        &pair.postgres,
        "CREATE INDEX consents_partial_idx ON consents (person_id) WHERE withdrawn_at IS NULL",
    )
    .await;
    run(
        &pair.sqlite,
        "CREATE INDEX consents_partial_idx ON consents (person_id, given_at) WHERE withdrawn_at IS NULL",
    )
    .await;
    run(
        &pair.postgres,
        "ALTER TABLE reveal_tickets ADD FOREIGN KEY (person_id) REFERENCES people (id)",
    )
    .await;
    run(&pair.postgres, "CREATE TABLE only_here (id BIGINT PRIMARY KEY)").await;
    let diffs: Vec<String> = pair
        .differences()
        .await
        .into_iter()
        .filter(|d| !before.contains(d))
        .collect();
    pair.finish().await;
    let all = diffs.join("\n");
    for expected in [
        "reveal_tickets.note: only on SQLite",
        "people: index people_birth_idx (birth_date) only on SQLite",
        "sessions.ip: text NOT NULL (TEXT) on SQLite, text nullable (text) on PostgreSQL",
        "units.code: text NOT NULL (TEXT) on SQLite, bytes NOT NULL (bytea) on PostgreSQL",
        "import_jobs.attempts: integer NOT NULL DEFAULT 0 (INTEGER) on SQLite, integer NOT NULL DEFAULT 1 (int4) on PostgreSQL",
        "denominators.year: integer NOT NULL (INTEGER) on SQLite, date NOT NULL (date) on PostgreSQL",
        "units: index units_level_idx is (level, code) on SQLite, UNIQUE (level, code) on PostgreSQL",
        "consents: index consents_partial_idx is (person_id, given_at) WHERE … on SQLite, (person_id) WHERE … on PostgreSQL",
        "reveal_tickets.person_id: foreign key",
        "table only_here: only on PostgreSQL",
    ] {
        assert!(
            all.contains(expected),
            "{expected:?} is reported; the report was:\n{all}"
        );
    }
    assert_eq!(diffs.len(), 10, "nothing else differs:\n{all}");
}
