//! Kvik Service: public booking with exact capacity, cancelling with the token,
//! the staff queue, hand-outs that start §140 loans, emails and reminders.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::NaiveDate;
use depot::auth::Role;
use depot::notify::schedule;
use entity::{kvik_booking, kvik_closed_date, kvik_opening, loan, outbox, unit};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::helpers::{ProductSpec, TestApp, browser, spawn_app, spawn_app_with};
use crate::smtp::{Faults, SmtpServer};

/// Tuesday 24 November 2026, 12:00 in Copenhagen (the clock stands on Monday 09:00).
const TUESDAY_NOON: &str = "2026-11-24T12:00:00+01:00";

/// Tuesdays 12-15 in 20-minute slots, two visitators.
async fn open_tuesdays(app: &TestApp) {
    kvik_opening::ActiveModel {
        weekday: Set(2),
        opens: Set("12:00".into()),
        closes: Set("15:00".into()),
        slot_minutes: Set(20),
        capacity: Set(2),
        active: Set(true),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

fn booking(slot: &str, name: &str) -> Value {
    json!({"slot_start": slot, "name": name, "phone": "86 12 34 56", "email": null,
           "need": "Jeg har brug for en rollator", "aids": ["rollator"], "website": ""})
}

/// A client whose requests come from 127.0.0.`n`: a different citizen.
fn client_from(n: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn book(app: &TestApp, client: &reqwest::Client, body: &Value) -> reqwest::Response {
    client
        .post(app.url("/api/v1/kvik/bookings"))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn available_at(app: &TestApp, start: &str) -> i64 {
    let slots: Vec<Value> = app
        .client
        .get(app.url("/api/v1/kvik/slots?from=2026-11-24&to=2026-11-24"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    slots
        .iter()
        .find(|s| s["start"] == start)
        .unwrap_or_else(|| panic!("no slot {start} in {slots:?}"))["available"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn fifty_concurrent_bookings_for_a_slot_of_capacity_two_give_exactly_two_201s_and_48_409s() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    let mut tasks = Vec::new();
    for i in 0..50u8 {
        // Ten addresses, five requests each: under the per-IP limit.
        let client = client_from(10 + i % 10);
        let url = app.url("/api/v1/kvik/bookings");
        let body = booking(TUESDAY_NOON, &format!("Borger {i}"));
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let created = statuses.iter().filter(|s| **s == 201).count();
    let full = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((created, full), (2, 48), "statuses: {statuses:?}");
    let stored = kvik_booking::Entity::find()
        .filter(kvik_booking::Column::Status.eq("booked"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(available_at(&app, TUESDAY_NOON).await, 0);
}

#[tokio::test]
async fn the_slot_list_shows_free_places_as_numbers_and_nothing_about_other_bookings() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    assert_eq!(
        book(&app, &app.client, &booking(TUESDAY_NOON, "Karen Jensen"))
            .await
            .status(),
        201
    );
    let response = app
        .client
        .get(app.url("/api/v1/kvik/slots"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains("Karen"));
    let slots: Vec<Value> = serde_json::from_str(&text).unwrap();
    // Four Tuesdays within the 28-day horizon, nine slots each.
    assert_eq!(slots.len(), 36);
    assert_eq!(slots[0]["start"], TUESDAY_NOON);
    assert_eq!(slots[0]["end"], "2026-11-24T12:20:00+01:00");
    assert_eq!(slots[0]["available"], 1);
    assert_eq!(slots[1]["available"], 2);
    for slot in &slots {
        let keys: Vec<&String> = slot.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3);
    }
    let bad = app
        .client
        .get(app.url("/api/v1/kvik/slots?from=i-morgen"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn a_cancelled_booking_frees_its_place() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    let first: Value = book(&app, &app.client, &booking(TUESDAY_NOON, "A"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        book(&app, &app.client, &booking(TUESDAY_NOON, "B"))
            .await
            .status(),
        201
    );
    assert_eq!(
        book(&app, &app.client, &booking(TUESDAY_NOON, "C"))
            .await
            .status(),
        409
    );

    let response = app
        .client
        .delete(app.url(&format!(
            "/api/v1/kvik/bookings/{}?token={}",
            first["id"],
            first["cancel_token"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(available_at(&app, TUESDAY_NOON).await, 1);
    assert_eq!(
        book(&app, &app.client, &booking(TUESDAY_NOON, "C"))
            .await
            .status(),
        201
    );
    assert_eq!(
        book(&app, &app.client, &booking(TUESDAY_NOON, "D"))
            .await
            .status(),
        409
    );
}

#[tokio::test]
async fn a_wrong_token_cannot_cancel_and_reveals_nothing() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    let created: Value = book(&app, &app.client, &booking(TUESDAY_NOON, "A"))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let wrong = app
        .client
        .delete(app.url(&format!("/api/v1/kvik/bookings/{id}?token=gaet-igen")))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    let wrong_body = wrong.text().await.unwrap();
    let unknown = app
        .client
        .delete(app.url("/api/v1/kvik/bookings/99999?token=gaet-igen"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.text().await.unwrap(),
        wrong_body,
        "an existing booking looks like a missing one"
    );
    let no_token = app
        .client
        .delete(app.url(&format!("/api/v1/kvik/bookings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 404);
    let page = app
        .client
        .get(app.url(&format!("/kvik/booking/{id}?token=gaet-igen")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let stored = kvik_booking::Entity::find_by_id(i32::try_from(id).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, "booked");
    assert_ne!(
        stored.cancel_token_hash.as_deref(),
        created["cancel_token"].as_str(),
        "only the hash is stored"
    );
    assert_eq!(available_at(&app, TUESDAY_NOON).await, 1);
}

#[tokio::test]
async fn a_booking_outside_opening_hours_on_a_closed_date_in_the_past_or_too_far_ahead_is_refused_clearly()
 {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    kvik_closed_date::ActiveModel {
        date: Set(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        reason: Set("Personaledag".into()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    for (slot, words) in [
        ("2026-11-25T12:00:00+01:00", "ikke åbent"),
        ("2026-11-24T12:10:00+01:00", "ikke åbent"),
        ("2026-11-24T16:00:00+01:00", "ikke åbent"),
        ("2026-12-01T12:00:00+01:00", "har lukket 01.12.2026"),
        ("2026-11-23T08:00:00+01:00", "overstået"),
        (
            "2027-01-05T12:00:00+01:00",
            "kun bookes tider til og med 21.12.2026",
        ),
    ] {
        let response = book(&app, &app.client, &booking(slot, "A")).await;
        assert_eq!(response.status(), 422, "{slot}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains(words),
            "{slot}: {body}"
        );
        assert!(
            body["fields"]["slot_start"][0]
                .as_str()
                .unwrap()
                .contains(words)
        );
    }
    let missing: Value = book(&app, &app.client, &json!({"slot_start": TUESDAY_NOON}))
        .await
        .json()
        .await
        .unwrap();
    assert!(missing["fields"]["name"].is_array() && missing["fields"]["phone"].is_array());
    assert_eq!(
        kvik_booking::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn a_filled_honeypot_books_nothing() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    let mut body = booking(TUESDAY_NOON, "Robot");
    body["website"] = json!("http://spam.example");
    assert_eq!(book(&app, &app.client, &body).await.status(), 422);
    assert_eq!(
        kvik_booking::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn one_address_gets_twenty_public_writes_in_ten_minutes_then_429_in_danish() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    let client = client_from(42);
    for _ in 0..20 {
        assert_eq!(book(&app, &client, &json!({})).await.status(), 422);
    }
    let refused = book(&app, &client, &booking(TUESDAY_NOON, "A")).await;
    assert_eq!(refused.status(), 429);
    let body: Value = refused.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("Vent"));
    // Someone else is not affected, and the limit forgets after the window.
    assert_eq!(
        book(&app, &client_from(43), &booking(TUESDAY_NOON, "B"))
            .await
            .status(),
        201
    );
    app.clock.advance(chrono::Duration::minutes(11));
    assert_eq!(
        book(&app, &client, &booking(TUESDAY_NOON, "A"))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn a_large_body_on_the_public_booking_is_refused_without_a_500() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    let mut body = booking(TUESDAY_NOON, "A");
    body["need"] = json!("x".repeat(40 * 1024));
    let status = book(&app, &app.client, &body).await.status().as_u16();
    assert!(status == 413 || status == 400, "{status}");
}

async fn kvik_product(app: &TestApp, code: &str, name: &str, units: usize) -> i32 {
    let product = app
        .add_product(ProductSpec {
            code,
            name,
            kvik_eligible: true,
            volume: 2,
            service_minutes: 10,
        })
        .await;
    for n in 0..units {
        app.add_unit(product.id, &format!("{code}-{n}"), "available")
            .await;
    }
    product.id
}

async fn api_post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.post_json_with(path, token, &body).await
}

#[tokio::test]
async fn handing_out_an_aid_creates_a_140_loan_with_the_right_due_date_and_the_unit_leaves_stock() {
    let app = spawn_app().await;
    let token = app.token_for(Role::Visitator).await;
    kvik_product(&app, "12-06-06-01", "Rollator", 1).await;
    let walk_in = api_post(
        &app,
        &token,
        "/api/v1/kvik/walk-ins",
        json!({"name": "Ole Hansen", "phone": "", "need": "Rollator"}),
    )
    .await;
    assert_eq!(walk_in.status(), 201);
    let visit: Value = walk_in.json().await.unwrap();
    assert_eq!(visit["kind"], "walk_in");
    assert_eq!(visit["status"], "arrived");
    let id = visit["id"].as_i64().unwrap();

    // A new citizen without an address on file: the address is required.
    let missing = api_post(&app, &token, &format!("/api/v1/kvik/visits/{id}/outcome"),
        json!({"outcome": "handed_out", "cpr": "0101401234", "product_code": "12-06-06-01", "legal_basis": "sundhedsloven_140"})).await;
    assert_eq!(missing.status(), 422);
    let body: Value = missing.json().await.unwrap();
    assert!(body["fields"]["address"].is_array(), "{body}");

    let done = api_post(&app, &token, &format!("/api/v1/kvik/visits/{id}/outcome"),
        json!({"outcome": "handed_out", "cpr": "0101401234", "product_code": "12-06-06-01",
               "legal_basis": "sundhedsloven_140",
               "address": {"street": "Vestergade", "house_number": "12", "postal_code": "8900", "city": "Randers C"}})).await;
    assert_eq!(done.status(), 200);
    let visit: Value = done.json().await.unwrap();
    assert_eq!(visit["status"], "done");
    assert_eq!(visit["outcome"], "handed_out");
    let loan = loan::Entity::find_by_id(i32::try_from(visit["loan_id"].as_i64().unwrap()).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loan.legal_basis, "sundhedsloven_140");
    assert_eq!(
        loan.start_date,
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    );
    assert_eq!(loan.due_date, NaiveDate::from_ymd_opt(2027, 2, 23));
    assert_eq!(loan.area_id, 2, "8900 belongs to area syd");
    let unit = unit::Entity::find_by_id(loan.unit_id.unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unit.status, "on_loan");

    // Recording twice is refused; with no unit left a hand-out is a conflict and changes nothing.
    let again = api_post(
        &app,
        &token,
        &format!("/api/v1/kvik/visits/{id}/outcome"),
        json!({"outcome": "advice"}),
    )
    .await;
    assert_eq!(again.status(), 409);
    let second: Value = api_post(
        &app,
        &token,
        "/api/v1/kvik/walk-ins",
        json!({"name": "Ida", "phone": "", "need": ""}),
    )
    .await
    .json()
    .await
    .unwrap();
    let none_left = api_post(
        &app,
        &token,
        &format!("/api/v1/kvik/visits/{}/outcome", second["id"]),
        json!({"outcome": "handed_out", "cpr": "0101401234", "product_code": "12-06-06-01"}),
    )
    .await;
    assert_eq!(none_left.status(), 409);
    let second_row =
        kvik_booking::Entity::find_by_id(i32::try_from(second["id"].as_i64().unwrap()).unwrap())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(second_row.outcome, None, "rolled back");
    assert_eq!(loan::Entity::find().all(&app.db).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_queue_holds_bookings_by_time_and_walk_ins_by_arrival_and_follows_each_visit() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    let token = app.token_for(Role::Visitator).await;
    let late: Value = book(
        &app,
        &app.client,
        &booking("2026-11-24T13:00:00+01:00", "Sen"),
    )
    .await
    .json()
    .await
    .unwrap();
    let early: Value = book(&app, &app.client, &booking(TUESDAY_NOON, "Tidlig"))
        .await
        .json()
        .await
        .unwrap();
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-24T12:30:00+01:00")
            .unwrap()
            .to_utc(),
    );
    api_post(
        &app,
        &token,
        "/api/v1/kvik/walk-ins",
        json!({"name": "Uden tid", "phone": "", "need": "Råd"}),
    )
    .await;

    let queue: Vec<Value> = app
        .get_with("/api/v1/kvik/queue?date=2026-11-24", &token)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = queue.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Tidlig", "Uden tid", "Sen"]);

    let path = format!("/api/v1/kvik/visits/{}/status", early["id"]);
    for (status, expected) in [
        ("arrived", 200),
        ("in_progress", 200),
        ("done", 200),
        ("arrived", 409),
        ("flyvende", 422),
    ] {
        assert_eq!(
            api_post(&app, &token, &path, json!({"status": status}))
                .await
                .status(),
            expected,
            "{status}"
        );
    }
    let no_show = api_post(
        &app,
        &token,
        &format!("/api/v1/kvik/visits/{}/outcome", late["id"]),
        json!({"outcome": "no_show"}),
    )
    .await;
    assert_eq!(no_show.status(), 200);
    assert_eq!(no_show.json::<Value>().await.unwrap()["status"], "no_show");

    // Staff cancel from the queue frees the place.
    app.clock.set(crate::helpers::default_now());
    let third: Value = book(&app, &app.client, &booking(TUESDAY_NOON, "Tredje"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(available_at(&app, TUESDAY_NOON).await, 0);
    assert_eq!(
        api_post(
            &app,
            &token,
            &format!("/api/v1/kvik/visits/{}/cancel", third["id"]),
            json!({})
        )
        .await
        .status(),
        200
    );
    assert_eq!(available_at(&app, TUESDAY_NOON).await, 1);
    let driver = app.token_for(Role::Driver).await;
    assert_eq!(
        app.get_with("/api/v1/kvik/queue", &driver).await.status(),
        403
    );
}

fn field_of(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

#[tokio::test]
async fn the_public_page_books_a_time_end_to_end_and_the_citizen_can_cancel_it() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    let citizen = browser();
    let start = citizen.get(app.url("/kvik")).send().await.unwrap();
    assert_eq!(start.status(), 200);
    let html = start.text().await.unwrap();
    assert!(html.contains("lang=\"da\""));
    assert!(html.contains("/kvik?day=2026-11-24"));
    let day = citizen
        .get(app.url("/kvik?day=2026-11-24"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(day.contains("type=\"radio\""));
    assert!(day.contains("kl. 12:00–12:20"));
    assert!(day.contains("Lad dette felt være tomt"));
    assert!(!day.contains("CPR-nummer\""), "no CPR field");
    let csrf = crate::helpers::csrf_in(&day).unwrap();

    let response = citizen
        .post(app.url("/kvik/book"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("day", "2026-11-24"),
            ("slot_start", "2026-11-24T11:00:00Z"),
            ("name", "Karen Jensen"),
            ("phone", "86123456"),
            ("email", ""),
            ("need", "Badebænk"),
            ("aids", "badebaenk"),
            ("aids", "gribetang"),
            ("website", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/kvik/booking/"));
    let stored = kvik_booking::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.aids.as_deref(), Some("badebaenk,gribetang"));

    let confirmation = citizen.get(app.url(&location)).send().await.unwrap();
    assert_eq!(confirmation.status(), 200);
    assert_eq!(confirmation.headers()["referrer-policy"], "no-referrer");
    let page = confirmation.text().await.unwrap();
    assert!(page.contains("Din tid er booket"));
    assert!(page.contains("tirsdag 24.11.2026 kl. 12:00"));
    let token = field_of(&page, "token").unwrap();
    let csrf = crate::helpers::csrf_in(&page).unwrap();
    let cancelled = citizen
        .post(app.url(&format!("/kvik/booking/{}/cancel", stored.id)))
        .form(&[("csrf_token", csrf.as_str()), ("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);
    assert!(
        cancelled
            .text()
            .await
            .unwrap()
            .contains("Din tid er aflyst")
    );
    assert_eq!(available_at(&app, TUESDAY_NOON).await, 2);
}

#[tokio::test]
async fn a_full_slot_on_the_public_page_offers_the_nearest_free_times() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    for name in ["A", "B"] {
        assert_eq!(
            book(
                &app,
                &app.client,
                &booking("2026-11-24T12:20:00+01:00", name)
            )
            .await
            .status(),
            201
        );
    }
    let citizen = browser();
    let day = citizen
        .get(app.url("/kvik?day=2026-11-24"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !day.contains("kl. 12:20–12:40"),
        "a full slot is not offered"
    );
    let csrf = crate::helpers::csrf_in(&day).unwrap();
    let response = citizen
        .post(app.url("/kvik/book"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("slot_start", "2026-11-24T11:20:00Z"),
            ("name", "C"),
            ("phone", "86123456"),
            ("need", "Rollator"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(html.contains("optaget"));
    assert!(html.contains("nærmeste ledige tider"));
    assert!(html.contains("tirsdag 24.11.2026 kl. 12:00–12:20"));
    assert!(html.contains("tirsdag 24.11.2026 kl. 12:40–13:00"));
    assert!(html.contains("value=\"C\""), "typed values are kept");

    let invalid = citizen
        .post(app.url("/kvik/book"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("slot_start", "2026-11-24T11:00:00Z"),
            ("name", ""),
            ("phone", "12"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 422);
    let html = invalid.text().await.unwrap();
    assert!(html.contains("Skriv dit navn"));
    assert!(html.contains("aria-invalid=\"true\""));
}

fn find_attachment(data: &str) -> String {
    let start = data
        .find("Content-Type: text/calendar")
        .expect("a text/calendar part");
    let part = &data[start..];
    let header_end = part.find("\n\n").unwrap();
    let headers = &part[..header_end];
    let body = &part[header_end + 2..];
    let body = &body[..body.find("\n--").unwrap_or(body.len())];
    if headers.to_lowercase().contains("base64") {
        let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(clean)
                .unwrap(),
        )
        .unwrap()
    } else {
        body.to_owned()
    }
}

#[tokio::test]
async fn the_confirmation_email_with_its_calendar_file_arrives_at_a_real_smtp_server() {
    let server = SmtpServer::start(Faults::default()).await;
    let url = server.url();
    let app = spawn_app_with(move |c| {
        c.mail = depot::config::parse_mail(&url).unwrap();
        c.worker_poll = Duration::from_millis(20);
    })
    .await;
    open_tuesdays(&app).await;
    let mut body = booking(TUESDAY_NOON, "Karen Jensen");
    body["email"] = json!("karen@test.invalid");
    let created: Value = book(&app, &app.client, &body).await.json().await.unwrap();
    let started = Instant::now();
    while server.received().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no email arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mail = &server.received()[0];
    assert_eq!(mail.to, vec!["karen@test.invalid"]);
    assert!(mail.header("Subject").unwrap().contains("Kvik Service"));
    assert!(mail.data.contains("kvik-service.ics"));
    assert!(
        !mail.data.contains("rollator"),
        "no health details in the email"
    );
    let ics = find_attachment(&mail.data);
    assert!(
        ics.contains("BEGIN:VCALENDAR\r\n") || ics.contains("BEGIN:VCALENDAR\n"),
        "{ics}"
    );
    assert!(ics.contains("METHOD:PUBLISH"));
    assert!(ics.contains(&format!("UID:kvik-{}@", created["id"])));
    assert!(ics.contains("DTSTART:20261124T110000Z"));
    assert!(ics.contains("DTEND:20261124T112000Z"));
    let row = outbox::Entity::find()
        .filter(outbox::Column::IdempotencyKey.eq(format!("kvik-confirmation:{}", created["id"])))
        .one(&app.db)
        .await
        .unwrap();
    assert!(row.is_some());
}

#[tokio::test]
async fn the_scheduler_queues_reminders_for_tomorrows_visits_with_an_email_once() {
    let app = spawn_app_with(|c| c.background = false).await;
    open_tuesdays(&app).await;
    let mut with_email = booking(TUESDAY_NOON, "Karen");
    with_email["email"] = json!("karen@test.invalid");
    let created: Value = book(&app, &app.client, &with_email)
        .await
        .json()
        .await
        .unwrap();
    book(&app, &app.client, &booking(TUESDAY_NOON, "Uden e-mail")).await;
    let mut later = booking("2026-12-01T12:00:00+01:00", "Næste uge");
    later["email"] = json!("naeste@test.invalid");
    book(&app, &app.client, &later).await;

    let config = depot::config::Config::from_lookup(|k| {
        (k == "DATABASE_URL").then(|| app.database_url.clone())
    })
    .unwrap();
    let state = depot::state::AppState::new(app.db.clone(), app.clock.clone(), config);
    // 07:30 local: not yet.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-23T07:30:00+01:00")
            .unwrap()
            .to_utc(),
    );
    schedule::tick(&state).await.unwrap();
    let reminders = || async {
        outbox::Entity::find()
            .filter(outbox::Column::IdempotencyKey.starts_with("kvik-reminder:"))
            .all(&app.db)
            .await
            .unwrap()
    };
    assert!(reminders().await.is_empty());
    app.clock.set(crate::helpers::default_now());
    schedule::tick(&state).await.unwrap();
    schedule::tick(&state).await.unwrap();
    let queued = reminders().await;
    assert_eq!(queued.len(), 1);
    assert_eq!(
        queued[0].idempotency_key,
        format!("kvik-reminder:{}", created["id"])
    );
    assert_eq!(queued[0].recipients, "karen@test.invalid");
    assert!(queued[0].body_text.contains("tirsdag 24.11.2026 kl. 12:00"));
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn visitators_work_the_queue_page_with_walk_ins_status_buttons_and_the_outcome_form() {
    let app = spawn_app().await;
    open_tuesdays(&app).await;
    kvik_product(&app, "12-06-06-01", "Rollator", 2).await;
    app.login_as(Role::Visitator).await;
    let (status, html) = page(&app, "/kvik/queue").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<script src=\"/static/kvik-queue.js\" defer></script>"),
        "the queue refreshes itself"
    );
    assert!(
        !html.contains("http-equiv=\"refresh\""),
        "never a timed reload that wipes typing"
    );
    assert!(html.contains("Registrér en borger uden tid"));
    let (_, off) = page(&app, "/kvik/queue?auto=0").await;
    assert!(!off.contains("kvik-queue.js"));

    let bad = app
        .post_form(
            "/kvik/queue",
            "/kvik/walk-ins",
            &[("name", ""), ("phone", ""), ("need", "")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let ok = app
        .post_form(
            "/kvik/queue",
            "/kvik/walk-ins",
            &[("name", "Ole Hansen"), ("phone", ""), ("need", "Rollator")],
        )
        .await;
    assert_eq!(ok.status(), 303);
    let visit = kvik_booking::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let (_, html) = page(&app, "/kvik/queue").await;
    assert!(html.contains("Ole Hansen") && html.contains("Uden tid"));

    let moved = app
        .post_form(
            "/kvik/queue",
            &format!("/kvik/visits/{}/status", visit.id),
            &[("status", "in_progress"), ("date", "2026-11-23")],
        )
        .await;
    assert_eq!(moved.status(), 303);
    let outcome_path = format!("/kvik/visits/{}/outcome", visit.id);
    let (status, form) = page(&app, &outcome_path).await;
    assert_eq!(status, 200);
    assert!(form.contains("Rollator (12-06-06-01)"));
    let missing = app
        .post_form(
            &outcome_path,
            &outcome_path,
            &[
                ("outcome", "handed_out"),
                ("cpr", "0101401234"),
                ("product_code", "12-06-06-01"),
                ("legal_basis", "sundhedsloven_140"),
            ],
        )
        .await;
    assert_eq!(missing.status(), 422);
    assert!(missing.text().await.unwrap().contains("ingen adresse"));
    let saved = app
        .post_form(
            &outcome_path,
            &outcome_path,
            &[
                ("outcome", "handed_out"),
                ("cpr", "010140-1234"),
                ("product_code", "12-06-06-01"),
                ("legal_basis", "sundhedsloven_140"),
                ("citizen_name", "Ole Hansen"),
                ("address.street", "Vestergade"),
                ("address.house_number", "12"),
                ("address.postal_code", "8930"),
                ("address.city", "Randers NØ"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let loan = loan::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(loan.area_id, 1);

    let (status, stats) = page(&app, "/kvik/stats").await;
    assert_eq!(status, 200);
    assert!(stats.contains("<svg") && stats.contains("Rollator: 1"));
    let (status, _) = page(&app, "/kvik/admin").await;
    assert_eq!(status, 403, "opening hours are the depot's");
}

#[tokio::test]
async fn depot_staff_set_opening_hours_closed_dates_and_the_horizon() {
    let app = spawn_app().await;
    app.login_as(Role::Depot).await;
    let (status, html) = page(&app, "/kvik/admin").await;
    assert_eq!(status, 200);
    assert!(html.contains("Tilføj åbningstid"));
    let added = app
        .post_form(
            "/kvik/admin",
            "/kvik/admin/openings",
            &[
                ("weekday", "4"),
                ("opens", "09:00"),
                ("closes", "11:00"),
                ("slot_minutes", "20"),
                ("capacity", "1"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let overlapping = app
        .post_form(
            "/kvik/admin",
            "/kvik/admin/openings",
            &[
                ("weekday", "4"),
                ("opens", "10:00"),
                ("closes", "12:00"),
                ("slot_minutes", "20"),
                ("capacity", "1"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(overlapping.status(), 422);
    assert!(overlapping.text().await.unwrap().contains("overlapper"));
    assert_eq!(
        app.post_form(
            "/kvik/admin",
            "/kvik/admin/closed",
            &[("date", "2026-11-26"), ("reason", "Lukket")]
        )
        .await
        .status(),
        303
    );
    assert_eq!(
        app.post_form(
            "/kvik/admin",
            "/kvik/admin/closed",
            &[("date", "2026-11-26"), ("reason", "")]
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        app.post_form(
            "/kvik/admin",
            "/kvik/admin/horizon",
            &[("horizon_days", "7")]
        )
        .await
        .status(),
        303
    );
    assert_eq!(
        app.post_form(
            "/kvik/admin",
            "/kvik/admin/horizon",
            &[("horizon_days", "0")]
        )
        .await
        .status(),
        422
    );

    let slots: Vec<Value> = app
        .client
        .get(app.url("/api/v1/kvik/slots"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Seven days ahead end on 30 November, and Thursday 26 November is closed.
    assert!(slots.is_empty(), "{slots:?}");
    assert_eq!(
        app.post_form(
            "/kvik/admin",
            "/kvik/admin/horizon",
            &[("horizon_days", "14")]
        )
        .await
        .status(),
        303
    );
    let slots: Vec<Value> = app
        .client
        .get(app.url("/api/v1/kvik/slots"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        slots.len(),
        6,
        "3 December only; 10 December is beyond 14 days"
    );
    assert_eq!(slots[0]["start"], "2026-12-03T09:00:00+01:00");
}
