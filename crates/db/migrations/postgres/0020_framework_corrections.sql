-- Frameworks corrected by the steering committee, and the levels each target group must reach set
-- per unit (issue 9 §1).
--
-- `corrected_from` is the digest of the shipped document a correction started from (NULL while
-- the framework is as shipped): installing the shipped data again leaves a corrected framework
-- alone. Every version a correction replaced or made is kept in `framework_versions` (0 is the
-- shipped original, then one per correction).
ALTER TABLE frameworks ADD COLUMN corrected_from TEXT;

CREATE TABLE framework_versions (
    framework_id TEXT NOT NULL REFERENCES frameworks(id),
    version_no INTEGER NOT NULL,
    document TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_by BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (framework_id, version_no)
);

-- A table of required levels belongs to a unit: the country's is the national default, a
-- province's replaces it for its learners. The rows already stored are the country's.
ALTER TABLE learning_requirements ADD COLUMN unit_path TEXT NOT NULL DEFAULT '/';
UPDATE learning_requirements SET unit_path = COALESCE((SELECT path FROM units WHERE code = 'VN'), '/');
ALTER TABLE learning_requirements ALTER COLUMN unit_path DROP DEFAULT;
ALTER TABLE learning_requirements DROP CONSTRAINT learning_requirements_pkey;
ALTER TABLE learning_requirements ADD PRIMARY KEY (unit_path, year, target_group, framework_id, competence);
