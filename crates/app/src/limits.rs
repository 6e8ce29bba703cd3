//! Limits kept in memory between requests.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Refusals of an ID number held elsewhere (each tells that the number exists somewhere) allowed
/// per account in [`ID_REFUSAL_WINDOW`]; past that the account's registrations wait.
pub const ID_REFUSAL_MAX: u32 = 20;
pub const ID_REFUSAL_WINDOW: Duration = Duration::from_secs(3600);
/// Beyond this many accounts tracked, expired entries are dropped first.
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub struct Limits {
    id_refusals: Mutex<HashMap<i64, (u32, Instant)>>,
}

impl Limits {
    pub fn id_refusals_allowed(&self, account_id: i64) -> bool {
        let Ok(m) = self.id_refusals.lock() else { return true };
        !matches!(m.get(&account_id), Some((n, since)) if *n >= ID_REFUSAL_MAX && since.elapsed() <= ID_REFUSAL_WINDOW)
    }

    /// Counts one refusal; returns how many this account had in the current window.
    pub fn count_id_refusal(&self, account_id: i64) -> u32 {
        let Ok(mut m) = self.id_refusals.lock() else { return 0 };
        let now = Instant::now();
        if m.len() > MAX_ENTRIES {
            m.retain(|_, (_, t)| now.duration_since(*t) <= ID_REFUSAL_WINDOW);
        }
        let e = m.entry(account_id).or_insert((0, now));
        if now.duration_since(e.1) > ID_REFUSAL_WINDOW {
            *e = (0, now);
        }
        e.0 = e.0.saturating_add(1);
        e.0
    }
}
