-- Learning (issue 9): digital-skills frameworks, the levels each target group must reach, courses →
-- modules → lessons (every edit of a lesson a new version, so progress survives), enrolments and
-- progress per account, and the append-only store of xAPI statements.
--
-- A framework's areas, competences and levels are one JSON document: they are read whole (a page,
-- the API) and replaced whole (a new version of the framework, an administrator's correction). The
-- competences courses and lessons are mapped to are rows, because catalogues filter by them.
CREATE TABLE frameworks (
    id TEXT NOT NULL PRIMARY KEY,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    document TEXT NOT NULL,
    digest TEXT NOT NULL,
    updated_by BIGINT,
    updated_at TEXT NOT NULL
);

CREATE TABLE framework_mappings (
    from_framework TEXT NOT NULL REFERENCES frameworks(id),
    to_framework TEXT NOT NULL REFERENCES frameworks(id),
    document TEXT NOT NULL,
    digest TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (from_framework, to_framework)
);

-- The level each target group must reach in a competence to count as "đạt phổ cập kỹ năng số", per
-- year; the steering committee changes a year's rows without code.
CREATE TABLE learning_requirements (
    year INTEGER NOT NULL,
    target_group TEXT NOT NULL,
    framework_id TEXT NOT NULL REFERENCES frameworks(id),
    competence TEXT NOT NULL,
    level TEXT NOT NULL,
    updated_by BIGINT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, target_group, framework_id, competence)
);

CREATE TABLE courses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL,
    language TEXT NOT NULL,
    groups INTEGER NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    source_note TEXT NOT NULL,
    search_key TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    published_at TEXT,
    CONSTRAINT courses_slug_key UNIQUE (slug)
);

-- A course's title and summary per content language ("vi" always present).
CREATE TABLE course_texts (
    course_id BIGINT NOT NULL REFERENCES courses(id),
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (course_id, lang)
);

CREATE TABLE course_competences (
    course_id BIGINT NOT NULL REFERENCES courses(id),
    framework_id TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (course_id, framework_id, code)
);
CREATE INDEX course_competences_code_idx ON course_competences (framework_id, code);

CREATE TABLE course_modules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id BIGINT NOT NULL REFERENCES courses(id),
    position INTEGER NOT NULL,
    titles TEXT NOT NULL,
    CONSTRAINT course_modules_course_id_position_key UNIQUE (course_id, position)
);

-- `version` is the lesson's published version: learners read it, authors edit the next one. A lesson
-- dropped from its course is retired, not deleted: learners' progress on it stays.
CREATE TABLE lessons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id BIGINT NOT NULL REFERENCES courses(id),
    module_id BIGINT NOT NULL REFERENCES course_modules(id),
    position INTEGER NOT NULL,
    slug TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    level TEXT NOT NULL,
    version INTEGER NOT NULL,
    retired_at TEXT,
    CONSTRAINT lessons_course_id_slug_key UNIQUE (course_id, slug)
);
CREATE INDEX lessons_course_idx ON lessons (course_id, position);

CREATE TABLE lesson_competences (
    lesson_id BIGINT NOT NULL REFERENCES lessons(id),
    framework_id TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (lesson_id, framework_id, code)
);

CREATE TABLE lesson_versions (
    lesson_id BIGINT NOT NULL REFERENCES lessons(id),
    lang TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body_md TEXT NOT NULL,
    checklist TEXT NOT NULL,
    created_by BIGINT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (lesson_id, lang, version)
);

CREATE TABLE enrolments (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    course_id BIGINT NOT NULL REFERENCES courses(id),
    enrolled_at TEXT NOT NULL,
    last_lesson_id BIGINT REFERENCES lessons(id),
    last_seen_at TEXT NOT NULL,
    completed_at TEXT,
    PRIMARY KEY (account_id, course_id)
);
CREATE INDEX enrolments_recent_idx ON enrolments (account_id, last_seen_at);
CREATE INDEX enrolments_course_idx ON enrolments (course_id);

CREATE TABLE lesson_progress (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    lesson_id BIGINT NOT NULL REFERENCES lessons(id),
    course_id BIGINT NOT NULL REFERENCES courses(id),
    opened_at TEXT NOT NULL,
    completed_at TEXT,
    PRIMARY KEY (account_id, lesson_id)
);
CREATE INDEX lesson_progress_course_idx ON lesson_progress (account_id, course_id);

-- xAPI statements, append-only. The columns beside the statement are what counts need: the
-- learner's unit (its path when the event happened) and target groups, the verb, the course, the
-- time; (unit_path, at) makes "per unit subtree and period" one index range.
CREATE TABLE xapi_statements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL,
    at TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    verb TEXT NOT NULL,
    course_id BIGINT NOT NULL,
    lesson_id BIGINT,
    unit_path TEXT NOT NULL,
    groups INTEGER NOT NULL,
    statement TEXT NOT NULL,
    CONSTRAINT xapi_statements_uuid_key UNIQUE (uuid)
);
CREATE INDEX xapi_scope_idx ON xapi_statements (unit_path, at);
CREATE INDEX xapi_account_idx ON xapi_statements (account_id, at);
CREATE TRIGGER xapi_statements_no_update BEFORE UPDATE ON xapi_statements
BEGIN
    SELECT RAISE(ABORT, 'xapi_statements is append-only');
END;
CREATE TRIGGER xapi_statements_no_delete BEFORE DELETE ON xapi_statements
BEGIN
    SELECT RAISE(ABORT, 'xapi_statements is append-only');
END;
