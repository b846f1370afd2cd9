//! Order pages: the lists per role, the hospital and therapist forms (no
//! JavaScript: a text field per aid with a datalist of the catalogue), the
//! order page with its history, related orders and the depot's buttons.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::api::{ListQuery, change, filter_of, sees_all, visible};
use super::store::{self, EventView, OrderView};
use super::{
    DEPOT, DeliveryMode, LineIn, ORDERERS, OrderInput, Rules, Source, Status, local_discharge,
    next_manual, transition,
};
use crate::auth::{Access, Principal, Role};
use crate::error::{AppError, FieldErrors};
use crate::loans::LegalBasis;
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::api::path_id;
use crate::web::form::FormErrors;
use crate::web::{
    CurrentUser, PageContext, PageError, local_date, local_datetime, render, render_with,
};

const HOSPITAL_FORM: Access = Access::Roles(&[Role::Coordinator, Role::Depot]);
const THERAPIST_FORM: Access = Access::Roles(&[Role::Therapist, Role::Depot]);

/// Line slots on the form.
pub const SLOTS: usize = 5;

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/orders", ORDERERS, list_page),
        get("/orders/new/hospital", HOSPITAL_FORM, new_hospital),
        post("/orders/new/hospital", HOSPITAL_FORM, create_hospital),
        get("/orders/new/therapist", THERAPIST_FORM, new_therapist),
        post("/orders/new/therapist", THERAPIST_FORM, create_therapist),
        get("/orders/{id}", ORDERERS, show),
        post("/orders/{id}/confirm", DEPOT, confirm),
        post("/orders/{id}/cancel", ORDERERS, cancel),
        post("/orders/{id}/status", DEPOT, set_status),
    ]
}

/// Keeps pages with personal data out of caches.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A row of a list or a related order, ready for the template.
pub struct Row {
    pub id: i32,
    pub citizen: String,
    pub cpr_masked: String,
    pub address: String,
    pub area: String,
    pub source: &'static str,
    pub when: String,
    pub status: Status,
    pub status_label: &'static str,
    pub hint: String,
    pub aids: String,
    pub can_confirm: bool,
    pub can_cancel: bool,
}

fn row(v: &OrderView, user: &Principal) -> Row {
    let when = match v.order.discharge_at {
        Some(at) => format!("Udskrives {}", local_datetime(at)),
        None => v.order.deliver_by.map(local_date).unwrap_or_default(),
    };
    Row {
        id: v.order.id,
        citizen: v.citizen_name.clone(),
        cpr_masked: v.cpr_masked.clone(),
        address: v.address_line.clone(),
        area: v.area_name.clone(),
        source: v.source.label(),
        when,
        status: v.status,
        status_label: v.status.label(),
        hint: v.merge_hint.clone().unwrap_or_default(),
        aids: v
            .lines
            .iter()
            .map(|(_, name, q)| format!("{q} × {name}"))
            .collect::<Vec<_>>()
            .join(", "),
        can_confirm: sees_all(user) && transition(v.status, Status::Confirmed, v.mode).is_ok(),
        can_cancel: (sees_all(user) || v.order.ordered_by == user.user_id)
            && transition(v.status, Status::Cancelled, v.mode).is_ok(),
    }
}

// ---------------------------------------------------------------- lists

#[derive(askama::Template)]
#[template(path = "orders/list.html")]
struct ListPage {
    ctx: PageContext,
    /// 1-based page number and whether another page follows.
    page: u64,
    has_next: bool,
    /// The list with the current filters, without a page number.
    base: String,
    all: bool,
    can_hospital: bool,
    can_therapist: bool,
    query: ListQuery,
    errors: FormErrors,
    rows: Vec<Row>,
    statuses: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    areas: Vec<(String, String)>,
    return_to: String,
}

impl ListPage {
    fn selected(value: &Option<String>, option: &str) -> bool {
        value.as_deref() == Some(option)
    }
    fn value(value: &Option<String>) -> String {
        value.clone().unwrap_or_default()
    }
    /// This list (same filters) on page `side`.
    fn page_link(&self, side: u64) -> String {
        format!("{}&side={side}", self.base)
    }
}

/// Rows per page of the order list: a page a person can scan; the filters and
/// "Næste side" reach the rest.
const PAGE_SIZE: u64 = 50;

/// The order list's page number (`?side=2`), beside the API's filters.
#[derive(Debug, Deserialize)]
struct PageParam {
    side: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ListQuery>,
    Query(param): Query<PageParam>,
) -> Result<Response, PageError> {
    let page = param
        .side
        .and_then(|p| p.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let mut has_next = false;
    let (status, errors, rows) = match filter_of(&state, &user, &query).await {
        Ok(mut filter) => {
            // One row more than a page tells whether a next page exists without
            // counting every matching order.
            filter.limit = PAGE_SIZE + 1;
            filter.offset = (page - 1) * PAGE_SIZE;
            let mut views = store::list(&state.db, &filter).await?;
            has_next = views.len() as u64 > PAGE_SIZE;
            views.truncate(PAGE_SIZE as usize);
            (
                StatusCode::OK,
                FormErrors::default(),
                views.iter().map(|v| row(v, &user)).collect(),
            )
        }
        Err(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::from_error(err)?,
            Vec::new(),
        ),
    };
    let areas = crate::basedata::store::all_areas(&state.db)
        .await?
        .into_iter()
        .map(|a| (a.code, a.name))
        .collect();
    let base = format!(
        "/orders?{}",
        serde_urlencoded::to_string([
            ("status", ListPage::value(&query.status)),
            ("from", ListPage::value(&query.from)),
            ("to", ListPage::value(&query.to)),
            ("area", ListPage::value(&query.area)),
            ("source", ListPage::value(&query.source)),
        ])
        .unwrap_or_default()
    );
    // A confirm or cancel from page 2 comes back to page 2.
    let return_to = if page > 1 {
        format!("{base}&side={page}")
    } else {
        base.clone()
    };
    let page = ListPage {
        page,
        has_next,
        base,
        all: sees_all(&user),
        can_hospital: HOSPITAL_FORM.allows(user.role),
        can_therapist: THERAPIST_FORM.allows(user.role),
        ctx,
        query,
        errors,
        rows,
        statuses: Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        sources: [
            Source::Hospital,
            Source::Therapist,
            Source::Kvik,
            Source::Depot,
        ]
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect(),
        areas,
        return_to,
    };
    Ok(no_store(render_with(status, &page)?))
}

// ---------------------------------------------------------------- forms

/// The form as typed: every field by its name (`citizen.cpr`,
/// `lines[0].product_code` ...), the same names the field errors use.
#[derive(Clone, Debug, Default)]
pub struct OrderForm(HashMap<String, String>);

impl OrderForm {
    pub fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }

    fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.trim().is_empty())
    }

    pub fn is(&self, name: &str, value: &str) -> bool {
        self.get(name) == value
    }

    fn defaults() -> Self {
        let mut values = HashMap::new();
        values.insert(
            "legal_basis".to_owned(),
            LegalBasis::Sundhedsloven140.as_str().to_owned(),
        );
        values.insert(
            "delivery_mode".to_owned(),
            DeliveryMode::Delivery.as_str().to_owned(),
        );
        Self(values)
    }

    /// The JSON body this form stands for, plus the problems only the form can
    /// have (a date without a time, a quantity that is not a number). The lines
    /// keep their slot: `map` tells which slot each line of the body came from.
    fn input(&self, rules: Rules) -> (OrderInput, FieldErrors, Vec<usize>) {
        let mut errors = FieldErrors::new();
        let discharge_at = if rules == Rules::Hospital {
            match local_discharge(&self.get("discharge_date"), &self.get("discharge_time")) {
                Ok(at) => at,
                Err(message) => {
                    errors.insert("discharge_at".to_owned(), vec![message.to_owned()]);
                    None
                }
            }
        } else {
            None
        };
        let mut lines = Vec::new();
        let mut map = Vec::new();
        for slot in 0..SLOTS {
            let code = self.get(&format!("lines[{slot}].product_code"));
            let quantity = self.get(&format!("lines[{slot}].quantity"));
            if code.trim().is_empty() && quantity.trim().is_empty() {
                continue;
            }
            let quantity = if quantity.trim().is_empty() {
                1
            } else {
                quantity.trim().parse::<i64>().unwrap_or_else(|_| {
                    errors.insert(
                        format!("lines[{slot}].quantity"),
                        vec!["Antal skal være et tal mellem 1 og 20".to_owned()],
                    );
                    1
                })
            };
            lines.push(LineIn {
                product_code: code,
                quantity,
            });
            map.push(slot);
        }
        let input = OrderInput {
            kind: Some("delivery".to_owned()),
            citizen: super::CitizenIn {
                cpr: self.get("citizen.cpr"),
                name: self.get("citizen.name"),
                phone: self.opt("citizen.phone"),
            },
            address: super::AddressIn {
                street: self.get("address.street"),
                house_number: self.get("address.house_number"),
                floor: self.opt("address.floor"),
                door: self.opt("address.door"),
                postal_code: self.get("address.postal_code"),
                city: self.get("address.city"),
            },
            discharge_at,
            deliver_by: if rules == Rules::Hospital {
                None
            } else {
                self.opt("deliver_by")
            },
            delivery_mode: self.opt("delivery_mode"),
            legal_basis: self.opt("legal_basis"),
            lines,
            access_notes: self.opt("access_notes"),
            contact_phone: self.opt("contact_phone"),
        };
        (input, errors, map)
    }
}

/// `lines[2].quantity` of the body → `lines[{map[2]}].quantity` of the form.
fn to_slots(errors: FieldErrors, map: &[usize]) -> FieldErrors {
    errors
        .into_iter()
        .map(|(field, messages)| {
            let renamed = field
                .strip_prefix("lines[")
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(index, tail)| {
                    let slot = map.get(index.parse::<usize>().ok()?)?;
                    Some(format!("lines[{slot}]{tail}"))
                });
            (renamed.unwrap_or(field), messages)
        })
        .collect()
}

/// The order of the fields on the page, for the error summary.
fn field_order(field: &str) -> usize {
    const ORDER: [&str; 16] = [
        "citizen.cpr",
        "citizen.name",
        "citizen.phone",
        "discharge_at",
        "deliver_by",
        "address.street",
        "address.house_number",
        "address.floor",
        "address.door",
        "address.postal_code",
        "address.city",
        "contact_phone",
        "lines",
        "legal_basis",
        "delivery_mode",
        "access_notes",
    ];
    ORDER
        .iter()
        .position(|f| *f == field)
        .unwrap_or(if field.starts_with("lines[") {
            12
        } else {
            ORDER.len()
        })
}

pub struct Slot {
    pub index: usize,
    pub code: String,
    pub quantity: String,
    pub code_field: String,
    pub quantity_field: String,
}

#[derive(askama::Template)]
#[template(path = "orders/form.html")]
struct FormPage {
    ctx: PageContext,
    hospital: bool,
    heading: &'static str,
    action: &'static str,
    form: OrderForm,
    errors: FormErrors,
    slots: Vec<Slot>,
    products: Vec<(String, String)>,
    today: String,
}

impl FormPage {
    fn summary(&self) -> Vec<(String, String)> {
        let mut items = self.errors.summary();
        items.sort_by_key(|(field, _)| field_order(field));
        items
            .into_iter()
            .map(|(field, message)| {
                // Link to the first input of a field that has two (date and time).
                let anchor = match field.as_str() {
                    "discharge_at" => "discharge_date".to_owned(),
                    "lines" => "lines[0].product_code".to_owned(),
                    _ => field,
                };
                (anchor, message)
            })
            .collect()
    }
}

async fn form_page(
    state: &AppState,
    ctx: PageContext,
    rules: Rules,
    form: OrderForm,
    errors: FormErrors,
) -> Result<FormPage, AppError> {
    let products = crate::basedata::store::active_products(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.code, p.name))
        .collect();
    let slots = (0..SLOTS)
        .map(|index| {
            let code_field = format!("lines[{index}].product_code");
            let quantity_field = format!("lines[{index}].quantity");
            Slot {
                index,
                code: form.get(&code_field),
                quantity: form.get(&quantity_field),
                code_field,
                quantity_field,
            }
        })
        .collect();
    let hospital = rules == Rules::Hospital;
    Ok(FormPage {
        ctx,
        hospital,
        heading: if hospital {
            "Bestilling fra sygehus"
        } else {
            "Bestilling fra terapeut"
        },
        action: if hospital {
            "/orders/new/hospital"
        } else {
            "/orders/new/therapist"
        },
        form,
        errors,
        slots,
        products,
        today: state.clock.today().format("%Y-%m-%d").to_string(),
    })
}

async fn new_hospital(
    State(state): State<AppState>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let page = form_page(
        &state,
        ctx,
        Rules::Hospital,
        OrderForm::defaults(),
        FormErrors::default(),
    )
    .await?;
    Ok(no_store(render(&page)?))
}

async fn new_therapist(
    State(state): State<AppState>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let page = form_page(
        &state,
        ctx,
        Rules::Therapist,
        OrderForm::defaults(),
        FormErrors::default(),
    )
    .await?;
    Ok(no_store(render(&page)?))
}

async fn create_hospital(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    submit(state, ctx, user, Rules::Hospital, fields).await
}

async fn create_therapist(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    submit(state, ctx, user, Rules::Therapist, fields).await
}

async fn submit(
    state: AppState,
    ctx: PageContext,
    user: Principal,
    rules: Rules,
    fields: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let form = OrderForm(
        fields
            .into_iter()
            .filter(|(name, _)| name != "csrf_token")
            .collect(),
    );
    let (input, mut form_errors, map) = form.input(rules);
    let result = if form_errors.is_empty() {
        super::api::place(&state, &user, &input, rules, None).await
    } else {
        // Show the form's own problems together with every other one.
        let lookups = store::lookups(&state.db, &input.address.postal_code).await?;
        match super::check_order(&input, rules, &lookups, state.clock.today()) {
            Ok(_) => Err(AppError::invalid(FieldErrors::new())),
            Err(more) => Err(AppError::invalid(more)),
        }
    };
    match result {
        Ok((_, id)) => Ok(Redirect::to(&format!("/orders/{id}?oprettet=1")).into_response()),
        Err(err) => {
            let mut errors = to_slots(FormErrors::from_error(err)?.0, &map);
            for (field, messages) in std::mem::take(&mut form_errors) {
                errors.insert(field, messages);
            }
            let page = form_page(&state, ctx, rules, form, FormErrors(errors)).await?;
            Ok(no_store(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            )?))
        }
    }
}

// ---------------------------------------------------------------- the order

#[derive(askama::Template)]
#[template(path = "orders/show.html")]
struct ShowPage {
    ctx: PageContext,
    view: OrderView,
    created: bool,
    error: String,
    events: Vec<EventView>,
    discharge: String,
    deliver_by: String,
    next: Vec<Status>,
    can_cancel: bool,
    delivered: bool,
}

impl ShowPage {
    fn at(&self, event: &EventView) -> String {
        local_datetime(event.at)
    }
}

#[derive(Deserialize)]
struct ShowQuery {
    oprettet: Option<String>,
}

async fn show_page(
    state: &AppState,
    ctx: PageContext,
    user: &Principal,
    id: i32,
    created: bool,
    error: String,
) -> Result<ShowPage, AppError> {
    let view = visible(state, user, id).await?;
    let events = store::events(&state.db, id).await?;
    let all = sees_all(user);
    Ok(ShowPage {
        ctx,
        created,
        error,
        events,
        discharge: view
            .order
            .discharge_at
            .map(local_datetime)
            .unwrap_or_default(),
        deliver_by: view.order.deliver_by.map(local_date).unwrap_or_default(),
        next: if all {
            next_manual(view.status, view.mode)
                .into_iter()
                .filter(|s| *s != Status::Cancelled)
                .collect()
        } else {
            Vec::new()
        },
        can_cancel: transition(view.status, Status::Cancelled, view.mode).is_ok(),
        delivered: view.status == Status::Delivered,
        view,
    })
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let id = path_id(&raw)?;
    let page = show_page(
        &state,
        ctx,
        &user,
        id,
        query.oprettet.is_some(),
        String::new(),
    )
    .await?;
    Ok(no_store(render(&page)?))
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    return_to: String,
}

/// Where to go after a change: back to a list the form came from, else the order.
fn back(id: i32, return_to: &str) -> String {
    if return_to.starts_with("/orders") && !return_to.starts_with("//") {
        return_to.to_owned()
    } else {
        format!("/orders/{id}")
    }
}

async fn apply(
    state: AppState,
    ctx: PageContext,
    user: Principal,
    raw: &str,
    to: Option<Status>,
    return_to: &str,
) -> Result<Response, PageError> {
    let id = path_id(raw)?;
    visible(&state, &user, id).await?;
    let result = match to {
        Some(to) if to == Status::Cancelled || super::MANUAL.contains(&to) => {
            change(&state, &user, id, to).await
        }
        _ => Err(AppError::Conflict(
            "Den status kan ikke sættes her.".to_owned(),
        )),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&back(id, return_to)).into_response()),
        Err(AppError::Conflict(message)) => {
            let page = show_page(&state, ctx, &user, id, false, message).await?;
            Ok(no_store(render_with(StatusCode::CONFLICT, &page)?))
        }
        Err(other) => Err(other.into()),
    }
}

async fn confirm(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    apply(
        state,
        ctx,
        user,
        &raw,
        Some(Status::Confirmed),
        &form.return_to,
    )
    .await
}

async fn cancel(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    apply(
        state,
        ctx,
        user,
        &raw,
        Some(Status::Cancelled),
        &form.return_to,
    )
    .await
}

async fn set_status(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    let to = Status::parse(&form.status);
    apply(state, ctx, user, &raw, to, &form.return_to).await
}
