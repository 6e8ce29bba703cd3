//! The people an import's ID numbers already belong to, looked up by blind index for many rows at
//! once (one statement per batch of keys, never one per row).

use crate::people::People;
use crate::{Db, Result, Tx, bulk, record};
use hocvuso_core::people::{Groups, Sex};
use time::Date;

record! {
    /// Where an ID number is registered: what the check needs to refuse a number held outside
    /// the importer's subtree.
    pub struct Holder {
        pub pid_index: Vec<u8>,
        pub unit_path: String,
    }
}

/// Where each of these blind indexes is registered (numbers nobody holds are absent).
pub async fn holders(db: &Db, indexes: &[Vec<u8>]) -> Result<Vec<Holder>> {
    bulk::fetch_by_keys(
        db,
        People::Table,
        &[People::PidIndex, People::UnitPath],
        People::PidIndex,
        indexes,
    )
    .await
}

record! {
    /// A registered person as the applier compares them with a staged row.
    pub struct Existing {
        pub id: i64,
        pub pid_index: Vec<u8>,
        pub full_name: String,
        pub birth_date: Date,
        pub sex: Sex as "people.sex",
        pub phone: Option<String>,
        pub groups: Groups as "people.groups",
        pub unit_id: i64,
        pub unit_path: String,
        pub workplace_id: Option<i64>,
        pub household_id: Option<i64>,
    }
}

/// The people holding these blind indexes, read inside the applying transaction (rows locked on
/// PostgreSQL), so whom a number belongs to cannot change before the transaction commits.
pub async fn existing_for_update(tx: &mut Tx, indexes: &[Vec<u8>]) -> Result<Vec<Existing>> {
    tx.fetch_by_keys_for_update(
        People::Table,
        &[
            People::Id,
            People::PidIndex,
            People::FullName,
            People::BirthDate,
            People::Sex,
            People::Phone,
            People::Groups,
            People::UnitId,
            People::UnitPath,
            People::WorkplaceId,
            People::HouseholdId,
        ],
        People::PidIndex,
        indexes,
    )
    .await
}
