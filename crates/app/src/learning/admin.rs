//! The steering committee's side of the frameworks (issue 9 §1): correcting a framework's words
//! (a new stored version each time, the shipped original kept, the shipped data never installed
//! over a correction) and the table of levels each target group must reach, set per province (or
//! for the country) and year. [`requirements_for`] is the one place that decides which table
//! applies to a learner.

use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Principal, act};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::correction::{Change, FieldProblem, requirement_cells};
use hocvuso_core::learning::lessons_rule::{self, Cell};
use hocvuso_core::learning::{self as core};
use hocvuso_core::people::TargetGroup;
use hocvuso_core::units::{COUNTRY_CODE, Level};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::learning as db;
use hocvuso_db::units::{self, Unit};
use serde_json::json;

fn stored_doc(id: &str, document: &str) -> Result<core::Framework> {
    serde_json::from_str(document).map_err(|e| {
        Error::Db(hocvuso_db::DbError::Invalid(format!(
            "frameworks.document of {id}: {e}"
        )))
    })
}

fn problems(ps: Vec<FieldProblem>) -> Error {
    Error::Invalid(ps.into_iter().map(|p| FieldError::new(&p.field, p.message)).collect())
}

/// The country's unit: frameworks are national, and its requirement table is the national one.
pub async fn country(app: &App) -> Result<Unit> {
    units::by_code(&app.db, COUNTRY_CODE).await?.ok_or(Error::NotFound)
}

// ---- frameworks -------------------------------------------------------------------------------

#[derive(Debug, Clone, serde::Serialize)]
pub struct FrameworkSummary {
    pub id: String,
    pub version: String,
    pub title: String,
    pub source_note: String,
    /// Corrected on this platform by the steering committee (not as shipped).
    pub corrected: bool,
}

/// Every stored framework, as the list page shows it.
pub async fn framework_list(app: &App) -> Result<Vec<FrameworkSummary>> {
    db::frameworks(&app.db)
        .await?
        .into_iter()
        .map(|r| {
            let f = stored_doc(&r.id, &r.document)?;
            Ok(FrameworkSummary {
                id: r.id,
                version: r.version,
                title: f.title,
                source_note: f.source_note,
                corrected: r.corrected_from.is_some(),
            })
        })
        .collect()
}

/// A framework as stored now, with the digest a correction form carries.
#[derive(Debug, Clone)]
pub struct StoredFramework {
    pub framework: core::Framework,
    pub digest: String,
    pub corrected: bool,
    /// Versions kept (0 while uncorrected: the shipped original plus one per correction).
    pub versions: usize,
}

pub async fn stored_framework(app: &App, id: &str) -> Result<StoredFramework> {
    let row = db::framework(&app.db, id).await?.ok_or(Error::NotFound)?;
    let versions = db::framework_versions(&app.db, id).await?.len();
    Ok(StoredFramework {
        framework: stored_doc(&row.id, &row.document)?,
        digest: row.digest,
        corrected: row.corrected_from.is_some(),
        versions,
    })
}

/// May the principal correct frameworks (the steering committee at the country's level)?
pub async fn may_correct_frameworks(app: &App, who: &Principal) -> Result<bool> {
    let c = country(app).await?;
    Ok(who.authorize::<act::ManageFrameworks>(&c.path).is_ok())
}

/// Corrects the texts of a framework. `from` is the digest of the version the form showed: if
/// another correction was stored since, nothing is stored and the answer is a conflict (the other
/// correction stays). Returns what changed (nothing stored when nothing did).
pub async fn correct_framework(
    app: &App,
    who: &Principal,
    id: &str,
    from: &str,
    edits: &[(String, String)],
) -> Result<Vec<Change>> {
    let c = country(app).await?;
    who.authorize::<act::ManageFrameworks>(&c.path)?;
    let stale = || {
        Error::Conflict(FieldError::new(
            "digest",
            Message::new("err-framework-stale").arg("framework", id),
        ))
    };
    let mut tx = app.db.begin().await?;
    let country = units::get_tx(&mut tx, c.id).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::ManageFrameworks>(&country.path)?;
    let row = db::framework_tx(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if row.digest != from {
        return Err(stale());
    }
    let current = stored_doc(&row.id, &row.document)?;
    let (corrected, changes) = current.corrected(edits).map_err(problems)?;
    if changes.is_empty() {
        return Ok(changes);
    }
    let document =
        serde_json::to_string(&corrected).map_err(|e| Error::Db(hocvuso_db::DbError::Invalid(e.to_string())))?;
    let digest = format!("corrected:{}", hocvuso_core::crypto::sha256_hex(&[document.as_bytes()]));
    let mut versions = db::framework_versions_tx(&mut tx, id).await?;
    if versions.is_empty() {
        // The first correction keeps the document as shipped as version 0.
        db::add_framework_version(&mut tx, id, 0, &row.document, &row.digest, None).await?;
        versions = db::framework_versions_tx(&mut tx, id).await?;
    }
    let original = versions
        .first()
        .map(|v| v.digest.clone())
        .unwrap_or_else(|| row.digest.clone());
    let version_no = versions.iter().map(|v| v.version_no).max().unwrap_or(0) + 1;
    let stored = db::correct_framework(
        &mut tx,
        &db::Correction {
            id,
            from,
            title: &corrected.title,
            document: &document,
            digest: &digest,
            original: &original,
        },
        who.account_id,
    )
    .await?;
    if !stored {
        return Err(stale());
    }
    db::add_framework_version(&mut tx, id, version_no, &document, &digest, who.account_id).await?;
    let event = Event::FrameworkCorrected {
        framework_id: id.to_string(),
        detail: json!({
            "from": from,
            "to": digest,
            "version": version_no,
            "changes": changes,
        }),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&country.path, &event)).await?;
    tx.commit().await?;
    Ok(changes)
}

// ---- requirements -----------------------------------------------------------------------------

/// Where the table that applies comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum RequirementSource {
    /// A unit's table (the country's or a province's) of that year.
    Unit { unit_path: String, year: i32 },
    /// No table stored for the unit's ancestors up to that year: the shipped national data.
    Shipped,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AppliedRequirements {
    pub source: RequirementSource,
    pub rows: Vec<db::Requirement>,
}

/// The paths from the root down to `path`: "/1/25/300/" → "/1/", "/1/25/", "/1/25/300/".
pub(crate) fn ancestor_paths(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut acc = String::from("/");
    for part in path.split('/').filter(|s| !s.is_empty()) {
        acc.push_str(part);
        acc.push('/');
        out.push(acc.clone());
    }
    out
}

/// The table that applies at the unit at `unit_path` (a learner's home, or none: the country's)
/// in `year`: of the unit and its ancestors, the nearest with a table of `year` or before, that
/// table's latest year; else the shipped national data. Every reader of requirements goes
/// through here ("what I must learn", the catalogue, the unit's page).
pub async fn requirements_for(app: &App, unit_path: Option<&str>, year: i32) -> Result<AppliedRequirements> {
    let path = match unit_path {
        Some(p) => p.to_string(),
        None => country(app).await?.path,
    };
    let tables = db::requirement_tables(&app.db, &ancestor_paths(&path), year).await?;
    if let Some(t) = tables.into_iter().max_by_key(|t| t.unit_path.len()) {
        let rows = db::requirements_of(&app.db, &t.unit_path, t.year).await?;
        return Ok(AppliedRequirements {
            source: RequirementSource::Unit {
                unit_path: t.unit_path,
                year: t.year,
            },
            rows,
        });
    }
    Ok(AppliedRequirements {
        source: RequirementSource::Shipped,
        rows: super::install::shipped_requirement_rows(year)?,
    })
}

/// The competences (framework, code) the signed-in learner's target groups must reach this year,
/// from the table that applies where they live ([`requirements_for`]); none for an account that
/// is not a resident's. The catalogue marks the courses that teach them.
pub async fn my_required_competences(app: &App, who: &Principal) -> Result<Vec<(String, String)>> {
    let Some(pid) = who.person_id else {
        return Ok(Vec::new());
    };
    let Some(home) = hocvuso_db::people::whereabouts(&app.db, pid).await? else {
        return Ok(Vec::new());
    };
    let year = hocvuso_db::now().year();
    let applied = requirements_for(app, Some(&home.unit_path), year).await?;
    Ok(applied
        .rows
        .into_iter()
        .filter(|r| hocvuso_core::people::TargetGroup::parse(&r.target_group).is_some_and(|g| home.groups.contains(g)))
        .map(|r| (r.framework_id, r.competence))
        .collect())
}

/// A unit's requirements page: the table that applies there in `year`, whether it is the unit's
/// own, and the years the unit has tables for.
#[derive(Debug, Clone)]
pub struct UnitRequirements {
    pub applied: AppliedRequirements,
    /// The unit has its own table for exactly this year.
    pub own: bool,
    pub years: Vec<i32>,
    pub frameworks: Vec<core::Framework>,
    /// The unit is one that sets tables (the country or a province) and the principal may.
    pub can_edit: bool,
    /// The unit sets tables (the country or a province).
    pub sets_tables: bool,
    /// Per group, "required lessons" as the table shown says (no stored table: no).
    pub lessons: Vec<(TargetGroup, bool)>,
    /// Per group, the cells of the table shown that no published course for the group teaches
    /// at their level: they cannot be demanded as lessons and count as met.
    pub no_course: Vec<(TargetGroup, Vec<Cell>)>,
}

/// The name of a group's "required lessons" field in the requirements form.
pub fn lessons_field(group: TargetGroup) -> String {
    format!("{LESSONS_FIELD}{}", group.as_str())
}

const LESSONS_FIELD: &str = "lessons-";

/// The "required lessons" fields of a form (`lessons-<group>` = `yes` / `no`); the others are the
/// table's cells. Every bad field is named.
/// A form's fields, name → value.
type Fields = Vec<(String, String)>;

fn lessons_settings(fields: &[(String, String)]) -> Result<(Vec<db::LessonsSetting>, Fields)> {
    let mut settings: Vec<db::LessonsSetting> = Vec::new();
    let mut cells = Vec::new();
    let mut bad = Vec::new();
    for (name, value) in fields {
        let Some(g) = name.strip_prefix(LESSONS_FIELD) else {
            cells.push((name.clone(), value.clone()));
            continue;
        };
        let Some(group) = TargetGroup::parse(g).filter(|x| x.as_str() == g) else {
            bad.push(FieldError::new(
                name,
                Message::new("err-requirements-group-unknown").arg("group", g),
            ));
            continue;
        };
        let on = match value.trim() {
            "yes" => true,
            "no" | "" => false,
            other => {
                bad.push(FieldError::new(
                    name,
                    Message::new("err-requirements-lessons-value").arg("value", other),
                ));
                continue;
            }
        };
        if settings.iter().any(|s| s.target_group == group.as_str()) {
            bad.push(FieldError::new(
                name,
                Message::new("err-requirements-lessons-twice").arg("group", g),
            ));
            continue;
        }
        settings.push(db::LessonsSetting {
            target_group: group.as_str().to_string(),
            lessons_required: on,
        });
    }
    if bad.is_empty() {
        Ok((settings, cells))
    } else {
        Err(Error::Invalid(bad))
    }
}

fn sets_tables(unit: &Unit) -> bool {
    matches!(unit.level, Level::Country | Level::Province)
}

pub async fn unit_requirements(app: &App, who: &Principal, unit: &Unit, year: i32) -> Result<UnitRequirements> {
    who.authorize::<act::ViewLearning>(&unit.path)?;
    let applied = requirements_for(app, Some(&unit.path), year).await?;
    let own = applied.source
        == RequirementSource::Unit {
            unit_path: unit.path.clone(),
            year,
        };
    let lessons = match &applied.source {
        RequirementSource::Unit { unit_path, year } => {
            db::lessons_settings_via(&mut db::Via::Db(&app.db), unit_path, *year).await?
        }
        RequirementSource::Shipped => Vec::new(),
    };
    let lessons = TargetGroup::ALL
        .into_iter()
        .map(|g| {
            let on = lessons
                .iter()
                .any(|s| s.target_group == g.as_str() && s.lessons_required);
            (g, on)
        })
        .collect();
    let courses = db::courses(&app.db).await?;
    let links = db::course_competences(&app.db).await?;
    let facts = crate::assessment::lessons::facts(&courses, &links);
    let orders = crate::assessment::lessons::level_orders(app).await?;
    let no_course = TargetGroup::ALL
        .into_iter()
        .map(|g| {
            let cells = crate::assessment::lessons::cells_of(&applied.rows, g);
            let missing: Vec<Cell> = lessons_rule::standings(
                &cells,
                g,
                |f| crate::assessment::lessons::levels_of(&orders, f),
                &facts,
                &[],
            )
            .into_iter()
            .filter(|(_, s)| *s == lessons_rule::Standing::NoCourse)
            .map(|(c, _)| c)
            .collect();
            (g, missing)
        })
        .filter(|(_, m)| !m.is_empty())
        .collect();
    Ok(UnitRequirements {
        lessons,
        no_course,
        own,
        applied,
        years: db::requirement_years(&app.db, &unit.path).await?,
        frameworks: super::frameworks(app).await?,
        can_edit: sets_tables(unit) && who.authorize::<act::SetRequirements>(&unit.path).is_ok(),
        sets_tables: sets_tables(unit),
    })
}

fn row_key(r: &db::Requirement) -> (String, String, String) {
    (r.target_group.clone(), r.framework_id.clone(), r.competence.clone())
}

/// Sets the unit's table for `year` from a form's cells (`<group>:<framework>:<competence>` →
/// level, empty for not required). Every bad cell is reported with its name; nothing is stored
/// unless all are good. Only the country and provinces have tables.
pub async fn set_unit_requirements(
    app: &App,
    who: &Principal,
    unit: &Unit,
    year: i32,
    cells: &[(String, String)],
) -> Result<()> {
    who.authorize::<act::SetRequirements>(&unit.path)?;
    if !sets_tables(unit) {
        return Err(Error::Invalid(vec![FieldError::new(
            "",
            Message::new("err-requirements-unit-level"),
        )]));
    }
    let (settings, cells) = lessons_settings(cells)?;
    let mut tx = app.db.begin().await?;
    let unit = units::get_tx(&mut tx, unit.id).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::SetRequirements>(&unit.path)?;
    // The codes are checked against the frameworks as stored when the table is written.
    let frameworks = db::frameworks_tx(&mut tx)
        .await?
        .iter()
        .map(|r| stored_doc(&r.id, &r.document))
        .collect::<Result<Vec<_>>>()?;
    let cells = requirement_cells(&cells, &frameworks).map_err(problems)?;
    if cells.is_empty() {
        return Err(Error::Invalid(vec![FieldError::new(
            "",
            Message::new("err-requirements-empty"),
        )]));
    }
    let rows: Vec<db::Requirement> = cells
        .iter()
        .map(|c| db::Requirement {
            year,
            target_group: c.group.as_str().to_string(),
            framework_id: c.framework.clone(),
            competence: c.competence.clone(),
            level: c.level.clone(),
        })
        .collect();
    let before = db::requirements_of_tx(&mut tx, &unit.path, year).await?;
    db::set_requirements(&mut tx, &unit.path, year, &rows, who.account_id).await?;
    let lessons_before = db::lessons_settings_via(&mut db::Via::Tx(&mut tx), &unit.path, year).await?;
    db::set_lessons_settings(&mut tx, &unit.path, year, &settings, who.account_id).await?;
    let on = |list: &[db::LessonsSetting], g: &str| list.iter().any(|s| s.target_group == g && s.lessons_required);
    let lessons_changed: Vec<_> = TargetGroup::ALL
        .into_iter()
        .map(|g| g.as_str())
        .filter(|g| on(&lessons_before, g) != on(&settings, g))
        .map(|g| json!({"group": g, "from": on(&lessons_before, g), "to": on(&settings, g)}))
        .collect();
    let cell = |r: &db::Requirement| json!({"group": r.target_group, "framework": r.framework_id, "competence": r.competence, "level": r.level});
    let added: Vec<_> = rows
        .iter()
        .filter(|r| !before.iter().any(|b| row_key(b) == row_key(r)))
        .map(cell)
        .collect();
    let changed: Vec<_> = rows
        .iter()
        .filter_map(|r| {
            before
                .iter()
                .find(|b| row_key(b) == row_key(r) && b.level != r.level)
                .map(|b| json!({"group": r.target_group, "framework": r.framework_id, "competence": r.competence, "from": b.level, "to": r.level}))
        })
        .collect();
    let removed: Vec<_> = before
        .iter()
        .filter(|b| !rows.iter().any(|r| row_key(b) == row_key(r)))
        .map(cell)
        .collect();
    let event = Event::RequirementsSet {
        unit_code: unit.code.clone(),
        year,
        detail: json!({"rows": rows.len(), "added": added, "changed": changed, "removed": removed, "lessons_required": lessons_changed}),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    confirm_waiting_later(app, tx, who, &unit.path).await
}

/// A table changed: passes that waited for its required lessons may stand now. Enqueued in the
/// transaction of the change, so the job exists exactly when the change does.
async fn confirm_waiting_later(app: &App, mut tx: hocvuso_db::Tx, who: &Principal, unit_path: &str) -> Result<()> {
    use crate::assessment::lessons::{ConfirmWaiting, TableChanged};
    crate::jobs::enqueue::<ConfirmWaiting>(
        &mut tx,
        &TableChanged {
            unit_path: unit_path.to_string(),
        },
        who.account_id,
    )
    .await?;
    tx.commit().await?;
    app.jobs.wake();
    Ok(())
}

/// Deletes the unit's table for `year`: its learners follow the table above it (or its own of an
/// earlier year) again.
pub async fn delete_unit_requirements(app: &App, who: &Principal, unit: &Unit, year: i32) -> Result<()> {
    who.authorize::<act::SetRequirements>(&unit.path)?;
    let mut tx = app.db.begin().await?;
    let unit = units::get_tx(&mut tx, unit.id).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::SetRequirements>(&unit.path)?;
    let before = db::requirements_of_tx(&mut tx, &unit.path, year).await?;
    if before.is_empty() {
        return Err(Error::Invalid(vec![FieldError::new(
            "year",
            Message::new("err-requirements-none").arg("year", year),
        )]));
    }
    db::delete_requirements(&mut tx, &unit.path, year).await?;
    db::delete_lessons_settings(&mut tx, &unit.path, year).await?;
    let event = Event::RequirementsDeleted {
        unit_code: unit.code.clone(),
        year,
        detail: json!({"rows": before.len()}),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    confirm_waiting_later(app, tx, who, &unit.path).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn ancestor_paths_run_from_the_root_down() {
        assert_eq!(super::ancestor_paths("/1/25/300/"), ["/1/", "/1/25/", "/1/25/300/"]);
        assert!(super::ancestor_paths("/").is_empty());
    }
}
