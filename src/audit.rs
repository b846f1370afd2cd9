//! The audit log: logins, views of a citizen's full record and changes of personal
//! data. Who, with which role, what, which citizen, when (UTC). Never CPR numbers
//! or health details in `detail`.

use chrono::{DateTime, Utc};
use entity::audit_event;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::auth::Principal;
use crate::error::AppError;

#[derive(Debug, Default)]
pub struct AuditEntry<'a> {
    pub actor: Option<&'a Principal>,
    /// For a failed login, the account tried, when it exists.
    pub actor_user_id: Option<i32>,
    pub action: &'a str,
    pub citizen_id: Option<i32>,
    pub detail: String,
    pub ip: Option<&'a str>,
}

pub async fn record(db: &impl ConnectionTrait, entry: AuditEntry<'_>, at: DateTime<Utc>) -> Result<(), AppError> {
    audit_event::ActiveModel {
        at: Set(at),
        actor_user_id: Set(entry.actor.map(|p| p.user_id).or(entry.actor_user_id)),
        actor_role: Set(entry.actor.map(|p| p.role.as_str().to_owned())),
        action: Set(entry.action.to_owned()),
        citizen_id: Set(entry.citizen_id),
        detail: Set(crate::error::redact_digits(&entry.detail)),
        ip: Set(entry.ip.map(str::to_owned)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
