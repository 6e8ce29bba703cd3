-- Restart safety and bounded error lists of imports (docs/DECISIONS.md, 2026-11-29).
--
-- attempts: how many times a worker started on the job's current stage (check, then apply),
-- counted and committed before the work begins. A job found unfinished at start-up with two
-- attempts already made stopped the server twice and is failed instead of resumed a third time.
ALTER TABLE import_jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
-- unstored_errors: problems found past the first ones kept in import_errors, counted only.
ALTER TABLE import_jobs ADD COLUMN unstored_errors INTEGER NOT NULL DEFAULT 0;
