//! hocvuso — the platform of the "Bình dân học vụ số" movement. This crate wires configuration,
//! storage and the web layer into a running application and a command-line tool.

pub mod cli;
pub mod config;
pub mod server;

pub use config::Config;
pub use server::Application;
