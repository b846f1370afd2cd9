//! Orders through HTTP: the contract's validation, idempotency under
//! concurrency, same-address awareness, the status machine, loans on delivery,
//! the confirmation email, and the forms.

use depot::auth::Role;
use depot::orders::{DeliveryMode, MANUAL, Status, transition};
use entity::{loan, order, order_event, outbox};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{ProductSpec, TestApp, spawn_app};

const ROLLATOR: &str = "12-06-06-01";
const BED: &str = "18-12-10-01";

async fn seed_products(app: &TestApp) {
    for (code, name, volume) in [
        (ROLLATOR, "Rollator, standard", 2),
        (BED, "Plejeseng, elektrisk 90 x 200 cm", 30),
    ] {
        app.add_product(ProductSpec {
            code,
            name,
            kvik_eligible: false,
            volume,
            service_minutes: 10,
        })
        .await;
    }
}

async fn app_with_products() -> TestApp {
    let app = spawn_app().await;
    seed_products(&app).await;
    app
}

/// The contract's example: a coordinator's order for Karen Jensen.
fn hospital_order() -> Value {
    json!({
        "kind": "delivery",
        "citizen": {"cpr": "0101801234", "name": "Karen Jensen", "phone": "+4586123456"},
        "address": {"street": "Vestergade", "house_number": "12B", "floor": "2", "door": "tv",
                    "postal_code": "8900", "city": "Randers C"},
        "discharge_at": "2026-11-24T10:00:00+01:00",
        "delivery_mode": "delivery",
        "legal_basis": "sundhedsloven_140",
        "lines": [{"product_code": ROLLATOR, "quantity": 1}],
        "access_notes": "Nøgleboks 1234",
        "contact_phone": "+4512345678"
    })
}

async fn post_order(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.post_json_with("/api/v1/orders", token, body).await
}

async fn created(app: &TestApp, token: &str, body: &Value) -> Value {
    let response = post_order(app, token, body).await;
    let status = response.status();
    let json: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{json}");
    json
}

fn fields(json: &Value) -> Vec<String> {
    json["fields"]
        .as_object()
        .map(|f| f.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_coordinator_order_is_created_as_the_contract_shows_without_the_full_cpr() {
    let app = app_with_products().await;
    let token = app.token_for(Role::Coordinator).await;
    let order = created(&app, &token, &hospital_order()).await;
    assert_eq!(order["status"], "received");
    assert_eq!(order["source"], "hospital");
    assert_eq!(order["stop_id"], Value::Null);
    assert_eq!(order["deliver_by"], "2026-11-24");
    assert_eq!(order["citizen"]["cpr_masked"], "010180-xxxx");
    assert_eq!(
        order["address"]["line"],
        "Vestergade 12B, 2. tv, 8900 Randers C"
    );
    assert_eq!(order["lines"][0]["name"], "Rollator, standard");
    assert_eq!(order["related"], json!([]));
    assert!(!order.to_string().contains("0101801234"));
}

#[tokio::test]
async fn a_coordinator_order_without_discharge_at_answers_422_naming_the_field() {
    let app = app_with_products().await;
    let token = app.token_for(Role::Coordinator).await;
    let mut body = hospital_order();
    body.as_object_mut().unwrap().remove("discharge_at");
    let response = post_order(&app, &token, &body).await;
    assert_eq!(response.status(), 422);
    let json: Value = response.json().await.unwrap();
    assert_eq!(json["error"], "validation");
    assert_eq!(fields(&json), ["discharge_at"]);
}

#[tokio::test]
async fn an_address_outside_the_municipality_answers_422_naming_the_postal_code() {
    let app = app_with_products().await;
    let token = app.token_for(Role::Coordinator).await;
    let mut body = hospital_order();
    body["address"]["postal_code"] = json!("2100");
    let response = post_order(&app, &token, &body).await;
    assert_eq!(response.status(), 422);
    let json: Value = response.json().await.unwrap();
    assert_eq!(
        json["fields"]["address.postal_code"][0],
        "Postnummeret hører ikke til kommunen"
    );
}

#[tokio::test]
async fn every_missing_field_is_named_at_once() {
    let app = app_with_products().await;
    let token = app.token_for(Role::Coordinator).await;
    let response = post_order(&app, &token, &json!({"lines": []})).await;
    assert_eq!(response.status(), 422);
    let json: Value = response.json().await.unwrap();
    let named = fields(&json);
    for field in [
        "citizen.cpr",
        "citizen.name",
        "address.street",
        "address.postal_code",
        "discharge_at",
        "lines",
    ] {
        assert!(named.contains(&field.to_owned()), "{field} in {named:?}");
    }
}

#[tokio::test]
async fn malformed_json_answers_400() {
    let app = app_with_products().await;
    let token = app.token_for(Role::Coordinator).await;
    let response = app
        .client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"kind\": \"delivery\", ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let json: Value = response.json().await.unwrap();
    assert_eq!(json["error"], "bad_request");
}

#[tokio::test]
async fn an_unknown_product_code_or_a_bad_quantity_answers_422() {
    let app = app_with_products().await;
    let token = app.token_for(Role::Coordinator).await;
    let mut body = hospital_order();
    body["lines"] = json!([{"product_code": "99-99-99-99", "quantity": 1},
                           {"product_code": BED, "quantity": 21}]);
    let response = post_order(&app, &token, &body).await;
    assert_eq!(response.status(), 422);
    let json: Value = response.json().await.unwrap();
    assert_eq!(
        json["fields"]["lines[0].product_code"][0],
        "Ukendt hjælpemiddel"
    );
    assert!(json["fields"]["lines[1].quantity"].is_array());
    body["lines"] = json!([{"product_code": BED, "quantity": "to"}]);
    let response = post_order(&app, &token, &body).await;
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn twenty_concurrent_posts_with_one_idempotency_key_create_one_order() {
    let app = app_with_products().await;
    let token = app.token_for(Role::Coordinator).await;
    let body = hospital_order();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = app.url("/api/v1/orders");
        let token = token.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", "udskrivelse-4711")
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let json: Value = response.json().await.unwrap();
            (status, json)
        }));
    }
    let mut ids = Vec::new();
    let mut statuses = Vec::new();
    for task in tasks {
        let (status, json) = task.await.unwrap();
        assert!(status == 201 || status == 200, "{status}: {json}");
        statuses.push(status);
        ids.push(json["id"].as_i64().unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every answer is the same order");
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1);
    assert_eq!(order::Entity::find().count(&app.db).await.unwrap(), 1);
    assert_eq!(
        outbox::Entity::find().count(&app.db).await.unwrap(),
        1,
        "one confirmation email"
    );

    // The same key with another body is refused, clearly.
    let mut other = body.clone();
    other["lines"][0]["quantity"] = json!(2);
    let response = app
        .client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "udskrivelse-4711")
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let json: Value = response.json().await.unwrap();
    assert!(
        json["fields"]["idempotency_key"][0]
            .as_str()
            .unwrap()
            .contains("allerede brugt")
    );
}

#[tokio::test]
async fn a_therapist_order_to_the_same_normalised_address_as_an_open_hospital_order_is_linked_to_it()
 {
    let app = app_with_products().await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let therapist = app.token_for(Role::Therapist).await;
    let hospital = created(&app, &coordinator, &hospital_order()).await;
    let hospital_id = hospital["id"].as_i64().unwrap();
    // The same place written differently, a care bed two days later.
    let bed = json!({
        "citizen": {"cpr": "010180-1234", "name": "Karen Jensen"},
        "address": {"street": "vesterg.", "house_number": "12 b", "floor": "2. sal",
                    "door": "TV.", "postal_code": "8900", "city": "Randers C"},
        "deliver_by": "2026-11-25",
        "legal_basis": "serviceloven_112",
        "lines": [{"product_code": BED, "quantity": 1}]
    });
    let therapist_order = created(&app, &therapist, &bed).await;
    assert_eq!(therapist_order["source"], "therapist");
    assert_eq!(
        therapist_order["related"],
        json!([{"order_id": hospital_id, "reason": "same_address"}])
    );
    assert_eq!(
        therapist_order["merge_hint"],
        format!("Samkøres med ordre {hospital_id}")
    );
    // The link shows from the hospital order too.
    let again: Value = app
        .get_with(&format!("/api/v1/orders/{hospital_id}"), &coordinator)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["related"][0]["order_id"], therapist_order["id"]);
    assert_eq!(again["history"][0]["to"], "received");
}

#[tokio::test]
async fn orderers_see_their_own_orders_and_the_depot_sees_all_with_filters() {
    let app = app_with_products().await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let other = app.token_for(Role::Coordinator).await;
    let depot = app.token_for(Role::Depot).await;
    let mine = created(&app, &coordinator, &hospital_order()).await;
    let mut body = hospital_order();
    body["citizen"]["cpr"] = json!("0202802345");
    body["address"]["postal_code"] = json!("8930");
    body["address"]["city"] = json!("");
    let theirs = created(&app, &other, &body).await;
    assert_eq!(
        theirs["address"]["city"], "Randers",
        "city from the postal code"
    );

    let list = |token: String, query: &'static str| {
        let app = &app;
        async move {
            let response = app
                .get_with(&format!("/api/v1/orders{query}"), &token)
                .await;
            assert_eq!(response.status(), 200);
            let json: Value = response.json().await.unwrap();
            json.as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list(coordinator.clone(), "").await,
        [mine["id"].as_i64().unwrap()]
    );
    assert_eq!(list(depot.clone(), "").await.len(), 2);
    assert_eq!(
        list(depot.clone(), "?area=nord").await,
        [theirs["id"].as_i64().unwrap()]
    );
    assert_eq!(list(depot.clone(), "?status=cancelled").await.len(), 0);
    assert_eq!(
        list(
            depot.clone(),
            "?from=2026-11-24&to=2026-11-24&source=hospital"
        )
        .await
        .len(),
        2
    );
    let bad = app
        .get_with("/api/v1/orders?status=lost&from=i-morgen", &depot)
        .await;
    assert_eq!(bad.status(), 422);
    // Someone else's order is not found.
    let hidden = app
        .get_with(&format!("/api/v1/orders/{}", theirs["id"]), &coordinator)
        .await;
    assert_eq!(hidden.status(), 404);
    let listed = app
        .get_with("/api/v1/orders", &depot)
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains("0101801234") && !listed.contains("0202802345"));
}

#[tokio::test]
async fn each_illegal_status_change_answers_409_and_each_legal_one_is_recorded() {
    let app = app_with_products().await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let depot = app.token_for(Role::Depot).await;
    for mode in [DeliveryMode::Delivery, DeliveryMode::SelfPickup] {
        let mut body = hospital_order();
        body["delivery_mode"] = json!(mode.as_str());
        for from in Status::ALL {
            for to in MANUAL {
                let id = created(&app, &coordinator, &body).await["id"]
                    .as_i64()
                    .unwrap();
                app.db
                    .execute_unprepared(&format!(
                        "UPDATE orders SET status = '{}' WHERE id = {id}",
                        from.as_str()
                    ))
                    .await
                    .unwrap();
                let response = if to == Status::Cancelled {
                    app.client
                        .post(app.url(&format!("/api/v1/orders/{id}/cancel")))
                        .bearer_auth(&depot)
                        .send()
                        .await
                        .unwrap()
                } else {
                    app.post_json_with(
                        &format!("/api/v1/orders/{id}/status"),
                        &depot,
                        &json!({"status": to.as_str()}),
                    )
                    .await
                };
                let expected = if transition(from, to, mode).is_ok() {
                    200
                } else {
                    409
                };
                assert_eq!(response.status(), expected, "{from:?} -> {to:?} ({mode:?})");
                let events = order_event::Entity::find()
                    .filter(order_event::Column::OrderId.eq(id as i32))
                    .count(&app.db)
                    .await
                    .unwrap();
                assert_eq!(events, if expected == 200 { 2 } else { 1 });
            }
        }
    }
    // Planned is set by the runs, not by hand.
    let id = created(&app, &coordinator, &hospital_order()).await["id"].clone();
    let response = app
        .post_json_with(
            &format!("/api/v1/orders/{id}/status"),
            &depot,
            &json!({"status": "planned"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    // Only the depot moves orders on.
    let response = app
        .post_json_with(
            &format!("/api/v1/orders/{id}/status"),
            &coordinator,
            &json!({"status": "confirmed"}),
        )
        .await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn a_collected_self_pickup_starts_one_loan_per_unit_due_in_three_months() {
    let app = app_with_products().await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let depot = app.token_for(Role::Depot).await;
    let mut body = hospital_order();
    body["delivery_mode"] = json!("self_pickup");
    body["lines"][0]["quantity"] = json!(2);
    let id = created(&app, &coordinator, &body).await["id"]
        .as_i64()
        .unwrap();
    for status in ["confirmed", "ready_for_pickup", "delivered"] {
        let response = app
            .post_json_with(
                &format!("/api/v1/orders/{id}/status"),
                &depot,
                &json!({"status": status}),
            )
            .await;
        assert_eq!(response.status(), 200, "{status}");
    }
    let loans = loan::Entity::find()
        .filter(loan::Column::OrderId.eq(id as i32))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(loans.len(), 2);
    for l in &loans {
        assert_eq!(l.start_date.to_string(), "2026-11-23");
        assert_eq!(
            l.due_date.map(|d| d.to_string()).as_deref(),
            Some("2027-02-23")
        );
        assert_eq!(l.area_id, 2, "area syd of 8900");
        assert_eq!(l.legal_basis, "sundhedsloven_140");
    }
}

#[tokio::test]
async fn the_orderer_may_cancel_an_open_order_but_not_a_delivered_one() {
    let app = app_with_products().await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let id = created(&app, &coordinator, &hospital_order()).await["id"].clone();
    let cancel = || {
        app.client
            .post(app.url(&format!("/api/v1/orders/{id}/cancel")))
            .bearer_auth(&coordinator)
            .send()
    };
    let response = cancel().await.unwrap();
    assert_eq!(response.status(), 200);
    let json: Value = response.json().await.unwrap();
    assert_eq!(json["status"], "cancelled");
    assert_eq!(cancel().await.unwrap().status(), 409);
}

#[tokio::test]
async fn the_confirmation_email_names_order_aids_and_date_but_no_cpr_or_name() {
    let app = app_with_products().await;
    let email = app.add_user(Role::Coordinator).await;
    let user = depot::auth::store::find_user_by_email(&app.db, &email)
        .await
        .unwrap()
        .unwrap();
    let token = depot::auth::store::create_api_token(
        &app.db,
        user.id,
        "test",
        crate::helpers::NowUtc::now_utc(app.clock.as_ref()),
    )
    .await
    .unwrap();
    let id = created(&app, &token, &hospital_order()).await["id"].clone();
    let mail = outbox::Entity::find()
        .filter(outbox::Column::IdempotencyKey.eq(format!("order-confirmation:{id}")))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a confirmation in the outbox");
    assert_eq!(mail.recipients, email);
    let text = format!(
        "{}\n{}\n{}",
        mail.subject,
        mail.body_text,
        mail.body_html.unwrap_or_default()
    );
    assert!(text.contains(&format!("bestilling {id}")), "{text}");
    assert!(text.contains("Rollator, standard"));
    assert!(text.contains("24.11.2026"));
    assert!(text.contains(&format!("/orders/{id}")));
    for secret in ["0101801234", "010180", "Karen", "Jensen", "Vestergade"] {
        assert!(!text.contains(secret), "{secret} in the email");
    }
}

// ---------------------------------------------------------------- pages

fn form(fields: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut all = vec![
        ("citizen.cpr", "010180-1234"),
        ("citizen.name", "Karen Jensen"),
        ("citizen.phone", ""),
        ("address.street", "Vestergade"),
        ("address.house_number", "12B"),
        ("address.floor", "2"),
        ("address.door", "tv"),
        ("address.postal_code", "8900"),
        ("address.city", "Randers C"),
        ("contact_phone", "12345678"),
        ("access_notes", ""),
        ("lines[0].product_code", ROLLATOR),
        ("lines[0].quantity", "1"),
        ("lines[1].product_code", ""),
        ("lines[1].quantity", ""),
        ("legal_basis", "sundhedsloven_140"),
        ("delivery_mode", "delivery"),
    ];
    for (name, value) in fields {
        match all.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => all.push((name, value)),
        }
    }
    all
}

#[tokio::test]
async fn the_hospital_form_shows_danish_field_errors_and_keeps_what_was_typed() {
    let app = app_with_products().await;
    app.login_as(Role::Coordinator).await;
    let page = "/orders/new/hospital";
    let response = app
        .post_form(
            page,
            page,
            &form(&[
                ("address.postal_code", "2100"),
                ("discharge_date", "2026-11-24"),
                ("discharge_time", ""),
                ("lines[1].product_code", "Rullestol af guld"),
                ("lines[1].quantity", "3"),
            ]),
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Klokkeslæt for udskrivelsen mangler"),
        "{html}"
    );
    assert!(html.contains("Postnummeret hører ikke til kommunen"));
    assert!(html.contains("Ukendt hjælpemiddel"));
    assert!(html.contains("value=\"Karen Jensen\""));
    assert!(html.contains("value=\"2100\""));
    assert!(html.contains("value=\"Rullestol af guld\""));
    assert!(html.contains("value=\"2026-11-24\""));
    assert!(html.contains("aria-invalid=\"true\""));

    // Corrected, it becomes an order and the page confirms it.
    let response = app
        .post_form(
            page,
            page,
            &form(&[
                ("discharge_date", "2026-11-24"),
                ("discharge_time", "10:00"),
            ]),
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("?oprettet=1"), "{location}");
    let html = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Bestillingen er modtaget som ordre"));
    assert!(html.contains("24.11.2026 10:00"));
    let saved = order::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(saved.source, "hospital");
    assert_eq!(
        saved.discharge_at.unwrap().to_rfc3339(),
        "2026-11-24T09:00:00+00:00"
    );
}

#[tokio::test]
async fn a_therapist_ordering_a_care_bed_to_the_same_home_sees_the_merge_on_confirmation() {
    let app = app_with_products().await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let hospital_id = created(&app, &coordinator, &hospital_order()).await["id"].clone();
    app.login_as(Role::Therapist).await;
    let page = "/orders/new/therapist";
    let response = app
        .post_form(
            page,
            page,
            &form(&[("lines[0].product_code", ""), ("lines[0].quantity", "")]),
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Ønsket leveringsdato mangler"));
    assert!(html.contains("Vælg mindst ét hjælpemiddel"));
    let response = app
        .post_form(
            page,
            page,
            &form(&[
                ("address.door", "TV."),
                ("deliver_by", "2026-11-25"),
                ("lines[0].product_code", "plejeseng, elektrisk 90 x 200 cm"),
            ]),
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let html = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("Samkøres med ordre {hospital_id}")),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"/orders/{hospital_id}\"")));
}

#[tokio::test]
async fn depot_staff_confirm_from_the_list_and_see_the_history() {
    let app = app_with_products().await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let id = created(&app, &coordinator, &hospital_order()).await["id"].clone();
    app.login_as(Role::Depot).await;
    let html = app
        .client
        .get(app.url("/orders?status=received"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("action=\"/orders/{id}/confirm\"")));
    assert!(html.contains("010180-xxxx") && !html.contains("0101801234"));
    let response = app
        .post_form(
            "/orders",
            &format!("/orders/{id}/confirm"),
            &[("return_to", "/orders?status=received")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/orders?status=received");
    let html = app
        .client
        .get(app.url(&format!("/orders/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Bekræftet"));
    assert!(html.contains("Test Depotmedarbejder"), "who confirmed it");
    // Confirming twice is refused with the reason on the page.
    let response = app
        .post_form(
            &format!("/orders/{id}"),
            &format!("/orders/{id}/confirm"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains("kan ikke gå fra"));
}

#[tokio::test]
async fn the_order_list_shows_fifty_a_page_and_pages_on_with_the_filters_kept() {
    let app = app_with_products().await;
    let coordinator = app.token_for(Role::Coordinator).await;
    let mut ids = Vec::new();
    for _ in 0..53 {
        ids.push(
            created(&app, &coordinator, &hospital_order()).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    app.login_as(Role::Depot).await;
    let page = |path: &'static str| {
        let app = &app;
        async move {
            let response = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response.text().await.unwrap()
        }
    };
    let rows = |html: &str| {
        ids.iter()
            .filter(|id| html.contains(&format!("href=\"/orders/{id}\"")))
            .count()
    };
    let first = page("/orders?status=received").await;
    assert_eq!(rows(&first), 50);
    assert!(first.contains("Side 1"));
    assert!(!first.contains("Forrige side"));
    assert!(
        first.contains(
            "href=\"/orders?status=received&#38;from=&#38;to=&#38;area=&#38;source=&#38;side=2\""
        ),
        "the next page keeps the filter: {first}"
    );
    let second = page("/orders?status=received&side=2").await;
    assert_eq!(rows(&second), 3);
    assert!(second.contains("Forrige side") && !second.contains("Næste side"));
    // A confirm from page 2 comes back to page 2.
    assert!(second.contains("name=\"return_to\" value=\"/orders?status=received&#38;from=&#38;to=&#38;area=&#38;source=&#38;side=2\""));
    // Nonsense page numbers fall back to the first page.
    assert_eq!(rows(&page("/orders?status=received&side=nul").await), 50);
}
