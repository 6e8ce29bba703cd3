//! The check stage: reads the uploaded file, checks every row, resolves villages and workplaces,
//! refuses ID numbers held outside the importer's subtree (each refusal audited) and stages the
//! good rows sealed on disk. Re-running it is safe: it replaces its own reports.

use crate::App;
use hocvuso_core::audit::{Event, RefusedIn};
use hocvuso_core::i18n::Message;
use hocvuso_core::import::{self as parse, RowError};
use hocvuso_core::text;
use hocvuso_core::units::Level;
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::imports::staged::{self, Staged};
use hocvuso_db::imports::{self, Job, Unknowns, existing, mappings};
use hocvuso_db::units::{self, Unit};
use hocvuso_db::{DbError, Result};
use std::collections::{HashMap, HashSet};
use time::Date;

/// Refusals of ID numbers held elsewhere one account may receive from its imports in an hour.
/// A commune's list legitimately names a few dozen people registered elsewhere (moved in, not yet
/// transferred); a file of guessed numbers names far more.
pub const IMPORT_REFUSAL_MAX: i64 = 200;

/// The account that uploaded the file, as the actor of what its background check records.
fn importer(job: &Job) -> Actor {
    Actor {
        account_id: Some(job.created_by),
        label: "import".into(),
        ip: "background".into(),
    }
}

/// Checks the uploaded file of import `job_id` (see the module's description).
pub(super) async fn check(app: &App, job_id: i64, today: Date) -> Result<()> {
    let db = &app.db;
    let upload_dir = app.upload_dir.as_path();
    let job = imports::get(db, job_id).await?.ok_or(DbError::NotFound)?;
    let unit = units::get(db, job.unit_id).await?.ok_or(DbError::NotFound)?;
    let bytes = match imports::read_upload(upload_dir, job_id, &app.vault) {
        Ok(Some(b)) => b,
        Ok(None) | Err(_) => return imports::mark_failed(db, job_id, &Message::new("err-import-upload-lost")).await,
    };
    let mapped = mappings::load(db, job.unit_id).await?;
    // CPU work of seconds on a large or hostile file: off the async workers.
    let read = {
        let mapped = mapped.clone();
        tokio::task::spawn_blocking(move || parse::read_table(&bytes, &|h| mapped.knows(h)))
            .await
            .map_err(|e| DbError::Invalid(format!("reading the file stopped: {e}")))?
    };
    let table = match read {
        Ok(t) => t,
        Err(m) => {
            imports::remove_upload(upload_dir, job_id);
            return imports::mark_failed(db, job_id, &m).await;
        }
    };
    let mut unknowns = Unknowns {
        missing: parse::missing_fields(&table, &mapped)
            .into_iter()
            .map(String::from)
            .collect(),
        headers: parse::unknown_headers(&table, &mapped),
        groups: Vec::new(),
    };
    if !unknowns.missing.is_empty() && !unknowns.headers.is_empty() {
        // A required column may hide under a header nobody taught us: ask, keep the file.
        return imports::needs_mapping(db, job_id, &unknowns).await;
    }
    let checked = match parse::check_people(&table, today, &mapped) {
        Ok(c) => c,
        Err(m) => {
            imports::remove_upload(upload_dir, job_id);
            return imports::mark_failed(db, job_id, &m).await;
        }
    };
    unknowns.groups = checked.unknown_groups;
    let notes = checked.notes;
    let mut errors = checked.errors;
    let headers = checked.headers;
    let total = checked.total_rows;
    // Resolve villages and workplaces once per distinct value.
    let mut villages: HashMap<String, Option<Unit>> = HashMap::new();
    let mut workplaces: HashMap<String, Option<Unit>> = HashMap::new();
    // Workplaces are looked up in the whole province: people often work outside their commune.
    let province_path = unit.province_path();
    let mut good: Vec<(usize, Staged)> = Vec::with_capacity(checked.good.len());
    for (line, person) in checked.good {
        let mut residence = unit.id;
        if let Some(v) = &person.village {
            let key = text::fold(v);
            if !villages.contains_key(&key) {
                let found = if unit.level() == Level::Commune {
                    units::find_village(db, &unit, v).await?
                } else {
                    None
                };
                villages.insert(key.clone(), found);
            }
            match villages.get(&key).and_then(|u| u.as_ref()) {
                Some(u) => residence = u.id,
                None => {
                    errors.push(RowError {
                        line,
                        column: headers.of("village"),
                        message: Message::new("err-import-village").arg("value", v),
                    });
                    continue;
                }
            }
        }
        let mut workplace_id = None;
        if let Some(w) = &person.workplace {
            let key = text::fold(w);
            if !workplaces.contains_key(&key) {
                let found = units::find_organisation(db, &province_path, w).await?;
                workplaces.insert(key.clone(), found);
            }
            match workplaces.get(&key).and_then(|u| u.as_ref()) {
                Some(u) => workplace_id = Some(u.id),
                None => {
                    errors.push(RowError {
                        line,
                        column: headers.of("workplace"),
                        message: Message::new("err-import-workplace").arg("value", w),
                    });
                    continue;
                }
            }
        }
        good.push((
            line,
            Staged {
                line,
                person,
                unit_id: residence,
                workplace_id,
            },
        ));
    }
    // ID numbers already registered to someone outside this unit's subtree cannot be taken over.
    let idx: Vec<Vec<u8>> = good
        .iter()
        .map(|(_, s)| app.vault.blind_index(&s.person.personal_id))
        .collect();
    let held = existing::holders(db, &idx).await?;
    let outside: HashSet<Vec<u8>> = held
        .into_iter()
        .filter(|r| !r.unit_path.starts_with(&unit.path))
        .map(|r| r.pid_index)
        .collect();
    let pid_header = headers.of("personal_id");
    let mut taken = idx.iter().map(|i| outside.contains(i));
    let mut refused: Vec<(usize, String, String)> = Vec::new();
    good.retain(|(line, s)| {
        if taken.next().unwrap_or(false) {
            errors.push(RowError {
                line: *line,
                column: pid_header.clone(),
                message: Message::new("err-import-other-unit"),
            });
            refused.push((
                *line,
                s.person.personal_id.masked(),
                crate::people::pid_ref(app, &s.person.personal_id),
            ));
            false
        } else {
            true
        }
    });
    // Each refusal tells the importer that a number is held somewhere: audited, and limited per
    // account so a file of guessed numbers cannot map who is registered.
    if !refused.is_empty() {
        let earlier = imports::refusals_this_hour(db, job.created_by, job_id).await?;
        if earlier + refused.len() as i64 > IMPORT_REFUSAL_MAX {
            imports::remove_upload(upload_dir, job_id);
            let mut tx = db.begin().await?;
            audit::append(
                &mut tx,
                &importer(&job),
                Entry::of(
                    &unit.path,
                    &Event::PidRefusalsLimited {
                        job_id,
                        refusals: refused.len(),
                        earlier_this_hour: earlier,
                    },
                ),
            )
            .await?;
            tx.commit().await?;
            return imports::mark_failed(
                db,
                job_id,
                &Message::new("err-import-refusals-limit").arg("max", IMPORT_REFUSAL_MAX),
            )
            .await;
        }
    }
    // Only the first problems were kept in memory; the rest were counted.
    let bad_lines = errors.bad_lines();
    let unstored = errors.dropped();
    let mut errors = errors.into_vec();
    errors.sort_by_key(|e| e.line);
    let good: Vec<Staged> = good.into_iter().map(|(_, s)| s).collect();
    let meta = staged::Meta {
        pid_column: pid_header.clone(),
    };
    staged::write(upload_dir, job_id, &app.vault, &meta, &good).map_err(|e| DbError::Invalid(e.to_string()))?;
    let mut tx = db.begin().await?;
    imports::replace_reports(&mut tx, job_id, &errors, &notes).await?;
    if !refused.is_empty() {
        let entries = refused
            .iter()
            .map(|(line, masked, pid_ref)| {
                Entry::of(
                    &unit.path,
                    &Event::PidRefused {
                        pid_masked: masked.clone(),
                        pid_ref: pid_ref.clone(),
                        at: RefusedIn::Import {
                            job_id,
                            line: *line as u64,
                        },
                    },
                )
            })
            .collect();
        audit::append_many(&mut tx, &importer(&job), entries).await?;
    }
    let checked = imports::Checked {
        total_rows: total,
        good_rows: good.len(),
        bad_rows: bad_lines,
        unstored_errors: unstored,
        unknowns: &unknowns,
    };
    imports::mark_checked(&mut tx, job_id, &checked).await?;
    tx.commit().await?;
    // The upload stays until the officer decides: a mapping chosen now checks it again.
    Ok(())
}
