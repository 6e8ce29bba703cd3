//! Confirmations made on the national platform (VNeID), imported from the officer's export: each
//! row matched by ID number with a person living in the unit's subtree, recorded as an attainment
//! imported from VNeID and audited; every bad row reported with its line.
//!
//! The file is read like the people import's (the process's one reader, the same limits and the
//! same column recognition by header), but the rows are written while the officer waits, in one
//! transaction: a commune's confirmations are a few thousand rows, one insert each, where the
//! people import writes whole households, search rows and consents per row.

use super::attainment::vietnam_date;
use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Principal, act, within};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::import::{self, RowError, vneid};
use hocvuso_core::people::TargetGroup;
use hocvuso_db::attainments::{self as db, Method, NewAttainment, Source};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::imports::existing;
use hocvuso_db::units::{self, Unit};
use serde_json::json;
use std::collections::HashMap;

/// Rows one file may hold. The reader's own limits (those of the people import) allow far more,
/// but these rows are written while the officer waits, within the request's time: 5,000 rows took
/// 4 s on SQLite in a debug build on the 2-core test machine (`tests/it/vneid.rs`,
/// `vneid_timing`), so this many stay well inside the default 60 s. A larger list is split by
/// commune.
pub const MAX_ROWS: usize = 20_000;

/// What an import of confirmations did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VneidReport {
    /// Data rows of the file (below its header).
    pub rows: usize,
    /// Attainments recorded by this import.
    pub imported: usize,
    /// Rows of people already confirmed for that group (by any means): nothing recorded.
    pub already: usize,
    /// The bad rows, by line: the file's own problems and the ID numbers nobody in the unit holds
    /// (the first [`import::MAX_KEPT_ERRORS`] problems of the file).
    pub errors: Vec<RowError>,
    /// Problems past the ones kept.
    pub more_errors: usize,
    /// Lines with at least one problem.
    pub bad_lines: usize,
    /// Notes about rows that were kept (an ID number whose leading zeros were restored).
    pub notes: Vec<RowError>,
}

impl VneidReport {
    /// Every row was bad: nothing was recorded.
    pub fn all_bad(&self) -> bool {
        self.rows > 0 && self.imported == 0 && self.already == 0
    }
}

/// A file that cannot be read as a list of confirmations: its message says why (a limit passed,
/// no header, a required column missing).
fn unreadable(m: Message) -> Error {
    let m = if m.key == "err-file-no-header" {
        Message::new("err-vneid-no-header")
    } else {
        m
    };
    Error::Invalid(vec![FieldError::new("file", m)])
}

/// What a group must reach under the requirements that apply at `unit` this year: the framework
/// and the highest level its rows ask; absent when no table names the group.
async fn required(app: &App, unit: &Unit, year: i32) -> Result<HashMap<&'static str, (String, String)>> {
    let applied = crate::learning::admin::requirements_for(app, Some(&unit.path), year).await?;
    let mut out: HashMap<&'static str, (String, String)> = HashMap::new();
    for r in applied.rows {
        let Some(group) = TargetGroup::parse(&r.target_group) else {
            continue;
        };
        let entry = out
            .entry(group.as_str())
            .or_insert_with(|| (r.framework_id.clone(), r.level.clone()));
        if entry.0 == r.framework_id && higher(&r.level, &entry.1) {
            entry.1 = r.level.clone();
        }
    }
    Ok(out)
}

/// Levels are numbers in the shipped frameworks; compared as text otherwise.
fn higher(a: &str, b: &str) -> bool {
    match (a.parse::<u32>(), b.parse::<u32>()) {
        (Ok(x), Ok(y)) => x > y,
        _ => a > b,
    }
}

/// Imports a file of VNeID confirmations into `unit`'s subtree, once `who` may import people
/// there: every good row whose ID number belongs to a person living in the subtree is recorded
/// (method imported, source VNeID) and audited, in one transaction in which the unit and the
/// people are read again; the rest is reported by line. A person already confirmed for the group
/// is counted, not recorded twice, so the same file imported again records nothing new.
///
/// An ID number held outside the subtree gets the same answer as one nobody holds, so a file
/// cannot tell an officer where people outside their scope are registered.
pub async fn import_vneid(
    app: &App,
    who: &Principal,
    unit: &Unit,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<VneidReport> {
    who.authorize::<act::ImportPeople>(&unit.path)?;
    let now = hocvuso_db::now();
    let today = vietnam_date(now);
    let checked = app
        .reader
        .read(move || import::read_table(&bytes, &vneid::is_vneid_header).and_then(|t| vneid::check_vneid(&t, today)))
        .await?
        .map_err(unreadable)?;
    if checked.total_rows > MAX_ROWS {
        return Err(unreadable(
            Message::new("err-vneid-too-many")
                .arg("rows", checked.total_rows)
                .arg("max", MAX_ROWS),
        ));
    }
    let required = required(app, unit, today.year()).await?;
    let indexes: Vec<Vec<u8>> = checked
        .good
        .iter()
        .map(|r| app.vault.blind_index(&r.personal_id))
        .collect();
    let more_errors = checked.errors.dropped();
    let mut bad_lines = checked.errors.bad_lines();
    let mut errors = checked.errors.into_vec();
    let mut report = VneidReport {
        rows: checked.total_rows,
        notes: checked.notes.into_vec(),
        more_errors,
        ..Default::default()
    };
    let actor = Actor::from(who);
    // A file name may be anything the officer typed, an ID number included: audit entries never
    // hold one in plain text.
    let file: String = hocvuso_core::personal_id::redact_numbers(file_name)
        .chars()
        .take(200)
        .collect();
    let mut tx = app.db.begin().await?;
    let unit = units::get_tx(&mut tx, unit.id).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::ImportPeople>(&unit.path)?;
    // Who holds each number now, locked until the commit: a person moved out of the subtree
    // meanwhile is not confirmed here.
    let holders: HashMap<Vec<u8>, (i64, String)> = existing::existing_for_update(&mut tx, &indexes)
        .await?
        .into_iter()
        .map(|e| (e.pid_index, (e.id, e.unit_path)))
        .collect();
    for (row, index) in checked.good.iter().zip(&indexes) {
        let holder = holders
            .get(index)
            .filter(|(_, path)| within(path, &unit.path) && who.can(hocvuso_core::roles::Action::ImportPeople, path));
        let Some((person_id, unit_path)) = holder else {
            bad_lines += 1;
            if errors.len() < import::MAX_KEPT_ERRORS {
                errors.push(RowError {
                    line: row.line,
                    column: checked.pid_header.clone(),
                    message: Message::new("err-vneid-no-person"),
                });
            } else {
                report.more_errors += 1;
            }
            continue;
        };
        let (framework, default_level) = required.get(row.group.as_str()).cloned().unwrap_or_default();
        let level = row.level.clone().unwrap_or(default_level);
        let recorded = db::record(
            &mut tx,
            &NewAttainment {
                person_id: *person_id,
                unit_path,
                group: row.group,
                framework_id: &framework,
                level: &level,
                attained_on: row.attained_on,
                method: Method::Imported,
                source: Source::Vneid,
                attempt_id: None,
                recorded_by: who.account_id,
                recorded_at: now,
            },
        )
        .await?;
        if recorded.is_none() {
            report.already += 1;
            continue;
        }
        report.imported += 1;
        let event = Event::AttainmentRecorded {
            person_id: *person_id,
            detail: json!({
                "group": row.group.as_str(), "framework": framework, "level": level,
                "method": Method::Imported.as_str(), "source": Source::Vneid.as_str(),
                "attained_on": hocvuso_core::people::format_date(row.attained_on),
                "file": file, "line": row.line,
            }),
        };
        audit::append(&mut tx, &actor, Entry::of(unit_path, &event)).await?;
    }
    if report.imported > 0 {
        tx.commit().await?;
    }
    errors.sort_by_key(|e| e.line);
    report.errors = errors;
    report.bad_lines = bad_lines;
    Ok(report)
}
