-- Writes a client may repeat (a double-clicked submit, a retried request) carry a key; the first
-- use records what it produced, later uses are answered with the same result.
CREATE TABLE idempotency_keys (
    key TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    result TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, key)
);
