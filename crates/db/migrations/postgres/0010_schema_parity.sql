-- The two schemas agree column by column (tests/it/schema.rs compares them after every migration).
--
-- 1. SQLite's nullable primary keys of `sessions` and `schema_migrations` become NOT NULL there;
--    PostgreSQL's already are.
--
-- 2. A unique violation is reported by constraint name (DbError::Unique). SQLite names it by its
--    columns, `<table>_<columns>_key`, which is also PostgreSQL's default; this one was declared
--    under another name, so the two backends reported the same violation differently.
ALTER TABLE accounts RENAME CONSTRAINT accounts_person_key TO accounts_person_id_key;
