-- The two schemas agree column by column (tests/it/schema.rs compares them after every migration).
--
-- 1. SQLite lets a primary key column of an ordinary table hold NULL unless it is declared NOT NULL
--    (a quirk kept for compatibility); PostgreSQL never does. The session key and the migration
--    runner's version are rebuilt NOT NULL with their rows. A row keyed by NULL could never be found
--    by its key, so it is not carried over (none is expected).
CREATE TABLE sessions_new (
    id_digest TEXT NOT NULL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
INSERT INTO sessions_new (id_digest, account_id, csrf_token, created_at, expires_at, last_seen_at, ip, user_agent)
    SELECT id_digest, account_id, csrf_token, created_at, expires_at, last_seen_at, ip, user_agent
    FROM sessions WHERE id_digest IS NOT NULL;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_account_idx ON sessions (account_id);

CREATE TABLE schema_migrations_new (
    version BIGINT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
INSERT INTO schema_migrations_new (version, name, applied_at)
    SELECT version, name, applied_at FROM schema_migrations WHERE version IS NOT NULL;
DROP TABLE schema_migrations;
ALTER TABLE schema_migrations_new RENAME TO schema_migrations;

-- 2. The unique constraint on accounts.person_id is renamed on PostgreSQL only (see there): SQLite
--    names a violation by its columns, accounts_person_id_key, whatever the constraint is called.
