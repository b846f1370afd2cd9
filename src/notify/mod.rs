//! Notifications that are never lost. An email is written to the `outbox` in the
//! same transaction as the change that causes it (`store::enqueue`); a worker
//! (`worker.rs`) claims due rows with a lease, sends them through the mailer
//! (`mailer.rs`) and marks them sent only after the server accepted. Scheduled jobs
//! (`schedule.rs`) run once per period across restarts and instances.
//!
//! This file holds the rules as plain functions: backoff, what a failure means,
//! the deterministic Message-ID.

pub mod mailer;
pub mod pages;
pub mod schedule;
pub mod store;
pub mod worker;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// After this many failed attempts an email goes to the dead letters.
pub const MAX_ATTEMPTS: i32 = 12;
/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// An email to queue.
#[derive(Clone, Debug, Default)]
pub struct Email {
    /// Unique per purpose, e.g. `overdue:nord:2026-W48`.
    pub key: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content_base64: String,
}

/// Why a send failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Try again later: 4xx answers, the server is down, a timeout.
    Transient(String),
    /// Never try again: 5xx answers, an address that cannot be parsed.
    Permanent(String),
}

/// What to do with a row after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    RetryAfter(Duration),
    Dead,
}

/// Exponential backoff with jitter: `base · 2^(attempts-1)`, at most an hour,
/// spread by ±20 % (`jitter` in 0..1) so many failed emails do not return at once.
pub fn backoff(attempts: i32, base: Duration, jitter: f64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 30) - 1).unwrap_or(0);
    let raw = base
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(MAX_BACKOFF);
    raw.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0))
}

/// Decides the next step after attempt number `attempts` failed.
pub fn after_failure(attempts: i32, failure: &Failure, base: Duration, jitter: f64) -> Next {
    match failure {
        Failure::Permanent(_) => Next::Dead,
        Failure::Transient(_) if attempts >= MAX_ATTEMPTS => Next::Dead,
        Failure::Transient(_) => Next::RetryAfter(backoff(attempts, base, jitter)),
    }
}

/// The Message-ID of an email, derived from its unique key: the same on every
/// attempt, so a duplicate after a crash is recognisable as the same email.
pub fn message_id(key: &str, domain: &str) -> String {
    let digest = hex::encode(&Sha256::digest(key.as_bytes())[..12]);
    format!("<{digest}.depot@{domain}>")
}

/// Splits a list of addresses written with commas, semicolons or new lines.
pub fn split_recipients(raw: &str) -> Vec<String> {
    raw.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stops_at_an_hour() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(1, base, 0.5), Duration::from_secs(30));
        assert_eq!(backoff(2, base, 0.5), Duration::from_secs(60));
        assert_eq!(backoff(5, base, 0.5), Duration::from_secs(480));
        assert_eq!(backoff(20, base, 0.5), MAX_BACKOFF);
        assert!(backoff(3, base, 0.0) < backoff(3, base, 1.0));
        assert_eq!(backoff(3, base, 0.0), Duration::from_secs(96));
    }

    #[test]
    fn permanent_failures_die_at_once_and_transient_ones_after_the_limit() {
        let base = Duration::from_secs(30);
        assert_eq!(
            after_failure(1, &Failure::Permanent("550".into()), base, 0.5),
            Next::Dead
        );
        assert!(matches!(
            after_failure(1, &Failure::Transient("451".into()), base, 0.5),
            Next::RetryAfter(_)
        ));
        assert_eq!(
            after_failure(MAX_ATTEMPTS, &Failure::Transient("451".into()), base, 0.5),
            Next::Dead
        );
    }

    #[test]
    fn message_ids_are_stable_and_distinct() {
        assert_eq!(message_id("k", "depot.dk"), message_id("k", "depot.dk"));
        assert_ne!(message_id("k", "depot.dk"), message_id("l", "depot.dk"));
        assert!(message_id("k", "depot.dk").ends_with(".depot@depot.dk>"));
    }

    #[test]
    fn recipients_split_on_any_usual_separator() {
        assert_eq!(
            split_recipients("a@x.dk, b@x.dk;c@x.dk\n\n"),
            vec!["a@x.dk", "b@x.dk", "c@x.dk"]
        );
    }
}
