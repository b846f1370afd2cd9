//! The OpenAPI 3 document of the JSON API, generated from the handlers' annotations.

use axum::Json;
use axum::http::Method;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, Response, ResponseBuilder};
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
        crate::delivery::api::plan, crate::delivery::api::list, crate::delivery::api::show, crate::delivery::api::complete,
        crate::privacy::pages::insight_json),
    components(schemas(crate::error::ErrorBody,
        crate::orders::OrderInput, crate::orders::CitizenIn, crate::orders::AddressIn, crate::orders::LineIn, crate::orders::api::OrderOut, crate::orders::api::StatusIn,
        crate::loans::api::LoanOut, crate::loans::api::CitizenOut, crate::loans::api::ExtendBody, crate::loans::api::ConvertBody, crate::loans::api::ReturnBody, crate::loans::api::SnapshotOut, crate::loans::overdue::Drawn, crate::loans::import::ImportSummary, crate::loans::import::LineError,
        crate::kvik::api::SlotOut, crate::kvik::api::BookingBody, crate::kvik::api::BookingCreated, crate::kvik::api::VisitOut, crate::kvik::api::StatusBody, crate::kvik::api::OutcomeBody, crate::kvik::WalkInInput, crate::domain::AddressInput,
        crate::delivery::api::PlanInput, crate::delivery::api::PlanOut, crate::delivery::api::RunOut, crate::delivery::api::StopOut, crate::delivery::api::ItemOut, crate::delivery::api::UnassignedOut, crate::delivery::api::CompletedOut, crate::delivery::CompletionInput, crate::delivery::Merge)),
    modifiers(&BearerAuth, &ResponsesFromRouteTable),
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

/// Completes every operation from the route table, so the document says what the
/// guard and the extractors really answer: public operations need no token, the
/// others may answer 401 (no or bad token) and 403 (wrong role); every operation may
/// answer 400 (malformed request), one with a path id 404, one taking input 422, a
/// rate-limited public one 429. Written once here instead of on each handler, so a
/// new route cannot forget them.
struct ResponsesFromRouteTable;

impl Modify for ResponsesFromRouteTable {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let table = crate::routes::all();
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in operations(item) {
                let Some(route) = table.iter().find(|r| r.path == path && r.method == method)
                else {
                    continue;
                };
                complete_operation(path, &method, route.access, operation);
            }
        }
    }
}

fn operations(item: &mut PathItem) -> Vec<(Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
    .collect()
}

fn complete_operation(path: &str, method: &Method, access: Access, operation: &mut Operation) {
    let mut add = |status: &str, description: &str| {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error_response(description).into());
    };
    add(
        "400",
        "Malformed request: bad JSON, wrong content type or query",
    );
    if path.contains('{') {
        add("404", "No such record, or not one this caller may see");
    }
    let has_query = operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Query);
    if *method != Method::GET || has_query {
        add("422", "Invalid input; `fields` names each bad field");
    }
    match access {
        Access::Public => {
            if path != "/healthz" && path != "/api/v1/openapi.json" {
                add(
                    "429",
                    "Too many requests from this address; try again later",
                );
            }
        }
        Access::Staff | Access::Roles(_) => {
            add("401", "No valid API token or session");
            if matches!(access, Access::Roles(_)) {
                add("403", "The caller's role may not do this");
            }
        }
    }
    if matches!(access, Access::Public) {
        // An empty requirement: no authentication at all.
        operation.security = Some(vec![SecurityRequirement::default()]);
    }
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

pub fn routes() -> Vec<RouteDef> {
    vec![get("/api/v1/openapi.json", Access::Public, openapi_json)]
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documented() -> Vec<(Method, String)> {
        let mut doc = ApiDoc::openapi();
        doc.paths
            .paths
            .iter_mut()
            .flat_map(|(path, item)| {
                operations(item)
                    .into_iter()
                    .map(|(method, _)| (method, path.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn every_api_route_is_documented_and_every_documented_route_exists() {
        let documented = documented();
        let table = crate::routes::all();
        for route in table.iter().filter(|r| r.path.starts_with("/api/v1/")) {
            if route.path == "/api/v1/openapi.json" {
                continue;
            }
            assert!(
                documented.contains(&(route.method.clone(), route.path.to_owned())),
                "{} {} is missing from the OpenAPI document",
                route.method,
                route.path
            );
        }
        for (method, path) in &documented {
            assert!(
                table.iter().any(|r| r.path == path && r.method == method),
                "{method} {path} is documented but not routed"
            );
        }
    }

    #[test]
    fn public_operations_need_no_token_and_others_document_401() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        let healthz = &doc["paths"]["/healthz"]["get"];
        assert_eq!(healthz["security"], serde_json::json!([{}]));
        let slots = &doc["paths"]["/api/v1/kvik/slots"]["get"];
        assert!(slots["responses"]["429"].is_object());
        let orders = &doc["paths"]["/api/v1/orders"]["post"];
        for status in ["400", "401", "403", "422"] {
            assert!(orders["responses"][status].is_object(), "{status}");
        }
        assert!(
            orders["security"].is_null(),
            "uses the document's bearer default"
        );
        let order = &doc["paths"]["/api/v1/orders/{id}"]["get"];
        assert!(order["responses"]["404"].is_object());
    }
}
