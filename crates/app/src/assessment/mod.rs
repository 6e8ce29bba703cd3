//! Assessment (issue 10): tests taken online or in person, their scoring, the confirmation of
//! attainment a passed final assessment records, and the certificate that states it.

pub mod attainment;
mod attempt;
pub mod certificate;
pub mod confirmed;
pub mod course_certificate;
mod install;
pub mod lessons;
pub mod vneid;
pub use install::{BanksInstalled, install_banks, shipped_banks};
mod hub;

pub use attempt::*;
pub use hub::*;
