-- API tokens expire (NULL: 90 days after creation, for tokens issued before this migration).
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;

-- The audit chain becomes keyed (HMAC-SHA256 with a key derived from the secret key, which is not
-- in the database). Entries written before this migration keep their plain SHA-256 links up to
-- `keyed_from - 1`; the first process holding the key seals that boundary with `boundary_mac`
-- (a MAC over the boundary and the last plain hash), so the old entries are covered too from then on.
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT;
ALTER TABLE audit_head ADD COLUMN boundary_mac TEXT;
UPDATE audit_head SET keyed_from = seq + 1;
