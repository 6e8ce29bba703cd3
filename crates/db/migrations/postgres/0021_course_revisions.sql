-- A package that changes the shape of a published course (lessons added, removed or moved, the
-- course's or a lesson's own fields, practice steps) waits here, whole, for a second person
-- (issue 9): learners keep reading the published course until it is published as one. One per
-- course; the package's media files are stored with the course when it is uploaded.
CREATE TABLE course_revisions (
    course_id BIGINT NOT NULL PRIMARY KEY REFERENCES courses(id),
    package BYTEA NOT NULL,
    digest TEXT NOT NULL,
    submitted_by BIGINT NOT NULL REFERENCES accounts(id),
    submitted_at TIMESTAMPTZ NOT NULL
);
