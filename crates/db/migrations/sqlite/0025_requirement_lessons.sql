-- Beside a unit's requirement table of a year, per target group: whether a learner must also have
-- completed the required lessons (a published course for each required cell) before a passed
-- online final records the attainment (issue 10 §3). No row: no (the default). The setting that
-- applies to a learner is the one of the table that gives their required cells.
CREATE TABLE learning_requirement_settings (
    unit_path TEXT NOT NULL,
    year INTEGER NOT NULL,
    target_group TEXT NOT NULL,
    lessons_required BOOLEAN NOT NULL,
    updated_by BIGINT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_path, year, target_group)
);
