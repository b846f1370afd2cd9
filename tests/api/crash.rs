//! Killed with SIGKILL in the middle of sending: every email still arrives, and a
//! duplicate carries the Message-ID of its original.

use std::collections::{HashMap, HashSet};

use sea_orm::QueryFilter;
use std::time::{Duration, Instant};

use depot::notify::{Email, store};

use crate::helpers::{fresh_database_url, spawn_depot};
use crate::smtp::{Faults, SmtpServer};

#[tokio::test]
async fn kill_dash_nine_while_sending_two_hundred_emails_loses_none() {
    let url = fresh_database_url().await;
    let db = depot::db::connect(&url).await.unwrap();
    depot::db::migrate(&db).await.unwrap();
    for n in 0..200 {
        let email = Email {
            key: format!("crash:{n}"),
            to: vec![format!("m{n}@test.invalid")],
            subject: format!("Nr {n}"),
            text: "Hej".to_owned(),
            ..Email::default()
        };
        store::enqueue(&db, email, "test.invalid", chrono::Utc::now())
            .await
            .unwrap();
    }
    let server = SmtpServer::start(Faults {
        delay: Duration::from_millis(10),
        ..Faults::default()
    })
    .await;
    let mail = server.url();
    let envs = [
        ("DATABASE_URL", url.as_str()),
        ("DEPOT_MAIL", mail.as_str()),
        ("DEPOT_MAIL_LEASE_SECONDS", "2"),
        ("DEPOT_WORKER_POLL_MS", "50"),
    ];
    let (mut first, _) = spawn_depot(&envs, &["serve"]);
    let started = Instant::now();
    while server.received().len() < 40 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the first instance never got going"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let at_kill = server.received().len();
    assert!(at_kill < 200, "killed before the end ({at_kill} sent)");

    let (mut second, _) = spawn_depot(&envs, &["serve"]);
    let started = Instant::now();
    loop {
        let ids: HashSet<String> = server.received().iter().map(|r| r.message_id()).collect();
        if ids.len() == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "only {} of 200 arrived",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();

    // A duplicate is the same email: same subject under the same Message-ID.
    let mut by_id: HashMap<String, HashSet<String>> = HashMap::new();
    for r in server.received() {
        by_id
            .entry(r.message_id())
            .or_default()
            .insert(r.header("Subject").unwrap());
    }
    assert_eq!(by_id.len(), 200);
    assert!(by_id.values().all(|subjects| subjects.len() == 1));
    let duplicates = server.received().len() - 200;
    assert!(duplicates <= 10, "duplicates are rare: {duplicates}");
}

/// A coordinator's order as the hospital system sends it.
fn order_body(n: usize) -> serde_json::Value {
    serde_json::json!({
        "kind": "delivery",
        "citizen": {"cpr": format!("{:02}0180{:04}", n % 28 + 1, 1000 + n), "name": format!("Borger {n}"), "phone": "+4586123456"},
        "address": {"street": "Vestergade", "house_number": format!("{}", n % 90 + 1), "postal_code": "8900", "city": "Randers C"},
        "discharge_at": "2026-12-24T10:00:00+01:00",
        "delivery_mode": "delivery",
        "legal_basis": "sundhedsloven_140",
        "lines": [{"product_code": "12-06-03-01", "quantity": 1}],
    })
}

fn coordinator_token(url: &str) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_depot"))
        .env("DATABASE_URL", url)
        .args(["token", "create", "--email", "koordinator@depot.invalid"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// Fires `count` concurrent order posts, each with its own Idempotency-Key;
/// returns the keys that were acknowledged with 2xx and the ids they got.
fn fire_orders(
    base: &str,
    token: &str,
    count: usize,
) -> Vec<tokio::task::JoinHandle<Option<(String, i64)>>> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    (0..count)
        .map(|n| {
            let (client, base, token) = (client.clone(), base.to_owned(), token.to_owned());
            tokio::spawn(async move {
                let key = format!("crash-order-{n}");
                let response = client
                    .post(format!("{base}/api/v1/orders"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", &key)
                    .json(&order_body(n))
                    .send()
                    .await
                    .ok()?;
                assert!(
                    response.status().as_u16() < 500,
                    "no 5xx: {}",
                    response.status()
                );
                if !response.status().is_success() {
                    return None;
                }
                let body: serde_json::Value = response.json().await.ok()?;
                Some((key, body["id"].as_i64()?))
            })
        })
        .collect()
}

#[tokio::test]
async fn sigkill_during_five_hundred_concurrent_orders_loses_no_acknowledged_order() {
    let url = fresh_database_url().await;
    let envs = [("DATABASE_URL", url.as_str()), ("DEPOT_BACKGROUND", "off")];
    let (mut first, base) = spawn_depot(&envs, &["serve", "--demo"]);
    let token = coordinator_token(&url);
    let tasks = fire_orders(&base, &token, 500);
    // Kill at a moment that varies from run to run, while posts are in flight.
    let delay = 150
        + u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_millis()
                % 400,
        );
    tokio::time::sleep(Duration::from_millis(delay)).await;
    first.kill().unwrap();
    first.wait().unwrap();
    let mut acknowledged = Vec::new();
    for task in tasks {
        if let Some(ack) = task.await.unwrap() {
            acknowledged.push(ack);
        }
    }

    let (mut second, base) = spawn_depot(&envs, &["serve"]);
    let client = reqwest::Client::new();
    for (key, id) in &acknowledged {
        let response = client
            .get(format!("{base}/api/v1/orders/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "acknowledged order {id} ({key}) is there after the crash"
        );
    }
    second.kill().unwrap();
    second.wait().unwrap();

    let db = depot::db::connect(&url).await.unwrap();
    use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
    for (key, _) in &acknowledged {
        let n = entity::order::Entity::find()
            .filter(sea_orm::ColumnTrait::eq(
                &entity::order::Column::IdempotencyKey,
                key.clone(),
            ))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(n, 1, "{key} exactly once");
    }
    if crate::helpers::backend() == "sqlite" {
        let check = db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "PRAGMA integrity_check",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    }
    eprintln!("acknowledged before the kill: {}", acknowledged.len());
}

#[tokio::test]
async fn sigterm_finishes_the_requests_in_flight() {
    let url = fresh_database_url().await;
    let envs = [("DATABASE_URL", url.as_str()), ("DEPOT_BACKGROUND", "off")];
    let (mut server, base) = spawn_depot(&envs, &["serve", "--demo"]);
    let token = coordinator_token(&url);
    let tasks = fire_orders(&base, &token, 40);
    // Long enough for the server to have accepted requests even on a busy
    // machine, short enough that most are still being handled.
    tokio::time::sleep(Duration::from_millis(80)).await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut acknowledged = 0;
    for task in tasks {
        if task.await.unwrap().is_some() {
            acknowledged += 1;
        }
    }
    let exit = server.wait().unwrap();
    assert!(exit.success(), "a graceful stop exits 0: {exit:?}");
    let db = depot::db::connect(&url).await.unwrap();
    use sea_orm::{EntityTrait, PaginatorTrait};
    let stored = entity::order::Entity::find()
        .filter(sea_orm::ColumnTrait::like(
            &entity::order::Column::IdempotencyKey,
            "crash-order-%",
        ))
        .count(&db)
        .await
        .unwrap();
    assert!(acknowledged > 0, "some requests were in flight");
    assert_eq!(
        stored, acknowledged,
        "every acknowledged order was stored, nothing half-done"
    );
}
