//! A course's images and downloadable files: listed without their bytes (a lesson page needs
//! names and sizes), read one variant at a time, written once under a name the course did not
//! hold.

use crate::authoring::LessonDrafts;
use crate::learning::{LessonVersions, Lessons};
use crate::{Db, Result, Tx, now, record};
use hocvuso_core::learning::ContentLang;
use hocvuso_core::learning::media::MediaKind;
use sea_query::{Alias, Expr, ExprTrait, Iden, Order, Query};
use time::OffsetDateTime;

#[derive(Iden, Clone, Copy)]
pub enum CourseMedia {
    Table,
    CourseId,
    Name,
    Kind,
    Content,
    Phone,
    Width,
    Height,
    Bytes,
    Sha256,
    UploadedBy,
    UploadedAt,
}

record! {
    /// One file of a course, without its bytes.
    #[derive(Debug, Clone)]
    pub struct MediaInfo {
        pub name: String,
        pub kind: MediaKind as "course_media.kind",
        pub width: i32,
        pub height: i32,
        pub bytes: i64,
        pub sha256: String,
        pub uploaded_at: OffsetDateTime,
    }
}

record! {
    struct Content {
        content: Vec<u8>,
    }
}

record! {
    struct Phone {
        phone: Option<Vec<u8>>,
    }
}

record! {
    struct Name {
        name: String,
    }
}

const INFO: [CourseMedia; 7] = [
    CourseMedia::Name,
    CourseMedia::Kind,
    CourseMedia::Width,
    CourseMedia::Height,
    CourseMedia::Bytes,
    CourseMedia::Sha256,
    CourseMedia::UploadedAt,
];

/// The files of a course, by name.
pub async fn list(db: &Db, course_id: i64) -> Result<Vec<MediaInfo>> {
    db.fetch_all(
        Query::select()
            .columns(INFO)
            .from(CourseMedia::Table)
            .and_where(Expr::col(CourseMedia::CourseId).eq(course_id))
            .order_by(CourseMedia::Name, Order::Asc),
    )
    .await
}

/// [`list`] inside a transaction: what a lesson is checked against as it is written.
pub async fn list_tx(tx: &mut Tx, course_id: i64) -> Result<Vec<MediaInfo>> {
    tx.fetch_all(
        Query::select()
            .columns(INFO)
            .from(CourseMedia::Table)
            .and_where(Expr::col(CourseMedia::CourseId).eq(course_id))
            .order_by(CourseMedia::Name, Order::Asc),
    )
    .await
}

fn one(course_id: i64, name: &str) -> sea_query::SelectStatement {
    Query::select()
        .from(CourseMedia::Table)
        .and_where(Expr::col(CourseMedia::CourseId).eq(course_id))
        .and_where(Expr::col(CourseMedia::Name).eq(name))
        .to_owned()
}

/// The stored bytes of a file: a download, or an image's full variant.
pub async fn content(db: &Db, course_id: i64, name: &str) -> Result<Option<Vec<u8>>> {
    let row: Option<Content> = db
        .fetch_optional(one(course_id, name).column(CourseMedia::Content))
        .await?;
    Ok(row.map(|r| r.content))
}

/// [`content`] inside a transaction: what an import compares a package's file with.
pub async fn content_tx(tx: &mut Tx, course_id: i64, name: &str) -> Result<Option<Vec<u8>>> {
    let row: Option<Content> = tx
        .fetch_optional(one(course_id, name).column(CourseMedia::Content))
        .await?;
    Ok(row.map(|r| r.content))
}

/// An image's phone-sized variant (`None` for a download or an unknown name).
pub async fn phone(db: &Db, course_id: i64, name: &str) -> Result<Option<Vec<u8>>> {
    let row: Option<Phone> = db
        .fetch_optional(one(course_id, name).column(CourseMedia::Phone))
        .await?;
    Ok(row.and_then(|r| r.phone))
}

/// The names a course holds now, read in the writing transaction.
pub async fn names_tx(tx: &mut Tx, course_id: i64) -> Result<Vec<String>> {
    let rows: Vec<Name> = tx
        .fetch_all(
            Query::select()
                .column(CourseMedia::Name)
                .from(CourseMedia::Table)
                .and_where(Expr::col(CourseMedia::CourseId).eq(course_id)),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

pub struct NewMedia<'a> {
    pub course_id: i64,
    pub name: &'a str,
    pub kind: MediaKind,
    pub content: &'a [u8],
    pub phone: Option<&'a [u8]>,
    pub width: u32,
    pub height: u32,
    pub sha256: &'a str,
    pub uploaded_by: Option<i64>,
}

/// Stores a file under a name the caller found free in the same transaction; the key makes a
/// second writer of the same name fail rather than replace it.
pub async fn put(tx: &mut Tx, m: &NewMedia<'_>) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(CourseMedia::Table)
            .columns([
                CourseMedia::CourseId,
                CourseMedia::Name,
                CourseMedia::Kind,
                CourseMedia::Content,
                CourseMedia::Phone,
                CourseMedia::Width,
                CourseMedia::Height,
                CourseMedia::Bytes,
                CourseMedia::Sha256,
                CourseMedia::UploadedBy,
                CourseMedia::UploadedAt,
            ])
            .values_panic([
                m.course_id.into(),
                m.name.into(),
                m.kind.as_str().into(),
                m.content.to_vec().into(),
                m.phone.map(<[u8]>::to_vec).into(),
                i64::from(m.width).into(),
                i64::from(m.height).into(),
                (m.content.len() as i64).into(),
                m.sha256.into(),
                m.uploaded_by.into(),
                now().into(),
            ]),
    )
    .await?;
    Ok(())
}

record! {
    /// A lesson text of a course that a file's removal must respect: the published one of a
    /// lesson learners can open, or a draft in any state.
    #[derive(Debug, Clone)]
    pub struct CourseText {
        pub lesson_slug: String,
        pub lang: ContentLang as "lesson_versions.lang",
        pub title: String,
        pub body_md: String,
        pub draft: bool,
    }
}

/// Every text of a course that may show a file: the current version of each lesson not retired,
/// in every language, and every draft. Read in the removing transaction, after the course is held.
pub async fn texts_tx(tx: &mut Tx, course_id: i64) -> Result<Vec<CourseText>> {
    let published = Query::select()
        .expr_as(Expr::col((Lessons::Table, Lessons::Slug)), Alias::new("lesson_slug"))
        .expr_as(
            Expr::col((LessonVersions::Table, LessonVersions::Lang)),
            Alias::new("lang"),
        )
        .expr_as(
            Expr::col((LessonVersions::Table, LessonVersions::Title)),
            Alias::new("title"),
        )
        .expr_as(
            Expr::col((LessonVersions::Table, LessonVersions::BodyMd)),
            Alias::new("body_md"),
        )
        .expr_as(Expr::val(false), Alias::new("draft"))
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
        .and_where(Expr::col((Lessons::Table, Lessons::RetiredAt)).is_null())
        .to_owned();
    let drafts = Query::select()
        .expr_as(Expr::col((Lessons::Table, Lessons::Slug)), Alias::new("lesson_slug"))
        .expr_as(Expr::col((LessonDrafts::Table, LessonDrafts::Lang)), Alias::new("lang"))
        .expr_as(
            Expr::col((LessonDrafts::Table, LessonDrafts::Title)),
            Alias::new("title"),
        )
        .expr_as(
            Expr::col((LessonDrafts::Table, LessonDrafts::BodyMd)),
            Alias::new("body_md"),
        )
        .expr_as(Expr::val(true), Alias::new("draft"))
        .from(LessonDrafts::Table)
        .inner_join(
            Lessons::Table,
            Expr::col((Lessons::Table, Lessons::Id)).equals((LessonDrafts::Table, LessonDrafts::LessonId)),
        )
        .and_where(Expr::col((Lessons::Table, Lessons::CourseId)).eq(course_id))
        .to_owned();
    let mut rows: Vec<CourseText> = tx.fetch_all(&published).await?;
    let staged: Vec<CourseText> = tx.fetch_all(&drafts).await?;
    rows.extend(staged);
    Ok(rows)
}

/// Removes a file; false when the course did not hold it.
pub async fn remove(tx: &mut Tx, course_id: i64, name: &str) -> Result<bool> {
    let n = tx
        .execute(
            Query::delete()
                .from_table(CourseMedia::Table)
                .and_where(Expr::col(CourseMedia::CourseId).eq(course_id))
                .and_where(Expr::col(CourseMedia::Name).eq(name)),
        )
        .await?;
    Ok(n > 0)
}

/// The pictures of question items (migration 0027): stored under a name made from their bytes,
/// written once and never removed, so an attempt's copy of an item always finds its picture.
#[derive(Iden, Clone, Copy)]
pub enum BankPictures {
    Table,
    Name,
    Content,
    Phone,
    Width,
    Height,
    Bytes,
    Sha256,
    UploadedBy,
    UploadedAt,
}

pub struct NewPicture<'a> {
    pub name: &'a str,
    pub content: &'a [u8],
    pub phone: &'a [u8],
    pub width: u32,
    pub height: u32,
    pub sha256: &'a str,
    pub uploaded_by: Option<i64>,
}

/// Stores an item's picture; a name already stored holds the same picture (the name is made from
/// its bytes) and is left as it is.
pub async fn put_picture(tx: &mut Tx, p: &NewPicture<'_>) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(BankPictures::Table)
            .columns([
                BankPictures::Name,
                BankPictures::Content,
                BankPictures::Phone,
                BankPictures::Width,
                BankPictures::Height,
                BankPictures::Bytes,
                BankPictures::Sha256,
                BankPictures::UploadedBy,
                BankPictures::UploadedAt,
            ])
            .values_panic([
                p.name.into(),
                p.content.to_vec().into(),
                p.phone.to_vec().into(),
                i64::from(p.width).into(),
                i64::from(p.height).into(),
                (p.content.len() as i64).into(),
                p.sha256.into(),
                p.uploaded_by.into(),
                now().into(),
            ])
            .on_conflict(
                sea_query::OnConflict::column(BankPictures::Name)
                    .do_nothing()
                    .to_owned(),
            ),
    )
    .await?;
    Ok(())
}

/// An item picture's bytes: its phone-sized variant or its full one.
pub async fn picture(db: &Db, name: &str, phone: bool) -> Result<Option<Vec<u8>>> {
    let column = if phone {
        BankPictures::Phone
    } else {
        BankPictures::Content
    };
    let row: Option<Content> = db
        .fetch_optional(
            Query::select()
                .expr_as(Expr::col(column), Alias::new("content"))
                .from(BankPictures::Table)
                .and_where(Expr::col(BankPictures::Name).eq(name)),
        )
        .await?;
    Ok(row.map(|r| r.content))
}
