//! Delivery runs through HTTP: consolidation of orders to one address into one
//! stop (with a flexible later order pulled forward), capacity limits with the
//! reason, the driver's access to their own run only, idempotent completion,
//! a failed stop sending its orders back to planning, and the pages.

use depot::auth::Role;
use entity::{loan, order, outbox, run, stop, vehicle};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use serde_json::{Value, json};

use crate::helpers::{ProductSpec, TestApp, spawn_app};

const ROLLATOR: &str = "12-06-06-01";
const BED: &str = "18-12-10-01";
const DAY: &str = "2026-11-24";

async fn app_with_fleet(capacities: &[i32]) -> TestApp {
    let app = spawn_app().await;
    for (code, name, volume, minutes) in [
        (ROLLATOR, "Rollator, standard", 2, 5),
        (BED, "Plejeseng, elektrisk 90 x 200 cm", 30, 30),
    ] {
        app.add_product(ProductSpec {
            code,
            name,
            kvik_eligible: false,
            volume,
            service_minutes: minutes,
        })
        .await;
    }
    for (i, capacity) in capacities.iter().enumerate() {
        vehicle::ActiveModel {
            name: Set(format!("Bil {}", i + 1)),
            capacity: Set(*capacity),
            shift_start: Set("07:30".to_owned()),
            shift_end: Set("15:00".to_owned()),
            start_lat: Set(None),
            start_lon: Set(None),
            active: Set(true),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    app
}

fn address(street: &str, number: &str) -> Value {
    json!({"street": street, "house_number": number, "postal_code": "8900", "city": "Randers C"})
}

fn hospital_order(cpr: &str, address: Value, product: &str) -> Value {
    json!({
        "kind": "delivery",
        "citizen": {"cpr": cpr, "name": "Karen Jensen", "phone": "+4586123456"},
        "address": address,
        "discharge_at": "2026-11-24T13:00:00+01:00",
        "deliver_by": DAY,
        "legal_basis": "sundhedsloven_140",
        "lines": [{"product_code": product, "quantity": 1}],
        "access_notes": "Nøgleboks 1234",
        "contact_phone": "+4512345678"
    })
}

fn therapist_order(cpr: &str, address: Value, deliver_by: &str) -> Value {
    json!({
        "citizen": {"cpr": cpr, "name": "Karen Jensen"},
        "address": address,
        "deliver_by": deliver_by,
        "legal_basis": "serviceloven_112",
        "lines": [{"product_code": BED, "quantity": 1}]
    })
}

async fn order(app: &TestApp, token: &str, body: &Value) -> i64 {
    let response = app.post_json_with("/api/v1/orders", token, body).await;
    let status = response.status();
    let json: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{json}");
    json["id"].as_i64().unwrap()
}

async fn plan(app: &TestApp, token: &str, date: &str) -> Value {
    let response = app
        .post_json_with("/api/v1/runs/plan", token, &json!({ "date": date }))
        .await;
    let status = response.status();
    let json: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{json}");
    json
}

async fn complete(app: &TestApp, token: &str, stop_id: i64, body: &Value) -> (u16, Value) {
    let response = app
        .post_json_with(&format!("/api/v1/stops/{stop_id}/complete"), token, body)
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn order_row(app: &TestApp, id: i64) -> order::Model {
    order::Entity::find_by_id(i32::try_from(id).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// Gives a run to a driver and sends it out, as the depot does on the planning page.
async fn dispatch_to(app: &TestApp, run_id: i64, driver_email: &str) {
    let driver = depot::auth::store::find_user_by_email(&app.db, driver_email)
        .await
        .unwrap()
        .unwrap();
    app.login_as(Role::Depot).await;
    let page = format!("/planning?date={DAY}");
    let assigned = app
        .post_form(
            &page,
            &format!("/planning/runs/{run_id}/driver"),
            &[("driver_id", &driver.id.to_string())],
        )
        .await;
    assert_eq!(assigned.status(), 303);
    let sent = app
        .post_form(
            &page,
            &format!("/planning/runs/{run_id}/status"),
            &[("action", "dispatch")],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let saved = run::Entity::find_by_id(i32::try_from(run_id).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.status, "dispatched");
    assert_eq!(saved.driver_id, Some(driver.id));
}

/// A driver with an API token; returns (email, token).
async fn driver(app: &TestApp) -> (String, String) {
    let email = app.add_user(Role::Driver).await;
    let user = depot::auth::store::find_user_by_email(&app.db, &email)
        .await
        .unwrap()
        .unwrap();
    let token = depot::auth::store::create_api_token(
        &app.db,
        user.id,
        "test",
        depot::clock::Clock::now(&*app.clock),
    )
    .await
    .unwrap();
    (email, token)
}

/// One hospital order (a rollator) for the day, planned and dispatched to a driver.
async fn one_dispatched_stop(app: &TestApp) -> (i64, i64, String, String) {
    let coordinator = app.token_for(Role::Coordinator).await;
    let depot_token = app.token_for(Role::Depot).await;
    let id = order(
        app,
        &coordinator,
        &hospital_order("0101801234", address("Vestergade", "12B"), ROLLATOR),
    )
    .await;
    let planned = plan(app, &depot_token, DAY).await;
    let run_id = planned["runs"][0]["id"].as_i64().unwrap();
    let stop_id = planned["runs"][0]["stops"][0]["id"].as_i64().unwrap();
    let (email, token) = driver(app).await;
    dispatch_to(app, run_id, &email).await;
    assert_eq!(order_row(app, id).await.status, "out_for_delivery");
    (id, stop_id, email, token)
}

#[tokio::test]
async fn a_hospital_order_and_a_later_therapist_order_to_the_same_address_become_one_stop() {
    let app = app_with_fleet(&[60]).await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let therapist = app.token_for(Role::Therapist).await;
    let depot_token = app.token_for(Role::Depot).await;
    let hospital = order(
        &app,
        &coordinator,
        &hospital_order("0101801234", address("Vestergade", "12B"), ROLLATOR),
    )
    .await;
    // The same place written differently; the bed may come any day until the 27th.
    let bed = order(
        &app,
        &therapist,
        &therapist_order("0101801234", address("vesterg.", "12 b"), "2026-11-27"),
    )
    .await;
    let other = order(
        &app,
        &coordinator,
        &hospital_order("0202802345", address("Østergade", "3"), ROLLATOR),
    )
    .await;

    let planned = plan(&app, &depot_token, DAY).await;
    assert_eq!(planned["orders"], 3, "{planned}");
    assert_eq!(planned["stops"], 2);
    assert_eq!(planned["drives_saved"], 1);
    assert_eq!(planned["unassigned"], json!([]));
    assert_eq!(planned["merges"][0]["order_id"], bed);
    assert_eq!(planned["merges"][0]["with_orders"], json!([hospital]));
    let runs = planned["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let stops = runs[0]["stops"].as_array().unwrap();
    let shared = stops
        .iter()
        .find(|s| s["order_ids"] == json!([hospital, bed]))
        .expect("one stop for both orders");
    assert_eq!(shared["merged_order_ids"], json!([bed]));
    assert!(
        shared["address"]
            .as_str()
            .unwrap()
            .starts_with("Vestergade 12B")
    );
    let kinds: Vec<&str> = shared["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["product_code"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec![ROLLATOR, BED]);
    // The discharge at 13:00 closes the window; the van is there before.
    assert!(shared["eta"].as_str().unwrap() < "2026-11-24T13:00:00+01:00");
    assert!(stops.iter().any(|s| s["order_ids"] == json!([other])));
    assert_eq!(runs[0]["vehicle"], "Bil 1");
    assert!(runs[0]["duration_min"].as_i64().unwrap() > 0);

    for id in [hospital, bed, other] {
        let row = order_row(&app, id).await;
        assert_eq!(row.status, "planned");
        assert!(row.stop_id.is_some());
    }
    // The orders API shows the stop too.
    let shown: Value = app
        .get_json(&format!("/api/v1/orders/{bed}"), &depot_token)
        .await;
    assert_eq!(shown["stop_id"], shared["id"]);

    // GET /runs?date= and /runs/{id} give the same run.
    let listed: Value = app
        .get_json(&format!("/api/v1/runs?date={DAY}"), &depot_token)
        .await;
    assert_eq!(listed[0]["id"], runs[0]["id"]);
    let one: Value = app
        .get_json(&format!("/api/v1/runs/{}", runs[0]["id"]), &depot_token)
        .await;
    assert_eq!(one["stops"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn planning_again_replaces_the_draft_runs_and_leaves_a_locked_run_alone() {
    let app = app_with_fleet(&[60]).await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let depot_token = app.token_for(Role::Depot).await;
    let first = order(
        &app,
        &coordinator,
        &hospital_order("0101801234", address("Vestergade", "12B"), ROLLATOR),
    )
    .await;
    let once = plan(&app, &depot_token, DAY).await;
    let again = plan(&app, &depot_token, DAY).await;
    assert_ne!(once["runs"][0]["id"], again["runs"][0]["id"]);
    assert_eq!(run::Entity::find().count(&app.db).await.unwrap(), 1);
    assert_eq!(order_row(&app, first).await.status, "planned");

    // Locked: a new planning neither removes it nor plans its order again.
    app.login_as(Role::Depot).await;
    let run_id = again["runs"][0]["id"].as_i64().unwrap();
    let locked = app
        .post_form(
            &format!("/planning?date={DAY}"),
            &format!("/planning/runs/{run_id}/status"),
            &[("action", "lock")],
        )
        .await;
    assert_eq!(locked.status(), 303);
    let second = order(
        &app,
        &coordinator,
        &hospital_order("0202802345", address("Østergade", "3"), ROLLATOR),
    )
    .await;
    let third = plan(&app, &depot_token, DAY).await;
    assert_eq!(third["orders"], 1);
    assert_eq!(third["runs"][0]["stops"][0]["order_ids"], json!([second]));
    assert_eq!(run::Entity::find().count(&app.db).await.unwrap(), 2);
    let kept = run::Entity::find_by_id(i32::try_from(run_id).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.status, "locked");
}

#[tokio::test]
async fn a_capacity_too_small_for_all_beds_leaves_the_rest_unassigned_with_the_reason() {
    let app = app_with_fleet(&[60]).await;
    let therapist = app.token_for(Role::Therapist).await;
    let depot_token = app.token_for(Role::Depot).await;
    let mut ids = Vec::new();
    for (i, street) in ["Vestergade", "Østergade", "Nørregade"].iter().enumerate() {
        let cpr = format!("0{}0180123{}", i + 1, i + 4);
        ids.push(
            order(
                &app,
                &therapist,
                &therapist_order(&cpr, address(street, "1"), DAY),
            )
            .await,
        );
    }
    let planned = plan(&app, &depot_token, DAY).await;
    assert_eq!(planned["stops"], 2, "{planned}");
    let unassigned = planned["unassigned"].as_array().unwrap();
    assert_eq!(unassigned.len(), 1);
    assert!(ids.contains(&unassigned[0]["order_id"].as_i64().unwrap()));
    assert_eq!(unassigned[0]["reason"], "no_room");
    assert_eq!(
        unassigned[0]["reason_text"],
        "ikke plads i ruterne (tid eller lastrum)"
    );
    let left = order_row(&app, unassigned[0]["order_id"].as_i64().unwrap()).await;
    assert_eq!(left.stop_id, None);

    // A bed larger than any van: over capacity.
    let tiny = app_with_fleet(&[12]).await;
    let therapist = tiny.token_for(Role::Therapist).await;
    let depot_token = tiny.token_for(Role::Depot).await;
    let bed = order(
        &tiny,
        &therapist,
        &therapist_order("0101801234", address("Vestergade", "1"), DAY),
    )
    .await;
    let planned = plan(&tiny, &depot_token, DAY).await;
    assert_eq!(
        planned["unassigned"],
        json!([{"order_id": bed, "reason": "over_capacity",
        "reason_text": "fylder mere end der er plads til i bilerne"}])
    );
    assert_eq!(planned["runs"], json!([]));
}

#[tokio::test]
async fn a_driver_cannot_complete_a_stop_of_another_drivers_run() {
    let app = app_with_fleet(&[60]).await;
    let (order_id, stop_id, _, own_token) = one_dispatched_stop(&app).await;
    let (_, other_token) = driver(&app).await;
    let delivered = json!({"outcome": "delivered", "receiver_name": "Karen Jensen"});

    let (status, _) = complete(&app, &other_token, stop_id, &delivered).await;
    assert_eq!(status, 403);
    // Nor read it.
    let run_id = stop::Entity::find_by_id(i32::try_from(stop_id).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .run_id;
    let read = app
        .get_with(&format!("/api/v1/runs/{run_id}"), &other_token)
        .await;
    assert_eq!(read.status(), 403);
    let listed: Value = app
        .get_json(&format!("/api/v1/runs?date={DAY}"), &other_token)
        .await;
    assert_eq!(listed, json!([]));
    assert_eq!(order_row(&app, order_id).await.status, "out_for_delivery");

    let (status, first) = complete(&app, &own_token, stop_id, &delivered).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["status"], "delivered");
    assert_eq!(first["order_ids"], json!([order_id]));
    // The offline queue may send it twice: the same answer, not an error.
    let (status, second) = complete(&app, &own_token, stop_id, &delivered).await;
    assert_eq!(status, 200);
    assert_eq!(second, first);
    // Something else afterwards is a conflict.
    let (status, _) = complete(
        &app,
        &own_token,
        stop_id,
        &json!({"outcome": "failed", "failure_reason": "not_home"}),
    )
    .await;
    assert_eq!(status, 409);

    let row = order_row(&app, order_id).await;
    assert_eq!(row.status, "delivered");
    let loans = loan::Entity::find()
        .filter(loan::Column::OrderId.eq(row.id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(loans, 1, "the §140 loan starts at delivery");
    let done = run::Entity::find_by_id(run_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, "done");
}

#[tokio::test]
async fn a_completion_with_missing_fields_is_refused_with_every_problem() {
    let app = app_with_fleet(&[60]).await;
    let (_, stop_id, _, token) = one_dispatched_stop(&app).await;
    let (status, body) = complete(&app, &token, stop_id, &json!({"outcome": "delivered"})).await;
    assert_eq!(status, 422);
    assert!(body["fields"]["receiver_name"].is_array());
    let (status, body) = complete(
        &app,
        &token,
        stop_id,
        &json!({"outcome": "failed", "failure_reason": "other"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["fields"]["note"].is_array());
    let (status, _) = complete(
        &app,
        &token,
        999_999,
        &json!({"outcome": "failed", "failure_reason": "refused"}),
    )
    .await;
    assert_eq!(status, 404);
    let malformed = app
        .client
        .post(app.url(&format!("/api/v1/stops/{stop_id}/complete")))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
}

#[tokio::test]
async fn a_failed_stop_returns_its_orders_to_planning_and_tells_the_orderer() {
    let app = app_with_fleet(&[60]).await;
    let (order_id, stop_id, _, token) = one_dispatched_stop(&app).await;
    let (status, body) = complete(
        &app,
        &token,
        stop_id,
        &json!({"outcome": "failed", "failure_reason": "not_home", "note": "Ingen åbnede, ringede to gange"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "failed");
    assert_eq!(body["failure_reason"], "not_home");
    assert_eq!(body["order_ids"], json!([order_id]));

    let row = order_row(&app, order_id).await;
    assert_eq!(row.status, "confirmed");
    assert_eq!(row.stop_id, None);
    let mail = outbox::Entity::find()
        .filter(outbox::Column::IdempotencyKey.eq(format!("stop-failed:{stop_id}:{order_id}")))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the orderer is told");
    assert!(mail.body_text.contains("Ikke hjemme"));
    assert!(mail.body_text.contains("Ingen åbnede, ringede to gange"));
    assert!(!mail.body_text.contains("0101801234") && !mail.body_text.contains("010180"));
    assert!(!mail.body_text.contains("Karen"));

    // The history says why; the next planning takes the order again.
    let shown: Value = app
        .get_json(
            &format!("/api/v1/orders/{order_id}"),
            &token_of_depot(&app).await,
        )
        .await;
    let notes = shown["history"].to_string();
    assert!(notes.contains("Ikke hjemme"), "{notes}");
    let again = plan(&app, &token_of_depot(&app).await, "2026-11-25").await;
    assert_eq!(again["runs"][0]["stops"][0]["order_ids"], json!([order_id]));
    assert_eq!(order_row(&app, order_id).await.status, "planned");
}

async fn token_of_depot(app: &TestApp) -> String {
    app.token_for(Role::Depot).await
}

#[tokio::test]
async fn a_stop_cannot_be_completed_before_its_run_is_locked_or_dispatched() {
    let app = app_with_fleet(&[60]).await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let depot_token = app.token_for(Role::Depot).await;
    order(
        &app,
        &coordinator,
        &hospital_order("0101801234", address("Vestergade", "12B"), ROLLATOR),
    )
    .await;
    let planned = plan(&app, &depot_token, DAY).await;
    let stop_id = planned["runs"][0]["stops"][0]["id"].as_i64().unwrap();
    let (status, _) = complete(
        &app,
        &depot_token,
        stop_id,
        &json!({"outcome": "delivered", "receiver_name": "Karen"}),
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn a_collected_pickup_returns_its_loan() {
    let app = app_with_fleet(&[60]).await;
    let (order_id, stop_id, _, token) = one_dispatched_stop(&app).await;
    let (status, _) = complete(
        &app,
        &token,
        stop_id,
        &json!({"outcome": "delivered", "receiver_name": "Karen"}),
    )
    .await;
    assert_eq!(status, 200);
    let lent = loan::Entity::find()
        .filter(loan::Column::OrderId.eq(i32::try_from(order_id).unwrap()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let depot_token = token_of_depot(&app).await;
    let collect = app
        .client
        .post(app.url(&format!("/api/v1/loans/{}/collect", lent.id)))
        .bearer_auth(&depot_token)
        .send()
        .await
        .unwrap();
    assert!(collect.status().is_success(), "{}", collect.status());
    // The pickup is wanted within a week: plan that day.
    let pickup = order::Entity::find()
        .filter(order::Column::Kind.eq("pickup"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let date = pickup.deliver_by.unwrap().format("%Y-%m-%d").to_string();
    let planned = plan(&app, &depot_token, &date).await;
    let run_id = planned["runs"][0]["id"].as_i64().unwrap();
    let pickup_stop = planned["runs"][0]["stops"][0]["id"].as_i64().unwrap();
    assert_eq!(planned["runs"][0]["stops"][0]["items"][0]["kind"], "pickup");
    let mut lock = run::Entity::find_by_id(i32::try_from(run_id).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    lock.status = Set("locked".to_owned());
    lock.update(&app.db).await.unwrap();
    let (status, body) = complete(
        &app,
        &depot_token,
        pickup_stop,
        &json!({"outcome": "delivered", "receiver_name": "Karen"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let after = loan::Entity::find_by_id(lent.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, "returned");
    assert_eq!(
        order_row(&app, i64::from(pickup.id)).await.status,
        "delivered"
    );
}

#[tokio::test]
async fn only_the_depot_plans_and_bad_dates_are_named() {
    let app = app_with_fleet(&[60]).await;
    let (_, driver_token) = driver(&app).await;
    let refused = app
        .post_json_with("/api/v1/runs/plan", &driver_token, &json!({"date": DAY}))
        .await;
    assert_eq!(refused.status(), 403);
    let depot_token = app.token_for(Role::Depot).await;
    let bad = app
        .post_json_with(
            "/api/v1/runs/plan",
            &depot_token,
            &json!({"date": "24-11-2026"}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    assert!(body["fields"]["date"].is_array());
    let empty = plan(&app, &depot_token, DAY).await;
    assert_eq!(empty["runs"], json!([]));
    assert_eq!(empty["orders"], 0);
}

#[tokio::test]
async fn the_planning_page_plans_moves_and_reorders_stops_with_new_etas() {
    let app = app_with_fleet(&[60, 30]).await;
    let coordinator = app.token_for(Role::Coordinator).await;
    for (cpr, street) in [
        ("0101801234", "Vestergade"),
        ("0202802345", "Østergade"),
        ("0303803456", "Nørregade"),
    ] {
        order(
            &app,
            &coordinator,
            &hospital_order(cpr, address(street, "2"), ROLLATOR),
        )
        .await;
    }
    app.login_as(Role::Depot).await;
    let page = format!("/planning?date={DAY}");
    let html = app
        .client
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Ikke planlagte ordrer (3)"), "{html}");
    let planned = app
        .post_form(&page, "/planning/plan", &[("date", DAY)])
        .await;
    assert_eq!(planned.status(), 303);
    let html = app
        .client
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("Ikke planlagte ordrer (0)"));
    assert!(html.contains("Planlæg dagen"));

    let runs = run::Entity::find().all(&app.db).await.unwrap();
    let run_id = runs[0].id;
    let stops = stop::Entity::find()
        .filter(stop::Column::RunId.eq(run_id))
        .all(&app.db)
        .await
        .unwrap();
    let mut ordered = stops.clone();
    ordered.sort_by_key(|s| s.seq);
    let last = ordered.last().unwrap();
    let up = app
        .post_form(
            &page,
            &format!("/planning/stops/{}/shift", last.id),
            &[("direction", "up")],
        )
        .await;
    assert_eq!(up.status(), 303);
    let moved = stop::Entity::find_by_id(last.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    if ordered.len() > 1 {
        assert_eq!(moved.seq, last.seq - 1);
    }
    assert!(moved.eta.is_some());

    // Move a stop to a second run (create one by hand if the planner used one van).
    let other_run = match runs.get(1) {
        Some(r) => r.id,
        None => {
            run::ActiveModel {
                date: Set(runs[0].date),
                vehicle_id: Set(vehicle::Entity::find().all(&app.db).await.unwrap()[1].id),
                driver_id: Set(None),
                status: Set("draft".to_owned()),
                distance_km: Set(0.0),
                duration_min: Set(0),
                created_at: Set(runs[0].created_at),
                ..Default::default()
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
    };
    let to = app
        .post_form(
            &page,
            &format!("/planning/stops/{}/move", moved.id),
            &[("run_id", &other_run.to_string())],
        )
        .await;
    assert_eq!(to.status(), 303);
    let now_on = stop::Entity::find_by_id(moved.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now_on.run_id, other_run);
    let target = run::Entity::find_by_id(other_run)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(target.duration_min > 0);

    // A locked run cannot be changed.
    app.post_form(
        &page,
        &format!("/planning/runs/{other_run}/status"),
        &[("action", "lock")],
    )
    .await;
    let refused = app
        .post_form(
            &page,
            &format!("/planning/stops/{}/shift", moved.id),
            &[("direction", "up")],
        )
        .await;
    assert_eq!(refused.status(), 409);

    let stats = app
        .client
        .get(app.url("/planning/stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(stats.status(), 200);
    let sheet = app
        .client
        .get(app.url(&format!("/runs/{run_id}/sheet")))
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), 200);
}

#[tokio::test]
async fn the_driver_page_lists_the_run_and_its_forms_work_without_javascript() {
    let app = app_with_fleet(&[60]).await;
    let (order_id, stop_id, email, _) = one_dispatched_stop(&app).await;
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-24T07:00:00Z")
            .unwrap()
            .to_utc(),
    );
    let response = app.login(&email, crate::helpers::PASSWORD).await;
    assert_eq!(response.status(), 303);
    let html = app
        .client
        .get(app.url("/driver"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Dagens kørsel"));
    assert!(html.contains("Vestergade 12B"));
    assert!(html.contains("href=\"tel:+4512345678\""));
    assert!(html.contains("Nøgleboks 1234"));
    assert!(html.contains("name=\"csrf-token\""));
    assert!(html.contains("/static/driver.js"));

    let missing = app
        .post_form(
            "/driver",
            &format!("/driver/stops/{stop_id}/complete"),
            &[("outcome", "delivered"), ("receiver_name", "")],
        )
        .await;
    assert_eq!(missing.status(), 422);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("Skriv navnet på den, der tog imod")
    );
    let done = app
        .post_form(
            "/driver",
            &format!("/driver/stops/{stop_id}/complete"),
            &[
                ("outcome", "delivered"),
                ("receiver_name", "Karen Jensen"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(done.status(), 303);
    assert_eq!(order_row(&app, order_id).await.status, "delivered");

    let worker = app
        .client
        .get(app.url("/driver/sw.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(worker.status(), 200);
    assert_eq!(worker.headers()["service-worker-allowed"], "/driver");
}

#[tokio::test]
async fn vehicles_are_created_and_checked_on_their_page() {
    let app = app_with_fleet(&[]).await;
    app.login_as(Role::Depot).await;
    let bad = app
        .post_form(
            "/vehicles",
            "/vehicles",
            &[
                ("name", ""),
                ("capacity", "0"),
                ("shift_start", "15:00"),
                ("shift_end", "07:00"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Skriv bilens navn"));
    assert!(html.contains("Arbejdstiden skal slutte efter den begynder"));
    let ok = app
        .post_form(
            "/vehicles",
            "/vehicles",
            &[
                ("name", "Ny varevogn"),
                ("capacity", "45"),
                ("shift_start", "07:00"),
                ("shift_end", "14:30"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(ok.status(), 303);
    let saved = vehicle::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(
        (saved.capacity, saved.shift_end.as_str(), saved.active),
        (45, "14:30", true)
    );
    let edit = app
        .post_form(
            &format!("/vehicles/{}", saved.id),
            &format!("/vehicles/{}", saved.id),
            &[
                ("name", "Ny varevogn"),
                ("capacity", "50"),
                ("shift_start", "07:00"),
                ("shift_end", "14:30"),
            ],
        )
        .await;
    assert_eq!(edit.status(), 303);
    let saved = vehicle::Entity::find_by_id(saved.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((saved.capacity, saved.active), (50, false));
}

#[tokio::test]
async fn a_delivery_is_in_the_citizens_insight_and_goes_with_the_citizen_after_retention() {
    let app = app_with_fleet(&[40]).await;
    let (order_id, stop_id, _, token) = one_dispatched_stop(&app).await;
    let delivered =
        json!({"outcome": "delivered", "receiver_name": "Karens nabo", "note": "Stillet i gangen"});
    assert_eq!(complete(&app, &token, stop_id, &delivered).await.0, 200);
    let citizen_id = order_row(&app, order_id).await.citizen_id;

    let depot_token = app.token_for(Role::Depot).await;
    let insight: Value = app
        .get_json(
            &format!("/api/v1/citizens/{citizen_id}/insight"),
            &depot_token,
        )
        .await;
    let delivery = &insight["deliveries"][0];
    assert_eq!(delivery["date"], DAY);
    assert_eq!(delivery["orders"], json!([order_id]));
    assert_eq!(delivery["receiver_name"], "Karens nabo");
    assert_eq!(delivery["note"], "Stillet i gangen");

    // The aid comes back; years later the citizen's data goes, the stop with it,
    // while the run keeps its figures.
    for l in loan::Entity::find()
        .filter(loan::Column::CitizenId.eq(citizen_id))
        .all(&app.db)
        .await
        .unwrap()
    {
        let mut l = l.into_active_model();
        l.status = Set("returned".to_owned());
        l.update(&app.db).await.unwrap();
    }
    let later = depot::clock::Clock::now(&*app.clock) + chrono::Duration::days(400);
    let deleted = depot::privacy::store::delete_expired(&app.db, later, 365)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert!(
        stop::Entity::find_by_id(stop_id as i32)
            .one(&app.db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        run::Entity::find().count(&app.db).await.unwrap(),
        1,
        "the run stays"
    );
    assert!(
        order::Entity::find_by_id(order_id as i32)
            .one(&app.db)
            .await
            .unwrap()
            .is_none()
    );
}
