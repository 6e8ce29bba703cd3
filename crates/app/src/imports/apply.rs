//! The apply stage: the staged rows of a decided import, frame by frame. Each frame is one
//! transaction holding its people, their audit entries, its refused rows and the import's
//! progress, so a restart resumes after the last committed frame and no change commits without
//! its entry.

use crate::App;
use hocvuso_core::audit::{Event, RefusedIn};
use hocvuso_core::i18n::Message;
use hocvuso_core::import::RowError;
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::imports::existing::{self, Existing};
use hocvuso_db::imports::staged::{self, Staged};
use hocvuso_db::imports::{self, FrameCounts, Job, Status};
use hocvuso_db::people::{self, Placement};
use hocvuso_db::units::{self, Unit};
use hocvuso_db::{DbError, Result};
use std::collections::HashMap;

/// Times a frame is tried again when another transaction registered one of its ID numbers
/// between our lookup and our insert (PostgreSQL; SQLite's single writer cannot race).
const FRAME_RETRIES: usize = 3;

/// Applies the staged rows of import `job_id` from where it stopped, acting as `actor`. Returns
/// when the import is done.
pub(super) async fn apply(app: &App, job_id: i64, actor: &Actor) -> Result<()> {
    let db = &app.db;
    let upload_dir = app.upload_dir.as_path();
    let job = imports::get(db, job_id).await?.ok_or(DbError::NotFound)?;
    if job.status() != Status::Applying {
        return Ok(());
    }
    let scope = units::get(db, job.unit_id).await?.ok_or(DbError::NotFound)?;
    let from = usize::try_from(job.processed_rows).unwrap_or(0);
    let mut reader = match staged::Reader::open(upload_dir, job_id, &app.vault, from) {
        Ok(r) => r,
        // A restore from a backup brings the job back without its staged file: say so, keep
        // whatever whole frames were applied, and ask for the file again.
        Err(staged::StagedError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return imports::mark_failed(db, job_id, &Message::new("err-import-staged-lost")).await;
        }
        Err(e) => return Err(DbError::Invalid(e.to_string())),
    };
    let pid_column = reader.meta.pid_column.clone();
    let mut processed = job.processed_rows;
    // Frames are checkpointed together, not one by one (see `Db::bulk_writes`).
    let _bulk = db.bulk_writes();
    while let Some(staged) = reader.next_frame().map_err(|e| DbError::Invalid(e.to_string()))? {
        if staged.is_empty() {
            continue;
        }
        let frame = Frame {
            job: &job,
            scope_id: scope.id,
            rows: &staged,
            processed,
            pid_column: &pid_column,
        };
        let mut tries = 0;
        loop {
            match frame.apply(app, actor).await {
                Err(FrameError::Raced) if tries < FRAME_RETRIES => tries += 1,
                Err(FrameError::Raced) => {
                    return Err(DbError::Invalid(format!(
                        "import {job_id}: ID numbers kept being registered elsewhere while applying"
                    )));
                }
                Err(FrameError::Db(e)) => return Err(e),
                Ok(()) => break,
            }
        }
        processed += staged.len() as i32;
    }
    let job = imports::get(db, job_id).await?.ok_or(DbError::NotFound)?;
    let mut tx = db.begin().await?;
    imports::mark_done(&mut tx, job_id).await?;
    audit::append(
        &mut tx,
        actor,
        Entry::of(
            &scope.path,
            &Event::PeopleImported {
                job_id,
                file: job.file_name.clone(),
                inserted: job.inserted.into(),
                updated: job.updated.into(),
                unchanged: job.unchanged.into(),
                bad_rows: job.bad_rows.into(),
            },
        ),
    )
    .await?;
    tx.commit().await?;
    staged::remove(upload_dir, job_id);
    Ok(())
}

enum FrameError {
    /// Another transaction registered one of the frame's ID numbers after our lookup: try again.
    Raced,
    Db(DbError),
}

impl From<DbError> for FrameError {
    fn from(e: DbError) -> Self {
        FrameError::Db(e)
    }
}

/// One frame of staged rows and what applying it needs.
struct Frame<'a> {
    job: &'a Job,
    /// The unit the file was imported into; read again inside each frame's transaction.
    scope_id: i64,
    rows: &'a [Staged],
    /// Rows of the job applied before this frame.
    processed: i32,
    pid_column: &'a str,
}

impl Frame<'_> {
    /// Applies the frame in one transaction. What the file was checked against is read again
    /// inside that transaction: whom an ID number belongs to (rows locked on PostgreSQL), so a
    /// person registered or moved outside the importer's scope since the check is refused here;
    /// and the units the rows live and work in, so a row whose village was merged, moved out of
    /// the scope or closed, or whose workplace closed, is refused too. Each refusal is reported
    /// with its line and the person is left as they are.
    async fn apply(&self, app: &App, actor: &Actor) -> std::result::Result<(), FrameError> {
        let vault = &*app.vault;
        let job_id = self.job.id;
        let indexes: Vec<Vec<u8>> = self
            .rows
            .iter()
            .map(|s| vault.blind_index(&s.person.personal_id))
            .collect();
        let mut tx = app.db.begin().await?;
        // Units first, people next: the order merges and moves take their locks in.
        let scope = units::held_tx(&mut tx, self.scope_id).await?.ok_or(DbError::NotFound)?;
        let mut places: HashMap<i64, Option<Unit>> = HashMap::new();
        for id in self
            .rows
            .iter()
            .flat_map(|s| std::iter::once(s.unit_id).chain(s.workplace_id))
        {
            if let std::collections::hash_map::Entry::Vacant(v) = places.entry(id) {
                v.insert(units::held_tx(&mut tx, id).await?);
            }
        }
        let existing = existing::existing_for_update(&mut tx, &indexes).await?;
        let existing: HashMap<Vec<u8>, Existing> = existing.into_iter().map(|e| (e.pid_index.clone(), e)).collect();
        let (mut updated, mut unchanged) = (0i32, 0i32);
        let mut refused: Vec<RowError> = Vec::new();
        let mut refused_pids: Vec<(usize, String, String)> = Vec::new();
        let mut new_people = Vec::new();
        // (person id, line, created?, residence path) of every person this frame creates or changes.
        let mut changed: Vec<(i64, usize, bool, &str)> = Vec::new();
        let mut new_lines = Vec::new();
        for (s, idx) in self.rows.iter().zip(&indexes) {
            let residence = match places.get(&s.unit_id) {
                Some(Some(u)) if scope.active && u.active && u.path.starts_with(&scope.path) => u,
                other => {
                    let name = match other {
                        Some(Some(u)) => u.name.clone(),
                        _ => format!("#{}", s.unit_id),
                    };
                    refused.push(RowError {
                        line: s.line,
                        column: "village".into(),
                        message: Message::new("err-import-residence-gone").arg("value", name),
                    });
                    continue;
                }
            };
            if let Some(w) = s.workplace_id {
                match places.get(&w) {
                    Some(Some(u)) if u.active => {}
                    other => {
                        let name = match other {
                            Some(Some(u)) => u.name.clone(),
                            _ => format!("#{w}"),
                        };
                        refused.push(RowError {
                            line: s.line,
                            column: "workplace".into(),
                            message: Message::new("err-import-workplace-gone").arg("value", name),
                        });
                        continue;
                    }
                }
            }
            if let Some(e) = existing.get(idx)
                && !e.unit_path.starts_with(&scope.path)
            {
                refused.push(RowError {
                    line: s.line,
                    column: self.pid_column.to_string(),
                    message: Message::new("err-import-other-unit"),
                });
                refused_pids.push((
                    s.line,
                    s.person.personal_id.masked(),
                    crate::people::pid_ref(app, &s.person.personal_id),
                ));
                continue;
            }
            let household_id = match &s.person.household {
                Some(code) => Some(people::household_id(&mut tx, residence.id, code).await?),
                None => None,
            };
            let place = Placement {
                residence,
                workplace_id: s.workplace_id,
                household_id,
            };
            match existing.get(idx) {
                None => {
                    new_people.push(people::BatchItem {
                        person: &s.person,
                        residence,
                        workplace_id: s.workplace_id,
                        household_id,
                    });
                    new_lines.push((s.line, residence.path.as_str()));
                }
                Some(e) if same(e, s, &place) => unchanged += 1,
                Some(e) => {
                    match people::update(&mut tx, vault, e.id, &s.person, &place).await {
                        Ok(()) => {}
                        Err(people::PersonError::DuplicateId) => return Err(FrameError::Raced),
                        Err(other) => return Err(person_err(other).into()),
                    }
                    changed.push((e.id, s.line, false, residence.path.as_str()));
                    updated += 1;
                }
            }
        }
        let inserted = new_people.len() as i32;
        let ids = match people::insert_batch(&mut tx, vault, &new_people, Some(self.job.created_by)).await {
            Ok(ids) => ids,
            Err(people::PersonError::DuplicateId) => return Err(FrameError::Raced),
            Err(other) => return Err(person_err(other).into()),
        };
        changed.extend(
            ids.into_iter()
                .zip(new_lines)
                .map(|(id, (line, path))| (id, line, true, path)),
        );
        // Every person created or changed gets an entry of their own, so it shows on their
        // "who looked at or changed my data" page.
        let mut entries: Vec<Entry<'_>> = changed
            .iter()
            .map(|&(person_id, line, created, path)| {
                let line = line as u64;
                let event = if created {
                    Event::PersonImportCreated {
                        person_id,
                        job_id,
                        line,
                    }
                } else {
                    Event::PersonImportUpdated {
                        person_id,
                        job_id,
                        line,
                    }
                };
                Entry::of(path, &event)
            })
            .collect();
        entries.extend(refused_pids.iter().map(|(line, masked, pid_ref)| {
            Entry::of(
                &scope.path,
                &Event::PidRefused {
                    pid_masked: masked.clone(),
                    pid_ref: pid_ref.clone(),
                    at: RefusedIn::ImportApply {
                        job_id,
                        line: *line as u64,
                    },
                },
            )
        }));
        if !entries.is_empty() {
            audit::append_many(&mut tx, actor, entries).await?;
        }
        if !refused.is_empty() {
            imports::append_errors(&mut tx, job_id, &refused).await?;
        }
        let counts = FrameCounts {
            processed_before: self.processed,
            rows: self.rows.len() as i32,
            inserted,
            updated,
            unchanged,
            refused: refused.len() as i32,
        };
        if !imports::record_frame(&mut tx, job_id, &counts).await? {
            return Err(DbError::Invalid(format!("import {job_id} was applied by someone else")).into());
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The staged row says nothing the stored person does not already say.
fn same(e: &Existing, s: &Staged, place: &Placement<'_>) -> bool {
    let p = &s.person;
    e.full_name == p.full_name
        && e.birth_date == p.birth_date
        && e.sex == p.sex
        && e.phone == p.phone
        && e.groups == p.groups
        && e.unit_id == place.residence.id
        && e.workplace_id == place.workplace_id
        && e.household_id == place.household_id
}

fn person_err(e: people::PersonError) -> DbError {
    match e {
        people::PersonError::Db(d) => d,
        other => DbError::Invalid(other.to_string()),
    }
}
