-- The pictures of question items (issue 10 §1: scenario items built around a picture). An
-- author's upload or an imported question's embedded image is checked by its bytes and kept as
-- the two JPEGs a lesson picture is (full, 1280 px wide, and phone, 480 px). The name is made
-- from the upload's SHA-256 and the picture's size, so the same picture is stored once whatever
-- bank uses it, and a name never changes its bytes: an attempt's copy of an item keeps showing
-- the picture its learner saw. Rows are never removed.
CREATE TABLE bank_pictures (
    name TEXT NOT NULL PRIMARY KEY,
    content BLOB NOT NULL,
    phone BLOB NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES accounts(id),
    uploaded_at TEXT NOT NULL
);
