-- Units: the administrative hierarchy and the organisations attached to it.
-- `path` is the materialised chain of ids ("/1/25/300/"): a subtree is a prefix (SQLite compares text bytewise).
CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    name_key BLOB NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id BIGINT REFERENCES units(id),
    path TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    successor_id BIGINT REFERENCES units(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT units_code_key UNIQUE (code)
);
CREATE INDEX units_parent_idx ON units (parent_id, name_key);
CREATE INDEX units_path_idx ON units (path);
CREATE INDEX units_level_idx ON units (level, code);

-- Reorganisation history: every rename, merge, split and move, never rewritten.
CREATE TABLE unit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    event TEXT NOT NULL,
    detail TEXT NOT NULL,
    actor_id BIGINT,
    at TEXT NOT NULL
);
CREATE INDEX unit_events_unit_idx ON unit_events (unit_id, id);

CREATE TABLE denominators (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value BIGINT NOT NULL,
    source TEXT NOT NULL,
    updated_by BIGINT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, year, kind)
);

CREATE TABLE households (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    code TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT households_unit_id_code_key UNIQUE (unit_id, code)
);

-- People. The personal ID number is stored only encrypted (pid_cipher) with a keyed blind index
-- (pid_index) for exact lookup and uniqueness, and its last four digits for masked display.
CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    full_name TEXT NOT NULL,
    name_key BLOB NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    pid_cipher BLOB NOT NULL,
    pid_index BLOB NOT NULL,
    pid_last4 TEXT NOT NULL,
    phone TEXT,
    groups INTEGER NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    workplace_id BIGINT REFERENCES units(id),
    household_id BIGINT REFERENCES households(id),
    created_by BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT people_pid_index_key UNIQUE (pid_index)
);
CREATE INDEX people_scope_idx ON people (unit_path, name_key);
CREATE INDEX people_phone_idx ON people (phone);

-- Word suffixes of folded names ("nguyen van an", "van an", "an"): a prefix scan finds a name
-- typed with or without diacritics, from any word on. WITHOUT ROWID: the primary key b-tree is the
-- table, and holds everything a search needs (the person's sort key included).
CREATE TABLE people_search (
    key TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people(id),
    name_key BLOB NOT NULL,
    PRIMARY KEY (key, unit_path, person_id)
) WITHOUT ROWID;

-- Consent to processing personal data (Nghị định 13/2023/NĐ-CP): how, when, by whom; withdrawable.
CREATE TABLE consents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES people(id),
    method TEXT NOT NULL,
    purpose TEXT NOT NULL,
    recorded_by BIGINT,
    given_at TEXT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_by BIGINT
);
CREATE INDEX consents_person_idx ON consents (person_id);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT REFERENCES people(id),
    display_name TEXT NOT NULL,
    phone TEXT,
    pid_index BLOB,
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    last_login_at TEXT,
    CONSTRAINT accounts_phone_key UNIQUE (phone),
    CONSTRAINT accounts_pid_index_key UNIQUE (pid_index),
    CONSTRAINT accounts_person_key UNIQUE (person_id)
);

-- Every role but learner is held on a unit subtree.
CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    granted_by BIGINT,
    granted_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by BIGINT
);
CREATE INDEX role_grants_account_idx ON role_grants (account_id);

-- Server-side sessions; the cookie carries a token, the table only its SHA-256.
CREATE TABLE sessions (
    id_digest TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_account_idx ON sessions (account_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT,
    CONSTRAINT api_tokens_digest_key UNIQUE (digest)
);

-- Append-only, hash-chained audit log. `audit_head` serialises appends: the UPDATE that takes the
-- next sequence number also locks the row until the appending transaction ends.
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
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
CREATE INDEX audit_scope_idx ON audit_log (unit_path, id);
CREATE INDEX audit_person_idx ON audit_log (person_id, id);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, 'genesis');
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Background imports: the checked rows are staged so that a restart resumes the job.
CREATE TABLE import_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    created_by BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    status TEXT NOT NULL,
    total_rows INTEGER NOT NULL DEFAULT 0,
    good_rows INTEGER NOT NULL DEFAULT 0,
    bad_rows INTEGER NOT NULL DEFAULT 0,
    processed_rows INTEGER NOT NULL DEFAULT 0,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE import_rows (
    job_id BIGINT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    line INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE TABLE import_errors (
    job_id BIGINT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    line INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
