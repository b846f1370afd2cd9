//! JSON API of Kvik Service. Public (no login): free slots, booking, cancelling
//! with the token — limited per IP and to small bodies. Staff: the day's queue,
//! walk-ins, status changes and outcomes.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Copenhagen;
use entity::kvik_booking;
use serde::{Deserialize, Serialize};

use super::store::{self, OutcomeInput};
use super::{
    BookingInput, Outcome, PUBLIC_BODY_LIMIT, RateLimiter, STAFF, Status, WalkInInput,
    check_booking, check_walk_in,
};
use crate::auth::Access;
use crate::auth::guard::ClientIp;
use crate::domain::AddressInput;
use crate::error::AppError;
use crate::routes::{RouteDef, delete, get, post};
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::api::path_id;
use crate::web::api::{ApiJson, ApiQuery};

pub fn routes(limiter: &Arc<RateLimiter>) -> Vec<RouteDef> {
    let public = |mut route: RouteDef| {
        route.handler = route
            .handler
            .layer::<_, std::convert::Infallible>(Extension(limiter.clone()))
            .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(PUBLIC_BODY_LIMIT));
        route
    };
    vec![
        get("/api/v1/kvik/slots", Access::Public, slots),
        public(post(
            "/api/v1/kvik/bookings",
            Access::Public,
            create_booking,
        )),
        public(delete(
            "/api/v1/kvik/bookings/{id}",
            Access::Public,
            cancel_booking,
        )),
        get("/api/v1/kvik/queue", STAFF, queue),
        post("/api/v1/kvik/walk-ins", STAFF, walk_in),
        post("/api/v1/kvik/visits/{id}/status", STAFF, set_status),
        post("/api/v1/kvik/visits/{id}/outcome", STAFF, outcome),
        post("/api/v1/kvik/visits/{id}/cancel", STAFF, staff_cancel),
    ]
}

/// Counts a public write from this address; 429 over the limit.
pub(super) fn limit(limiter: &RateLimiter, ip: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    if limiter.allow(ip, now) {
        Ok(())
    } else {
        Err(AppError::TooManyRequests)
    }
}

/// `2026-11-24` → a date, or a field error.
pub(super) fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, "Skriv datoen som ÅÅÅÅ-MM-DD"))
}

/// RFC 3339 in Copenhagen time, as the contract has it.
pub fn rfc3339_local(at: DateTime<Utc>) -> String {
    at.with_timezone(&Copenhagen).to_rfc3339()
}

// ---------------------------------------------------------------- public

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotParams {
    /// First date (YYYY-MM-DD); default today.
    from: Option<String>,
    /// Last date (YYYY-MM-DD); default the last bookable date.
    to: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SlotOut {
    /// RFC 3339 with the Copenhagen offset.
    start: String,
    end: String,
    /// Free places in the slot (an integer; 0 when full).
    available: i32,
}

/// The longest range of one slot query.
const MAX_RANGE_DAYS: i64 = 92;

#[utoipa::path(get, path = "/api/v1/kvik/slots", tag = "kvik", params(SlotParams), security(()),
    responses((status = 200, body = [SlotOut], description = "The bookable slots from now until the booking horizon, with free places"),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn slots(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SlotParams>,
) -> Result<Json<Vec<SlotOut>>, AppError> {
    let now = state.clock.now();
    let today = state.clock.today();
    let setup = store::load_setup(&state.db).await?;
    let from = match params.from.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(raw) => parse_date("from", raw)?,
        None => today,
    };
    let to = match params.to.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(raw) => parse_date("to", raw)?,
        None => super::last_bookable_date(today, setup.horizon_days),
    };
    if to < from {
        return Err(AppError::field(
            "to",
            "Slutdatoen skal være efter startdatoen",
        ));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(AppError::field("to", "Vælg højst 92 dage ad gangen"));
    }
    let free = store::slots_with_places(&state.db, &setup, now, from, to).await?;
    Ok(Json(
        free.into_iter()
            .map(|f| SlotOut {
                start: rfc3339_local(f.slot.start),
                end: rfc3339_local(f.slot.end),
                available: f.available,
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct BookingBody {
    /// The slot's start, RFC 3339 (as `start` in the slot list).
    #[serde(default)]
    slot_start: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    /// Optional: a confirmation with a calendar file is sent to it.
    #[serde(default)]
    email: Option<String>,
    /// What the visit is about.
    #[serde(default)]
    need: String,
    /// Common aids ticked: rollator, badebaenk, toiletforhoejer, gribetang, stroempepaatager, andet.
    #[serde(default)]
    aids: Vec<String>,
    /// Must be empty (a trap for bots).
    #[serde(default)]
    website: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BookingCreated {
    id: i32,
    /// Needed to cancel; shown once, only its hash is kept.
    cancel_token: String,
}

#[utoipa::path(post, path = "/api/v1/kvik/bookings", tag = "kvik", request_body = BookingBody, security(()),
    responses((status = 201, body = BookingCreated),
        (status = 409, body = crate::error::ErrorBody, description = "The slot is full"),
        (status = 422, body = crate::error::ErrorBody, description = "Invalid fields, or a time outside the opening hours, on a closed date, past or beyond the horizon"),
        (status = 429, body = crate::error::ErrorBody)))]
pub async fn create_booking(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<RateLimiter>>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    ApiJson(body): ApiJson<BookingBody>,
) -> Result<Response, AppError> {
    limit(&limiter, &ip, state.clock.now())?;
    let new = check_booking(&BookingInput {
        slot_start: body.slot_start,
        name: body.name,
        phone: body.phone,
        email: body.email.unwrap_or_default(),
        need: body.need,
        aids: body.aids,
        website: body.website.unwrap_or_default(),
    })
    .map_err(AppError::invalid)?;
    let (booking, token) = store::place_booking(&state, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(BookingCreated {
            id: booking.id,
            cancel_token: token,
        }),
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenParam {
    /// The cancel token from the booking.
    #[serde(default)]
    token: String,
}

#[utoipa::path(delete, path = "/api/v1/kvik/bookings/{id}", tag = "kvik", security(()),
    params(("id" = i32, Path), TokenParam),
    responses((status = 204, description = "Cancelled (also when it already was)"),
        (status = 404, body = crate::error::ErrorBody, description = "No booking with this id and token"),
        (status = 409, body = crate::error::ErrorBody, description = "The visit has begun or its time has passed"),
        (status = 429, body = crate::error::ErrorBody)))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<RateLimiter>>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(raw): Path<String>,
    ApiQuery(param): ApiQuery<TokenParam>,
) -> Result<StatusCode, AppError> {
    let now = state.clock.now();
    limit(&limiter, &ip, now)?;
    let id = path_id(&raw)?;
    let booking = store::find_with_token(&state.db, id, &param.token).await?;
    store::cancel(&state.db, &booking, true, now).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- staff

#[derive(Serialize, utoipa::ToSchema)]
pub struct VisitOut {
    id: i32,
    /// booking or walk_in
    kind: &'static str,
    /// When the visit stands in the queue: the slot, or a walk-in's arrival.
    time: String,
    slot_start: Option<String>,
    arrived_at: Option<String>,
    name: String,
    phone: String,
    need: String,
    aids: Vec<String>,
    /// booked, cancelled, arrived, in_progress, done, no_show
    status: String,
    /// handed_out, advice, referred, no_show
    outcome: Option<String>,
    /// The loan started by a hand-out.
    loan_id: Option<i32>,
}

impl From<&kvik_booking::Model> for VisitOut {
    fn from(b: &kvik_booking::Model) -> Self {
        Self {
            id: b.id,
            kind: if b.walk_in { "walk_in" } else { "booking" },
            time: rfc3339_local(store::queue_time(b)),
            slot_start: b.slot_start.map(rfc3339_local),
            arrived_at: b.arrived_at.map(rfc3339_local),
            name: b.name.clone(),
            phone: b.phone.clone(),
            need: b.need.clone(),
            aids: b
                .aids
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
            status: b.status.clone(),
            outcome: b.outcome.clone(),
            loan_id: b.loan_id,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DateParam {
    /// YYYY-MM-DD; default today.
    date: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/kvik/queue", tag = "kvik", params(DateParam),
    responses((status = 200, body = [VisitOut], description = "The day's bookings and walk-ins in time order"),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    ApiQuery(param): ApiQuery<DateParam>,
) -> Result<Json<Vec<VisitOut>>, AppError> {
    let date = match param.date.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(raw) => parse_date("date", raw)?,
        None => state.clock.today(),
    };
    let rows = store::queue(&state.db, date).await?;
    Ok(Json(rows.iter().map(VisitOut::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/kvik/walk-ins", tag = "kvik", request_body = WalkInInput,
    responses((status = 201, body = VisitOut), (status = 422, body = crate::error::ErrorBody)))]
pub async fn walk_in(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<WalkInInput>,
) -> Result<Response, AppError> {
    let (name, phone, need) = check_walk_in(&input).map_err(AppError::invalid)?;
    let visit = store::add_walk_in(&state.db, name, phone, need, &user, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(VisitOut::from(&visit))).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StatusBody {
    /// arrived, in_progress, done or no_show
    #[serde(default)]
    status: String,
}

#[utoipa::path(post, path = "/api/v1/kvik/visits/{id}/status", tag = "kvik", params(("id" = i32, Path)),
    request_body = StatusBody,
    responses((status = 200, body = VisitOut), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<VisitOut>, AppError> {
    let id = path_id(&raw)?;
    let to = parse_status(&body.status)?;
    let visit = store::set_status(&state.db, id, to, &user, state.clock.now()).await?;
    Ok(Json(VisitOut::from(&visit)))
}

pub(super) fn parse_status(raw: &str) -> Result<Status, AppError> {
    Status::parse(raw)
        .filter(|s| {
            matches!(
                s,
                Status::Arrived | Status::InProgress | Status::Done | Status::NoShow
            )
        })
        .ok_or_else(|| AppError::field("status", "Vælg ankommet, i gang, færdig eller udeblevet"))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct OutcomeBody {
    /// handed_out, advice, referred or no_show
    #[serde(default)]
    outcome: String,
    /// For handed_out: the citizen's CPR number.
    #[serde(default)]
    cpr: Option<String>,
    /// For handed_out: the product handed out (must be Kvik-eligible).
    #[serde(default)]
    product_code: Option<String>,
    /// For handed_out: sundhedsloven_140 (default) or serviceloven_112.
    #[serde(default)]
    legal_basis: Option<String>,
    /// For handed_out when the citizen has no address on file: the home address
    /// (its postal code decides the area whose therapists follow the loan up).
    #[serde(default)]
    address: Option<AddressInput>,
    /// For handed_out to a new citizen: the name (default: the booking's name).
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// The fields of an outcome, checked (shared with the page form).
#[allow(clippy::too_many_arguments)]
pub(super) async fn checked_outcome(
    state: &AppState,
    outcome: &str,
    cpr: &str,
    product_code: &str,
    legal_basis: &str,
    address: Option<AddressInput>,
    name: Option<String>,
    note: Option<String>,
) -> Result<OutcomeInput, AppError> {
    let outcome = Outcome::parse(outcome).ok_or_else(|| {
        AppError::field(
            "outcome",
            "Vælg udleveret, rådgivning, henvist eller udeblevet",
        )
    })?;
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(AppError::field("note", "Skriv højst 1000 tegn"));
    }
    let handout = if outcome == Outcome::HandedOut {
        Some(store::check_handout(&state.db, cpr, product_code, legal_basis, address, name).await?)
    } else {
        None
    };
    Ok(OutcomeInput {
        outcome,
        note,
        handout,
    })
}

#[utoipa::path(post, path = "/api/v1/kvik/visits/{id}/outcome", tag = "kvik", params(("id" = i32, Path)),
    request_body = OutcomeBody,
    responses((status = 200, body = VisitOut, description = "Recorded; a hand-out has started a loan (loan_id)"),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "Already recorded, a status that does not allow it, or no unit in stock"),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn outcome(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<OutcomeBody>,
) -> Result<Json<VisitOut>, AppError> {
    let id = path_id(&raw)?;
    store::find(&state.db, id).await?;
    let input = checked_outcome(
        &state,
        &body.outcome,
        body.cpr.as_deref().unwrap_or_default(),
        body.product_code.as_deref().unwrap_or_default(),
        body.legal_basis.as_deref().unwrap_or_default(),
        body.address,
        body.name,
        body.note,
    )
    .await?;
    let visit = store::record_outcome(&state.db, id, input, &user, state.clock.now()).await?;
    Ok(Json(VisitOut::from(&visit)))
}

#[utoipa::path(post, path = "/api/v1/kvik/visits/{id}/cancel", tag = "kvik", params(("id" = i32, Path)),
    responses((status = 200, body = VisitOut), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn staff_cancel(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<VisitOut>, AppError> {
    let id = path_id(&raw)?;
    let booking = store::find(&state.db, id).await?;
    store::cancel(&state.db, &booking, false, state.clock.now()).await?;
    Ok(Json(VisitOut::from(&store::find(&state.db, id).await?)))
}
