//! Personal data: insight export, deletion after the retention period, backups.

use chrono::Duration;
use depot::auth::Role;
use entity::{audit_event, citizen};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{NowUtc, TestApp, spawn_app};

async fn new_citizen(app: &TestApp, cpr: &str, name: &str, street: &str) -> i32 {
    let response = app
        .post_form(
            "/citizens/new",
            "/citizens",
            &[
                ("cpr", cpr),
                ("name", name),
                ("phone", "86 12 34 56"),
                ("address.street", street),
                ("address.house_number", "3"),
                ("address.postal_code", "8900"),
                ("address.city", "Randers C"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    location.rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_insight_export_holds_the_record_and_who_looked_it_up_and_is_itself_logged() {
    let app = spawn_app().await;
    app.login_as(Role::Depot).await;
    let id = new_citizen(&app, "0101401234", "Karen Jensen", "Vestergade").await;
    app.client
        .get(app.url(&format!("/citizens/{id}")))
        .send()
        .await
        .unwrap();
    let token = app.token_for(Role::Depot).await;
    let response = app
        .get_with(&format!("/api/v1/citizens/{id}/insight"), &token)
        .await;
    assert_eq!(response.status(), 200);
    let insight: serde_json::Value = response.json().await.unwrap();
    assert_eq!(insight["citizen"]["cpr"], "0101401234");
    assert_eq!(insight["citizen"]["name"], "Karen Jensen");
    assert!(
        insight["address"]
            .as_str()
            .unwrap()
            .contains("Vestergade 3")
    );
    let actions: Vec<&str> = insight["access_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"citizen.create") && actions.contains(&"citizen.view"),
        "{actions:?}"
    );
    let page = app
        .client
        .get(app.url(&format!("/citizens/{id}/insight")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Hvem har slået borgeren op")
    );
    let exports = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("citizen.insight"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(exports, 2);
}

#[tokio::test]
async fn retention_deletes_quiet_citizens_for_real_and_keeps_the_audit_without_the_person() {
    let app = spawn_app().await;
    app.login_as(Role::Depot).await;
    let old = new_citizen(&app, "0101401234", "Gammel Borger", "Vestergade").await;
    app.clock.advance(Duration::days(400));
    app.login_as(Role::Depot).await;
    let recent = new_citizen(&app, "0202402345", "Ny Borger", "Østergade").await;
    let deleted = depot::privacy::store::delete_expired(&app.db, app.clock.now_utc(), 365)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert!(
        citizen::Entity::find_by_id(old)
            .one(&app.db)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        citizen::Entity::find_by_id(recent)
            .one(&app.db)
            .await
            .unwrap()
            .is_some()
    );
    let left = audit_event::Entity::find()
        .filter(audit_event::Column::CitizenId.eq(old))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(
        left, 0,
        "no audit row points at the deleted person any more"
    );
    let kept = audit_event::Entity::find()
        .filter(audit_event::Column::Detail.contains("slettet"))
        .count(&app.db)
        .await
        .unwrap();
    assert!(kept >= 1, "the audit entries stay");
    // The name is gone from the whole database.
    let dump = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT name FROM citizen",
        ))
        .await
        .unwrap();
    assert_eq!(dump.len(), 1);
}

#[tokio::test]
async fn a_backup_of_the_running_database_is_consistent_and_restores() {
    if crate::helpers::backend() != "sqlite" {
        // PostgreSQL is backed up with pg_dump; the command says so.
        let url = crate::helpers::fresh_database_url().await;
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_depot"))
            .env("DATABASE_URL", &url)
            .args(["backup", "/tmp/never.db"])
            .output()
            .unwrap();
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
        return;
    }
    let app = spawn_app().await;
    app.login_as(Role::Depot).await;
    new_citizen(&app, "0101401234", "Karen Jensen", "Vestergade").await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_depot"))
        .env("DATABASE_URL", &app.database_url)
        .arg("backup")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let restored_url = format!("sqlite://{}?mode=rwc", copy.display());
    let restored = depot::db::connect(&restored_url).await.unwrap();
    let check = restored
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    assert_eq!(citizen::Entity::find().count(&restored).await.unwrap(), 1);
    // The restored file serves.
    let (mut server, base) =
        crate::helpers::spawn_depot(&[("DATABASE_URL", &restored_url)], &["serve"]);
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    server.kill().unwrap();
    server.wait().unwrap();
}
