use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A booked Kvik visit or a walk-in.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "kvik_booking")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// None for a walk-in.
    pub slot_start: Option<DateTimeUtc>,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub need: String,
    /// Comma-separated common aids ticked on the form.
    pub aids: Option<String>,
    pub walk_in: bool,
    /// booked, cancelled, arrived, in_progress, done, no_show
    pub status: String,
    /// SHA-256 of the citizen's cancel token.
    pub cancel_token_hash: Option<String>,
    pub arrived_at: Option<DateTimeUtc>,
    /// handed_out, advice, referred, no_show
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub loan_id: Option<i32>,
    pub handled_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
