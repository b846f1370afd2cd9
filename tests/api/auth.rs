use depot::auth::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{PASSWORD, browser, login_with, set_cookie, spawn_app};

#[tokio::test]
async fn each_role_logs_in_to_its_own_danish_start_page() {
    let app = spawn_app().await;
    for (role, heading) in [
        (Role::Admin, "Depotets overblik"),
        (Role::Depot, "Depotets overblik"),
        (Role::Coordinator, "Bestilling fra sygehus"),
        (Role::Therapist, "Terapeutens forside"),
        (Role::Visitator, "Kvik Service"),
        (Role::Driver, "Dagens kørsel"),
    ] {
        let client = browser();
        let email = app.add_user(role).await;
        let response = login_with(&app, &client, &email, PASSWORD).await;
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/");
        let html = client
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<html lang=\"da\">"), "{role:?}");
        assert!(html.contains(heading), "{role:?} should see {heading}");
        assert!(html.contains(role.label()), "{role:?} sees its role");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    let email = app.add_user(Role::Depot).await;
    let wrong = login_with(&app, &browser(), &email, "forkert adgangskode").await;
    let unknown = login_with(
        &app,
        &browser(),
        "ingen@test.invalid",
        "forkert adgangskode",
    )
    .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let strip = |html: String, email: &str| {
        let html = html.replace(email, "EMAIL");
        // The CSRF token differs per browser; everything else must be equal.
        crate::helpers::csrf_in(&html).map_or(html.clone(), |t| html.replace(&t, "TOKEN"))
    };
    let wrong_body = strip(wrong.text().await.unwrap(), &email);
    let unknown_body = strip(unknown.text().await.unwrap(), "ingen@test.invalid");
    assert_eq!(wrong_body, unknown_body);
    assert!(wrong_body.contains("E-mailadressen eller adgangskoden er forkert"));
}

#[tokio::test]
async fn login_and_failed_login_are_audited() {
    let app = spawn_app().await;
    let email = app.add_user(Role::Depot).await;
    login_with(&app, &browser(), &email, "forkert adgangskode").await;
    login_with(&app, &browser(), &email, PASSWORD).await;
    for action in ["login.failure", "login.success"] {
        let n = entity::audit_event::Entity::find()
            .filter(entity::audit_event::Column::Action.eq(action))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(n, 1, "{action}");
    }
}

#[tokio::test]
async fn the_session_id_changes_at_login_and_the_old_one_dies() {
    let app = spawn_app().await;
    let email = app.add_user(Role::Depot).await;
    let first = login_with(&app, &app.client, &email, PASSWORD).await;
    let first_id = set_cookie(&first, "depot_session").unwrap();
    // Log in again from the same browser (the form token is now the session's).
    let csrf = app.csrf_of(&app.client, "/").await;
    let second = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 303);
    let second_id = set_cookie(&second, "depot_session").unwrap();
    assert_ne!(first_id, second_id);
    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = stale
        .get(app.url("/"))
        .header("cookie", format!("depot_session={first_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        303,
        "the session from before the new login is gone"
    );
    assert_eq!(response.headers()["location"], "/login");
    let fresh = stale
        .get(app.url("/"))
        .header("cookie", format!("depot_session={second_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);
}

#[tokio::test]
async fn a_logged_out_cookie_is_refused() {
    let app = spawn_app().await;
    let email = app.add_user(Role::Therapist).await;
    let login = login_with(&app, &app.client, &email, PASSWORD).await;
    let session = set_cookie(&login, "depot_session").unwrap();
    let logout = app.post_form("/", "/logout", &[]).await;
    assert_eq!(logout.status(), 303);
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = replay
        .get(app.url("/"))
        .header("cookie", format!("depot_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");
}

#[tokio::test]
async fn the_session_ends_after_the_idle_time() {
    let app = spawn_app().await;
    app.login_as(Role::Depot).await;
    assert_eq!(
        app.client.get(app.url("/")).send().await.unwrap().status(),
        200
    );
    app.clock.advance(chrono::Duration::minutes(31));
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn the_session_ends_at_its_absolute_limit_even_when_used() {
    let app = spawn_app().await;
    app.login_as(Role::Depot).await;
    for _ in 0..25 {
        app.clock.advance(chrono::Duration::minutes(25));
        app.client.get(app.url("/")).send().await.unwrap();
    }
    // 625 minutes after login, past the 600-minute limit.
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site() {
    let app = spawn_app().await;
    let email = app.add_user(Role::Depot).await;
    let response = login_with(&app, &browser(), &email, PASSWORD).await;
    let header = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("depot_session="))
        .unwrap();
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Lax"));
    assert!(!header.contains("Secure"), "not over plain http");
}

#[tokio::test]
async fn a_form_post_without_a_valid_csrf_token_is_refused() {
    let app = spawn_app().await;
    let email = app.add_user(Role::Depot).await;
    // Login form without the double-submit token.
    let response = browser()
        .post(app.url("/login"))
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Logged in, a post with a wrong token.
    app.login_as(Role::Depot).await;
    let response = app
        .client
        .post(app.url("/logout"))
        .form(&[("csrf_token", "forfalsket")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = app.client.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(response.status(), 400);
    // Still logged in: the forged logouts did nothing.
    assert_eq!(
        app.client.get(app.url("/")).send().await.unwrap().status(),
        200
    );
}

#[tokio::test]
async fn api_calls_need_a_token_and_the_right_role() {
    let app = spawn_app().await;
    let anonymous = app
        .client
        .get(app.url("/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        anonymous.json::<serde_json::Value>().await.unwrap()["error"],
        "unauthorized"
    );
    let bogus = app.get_with("/api/v1/products", "dpt_not-a-token").await;
    assert_eq!(bogus.status(), 401);
    let driver = app.token_for(Role::Driver).await;
    let ok = app.get_with("/api/v1/products", &driver).await;
    assert_eq!(ok.status(), 200);
    let forbidden = app.get_with("/api/v1/audit-events", &driver).await;
    assert_eq!(forbidden.status(), 403);
    assert_eq!(
        forbidden.json::<serde_json::Value>().await.unwrap()["error"],
        "forbidden"
    );
    let admin = app.token_for(Role::Admin).await;
    let allowed = app.get_with("/api/v1/audit-events", &admin).await;
    assert_eq!(allowed.status(), 200);
}

#[tokio::test]
async fn repeated_wrong_passwords_are_limited_but_cannot_lock_out_the_user() {
    let app = spawn_app().await;
    let email = app.add_user(Role::Depot).await;
    // An attacker at another address guesses many times.
    let attacker = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(
            login_with(&app, &attacker, &email, "gæt gæt gæt gæt")
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(&statuses[..5], &[401; 5]);
    assert_eq!(
        statuses[6], 429,
        "the attacker's address is refused after five failures"
    );
    // The real user, elsewhere, still gets in.
    let response = login_with(&app, &browser(), &email, PASSWORD).await;
    assert_eq!(response.status(), 303);
}
