//! Login attempt limits. Failures are counted per IP and per account-and-IP, and
//! either may refuse further attempts for a while. Failures per account alone only
//! slow attempts down: refusing on them would let anyone lock a colleague out by
//! typing wrong passwords for their e-mail address.
//!
//! Counts live in memory, per instance: with several instances the limits are per
//! instance, which still bounds guessing to a few attempts a minute.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_FAILURES_PER_IP: usize = 30;
pub const MAX_FAILURES_PER_ACCOUNT_AND_IP: usize = 5;
pub const SLOW_DOWN_AFTER_ACCOUNT_FAILURES: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Allowed, after waiting this long.
    Slowed(std::time::Duration),
    Refused,
}

/// The policy as a plain function of the failure counts inside the window.
pub fn verdict(ip_failures: usize, account_ip_failures: usize, account_failures: usize) -> Verdict {
    if ip_failures >= MAX_FAILURES_PER_IP || account_ip_failures >= MAX_FAILURES_PER_ACCOUNT_AND_IP
    {
        Verdict::Refused
    } else if account_failures >= SLOW_DOWN_AFTER_ACCOUNT_FAILURES {
        Verdict::Slowed(std::time::Duration::from_secs(1))
    } else {
        Verdict::Allowed
    }
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

/// Bound on remembered keys, so a flood of invented e-mail addresses cannot use up memory.
const MAX_KEYS: usize = 50_000;

impl LoginThrottle {
    pub fn check(&self, email: &str, ip: &str, now: DateTime<Utc>) -> Verdict {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let since = now - Duration::minutes(WINDOW_MINUTES);
        let mut count = |key: String| {
            map.get_mut(&key).map_or(0, |times| {
                times.retain(|t| *t > since);
                times.len()
            })
        };
        verdict(
            count(ip_key(ip)),
            count(account_ip_key(email, ip)),
            count(account_key(email)),
        )
    }

    pub fn record_failure(&self, email: &str, ip: &str, now: DateTime<Utc>) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_KEYS {
            let since = now - Duration::minutes(WINDOW_MINUTES);
            map.retain(|_, times| times.iter().any(|t| *t > since));
        }
        for key in [ip_key(ip), account_ip_key(email, ip), account_key(email)] {
            map.entry(key).or_default().push(now);
        }
    }

    /// A correct password clears the counts for this account from this IP.
    pub fn record_success(&self, email: &str, ip: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&account_ip_key(email, ip));
    }
}

fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

fn account_key(email: &str) -> String {
    format!("acct:{}", email.trim().to_lowercase())
}

fn account_ip_key(email: &str, ip: &str) -> String {
    format!("acct-ip:{}:{ip}", email.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::minutes(minute)
    }

    #[test]
    fn five_wrong_passwords_from_one_place_refuse_the_sixth() {
        let t = LoginThrottle::default();
        for _ in 0..5 {
            assert_eq!(t.check("a@x.dk", "1.1.1.1", at(0)), Verdict::Allowed);
            t.record_failure("a@x.dk", "1.1.1.1", at(0));
        }
        assert_eq!(t.check("a@x.dk", "1.1.1.1", at(1)), Verdict::Refused);
        assert_eq!(t.check("a@x.dk", "1.1.1.1", at(16)), Verdict::Allowed);
    }

    #[test]
    fn an_attacker_elsewhere_cannot_lock_the_user_out() {
        let t = LoginThrottle::default();
        for i in 0..100 {
            t.record_failure("a@x.dk", &format!("9.9.9.{i}"), at(0));
        }
        assert!(matches!(
            t.check("a@x.dk", "1.1.1.1", at(1)),
            Verdict::Slowed(_)
        ));
    }

    #[test]
    fn one_ip_guessing_many_accounts_is_refused() {
        let t = LoginThrottle::default();
        for i in 0..MAX_FAILURES_PER_IP {
            t.record_failure(&format!("u{i}@x.dk"), "6.6.6.6", at(0));
        }
        assert_eq!(t.check("new@x.dk", "6.6.6.6", at(1)), Verdict::Refused);
    }

    #[test]
    fn success_clears_the_account_and_ip_count() {
        let t = LoginThrottle::default();
        for _ in 0..4 {
            t.record_failure("a@x.dk", "1.1.1.1", at(0));
        }
        t.record_success("a@x.dk", "1.1.1.1");
        t.record_failure("a@x.dk", "1.1.1.1", at(0));
        assert_eq!(t.check("a@x.dk", "1.1.1.1", at(0)), Verdict::Allowed);
    }
}
