//! Units in stock: the list with filters, a new unit and status changes by hand.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{SelectOption, id_from, optional_id};
use crate::basedata::store::{self, UNIT_LIMIT};
use crate::basedata::{
    UnitStatus, check_serial, check_status_change, summary_in_order, unit_status_label,
};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::web::form::FormErrors;
use crate::web::{PageContext, PageError, local_datetime, render, render_with};

const SERIAL_TAKEN: &str = "Serienummeret findes allerede";

/// The filters of the list; kept through the forms on the page (as hidden
/// fields) so a change brings staff back to the list they were looking at.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filters {
    product: String,
    status: String,
}

impl Filters {
    fn product_id(&self) -> Option<i32> {
        optional_id(Some(&self.product))
    }

    fn status(&self) -> Option<UnitStatus> {
        UnitStatus::parse(&self.status)
    }

    /// The list's address with these filters and the changed unit.
    fn url(&self, changed: i32) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(id) = self.product_id() {
            query.append_pair("product", &id.to_string());
        }
        if let Some(status) = self.status() {
            query.append_pair("status", status.as_str());
        }
        query.append_pair("changed", &changed.to_string());
        format!("/units?{}#unit-{changed}", query.finish())
    }
}

pub struct UnitRow {
    pub id: i32,
    pub product: String,
    pub serial: String,
    pub status: String,
    pub on_loan: bool,
    pub updated: String,
    pub options: Vec<SelectOption>,
    pub error: String,
    pub changed: bool,
}

#[derive(askama::Template)]
#[template(path = "basedata/units.html")]
struct ListPage {
    ctx: PageContext,
    filters: Filters,
    filter_products: Vec<SelectOption>,
    filter_statuses: Vec<SelectOption>,
    rows: Vec<UnitRow>,
    total: u64,
    limit: u64,
    notice: String,
    /// The new-unit form.
    new_products: Vec<SelectOption>,
    serial: String,
    errors: FormErrors,
    summary: Vec<(String, String)>,
}

/// What to show besides the list: a change just made, or a failed form.
#[derive(Default)]
struct Extra {
    changed: Option<i32>,
    new_product: String,
    serial: String,
    errors: FieldErrors,
    row_error: Option<(i32, String)>,
}

async fn page(
    state: &AppState,
    ctx: PageContext,
    filters: Filters,
    extra: Extra,
) -> Result<ListPage, AppError> {
    let products = store::all_products(&state.db).await?;
    let (units, total) =
        store::list_units(&state.db, filters.product_id(), filters.status()).await?;
    let mut notice = String::new();
    if let Some(id) = extra.changed
        && let Ok(unit) = store::find_unit(&state.db, id).await
    {
        let name = products
            .iter()
            .find(|p| p.id == unit.product_id)
            .map_or("", |p| p.name.as_str());
        notice = format!(
            "Enhed {} ({name}) er gemt med status: {}.",
            unit.serial,
            unit_status_label(&unit.status)
        );
    }
    let rows = units
        .into_iter()
        .map(|(u, product)| {
            let error = match &extra.row_error {
                Some((id, message)) if *id == u.id => message.clone(),
                _ => String::new(),
            };
            UnitRow {
                id: u.id,
                product,
                status: unit_status_label(&u.status),
                on_loan: UnitStatus::parse(&u.status) == Some(UnitStatus::OnLoan),
                updated: local_datetime(u.updated_at),
                options: UnitStatus::ALL
                    .into_iter()
                    .filter(|s| s.settable_by_hand())
                    .map(|s| SelectOption::new(s.as_str(), s.label(), &u.status))
                    .collect(),
                error,
                changed: extra.changed == Some(u.id),
                serial: u.serial,
            }
        })
        .collect();
    let mut summary = summary_in_order(&extra.errors, &["product_id", "serial"]);
    if let Some((id, message)) = extra.row_error {
        summary.push((format!("status-{id}"), message));
    }
    let product_filter = filters
        .product_id()
        .map(|id| id.to_string())
        .unwrap_or_default();
    let status_filter = filters.status().map(UnitStatus::as_str).unwrap_or_default();
    Ok(ListPage {
        ctx,
        filter_products: products
            .iter()
            .map(|p| SelectOption::new(p.id.to_string(), &p.name, &product_filter))
            .collect(),
        filter_statuses: UnitStatus::ALL
            .into_iter()
            .map(|s| SelectOption::new(s.as_str(), s.label(), status_filter))
            .collect(),
        new_products: products
            .iter()
            .filter(|p| p.active)
            .map(|p| {
                SelectOption::new(
                    p.id.to_string(),
                    format!("{} ({})", p.name, p.code),
                    &extra.new_product,
                )
            })
            .collect(),
        filters,
        rows,
        total,
        limit: UNIT_LIMIT,
        notice,
        serial: extra.serial,
        errors: FormErrors(extra.errors),
        summary,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    #[serde(flatten)]
    filters: Filters,
    changed: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let extra = Extra {
        changed: optional_id(query.changed.as_deref()),
        ..Default::default()
    };
    render(&page(&state, ctx, query.filters, extra).await?)
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewUnitForm {
    product_id: String,
    serial: String,
    back_product: String,
    back_status: String,
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageContext,
    Form(form): Form<NewUnitForm>,
) -> Result<Response, PageError> {
    let filters = Filters {
        product: form.back_product.clone(),
        status: form.back_status.clone(),
    };
    let mut errors = FieldErrors::new();
    let product = match optional_id(Some(&form.product_id)) {
        Some(id) => match store::find_product(&state.db, id).await {
            Ok(p) if p.active => Some(p),
            Ok(_) | Err(AppError::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
        None => None,
    };
    if product.is_none() {
        errors.insert(
            "product_id".to_owned(),
            vec!["Vælg et hjælpemiddel".to_owned()],
        );
    }
    let serial = match check_serial(&form.serial) {
        Ok(serial) if store::serial_taken(&state.db, &serial).await? => {
            errors.insert("serial".to_owned(), vec![SERIAL_TAKEN.to_owned()]);
            None
        }
        Ok(serial) => Some(serial),
        Err(message) => {
            errors.insert("serial".to_owned(), vec![message.to_owned()]);
            None
        }
    };
    if let (Some(product), Some(serial)) = (product, serial) {
        match store::insert_unit(&state.db, product.id, serial, state.clock.now()).await {
            Ok(id) => return Ok(Redirect::to(&filters.url(id)).into_response()),
            Err(AppError::Conflict(_)) => {
                errors.insert("serial".to_owned(), vec![SERIAL_TAKEN.to_owned()]);
            }
            Err(other) => return Err(other.into()),
        }
    }
    let extra = Extra {
        new_product: form.product_id.trim().to_owned(),
        serial: form.serial,
        errors,
        ..Default::default()
    };
    let page = page(&state, ctx, filters, extra).await?;
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    back_product: String,
    back_status: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(raw_id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    let unit = store::find_unit(&state.db, id_from(&raw_id)?).await?;
    let filters = Filters {
        product: form.back_product,
        status: form.back_status,
    };
    let message = match check_status_change(&unit.status, &form.status) {
        Ok(status) => {
            if store::set_unit_status(&state.db, &unit, status, state.clock.now()).await? {
                return Ok(Redirect::to(&filters.url(unit.id)).into_response());
            }
            "Enhedens status blev ændret af en anden imens. Se den nye status, og prøv igen."
        }
        Err(message) => message,
    };
    let extra = Extra {
        row_error: Some((unit.id, format!("{}: {message}", unit.serial))),
        ..Default::default()
    };
    let page = page(&state, ctx, filters, extra).await?;
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
