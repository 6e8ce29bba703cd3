-- Tests taken (issue 10). An attempt is one learner's sitting of a test: what it drew (its
-- blueprint and items, each item's document copied as shown, so a later edit of the bank changes
-- no attempt), when it started and must end (the server's clock), and its result once submitted.
-- `public_id` is what URLs carry: random, so an id cannot be guessed; the owner is checked anyway.
CREATE TABLE assessment_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id TEXT NOT NULL UNIQUE,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    person_id BIGINT REFERENCES people(id),
    unit_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    target_group TEXT,
    course_id BIGINT REFERENCES courses(id),
    blueprint TEXT NOT NULL,
    mode TEXT NOT NULL,
    conducted_by BIGINT REFERENCES accounts(id),
    started_at TEXT NOT NULL,
    deadline TEXT,
    submitted_at TEXT,
    result TEXT,
    passed BOOLEAN
);
CREATE INDEX assessment_attempts_account_idx ON assessment_attempts (account_id, kind, started_at);

-- The items of an attempt in the order shown; `response` is the learner's last answer (display
-- positions, JSON), saved as each answer is given.
CREATE TABLE assessment_attempt_items (
    attempt_id BIGINT NOT NULL REFERENCES assessment_attempts(id),
    position INTEGER NOT NULL,
    item_id BIGINT NOT NULL REFERENCES question_items(id),
    cell INTEGER NOT NULL,
    seed BIGINT NOT NULL,
    document TEXT NOT NULL,
    response TEXT,
    answered_at TEXT,
    PRIMARY KEY (attempt_id, position)
);

-- Confirmation of attainment (xác nhận đạt phổ cập kỹ năng số): one per person and target group,
-- recorded when the group's rule is met (an online or in-person final assessment) or imported
-- (VNeID). `unit_path` is where the person lived when it was recorded; counts use where they live now.
CREATE TABLE attainments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES people(id),
    unit_path TEXT NOT NULL,
    target_group TEXT NOT NULL,
    framework_id TEXT NOT NULL,
    level TEXT NOT NULL,
    attained_on TEXT NOT NULL,
    method TEXT NOT NULL,
    source TEXT NOT NULL,
    attempt_id BIGINT REFERENCES assessment_attempts(id),
    recorded_by BIGINT REFERENCES accounts(id),
    recorded_at TEXT NOT NULL,
    UNIQUE (person_id, target_group)
);
CREATE INDEX attainments_path_idx ON attainments (unit_path);

-- A certificate states an attainment as it was when issued (the holder's name then). Its id is
-- its place in the published revocation status list.
CREATE TABLE certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    attainment_id BIGINT NOT NULL REFERENCES attainments(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    unit_path TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    achievement TEXT NOT NULL,
    criteria TEXT NOT NULL,
    level TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issuer_name TEXT NOT NULL,
    revoked_at TEXT,
    revoked_reason TEXT,
    revoked_by BIGINT REFERENCES accounts(id)
);
CREATE INDEX certificates_person_idx ON certificates (person_id);
CREATE INDEX certificates_path_idx ON certificates (unit_path);
