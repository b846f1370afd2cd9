//! Citizens: the search never puts a CPR number in a URL, lists mask it, and the
//! full record is audited.

use depot::auth::Role;
use entity::audit_event;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{TestApp, spawn_app};

async fn create_citizen(app: &TestApp, cpr: &str, name: &str) -> reqwest::Response {
    app.post_form(
        "/citizens/new",
        "/citizens",
        &[
            ("cpr", cpr),
            ("name", name),
            ("phone", "86 12 34 56"),
            ("address.street", "Vestergade"),
            ("address.house_number", "12B"),
            ("address.floor", "2"),
            ("address.door", "tv"),
            ("address.postal_code", "8900"),
            ("address.city", "Randers C"),
        ],
    )
    .await
}

#[tokio::test]
async fn viewing_a_citizen_record_writes_an_audit_event_with_the_viewer() {
    let app = spawn_app().await;
    app.login_as(Role::Therapist).await;
    let created = create_citizen(&app, "0101401234", "Karen Jensen").await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    assert!(!location.contains("0101401234"));
    let page = app.client.get(app.url(&location)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("010140-1234"),
        "the full record shows the full CPR"
    );
    let id: i32 = location.rsplit('/').next().unwrap().parse().unwrap();
    let views = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("citizen.view"))
        .filter(audit_event::Column::CitizenId.eq(id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].actor_role.as_deref(), Some("therapist"));
    assert!(views[0].actor_user_id.is_some());
    assert!(!views[0].detail.contains("0101401234"));
}

#[tokio::test]
async fn a_search_by_cpr_is_a_post_and_the_result_list_masks_the_number() {
    let app = spawn_app().await;
    app.login_as(Role::Depot).await;
    create_citizen(&app, "0101401234", "Karen Jensen").await;
    let response = app
        .post_form("/citizens", "/citizens/search", &[("q", "010140-1234")])
        .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Karen Jensen"));
    assert!(html.contains("010140-xxxx"));
    let hrefs: Vec<&str> = html
        .split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert!(
        hrefs
            .iter()
            .all(|h| !h.contains("1234") && !h.contains("010140")),
        "no CPR in any link: {hrefs:?}"
    );
    assert!(
        !html.contains("href=\"/citizens?"),
        "no query-string search links"
    );
}

#[tokio::test]
async fn the_create_form_shows_danish_field_errors_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    app.login_as(Role::Coordinator).await;
    let response = app
        .post_form(
            "/citizens/new",
            "/citizens",
            &[
                ("cpr", "3302801234"),
                ("name", "Ole Olsen"),
                ("address.postal_code", "89"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("gyldig fødselsdato"));
    assert!(html.contains("Postnummeret skal være fire cifre"));
    assert!(html.contains("value=\"Ole Olsen\""));
}

#[tokio::test]
async fn drivers_cannot_look_up_citizens() {
    let app = spawn_app().await;
    app.login_as(Role::Driver).await;
    assert_eq!(
        app.client
            .get(app.url("/citizens"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}
