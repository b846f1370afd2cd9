//! `GET /healthz`: 200 when the database answers, 503 otherwise.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::auth::Access;
use crate::routes::{RouteDef, get};
use crate::state::AppState;

pub fn routes() -> Vec<RouteDef> {
    vec![get("/healthz", Access::Public, healthz)]
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// "ok" or "unavailable"
    status: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "drift",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    if crate::db::is_alive(&state.db).await {
        (StatusCode::OK, Json(Health { status: "ok" }))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable",
            }),
        )
    }
}
