//! JSON API of the delivery runs: plan a day, read runs, complete a stop.

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::plan::{Left, plan_day, reason_label};
use super::store::{self, RunView, StopView};
use super::{CompletionInput, DRIVERS, Merge, PLANNERS, check_completion, complete::complete_stop};
use crate::auth::{Principal, Role};
use crate::error::AppError;
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::api::path_id;
use crate::web::api::{ApiJson, ApiQuery};

pub fn routes() -> Vec<RouteDef> {
    vec![
        post("/api/v1/runs/plan", PLANNERS, plan),
        get("/api/v1/runs", DRIVERS, list),
        get("/api/v1/runs/{id}", DRIVERS, show),
        post("/api/v1/stops/{id}/complete", DRIVERS, complete),
    ]
}

pub(super) fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, "Skriv datoen som ÅÅÅÅ-MM-DD"))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ItemOut {
    pub product_code: String,
    pub name: String,
    pub quantity: i32,
    /// `delivery` (to hand over) or `pickup` (to collect).
    pub kind: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StopOut {
    pub id: i32,
    pub seq: i32,
    /// One line: "Vestergade 12B, 2. tv, 8900 Randers C".
    pub address: String,
    /// RFC 3339 with the Copenhagen offset.
    pub eta: Option<String>,
    /// The latest start (a discharge time minus the time at the door), if any.
    pub window_end: Option<String>,
    pub order_ids: Vec<i32>,
    /// Orders pulled forward from a later date into this stop.
    pub merged_order_ids: Vec<i32>,
    pub items: Vec<ItemOut>,
    pub service_minutes: i32,
    /// `planned`, `delivered` or `failed`.
    pub status: String,
    pub receiver_name: Option<String>,
    pub failure_reason: Option<String>,
    pub note: Option<String>,
    /// Placed by its postal code: the address has no coordinates.
    pub approximate_position: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RunOut {
    pub id: i32,
    pub date: String,
    /// The vehicle's name.
    pub vehicle: String,
    pub vehicle_id: i32,
    /// The driver's name, if assigned.
    pub driver: Option<String>,
    pub driver_id: Option<i32>,
    /// `draft`, `locked`, `dispatched` or `done`.
    pub status: String,
    pub stops: Vec<StopOut>,
    pub distance_km: f64,
    pub duration_min: i32,
}

fn rfc3339(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::kvik::api::rfc3339_local(at)
}

pub(super) fn stop_out(s: &StopView) -> StopOut {
    let mut items: Vec<ItemOut> = s
        .deliver
        .iter()
        .map(|i| ItemOut {
            product_code: i.code.clone(),
            name: i.name.clone(),
            quantity: i.quantity,
            kind: "delivery",
        })
        .collect();
    items.extend(s.collect.iter().map(|i| ItemOut {
        product_code: i.code.clone(),
        name: i.name.clone(),
        quantity: i.quantity,
        kind: "pickup",
    }));
    StopOut {
        id: s.stop.id,
        seq: s.stop.seq,
        address: s.address_line.clone(),
        eta: s.stop.eta.map(rfc3339),
        window_end: s.stop.window_end.map(rfc3339),
        order_ids: s.order_ids(),
        merged_order_ids: s
            .orders
            .iter()
            .filter(|o| o.pulled_from.is_some())
            .map(|o| o.order_id)
            .collect(),
        items,
        service_minutes: s.stop.service_minutes,
        status: s.stop.status.clone(),
        receiver_name: s.stop.receiver_name.clone(),
        failure_reason: s.stop.failure_reason.clone(),
        note: s.stop.note.clone(),
        approximate_position: s.approximate,
    }
}

pub(super) fn run_out(r: &RunView) -> RunOut {
    RunOut {
        id: r.run.id,
        date: r.run.date.format("%Y-%m-%d").to_string(),
        vehicle: r.vehicle.name.clone(),
        vehicle_id: r.vehicle.id,
        driver: r.driver_name.clone(),
        driver_id: r.run.driver_id,
        status: r.run.status.clone(),
        stops: r.stops.iter().map(stop_out).collect(),
        distance_km: r.run.distance_km,
        duration_min: r.run.duration_min,
    }
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
pub struct PlanInput {
    /// YYYY-MM-DD
    #[serde(default)]
    pub date: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UnassignedOut {
    pub order_id: i32,
    /// `no_vehicle`, `over_capacity`, `window_cannot_be_met` or `no_room`.
    pub reason: String,
    /// The reason in Danish.
    pub reason_text: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanOut {
    /// The day's new draft runs (locked and dispatched runs are left as they were).
    pub runs: Vec<RunOut>,
    pub unassigned: Vec<UnassignedOut>,
    /// Orders planned onto stops.
    pub orders: usize,
    pub stops: usize,
    /// Orders pulled forward from a later date, and pickups riding along.
    pub merges: Vec<Merge>,
    /// Drives avoided by those merges.
    pub drives_saved: i64,
}

fn unassigned_out(left: &Left) -> UnassignedOut {
    UnassignedOut {
        order_id: left.order_id,
        reason: left.reason.clone(),
        reason_text: reason_label(&left.reason).to_owned(),
    }
}

#[utoipa::path(post, path = "/api/v1/runs/plan", tag = "runs", request_body = PlanInput,
    responses((status = 200, body = PlanOut, description = "The day planned: its draft runs replaced"),
        (status = 409, body = crate::error::ErrorBody, description = "Something changed meanwhile; plan again"),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<PlanInput>,
) -> Result<Json<PlanOut>, AppError> {
    let date = parse_date("date", &input.date)?;
    let outcome = plan_day(
        &state.db,
        date,
        user.user_id,
        state.clock.today(),
        state.clock.now(),
    )
    .await?;
    let runs = store::runs_of_date(&state.db, date, None).await?;
    Ok(Json(PlanOut {
        runs: runs
            .iter()
            .filter(|r| outcome.runs.contains(&r.run.id))
            .map(run_out)
            .collect(),
        unassigned: outcome.unassigned.iter().map(unassigned_out).collect(),
        orders: outcome.orders,
        stops: outcome.stops,
        merges: outcome.merges,
        drives_saved: outcome.drives_saved,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// YYYY-MM-DD; default today.
    date: Option<String>,
}

/// A driver sees only their own runs (and none still in draft).
fn driver_filter(user: &Principal) -> Option<i32> {
    (user.role == Role::Driver).then_some(user.user_id)
}

#[utoipa::path(get, path = "/api/v1/runs", tag = "runs", params(ListParams),
    responses((status = 200, body = [RunOut], description = "The runs of the date (a driver: their own)"),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Vec<RunOut>>, AppError> {
    let date = match params.date.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(raw) => parse_date("date", raw)?,
        None => state.clock.today(),
    };
    let runs = store::runs_of_date(&state.db, date, driver_filter(&user)).await?;
    Ok(Json(runs.iter().map(run_out).collect()))
}

#[utoipa::path(get, path = "/api/v1/runs/{id}", tag = "runs", params(("id" = i32, Path)),
    responses((status = 200, body = RunOut), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RunOut>, AppError> {
    let view = store::run_view(&state.db, path_id(&id)?).await?;
    if !super::complete::may_complete(&user, &view.run) {
        return Err(AppError::Forbidden);
    }
    Ok(Json(run_out(&view)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CompletedOut {
    pub id: i32,
    pub run_id: i32,
    /// `delivered` or `failed`.
    pub status: String,
    pub receiver_name: Option<String>,
    pub failure_reason: Option<String>,
    pub note: Option<String>,
    pub completed_at: Option<String>,
    /// The orders the stop served.
    pub order_ids: Vec<i32>,
}

#[utoipa::path(post, path = "/api/v1/stops/{id}/complete", tag = "runs", params(("id" = i32, Path)),
    request_body = CompletionInput,
    responses((status = 200, body = CompletedOut, description = "Completed (the same answer when sent again)"),
        (status = 403, body = crate::error::ErrorBody, description = "A stop of another driver's run"),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "Completed differently before, or the run is not out yet"),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CompletionInput>,
) -> Result<Json<CompletedOut>, AppError> {
    let id = path_id(&id)?;
    let completion = check_completion(&input).map_err(AppError::invalid)?;
    let done = complete_stop(&state, &user, id, &completion).await?;
    Ok(Json(CompletedOut {
        id: done.stop.id,
        run_id: done.stop.run_id,
        status: done.stop.status.clone(),
        receiver_name: done.stop.receiver_name.clone(),
        failure_reason: done.stop.failure_reason.clone(),
        note: done.stop.note.clone(),
        completed_at: done.stop.completed_at.map(rfc3339),
        order_ids: done.order_ids,
    }))
}
