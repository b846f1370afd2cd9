//! `/api/v1/orders`: create (with Idempotency-Key), read, list, cancel and the
//! depot's status changes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::store::{self, Created, Filter, Idempotency, OrderView};
use super::{
    DEPOT, DeliveryMode, Kind, ORDERERS, OrderInput, Reason, Rules, Source, Status, check_order,
    request_hash,
};
use crate::auth::{Principal, Role};
use crate::error::{AppError, FieldErrors};
use crate::loans::LegalBasis;
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::api::path_id;
use crate::web::api::{ApiJson, ApiQuery};

pub fn routes() -> Vec<RouteDef> {
    vec![
        post("/api/v1/orders", ORDERERS, create),
        get("/api/v1/orders", ORDERERS, list),
        get("/api/v1/orders/{id}", ORDERERS, show),
        post("/api/v1/orders/{id}/cancel", ORDERERS, cancel),
        post("/api/v1/orders/{id}/status", DEPOT, set_status),
    ]
}

// ---------------------------------------------------------------- shapes

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderOut {
    pub id: i32,
    pub kind: Kind,
    pub source: Source,
    pub status: Status,
    /// The status in Danish.
    pub status_label: &'static str,
    pub citizen: OrderCitizenOut,
    pub address: OrderAddressOut,
    pub discharge_at: Option<DateTime<Utc>>,
    pub deliver_by: Option<NaiveDate>,
    pub delivery_mode: DeliveryMode,
    pub legal_basis: LegalBasis,
    pub lines: Vec<OrderLineOut>,
    pub access_notes: Option<String>,
    pub contact_phone: Option<String>,
    /// The stop of a run that serves it; null until planned.
    pub stop_id: Option<i32>,
    /// Other open orders at the same normalised address or for the same citizen.
    pub related: Vec<RelatedOrderOut>,
    /// E.g. "Samkøres med ordre 123"; null when the order is alone.
    pub merge_hint: Option<String>,
    pub ordered_by: String,
    pub created_at: DateTime<Utc>,
    /// Each status change (only on `GET /api/v1/orders/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<OrderEventOut>>,
}

/// Never the full CPR number.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderCitizenOut {
    pub name: String,
    /// `DDMMYY-xxxx`
    pub cpr_masked: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderAddressOut {
    /// "Vestergade 12B, 2. tv, 8900 Randers C"
    pub line: String,
    pub street: String,
    pub house_number: String,
    pub floor: Option<String>,
    pub door: Option<String>,
    pub postal_code: String,
    pub city: String,
    /// The area's name, e.g. "Område Syd".
    pub area: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderLineOut {
    pub product_code: String,
    pub name: String,
    pub quantity: i32,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RelatedOrderOut {
    pub order_id: i32,
    pub reason: Reason,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderEventOut {
    pub at: DateTime<Utc>,
    pub from: Option<Status>,
    pub to: Status,
    /// The name of who made the change.
    pub by: String,
    pub note: Option<String>,
}

impl From<OrderView> for OrderOut {
    fn from(v: OrderView) -> Self {
        Self {
            id: v.order.id,
            kind: v.kind,
            source: v.source,
            status: v.status,
            status_label: v.status.label(),
            citizen: OrderCitizenOut {
                name: v.citizen_name,
                cpr_masked: v.cpr_masked,
            },
            address: OrderAddressOut {
                line: v.address_line,
                street: v.address.street,
                house_number: v.address.house_number,
                floor: v.address.floor,
                door: v.address.door,
                postal_code: v.address.postal_code,
                city: v.address.city,
                area: v.area_name,
            },
            discharge_at: v.order.discharge_at,
            deliver_by: v.order.deliver_by,
            delivery_mode: v.mode,
            legal_basis: v.legal_basis,
            lines: v
                .lines
                .into_iter()
                .map(|(product_code, name, quantity)| OrderLineOut {
                    product_code,
                    name,
                    quantity,
                })
                .collect(),
            access_notes: v.order.access_notes,
            contact_phone: v.order.contact_phone,
            stop_id: v.order.stop_id,
            related: v
                .related
                .into_iter()
                .map(|r| RelatedOrderOut {
                    order_id: r.order_id,
                    reason: r.reason,
                })
                .collect(),
            merge_hint: v.merge_hint,
            ordered_by: v.orderer_name,
            created_at: v.order.created_at,
            history: None,
        }
    }
}

// ---------------------------------------------------------------- helpers

/// The rules an API caller's orders are checked by.
fn rules_of(role: Role) -> Result<Rules, AppError> {
    match Source::of_role(role) {
        Some(Source::Hospital) => Ok(Rules::Hospital),
        Some(Source::Therapist) => Ok(Rules::Therapist),
        Some(_) => Ok(Rules::Depot),
        None => Err(AppError::Forbidden),
    }
}

/// Coordinators and therapists see their own orders; the depot sees all.
pub fn sees_all(user: &Principal) -> bool {
    matches!(user.role, Role::Depot | Role::Admin)
}

/// The order if this user may see it; someone else's order is "not found".
pub async fn visible(state: &AppState, user: &Principal, id: i32) -> Result<OrderView, AppError> {
    let view = store::view(&state.db, id).await?;
    if !sees_all(user) && view.order.ordered_by != user.user_id {
        return Err(AppError::NotFound);
    }
    Ok(view)
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| {
            AppError::BadRequest("Idempotency-Key må kun indeholde ASCII-tegn.".to_owned())
        })?
        .trim();
    if key.is_empty() || key.len() > 200 {
        return Err(AppError::BadRequest(
            "Idempotency-Key skal være 1-200 tegn.".to_owned(),
        ));
    }
    Ok(Some(key.to_owned()))
}

// ---------------------------------------------------------------- handlers

/// Places an order. Coordinators' orders need `discharge_at` and the discharge
/// address; therapists' orders a `deliver_by` date. With an `Idempotency-Key`
/// the same key and body give the same order (200 instead of 201).
#[utoipa::path(post, path = "/api/v1/orders", tag = "bestillinger", request_body = OrderInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key and body give the same order")),
    responses((status = 201, body = OrderOut), (status = 200, body = OrderOut, description = "The order made before with this Idempotency-Key"),
        (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<(StatusCode, Json<OrderOut>), AppError> {
    let rules = rules_of(user.role)?;
    let key = idempotency_key(&headers)?;
    let hash = request_hash(&input);
    let idempotency = key.as_deref().map(|key| Idempotency { key, hash: &hash });
    if let Some(idem) = idempotency
        && let Some(Created::Existing(existing)) =
            store::replay(&state.db, user.user_id, idem).await?
    {
        let view = store::view(&state.db, existing.id).await?;
        return Ok((StatusCode::OK, Json(view.into())));
    }
    let (status, order) = place(&state, &user, &input, rules, idempotency).await?;
    let view = store::view(&state.db, order).await?;
    Ok((status, Json(view.into())))
}

/// Checks and stores an order (the forms use it too); returns the status to
/// answer (201 new, 200 the same request again) and the order's id.
pub async fn place(
    state: &AppState,
    user: &Principal,
    input: &OrderInput,
    rules: Rules,
    idempotency: Option<Idempotency<'_>>,
) -> Result<(StatusCode, i32), AppError> {
    let lookups = store::lookups(&state.db, &input.address.postal_code).await?;
    let new =
        check_order(input, rules, &lookups, state.clock.today()).map_err(AppError::invalid)?;
    let to = user.email.clone();
    let public_url = state.config.public_url.to_string();
    let mail =
        move |o: &entity::order::Model, lines: &[(super::ProductRef, i32)], hint: Option<&str>| {
            super::mail::confirmation(&to, &public_url, o, lines, hint)
        };
    let created = store::create_order(
        &state.db,
        user,
        &new,
        idempotency,
        &mail,
        &state.config.mail_domain(),
        state.clock.now(),
    )
    .await?;
    Ok(match created {
        Created::New(order) => {
            state.mail_wakeup.notify_one();
            (StatusCode::CREATED, order.id)
        }
        Created::Existing(order) => (StatusCode::OK, order.id),
    })
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "bestillinger",
    params(("id" = i32, Path)),
    responses((status = 200, body = OrderOut), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
) -> Result<Json<OrderOut>, AppError> {
    let view = visible(&state, &user, path_id(&raw)?).await?;
    let history = store::events(&state.db, view.order.id)
        .await?
        .into_iter()
        .map(|e| OrderEventOut {
            at: e.at,
            from: e.from,
            to: e.to,
            by: e.actor,
            note: (!e.note.is_empty()).then_some(e.note),
        })
        .collect();
    let mut out = OrderOut::from(view);
    out.history = Some(history);
    Ok(Json(out))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// One status, e.g. `received`.
    pub status: Option<String>,
    /// Wanted delivery date from (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Wanted delivery date to (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Area code: nord, syd, vest (depot only).
    pub area: Option<String>,
    /// hospital, therapist, kvik, depot
    pub source: Option<String>,
    /// At most this many (default 200, at most 1000).
    #[param(minimum = 1, maximum = 1000, nullable = false)]
    pub limit: Option<u64>,
}

/// Reads the list filters; every problem at once.
pub async fn filter_of(
    state: &AppState,
    user: &Principal,
    query: &ListQuery,
) -> Result<Filter, AppError> {
    let mut errors = FieldErrors::new();
    let mut add = |field: &str, message: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned())
    };
    let present = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let status = present(&query.status).and_then(|raw| {
        Status::parse(&raw).or_else(|| {
            add("status", "Ukendt status");
            None
        })
    });
    let mut date = |field: &str, value: &Option<String>| {
        present(value).and_then(|raw| {
            NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
                .ok()
                .or_else(|| {
                    add(field, "Datoen skal skrives ÅÅÅÅ-MM-DD");
                    None
                })
        })
    };
    let from = date("from", &query.from);
    let to = date("to", &query.to);
    let source = present(&query.source).and_then(|raw| {
        Source::parse(&raw).or_else(|| {
            add("source", "Ukendt kilde");
            None
        })
    });
    let limit = query.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        add("limit", "Skal være mellem 1 og 1000");
    }
    let area_id = match present(&query.area) {
        None => None,
        Some(code) => {
            let areas = crate::basedata::store::all_areas(&state.db).await?;
            areas
                .iter()
                .find(|a| a.code == code)
                .map(|a| a.id)
                .or_else(|| {
                    add("area", "Ukendt område");
                    None
                })
        }
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    Ok(Filter {
        status,
        from,
        to,
        area_id,
        source,
        ordered_by: (!sees_all(user)).then_some(user.user_id),
        limit,
        offset: 0,
    })
}

/// Orders by wanted delivery date: coordinators and therapists get their own,
/// the depot all.
#[utoipa::path(get, path = "/api/v1/orders", tag = "bestillinger", params(ListQuery),
    responses((status = 200, body = [OrderOut]), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<OrderOut>>, AppError> {
    let filter = filter_of(&state, &user, &query).await?;
    let views = store::list(&state.db, &filter).await?;
    Ok(Json(views.into_iter().map(OrderOut::from).collect()))
}

/// Cancels an order (received, confirmed, planned or ready for pickup); 409 otherwise.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "bestillinger",
    params(("id" = i32, Path)),
    responses((status = 200, body = OrderOut), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
) -> Result<Json<OrderOut>, AppError> {
    let id = path_id(&raw)?;
    visible(&state, &user, id).await?;
    change(&state, &user, id, Status::Cancelled).await?;
    Ok(Json(store::view(&state.db, id).await?.into()))
}

/// Moves an order to `to` in its own transaction.
pub async fn change(
    state: &AppState,
    user: &Principal,
    id: i32,
    to: Status,
) -> Result<(), AppError> {
    let txn = store::begin_write(&state.db).await?;
    store::change_status(
        &txn,
        id,
        to,
        Some(user.user_id),
        None,
        state.clock.today(),
        state.clock.now(),
    )
    .await?;
    sea_orm::TransactionSession::commit(txn).await?;
    Ok(())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StatusIn {
    /// confirmed, ready_for_pickup, out_for_delivery, delivered, failed or cancelled.
    pub status: String,
}

/// The depot moves an order on. `planned` comes from the delivery runs. Marking
/// a delivery `delivered` starts its loans (§140: due in three months).
#[utoipa::path(post, path = "/api/v1/orders/{id}/status", tag = "bestillinger",
    params(("id" = i32, Path)), request_body = StatusIn,
    responses((status = 200, body = OrderOut), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<StatusIn>,
) -> Result<Json<OrderOut>, AppError> {
    let id = path_id(&raw)?;
    let to = Status::parse(&body.status)
        .filter(|s| super::MANUAL.contains(s))
        .ok_or_else(|| {
            AppError::field(
                "status",
                "Status skal være confirmed, ready_for_pickup, out_for_delivery, delivered, failed eller cancelled (planned sættes af kørslerne)",
            )
        })?;
    store::find(&state.db, id).await?;
    change(&state, &user, id, to).await?;
    Ok(Json(store::view(&state.db, id).await?.into()))
}
