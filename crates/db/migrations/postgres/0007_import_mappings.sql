-- What an officer told the platform once about a commune's files: a header that names a field,
-- a value that names a target group. Remembered for the commune's next file.
CREATE TABLE import_mappings (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL CHECK (kind IN ('column', 'group')),
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    updated_by BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (unit_id, kind, source)
);
-- What the check of a job found unknown (headers, group values), as JSON, for the mapping form.
ALTER TABLE import_jobs ADD COLUMN unknowns TEXT;
-- A row note (a restored leading zero, a skipped total row) is kept beside the row errors.
ALTER TABLE import_errors ADD COLUMN kind TEXT NOT NULL DEFAULT 'error';
