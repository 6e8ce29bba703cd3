-- New people are counted by the one function that inserts them (`people::insert_batch`, one
-- upsert per batch, paths in order) instead of a statement trigger: the trigger's transition
-- table copied every inserted row (about 3 s of a 1,000,000-row import, issue 8 §8). Moves,
-- merges and removals keep their triggers.
DROP TRIGGER people_counts_insert ON people;
DROP FUNCTION people_counts_inserted();
