-- Authoring (issue 9): every course belongs to a unit (authors act on the courses of their subtree;
-- the shipped courses belong to the country), and an author's unpublished text of a lesson lives
-- in a draft until a second person publishes it as the lesson's next version.
ALTER TABLE courses ADD COLUMN owner_path TEXT NOT NULL DEFAULT '';
ALTER TABLE courses ADD COLUMN submitted_by BIGINT;
UPDATE courses SET owner_path = COALESCE((SELECT path FROM units WHERE code = 'VN'), '');
CREATE INDEX courses_owner_idx ON courses (owner_path);

-- One draft per lesson and language. `revision` grows with every save: a save names the revision
-- it was made from, so the second of two authors saving at once is told instead of overwriting.
-- `base_version` is the published version the draft started from.
CREATE TABLE lesson_drafts (
    lesson_id BIGINT NOT NULL REFERENCES lessons(id),
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    body_md TEXT NOT NULL,
    checklist TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES accounts(id),
    updated_at TEXT NOT NULL,
    submitted_by BIGINT REFERENCES accounts(id),
    submitted_at TEXT,
    PRIMARY KEY (lesson_id, lang)
);
CREATE INDEX lesson_drafts_state_idx ON lesson_drafts (state);
