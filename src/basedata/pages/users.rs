//! Users (administrators only): the list, a new user, deactivation and a new
//! password. Deactivating or setting a password ends the user's sessions.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{SelectOption, id_from, optional_id};
use crate::audit::{self, AuditEntry};
use crate::auth::store::{self as auth_store, NewUser};
use crate::auth::{Principal, Role, check_password_strength, hash_password};
use crate::basedata::{
    USER_FIELDS, UserInput, check_new_user, display_phone, store, summary_in_order,
};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::web::form::FormErrors;
use crate::web::{CurrentUser, PageContext, PageError, render, render_with};

const EMAIL_TAKEN: &str = "Der findes allerede en bruger med denne e-mailadresse";

pub struct UserRow {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub role: String,
    pub area: String,
    pub phone: String,
    pub active: bool,
    pub is_self: bool,
    pub changed: bool,
    pub active_error: String,
    pub password_error: String,
}

/// The new-user form as typed (the password is never shown again).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    email: String,
    name: String,
    role: String,
    area: String,
    phone: String,
    password: String,
}

impl NewUserForm {
    fn input(&self) -> UserInput {
        UserInput {
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role.clone(),
            area: self.area.clone(),
            phone: self.phone.clone(),
            password: self.password.clone(),
        }
    }
}

#[derive(askama::Template)]
#[template(path = "basedata/users.html")]
struct ListPage {
    ctx: PageContext,
    rows: Vec<UserRow>,
    notice: String,
    form: NewUserForm,
    roles: Vec<SelectOption>,
    areas: Vec<SelectOption>,
    errors: FormErrors,
    summary: Vec<(String, String)>,
}

/// A problem with one row's form: which user, which form, what.
enum RowError {
    Active(i32, String),
    Password(i32, String),
}

#[derive(Default)]
struct Extra {
    changed: Option<(i32, &'static str)>,
    form: NewUserForm,
    errors: FieldErrors,
    row_error: Option<RowError>,
}

async fn page(
    state: &AppState,
    ctx: PageContext,
    me: &Principal,
    extra: Extra,
) -> Result<ListPage, AppError> {
    let areas = store::all_areas(&state.db).await?;
    let area_names: HashMap<i32, String> = areas.iter().map(|a| (a.id, a.name.clone())).collect();
    let users = store::all_users(&state.db).await?;
    let changed_id = extra.changed.map(|(id, _)| id);
    let notice = match extra.changed {
        Some((id, what)) => users
            .iter()
            .find(|u| u.id == id)
            .map(|u| format!("{}: {what}", u.name))
            .unwrap_or_default(),
        None => String::new(),
    };
    let rows = users
        .into_iter()
        .map(|u| {
            let (active_error, password_error) = match &extra.row_error {
                Some(RowError::Active(id, m)) if *id == u.id => (m.clone(), String::new()),
                Some(RowError::Password(id, m)) if *id == u.id => (String::new(), m.clone()),
                _ => (String::new(), String::new()),
            };
            UserRow {
                id: u.id,
                role: Role::parse(&u.role).map_or_else(|| u.role.clone(), |r| r.label().to_owned()),
                area: u
                    .area_id
                    .and_then(|id| area_names.get(&id).cloned())
                    .unwrap_or_default(),
                phone: u.phone.as_deref().map(display_phone).unwrap_or_default(),
                active: u.active,
                is_self: u.id == me.user_id,
                changed: changed_id == Some(u.id),
                active_error,
                password_error,
                name: u.name,
                email: u.email,
            }
        })
        .collect();
    let mut summary = summary_in_order(&extra.errors, &USER_FIELDS);
    match extra.row_error {
        Some(RowError::Active(id, m)) => summary.push((format!("active-{id}"), m)),
        Some(RowError::Password(id, m)) => summary.push((format!("password-{id}"), m)),
        None => {}
    }
    let form = NewUserForm {
        password: String::new(),
        ..extra.form
    };
    Ok(ListPage {
        ctx,
        rows,
        notice,
        roles: Role::ALL
            .into_iter()
            .map(|r| SelectOption::new(r.as_str(), r.label(), form.role.trim()))
            .collect(),
        areas: areas
            .iter()
            .map(|a| SelectOption::new(a.code.clone(), &a.name, form.area.trim()))
            .collect(),
        form,
        errors: FormErrors(extra.errors),
        summary,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    changed: Option<String>,
    done: String,
}

/// The message after a change, by a fixed word in the address.
fn done_message(done: &str) -> &'static str {
    match done {
        "created" => "brugeren er oprettet.",
        "activated" => "brugeren er aktiveret.",
        "deactivated" => "brugeren er deaktiveret og logget ud.",
        "password" => "ny adgangskode er sat, og brugeren er logget ud.",
        _ => "ændringen er gemt.",
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(me): CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let extra = Extra {
        changed: optional_id(query.changed.as_deref()).map(|id| (id, done_message(&query.done))),
        ..Default::default()
    };
    render(&page(&state, ctx, &me, extra).await?)
}

fn done(id: i32, what: &str) -> Response {
    Redirect::to(&format!("/users?changed={id}&done={what}#user-{id}")).into_response()
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(me): CurrentUser,
    Form(form): Form<NewUserForm>,
) -> Result<Response, PageError> {
    let mut errors = check_new_user(&form.input());
    if !errors.contains_key("email")
        && auth_store::find_user_by_email(&state.db, &form.email)
            .await?
            .is_some()
    {
        errors.insert("email".to_owned(), vec![EMAIL_TAKEN.to_owned()]);
    }
    if errors.is_empty()
        && let Some(role) = Role::parse(&form.role)
    {
        let area = form.area.trim();
        let new = NewUser {
            email: &form.email,
            name: &form.name,
            role,
            area_code: (!area.is_empty()).then_some(area),
            phone: Some(form.phone.as_str()),
            password: &form.password,
        };
        let now = state.clock.now();
        match auth_store::create_user(&state.db, new, now).await {
            Ok(user) => {
                audit::record(
                    &state.db,
                    AuditEntry {
                        actor: Some(&me),
                        action: "user.created",
                        detail: format!("bruger {} ({})", user.id, role.as_str()),
                        ..Default::default()
                    },
                    now,
                )
                .await?;
                return Ok(done(user.id, "created"));
            }
            Err(AppError::Conflict(_)) => {
                errors.insert("email".to_owned(), vec![EMAIL_TAKEN.to_owned()]);
            }
            Err(err) => errors = FormErrors::from_error(err)?.0,
        }
    }
    let extra = Extra {
        form,
        errors,
        ..Default::default()
    };
    let page = page(&state, ctx, &me, extra).await?;
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

pub async fn toggle_active(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(me): CurrentUser,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let user = store::find_user(&state.db, id_from(&raw_id)?).await?;
    if user.id == me.user_id {
        let extra = Extra {
            row_error: Some(RowError::Active(
                user.id,
                "Du kan ikke deaktivere dig selv. Bed en anden administrator om det.".to_owned(),
            )),
            ..Default::default()
        };
        let page = page(&state, ctx, &me, extra).await?;
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let active = !user.active;
    store::set_user_active(&state.db, user.id, active).await?;
    if !active {
        auth_store::delete_sessions_of(&state.db, user.id).await?;
    }
    let action = if active {
        "user.activated"
    } else {
        "user.deactivated"
    };
    audit::record(
        &state.db,
        AuditEntry {
            actor: Some(&me),
            action,
            detail: format!("bruger {}", user.id),
            ..Default::default()
        },
        state.clock.now(),
    )
    .await?;
    Ok(done(
        user.id,
        if active { "activated" } else { "deactivated" },
    ))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    password: String,
}

pub async fn set_password(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(me): CurrentUser,
    Path(raw_id): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let user = store::find_user(&state.db, id_from(&raw_id)?).await?;
    if let Err(message) = check_password_strength(&form.password) {
        let extra = Extra {
            row_error: Some(RowError::Password(
                user.id,
                format!("{}: {message}", user.name),
            )),
            ..Default::default()
        };
        let page = page(&state, ctx, &me, extra).await?;
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let password = form.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    store::set_password_hash(&state.db, user.id, hash).await?;
    auth_store::delete_sessions_of(&state.db, user.id).await?;
    audit::record(
        &state.db,
        AuditEntry {
            actor: Some(&me),
            action: "user.password_set",
            detail: format!("bruger {}", user.id),
            ..Default::default()
        },
        state.clock.now(),
    )
    .await?;
    if user.id == me.user_id {
        // Their own session has ended with the others: log in with the new password.
        return Ok(Redirect::to("/login").into_response());
    }
    Ok(done(user.id, "password"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_done_words_give_a_plain_message() {
        assert_eq!(done_message("created"), "brugeren er oprettet.");
        assert_eq!(done_message("<script>"), "ændringen er gemt.");
    }
}
