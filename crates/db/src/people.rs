//! People: registration, lookup within a scope, search by name (with or without diacritics), phone
//! or exact ID number, consent. The ID number never leaves this module unencrypted except through
//! [`reveal_personal_id`], which callers must audit.

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
        .expr_as(Expr::col((Units::Table, Units::Name)), "unit_name")
        .from(People::Table)
        .inner_join(
            Units::Table,
            Expr::col((Units::Table, Units::Id)).equals((People::Table, People::UnitId)),
        )
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

/// Phone numbers are search rows too; no folded name can start with this.
const PHONE_KEY: &str = "tel:";

fn phone_key(phone: &str) -> String {
    format!("{PHONE_KEY}{phone}")
}

/// The distinct search keys of a person: each word suffix of the folded name, and the phone.
fn search_keys(full_name: &str, phone: Option<&str>) -> Vec<String> {
    let mut keys = text::search_keys(&text::fold(full_name));
    keys.extend(phone.map(phone_key));
    keys.sort();
    keys.dedup();
    keys
}

/// The place a residence's search rows are filed under: its commune (the first three levels of
/// the path: country, province, commune), or the residence itself when it is a province.
/// Searches seek one place per commune of their scope, whatever the number of villages.
pub(crate) fn place_of(unit_path: &str) -> &str {
    let mut slashes = 0;
    for (i, b) in unit_path.bytes().enumerate() {
        if b == b'/' {
            slashes += 1;
            if slashes == 4 {
                return &unit_path[..=i];
            }
        }
    }
    unit_path
}

/// How many levels a path has ("/1/19/300/" has 3).
pub(crate) fn depth(path: &str) -> usize {
    path.bytes().filter(|b| *b == b'/').count().saturating_sub(1)
}

/// The depth of a commune path: scopes this deep or deeper search one place.
pub(crate) const COMMUNE_DEPTH: usize = 3;

/// One row of `people_search`: unit path, key, person, the person's sort key.
type SearchRow<'a> = (&'a str, String, i64, Vec<u8>);

fn search_rows<'a>(person_id: i64, full_name: &str, phone: Option<&str>, unit_path: &'a str) -> Vec<SearchRow<'a>> {
    let name_key = text::person_name_key(full_name);
    search_keys(full_name, phone)
        .into_iter()
        .map(|k| (unit_path, k, person_id, name_key.clone()))
        .collect()
}

/// Inserts search rows in key order (neighbouring B-tree pages one after the other).
async fn insert_search_rows(tx: &mut Tx, mut rows: Vec<SearchRow<'_>>) -> Result<()> {
    rows.sort_by(|a, b| (place_of(a.0), &a.1, a.2).cmp(&(place_of(b.0), &b.1, b.2)));
    let mut ins = Rows::new(
        PeopleSearch::Table,
        [
            PeopleSearch::Place,
            PeopleSearch::Key,
            PeopleSearch::PersonId,
            PeopleSearch::UnitPath,
            PeopleSearch::NameKey,
        ],
    );
    for (path, k, id, name_key) in rows {
        ins.push(vec![
            place_of(path).into(),
            k.into(),
            id.into(),
            path.into(),
            name_key.into(),
        ]);
    }
    tx.insert_rows(ins).await?;
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

/// The people with these ids (for naming them in lists such as the audit log), in no order.
pub async fn get_many(db: &Db, ids: &[i64]) -> Result<Vec<Person>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    db.fetch_all(select().and_where(Expr::col((People::Table, People::Id)).is_in(ids.to_vec())))
        .await
}

/// Finds the person holding this ID number, wherever they live (callers check scope).
pub async fn find_by_pid(db: &Db, vault: &PidVault, id: &PersonalId) -> Result<Option<Person>> {
    db.fetch_optional(select().and_where(Expr::col((People::Table, People::PidIndex)).eq(vault.blind_index(id))))
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

/// How a search query is understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    Everyone,
    Name(String),
    Phone(String),
    PersonalId(PersonalId),
}

impl SearchTerm {
    pub fn parse(q: &str) -> SearchTerm {
        let q = q.trim();
        if q.is_empty() {
            return SearchTerm::Everyone;
        }
        let digits: String = q
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
            .collect();
        if digits.chars().all(|c| c.is_ascii_digit()) || digits.starts_with('+') {
            if digits.len() == 12
                && let Ok(id) = PersonalId::parse(&digits)
            {
                return SearchTerm::PersonalId(id);
            }
            if let Some(p) = text::normalize_phone(q) {
                return SearchTerm::Phone(p);
            }
        }
        let folded = text::fold(q);
        if folded.is_empty() {
            SearchTerm::Everyone
        } else {
            SearchTerm::Name(folded)
        }
    }
}

/// A page of people in Vietnamese order, with cursors to the pages on either side.
#[derive(Debug, Clone, Serialize)]
pub struct PeoplePage {
    pub people: Vec<Person>,
    pub next_cursor: Option<String>,
    /// Where the page before this one ends (absent on the first page).
    pub prev_cursor: Option<String>,
    /// For name searches: more candidates matched than were examined; ask for a longer query.
    pub truncated: bool,
    /// How many people matched, when the search knew it without counting again (name and
    /// phone searches: the candidates; an ID number: this page). `None` for a whole unit.
    pub matched: Option<u64>,
}

/// How many name-search candidates are examined before asking for a more specific query.
pub const SEARCH_CANDIDATES: u64 = 2000;

/// Which page to read, relative to a cursor from an earlier page.
#[derive(Debug, Clone, Copy)]
pub enum PageAt<'a> {
    First,
    /// The page after the person this cursor names.
    After(&'a str),
    /// The page before the person this cursor names.
    Before(&'a str),
}

/// Narrows a list beyond its scope.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListFilter {
    /// Only people in this target group.
    pub group: Option<TargetGroup>,
}

/// Lists or searches people inside `scope_path`, in Vietnamese order, `limit` per page.
pub async fn search(
    db: &Db,
    vault: &PidVault,
    scope: &Scope<act::ViewPeople>,
    term: &SearchTerm,
    cursor: Option<&str>,
    limit: u64,
) -> Result<PeoplePage> {
    let at = cursor.map_or(PageAt::First, PageAt::After);
    list(db, vault, scope, term, ListFilter::default(), at, limit).await
}

/// A cursor decoded, with the direction to read from it.
#[derive(Clone)]
enum Seek {
    First,
    After(Vec<u8>, i64),
    Before(Vec<u8>, i64),
}

impl Seek {
    /// A cursor that does not decode reads the first page rather than failing.
    fn from(at: PageAt<'_>) -> Seek {
        match at {
            PageAt::First => Seek::First,
            PageAt::After(c) => decode_cursor(c).map_or(Seek::First, |(k, id)| Seek::After(k, id)),
            PageAt::Before(c) => decode_cursor(c).map_or(Seek::First, |(k, id)| Seek::Before(k, id)),
        }
    }
}

/// [`search`] with a filter, paging either way from a cursor.
pub async fn list(
    db: &Db,
    vault: &PidVault,
    scope: &Scope<act::ViewPeople>,
    term: &SearchTerm,
    filter: ListFilter,
    at: PageAt<'_>,
    limit: u64,
) -> Result<PeoplePage> {
    let scope_path = scope.root();
    let seek = Seek::from(at);
    match term {
        SearchTerm::Name(folded) => {
            return search_keyed(db, scope_path, KeyMatch::Prefix(folded), filter, seek, limit).await;
        }
        SearchTerm::Phone(p) => {
            return search_keyed(db, scope_path, KeyMatch::Exact(&phone_key(p)), filter, seek, limit).await;
        }
        SearchTerm::Everyone | SearchTerm::PersonalId(_) => {}
    }
    let (lo, hi) = subtree_range(scope_path);
    let mut q = select();
    q.and_where(Expr::col((People::Table, People::UnitPath)).gte(lo))
        .and_where(Expr::col((People::Table, People::UnitPath)).lt(hi));
    if let SearchTerm::PersonalId(id) = term {
        q.and_where(Expr::col((People::Table, People::PidIndex)).eq(vault.blind_index(id)));
    }
    if let Some(g) = filter.group {
        q.and_where(Expr::col((People::Table, People::Groups)).bit_and(group_bit(g)).ne(0));
    }
    let key = || Expr::col((People::Table, People::NameKey));
    let id = || Expr::col((People::Table, People::Id));
    let order = match &seek {
        Seek::First => Order::Asc,
        Seek::After(k, i) => {
            q.and_where(key().gt(k.clone()).or(key().eq(k.clone()).and(id().gt(*i))));
            Order::Asc
        }
        Seek::Before(k, i) => {
            q.and_where(key().lt(k.clone()).or(key().eq(k.clone()).and(id().lt(*i))));
            Order::Desc
        }
    };
    q.expr_as(key(), "name_key")
        .order_by((People::Table, People::NameKey), order.clone())
        .order_by((People::Table, People::Id), order)
        .limit(limit + 1);
    let mut rows: Vec<WithKey> = db.fetch_all(&q).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    if matches!(seek, Seek::Before(..)) {
        rows.reverse();
    }
    let first = rows.first().map(|r| encode_cursor(&r.name_key, r.person.id));
    let last = rows.last().map(|r| encode_cursor(&r.name_key, r.person.id));
    let (prev_cursor, next_cursor) = match seek {
        Seek::First => (None, last.filter(|_| more)),
        Seek::After(..) => (first, last.filter(|_| more)),
        Seek::Before(..) => (first.filter(|_| more), last),
    };
    let matched = matches!(term, SearchTerm::PersonalId(_)).then_some(rows.len() as u64);
    Ok(PeoplePage {
        people: rows.into_iter().map(|r| r.person).collect(),
        next_cursor,
        prev_cursor,
        truncated: false,
        matched,
    })
}

fn group_bit(g: TargetGroup) -> i32 {
    let mut m = Groups::default();
    m.insert(g);
    m.bits()
}

/// Beyond this many people a list's total reads "more than": counting a province's million rows
/// on every page view cost 112 ms (SQLite), counting up to this bound a few milliseconds.
pub const COUNT_BOUND: i64 = 50_000;

/// The total above a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    Exact(i64),
    /// More than [`COUNT_BOUND`] people.
    Over(i64),
    /// A filtered total of a unit of more than [`COUNT_BOUND`] people is not counted: a rare
    /// group would read every row of a province (3 s measured for one group) on each page view.
    NotCounted,
}

/// How many people of the subtree are in `filter` — the total above a list. The rows of the
/// scope are counted on the `(unit_path, name_key)` index, up to [`COUNT_BOUND`] + 1; only a scope
/// within the bound is then counted again with the filter (reading at most that many rows).
pub async fn count_filtered(db: &Db, scope: &Scope<act::ViewPeople>, filter: ListFilter) -> Result<Total> {
    let scope_path = scope.root();
    let bounded = |group: Option<TargetGroup>| {
        let (lo, hi) = subtree_range(scope_path);
        let mut inner = Query::select();
        inner
            .expr(Expr::val(1))
            .from(People::Table)
            .and_where(Expr::col(People::UnitPath).gte(lo))
            .and_where(Expr::col(People::UnitPath).lt(hi));
        if let Some(g) = group {
            inner.and_where(Expr::col(People::Groups).bit_and(group_bit(g)).ne(0));
        }
        inner.limit(COUNT_BOUND as u64 + 1);
        Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from_subquery(inner.to_owned(), sea_query::Alias::new("bounded"))
            .to_owned()
    };
    let all: Scalar<i64> = db.fetch_one(&bounded(None)).await?;
    if all.0 > COUNT_BOUND {
        return Ok(match filter.group {
            None => Total::Over(COUNT_BOUND),
            Some(_) => Total::NotCounted,
        });
    }
    if filter.group.is_none() {
        return Ok(Total::Exact(all.0));
    }
    let n: Scalar<i64> = db.fetch_one(&bounded(filter.group)).await?;
    Ok(Total::Exact(n.0))
}

record! {
    struct Candidate {
        person_id: i64,
        name_key: Vec<u8>,
    }
}

/// How a search key must match.
enum KeyMatch<'a> {
    /// Keys starting with the folded words typed: "van an" finds "van an" and "van anh".
    Prefix(&'a str),
    Exact(&'a str),
}

/// Search through `people_search`. A scope at or below a commune is one range seek in the
/// commune's place (filtered to the scope); a province or the country walks the places of its
/// communes in path order and seeks in each. Vietnamese order and paging are done on at most
/// [`SEARCH_CANDIDATES`] candidates' stored sort keys; only the page's people are read.
async fn search_keyed(
    db: &Db,
    scope_path: &str,
    key: KeyMatch<'_>,
    filter: ListFilter,
    seek: Seek,
    limit: u64,
) -> Result<PeoplePage> {
    let (lo, hi) = subtree_range(scope_path);
    let s = PeopleSearch::Table;
    let mut q = Query::select();
    q.columns([(s, PeopleSearch::PersonId), (s, PeopleSearch::NameKey)]);
    if depth(scope_path) >= COMMUNE_DEPTH {
        q.from(s)
            .and_where(Expr::col((s, PeopleSearch::Place)).eq(place_of(scope_path)))
            .and_where(Expr::col((s, PeopleSearch::UnitPath)).gte(lo))
            .and_where(Expr::col((s, PeopleSearch::UnitPath)).lt(hi));
    } else {
        // Places are the communes of the scope, and the scope itself for people filed at it.
        q.from(Units::Table)
            .inner_join(
                s,
                Expr::col((s, PeopleSearch::Place)).equals((Units::Table, Units::Path)),
            )
            .and_where(Expr::col((Units::Table, Units::Path)).gte(lo))
            .and_where(Expr::col((Units::Table, Units::Path)).lt(hi))
            .and_where(Expr::col((Units::Table, Units::Level)).is_in([
                Level::Country.as_str(),
                Level::Province.as_str(),
                Level::Commune.as_str(),
            ]));
    }
    // A target group lives on the person, not the search row: only a filtered search reads people.
    if let Some(g) = filter.group {
        q.inner_join(
            People::Table,
            Expr::col((People::Table, People::Id)).equals((s, PeopleSearch::PersonId)),
        )
        .and_where(Expr::col((People::Table, People::Groups)).bit_and(group_bit(g)).ne(0));
    }
    match key {
        KeyMatch::Prefix(folded) => {
            q.and_where(Expr::col((s, PeopleSearch::Key)).gte(folded.to_string()))
                .and_where(Expr::col((s, PeopleSearch::Key)).lt(format!("{folded}\u{10FFFF}")));
        }
        KeyMatch::Exact(k) => {
            q.and_where(Expr::col((s, PeopleSearch::Key)).eq(k.to_string()));
        }
    }
    let mut candidates: Vec<Candidate> = db.fetch_all(q.limit(SEARCH_CANDIDATES + 1)).await?;
    let truncated = candidates.len() as u64 > SEARCH_CANDIDATES;
    candidates.sort_by(|a, b| (&a.name_key, a.person_id).cmp(&(&b.name_key, b.person_id)));
    candidates.dedup_by_key(|c| c.person_id);
    let position = |key: &Vec<u8>, id: i64| candidates.partition_point(|c| (&c.name_key, c.person_id) <= (key, id));
    let (start, end) = match &seek {
        Seek::First => (0, candidates.len().min(limit as usize)),
        Seek::After(key, id) => {
            let from = position(key, *id);
            (from, candidates.len().min(from + limit as usize))
        }
        Seek::Before(key, id) => {
            let to = candidates.partition_point(|c| (&c.name_key, c.person_id) < (key, *id));
            (to.saturating_sub(limit as usize), to)
        }
    };
    let page = &candidates[start..end];
    let cursor = |c: &Candidate| encode_cursor(&c.name_key, c.person_id);
    let next_cursor = (end < candidates.len()).then(|| page.last().map(cursor)).flatten();
    let prev_cursor = (start > 0).then(|| page.first().map(cursor)).flatten();
    let ids: Vec<i64> = page.iter().map(|c| c.person_id).collect();
    let mut people: Vec<Person> = if ids.is_empty() {
        Vec::new()
    } else {
        db.fetch_all(select().and_where(Expr::col((People::Table, People::Id)).is_in(ids.clone())))
            .await?
    };
    people.sort_by_key(|p| ids.iter().position(|i| *i == p.id));
    Ok(PeoplePage {
        people,
        next_cursor,
        prev_cursor,
        truncated,
        matched: Some(candidates.len() as u64),
    })
}

struct WithKey {
    person: Person,
    name_key: Vec<u8>,
}

impl<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> for WithKey {
    fn from_row(row: &'r sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(WithKey {
            person: Person::from_row(row)?,
            name_key: row.try_get("name_key")?,
        })
    }
}
impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for WithKey {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(WithKey {
            person: Person::from_row(row)?,
            name_key: row.try_get("name_key")?,
        })
    }
}

fn encode_cursor(key: &[u8], id: i64) -> String {
    format!("{}.{id}", hex_encode(key))
}

fn decode_cursor(c: &str) -> Option<(Vec<u8>, i64)> {
    let (k, id) = c.split_once('.')?;
    Some((hex_decode(k)?, id.parse().ok()?))
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 2048 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
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

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Consent {
        pub id: i64,
        pub person_id: i64,
        pub method: ConsentMethod as "consents.method",
        pub purpose: String,
        pub recorded_by: Option<i64>,
        pub given_at: OffsetDateTime,
        pub withdrawn_at: Option<OffsetDateTime>,
        pub withdrawn_by: Option<i64>,
    }
}

/// How consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentMethod {
    Paper,
    Verbal,
    Online,
}

impl ConsentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::Paper => "paper",
            ConsentMethod::Verbal => "verbal",
            ConsentMethod::Online => "online",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [ConsentMethod::Paper, ConsentMethod::Verbal, ConsentMethod::Online]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

crate::stored::stored_as_text!(ConsentMethod);

pub const CONSENT_PURPOSE: &str = "digital_literacy";

pub async fn record_consent(
    tx: &mut Tx,
    person_id: i64,
    method: ConsentMethod,
    recorded_by: Option<i64>,
) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(Consents::Table)
            .columns([
                Consents::PersonId,
                Consents::Method,
                Consents::Purpose,
                Consents::RecordedBy,
                Consents::GivenAt,
            ])
            .values_panic([
                person_id.into(),
                method.as_str().into(),
                CONSENT_PURPOSE.into(),
                recorded_by.into(),
                now().into(),
            ]),
    )
    .await?;
    Ok(())
}

pub async fn withdraw_consent(tx: &mut Tx, person_id: i64, by: Option<i64>) -> Result<u64> {
    tx.execute(
        Query::update()
            .table(Consents::Table)
            .values([
                (Consents::WithdrawnAt, now().into()),
                (Consents::WithdrawnBy, by.into()),
            ])
            .and_where(Expr::col(Consents::PersonId).eq(person_id))
            .and_where(Expr::col(Consents::WithdrawnAt).is_null()),
    )
    .await
}

pub async fn consents(db: &Db, person_id: i64) -> Result<Vec<Consent>> {
    db.fetch_all(
        Query::select()
            .columns([
                Consents::Id,
                Consents::PersonId,
                Consents::Method,
                Consents::Purpose,
                Consents::RecordedBy,
                Consents::GivenAt,
                Consents::WithdrawnAt,
                Consents::WithdrawnBy,
            ])
            .from(Consents::Table)
            .and_where(Expr::col(Consents::PersonId).eq(person_id))
            .order_by(Consents::Id, Order::Asc),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms() {
        assert!(matches!(SearchTerm::parse("019085001234"), SearchTerm::PersonalId(_)));
        assert_eq!(
            SearchTerm::parse("0912 345 678"),
            SearchTerm::Phone("0912345678".into())
        );
        assert_eq!(SearchTerm::parse("Nguyễn Văn"), SearchTerm::Name("nguyen van".into()));
        assert_eq!(SearchTerm::parse("  "), SearchTerm::Everyone);
    }

    #[test]
    fn places_are_communes() {
        assert_eq!(place_of("/1/19/300/4000/"), "/1/19/300/");
        assert_eq!(place_of("/1/19/300/"), "/1/19/300/");
        assert_eq!(place_of("/1/19/"), "/1/19/");
        assert_eq!(place_of("/1/19/300/4000/5000/"), "/1/19/300/");
        assert_eq!(depth("/1/19/300/"), COMMUNE_DEPTH);
        assert_eq!(depth("/1/19/"), 2);
    }

    #[test]
    fn cursors_round_trip() {
        let c = encode_cursor(&[1, 2, 255], 42);
        assert_eq!(decode_cursor(&c), Some((vec![1, 2, 255], 42)));
        assert_eq!(decode_cursor("zz.1"), None);
        assert_eq!(decode_cursor("nonsense"), None);
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
    // Returned rows come back in no promised order; the ID number's index says whose id it is.
    let mut by_index: HashMap<Vec<u8>, usize> = HashMap::with_capacity(items.len());
    let mut rows = Rows::new(
        People::Table,
        PERSON_COLUMNS
            .into_iter()
            .chain([People::CreatedBy, People::CreatedAt, People::UpdatedAt]),
    );
    for (n, it) in items.iter().enumerate() {
        let idx = vault.blind_index(&it.person.personal_id);
        let place = Placement {
            residence: it.residence,
            workplace_id: it.workplace_id,
            household_id: it.household_id,
        };
        let mut values = person_values(vault, it.person, &place, idx.clone()).to_vec();
        values.extend([actor.into(), at.into(), at.into()]);
        rows.push(values);
        by_index.insert(idx, n);
    }
    let ids: Vec<IdIndex> = tx
        .insert_rows_returning(rows, &[People::Id, People::PidIndex])
        .await
        .map_err(|e| match e {
            DbError::Unique(_) => PersonError::DuplicateId,
            e => PersonError::Db(e),
        })?;
    let mut search = Vec::with_capacity(ids.len() * 4);
    let mut ordered = vec![0i64; items.len()];
    for row in &ids {
        if let Some(&n) = by_index.get(&row.pid_index) {
            let it = &items[n];
            ordered[n] = row.id;
            search.extend(search_rows(
                row.id,
                &it.person.full_name,
                it.person.phone.as_deref(),
                &it.residence.path,
            ));
        }
    }
    insert_search_rows(tx, search).await?;
    Ok(ordered)
}

record! {
    struct IdIndex {
        id: i64,
        pid_index: Vec<u8>,
    }
}
