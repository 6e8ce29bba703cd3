-- A course may give a certificate of completion (issue 10 §4): its author asks for it, and a
-- learner with a person record who completes every lesson gets one. Such a certificate names the
-- course instead of an attainment, so `attainment_id` becomes nullable and exactly one of the two
-- is set. A course certificate is never an attainment: nothing that counts attainments reads
-- this table.
ALTER TABLE courses ADD COLUMN completion_certificate BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE certificates ALTER COLUMN attainment_id DROP NOT NULL;
ALTER TABLE certificates ADD COLUMN course_id BIGINT REFERENCES courses(id);
ALTER TABLE certificates ADD CONSTRAINT certificates_one_subject
    CHECK ((attainment_id IS NULL) <> (course_id IS NULL));
-- Once per person and course.
CREATE UNIQUE INDEX certificates_course_id_person_id_key ON certificates (course_id, person_id);
