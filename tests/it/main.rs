//! One integration-test binary (short link times); each module starts the real application.

mod helpers;
mod hostile;

mod access;
mod audio_ranges;
mod audit_write;
mod auth;
mod authoring;
mod authoring_package;
mod backup;
mod browser;
mod course_review;
mod course_revision;
mod frameworks;
mod harness;
mod import_audit;
mod import_limits;
mod imports;
mod jobs;
mod learning;
mod learning_unit_lists;
mod lesson_audio;
mod lesson_media;
mod lesson_speed;
mod migrations;
mod officer;
mod offline;
mod ops;
mod people;
mod process;
mod schema;
mod security;
mod stored;
mod units;
mod walk;
mod walk_accounts;
