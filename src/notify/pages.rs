//! The mail admin page: queued, sent and dead emails with their last error, and
//! resending one.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use entity::outbox;
use serde::Deserialize;

use super::store::{self, Health};
use crate::auth::{Access, Role};
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::{PageContext, PageError, local_datetime, render};

const STAFF: Access = Access::Roles(&[Role::Depot]);

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/admin/mail", STAFF, mail_page),
        post("/admin/mail/{id}/resend", STAFF, resend),
    ]
}

pub struct Row {
    pub id: i32,
    pub created: String,
    pub recipients: String,
    pub subject: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub attempts: i32,
    pub last_error: String,
    pub can_resend: bool,
}

fn status_label(status: &str) -> (&'static str, &'static str) {
    match status {
        store::QUEUED => ("I kø", "tag"),
        store::SENDING => ("Sendes", "tag"),
        store::SENT => ("Sendt", "tag tag-ok"),
        _ => ("Fejlet (død)", "tag tag-warn"),
    }
}

fn row(m: outbox::Model) -> Row {
    let (status, status_class) = status_label(&m.status);
    Row {
        id: m.id,
        created: local_datetime(m.created_at),
        recipients: m.recipients,
        subject: m.subject,
        status,
        status_class,
        attempts: m.attempts,
        last_error: m.last_error.unwrap_or_default(),
        can_resend: m.status == store::DEAD,
    }
}

#[derive(askama::Template)]
#[template(path = "notify/mail.html")]
struct MailPage {
    ctx: PageContext,
    health: Health,
    stuck: bool,
    filter: String,
    rows: Vec<Row>,
}

#[derive(Deserialize)]
struct Filter {
    status: Option<String>,
}

async fn mail_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(filter): Query<Filter>,
) -> Result<Response, PageError> {
    let status = filter.status.filter(|s| {
        [store::QUEUED, store::SENDING, store::SENT, store::DEAD].contains(&s.as_str())
    });
    let health = store::health(&state.db).await?;
    let rows = store::recent(&state.db, status.as_deref(), 200).await?;
    render(&MailPage {
        ctx,
        stuck: health.is_stuck(state.clock.now()),
        health,
        filter: status.unwrap_or_default(),
        rows: rows.into_iter().map(row).collect(),
    })
}

async fn resend(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    store::resend(
        &state.db,
        crate::web::api::path_id(&raw)?,
        state.clock.now(),
    )
    .await?;
    state.mail_wakeup.notify_one();
    Ok(Redirect::to("/admin/mail").into_response())
}
