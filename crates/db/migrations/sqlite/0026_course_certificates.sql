-- A course may give a certificate of completion (issue 10 §4): its author asks for it, and a
-- learner with a person record who completes every lesson gets one. Such a certificate names the
-- course instead of an attainment, so `attainment_id` becomes nullable and exactly one of the two
-- is set. A course certificate is never an attainment: nothing that counts attainments reads
-- this table.
ALTER TABLE courses ADD COLUMN completion_certificate BOOLEAN NOT NULL DEFAULT FALSE;

-- SQLite cannot drop NOT NULL: the table is rebuilt with the same ids (each is the certificate's
-- bit in the published status list) and the same AUTOINCREMENT counter.
CREATE TABLE certificates_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    attainment_id BIGINT REFERENCES attainments(id),
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
    revoked_by BIGINT REFERENCES accounts(id),
    course_id BIGINT REFERENCES courses(id),
    CONSTRAINT certificates_one_subject CHECK ((attainment_id IS NULL) <> (course_id IS NULL))
);
INSERT INTO certificates_new
    (id, code, attainment_id, person_id, unit_path, holder_name, achievement, criteria, level,
     issued_on, issued_at, issuer_name, revoked_at, revoked_reason, revoked_by)
SELECT id, code, attainment_id, person_id, unit_path, holder_name, achievement, criteria, level,
       issued_on, issued_at, issuer_name, revoked_at, revoked_reason, revoked_by
FROM certificates;
DELETE FROM sqlite_sequence WHERE name = 'certificates_new';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'certificates_new', seq FROM sqlite_sequence WHERE name = 'certificates';
DROP TABLE certificates;
ALTER TABLE certificates_new RENAME TO certificates;
CREATE INDEX certificates_person_idx ON certificates (person_id);
CREATE INDEX certificates_path_idx ON certificates (unit_path);
-- Once per person and course.
CREATE UNIQUE INDEX certificates_course_id_person_id_key ON certificates (course_id, person_id);
