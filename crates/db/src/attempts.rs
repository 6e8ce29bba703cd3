//! Attempts at tests (issue 10): one row per sitting with its blueprint, deadline and result, and
//! one row per item shown with the item's document as it was drawn and the learner's last answer.
//! An answer is one UPDATE of one item row; the use case reads the attempt (locked) in the same
//! transaction to check its owner, its state and the clock first.

use crate::{Db, Result, Scalar, Tx, record};
use hocvuso_core::assessment::exam::{Blueprint, Kind, Mode, Score};
use hocvuso_core::assessment::{Item, Response};
use hocvuso_core::people::TargetGroup;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use std::collections::HashMap;
use time::OffsetDateTime;

#[derive(Iden, Clone, Copy)]
pub enum AssessmentAttempts {
    Table,
    Id,
    PublicId,
    AccountId,
    PersonId,
    UnitPath,
    Kind,
    TargetGroup,
    CourseId,
    Blueprint,
    Mode,
    ConductedBy,
    StartedAt,
    Deadline,
    SubmittedAt,
    Result,
    Passed,
}

#[derive(Iden, Clone, Copy)]
pub enum AssessmentAttemptItems {
    Table,
    AttemptId,
    Position,
    ItemId,
    Cell,
    Seed,
    Document,
    Response,
    AnsweredAt,
}

crate::stored::stored_as_text!(Kind, Mode, TargetGroup);

macro_rules! stored_json {
    ($($t:ty),*) => {$(
        impl crate::stored::Stored for $t {
            type Raw = String;
            fn from_stored(raw: &String) -> Option<Self> {
                serde_json::from_str(raw).ok()
            }
        }
    )*};
}
stored_json!(Blueprint, Score, Response);

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| crate::DbError::Invalid(e.to_string()))
}

record! {
    #[derive(Debug, Clone)]
    pub struct Attempt {
        pub id: i64,
        pub public_id: String,
        pub account_id: i64,
        pub person_id: Option<i64>,
        pub unit_path: String,
        pub kind: Kind as "assessment_attempts.kind",
        pub target_group: Option<TargetGroup> as "assessment_attempts.target_group",
        pub course_id: Option<i64>,
        pub blueprint: Blueprint as "assessment_attempts.blueprint",
        pub mode: Mode as "assessment_attempts.mode",
        pub conducted_by: Option<i64>,
        pub started_at: OffsetDateTime,
        pub deadline: Option<OffsetDateTime>,
        pub submitted_at: Option<OffsetDateTime>,
        pub result: Option<Score> as "assessment_attempts.result",
        pub passed: Option<bool>,
    }
}

record! {
    #[derive(Debug, Clone)]
    pub struct AttemptItem {
        pub position: i32,
        pub item_id: i64,
        pub cell: i32,
        pub seed: i64,
        pub document: Item as "assessment_attempt_items.document",
        pub response: Option<Response> as "assessment_attempt_items.response",
        pub answered_at: Option<OffsetDateTime>,
    }
}

const ATTEMPT_COLUMNS: [AssessmentAttempts; 16] = [
    AssessmentAttempts::Id,
    AssessmentAttempts::PublicId,
    AssessmentAttempts::AccountId,
    AssessmentAttempts::PersonId,
    AssessmentAttempts::UnitPath,
    AssessmentAttempts::Kind,
    AssessmentAttempts::TargetGroup,
    AssessmentAttempts::CourseId,
    AssessmentAttempts::Blueprint,
    AssessmentAttempts::Mode,
    AssessmentAttempts::ConductedBy,
    AssessmentAttempts::StartedAt,
    AssessmentAttempts::Deadline,
    AssessmentAttempts::SubmittedAt,
    AssessmentAttempts::Result,
    AssessmentAttempts::Passed,
];

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns(ATTEMPT_COLUMNS)
        .from(AssessmentAttempts::Table)
        .to_owned()
}

/// A new attempt as the use case drew it.
pub struct NewAttempt<'a> {
    pub public_id: &'a str,
    pub account_id: i64,
    pub person_id: Option<i64>,
    pub unit_path: &'a str,
    pub group: Option<TargetGroup>,
    pub course_id: Option<i64>,
    pub blueprint: &'a Blueprint,
    pub mode: Mode,
    pub conducted_by: Option<i64>,
    pub started_at: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
}

/// One drawn item: its blueprint part, the item as stored now, and its shuffle seed.
pub struct NewItem<'a> {
    pub item_id: i64,
    pub cell: usize,
    pub seed: u64,
    pub item: &'a Item,
}

/// Stores an attempt and its items (one statement for the items); returns the attempt's id.
pub async fn create(tx: &mut Tx, a: &NewAttempt<'_>, items: &[NewItem<'_>]) -> Result<i64> {
    let id: Scalar<i64> = tx
        .fetch_one(
            Query::insert()
                .into_table(AssessmentAttempts::Table)
                .columns([
                    AssessmentAttempts::PublicId,
                    AssessmentAttempts::AccountId,
                    AssessmentAttempts::PersonId,
                    AssessmentAttempts::UnitPath,
                    AssessmentAttempts::Kind,
                    AssessmentAttempts::TargetGroup,
                    AssessmentAttempts::CourseId,
                    AssessmentAttempts::Blueprint,
                    AssessmentAttempts::Mode,
                    AssessmentAttempts::ConductedBy,
                    AssessmentAttempts::StartedAt,
                    AssessmentAttempts::Deadline,
                ])
                .values_panic([
                    a.public_id.into(),
                    a.account_id.into(),
                    a.person_id.into(),
                    a.unit_path.into(),
                    a.blueprint.kind.as_str().into(),
                    a.group.map(|g| g.as_str()).into(),
                    a.course_id.into(),
                    json(a.blueprint)?.into(),
                    a.mode.as_str().into(),
                    a.conducted_by.into(),
                    a.started_at.into(),
                    a.deadline.into(),
                ])
                .returning_col(AssessmentAttempts::Id),
        )
        .await?;
    if items.is_empty() {
        return Ok(id.0);
    }
    let mut insert = Query::insert()
        .into_table(AssessmentAttemptItems::Table)
        .columns([
            AssessmentAttemptItems::AttemptId,
            AssessmentAttemptItems::Position,
            AssessmentAttemptItems::ItemId,
            AssessmentAttemptItems::Cell,
            AssessmentAttemptItems::Seed,
            AssessmentAttemptItems::Document,
        ])
        .to_owned();
    for (i, it) in items.iter().enumerate() {
        insert.values_panic([
            id.0.into(),
            i32::try_from(i + 1).unwrap_or(i32::MAX).into(),
            it.item_id.into(),
            i32::try_from(it.cell).unwrap_or(i32::MAX).into(),
            // The seed's bits as stored: an i64 read back as the same u64.
            (it.seed as i64).into(),
            json(it.item)?.into(),
        ]);
    }
    tx.execute(&insert).await?;
    Ok(id.0)
}

/// An attempt by the id its URL carries, locked for the rest of the transaction (PostgreSQL; a
/// SQLite transaction writes alone): an answer and the submission never interleave.
pub async fn by_public_id_tx(tx: &mut Tx, public_id: &str) -> Result<Option<Attempt>> {
    tx.fetch_optional(
        select()
            .and_where(Expr::col(AssessmentAttempts::PublicId).eq(public_id))
            .lock(sea_query::LockType::Update),
    )
    .await
}

pub async fn by_public_id(db: &Db, public_id: &str) -> Result<Option<Attempt>> {
    db.fetch_optional(select().and_where(Expr::col(AssessmentAttempts::PublicId).eq(public_id)))
        .await
}

pub async fn items(db: &Db, attempt_id: i64) -> Result<Vec<AttemptItem>> {
    db.fetch_all(&items_query(attempt_id)).await
}

pub async fn items_tx(tx: &mut Tx, attempt_id: i64) -> Result<Vec<AttemptItem>> {
    tx.fetch_all(&items_query(attempt_id)).await
}

fn items_query(attempt_id: i64) -> sea_query::SelectStatement {
    Query::select()
        .columns([
            AssessmentAttemptItems::Position,
            AssessmentAttemptItems::ItemId,
            AssessmentAttemptItems::Cell,
            AssessmentAttemptItems::Seed,
            AssessmentAttemptItems::Document,
            AssessmentAttemptItems::Response,
            AssessmentAttemptItems::AnsweredAt,
        ])
        .from(AssessmentAttemptItems::Table)
        .and_where(Expr::col(AssessmentAttemptItems::AttemptId).eq(attempt_id))
        .order_by(AssessmentAttemptItems::Position, Order::Asc)
        .to_owned()
}

/// One item of an attempt (the answer form of one question).
pub async fn item_tx(tx: &mut Tx, attempt_id: i64, position: i32) -> Result<Option<AttemptItem>> {
    tx.fetch_optional(items_query(attempt_id).and_where(Expr::col(AssessmentAttemptItems::Position).eq(position)))
        .await
}

/// Saves the learner's answer to one item; false when the attempt has no such item.
pub async fn save_answer(
    tx: &mut Tx,
    attempt_id: i64,
    position: i32,
    response: &Response,
    at: OffsetDateTime,
) -> Result<bool> {
    let n = tx
        .execute(
            Query::update()
                .table(AssessmentAttemptItems::Table)
                .values([
                    (AssessmentAttemptItems::Response, json(response)?.into()),
                    (AssessmentAttemptItems::AnsweredAt, at.into()),
                ])
                .and_where(Expr::col(AssessmentAttemptItems::AttemptId).eq(attempt_id))
                .and_where(Expr::col(AssessmentAttemptItems::Position).eq(position)),
        )
        .await?;
    Ok(n == 1)
}

/// Records the result of an attempt not yet submitted; false when it was submitted already (of two
/// submissions, one scores).
pub async fn finish(tx: &mut Tx, attempt_id: i64, score: &Score, at: OffsetDateTime) -> Result<bool> {
    let n = tx
        .execute(
            Query::update()
                .table(AssessmentAttempts::Table)
                .values([
                    (AssessmentAttempts::SubmittedAt, at.into()),
                    (AssessmentAttempts::Result, json(score)?.into()),
                    (AssessmentAttempts::Passed, score.passed.into()),
                ])
                .and_where(Expr::col(AssessmentAttempts::Id).eq(attempt_id))
                .and_where(Expr::col(AssessmentAttempts::SubmittedAt).is_null()),
        )
        .await?;
    Ok(n == 1)
}

/// When the learner's final attempts for a group started (the attempts policy reads them inside
/// the transaction that starts the next one).
pub async fn final_starts_tx(tx: &mut Tx, person_id: i64, group: TargetGroup) -> Result<Vec<OffsetDateTime>> {
    let rows: Vec<Scalar<OffsetDateTime>> = tx
        .fetch_all(
            Query::select()
                .column(AssessmentAttempts::StartedAt)
                .from(AssessmentAttempts::Table)
                .and_where(Expr::col(AssessmentAttempts::PersonId).eq(person_id))
                .and_where(Expr::col(AssessmentAttempts::Kind).eq(Kind::Final.as_str()))
                .and_where(Expr::col(AssessmentAttempts::TargetGroup).eq(group.as_str())),
        )
        .await?;
    Ok(rows.into_iter().map(|s| s.0).collect())
}

/// How often each item was shown to the person, over all their attempts of any kind (online or
/// conducted in person): a new attempt draws the items seen least first.
pub async fn items_seen_tx(tx: &mut Tx, person_id: i64) -> Result<HashMap<i64, u32>> {
    let rows: Vec<Scalar<i64>> = tx
        .fetch_all(
            Query::select()
                .column((AssessmentAttemptItems::Table, AssessmentAttemptItems::ItemId))
                .from(AssessmentAttemptItems::Table)
                .inner_join(
                    AssessmentAttempts::Table,
                    Expr::col((AssessmentAttempts::Table, AssessmentAttempts::Id))
                        .equals((AssessmentAttemptItems::Table, AssessmentAttemptItems::AttemptId)),
                )
                .and_where(Expr::col((AssessmentAttempts::Table, AssessmentAttempts::PersonId)).eq(person_id)),
        )
        .await?;
    let mut seen: HashMap<i64, u32> = HashMap::new();
    for Scalar(id) in rows {
        *seen.entry(id).or_default() += 1;
    }
    Ok(seen)
}

/// The learner's attempts, newest first (the tests page).
pub async fn of_account(db: &Db, account_id: i64, limit: u64) -> Result<Vec<Attempt>> {
    db.fetch_all(
        select()
            .and_where(Expr::col(AssessmentAttempts::AccountId).eq(account_id))
            .order_by(AssessmentAttempts::Id, Order::Desc)
            .limit(limit),
    )
    .await
}

/// The learner's attempt of `kind` still open (not submitted), the newest: starting the same test
/// again resumes it.
pub async fn open_tx(
    tx: &mut Tx,
    account_id: i64,
    person_id: i64,
    kind: Kind,
    group: Option<TargetGroup>,
    course_id: Option<i64>,
) -> Result<Option<Attempt>> {
    let mut q = select()
        .and_where(Expr::col(AssessmentAttempts::AccountId).eq(account_id))
        .and_where(Expr::col(AssessmentAttempts::PersonId).eq(person_id))
        .and_where(Expr::col(AssessmentAttempts::Kind).eq(kind.as_str()))
        .and_where(Expr::col(AssessmentAttempts::SubmittedAt).is_null())
        .order_by(AssessmentAttempts::Id, Order::Desc)
        .limit(1)
        .to_owned();
    q = match group {
        Some(g) => q
            .and_where(Expr::col(AssessmentAttempts::TargetGroup).eq(g.as_str()))
            .to_owned(),
        None => q,
    };
    q = match course_id {
        Some(c) => q.and_where(Expr::col(AssessmentAttempts::CourseId).eq(c)).to_owned(),
        None => q,
    };
    tx.fetch_optional(&q).await
}

/// The person's passed online final attempts under their own account for groups they are not
/// confirmed in yet, newest first: the attainments that wait for the required lessons (issue 10
/// §3). One statement, read in the transaction that completes a course.
pub async fn waiting_finals_tx(tx: &mut Tx, person_id: i64, account_id: i64) -> Result<Vec<Attempt>> {
    use crate::attainments::Attainments;
    let confirmed = Query::select()
        .expr(Expr::val(1))
        .from(Attainments::Table)
        .and_where(Expr::col((Attainments::Table, Attainments::PersonId)).eq(person_id))
        .and_where(
            Expr::col((Attainments::Table, Attainments::TargetGroup))
                .equals((AssessmentAttempts::Table, AssessmentAttempts::TargetGroup)),
        )
        .to_owned();
    tx.fetch_all(
        &select()
            .and_where(Expr::col((AssessmentAttempts::Table, AssessmentAttempts::PersonId)).eq(person_id))
            .and_where(Expr::col((AssessmentAttempts::Table, AssessmentAttempts::AccountId)).eq(account_id))
            .and_where(Expr::col((AssessmentAttempts::Table, AssessmentAttempts::Kind)).eq(Kind::Final.as_str()))
            .and_where(Expr::col((AssessmentAttempts::Table, AssessmentAttempts::Mode)).eq(Mode::Online.as_str()))
            .and_where(Expr::col((AssessmentAttempts::Table, AssessmentAttempts::Passed)).eq(true))
            .and_where(Expr::exists(confirmed).not())
            .order_by((AssessmentAttempts::Table, AssessmentAttempts::Id), Order::Desc)
            .to_owned(),
    )
    .await
}

/// (person, account) of every passed online final not confirmed yet whose person lives in the
/// subtree of `path` now: who a change of a requirement table may have let through (issue 10 §3).
pub async fn waiting_in_subtree(db: &Db, path: &str) -> Result<Vec<(i64, i64)>> {
    use crate::attainments::Attainments;
    use crate::people::People;
    let (lo, hi) = crate::subtree_range(path);
    let confirmed = Query::select()
        .expr(Expr::val(1))
        .from(Attainments::Table)
        .and_where(
            Expr::col((Attainments::Table, Attainments::PersonId))
                .equals((AssessmentAttempts::Table, AssessmentAttempts::PersonId)),
        )
        .and_where(
            Expr::col((Attainments::Table, Attainments::TargetGroup))
                .equals((AssessmentAttempts::Table, AssessmentAttempts::TargetGroup)),
        )
        .to_owned();
    let rows: Vec<Waiting> = db
        .fetch_all(
            Query::select()
                .distinct()
                .column((AssessmentAttempts::Table, AssessmentAttempts::PersonId))
                .column((AssessmentAttempts::Table, AssessmentAttempts::AccountId))
                .from(AssessmentAttempts::Table)
                .inner_join(
                    People::Table,
                    Expr::col((People::Table, People::Id))
                        .equals((AssessmentAttempts::Table, AssessmentAttempts::PersonId)),
                )
                .and_where(Expr::col((People::Table, People::UnitPath)).gte(lo))
                .and_where(Expr::col((People::Table, People::UnitPath)).lt(hi))
                .and_where(Expr::col((AssessmentAttempts::Table, AssessmentAttempts::Kind)).eq(Kind::Final.as_str()))
                .and_where(Expr::col((AssessmentAttempts::Table, AssessmentAttempts::Mode)).eq(Mode::Online.as_str()))
                .and_where(Expr::col((AssessmentAttempts::Table, AssessmentAttempts::Passed)).eq(true))
                .and_where(Expr::exists(confirmed).not())
                .order_by((AssessmentAttempts::Table, AssessmentAttempts::PersonId), Order::Asc),
        )
        .await?;
    Ok(rows.into_iter().map(|w| (w.person_id, w.account_id)).collect())
}

record! {
    struct Waiting {
        person_id: i64,
        account_id: i64,
    }
}
