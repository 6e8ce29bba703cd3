-- The write path of a large import (docs/PERFORMANCE.md).
--
-- 1. Checked import rows wait in a sealed file beside the upload (imports/staged.rs), not in a
--    table: a million-row import no longer inserts, reads and deletes a million staging rows.
DROP TABLE import_rows;

-- 2. Search rows are clustered by place: people arrive and are worked on commune by commune, so
--    an import writes into a few neighbouring pages instead of one random page per row. A search
--    seeks each unit of its scope (see people::candidates). The phone number is one more search
--    row ("tel:0912345678"), replacing a separate index that took a random page per person.
--    The rows are derived from `people` and written and removed only with it (people.rs), in the
--    same transaction; they carry no foreign key, whose check per row doubled the cost of a row.
CREATE TABLE people_search_by_place (
    unit_path TEXT NOT NULL,
    key TEXT NOT NULL,
    person_id BIGINT NOT NULL,
    name_key BLOB NOT NULL,
    PRIMARY KEY (unit_path, key, person_id)
) WITHOUT ROWID;
INSERT INTO people_search_by_place (unit_path, key, person_id, name_key)
    SELECT unit_path, key, person_id, name_key FROM people_search;
INSERT OR IGNORE INTO people_search_by_place (unit_path, key, person_id, name_key)
    SELECT unit_path, 'tel:' || phone, id, name_key FROM people WHERE phone IS NOT NULL;
DROP TABLE people_search;
ALTER TABLE people_search_by_place RENAME TO people_search;
DROP INDEX people_phone_idx;
