//! §140 loans: import, the overdue list per area, its statistic and email, the
//! actions on a loan, the pages and the slip.

use std::time::{Duration, Instant};

use depot::auth::{Role, store as auth_store};
use depot::config::parse_mail;
use entity::{
    audit_event, job_run, loan, loan_event, order, order_line, outbox, overdue_snapshot, unit,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::helpers::{
    NowUtc, PASSWORD, ProductSpec, TestApp, browser, csrf_in, login_with, spawn_app, spawn_app_with,
};
use crate::smtp::{Faults, SmtpServer};

const HEADER: &str = "cpr,name,street,house_number,floor,door,postal_code,city,product_code,legal_basis,start_date,due_date";

/// Test day: Monday 23 November 2026. Loans per area (postal codes 8930 nord,
/// 8900 syd, 8920 vest):
/// - nord: 2 overdue (one by a single day), 1 due today (not overdue), 1 §112
/// - syd: 3 overdue (5, 83 and 200 days), 1 running
/// - vest: 1 overdue
fn loans_csv() -> String {
    let lines = [
        "0101401234,Karen Jensen,Vestergade,12B,2,tv,8930,Randers NØ,RL-01,sundhedsloven_140,2026-06-01,",
        "0202402345,Ole Hansen,Storegade,3,,,8930,Randers NØ,RL-01,sundhedsloven_140,2026-08-22,2026-11-22",
        "0303403456,Bo Bech,Storegade,4,,,8930,Randers NØ,BB-01,sundhedsloven_140,2026-08-23,2026-11-23",
        "0404404567,Eva Holm,Storegade,5,,,8930,Randers NØ,BB-01,serviceloven_112,2025-01-10,",
        "0505405678,Aase Lund,Kirkegade,1,,,8900,Randers C,RL-01,sundhedsloven_140,2026-08-18,",
        "0606406789,Per Dahl,Kirkegade,2,1,th,8900,Randers C,RL-01,sundhedsloven_140,2026-06-01,",
        "0707407890,Inge Berg,Kirkegade,3,,,8900,Randers C,BB-01,sundhedsloven_140,2026-01-01,2026-05-07",
        "0808408901,Hans Krog,Kirkegade,4,,,8900,Randers C,BB-01,sundhedsloven_140,2026-11-01,",
        "0909409012,Rita Friis,Vestvej,9,,,8920,Randers NV,RL-01,sundhedsloven_140,2026-05-01,",
    ];
    format!("{HEADER}\n{}\n", lines.join("\n"))
}

async fn seed_products(app: &TestApp) {
    for (code, name) in [("RL-01", "Rollator"), ("BB-01", "Badebænk")] {
        let saved = app
            .add_product(ProductSpec {
                code,
                name,
                kvik_eligible: true,
                volume: 2,
                service_minutes: 10,
            })
            .await;
        app.add_unit(saved.id, &format!("U-{code}"), "on_loan")
            .await;
    }
}

async fn import(app: &TestApp, token: &str, csv: &str, partial: bool) -> (u16, Value) {
    let url = if partial {
        "/api/v1/loans/import?partial=true"
    } else {
        "/api/v1/loans/import"
    };
    let response = app
        .client
        .post(app.url(url))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// An app with products and the standard loans imported; returns a depot token.
async fn app_with_loans(app: &TestApp) -> String {
    seed_products(app).await;
    let token = app.token_for(Role::Depot).await;
    let (status, body) = import(app, &token, &loans_csv(), false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["imported"], 9, "{body}");
    token
}

/// No scheduled draw during the test: the first tick runs before any loan exists.
/// No scheduler or mail worker: the tests draw lists themselves, and a scheduler
/// tick at start-up could otherwise race them for the period's first draw.
async fn quiet_app() -> TestApp {
    spawn_app_with(|c| c.background = false).await
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app.get_with(path, token).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let response = app.post_json_with(path, token, &body).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn counts(drawn: &Value) -> Vec<(String, i64)> {
    drawn
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["area"].as_str().unwrap().to_owned(),
                d["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn loan_id_of(app: &TestApp, token: &str, name: &str) -> i64 {
    let (_, all) = get_json(app, token, "/api/v1/loans?status=all&area=all").await;
    all.as_array()
        .unwrap()
        .iter()
        .find(|l| l["citizen"]["name"] == name)
        .unwrap_or_else(|| panic!("no loan of {name}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn imported_loans_with_past_dates_give_the_right_overdue_count_per_area() {
    let app = quiet_app().await;
    let token = app_with_loans(&app).await;
    let (status, drawn) = post_json(&app, &token, "/api/v1/overdue-lists", json!({})).await;
    assert_eq!(status, 200, "{drawn}");
    assert_eq!(
        counts(&drawn),
        [
            ("nord".to_owned(), 2),
            ("syd".to_owned(), 3),
            ("vest".to_owned(), 1)
        ]
    );
    assert_eq!(drawn[0]["recipients"], 1);
    assert_eq!(drawn[0]["period"], "2026-W48");
    let snapshot = overdue_snapshot::Entity::find()
        .filter(overdue_snapshot::Column::AreaId.eq(2))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    // syd: 5 days (due 18 Nov), 83 days (due 1 Sep), 200 days (due 7 May).
    assert_eq!(
        (
            snapshot.count,
            snapshot.band_1_30,
            snapshot.band_31_90,
            snapshot.band_91_180,
            snapshot.band_over_180
        ),
        (3, 1, 1, 0, 1)
    );
}

#[tokio::test]
async fn a_loan_is_overdue_from_the_day_after_its_due_date() {
    let app = quiet_app().await;
    let token = app_with_loans(&app).await;
    let (_, list) = get_json(&app, &token, "/api/v1/loans?status=overdue&area=nord").await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["citizen"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Karen Jensen", "Ole Hansen"],
        "most overdue first; due today is not overdue"
    );
    assert_eq!(list[1]["days_overdue"], 1);
    app.clock.advance(chrono::Duration::days(1));
    let (_, list) = get_json(&app, &token, "/api/v1/loans?status=overdue&area=nord").await;
    assert_eq!(list.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_overdue_list_of_one_area_has_only_its_loans_with_masked_cpr() {
    let app = quiet_app().await;
    let token = app_with_loans(&app).await;
    let response = app
        .get_with("/api/v1/loans?status=overdue&area=syd", &token)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-total-count"], "3");
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("0707407890") && !text.contains("0606406789"),
        "no full CPR"
    );
    let list: Value = serde_json::from_str(&text).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    for l in list {
        assert_eq!(l["area"], "syd");
        assert_eq!(l["status"], "overdue");
        assert!(l["days_overdue"].as_i64().unwrap() > 0);
        assert!(
            l["citizen"]["cpr_masked"]
                .as_str()
                .unwrap()
                .ends_with("-xxxx")
        );
    }
    assert_eq!(list[0]["citizen"]["name"], "Inge Berg");
    assert_eq!(list[0]["citizen"]["cpr_masked"], "070740-xxxx");
    assert_eq!(list[0]["due_date"], "2026-05-07");
    assert_eq!(list[0]["legal_basis"], "sundhedsloven_140");
    assert_eq!(list[0]["product_code"], "BB-01");
    // Paging and bad parameters.
    let (_, page) = get_json(
        &app,
        &token,
        "/api/v1/loans?status=overdue&area=syd&limit=2&offset=2",
    )
    .await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    let (status, body) = get_json(&app, &token, "/api/v1/loans?status=late").await;
    assert_eq!(status, 422);
    assert!(body["fields"]["status"].is_array());
    let (status, _) = get_json(&app, &token, "/api/v1/loans?area=atlantis").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn a_therapist_sees_their_own_area_by_default_and_coordinators_see_no_loans() {
    let app = quiet_app().await;
    app_with_loans(&app).await;
    let therapist = app.token_for(Role::Therapist).await; // area nord
    let (_, list) = get_json(&app, &therapist, "/api/v1/loans?status=overdue").await;
    assert!(list.as_array().unwrap().iter().all(|l| l["area"] == "nord"));
    assert_eq!(list.as_array().unwrap().len(), 2);
    let coordinator = app.token_for(Role::Coordinator).await;
    let (status, _) = get_json(&app, &coordinator, "/api/v1/loans").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_extended_or_converted_loan_leaves_the_list() {
    let app = quiet_app().await;
    let token = app_with_loans(&app).await;
    let therapist = app.token_for(Role::Therapist).await;
    let inge = loan_id_of(&app, &token, "Inge Berg").await;
    let per = loan_id_of(&app, &token, "Per Dahl").await;

    let (status, body) = post_json(
        &app,
        &therapist,
        &format!("/api/v1/loans/{inge}/extend"),
        json!({"until": "2027-03-01", "reason": "Genoptræning fortsætter"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["due_date"], "2027-03-01");
    assert_eq!(body["status"], "active");
    let (status, body) = post_json(
        &app,
        &therapist,
        &format!("/api/v1/loans/{per}/convert"),
        json!({"reason": "Varigt behov bevilget"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["legal_basis"], "serviceloven_112");
    assert_eq!(body["due_date"], Value::Null);

    let (_, drawn) = post_json(&app, &token, "/api/v1/overdue-lists?area=syd", json!({})).await;
    assert_eq!(counts(&drawn), [("syd".to_owned(), 1)]);
    let events = loan_event::Entity::find()
        .filter(loan_event::Column::LoanId.eq(i32::try_from(inge).unwrap()))
        .filter(loan_event::Column::Kind.eq("extended"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(events.note.as_deref(), Some("Genoptræning fortsætter"));
    assert_eq!(events.old_due.unwrap().to_string(), "2026-05-07");
}

#[tokio::test]
async fn extensions_need_a_later_date_and_a_reason_and_returned_loans_cannot_change() {
    let app = quiet_app().await;
    let token = app_with_loans(&app).await;
    let id = loan_id_of(&app, &token, "Karen Jensen").await;
    let (status, body) = post_json(
        &app,
        &token,
        &format!("/api/v1/loans/{id}/extend"),
        json!({"until": "2026-11-01", "reason": " "}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["fields"]["until"].is_array() && body["fields"]["reason"].is_array(),
        "{body}"
    );
    let (status, _) = post_json(
        &app,
        &token,
        &format!("/api/v1/loans/{id}/extend"),
        json!({"until": "not a date", "reason": "x"}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = post_json(
        &app,
        &token,
        "/api/v1/loans/999999/extend",
        json!({"until": "2027-01-01", "reason": "x"}),
    )
    .await;
    assert_eq!(status, 404);

    let (status, body) = post_json(
        &app,
        &token,
        &format!("/api/v1/loans/{id}/return"),
        json!({"date": "2026-11-20"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "returned");
    assert_eq!(body["returned_on"], "2026-11-20");
    let (status, body) = post_json(
        &app,
        &token,
        &format!("/api/v1/loans/{id}/extend"),
        json!({"until": "2027-03-01", "reason": "x"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "conflict");
    let (status, _) = post_json(
        &app,
        &token,
        &format!("/api/v1/loans/{id}/return"),
        json!({}),
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn requesting_collection_makes_a_pickup_order_and_flags_the_loan() {
    let app = quiet_app().await;
    let token = app_with_loans(&app).await;
    let therapist = app.token_for(Role::Therapist).await;
    let id = loan_id_of(&app, &token, "Karen Jensen").await;
    let (status, body) = post_json(
        &app,
        &therapist,
        &format!("/api/v1/loans/{id}/collect"),
        json!({}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "collection_requested");
    let order_id = i32::try_from(body["pickup_order_id"].as_i64().unwrap()).unwrap();
    let pickup = order::Entity::find_by_id(order_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pickup.kind, "pickup");
    assert_eq!(pickup.source, "therapist");
    assert_eq!(pickup.status, "received");
    assert_eq!(pickup.loan_id, Some(i32::try_from(id).unwrap()));
    assert_eq!(pickup.deliver_by.unwrap().to_string(), "2026-11-30");
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order_id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(lines, 1);
    let (status, _) = post_json(
        &app,
        &therapist,
        &format!("/api/v1/loans/{id}/collect"),
        json!({}),
    )
    .await;
    assert_eq!(status, 409, "only one collection per loan");
    let (_, list) = get_json(&app, &token, "/api/v1/loans?status=overdue&area=nord").await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "a loan being collected leaves the list"
    );
}

#[tokio::test]
async fn returning_a_loan_sends_its_unit_to_cleaning() {
    let app = quiet_app().await;
    seed_products(&app).await;
    let token = app.token_for(Role::Depot).await;
    let (_, body) = import(&app, &token, &loans_csv(), false).await;
    assert_eq!(body["imported"], 9);
    let unit = unit::Entity::find().one(&app.db).await.unwrap().unwrap();
    let id = loan_id_of(&app, &token, "Karen Jensen").await;
    let mut model: loan::ActiveModel = loan::Entity::find_by_id(i32::try_from(id).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    model.unit_id = Set(Some(unit.id));
    model.update(&app.db).await.unwrap();
    let (status, _) = post_json(
        &app,
        &token,
        &format!("/api/v1/loans/{id}/return"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let unit = unit::Entity::find_by_id(unit.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unit.status, "cleaning");
}

#[tokio::test]
async fn drawing_twice_in_the_same_period_stores_one_snapshot_and_queues_one_email_per_area() {
    let app = quiet_app().await;
    let token = app_with_loans(&app).await;
    let (_, first) = post_json(&app, &token, "/api/v1/overdue-lists", json!({})).await;
    assert!(
        first
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["first_in_period"] == true)
    );
    app.clock.advance(chrono::Duration::days(3));
    // Two draws at once, as from two instances.
    let (a, b) = tokio::join!(
        post_json(&app, &token, "/api/v1/overdue-lists", json!({})),
        post_json(&app, &token, "/api/v1/overdue-lists", json!({}))
    );
    assert_eq!((a.0, b.0), (200, 200));
    assert!(
        a.1.as_array()
            .unwrap()
            .iter()
            .all(|d| d["first_in_period"] == false)
    );
    assert_eq!(
        overdue_snapshot::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        3
    );
    let emails = outbox::Entity::find()
        .filter(outbox::Column::IdempotencyKey.starts_with("overdue:"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(emails, 3);
    // The next fortnight is a new period.
    app.clock.advance(chrono::Duration::days(7));
    post_json(&app, &token, "/api/v1/overdue-lists", json!({})).await;
    assert_eq!(
        overdue_snapshot::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        6
    );
    let (_, stats) = get_json(&app, &token, "/api/v1/overdue-lists/stats").await;
    let stats = stats.as_array().unwrap();
    assert_eq!(stats.len(), 6);
    assert_eq!(stats[0]["area"], "nord");
    assert!(
        stats[0]["taken_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-23")
    );
}

#[tokio::test]
async fn the_scheduler_draws_each_area_once_per_period() {
    let app = spawn_app_with(|c| c.background = false).await;
    let token = app_with_loans(&app).await;
    let _ = token;
    let config = depot::config::Config::from_lookup(|k| {
        (k == "DATABASE_URL").then(|| app.database_url.clone())
    })
    .unwrap();
    let state = depot::state::AppState::new(app.db.clone(), app.clock.clone(), config);
    let overdue_runs = || async {
        job_run::Entity::find()
            .filter(job_run::Column::Job.starts_with("overdue:"))
            .count(&app.db)
            .await
            .unwrap()
    };
    depot::notify::schedule::tick(&state).await.unwrap();
    assert_eq!(overdue_runs().await, 3, "one run per area");
    depot::notify::schedule::tick(&state).await.unwrap();
    assert_eq!(overdue_runs().await, 3, "once per period");
    assert_eq!(
        overdue_snapshot::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        3
    );
    // A manual draw in the same period changes nothing.
    let today = depot::clock::Clock::today(app.clock.as_ref());
    depot::loans::overdue::draw_and_send(&state, None, today, app.clock.now_utc())
        .await
        .unwrap();
    assert_eq!(
        overdue_snapshot::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        3
    );
    // Two weeks later (the test areas' cadence) the next lists are due.
    app.clock.advance(chrono::Duration::days(14));
    depot::notify::schedule::tick(&state).await.unwrap();
    assert_eq!(overdue_runs().await, 6);
    assert_eq!(
        overdue_snapshot::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        6
    );
}

#[tokio::test]
async fn the_overdue_email_reaches_a_real_smtp_server_with_count_and_link_and_no_cpr() {
    let server = SmtpServer::start(Faults::default()).await;
    let url = server.url();
    let app = spawn_app_with(move |c| {
        c.mail = parse_mail(&url).unwrap();
        c.worker_poll = Duration::from_millis(20);
        c.scheduler_interval = Duration::from_secs(3600);
        c.public_url = url::Url::parse("https://hjaelpemidler.randers.invalid").unwrap();
    })
    .await;
    let token = app_with_loans(&app).await;
    let (status, _) = post_json(&app, &token, "/api/v1/overdue-lists", json!({})).await;
    assert_eq!(status, 200);
    let started = Instant::now();
    while server.received().len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting for 3 emails"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let received = server.received();
    assert_eq!(received.len(), 3);
    let syd = received
        .iter()
        .find(|r| r.to == ["terapeut.syd@test.invalid"])
        .expect("the list of syd");
    let subject = syd.header("Subject").unwrap();
    assert!(
        subject.contains('3') || syd.data.contains("3 l"),
        "{subject}"
    );
    let body = decoded(&syd.data);
    assert!(body.contains("3 lån"), "{body}");
    assert!(
        body.contains("https://hjaelpemidler.randers.invalid/loans?area=syd&status=overdue"),
        "{body}"
    );
    for cpr in ["0505405678", "0606406789", "0707407890", "050540", "070740"] {
        assert!(
            !syd.data.contains(cpr) && !body.contains(cpr),
            "no CPR in the email"
        );
    }
    for name in ["Inge Berg", "Per Dahl", "Aase Lund"] {
        assert!(!body.contains(name), "no names in the email");
    }
    // Drawing again in the period sends nothing more.
    post_json(&app, &token, "/api/v1/overdue-lists", json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.received().len(), 3);
}

/// The message with quoted-printable soft line breaks and escapes undone.
fn decoded(data: &str) -> String {
    let bytes = quoted_printable::decode(
        data.replace("\r\n", "\n"),
        quoted_printable::ParseMode::Robust,
    )
    .unwrap_or_else(|_| data.as_bytes().to_vec());
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn an_import_with_a_bad_line_imports_nothing_and_names_the_line() {
    let app = quiet_app().await;
    seed_products(&app).await;
    let token = app.token_for(Role::Depot).await;
    let mut csv = loans_csv();
    csv.push_str(
        "1111401234,Ny Borger,Vej,1,,,9999,Langtvæk,RL-01,sundhedsloven_140,2026-01-01,\n",
    );
    csv.push_str(
        "1212401234,Ny Borger,Vej,1,,,8900,Randers C,XX-99,sundhedsloven_140,2026-01-01,\n",
    );
    let (status, body) = import(&app, &token, &csv, false).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["imported"], 0);
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["line"], 11);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("postal_code")
    );
    assert_eq!(errors[1]["line"], 12);
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap()
            .contains("product_code")
    );
    assert_eq!(loan::Entity::find().count(&app.db).await.unwrap(), 0);

    let (status, body) = import(&app, &token, &csv, true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["imported"], 9);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    // The same loans again are refused as duplicates.
    let (status, body) = import(&app, &token, &loans_csv(), false).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"].as_array().unwrap().len(), 9);
    let (status, _) = import(&app, &token, "name,cpr\nx,y\n", false).await;
    assert_eq!(status, 422);
    let therapist = app.token_for(Role::Therapist).await;
    let (status, _) = import(&app, &therapist, &loans_csv(), false).await;
    assert_eq!(status, 403);
}

async fn login_therapist_of(app: &TestApp, area: &str) -> reqwest::Client {
    let email = format!("terapeut-{area}-{}@test.invalid", rand_n());
    auth_store::create_user(
        &app.db,
        auth_store::NewUser {
            email: &email,
            name: &format!("Terapeut {area}"),
            role: Role::Therapist,
            area_code: Some(area),
            phone: Some("+4587654321"),
            password: PASSWORD,
        },
        app.clock.now_utc(),
    )
    .await
    .unwrap();
    let client = browser();
    assert_eq!(
        login_with(app, &client, &email, PASSWORD).await.status(),
        303
    );
    client
}

fn rand_n() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_therapist_sees_the_overdue_loans_of_their_area_first_and_extends_several_at_once() {
    let app = quiet_app().await;
    let token = app_with_loans(&app).await;
    let client = login_therapist_of(&app, "syd").await;
    let (status, html) = page(&app, &client, "/loans").await;
    assert_eq!(status, 200);
    assert!(html.contains("Lån i Område syd"), "{html}");
    assert!(
        html.contains("Inge Berg") && html.contains("Aase Lund") && !html.contains("Karen Jensen")
    );
    assert!(
        !html.contains("Hans Krog"),
        "running loans are not on the overdue list"
    );
    assert!(html.contains("070740-xxxx") && !html.contains("0707407890"));
    assert!(
        html.find("Inge Berg").unwrap() < html.find("Aase Lund").unwrap(),
        "most overdue first"
    );
    let csrf = csrf_in(&html).unwrap();
    let inge = loan_id_of(&app, &token, "Inge Berg").await.to_string();
    let aase = loan_id_of(&app, &token, "Aase Lund").await.to_string();

    // Without a reason: shown again with the message, nothing changed.
    let response = client
        .post(app.url("/loans/bulk"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("area", "syd"),
            ("status", "overdue"),
            ("until", "2027-02-01"),
            ("reason", ""),
            ("ids", &inge),
            ("ids", &aase),
            ("action", "extend"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Skriv en begrundelse")
    );

    let response = client
        .post(app.url("/loans/bulk"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("area", "syd"),
            ("status", "overdue"),
            ("until", "2027-02-01"),
            ("reason", "Fortsat genoptræning"),
            ("ids", &inge),
            ("ids", &aase),
            ("action", "extend"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, html) = page(&app, &client, &location).await;
    assert!(html.contains("2 lån er forlænget"));
    assert!(!html.contains("Inge Berg") && !html.contains("Aase Lund"));

    // One click on one row: collection of Per Dahl's loan.
    let per = loan_id_of(&app, &token, "Per Dahl").await;
    let response = client
        .post(app.url("/loans/bulk"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("area", "syd"),
            ("status", "overdue"),
            ("until", ""),
            ("reason", ""),
            ("one", &format!("collect:{per}")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let pickups = order::Entity::find()
        .filter(order::Column::Kind.eq("pickup"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(pickups, 1);
}

#[tokio::test]
async fn staff_see_statistics_with_a_chart_and_download_the_list_as_csv() {
    let app = quiet_app().await;
    let token = app_with_loans(&app).await;
    post_json(&app, &token, "/api/v1/overdue-lists", json!({})).await;
    app.login_as(Role::Depot).await;
    let (status, html) = page(&app, &app.client, "/loans/stats").await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg") && html.contains("<circle"));
    assert!(html.contains("31-90 dage") && html.contains("nov. 2026"));
    let response = app
        .client
        .get(app.url("/loans/overdue.csv?area=syd"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(
        csv.contains("Inge Berg") && csv.contains("070740-xxxx") && !csv.contains("0707407890")
    );
    // Anonymous callers are sent to the login page.
    let (status, _) = page(&app, &browser(), "/loans/overdue.csv?area=syd").await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn the_loan_slip_shows_the_aids_the_end_date_and_the_area_phone_and_is_audited() {
    let app = quiet_app().await;
    let token = app_with_loans(&app).await;
    let id = loan::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.start_date.to_string() == "2026-11-01")
        .unwrap()
        .citizen_id;
    let _ = token;
    let client = login_therapist_of(&app, "syd").await;
    let (status, html) = page(&app, &client, &format!("/loans/slip/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Hans Krog") && html.contains("Kirkegade 4"));
    assert!(
        html.contains("Badebænk") && html.contains("01.02.2027"),
        "the loan ends 1 Feb 2027"
    );
    assert!(html.contains("sundhedsloven § 140"));
    assert!(html.contains("89 15 20 20"), "the area's phone");
    assert!(html.contains("87 65 43 21"), "the therapist's phone");
    assert!(html.contains("slip.css"));
    let views = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("citizen.view"))
        .filter(audit_event::Column::CitizenId.eq(id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(views, 1);
    let (status, _) = page(&app, &client, "/loans/slip/999999").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn depot_staff_import_loans_on_the_import_page() {
    let app = spawn_app().await;
    seed_products(&app).await;
    app.login_as(Role::Depot).await;
    let response = app
        .post_form("/loans/import", "/loans/import", &[("csv", &loans_csv())])
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("9 lån er importeret")
    );
    let response = app
        .post_form("/loans/import", "/loans/import", &[("csv", &format!("{HEADER}\n0101401234,,x,1,,,8900,Randers C,RL-01,sundhedsloven_140,2026-01-01,\n"))])
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Linje 2") && html.contains("Navn mangler"));
}
