//! Loans in the database.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{loan, loan_event};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use super::{LegalBasis, due_date};
use crate::error::AppError;

/// A loan to start (from a delivered order, a Kvik hand-out or an import).
#[derive(Clone, Debug)]
pub struct NewLoan {
    pub citizen_id: i32,
    pub product_id: i32,
    pub unit_id: Option<i32>,
    pub order_id: Option<i32>,
    pub area_id: i32,
    pub legal_basis: LegalBasis,
    pub start_date: NaiveDate,
    /// None: computed from the legal basis. Some: given (imports keep their dates).
    pub due_date: Option<Option<NaiveDate>>,
    pub actor_user_id: Option<i32>,
    /// The event recorded: "created" or "imported".
    pub event: &'static str,
}

/// Starts a loan and records its first event. Call within the caller's transaction.
pub async fn create_loan(db: &impl ConnectionTrait, new: NewLoan, now: DateTime<Utc>) -> Result<loan::Model, AppError> {
    let due = new.due_date.unwrap_or_else(|| due_date(new.start_date, new.legal_basis));
    let saved = loan::ActiveModel {
        citizen_id: Set(new.citizen_id),
        product_id: Set(new.product_id),
        unit_id: Set(new.unit_id),
        order_id: Set(new.order_id),
        area_id: Set(new.area_id),
        legal_basis: Set(new.legal_basis.as_str().to_owned()),
        start_date: Set(new.start_date),
        due_date: Set(due),
        status: Set("active".to_owned()),
        returned_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    loan_event::ActiveModel {
        loan_id: Set(saved.id),
        at: Set(now),
        actor_user_id: Set(new.actor_user_id),
        kind: Set(new.event.to_owned()),
        old_due: Set(None),
        new_due: Set(due),
        note: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(saved)
}
