//! The product catalogue: list with search, create and edit.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use entity::product;
use serde::Deserialize;

use super::id_from;
use crate::basedata::{
    PRODUCT_FIELDS, ProductInput, ProductValues, check_product, product_matches, store,
    summary_in_order,
};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::web::form::FormErrors;
use crate::web::{PageContext, PageError, render, render_with};

const CODE_TAKEN: &str = "Koden findes allerede";

#[derive(askama::Template)]
#[template(path = "basedata/products.html")]
struct ListPage {
    ctx: PageContext,
    query: String,
    rows: Vec<product::Model>,
    total: usize,
    changed: Option<i32>,
    notice: String,
}

impl ListPage {
    fn is_changed(&self, id: &i32) -> bool {
        self.changed == Some(*id)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    changed: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let all = store::all_products(&state.db).await?;
    let total = all.len();
    let changed = super::optional_id(query.changed.as_deref());
    let notice = all
        .iter()
        .find(|p| Some(p.id) == changed)
        .map(|p| format!("{} ({}) er gemt.", p.name, p.code))
        .unwrap_or_default();
    let q = query.q.trim().to_owned();
    let rows = all
        .into_iter()
        .filter(|p| product_matches(&q, &p.code, &p.name))
        .collect();
    render(&ListPage {
        ctx,
        query: q,
        rows,
        total,
        changed,
        notice,
    })
}

/// The product form as typed; checkboxes are absent when not ticked.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProductForm {
    code: String,
    name: String,
    iso9999: String,
    kvik_eligible: Option<String>,
    volume: String,
    service_minutes: String,
    active: Option<String>,
}

impl ProductForm {
    fn input(&self) -> ProductInput {
        ProductInput {
            code: self.code.clone(),
            name: self.name.clone(),
            iso9999: self.iso9999.clone(),
            kvik_eligible: self.kvik_eligible.is_some(),
            volume: self.volume.clone(),
            service_minutes: self.service_minutes.clone(),
            active: self.active.is_some(),
        }
    }

    fn from_stored(p: &product::Model) -> Self {
        let tick = |on: bool| on.then(|| "on".to_owned());
        Self {
            code: p.code.clone(),
            name: p.name.clone(),
            iso9999: p.iso9999.clone(),
            kvik_eligible: tick(p.kvik_eligible),
            volume: p.volume.to_string(),
            service_minutes: p.service_minutes.to_string(),
            active: tick(p.active),
        }
    }
}

#[derive(askama::Template)]
#[template(path = "basedata/product_form.html")]
struct FormPage {
    ctx: PageContext,
    heading: String,
    action: String,
    form: ProductForm,
    errors: FormErrors,
    summary: Vec<(String, String)>,
}

impl FormPage {
    /// `stored` is the product being edited (its id and saved name), none for a new one.
    fn new(
        ctx: PageContext,
        stored: Option<(i32, &str)>,
        form: ProductForm,
        errors: FieldErrors,
    ) -> Self {
        let (heading, action) = match stored {
            Some((id, name)) => (format!("Rediger {name}"), format!("/products/{id}")),
            None => ("Opret hjælpemiddel".to_owned(), "/products".to_owned()),
        };
        Self {
            ctx,
            heading,
            action,
            form,
            summary: summary_in_order(&errors, &PRODUCT_FIELDS),
            errors: FormErrors(errors),
        }
    }
}

pub async fn new_page(ctx: PageContext) -> Result<Response, PageError> {
    let form = ProductForm {
        active: Some("on".to_owned()),
        ..Default::default()
    };
    render(&FormPage::new(ctx, None, form, FieldErrors::new()))
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let product = store::find_product(&state.db, id_from(&raw_id)?).await?;
    let form = ProductForm::from_stored(&product);
    let stored = Some((product.id, product.name.as_str()));
    render(&FormPage::new(ctx, stored, form, FieldErrors::new()))
}

/// Checks the form and that no other product has the code.
async fn checked(
    state: &AppState,
    form: &ProductForm,
    except: Option<i32>,
) -> Result<Result<ProductValues, FieldErrors>, AppError> {
    let mut errors = match check_product(&form.input()) {
        Ok(values) => {
            if store::product_code_taken(&state.db, &values.code, except).await? {
                FieldErrors::new()
            } else {
                return Ok(Ok(values));
            }
        }
        Err(errors) => errors,
    };
    let code = form.code.trim();
    if !errors.contains_key("code")
        && !code.is_empty()
        && store::product_code_taken(&state.db, code, except).await?
    {
        errors.insert("code".to_owned(), vec![CODE_TAKEN.to_owned()]);
    }
    Ok(Err(errors))
}

/// A unique-constraint conflict on save (another save won the race) is the same
/// field error as the check before it.
fn code_conflict(err: AppError) -> Result<FieldErrors, AppError> {
    match err {
        AppError::Conflict(_) => {
            let mut errors = FieldErrors::new();
            errors.insert("code".to_owned(), vec![CODE_TAKEN.to_owned()]);
            Ok(errors)
        }
        other => Err(other),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageContext,
    Form(form): Form<ProductForm>,
) -> Result<Response, PageError> {
    let errors = match checked(&state, &form, None).await? {
        Ok(values) => match store::insert_product(&state.db, values).await {
            Ok(id) => {
                let to = format!("/products?changed={id}#product-{id}");
                return Ok(Redirect::to(&to).into_response());
            }
            Err(err) => code_conflict(err)?,
        },
        Err(errors) => errors,
    };
    render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &FormPage::new(ctx, None, form, errors),
    )
}

pub async fn update(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(raw_id): Path<String>,
    Form(form): Form<ProductForm>,
) -> Result<Response, PageError> {
    let product = store::find_product(&state.db, id_from(&raw_id)?).await?;
    let (id, name) = (product.id, product.name.clone());
    let errors = match checked(&state, &form, Some(id)).await? {
        Ok(values) => match store::update_product(&state.db, product, values).await {
            Ok(()) => {
                let to = format!("/products?changed={id}#product-{id}");
                return Ok(Redirect::to(&to).into_response());
            }
            Err(err) => code_conflict(err)?,
        },
        Err(errors) => errors,
    };
    render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &FormPage::new(ctx, Some((id, &name)), form, errors),
    )
}
