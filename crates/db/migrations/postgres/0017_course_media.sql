-- Images and downloadable files of a course (issue 9). A lesson names one as media/<name>; an
-- image is kept as two JPEGs made from its pixels (full, 1280 px wide, and phone, 480 px), a
-- download as it came (its kind checked by its bytes). A name, once stored, keeps its bytes: a
-- new upload of the same name gets "-2", so a published lesson never shows a picture nobody
-- reviewed with it.
CREATE TABLE course_media (
    course_id BIGINT NOT NULL REFERENCES courses(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    content BYTEA NOT NULL,
    phone BYTEA,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES accounts(id),
    uploaded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (course_id, name)
);
