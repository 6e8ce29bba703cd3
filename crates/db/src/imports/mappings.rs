//! What an officer told the platform once about a commune's files (a header that names a field,
//! a value that names a target group), remembered for the commune's next file.

use crate::stored::UnknownValue;
use crate::{Db, DbError, Result, Tx, now, record};
use hocvuso_core::i18n::Message;
use hocvuso_core::import::Mappings;
use hocvuso_core::people::{TargetGroup, group_key};
use hocvuso_core::text;
use sea_query::{Expr, ExprTrait, OnConflict, Query};

// The tables this module owns; other modules import these to join them.
#[derive(sea_query::Iden, Clone, Copy)]
pub enum ImportMappings {
    Table,
    UnitId,
    Kind,
    Source,
    Target,
    UpdatedBy,
    UpdatedAt,
}

const COLUMN: &str = "column";
const GROUP: &str = "group";

record! {
    struct Stored {
        kind: String,
        source: String,
        target: String,
    }
}

/// The mappings remembered for a unit's files.
pub async fn load(db: &Db, unit_id: i64) -> Result<Mappings> {
    let rows: Vec<Stored> = db
        .fetch_all(
            Query::select()
                .columns([ImportMappings::Kind, ImportMappings::Source, ImportMappings::Target])
                .from(ImportMappings::Table)
                .and_where(Expr::col(ImportMappings::UnitId).eq(unit_id)),
        )
        .await?;
    let mut m = Mappings::default();
    for r in rows {
        // A value this release does not know is an error naming it, not a mapping quietly
        // forgotten (docs/DECISIONS.md, strict decoding).
        let unknown = |at, value: &str| DbError::Unknown(UnknownValue::new(at, &value));
        match r.kind.as_str() {
            COLUMN => {
                let field = Mappings::field(&r.target).ok_or_else(|| unknown("import_mappings.target", &r.target))?;
                m.columns.insert(r.source, field);
            }
            GROUP => {
                let g = TargetGroup::ALL
                    .into_iter()
                    .find(|g| g.as_str() == r.target)
                    .ok_or_else(|| unknown("import_mappings.target", &r.target))?;
                m.groups.insert(r.source, g);
            }
            other => return Err(unknown("import_mappings.kind", other)),
        }
    }
    Ok(m)
}

/// What the officer chose on the mapping form.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// A header as written in the file → the field it holds.
    pub columns: Vec<(String, &'static str)>,
    /// A target-group value as written → the group it means.
    pub groups: Vec<(String, TargetGroup)>,
}

impl Choices {
    /// Checks the officer's choices against what the check of the file found unknown: a header
    /// or value the file did not have is ignored, an empty choice leaves it unmapped, a choice
    /// outside the lists or one field given two headers is refused with the reason.
    pub fn parse<'a>(
        unknowns: &super::Unknowns,
        columns: impl Fn(&str) -> Option<&'a str>,
        groups: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Choices, Message> {
        let mut out = Choices::default();
        for header in &unknowns.headers {
            let chosen = columns(header).map(str::trim).unwrap_or("");
            if chosen.is_empty() {
                continue;
            }
            let field = Mappings::field(chosen).ok_or_else(|| Message::new("err-import-mapping-choice"))?;
            if let Some((other, _)) = out.columns.iter().find(|(_, f)| *f == field) {
                return Err(Message::new("err-import-mapping-twice")
                    .arg("first", other.clone())
                    .arg("second", header.clone()));
            }
            out.columns.push((header.clone(), field));
        }
        for (value, _) in &unknowns.groups {
            let chosen = groups(value).map(str::trim).unwrap_or("");
            if chosen.is_empty() {
                continue;
            }
            let group = TargetGroup::ALL
                .into_iter()
                .find(|g| g.as_str() == chosen)
                .ok_or_else(|| Message::new("err-import-mapping-choice"))?;
            out.groups.push((value.clone(), group));
        }
        if out.columns.is_empty() && out.groups.is_empty() {
            return Err(Message::new("err-import-mapping-empty"));
        }
        Ok(out)
    }
}

/// Remembers the choices for the unit, replacing earlier ones for the same header or value.
pub async fn save(tx: &mut Tx, unit_id: i64, by: i64, choices: &Choices) -> Result<()> {
    let at = now();
    let rows = choices
        .columns
        .iter()
        .map(|(h, f)| (COLUMN, text::fold(h), f.to_string()))
        .chain(
            choices
                .groups
                .iter()
                .map(|(v, g)| (GROUP, group_key(v), g.as_str().to_string())),
        );
    for (kind, source, target) in rows {
        if source.is_empty() {
            continue;
        }
        tx.execute(
            Query::insert()
                .into_table(ImportMappings::Table)
                .columns([
                    ImportMappings::UnitId,
                    ImportMappings::Kind,
                    ImportMappings::Source,
                    ImportMappings::Target,
                    ImportMappings::UpdatedBy,
                    ImportMappings::UpdatedAt,
                ])
                .values_panic([
                    unit_id.into(),
                    kind.into(),
                    source.into(),
                    target.into(),
                    by.into(),
                    at.into(),
                ])
                .on_conflict(
                    OnConflict::columns([ImportMappings::UnitId, ImportMappings::Kind, ImportMappings::Source])
                        .update_columns([
                            ImportMappings::Target,
                            ImportMappings::UpdatedBy,
                            ImportMappings::UpdatedAt,
                        ])
                        .to_owned(),
                ),
        )
        .await?;
    }
    Ok(())
}
