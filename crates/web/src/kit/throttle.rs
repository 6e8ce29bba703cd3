//! Sign-in attempts counted per login, per address and per pair, so guessing is slow and a
//! lockout never tells whether an account exists.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Throttle {
    by_pair: Mutex<HashMap<(String, String), LoginFailures>>,
    by_login: Mutex<HashMap<String, (u32, Instant)>>,
    known: Mutex<HashMap<String, Vec<String>>>,
    by_ip: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Failures counted, when counting started, locked until.
type LoginFailures = (u32, Instant, Option<Instant>);

pub const MAX_FAILURES: u32 = 5;
pub const LOCK_FOR: Duration = Duration::from_secs(15 * 60);
/// OWASP ASVS 2.2.1: no more than 100 failed attempts per hour on one account.
pub const LOGIN_MAX_FAILURES: u32 = 100;
pub const LOGIN_WINDOW: Duration = Duration::from_secs(60 * 60);
pub const IP_WINDOW: Duration = Duration::from_secs(10 * 60);
pub const IP_MAX_ATTEMPTS: u32 = 30;
/// Addresses remembered per login as having signed in successfully.
const KNOWN_PER_LOGIN: usize = 8;
const MAX_ENTRIES: usize = 100_000;

impl Throttle {
    /// Counts an attempt from `ip`; false once the address has tried too often in the window.
    pub fn allow_ip(&self, ip: &str) -> bool {
        let Ok(mut m) = self.by_ip.lock() else { return true };
        let now = Instant::now();
        if m.len() > MAX_ENTRIES {
            m.retain(|_, (_, t)| now.duration_since(*t) < IP_WINDOW);
        }
        let e = m.entry(ip.to_string()).or_insert((0, now));
        if now.duration_since(e.1) > IP_WINDOW {
            *e = (0, now);
        }
        e.0 += 1;
        e.0 <= IP_MAX_ATTEMPTS
    }

    /// Whether an attempt on `login` from `ip` must wait.
    pub fn locked(&self, login: &str, ip: &str) -> bool {
        let now = Instant::now();
        if let Ok(m) = self.by_pair.lock()
            && matches!(m.get(&(login.to_string(), ip.to_string())), Some((_, _, Some(until))) if *until > now)
        {
            return true;
        }
        let mass_attack = self.by_login.lock().is_ok_and(|m| {
            matches!(m.get(login), Some((n, since)) if *n >= LOGIN_MAX_FAILURES && now.duration_since(*since) <= LOGIN_WINDOW)
        });
        mass_attack
            && !self
                .known
                .lock()
                .is_ok_and(|k| k.get(login).is_some_and(|ips| ips.iter().any(|i| i == ip)))
    }

    pub fn fail(&self, login: &str, ip: &str) {
        let now = Instant::now();
        if let Ok(mut m) = self.by_pair.lock() {
            if m.len() > MAX_ENTRIES {
                m.retain(|_, (_, t, until)| now.duration_since(*t) < LOCK_FOR || until.is_some_and(|u| u > now));
            }
            let e = m.entry((login.to_string(), ip.to_string())).or_insert((0, now, None));
            if now.duration_since(e.1) > LOCK_FOR {
                *e = (0, now, None);
            }
            e.0 += 1;
            if e.0 >= MAX_FAILURES {
                e.2 = Some(now + LOCK_FOR);
                e.0 = 0;
                e.1 = now;
            }
        }
        if let Ok(mut m) = self.by_login.lock() {
            if m.len() > MAX_ENTRIES {
                m.retain(|_, (_, t)| now.duration_since(*t) <= LOGIN_WINDOW);
            }
            let e = m.entry(login.to_string()).or_insert((0, now));
            if now.duration_since(e.1) > LOGIN_WINDOW {
                *e = (0, now);
            }
            e.0 = e.0.saturating_add(1);
        }
    }

    /// A successful sign-in clears its own address's failures and remembers the address. The
    /// per-login count stays: a success does not buy an attacker more guesses.
    pub fn succeed(&self, login: &str, ip: &str) {
        if let Ok(mut m) = self.by_pair.lock() {
            m.remove(&(login.to_string(), ip.to_string()));
        }
        if let Ok(mut k) = self.known.lock() {
            if k.len() > MAX_ENTRIES {
                k.clear();
            }
            let ips = k.entry(login.to_string()).or_default();
            if !ips.iter().any(|i| i == ip) {
                if ips.len() >= KNOWN_PER_LOGIN {
                    ips.remove(0);
                }
                ips.push(ip.to_string());
            }
        }
    }
}
