-- A video a lesson links to, with its transcript (issue 9), per language and version like the
-- lesson's text: JSON {url, title, transcript}, or '' for none. Drafts carry theirs.
ALTER TABLE lesson_versions ADD COLUMN video TEXT NOT NULL DEFAULT '';
ALTER TABLE lesson_drafts ADD COLUMN video TEXT NOT NULL DEFAULT '';
