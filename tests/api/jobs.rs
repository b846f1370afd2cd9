//! The job ledger: one run per job and period, across instances and restarts.

use std::sync::Arc;

use depot::notify::schedule;
use entity::job_run;
use sea_orm::EntityTrait;

use crate::helpers::{NowUtc, spawn_app_with};

#[tokio::test]
async fn twenty_instances_claiming_one_job_period_give_one_run() {
    let app = spawn_app_with(|c| c.background = false).await;
    let now = app.clock.now_utc();
    let db = Arc::new(app.db.clone());
    let mut tasks = Vec::new();
    for i in 0..20 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            schedule::claim(
                db.as_ref(),
                "overdue:nord",
                "2026-W48",
                &format!("instance-{i}"),
                now,
            )
            .await
            .unwrap()
        }));
    }
    let mut winners = 0;
    for task in tasks {
        if task.await.unwrap() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(job_run::Entity::find().all(&app.db).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_run_left_by_a_dead_instance_is_taken_over_after_its_lease_but_a_finished_one_never() {
    let app = spawn_app_with(|c| c.background = false).await;
    let now = app.clock.now_utc();
    assert!(
        schedule::claim(&app.db, "job", "p1", "dead-one", now)
            .await
            .unwrap()
    );
    assert!(
        !schedule::claim(
            &app.db,
            "job",
            "p1",
            "other",
            now + chrono::Duration::minutes(5)
        )
        .await
        .unwrap()
    );
    assert!(
        schedule::claim(
            &app.db,
            "job",
            "p1",
            "other",
            now + chrono::Duration::minutes(20)
        )
        .await
        .unwrap()
    );
    schedule::finish(&app.db, "job", "p1", "other", now, "done")
        .await
        .unwrap();
    assert!(
        !schedule::claim(
            &app.db,
            "job",
            "p1",
            "third",
            now + chrono::Duration::days(1)
        )
        .await
        .unwrap()
    );
}

#[tokio::test]
async fn the_scheduler_runs_each_daily_job_once_a_day() {
    let app = spawn_app_with(|c| c.background = false).await;
    let state = test_state(&app);
    let housekeeping = || async {
        job_run::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.job == "housekeeping" && r.status == "done")
            .count()
    };
    assert!(schedule::tick(&state).await.unwrap() >= 1);
    assert_eq!(housekeeping().await, 1);
    assert_eq!(
        schedule::tick(&state).await.unwrap(),
        0,
        "nothing runs twice in one day"
    );
    app.clock.advance(chrono::Duration::days(1));
    assert!(schedule::tick(&state).await.unwrap() >= 1);
    assert_eq!(housekeeping().await, 2);
}

fn test_state(app: &crate::helpers::TestApp) -> depot::state::AppState {
    let config = depot::config::Config::from_lookup(|k| {
        (k == "DATABASE_URL").then(|| app.database_url.clone())
    })
    .unwrap();
    depot::state::AppState::new(app.db.clone(), app.clock.clone(), config)
}

#[tokio::test]
async fn two_depot_instances_on_one_database_draw_one_overdue_list_per_area_per_period() {
    use entity::{outbox, overdue_snapshot};
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let url = crate::helpers::fresh_database_url().await;
    // Seed the demo (with overdue loans) first, without background work.
    let seed_envs = [("DATABASE_URL", url.as_str()), ("DEPOT_BACKGROUND", "off")];
    let (mut seeder, _) = crate::helpers::spawn_depot(&seed_envs, &["serve", "--demo"]);
    seeder.kill().unwrap();
    seeder.wait().unwrap();
    let db = depot::db::connect(&url).await.unwrap();
    let before = overdue_snapshot::Entity::find().count(&db).await.unwrap();

    let envs = [
        ("DATABASE_URL", url.as_str()),
        ("DEPOT_SCHEDULER_SECONDS", "1"),
    ];
    let (mut a, _) = crate::helpers::spawn_depot(&envs, &["serve"]);
    let (mut b, _) = crate::helpers::spawn_depot(&envs, &["serve"]);
    let started = std::time::Instant::now();
    while overdue_snapshot::Entity::find().count(&db).await.unwrap() < before + 3 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the lists were not drawn"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Both instances keep ticking for a while.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    a.kill().unwrap();
    b.kill().unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
    assert_eq!(
        overdue_snapshot::Entity::find().count(&db).await.unwrap(),
        before + 3,
        "one snapshot per area"
    );
    let emails = outbox::Entity::find()
        .filter(outbox::Column::IdempotencyKey.starts_with("overdue:"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(emails, 3, "one email per area");
}
