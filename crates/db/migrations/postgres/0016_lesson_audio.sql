-- The audio version of a lesson (issue 9), per language and lesson version: made with eSpeak NG
-- and compressed to Ogg Opus (a few hundred KB), or uploaded by an author. A new version of the
-- lesson gets its own; learners always hear the text they read.
CREATE TABLE lesson_audio (
    lesson_id BIGINT NOT NULL REFERENCES lessons(id),
    lang TEXT NOT NULL,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    audio BYTEA NOT NULL,
    bytes BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    tools TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lesson_id, lang, version)
);
