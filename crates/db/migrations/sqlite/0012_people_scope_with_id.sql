-- Nothing to change on SQLite: the index on people (unit_path, name_key) already ends with the
-- rowid, the person's id (see the PostgreSQL migration of the same name).
SELECT 1;
