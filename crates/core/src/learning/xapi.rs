//! Learning events as xAPI 1.0.3 statements. The platform keeps its own append-only store of them
//! (a later issue exposes it as a Learning Record Store); the statement is built here so that the
//! same event always says the same thing.
//!
//! The actor is the account, not the person: `account.name` is the account's number on this
//! platform, so a statement carries no name, phone or ID number. Verbs and activity types are the
//! ADL vocabulary's (`http://adlnet.gov/expapi/verbs/…`, `…/activities/…`); the learner's unit and
//! target groups travel as context extensions under the platform's own address.

use crate::people::Groups;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Enrolled in a course.
    Registered,
    /// Opened a lesson for the first time.
    Experienced,
    /// Marked a lesson done, or finished a course's last lesson.
    Completed,
}

impl Verb {
    pub const ALL: [Verb; 3] = [Verb::Registered, Verb::Experienced, Verb::Completed];

    /// The short name stored beside the statement (what counts filter on).
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Registered => "registered",
            Verb::Experienced => "experienced",
            Verb::Completed => "completed",
        }
    }

    pub fn parse(s: &str) -> Option<Verb> {
        Verb::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn iri(self) -> String {
        format!("http://adlnet.gov/expapi/verbs/{}", self.as_str())
    }

    fn display(self) -> Value {
        match self {
            Verb::Registered => json!({"vi": "đã ghi danh", "en-US": "registered"}),
            Verb::Experienced => json!({"vi": "đã mở", "en-US": "experienced"}),
            Verb::Completed => json!({"vi": "đã hoàn thành", "en-US": "completed"}),
        }
    }
}

/// The thing acted on: a course, or a lesson of a course.
#[derive(Debug, Clone)]
pub struct Activity<'a> {
    pub course_slug: &'a str,
    pub course_title: &'a str,
    /// `(slug, title)` of the lesson; `None` when the object is the course.
    pub lesson: Option<(&'a str, &'a str)>,
}

/// Everything a statement says.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// The platform's public address, `https://…` without a trailing slash: the actor's home page
    /// and the root of activity and extension IRIs.
    pub home: &'a str,
    pub id: &'a str,
    pub account_id: i64,
    pub verb: Verb,
    pub activity: Activity<'a>,
    pub at: OffsetDateTime,
    /// The content language the learner read.
    pub language: &'a str,
    /// The learner's unit (official code) and target groups when it happened.
    pub unit_code: Option<&'a str>,
    pub groups: Groups,
    /// Time between first opening and completion, for completions.
    pub duration: Option<time::Duration>,
}

pub fn statement(e: &Event<'_>) -> Value {
    let home = e.home.trim_end_matches('/');
    let course_iri = format!("{home}/learn/{}", e.activity.course_slug);
    let (object_iri, kind, name, parent) = match e.activity.lesson {
        Some((slug, title)) => (format!("{course_iri}/{slug}"), "lesson", title, Some(&course_iri)),
        None => (course_iri.clone(), "course", e.activity.course_title, None),
    };
    let mut context = json!({
        "platform": "hocvuso",
        "language": e.language,
        "extensions": {
            format!("{home}/xapi/unit"): e.unit_code,
            format!("{home}/xapi/target-groups"): e.groups.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        },
    });
    if let Some(p) = parent {
        context["contextActivities"] = json!({"parent": [{"objectType": "Activity", "id": p}]});
    }
    let mut s = json!({
        "id": e.id,
        "version": "1.0.3",
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": home, "name": e.account_id.to_string()},
        },
        "verb": {"id": e.verb.iri(), "display": e.verb.display()},
        "object": {
            "objectType": "Activity",
            "id": object_iri,
            "definition": {
                "type": format!("http://adlnet.gov/expapi/activities/{kind}"),
                "name": {e.language: name},
            },
        },
        "context": context,
        "timestamp": e.at.format(&Rfc3339).unwrap_or_default(),
    });
    if e.verb == Verb::Completed {
        let mut result = json!({"completion": true});
        if let Some(d) = e.duration {
            result["duration"] = json!(iso_duration(d));
        }
        s["result"] = result;
    }
    s
}

/// An ISO 8601 duration as xAPI writes it ("PT1H2M3S"); a negative one (clock moved) is zero.
pub fn iso_duration(d: time::Duration) -> String {
    let total = d.whole_seconds().max(0);
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

/// A random (version 4) UUID for a new statement.
pub fn new_id() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::TargetGroup;

    fn event(verb: Verb, lesson: Option<(&'static str, &'static str)>) -> Event<'static> {
        let mut groups = Groups::default();
        groups.insert(TargetGroup::Resident);
        groups.insert(TargetGroup::Worker);
        Event {
            home: "https://hocvuso.example/",
            id: "5f0c1f9e-1d2b-4c3a-8e4f-0a1b2c3d4e5f",
            account_id: 42,
            verb,
            activity: Activity {
                course_slug: "nhan-biet-lua-dao",
                course_title: "Nhận biết lừa đảo",
                lesson,
            },
            at: time::macros::datetime!(2026-12-05 08:30:00 UTC),
            language: "vi",
            unit_code: Some("00004"),
            groups,
            duration: Some(time::Duration::seconds(312)),
        }
    }

    #[test]
    fn a_completed_lesson_names_its_course_unit_groups_and_time_spent() {
        let s = statement(&event(Verb::Completed, Some(("tin-nhan-gia", "Tin nhắn giả"))));
        assert_eq!(s["verb"]["id"], "http://adlnet.gov/expapi/verbs/completed");
        assert_eq!(s["actor"]["account"]["homePage"], "https://hocvuso.example");
        assert_eq!(s["actor"]["account"]["name"], "42");
        assert_eq!(
            s["object"]["id"],
            "https://hocvuso.example/learn/nhan-biet-lua-dao/tin-nhan-gia"
        );
        assert_eq!(
            s["object"]["definition"]["type"],
            "http://adlnet.gov/expapi/activities/lesson"
        );
        assert_eq!(s["object"]["definition"]["name"]["vi"], "Tin nhắn giả");
        assert_eq!(
            s["context"]["contextActivities"]["parent"][0]["id"],
            "https://hocvuso.example/learn/nhan-biet-lua-dao"
        );
        assert_eq!(s["context"]["extensions"]["https://hocvuso.example/xapi/unit"], "00004");
        assert_eq!(
            s["context"]["extensions"]["https://hocvuso.example/xapi/target-groups"],
            json!(["worker", "resident"])
        );
        assert_eq!(s["result"], json!({"completion": true, "duration": "PT5M12S"}));
        assert_eq!(s["timestamp"], "2026-12-05T08:30:00Z");
    }

    #[test]
    fn enrolment_is_about_the_course_and_has_no_result() {
        let s = statement(&event(Verb::Registered, None));
        assert_eq!(s["object"]["id"], "https://hocvuso.example/learn/nhan-biet-lua-dao");
        assert_eq!(
            s["object"]["definition"]["type"],
            "http://adlnet.gov/expapi/activities/course"
        );
        assert!(s.get("result").is_none());
        assert!(s["context"].get("contextActivities").is_none());
    }

    #[test]
    fn durations_and_ids_have_the_standard_forms() {
        assert_eq!(iso_duration(time::Duration::ZERO), "PT0S");
        assert_eq!(iso_duration(time::Duration::seconds(3600)), "PT1H");
        assert_eq!(iso_duration(time::Duration::seconds(3723)), "PT1H2M3S");
        assert_eq!(iso_duration(time::Duration::seconds(-5)), "PT0S");
        let id = new_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(new_id(), id);
        for v in Verb::ALL {
            assert_eq!(Verb::parse(v.as_str()), Some(v));
        }
    }
}
