//! hocvuso — the platform of the "Bình dân học vụ số" movement. This crate wires configuration,
//! storage and the web layer into a running application and a command-line tool.

pub mod server;
pub mod cli;
pub mod config;

pub use server::Application;
pub use config::Config;
