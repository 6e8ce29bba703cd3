//! A whole-course revision waiting for review: the package an author uploaded over a published
//! course whose shape it changes, kept as uploaded until a second person publishes or returns it.

use crate::{Db, Result, Tx, now, record};
use sea_query::{Expr, ExprTrait, Iden, Query};
use time::OffsetDateTime;

#[derive(Iden, Clone, Copy)]
pub enum CourseRevisions {
    Table,
    CourseId,
    Package,
    Digest,
    SubmittedBy,
    SubmittedAt,
}

record! {
    /// The waiting revision of a course.
    #[derive(Debug, Clone)]
    pub struct Revision {
        pub course_id: i64,
        pub package: Vec<u8>,
        pub digest: String,
        pub submitted_by: i64,
        pub submitted_at: OffsetDateTime,
    }
}

const COLUMNS: [CourseRevisions; 5] = [
    CourseRevisions::CourseId,
    CourseRevisions::Package,
    CourseRevisions::Digest,
    CourseRevisions::SubmittedBy,
    CourseRevisions::SubmittedAt,
];

fn of(course_id: i64) -> sea_query::SelectStatement {
    Query::select()
        .columns(COLUMNS)
        .from(CourseRevisions::Table)
        .and_where(Expr::col(CourseRevisions::CourseId).eq(course_id))
        .to_owned()
}

/// The revision waiting for a course, if any.
pub async fn get(db: &Db, course_id: i64) -> Result<Option<Revision>> {
    db.fetch_optional(&of(course_id)).await
}

/// [`get`] inside the writing transaction (the course held first).
pub async fn get_tx(tx: &mut Tx, course_id: i64) -> Result<Option<Revision>> {
    tx.fetch_optional(&of(course_id)).await
}

/// Stores a course's revision; the key makes a second one fail rather than replace the first.
pub async fn put(tx: &mut Tx, course_id: i64, package: &[u8], digest: &str, by: i64) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(CourseRevisions::Table)
            .columns(COLUMNS)
            .values_panic([
                course_id.into(),
                package.to_vec().into(),
                digest.into(),
                by.into(),
                now().into(),
            ]),
    )
    .await?;
    Ok(())
}

/// Removes the course's revision (published or returned); false when none was waiting.
pub async fn remove(tx: &mut Tx, course_id: i64) -> Result<bool> {
    let n = tx
        .execute(
            Query::delete()
                .from_table(CourseRevisions::Table)
                .and_where(Expr::col(CourseRevisions::CourseId).eq(course_id)),
        )
        .await?;
    Ok(n > 0)
}

record! {
    struct Waiting {
        digest: String,
    }
}

/// The digest of the revision waiting for the course, if one does (without reading its package).
pub async fn waiting(db: &Db, course_id: i64) -> Result<Option<String>> {
    let row: Option<Waiting> = db
        .fetch_optional(
            Query::select()
                .column(CourseRevisions::Digest)
                .from(CourseRevisions::Table)
                .and_where(Expr::col(CourseRevisions::CourseId).eq(course_id)),
        )
        .await?;
    Ok(row.map(|r| r.digest))
}
