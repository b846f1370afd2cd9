use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An order for aids: from a hospital, a therapist, Kvik or the depot; delivery or pickup.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// delivery or pickup
    pub kind: String,
    /// hospital, therapist, kvik, depot
    pub source: String,
    pub citizen_id: i32,
    pub address_id: i32,
    /// When the citizen leaves hospital: the aid must be there before.
    pub discharge_at: Option<DateTimeUtc>,
    /// The date the aid is wanted by.
    pub deliver_by: Option<Date>,
    /// delivery or self_pickup
    pub delivery_mode: String,
    /// sundhedsloven_140 or serviceloven_112
    pub legal_basis: String,
    /// received, confirmed, planned, out_for_delivery, delivered, failed, cancelled, ready_for_pickup
    pub status: String,
    pub access_notes: Option<String>,
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
    pub ordered_by: i32,
    /// The client's Idempotency-Key; unique per orderer.
    pub idempotency_key: Option<String>,
    /// SHA-256 of the request body sent with the Idempotency-Key.
    pub request_hash: Option<String>,
    /// For a pickup: the loan whose aid is collected.
    pub loan_id: Option<i32>,
    /// The stop that serves it, once planned.
    pub stop_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
