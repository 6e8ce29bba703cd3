//! What the audit log records: one [`Event`] variant per kind of event, with its fields. Storage
//! turns an event into a row (action, object, person, detail); nothing else writes an action name.
//!
//! Action names are `<subject>.<what happened>` in lower snake case ("person.view",
//! "access.grant"). They are stored in the hash-chained log, so a name once used never changes;
//! each has a label `audit-<subject>-<what>` in every language (checked by a test below).

use serde::Serialize;
use serde_json::{Value, json};

macro_rules! kinds {
    ($($kind:ident => $action:literal),* $(,)?) => {
        /// The kind of an event, without its fields: what the audit filter offers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($kind),*
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$kind),*];

            pub fn action(self) -> &'static str {
                match self {
                    $(Kind::$kind => $action),*
                }
            }
        }
    };
}

kinds! {
    Login => "auth.login",
    PasswordChanged => "auth.password_changed",
    PeopleListed => "people.list",
    PeopleImported => "people.import",
    PersonViewed => "person.view",
    PersonCreated => "person.create",
    PersonUnmasked => "person.unmask",
    PasswordReset => "person.password_reset",
    ConsentWithdrawn => "person.consent_withdrawn",
    PidRefused => "person.pid_refused",
    PidRefusalsLimited => "person.pid_refusals_limited",
    PersonImportCreated => "person.import_create",
    PersonImportUpdated => "person.import_update",
    UnitCreated => "unit.create",
    UnitRenamed => "unit.rename",
    UnitMerged => "unit.merge",
    UnitMoved => "unit.move",
    VillagesImported => "unit.import",
    DenominatorsSet => "denominators.set",
    RoleGranted => "access.grant",
    RoleRevoked => "access.revoke",
    ApiTokenCreated => "account.api_token",
    ApiTokenRevoked => "account.api_token_revoked",
    CourseInstalled => "course.install",
    CourseImported => "course.import",
    CourseSubmitted => "course.submit",
    CoursePublished => "course.publish",
    CourseReturned => "course.return",
    CourseCertificateSet => "course.certificate_set",
    CourseMediaUploaded => "course.media_upload",
    CourseMediaRemoved => "course.media_remove",
    CourseRevisionPublished => "course.revision_publish",
    CourseRevisionReturned => "course.revision_return",
    LessonDraftSaved => "lesson.draft_save",
    LessonSubmitted => "lesson.submit",
    LessonPublished => "lesson.publish",
    LessonReturned => "lesson.return",
    NotStartedListed => "learning.not_started_list",
    NotStartedExported => "learning.not_started_export",
    FrameworkCorrected => "framework.correct",
    RequirementsSet => "requirements.set",
    RequirementsDeleted => "requirements.delete",
    LessonRecordingUploaded => "lesson.recording_upload",
    LessonRecordingRemoved => "lesson.recording_remove",
    AttainmentRecorded => "attainment.record",
    CertificateIssued => "certificate.issue",
    CertificateRevoked => "certificate.revoke",
    ConfirmedListed => "attainment.list",
    ConfirmedExported => "attainment.export",
    CertificatesPrinted => "certificate.batch",
    ItemsImported => "item.import",
    ItemSubmitted => "item.submit",
    ItemPublished => "item.publish",
    ItemReturned => "item.return",
    ItemRetired => "item.retire",
    ItemSaved => "item.save",
}

impl Kind {
    pub fn parse(action: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.action() == action)
    }

    /// The Fluent key of the kind's label.
    pub fn label_key(self) -> String {
        label_key(self.action())
    }
}

/// The Fluent key labelling a stored action (older rows may hold actions no [`Kind`] names).
pub fn label_key(action: &str) -> String {
    format!("audit-{}", action.replace('.', "-"))
}

/// What a list or search of people asked and showed. The query has numbers redacted; an ID
/// number searched for is kept only as a short reference of its blind index.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchRecord {
    pub query: String,
    pub shown: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub village: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<&'static str>,
}

/// What a list of the residents who have not started learning asked and showed (the people
/// themselves are not named: the list is recorded as a view of the unit, like a people list).
#[derive(Debug, Clone, Default, Serialize)]
pub struct NotStartedRecord {
    pub year: i32,
    /// The course whose start was looked for (its slug); absent for any course.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// People on the page (or in the file, for an export).
    pub shown: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<&'static str>,
}

/// Where an ID number held elsewhere was refused.
#[derive(Debug, Clone)]
pub enum RefusedIn {
    /// The registration form of a unit (its code); `refusals_this_hour` counts the account's.
    Form { unit_code: String, refusals_this_hour: u32 },
    /// A line of an import, found when the file was checked.
    Import { job_id: i64, line: u64 },
    /// A line of an import whose number someone else registered between the check and the apply.
    ImportApply { job_id: i64, line: u64 },
}

#[derive(Debug, Clone)]
pub enum Event {
    Login {
        account_id: i64,
        person_id: Option<i64>,
    },
    PasswordChanged {
        account_id: i64,
        person_id: Option<i64>,
    },
    PeopleListed {
        unit_code: String,
        search: SearchRecord,
    },
    PeopleImported {
        job_id: i64,
        file: String,
        inserted: i64,
        updated: i64,
        unchanged: i64,
        bad_rows: i64,
    },
    PersonViewed {
        person_id: i64,
    },
    PersonCreated {
        person_id: i64,
        consent: String,
    },
    PersonUnmasked {
        person_id: i64,
    },
    PasswordReset {
        person_id: i64,
        created: bool,
    },
    ConsentWithdrawn {
        person_id: i64,
        by_self: bool,
    },
    /// The number itself is never stored: only its masked form and a short blind-index reference.
    PidRefused {
        pid_masked: String,
        pid_ref: String,
        at: RefusedIn,
    },
    PidRefusalsLimited {
        job_id: i64,
        refusals: usize,
        earlier_this_hour: i64,
    },
    PersonImportCreated {
        person_id: i64,
        job_id: i64,
        line: u64,
    },
    PersonImportUpdated {
        person_id: i64,
        job_id: i64,
        line: u64,
    },
    /// A shipped course installed or brought up to date at start (slug, created, new lesson
    /// versions, retired lessons).
    CourseInstalled {
        course_id: i64,
        detail: Value,
    },
    /// A course package uploaded by an author: created as a draft or brought up to date (slug,
    /// unit, digest, created, new lesson versions, retired lessons).
    CourseImported {
        course_id: i64,
        detail: Value,
    },
    /// A draft course sent for review, and published by a second person (slug, who sent it).
    CourseSubmitted {
        course_id: i64,
        detail: Value,
    },
    /// A course's certificate of completion turned on or off (slug, on).
    CourseCertificateSet {
        course_id: i64,
        detail: Value,
    },
    /// Questions imported into a unit's bank as drafts (file, format, how many stored, how many
    /// refused).
    ItemsImported {
        unit_code: String,
        detail: Value,
    },
    /// A question written or changed in its form (code; whether it is new).
    ItemSaved {
        unit_code: String,
        detail: Value,
    },
    /// A question item sent for review, published, returned to draft or retired (unit, code,
    /// the revision it was changed from; who sent it for the publication).
    ItemSubmitted {
        item_id: i64,
        detail: Value,
    },
    ItemPublished {
        item_id: i64,
        detail: Value,
    },
    ItemReturned {
        item_id: i64,
        detail: Value,
    },
    ItemRetired {
        item_id: i64,
        detail: Value,
    },
    CoursePublished {
        course_id: i64,
        detail: Value,
    },
    /// A course in review returned to draft by someone who may publish it (slug, who sent it,
    /// the note saying what to change).
    CourseReturned {
        course_id: i64,
        detail: Value,
    },
    /// An image or a file uploaded for a course's lessons (name, kind, bytes, sha256).
    CourseMediaUploaded {
        course_id: i64,
        detail: Value,
    },
    /// A file no lesson text showed any more, removed from a course (name, kind, bytes, sha256).
    CourseMediaRemoved {
        course_id: i64,
        detail: Value,
    },
    /// A whole-course revision (a package changing a published course's shape) published by a
    /// second person, or returned to its sender (digest, sender, what changed, note).
    CourseRevisionPublished {
        course_id: i64,
        detail: Value,
    },
    CourseRevisionReturned {
        course_id: i64,
        detail: Value,
    },
    /// An author's draft of a lesson: saved, sent for review, published as the lesson's next
    /// version, or returned to its author (course, lesson, language, revision, version, note).
    LessonDraftSaved {
        lesson_id: i64,
        detail: Value,
    },
    LessonSubmitted {
        lesson_id: i64,
        detail: Value,
    },
    LessonPublished {
        lesson_id: i64,
        detail: Value,
    },
    LessonReturned {
        lesson_id: i64,
        detail: Value,
    },
    /// Unit reorganisations carry the same detail as the unit's own history (`unit_events`).
    UnitCreated {
        unit_id: i64,
        detail: Value,
    },
    UnitRenamed {
        unit_id: i64,
        detail: Value,
    },
    UnitMerged {
        unit_id: i64,
        detail: Value,
    },
    UnitMoved {
        unit_id: i64,
        detail: Value,
    },
    VillagesImported {
        unit_code: String,
        detail: Value,
    },
    DenominatorsSet {
        unit_code: String,
        year: i32,
        detail: Value,
    },
    RoleGranted {
        account_id: i64,
        role: String,
        unit_code: String,
        grant_id: i64,
    },
    RoleRevoked {
        account_id: i64,
        role: String,
        unit_code: String,
    },
    ApiTokenCreated {
        account_id: i64,
        name: String,
    },
    ApiTokenRevoked {
        account_id: i64,
        token_id: i64,
    },
    /// A unit's residents who have not started learning, viewed (page or API) or exported as a
    /// spreadsheet: both show names and phone numbers.
    NotStartedListed {
        unit_code: String,
        list: NotStartedRecord,
    },
    NotStartedExported {
        unit_code: String,
        list: NotStartedRecord,
    },
    /// A framework's titles, descriptions or source notes corrected by the steering committee
    /// (the digests before and after, each field changed with its old and new text).
    FrameworkCorrected {
        framework_id: String,
        detail: Value,
    },
    /// A unit's table of required levels for a year set (the rows added, changed, removed).
    RequirementsSet {
        unit_code: String,
        year: i32,
        detail: Value,
    },
    /// A unit's table for a year deleted: its learners follow the table above it again.
    RequirementsDeleted {
        unit_code: String,
        year: i32,
        detail: Value,
    },
    /// An author's recording of a lesson's draft, uploaded (course, lesson, language, revision,
    /// the upload's format, size and hash, the stored size and duration) or removed.
    LessonRecordingUploaded {
        lesson_id: i64,
        detail: Value,
    },
    LessonRecordingRemoved {
        lesson_id: i64,
        detail: Value,
    },
    /// A person confirmed as having reached their group's level (group, level, how, the attempt or
    /// import it came from).
    AttainmentRecorded {
        person_id: i64,
        detail: Value,
    },
    /// A certificate issued for an attainment (its code), or revoked (code, reason).
    CertificateIssued {
        person_id: i64,
        detail: Value,
    },
    CertificateRevoked {
        person_id: i64,
        detail: Value,
    },
    /// The confirmed people of a unit's subtree, viewed or exported as a spreadsheet (names,
    /// where they live, how they were confirmed).
    ConfirmedListed {
        unit_code: String,
        shown: usize,
    },
    ConfirmedExported {
        unit_code: String,
        shown: usize,
    },
    /// The certificates of a unit's people printed as one PDF (full names).
    CertificatesPrinted {
        unit_code: String,
        count: usize,
    },
}

impl Event {
    pub fn kind(&self) -> Kind {
        match self {
            Event::Login { .. } => Kind::Login,
            Event::PasswordChanged { .. } => Kind::PasswordChanged,
            Event::PeopleListed { .. } => Kind::PeopleListed,
            Event::PeopleImported { .. } => Kind::PeopleImported,
            Event::PersonViewed { .. } => Kind::PersonViewed,
            Event::PersonCreated { .. } => Kind::PersonCreated,
            Event::PersonUnmasked { .. } => Kind::PersonUnmasked,
            Event::PasswordReset { .. } => Kind::PasswordReset,
            Event::ConsentWithdrawn { .. } => Kind::ConsentWithdrawn,
            Event::PidRefused { .. } => Kind::PidRefused,
            Event::PidRefusalsLimited { .. } => Kind::PidRefusalsLimited,
            Event::PersonImportCreated { .. } => Kind::PersonImportCreated,
            Event::PersonImportUpdated { .. } => Kind::PersonImportUpdated,
            Event::UnitCreated { .. } => Kind::UnitCreated,
            Event::UnitRenamed { .. } => Kind::UnitRenamed,
            Event::UnitMerged { .. } => Kind::UnitMerged,
            Event::UnitMoved { .. } => Kind::UnitMoved,
            Event::VillagesImported { .. } => Kind::VillagesImported,
            Event::DenominatorsSet { .. } => Kind::DenominatorsSet,
            Event::RoleGranted { .. } => Kind::RoleGranted,
            Event::RoleRevoked { .. } => Kind::RoleRevoked,
            Event::ApiTokenCreated { .. } => Kind::ApiTokenCreated,
            Event::ApiTokenRevoked { .. } => Kind::ApiTokenRevoked,
            Event::CourseInstalled { .. } => Kind::CourseInstalled,
            Event::CourseImported { .. } => Kind::CourseImported,
            Event::CourseSubmitted { .. } => Kind::CourseSubmitted,
            Event::CourseCertificateSet { .. } => Kind::CourseCertificateSet,
            Event::ItemsImported { .. } => Kind::ItemsImported,
            Event::ItemSaved { .. } => Kind::ItemSaved,
            Event::ItemSubmitted { .. } => Kind::ItemSubmitted,
            Event::ItemPublished { .. } => Kind::ItemPublished,
            Event::ItemReturned { .. } => Kind::ItemReturned,
            Event::ItemRetired { .. } => Kind::ItemRetired,
            Event::CoursePublished { .. } => Kind::CoursePublished,
            Event::CourseReturned { .. } => Kind::CourseReturned,
            Event::CourseMediaUploaded { .. } => Kind::CourseMediaUploaded,
            Event::CourseMediaRemoved { .. } => Kind::CourseMediaRemoved,
            Event::CourseRevisionPublished { .. } => Kind::CourseRevisionPublished,
            Event::CourseRevisionReturned { .. } => Kind::CourseRevisionReturned,
            Event::LessonDraftSaved { .. } => Kind::LessonDraftSaved,
            Event::LessonSubmitted { .. } => Kind::LessonSubmitted,
            Event::LessonPublished { .. } => Kind::LessonPublished,
            Event::LessonReturned { .. } => Kind::LessonReturned,
            Event::NotStartedListed { .. } => Kind::NotStartedListed,
            Event::NotStartedExported { .. } => Kind::NotStartedExported,
            Event::FrameworkCorrected { .. } => Kind::FrameworkCorrected,
            Event::RequirementsSet { .. } => Kind::RequirementsSet,
            Event::RequirementsDeleted { .. } => Kind::RequirementsDeleted,
            Event::LessonRecordingUploaded { .. } => Kind::LessonRecordingUploaded,
            Event::LessonRecordingRemoved { .. } => Kind::LessonRecordingRemoved,
            Event::AttainmentRecorded { .. } => Kind::AttainmentRecorded,
            Event::CertificateIssued { .. } => Kind::CertificateIssued,
            Event::CertificateRevoked { .. } => Kind::CertificateRevoked,
            Event::ConfirmedListed { .. } => Kind::ConfirmedListed,
            Event::ConfirmedExported { .. } => Kind::ConfirmedExported,
            Event::CertificatesPrinted { .. } => Kind::CertificatesPrinted,
        }
    }

    pub fn action(&self) -> &'static str {
        self.kind().action()
    }

    /// The object the event is about: its kind and id as stored.
    pub fn object(&self) -> (&'static str, String) {
        use Event::*;
        match self {
            Login { account_id, .. }
            | PasswordChanged { account_id, .. }
            | RoleGranted { account_id, .. }
            | RoleRevoked { account_id, .. }
            | ApiTokenCreated { account_id, .. }
            | ApiTokenRevoked { account_id, .. } => ("account", account_id.to_string()),
            PeopleListed { unit_code, .. }
            | VillagesImported { unit_code, .. }
            | DenominatorsSet { unit_code, .. }
            | NotStartedListed { unit_code, .. }
            | NotStartedExported { unit_code, .. }
            | RequirementsSet { unit_code, .. }
            | RequirementsDeleted { unit_code, .. }
            | ConfirmedListed { unit_code, .. }
            | ConfirmedExported { unit_code, .. }
            | CertificatesPrinted { unit_code, .. }
            | ItemsImported { unit_code, .. }
            | ItemSaved { unit_code, .. } => ("unit", unit_code.clone()),
            ItemSubmitted { item_id, .. }
            | ItemPublished { item_id, .. }
            | ItemReturned { item_id, .. }
            | ItemRetired { item_id, .. } => ("question_item", item_id.to_string()),
            FrameworkCorrected { framework_id, .. } => ("framework", framework_id.clone()),
            PeopleImported { job_id, .. } | PidRefusalsLimited { job_id, .. } => ("import_job", job_id.to_string()),
            PersonViewed { person_id }
            | PersonCreated { person_id, .. }
            | PersonUnmasked { person_id }
            | PasswordReset { person_id, .. }
            | ConsentWithdrawn { person_id, .. }
            | PersonImportCreated { person_id, .. }
            | PersonImportUpdated { person_id, .. }
            | AttainmentRecorded { person_id, .. }
            | CertificateIssued { person_id, .. }
            | CertificateRevoked { person_id, .. } => ("person", person_id.to_string()),
            PidRefused { at, .. } => match at {
                RefusedIn::Form { unit_code, .. } => ("unit", unit_code.clone()),
                RefusedIn::Import { job_id, .. } | RefusedIn::ImportApply { job_id, .. } => {
                    ("import_job", job_id.to_string())
                }
            },
            UnitCreated { unit_id, .. }
            | UnitRenamed { unit_id, .. }
            | UnitMerged { unit_id, .. }
            | UnitMoved { unit_id, .. } => ("unit", unit_id.to_string()),
            CourseInstalled { course_id, .. }
            | CourseImported { course_id, .. }
            | CourseSubmitted { course_id, .. }
            | CourseCertificateSet { course_id, .. }
            | CoursePublished { course_id, .. }
            | CourseReturned { course_id, .. }
            | CourseMediaUploaded { course_id, .. }
            | CourseMediaRemoved { course_id, .. }
            | CourseRevisionPublished { course_id, .. }
            | CourseRevisionReturned { course_id, .. } => ("course", course_id.to_string()),
            LessonDraftSaved { lesson_id, .. }
            | LessonSubmitted { lesson_id, .. }
            | LessonPublished { lesson_id, .. }
            | LessonReturned { lesson_id, .. }
            | LessonRecordingUploaded { lesson_id, .. }
            | LessonRecordingRemoved { lesson_id, .. } => ("lesson", lesson_id.to_string()),
        }
    }

    /// The person whose data the event touched, so it shows on their "who saw my data" page.
    pub fn person_id(&self) -> Option<i64> {
        use Event::*;
        match self {
            Login { person_id, .. } | PasswordChanged { person_id, .. } => *person_id,
            PersonViewed { person_id }
            | PersonCreated { person_id, .. }
            | PersonUnmasked { person_id }
            | PasswordReset { person_id, .. }
            | ConsentWithdrawn { person_id, .. }
            | PersonImportCreated { person_id, .. }
            | PersonImportUpdated { person_id, .. }
            | AttainmentRecorded { person_id, .. }
            | CertificateIssued { person_id, .. }
            | CertificateRevoked { person_id, .. } => Some(*person_id),
            _ => None,
        }
    }

    /// The event's details as stored (JSON): the fields not already in the row's columns.
    pub fn detail(&self) -> Value {
        use Event::*;
        match self {
            Login { .. } | PasswordChanged { .. } | PersonViewed { .. } | PersonUnmasked { .. } => json!({}),
            PeopleListed { search, .. } => serde_json::to_value(search).unwrap_or_else(|_| json!({})),
            PeopleImported {
                file,
                inserted,
                updated,
                unchanged,
                bad_rows,
                ..
            } => json!({
                "file": file, "inserted": inserted, "updated": updated,
                "unchanged": unchanged, "bad_rows": bad_rows,
            }),
            PersonCreated { consent, .. } => json!({ "consent": consent }),
            PasswordReset { created, .. } => json!({ "created": created }),
            ConsentWithdrawn { by_self, .. } => {
                if *by_self {
                    json!({ "by": "self" })
                } else {
                    json!({})
                }
            }
            PidRefused {
                pid_masked,
                pid_ref,
                at,
            } => match at {
                RefusedIn::Form { refusals_this_hour, .. } => json!({
                    "pid": pid_masked, "pid_ref": pid_ref,
                    "refusals_this_hour": refusals_this_hour, "via": "form",
                }),
                RefusedIn::Import { line, .. } => json!({
                    "pid": pid_masked, "pid_ref": pid_ref, "line": line, "via": "import",
                }),
                RefusedIn::ImportApply { line, .. } => json!({
                    "pid": pid_masked, "pid_ref": pid_ref, "line": line, "via": "import_apply",
                }),
            },
            PidRefusalsLimited {
                refusals,
                earlier_this_hour,
                ..
            } => json!({ "refusals": refusals, "earlier_this_hour": earlier_this_hour }),
            PersonImportCreated { job_id, line, .. } | PersonImportUpdated { job_id, line, .. } => {
                json!({ "import": job_id, "line": line })
            }
            UnitCreated { detail, .. }
            | UnitRenamed { detail, .. }
            | UnitMerged { detail, .. }
            | UnitMoved { detail, .. }
            | VillagesImported { detail, .. }
            | CourseInstalled { detail, .. }
            | CourseImported { detail, .. }
            | CourseSubmitted { detail, .. }
            | CourseCertificateSet { detail, .. }
            | CoursePublished { detail, .. }
            | CourseReturned { detail, .. }
            | CourseMediaUploaded { detail, .. }
            | CourseMediaRemoved { detail, .. }
            | CourseRevisionPublished { detail, .. }
            | CourseRevisionReturned { detail, .. }
            | LessonDraftSaved { detail, .. }
            | LessonSubmitted { detail, .. }
            | LessonPublished { detail, .. }
            | LessonReturned { detail, .. }
            | LessonRecordingUploaded { detail, .. }
            | LessonRecordingRemoved { detail, .. }
            | AttainmentRecorded { detail, .. }
            | CertificateIssued { detail, .. }
            | CertificateRevoked { detail, .. }
            | ItemsImported { detail, .. }
            | ItemSaved { detail, .. }
            | ItemSubmitted { detail, .. }
            | ItemPublished { detail, .. }
            | ItemReturned { detail, .. }
            | ItemRetired { detail, .. } => detail.clone(),
            DenominatorsSet { year, detail, .. } => {
                let mut d = detail.clone();
                d["year"] = json!(year);
                d
            }
            RoleGranted {
                role,
                unit_code,
                grant_id,
                ..
            } => json!({ "role": role, "unit": unit_code, "grant": grant_id }),
            RoleRevoked { role, unit_code, .. } => json!({ "role": role, "unit": unit_code }),
            ApiTokenCreated { name, .. } => json!({ "name": name }),
            ApiTokenRevoked { token_id, .. } => json!({ "token": token_id }),
            NotStartedListed { list, .. } | NotStartedExported { list, .. } => {
                serde_json::to_value(list).unwrap_or_else(|_| json!({}))
            }
            FrameworkCorrected { detail, .. } => detail.clone(),
            ConfirmedListed { shown, .. } | ConfirmedExported { shown, .. } => json!({ "shown": shown }),
            CertificatesPrinted { count, .. } => json!({ "count": count }),
            RequirementsSet { year, detail, .. } | RequirementsDeleted { year, detail, .. } => {
                let mut d = detail.clone();
                d["year"] = json!(year);
                d
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, t};

    #[test]
    fn every_kind_has_a_label_in_every_language() {
        let mut missing = Vec::new();
        for k in Kind::ALL {
            for lang in [Lang::Vi, Lang::En] {
                let key = k.label_key();
                if t(lang, &key) == key {
                    missing.push(format!("{key} ({})", lang.code()));
                }
            }
        }
        assert!(missing.is_empty(), "audit labels missing: {missing:?}");
    }

    #[test]
    fn action_names_follow_the_convention_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for k in Kind::ALL {
            let a = k.action();
            let (subject, what) = a.split_once('.').unwrap_or_default();
            let snake = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            assert!(snake(subject) && snake(what) && !what.contains('.'), "{a}");
            assert!(seen.insert(a), "{a} named twice");
            assert_eq!(Kind::parse(a), Some(*k));
        }
    }

    #[test]
    fn events_keep_the_stored_shape() {
        let e = Event::PidRefused {
            pid_masked: "0010******45".into(),
            pid_ref: "ab12".into(),
            at: RefusedIn::Import { job_id: 9, line: 4 },
        };
        assert_eq!(e.action(), "person.pid_refused");
        assert_eq!(e.object(), ("import_job", "9".to_string()));
        assert_eq!(e.person_id(), None);
        assert_eq!(e.detail()["line"], 4);
        assert_eq!(e.detail()["via"], "import");
        let e = Event::DenominatorsSet {
            unit_code: "25".into(),
            year: 2025,
            detail: json!({"imported": 3}),
        };
        assert_eq!(e.detail(), json!({"imported": 3, "year": 2025}));
        assert_eq!(Event::PersonViewed { person_id: 3 }.person_id(), Some(3));
        let list = NotStartedRecord {
            year: 2026,
            course: Some("nhan-biet-lua-dao".into()),
            group: None,
            shown: 12,
            via: Some("api"),
        };
        let e = Event::NotStartedListed {
            unit_code: "06079".into(),
            list: list.clone(),
        };
        assert_eq!(e.action(), "learning.not_started_list");
        assert_eq!(e.object(), ("unit", "06079".to_string()));
        assert_eq!(e.person_id(), None);
        assert_eq!(
            e.detail(),
            json!({"year": 2026, "course": "nhan-biet-lua-dao", "shown": 12, "via": "api"})
        );
        let e = Event::NotStartedExported {
            unit_code: "06079".into(),
            list,
        };
        assert_eq!(e.action(), "learning.not_started_export");
        assert_eq!(e.detail()["shown"], 12);
    }
}
