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

pub async fn record(
    db: &impl ConnectionTrait,
    entry: AuditEntry<'_>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
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

pub mod api {
    //! `GET /api/v1/audit-events`: the audit log for administrators.

    use axum::Json;
    use axum::extract::State;
    use entity::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    use serde::{Deserialize, Serialize};

    use crate::web::api::ApiQuery;

    use crate::auth::{Access, Role};
    use crate::error::AppError;
    use crate::routes::{RouteDef, get};
    use crate::state::AppState;

    pub fn routes() -> Vec<RouteDef> {
        vec![get(
            "/api/v1/audit-events",
            Access::Roles(&[Role::Admin]),
            list,
        )]
    }

    #[derive(Deserialize, utoipa::IntoParams)]
    #[into_params(parameter_in = Query)]
    pub struct Filter {
        /// Only events about this citizen.
        citizen_id: Option<i32>,
        /// At most this many, newest first (default 100, at most 1000).
        #[param(minimum = 1, maximum = 1000, nullable = false)]
        limit: Option<u64>,
    }

    #[derive(Serialize, utoipa::ToSchema)]
    pub struct AuditEventOut {
        id: i32,
        at: chrono::DateTime<chrono::Utc>,
        actor_user_id: Option<i32>,
        actor_role: Option<String>,
        action: String,
        citizen_id: Option<i32>,
        detail: String,
    }

    #[utoipa::path(get, path = "/api/v1/audit-events", tag = "revision", params(Filter),
        responses((status = 200, body = [AuditEventOut]), (status = 401, body = crate::error::ErrorBody),
                  (status = 403, body = crate::error::ErrorBody)))]
    pub async fn list(
        State(state): State<AppState>,
        ApiQuery(filter): ApiQuery<Filter>,
    ) -> Result<Json<Vec<AuditEventOut>>, AppError> {
        let limit = filter.limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(AppError::field("limit", "Skal være mellem 1 og 1000"));
        }
        let mut query = audit_event::Entity::find().order_by_desc(audit_event::Column::Id);
        if let Some(citizen_id) = filter.citizen_id {
            query = query.filter(audit_event::Column::CitizenId.eq(citizen_id));
        }
        let events = query.limit(limit).all(&state.db).await?;
        Ok(Json(
            events
                .into_iter()
                .map(|e| AuditEventOut {
                    id: e.id,
                    at: e.at,
                    actor_user_id: e.actor_user_id,
                    actor_role: e.actor_role,
                    action: e.action,
                    citizen_id: e.citizen_id,
                    detail: e.detail,
                })
                .collect(),
        ))
    }
}
