//! Units: creating villages, organisations and (from above) communes, renaming, merging and
//! moving units, villages uploaded as a list, and the denominators that targets are measured against.

use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Principal, act};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::import::{self, DenominatorRow, RowError, VillageRow};
use hocvuso_core::roles::Action;
use hocvuso_core::units::{DenominatorKind, Kind, Level};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::units::{self, NewUnit, Unit, UnitError};
use hocvuso_db::{Tx, denominators};

impl From<UnitError> for Error {
    fn from(e: UnitError) -> Error {
        match e {
            UnitError::Invalid(m) => Error::Invalid(vec![FieldError::new("", m)]),
            UnitError::Db(d) => Error::Db(d),
        }
    }
}

/// The unit as it is now, inside the writing transaction: a rule about where it sits is checked
/// on this, not on the copy a page read earlier.
async fn current(tx: &mut Tx, unit: &Unit) -> Result<Unit> {
    units::get_tx(tx, unit.id).await?.ok_or(Error::NotFound)
}

/// New communes (a split, a new ward) are official units: only a steering or system administrator
/// of the province or above may add one. Villages and organisations: whoever manages units there.
fn may_add(who: &Principal, parent: &Unit, kind: Kind) -> Result<()> {
    who.authorize::<act::ManageUnits>(&parent.path)?;
    if kind.level() == Level::Commune && !who.may_add_commune(&parent.path) {
        return Err(hocvuso_core::access::Denied::Forbidden.into());
    }
    Ok(())
}

pub struct NewChild<'a> {
    pub kind: Kind,
    pub name: &'a str,
    pub code: Option<&'a str>,
}

pub async fn create_child(app: &App, who: &Principal, parent: &Unit, new: NewChild<'_>) -> Result<Unit> {
    may_add(who, parent, new.kind)?;
    let mut tx = app.db.begin().await?;
    let parent = current(&mut tx, parent).await?;
    may_add(who, &parent, new.kind)?;
    let unit = create_in(&mut tx, who, &parent, new).await?;
    tx.commit().await?;
    Ok(unit)
}

async fn create_in(tx: &mut Tx, who: &Principal, parent: &Unit, new: NewChild<'_>) -> Result<Unit> {
    let actor = Actor::from(who);
    let n = NewUnit {
        parent,
        kind: new.kind,
        name: new.name,
        code: new.code,
    };
    let unit = units::create_in(tx, n, &actor).await?;
    let event = Event::UnitCreated {
        unit_id: unit.id,
        detail: serde_json::json!({"name": unit.name, "parent": parent.code}),
    };
    audit::append(tx, &actor, Entry::of(&unit.path, &event)).await?;
    Ok(unit)
}

pub async fn rename(app: &App, who: &Principal, unit: &Unit, name: &str) -> Result<()> {
    who.authorize_unit_change(&unit.path, unit.level())?;
    let mut tx = app.db.begin().await?;
    let unit = current(&mut tx, unit).await?;
    who.authorize_unit_change(&unit.path, unit.level())?;
    let actor = Actor::from(who);
    let detail = units::rename_in(&mut tx, &unit, name, &actor).await?;
    let event = Event::UnitRenamed {
        unit_id: unit.id,
        detail,
    };
    audit::append(&mut tx, &actor, Entry::of(&unit.path, &event)).await?;
    tx.commit().await?;
    Ok(())
}

/// Units that `unit` may be merged into: its active siblings of the same level.
pub async fn merge_targets(app: &App, unit: &Unit) -> Result<Vec<Unit>> {
    let Some(parent) = unit.parent_id else {
        return Ok(Vec::new());
    };
    Ok(units::children(&app.db, parent)
        .await?
        .into_iter()
        .filter(|s| s.id != unit.id && s.level() == unit.level())
        .collect())
}

/// Merges `from` into its sibling coded `into_code`; returns the unit merged into.
pub async fn merge(app: &App, who: &Principal, from: &Unit, into_code: &str) -> Result<Unit> {
    who.authorize_unit_change(&from.path, from.level())?;
    let Some(into) = merge_targets(app, from)
        .await?
        .into_iter()
        .find(|t| t.code == into_code)
    else {
        return Err(Error::Invalid(vec![FieldError::new(
            "into",
            Message::new("err-unit-merge-target"),
        )]));
    };
    who.authorize_unit_change(&into.path, into.level())?;
    let mut tx = app.db.begin().await?;
    let (from, into) = (current(&mut tx, from).await?, current(&mut tx, &into).await?);
    who.authorize_unit_change(&from.path, from.level())?;
    who.authorize_unit_change(&into.path, into.level())?;
    if !from.active || !into.active || from.parent_id != into.parent_id {
        return Err(Error::Invalid(vec![FieldError::new(
            "into",
            Message::new("err-unit-merge-target"),
        )]));
    }
    let actor = Actor::from(who);
    let detail = units::merge_in(&mut tx, &from, &into, &actor).await?;
    let event = Event::UnitMerged {
        unit_id: from.id,
        detail,
    };
    audit::append(&mut tx, &actor, Entry::of(&into.path, &event)).await?;
    tx.commit().await?;
    Ok(into)
}

/// Moves a village or organisation under another unit (the step of a split); its people follow.
pub async fn move_to(app: &App, who: &Principal, unit: &Unit, to: &Unit) -> Result<()> {
    let check = |unit: &Unit, to: &Unit| -> Result<()> {
        who.authorize_unit_change(&unit.path, unit.level())?;
        if !matches!(unit.level(), Level::Village | Level::Organisation) {
            return Err(hocvuso_core::access::Denied::Forbidden.into());
        }
        who.authorize::<act::ManageUnits>(&to.path)?;
        Ok(())
    };
    check(unit, to)?;
    let mut tx = app.db.begin().await?;
    let (unit, to) = (current(&mut tx, unit).await?, current(&mut tx, to).await?);
    check(&unit, &to)?;
    let actor = Actor::from(who);
    let (new_path, detail) = units::move_in(&mut tx, &unit, &to, &actor).await?;
    let event = Event::UnitMoved {
        unit_id: unit.id,
        detail,
    };
    audit::append(&mut tx, &actor, Entry::of(&new_path, &event)).await?;
    tx.commit().await?;
    Ok(())
}

/// What a village list did: villages created, and those already present (same name) kept.
pub struct VillagesImported {
    pub created: usize,
    pub unchanged: usize,
}

/// Rows one village list may have. A commune has tens of villages (the largest about two hundred),
/// and its list is created in one transaction while the officer waits for the page: a list of
/// 1,000 takes 0.7 s (SQLite) to 4.5 s (PostgreSQL) in a debug build, while an unbounded one held
/// SQLite's single writer until the request timed out (docs/DECISIONS.md, "The village list stays
/// a request").
pub const MAX_VILLAGES_PER_UPLOAD: usize = 1_000;

/// Reads an uploaded village list of `commune` and checks its rows, once `who` may manage its
/// units: the rows, or the problems of each line. Through the process's one reader
/// ([`crate::reading`]): [`Error::Busy`] after waiting its time for another upload's read. A file
/// that cannot be read is [`Error::Invalid`] with the reader's message (a limit passed, named).
pub async fn read_village_list(
    app: &App,
    who: &Principal,
    commune: &Unit,
    bytes: Vec<u8>,
) -> Result<(Vec<VillageRow>, Vec<RowError>)> {
    who.authorize::<act::ManageUnits>(&commune.path)?;
    app.reader
        .read(move || import::read_table(&bytes, &import::is_village_header).and_then(|t| import::check_villages(&t)))
        .await?
        .map_err(unreadable)
}

/// Reads an uploaded sheet of denominators for `unit` and checks its rows, once `who` may manage
/// its denominators; like [`read_village_list`].
pub async fn read_denominators(
    app: &App,
    who: &Principal,
    unit: &Unit,
    bytes: Vec<u8>,
) -> Result<(Vec<DenominatorRow>, Vec<RowError>)> {
    who.authorize::<act::ManageDenominators>(&unit.path)?;
    app.reader
        .read(move || {
            import::read_table(&bytes, &import::is_denominator_header).and_then(|t| import::check_denominators(&t))
        })
        .await?
        .map_err(unreadable)
}

/// A file that cannot be read as a list: its message names what is wrong (a limit passed).
fn unreadable(m: Message) -> Error {
    Error::Invalid(vec![FieldError::new("file", m)])
}

/// Creates the villages of a commune from checked rows: all or nothing. A row the storage refuses
/// is reported with its line.
pub async fn import_villages(
    app: &App,
    who: &Principal,
    commune: &Unit,
    rows: &[VillageRow],
) -> Result<VillagesImported, (usize, Error)> {
    let at = |e: Error| (0, e);
    who.authorize::<act::ManageUnits>(&commune.path)
        .map_err(|d| at(d.into()))?;
    if commune.level() != Level::Commune {
        return Err(at(Error::Invalid(vec![FieldError::new(
            "",
            Message::new("err-unit-parent"),
        )])));
    }
    if rows.len() > MAX_VILLAGES_PER_UPLOAD {
        return Err(at(Error::Invalid(vec![FieldError::new(
            "",
            Message::new("err-villages-too-many").arg("max", MAX_VILLAGES_PER_UPLOAD),
        )])));
    }
    let default_kind = if commune.kind.as_str() == "phuong" {
        Kind::ToDanPho
    } else {
        Kind::Thon
    };
    let mut tx = app.db.begin().await.map_err(|e| at(e.into()))?;
    let commune = current(&mut tx, commune).await.map_err(at)?;
    who.authorize::<act::ManageUnits>(&commune.path)
        .map_err(|d| at(d.into()))?;
    let (mut created, mut unchanged) = (0, 0);
    for r in rows {
        if units::find_village(&app.db, &commune, &r.name)
            .await
            .map_err(|e| at(e.into()))?
            .is_some()
        {
            unchanged += 1;
            continue;
        }
        let new = NewChild {
            kind: r.kind.unwrap_or(default_kind),
            name: &r.name,
            code: r.code.as_deref(),
        };
        create_in(&mut tx, who, &commune, new).await.map_err(|e| (r.line, e))?;
        created += 1;
    }
    let event = Event::VillagesImported {
        unit_code: commune.code.clone(),
        detail: serde_json::json!({"created": created, "unchanged": unchanged}),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&commune.path, &event))
        .await
        .map_err(|e| at(e.into()))?;
    tx.commit().await.map_err(|e| at(e.into()))?;
    Ok(VillagesImported { created, unchanged })
}

/// Sets the unit's denominators of `year` as typed on its page.
pub async fn set_denominators(
    app: &App,
    who: &Principal,
    unit: &Unit,
    year: i32,
    values: &[(DenominatorKind, i64, String)],
) -> Result<()> {
    who.authorize::<act::ManageDenominators>(&unit.path)?;
    let mut tx = app.db.begin().await?;
    let unit = current(&mut tx, unit).await?;
    who.authorize::<act::ManageDenominators>(&unit.path)?;
    for (kind, n, src) in values {
        denominators::set(&mut tx, unit.id, year, *kind, *n, src, who.account_id).await?;
    }
    let detail = serde_json::json!({"values": values.iter().map(|(k, n, s)| serde_json::json!({"kind": k.as_str(), "value": n, "source": s})).collect::<Vec<_>>()});
    let event = Event::DenominatorsSet {
        unit_code: unit.code.clone(),
        year,
        detail,
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    tx.commit().await?;
    Ok(())
}

/// The lines of a denominators sheet naming a unit outside `unit` or out of the principal's
/// reach, for the report shown with the file's own errors (nothing is saved).
pub async fn refused_denominator_units(
    app: &App,
    who: &Principal,
    unit: &Unit,
    rows: &[DenominatorRow],
) -> Result<Vec<(usize, Message)>> {
    who.authorize::<act::ManageDenominators>(&unit.path)?;
    let mut refused = Vec::new();
    for r in rows {
        match units::by_code(&app.db, &r.unit_code).await? {
            Some(u) if u.path.starts_with(&unit.path) && who.can(Action::ManageDenominators, &u.path) => {}
            _ => refused.push((r.line, Message::new("err-denominator-unit").arg("code", &r.unit_code))),
        }
    }
    Ok(refused)
}

/// Saves an uploaded sheet of denominators for `unit` and units below it: nothing is saved unless
/// every row names a unit inside the principal's reach. Returns the lines refused, with reasons.
pub async fn import_denominators(
    app: &App,
    who: &Principal,
    unit: &Unit,
    year: i32,
    rows: &[DenominatorRow],
) -> Result<Vec<(usize, Message)>> {
    who.authorize::<act::ManageDenominators>(&unit.path)?;
    let mut tx = app.db.begin().await?;
    let unit = current(&mut tx, unit).await?;
    who.authorize::<act::ManageDenominators>(&unit.path)?;
    let mut refused = Vec::new();
    let mut resolved = Vec::new();
    for r in rows {
        // Read inside the transaction: a unit moved out of reach meanwhile is refused.
        let found = match units::by_code(&app.db, &r.unit_code).await? {
            Some(u) => units::get_tx(&mut tx, u.id).await?,
            None => None,
        };
        match found {
            Some(u) if u.path.starts_with(&unit.path) && who.can(Action::ManageDenominators, &u.path) => {
                resolved.push((u, r))
            }
            _ => refused.push((r.line, Message::new("err-denominator-unit").arg("code", &r.unit_code))),
        }
    }
    if !refused.is_empty() {
        return Ok(refused);
    }
    for (u, r) in &resolved {
        denominators::set(&mut tx, u.id, year, r.kind, r.value, &r.source, who.account_id).await?;
    }
    let event = Event::DenominatorsSet {
        unit_code: unit.code.clone(),
        year,
        detail: serde_json::json!({"imported": resolved.len()}),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    tx.commit().await?;
    Ok(Vec::new())
}
