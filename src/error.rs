//! The one error type. Handlers return `AppError` (JSON, as the contract says) or
//! `PageError` (the same error as a friendly Danish page). Internal details are
//! logged once, with CPR-like digit runs masked, and never shown.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use validator::ValidationErrors;

pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Validation {
        message: String,
        fields: FieldErrors,
    },
    #[error("{0}")]
    BadRequest(String),
    #[error("login required")]
    Unauthorized,
    #[error("not allowed for this role")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("too many requests")]
    TooManyRequests,
    #[error("the database is not available")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable machine word: validation, bad_request, unauthorized, forbidden,
    /// not_found, conflict, too_many_requests, unavailable, internal.
    pub error: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: FieldErrors,
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "validation",
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict(_) => "conflict",
            Self::TooManyRequests => "too_many_requests",
            Self::Unavailable => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_owned(), vec![message.into()]);
        Self::invalid(fields)
    }

    /// Several invalid fields.
    pub fn invalid(fields: FieldErrors) -> Self {
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        Self::Validation {
            message: format!("Ugyldige felter: {}", names.join(", ")),
            fields,
        }
    }

    /// The text a user may see: never internal details.
    pub fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => "Der skete en intern fejl. Prøv igen om lidt.".to_owned(),
            Self::Unavailable => {
                "Systemet kan ikke nå databasen lige nu. Prøv igen om lidt.".to_owned()
            }
            Self::Unauthorized => "Du skal logge ind.".to_owned(),
            Self::Forbidden => "Din rolle giver ikke adgang til dette.".to_owned(),
            Self::NotFound => "Siden eller posten findes ikke.".to_owned(),
            Self::TooManyRequests => "For mange forsøg. Vent lidt, og prøv igen.".to_owned(),
            other => other.to_string(),
        }
    }

    fn log(&self) {
        if let Self::Internal(detail) = self {
            tracing::error!(detail = %redact_digits(detail), "internal error");
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status_code();
        let body = ErrorBody {
            error: self.kind(),
            message: self.public_message(),
            fields: match self {
                Self::Validation { fields, .. } => fields,
                _ => FieldErrors::new(),
            },
        };
        (status, Json(body)).into_response()
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                return Self::Conflict("Posten findes allerede.".to_owned());
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return Self::Conflict(
                    "Posten er i brug eller henviser til noget, der ikke findes.".to_owned(),
                );
            }
            _ => {}
        }
        match err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Self::Unavailable,
            DbErr::RecordNotFound(_) => Self::NotFound,
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        let mut fields = FieldErrors::new();
        for (field, errs) in errors.field_errors() {
            let messages = errs
                .iter()
                .map(|e| {
                    e.message
                        .as_ref()
                        .map_or_else(|| "Ugyldig værdi".to_owned(), |m| m.to_string())
                })
                .collect();
            fields.insert(field.to_string(), messages);
        }
        Self::invalid(fields)
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> Self {
        Self::Internal(format!("template: {err}"))
    }
}

/// Masks runs of 6 or more digits (CPR numbers, with or without a dash), so an
/// error text that quotes a value cannot carry a CPR number into the log.
pub fn redact_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if digits >= 6 {
            out.push_str("[skjult]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '-' && !run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpr_numbers_are_masked_in_log_text() {
        assert_eq!(
            redact_digits("key (cpr)=(0101801234) exists"),
            "key (cpr)=([skjult]) exists"
        );
        assert_eq!(redact_digits("010180-1234"), "[skjult]");
        assert_eq!(redact_digits("order 12 line 3"), "order 12 line 3");
    }

    #[test]
    fn internal_details_are_not_shown() {
        let err = AppError::Internal("secret sql".into());
        assert!(!err.public_message().contains("sql"));
        assert_eq!(err.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn validation_message_names_the_fields() {
        let err = AppError::field("discharge_at", "Udskrivelsestidspunkt mangler");
        assert_eq!(err.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err.to_string().contains("discharge_at"));
    }
}
