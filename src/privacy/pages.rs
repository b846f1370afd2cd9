//! The insight export ("indsigt"): all data held about a citizen, as a readable
//! page and as JSON. Each export is itself written to the audit log.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;

use super::store::{self, Insight};
use crate::audit::{AuditEntry, record};
use crate::auth::{Access, Role};
use crate::error::AppError;
use crate::routes::{RouteDef, get};
use crate::state::AppState;
use crate::web::api::path_id;
use crate::web::{CurrentUser, PageContext, PageError, render};

/// Insight requests are handled by the depot's staff (and the data protection officer as admin).
const ACCESS: Access = Access::Roles(&[Role::Depot]);

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/citizens/{id}/insight", ACCESS, insight_page),
        get("/api/v1/citizens/{id}/insight", ACCESS, insight_json),
    ]
}

async fn gather(
    state: &AppState,
    user: &crate::auth::Principal,
    id: i32,
) -> Result<Insight, AppError> {
    let insight = store::insight(&state.db, id).await?;
    record(
        &state.db,
        AuditEntry {
            actor: Some(user),
            action: "citizen.insight",
            citizen_id: Some(id),
            detail: "indsigt udleveret".to_owned(),
            ..Default::default()
        },
        state.clock.now(),
    )
    .await?;
    Ok(insight)
}

#[utoipa::path(get, path = "/api/v1/citizens/{id}/insight", tag = "persondata",
    params(("id" = i32, Path, description = "The citizen's id")),
    responses((status = 200, body = Insight), (status = 404, body = crate::error::ErrorBody)))]
pub async fn insight_json(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
) -> Result<Json<Insight>, AppError> {
    Ok(Json(gather(&state, &user, path_id(&raw)?).await?))
}

#[derive(askama::Template)]
#[template(path = "privacy/insight.html")]
struct InsightPage {
    ctx: PageContext,
    id: i32,
    insight: Insight,
}

async fn insight_page(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&raw)?;
    let insight = gather(&state, &user, id).await?;
    render(&InsightPage { ctx, id, insight })
}
