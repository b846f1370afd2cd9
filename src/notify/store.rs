//! The outbox in the database: enqueue, claim with a lease, and record outcomes.

use chrono::{DateTime, Utc};
use entity::outbox;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{Email, message_id};
use crate::error::AppError;

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const DEAD: &str = "dead";

/// Queues an email unless one with the same key exists. Call it with the
/// transaction of the change that causes the email. Returns true when queued now.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    email: Email,
    domain: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    if email.to.is_empty() {
        return Err(AppError::Internal(format!(
            "email {} has no recipients",
            email.key
        )));
    }
    let attachments = if email.attachments.is_empty() {
        None
    } else {
        Some(
            serde_json::to_string(&email.attachments)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        )
    };
    let row = outbox::ActiveModel {
        idempotency_key: Set(email.key.clone()),
        recipients: Set(email.to.join(", ")),
        subject: Set(email.subject),
        body_text: Set(email.text),
        body_html: Set(email.html),
        attachments: Set(attachments),
        status: Set(QUEUED.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        leased_by: Set(None),
        last_error: Set(None),
        message_id: Set(message_id(&email.key, domain)),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    };
    let inserted = outbox::Entity::insert(row)
        .on_conflict(
            OnConflict::column(outbox::Column::IdempotencyKey)
                .do_nothing()
                .to_owned(),
        )
        .exec(db)
        .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(DbErr::RecordNotInserted) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Claims up to `limit` due emails for `owner` until `lease_until`: queued ones
/// whose time has come, and ones whose sender died (lease expired). On PostgreSQL
/// rows locked by another instance are skipped; SQLite runs one writer at a time.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<outbox::Model>, AppError> {
    let due = Query::select()
        .column(outbox::Column::Id)
        .from(outbox::Entity)
        .cond_where(
            Condition::any()
                .add(
                    Condition::all()
                        .add(outbox::Column::Status.eq(QUEUED))
                        .add(outbox::Column::NextAttemptAt.lte(now)),
                )
                .add(
                    Condition::all()
                        .add(outbox::Column::Status.eq(SENDING))
                        .add(outbox::Column::LeaseUntil.lt(now)),
                ),
        )
        .order_by(outbox::Column::Id, sea_orm::Order::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let claimed = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(SENDING))
        .col_expr(outbox::Column::LeaseUntil, Expr::value(lease_until))
        .col_expr(outbox::Column::LeasedBy, Expr::value(owner))
        .filter(outbox::Column::Id.in_subquery(due))
        .exec_with_returning(db)
        .await?;
    Ok(claimed)
}

/// Marks a claimed row sent (only if this owner still holds it).
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    id: i32,
    owner: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(SENT))
        .col_expr(outbox::Column::SentAt, Expr::value(now))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .col_expr(
            outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::LeasedBy.eq(owner))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: back to the queue at `retry_at`, or dead when `None`.
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    id: i32,
    owner: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), AppError> {
    let mut update = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .col_expr(
            outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(crate::error::redact_digits(error)),
        );
    update = match retry_at {
        Some(at) => update
            .col_expr(outbox::Column::Status, Expr::value(QUEUED))
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(at)),
        None => update.col_expr(outbox::Column::Status, Expr::value(DEAD)),
    };
    update
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::LeasedBy.eq(owner))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives back the rows this instance holds (at shutdown), so another can send them now.
pub async fn release_leases(db: &impl ConnectionTrait, owner: &str) -> Result<u64, AppError> {
    let result = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(QUEUED))
        .col_expr(
            outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox::Column::Status.eq(SENDING))
        .filter(outbox::Column::LeasedBy.eq(owner))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Puts a dead (or any unsent) email back in the queue, as new.
pub async fn resend(
    db: &impl ConnectionTrait,
    id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let row = outbox::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status == SENDING {
        return Err(AppError::Conflict(
            "E-mailen er ved at blive sendt.".to_owned(),
        ));
    }
    let mut active: outbox::ActiveModel = row.into();
    active.status = Set(QUEUED.to_owned());
    active.attempts = Set(0);
    active.next_attempt_at = Set(now);
    active.lease_until = Set(None);
    active.update(db).await?;
    Ok(())
}

/// How the outbox stands, for the admin page and the start-page warning.
#[derive(Clone, Debug, Default)]
pub struct Health {
    pub queued: u64,
    pub sending: u64,
    pub sent: u64,
    pub dead: u64,
    /// When the oldest email still waiting was queued.
    pub oldest_waiting: Option<DateTime<Utc>>,
}

impl Health {
    /// Stuck: something has waited more than 30 minutes.
    pub fn is_stuck(&self, now: DateTime<Utc>) -> bool {
        self.oldest_waiting
            .is_some_and(|t| now - t > chrono::Duration::minutes(30))
    }
}

pub async fn health(db: &impl ConnectionTrait) -> Result<Health, AppError> {
    let count = |status: &'static str| {
        outbox::Entity::find()
            .filter(outbox::Column::Status.eq(status))
            .count(db)
    };
    let oldest = outbox::Entity::find()
        .filter(outbox::Column::Status.is_in([QUEUED, SENDING]))
        .order_by_asc(outbox::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(Health {
        queued: count(QUEUED).await?,
        sending: count(SENDING).await?,
        sent: count(SENT).await?,
        dead: count(DEAD).await?,
        oldest_waiting: oldest.map(|o| o.created_at),
    })
}

/// The newest emails, optionally of one status.
pub async fn recent(
    db: &impl ConnectionTrait,
    status: Option<&str>,
    limit: u64,
) -> Result<Vec<outbox::Model>, AppError> {
    let mut query = outbox::Entity::find().order_by_desc(outbox::Column::Id);
    if let Some(status) = status {
        query = query.filter(outbox::Column::Status.eq(status));
    }
    Ok(query.limit(limit).all(db).await?)
}
