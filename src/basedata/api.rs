//! JSON API of base data.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::store;
use crate::auth::Access;
use crate::error::AppError;
use crate::routes::{RouteDef, get};
use crate::state::AppState;

pub fn routes() -> Vec<RouteDef> {
    vec![get("/api/v1/products", Access::Staff, list_products)]
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProductOut {
    /// The product's code, e.g. its HMI number.
    code: String,
    name: String,
    /// ISO 9999 class, e.g. "12 06 06".
    iso9999: String,
    /// Can be fitted and handed out on the spot in Kvik Service.
    kvik_eligible: bool,
    /// Transport volume in vehicle capacity units.
    volume: i32,
    /// Minutes at the door to deliver, install or collect one.
    service_minutes: i32,
}

#[utoipa::path(get, path = "/api/v1/products", tag = "hjælpemidler",
    responses((status = 200, body = [ProductOut]), (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_products(
    State(state): State<AppState>,
) -> Result<Json<Vec<ProductOut>>, AppError> {
    let products = store::active_products(&state.db).await?;
    Ok(Json(
        products
            .into_iter()
            .map(|p| ProductOut {
                code: p.code,
                name: p.name,
                iso9999: p.iso9999,
                kvik_eligible: p.kvik_eligible,
                volume: p.volume,
                service_minutes: p.service_minutes,
            })
            .collect(),
    ))
}
