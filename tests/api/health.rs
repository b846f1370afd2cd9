use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers_ok_when_the_database_answers() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );
}

#[tokio::test]
async fn healthz_answers_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db.clone().close().await.unwrap();
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["status"],
        "unavailable"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/products"]["get"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn unknown_paths_are_404_as_json_under_the_api_and_as_a_page_elsewhere() {
    let app = spawn_app().await;
    let api = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(
        api.json::<serde_json::Value>().await.unwrap()["error"],
        "not_found"
    );
    let page = app
        .client
        .get(app.url("/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let html = page.text().await.unwrap();
    assert!(html.contains("lang=\"da\"") && html.contains("Siden findes ikke"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/login", "/healthz", "/api/v1/products", "/nothing-here"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let h = response.headers();
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS without TLS: {path}"
        );
    }
}

#[tokio::test]
async fn hsts_is_sent_when_served_over_tls() {
    let app =
        crate::helpers::spawn_app_with(|c| c.public_url = "https://depot.example".parse().unwrap())
            .await;
    let response = app.client.get(app.url("/login")).send().await.unwrap();
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

#[tokio::test]
async fn every_migration_goes_down_and_up_again() {
    use migration::{Migrator, MigratorTrait};
    let url = crate::helpers::fresh_database_url().await;
    let db = depot::db::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    Migrator::down(&db, None).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
}
