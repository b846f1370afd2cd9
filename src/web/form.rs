//! Field errors for forms: a form shown again keeps what was typed and shows each
//! problem next to its field, in Danish.

use crate::error::{AppError, FieldErrors};

#[derive(Clone, Debug, Default)]
pub struct FormErrors(pub FieldErrors);

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message of one field, or "" (templates test with `is_empty`).
    pub fn get(&self, field: &str) -> String {
        self.0.get(field).map(|m| m.join(" ")).unwrap_or_default()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// All messages, for the summary at the top of the form.
    pub fn summary(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|(k, v)| (k.clone(), v.join(" ")))
            .collect()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    pub fn extend(&mut self, other: FieldErrors) {
        for (k, v) in other {
            self.0.entry(k).or_default().extend(v);
        }
    }

    /// Turns a validation error into field errors; any other error passes through.
    pub fn from_error(err: AppError) -> Result<Self, AppError> {
        match err {
            AppError::Validation { fields, .. } => Ok(Self(fields)),
            other => Err(other),
        }
    }
}
