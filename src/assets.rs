//! Static files: our own CSS and JS from `frontend/static`, and Det Fælles
//! Designsystem from `frontend/node_modules/dkfds/dist` (installed by npm in the
//! run and test scripts).

use std::path::PathBuf;

use axum::routing::get_service;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::auth::Access;
use crate::routes::RouteDef;

/// The `frontend` folder: `DEPOT_FRONTEND_DIR`, else the one beside the sources.
pub fn frontend_dir() -> PathBuf {
    std::env::var_os("DEPOT_FRONTEND_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/frontend")))
}

pub fn routes() -> Vec<RouteDef> {
    let dir = frontend_dir();
    vec![
        RouteDef {
            method: axum::http::Method::GET,
            path: "/static/dkfds/{*file}",
            access: Access::Public,
            handler: get_service(
                ServeDir::new(dir.join("node_modules/dkfds/dist"))
                    .append_index_html_on_directories(false)
                    .map_request(strip_prefix("/static/dkfds")),
            ),
        },
        RouteDef {
            method: axum::http::Method::GET,
            path: "/static/{*file}",
            access: Access::Public,
            handler: get_service(
                ServeDir::new(dir.join("static"))
                    .append_index_html_on_directories(false)
                    .map_request(strip_prefix("/static")),
            ),
        },
    ]
}

/// ServeDir resolves the whole request path; the route matched with a prefix.
fn strip_prefix(
    prefix: &'static str,
) -> impl Fn(axum::extract::Request) -> axum::extract::Request + Clone {
    move |mut req| {
        let rest = req
            .uri()
            .path()
            .strip_prefix(prefix)
            .unwrap_or("/")
            .to_owned();
        if let Ok(uri) = rest.parse() {
            *req.uri_mut() = uri;
        }
        req
    }
}
