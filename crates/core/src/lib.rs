//! Domain types and rules of hocvuso. Nothing here knows about HTTP or SQL, so every rule can be
//! tested as a plain function.

pub mod access;
pub mod assessment;
pub mod audit;
pub mod certificate;
pub mod crypto;
pub mod i18n;
pub mod import;
pub mod learning;
pub mod password;
pub mod people;
pub mod personal_id;
pub mod roles;
pub mod text;
pub mod units;
pub mod xlsx;

pub use i18n::{Lang, Message};
