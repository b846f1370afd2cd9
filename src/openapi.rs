//! The OpenAPI 3 document of the JSON API, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::auth::Access;
use crate::routes::{RouteDef, get};

#[derive(OpenApi)]
#[openapi(
    info(title = "depot", description = "Hjælpemiddeldepot: bestillinger, §140-lån, Kvik Service og kørsler."),
    paths(crate::health::healthz, crate::basedata::api::list_products, crate::audit::api::list,
        crate::orders::api::create, crate::orders::api::list, crate::orders::api::show, crate::orders::api::cancel, crate::orders::api::set_status,
        crate::loans::api::list, crate::loans::api::extend, crate::loans::api::convert, crate::loans::api::collect, crate::loans::api::return_loan, crate::loans::api::import, crate::loans::api::draw, crate::loans::api::stats,
        crate::kvik::api::slots, crate::kvik::api::create_booking, crate::kvik::api::cancel_booking, crate::kvik::api::queue, crate::kvik::api::walk_in, crate::kvik::api::set_status, crate::kvik::api::outcome, crate::kvik::api::staff_cancel,
        crate::delivery::api::plan, crate::delivery::api::list, crate::delivery::api::show, crate::delivery::api::complete),
    components(schemas(crate::error::ErrorBody,
        crate::orders::OrderInput, crate::orders::CitizenIn, crate::orders::AddressIn, crate::orders::LineIn, crate::orders::api::OrderOut, crate::orders::api::StatusIn,
        crate::loans::api::LoanOut, crate::loans::api::CitizenOut, crate::loans::api::ExtendBody, crate::loans::api::ConvertBody, crate::loans::api::ReturnBody, crate::loans::api::SnapshotOut, crate::loans::overdue::Drawn, crate::loans::import::ImportSummary, crate::loans::import::LineError,
        crate::kvik::api::SlotOut, crate::kvik::api::BookingBody, crate::kvik::api::BookingCreated, crate::kvik::api::VisitOut, crate::kvik::api::StatusBody, crate::kvik::api::OutcomeBody, crate::kvik::WalkInInput, crate::domain::AddressInput,
        crate::delivery::api::PlanInput, crate::delivery::api::PlanOut, crate::delivery::api::RunOut, crate::delivery::api::StopOut, crate::delivery::api::ItemOut, crate::delivery::api::UnassignedOut, crate::delivery::api::CompletedOut, crate::delivery::CompletionInput, crate::delivery::Merge)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes() -> Vec<RouteDef> {
    vec![get("/api/v1/openapi.json", Access::Public, openapi_json)]
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
