//! People: registration, lookup within a scope, search by name (with or without diacritics), phone
//! or exact ID number, consent. The ID number never leaves this module unencrypted except through
//! [`reveal_personal_id`], which callers must audit.

mod consent;
mod search;

pub use consent::*;
pub use search::*;
pub(crate) use search::{COMMUNE_DEPTH, depth, place_of};
use search::{insert_search_rows, search_keys, search_rows};

use crate::bulk::Rows;
use crate::units::{Unit, Units};
use crate::{Db, DbError, Result, Scalar, Tx, now, record, subtree_range};
use hocvuso_core::access::{Act, OwnRecord, Scope, act};
use hocvuso_core::crypto::PidVault;
use hocvuso_core::i18n::Message;
use hocvuso_core::people::{Groups, PersonInput, Sex, TargetGroup};
use hocvuso_core::personal_id::{PersonalId, mask_last4};
use hocvuso_core::text;
use hocvuso_core::units::Level;
use sea_query::{Expr, ExprTrait, Iden, Order, Query, SelectStatement, Value};
use serde::Serialize;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

// The tables this module owns; other modules import these to join them.
#[derive(Iden, Clone, Copy)]
pub enum People {
    Table,
    Id,
    FullName,
    NameKey,
    BirthDate,
    Sex,
    PidCipher,
    PidIndex,
    PidLast4,
    Phone,
    Groups,
    UnitId,
    UnitPath,
    WorkplaceId,
    HouseholdId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum PeopleSearch {
    Table,
    Place,
    Key,
    PersonId,
    UnitPath,
    NameKey,
}

/// How many people each unit holds: new people counted by [`insert_batch`], moves and removals
/// by the triggers of migration 0011.
#[derive(Iden, Clone, Copy)]
pub enum PeopleCounts {
    Table,
    UnitPath,
    People,
}

#[derive(Iden, Clone, Copy)]
pub enum Households {
    Table,
    Id,
    UnitId,
    Code,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Consents {
    Table,
    Id,
    PersonId,
    Method,
    Purpose,
    RecordedBy,
    GivenAt,
    WithdrawnAt,
    WithdrawnBy,
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Person {
        pub id: i64,
        pub full_name: String,
        pub birth_date: Date,
        pub sex: Sex as "people.sex",
        pub pid_last4: String,
        pub phone: Option<String>,
        pub groups: Groups as "people.groups",
        pub unit_id: i64,
        pub unit_path: String,
        pub unit_name: String,
        pub workplace_id: Option<i64>,
        pub household_id: Option<i64>,
        pub created_at: OffsetDateTime,
        pub updated_at: OffsetDateTime,
    }
}

impl Person {
    pub fn masked_pid(&self) -> String {
        mask_last4(&self.pid_last4)
    }
    /// The field, for the callers that read it as a method.
    pub fn groups(&self) -> Groups {
        self.groups
    }
}

fn select() -> SelectStatement {
    Query::select()
        .columns([
            (People::Table, People::Id),
            (People::Table, People::FullName),
            (People::Table, People::BirthDate),
            (People::Table, People::Sex),
            (People::Table, People::PidLast4),
            (People::Table, People::Phone),
            (People::Table, People::Groups),
            (People::Table, People::UnitId),
            (People::Table, People::UnitPath),
            (People::Table, People::WorkplaceId),
            (People::Table, People::HouseholdId),
            (People::Table, People::CreatedAt),
            (People::Table, People::UpdatedAt),
        ])
        // One index probe per row: as a join, PostgreSQL hashed all units for a page of 50
        // people (a sequential scan of 4,368 units, 1.2 ms of each search page).
        .expr_as(
            Expr::SubQuery(
                None,
                Box::new(
                    Query::select()
                        .column((Units::Table, Units::Name))
                        .from(Units::Table)
                        .and_where(Expr::col((Units::Table, Units::Id)).equals((People::Table, People::UnitId)))
                        .to_owned()
                        .into(),
                ),
            ),
            "unit_name",
        )
        .from(People::Table)
        .to_owned()
}

#[derive(Debug, thiserror::Error)]
pub enum PersonError {
    #[error("{0}")]
    Invalid(Message),
    #[error("duplicate personal ID number")]
    DuplicateId,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Where the person lives and works, resolved from the input by the caller.
pub struct Placement<'a> {
    pub residence: &'a Unit,
    pub workplace_id: Option<i64>,
    pub household_id: Option<i64>,
}

const PERSON_COLUMNS: [People; 13] = [
    People::FullName,
    People::NameKey,
    People::BirthDate,
    People::Sex,
    People::PidCipher,
    People::PidIndex,
    People::PidLast4,
    People::Phone,
    People::Groups,
    People::UnitId,
    People::UnitPath,
    People::WorkplaceId,
    People::HouseholdId,
];

/// Values of [`PERSON_COLUMNS`]; `pid_index` is passed in because callers usually computed it.
fn person_values(vault: &PidVault, p: &PersonInput, place: &Placement<'_>, pid_index: Vec<u8>) -> [Value; 13] {
    [
        p.full_name.clone().into(),
        text::person_name_key(&p.full_name).into(),
        p.birth_date.into(),
        p.sex.as_str().into(),
        vault.encrypt(&p.personal_id).into(),
        pid_index.into(),
        p.personal_id.last4().into(),
        p.phone.clone().into(),
        p.groups.bits().into(),
        place.residence.id.into(),
        place.residence.path.clone().into(),
        place.workplace_id.into(),
        place.household_id.into(),
    ]
}

/// Registers a new person. A second record with the same ID number is refused.
pub async fn insert(
    tx: &mut Tx,
    vault: &PidVault,
    p: &PersonInput,
    place: &Placement<'_>,
    actor: Option<i64>,
) -> Result<i64, PersonError> {
    let item = BatchItem {
        person: p,
        residence: place.residence,
        workplace_id: place.workplace_id,
        household_id: place.household_id,
    };
    let ids = insert_batch(tx, vault, &[item], actor).await?;
    ids.first().copied().ok_or(PersonError::Db(DbError::NotFound))
}

/// Updates a person in place (same ID number or a corrected one).
pub async fn update(
    tx: &mut Tx,
    vault: &PidVault,
    id: i64,
    p: &PersonInput,
    place: &Placement<'_>,
) -> Result<(), PersonError> {
    let old: Option<NamePath> = tx
        .fetch_optional(
            Query::select()
                .columns([People::FullName, People::Phone, People::UnitPath])
                .from(People::Table)
                .and_where(Expr::col(People::Id).eq(id)),
        )
        .await?;
    let mut values: Vec<(People, Expr)> = PERSON_COLUMNS
        .into_iter()
        .zip(person_values(vault, p, place, vault.blind_index(&p.personal_id)))
        .map(|(c, v)| (c, Expr::val(v)))
        .collect();
    values.push((People::UpdatedAt, now().into()));
    let r = tx
        .execute(
            Query::update()
                .table(People::Table)
                .values(values)
                .and_where(Expr::col(People::Id).eq(id)),
        )
        .await;
    match r {
        Ok(_) => {}
        Err(DbError::Unique(_)) => return Err(PersonError::DuplicateId),
        Err(e) => return Err(e.into()),
    }
    // The search rows are addressed by their full key: old place, old name and phone.
    if let Some(old) = old {
        for k in search_keys(&old.full_name, old.phone.as_deref()) {
            tx.execute(
                Query::delete()
                    .from_table(PeopleSearch::Table)
                    .and_where(Expr::col(PeopleSearch::Place).eq(place_of(&old.unit_path)))
                    .and_where(Expr::col(PeopleSearch::Key).eq(k))
                    .and_where(Expr::col(PeopleSearch::PersonId).eq(id)),
            )
            .await?;
        }
    }
    let rows = search_rows(id, &p.full_name, p.phone.as_deref(), &place.residence.path);
    insert_search_rows(tx, rows).await?;
    Ok(())
}

/// Where a person lives (their unit's path), without any of their data: what the access check
/// needs before anything personal is read.
pub async fn locate(db: &Db, id: i64) -> Result<Option<String>> {
    let row: Option<Scalar<String>> = db
        .fetch_optional(
            Query::select()
                .column(People::UnitPath)
                .from(People::Table)
                .and_where(Expr::col(People::Id).eq(id)),
        )
        .await?;
    Ok(row.map(|Scalar(p)| p))
}

/// [`locate`] inside a writing transaction, so a rule checked on it holds when the change commits.
pub async fn locate_tx(tx: &mut Tx, id: i64) -> Result<Option<String>> {
    let row: Option<Scalar<String>> = tx
        .fetch_optional(
            Query::select()
                .column(People::UnitPath)
                .from(People::Table)
                .and_where(Expr::col(People::Id).eq(id)),
        )
        .await?;
    Ok(row.map(|Scalar(p)| p))
}

record! {
    /// Where a learner is and which groups they belong to: the context of a learning event, with
    /// none of their personal data.
    #[derive(Debug, Clone)]
    pub struct Whereabouts {
        pub unit_id: i64,
        pub unit_path: String,
        pub groups: Groups as "people.groups",
    }
}

pub async fn whereabouts(db: &Db, id: i64) -> Result<Option<Whereabouts>> {
    db.fetch_optional(
        Query::select()
            .columns([People::UnitId, People::UnitPath, People::Groups])
            .from(People::Table)
            .and_where(Expr::col(People::Id).eq(id)),
    )
    .await
}

record! {
    /// [`Whereabouts`] with the unit's code: a learning event's context in one statement.
    #[derive(Debug, Clone)]
    pub struct Place {
        pub unit_path: String,
        pub unit_code: String,
        pub groups: Groups as "people.groups",
    }
}

/// Where a person lives (path and code of the unit) and their groups, read with their unit in one
/// statement inside the transaction that records a learning event.
pub async fn place_tx(tx: &mut Tx, id: i64) -> Result<Option<Place>> {
    tx.fetch_optional(
        Query::select()
            .columns([(People::Table, People::UnitPath), (People::Table, People::Groups)])
            .expr_as(Expr::col((Units::Table, Units::Code)), UnitCode)
            .from(People::Table)
            .inner_join(
                Units::Table,
                Expr::col((Units::Table, Units::Id)).equals((People::Table, People::UnitId)),
            )
            .and_where(Expr::col((People::Table, People::Id)).eq(id)),
    )
    .await
}

#[derive(Iden, Clone, Copy)]
struct UnitCode;

pub async fn whereabouts_tx(tx: &mut Tx, id: i64) -> Result<Option<Whereabouts>> {
    tx.fetch_optional(
        Query::select()
            .columns([People::UnitId, People::UnitPath, People::Groups])
            .from(People::Table)
            .and_where(Expr::col(People::Id).eq(id)),
    )
    .await
}

/// The person, if they live inside the scope.
pub async fn get<A: Act>(db: &Db, scope: &Scope<A>, id: i64) -> Result<Option<Person>> {
    let (lo, hi) = scope.bounds();
    db.fetch_optional(
        select()
            .and_where(Expr::col((People::Table, People::Id)).eq(id))
            .and_where(Expr::col((People::Table, People::UnitPath)).gte(lo))
            .and_where(Expr::col((People::Table, People::UnitPath)).lt(hi)),
    )
    .await
}

/// The resident's own record.
pub async fn get_own(db: &Db, own: &OwnRecord) -> Result<Option<Person>> {
    db.fetch_optional(select().and_where(Expr::col((People::Table, People::Id)).eq(own.person_id())))
        .await
}

/// Those of the people with these ids who live inside one of `scopes` (for naming them in lists
/// such as the audit log), in no order.
pub async fn get_many(db: &Db, scopes: &[Scope<act::ViewPeople>], ids: &[i64]) -> Result<Vec<Person>> {
    if ids.is_empty() || scopes.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<Person> = db
        .fetch_all(select().and_where(Expr::col((People::Table, People::Id)).is_in(ids.to_vec())))
        .await?;
    Ok(found
        .into_iter()
        .filter(|p| scopes.iter().any(|s| s.contains(&p.unit_path)))
        .collect())
}

/// The person holding this ID number, if they live inside the scope.
pub async fn find_by_pid(
    db: &Db,
    vault: &PidVault,
    scope: &Scope<act::ViewPeople>,
    id: &PersonalId,
) -> Result<Option<Person>> {
    let (lo, hi) = scope.bounds();
    db.fetch_optional(
        select()
            .and_where(Expr::col((People::Table, People::PidIndex)).eq(vault.blind_index(id)))
            .and_where(Expr::col((People::Table, People::UnitPath)).gte(lo))
            .and_where(Expr::col((People::Table, People::UnitPath)).lt(hi)),
    )
    .await
}

/// Decrypts the full ID number. Every call must be audited by the caller.
pub async fn reveal_personal_id<A: Act>(
    db: &Db,
    vault: &PidVault,
    scope: &Scope<A>,
    id: i64,
) -> Result<Option<String>> {
    let (lo, hi) = scope.bounds();
    let row: Option<Scalar<Vec<u8>>> = db
        .fetch_optional(
            Query::select()
                .column(People::PidCipher)
                .from(People::Table)
                .and_where(Expr::col(People::Id).eq(id))
                .and_where(Expr::col(People::UnitPath).gte(lo))
                .and_where(Expr::col(People::UnitPath).lt(hi)),
        )
        .await?;
    match row {
        Some(Scalar(blob)) => vault
            .decrypt(&blob)
            .map(Some)
            .map_err(|e| DbError::Invalid(e.to_string())),
        None => Ok(None),
    }
}

/// Counts people in a subtree (for dashboards and tests).
pub async fn count_in(db: &Db, scope_path: &str) -> Result<i64> {
    let (lo, hi) = subtree_range(scope_path);
    let n: Scalar<i64> = db
        .fetch_one(
            Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(People::Table)
                .and_where(Expr::col(People::UnitPath).gte(lo))
                .and_where(Expr::col(People::UnitPath).lt(hi)),
        )
        .await?;
    Ok(n.0)
}

/// Finds or creates a household by its code inside a unit.
pub async fn household_id(tx: &mut Tx, unit_id: i64, code: &str) -> Result<i64> {
    let existing: Option<Scalar<i64>> = tx
        .fetch_optional(
            Query::select()
                .column(Households::Id)
                .from(Households::Table)
                .and_where(Expr::col(Households::UnitId).eq(unit_id))
                .and_where(Expr::col(Households::Code).eq(code)),
        )
        .await?;
    if let Some(id) = existing {
        return Ok(id.0);
    }
    let id: Scalar<i64> = tx
        .fetch_one(
            Query::insert()
                .into_table(Households::Table)
                .columns([Households::UnitId, Households::Code, Households::CreatedAt])
                .values_panic([unit_id.into(), code.into(), now().into()])
                .returning_col(Households::Id),
        )
        .await?;
    Ok(id.0)
}

record! {
    struct NamePath {
        full_name: String,
        phone: Option<String>,
        unit_path: String,
    }
}

/// One person of a batch, with where they live.
pub struct BatchItem<'a> {
    pub person: &'a PersonInput,
    pub residence: &'a Unit,
    pub workplace_id: Option<i64>,
    pub household_id: Option<i64>,
}

/// Inserts new people (then their search rows) in as few statements as the backend allows and
/// returns their ids. A person whose ID number is already registered fails the whole batch with
/// [`PersonError::DuplicateId`].
pub async fn insert_batch(
    tx: &mut Tx,
    vault: &PidVault,
    items: &[BatchItem<'_>],
    actor: Option<i64>,
) -> Result<Vec<i64>, PersonError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let at = now();
    // PostgreSQL: ids taken first, rows sent by COPY. SQLite: ids come back from the insert.
    let taken = tx
        .take_ids(People::Table, People::Id, items.len())
        .await
        .map_err(PersonError::Db)?;
    let columns = PERSON_COLUMNS
        .into_iter()
        .chain([People::CreatedBy, People::CreatedAt, People::UpdatedAt]);
    let mut rows = match taken {
        Some(_) => Rows::new(People::Table, [People::Id].into_iter().chain(columns)),
        None => Rows::new(People::Table, columns),
    };
    // Returned rows come back in no promised order; the ID number's index says whose id it is.
    let mut by_index: HashMap<Vec<u8>, usize> = HashMap::with_capacity(if taken.is_some() { 0 } else { items.len() });
    for (n, it) in items.iter().enumerate() {
        let idx = vault.blind_index(&it.person.personal_id);
        let place = Placement {
            residence: it.residence,
            workplace_id: it.workplace_id,
            household_id: it.household_id,
        };
        let mut values = Vec::with_capacity(17);
        if let Some(ids) = &taken {
            values.push(ids[n].into());
        } else {
            by_index.insert(idx.clone(), n);
        }
        values.extend(person_values(vault, it.person, &place, idx));
        values.extend([actor.into(), at.into(), at.into()]);
        rows.push(values);
    }
    let duplicate = |e| match e {
        DbError::Unique(_) => PersonError::DuplicateId,
        e => PersonError::Db(e),
    };
    let ordered: Vec<i64> = match taken {
        Some(ids) => {
            tx.insert_rows(rows).await.map_err(duplicate)?;
            ids
        }
        None => {
            let returned: Vec<IdIndex> = tx
                .insert_rows_returning(rows, &[People::Id, People::PidIndex])
                .await
                .map_err(duplicate)?;
            let mut ordered = vec![0i64; items.len()];
            for row in &returned {
                if let Some(&n) = by_index.get(&row.pid_index) {
                    ordered[n] = row.id;
                }
            }
            ordered
        }
    };
    count_new(tx, items).await?;
    let mut search = Vec::with_capacity(items.len() * 4);
    for (it, &id) in items.iter().zip(&ordered) {
        search.extend(search_rows(
            id,
            &it.person.full_name,
            it.person.phone.as_deref(),
            &it.residence.path,
        ));
    }
    insert_search_rows(tx, search).await?;
    Ok(ordered)
}

/// Adds the batch's new people to their units' kept totals: one statement, units in path order
/// (so two batches touching the same units lock their rows in the same order).
async fn count_new(tx: &mut Tx, items: &[BatchItem<'_>]) -> Result<(), PersonError> {
    let mut per_path: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for it in items {
        *per_path.entry(it.residence.path.as_str()).or_default() += 1;
    }
    let mut insert = Query::insert()
        .into_table(PeopleCounts::Table)
        .columns([PeopleCounts::UnitPath, PeopleCounts::People])
        .to_owned();
    for (path, n) in per_path {
        insert.values_panic([path.into(), n.into()]);
    }
    insert.on_conflict(
        sea_query::OnConflict::column(PeopleCounts::UnitPath)
            .value(
                PeopleCounts::People,
                Expr::col((PeopleCounts::Table, PeopleCounts::People))
                    .add(Expr::col((sea_query::Alias::new("excluded"), PeopleCounts::People))),
            )
            .to_owned(),
    );
    tx.execute(&insert).await.map_err(PersonError::Db)?;
    Ok(())
}

record! {
    struct IdIndex {
        id: i64,
        pid_index: Vec<u8>,
    }
}
