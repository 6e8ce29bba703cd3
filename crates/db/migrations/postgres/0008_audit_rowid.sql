-- The audit log's write path (issue 8 §8). PostgreSQL has no rowid to key the table by (its heap
-- is unordered and the primary key is an index either way); what changes here is the person
-- index: entries about no person (a list viewed, a search, an import decided) are most of what
-- officers' pages write, and the index leaves them out. The rows are not touched, so the chain
-- verifies as before. SQLite's side of this migration also makes `id` its rowid.
DROP INDEX audit_person_idx;
CREATE INDEX audit_person_idx ON audit_log (person_id, id) WHERE person_id IS NOT NULL;
