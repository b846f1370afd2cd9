//! Kvik Service pages. Public (no login, made for elderly citizens and their
//! relatives): pick a day and a free time, give name and phone, see the
//! confirmation and cancel. Staff: the day's queue with walk-ins, outcomes,
//! opening hours and statistics. No JavaScript needed anywhere.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::kvik_booking;
use serde::Deserialize;

use super::api::{checked_outcome, limit, parse_date, parse_status};
use super::store::{self, FreeSlot};
use super::{
    BookingInput, COMMON_AIDS, OpeningInput, Outcome, RateLimiter, SETUP, STAFF, Status,
    WalkInInput, aid_label, check_booking, check_opening, check_walk_in, describe_time, local_hhmm,
    weekday_name,
};
use crate::auth::Access;
use crate::auth::guard::ClientIp;
use crate::domain::AddressInput;
use crate::error::AppError;
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::api::path_id;
use crate::web::form::FormErrors;
use crate::web::{CurrentUser, PageContext, PageError, render, render_with};

pub fn routes(limiter: &Arc<RateLimiter>) -> Vec<RouteDef> {
    let public = |mut route: RouteDef| {
        route.handler = route
            .handler
            .layer::<_, std::convert::Infallible>(Extension(limiter.clone()))
            .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(super::PUBLIC_BODY_LIMIT));
        route
    };
    vec![
        get("/kvik", Access::Public, booking_page),
        public(post("/kvik/book", Access::Public, book)),
        get("/kvik/booking/{id}", Access::Public, confirmation_page),
        public(post(
            "/kvik/booking/{id}/cancel",
            Access::Public,
            cancel_by_citizen,
        )),
        get("/kvik/queue", STAFF, queue_page),
        post("/kvik/walk-ins", STAFF, add_walk_in),
        post("/kvik/visits/{id}/status", STAFF, change_status),
        post("/kvik/visits/{id}/cancel", STAFF, cancel_by_staff),
        get("/kvik/visits/{id}/outcome", STAFF, outcome_page),
        post("/kvik/visits/{id}/outcome", STAFF, save_outcome),
        get("/kvik/stats", STAFF, stats_page),
        get("/kvik/admin", SETUP, admin_page),
        post("/kvik/admin/openings", SETUP, add_opening),
        post("/kvik/admin/openings/{id}", SETUP, update_opening),
        post("/kvik/admin/openings/{id}/delete", SETUP, delete_opening),
        post("/kvik/admin/closed", SETUP, add_closed),
        post("/kvik/admin/closed/{id}/delete", SETUP, delete_closed),
        post("/kvik/admin/horizon", SETUP, set_horizon),
    ]
}

/// The fields of a urlencoded form, repeated names kept (checkboxes).
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn fields(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

// ---------------------------------------------------------------- public booking

/// A day with free times, as a link.
pub struct DayLink {
    pub value: String,
    pub label: String,
    pub free: usize,
    pub current: bool,
}

/// A time to choose, as a radio button.
pub struct TimeOption {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct AidOption {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Default)]
pub struct Typed {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub need: String,
}

#[derive(askama::Template)]
#[template(path = "kvik/book.html")]
struct BookPage {
    ctx: PageContext,
    hours: Vec<String>,
    days: Vec<DayLink>,
    day: String,
    day_label: String,
    times: Vec<TimeOption>,
    /// The times offered are the nearest free ones after a full slot.
    nearest: bool,
    aids: Vec<AidOption>,
    form: Typed,
    errors: FormErrors,
    message: String,
}

impl BookPage {
    fn summary(&self) -> Vec<(String, String)> {
        let order = [
            "slot_start",
            "name",
            "phone",
            "email",
            "need",
            "aids",
            "website",
        ];
        let mut all = self.errors.summary();
        all.sort_by_key(|(f, _)| order.iter().position(|o| o == f).unwrap_or(order.len()));
        all
    }
}

/// "tirsdag 24.11.2026"
fn day_label(date: NaiveDate) -> String {
    format!(
        "{} {}",
        weekday_name(date.weekday().number_from_monday()),
        date.format("%d.%m.%Y")
    )
}

/// The opening hours in words: "tirsdag kl. 12:00–15:00".
fn hours_in_words(setup: &store::Setup) -> Vec<String> {
    let mut openings = setup.openings.clone();
    openings.sort_by_key(|o| (o.weekday, o.opens));
    openings
        .iter()
        .map(|o| {
            format!(
                "{} kl. {}–{}",
                weekday_name(o.weekday),
                o.opens.format("%H:%M"),
                o.closes.format("%H:%M")
            )
        })
        .collect()
}

/// What the public page shows for a day: the days with free times and the free
/// times of the chosen day (the first day with free times when none is chosen).
struct Offer {
    days: Vec<DayLink>,
    day: Option<NaiveDate>,
    times: Vec<FreeSlot>,
    all_free: Vec<FreeSlot>,
}

async fn offer(
    state: &AppState,
    setup: &store::Setup,
    chosen: Option<NaiveDate>,
) -> Result<Offer, AppError> {
    let now = state.clock.now();
    let today = state.clock.today();
    let last = super::last_bookable_date(today, setup.horizon_days);
    let all_free: Vec<FreeSlot> = store::slots_with_places(&state.db, setup, now, today, last)
        .await?
        .into_iter()
        .filter(|f| f.available > 0)
        .collect();
    let mut per_day: Vec<(NaiveDate, usize)> = Vec::new();
    for f in &all_free {
        let date = crate::clock::local_date(f.slot.start);
        match per_day.last_mut() {
            Some((d, n)) if *d == date => *n += 1,
            _ => per_day.push((date, 1)),
        }
    }
    let day = chosen.filter(|c| per_day.iter().any(|(d, _)| d == c));
    let days = per_day
        .iter()
        .map(|(d, n)| DayLink {
            value: d.format("%Y-%m-%d").to_string(),
            label: day_label(*d),
            free: *n,
            current: Some(*d) == day,
        })
        .collect();
    let times = match day {
        Some(d) => all_free
            .iter()
            .filter(|f| crate::clock::local_date(f.slot.start) == d)
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    Ok(Offer {
        days,
        day,
        times,
        all_free,
    })
}

fn slot_value(start: DateTime<Utc>) -> String {
    start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn time_options(times: &[FreeSlot], chosen: &str, with_day: bool) -> Vec<TimeOption> {
    times
        .iter()
        .map(|f| {
            let value = slot_value(f.slot.start);
            let span = format!("{}–{}", local_hhmm(f.slot.start), local_hhmm(f.slot.end));
            TimeOption {
                checked: value == chosen,
                label: if with_day {
                    format!(
                        "{} kl. {}",
                        day_label(crate::clock::local_date(f.slot.start)),
                        span
                    )
                } else {
                    format!("kl. {span}")
                },
                value,
            }
        })
        .collect()
}

fn aid_options(chosen: &[String]) -> Vec<AidOption> {
    COMMON_AIDS
        .iter()
        .map(|(value, label)| AidOption {
            value,
            label,
            checked: chosen.iter().any(|c| c == value),
        })
        .collect()
}

#[derive(Deserialize)]
struct DayQuery {
    #[serde(default)]
    day: Option<String>,
}

async fn booking_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<DayQuery>,
) -> Result<Response, PageError> {
    let setup = store::load_setup(&state.db).await?;
    let chosen = query
        .day
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok());
    let offer = offer(&state, &setup, chosen).await?;
    let message = if chosen.is_some() && offer.day.is_none() {
        "Der er ingen ledige tider den dag. Vælg en anden dag.".to_owned()
    } else {
        String::new()
    };
    render(&BookPage {
        ctx,
        hours: hours_in_words(&setup),
        day_label: offer.day.map(day_label).unwrap_or_default(),
        day: offer
            .day
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        times: time_options(&offer.times, "", false),
        nearest: false,
        days: offer.days,
        aids: aid_options(&[]),
        form: Typed::default(),
        errors: FormErrors::default(),
        message,
    })
}

async fn book(
    State(state): State<AppState>,
    ctx: PageContext,
    Extension(limiter): Extension<Arc<RateLimiter>>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    body: Bytes,
) -> Result<Response, PageError> {
    limit(&limiter, &ip, state.clock.now())?;
    let pairs = form_pairs(&body);
    let input = BookingInput {
        slot_start: field(&pairs, "slot_start"),
        name: field(&pairs, "name"),
        phone: field(&pairs, "phone"),
        email: field(&pairs, "email"),
        need: field(&pairs, "need"),
        aids: fields(&pairs, "aids"),
        website: field(&pairs, "website"),
    };
    let outcome = match check_booking(&input) {
        Ok(new) => store::place_booking(&state, &new).await,
        Err(errors) => Err(AppError::invalid(errors)),
    };
    let (status, errors, message, full) = match outcome {
        Ok((booking, token)) => {
            return Ok(
                Redirect::to(&format!("/kvik/booking/{}?token={token}", booking.id))
                    .into_response(),
            );
        }
        Err(AppError::Conflict(message)) => {
            (StatusCode::CONFLICT, FormErrors::default(), message, true)
        }
        Err(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::from_error(err)?,
            String::new(),
            false,
        ),
    };
    let setup = store::load_setup(&state.db).await?;
    let wanted = DateTime::parse_from_rfc3339(input.slot_start.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc));
    let chosen = wanted
        .map(crate::clock::local_date)
        .or_else(|| NaiveDate::parse_from_str(field(&pairs, "day").trim(), "%Y-%m-%d").ok());
    let offer = offer(&state, &setup, chosen).await?;
    let (times, nearest) = match (full, wanted) {
        (true, Some(wanted)) => {
            let slots: Vec<super::Slot> = offer.all_free.iter().map(|f| f.slot.clone()).collect();
            let near = super::nearest_free(&slots, wanted, 6);
            let near: Vec<FreeSlot> = offer
                .all_free
                .iter()
                .filter(|f| near.iter().any(|n| n.start == f.slot.start))
                .cloned()
                .collect();
            (time_options(&near, "", true), true)
        }
        _ => (
            time_options(&offer.times, input.slot_start.trim(), false),
            false,
        ),
    };
    let message = if full && times.is_empty() {
        format!(
            "{message} Der er ingen andre ledige tider lige nu. Du er velkommen til at komme forbi i åbningstiden uden tid."
        )
    } else if full {
        format!("{message} Her er de nærmeste ledige tider.")
    } else {
        message
    };
    let page = BookPage {
        ctx,
        hours: hours_in_words(&setup),
        day_label: offer.day.map(day_label).unwrap_or_default(),
        day: offer
            .day
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        times,
        nearest,
        days: offer.days,
        aids: aid_options(&input.aids),
        form: Typed {
            name: input.name,
            phone: input.phone,
            email: input.email,
            need: input.need,
        },
        errors,
        message,
    };
    render_with(status, &page)
}

#[derive(askama::Template)]
#[template(path = "kvik/confirmation.html")]
struct ConfirmationPage {
    ctx: PageContext,
    id: i32,
    token: String,
    time: String,
    email: String,
    cancelled: bool,
    /// Just cancelled on this request.
    just_cancelled: bool,
    can_cancel: bool,
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

fn confirmation(
    ctx: PageContext,
    booking: &kvik_booking::Model,
    token: String,
    just_cancelled: bool,
    now: DateTime<Utc>,
) -> ConfirmationPage {
    let cancelled = booking.status == Status::Cancelled.as_str();
    ConfirmationPage {
        ctx,
        id: booking.id,
        token,
        time: booking.slot_start.map(describe_time).unwrap_or_default(),
        email: booking.email.clone().unwrap_or_default(),
        can_cancel: booking.status == Status::Booked.as_str()
            && booking.slot_start.is_some_and(|s| s > now),
        cancelled,
        just_cancelled,
    }
}

async fn confirmation_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(raw): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let id = path_id(&raw)?;
    let booking = store::find_with_token(&state.db, id, &query.token).await?;
    render(&confirmation(
        ctx,
        &booking,
        query.token,
        false,
        state.clock.now(),
    ))
}

async fn cancel_by_citizen(
    State(state): State<AppState>,
    ctx: PageContext,
    Extension(limiter): Extension<Arc<RateLimiter>>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(raw): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    limit(&limiter, &ip, now)?;
    let id = path_id(&raw)?;
    let token = field(&form_pairs(&body), "token");
    let booking = store::find_with_token(&state.db, id, &token).await?;
    store::cancel(&state.db, &booking, true, now).await?;
    let booking = store::find(&state.db, id).await?;
    render(&confirmation(ctx, &booking, token, true, now))
}

// ---------------------------------------------------------------- the queue

pub struct VisitRow {
    pub id: i32,
    pub time: String,
    pub walk_in: bool,
    pub name: String,
    pub phone: String,
    pub need: String,
    pub aids: String,
    pub status: String,
    pub status_label: &'static str,
    pub outcome: String,
    /// Status buttons: value and label.
    pub moves: Vec<(&'static str, &'static str)>,
    pub can_cancel: bool,
    pub can_record: bool,
}

fn visit_row(b: &kvik_booking::Model) -> VisitRow {
    let status = Status::parse(&b.status).unwrap_or(Status::Cancelled);
    let moves = [
        (Status::Arrived, "Ankommet"),
        (Status::InProgress, "I gang"),
        (Status::Done, "Færdig"),
        (Status::NoShow, "Udeblevet"),
    ]
    .into_iter()
    .filter(|(to, _)| super::can_move(status, *to))
    .map(|(to, label)| (to.as_str(), label))
    .collect();
    VisitRow {
        id: b.id,
        time: local_hhmm(store::queue_time(b)),
        walk_in: b.walk_in,
        name: b.name.clone(),
        phone: b.phone.clone(),
        need: b.need.clone(),
        aids: b
            .aids
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|a| !a.is_empty())
            .map(aid_label)
            .collect::<Vec<_>>()
            .join(", "),
        status: status.as_str().to_owned(),
        status_label: status.label(),
        outcome: b
            .outcome
            .as_deref()
            .and_then(Outcome::parse)
            .map(|o| o.label().to_owned())
            .unwrap_or_default(),
        moves,
        can_cancel: super::can_cancel(status),
        can_record: b.outcome.is_none()
            && Outcome::ALL
                .into_iter()
                .any(|o| o != Outcome::NoShow && super::can_record_outcome(status, o)),
    }
}

#[derive(askama::Template)]
#[template(path = "kvik/queue.html")]
struct QueuePage {
    ctx: PageContext,
    date: String,
    date_label: String,
    prev: String,
    next: String,
    is_today: bool,
    auto: bool,
    rows: Vec<VisitRow>,
    walk_in: WalkInInput,
    errors: FormErrors,
    waiting: usize,
}

#[derive(Deserialize)]
struct QueueQuery {
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    auto: Option<String>,
}

async fn render_queue(
    state: &AppState,
    ctx: PageContext,
    date: NaiveDate,
    auto: bool,
    walk_in: WalkInInput,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let rows: Vec<VisitRow> = store::queue(&state.db, date)
        .await?
        .iter()
        .map(visit_row)
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = QueuePage {
        ctx,
        date: date.format("%Y-%m-%d").to_string(),
        date_label: day_label(date),
        prev: date
            .pred_opt()
            .unwrap_or(date)
            .format("%Y-%m-%d")
            .to_string(),
        next: date
            .succ_opt()
            .unwrap_or(date)
            .format("%Y-%m-%d")
            .to_string(),
        is_today: date == state.clock.today(),
        auto,
        waiting: rows
            .iter()
            .filter(|r| r.status == Status::Arrived.as_str())
            .count(),
        rows,
        walk_in,
        errors,
    };
    render_with(status, &page)
}

async fn queue_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let date = match query.date.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(raw) => parse_date("date", raw)?,
        None => state.clock.today(),
    };
    let auto = query.auto.as_deref() != Some("0");
    render_queue(
        &state,
        ctx,
        date,
        auto,
        WalkInInput::default(),
        FormErrors::default(),
    )
    .await
}

fn back_to_queue(date: &str) -> Response {
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map(|d| format!("?date={}", d.format("%Y-%m-%d")))
        .unwrap_or_default();
    Redirect::to(&format!("/kvik/queue{date}")).into_response()
}

async fn add_walk_in(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let input = WalkInInput {
        name: field(&pairs, "name"),
        phone: field(&pairs, "phone"),
        need: field(&pairs, "need"),
    };
    match check_walk_in(&input) {
        Ok((name, phone, need)) => {
            store::add_walk_in(&state.db, name, phone, need, &user, state.clock.now()).await?;
            Ok(back_to_queue(""))
        }
        Err(errors) => {
            let today = state.clock.today();
            render_queue(&state, ctx, today, false, input, FormErrors(errors)).await
        }
    }
}

async fn change_status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = path_id(&raw)?;
    let pairs = form_pairs(&body);
    let to = parse_status(&field(&pairs, "status"))?;
    store::set_status(&state.db, id, to, &user, state.clock.now()).await?;
    Ok(back_to_queue(&field(&pairs, "date")))
}

async fn cancel_by_staff(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = path_id(&raw)?;
    let booking = store::find(&state.db, id).await?;
    store::cancel(&state.db, &booking, false, state.clock.now()).await?;
    Ok(back_to_queue(&field(&form_pairs(&body), "date")))
}

// ---------------------------------------------------------------- outcome

pub struct ProductOption {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Default)]
pub struct OutcomeTyped {
    pub outcome: String,
    pub cpr: String,
    pub product_code: String,
    pub legal_basis: String,
    pub name: String,
    pub address: AddressInput,
    pub note: String,
}

#[derive(askama::Template)]
#[template(path = "kvik/outcome.html")]
struct OutcomePage {
    ctx: PageContext,
    visit: VisitRow,
    date: String,
    outcomes: Vec<(&'static str, &'static str)>,
    products: Vec<ProductOption>,
    form: OutcomeTyped,
    floor: String,
    door: String,
    errors: FormErrors,
    message: String,
}

async fn render_outcome(
    state: &AppState,
    ctx: PageContext,
    booking: &kvik_booking::Model,
    form: OutcomeTyped,
    errors: FormErrors,
    message: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let products = store::kvik_products(&state.db)
        .await?
        .into_iter()
        .map(|p| ProductOption {
            selected: p.code == form.product_code,
            code: p.code,
            name: p.name,
        })
        .collect();
    let outcomes = Outcome::ALL
        .into_iter()
        .map(|o| (o.as_str(), o.label()))
        .collect();
    let page = OutcomePage {
        ctx,
        visit: visit_row(booking),
        date: crate::clock::local_date(store::queue_time(booking))
            .format("%Y-%m-%d")
            .to_string(),
        outcomes,
        products,
        floor: form.address.floor.clone().unwrap_or_default(),
        door: form.address.door.clone().unwrap_or_default(),
        form,
        errors,
        message,
    };
    render_with(status, &page)
}

async fn outcome_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&raw)?;
    let booking = store::find(&state.db, id).await?;
    let form = OutcomeTyped {
        legal_basis: crate::loans::LegalBasis::Sundhedsloven140
            .as_str()
            .to_owned(),
        ..OutcomeTyped::default()
    };
    render_outcome(
        &state,
        ctx,
        &booking,
        form,
        FormErrors::default(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

async fn save_outcome(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = path_id(&raw)?;
    let booking = store::find(&state.db, id).await?;
    let pairs = form_pairs(&body);
    let optional = |name: &str| Some(field(&pairs, name)).filter(|v| !v.trim().is_empty());
    let form = OutcomeTyped {
        outcome: field(&pairs, "outcome"),
        cpr: field(&pairs, "cpr"),
        product_code: field(&pairs, "product_code"),
        legal_basis: field(&pairs, "legal_basis"),
        name: field(&pairs, "citizen_name"),
        address: AddressInput {
            street: field(&pairs, "address.street"),
            house_number: field(&pairs, "address.house_number"),
            floor: optional("address.floor"),
            door: optional("address.door"),
            postal_code: field(&pairs, "address.postal_code"),
            city: field(&pairs, "address.city"),
        },
        note: field(&pairs, "note"),
    };
    let result = async {
        let input = checked_outcome(
            &state,
            &form.outcome,
            &form.cpr,
            &form.product_code,
            &form.legal_basis,
            Some(form.address.clone()),
            Some(form.name.clone()),
            Some(form.note.clone()),
        )
        .await?;
        store::record_outcome(&state.db, id, input, &user, state.clock.now()).await
    }
    .await;
    match result {
        Ok(saved) => Ok(back_to_queue(
            &crate::clock::local_date(store::queue_time(&saved))
                .format("%Y-%m-%d")
                .to_string(),
        )),
        Err(AppError::Conflict(message)) => {
            let booking = store::find(&state.db, id).await?;
            render_outcome(
                &state,
                ctx,
                &booking,
                form,
                FormErrors::default(),
                message,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(err) => {
            let errors = FormErrors::from_error(err)?;
            render_outcome(
                &state,
                ctx,
                &booking,
                form,
                errors,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- statistics

pub struct Bar {
    pub x: i32,
    pub label: String,
    pub week: String,
    pub booked: u32,
    pub walk_in: u32,
    pub booked_y: i32,
    pub booked_h: i32,
    pub walk_y: i32,
    pub walk_h: i32,
}

#[derive(askama::Template)]
#[template(path = "kvik/stats.html")]
struct StatsPage {
    ctx: PageContext,
    bars: Vec<Bar>,
    chart_width: i32,
    no_show_rate: String,
    past_bookings: u32,
    no_shows: u32,
    outcomes: Vec<(&'static str, u32)>,
    top_aids: Vec<(String, u32)>,
}

const CHART_HEIGHT: i32 = 160;
const CHART_TOP: i32 = 10;

fn bars(weeks: &[super::WeekCount]) -> Vec<Bar> {
    let max = weeks
        .iter()
        .map(|w| w.booked + w.walk_in)
        .max()
        .unwrap_or(0)
        .max(1);
    let scale =
        |n: u32| i32::try_from(u64::from(n) * CHART_HEIGHT as u64 / u64::from(max)).unwrap_or(0);
    weeks
        .iter()
        .zip(0i32..)
        .map(|(w, i)| {
            let booked_h = scale(w.booked);
            let walk_h = scale(w.walk_in);
            let base = CHART_TOP + CHART_HEIGHT;
            Bar {
                x: 40 + i * 44,
                label: w.week.rsplit('W').next().unwrap_or_default().to_owned(),
                week: w.week.clone(),
                booked: w.booked,
                walk_in: w.walk_in,
                booked_y: base - booked_h,
                booked_h,
                walk_y: base - booked_h - walk_h,
                walk_h,
            }
        })
        .collect()
}

async fn stats_page(
    State(state): State<AppState>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let facts = store::visit_facts(&state.db, store::stats_since(now)).await?;
    let stats = super::statistics(&facts, now, 5);
    let bars = bars(&stats.weeks);
    let chart_width = 60 + i32::try_from(bars.len()).unwrap_or(0) * 44;
    render(&StatsPage {
        ctx,
        chart_width,
        bars,
        no_show_rate: stats
            .no_show_rate
            .map(|r| format!("{:.0} %", r * 100.0))
            .unwrap_or_else(|| "–".to_owned()),
        past_bookings: stats.past_bookings,
        no_shows: stats.no_shows,
        outcomes: stats
            .outcomes
            .iter()
            .map(|(o, n)| (o.label(), *n))
            .collect(),
        top_aids: stats.top_aids,
    })
}

// ---------------------------------------------------------------- opening hours

pub struct OpeningRow {
    pub id: i32,
    pub weekday: String,
    pub opens: String,
    pub closes: String,
    pub slot_minutes: String,
    pub capacity: String,
    pub active: bool,
    pub summary: String,
}

#[derive(askama::Template)]
#[template(path = "kvik/admin.html")]
struct AdminPage {
    ctx: PageContext,
    openings: Vec<OpeningRow>,
    closed: Vec<(i32, String, String)>,
    horizon: String,
    weekdays: Vec<(u32, &'static str)>,
    new_opening: OpeningRow,
    new_closed: (String, String),
    /// Which form the errors belong to: "new", "opening-{id}", "closed", "horizon".
    error_form: String,
    errors: FormErrors,
    saved: bool,
}

fn opening_row(o: &entity::kvik_opening::Model) -> OpeningRow {
    OpeningRow {
        id: o.id,
        weekday: o.weekday.to_string(),
        opens: o.opens.clone(),
        closes: o.closes.clone(),
        slot_minutes: o.slot_minutes.to_string(),
        capacity: o.capacity.to_string(),
        active: o.active,
        summary: format!(
            "{} kl. {}–{}",
            u32::try_from(o.weekday).map(weekday_name).unwrap_or("?"),
            o.opens,
            o.closes
        ),
    }
}

fn typed_row(id: i32, input: &OpeningInput) -> OpeningRow {
    OpeningRow {
        id,
        weekday: input.weekday.clone(),
        opens: input.opens.clone(),
        closes: input.closes.clone(),
        slot_minutes: input.slot_minutes.clone(),
        capacity: input.capacity.clone(),
        active: input.active.is_some(),
        summary: String::new(),
    }
}

struct AdminErrors {
    form: String,
    errors: FormErrors,
    typed_opening: Option<(i32, OpeningInput)>,
    typed_closed: Option<(String, String)>,
    typed_horizon: Option<String>,
}

async fn render_admin(
    state: &AppState,
    ctx: PageContext,
    failed: Option<AdminErrors>,
    saved: bool,
) -> Result<Response, PageError> {
    let mut openings: Vec<OpeningRow> = store::all_openings(&state.db)
        .await?
        .iter()
        .map(opening_row)
        .collect();
    let mut new_opening = OpeningRow {
        id: 0,
        weekday: "2".to_owned(),
        opens: "12:00".to_owned(),
        closes: "15:00".to_owned(),
        slot_minutes: "20".to_owned(),
        capacity: "2".to_owned(),
        active: true,
        summary: String::new(),
    };
    let mut new_closed = (String::new(), String::new());
    let mut horizon = store::horizon_days(&state.db).await?.to_string();
    let (error_form, errors, status) = match failed {
        Some(f) => {
            if let Some((id, input)) = &f.typed_opening {
                if *id == 0 {
                    new_opening = typed_row(0, input);
                } else if let Some(row) = openings.iter_mut().find(|r| r.id == *id) {
                    let summary = row.summary.clone();
                    *row = typed_row(*id, input);
                    row.summary = summary;
                }
            }
            if let Some(c) = f.typed_closed {
                new_closed = c;
            }
            if let Some(h) = f.typed_horizon {
                horizon = h;
            }
            (f.form, f.errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (String::new(), FormErrors::default(), StatusCode::OK),
    };
    let closed = store::closed_dates(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, day_label(c.date), c.reason))
        .collect();
    let page = AdminPage {
        ctx,
        openings,
        closed,
        horizon,
        weekdays: (1..=7).map(|d| (d, weekday_name(d))).collect(),
        new_opening,
        new_closed,
        error_form,
        errors,
        saved,
    };
    render_with(status, &page)
}

#[derive(Deserialize)]
struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn admin_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    render_admin(&state, ctx, None, q.saved.is_some()).await
}

fn saved() -> Response {
    Redirect::to("/kvik/admin?saved=1").into_response()
}

fn opening_input(pairs: &[(String, String)]) -> OpeningInput {
    OpeningInput {
        weekday: field(pairs, "weekday"),
        opens: field(pairs, "opens"),
        closes: field(pairs, "closes"),
        slot_minutes: field(pairs, "slot_minutes"),
        capacity: field(pairs, "capacity"),
        active: pairs
            .iter()
            .find(|(k, _)| k == "active")
            .map(|(_, v)| v.clone()),
    }
}

async fn other_openings(state: &AppState, except: i32) -> Result<Vec<super::Opening>, AppError> {
    Ok(store::all_openings(&state.db)
        .await?
        .iter()
        .filter(|o| o.active && o.id != except)
        .filter_map(store::to_opening)
        .collect())
}

async fn save_opening(
    state: &AppState,
    ctx: PageContext,
    id: i32,
    pairs: &[(String, String)],
) -> Result<Response, PageError> {
    let input = opening_input(pairs);
    let others = if input.active.is_some() {
        other_openings(state, id).await?
    } else {
        Vec::new()
    };
    match check_opening(&input, &others) {
        Ok(opening) => {
            store::save_opening(&state.db, id, &opening, input.active.is_some()).await?;
            Ok(saved())
        }
        Err(errors) => {
            let form = if id == 0 {
                "new".to_owned()
            } else {
                format!("opening-{id}")
            };
            render_admin(
                state,
                ctx,
                Some(AdminErrors {
                    form,
                    errors: FormErrors(errors),
                    typed_opening: Some((id, input)),
                    typed_closed: None,
                    typed_horizon: None,
                }),
                false,
            )
            .await
        }
    }
}

async fn add_opening(
    State(state): State<AppState>,
    ctx: PageContext,
    body: Bytes,
) -> Result<Response, PageError> {
    save_opening(&state, ctx, 0, &form_pairs(&body)).await
}

async fn update_opening(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(raw): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = path_id(&raw)?;
    store::find_opening(&state.db, id).await?;
    save_opening(&state, ctx, id, &form_pairs(&body)).await
}

async fn delete_opening(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&raw)?;
    store::delete_opening(&state.db, id).await?;
    Ok(saved())
}

async fn add_closed(
    State(state): State<AppState>,
    ctx: PageContext,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let (date, reason) = (field(&pairs, "date"), field(&pairs, "reason"));
    let mut errors = FormErrors::default();
    let parsed = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.add("date", "Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-12-24");
    }
    if reason.chars().count() > 100 {
        errors.add("reason", "Skriv højst 100 tegn");
    }
    if let (Some(d), true) = (parsed, errors.is_empty()) {
        match store::add_closed_date(&state.db, d, reason.trim()).await {
            Ok(()) => return Ok(saved()),
            Err(AppError::Conflict(_)) => errors.add("date", "Datoen er allerede lukket"),
            Err(e) => return Err(e.into()),
        }
    }
    render_admin(
        &state,
        ctx,
        Some(AdminErrors {
            form: "closed".to_owned(),
            errors,
            typed_opening: None,
            typed_closed: Some((date, reason)),
            typed_horizon: None,
        }),
        false,
    )
    .await
}

async fn delete_closed(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&raw)?;
    store::delete_closed_date(&state.db, id).await?;
    Ok(saved())
}

async fn set_horizon(
    State(state): State<AppState>,
    ctx: PageContext,
    body: Bytes,
) -> Result<Response, PageError> {
    let raw = field(&form_pairs(&body), "horizon_days");
    match raw
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|d| (1..=365).contains(d))
    {
        Some(days) => {
            store::set_horizon_days(&state.db, days).await?;
            Ok(saved())
        }
        None => {
            let mut errors = FormErrors::default();
            errors.add("horizon_days", "Skriv et antal dage mellem 1 og 365");
            render_admin(
                &state,
                ctx,
                Some(AdminErrors {
                    form: "horizon".to_owned(),
                    errors,
                    typed_opening: None,
                    typed_closed: None,
                    typed_horizon: Some(raw),
                }),
                false,
            )
            .await
        }
    }
}
