//! Citizen pages: search, the full record (audited), create and edit.
//!
//! A CPR number never travels in a URL: the search is a POST, and records are
//! addressed by their id. Pages that show personal data are sent `no-store`.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::store::{self, CitizenRow, Created};
use super::{
    ACCESS, DetailsInput, SEARCH_LIMIT, SearchQuery, check_details, check_new, format_cpr,
    format_phone, mask_cpr, summary_in_form_order,
};
use crate::domain::AddressInput;
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::api::path_id;
use crate::web::form::FormErrors;
use crate::web::{CurrentUser, PageContext, PageError, render, render_with};

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/citizens", ACCESS, search_page),
        post("/citizens/search", ACCESS, search),
        get("/citizens/new", ACCESS, new_page),
        post("/citizens", ACCESS, create),
        get("/citizens/{id}", ACCESS, show),
        get("/citizens/{id}/edit", ACCESS, edit_page),
        post("/citizens/{id}", ACCESS, update),
    ]
}

/// Keeps pages with personal data out of browser and proxy caches.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---------------------------------------------------------------- search

#[derive(askama::Template)]
#[template(path = "citizens/search.html")]
struct SearchPage {
    ctx: PageContext,
    query: String,
    searched: bool,
    error: String,
    results: Vec<CitizenRow>,
    limit: u64,
}

async fn search_page(ctx: PageContext) -> Result<Response, PageError> {
    render(&SearchPage {
        ctx,
        query: String::new(),
        searched: false,
        error: String::new(),
        results: Vec::new(),
        limit: SEARCH_LIMIT,
    })
}

#[derive(Deserialize)]
struct SearchForm {
    #[serde(default)]
    q: String,
}

async fn search(
    State(state): State<AppState>,
    ctx: PageContext,
    Form(form): Form<SearchForm>,
) -> Result<Response, PageError> {
    let query = SearchQuery::parse(&form.q);
    let (status, error) = match &query {
        SearchQuery::Invalid(message) => (StatusCode::UNPROCESSABLE_ENTITY, (*message).to_owned()),
        SearchQuery::Empty => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Skriv et CPR-nummer eller en del af navnet".to_owned(),
        ),
        _ => (StatusCode::OK, String::new()),
    };
    let results = store::search(&state.db, &query).await?;
    let page = SearchPage {
        ctx,
        query: form.q.trim().to_owned(),
        searched: error.is_empty(),
        error,
        results,
        limit: SEARCH_LIMIT,
    };
    Ok(no_store(render_with(status, &page)?))
}

// ---------------------------------------------------------------- the record

#[derive(askama::Template)]
#[template(path = "citizens/show.html")]
struct ShowPage {
    ctx: PageContext,
    id: i32,
    name: String,
    cpr: String,
    phone: String,
    address: String,
    area: String,
    area_phone: String,
    loans: Vec<crate::loans::store::LoanRow>,
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&raw_id)?;
    let citizen = store::find(&state.db, id).await?;
    let address = store::find_address(&state.db, citizen.address_id).await?;
    let area = match &address {
        Some(a) => store::area_of_postal_code(&state.db, &a.postal_code).await?,
        None => None,
    };
    store::record_view(&state.db, &user, id, state.clock.now()).await?;
    let loans = crate::loans::store::citizen_loans(&state.db, id, state.clock.today()).await?;
    let page = ShowPage {
        ctx,
        id,
        loans,
        cpr: format_cpr(&citizen.cpr),
        name: citizen.name,
        phone: citizen
            .phone
            .as_deref()
            .map(format_phone)
            .unwrap_or_default(),
        address: address.as_ref().map(store::one_line).unwrap_or_default(),
        area: area.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        area_phone: area
            .as_ref()
            .map(|a| format_phone(&a.slip_phone))
            .unwrap_or_default(),
    };
    Ok(no_store(render(&page)?))
}

// ---------------------------------------------------------------- create and edit

/// The form as typed. Address fields are named `address.street` etc., the same
/// names the field errors use.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct CitizenForm {
    cpr: String,
    name: String,
    phone: String,
    #[serde(rename = "address.street")]
    street: String,
    #[serde(rename = "address.house_number")]
    house_number: String,
    #[serde(rename = "address.floor")]
    floor: String,
    #[serde(rename = "address.door")]
    door: String,
    #[serde(rename = "address.postal_code")]
    postal_code: String,
    #[serde(rename = "address.city")]
    city: String,
}

impl CitizenForm {
    fn details(&self) -> DetailsInput {
        DetailsInput {
            name: self.name.clone(),
            phone: self.phone.clone(),
            address: AddressInput {
                street: self.street.clone(),
                house_number: self.house_number.clone(),
                floor: Some(self.floor.clone()),
                door: Some(self.door.clone()),
                postal_code: self.postal_code.clone(),
                city: self.city.clone(),
            },
        }
    }

    fn from_stored(name: &str, phone: Option<&str>, address: Option<&AddressInput>) -> Self {
        let address = address.cloned().unwrap_or_default();
        Self {
            cpr: String::new(),
            name: name.to_owned(),
            phone: phone.map(format_phone).unwrap_or_default(),
            street: address.street,
            house_number: address.house_number,
            floor: address.floor.unwrap_or_default(),
            door: address.door.unwrap_or_default(),
            postal_code: address.postal_code,
            city: address.city,
        }
    }
}

#[derive(askama::Template)]
#[template(path = "citizens/form.html")]
struct FormPage {
    ctx: PageContext,
    heading: &'static str,
    action: String,
    cancel: String,
    /// Some(masked CPR) when editing: the number itself cannot be changed.
    fixed_cpr: Option<String>,
    form: CitizenForm,
    errors: FormErrors,
    /// The citizen that already has the CPR number typed.
    existing_id: Option<i32>,
}

impl FormPage {
    /// The error summary in the order of the fields on the page.
    fn summary(&self) -> Vec<(String, String)> {
        summary_in_form_order(&self.errors.0)
    }
}

impl FormPage {
    fn new_citizen(ctx: PageContext, form: CitizenForm) -> Self {
        Self {
            ctx,
            heading: "Opret borger",
            action: "/citizens".to_owned(),
            cancel: "/citizens".to_owned(),
            fixed_cpr: None,
            form,
            errors: FormErrors::default(),
            existing_id: None,
        }
    }

    fn edit(ctx: PageContext, id: i32, cpr: &str, form: CitizenForm) -> Self {
        Self {
            ctx,
            heading: "Ret borgerens oplysninger",
            action: format!("/citizens/{id}"),
            cancel: format!("/citizens/{id}"),
            fixed_cpr: Some(mask_cpr(cpr)),
            form,
            errors: FormErrors::default(),
            existing_id: None,
        }
    }
}

async fn new_page(ctx: PageContext) -> Result<Response, PageError> {
    render(&FormPage::new_citizen(ctx, CitizenForm::default()))
}

async fn create(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Form(form): Form<CitizenForm>,
) -> Result<Response, PageError> {
    let mut page = FormPage::new_citizen(ctx, form);
    let (cpr, details) = match check_new(&page.form.cpr, &page.form.details()) {
        Ok(checked) => checked,
        Err(fields) => {
            page.errors = FormErrors(fields);
            return Ok(no_store(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            )?));
        }
    };
    match store::create_citizen(&state.db, &user, &cpr, &details, state.clock.now()).await? {
        Created::New(citizen) => {
            Ok(Redirect::to(&format!("/citizens/{}", citizen.id)).into_response())
        }
        Created::Exists(existing) => {
            page.errors.add("cpr", "Borgeren findes allerede");
            page.existing_id = Some(existing);
            Ok(no_store(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            )?))
        }
    }
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&raw_id)?;
    let citizen = store::find(&state.db, id).await?;
    let address = store::find_address(&state.db, citizen.address_id).await?;
    let form = CitizenForm::from_stored(
        &citizen.name,
        citizen.phone.as_deref(),
        address.as_ref().map(store::address_input).as_ref(),
    );
    Ok(no_store(render(&FormPage::edit(
        ctx,
        id,
        &citizen.cpr,
        form,
    ))?))
}

async fn update(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(raw_id): Path<String>,
    Form(form): Form<CitizenForm>,
) -> Result<Response, PageError> {
    let id = path_id(&raw_id)?;
    let citizen = store::find(&state.db, id).await?;
    let details = match check_details(&form.details()) {
        Ok(details) => details,
        Err(fields) => {
            let mut page = FormPage::edit(ctx, id, &citizen.cpr, form);
            page.errors = FormErrors(fields);
            return Ok(no_store(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            )?));
        }
    };
    store::update_citizen(&state.db, &user, id, &details, state.clock.now()).await?;
    Ok(Redirect::to(&format!("/citizens/{id}")).into_response())
}
