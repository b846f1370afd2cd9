//! The four things done to a loan, each in one transaction: lock the loan, check
//! its state allows the action (409), check the input (422), change, record the
//! event. API and pages both call these.

use chrono::NaiveDate;
use entity::loan;

use super::{Action, check_conversion, check_extension, check_return, store};
use crate::auth::Principal;
use crate::error::AppError;
use crate::state::AppState;

pub async fn extend(
    state: &AppState,
    actor: &Principal,
    id: i32,
    until: Option<NaiveDate>,
    reason: &str,
) -> Result<loan::Model, AppError> {
    let tx = crate::db::begin_write(&state.db).await?;
    let found = store::for_change(&tx, id, Action::Extend).await?;
    let (until, reason) = check_extension(
        &found.legal_basis,
        found.due_date,
        until,
        reason,
        state.clock.today(),
    )
    .map_err(AppError::invalid)?;
    let saved = store::extend(&tx, found, until, reason, actor.user_id, state.clock.now()).await?;
    tx.commit().await?;
    Ok(saved)
}

pub async fn convert(
    state: &AppState,
    actor: &Principal,
    id: i32,
    reason: &str,
) -> Result<loan::Model, AppError> {
    let tx = crate::db::begin_write(&state.db).await?;
    let found = store::for_change(&tx, id, Action::Convert).await?;
    let reason = check_conversion(&found.legal_basis, reason).map_err(AppError::invalid)?;
    let saved = store::convert(&tx, found, reason, actor.user_id, state.clock.now()).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Returns the loan and the id of the pickup order made.
pub async fn collect(
    state: &AppState,
    actor: &Principal,
    id: i32,
) -> Result<(loan::Model, i32), AppError> {
    let tx = crate::db::begin_write(&state.db).await?;
    let found = store::for_change(&tx, id, Action::Collect).await?;
    let order_id =
        store::request_collection(&tx, found, actor, state.clock.today(), state.clock.now())
            .await?;
    let saved = store::find(&tx, id).await?;
    tx.commit().await?;
    Ok((saved, order_id))
}

pub async fn return_loan(
    state: &AppState,
    actor: &Principal,
    id: i32,
    date: Option<NaiveDate>,
) -> Result<loan::Model, AppError> {
    let tx = crate::db::begin_write(&state.db).await?;
    let found = store::for_change(&tx, id, Action::Return).await?;
    let on =
        check_return(date, found.start_date, state.clock.today()).map_err(AppError::invalid)?;
    let saved =
        store::mark_returned(&tx, found, on, Some(actor.user_id), state.clock.now()).await?;
    tx.commit().await?;
    Ok(saved)
}
