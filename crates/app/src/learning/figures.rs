//! Figures for units: enrolled, started and completed learners of a subtree.

use super::course_title;
use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::Principal;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::ContentLang;
use hocvuso_core::people::TargetGroup;
use hocvuso_db::learning as db;

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
    let scope = who.authorize::<hocvuso_core::access::act::ViewLearning>(unit_path)?;
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
    let (from, to) = (start(year)?, start(year + 1)?);
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
