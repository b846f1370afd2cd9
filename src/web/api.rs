//! JSON input for the API: `ApiJson<T>` turns every way a body can be wrong into
//! the contract's errors — malformed JSON 400, wrong shape or types 422 naming the
//! field, wrong content type 415 as 400 — never a 500.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
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
