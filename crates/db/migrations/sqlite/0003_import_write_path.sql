-- The write path of a large import (docs/PERFORMANCE.md, docs/DECISIONS.md).
--
-- 1. Checked import rows wait in a sealed file beside the upload (imports/staged.rs), not in a
--    table: a million-row import no longer inserts, reads and deletes a million staging rows.
DROP TABLE import_rows;

-- 2. Search rows are filed by place: the commune a person lives in (or the province, for the
--    few registered directly at one). People arrive and are worked on commune by commune, so an
--    import writes into a few neighbouring pages instead of one random page per row, and a
--    province search seeks one place per commune (people::search_keyed). `unit_path` narrows a
--    search to a village. The phone number is one more search row ('tel:0912345678'),
--    replacing an index of its own that took a random page per person. The rows are derived
--    from `people`, written and removed only with it (people.rs) in the same transaction, and
--    carry no foreign key: its check per row doubled the cost of a row on PostgreSQL.
CREATE TABLE people_search_by_place (
    place TEXT NOT NULL,
    key TEXT NOT NULL,
    person_id BIGINT NOT NULL,
    unit_path TEXT NOT NULL,
    name_key BLOB NOT NULL,
    PRIMARY KEY (place, key, person_id)
) WITHOUT ROWID;
-- A village's place is its commune (villages sit directly under communes); any other residence
-- is its own place.
INSERT INTO people_search_by_place (place, key, person_id, unit_path, name_key)
    SELECT CASE WHEN u.level = 'village' THEN c.path ELSE u.path END, s.key, s.person_id, s.unit_path, s.name_key
    FROM people_search s
    JOIN people p ON p.id = s.person_id
    JOIN units u ON u.id = p.unit_id
    LEFT JOIN units c ON c.id = u.parent_id;
INSERT OR IGNORE INTO people_search_by_place (place, key, person_id, unit_path, name_key)
    SELECT CASE WHEN u.level = 'village' THEN c.path ELSE u.path END, 'tel:' || p.phone, p.id, p.unit_path, p.name_key
    FROM people p
    JOIN units u ON u.id = p.unit_id
    LEFT JOIN units c ON c.id = u.parent_id
    WHERE p.phone IS NOT NULL;
DROP TABLE people_search;
ALTER TABLE people_search_by_place RENAME TO people_search;
DROP INDEX people_phone_idx;
