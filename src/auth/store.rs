//! Users, sessions and API tokens in the database.

use chrono::{DateTime, Duration, Utc};
use entity::{api_token, area, session, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::{Principal, Role, Via, hash_password, random_secret, secret_hash};
use crate::error::AppError;

pub async fn find_user_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?)
}

/// A user to create (from the command line, the users page or the demo seed).
#[derive(Debug)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub area_code: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub password: &'a str,
}

pub async fn create_user(
    db: &impl ConnectionTrait,
    new: NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    let email = new.email.trim().to_lowercase();
    if !validator::ValidateEmail::validate_email(&email) {
        return Err(AppError::field("email", "Ugyldig e-mailadresse"));
    }
    if new.name.trim().is_empty() {
        return Err(AppError::field("name", "Navn mangler"));
    }
    super::check_password_strength(new.password).map_err(|m| AppError::field("password", m))?;
    let area_id = match new.area_code {
        Some(code) => Some(
            area::Entity::find()
                .filter(area::Column::Code.eq(code))
                .one(db)
                .await?
                .ok_or_else(|| AppError::field("area", "Ukendt område (nord, syd eller vest)"))?
                .id,
        ),
        None => None,
    };
    if new.role == Role::Therapist && area_id.is_none() {
        return Err(AppError::field(
            "area",
            "En terapeut skal høre til et område",
        ));
    }
    let phone = match new.phone {
        Some(p) if !p.trim().is_empty() => Some(
            crate::domain::Phone::parse(p)
                .map_err(|m| AppError::field("phone", m))?
                .into_string(),
        ),
        _ => None,
    };
    let password_hash = {
        let password = new.password.to_owned();
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??
    };
    let model = user::ActiveModel {
        email: Set(email),
        name: Set(new.name.trim().to_owned()),
        role: Set(new.role.as_str().to_owned()),
        area_id: Set(area_id),
        phone: Set(phone),
        password_hash: Set(password_hash),
        active: Set(true),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(model.insert(db).await?)
}

pub fn principal_of(user: &user::Model, via: Via) -> Option<Principal> {
    Some(Principal {
        user_id: user.id,
        name: user.name.clone(),
        email: user.email.clone(),
        role: Role::parse(&user.role)?,
        area_id: user.area_id,
        via,
    })
}

/// Starts a session and returns the cookie value (shown to the browser only).
pub async fn create_session(
    db: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
    absolute: Duration,
) -> Result<String, AppError> {
    let cookie_value = random_secret();
    session::ActiveModel {
        id_hash: Set(secret_hash(&cookie_value)),
        user_id: Set(user_id),
        csrf_token: Set(random_secret()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + absolute),
    }
    .insert(db)
    .await?;
    Ok(cookie_value)
}

/// The session's user, if the session exists, has not passed its absolute end
/// and has been used within the idle time. Touches `last_seen_at` at most once
/// a minute, so browsing does not write on every request.
pub async fn load_session(
    db: &impl ConnectionTrait,
    cookie_value: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Option<Principal>, AppError> {
    let id_hash = secret_hash(cookie_value);
    let Some(found) = session::Entity::find_by_id(id_hash.clone()).one(db).await? else {
        return Ok(None);
    };
    if now >= found.expires_at || now - found.last_seen_at > idle {
        session::Entity::delete_by_id(id_hash).exec(db).await?;
        return Ok(None);
    }
    let Some(user) = user::Entity::find_by_id(found.user_id).one(db).await? else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    if now - found.last_seen_at > Duration::seconds(60) {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(now))
            .filter(session::Column::IdHash.eq(id_hash))
            .exec(db)
            .await?;
    }
    Ok(principal_of(
        &user,
        Via::Session {
            csrf_token: found.csrf_token,
        },
    ))
}

pub async fn delete_session(db: &impl ConnectionTrait, cookie_value: &str) -> Result<(), AppError> {
    session::Entity::delete_by_id(secret_hash(cookie_value))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user (after a password change or deactivation).
pub async fn delete_sessions_of(db: &impl ConnectionTrait, user_id: i32) -> Result<(), AppError> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Creates an API token and returns it; only its hash is kept.
pub async fn create_api_token(
    db: &impl ConnectionTrait,
    user_id: i32,
    label: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let token = format!("dpt_{}", random_secret());
    api_token::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(secret_hash(&token)),
        label: Set(label.to_owned()),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

pub async fn principal_from_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<Principal>, AppError> {
    let Some(found) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(secret_hash(token)))
        .filter(api_token::Column::Revoked.eq(false))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(user) = user::Entity::find_by_id(found.user_id).one(db).await? else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    Ok(principal_of(&user, Via::Token))
}
