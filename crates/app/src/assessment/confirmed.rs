//! The confirmed people of an officer's scope: the list, its spreadsheet and the batch of their
//! certificates in one PDF. Each shows names, so each is recorded in the audit log before
//! anything is returned.

use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Principal, act};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_db::attainments::{self as db, Certificate, ConfirmedPerson};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::units::Unit;
use std::collections::HashMap;

/// A page of the list shows at most this many; the spreadsheet holds up to [`EXPORT_MAX`].
pub const LIST_MAX: u64 = 500;
pub const EXPORT_MAX: u64 = 20_000;
/// One PDF holds at most this many certificates (a few hundred pages print in one go).
pub const BATCH_MAX: u64 = 1_000;

pub struct ConfirmedList {
    pub people: Vec<ConfirmedPerson>,
    /// The name of each person's unit, by its path.
    pub unit_names: HashMap<String, String>,
    /// More people than the page shows: the spreadsheet has them all.
    pub more: bool,
}

async fn unit_names(app: &App, paths: impl Iterator<Item = &str>) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for path in paths {
        if out.contains_key(path) {
            continue;
        }
        let id = path.split('/').rfind(|s| !s.is_empty()).and_then(|s| s.parse().ok());
        let name = match id {
            Some(id) => hocvuso_db::units::get(&app.db, id).await?.map(|u| u.name),
            None => None,
        };
        out.insert(path.to_string(), name.unwrap_or_default());
    }
    Ok(out)
}

/// The confirmed people of the unit's subtree, newest confirmation first.
pub async fn list(app: &App, who: &Principal, unit: &Unit) -> Result<ConfirmedList> {
    let scope = who.authorize::<act::ViewPeople>(&unit.path)?;
    let mut people = db::confirmed_people(&app.db, &scope, LIST_MAX + 1).await?;
    let more = people.len() as u64 > LIST_MAX;
    people.truncate(LIST_MAX as usize);
    let event = Event::ConfirmedListed {
        unit_code: unit.code.clone(),
        shown: people.len(),
    };
    audit::record(&app.db, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    let unit_names = unit_names(app, people.iter().map(|p| p.unit_path.as_str())).await?;
    Ok(ConfirmedList {
        people,
        unit_names,
        more,
    })
}

/// Every confirmed person of the subtree, for a spreadsheet: needs the right to export people.
pub async fn export(app: &App, who: &Principal, unit: &Unit) -> Result<ConfirmedList> {
    let scope = who.authorize::<act::ViewPeople>(&unit.path)?;
    who.authorize::<act::ExportPeople>(&unit.path)?;
    let people = db::confirmed_people(&app.db, &scope, EXPORT_MAX + 1).await?;
    if people.len() as u64 > EXPORT_MAX {
        return Err(Error::Invalid(vec![FieldError::new(
            "",
            Message::new("err-confirmed-export-too-many").arg("max", EXPORT_MAX as i64),
        )]));
    }
    let event = Event::ConfirmedExported {
        unit_code: unit.code.clone(),
        shown: people.len(),
    };
    audit::record(&app.db, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    let unit_names = unit_names(app, people.iter().map(|p| p.unit_path.as_str())).await?;
    Ok(ConfirmedList {
        people,
        unit_names,
        more: false,
    })
}

/// The valid certificates of the subtree's people, to print as one PDF (a village's or an
/// organisation's class): refused past [`BATCH_MAX`] so the officer narrows to a smaller unit.
pub async fn batch(app: &App, who: &Principal, unit: &Unit) -> Result<Vec<Certificate>> {
    let scope = who.authorize::<act::ViewPeople>(&unit.path)?;
    who.authorize::<act::ExportPeople>(&unit.path)?;
    let certs = db::certificates_in_scope(&app.db, &scope, BATCH_MAX + 1).await?;
    if certs.len() as u64 > BATCH_MAX {
        return Err(Error::Invalid(vec![FieldError::new(
            "",
            Message::new("err-certificate-batch-too-many").arg("max", BATCH_MAX as i64),
        )]));
    }
    if !certs.is_empty() {
        let event = Event::CertificatesPrinted {
            unit_code: unit.code.clone(),
            count: certs.len(),
        };
        audit::record(&app.db, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    }
    Ok(certs)
}
