//! What the database itself says it holds, read from its own catalogue (`sqlite_master` and the
//! table pragmas; `pg_catalog`), never from a list kept by hand: a module that adds a table in a
//! migration is covered by backups, content comparisons and the schema comparison test without
//! editing anything here.

use crate::{Backend, Db, DbError, Result, record};
use std::collections::BTreeMap;

/// A table as the database enforces it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    /// Key columns of the primary key, in key order (empty: none).
    pub primary_key: Vec<String>,
    /// Every index but the primary key's, by name. A SQLite UNIQUE constraint has no name of its
    /// own there: it is named as [`DbError::Unique`] reports its violations, `<table>_<cols>_key`.
    pub indexes: BTreeMap<String, Index>,
    /// Sorted, so two catalogues compare regardless of declaration order.
    pub foreign_keys: Vec<ForeignKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The type as declared (SQLite, upper case) or the type's name (PostgreSQL: `int8`, `text`,
    /// `timestamptz`…).
    pub declared: String,
    /// NULL is refused. On SQLite this includes what the database enforces without saying so in
    /// `PRAGMA table_info`: a rowid alias (`INTEGER PRIMARY KEY`) and the primary key of a
    /// `WITHOUT ROWID` table; any other SQLite primary key column accepts NULL unless declared
    /// NOT NULL.
    pub not_null: bool,
    /// The default expression as the database prints it.
    pub default: Option<String>,
    /// Filled in by the database when an insert leaves it out: `AUTOINCREMENT` (SQLite) or an
    /// identity column (PostgreSQL).
    pub generated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// Key columns in order; an expression is `<expr>`.
    pub columns: Vec<String>,
    pub unique: bool,
    /// Has a WHERE clause.
    pub partial: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub table: String,
    pub to: Vec<String>,
    /// `no action`, `cascade`, `restrict`, `set null` or `set default`.
    pub on_delete: String,
}

/// Every table of the database (the migration runner's own included), sorted by name.
pub async fn tables(db: &Db) -> Result<Vec<String>> {
    let rows: Vec<Name> = db
        .fetch_all_raw(match db.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT CAST(c.relname AS TEXT) AS name FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1"
            }
        })
        .await?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

record! {
    struct Name {
        name: String,
    }
}

record! {
    struct ColumnRow {
        tbl: String,
        name: String,
        declared: String,
        not_null: i32,
        dflt: Option<String>,
        pk: i32,
        without_rowid: i32,
        generated: i32,
    }
}

record! {
    struct IndexRow {
        tbl: String,
        name: String,
        origin: String,
        uniq: i32,
        partial: i32,
        seq: i32,
        col: Option<String>,
    }
}

record! {
    struct ForeignKeyRow {
        tbl: String,
        id: String,
        seq: i32,
        target: String,
        col: String,
        to_col: Option<String>,
        on_delete: String,
    }
}

const SQLITE_COLUMNS: &str = "\
SELECT m.name AS tbl, p.name AS name, UPPER(p.type) AS declared, p.\"notnull\" AS not_null,
       p.dflt_value AS dflt, p.pk AS pk, t.wr AS without_rowid,
       CASE WHEN UPPER(m.sql) LIKE '%AUTOINCREMENT%' THEN 1 ELSE 0 END AS generated
FROM sqlite_master m
JOIN pragma_table_info(m.name) p
JOIN pragma_table_list(m.name) t ON t.schema = 'main'
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";

const SQLITE_INDEXES: &str = "\
SELECT m.name AS tbl, l.name AS name, l.origin AS origin, l.\"unique\" AS uniq, l.partial AS partial,
       i.seqno AS seq, i.name AS col
FROM sqlite_master m
JOIN pragma_index_list(m.name) l
JOIN pragma_index_info(l.name) i
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";

const SQLITE_FOREIGN_KEYS: &str = "\
SELECT m.name AS tbl, CAST(f.id AS TEXT) AS id, f.seq AS seq, f.\"table\" AS target, f.\"from\" AS col,
       f.\"to\" AS to_col, LOWER(f.on_delete) AS on_delete
FROM sqlite_master m
JOIN pragma_foreign_key_list(m.name) f
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";

const PG_COLUMNS: &str = "\
SELECT CAST(c.relname AS TEXT) AS tbl, CAST(a.attname AS TEXT) AS name, CAST(t.typname AS TEXT) AS declared,
       CASE WHEN a.attnotnull THEN 1 ELSE 0 END AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS dflt, 0 AS pk, 0 AS without_rowid,
       CASE WHEN a.attidentity <> '' THEN 1 ELSE 0 END AS generated
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped";

const PG_INDEXES: &str = "\
SELECT CAST(c.relname AS TEXT) AS tbl, CAST(i.relname AS TEXT) AS name,
       CASE WHEN x.indisprimary THEN 'pk' ELSE 'c' END AS origin,
       CASE WHEN x.indisunique THEN 1 ELSE 0 END AS uniq,
       CASE WHEN x.indpred IS NULL THEN 0 ELSE 1 END AS partial,
       CAST(k.ord AS INTEGER) AS seq, CAST(a.attname AS TEXT) AS col
FROM pg_index x
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(CAST(x.indkey AS int2[])) WITH ORDINALITY AS k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum AND k.attnum > 0
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND k.ord <= x.indnkeyatts";

const PG_FOREIGN_KEYS: &str = "\
SELECT CAST(c.relname AS TEXT) AS tbl, CAST(con.conname AS TEXT) AS id, CAST(k.ord AS INTEGER) AS seq,
       CAST(f.relname AS TEXT) AS target, CAST(a.attname AS TEXT) AS col, CAST(fa.attname AS TEXT) AS to_col,
       CASE con.confdeltype WHEN 'c' THEN 'cascade' WHEN 'r' THEN 'restrict' WHEN 'n' THEN 'set null'
            WHEN 'd' THEN 'set default' ELSE 'no action' END AS on_delete
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_class f ON f.oid = con.confrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord)
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
JOIN pg_attribute fa ON fa.attrelid = f.oid AND fa.attnum = k.fattnum
WHERE con.contype = 'f' AND n.nspname = current_schema()";

/// Every table with its columns, primary key, indexes and foreign keys.
pub async fn describe(db: &Db) -> Result<BTreeMap<String, Table>> {
    let (columns, indexes, fks) = match db.backend() {
        Backend::Sqlite => (SQLITE_COLUMNS, SQLITE_INDEXES, SQLITE_FOREIGN_KEYS),
        Backend::Postgres => (PG_COLUMNS, PG_INDEXES, PG_FOREIGN_KEYS),
    };
    let mut out: BTreeMap<String, Table> = tables(db).await?.into_iter().map(|t| (t, Table::default())).collect();
    let columns: Vec<ColumnRow> = db.fetch_all_raw(columns).await?;
    let mut keys: BTreeMap<String, Vec<(i32, String)>> = BTreeMap::new();
    for c in &columns {
        if c.pk > 0 {
            keys.entry(c.tbl.clone()).or_default().push((c.pk, c.name.clone()));
        }
    }
    for c in columns {
        let key = keys.get(&c.tbl).map(Vec::as_slice).unwrap_or_default();
        // SQLite enforces NOT NULL on a rowid alias (NULL means "assign the next rowid") and on
        // the key of a WITHOUT ROWID table, but reports neither in `notnull`.
        let rowid_alias = c.pk > 0 && c.without_rowid == 0 && key.len() == 1 && c.declared == "INTEGER";
        let column = Column {
            declared: c.declared,
            not_null: c.not_null != 0 || rowid_alias || (c.pk > 0 && c.without_rowid != 0),
            default: c.dflt,
            generated: match db.backend() {
                Backend::Sqlite => rowid_alias && c.generated != 0,
                Backend::Postgres => c.generated != 0,
            },
        };
        out.get_mut(&c.tbl)
            .ok_or_else(|| DbError::Invalid(format!("{} has columns but is not a table", c.tbl)))?
            .columns
            .insert(c.name, column);
    }
    for (name, mut cols) in keys {
        if let Some(t) = out.get_mut(&name) {
            cols.sort();
            t.primary_key = cols.into_iter().map(|(_, c)| c).collect();
        }
    }

    let mut rows: Vec<IndexRow> = db.fetch_all_raw(indexes).await?;
    rows.sort_by(|a, b| (&a.tbl, &a.name, a.seq).cmp(&(&b.tbl, &b.name, b.seq)));
    for r in rows {
        let Some(t) = out.get_mut(&r.tbl) else {
            continue;
        };
        let col = r.col.unwrap_or_else(|| "<expr>".into());
        match r.origin.as_str() {
            // PostgreSQL's primary key index; SQLite's is the table itself or an automatic index.
            "pk" => {
                if db.backend() == Backend::Postgres && !t.primary_key.contains(&col) {
                    t.primary_key.push(col);
                }
            }
            _ => {
                let index = t.indexes.entry(r.name.clone()).or_insert(Index {
                    columns: Vec::new(),
                    unique: r.uniq != 0,
                    partial: r.partial != 0,
                });
                index.columns.push(col);
            }
        }
    }
    // A SQLite UNIQUE constraint's index is `sqlite_autoindex_<table>_<n>`; it is known by the name
    // under which its violations are reported.
    for (name, t) in out.iter_mut() {
        let auto: Vec<String> = t
            .indexes
            .keys()
            .filter(|k| k.starts_with("sqlite_autoindex_"))
            .cloned()
            .collect();
        for k in auto {
            if let Some(index) = t.indexes.remove(&k) {
                t.indexes.insert(crate::unique_name(name, &index.columns), index);
            }
        }
    }

    let mut rows: Vec<ForeignKeyRow> = db.fetch_all_raw(fks).await?;
    rows.sort_by(|a, b| (&a.tbl, &a.id, a.seq).cmp(&(&b.tbl, &b.id, b.seq)));
    let mut grouped: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for r in rows {
        let fk = grouped.entry((r.tbl, r.id)).or_insert_with(|| ForeignKey {
            columns: Vec::new(),
            table: r.target,
            to: Vec::new(),
            on_delete: r.on_delete,
        });
        fk.columns.push(r.col);
        // SQLite leaves `to` empty for `REFERENCES t` without columns: the target's primary key.
        fk.to.push(r.to_col.unwrap_or_else(|| "<primary key>".into()));
    }
    for ((tbl, _), fk) in grouped {
        if let Some(t) = out.get_mut(&tbl) {
            t.foreign_keys.push(fk);
        }
    }
    for t in out.values_mut() {
        t.foreign_keys.sort();
    }
    Ok(out)
}
