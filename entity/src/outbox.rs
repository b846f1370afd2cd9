use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An email to send. Written in the same transaction as the change that causes it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Unique per purpose, e.g. `overdue:nord:2026-W48`: the same email is never queued twice.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    /// Comma-separated addresses.
    pub recipients: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// JSON list of attachments (`[{"filename", "content_type", "content_base64"}]`).
    pub attachments: Option<String>,
    /// queued, sending, sent, dead
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub leased_by: Option<String>,
    pub last_error: Option<String>,
    pub message_id: String,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
