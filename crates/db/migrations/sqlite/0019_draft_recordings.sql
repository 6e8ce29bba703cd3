-- An author's own recording of a lesson (issue 9 §2), part of the draft of that lesson and
-- language: already re-encoded as Ogg Opus at the platform's bitrate. Publishing the draft makes it
-- the new version's lesson_audio (source 'uploaded'), and no machine voice is made for it.
CREATE TABLE lesson_draft_recordings (
    lesson_id BIGINT NOT NULL REFERENCES lessons(id),
    lang TEXT NOT NULL,
    audio BLOB NOT NULL,
    bytes BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    tools TEXT NOT NULL,
    original_format TEXT NOT NULL,
    original_bytes BIGINT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES accounts(id),
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (lesson_id, lang)
);
