//! Killed with SIGKILL in the middle of sending: every email still arrives, and a
//! duplicate carries the Message-ID of its original.

use std::collections::{HashMap, HashSet};
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
