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
    created_at TEXT NOT NULL,
    PRIMARY KEY (framework_id, version_no)
);

-- A table of required levels belongs to a unit: the country's is the national default, a
-- province's replaces it for its learners. The rows already stored are the country's.
CREATE TABLE learning_requirements_new (
    year INTEGER NOT NULL,
    target_group TEXT NOT NULL,
    framework_id TEXT NOT NULL REFERENCES frameworks(id),
    competence TEXT NOT NULL,
    level TEXT NOT NULL,
    updated_by BIGINT,
    updated_at TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    PRIMARY KEY (unit_path, year, target_group, framework_id, competence)
);
INSERT INTO learning_requirements_new
    (year, target_group, framework_id, competence, level, updated_by, updated_at, unit_path)
SELECT year, target_group, framework_id, competence, level, updated_by, updated_at,
       COALESCE((SELECT path FROM units WHERE code = 'VN'), '/')
FROM learning_requirements;
DROP TABLE learning_requirements;
ALTER TABLE learning_requirements_new RENAME TO learning_requirements;
