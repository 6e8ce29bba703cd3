//! "Required lessons" (issue 10 §3): where the requirement table that applies to a learner says
//! so for their group, a passed online final records the attainment only once the learner has
//! completed a course for every required cell (`core::learning::lessons_rule`). The same reads
//! serve the pages (on their own) and the writes (inside the transaction that records, where the
//! rule is checked again).

use crate::jobs::{Job, JobError, Lane, Run, may_still};
use crate::learning::admin::ancestor_paths;
use crate::{App, Result};
use hocvuso_core::access::act;
use hocvuso_core::learning::ContentLang;
use hocvuso_core::learning::lessons_rule::{self as rule, Cell, CourseFacts, Standing};
use hocvuso_core::people::TargetGroup;
use hocvuso_db::learning::{self as db, Via};

/// A cell the learner still has to learn, with the published courses any one of which will do.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Needed {
    pub framework: String,
    pub competence: String,
    pub level: String,
    /// (slug, title) of each course that teaches it.
    pub courses: Vec<(String, String)>,
}

/// The rule as it stands for one learner and group.
#[derive(Debug, Clone, Default)]
pub(crate) struct Checked {
    /// The table that applies says the group must have done the required lessons.
    pub on: bool,
    /// The cells still needed, with the ids of the courses that would meet each.
    pub needed: Vec<(Cell, Vec<i64>)>,
}

impl Checked {
    /// Nothing stands between a passed final and the attainment.
    pub fn met(&self) -> bool {
        !self.on || self.needed.is_empty()
    }
}

/// The order of each framework's levels, from the lowest (as stored).
pub(crate) async fn level_orders(app: &App) -> Result<Vec<(String, Vec<String>)>> {
    Ok(crate::learning::frameworks(app)
        .await?
        .into_iter()
        .map(|f| (f.id, f.levels.into_iter().map(|l| l.code).collect()))
        .collect())
}

pub(crate) fn levels_of(orders: &[(String, Vec<String>)], framework: &str) -> Vec<String> {
    orders
        .iter()
        .find(|(id, _)| id == framework)
        .map(|(_, l)| l.clone())
        .unwrap_or_default()
}

/// The courses as the rule sees them.
pub(crate) fn facts(courses: &[db::Course], links: &[db::CompetenceLink]) -> Vec<CourseFacts> {
    courses
        .iter()
        .map(|c| CourseFacts {
            id: c.id,
            published: c.status.open_to_learners(),
            groups: c.groups.iter().collect(),
            level: c.level.clone(),
            competences: links
                .iter()
                .filter(|l| l.owner_id == c.id)
                .map(|l| (l.framework_id.clone(), l.code.clone()))
                .collect(),
        })
        .collect()
}

/// The cells of `group` in a table's rows: those of the framework its first row names, as the
/// final assessment draws them (`attempt::group_cells`).
pub(crate) fn cells_of(rows: &[db::Requirement], group: TargetGroup) -> Vec<Cell> {
    let of_group: Vec<&db::Requirement> = rows
        .iter()
        .filter(|r| TargetGroup::parse(&r.target_group) == Some(group))
        .collect();
    let Some(framework) = of_group.first().map(|r| r.framework_id.clone()) else {
        return Vec::new();
    };
    of_group
        .into_iter()
        .filter(|r| r.framework_id == framework)
        .map(|r| Cell {
            framework: r.framework_id.clone(),
            competence: r.competence.clone(),
            level: r.level.clone(),
        })
        .collect()
}

/// The rule for the learner whose home is `unit_path`, in `group`, learning under `account_id`,
/// this `year`. The setting comes from the table that gives the cells (the nearest unit's of the
/// year or before, as `learning::admin::requirements_for` chooses); the shipped national data has
/// no setting: off.
pub(crate) async fn check(
    app: &App,
    via: &mut Via<'_>,
    unit_path: &str,
    group: TargetGroup,
    account_id: i64,
    year: i32,
) -> Result<Checked> {
    let tables = db::requirement_tables_via(via, &ancestor_paths(unit_path), year).await?;
    let Some(table) = tables.into_iter().max_by_key(|t| t.unit_path.len()) else {
        return Ok(Checked::default());
    };
    let on = db::lessons_settings_via(via, &table.unit_path, table.year)
        .await?
        .iter()
        .any(|s| s.target_group == group.as_str() && s.lessons_required);
    if !on {
        return Ok(Checked::default());
    }
    let rows = db::requirements_via(via, &table.unit_path, table.year).await?;
    let courses = db::courses_via(via).await?;
    let links = db::course_competences_via(via).await?;
    let completed = db::completed_courses_via(via, account_id).await?;
    let orders = level_orders(app).await?;
    let needed = rule::standings(
        &cells_of(&rows, group),
        group,
        |f| levels_of(&orders, f),
        &facts(&courses, &links),
        &completed,
    )
    .into_iter()
    .filter_map(|(c, s)| match s {
        Standing::Needed(ids) => Some((c, ids)),
        _ => None,
    })
    .collect();
    Ok(Checked { on: true, needed })
}

/// [`check`] as a page shows it: each needed cell with its courses' slugs and titles.
pub(crate) async fn needed(
    app: &App,
    unit_path: &str,
    group: TargetGroup,
    account_id: i64,
    lang: ContentLang,
) -> Result<Vec<Needed>> {
    let year = hocvuso_db::now().year();
    let checked = check(app, &mut Via::Db(&app.db), unit_path, group, account_id, year).await?;
    if checked.met() {
        return Ok(Vec::new());
    }
    let courses = db::courses(&app.db).await?;
    let texts = db::course_texts(&app.db).await?;
    Ok(checked
        .needed
        .into_iter()
        .map(|(c, ids)| Needed {
            framework: c.framework,
            competence: c.competence,
            level: c.level,
            courses: ids
                .iter()
                .filter_map(|id| courses.iter().find(|k| k.id == *id))
                .map(|k| (k.slug.clone(), crate::learning::course_title(&texts, k.id, lang)))
                .collect(),
        })
        .collect())
}

/// After a requirement table of `unit_path` changed (saved or deleted): the passed finals of its
/// learners that waited for lessons are confirmed where the rule is met now (a setting turned off,
/// a cell removed or lowered). One transaction per person, the rule checked again inside it; the
/// attainment is recorded by the account that changed the table, as its rights are when the job
/// runs. Long lane: a province's learners.
pub struct ConfirmWaiting;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TableChanged {
    pub unit_path: String,
}

impl Job for ConfirmWaiting {
    const KIND: &'static str = "assessment.confirm_waiting";
    const LANE: Lane = Lane::Long;
    type Payload = TableChanged;

    async fn run(&self, app: &App, run: &Run<TableChanged>) -> std::result::Result<(), JobError> {
        let Some(unit) = hocvuso_db::units::by_path(&app.db, &run.payload.unit_path).await? else {
            return Ok(());
        };
        let (who, _scope) = may_still::<act::SetRequirements>(&app.db, run.actor, &unit).await?;
        for (person_id, account_id) in hocvuso_db::attempts::waiting_in_subtree(&app.db, &unit.path).await? {
            let mut tx = app.db.begin().await?;
            super::attainment::confirm_waiting_of(app, &mut tx, &who, person_id, account_id, hocvuso_db::now())
                .await
                .map_err(|e| JobError::Broke(format!("{e:?}")))?;
            tx.commit().await?;
        }
        Ok(())
    }
}
