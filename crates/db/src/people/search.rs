//! Finding people: the search rows written with each person (every word suffix of the folded
//! name, and the phone), and lists and searches within a scope in Vietnamese order with cursors.

use super::*;
use sea_query::{Alias, Asterisk, UnionType};

/// Phone numbers are search rows too; no folded name can start with this.
const PHONE_KEY: &str = "tel:";

fn phone_key(phone: &str) -> String {
    format!("{PHONE_KEY}{phone}")
}

/// The distinct search keys of a person: each word suffix of the folded name, and the phone.
pub(super) fn search_keys(full_name: &str, phone: Option<&str>) -> Vec<String> {
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

pub(super) fn search_rows<'a>(
    person_id: i64,
    full_name: &str,
    phone: Option<&str>,
    unit_path: &'a str,
) -> Vec<SearchRow<'a>> {
    let name_key = text::person_name_key(full_name);
    search_keys(full_name, phone)
        .into_iter()
        .map(|k| (unit_path, k, person_id, name_key.clone()))
        .collect()
}

/// Inserts search rows in key order (neighbouring B-tree pages one after the other).
pub(super) async fn insert_search_rows(tx: &mut Tx, mut rows: Vec<SearchRow<'_>>) -> Result<()> {
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
    let key = || Expr::col((People::Table, People::NameKey));
    let id = || Expr::col((People::Table, People::Id));
    let order = match &seek {
        Seek::Before(..) => Order::Desc,
        _ => Order::Asc,
    };
    // One page of the people filed at `at` (a unit path, or the subtree when `None`), in order from
    // the cursor: whole rows, or only their ids (from the index alone, without the unit's name).
    let page_of = |at: Option<&str>, whole: bool| {
        let mut q = if whole {
            select()
        } else {
            Query::select()
                .column((People::Table, People::Id))
                .from(People::Table)
                .to_owned()
        };
        match at {
            Some(path) => q.and_where(Expr::col((People::Table, People::UnitPath)).eq(path)),
            None => q
                .and_where(Expr::col((People::Table, People::UnitPath)).gte(lo.clone()))
                .and_where(Expr::col((People::Table, People::UnitPath)).lt(hi.clone())),
        };
        if let SearchTerm::PersonalId(id) = term {
            q.and_where(Expr::col((People::Table, People::PidIndex)).eq(vault.blind_index(id)));
        }
        if let Some(g) = filter.group {
            q.and_where(Expr::col((People::Table, People::Groups)).bit_and(group_bit(g)).ne(0));
        }
        match &seek {
            Seek::First => {}
            Seek::After(k, i) => {
                q.and_where(key().gt(k.clone()).or(key().eq(k.clone()).and(id().gt(*i))));
            }
            Seek::Before(k, i) => {
                q.and_where(key().lt(k.clone()).or(key().eq(k.clone()).and(id().lt(*i))));
            }
        }
        q.expr_as(key(), "name_key")
            .order_by((People::Table, People::NameKey), order.clone())
            .order_by((People::Table, People::Id), order.clone())
            .limit(limit + 1);
        q
    };
    // The index holds each unit's people in name order, but not a subtree's: ordering a commune's
    // ten thousand people read them all for each page. A subtree of few units is read as one
    // ordered page per unit, merged.
    let units_in: Vec<Scalar<String>> = if matches!(term, SearchTerm::Everyone) {
        db.fetch_all(
            Query::select()
                .column(Units::Path)
                .from(Units::Table)
                .and_where(Expr::col(Units::Path).gte(lo.clone()))
                .and_where(Expr::col(Units::Path).lt(hi.clone()))
                .limit(MERGED_UNITS as u64 + 1),
        )
        .await?
    } else {
        Vec::new()
    };
    let q = if !units_in.is_empty() && units_in.len() <= MERGED_UNITS {
        // Each unit's page is read from the index alone (sort key and id); only the merged
        // page's people are read whole.
        let member = |(i, path): (usize, &Scalar<String>)| {
            Query::select()
                .column(Asterisk)
                .from_subquery(page_of(Some(&path.0), false), Alias::new(format!("m{i}")))
                .to_owned()
        };
        let mut members = units_in.iter().enumerate().map(member);
        let Some(mut merged) = members.next() else {
            return Err(DbError::Invalid("no unit to list".into()));
        };
        for m in members {
            merged.union(UnionType::All, m);
        }
        let ids = Query::select()
            .column(Alias::new("id"))
            .from_subquery(merged, Alias::new("merged"))
            .order_by(Alias::new("name_key"), order.clone())
            .order_by(Alias::new("id"), order.clone())
            .limit(limit + 1)
            .to_owned();
        let mut q = select();
        q.expr_as(key(), "name_key")
            .and_where(Expr::col((People::Table, People::Id)).in_subquery(ids))
            .order_by((People::Table, People::NameKey), order.clone())
            .order_by((People::Table, People::Id), order);
        q
    } else {
        page_of(None, true)
    };
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

/// A list of a subtree of at most this many units reads one page per unit and merges them.
const MERGED_UNITS: usize = 64;

/// A filtered total is counted only in a scope of at most this many people: a rare group would
/// read every row of a province (3 s measured for one group) on each page view.
pub const COUNT_BOUND: i64 = 50_000;

/// The total above a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    Exact(i64),
    /// A filtered total of a scope of more than [`COUNT_BOUND`] people is not counted.
    NotCounted,
}

/// How many people of the scope there are: the sum of its units' counts, which triggers keep on
/// every write to `people` (a commune's twelve rows, a province's thousand, never its people).
pub async fn count_scope(db: &Db, scope: &Scope<act::ViewPeople>) -> Result<i64> {
    let (lo, hi) = subtree_range(scope.root());
    let n: Scalar<i64> = db
        .fetch_one(
            Query::select()
                .expr(Expr::cust("CAST(COALESCE(SUM(people), 0) AS BIGINT)"))
                .from(PeopleCounts::Table)
                .and_where(Expr::col(PeopleCounts::UnitPath).gte(lo))
                .and_where(Expr::col(PeopleCounts::UnitPath).lt(hi)),
        )
        .await?;
    Ok(n.0)
}

/// How many people of the scope are in `filter` — the total above a list. Unfiltered, the kept
/// counts ([`count_scope`]); filtered, the people are counted when the scope holds at most
/// [`COUNT_BOUND`].
pub async fn count_filtered(db: &Db, scope: &Scope<act::ViewPeople>, filter: ListFilter) -> Result<Total> {
    let all = count_scope(db, scope).await?;
    let Some(g) = filter.group else {
        return Ok(Total::Exact(all));
    };
    if all > COUNT_BOUND {
        return Ok(Total::NotCounted);
    }
    let (lo, hi) = subtree_range(scope.root());
    let n: Scalar<i64> = db
        .fetch_one(
            Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(People::Table)
                .and_where(Expr::col(People::UnitPath).gte(lo))
                .and_where(Expr::col(People::UnitPath).lt(hi))
                .and_where(Expr::col(People::Groups).bit_and(group_bit(g)).ne(0)),
        )
        .await?;
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
        // Past the bound the total is "more than" the number a search examines.
        matched: Some(if truncated {
            SEARCH_CANDIDATES
        } else {
            candidates.len() as u64
        }),
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
