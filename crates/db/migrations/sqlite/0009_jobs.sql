-- One queue for every module's background work (docs/DECISIONS.md, 2026-11-29 "One job queue").
--
-- A job is enqueued inside the transaction of the change that needs it, so it exists exactly when
-- that change committed. A worker claims it (status running, attempts + 1, committed before the
-- work starts: a process that dies mid-run leaves the count), then marks it done or failed with
-- the reason (last_error, a message key with its arguments as JSON). heartbeat_at is refreshed
-- while it runs; a running job whose heartbeat went stale lost its process and is queued again,
-- or failed once max_attempts starts are used up. actor_id is the account whose action enqueued
-- it (NULL: the operator's command line); the job checks that account's current rights again
-- when it runs.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    lane TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    actor_id BIGINT,
    run_after TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    heartbeat_at TEXT,
    finished_at TEXT,
    last_error TEXT
);
-- The next job of a lane, oldest first.
CREATE INDEX jobs_lane_status ON jobs (lane, status, id);
-- Per-kind counts for /metrics.
CREATE INDEX jobs_kind_status ON jobs (kind, status);
-- An older release kept its import work in import_jobs (checking, applying) with the starts of
-- the current stage in import_jobs.attempts. Each unfinished stage becomes a job of its kind. A
-- stage with starts behind it was running when that release stopped: it comes in as running
-- without a heartbeat, so the first start decides as for any job (queued again, or failed when
-- both starts were used). The uploader is the actor of both stages (that release recorded no
-- decider); 0 meant the command line.
INSERT INTO jobs (kind, payload, lane, status, attempts, max_attempts, actor_id, run_after, created_at, started_at)
SELECT
    CASE status WHEN 'checking' THEN 'import.check' ELSE 'import.apply' END,
    '{"import_id":' || id || '}',
    CASE status WHEN 'checking' THEN 'short' ELSE 'long' END,
    CASE WHEN attempts > 0 THEN 'running' ELSE 'queued' END,
    attempts,
    2,
    NULLIF(created_by, 0),
    updated_at,
    updated_at,
    CASE WHEN attempts > 0 THEN updated_at END
FROM import_jobs
WHERE status IN ('checking', 'applying')
ORDER BY id;
-- The queue counts attempts from now on.
UPDATE import_jobs SET attempts = 0 WHERE attempts <> 0;
