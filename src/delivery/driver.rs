//! The driver's view, phone first: the day's run as large cards in order, each
//! with its forms to mark the stop delivered or not delivered. Without
//! JavaScript the forms post here and come back; `driver.js` sends them to the
//! API instead, queues them while the phone is offline, and registers the
//! service worker served at `/driver/sw.js` (scope `/driver`) that keeps the
//! page readable offline.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::api::parse_date;
use super::complete::complete_stop;
use super::pages::{items_line, merged_line};
use super::store::{self, RunView};
use super::{CompletionInput, DRIVERS, FailureReason, RunStatus, check_completion};
use crate::auth::{Access, Principal, Role};
use crate::error::AppError;
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::api::path_id;
use crate::web::form::FormErrors;
use crate::web::{CurrentUser, PageContext, PageError, render_with};

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/driver", DRIVERS, page),
        post("/driver/stops/{id}/complete", DRIVERS, complete_form),
        get("/driver/sw.js", Access::Public, service_worker),
    ]
}

/// The service worker, served from `/driver/` so its scope covers the page.
const SERVICE_WORKER: &str = include_str!("../../frontend/static/driver-sw.js");

async fn service_worker() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::HeaderName::from_static("service-worker-allowed"),
                HeaderValue::from_static("/driver"),
            ),
        ],
        SERVICE_WORKER,
    )
        .into_response()
}

struct Phone {
    href: String,
    label: String,
}

struct Card {
    id: i32,
    seq: i32,
    address: String,
    eta: String,
    window: String,
    citizens: String,
    phones: Vec<Phone>,
    access: Vec<String>,
    deliver: String,
    collect: String,
    merged: String,
    orders: String,
    status: &'static str,
    done: bool,
    failed: bool,
    result: String,
    /// Forms shown: the stop is open and its run is out (or locked).
    can_complete: bool,
}

struct RunCard {
    id: i32,
    title: String,
    status: &'static str,
    note: String,
    open: usize,
    cards: Vec<Card>,
}

#[derive(askama::Template)]
#[template(path = "delivery/driver.html")]
struct DriverPage {
    ctx: PageContext,
    date: String,
    date_label: String,
    is_today: bool,
    runs: Vec<RunCard>,
    upcoming: Vec<(String, String)>,
    reasons: Vec<(&'static str, &'static str)>,
    error_stop: i32,
    errors: FormErrors,
    typed: CompletionInput,
}

impl DriverPage {
    fn typed_receiver(&self, stop: &i32) -> String {
        if *stop == self.error_stop {
            self.typed.receiver_name.clone().unwrap_or_default()
        } else {
            String::new()
        }
    }

    fn typed_note(&self, stop: &i32, outcome: &str) -> String {
        if *stop == self.error_stop && self.typed.outcome == outcome {
            self.typed.note.clone().unwrap_or_default()
        } else {
            String::new()
        }
    }

    fn reason_selected(&self, stop: &i32, reason: &str) -> bool {
        *stop == self.error_stop && self.typed.failure_reason.as_deref() == Some(reason)
    }

    fn failed_open(&self, stop: &i32) -> bool {
        *stop == self.error_stop && self.typed.outcome == "failed"
    }
}

/// "+4512345678" → "12 34 56 78" for reading aloud; the link keeps the digits.
fn phone_of(raw: &str) -> Phone {
    let digits: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let local = digits.strip_prefix("+45").unwrap_or(&digits);
    let label = if local.len() == 8 && local.chars().all(|c| c.is_ascii_digit()) {
        local
            .as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        raw.to_owned()
    };
    let href = if digits.starts_with('+') {
        format!("tel:{digits}")
    } else {
        format!("tel:+45{digits}")
    };
    Phone { href, label }
}

fn run_card(view: &RunView) -> RunCard {
    let out = matches!(view.status, RunStatus::Locked | RunStatus::Dispatched);
    RunCard {
        id: view.run.id,
        title: format!(
            "{} – {}",
            view.vehicle.name,
            crate::web::local_date(view.run.date)
        ),
        status: view.status.label(),
        note: if out {
            String::new()
        } else if view.status == RunStatus::Draft {
            "Kørslen er endnu ikke låst af depotet; rækkefølgen kan ændre sig.".to_owned()
        } else {
            String::new()
        },
        open: view.open_stops(),
        cards: view
            .stops
            .iter()
            .map(|s| Card {
                id: s.stop.id,
                seq: s.stop.seq,
                address: s.address_line.clone(),
                eta: s.eta_hhmm(),
                window: s.window_hhmm(),
                citizens: s.citizen_names.join(", "),
                phones: s.phones.iter().map(|p| phone_of(p)).collect(),
                access: s.access_notes.clone(),
                deliver: items_line(&s.deliver),
                collect: items_line(&s.collect),
                merged: merged_line(s),
                orders: s
                    .order_ids()
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                status: s.status.label(),
                done: !s.is_open(),
                failed: s.stop.status == "failed",
                result: match (&s.stop.receiver_name, &s.stop.failure_reason) {
                    (Some(name), _) => format!("Modtaget af {name}"),
                    (_, Some(reason)) => FailureReason::parse(reason)
                        .map_or(reason.clone(), |r| r.label().to_owned()),
                    _ => String::new(),
                },
                can_complete: s.is_open() && out,
            })
            .collect(),
    }
}

#[derive(Deserialize)]
pub struct DriverQuery {
    date: Option<String>,
}

fn own(user: &Principal) -> Option<i32> {
    (user.role == Role::Driver).then_some(user.user_id)
}

async fn show(
    state: &AppState,
    ctx: PageContext,
    user: &Principal,
    date: NaiveDate,
    error: Option<(i32, FormErrors, CompletionInput)>,
) -> Result<Response, PageError> {
    let today = state.clock.today();
    let runs = store::runs_of_date(&state.db, date, own(user)).await?;
    let upcoming = match own(user) {
        Some(driver) => store::upcoming_for_driver(&state.db, driver, today)
            .await?
            .into_iter()
            .filter(|r| r.date != date)
            .map(|r| {
                (
                    format!("/driver?date={}", r.date.format("%Y-%m-%d")),
                    crate::web::local_date(r.date),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (error_stop, errors, typed) = error.unwrap_or_default();
    render_with(
        status,
        &DriverPage {
            ctx,
            date: date.format("%Y-%m-%d").to_string(),
            date_label: crate::web::local_date(date),
            is_today: date == today,
            runs: runs.iter().map(run_card).collect(),
            upcoming,
            reasons: FailureReason::ALL
                .iter()
                .map(|r| (r.as_str(), r.label()))
                .collect(),
            error_stop,
            errors,
            typed,
        },
    )
}

async fn page(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Query(query): Query<DriverQuery>,
) -> Result<Response, PageError> {
    let date = match query.date.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(raw) => parse_date("date", raw)?,
        None => state.clock.today(),
    };
    show(&state, ctx, &user, date, None).await
}

#[derive(Deserialize, Default)]
pub struct CompleteForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    receiver_name: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    failure_reason: String,
}

async fn complete_form(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<CompleteForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let input = CompletionInput {
        outcome: form.outcome,
        receiver_name: Some(form.receiver_name),
        note: Some(form.note),
        failure_reason: Some(form.failure_reason).filter(|r| !r.trim().is_empty()),
    };
    let found = store::find_stop(&state.db, id).await?;
    let the_run = store::find_run(&state.db, found.run_id).await?;
    let completion = match check_completion(&input) {
        Ok(c) => c,
        Err(fields) => {
            let mut errors = FormErrors::default();
            errors.extend(fields);
            return show(&state, ctx, &user, the_run.date, Some((id, errors, input))).await;
        }
    };
    match complete_stop(&state, &user, id, &completion).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/driver?date={}#stop-{id}",
            the_run.date.format("%Y-%m-%d")
        ))
        .into_response()),
        Err(AppError::Validation { fields, .. }) => {
            let mut errors = FormErrors::default();
            errors.extend(fields);
            show(&state, ctx, &user, the_run.date, Some((id, errors, input))).await
        }
        Err(other) => Err(other.into()),
    }
}
