//! The mail worker: claims due emails with a lease, sends them, records the outcome.
//! Several instances may run against one database; a lease keeps them apart.

use tokio::sync::watch;

use super::mailer::Mailer;
use super::{Next, after_failure, store};
use crate::error::AppError;
use crate::state::AppState;

/// Emails claimed at once. With a 30 s SMTP timeout a whole batch takes at most
/// five minutes, inside the default ten-minute lease.
const BATCH: u64 = 10;

/// Runs until `stop` turns true; the batch in hand is finished first.
pub async fn run(state: AppState, mailer: Mailer, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            break;
        }
        let handled = match tick(&state, &mailer).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "mail worker: could not claim emails");
                0
            }
        };
        if handled as u64 == BATCH {
            continue;
        }
        tokio::select! {
            _ = stop.changed() => {}
            () = tokio::time::sleep(state.config.worker_poll) => {}
            () = state.mail_wakeup.notified() => {}
        }
    }
}

/// Claims and sends one batch; returns how many were handled.
pub async fn tick(state: &AppState, mailer: &Mailer) -> Result<usize, AppError> {
    let now = state.clock.now();
    let lease = chrono::Duration::from_std(state.config.mail_lease)
        .unwrap_or(chrono::Duration::minutes(10));
    let rows = store::claim_due(&state.db, &state.instance, now, now + lease, BATCH).await?;
    for row in &rows {
        match mailer.send(row, &state.config.mail_from).await {
            Ok(()) => {
                store::mark_sent(&state.db, row.id, &state.instance, state.clock.now()).await?;
                tracing::info!(outbox_id = row.id, "email sent");
            }
            Err(failure) => {
                let attempt = row.attempts + 1;
                let next = after_failure(
                    attempt,
                    &failure,
                    state.config.mail_retry_base,
                    rand::random::<f64>(),
                );
                let (text, retry_at) = match (&failure, next) {
                    (
                        super::Failure::Transient(t) | super::Failure::Permanent(t),
                        Next::RetryAfter(wait),
                    ) => {
                        let wait =
                            chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                        (t.clone(), Some(state.clock.now() + wait))
                    }
                    (super::Failure::Transient(t) | super::Failure::Permanent(t), Next::Dead) => {
                        (t.clone(), None)
                    }
                };
                store::mark_failed(&state.db, row.id, &state.instance, &text, retry_at).await?;
                match retry_at {
                    Some(_) => {
                        tracing::warn!(outbox_id = row.id, attempt, error = %crate::error::redact_digits(&text), "email not sent; will retry")
                    }
                    None => {
                        tracing::error!(outbox_id = row.id, attempt, error = %crate::error::redact_digits(&text), "email not sent; moved to dead letters")
                    }
                }
            }
        }
    }
    Ok(rows.len())
}
