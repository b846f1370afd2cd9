//! Staff login and logout.

use axum::Extension;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Duration;
use serde::Deserialize;

use super::guard::{ClientIp, SESSION_COOKIE, build_cookie};
use super::throttle::Verdict;
use super::{Access, dummy_hash, store, verify_password};
use crate::audit::{self, AuditEntry};
use crate::error::AppError;
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::{CurrentUser, PageContext, PageError, render, render_with};

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/login", Access::Public, login_page),
        post("/login", Access::Public, login),
        post("/logout", Access::Staff, logout),
    ]
}

#[derive(askama::Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: PageContext,
    email: String,
    error: String,
}

async fn login_page(ctx: PageContext, user: Option<CurrentUser>) -> Result<Response, PageError> {
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    render(&LoginPage {
        ctx,
        email: String::new(),
        error: String::new(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The same answer for an unknown e-mail and a wrong password, at the same cost.
const WRONG: &str = "E-mailadressen eller adgangskoden er forkert.";

async fn login(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    ctx: PageContext,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let email = form.email.trim().to_lowercase();
    match state.throttle.check(&email, &ip, now) {
        Verdict::Refused => {
            return render_with(
                StatusCode::TOO_MANY_REQUESTS,
                &LoginPage {
                    ctx,
                    email,
                    error: "Der har været for mange forkerte forsøg herfra. Vent et kvarter, og prøv igen.".to_owned(),
                },
            );
        }
        Verdict::Slowed(wait) => tokio::time::sleep(wait).await,
        Verdict::Allowed => {}
    }

    let user = store::find_user_by_email(&state.db, &email).await?;
    let hash = user
        .as_ref()
        .filter(|u| u.active)
        .map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let password = form.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let user = match user {
        Some(u) if ok && u.active => u,
        other => {
            state.throttle.record_failure(&email, &ip, now);
            audit::record(
                &state.db,
                AuditEntry {
                    actor_user_id: other.map(|u| u.id),
                    action: "login.failure",
                    detail: "forkert e-mail eller adgangskode".to_owned(),
                    ip: Some(&ip),
                    ..Default::default()
                },
                now,
            )
            .await?;
            return render_with(
                StatusCode::UNAUTHORIZED,
                &LoginPage {
                    ctx,
                    email,
                    error: WRONG.to_owned(),
                },
            );
        }
    };

    state.throttle.record_success(&email, &ip);
    // A new session id at every login; the old one (if any) is ended.
    if let Some(old) = jar.get(SESSION_COOKIE) {
        store::delete_session(&state.db, old.value()).await?;
    }
    let absolute = Duration::from_std(state.config.session_absolute).unwrap_or(Duration::hours(10));
    let cookie_value = store::create_session(&state.db, user.id, now, absolute).await?;
    audit::record(
        &state.db,
        AuditEntry {
            actor_user_id: Some(user.id),
            action: "login.success",
            ip: Some(&ip),
            ..Default::default()
        },
        now,
    )
    .await?;
    let cookie = build_cookie(SESSION_COOKIE, cookie_value, state.config.served_over_tls());
    let mut response = Redirect::to("/").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        store::delete_session(&state.db, cookie.value()).await?;
    }
    let mut gone = build_cookie(
        SESSION_COOKIE,
        String::new(),
        state.config.served_over_tls(),
    );
    gone.make_removal();
    let mut response = Redirect::to("/login").into_response();
    if let Ok(value) = HeaderValue::from_str(&gone.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}
