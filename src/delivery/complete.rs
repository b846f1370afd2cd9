//! Completing a stop: delivered (its deliveries delivered with their loans
//! started, its pickups collected with their loans returned) or failed (its
//! orders back to planning, the orderers told by email). Idempotent: the same
//! completion sent again (the driver's offline queue) gets the same answer.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{loan, order, run, stop, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

use super::{Completion, FailureReason, Outcome, RunStatus, StopStatus, same_completion, store};
use crate::auth::{Principal, Role};
use crate::error::AppError;
use crate::notify::Email;
use crate::state::AppState;

/// The stop after completion, and whether this was a repeat.
#[derive(Clone, Debug)]
pub struct Completed {
    pub stop: stop::Model,
    pub order_ids: Vec<i32>,
    pub repeat: bool,
}

/// Whether this user may complete stops of this run: the depot always, a
/// driver only on their own run.
pub fn may_complete(actor: &Principal, found: &run::Model) -> bool {
    actor.role != Role::Driver || found.driver_id == Some(actor.user_id)
}

pub async fn complete_stop(
    state: &AppState,
    actor: &Principal,
    stop_id: i32,
    completion: &Completion,
) -> Result<Completed, AppError> {
    let today = state.clock.today();
    let now = state.clock.now();
    let txn = crate::orders::store::begin_write(&state.db).await?;
    let mut select = stop::Entity::find_by_id(stop_id);
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        select = select.lock_exclusive();
    }
    let found = select.one(&txn).await?.ok_or(AppError::NotFound)?;
    let the_run = store::find_run(&txn, found.run_id).await?;
    if !may_complete(actor, &the_run) {
        return Err(AppError::Forbidden);
    }
    let linked = linked_orders(&txn, stop_id).await?;
    if found.status != StopStatus::Planned.as_str() {
        return if same_completion(
            &found.status,
            found.receiver_name.as_deref(),
            found.failure_reason.as_deref(),
            completion,
        ) {
            Ok(Completed {
                stop: found,
                order_ids: linked,
                repeat: true,
            })
        } else {
            Err(AppError::Conflict(format!(
                "Stoppet er allerede meldt «{}».",
                StopStatus::parse(&found.status).map_or("afsluttet", StopStatus::label)
            )))
        };
    }
    match RunStatus::parse(&the_run.status) {
        Some(RunStatus::Locked | RunStatus::Dispatched) => {}
        _ => {
            return Err(AppError::Conflict(
                "Kørslen er ikke låst eller sendt ud endnu; stop kan først meldes derefter."
                    .to_owned(),
            ));
        }
    }
    let orders = order::Entity::find()
        .filter(order::Column::StopId.eq(stop_id))
        .all(&txn)
        .await?;
    let actor_id = Some(actor.user_id);
    let mut emails = Vec::new();
    for o in &orders {
        match completion.outcome {
            Outcome::Delivered => {
                crate::orders::store::mark_delivered(&txn, o.id, actor_id, today, now).await?;
                if o.kind == "pickup"
                    && let Some(loan_id) = o.loan_id
                {
                    return_loan(&txn, loan_id, actor_id, today, now).await?;
                }
            }
            Outcome::Failed => {
                let reason = completion
                    .failure_reason
                    .map_or("Ikke leveret", FailureReason::label);
                let note = match &completion.note {
                    Some(note) => format!("Ikke leveret: {reason}. {note}"),
                    None => format!("Ikke leveret: {reason}."),
                };
                crate::orders::store::return_to_planning(&txn, o.id, actor_id, note, today, now)
                    .await?;
            }
        }
        let tell = completion.outcome == Outcome::Failed || completion.note.is_some();
        if tell && let Some(orderer) = user::Entity::find_by_id(o.ordered_by).one(&txn).await? {
            emails.push(report_email(
                state,
                &orderer.email,
                stop_id,
                o.id,
                completion,
                the_run.date,
            )?);
        }
    }
    for email in emails {
        crate::notify::store::enqueue(&txn, email, &state.config.mail_domain(), now).await?;
    }
    let done = stop::Entity::update_many()
        .col_expr(
            stop::Column::Status,
            Expr::value(completion.outcome.stop_status().as_str()),
        )
        .col_expr(
            stop::Column::ReceiverName,
            Expr::value(completion.receiver_name.clone()),
        )
        .col_expr(stop::Column::Note, Expr::value(completion.note.clone()))
        .col_expr(
            stop::Column::FailureReason,
            Expr::value(completion.failure_reason.map(|r| r.as_str().to_owned())),
        )
        .col_expr(stop::Column::CompletedAt, Expr::value(Some(now)))
        .filter(stop::Column::Id.eq(stop_id))
        .filter(stop::Column::Status.eq(StopStatus::Planned.as_str()))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict(
            "Stoppet er lige blevet meldt af en anden. Genindlæs siden.".to_owned(),
        ));
    }
    let open = stop::Entity::find()
        .filter(stop::Column::RunId.eq(the_run.id))
        .filter(stop::Column::Status.eq(StopStatus::Planned.as_str()))
        .count(&txn)
        .await?;
    if open == 0 {
        run::Entity::update_many()
            .col_expr(run::Column::Status, Expr::value(RunStatus::Done.as_str()))
            .filter(run::Column::Id.eq(the_run.id))
            .exec(&txn)
            .await?;
    }
    let saved = store::find_stop(&txn, stop_id).await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(Completed {
        stop: saved,
        order_ids: linked,
        repeat: false,
    })
}

/// The orders a stop served (kept after a failure sends them back).
pub async fn linked_orders(db: &impl ConnectionTrait, stop_id: i32) -> Result<Vec<i32>, AppError> {
    let mut ids: Vec<i32> = entity::stop_order::Entity::find()
        .filter(entity::stop_order::Column::StopId.eq(stop_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.order_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// A pickup collected: its loan is returned today (unless it already is).
async fn return_loan(
    db: &impl ConnectionTrait,
    loan_id: i32,
    actor: Option<i32>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(found) = loan::Entity::find_by_id(loan_id).one(db).await? else {
        return Ok(());
    };
    if found.status == "returned" {
        return Ok(());
    }
    let on = today.max(found.start_date);
    crate::loans::store::mark_returned(db, found, on, actor, now).await?;
    Ok(())
}

#[derive(askama::Template)]
#[template(path = "mail/stop_report.txt")]
struct Text<'a> {
    mail: &'a Report,
}

#[derive(askama::Template)]
#[template(path = "mail/stop_report.html")]
struct Html<'a> {
    mail: &'a Report,
}

struct Report {
    order_id: i32,
    failed: bool,
    reason: String,
    note: String,
    date: String,
    link: String,
}

/// The email to the orderer: the order number, the reason and the driver's
/// note; no CPR number, no name, no health details.
fn report_email(
    state: &AppState,
    to: &str,
    stop_id: i32,
    order_id: i32,
    completion: &Completion,
    date: NaiveDate,
) -> Result<Email, AppError> {
    use askama::Template;
    let failed = completion.outcome == Outcome::Failed;
    let report = Report {
        order_id,
        failed,
        reason: completion
            .failure_reason
            .map_or("", FailureReason::label)
            .to_owned(),
        note: completion.note.clone().unwrap_or_default(),
        date: crate::web::local_date(date),
        link: format!(
            "{}/orders/{order_id}",
            state.config.public_url.as_str().trim_end_matches('/')
        ),
    };
    Ok(Email {
        key: if failed {
            format!("stop-failed:{stop_id}:{order_id}")
        } else {
            format!("stop-note:{stop_id}:{order_id}")
        },
        to: vec![to.to_owned()],
        subject: if failed {
            format!("Ordre {order_id} kunne ikke leveres")
        } else {
            format!("Ordre {order_id} er leveret – bemærkning fra chaufføren")
        },
        text: Text { mail: &report }.render()?,
        html: Some(Html { mail: &report }.render()?),
        attachments: Vec::new(),
    })
}
