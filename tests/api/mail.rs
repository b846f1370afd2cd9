//! Notifications against a real SMTP server: nothing lost, duplicates rare and
//! recognisable.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use depot::config::parse_mail;
use depot::notify::{Email, store};
use entity::outbox;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{TestApp, spawn_app_with};
use crate::smtp::{Faults, SmtpServer};

async fn app_sending_to(url: &str) -> TestApp {
    let url = url.to_owned();
    spawn_app_with(move |c| {
        c.mail = parse_mail(&url).unwrap();
        c.worker_poll = Duration::from_millis(20);
    })
    .await
}

fn email(n: usize, to: &str) -> Email {
    Email {
        key: format!("test:{n}"),
        to: vec![to.to_owned()],
        subject: format!("Besked nummer {n}"),
        text: format!("Dette er besked {n}."),
        html: Some(format!("<p>Dette er besked {n}.</p>")),
        attachments: Vec::new(),
    }
}

async fn queue(app: &TestApp, count: usize, to: impl Fn(usize) -> String) {
    for n in 0..count {
        assert!(
            store::enqueue(
                &app.db,
                email(n, &to(n)),
                "test.invalid",
                app.clock.now_utc()
            )
            .await
            .unwrap()
        );
    }
}

use crate::helpers::NowUtc;

/// Waits until `done` holds, moving the app's clock an hour per round so retries
/// come due; fails after 60 s of real time.
async fn wait_for(app: &TestApp, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        app.clock.advance(chrono::Duration::hours(1));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn count(app: &TestApp, status: &str) -> u64 {
    outbox::Entity::find()
        .filter(outbox::Column::Status.eq(status))
        .count(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn two_hundred_queued_emails_arrive_with_two_hundred_distinct_message_ids() {
    let server = SmtpServer::start(Faults::default()).await;
    let app = app_sending_to(&server.url()).await;
    queue(&app, 200, |n| format!("modtager{n}@test.invalid")).await;
    wait_for(&app, "200 emails", || server.received().len() >= 200).await;
    let received = server.received();
    assert_eq!(received.len(), 200);
    let ids: HashSet<String> = received.iter().map(|r| r.message_id()).collect();
    assert_eq!(ids.len(), 200);
    assert!(
        ids.iter()
            .all(|id| id.starts_with('<') && id.ends_with(".depot@test.invalid>"))
    );
    let first = &received[0];
    assert_eq!(first.to.len(), 1);
    assert!(first.to[0].starts_with("modtager"));
    assert!(first.data.contains("text/plain") && first.data.contains("text/html"));
    assert!(first.header("Subject").unwrap().contains("Besked"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(count(&app, store::SENT).await, 200);
}

#[tokio::test]
async fn with_half_the_attempts_refused_all_arrive_eventually() {
    let server = SmtpServer::start(Faults {
        refuse_every_other: true,
        ..Faults::default()
    })
    .await;
    let app = app_sending_to(&server.url()).await;
    queue(&app, 40, |n| format!("m{n}@test.invalid")).await;
    wait_for(&app, "40 emails despite refusals", || {
        server.received().len() >= 40
    })
    .await;
    assert!(server.refused.load(std::sync::atomic::Ordering::SeqCst) >= 20);
    let ids: HashSet<String> = server.received().iter().map(|r| r.message_id()).collect();
    assert_eq!(ids.len(), 40, "each email once");
    assert_eq!(count(&app, store::DEAD).await, 0);
}

#[tokio::test]
async fn a_permanent_refusal_goes_to_dead_letters_after_one_attempt_and_the_others_arrive() {
    let server = SmtpServer::start(Faults {
        reject: vec!["findes.ikke@test.invalid".to_owned()],
        ..Faults::default()
    })
    .await;
    let app = app_sending_to(&server.url()).await;
    queue(&app, 10, |n| {
        if n == 4 {
            "findes.ikke@test.invalid".to_owned()
        } else {
            format!("m{n}@test.invalid")
        }
    })
    .await;
    wait_for(&app, "9 emails", || server.received().len() >= 9).await;
    let started = Instant::now();
    while count(&app, store::DEAD).await == 0 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dead = outbox::Entity::find()
        .filter(outbox::Column::Status.eq(store::DEAD))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].attempts, 1);
    assert!(dead[0].last_error.as_deref().unwrap_or("").contains("550"));
    // More time changes nothing for the dead one.
    app.clock.advance(chrono::Duration::days(2));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.received().len(), 9);
}

#[tokio::test]
async fn with_the_server_down_nothing_is_lost_and_all_arrive_when_it_is_back() {
    // A port where nothing listens yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = app_sending_to(&format!("smtp://{port}?tls=none")).await;
    queue(&app, 30, |n| format!("m{n}@test.invalid")).await;
    let started = Instant::now();
    loop {
        let tried = outbox::Entity::find()
            .filter(outbox::Column::Attempts.gte(1))
            .count(&app.db)
            .await
            .unwrap();
        if tried == 30 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(count(&app, store::SENT).await, 0);
    assert_eq!(
        count(&app, store::DEAD).await,
        0,
        "a server that is down is a transient failure"
    );
    let server = SmtpServer::start_on(port, Faults::default()).await;
    wait_for(&app, "all 30 after the server is back", || {
        server.received().len() >= 30
    })
    .await;
    let ids: HashSet<String> = server.received().iter().map(|r| r.message_id()).collect();
    assert_eq!(ids.len(), 30);
}

#[tokio::test]
async fn the_same_key_is_never_queued_twice() {
    let app = app_sending_to("file:/tmp/depot-test-dupes").await;
    let now = app.clock.now_utc();
    assert!(
        store::enqueue(&app.db, email(1, "a@test.invalid"), "test.invalid", now)
            .await
            .unwrap()
    );
    assert!(
        !store::enqueue(&app.db, email(1, "a@test.invalid"), "test.invalid", now)
            .await
            .unwrap()
    );
    assert_eq!(outbox::Entity::find().count(&app.db).await.unwrap(), 1);
}

#[tokio::test]
async fn the_file_mailer_writes_one_eml_per_email() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_sending_to(&format!("file:{}", dir.path().display())).await;
    queue(&app, 3, |n| format!("m{n}@test.invalid")).await;
    let files = || {
        std::fs::read_dir(dir.path())
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .count()
            })
            .unwrap_or(0)
    };
    wait_for(&app, "3 .eml files", || files() == 3).await;
    let any = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(any).unwrap();
    assert!(text.contains("Message-ID: <") && text.contains("Besked nummer"));
}

#[tokio::test]
async fn staff_see_dead_letters_and_can_send_one_again() {
    let server = SmtpServer::start(Faults {
        reject: vec!["x@test.invalid".to_owned()],
        ..Faults::default()
    })
    .await;
    let app = app_sending_to(&server.url()).await;
    queue(&app, 1, |_| "x@test.invalid".to_owned()).await;
    let started = Instant::now();
    while count(&app, store::DEAD).await == 0 {
        assert!(started.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.login_as(depot::auth::Role::Depot).await;
    let page = app
        .client
        .get(app.url("/admin/mail?status=dead"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("kunne ikke sendes") && page.contains("550"),
        "{page}"
    );
    let home = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("kunne ikke sendes"),
        "the start page warns about dead letters"
    );
    let dead = outbox::Entity::find().one(&app.db).await.unwrap().unwrap();
    let refused_before = server.refused.load(std::sync::atomic::Ordering::SeqCst);
    let response = app
        .post_form(
            "/admin/mail",
            &format!("/admin/mail/{}/resend", dead.id),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);
    // Sent again: the worker may already have tried it and, as the server still
    // refuses the address, put it back among the dead, so "no longer dead" alone
    // would race with it. Either it waits in the queue or the server saw it again.
    let started = Instant::now();
    while count(&app, store::DEAD).await == 1
        && server.refused.load(std::sync::atomic::Ordering::SeqCst) == refused_before
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the letter was neither queued nor tried again"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_server_that_cannot_upgrade_to_starttls_gets_nothing() {
    // The test server does not offer STARTTLS; the default mode requires it.
    let server = SmtpServer::start(Faults::default()).await;
    let app = app_sending_to(&format!("smtp://{}", server.addr)).await;
    queue(&app, 1, |_| "m@test.invalid".to_owned()).await;
    let started = Instant::now();
    loop {
        let row = outbox::Entity::find().one(&app.db).await.unwrap().unwrap();
        if row.attempts >= 1 {
            assert_eq!(row.status, store::QUEUED, "kept for a later try, not lost");
            assert!(row.last_error.is_some());
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        server.received().is_empty(),
        "no message was handed over in clear text"
    );
}
