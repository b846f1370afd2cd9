//! The OpenAPI 3 document of the JSON API, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::auth::Access;
use crate::routes::{RouteDef, get};

#[derive(OpenApi)]
#[openapi(
    info(title = "depot", description = "Hjælpemiddeldepot: bestillinger, §140-lån, Kvik Service og kørsler."),
    paths(crate::health::healthz, crate::basedata::api::list_products, crate::audit::api::list),
    components(schemas(crate::error::ErrorBody)),
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
