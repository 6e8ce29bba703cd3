-- New people are counted by the one function that inserts them (`people::insert_batch`, one
-- upsert per batch) instead of a trigger run per row (PostgreSQL's twin of this migration gives
-- the reason). Moves, merges and removals keep their triggers.
DROP TRIGGER people_counts_insert;
