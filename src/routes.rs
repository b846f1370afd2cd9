//! Every route of the application, each with its access rule. The router is built
//! only from this table, so a route cannot exist without a rule, and tests walk the
//! same table to check every rule (`tests/api/access.rs`).

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::auth::Access;
use crate::auth::guard::{Guard, Kind, guard};
use crate::state::AppState;

pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<AppState>,
}

fn def<H, T>(
    method: Method,
    filter: MethodFilter,
    path: &'static str,
    access: Access,
    handler: H,
) -> RouteDef
where
    H: Handler<T, AppState>,
    T: 'static,
{
    RouteDef {
        method,
        path,
        access,
        handler: on(filter, handler),
    }
}

pub fn get<H: Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    handler: H,
) -> RouteDef {
    def(Method::GET, MethodFilter::GET, path, access, handler)
}

pub fn post<H: Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    handler: H,
) -> RouteDef {
    def(Method::POST, MethodFilter::POST, path, access, handler)
}

pub fn put<H: Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    handler: H,
) -> RouteDef {
    def(Method::PUT, MethodFilter::PUT, path, access, handler)
}

pub fn delete<H: Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    handler: H,
) -> RouteDef {
    def(Method::DELETE, MethodFilter::DELETE, path, access, handler)
}

/// The whole table, capability by capability.
pub fn all() -> Vec<RouteDef> {
    [
        crate::health::routes(),
        crate::auth::pages::routes(),
        crate::home::routes(),
        crate::basedata::routes(),
        crate::citizens::routes(),
        crate::privacy::routes(),
        crate::loans::routes(),
        crate::kvik::routes(),
        crate::orders::routes(),
        crate::delivery::routes(),
        crate::audit::api::routes(),
        crate::notify::pages::routes(),
        crate::openapi::routes(),
        crate::assets::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Builds the router from the table, wrapping each route in its guard.
pub fn build(state: &AppState) -> Router<AppState> {
    all().into_iter().fold(Router::new(), |router, route| {
        let guard_state = Guard {
            state: state.clone(),
            access: route.access,
            kind: Kind::of(route.path),
        };
        router.route(
            route.path,
            route
                .handler
                .route_layer(from_fn_with_state(guard_state, guard)),
        )
    })
}
