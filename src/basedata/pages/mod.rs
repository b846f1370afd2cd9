//! Pages for base data: areas (depot), products and units (depot), users
//! (administrators only). Each handler extracts, checks with the rules in
//! `basedata`, calls the store, and renders or redirects.

mod areas;
mod products;
mod units;
mod users;

use crate::auth::{Access, Role};
use crate::error::AppError;
use crate::routes::{RouteDef, get, post};

/// Depot staff (and administrators, who pass every role rule).
const DEPOT: Access = Access::Roles(&[Role::Depot]);
/// Administrators only.
const ADMIN: Access = Access::Roles(&[Role::Admin]);

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/areas", DEPOT, areas::list),
        get("/areas/{id}", DEPOT, areas::edit_page),
        post("/areas/{id}", DEPOT, areas::update),
        post("/areas/{id}/postcodes", DEPOT, areas::add_postcode),
        post(
            "/areas/{id}/postcodes/{code}/delete",
            DEPOT,
            areas::remove_postcode,
        ),
        get("/products", DEPOT, products::list),
        get("/products/new", DEPOT, products::new_page),
        post("/products", DEPOT, products::create),
        get("/products/{id}", DEPOT, products::edit_page),
        post("/products/{id}", DEPOT, products::update),
        get("/units", DEPOT, units::list),
        post("/units", DEPOT, units::create),
        post("/units/{id}/status", DEPOT, units::change_status),
        get("/users", ADMIN, users::list),
        post("/users", ADMIN, users::create),
        post("/users/{id}/active", ADMIN, users::toggle_active),
        post("/users/{id}/password", ADMIN, users::set_password),
    ]
}

/// An id from the path; anything that is not one is "not found".
fn id_from(raw: &str) -> Result<i32, AppError> {
    raw.parse::<i32>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

/// An optional id from a query string: empty or malformed means none.
fn optional_id(raw: Option<&str>) -> Option<i32> {
    raw.and_then(|r| r.trim().parse::<i32>().ok())
        .filter(|id| *id > 0)
}

/// One `<option>` of a select.
#[derive(Clone, Debug)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl SelectOption {
    fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        Self {
            selected: value == current,
            label: label.into(),
            value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_numbers_are_ids() {
        assert_eq!(id_from("12").ok(), Some(12));
        assert!(matches!(id_from("0"), Err(AppError::NotFound)));
        assert!(matches!(id_from("abc"), Err(AppError::NotFound)));
        assert!(matches!(id_from("99999999999"), Err(AppError::NotFound)));
        assert_eq!(optional_id(Some(" 3 ")), Some(3));
        assert_eq!(optional_id(Some("")), None);
        assert_eq!(optional_id(None), None);
    }
}
