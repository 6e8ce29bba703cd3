//! What the benchmarks share: latency percentiles and their one-line summary.

use std::time::Duration;

pub fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

pub fn summary(mut d: Vec<Duration>) -> String {
    d.sort();
    format!(
        "n={} p50={:.2}ms p95={:.2}ms p99={:.2}ms max={:.2}ms",
        d.len(),
        pct(&d, 0.5),
        pct(&d, 0.95),
        pct(&d, 0.99),
        pct(&d, 1.0)
    )
}
