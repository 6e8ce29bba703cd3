//! The check stage: reads the uploaded file, checks every row, resolves villages and workplaces,
//! refuses ID numbers held outside the importer's subtree (each refusal audited) and stages the
//! good rows sealed on disk. Re-running it is safe: it replaces its own reports.

use crate::App;
use hocvuso_core::audit::{Event, RefusedIn};
use hocvuso_core::crypto::PidVault;
use hocvuso_core::i18n::Message;
use hocvuso_core::import::{self as parse, RowError};
use hocvuso_core::people::PersonInput;
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
    let stored = {
        let (dir, vault) = (upload_dir.to_path_buf(), app.vault.clone());
        blocking(move || imports::read_upload(&dir, job_id, &vault)).await?
    };
    let bytes = match stored {
        Ok(Some(b)) => b,
        Ok(None) | Err(_) => return imports::mark_failed(db, job_id, &Message::new("err-import-upload-lost")).await,
    };
    let mapped = mappings::load(db, job.unit_id).await?;
    // Reading and checking the rows is the costly part (seconds and ~139 MB for a commune's
    // 200,000 rows): one upload at a time in the process, on the blocking pool (crate::reading).
    let read = {
        let mapped = mapped.clone();
        app.reader
            .read_queued(move || read_and_check(&bytes, today, &mapped))
            .await
            .map_err(into_db)?
    };
    let (checked, mut unknowns) = match read {
        Read::Refused(m) => {
            imports::remove_upload(upload_dir, job_id);
            return imports::mark_failed(db, job_id, &m).await;
        }
        // A required column may hide under a header nobody taught us: ask, keep the file.
        Read::NeedsMapping(unknowns) => return imports::needs_mapping(db, job_id, &unknowns).await,
        Read::Checked(checked, unknowns) => (checked, unknowns),
    };
    // Every step over all the rows runs off the async workers too: a one-core server keeps
    // answering while a large list is checked. Only the database lookups stay here.
    let (checked, wanted) = blocking(move || {
        let wanted = Wanted::of(&checked.good);
        (checked, wanted)
    })
    .await?;
    // Resolve villages and workplaces once per distinct value.
    let mut villages: HashMap<String, Option<Unit>> = HashMap::new();
    if unit.level() == Level::Commune {
        for (key, v) in wanted.villages {
            villages.insert(key, units::find_village(db, &unit, &v).await?);
        }
    }
    // Workplaces are looked up in the whole province: people often work outside their commune.
    let province_path = unit.province_path();
    let mut workplaces: HashMap<String, Option<Unit>> = HashMap::new();
    for (key, w) in wanted.workplaces {
        workplaces.insert(key, units::find_organisation(db, &province_path, &w).await?);
    }
    let resolved = {
        let (unit_id, vault) = (unit.id, app.vault.clone());
        blocking(move || resolve(*checked, unit_id, &villages, &workplaces, &vault)).await?
    };
    unknowns.groups = resolved.unknown_groups;
    let notes = resolved.notes;
    let headers = resolved.headers;
    let total = resolved.total_rows;
    // ID numbers already registered to someone outside this unit's subtree cannot be taken over.
    let held = existing::holders(db, &resolved.idx).await?;
    let outside: HashSet<Vec<u8>> = held
        .into_iter()
        .filter(|r| !r.unit_path.starts_with(&unit.path))
        .map(|r| r.pid_index)
        .collect();
    let pid_header = headers.of("personal_id");
    let (good, errors, refused) = {
        let (app, pid_header) = (app.clone(), pid_header.clone());
        let (mut good, mut errors, idx) = (resolved.good, resolved.errors, resolved.idx);
        blocking(move || {
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
                        crate::people::pid_ref(&app, &s.person.personal_id),
                    ));
                    false
                } else {
                    true
                }
            });
            (good, errors, refused)
        })
        .await?
    };
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
    let good_rows = good.len();
    let errors = {
        let (dir, vault) = (upload_dir.to_path_buf(), app.vault.clone());
        let meta = staged::Meta {
            pid_column: pid_header.clone(),
        };
        blocking(move || {
            let mut errors = errors.into_vec();
            errors.sort_by_key(|e| e.line);
            let good: Vec<Staged> = good.into_iter().map(|(_, s)| s).collect();
            staged::write(&dir, job_id, &vault, &meta, &good).map(|()| errors)
        })
        .await?
        .map_err(|e| DbError::Invalid(e.to_string()))?
    };
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
        good_rows,
        bad_rows: bad_lines,
        unstored_errors: unstored,
        unknowns: &unknowns,
    };
    imports::mark_checked(&mut tx, job_id, &checked).await?;
    tx.commit().await?;
    // The upload stays until the officer decides: a mapping chosen now checks it again.
    Ok(())
}

/// What reading and checking the file came to.
enum Read {
    /// The file cannot be read (a limit passed, not a spreadsheet) or checked: the import fails.
    Refused(Message),
    /// A required column is missing while some headers are unknown: the officer maps them.
    NeedsMapping(Unknowns),
    Checked(Box<parse::CheckedPeople>, Unknowns),
}

/// Reads the file and checks every row (CPU and memory: run through the reader's gate).
fn read_and_check(bytes: &[u8], today: Date, mapped: &parse::Mappings) -> Read {
    let table = match parse::read_table(bytes, &|h| mapped.knows(h)) {
        Ok(t) => t,
        Err(m) => return Read::Refused(m),
    };
    let unknowns = Unknowns {
        missing: parse::missing_fields(&table, mapped)
            .into_iter()
            .map(String::from)
            .collect(),
        headers: parse::unknown_headers(&table, mapped),
        groups: Vec::new(),
    };
    if !unknowns.missing.is_empty() && !unknowns.headers.is_empty() {
        return Read::NeedsMapping(unknowns);
    }
    match parse::check_people(&table, today, mapped) {
        Ok(c) => Read::Checked(Box::new(c), unknowns),
        Err(m) => Read::Refused(m),
    }
}

/// The gate's error as storage's: a queued read never waits out its time, so only a read that
/// broke (a panic) comes here.
fn into_db(e: crate::Error) -> DbError {
    match e {
        crate::Error::Db(d) => d,
        other => DbError::Invalid(other.to_string()),
    }
}

/// Runs CPU work over all the rows on the blocking pool.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DbError::Invalid(format!("checking the file stopped: {e}")))
}

/// The distinct villages and workplaces the good rows name (folded key, first spelling).
#[derive(Default)]
struct Wanted {
    villages: Vec<(String, String)>,
    workplaces: Vec<(String, String)>,
}

impl Wanted {
    fn of(good: &[(usize, PersonInput)]) -> Wanted {
        let (mut seen_v, mut seen_w) = (HashSet::new(), HashSet::new());
        let mut wanted = Wanted::default();
        for (_, p) in good {
            if let Some(v) = &p.village {
                let key = text::fold(v);
                if seen_v.insert(key.clone()) {
                    wanted.villages.push((key, v.clone()));
                }
            }
            if let Some(w) = &p.workplace {
                let key = text::fold(w);
                if seen_w.insert(key.clone()) {
                    wanted.workplaces.push((key, w.clone()));
                }
            }
        }
        wanted
    }
}

/// The checked rows with their village and workplace resolved, and the blind index of each good
/// row's ID number (in the order of `good`).
struct Resolved {
    good: Vec<(usize, Staged)>,
    errors: parse::RowErrors,
    notes: parse::RowErrors,
    headers: parse::Headers,
    total_rows: usize,
    unknown_groups: Vec<(String, usize)>,
    idx: Vec<Vec<u8>>,
}

/// Gives each good row its residence (a village found, else the unit) and workplace; a row naming
/// a village or workplace not found is an error of its line.
fn resolve(
    checked: parse::CheckedPeople,
    unit_id: i64,
    villages: &HashMap<String, Option<Unit>>,
    workplaces: &HashMap<String, Option<Unit>>,
    vault: &PidVault,
) -> Resolved {
    let headers = checked.headers;
    let mut errors = checked.errors;
    let mut good: Vec<(usize, Staged)> = Vec::with_capacity(checked.good.len());
    for (line, person) in checked.good {
        let mut residence = unit_id;
        if let Some(v) = &person.village {
            match villages.get(&text::fold(v)).and_then(|u| u.as_ref()) {
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
            match workplaces.get(&text::fold(w)).and_then(|u| u.as_ref()) {
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
    let idx = good
        .iter()
        .map(|(_, s)| vault.blind_index(&s.person.personal_id))
        .collect();
    Resolved {
        good,
        errors,
        notes: checked.notes,
        headers,
        total_rows: checked.total_rows,
        unknown_groups: checked.unknown_groups,
        idx,
    }
}
