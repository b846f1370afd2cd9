//! Walks the route table: every route has a rule, and the rule holds for an
//! anonymous caller and for every role.

use depot::auth::{Access, Role};
use depot::routes;

use crate::helpers::{PASSWORD, TestApp, browser, login_with, spawn_app};

/// A concrete path for a route pattern: `{id}` and friends become `1`.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    method: &axum::http::Method,
    path: &str,
    token: Option<&str>,
) -> u16 {
    let mut request = client.request(
        reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
        app.url(&concrete(path)),
    );
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_route_has_a_rule_and_anonymous_callers_reach_only_public_ones() {
    let app = spawn_app().await;
    let table = routes::all();
    assert!(table.len() > 5);
    let anonymous = browser();
    for route in &table {
        let status = call(&app, &anonymous, &route.method, route.path, None).await;
        match route.access {
            Access::Public => assert!(
                status != 401 && status != 403,
                "{} {} is public but gave {status}",
                route.method,
                route.path
            ),
            _ if route.path.starts_with("/api/") => {
                assert_eq!(status, 401, "{} {}", route.method, route.path)
            }
            _ => assert_eq!(
                status, 303,
                "{} {} must send anonymous users to /login",
                route.method, route.path
            ),
        }
    }
}

#[tokio::test]
async fn each_role_reaches_exactly_the_routes_its_rule_allows() {
    let app = spawn_app().await;
    let table = routes::all();
    for role in Role::ALL {
        let token = app.token_for(role).await;
        let client = browser();
        let email = app.add_user(role).await;
        assert_eq!(
            login_with(&app, &client, &email, PASSWORD).await.status(),
            303
        );
        for route in table.iter().filter(|r| r.access != Access::Public) {
            let status = if route.path.starts_with("/api/") {
                call(&app, &client, &route.method, route.path, Some(&token)).await
            } else {
                call(&app, &client, &route.method, route.path, None).await
            };
            if route.access.allows(role) {
                assert!(
                    status != 401 && status != 403,
                    "{role:?} may use {} {} but got {status}",
                    route.method,
                    route.path
                );
            } else {
                assert_eq!(
                    status, 403,
                    "{role:?} must be refused {} {}",
                    route.method, route.path
                );
            }
        }
    }
}
