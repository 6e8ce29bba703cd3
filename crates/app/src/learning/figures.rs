//! Figures for units: enrolled, started and completed learners of a subtree, and for those who
//! may see its people, the residents who have not started (each view and export audited).

use super::course_title;
use crate::{App, Error, FieldError, Result, Via};
use hocvuso_core::access::{Principal, Scope, act};
use hocvuso_core::audit::{Event, NotStartedRecord};
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::ContentLang;
use hocvuso_core::people::TargetGroup;
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::learning as db;
use hocvuso_db::people::{self, PageAt, Person, Total};
use hocvuso_db::units::Unit;
use time::OffsetDateTime;

/// One course's figures in a unit subtree: learners who enrolled in the period, of them how many
/// started and how many completed, in all and per target group (a learner in two groups counts in
/// both groups, once in all).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub enrolled: i64,
    pub started: i64,
    pub completed: i64,
}

impl Counts {
    fn add(&mut self, r: &db::FigureRow) {
        self.enrolled += r.enrolled;
        self.started += r.started;
        self.completed += r.completed;
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseFigures {
    pub slug: String,
    pub title: String,
    pub all: Counts,
    pub by_group: Vec<(TargetGroup, Counts)>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitFigures {
    pub year: i32,
    pub courses: Vec<CourseFigures>,
    pub total: Counts,
}

/// The learning figures of a unit's subtree for a calendar year, for those who may see them
/// there. Counts only: no learner is named.
pub async fn unit_figures(
    app: &App,
    who: &Principal,
    unit_path: &str,
    year: i32,
    lang: ContentLang,
) -> Result<UnitFigures> {
    let scope = who.authorize::<act::ViewLearning>(unit_path)?;
    let (from, to) = year_bounds(year)?;
    let rows = db::unit_figures(&app.db, scope.bounds(), from, to).await?;
    let courses = db::courses(&app.db).await?;
    let texts = db::course_texts(&app.db).await?;
    let mut out: Vec<CourseFigures> = Vec::new();
    let mut total = Counts::default();
    for r in &rows {
        total.add(r);
        let Some(c) = courses.iter().find(|c| c.id == r.course_id) else {
            continue;
        };
        let i = match out.iter().position(|x| x.slug == c.slug) {
            Some(i) => i,
            None => {
                out.push(CourseFigures {
                    slug: c.slug.clone(),
                    title: course_title(&texts, c.id, lang),
                    all: Counts::default(),
                    by_group: TargetGroup::ALL.into_iter().map(|g| (g, Counts::default())).collect(),
                });
                out.len() - 1
            }
        };
        let f = &mut out[i];
        f.all.add(r);
        for (g, counts) in &mut f.by_group {
            if r.groups.contains(*g) {
                counts.add(r);
            }
        }
    }
    out.sort_by(|a, b| b.all.enrolled.cmp(&a.all.enrolled).then_with(|| a.slug.cmp(&b.slug)));
    Ok(UnitFigures {
        year,
        courses: out,
        total,
    })
}

/// A calendar year as the half-open period `[1 January, 1 January of the next year)` in UTC.
fn year_bounds(year: i32) -> Result<(OffsetDateTime, OffsetDateTime)> {
    let start = |y: i32| {
        time::Date::from_calendar_date(y, time::Month::January, 1)
            .map(|d| d.midnight().assume_utc())
            .map_err(|_| {
                Error::Invalid(vec![FieldError::new(
                    "year",
                    Message::new("err-learning-year").arg("value", y),
                )])
            })
    };
    Ok((start(year)?, start(year.saturating_add(1))?))
}

// ---- residents who have not started -----------------------------------------------------------

/// A course a list can be narrowed to: its slug and its title in the reader's language.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseChoice {
    pub slug: String,
    pub title: String,
}

/// The published courses, by title, for narrowing a list of those who have not started.
pub async fn course_choices(app: &App, lang: ContentLang) -> Result<Vec<CourseChoice>> {
    let texts = db::course_texts(&app.db).await?;
    let mut out: Vec<CourseChoice> = db::courses(&app.db)
        .await?
        .into_iter()
        .filter(|c| c.status.open_to_learners())
        .map(|c| CourseChoice {
            title: course_title(&texts, c.id, lang),
            slug: c.slug,
        })
        .collect();
    hocvuso_core::text::sort_natural(&mut out, |c| &c.title);
    Ok(out)
}

/// A list of the residents of a unit who have not started, as asked.
pub struct NotStartedRequest<'a> {
    pub year: i32,
    /// A course (its slug): only its target groups are listed and only its lessons count as a
    /// start. `None`: every resident, and a lesson of any course counts.
    pub course: Option<&'a str>,
    pub group: Option<TargetGroup>,
    pub at: PageAt<'a>,
    pub limit: u64,
    /// Count the total above the list (pages do; the API does not).
    pub count: bool,
    pub via: Via,
}

pub struct NotStarted {
    pub year: i32,
    pub course: Option<CourseChoice>,
    pub page: db::NotStartedPage,
    /// The total under the filter, when asked and the unit is small enough to count it.
    pub total: Option<Total>,
}

/// The right to this list: the unit's learning figures and its people.
fn not_started_scope(who: &Principal, path: &str) -> Result<Scope<act::ViewPeople>> {
    who.authorize::<act::ViewLearning>(path)?;
    Ok(who.authorize::<act::ViewPeople>(path)?)
}

/// The filter of a request: the period, and the course looked up (with its target groups).
async fn filter_of(
    app: &App,
    year: i32,
    course: Option<&str>,
    group: Option<TargetGroup>,
    lang: ContentLang,
) -> Result<(db::NotStartedFilter, Option<CourseChoice>)> {
    let (from, to) = year_bounds(year)?;
    let mut f = db::NotStartedFilter {
        from,
        to,
        course_id: None,
        groups_any: None,
        group,
    };
    let Some(slug) = course.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok((f, None));
    };
    let Some(c) = db::course_by_slug(&app.db, slug).await? else {
        return Err(Error::Invalid(vec![FieldError::new(
            "course",
            Message::new("err-not-started-course").arg("value", slug.chars().take(80).collect::<String>()),
        )]));
    };
    f.course_id = Some(c.id);
    f.groups_any = Some(c.groups);
    let title = course_title(&db::course_texts(&app.db).await?, c.id, lang);
    Ok((f, Some(CourseChoice { slug: c.slug, title })))
}

/// The residents of `unit`'s subtree who have not started learning in `req.year` (see
/// [`db::not_started`] for what "started" means: the complement of the figures' "started"), for
/// those who may see both the unit's learning figures and its people. The view is recorded in
/// the audit log before anything is returned.
pub async fn not_started(
    app: &App,
    who: &Principal,
    unit: &Unit,
    req: NotStartedRequest<'_>,
    lang: ContentLang,
) -> Result<NotStarted> {
    let scope = not_started_scope(who, &unit.path)?;
    let (filter, course) = filter_of(app, req.year, req.course, req.group, lang).await?;
    let page = db::not_started(&app.db, &scope, &filter, req.at, req.limit).await?;
    let total = if req.count {
        // Counting reads every resident of the scope: past the people list's bound it is skipped.
        Some(if people::count_scope(&app.db, &scope).await? > people::COUNT_BOUND {
            Total::NotCounted
        } else {
            Total::Exact(db::count_not_started(&app.db, &scope, &filter).await?)
        })
    } else {
        None
    };
    let event = Event::NotStartedListed {
        unit_code: unit.code.clone(),
        list: NotStartedRecord {
            year: req.year,
            course: course.as_ref().map(|c| c.slug.clone()),
            group: req.group.map(|g| g.as_str().to_string()),
            shown: page.people.len(),
            via: (req.via == Via::Api).then_some("api"),
        },
    };
    audit::record(&app.db, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    Ok(NotStarted {
        year: req.year,
        course,
        page,
        total,
    })
}

/// At most this many people go into one exported file: a large commune. A wider list is narrowed
/// to a village or a course first.
pub const EXPORT_MAX: u64 = 20_000;

pub struct NotStartedExport {
    pub year: i32,
    pub course: Option<CourseChoice>,
    pub people: Vec<Person>,
}

/// Every resident of [`not_started`]'s list, for a spreadsheet: also needs the right to export
/// people, and is recorded as an export before anything is returned.
pub async fn not_started_export(
    app: &App,
    who: &Principal,
    unit: &Unit,
    year: i32,
    course: Option<&str>,
    group: Option<TargetGroup>,
    lang: ContentLang,
) -> Result<NotStartedExport> {
    let scope = not_started_scope(who, &unit.path)?;
    who.authorize::<act::ExportPeople>(&unit.path)?;
    let (filter, course) = filter_of(app, year, course, group, lang).await?;
    let page = db::not_started(&app.db, &scope, &filter, PageAt::First, EXPORT_MAX).await?;
    if page.next_cursor.is_some() {
        return Err(Error::Invalid(vec![FieldError::new(
            "",
            Message::new("err-not-started-export-too-many").arg("max", EXPORT_MAX as i64),
        )]));
    }
    let event = Event::NotStartedExported {
        unit_code: unit.code.clone(),
        list: NotStartedRecord {
            year,
            course: course.as_ref().map(|c| c.slug.clone()),
            group: group.map(|g| g.as_str().to_string()),
            shown: page.people.len(),
            via: None,
        },
    };
    audit::record(&app.db, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    Ok(NotStartedExport {
        year,
        course,
        people: page.people,
    })
}
