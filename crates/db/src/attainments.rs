//! Confirmations of attainment (xác nhận đạt phổ cập kỹ năng số) and the certificates that state
//! them. One attainment per person and target group (the key decides inside the writing
//! transaction: of two simultaneous confirmations, one is stored); a certificate's id is its
//! place in the published revocation list.

use crate::people::People;
use crate::{Db, Result, Scalar, Tx, record, subtree_range};
use hocvuso_core::access::{Scope, act};
use hocvuso_core::people::TargetGroup;
use sea_query::{Expr, ExprTrait, Iden, OnConflict, Order, Query};
use time::{Date, OffsetDateTime};

#[derive(Iden, Clone, Copy)]
pub enum Attainments {
    Table,
    Id,
    PersonId,
    UnitPath,
    TargetGroup,
    FrameworkId,
    Level,
    AttainedOn,
    Method,
    Source,
    AttemptId,
    RecordedBy,
    RecordedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Certificates {
    Table,
    Id,
    Code,
    AttainmentId,
    PersonId,
    UnitPath,
    HolderName,
    Achievement,
    Criteria,
    Level,
    IssuedOn,
    IssuedAt,
    IssuerName,
    RevokedAt,
    RevokedReason,
    RevokedBy,
    CourseId,
}

/// How an attainment was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The learner's own final assessment on this platform.
    Online,
    /// A final assessment conducted in person by a helper or an officer.
    InPerson,
    /// Confirmed elsewhere (the national platform, through VNeID) and imported.
    Imported,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Online, Method::InPerson, Method::Imported];
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Online => "online",
            Method::InPerson => "in_person",
            Method::Imported => "imported",
        }
    }
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Where the confirmation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Hocvuso,
    Vneid,
}

impl Source {
    pub const ALL: [Source; 2] = [Source::Hocvuso, Source::Vneid];
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Hocvuso => "hocvuso",
            Source::Vneid => "vneid",
        }
    }
    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

crate::stored::stored_as_text!(Method, Source);

record! {
    #[derive(Debug, Clone)]
    pub struct Attainment {
        pub id: i64,
        pub person_id: i64,
        pub unit_path: String,
        pub target_group: TargetGroup as "attainments.target_group",
        pub framework_id: String,
        pub level: String,
        pub attained_on: Date,
        pub method: Method as "attainments.method",
        pub source: Source as "attainments.source",
        pub attempt_id: Option<i64>,
        pub recorded_at: OffsetDateTime,
    }
}

const ATTAINMENT_COLUMNS: [Attainments; 11] = [
    Attainments::Id,
    Attainments::PersonId,
    Attainments::UnitPath,
    Attainments::TargetGroup,
    Attainments::FrameworkId,
    Attainments::Level,
    Attainments::AttainedOn,
    Attainments::Method,
    Attainments::Source,
    Attainments::AttemptId,
    Attainments::RecordedAt,
];

pub struct NewAttainment<'a> {
    pub person_id: i64,
    pub unit_path: &'a str,
    pub group: TargetGroup,
    pub framework_id: &'a str,
    pub level: &'a str,
    pub attained_on: Date,
    pub method: Method,
    pub source: Source,
    pub attempt_id: Option<i64>,
    pub recorded_by: Option<i64>,
    pub recorded_at: OffsetDateTime,
}

/// Records an attainment; `None` when the person is confirmed for that group already (nothing
/// changes).
pub async fn record(tx: &mut Tx, a: &NewAttainment<'_>) -> Result<Option<i64>> {
    let id: Option<Scalar<i64>> = tx
        .fetch_optional(
            Query::insert()
                .into_table(Attainments::Table)
                .columns([
                    Attainments::PersonId,
                    Attainments::UnitPath,
                    Attainments::TargetGroup,
                    Attainments::FrameworkId,
                    Attainments::Level,
                    Attainments::AttainedOn,
                    Attainments::Method,
                    Attainments::Source,
                    Attainments::AttemptId,
                    Attainments::RecordedBy,
                    Attainments::RecordedAt,
                ])
                .values_panic([
                    a.person_id.into(),
                    a.unit_path.into(),
                    a.group.as_str().into(),
                    a.framework_id.into(),
                    a.level.into(),
                    a.attained_on.into(),
                    a.method.as_str().into(),
                    a.source.as_str().into(),
                    a.attempt_id.into(),
                    a.recorded_by.into(),
                    a.recorded_at.into(),
                ])
                .on_conflict(
                    OnConflict::columns([Attainments::PersonId, Attainments::TargetGroup])
                        .do_nothing()
                        .to_owned(),
                )
                .returning_col(Attainments::Id),
        )
        .await?;
    Ok(id.map(|s| s.0))
}

/// A person's attainments (their own page: the caller has established it is theirs).
pub async fn of_person(db: &Db, person_id: i64) -> Result<Vec<Attainment>> {
    db.fetch_all(
        Query::select()
            .columns(ATTAINMENT_COLUMNS)
            .from(Attainments::Table)
            .and_where(Expr::col(Attainments::PersonId).eq(person_id))
            .order_by(Attainments::Id, Order::Asc),
    )
    .await
}

/// People of a subtree (where they live now) confirmed for any group, and per group: the unit
/// page's numerator. A count, not personal data.
pub async fn confirmed_in_subtree(db: &Db, path: &str) -> Result<Vec<(TargetGroup, i64)>> {
    let (lo, hi) = subtree_range(path);
    let rows: Vec<GroupCount> = db
        .fetch_all(
            Query::select()
                .column((Attainments::Table, Attainments::TargetGroup))
                .expr_as(Expr::col((Attainments::Table, Attainments::Id)).count(), "n")
                .from(Attainments::Table)
                .inner_join(
                    People::Table,
                    Expr::col((People::Table, People::Id)).equals((Attainments::Table, Attainments::PersonId)),
                )
                .and_where(Expr::col((People::Table, People::UnitPath)).gte(lo))
                .and_where(Expr::col((People::Table, People::UnitPath)).lt(hi))
                .group_by_col((Attainments::Table, Attainments::TargetGroup)),
        )
        .await?;
    Ok(rows.into_iter().map(|r| (r.target_group, r.n)).collect())
}

record! {
    struct GroupCount {
        target_group: TargetGroup as "attainments.target_group",
        n: i64,
    }
}

record! {
    /// A confirmed person of a subtree as an officer's list shows them.
    #[derive(Debug, Clone)]
    pub struct ConfirmedPerson {
        pub person_id: i64,
        pub full_name: String,
        pub unit_path: String,
        pub target_group: TargetGroup as "attainments.target_group",
        pub level: String,
        pub attained_on: Date,
        pub method: Method as "attainments.method",
        pub source: Source as "attainments.source",
    }
}

/// The confirmed people of a scope (where they live now), newest confirmation first.
pub async fn confirmed_people(db: &Db, scope: &Scope<act::ViewPeople>, limit: u64) -> Result<Vec<ConfirmedPerson>> {
    let (lo, hi) = scope.bounds();
    db.fetch_all(
        Query::select()
            .expr_as(Expr::col((People::Table, People::Id)), "person_id")
            .column((People::Table, People::FullName))
            .column((People::Table, People::UnitPath))
            .columns([
                (Attainments::Table, Attainments::TargetGroup),
                (Attainments::Table, Attainments::Level),
                (Attainments::Table, Attainments::AttainedOn),
                (Attainments::Table, Attainments::Method),
                (Attainments::Table, Attainments::Source),
            ])
            .from(Attainments::Table)
            .inner_join(
                People::Table,
                Expr::col((People::Table, People::Id)).equals((Attainments::Table, Attainments::PersonId)),
            )
            .and_where(Expr::col((People::Table, People::UnitPath)).gte(lo))
            .and_where(Expr::col((People::Table, People::UnitPath)).lt(hi))
            .order_by((Attainments::Table, Attainments::Id), Order::Desc)
            .limit(limit),
    )
    .await
}

// ---- certificates -------------------------------------------------------------------------------

record! {
    #[derive(Debug, Clone)]
    pub struct Certificate {
        pub id: i64,
        pub code: String,
        /// Exactly one of the two is set: the attainment it states, or the course completed.
        pub attainment_id: Option<i64>,
        pub course_id: Option<i64>,
        pub person_id: i64,
        pub unit_path: String,
        pub holder_name: String,
        pub achievement: String,
        pub criteria: String,
        pub level: String,
        pub issued_on: Date,
        pub issued_at: OffsetDateTime,
        pub issuer_name: String,
        pub revoked_at: Option<OffsetDateTime>,
        pub revoked_reason: Option<String>,
    }
}

const CERTIFICATE_COLUMNS: [Certificates; 15] = [
    Certificates::Id,
    Certificates::Code,
    Certificates::AttainmentId,
    Certificates::CourseId,
    Certificates::PersonId,
    Certificates::UnitPath,
    Certificates::HolderName,
    Certificates::Achievement,
    Certificates::Criteria,
    Certificates::Level,
    Certificates::IssuedOn,
    Certificates::IssuedAt,
    Certificates::IssuerName,
    Certificates::RevokedAt,
    Certificates::RevokedReason,
];

pub struct NewCertificate<'a> {
    pub code: &'a str,
    /// What it states: an attainment, or a course completed (exactly one; the table checks it).
    pub subject: Subject,
    pub person_id: i64,
    pub unit_path: &'a str,
    pub holder_name: &'a str,
    pub achievement: &'a str,
    pub criteria: &'a str,
    pub level: &'a str,
    pub issued_on: Date,
    pub issued_at: OffsetDateTime,
    pub issuer_name: &'a str,
}

/// What a certificate states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Attainment(i64),
    /// A course completed: never an attainment, counted nowhere attainments are.
    Course(i64),
}

impl Certificate {
    pub fn subject(&self) -> Option<Subject> {
        match (self.attainment_id, self.course_id) {
            (Some(a), None) => Some(Subject::Attainment(a)),
            (None, Some(c)) => Some(Subject::Course(c)),
            _ => None,
        }
    }

    pub fn is_course(&self) -> bool {
        self.course_id.is_some()
    }
}

/// Stores a certificate; `None` when its code is taken (the caller draws another).
pub async fn issue(tx: &mut Tx, c: &NewCertificate<'_>) -> Result<Option<i64>> {
    let id: Option<Scalar<i64>> = tx
        .fetch_optional(
            Query::insert()
                .into_table(Certificates::Table)
                .columns([
                    Certificates::Code,
                    Certificates::AttainmentId,
                    Certificates::CourseId,
                    Certificates::PersonId,
                    Certificates::UnitPath,
                    Certificates::HolderName,
                    Certificates::Achievement,
                    Certificates::Criteria,
                    Certificates::Level,
                    Certificates::IssuedOn,
                    Certificates::IssuedAt,
                    Certificates::IssuerName,
                ])
                .values_panic([
                    c.code.into(),
                    match c.subject {
                        Subject::Attainment(id) => Some(id),
                        Subject::Course(_) => None,
                    }
                    .into(),
                    match c.subject {
                        Subject::Course(id) => Some(id),
                        Subject::Attainment(_) => None,
                    }
                    .into(),
                    c.person_id.into(),
                    c.unit_path.into(),
                    c.holder_name.into(),
                    c.achievement.into(),
                    c.criteria.into(),
                    c.level.into(),
                    c.issued_on.into(),
                    c.issued_at.into(),
                    c.issuer_name.into(),
                ])
                .on_conflict(OnConflict::column(Certificates::Code).do_nothing().to_owned())
                .returning_col(Certificates::Id),
        )
        .await?;
    Ok(id.map(|s| s.0))
}

fn certificates() -> sea_query::SelectStatement {
    Query::select()
        .columns(CERTIFICATE_COLUMNS)
        .from(Certificates::Table)
        .to_owned()
}

pub async fn certificate_by_code(db: &Db, code: &str) -> Result<Option<Certificate>> {
    db.fetch_optional(certificates().and_where(Expr::col(Certificates::Code).eq(code)))
        .await
}

pub async fn certificate_by_code_tx(tx: &mut Tx, code: &str) -> Result<Option<Certificate>> {
    tx.fetch_optional(
        certificates()
            .and_where(Expr::col(Certificates::Code).eq(code))
            .lock(sea_query::LockType::Update),
    )
    .await
}

pub async fn certificates_of_person(db: &Db, person_id: i64) -> Result<Vec<Certificate>> {
    db.fetch_all(
        certificates()
            .and_where(Expr::col(Certificates::PersonId).eq(person_id))
            .order_by(Certificates::Id, Order::Asc),
    )
    .await
}

/// The person's certificate of completing the course, read in the transaction that may issue it.
pub async fn course_certificate_tx(tx: &mut Tx, person_id: i64, course_id: i64) -> Result<Option<Certificate>> {
    tx.fetch_optional(
        certificates()
            .and_where(Expr::col(Certificates::CourseId).eq(course_id))
            .and_where(Expr::col(Certificates::PersonId).eq(person_id)),
    )
    .await
}

/// The person's certificate of completing the course, for the course page.
pub async fn course_certificate(db: &Db, person_id: i64, course_id: i64) -> Result<Option<Certificate>> {
    db.fetch_optional(
        certificates()
            .and_where(Expr::col(Certificates::CourseId).eq(course_id))
            .and_where(Expr::col(Certificates::PersonId).eq(person_id)),
    )
    .await
}

/// Revokes a certificate not yet revoked; false when it was already.
pub async fn revoke(tx: &mut Tx, id: i64, reason: &str, by: Option<i64>, at: OffsetDateTime) -> Result<bool> {
    let n = tx
        .execute(
            Query::update()
                .table(Certificates::Table)
                .values([
                    (Certificates::RevokedAt, at.into()),
                    (Certificates::RevokedReason, reason.into()),
                    (Certificates::RevokedBy, by.into()),
                ])
                .and_where(Expr::col(Certificates::Id).eq(id))
                .and_where(Expr::col(Certificates::RevokedAt).is_null()),
        )
        .await?;
    Ok(n == 1)
}

/// The ids of revoked certificates in `[from, to)`: one status list's set bits.
pub async fn revoked_between(db: &Db, from: i64, to: i64) -> Result<Vec<i64>> {
    let rows: Vec<Scalar<i64>> = db
        .fetch_all(
            Query::select()
                .column(Certificates::Id)
                .from(Certificates::Table)
                .and_where(Expr::col(Certificates::Id).gte(from))
                .and_where(Expr::col(Certificates::Id).lt(to))
                .and_where(Expr::col(Certificates::RevokedAt).is_not_null())
                .order_by(Certificates::Id, Order::Asc),
        )
        .await?;
    Ok(rows.into_iter().map(|s| s.0).collect())
}

record! {
    /// The person a certificate is issued to, read in the transaction that issues it.
    #[derive(Debug, Clone)]
    pub struct Holder {
        pub full_name: String,
        pub unit_path: String,
    }
}

pub async fn holder_tx(tx: &mut Tx, person_id: i64) -> Result<Option<Holder>> {
    tx.fetch_optional(
        Query::select()
            .columns([People::FullName, People::UnitPath])
            .from(People::Table)
            .and_where(Expr::col(People::Id).eq(person_id)),
    )
    .await
}

/// The certificates of attainment, not revoked, of the people of a scope (where they live now),
/// oldest first: a unit's batch to print. Certificates of a course completed are the learner's
/// own and never part of a unit's attainments.
pub async fn certificates_in_scope(db: &Db, scope: &Scope<act::ViewPeople>, limit: u64) -> Result<Vec<Certificate>> {
    let (lo, hi) = scope.bounds();
    let mut q = Query::select();
    for c in CERTIFICATE_COLUMNS {
        q.column((Certificates::Table, c));
    }
    db.fetch_all(
        q.from(Certificates::Table)
            .inner_join(
                People::Table,
                Expr::col((People::Table, People::Id)).equals((Certificates::Table, Certificates::PersonId)),
            )
            .and_where(Expr::col((People::Table, People::UnitPath)).gte(lo))
            .and_where(Expr::col((People::Table, People::UnitPath)).lt(hi))
            .and_where(Expr::col((Certificates::Table, Certificates::RevokedAt)).is_null())
            .and_where(Expr::col((Certificates::Table, Certificates::AttainmentId)).is_not_null())
            .order_by((Certificates::Table, Certificates::Id), Order::Asc)
            .limit(limit),
    )
    .await
}
