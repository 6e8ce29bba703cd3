-- Question items of the banks (issue 10). An item belongs to a unit (its authors write and review
-- it, as for courses) and to a pool (a Moodle category on import); the whole item — its answer key
-- and its texts per language — is one JSON document (core::assessment::Item), with the columns a
-- test's blueprint draws by (framework, competence, level, difficulty, status) beside it. `code`
-- is unique within the unit: what an export and a re-import match on. `revision` grows with every
-- change, which names the revision it was made from.
CREATE TABLE question_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_path TEXT NOT NULL,
    pool TEXT NOT NULL,
    code TEXT NOT NULL,
    framework_id TEXT NOT NULL,
    competence TEXT NOT NULL,
    level TEXT NOT NULL,
    difficulty TEXT NOT NULL,
    status TEXT NOT NULL,
    document TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_by BIGINT REFERENCES accounts(id),
    updated_at TEXT NOT NULL,
    UNIQUE (owner_path, code)
);
CREATE INDEX question_items_draw_idx ON question_items (framework_id, competence, level, status);
