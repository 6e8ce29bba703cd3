//! Denominators per unit and year (how many civil servants, adults, households…), each with its
//! source. A parent sees its own figure beside the sum of its direct children's.

use crate::units::Units;
use crate::{Db, Result, Tx, now, record};
use hocvuso_core::units::DenominatorKind;
use sea_query::{Expr, ExprTrait, Iden, OnConflict, Query};
use serde::Serialize;
use std::collections::HashMap;

// The tables this module owns; other modules import these to join them.
#[derive(Iden, Clone, Copy)]
pub enum Denominators {
    Table,
    UnitId,
    Year,
    Kind,
    Value,
    Source,
    UpdatedBy,
    UpdatedAt,
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Denominator {
        pub unit_id: i64,
        pub year: i32,
        pub kind: DenominatorKind as "denominators.kind",
        pub value: i64,
        pub source: String,
    }
}

/// Sets (or replaces) one figure.
pub async fn set(
    tx: &mut Tx,
    unit_id: i64,
    year: i32,
    kind: DenominatorKind,
    value: i64,
    source: &str,
    by: Option<i64>,
) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(Denominators::Table)
            .columns([
                Denominators::UnitId,
                Denominators::Year,
                Denominators::Kind,
                Denominators::Value,
                Denominators::Source,
                Denominators::UpdatedBy,
                Denominators::UpdatedAt,
            ])
            .values_panic([
                unit_id.into(),
                year.into(),
                kind.as_str().into(),
                value.into(),
                source.into(),
                by.into(),
                now().into(),
            ])
            .on_conflict(
                OnConflict::columns([Denominators::UnitId, Denominators::Year, Denominators::Kind])
                    .update_columns([
                        Denominators::Value,
                        Denominators::Source,
                        Denominators::UpdatedBy,
                        Denominators::UpdatedAt,
                    ])
                    .to_owned(),
            ),
    )
    .await?;
    Ok(())
}

/// One row of the denominators table of a unit: its own figure and the sum over its children.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub kind: DenominatorKind,
    pub own: Option<Denominator>,
    pub children_sum: i64,
    pub children_reporting: i64,
}

pub async fn for_unit(db: &Db, unit_id: i64, year: i32) -> Result<Vec<Line>> {
    let own: Vec<Denominator> = db
        .fetch_all(
            Query::select()
                .columns([
                    Denominators::UnitId,
                    Denominators::Year,
                    Denominators::Kind,
                    Denominators::Value,
                    Denominators::Source,
                ])
                .from(Denominators::Table)
                .and_where(Expr::col(Denominators::UnitId).eq(unit_id))
                .and_where(Expr::col(Denominators::Year).eq(year)),
        )
        .await?;
    let children: Vec<Denominator> = db
        .fetch_all(
            Query::select()
                .columns([
                    (Denominators::Table, Denominators::UnitId),
                    (Denominators::Table, Denominators::Year),
                    (Denominators::Table, Denominators::Kind),
                    (Denominators::Table, Denominators::Value),
                    (Denominators::Table, Denominators::Source),
                ])
                .from(Denominators::Table)
                .inner_join(
                    Units::Table,
                    Expr::col((Units::Table, Units::Id)).equals((Denominators::Table, Denominators::UnitId)),
                )
                .and_where(Expr::col((Units::Table, Units::ParentId)).eq(unit_id))
                .and_where(Expr::col((Units::Table, Units::Active)).eq(true))
                .and_where(Expr::col((Denominators::Table, Denominators::Year)).eq(year)),
        )
        .await?;
    let mut sums: HashMap<DenominatorKind, (i64, i64)> = HashMap::new();
    for c in children {
        let e = sums.entry(c.kind).or_default();
        e.0 += c.value;
        e.1 += 1;
    }
    Ok(DenominatorKind::ALL
        .into_iter()
        .map(|kind| {
            let (children_sum, children_reporting) = sums.get(&kind).copied().unwrap_or_default();
            Line {
                kind,
                own: own.iter().find(|d| d.kind == kind).cloned(),
                children_sum,
                children_reporting,
            }
        })
        .collect())
}

/// What a merge added to the successor's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Rolled {
    pub year: i32,
    pub kind: DenominatorKind,
    pub value: i64,
}

/// On a merge, the absorbed unit's figures are added to the successor's, year by year and kind by
/// kind, so the parent's sum over its active children loses nothing. The absorbed unit keeps its
/// own rows as history. The successor's source says what was added and from where.
pub(crate) async fn roll_into(tx: &mut Tx, from_id: i64, from_name: &str, into_id: i64) -> Result<Vec<Rolled>> {
    let cols = [
        Denominators::UnitId,
        Denominators::Year,
        Denominators::Kind,
        Denominators::Value,
        Denominators::Source,
    ];
    let absorbed: Vec<Denominator> = tx
        .fetch_all(
            Query::select()
                .columns(cols)
                .from(Denominators::Table)
                .and_where(Expr::col(Denominators::UnitId).eq(from_id)),
        )
        .await?;
    let mut rolled = Vec::with_capacity(absorbed.len());
    for d in absorbed {
        let kind = d.kind;
        let existing: Option<Denominator> = tx
            .fetch_optional(
                Query::select()
                    .columns(cols)
                    .from(Denominators::Table)
                    .and_where(Expr::col(Denominators::UnitId).eq(into_id))
                    .and_where(Expr::col(Denominators::Year).eq(d.year))
                    .and_where(Expr::col(Denominators::Kind).eq(kind.as_str())),
            )
            .await?;
        let added = format!("+ {} ({from_name}: {})", d.value, d.source);
        let (value, source) = match existing {
            Some(e) => (e.value + d.value, format!("{} {added}", e.source)),
            None => (d.value, added),
        };
        let source: String = source.chars().take(SOURCE_MAX).collect();
        set(tx, into_id, d.year, kind, value, &source, None).await?;
        rolled.push(Rolled {
            year: d.year,
            kind,
            value: d.value,
        });
    }
    Ok(rolled)
}

/// Longest stored source text (forms accept 200 characters; rolled-up sources grow).
const SOURCE_MAX: usize = 1000;
