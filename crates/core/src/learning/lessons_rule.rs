//! "Required lessons" (issue 10 §3): where a unit's requirement table says so, a learner's passed
//! online final records their attainment only once, for every required (competence, level) cell of
//! their group, they have completed a course for that group that teaches the competence at that
//! level or above. A cell no published course teaches cannot be demanded: it counts as met (and the
//! requirements page tells the editor which cells those are). Plain data in, the cells' standing
//! out; the reads are the caller's.

use crate::people::TargetGroup;

/// A required cell of the learner's group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub framework: String,
    pub competence: String,
    pub level: String,
}

/// What the rule needs of a course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseFacts {
    pub id: i64,
    /// Open to learners now.
    pub published: bool,
    pub groups: Vec<TargetGroup>,
    /// The course's level (one for all its competences).
    pub level: String,
    /// (framework, competence code) it is mapped to.
    pub competences: Vec<(String, String)>,
}

/// Where a cell stands for the learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// A course that teaches it was completed.
    Done(i64),
    /// No published course for the group teaches it at that level: not demanded.
    NoCourse,
    /// Still needed: any one of these published courses.
    Needed(Vec<i64>),
}

impl Standing {
    pub fn is_met(&self) -> bool {
        !matches!(self, Standing::Needed(_))
    }
}

/// Whether `have` is `want` or above, in the order of `levels` (the framework's level codes from
/// the lowest). A code the framework does not list is compared as a number when both are, else
/// only equal codes meet.
pub fn reaches(levels: &[String], have: &str, want: &str) -> bool {
    let pos = |c: &str| levels.iter().position(|l| l == c);
    match (pos(have), pos(want)) {
        (Some(h), Some(w)) => h >= w,
        _ => match (have.trim().parse::<u32>(), want.trim().parse::<u32>()) {
            (Ok(h), Ok(w)) => h >= w,
            _ => have == want,
        },
    }
}

/// The standing of one required cell. `levels` orders the cell's framework's levels; `completed`
/// lists the courses the learner completed. A completed course counts even if it has been
/// withdrawn since: the learner did what was asked when it was open.
pub fn standing(
    cell: &Cell,
    group: TargetGroup,
    levels: &[String],
    courses: &[CourseFacts],
    completed: &[i64],
) -> Standing {
    let teaching: Vec<&CourseFacts> = courses
        .iter()
        .filter(|c| c.groups.contains(&group))
        .filter(|c| {
            c.competences
                .iter()
                .any(|(f, code)| *f == cell.framework && *code == cell.competence)
        })
        .filter(|c| reaches(levels, &c.level, &cell.level))
        .collect();
    if let Some(done) = teaching.iter().find(|c| completed.contains(&c.id)) {
        return Standing::Done(done.id);
    }
    let open: Vec<i64> = teaching.iter().filter(|c| c.published).map(|c| c.id).collect();
    if open.is_empty() {
        Standing::NoCourse
    } else {
        Standing::Needed(open)
    }
}

/// Every cell with its standing, in the order given.
pub fn standings(
    cells: &[Cell],
    group: TargetGroup,
    levels: impl Fn(&str) -> Vec<String>,
    courses: &[CourseFacts],
    completed: &[i64],
) -> Vec<(Cell, Standing)> {
    cells
        .iter()
        .map(|c| (c.clone(), standing(c, group, &levels(&c.framework), courses, completed)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Vec<String> {
        ["1", "2", "3", "4"].iter().map(|s| s.to_string()).collect()
    }

    fn cell(c: &str, level: &str) -> Cell {
        Cell {
            framework: "digcomp22".into(),
            competence: c.into(),
            level: level.into(),
        }
    }

    fn course(id: i64, level: &str, comps: &[&str], groups: &[TargetGroup], published: bool) -> CourseFacts {
        CourseFacts {
            id,
            published,
            groups: groups.to_vec(),
            level: level.into(),
            competences: comps.iter().map(|c| ("digcomp22".to_string(), c.to_string())).collect(),
        }
    }

    const R: TargetGroup = TargetGroup::Resident;

    #[test]
    fn a_cell_is_needed_until_a_teaching_course_is_completed() {
        let courses = [
            course(1, "2", &["4.2"], &[R], true),
            course(2, "3", &["4.2"], &[R], true),
        ];
        assert_eq!(
            standing(&cell("4.2", "2"), R, &levels(), &courses, &[]),
            Standing::Needed(vec![1, 2])
        );
        assert_eq!(
            standing(&cell("4.2", "2"), R, &levels(), &courses, &[2]),
            Standing::Done(2)
        );
        assert!(standing(&cell("4.2", "2"), R, &levels(), &courses, &[1]).is_met());
    }

    #[test]
    fn a_course_below_the_level_or_for_another_group_does_not_count() {
        let courses = [
            course(1, "1", &["4.2"], &[R], true),
            course(2, "3", &["4.2"], &[TargetGroup::Student], true),
            course(3, "3", &["4.1"], &[R], true),
        ];
        // Nothing published teaches 4.2 at level 2 for residents: not demanded.
        assert_eq!(
            standing(&cell("4.2", "2"), R, &levels(), &courses, &[1, 2, 3]),
            Standing::NoCourse
        );
        assert!(standing(&cell("4.2", "2"), R, &levels(), &courses, &[]).is_met());
    }

    #[test]
    fn a_draft_is_not_demanded_but_a_completed_withdrawn_course_counts() {
        let courses = [
            course(1, "2", &["4.2"], &[R], false),
            course(2, "2", &["4.2"], &[R], true),
        ];
        assert_eq!(
            standing(&cell("4.2", "2"), R, &levels(), &courses, &[]),
            Standing::Needed(vec![2])
        );
        assert_eq!(
            standing(&cell("4.2", "2"), R, &levels(), &courses, &[1]),
            Standing::Done(1)
        );
        let drafts = [course(1, "2", &["4.2"], &[R], false)];
        assert_eq!(
            standing(&cell("4.2", "2"), R, &levels(), &drafts, &[]),
            Standing::NoCourse
        );
    }

    #[test]
    fn levels_follow_the_framework_then_numbers() {
        let named: Vec<String> = ["co-ban", "trung-cap", "nang-cao"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(reaches(&named, "nang-cao", "trung-cap"));
        assert!(!reaches(&named, "co-ban", "trung-cap"));
        assert!(reaches(&[], "10", "9"), "numbers, not text: 10 is above 9");
        assert!(!reaches(&[], "x", "y"));
        assert!(reaches(&[], "x", "x"));
    }

    #[test]
    fn every_cell_gets_its_standing_in_order() {
        let courses = [course(1, "2", &["4.2", "1.1"], &[R], true)];
        let cells = [cell("1.1", "2"), cell("4.2", "4"), cell("5.1", "1")];
        let s = standings(&cells, R, |_| levels(), &courses, &[]);
        assert_eq!(
            s.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>(),
            [Standing::Needed(vec![1]), Standing::NoCourse, Standing::NoCourse]
        );
    }
}
