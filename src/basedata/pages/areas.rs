//! Areas: the list, the edit form and the area's postal codes.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use entity::{area, area_postcode};
use serde::Deserialize;

use super::{SelectOption, id_from};
use crate::basedata::{
    AREA_FIELDS, AreaInput, Cadence, cadence_label, check_area, check_postcode, display_phone,
    store, summary_in_order,
};
use crate::domain::PostalCode;
use crate::error::FieldErrors;
use crate::state::AppState;
use crate::web::form::FormErrors;
use crate::web::{PageContext, PageError, render, render_with};

pub struct AreaRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub postcodes: Vec<String>,
    pub phone: String,
    pub recipients: Vec<String>,
    pub cadence: String,
    pub changed: bool,
}

#[derive(askama::Template)]
#[template(path = "basedata/areas.html")]
struct ListPage {
    ctx: PageContext,
    rows: Vec<AreaRow>,
    notice: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    changed: Option<String>,
    added: Option<String>,
    removed: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    let changed = super::optional_id(notice.changed.as_deref());
    let mut message = String::new();
    let rows = store::areas_with_postcodes(&state.db)
        .await?
        .into_iter()
        .map(|(a, postcodes)| {
            if Some(a.id) == changed {
                message = format!("{} er gemt.", a.name);
            }
            AreaRow {
                id: a.id,
                changed: Some(a.id) == changed,
                postcodes: postcodes
                    .into_iter()
                    .map(|p| format!("{} {}", p.postal_code, p.city))
                    .collect(),
                phone: display_phone(&a.slip_phone),
                recipients: split_recipients(&a.list_recipients),
                cadence: cadence_label(&a.list_cadence),
                code: a.code,
                name: a.name,
            }
        })
        .collect();
    render(&ListPage {
        ctx,
        rows,
        notice: message,
    })
}

fn split_recipients(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The area form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AreaForm {
    name: String,
    slip_phone: String,
    list_recipients: String,
    list_cadence: String,
}

impl AreaForm {
    fn from_stored(a: &area::Model) -> Self {
        Self {
            name: a.name.clone(),
            slip_phone: display_phone(&a.slip_phone),
            list_recipients: split_recipients(&a.list_recipients).join("\n"),
            list_cadence: a.list_cadence.clone(),
        }
    }

    fn input(&self) -> AreaInput {
        AreaInput {
            name: self.name.clone(),
            slip_phone: self.slip_phone.clone(),
            list_recipients: self.list_recipients.clone(),
            list_cadence: self.list_cadence.clone(),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostcodeForm {
    postal_code: String,
    city: String,
}

#[derive(askama::Template)]
#[template(path = "basedata/area.html")]
struct EditPage {
    ctx: PageContext,
    id: i32,
    code: String,
    heading: String,
    form: AreaForm,
    cadences: Vec<SelectOption>,
    errors: FormErrors,
    postcodes: Vec<area_postcode::Model>,
    postcode: PostcodeForm,
    pc_errors: FormErrors,
    summary: Vec<(String, String)>,
    notice: String,
}

impl EditPage {
    async fn load(
        state: &AppState,
        ctx: PageContext,
        area: &area::Model,
        form: AreaForm,
        errors: FieldErrors,
        postcode: PostcodeForm,
        pc_errors: FieldErrors,
    ) -> Result<Self, PageError> {
        let mut summary = summary_in_order(&errors, &AREA_FIELDS);
        summary.extend(summary_in_order(&pc_errors, &["postal_code", "city"]));
        Ok(Self {
            ctx,
            id: area.id,
            code: area.code.clone(),
            heading: area.name.clone(),
            cadences: Cadence::ALL
                .into_iter()
                .map(|c| SelectOption::new(c.as_str(), c.label(), &form.list_cadence))
                .collect(),
            form,
            errors: FormErrors(errors),
            postcodes: store::postcodes_of(&state.db, area.id).await?,
            postcode,
            pc_errors: FormErrors(pc_errors),
            summary,
            notice: String::new(),
        })
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(raw_id): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    let area = store::find_area(&state.db, id_from(&raw_id)?).await?;
    let mut page = EditPage::load(
        &state,
        ctx,
        &area,
        AreaForm::from_stored(&area),
        FieldErrors::new(),
        PostcodeForm::default(),
        FieldErrors::new(),
    )
    .await?;
    let code = |raw: Option<String>| raw.and_then(|c| PostalCode::parse(&c).ok());
    if let Some(added) = code(notice.added) {
        page.notice = format!("Postnummer {} er tilføjet.", added.as_str());
    } else if let Some(removed) = code(notice.removed) {
        page.notice = format!("Postnummer {} er fjernet.", removed.as_str());
    }
    render(&page)
}

pub async fn update(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(raw_id): Path<String>,
    Form(form): Form<AreaForm>,
) -> Result<Response, PageError> {
    let area = store::find_area(&state.db, id_from(&raw_id)?).await?;
    match check_area(&form.input()) {
        Ok(values) => {
            let id = area.id;
            store::update_area(&state.db, area, values).await?;
            Ok(Redirect::to(&format!("/areas?changed={id}")).into_response())
        }
        Err(errors) => {
            let page = EditPage::load(
                &state,
                ctx,
                &area,
                form,
                errors,
                PostcodeForm::default(),
                FieldErrors::new(),
            )
            .await?;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

pub async fn add_postcode(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(raw_id): Path<String>,
    Form(form): Form<PostcodeForm>,
) -> Result<Response, PageError> {
    let area = store::find_area(&state.db, id_from(&raw_id)?).await?;
    let checked = match check_postcode(&form.postal_code, &form.city) {
        Ok((code, city)) => match store::postcode_owner(&state.db, &code).await? {
            Some(owner) => Err(taken(&owner, &area, &code)),
            None => Ok((code, city)),
        },
        Err(errors) => Err(errors),
    };
    let errors = match checked {
        Ok((code, city)) => match store::add_postcode(&state.db, area.id, code.clone(), city).await
        {
            Ok(()) => {
                let to = format!("/areas/{}?added={code}#postnumre", area.id);
                return Ok(Redirect::to(&to).into_response());
            }
            // Added by someone else at the same moment.
            Err(crate::error::AppError::Conflict(_)) => {
                let mut errors = FieldErrors::new();
                errors.insert(
                    "postal_code".to_owned(),
                    vec![format!("Postnummer {code} hører allerede til et område")],
                );
                errors
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let form_now = AreaForm::from_stored(&area);
    let page = EditPage::load(
        &state,
        ctx,
        &area,
        form_now,
        FieldErrors::new(),
        form,
        errors,
    )
    .await?;
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// The field error for a postal code that already belongs to an area.
fn taken(owner: &area::Model, this: &area::Model, code: &str) -> FieldErrors {
    let message = if owner.id == this.id {
        format!("Postnummer {code} hører allerede til dette område")
    } else {
        format!(
            "Postnummer {code} hører allerede til {}. Fjern det der først, hvis det skal flyttes.",
            owner.name
        )
    };
    let mut errors = FieldErrors::new();
    errors.insert("postal_code".to_owned(), vec![message]);
    errors
}

pub async fn remove_postcode(
    State(state): State<AppState>,
    Path((raw_id, code)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let area = store::find_area(&state.db, id_from(&raw_id)?).await?;
    let code = PostalCode::parse(&code).map_err(|_| crate::error::AppError::NotFound)?;
    store::remove_postcode(&state.db, area.id, code.as_str()).await?;
    let to = format!("/areas/{}?removed={}#postnumre", area.id, code.as_str());
    Ok(Redirect::to(&to).into_response())
}
