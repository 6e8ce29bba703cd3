-- The audit log keyed by SQLite's rowid (issue 8 §8). `id BIGINT PRIMARY KEY` is not a rowid alias:
-- SQLite kept a hidden unique index on `id` beside the table, one more B-tree written per entry.
-- `INTEGER PRIMARY KEY` makes the id the row's own key. The rows are copied as they are (same ids,
-- same text, same hashes), so the chain verifies as before.
--
-- The indexes no longer name `id`: in a rowid table every index entry ends with the rowid, so
-- (unit_path) is ordered as (unit_path, id) was, without storing the id twice. Entries about no
-- person (a list viewed, a search, an import decided) are most of what officers' pages write; the
-- person index leaves them out.
CREATE TABLE audit_log_rowid (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor_label TEXT NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    person_id BIGINT,
    unit_path TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_log_rowid (id, at, actor_id, actor_label, ip, action, object_kind, object_id, person_id,
                             unit_path, detail, prev_hash, hash)
    SELECT id, at, actor_id, actor_label, ip, action, object_kind, object_id, person_id,
           unit_path, detail, prev_hash, hash
    FROM audit_log ORDER BY id;
-- Dropping the table drops its triggers and indexes; SQLite's DROP TABLE fires no DELETE trigger.
DROP TABLE audit_log;
ALTER TABLE audit_log_rowid RENAME TO audit_log;
CREATE INDEX audit_scope_idx ON audit_log (unit_path);
CREATE INDEX audit_person_idx ON audit_log (person_id) WHERE person_id IS NOT NULL;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
