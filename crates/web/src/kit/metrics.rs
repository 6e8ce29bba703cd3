//! Counters the `/metrics` endpoint reports.

use std::sync::atomic::AtomicU64;

#[derive(Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub responses_2xx: AtomicU64,
    pub responses_3xx: AtomicU64,
    pub responses_4xx: AtomicU64,
    pub responses_5xx: AtomicU64,
    pub server_errors: AtomicU64,
    /// Sum of request durations in microseconds, for an average.
    pub duration_us: AtomicU64,
}
