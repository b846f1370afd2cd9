//! JSON input for the API: `ApiJson<T>` turns every way a body can be wrong into
//! the contract's errors — malformed JSON 400, wrong shape or types 422 naming the
//! field, wrong content type 415 as 400 — never a 500.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(data_error(&e.body_text())),
            Err(JsonRejection::JsonSyntaxError(_)) => {
                Err(AppError::BadRequest("Ugyldig JSON.".to_owned()))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadRequest(
                "Forventede Content-Type: application/json.".to_owned(),
            )),
            Err(other) => Err(AppError::BadRequest(other.body_text())),
        }
    }
}

/// Query parameters for the API: a value of the wrong type is a 422 naming the
/// parameter (`limit`), in the contract's JSON, not axum's plain-text 400.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(query_error(&e.body_text()))
            }
            Err(other) => Err(AppError::BadRequest(other.body_text())),
        }
    }
}

/// "Failed to deserialize query string: limit: invalid digit found in string"
fn query_error(text: &str) -> AppError {
    let detail = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(text);
    match detail.split_once(": ") {
        Some((name, message)) if !name.contains(' ') => AppError::field(name, message),
        _ => AppError::field("query", detail),
    }
}

/// An id from the path: a positive whole number. Anything else cannot name a record,
/// so it is "not found" like an unknown id, never a parse error.
pub fn path_id(raw: &str) -> Result<i32, AppError> {
    raw.parse::<i32>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

/// serde's message names the path of the bad field ("lines[0].quantity: invalid
/// type ..."); it becomes a field error with that path.
fn data_error(text: &str) -> AppError {
    let detail = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(text);
    match detail.split_once(": ") {
        Some((path, message)) if !path.contains(' ') => AppError::field(path, message),
        _ => {
            // "missing field `discharge_at` at line 1 column 2"
            if let Some(name) = detail
                .split('`')
                .nth(1)
                .filter(|_| detail.starts_with("missing field"))
            {
                AppError::field(name, "Feltet mangler")
            } else {
                AppError::field("body", detail)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_field_is_named() {
        let err = data_error(
            "Failed to deserialize the JSON body into the target type: lines[0].quantity: invalid type: string \"x\", expected i32 at line 1 column 5",
        );
        let AppError::Validation { fields, .. } = err else {
            panic!()
        };
        assert!(fields.contains_key("lines[0].quantity"));
    }

    #[test]
    fn a_bad_query_parameter_is_named() {
        let err =
            query_error("Failed to deserialize query string: limit: invalid digit found in string");
        let AppError::Validation { fields, .. } = err else {
            panic!()
        };
        assert!(fields.contains_key("limit"));
    }

    #[test]
    fn only_positive_numbers_are_path_ids() {
        assert_eq!(path_id("17").ok(), Some(17));
        for raw in ["0", "-3", "abc", "1.5", "99999999999", ""] {
            assert!(matches!(path_id(raw), Err(AppError::NotFound)), "{raw}");
        }
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = data_error(
            "Failed to deserialize the JSON body into the target type: missing field `kind` at line 1 column 2",
        );
        let AppError::Validation { fields, .. } = err else {
            panic!()
        };
        assert!(fields.contains_key("kind"));
    }
}
