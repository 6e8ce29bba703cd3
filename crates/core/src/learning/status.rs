//! Where a course is in its life: written, reviewed, published to learners, withdrawn.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseStatus {
    Draft,
    Review,
    Published,
    Archived,
}

impl CourseStatus {
    pub const ALL: [CourseStatus; 4] = [
        CourseStatus::Draft,
        CourseStatus::Review,
        CourseStatus::Published,
        CourseStatus::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CourseStatus::Draft => "draft",
            CourseStatus::Review => "review",
            CourseStatus::Published => "published",
            CourseStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<CourseStatus> {
        CourseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("course-status-{}", self.as_str())
    }

    /// Learners see, enrol in and record progress on published courses only.
    pub fn open_to_learners(self) -> bool {
        self == CourseStatus::Published
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_only_published_is_open() {
        for s in CourseStatus::ALL {
            assert_eq!(CourseStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CourseStatus::parse("Published"), None);
        let open: Vec<_> = CourseStatus::ALL.into_iter().filter(|s| s.open_to_learners()).collect();
        assert_eq!(open, vec![CourseStatus::Published]);
    }
}
