//! Units: the official hierarchy (loaded from the shipped list at first start), villages and
//! organisations created by officers, reorganisation with history, subtree queries.

use crate::audit::Actor;
use crate::people::{self, Households, People, PeopleSearch};
use crate::{Db, DbError, Result, Scalar, Tx, now, record, subtree_range};
use hocvuso_core::i18n::Message;
use hocvuso_core::text;
use hocvuso_core::units::{Kind, Level, allowed_parent, official_units};
use sea_query::{DynIden, Expr, ExprTrait, Func, Iden, IntoIden, Order, Query, SelectStatement};
use serde::Serialize;
use time::OffsetDateTime;

// The tables this module owns; other modules import these to join them.
#[derive(Iden, Clone, Copy)]
pub enum Units {
    Table,
    Id,
    Code,
    Name,
    NameFolded,
    NameKey,
    Level,
    Kind,
    ParentId,
    Path,
    Active,
    SuccessorId,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum UnitEvents {
    Table,
    Id,
    UnitId,
    Event,
    Detail,
    ActorId,
    At,
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Unit {
        pub id: i64,
        pub code: String,
        pub name: String,
        pub level: Level as "units.level",
        pub kind: Kind as "units.kind",
        pub parent_id: Option<i64>,
        pub path: String,
        pub active: bool,
        pub successor_id: Option<i64>,
    }
}

impl Unit {
    /// The field, for the many callers that read it as a method.
    pub fn level(&self) -> Level {
        self.level
    }
    /// Is `other` inside this unit's subtree (or this unit itself)?
    pub fn contains_path(&self, other: &str) -> bool {
        other.starts_with(&self.path)
    }
    /// The path of the province this unit lies in (the unit's own path for the country).
    pub fn province_path(&self) -> String {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .take(2)
            .fold(String::from("/"), |acc, id| format!("{acc}{id}/"))
    }

    /// Ids along the path from the root down to this unit.
    pub fn ancestor_ids(&self) -> Vec<i64> {
        self.path.split('/').filter_map(|s| s.parse().ok()).collect()
    }
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct UnitEvent {
        pub id: i64,
        pub unit_id: i64,
        pub event: EventKind as "unit_events.event",
        pub detail: String,
        pub actor_id: Option<i64>,
        pub at: OffsetDateTime,
    }
}

/// What happened to a unit, as its history records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Renamed,
    /// This unit was merged into another (its successor).
    MergedInto,
    /// Another unit was merged into this one.
    Absorbed,
    Moved,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Created,
        EventKind::Renamed,
        EventKind::MergedInto,
        EventKind::Absorbed,
        EventKind::Moved,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Renamed => "renamed",
            EventKind::MergedInto => "merged_into",
            EventKind::Absorbed => "absorbed",
            EventKind::Moved => "moved",
        }
    }
    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

crate::stored::stored_as_text!(EventKind);

const COLS: [Units; 9] = [
    Units::Id,
    Units::Code,
    Units::Name,
    Units::Level,
    Units::Kind,
    Units::ParentId,
    Units::Path,
    Units::Active,
    Units::SuccessorId,
];

fn select() -> SelectStatement {
    Query::select()
        .columns(COLS.map(|c| (Units::Table, c)))
        .from(Units::Table)
        .to_owned()
}

/// Domain failures of unit changes, each with a message for the officer.
#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    #[error("{0}")]
    Invalid(Message),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<Message> for UnitError {
    fn from(m: Message) -> Self {
        UnitError::Invalid(m)
    }
}

/// Columns written when a unit is created; its path is filled in once its id is known.
const INSERT_COLS: [Units; 10] = [
    Units::Code,
    Units::Name,
    Units::NameFolded,
    Units::NameKey,
    Units::Level,
    Units::Kind,
    Units::ParentId,
    Units::Path,
    Units::CreatedAt,
    Units::UpdatedAt,
];

fn insert_values(code: &str, name: &str, kind: Kind, parent: Option<i64>, at: OffsetDateTime) -> [Expr; 10] {
    [
        code.into(),
        name.into(),
        text::fold(name).into(),
        text::collation_key(name).into(),
        kind.level().as_str().into(),
        kind.as_str().into(),
        parent.into(),
        "".into(),
        at.into(),
        at.into(),
    ]
}

/// Loads the official provinces and communes into an empty database. Returns how many were added.
pub async fn load_official(db: &Db) -> Result<usize> {
    let count: Scalar<i64> = db
        .fetch_one(
            Query::select()
                .expr(Func::count(Expr::col(Units::Id)))
                .from(Units::Table),
        )
        .await?;
    if count.0 > 0 {
        return Ok(0);
    }
    let list = official_units().map_err(DbError::Invalid)?;
    let at = now();
    let mut tx = db.begin().await?;
    let mut ids: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for level in [Level::Country, Level::Province, Level::Commune] {
        for chunk in list
            .iter()
            .filter(|u| u.kind.level() == level)
            .collect::<Vec<_>>()
            .chunks(400)
        {
            let mut ins = Query::insert().into_table(Units::Table).columns(INSERT_COLS).to_owned();
            for u in chunk {
                let parent: Option<i64> = u.parent_code.as_ref().and_then(|p| ids.get(p).copied());
                ins.values_panic(insert_values(&u.code, &u.name, u.kind, parent, at));
            }
            tx.execute(&ins).await?;
        }
        fill_paths(&mut tx, level).await?;
        let rows: Vec<CodeId> = tx
            .fetch_all(
                Query::select()
                    .columns([Units::Code, Units::Id])
                    .from(Units::Table)
                    .and_where(Expr::col(Units::Level).eq(level.as_str())),
            )
            .await?;
        ids.extend(rows.into_iter().map(|r| (r.code, r.id)));
    }
    tx.commit().await?;
    Ok(list.len())
}

record! {
    struct CodeId {
        code: String,
        id: i64,
    }
}

/// Sets `path` = parent's path + own id for units of `level` whose path is still empty.
async fn fill_paths(tx: &mut Tx, level: Level) -> Result<()> {
    let expr = Expr::cust(
        "COALESCE((SELECT p.path FROM units p WHERE p.id = units.parent_id), '/') || CAST(units.id AS TEXT) || '/'",
    );
    tx.execute(
        Query::update()
            .table(Units::Table)
            .value(Units::Path, expr)
            .and_where(Expr::col(Units::Level).eq(level.as_str()))
            .and_where(Expr::col(Units::Path).eq("")),
    )
    .await?;
    Ok(())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Unit>> {
    db.fetch_optional(select().and_where(Expr::col(Units::Id).eq(id))).await
}

/// The unit as it is inside a writing transaction (its path may have changed since the page was
/// read): rules about where it sits are checked again on this.
pub async fn get_tx(tx: &mut Tx, id: i64) -> Result<Option<Unit>> {
    tx.fetch_optional(select().and_where(Expr::col(Units::Id).eq(id))).await
}

/// The unit inside a writing transaction, held (PostgreSQL: `FOR SHARE`) until it ends, so a
/// merge or move of it waits for the write that relies on where it sits, or goes first.
pub async fn held_tx(tx: &mut Tx, id: i64) -> Result<Option<Unit>> {
    tx.fetch_optional(
        select()
            .and_where(Expr::col(Units::Id).eq(id))
            .lock(sea_query::LockType::Share),
    )
    .await
}

/// The unit at a path, inside a transaction.
pub async fn by_path_tx(tx: &mut Tx, path: &str) -> Result<Option<Unit>> {
    tx.fetch_optional(select().and_where(Expr::col(Units::Path).eq(path)))
        .await
}

/// The unit at a path.
pub async fn by_path(db: &Db, path: &str) -> Result<Option<Unit>> {
    db.fetch_optional(select().and_where(Expr::col(Units::Path).eq(path)))
        .await
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Unit>> {
    db.fetch_optional(select().and_where(Expr::col(Units::Code).eq(code)))
        .await
}

pub async fn by_level(db: &Db, level: Level) -> Result<Vec<Unit>> {
    db.fetch_all(
        select()
            .and_where(Expr::col(Units::Level).eq(level.as_str()))
            .and_where(Expr::col(Units::Active).eq(true))
            .order_by(Units::Code, Order::Asc),
    )
    .await
}

/// A unit by its code with its active children (in the order of [`children`]), in one statement:
/// the pages of a unit need both, and on PostgreSQL each statement is a round trip and a plan.
pub async fn by_code_with_children(db: &Db, code: &str) -> Result<Option<(Unit, Vec<Unit>)>> {
    let parent = Query::select()
        .column(Units::Id)
        .from(Units::Table)
        .and_where(Expr::col(Units::Code).eq(code))
        .to_owned();
    let mut stmt = select().and_where(Expr::col(Units::Code).eq(code)).to_owned();
    stmt.union(
        sea_query::UnionType::All,
        select()
            .and_where(Expr::col(Units::ParentId).in_subquery(parent))
            .and_where(Expr::col(Units::Active).eq(true))
            .to_owned(),
    );
    let rows: Vec<Unit> = db.fetch_all(&stmt).await?;
    let Some(at) = rows.iter().position(|u| u.code == code) else {
        return Ok(None);
    };
    let mut rows = rows;
    let unit = rows.swap_remove(at);
    rows.sort_by_cached_key(|u| (u.level.as_str(), text::natural_key(&u.name)));
    Ok(Some((unit, rows)))
}

/// Active children, level by level, each level in natural Vietnamese order ("Thôn 9" before
/// "Thôn 10"). A parent has at most a few hundred children, so the order is made here rather
/// than stored: the stored `name_key` is the plain collation key.
pub async fn children(db: &Db, parent_id: i64) -> Result<Vec<Unit>> {
    let mut list: Vec<Unit> = db
        .fetch_all(
            select()
                .and_where(Expr::col(Units::ParentId).eq(parent_id))
                .and_where(Expr::col(Units::Active).eq(true))
                .order_by(Units::Level, Order::Asc)
                .order_by(Units::NameKey, Order::Asc),
        )
        .await?;
    list.sort_by_cached_key(|u| (u.level.as_str(), text::natural_key(&u.name)));
    Ok(list)
}

/// The units on the path from the root to `unit` (inclusive), root first.
pub async fn ancestors(db: &Db, unit: &Unit) -> Result<Vec<Unit>> {
    let ids = unit.ancestor_ids();
    let mut list: Vec<Unit> = db
        .fetch_all(select().and_where(Expr::col(Units::Id).is_in(ids.clone())))
        .await?;
    list.sort_by_key(|u| ids.iter().position(|i| *i == u.id));
    Ok(list)
}

/// Units of the subtree whose folded name contains the folded query, or whose code starts with
/// it (for pickers), limited, in natural order.
pub async fn search_in(db: &Db, scope_path: &str, q: &str, limit: u64) -> Result<Vec<Unit>> {
    let (lo, hi) = subtree_range(scope_path);
    let folded = text::fold(q);
    // LIKE wildcards typed by the user are matched literally.
    let escape = |s: &str| s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let code = q.trim();
    let mut matches =
        Expr::col(Units::NameFolded).like(sea_query::LikeExpr::new(format!("%{}%", escape(&folded))).escape('\\'));
    if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        matches = matches
            .or(Expr::col(Units::Code).like(sea_query::LikeExpr::new(format!("{}%", escape(code))).escape('\\')));
    }
    let mut list: Vec<Unit> = db
        .fetch_all(
            select()
                .and_where(Expr::col(Units::Path).gte(lo))
                .and_where(Expr::col(Units::Path).lt(hi))
                .and_where(matches)
                .and_where(Expr::col(Units::Active).eq(true))
                .order_by(Units::NameKey, Order::Asc)
                .limit(limit),
        )
        .await?;
    list.sort_by_cached_key(|u| (u.path.matches('/').count(), text::natural_key(&u.name)));
    Ok(list)
}

/// A village code is its commune's code, a dot and a serial: "05470.003".
async fn next_child_code(tx: &mut Tx, parent: &Unit) -> Result<String> {
    let prefix = format!("{}.", parent.code);
    let n: Scalar<i64> = tx
        .fetch_one(
            Query::select()
                .expr(Func::count(Expr::col(Units::Id)))
                .from(Units::Table)
                .and_where(Expr::col(Units::ParentId).eq(parent.id)),
        )
        .await?;
    let mut serial = n.0 + 1;
    loop {
        let code = format!("{prefix}{serial:03}");
        let taken: Option<Scalar<i64>> = tx
            .fetch_optional(
                Query::select()
                    .column(Units::Id)
                    .from(Units::Table)
                    .and_where(Expr::col(Units::Code).eq(&code)),
            )
            .await?;
        if taken.is_none() {
            return Ok(code);
        }
        serial += 1;
    }
}

pub struct NewUnit<'a> {
    pub parent: &'a Unit,
    pub kind: Kind,
    pub name: &'a str,
    pub code: Option<&'a str>,
}

/// Creates a village, an organisation or a commune under `parent`, and records it in the unit's
/// history. The caller audits it.
pub async fn create_in(tx: &mut Tx, new: NewUnit<'_>, actor: &Actor) -> Result<Unit, UnitError> {
    let name = text::required_line("name", new.name, 150)?;
    if !allowed_parent(new.kind.level(), new.parent.level()) {
        return Err(Message::new("err-unit-parent").into());
    }
    // The same name twice under one parent is a double-clicked form or a typing slip, never two places.
    let same_name: Option<Scalar<i64>> = tx
        .fetch_optional(
            Query::select()
                .column(Units::Id)
                .from(Units::Table)
                .and_where(Expr::col(Units::ParentId).eq(new.parent.id))
                .and_where(Expr::col(Units::Active).eq(true))
                .and_where(Expr::col(Units::NameFolded).eq(text::fold(&name)))
                .limit(1),
        )
        .await?;
    if same_name.is_some() {
        return Err(Message::new("err-unit-name-taken").arg("name", &name).into());
    }
    let code = match new.code.map(|c| text::clean_line("code", c, 40)).transpose()? {
        Some(c) if !c.is_empty() => {
            if !c
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_'))
            {
                return Err(Message::new("err-unit-code-chars").into());
            }
            c
        }
        _ => next_child_code(tx, new.parent).await?,
    };
    let at = now();
    let id: Scalar<i64> = tx
        .fetch_one(
            Query::insert()
                .into_table(Units::Table)
                .columns(INSERT_COLS)
                .values_panic(insert_values(&code, &name, new.kind, Some(new.parent.id), at))
                .returning_col(Units::Id),
        )
        .await
        .map_err(|e| match e {
            DbError::Unique(_) => UnitError::Invalid(Message::new("err-unit-code-taken").arg("code", &code)),
            e => e.into(),
        })?;
    let path = format!("{}{}/", new.parent.path, id.0);
    tx.execute(
        Query::update()
            .table(Units::Table)
            .value(Units::Path, path.clone())
            .and_where(Expr::col(Units::Id).eq(id.0)),
    )
    .await?;
    record_event(
        tx,
        id.0,
        EventKind::Created,
        serde_json::json!({"name": name, "parent": new.parent.code}),
        actor,
    )
    .await?;
    Ok(Unit {
        id: id.0,
        code,
        name,
        level: new.kind.level(),
        kind: new.kind,
        parent_id: Some(new.parent.id),
        path,
        active: true,
        successor_id: None,
    })
}

/// Records a reorganisation event in the unit's own history, inside the change's transaction.
async fn record_event(
    tx: &mut Tx,
    unit_id: i64,
    event: EventKind,
    detail: serde_json::Value,
    actor: &Actor,
) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(UnitEvents::Table)
            .columns([
                UnitEvents::UnitId,
                UnitEvents::Event,
                UnitEvents::Detail,
                UnitEvents::ActorId,
                UnitEvents::At,
            ])
            .values_panic([
                unit_id.into(),
                event.as_str().into(),
                detail.to_string().into(),
                actor.account_id.into(),
                now().into(),
            ]),
    )
    .await?;
    Ok(())
}

/// Renames the unit; returns what changed (for the audit entry the caller appends).
pub async fn rename_in(
    tx: &mut Tx,
    unit: &Unit,
    new_name: &str,
    actor: &Actor,
) -> Result<serde_json::Value, UnitError> {
    let name = text::required_line("name", new_name, 150)?;
    tx.execute(
        Query::update()
            .table(Units::Table)
            .values([
                (Units::Name, name.clone().into()),
                (Units::NameFolded, text::fold(&name).into()),
                (Units::NameKey, text::collation_key(&name).into()),
                (Units::UpdatedAt, now().into()),
            ])
            .and_where(Expr::col(Units::Id).eq(unit.id)),
    )
    .await?;
    let detail = serde_json::json!({"from": unit.name, "to": name});
    record_event(tx, unit.id, EventKind::Renamed, detail.clone(), actor).await?;
    Ok(detail)
}

/// Replaces the path prefix `from` by `to` everywhere a path is stored (units, people, search keys).
async fn repath(tx: &mut Tx, from: &str, to: &str) -> Result<()> {
    let (lo, hi) = subtree_range(from);
    let cut = from.len() as i64 + 1;
    // `to` followed by what comes after `from` in the column.
    let shifted = |col: DynIden| {
        Expr::val(to).binary(
            sea_query::BinOper::Custom("||"),
            Func::cust("SUBSTR").arg(Expr::col(col)).arg(Expr::val(cut as i32)),
        )
    };
    macro_rules! shift {
        ($table:expr, $col:expr) => {
            tx.execute(
                Query::update()
                    .table($table)
                    .value($col, shifted($col.into_iden()))
                    .and_where(Expr::col($col).gte(lo.clone()))
                    .and_where(Expr::col($col).lt(hi.clone())),
            )
            .await?;
        };
    }
    shift!(Units::Table, Units::Path);
    shift!(People::Table, People::UnitPath);
    // Search rows are filed by place (their commune). A commune or village that moves takes its
    // rows out of its old place into the place of its new path; a province that moves holds
    // whole places, whose paths shift like any other.
    let s = PeopleSearch::Table;
    if people::depth(from) >= people::COMMUNE_DEPTH {
        tx.execute(
            Query::update()
                .table(s)
                .values([
                    (PeopleSearch::Place, Expr::val(people::place_of(to))),
                    (PeopleSearch::UnitPath, shifted(PeopleSearch::UnitPath.into_iden())),
                ])
                .and_where(Expr::col(PeopleSearch::Place).eq(people::place_of(from)))
                .and_where(Expr::col(PeopleSearch::UnitPath).gte(lo.clone()))
                .and_where(Expr::col(PeopleSearch::UnitPath).lt(hi.clone())),
        )
        .await?;
    } else {
        tx.execute(
            Query::update()
                .table(s)
                .values([
                    (PeopleSearch::Place, shifted(PeopleSearch::Place.into_iden())),
                    (PeopleSearch::UnitPath, shifted(PeopleSearch::UnitPath.into_iden())),
                ])
                .and_where(Expr::col(PeopleSearch::Place).gte(lo.clone()))
                .and_where(Expr::col(PeopleSearch::Place).lt(hi.clone())),
        )
        .await?;
    }
    Ok(())
}

/// Merges `from` into `into`: children, people and households move, `from`'s denominators are
/// added to `into`'s, `from` is kept inactive with `into` as its successor, and both record the
/// event. Nothing is deleted.
/// Returns what the audit entry of the merge records.
pub async fn merge_in(tx: &mut Tx, from: &Unit, into: &Unit, actor: &Actor) -> Result<serde_json::Value, UnitError> {
    if from.id == into.id || into.path.starts_with(&from.path) {
        return Err(Message::new("err-unit-merge-self").into());
    }
    if from.level() != into.level() {
        return Err(Message::new("err-unit-merge-level").into());
    }
    tx.execute(
        Query::update()
            .table(Units::Table)
            .value(Units::ParentId, into.id)
            .and_where(Expr::col(Units::ParentId).eq(from.id)),
    )
    .await?;
    let (lo, hi) = subtree_range(&from.path);
    tx.execute(
        Query::update()
            .table(People::Table)
            .value(People::UnitId, into.id)
            .and_where(Expr::col(People::UnitPath).gte(lo))
            .and_where(Expr::col(People::UnitPath).lt(hi))
            .and_where(Expr::col(People::UnitId).eq(from.id)),
    )
    .await?;
    tx.execute(
        Query::update()
            .table(Households::Table)
            .value(Households::UnitId, into.id)
            .and_where(Expr::col(Households::UnitId).eq(from.id)),
    )
    .await?;
    // People of `from` itself sit exactly at its path; move them and the subtree below together.
    repath(tx, &from.path, &into.path).await?;
    let rolled = crate::denominators::roll_into(tx, from.id, &from.name, into.id).await?;
    // `from` itself got `into`'s path by the prefix shift; give it back an identity path of its own
    // under its old parent so it stays addressable for history.
    let old_path = from.path.clone();
    tx.execute(
        Query::update()
            .table(Units::Table)
            .values([
                (Units::Active, false.into()),
                (Units::SuccessorId, into.id.into()),
                (Units::Path, old_path.into()),
                (Units::UpdatedAt, now().into()),
            ])
            .and_where(Expr::col(Units::Id).eq(from.id)),
    )
    .await?;
    let detail = serde_json::json!({"into": into.code, "name": into.name});
    record_event(tx, from.id, EventKind::MergedInto, detail.clone(), actor).await?;
    record_event(
        tx,
        into.id,
        EventKind::Absorbed,
        serde_json::json!({"from": from.code, "name": from.name, "denominators": rolled}),
        actor,
    )
    .await?;
    Ok(detail)
}

/// Moves an organisation or village under a new parent (e.g. a school to another commune).
/// Returns the unit's new path and what the audit entry records.
pub async fn move_in(
    tx: &mut Tx,
    unit: &Unit,
    new_parent: &Unit,
    actor: &Actor,
) -> Result<(String, serde_json::Value), UnitError> {
    if new_parent.path.starts_with(&unit.path) {
        return Err(Message::new("err-unit-merge-self").into());
    }
    if !allowed_parent(unit.level(), new_parent.level()) {
        return Err(Message::new("err-unit-parent").into());
    }
    let new_path = format!("{}{}/", new_parent.path, unit.id);
    tx.execute(
        Query::update()
            .table(Units::Table)
            .value(Units::ParentId, new_parent.id)
            .and_where(Expr::col(Units::Id).eq(unit.id)),
    )
    .await?;
    repath(tx, &unit.path, &new_path).await?;
    let detail = serde_json::json!({"to": new_parent.code});
    record_event(tx, unit.id, EventKind::Moved, detail.clone(), actor).await?;
    Ok((new_path, detail))
}

pub async fn events(db: &Db, unit_id: i64) -> Result<Vec<UnitEvent>> {
    db.fetch_all(
        Query::select()
            .columns([
                UnitEvents::Id,
                UnitEvents::UnitId,
                UnitEvents::Event,
                UnitEvents::Detail,
                UnitEvents::ActorId,
                UnitEvents::At,
            ])
            .from(UnitEvents::Table)
            .and_where(Expr::col(UnitEvents::UnitId).eq(unit_id))
            .order_by(UnitEvents::Id, Order::Asc),
    )
    .await
}

/// Finds a village of `commune` by code or by name typed with or without diacritics.
pub async fn find_village(db: &Db, commune: &Unit, value: &str) -> Result<Option<Unit>> {
    let folded = text::fold(value);
    let list: Vec<Unit> = db
        .fetch_all(
            select()
                .and_where(Expr::col(Units::ParentId).eq(commune.id))
                .and_where(Expr::col(Units::Level).eq(Level::Village.as_str()))
                .and_where(Expr::col(Units::Active).eq(true))
                .and_where(
                    Expr::col(Units::Code)
                        .eq(value.trim())
                        .or(Expr::col(Units::NameFolded).eq(folded.clone())),
                ),
        )
        .await?;
    Ok(list.into_iter().next())
}

/// An organisation inside `within_path` (usually the province: people often work outside their
/// commune), by its code or by its name typed with or without diacritics.
pub async fn find_organisation(db: &Db, within_path: &str, value: &str) -> Result<Option<Unit>> {
    let value = value.trim();
    if let Some(u) = by_code(db, value).await?
        && u.level() == Level::Organisation
        && u.path.starts_with(within_path)
    {
        return Ok(Some(u));
    }
    let key = text::fold(value);
    Ok(search_in(db, within_path, value, 20)
        .await?
        .into_iter()
        .find(|u| u.level() == Level::Organisation && text::fold(&u.name) == key))
}
