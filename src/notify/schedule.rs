//! Scheduled jobs with a ledger (`job_run`): one row per job and period, claimed
//! with a unique index, so a job for a period runs once across restarts and across
//! instances. A run whose instance died is taken over when its lease runs out; the
//! jobs themselves are idempotent (their emails have unique outbox keys), so a
//! takeover finishes the work without doing it twice.

use chrono::{DateTime, Utc};
use entity::{job_run, outbox, session};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use tokio::sync::watch;

use crate::error::AppError;
use crate::state::AppState;

const LEASE: chrono::Duration = chrono::Duration::minutes(15);

/// A job that is due now, for one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueJob {
    pub name: String,
    pub period: String,
    pub kind: JobKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Daily: remove ended sessions and old sent emails.
    Housekeeping,
    /// Daily after 08:00 local: reminders for tomorrow's Kvik bookings.
    KvikReminders,
    /// Daily: delete citizens whose retention period has passed.
    Retention,
    /// An area's overdue loan list, once per period of its cadence.
    OverdueList { area_id: i32 },
}

/// The jobs due at `now`. Capabilities add theirs here.
pub async fn due_jobs(state: &AppState, now: DateTime<Utc>) -> Result<Vec<DueJob>, AppError> {
    let today = crate::clock::local_date(now);
    let mut jobs = vec![DueJob {
        name: "housekeeping".to_owned(),
        period: today.format("%Y-%m-%d").to_string(),
        kind: JobKind::Housekeeping,
    }];
    jobs.push(DueJob {
        name: "retention".to_owned(),
        period: today.format("%Y-%m-%d").to_string(),
        kind: JobKind::Retention,
    });
    jobs.extend(crate::loans::overdue::due_jobs(state, now).await?);
    jobs.extend(crate::kvik::due_reminder_job(now));
    Ok(jobs)
}

async fn run_job(state: &AppState, job: &DueJob) -> Result<String, AppError> {
    match job.kind {
        JobKind::Housekeeping => housekeeping(state).await,
        JobKind::KvikReminders => crate::kvik::reminder_job(state).await,
        JobKind::Retention => {
            let deleted = crate::privacy::store::delete_expired(
                &state.db,
                state.clock.now(),
                state.config.retention_days,
            )
            .await?;
            Ok(format!(
                "{deleted} citizens deleted after the retention period"
            ))
        }
        JobKind::OverdueList { area_id } => crate::loans::overdue::run_job(state, area_id).await,
    }
}

/// Claims `job` for `period`: true when this caller should run it now.
pub async fn claim(
    db: &impl ConnectionTrait,
    job: &str,
    period: &str,
    owner: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let row = job_run::ActiveModel {
        job: Set(job.to_owned()),
        period: Set(period.to_owned()),
        status: Set("running".to_owned()),
        owner: Set(owner.to_owned()),
        lease_until: Set(now + LEASE),
        started_at: Set(now),
        finished_at: Set(None),
        note: Set(None),
        ..Default::default()
    };
    let inserted = job_run::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([job_run::Column::Job, job_run::Column::Period])
                .do_nothing()
                .to_owned(),
        )
        .exec(db)
        .await;
    match inserted {
        Ok(_) => return Ok(true),
        Err(DbErr::RecordNotInserted) => {}
        Err(e) => return Err(e.into()),
    }
    // Someone had it: take over only a run whose owner stopped renewing its lease.
    let taken = job_run::Entity::update_many()
        .col_expr(job_run::Column::Owner, Expr::value(owner))
        .col_expr(job_run::Column::LeaseUntil, Expr::value(now + LEASE))
        .filter(job_run::Column::Job.eq(job))
        .filter(job_run::Column::Period.eq(period))
        .filter(job_run::Column::Status.eq("running"))
        .filter(job_run::Column::LeaseUntil.lt(now))
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

pub async fn finish(
    db: &impl ConnectionTrait,
    job: &str,
    period: &str,
    owner: &str,
    now: DateTime<Utc>,
    note: &str,
) -> Result<(), AppError> {
    job_run::Entity::update_many()
        .col_expr(job_run::Column::Status, Expr::value("done"))
        .col_expr(job_run::Column::FinishedAt, Expr::value(now))
        .col_expr(job_run::Column::Note, Expr::value(note))
        .filter(job_run::Column::Job.eq(job))
        .filter(job_run::Column::Period.eq(period))
        .filter(job_run::Column::Owner.eq(owner))
        .exec(db)
        .await?;
    Ok(())
}

/// Runs every due job this instance can claim.
pub async fn tick(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now();
    let mut ran = 0;
    for job in due_jobs(state, now).await? {
        if !claim(&state.db, &job.name, &job.period, &state.instance, now).await? {
            continue;
        }
        match run_job(state, &job).await {
            Ok(note) => {
                finish(
                    &state.db,
                    &job.name,
                    &job.period,
                    &state.instance,
                    state.clock.now(),
                    &note,
                )
                .await?;
                tracing::info!(job = %job.name, period = %job.period, "scheduled job done: {note}");
                ran += 1;
            }
            // Left "running": another tick takes it over once the lease runs out.
            Err(e) => {
                tracing::error!(job = %job.name, period = %job.period, error = %e, "scheduled job failed")
            }
        }
    }
    Ok(ran)
}

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            break;
        }
        if let Err(e) = tick(&state).await {
            tracing::warn!(error = %e, "scheduler: could not check jobs");
        }
        tokio::select! {
            _ = stop.changed() => {}
            () = tokio::time::sleep(state.config.scheduler_interval) => {}
        }
    }
}

async fn housekeeping(state: &AppState) -> Result<String, AppError> {
    let now = state.clock.now();
    let idle = chrono::Duration::from_std(state.config.session_idle)
        .unwrap_or(chrono::Duration::minutes(30));
    let sessions = session::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(session::Column::ExpiresAt.lt(now))
                .add(session::Column::LastSeenAt.lt(now - idle)),
        )
        .exec(&state.db)
        .await?
        .rows_affected;
    let emails = outbox::Entity::delete_many()
        .filter(outbox::Column::Status.eq(super::store::SENT))
        .filter(outbox::Column::SentAt.lt(now - chrono::Duration::days(90)))
        .exec(&state.db)
        .await?
        .rows_affected;
    Ok(format!(
        "{sessions} ended sessions and {emails} old sent emails removed"
    ))
}
