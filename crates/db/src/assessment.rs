//! Question banks (issue 10): items as one JSON document each, with the columns a blueprint
//! draws by. An item belongs to a unit and a pool; its code is unique within the unit, and every
//! change names the revision it was made from.

use crate::{Db, Result, Scalar, Tx, now, record};
use hocvuso_core::assessment::{Difficulty, Item};
use hocvuso_core::learning::CourseStatus;
use sea_query::{Expr, ExprTrait, Iden, OnConflict, Order, Query};
use time::OffsetDateTime;

#[derive(Iden, Clone, Copy)]
pub enum QuestionItems {
    Table,
    Id,
    OwnerPath,
    Pool,
    Code,
    FrameworkId,
    Competence,
    Level,
    Difficulty,
    Status,
    Document,
    Revision,
    UpdatedBy,
    UpdatedAt,
}

crate::stored::stored_as_text!(Difficulty);

/// An item document as stored: it must read back as an item of this release.
impl crate::stored::Stored for Item {
    type Raw = String;
    fn from_stored(raw: &String) -> Option<Self> {
        serde_json::from_str(raw).ok()
    }
}

record! {
    #[derive(Debug, Clone)]
    pub struct StoredItem {
        pub id: i64,
        pub owner_path: String,
        pub pool: String,
        pub status: CourseStatus as "question_items.status",
        pub item: Item as "question_items.document",
        pub revision: i32,
        pub updated_at: OffsetDateTime,
    }
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            QuestionItems::Id,
            QuestionItems::OwnerPath,
            QuestionItems::Pool,
            QuestionItems::Status,
        ])
        .expr_as(Expr::col(QuestionItems::Document), "item")
        .columns([QuestionItems::Revision, QuestionItems::UpdatedAt])
        .from(QuestionItems::Table)
        .to_owned()
}

fn document(item: &Item) -> Result<String> {
    serde_json::to_string(item).map_err(|e| crate::DbError::Invalid(e.to_string()))
}

/// Stores a new item of `owner_path`'s bank; `None` when the unit holds its code already (the
/// key decides, inside the caller's transaction: of two imports of the same code, one stores it).
pub async fn insert(
    tx: &mut Tx,
    owner_path: &str,
    pool: &str,
    item: &Item,
    status: CourseStatus,
    by: Option<i64>,
) -> Result<Option<i64>> {
    let id: Option<Scalar<i64>> = tx
        .fetch_optional(
            Query::insert()
                .into_table(QuestionItems::Table)
                .columns([
                    QuestionItems::OwnerPath,
                    QuestionItems::Pool,
                    QuestionItems::Code,
                    QuestionItems::FrameworkId,
                    QuestionItems::Competence,
                    QuestionItems::Level,
                    QuestionItems::Difficulty,
                    QuestionItems::Status,
                    QuestionItems::Document,
                    QuestionItems::Revision,
                    QuestionItems::UpdatedBy,
                    QuestionItems::UpdatedAt,
                ])
                .values_panic([
                    owner_path.into(),
                    pool.into(),
                    item.code.as_str().into(),
                    item.competence.framework.as_str().into(),
                    item.competence.code.as_str().into(),
                    item.level.as_str().into(),
                    item.difficulty.as_str().into(),
                    status.as_str().into(),
                    document(item)?.into(),
                    1.into(),
                    by.into(),
                    now().into(),
                ])
                .on_conflict(
                    OnConflict::columns([QuestionItems::OwnerPath, QuestionItems::Code])
                        .do_nothing()
                        .to_owned(),
                )
                .returning_col(QuestionItems::Id),
        )
        .await?;
    Ok(id.map(|s| s.0))
}

/// An item of a unit's bank by its code.
pub async fn by_code(db: &Db, owner_path: &str, code: &str) -> Result<Option<StoredItem>> {
    db.fetch_optional(
        select()
            .and_where(Expr::col(QuestionItems::OwnerPath).eq(owner_path))
            .and_where(Expr::col(QuestionItems::Code).eq(code)),
    )
    .await
}

/// The published items a blueprint may draw for one competence and level, from the banks of
/// `owner_paths` (a learner's unit and its ancestors), in id order.
pub async fn drawable(
    db: &Db,
    owner_paths: &[&str],
    framework: &str,
    competence: &str,
    level: &str,
) -> Result<Vec<StoredItem>> {
    db.fetch_all(
        select()
            .and_where(Expr::col(QuestionItems::FrameworkId).eq(framework))
            .and_where(Expr::col(QuestionItems::Competence).eq(competence))
            .and_where(Expr::col(QuestionItems::Level).eq(level))
            .and_where(Expr::col(QuestionItems::Status).eq(CourseStatus::Published.as_str()))
            .and_where(Expr::col(QuestionItems::OwnerPath).is_in(owner_paths.iter().copied()))
            .order_by(QuestionItems::Id, Order::Asc),
    )
    .await
}

/// Moves an item to `status` from the revision the change was made from; false when it moved on
/// since (nothing changed).
pub async fn set_status(tx: &mut Tx, id: i64, from_revision: i32, status: CourseStatus, by: i64) -> Result<bool> {
    let n = tx
        .execute(
            Query::update()
                .table(QuestionItems::Table)
                .values([
                    (QuestionItems::Status, status.as_str().into()),
                    (QuestionItems::Revision, Expr::col(QuestionItems::Revision).add(1)),
                    (QuestionItems::UpdatedBy, by.into()),
                    (QuestionItems::UpdatedAt, now().into()),
                ])
                .and_where(Expr::col(QuestionItems::Id).eq(id))
                .and_where(Expr::col(QuestionItems::Revision).eq(from_revision)),
        )
        .await?;
    Ok(n == 1)
}

record! {
    /// A live item a blueprint may draw: its id and the cell it belongs to.
    #[derive(Debug, Clone)]
    pub struct Drawable {
        pub id: i64,
        pub competence: String,
        pub level: String,
    }
}

/// The published items of `framework` for any of `cells` (competence, level), from the banks of
/// `owner_paths` (a learner's unit and its ancestors), in one statement: ids only, the documents
/// of the drawn few are read next ([`documents_tx`]).
pub async fn drawable_tx(
    tx: &mut Tx,
    owner_paths: &[String],
    framework: &str,
    cells: &[(String, String)],
) -> Result<Vec<Drawable>> {
    if cells.is_empty() || owner_paths.is_empty() {
        return Ok(Vec::new());
    }
    let mut any = sea_query::Condition::any();
    for (competence, level) in cells {
        any = any.add(
            Expr::col(QuestionItems::Competence)
                .eq(competence.as_str())
                .and(Expr::col(QuestionItems::Level).eq(level.as_str())),
        );
    }
    tx.fetch_all(
        Query::select()
            .columns([QuestionItems::Id, QuestionItems::Competence, QuestionItems::Level])
            .from(QuestionItems::Table)
            .and_where(Expr::col(QuestionItems::FrameworkId).eq(framework))
            .and_where(Expr::col(QuestionItems::Status).eq(CourseStatus::Published.as_str()))
            .and_where(Expr::col(QuestionItems::OwnerPath).is_in(owner_paths.iter().map(String::as_str)))
            .cond_where(any)
            .order_by(QuestionItems::Id, Order::Asc),
    )
    .await
}

/// The items with these ids (the drawn items of a new attempt).
pub async fn documents_tx(tx: &mut Tx, ids: &[i64]) -> Result<Vec<StoredItem>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tx.fetch_all(select().and_where(Expr::col(QuestionItems::Id).is_in(ids.iter().copied())))
        .await
}

record! {
    /// An item of a bank as the installer of the shipped banks compares it.
    #[derive(Debug, Clone)]
    pub struct BankEntry {
        pub id: i64,
        pub code: String,
        pub pool: String,
        pub item: Item as "question_items.document",
        /// Nobody changed it on the platform: it is still the shipped item.
        pub updated_by: Option<i64>,
    }
}

/// Every item of one unit's bank, in id order.
pub async fn bank_tx(tx: &mut Tx, owner_path: &str) -> Result<Vec<BankEntry>> {
    tx.fetch_all(
        Query::select()
            .columns([QuestionItems::Id, QuestionItems::Code, QuestionItems::Pool])
            .expr_as(Expr::col(QuestionItems::Document), "item")
            .column(QuestionItems::UpdatedBy)
            .from(QuestionItems::Table)
            .and_where(Expr::col(QuestionItems::OwnerPath).eq(owner_path))
            .order_by(QuestionItems::Id, Order::Asc),
    )
    .await
}

/// The columns an item's new text and mapping change (its revision moves on, its time is now).
fn changed_item(pool: &str, item: &Item) -> Result<Vec<(QuestionItems, Expr)>> {
    Ok(vec![
        (QuestionItems::Pool, pool.into()),
        (QuestionItems::FrameworkId, item.competence.framework.as_str().into()),
        (QuestionItems::Competence, item.competence.code.as_str().into()),
        (QuestionItems::Level, item.level.as_str().into()),
        (QuestionItems::Difficulty, item.difficulty.as_str().into()),
        (QuestionItems::Document, document(item)?.into()),
        (QuestionItems::Revision, Expr::col(QuestionItems::Revision).add(1)),
        (QuestionItems::UpdatedAt, now().into()),
    ])
}

/// Replaces an item nobody has changed on the platform with a newer shipped version; false when
/// a person changed it meanwhile (their change stays).
pub async fn replace_untouched(tx: &mut Tx, id: i64, pool: &str, item: &Item) -> Result<bool> {
    let n = tx
        .execute(
            Query::update()
                .table(QuestionItems::Table)
                .values(changed_item(pool, item)?)
                .and_where(Expr::col(QuestionItems::Id).eq(id))
                .and_where(Expr::col(QuestionItems::UpdatedBy).is_null()),
        )
        .await?;
    Ok(n == 1)
}

record! {
    /// An item of a bank as its authors see it: where it stands and who moved it last (the
    /// person who sent it for review, while it is in review).
    #[derive(Debug, Clone)]
    pub struct AuthorItem {
        pub id: i64,
        pub owner_path: String,
        pub pool: String,
        pub status: CourseStatus as "question_items.status",
        pub item: Item as "question_items.document",
        pub revision: i32,
        pub updated_by: Option<i64>,
        pub updated_at: OffsetDateTime,
    }
}

fn select_for_authors() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            QuestionItems::Id,
            QuestionItems::OwnerPath,
            QuestionItems::Pool,
            QuestionItems::Status,
        ])
        .expr_as(Expr::col(QuestionItems::Document), "item")
        .columns([
            QuestionItems::Revision,
            QuestionItems::UpdatedBy,
            QuestionItems::UpdatedAt,
        ])
        .from(QuestionItems::Table)
        .to_owned()
}

/// Every item of one unit's bank for its authors, by pool then code.
pub async fn bank_for_authors(db: &Db, owner_path: &str) -> Result<Vec<AuthorItem>> {
    db.fetch_all(
        select_for_authors()
            .and_where(Expr::col(QuestionItems::OwnerPath).eq(owner_path))
            .order_by(QuestionItems::Pool, Order::Asc)
            .order_by(QuestionItems::Code, Order::Asc),
    )
    .await
}

/// One item of a unit's bank by its code, for its authors.
pub async fn for_author(db: &Db, owner_path: &str, code: &str) -> Result<Option<AuthorItem>> {
    db.fetch_optional(
        select_for_authors()
            .and_where(Expr::col(QuestionItems::OwnerPath).eq(owner_path))
            .and_where(Expr::col(QuestionItems::Code).eq(code)),
    )
    .await
}

/// [`for_author`] inside a writing transaction: the row a status change is judged on.
pub async fn for_author_tx(tx: &mut Tx, owner_path: &str, code: &str) -> Result<Option<AuthorItem>> {
    tx.fetch_optional(
        select_for_authors()
            .and_where(Expr::col(QuestionItems::OwnerPath).eq(owner_path))
            .and_where(Expr::col(QuestionItems::Code).eq(code)),
    )
    .await
}

/// Replaces a draft's text and mapping from the revision the form was opened at; false when it
/// moved on since or is no longer a draft (nothing changed).
pub async fn update_draft(tx: &mut Tx, id: i64, from_revision: i32, pool: &str, item: &Item, by: i64) -> Result<bool> {
    let n = tx
        .execute(
            Query::update()
                .table(QuestionItems::Table)
                .values(changed_item(pool, item)?)
                .value(QuestionItems::UpdatedBy, by)
                .and_where(Expr::col(QuestionItems::Id).eq(id))
                .and_where(Expr::col(QuestionItems::Revision).eq(from_revision))
                .and_where(Expr::col(QuestionItems::Status).eq(CourseStatus::Draft.as_str())),
        )
        .await?;
    Ok(n == 1)
}
