//! JSON API of loans and overdue lists (see the contract).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::import::ImportSummary;
use super::overdue::Drawn;
use super::store::{self, LoanQuery, LoanRow, StatusFilter};
use super::{ACCESS, DEPOT_ONLY, actions};
use crate::auth::{Principal, Role};
use crate::error::AppError;
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::api::path_id;
use crate::web::api::{ApiJson, ApiQuery};

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/api/v1/loans", ACCESS, list),
        post("/api/v1/loans/import", DEPOT_ONLY, import),
        post("/api/v1/loans/{id}/extend", ACCESS, extend),
        post("/api/v1/loans/{id}/convert", ACCESS, convert),
        post("/api/v1/loans/{id}/collect", ACCESS, collect),
        post("/api/v1/loans/{id}/return", ACCESS, return_loan),
        post("/api/v1/overdue-lists", DEPOT_ONLY, draw),
        get("/api/v1/overdue-lists/stats", ACCESS, stats),
    ]
}

/// Rows per page unless `limit` says otherwise; never more than `MAX_LIMIT`.
pub const DEFAULT_LIMIT: u64 = 200;
pub const MAX_LIMIT: u64 = 1000;

#[derive(Serialize, utoipa::ToSchema)]
pub struct CitizenOut {
    name: String,
    /// `DDMMYY-xxxx`: lists never carry the full number.
    cpr_masked: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoanOut {
    id: i32,
    citizen: CitizenOut,
    product_code: String,
    /// sundhedsloven_140 or serviceloven_112
    legal_basis: String,
    start_date: NaiveDate,
    /// Null for §112 loans.
    due_date: Option<NaiveDate>,
    /// Days past the due date; 0 when not overdue.
    days_overdue: i64,
    /// nord, syd, vest
    area: String,
    /// active, overdue, collection_requested or returned
    status: String,
    returned_on: Option<NaiveDate>,
    /// The pickup order made by `/collect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pickup_order_id: Option<i32>,
}

impl From<LoanRow> for LoanOut {
    fn from(row: LoanRow) -> Self {
        Self {
            id: row.id,
            citizen: CitizenOut {
                name: row.citizen_name,
                cpr_masked: row.cpr_masked,
            },
            product_code: row.product_code,
            legal_basis: row.legal_basis,
            start_date: row.start_date,
            due_date: row.due_date,
            days_overdue: row.days_overdue,
            area: row.area_code,
            status: row.status.to_owned(),
            returned_on: row.returned_on,
            pickup_order_id: None,
        }
    }
}

/// Query parameters as text, so a bad value is a 422 naming it (not a 400 from
/// the extractor).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// active (every loan still out, overdue included), overdue, returned or all; default active.
    status: Option<String>,
    /// nord, syd or vest; a therapist sees their own area unless another is given.
    area: Option<String>,
    /// Rows per page (default 200, at most 1000).
    limit: Option<String>,
    offset: Option<String>,
}

fn number(field: &str, raw: Option<&str>, default: u64) -> Result<u64, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| AppError::field(field, "Skal være et helt tal")),
    }
}

/// The area a list shows: the one asked for, else a therapist's own.
pub async fn area_filter(
    state: &AppState,
    user: &Principal,
    asked: Option<&str>,
) -> Result<Option<i32>, AppError> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some("all") => Ok(None),
        Some(code) => Ok(Some(store::area_by_code(&state.db, code).await?.id)),
        None if user.role == Role::Therapist => Ok(user.area_id),
        None => Ok(None),
    }
}

#[utoipa::path(get, path = "/api/v1/loans", tag = "lån", params(ListParams),
    responses((status = 200, body = [LoanOut], description = "The loans, overdue first; X-Total-Count holds the number of matches"),
              (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, AppError> {
    let status =
        StatusFilter::parse(params.status.as_deref().unwrap_or_default()).ok_or_else(|| {
            AppError::field("status", "Skal være active, overdue, returned eller all")
        })?;
    let query = LoanQuery {
        status,
        area_id: area_filter(&state, &user, params.area.as_deref()).await?,
        citizen_id: None,
        limit: number("limit", params.limit.as_deref(), DEFAULT_LIMIT)?.clamp(1, MAX_LIMIT),
        offset: number("offset", params.offset.as_deref(), 0)?,
    };
    let today = state.clock.today();
    let total = store::count(&state.db, &query, today).await?;
    let rows = store::list(&state.db, &query, today).await?;
    let body: Vec<LoanOut> = rows.into_iter().map(LoanOut::from).collect();
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&total.to_string()) {
        response.headers_mut().insert("x-total-count", value);
    }
    Ok(response)
}

async fn one(state: &AppState, loan: entity::loan::Model) -> Result<LoanOut, AppError> {
    let rows = store::rows(&state.db, vec![loan], state.clock.today()).await?;
    rows.into_iter()
        .next()
        .map(LoanOut::from)
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ExtendBody {
    /// The new last day of the loan: after today and after the current due date.
    #[schema(value_type = String, example = "2027-03-01")]
    until: NaiveDate,
    /// Why the citizen still needs the aid.
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/extend", tag = "lån", request_body = ExtendBody,
    params(("id" = i32, Path)),
    responses((status = 200, body = LoanOut), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn extend(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<ExtendBody>,
) -> Result<Json<LoanOut>, AppError> {
    let saved = actions::extend(
        &state,
        &user,
        path_id(&raw)?,
        Some(body.until),
        &body.reason,
    )
    .await?;
    Ok(Json(one(&state, saved).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ConvertBody {
    /// The grant decision under Serviceloven §112.
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/convert", tag = "lån", request_body = ConvertBody,
    params(("id" = i32, Path)),
    responses((status = 200, body = LoanOut), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn convert(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<ConvertBody>,
) -> Result<Json<LoanOut>, AppError> {
    let saved = actions::convert(&state, &user, path_id(&raw)?, &body.reason).await?;
    Ok(Json(one(&state, saved).await?))
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/collect", tag = "lån",
    params(("id" = i32, Path)),
    responses((status = 201, body = LoanOut, description = "A pickup order was made (pickup_order_id)"),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn collect(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
) -> Result<(StatusCode, Json<LoanOut>), AppError> {
    let (saved, order_id) = actions::collect(&state, &user, path_id(&raw)?).await?;
    let mut out = one(&state, saved).await?;
    out.pickup_order_id = Some(order_id);
    Ok((StatusCode::CREATED, Json(out)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReturnBody {
    /// The day the aid came back; today when left out.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2026-11-23")]
    date: Option<NaiveDate>,
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/return", tag = "lån", request_body = ReturnBody,
    params(("id" = i32, Path)),
    responses((status = 200, body = LoanOut), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn return_loan(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<ReturnBody>,
) -> Result<Json<LoanOut>, AppError> {
    let saved = actions::return_loan(&state, &user, path_id(&raw)?, body.date).await?;
    Ok(Json(one(&state, saved).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// true: import the good lines even when some are wrong.
    partial: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/loans/import", tag = "lån", params(ImportParams),
    request_body(content = String, content_type = "text/csv",
        description = "cpr,name,street,house_number,floor,door,postal_code,city,product_code,legal_basis,start_date,due_date"),
    responses((status = 200, body = ImportSummary),
              (status = 422, body = ImportSummary, description = "Nothing imported: the errors per line")))]
pub async fn import(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(params): ApiQuery<ImportParams>,
    body: String,
) -> Result<Response, AppError> {
    let partial = matches!(
        params.partial.as_deref().map(str::trim),
        Some("true" | "1" | "yes")
    );
    let summary = super::import::import(
        &state.db,
        &body,
        partial,
        Some(&user),
        state.clock.today(),
        state.clock.now(),
    )
    .await?;
    let status = if summary.imported == 0 && !summary.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ImportOut::from(summary))).into_response())
}

/// The import summary; when nothing was imported it also carries the contract's
/// error fields (`error`, `message`).
#[derive(Serialize)]
struct ImportOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    imported: usize,
    errors: Vec<super::import::LineError>,
}

impl From<ImportSummary> for ImportOut {
    fn from(s: ImportSummary) -> Self {
        let failed = s.imported == 0 && !s.errors.is_empty();
        Self {
            error: failed.then_some("validation"),
            message: failed
                .then(|| format!("Intet er importeret: {} linjer har fejl.", s.errors.len())),
            imported: s.imported,
            errors: s.errors,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DrawParams {
    /// Only this area (nord, syd, vest); all areas when left out.
    area: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/overdue-lists", tag = "lån", params(DrawParams),
    responses((status = 200, body = [Drawn], description = "One entry per area; a second draw in the same period stores and sends nothing new"),
              (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn draw(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<DrawParams>,
) -> Result<Json<Vec<Drawn>>, AppError> {
    let area = params
        .area
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let drawn =
        super::overdue::draw_and_send(&state, area, state.clock.today(), state.clock.now()).await?;
    Ok(Json(drawn))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SnapshotOut {
    taken_at: chrono::DateTime<chrono::Utc>,
    area: String,
    period: String,
    count: i32,
    band_1_30: i32,
    band_31_90: i32,
    band_91_180: i32,
    band_over_180: i32,
}

#[utoipa::path(get, path = "/api/v1/overdue-lists/stats", tag = "lån",
    responses((status = 200, body = [SnapshotOut], description = "Every drawn list, oldest first")))]
pub async fn stats(State(state): State<AppState>) -> Result<Json<Vec<SnapshotOut>>, AppError> {
    let areas = store::all_areas(&state.db).await?;
    let code = |id: i32| {
        areas
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.code.clone())
            .unwrap_or_default()
    };
    Ok(Json(
        store::snapshots(&state.db)
            .await?
            .into_iter()
            .map(|s| SnapshotOut {
                taken_at: s.taken_at,
                area: code(s.area_id),
                period: s.period,
                count: s.count,
                band_1_30: s.band_1_30,
                band_31_90: s.band_31_90,
                band_91_180: s.band_91_180,
                band_over_180: s.band_over_180,
            })
            .collect(),
    ))
}
