//! One integration-test binary (short link times); each module starts the real application.

mod helpers;

mod auth;
mod imports;
mod ops;
mod people;
mod units;
