//! Learning: frameworks (one JSON document each), the levels each target group must reach, courses →
//! modules → lessons with their versions, enrolments and progress per account, and the append-only
//! store of xAPI statements. Storage only: which course a learner may open, what counts as done and
//! what a statement says are decided in `core::learning` and `app::learning`.

use crate::{Db, Result, Scalar, Tx, now, record, subtree_range};
use hocvuso_core::learning::{ContentLang, CourseStatus};
use hocvuso_core::people::Groups;
use sea_query::{Expr, ExprTrait, Func, Iden, OnConflict, Order, Query};
use serde::Serialize;
use time::OffsetDateTime;

// The tables this module owns; other modules import these to join them.
#[derive(Iden, Clone, Copy)]
pub enum Frameworks {
    Table,
    Id,
    Version,
    Title,
    Document,
    Digest,
    UpdatedBy,
    UpdatedAt,
    CorrectedFrom,
}

/// Every version of a corrected framework: 0 the shipped original, then one per correction.
#[derive(Iden, Clone, Copy)]
pub enum FrameworkVersions {
    Table,
    FrameworkId,
    VersionNo,
    Document,
    Digest,
    CreatedBy,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum FrameworkMappings {
    Table,
    FromFramework,
    ToFramework,
    Document,
    Digest,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum LearningRequirements {
    Table,
    Year,
    TargetGroup,
    FrameworkId,
    Competence,
    Level,
    UpdatedBy,
    UpdatedAt,
    /// The unit whose table the row belongs to: the country's is the national default.
    UnitPath,
}

#[derive(Iden, Clone, Copy)]
pub enum Courses {
    Table,
    Id,
    Slug,
    Language,
    Groups,
    Level,
    Status,
    SourceNote,
    SearchKey,
    Digest,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
    OwnerPath,
    SubmittedBy,
    CompletionCertificate,
}

#[derive(Iden, Clone, Copy)]
pub enum CourseTexts {
    Table,
    CourseId,
    Lang,
    Title,
    Summary,
}

#[derive(Iden, Clone, Copy)]
pub enum CourseCompetences {
    Table,
    CourseId,
    FrameworkId,
    Code,
}

#[derive(Iden, Clone, Copy)]
pub enum CourseModules {
    Table,
    Id,
    CourseId,
    Position,
    Titles,
}

#[derive(Iden, Clone, Copy)]
pub enum Lessons {
    Table,
    Id,
    CourseId,
    ModuleId,
    Position,
    Slug,
    Minutes,
    Level,
    Version,
    RetiredAt,
}

#[derive(Iden, Clone, Copy)]
pub enum LessonCompetences {
    Table,
    LessonId,
    FrameworkId,
    Code,
}

#[derive(Iden, Clone, Copy)]
pub enum LessonVersions {
    Table,
    LessonId,
    Lang,
    Version,
    Title,
    BodyMd,
    Checklist,
    Video,
    CreatedBy,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Enrolments {
    Table,
    AccountId,
    CourseId,
    EnrolledAt,
    LastLessonId,
    LastSeenAt,
    CompletedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum LessonProgress {
    Table,
    AccountId,
    LessonId,
    CourseId,
    OpenedAt,
    CompletedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum XapiStatements {
    Table,
    Id,
    Uuid,
    At,
    StoredAt,
    AccountId,
    Verb,
    CourseId,
    LessonId,
    UnitPath,
    Groups,
    Statement,
}

// ---- frameworks -------------------------------------------------------------------------------

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct FrameworkRow {
        pub id: String,
        pub version: String,
        pub title: String,
        pub document: String,
        pub digest: String,
        /// The digest of the shipped document the steering committee's corrections started
        /// from; `None` while the framework is as shipped.
        pub corrected_from: Option<String>,
    }
}

const FRAMEWORK_COLUMNS: [Frameworks; 6] = [
    Frameworks::Id,
    Frameworks::Version,
    Frameworks::Title,
    Frameworks::Document,
    Frameworks::Digest,
    Frameworks::CorrectedFrom,
];

/// Every framework, by id.
pub async fn frameworks(db: &Db) -> Result<Vec<FrameworkRow>> {
    db.fetch_all(
        Query::select()
            .columns(FRAMEWORK_COLUMNS)
            .from(Frameworks::Table)
            .order_by(Frameworks::Id, Order::Asc),
    )
    .await
}

pub async fn framework(db: &Db, id: &str) -> Result<Option<FrameworkRow>> {
    db.fetch_optional(
        Query::select()
            .columns(FRAMEWORK_COLUMNS)
            .from(Frameworks::Table)
            .and_where(Expr::col(Frameworks::Id).eq(id)),
    )
    .await
}

pub async fn frameworks_tx(tx: &mut Tx) -> Result<Vec<FrameworkRow>> {
    tx.fetch_all(
        Query::select()
            .columns(FRAMEWORK_COLUMNS)
            .from(Frameworks::Table)
            .order_by(Frameworks::Id, Order::Asc),
    )
    .await
}

pub async fn framework_tx(tx: &mut Tx, id: &str) -> Result<Option<FrameworkRow>> {
    tx.fetch_optional(
        Query::select()
            .columns(FRAMEWORK_COLUMNS)
            .from(Frameworks::Table)
            .and_where(Expr::col(Frameworks::Id).eq(id)),
    )
    .await
}

/// A correction of a framework's document, made from the stored version whose digest is `from`.
pub struct Correction<'a> {
    pub id: &'a str,
    pub from: &'a str,
    pub title: &'a str,
    pub document: &'a str,
    pub digest: &'a str,
    /// The shipped digest the corrections start from (kept when already set).
    pub original: &'a str,
}

/// Stores a correction only if the stored document is still the one it was made from: of two
/// simultaneous corrections of one version, one is stored and the other gets `false`.
pub async fn correct_framework(tx: &mut Tx, c: &Correction<'_>, by: Option<i64>) -> Result<bool> {
    let n = tx
        .execute(
            Query::update()
                .table(Frameworks::Table)
                .values([
                    (Frameworks::Title, c.title.into()),
                    (Frameworks::Document, c.document.into()),
                    (Frameworks::Digest, c.digest.into()),
                    (
                        Frameworks::CorrectedFrom,
                        Func::coalesce([Expr::col(Frameworks::CorrectedFrom), Expr::val(c.original)]).into(),
                    ),
                    (Frameworks::UpdatedBy, by.into()),
                    (Frameworks::UpdatedAt, now().into()),
                ])
                .and_where(Expr::col(Frameworks::Id).eq(c.id))
                .and_where(Expr::col(Frameworks::Digest).eq(c.from)),
        )
        .await?;
    Ok(n == 1)
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct FrameworkVersion {
        pub version_no: i32,
        pub document: String,
        pub digest: String,
        pub created_by: Option<i64>,
        pub created_at: OffsetDateTime,
    }
}

fn versions_query(id: &str) -> sea_query::SelectStatement {
    Query::select()
        .columns([
            FrameworkVersions::VersionNo,
            FrameworkVersions::Document,
            FrameworkVersions::Digest,
            FrameworkVersions::CreatedBy,
            FrameworkVersions::CreatedAt,
        ])
        .from(FrameworkVersions::Table)
        .and_where(Expr::col(FrameworkVersions::FrameworkId).eq(id))
        .order_by(FrameworkVersions::VersionNo, Order::Asc)
        .to_owned()
}

/// The versions kept of a framework, oldest (the shipped original) first; none while uncorrected.
pub async fn framework_versions(db: &Db, id: &str) -> Result<Vec<FrameworkVersion>> {
    db.fetch_all(&versions_query(id)).await
}

pub async fn framework_versions_tx(tx: &mut Tx, id: &str) -> Result<Vec<FrameworkVersion>> {
    tx.fetch_all(&versions_query(id)).await
}

pub async fn add_framework_version(
    tx: &mut Tx,
    id: &str,
    version_no: i32,
    document: &str,
    digest: &str,
    by: Option<i64>,
) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(FrameworkVersions::Table)
            .columns([
                FrameworkVersions::FrameworkId,
                FrameworkVersions::VersionNo,
                FrameworkVersions::Document,
                FrameworkVersions::Digest,
                FrameworkVersions::CreatedBy,
                FrameworkVersions::CreatedAt,
            ])
            .values_panic([
                id.into(),
                version_no.into(),
                document.into(),
                digest.into(),
                by.into(),
                now().into(),
            ]),
    )
    .await?;
    Ok(())
}

/// Adds a framework or replaces its document.
pub async fn put_framework(tx: &mut Tx, row: &FrameworkRow, by: Option<i64>) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(Frameworks::Table)
            .columns([
                Frameworks::Id,
                Frameworks::Version,
                Frameworks::Title,
                Frameworks::Document,
                Frameworks::Digest,
                Frameworks::UpdatedBy,
                Frameworks::UpdatedAt,
            ])
            .values_panic([
                row.id.clone().into(),
                row.version.clone().into(),
                row.title.clone().into(),
                row.document.clone().into(),
                row.digest.clone().into(),
                by.into(),
                now().into(),
            ])
            .on_conflict(
                OnConflict::column(Frameworks::Id)
                    .update_columns([
                        Frameworks::Version,
                        Frameworks::Title,
                        Frameworks::Document,
                        Frameworks::Digest,
                        Frameworks::UpdatedBy,
                        Frameworks::UpdatedAt,
                    ])
                    .to_owned(),
            ),
    )
    .await?;
    Ok(())
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct MappingRow {
        pub from_framework: String,
        pub to_framework: String,
        pub document: String,
        pub digest: String,
    }
}

pub async fn mappings(db: &Db) -> Result<Vec<MappingRow>> {
    db.fetch_all(
        Query::select()
            .columns([
                FrameworkMappings::FromFramework,
                FrameworkMappings::ToFramework,
                FrameworkMappings::Document,
                FrameworkMappings::Digest,
            ])
            .from(FrameworkMappings::Table)
            .order_by(FrameworkMappings::FromFramework, Order::Asc)
            .order_by(FrameworkMappings::ToFramework, Order::Asc),
    )
    .await
}

pub async fn put_mapping(tx: &mut Tx, row: &MappingRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(FrameworkMappings::Table)
            .columns([
                FrameworkMappings::FromFramework,
                FrameworkMappings::ToFramework,
                FrameworkMappings::Document,
                FrameworkMappings::Digest,
                FrameworkMappings::UpdatedAt,
            ])
            .values_panic([
                row.from_framework.clone().into(),
                row.to_framework.clone().into(),
                row.document.clone().into(),
                row.digest.clone().into(),
                now().into(),
            ])
            .on_conflict(
                OnConflict::columns([FrameworkMappings::FromFramework, FrameworkMappings::ToFramework])
                    .update_columns([
                        FrameworkMappings::Document,
                        FrameworkMappings::Digest,
                        FrameworkMappings::UpdatedAt,
                    ])
                    .to_owned(),
            ),
    )
    .await?;
    Ok(())
}

// ---- requirements -----------------------------------------------------------------------------

record! {
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Requirement {
        pub year: i32,
        pub target_group: String,
        pub framework_id: String,
        pub competence: String,
        pub level: String,
    }
}

record! {
    /// A unit's table: the latest year at or before the year asked for.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct RequirementTable {
        pub unit_path: String,
        pub year: i32,
    }
}

/// For each of `paths` (a unit and its ancestors) that has a table in `year` or before, the latest
/// such year. The nearest unit's is the one that applies (`app::learning::requirements_for`).
pub async fn requirement_tables(db: &Db, paths: &[String], year: i32) -> Result<Vec<RequirementTable>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    db.fetch_all(&requirement_tables_query(paths, year)).await
}

fn requirements_query(unit_path: &str, year: i32) -> sea_query::SelectStatement {
    Query::select()
        .columns([
            LearningRequirements::Year,
            LearningRequirements::TargetGroup,
            LearningRequirements::FrameworkId,
            LearningRequirements::Competence,
            LearningRequirements::Level,
        ])
        .from(LearningRequirements::Table)
        .and_where(Expr::col(LearningRequirements::UnitPath).eq(unit_path))
        .and_where(Expr::col(LearningRequirements::Year).eq(year))
        .order_by(LearningRequirements::TargetGroup, Order::Asc)
        .order_by(LearningRequirements::FrameworkId, Order::Asc)
        .order_by(LearningRequirements::Competence, Order::Asc)
        .to_owned()
}

/// The rows of one unit's table for exactly `year`.
pub async fn requirements_of(db: &Db, unit_path: &str, year: i32) -> Result<Vec<Requirement>> {
    db.fetch_all(&requirements_query(unit_path, year)).await
}

pub async fn requirements_of_tx(tx: &mut Tx, unit_path: &str, year: i32) -> Result<Vec<Requirement>> {
    tx.fetch_all(&requirements_query(unit_path, year)).await
}

/// The years for which the unit has a table, latest first.
pub async fn requirement_years(db: &Db, unit_path: &str) -> Result<Vec<i32>> {
    let years: Vec<Scalar<i32>> = db
        .fetch_all(
            Query::select()
                .distinct()
                .column(LearningRequirements::Year)
                .from(LearningRequirements::Table)
                .and_where(Expr::col(LearningRequirements::UnitPath).eq(unit_path))
                .order_by(LearningRequirements::Year, Order::Desc),
        )
        .await?;
    Ok(years.into_iter().map(|y| y.0).collect())
}

/// Whether the unit has any table at all (the country's: installed once from the shipped data).
pub async fn has_requirements(tx: &mut Tx, unit_path: &str) -> Result<bool> {
    let n: Scalar<i64> = tx
        .fetch_one(
            Query::select()
                .expr(Func::count(Expr::col(LearningRequirements::Year)))
                .from(LearningRequirements::Table)
                .and_where(Expr::col(LearningRequirements::UnitPath).eq(unit_path)),
        )
        .await?;
    Ok(n.0 > 0)
}

/// Removes the unit's table of `year`; the number of rows removed.
pub async fn delete_requirements(tx: &mut Tx, unit_path: &str, year: i32) -> Result<u64> {
    tx.execute(
        Query::delete()
            .from_table(LearningRequirements::Table)
            .and_where(Expr::col(LearningRequirements::UnitPath).eq(unit_path))
            .and_where(Expr::col(LearningRequirements::Year).eq(year)),
    )
    .await
}

/// Replaces the unit's table of `year` with `rows` (all of that year).
pub async fn set_requirements(
    tx: &mut Tx,
    unit_path: &str,
    year: i32,
    rows: &[Requirement],
    by: Option<i64>,
) -> Result<()> {
    delete_requirements(tx, unit_path, year).await?;
    let at = now();
    for r in rows {
        tx.execute(
            Query::insert()
                .into_table(LearningRequirements::Table)
                .columns([
                    LearningRequirements::UnitPath,
                    LearningRequirements::Year,
                    LearningRequirements::TargetGroup,
                    LearningRequirements::FrameworkId,
                    LearningRequirements::Competence,
                    LearningRequirements::Level,
                    LearningRequirements::UpdatedBy,
                    LearningRequirements::UpdatedAt,
                ])
                .values_panic([
                    unit_path.into(),
                    year.into(),
                    r.target_group.clone().into(),
                    r.framework_id.clone().into(),
                    r.competence.clone().into(),
                    r.level.clone().into(),
                    by.into(),
                    at.into(),
                ]),
        )
        .await?;
    }
    Ok(())
}

/// Beside a unit's table of a year, per target group: whether the group's learners must also have
/// completed the required lessons before a passed online final records their attainment. No row
/// is "no".
#[derive(Iden, Clone, Copy)]
pub enum LearningRequirementSettings {
    Table,
    UnitPath,
    Year,
    TargetGroup,
    LessonsRequired,
    UpdatedBy,
    UpdatedAt,
}

/// A read made on its own (a page) or inside the transaction that writes (where the rule is
/// checked again): the same statements either way.
pub enum Via<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl Via<'_> {
    async fn all<T: crate::Record, S: sea_query_sqlx::SqlxBinder>(&mut self, s: &S) -> Result<Vec<T>> {
        match self {
            Via::Db(db) => db.fetch_all(s).await,
            Via::Tx(tx) => tx.fetch_all(s).await,
        }
    }
}

fn requirement_tables_query(paths: &[String], year: i32) -> sea_query::SelectStatement {
    Query::select()
        .column(LearningRequirements::UnitPath)
        .expr_as(Func::max(Expr::col(LearningRequirements::Year)), "year")
        .from(LearningRequirements::Table)
        .and_where(Expr::col(LearningRequirements::UnitPath).is_in(paths.to_vec()))
        .and_where(Expr::col(LearningRequirements::Year).lte(year))
        .group_by_col(LearningRequirements::UnitPath)
        .to_owned()
}

/// [`requirement_tables`] as a [`Via`] read.
pub async fn requirement_tables_via(via: &mut Via<'_>, paths: &[String], year: i32) -> Result<Vec<RequirementTable>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    via.all(&requirement_tables_query(paths, year)).await
}

/// [`requirements_of`] as a [`Via`] read.
pub async fn requirements_via(via: &mut Via<'_>, unit_path: &str, year: i32) -> Result<Vec<Requirement>> {
    via.all(&requirements_query(unit_path, year)).await
}

record! {
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct LessonsSetting {
        pub target_group: String,
        pub lessons_required: bool,
    }
}

/// The groups whose "required lessons" setting is stored for the unit's table of `year`.
pub async fn lessons_settings_via(via: &mut Via<'_>, unit_path: &str, year: i32) -> Result<Vec<LessonsSetting>> {
    via.all(
        &Query::select()
            .columns([
                LearningRequirementSettings::TargetGroup,
                LearningRequirementSettings::LessonsRequired,
            ])
            .from(LearningRequirementSettings::Table)
            .and_where(Expr::col(LearningRequirementSettings::UnitPath).eq(unit_path))
            .and_where(Expr::col(LearningRequirementSettings::Year).eq(year))
            .order_by(LearningRequirementSettings::TargetGroup, Order::Asc)
            .to_owned(),
    )
    .await
}

/// Removes the settings beside the unit's table of `year`.
pub async fn delete_lessons_settings(tx: &mut Tx, unit_path: &str, year: i32) -> Result<u64> {
    tx.execute(
        Query::delete()
            .from_table(LearningRequirementSettings::Table)
            .and_where(Expr::col(LearningRequirementSettings::UnitPath).eq(unit_path))
            .and_where(Expr::col(LearningRequirementSettings::Year).eq(year)),
    )
    .await
}

/// Replaces the settings beside the unit's table of `year` (one row per group given).
pub async fn set_lessons_settings(
    tx: &mut Tx,
    unit_path: &str,
    year: i32,
    settings: &[LessonsSetting],
    by: Option<i64>,
) -> Result<()> {
    delete_lessons_settings(tx, unit_path, year).await?;
    let at = now();
    for s in settings {
        tx.execute(
            Query::insert()
                .into_table(LearningRequirementSettings::Table)
                .columns([
                    LearningRequirementSettings::UnitPath,
                    LearningRequirementSettings::Year,
                    LearningRequirementSettings::TargetGroup,
                    LearningRequirementSettings::LessonsRequired,
                    LearningRequirementSettings::UpdatedBy,
                    LearningRequirementSettings::UpdatedAt,
                ])
                .values_panic([
                    unit_path.into(),
                    year.into(),
                    s.target_group.clone().into(),
                    s.lessons_required.into(),
                    by.into(),
                    at.into(),
                ]),
        )
        .await?;
    }
    Ok(())
}

/// Every course, as [`courses`], read as a [`Via`].
pub async fn courses_via(via: &mut Via<'_>) -> Result<Vec<Course>> {
    via.all(
        &Query::select()
            .columns(COURSE_COLUMNS)
            .from(Courses::Table)
            .order_by(Courses::Id, Order::Asc)
            .to_owned(),
    )
    .await
}

/// Every course's competences, as [`course_competences`], read as a [`Via`].
pub async fn course_competences_via(via: &mut Via<'_>) -> Result<Vec<CompetenceLink>> {
    via.all(
        &Query::select()
            .expr_as(Expr::col(CourseCompetences::CourseId), OwnerId)
            .columns([CourseCompetences::FrameworkId, CourseCompetences::Code])
            .from(CourseCompetences::Table)
            .order_by(CourseCompetences::CourseId, Order::Asc)
            .to_owned(),
    )
    .await
}

/// The courses an account completed (its enrolments with `completed_at`).
pub async fn completed_courses_via(via: &mut Via<'_>, account_id: i64) -> Result<Vec<i64>> {
    let ids: Vec<Scalar<i64>> = via
        .all(
            &Query::select()
                .column(Enrolments::CourseId)
                .from(Enrolments::Table)
                .and_where(Expr::col(Enrolments::AccountId).eq(account_id))
                .and_where(Expr::col(Enrolments::CompletedAt).is_not_null())
                .to_owned(),
        )
        .await?;
    Ok(ids.into_iter().map(|s| s.0).collect())
}

// ---- courses ----------------------------------------------------------------------------------

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Course {
        pub id: i64,
        pub slug: String,
        pub language: ContentLang as "courses.language",
        pub groups: Groups as "courses.groups",
        pub level: String,
        pub status: CourseStatus as "courses.status",
        pub source_note: String,
        pub search_key: String,
        pub digest: String,
        pub published_at: Option<OffsetDateTime>,
        /// The unit the course belongs to: authors of that subtree edit it.
        pub owner_path: String,
        /// Completing every lesson gives a learner with a person record a certificate.
        pub completion_certificate: bool,
    }
}

const COURSE_COLUMNS: [Courses; 12] = [
    Courses::Id,
    Courses::Slug,
    Courses::Language,
    Courses::Groups,
    Courses::Level,
    Courses::Status,
    Courses::SourceNote,
    Courses::SearchKey,
    Courses::Digest,
    Courses::PublishedAt,
    Courses::OwnerPath,
    Courses::CompletionCertificate,
];

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct CourseText {
        pub course_id: i64,
        pub lang: ContentLang as "course_texts.lang",
        pub title: String,
        pub summary: String,
    }
}

record! {
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct CompetenceLink {
        pub owner_id: i64,
        pub framework_id: String,
        pub code: String,
    }
}

pub async fn courses(db: &Db) -> Result<Vec<Course>> {
    db.fetch_all(
        Query::select()
            .columns(COURSE_COLUMNS)
            .from(Courses::Table)
            .order_by(Courses::Id, Order::Asc),
    )
    .await
}

pub async fn course_by_slug(db: &Db, slug: &str) -> Result<Option<Course>> {
    db.fetch_optional(
        Query::select()
            .columns(COURSE_COLUMNS)
            .from(Courses::Table)
            .and_where(Expr::col(Courses::Slug).eq(slug)),
    )
    .await
}

pub async fn course_by_slug_tx(tx: &mut Tx, slug: &str) -> Result<Option<Course>> {
    tx.fetch_optional(
        Query::select()
            .columns(COURSE_COLUMNS)
            .from(Courses::Table)
            .and_where(Expr::col(Courses::Slug).eq(slug)),
    )
    .await
}

/// The course inside an author's writing transaction, held (PostgreSQL: `FOR UPDATE`; a SQLite
/// writer holds the database already) until it ends. Every change to a course's lessons, drafts
/// or files takes it first, so they go one at a time: a file is never removed while a text that
/// shows it is being saved, published or imported. Learners' writes do not take it.
pub async fn course_for_edit_tx(tx: &mut Tx, slug: &str) -> Result<Option<Course>> {
    tx.fetch_optional(
        Query::select()
            .columns(COURSE_COLUMNS)
            .from(Courses::Table)
            .and_where(Expr::col(Courses::Slug).eq(slug))
            .lock(sea_query::LockType::Update),
    )
    .await
}

/// The titles and summaries of every course, in every language they have.
pub async fn course_texts(db: &Db) -> Result<Vec<CourseText>> {
    db.fetch_all(
        Query::select()
            .columns([
                CourseTexts::CourseId,
                CourseTexts::Lang,
                CourseTexts::Title,
                CourseTexts::Summary,
            ])
            .from(CourseTexts::Table)
            .order_by(CourseTexts::CourseId, Order::Asc),
    )
    .await
}

/// Every course's competences.
pub async fn course_competences(db: &Db) -> Result<Vec<CompetenceLink>> {
    db.fetch_all(
        Query::select()
            .expr_as(Expr::col(CourseCompetences::CourseId), OwnerId)
            .columns([CourseCompetences::FrameworkId, CourseCompetences::Code])
            .from(CourseCompetences::Table)
            .order_by(CourseCompetences::CourseId, Order::Asc)
            .order_by(CourseCompetences::FrameworkId, Order::Asc)
            .order_by(CourseCompetences::Code, Order::Asc),
    )
    .await
}

#[derive(Iden, Clone, Copy)]
struct OwnerId;

fn submitted_by_query(course_id: i64) -> sea_query::SelectStatement {
    Query::select()
        .column(Courses::SubmittedBy)
        .from(Courses::Table)
        .and_where(Expr::col(Courses::Id).eq(course_id))
        .to_owned()
}

/// Who sent the course for review (kept once it is published).
pub async fn course_submitted_by(db: &Db, course_id: i64) -> Result<Option<i64>> {
    let by: Option<Scalar<Option<i64>>> = db.fetch_optional(&submitted_by_query(course_id)).await?;
    Ok(by.and_then(|s| s.0))
}

/// [`course_submitted_by`], read inside the transaction that publishes the course.
pub async fn course_submitted_by_tx(tx: &mut Tx, course_id: i64) -> Result<Option<i64>> {
    let by: Option<Scalar<Option<i64>>> = tx.fetch_optional(&submitted_by_query(course_id)).await?;
    Ok(by.and_then(|s| s.0))
}

/// Moves a course from `from` to `to` if it is still at `from` (false when another request moved
/// it first). Sending for review records who sent it; publishing stamps the first publication.
pub async fn set_course_status(
    tx: &mut Tx,
    course_id: i64,
    from: CourseStatus,
    to: CourseStatus,
    submitted_by: Option<i64>,
) -> Result<bool> {
    let at = now();
    let mut q = Query::update();
    q.table(Courses::Table)
        .values([(Courses::Status, to.as_str().into()), (Courses::UpdatedAt, at.into())])
        .and_where(Expr::col(Courses::Id).eq(course_id))
        .and_where(Expr::col(Courses::Status).eq(from.as_str()));
    if let Some(by) = submitted_by {
        q.value(Courses::SubmittedBy, by);
    }
    if to == CourseStatus::Published {
        q.value(
            Courses::PublishedAt,
            Func::coalesce([Expr::col(Courses::PublishedAt), Expr::val(at)]),
        );
    }
    Ok(tx.execute(&q).await? == 1)
}

/// Turns the course's certificate of completion on or off. A course whose setting an author
/// changed is no longer the shipped one: a later release keeps it (its digest says so).
pub async fn set_completion_certificate(tx: &mut Tx, course_id: i64, on: bool) -> Result<bool> {
    let at = now();
    let n = tx
        .execute(
            Query::update()
                .table(Courses::Table)
                .values([
                    (Courses::CompletionCertificate, on.into()),
                    (
                        Courses::Digest,
                        format!("local:certificate:{}", at.unix_timestamp()).into(),
                    ),
                    (Courses::UpdatedAt, at.into()),
                ])
                .and_where(Expr::col(Courses::Id).eq(course_id)),
        )
        .await?;
    Ok(n == 1)
}

// The columns of a CompetenceLink per lesson; callers add the tables and conditions.
fn lesson_competence_links() -> sea_query::SelectStatement {
    Query::select()
        .expr_as(
            Expr::col((LessonCompetences::Table, LessonCompetences::LessonId)),
            OwnerId,
        )
        .columns([
            (LessonCompetences::Table, LessonCompetences::FrameworkId),
            (LessonCompetences::Table, LessonCompetences::Code),
        ])
        .to_owned()
}

// One query for the pool read and the in-transaction read, so the two cannot drift apart.
fn lesson_competences_query(course_id: i64) -> sea_query::SelectStatement {
    lesson_competence_links()
        .from(LessonCompetences::Table)
        .inner_join(
            Lessons::Table,
            Expr::col((Lessons::Table, Lessons::Id)).equals((LessonCompetences::Table, LessonCompetences::LessonId)),
        )
        .and_where(Expr::col((Lessons::Table, Lessons::CourseId)).eq(course_id))
        .and_where(Expr::col((Lessons::Table, Lessons::RetiredAt)).is_null())
        .order_by((LessonCompetences::Table, LessonCompetences::LessonId), Order::Asc)
        .order_by((LessonCompetences::Table, LessonCompetences::FrameworkId), Order::Asc)
        .order_by((LessonCompetences::Table, LessonCompetences::Code), Order::Asc)
        .to_owned()
}

/// The competences of a course's live lessons, one row per lesson (`owner_id`) and competence.
pub async fn lesson_competences(db: &Db, course_id: i64) -> Result<Vec<CompetenceLink>> {
    db.fetch_all(&lesson_competences_query(course_id)).await
}

/// What a new or changed course holds, as an installer or an author's save hands it over.
pub struct CourseData<'a> {
    pub slug: &'a str,
    pub language: ContentLang,
    pub groups: Groups,
    pub level: &'a str,
    pub status: CourseStatus,
    pub source_note: &'a str,
    pub search_key: &'a str,
    pub digest: &'a str,
    pub completion_certificate: bool,
    /// The owning unit of a new course; an existing course keeps its owner.
    pub owner_path: &'a str,
    pub texts: Vec<(ContentLang, &'a str, &'a str)>,
    pub competences: Vec<(&'a str, &'a str)>,
    /// Module titles by language, in order.
    pub modules: Vec<serde_json::Value>,
    pub lessons: Vec<LessonData<'a>>,
}

pub struct LessonData<'a> {
    /// Index into `CourseData::modules`.
    pub module: usize,
    pub slug: &'a str,
    pub minutes: i32,
    pub level: &'a str,
    pub competences: Vec<(&'a str, &'a str)>,
    /// Per language: title, Markdown body, checklist as JSON, video as stored (JSON or "").
    pub texts: Vec<(ContentLang, &'a str, &'a str, String, String)>,
}

/// What [`put_course`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    pub course_id: i64,
    pub created: bool,
    /// Lessons whose text changed and got a new version.
    pub new_versions: usize,
    pub retired: usize,
}

/// Creates the course or brings it to `data`: texts, competences and modules replaced, lessons
/// matched by slug (a lesson whose text changed gets a new version, one no longer listed is
/// retired), so that learners' progress on unchanged and changed lessons alike survives.
pub async fn put_course(tx: &mut Tx, data: &CourseData<'_>, by: Option<i64>) -> Result<Changed> {
    let at = now();
    let existing = course_by_slug_tx(tx, data.slug).await?;
    let mut changed = Changed::default();
    let course_id = match &existing {
        Some(c) => {
            tx.execute(
                Query::update()
                    .table(Courses::Table)
                    .values([
                        (Courses::Language, data.language.as_str().into()),
                        (Courses::Groups, data.groups.bits().into()),
                        (Courses::Level, data.level.into()),
                        (Courses::Status, data.status.as_str().into()),
                        (Courses::SourceNote, data.source_note.into()),
                        (Courses::SearchKey, data.search_key.into()),
                        (Courses::Digest, data.digest.into()),
                        (Courses::CompletionCertificate, data.completion_certificate.into()),
                        (Courses::UpdatedAt, at.into()),
                    ])
                    .and_where(Expr::col(Courses::Id).eq(c.id)),
            )
            .await?;
            if data.status == CourseStatus::Published && c.published_at.is_none() {
                tx.execute(
                    Query::update()
                        .table(Courses::Table)
                        .value(Courses::PublishedAt, at)
                        .and_where(Expr::col(Courses::Id).eq(c.id)),
                )
                .await?;
            }
            c.id
        }
        None => {
            changed.created = true;
            let published: Option<OffsetDateTime> = (data.status == CourseStatus::Published).then_some(at);
            let id: Scalar<i64> = tx
                .fetch_one(
                    Query::insert()
                        .into_table(Courses::Table)
                        .columns([
                            Courses::Slug,
                            Courses::Language,
                            Courses::Groups,
                            Courses::Level,
                            Courses::Status,
                            Courses::SourceNote,
                            Courses::SearchKey,
                            Courses::Digest,
                            Courses::CreatedAt,
                            Courses::UpdatedAt,
                            Courses::PublishedAt,
                            Courses::OwnerPath,
                            Courses::CompletionCertificate,
                        ])
                        .values_panic([
                            data.slug.into(),
                            data.language.as_str().into(),
                            data.groups.bits().into(),
                            data.level.into(),
                            data.status.as_str().into(),
                            data.source_note.into(),
                            data.search_key.into(),
                            data.digest.into(),
                            at.into(),
                            at.into(),
                            published.into(),
                            data.owner_path.into(),
                            data.completion_certificate.into(),
                        ])
                        .returning_col(Courses::Id),
                )
                .await?;
            id.0
        }
    };
    changed.course_id = course_id;

    tx.execute(
        Query::delete()
            .from_table(CourseTexts::Table)
            .and_where(Expr::col(CourseTexts::CourseId).eq(course_id)),
    )
    .await?;
    for (lang, title, summary) in &data.texts {
        tx.execute(
            Query::insert()
                .into_table(CourseTexts::Table)
                .columns([
                    CourseTexts::CourseId,
                    CourseTexts::Lang,
                    CourseTexts::Title,
                    CourseTexts::Summary,
                ])
                .values_panic([
                    course_id.into(),
                    lang.as_str().into(),
                    (*title).into(),
                    (*summary).into(),
                ]),
        )
        .await?;
    }
    tx.execute(
        Query::delete()
            .from_table(CourseCompetences::Table)
            .and_where(Expr::col(CourseCompetences::CourseId).eq(course_id)),
    )
    .await?;
    for (framework, code) in &data.competences {
        tx.execute(
            Query::insert()
                .into_table(CourseCompetences::Table)
                .columns([
                    CourseCompetences::CourseId,
                    CourseCompetences::FrameworkId,
                    CourseCompetences::Code,
                ])
                .values_panic([course_id.into(), (*framework).into(), (*code).into()]),
        )
        .await?;
    }

    // Modules by position: titles replaced, new positions added; a module left without lessons
    // is simply not shown.
    let module_rows: Vec<(i64, i32)> = tx
        .fetch_all::<ModuleId, _>(
            Query::select()
                .columns([CourseModules::Id, CourseModules::Position])
                .from(CourseModules::Table)
                .and_where(Expr::col(CourseModules::CourseId).eq(course_id)),
        )
        .await?
        .into_iter()
        .map(|m| (m.id, m.position))
        .collect();
    let mut module_ids = Vec::with_capacity(data.modules.len());
    for (i, titles) in data.modules.iter().enumerate() {
        let position = i as i32 + 1;
        match module_rows.iter().find(|(_, p)| *p == position) {
            Some((id, _)) => {
                tx.execute(
                    Query::update()
                        .table(CourseModules::Table)
                        .value(CourseModules::Titles, titles.to_string())
                        .and_where(Expr::col(CourseModules::Id).eq(*id)),
                )
                .await?;
                module_ids.push(*id);
            }
            None => {
                let id: Scalar<i64> = tx
                    .fetch_one(
                        Query::insert()
                            .into_table(CourseModules::Table)
                            .columns([CourseModules::CourseId, CourseModules::Position, CourseModules::Titles])
                            .values_panic([course_id.into(), position.into(), titles.to_string().into()])
                            .returning_col(CourseModules::Id),
                    )
                    .await?;
                module_ids.push(id.0);
            }
        }
    }

    let old: Vec<LessonKey> = tx
        .fetch_all(
            Query::select()
                .columns([Lessons::Id, Lessons::Slug, Lessons::Version])
                .from(Lessons::Table)
                .and_where(Expr::col(Lessons::CourseId).eq(course_id)),
        )
        .await?;
    for (i, l) in data.lessons.iter().enumerate() {
        let position = i as i32 + 1;
        let module_id = module_ids.get(l.module).copied().unwrap_or_default();
        let lesson_id = match old.iter().find(|o| o.slug == l.slug) {
            Some(o) => {
                tx.execute(
                    Query::update()
                        .table(Lessons::Table)
                        .values([
                            (Lessons::ModuleId, module_id.into()),
                            (Lessons::Position, position.into()),
                            (Lessons::Minutes, l.minutes.into()),
                            (Lessons::Level, l.level.into()),
                            (Lessons::RetiredAt, Option::<OffsetDateTime>::None.into()),
                        ])
                        .and_where(Expr::col(Lessons::Id).eq(o.id)),
                )
                .await?;
                let mut changed_text = false;
                for (lang, title, body, checklist, video) in &l.texts {
                    let current: Option<VersionText> = tx
                        .fetch_optional(
                            Query::select()
                                .columns([
                                    LessonVersions::Title,
                                    LessonVersions::BodyMd,
                                    LessonVersions::Checklist,
                                    LessonVersions::Video,
                                ])
                                .from(LessonVersions::Table)
                                .and_where(Expr::col(LessonVersions::LessonId).eq(o.id))
                                .and_where(Expr::col(LessonVersions::Lang).eq(lang.as_str()))
                                .and_where(Expr::col(LessonVersions::Version).eq(o.version)),
                        )
                        .await?;
                    let same = current.as_ref().is_some_and(|c| {
                        c.title == *title && c.body_md == *body && c.checklist == *checklist && c.video == *video
                    });
                    if !same {
                        changed_text = true;
                    }
                }
                if changed_text {
                    let version = o.version + 1;
                    for (lang, title, body, checklist, video) in &l.texts {
                        insert_version(tx, o.id, *lang, version, title, body, checklist, video, by).await?;
                    }
                    tx.execute(
                        Query::update()
                            .table(Lessons::Table)
                            .value(Lessons::Version, version)
                            .and_where(Expr::col(Lessons::Id).eq(o.id)),
                    )
                    .await?;
                    changed.new_versions += 1;
                }
                o.id
            }
            None => {
                let id: Scalar<i64> = tx
                    .fetch_one(
                        Query::insert()
                            .into_table(Lessons::Table)
                            .columns([
                                Lessons::CourseId,
                                Lessons::ModuleId,
                                Lessons::Position,
                                Lessons::Slug,
                                Lessons::Minutes,
                                Lessons::Level,
                                Lessons::Version,
                            ])
                            .values_panic([
                                course_id.into(),
                                module_id.into(),
                                position.into(),
                                l.slug.into(),
                                l.minutes.into(),
                                l.level.into(),
                                1.into(),
                            ])
                            .returning_col(Lessons::Id),
                    )
                    .await?;
                for (lang, title, body, checklist, video) in &l.texts {
                    insert_version(tx, id.0, *lang, 1, title, body, checklist, video, by).await?;
                }
                id.0
            }
        };
        tx.execute(
            Query::delete()
                .from_table(LessonCompetences::Table)
                .and_where(Expr::col(LessonCompetences::LessonId).eq(lesson_id)),
        )
        .await?;
        for (framework, code) in &l.competences {
            tx.execute(
                Query::insert()
                    .into_table(LessonCompetences::Table)
                    .columns([
                        LessonCompetences::LessonId,
                        LessonCompetences::FrameworkId,
                        LessonCompetences::Code,
                    ])
                    .values_panic([lesson_id.into(), (*framework).into(), (*code).into()]),
            )
            .await?;
        }
    }
    for o in &old {
        if !data.lessons.iter().any(|l| l.slug == o.slug) {
            let n = tx
                .execute(
                    Query::update()
                        .table(Lessons::Table)
                        .value(Lessons::RetiredAt, at)
                        .and_where(Expr::col(Lessons::Id).eq(o.id))
                        .and_where(Expr::col(Lessons::RetiredAt).is_null()),
                )
                .await?;
            changed.retired += n as usize;
        }
    }
    Ok(changed)
}

record! {
    struct ModuleId {
        id: i64,
        position: i32,
    }
}

record! {
    struct LessonKey {
        id: i64,
        slug: String,
        version: i32,
    }
}

record! {
    struct VersionText {
        title: String,
        body_md: String,
        checklist: String,
        video: String,
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    tx: &mut Tx,
    lesson_id: i64,
    lang: ContentLang,
    version: i32,
    title: &str,
    body: &str,
    checklist: &str,
    video: &str,
    by: Option<i64>,
) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(LessonVersions::Table)
            .columns([
                LessonVersions::LessonId,
                LessonVersions::Lang,
                LessonVersions::Version,
                LessonVersions::Title,
                LessonVersions::BodyMd,
                LessonVersions::Checklist,
                LessonVersions::Video,
                LessonVersions::CreatedBy,
                LessonVersions::CreatedAt,
            ])
            .values_panic([
                lesson_id.into(),
                lang.as_str().into(),
                version.into(),
                title.into(),
                body.into(),
                checklist.into(),
                video.into(),
                by.into(),
                now().into(),
            ]),
    )
    .await?;
    Ok(())
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Module {
        pub id: i64,
        pub position: i32,
        pub titles: String,
    }
}

pub async fn modules(db: &Db, course_id: i64) -> Result<Vec<Module>> {
    db.fetch_all(
        Query::select()
            .columns([CourseModules::Id, CourseModules::Position, CourseModules::Titles])
            .from(CourseModules::Table)
            .and_where(Expr::col(CourseModules::CourseId).eq(course_id))
            .order_by(CourseModules::Position, Order::Asc),
    )
    .await
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Lesson {
        pub id: i64,
        pub course_id: i64,
        pub module_id: i64,
        pub position: i32,
        pub slug: String,
        pub minutes: i32,
        pub level: String,
        pub version: i32,
    }
}

const LESSON_COLUMNS: [(Lessons, Lessons); 8] = [
    (Lessons::Table, Lessons::Id),
    (Lessons::Table, Lessons::CourseId),
    (Lessons::Table, Lessons::ModuleId),
    (Lessons::Table, Lessons::Position),
    (Lessons::Table, Lessons::Slug),
    (Lessons::Table, Lessons::Minutes),
    (Lessons::Table, Lessons::Level),
    (Lessons::Table, Lessons::Version),
];

/// A course's live lessons in order.
pub async fn lessons(db: &Db, course_id: i64) -> Result<Vec<Lesson>> {
    db.fetch_all(
        Query::select()
            .columns(LESSON_COLUMNS)
            .from(Lessons::Table)
            .and_where(Expr::col(Lessons::CourseId).eq(course_id))
            .and_where(Expr::col(Lessons::RetiredAt).is_null())
            .order_by(Lessons::Position, Order::Asc),
    )
    .await
}

/// Every live lesson of every course (the catalogue's counts and minutes).
pub async fn all_lessons(db: &Db) -> Result<Vec<Lesson>> {
    db.fetch_all(
        Query::select()
            .columns(LESSON_COLUMNS)
            .from(Lessons::Table)
            .and_where(Expr::col(Lessons::RetiredAt).is_null())
            .order_by(Lessons::CourseId, Order::Asc)
            .order_by(Lessons::Position, Order::Asc),
    )
    .await
}

/// A live lesson, read inside the transaction that records progress on it.
pub async fn lesson_tx(tx: &mut Tx, lesson_id: i64) -> Result<Option<Lesson>> {
    tx.fetch_optional(
        Query::select()
            .columns(LESSON_COLUMNS)
            .from(Lessons::Table)
            .and_where(Expr::col(Lessons::Id).eq(lesson_id))
            .and_where(Expr::col(Lessons::RetiredAt).is_null()),
    )
    .await
}

/// A live lesson of a course by its slug, inside the transaction that records progress on it.
pub async fn lesson_by_slug_tx(tx: &mut Tx, course_id: i64, slug: &str) -> Result<Option<Lesson>> {
    tx.fetch_optional(
        Query::select()
            .columns(LESSON_COLUMNS)
            .from(Lessons::Table)
            .and_where(Expr::col(Lessons::CourseId).eq(course_id))
            .and_where(Expr::col(Lessons::Slug).eq(slug))
            .and_where(Expr::col(Lessons::RetiredAt).is_null()),
    )
    .await
}

/// A course's title in `lang`, or in Vietnamese.
pub async fn course_title_tx(tx: &mut Tx, course_id: i64, lang: ContentLang) -> Result<Option<String>> {
    let rows: Vec<CourseText> = tx
        .fetch_all(
            Query::select()
                .columns([
                    CourseTexts::CourseId,
                    CourseTexts::Lang,
                    CourseTexts::Title,
                    CourseTexts::Summary,
                ])
                .from(CourseTexts::Table)
                .and_where(Expr::col(CourseTexts::CourseId).eq(course_id)),
        )
        .await?;
    Ok(rows
        .iter()
        .find(|r| r.lang == lang)
        .or_else(|| rows.iter().find(|r| r.lang == ContentLang::Vi))
        .map(|r| r.title.clone()))
}

/// A lesson's current title in `lang`, or in Vietnamese.
pub async fn lesson_title_tx(tx: &mut Tx, lesson: &Lesson, lang: ContentLang) -> Result<Option<String>> {
    let rows: Vec<LessonTitle> = tx
        .fetch_all(
            Query::select()
                .columns([LessonVersions::LessonId, LessonVersions::Lang, LessonVersions::Title])
                .from(LessonVersions::Table)
                .and_where(Expr::col(LessonVersions::LessonId).eq(lesson.id))
                .and_where(Expr::col(LessonVersions::Version).eq(lesson.version)),
        )
        .await?;
    Ok(rows
        .iter()
        .find(|r| r.lang == lang)
        .or_else(|| rows.iter().find(|r| r.lang == ContentLang::Vi))
        .map(|r| r.title.clone()))
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct LessonTitle {
        pub lesson_id: i64,
        pub lang: ContentLang as "lesson_versions.lang",
        pub title: String,
    }
}

/// The current titles of a course's live lessons, in every language they have.
pub async fn lesson_titles(db: &Db, course_id: i64) -> Result<Vec<LessonTitle>> {
    db.fetch_all(
        Query::select()
            .columns([
                (LessonVersions::Table, LessonVersions::LessonId),
                (LessonVersions::Table, LessonVersions::Lang),
                (LessonVersions::Table, LessonVersions::Title),
            ])
            .from(LessonVersions::Table)
            .inner_join(
                Lessons::Table,
                Expr::col((Lessons::Table, Lessons::Id))
                    .equals((LessonVersions::Table, LessonVersions::LessonId))
                    .and(
                        Expr::col((Lessons::Table, Lessons::Version))
                            .equals((LessonVersions::Table, LessonVersions::Version)),
                    ),
            )
            .and_where(Expr::col((Lessons::Table, Lessons::CourseId)).eq(course_id))
            .and_where(Expr::col((Lessons::Table, Lessons::RetiredAt)).is_null()),
    )
    .await
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct LessonText {
        pub lang: ContentLang as "lesson_versions.lang",
        pub version: i32,
        pub title: String,
        pub body_md: String,
        pub checklist: String,
        /// JSON or "" (core::learning::video::Video::from_stored).
        pub video: String,
    }
}

/// The current version of a lesson in every language it has.
pub async fn lesson_texts(db: &Db, lesson: &Lesson) -> Result<Vec<LessonText>> {
    db.fetch_all(
        Query::select()
            .columns([
                LessonVersions::Lang,
                LessonVersions::Version,
                LessonVersions::Title,
                LessonVersions::BodyMd,
                LessonVersions::Checklist,
                LessonVersions::Video,
            ])
            .from(LessonVersions::Table)
            .and_where(Expr::col(LessonVersions::LessonId).eq(lesson.id))
            .and_where(Expr::col(LessonVersions::Version).eq(lesson.version)),
    )
    .await
}

record! {
    struct AudioOfText {
        audio_source: Option<crate::audio::AudioSource> as "lesson_audio.source",
        audio_bytes: Option<i64>,
        audio_duration_ms: Option<i64>,
    }
}

/// [`lesson_texts`] with the stored audio of each text (its size and length, not its bytes), in
/// one statement: what the lesson page shows.
pub async fn lesson_texts_with_audio(
    db: &Db,
    lesson: &Lesson,
) -> Result<Vec<(LessonText, Option<crate::audio::AudioInfo>)>> {
    use crate::audio::LessonAudio;
    let rows: Vec<crate::Both<LessonText, AudioOfText>> = db
        .fetch_all(
            Query::select()
                .columns([
                    (LessonVersions::Table, LessonVersions::Lang),
                    (LessonVersions::Table, LessonVersions::Version),
                    (LessonVersions::Table, LessonVersions::Title),
                    (LessonVersions::Table, LessonVersions::BodyMd),
                    (LessonVersions::Table, LessonVersions::Checklist),
                    (LessonVersions::Table, LessonVersions::Video),
                ])
                .expr_as(Expr::col((LessonAudio::Table, LessonAudio::Source)), "audio_source")
                .expr_as(Expr::col((LessonAudio::Table, LessonAudio::Bytes)), "audio_bytes")
                .expr_as(
                    Expr::col((LessonAudio::Table, LessonAudio::DurationMs)),
                    "audio_duration_ms",
                )
                .from(LessonVersions::Table)
                .left_join(
                    LessonAudio::Table,
                    Expr::col((LessonAudio::Table, LessonAudio::LessonId))
                        .equals((LessonVersions::Table, LessonVersions::LessonId))
                        .and(
                            Expr::col((LessonAudio::Table, LessonAudio::Lang))
                                .equals((LessonVersions::Table, LessonVersions::Lang)),
                        )
                        .and(
                            Expr::col((LessonAudio::Table, LessonAudio::Version))
                                .equals((LessonVersions::Table, LessonVersions::Version)),
                        ),
                )
                .and_where(Expr::col((LessonVersions::Table, LessonVersions::LessonId)).eq(lesson.id))
                .and_where(Expr::col((LessonVersions::Table, LessonVersions::Version)).eq(lesson.version)),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|crate::Both(t, a)| {
            let info = match (a.audio_source, a.audio_bytes, a.audio_duration_ms) {
                (Some(source), Some(bytes), Some(duration_ms)) => Some(crate::audio::AudioInfo {
                    source,
                    bytes,
                    duration_ms,
                }),
                _ => None,
            };
            (t, info)
        })
        .collect())
}

/// The competences of the lessons an account completed, one row per lesson and competence.
pub async fn completed_competences(db: &Db, account_id: i64) -> Result<Vec<CompetenceLink>> {
    db.fetch_all(
        lesson_competence_links()
            .from(LessonProgress::Table)
            .inner_join(
                LessonCompetences::Table,
                Expr::col((LessonCompetences::Table, LessonCompetences::LessonId))
                    .equals((LessonProgress::Table, LessonProgress::LessonId)),
            )
            .and_where(Expr::col((LessonProgress::Table, LessonProgress::AccountId)).eq(account_id))
            .and_where(Expr::col((LessonProgress::Table, LessonProgress::CompletedAt)).is_not_null()),
    )
    .await
}

// ---- enrolments and progress ------------------------------------------------------------------

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Enrolment {
        pub account_id: i64,
        pub course_id: i64,
        pub enrolled_at: OffsetDateTime,
        pub last_lesson_id: Option<i64>,
        pub last_seen_at: OffsetDateTime,
        pub completed_at: Option<OffsetDateTime>,
    }
}

const ENROLMENT_COLUMNS: [Enrolments; 6] = [
    Enrolments::AccountId,
    Enrolments::CourseId,
    Enrolments::EnrolledAt,
    Enrolments::LastLessonId,
    Enrolments::LastSeenAt,
    Enrolments::CompletedAt,
];

/// An account's enrolments, the most recently used first.
pub async fn enrolments(db: &Db, account_id: i64) -> Result<Vec<Enrolment>> {
    db.fetch_all(
        Query::select()
            .columns(ENROLMENT_COLUMNS)
            .from(Enrolments::Table)
            .and_where(Expr::col(Enrolments::AccountId).eq(account_id))
            .order_by(Enrolments::LastSeenAt, Order::Desc)
            .order_by(Enrolments::CourseId, Order::Asc),
    )
    .await
}

pub async fn enrolment_tx(tx: &mut Tx, account_id: i64, course_id: i64) -> Result<Option<Enrolment>> {
    tx.fetch_optional(
        Query::select()
            .columns(ENROLMENT_COLUMNS)
            .from(Enrolments::Table)
            .and_where(Expr::col(Enrolments::AccountId).eq(account_id))
            .and_where(Expr::col(Enrolments::CourseId).eq(course_id)),
    )
    .await
}

/// Enrols; `false` if the account was enrolled already (a second post changes nothing).
pub async fn enrol(tx: &mut Tx, account_id: i64, course_id: i64, at: OffsetDateTime) -> Result<bool> {
    let n = tx
        .execute(
            Query::insert()
                .into_table(Enrolments::Table)
                .columns([
                    Enrolments::AccountId,
                    Enrolments::CourseId,
                    Enrolments::EnrolledAt,
                    Enrolments::LastSeenAt,
                ])
                .values_panic([account_id.into(), course_id.into(), at.into(), at.into()])
                .on_conflict(
                    OnConflict::columns([Enrolments::AccountId, Enrolments::CourseId])
                        .do_nothing()
                        .to_owned(),
                ),
        )
        .await?;
    Ok(n == 1)
}

/// Where the learner is in the course now (the "continue" link).
pub async fn touch(tx: &mut Tx, account_id: i64, course_id: i64, lesson_id: i64, at: OffsetDateTime) -> Result<()> {
    tx.execute(
        Query::update()
            .table(Enrolments::Table)
            .values([
                (Enrolments::LastLessonId, lesson_id.into()),
                (Enrolments::LastSeenAt, at.into()),
            ])
            .and_where(Expr::col(Enrolments::AccountId).eq(account_id))
            .and_where(Expr::col(Enrolments::CourseId).eq(course_id)),
    )
    .await?;
    Ok(())
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Progress {
        pub lesson_id: i64,
        pub course_id: i64,
        pub opened_at: OffsetDateTime,
        pub completed_at: Option<OffsetDateTime>,
    }
}

const PROGRESS_COLUMNS: [LessonProgress; 4] = [
    LessonProgress::LessonId,
    LessonProgress::CourseId,
    LessonProgress::OpenedAt,
    LessonProgress::CompletedAt,
];

/// An account's progress on every lesson it opened (of one course, or of all).
pub async fn progress(db: &Db, account_id: i64, course_id: Option<i64>) -> Result<Vec<Progress>> {
    let mut q = Query::select();
    q.columns(PROGRESS_COLUMNS)
        .from(LessonProgress::Table)
        .and_where(Expr::col(LessonProgress::AccountId).eq(account_id));
    if let Some(c) = course_id {
        q.and_where(Expr::col(LessonProgress::CourseId).eq(c));
    }
    db.fetch_all(&q).await
}

pub async fn progress_tx(tx: &mut Tx, account_id: i64, lesson_id: i64) -> Result<Option<Progress>> {
    tx.fetch_optional(
        Query::select()
            .columns(PROGRESS_COLUMNS)
            .from(LessonProgress::Table)
            .and_where(Expr::col(LessonProgress::AccountId).eq(account_id))
            .and_where(Expr::col(LessonProgress::LessonId).eq(lesson_id)),
    )
    .await
}

/// Records the first opening of a lesson; `false` if it was opened before.
pub async fn open(tx: &mut Tx, account_id: i64, lesson: &Lesson, at: OffsetDateTime) -> Result<bool> {
    let n = tx
        .execute(
            Query::insert()
                .into_table(LessonProgress::Table)
                .columns([
                    LessonProgress::AccountId,
                    LessonProgress::LessonId,
                    LessonProgress::CourseId,
                    LessonProgress::OpenedAt,
                ])
                .values_panic([account_id.into(), lesson.id.into(), lesson.course_id.into(), at.into()])
                .on_conflict(
                    OnConflict::columns([LessonProgress::AccountId, LessonProgress::LessonId])
                        .do_nothing()
                        .to_owned(),
                ),
        )
        .await?;
    Ok(n == 1)
}

/// Marks a lesson done; `false` if it was done already (a second post changes nothing).
pub async fn complete(tx: &mut Tx, account_id: i64, lesson: &Lesson, at: OffsetDateTime) -> Result<bool> {
    open(tx, account_id, lesson, at).await?;
    let n = tx
        .execute(
            Query::update()
                .table(LessonProgress::Table)
                .value(LessonProgress::CompletedAt, at)
                .and_where(Expr::col(LessonProgress::AccountId).eq(account_id))
                .and_where(Expr::col(LessonProgress::LessonId).eq(lesson.id))
                .and_where(Expr::col(LessonProgress::CompletedAt).is_null()),
        )
        .await?;
    Ok(n == 1)
}

/// Marks the course done when every live lesson is; `true` if this call did it.
pub async fn complete_course_if_done(tx: &mut Tx, account_id: i64, course_id: i64, at: OffsetDateTime) -> Result<bool> {
    let live: Scalar<i64> = tx
        .fetch_one(
            Query::select()
                .expr(Func::count(Expr::col(Lessons::Id)))
                .from(Lessons::Table)
                .and_where(Expr::col(Lessons::CourseId).eq(course_id))
                .and_where(Expr::col(Lessons::RetiredAt).is_null()),
        )
        .await?;
    let done: Scalar<i64> = tx
        .fetch_one(
            Query::select()
                .expr(Func::count(Expr::col((
                    LessonProgress::Table,
                    LessonProgress::LessonId,
                ))))
                .from(LessonProgress::Table)
                .inner_join(
                    Lessons::Table,
                    Expr::col((Lessons::Table, Lessons::Id)).equals((LessonProgress::Table, LessonProgress::LessonId)),
                )
                .and_where(Expr::col((LessonProgress::Table, LessonProgress::AccountId)).eq(account_id))
                .and_where(Expr::col((LessonProgress::Table, LessonProgress::CourseId)).eq(course_id))
                .and_where(Expr::col((LessonProgress::Table, LessonProgress::CompletedAt)).is_not_null())
                .and_where(Expr::col((Lessons::Table, Lessons::RetiredAt)).is_null()),
        )
        .await?;
    if live.0 == 0 || done.0 < live.0 {
        return Ok(false);
    }
    let n = tx
        .execute(
            Query::update()
                .table(Enrolments::Table)
                .value(Enrolments::CompletedAt, at)
                .and_where(Expr::col(Enrolments::AccountId).eq(account_id))
                .and_where(Expr::col(Enrolments::CourseId).eq(course_id))
                .and_where(Expr::col(Enrolments::CompletedAt).is_null()),
        )
        .await?;
    Ok(n == 1)
}

// ---- a learner on one lesson: few statements -------------------------------------------------
//
// The lesson page and its "done" post are what every learner sends most (docs/PERFORMANCE.md,
// learning): the reads below each answer in one statement what took two to five.

record! {
    /// A live lesson read beside its course (columns named so as not to clash with the course's).
    #[derive(Debug, Clone)]
    struct LessonOfCourse {
        lesson_id: i64,
        module_id: i64,
        position: i32,
        lesson_slug: String,
        minutes: i32,
        lesson_level: String,
        version: i32,
    }
}

impl LessonOfCourse {
    fn lesson(self, course_id: i64) -> Lesson {
        Lesson {
            id: self.lesson_id,
            course_id,
            module_id: self.module_id,
            position: self.position,
            slug: self.lesson_slug,
            minutes: self.minutes,
            level: self.lesson_level,
            version: self.version,
        }
    }
}

fn course_columns(q: &mut sea_query::SelectStatement) -> &mut sea_query::SelectStatement {
    q.columns(COURSE_COLUMNS.map(|c| (Courses::Table, c)))
}

fn lesson_of_course_columns(q: &mut sea_query::SelectStatement) -> &mut sea_query::SelectStatement {
    q.expr_as(Expr::col((Lessons::Table, Lessons::Id)), "lesson_id")
        .column((Lessons::Table, Lessons::ModuleId))
        .column((Lessons::Table, Lessons::Position))
        .expr_as(Expr::col((Lessons::Table, Lessons::Slug)), "lesson_slug")
        .column((Lessons::Table, Lessons::Minutes))
        .expr_as(Expr::col((Lessons::Table, Lessons::Level)), "lesson_level")
        .column((Lessons::Table, Lessons::Version))
}

/// A course by its slug with its live lessons in order, in one statement; `None` when there is no
/// such course or it has no live lesson.
pub async fn course_with_lessons(db: &Db, slug: &str) -> Result<Option<(Course, Vec<Lesson>)>> {
    let mut q = Query::select();
    course_columns(&mut q);
    lesson_of_course_columns(&mut q)
        .from(Courses::Table)
        .inner_join(
            Lessons::Table,
            Expr::col((Lessons::Table, Lessons::CourseId))
                .equals((Courses::Table, Courses::Id))
                .and(Expr::col((Lessons::Table, Lessons::RetiredAt)).is_null()),
        )
        .and_where(Expr::col((Courses::Table, Courses::Slug)).eq(slug))
        .order_by((Lessons::Table, Lessons::Position), Order::Asc);
    let rows: Vec<crate::Both<Course, LessonOfCourse>> = db.fetch_all(&q).await?;
    let mut rows = rows.into_iter();
    let Some(crate::Both(course, first)) = rows.next() else {
        return Ok(None);
    };
    let mut lessons = vec![first.lesson(course.id)];
    lessons.extend(rows.map(|crate::Both(_, l)| l.lesson(course.id)));
    Ok(Some((course, lessons)))
}

/// A course's title and summary in every language it has.
pub async fn texts_of_course(db: &Db, course_id: i64) -> Result<Vec<CourseText>> {
    db.fetch_all(
        Query::select()
            .columns([
                CourseTexts::CourseId,
                CourseTexts::Lang,
                CourseTexts::Title,
                CourseTexts::Summary,
            ])
            .from(CourseTexts::Table)
            .and_where(Expr::col(CourseTexts::CourseId).eq(course_id)),
    )
    .await
}

record! {
    /// Where an account stands in a course it is enrolled in, and on one of its lessons.
    #[derive(Debug, Clone)]
    pub struct Standing {
        pub last_lesson_id: Option<i64>,
        pub opened_at: Option<OffsetDateTime>,
        pub done_at: Option<OffsetDateTime>,
    }
}

/// The account's enrolment in the course with its progress on the lesson, in one statement;
/// `None` when it is not enrolled.
pub async fn standing(db: &Db, account_id: i64, course_id: i64, lesson_id: i64) -> Result<Option<Standing>> {
    db.fetch_optional(
        Query::select()
            .column((Enrolments::Table, Enrolments::LastLessonId))
            .column((LessonProgress::Table, LessonProgress::OpenedAt))
            .expr_as(
                Expr::col((LessonProgress::Table, LessonProgress::CompletedAt)),
                "done_at",
            )
            .from(Enrolments::Table)
            .left_join(
                LessonProgress::Table,
                Expr::col((LessonProgress::Table, LessonProgress::AccountId))
                    .equals((Enrolments::Table, Enrolments::AccountId))
                    .and(Expr::col((LessonProgress::Table, LessonProgress::LessonId)).eq(lesson_id)),
            )
            .and_where(Expr::col((Enrolments::Table, Enrolments::AccountId)).eq(account_id))
            .and_where(Expr::col((Enrolments::Table, Enrolments::CourseId)).eq(course_id)),
    )
    .await
}

record! {
    struct OpenCheck {
        status: CourseStatus as "courses.status",
        enrolled: Option<i64>,
    }
}

/// Inside the transaction that records a first opening: whether the lesson is still a live lesson
/// of the course, the course still open to learners (`None` otherwise), and the account enrolled.
pub async fn may_open_tx(tx: &mut Tx, account_id: i64, course_id: i64, lesson_id: i64) -> Result<Option<bool>> {
    let row: Option<OpenCheck> = tx
        .fetch_optional(
            Query::select()
                .column((Courses::Table, Courses::Status))
                .expr_as(Expr::col((Enrolments::Table, Enrolments::AccountId)), "enrolled")
                .from(Lessons::Table)
                .inner_join(
                    Courses::Table,
                    Expr::col((Courses::Table, Courses::Id)).equals((Lessons::Table, Lessons::CourseId)),
                )
                .left_join(
                    Enrolments::Table,
                    Expr::col((Enrolments::Table, Enrolments::CourseId))
                        .equals((Lessons::Table, Lessons::CourseId))
                        .and(Expr::col((Enrolments::Table, Enrolments::AccountId)).eq(account_id)),
                )
                .and_where(Expr::col((Lessons::Table, Lessons::Id)).eq(lesson_id))
                .and_where(Expr::col((Lessons::Table, Lessons::CourseId)).eq(course_id))
                .and_where(Expr::col((Lessons::Table, Lessons::RetiredAt)).is_null()),
        )
        .await?;
    Ok(row
        .filter(|r| r.status.open_to_learners())
        .map(|r| r.enrolled.is_some()))
}

/// A title in `lang`, else in Vietnamese, as a column of the row around it (`NULL` when neither).
fn title_in(q: sea_query::SelectStatement) -> Expr {
    Expr::SubQuery(None, Box::new(q.into()))
}

fn course_title_expr(lang: ContentLang) -> Expr {
    title_in(
        Query::select()
            .column((CourseTexts::Table, CourseTexts::Title))
            .from(CourseTexts::Table)
            .and_where(Expr::col((CourseTexts::Table, CourseTexts::CourseId)).equals((Courses::Table, Courses::Id)))
            .and_where(Expr::col((CourseTexts::Table, CourseTexts::Lang)).is_in([lang.as_str(), "vi"]))
            // The language asked for before Vietnamese (false sorts first on both backends).
            .order_by_expr(Expr::col((CourseTexts::Table, CourseTexts::Lang)).eq("vi"), Order::Asc)
            .limit(1)
            .to_owned(),
    )
}

fn lesson_title_expr(lang: ContentLang) -> Expr {
    title_in(
        Query::select()
            .column((LessonVersions::Table, LessonVersions::Title))
            .from(LessonVersions::Table)
            .and_where(
                Expr::col((LessonVersions::Table, LessonVersions::LessonId)).equals((Lessons::Table, Lessons::Id)),
            )
            .and_where(
                Expr::col((LessonVersions::Table, LessonVersions::Version)).equals((Lessons::Table, Lessons::Version)),
            )
            .and_where(Expr::col((LessonVersions::Table, LessonVersions::Lang)).is_in([lang.as_str(), "vi"]))
            .order_by_expr(
                Expr::col((LessonVersions::Table, LessonVersions::Lang)).eq("vi"),
                Order::Asc,
            )
            .limit(1)
            .to_owned(),
    )
}

record! {
    struct CompletionRow {
        enrolled: Option<i64>,
        last_lesson_id: Option<i64>,
        lesson_id: Option<i64>,
        module_id: Option<i64>,
        position: Option<i32>,
        lesson_slug: Option<String>,
        minutes: Option<i32>,
        lesson_level: Option<String>,
        version: Option<i32>,
        opened_at: Option<OffsetDateTime>,
        done_at: Option<OffsetDateTime>,
        course_title: Option<String>,
        lesson_title: Option<String>,
    }
}

/// What marking a lesson done needs, read in one statement inside its transaction.
#[derive(Debug, Clone)]
pub struct Completion {
    pub course: Course,
    /// `None` when the account is not enrolled in the course.
    pub enrolment: Option<EnrolledAt>,
    /// `None` when the course has no live lesson of that slug.
    pub lesson: Option<LessonStanding>,
    /// In the language asked for, else Vietnamese; "" when neither.
    pub course_title: String,
}

#[derive(Debug, Clone)]
pub struct EnrolledAt {
    pub last_lesson_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct LessonStanding {
    pub lesson: Lesson,
    pub opened_at: Option<OffsetDateTime>,
    pub done_at: Option<OffsetDateTime>,
    pub title: String,
}

/// The course by its slug, the account's enrolment in it, the live lesson of that slug, the
/// account's progress on it and both titles in `lang`: one statement inside the transaction that
/// marks the lesson done. `None` when there is no such course.
pub async fn completion_tx(
    tx: &mut Tx,
    account_id: i64,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
) -> Result<Option<Completion>> {
    let mut q = Query::select();
    course_columns(&mut q);
    lesson_of_course_columns(&mut q)
        .expr_as(Expr::col((Enrolments::Table, Enrolments::AccountId)), "enrolled")
        .column((Enrolments::Table, Enrolments::LastLessonId))
        .column((LessonProgress::Table, LessonProgress::OpenedAt))
        .expr_as(
            Expr::col((LessonProgress::Table, LessonProgress::CompletedAt)),
            "done_at",
        )
        .expr_as(course_title_expr(lang), "course_title")
        .expr_as(lesson_title_expr(lang), "lesson_title")
        .from(Courses::Table)
        .left_join(
            Enrolments::Table,
            Expr::col((Enrolments::Table, Enrolments::CourseId))
                .equals((Courses::Table, Courses::Id))
                .and(Expr::col((Enrolments::Table, Enrolments::AccountId)).eq(account_id)),
        )
        .left_join(
            Lessons::Table,
            Expr::col((Lessons::Table, Lessons::CourseId))
                .equals((Courses::Table, Courses::Id))
                .and(Expr::col((Lessons::Table, Lessons::Slug)).eq(lesson_slug))
                .and(Expr::col((Lessons::Table, Lessons::RetiredAt)).is_null()),
        )
        .left_join(
            LessonProgress::Table,
            Expr::col((LessonProgress::Table, LessonProgress::LessonId))
                .equals((Lessons::Table, Lessons::Id))
                .and(Expr::col((LessonProgress::Table, LessonProgress::AccountId)).eq(account_id)),
        )
        .and_where(Expr::col((Courses::Table, Courses::Slug)).eq(course_slug));
    let row: Option<crate::Both<Course, CompletionRow>> = tx.fetch_optional(&q).await?;
    let Some(crate::Both(course, r)) = row else {
        return Ok(None);
    };
    let lesson = match (
        r.lesson_id,
        r.module_id,
        r.position,
        r.lesson_slug,
        r.minutes,
        r.lesson_level,
        r.version,
    ) {
        (Some(id), Some(module_id), Some(position), Some(slug), Some(minutes), Some(level), Some(version)) => {
            Some(LessonStanding {
                lesson: Lesson {
                    id,
                    course_id: course.id,
                    module_id,
                    position,
                    slug,
                    minutes,
                    level,
                    version,
                },
                opened_at: r.opened_at,
                done_at: r.done_at,
                title: r.lesson_title.unwrap_or_default(),
            })
        }
        _ => None,
    };
    Ok(Some(Completion {
        enrolment: r.enrolled.map(|_| EnrolledAt {
            last_lesson_id: r.last_lesson_id,
        }),
        lesson,
        course_title: r.course_title.unwrap_or_default(),
        course,
    }))
}

/// Marks a lesson done, recording its opening too if it had none, in one statement; `false` if it
/// was done already (a second post changes nothing).
pub async fn complete_once(tx: &mut Tx, account_id: i64, lesson: &Lesson, at: OffsetDateTime) -> Result<bool> {
    let n = tx
        .execute(
            Query::insert()
                .into_table(LessonProgress::Table)
                .columns([
                    LessonProgress::AccountId,
                    LessonProgress::LessonId,
                    LessonProgress::CourseId,
                    LessonProgress::OpenedAt,
                    LessonProgress::CompletedAt,
                ])
                .values_panic([
                    account_id.into(),
                    lesson.id.into(),
                    lesson.course_id.into(),
                    at.into(),
                    at.into(),
                ])
                .on_conflict(
                    OnConflict::columns([LessonProgress::AccountId, LessonProgress::LessonId])
                        .update_column(LessonProgress::CompletedAt)
                        .action_and_where(Expr::col((LessonProgress::Table, LessonProgress::CompletedAt)).is_null())
                        .to_owned(),
                ),
        )
        .await?;
    Ok(n == 1)
}

record! {
    /// A live lesson of a course in order, and whether the account has done it.
    #[derive(Debug, Clone)]
    pub struct LessonDone {
        pub id: i64,
        pub slug: String,
        pub completed_at: Option<OffsetDateTime>,
    }
}

/// A course's live lessons in order with the account's completions, in one statement (inside the
/// transaction that marked one done: whether the course is done, and where to go on).
pub async fn lessons_done_tx(tx: &mut Tx, account_id: i64, course_id: i64) -> Result<Vec<LessonDone>> {
    tx.fetch_all(
        Query::select()
            .column((Lessons::Table, Lessons::Id))
            .column((Lessons::Table, Lessons::Slug))
            .column((LessonProgress::Table, LessonProgress::CompletedAt))
            .from(Lessons::Table)
            .left_join(
                LessonProgress::Table,
                Expr::col((LessonProgress::Table, LessonProgress::LessonId))
                    .equals((Lessons::Table, Lessons::Id))
                    .and(Expr::col((LessonProgress::Table, LessonProgress::AccountId)).eq(account_id)),
            )
            .and_where(Expr::col((Lessons::Table, Lessons::CourseId)).eq(course_id))
            .and_where(Expr::col((Lessons::Table, Lessons::RetiredAt)).is_null())
            .order_by((Lessons::Table, Lessons::Position), Order::Asc),
    )
    .await
}

/// Marks the course done for the account (the caller saw every live lesson done); `true` if this
/// call did it.
pub async fn finish_course(tx: &mut Tx, account_id: i64, course_id: i64, at: OffsetDateTime) -> Result<bool> {
    let n = tx
        .execute(
            Query::update()
                .table(Enrolments::Table)
                .value(Enrolments::CompletedAt, at)
                .and_where(Expr::col(Enrolments::AccountId).eq(account_id))
                .and_where(Expr::col(Enrolments::CourseId).eq(course_id))
                .and_where(Expr::col(Enrolments::CompletedAt).is_null()),
        )
        .await?;
    Ok(n == 1)
}

// ---- xAPI statements --------------------------------------------------------------------------

/// One statement as stored: the columns counts need, beside the statement itself.
pub struct NewStatement<'a> {
    pub uuid: &'a str,
    pub at: OffsetDateTime,
    pub account_id: i64,
    pub verb: &'a str,
    pub course_id: i64,
    pub lesson_id: Option<i64>,
    pub unit_path: &'a str,
    pub groups: Groups,
    pub statement: &'a serde_json::Value,
}

pub async fn append_statement(tx: &mut Tx, s: &NewStatement<'_>) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(XapiStatements::Table)
            .columns([
                XapiStatements::Uuid,
                XapiStatements::At,
                XapiStatements::StoredAt,
                XapiStatements::AccountId,
                XapiStatements::Verb,
                XapiStatements::CourseId,
                XapiStatements::LessonId,
                XapiStatements::UnitPath,
                XapiStatements::Groups,
                XapiStatements::Statement,
            ])
            .values_panic([
                s.uuid.into(),
                s.at.into(),
                now().into(),
                s.account_id.into(),
                s.verb.into(),
                s.course_id.into(),
                s.lesson_id.into(),
                s.unit_path.into(),
                s.groups.bits().into(),
                s.statement.to_string().into(),
            ]),
    )
    .await?;
    Ok(())
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct StoredStatement {
        pub id: i64,
        pub uuid: String,
        pub at: OffsetDateTime,
        pub account_id: i64,
        pub verb: String,
        pub course_id: i64,
        pub lesson_id: Option<i64>,
        pub unit_path: String,
        pub groups: Groups as "xapi_statements.groups",
        pub statement: String,
    }
}

const STATEMENT_COLUMNS: [XapiStatements; 10] = [
    XapiStatements::Id,
    XapiStatements::Uuid,
    XapiStatements::At,
    XapiStatements::AccountId,
    XapiStatements::Verb,
    XapiStatements::CourseId,
    XapiStatements::LessonId,
    XapiStatements::UnitPath,
    XapiStatements::Groups,
    XapiStatements::Statement,
];

/// An account's statements in the order they were stored.
pub async fn statements_of(db: &Db, account_id: i64) -> Result<Vec<StoredStatement>> {
    db.fetch_all(
        Query::select()
            .columns(STATEMENT_COLUMNS)
            .from(XapiStatements::Table)
            .and_where(Expr::col(XapiStatements::AccountId).eq(account_id))
            .order_by(XapiStatements::Id, Order::Asc),
    )
    .await
}

/// How many statements of `verb` were made in a unit subtree in `[from, to)`, per course: one
/// index range on (unit_path, at).
pub async fn count_in_subtree(
    db: &Db,
    path: &str,
    verb: &str,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<(i64, i64)>> {
    let (lo, hi) = subtree_range(path);
    let rows: Vec<CourseCount> = db
        .fetch_all(
            Query::select()
                .column(XapiStatements::CourseId)
                .expr_as(Func::count(Expr::col(XapiStatements::Id)), Count)
                .from(XapiStatements::Table)
                .and_where(Expr::col(XapiStatements::UnitPath).gte(lo))
                .and_where(Expr::col(XapiStatements::UnitPath).lt(hi))
                .and_where(Expr::col(XapiStatements::At).gte(from))
                .and_where(Expr::col(XapiStatements::At).lt(to))
                .and_where(Expr::col(XapiStatements::Verb).eq(verb))
                .group_by_col(XapiStatements::CourseId)
                .order_by(XapiStatements::CourseId, Order::Asc),
        )
        .await?;
    Ok(rows.into_iter().map(|r| (r.course_id, r.count)).collect())
}

#[derive(Iden, Clone, Copy)]
struct Count;

record! {
    struct CourseCount {
        course_id: i64,
        count: i64,
    }
}

// ---- figures for units ------------------------------------------------------------------------

record! {
    /// Enrolments of residents of a subtree in one course, for one combination of target groups.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct FigureRow {
        pub course_id: i64,
        pub groups: Groups as "people.groups",
        pub enrolled: i64,
        pub started: i64,
        pub completed: i64,
    }
}

#[derive(Iden, Clone, Copy)]
enum Figure {
    Enrolled,
    Started,
    Completed,
}

/// Per course and combination of target groups: learners living inside `[lo, hi)` who enrolled in
/// `[from, to)`, how many of them opened a lesson and how many completed the course. Learners are
/// counted where they live now (their resident record), so a move or a merge re-files them.
pub async fn unit_figures(
    db: &Db,
    (lo, hi): (String, String),
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<FigureRow>> {
    use crate::accounts::Accounts;
    use crate::people::People;
    db.fetch_all(
        Query::select()
            .column((Enrolments::Table, Enrolments::CourseId))
            .column((People::Table, People::Groups))
            .expr_as(
                Func::count(Expr::col((Enrolments::Table, Enrolments::AccountId))),
                Figure::Enrolled,
            )
            .expr_as(
                Func::count(Expr::col((Enrolments::Table, Enrolments::LastLessonId))),
                Figure::Started,
            )
            .expr_as(
                Func::count(Expr::col((Enrolments::Table, Enrolments::CompletedAt))),
                Figure::Completed,
            )
            .from(Enrolments::Table)
            .inner_join(
                Accounts::Table,
                Expr::col((Accounts::Table, Accounts::Id)).equals((Enrolments::Table, Enrolments::AccountId)),
            )
            .inner_join(
                People::Table,
                Expr::col((People::Table, People::Id)).equals((Accounts::Table, Accounts::PersonId)),
            )
            .and_where(Expr::col((People::Table, People::UnitPath)).gte(lo))
            .and_where(Expr::col((People::Table, People::UnitPath)).lt(hi))
            .and_where(Expr::col((Enrolments::Table, Enrolments::EnrolledAt)).gte(from))
            .and_where(Expr::col((Enrolments::Table, Enrolments::EnrolledAt)).lt(to))
            .group_by_col((Enrolments::Table, Enrolments::CourseId))
            .group_by_col((People::Table, People::Groups))
            .order_by((Enrolments::Table, Enrolments::CourseId), Order::Asc)
            .order_by((People::Table, People::Groups), Order::Asc),
    )
    .await
}

/// How many statements are stored (the benchmark's check that every event was kept).
pub async fn statements_count(db: &Db) -> Result<i64> {
    let n: Scalar<i64> = db
        .fetch_one(
            Query::select()
                .expr(Func::count(Expr::col(XapiStatements::Id)))
                .from(XapiStatements::Table),
        )
        .await?;
    Ok(n.0)
}

// ---- residents who have not started -----------------------------------------------------------

/// Which residents a list of those who have not started reads, and what counts as a start.
#[derive(Debug, Clone, Copy)]
pub struct NotStartedFilter {
    /// Enrolments made in `[from, to)` count (the period of [`unit_figures`]).
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    /// Only an opened lesson of this course counts as a start; `None`: of any course.
    pub course_id: Option<i64>,
    /// Only residents in at least one of these groups (the groups a course is written for);
    /// `None` or empty: everyone.
    pub groups_any: Option<Groups>,
    /// Only residents in this group.
    pub group: Option<hocvuso_core::people::TargetGroup>,
}

/// A page of residents in Vietnamese order, with cursors to the pages on either side (the
/// people list's row type, so both lists show a person the same way).
#[derive(Debug, Clone, Serialize)]
pub struct NotStartedPage {
    pub people: Vec<crate::people::Person>,
    pub next_cursor: Option<String>,
    pub prev_cursor: Option<String>,
}

record! {
    struct KeyedId {
        id: i64,
        name_key: Vec<u8>,
    }
}

/// Residents of `scope` (matching `f`) who have not started: no enrolment of theirs made in
/// `[f.from, f.to)` (in `f.course_id`, when given) has an opened lesson. That is the complement of
/// [`unit_figures`]'s "started" (`last_lesson_id` set on an enrolment of the period), so a
/// subtree's started learners and this list together are its residents. A resident without an
/// account has started nothing. In the people list's order (the Vietnamese sort key, then id),
/// `limit` a page, paging either way from a cursor of an earlier page (one that does not decode
/// reads the first page).
pub async fn not_started(
    db: &Db,
    scope: &hocvuso_core::access::Scope<hocvuso_core::access::act::ViewPeople>,
    f: &NotStartedFilter,
    at: crate::people::PageAt<'_>,
    limit: u64,
) -> Result<NotStartedPage> {
    use crate::people::{PageAt, People};
    let seek = match at {
        PageAt::First => None,
        PageAt::After(c) => decode_cursor(c).map(|k| (k, false)),
        PageAt::Before(c) => decode_cursor(c).map(|k| (k, true)),
    };
    let backwards = matches!(seek, Some((_, true)));
    let order = if backwards { Order::Desc } else { Order::Asc };
    let key = || Expr::col((People::Table, People::NameKey));
    let id = || Expr::col((People::Table, People::Id));
    let mut q = Query::select();
    q.column((People::Table, People::Id))
        .column((People::Table, People::NameKey))
        .from(People::Table);
    where_not_started(&mut q, scope, f);
    match &seek {
        None => {}
        Some(((k, i), false)) => {
            q.and_where(key().gt(k.clone()).or(key().eq(k.clone()).and(id().gt(*i))));
        }
        Some(((k, i), true)) => {
            q.and_where(key().lt(k.clone()).or(key().eq(k.clone()).and(id().lt(*i))));
        }
    }
    q.order_by((People::Table, People::NameKey), order.clone())
        .order_by((People::Table, People::Id), order)
        .limit(limit.saturating_add(1));
    let mut rows: Vec<KeyedId> = db.fetch_all(&q).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    if backwards {
        rows.reverse();
    }
    let first = rows.first().map(|r| encode_cursor(&r.name_key, r.id));
    let last = rows.last().map(|r| encode_cursor(&r.name_key, r.id));
    let (prev_cursor, next_cursor) = match seek {
        None => (None, last.filter(|_| more)),
        Some((_, false)) => (first, last.filter(|_| more)),
        Some((_, true)) => (first.filter(|_| more), last),
    };
    // The whole rows through the people module's own reader, a bounded IN list at a time.
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut people = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        people.extend(crate::people::get_many(db, std::slice::from_ref(scope), chunk).await?);
    }
    let position: std::collections::HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    people.sort_by_key(|p| position.get(&p.id).copied().unwrap_or(usize::MAX));
    Ok(NotStartedPage {
        people,
        next_cursor,
        prev_cursor,
    })
}

/// How many residents of `scope` match `f` and have not started (the total above the list).
pub async fn count_not_started(
    db: &Db,
    scope: &hocvuso_core::access::Scope<hocvuso_core::access::act::ViewPeople>,
    f: &NotStartedFilter,
) -> Result<i64> {
    use crate::people::People;
    let mut q = Query::select();
    q.expr(Expr::cust("COUNT(*)")).from(People::Table);
    where_not_started(&mut q, scope, f);
    let n: Scalar<i64> = db.fetch_one(&q).await?;
    Ok(n.0)
}

/// `people` rows of `scope` matching `f` with no start in the period: the one condition of the
/// list and of its total.
fn where_not_started(
    q: &mut sea_query::SelectStatement,
    scope: &hocvuso_core::access::Scope<hocvuso_core::access::act::ViewPeople>,
    f: &NotStartedFilter,
) {
    use crate::accounts::Accounts;
    use crate::people::People;
    let (lo, hi) = scope.bounds();
    let mut started = Query::select();
    started
        .expr(Expr::val(1))
        .from(Enrolments::Table)
        .inner_join(
            Accounts::Table,
            Expr::col((Accounts::Table, Accounts::Id)).equals((Enrolments::Table, Enrolments::AccountId)),
        )
        .and_where(Expr::col((Accounts::Table, Accounts::PersonId)).equals((People::Table, People::Id)))
        .and_where(Expr::col((Enrolments::Table, Enrolments::EnrolledAt)).gte(f.from))
        .and_where(Expr::col((Enrolments::Table, Enrolments::EnrolledAt)).lt(f.to))
        .and_where(Expr::col((Enrolments::Table, Enrolments::LastLessonId)).is_not_null());
    if let Some(c) = f.course_id {
        started.and_where(Expr::col((Enrolments::Table, Enrolments::CourseId)).eq(c));
    }
    q.and_where(Expr::col((People::Table, People::UnitPath)).gte(lo))
        .and_where(Expr::col((People::Table, People::UnitPath)).lt(hi))
        .and_where(Expr::not_exists(started));
    if let Some(g) = f.groups_any.filter(|g| !g.is_empty()) {
        q.and_where(Expr::col((People::Table, People::Groups)).bit_and(g.bits()).ne(0));
    }
    if let Some(g) = f.group {
        let mut one = Groups::default();
        one.insert(g);
        q.and_where(Expr::col((People::Table, People::Groups)).bit_and(one.bits()).ne(0));
    }
}

fn encode_cursor(key: &[u8], id: i64) -> String {
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{id}")
}

/// A cursor from a URL: bounded, hex sort key and an id, else `None` (read the first page).
fn decode_cursor(c: &str) -> Option<(Vec<u8>, i64)> {
    let (k, id) = c.split_once('.')?;
    if !k.len().is_multiple_of(2) || k.len() > 2048 {
        return None;
    }
    let key = (0..k.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(k.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some((key, id.parse().ok()?))
}

#[cfg(test)]
mod not_started_tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = encode_cursor(&[0, 7, 255], 42);
        assert_eq!(decode_cursor(&c), Some((vec![0, 7, 255], 42)));
        for bad in ["", "zz.1", "abc.1", "00.x", "nonsense", "éé.1"] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }
}

// ---- a course as stored, read inside a writing transaction ------------------------------------
//
// Importing a package over a published course compares the package with what learners read now;
// the comparison and the drafts it stages must see the same rows, so it reads inside the Tx.

/// One course's titles and summaries, every language it has.
pub async fn course_texts_tx(tx: &mut Tx, course_id: i64) -> Result<Vec<CourseText>> {
    tx.fetch_all(
        Query::select()
            .columns([
                CourseTexts::CourseId,
                CourseTexts::Lang,
                CourseTexts::Title,
                CourseTexts::Summary,
            ])
            .from(CourseTexts::Table)
            .and_where(Expr::col(CourseTexts::CourseId).eq(course_id))
            .order_by(CourseTexts::Lang, Order::Asc),
    )
    .await
}

/// One course's competences.
pub async fn course_competences_tx(tx: &mut Tx, course_id: i64) -> Result<Vec<CompetenceLink>> {
    tx.fetch_all(
        Query::select()
            .expr_as(Expr::col(CourseCompetences::CourseId), OwnerId)
            .columns([CourseCompetences::FrameworkId, CourseCompetences::Code])
            .from(CourseCompetences::Table)
            .and_where(Expr::col(CourseCompetences::CourseId).eq(course_id))
            .order_by(CourseCompetences::FrameworkId, Order::Asc)
            .order_by(CourseCompetences::Code, Order::Asc),
    )
    .await
}

/// [`lesson_competences`] inside a transaction.
pub async fn lesson_competences_tx(tx: &mut Tx, course_id: i64) -> Result<Vec<CompetenceLink>> {
    tx.fetch_all(&lesson_competences_query(course_id)).await
}

/// [`modules`] inside a transaction.
pub async fn modules_tx(tx: &mut Tx, course_id: i64) -> Result<Vec<Module>> {
    tx.fetch_all(
        Query::select()
            .columns([CourseModules::Id, CourseModules::Position, CourseModules::Titles])
            .from(CourseModules::Table)
            .and_where(Expr::col(CourseModules::CourseId).eq(course_id))
            .order_by(CourseModules::Position, Order::Asc),
    )
    .await
}

/// [`lessons`] inside a transaction.
pub async fn lessons_tx(tx: &mut Tx, course_id: i64) -> Result<Vec<Lesson>> {
    tx.fetch_all(
        Query::select()
            .columns(LESSON_COLUMNS)
            .from(Lessons::Table)
            .and_where(Expr::col(Lessons::CourseId).eq(course_id))
            .and_where(Expr::col(Lessons::RetiredAt).is_null())
            .order_by(Lessons::Position, Order::Asc),
    )
    .await
}

/// [`lesson_texts`] inside a transaction.
pub async fn lesson_texts_tx(tx: &mut Tx, lesson: &Lesson) -> Result<Vec<LessonText>> {
    tx.fetch_all(
        Query::select()
            .columns([
                LessonVersions::Lang,
                LessonVersions::Version,
                LessonVersions::Title,
                LessonVersions::BodyMd,
                LessonVersions::Checklist,
                LessonVersions::Video,
            ])
            .from(LessonVersions::Table)
            .and_where(Expr::col(LessonVersions::LessonId).eq(lesson.id))
            .and_where(Expr::col(LessonVersions::Version).eq(lesson.version))
            .order_by(LessonVersions::Lang, Order::Asc),
    )
    .await
}
