//! Base data kept by depot staff: areas and their postal codes, the product
//! catalogue, units in stock and users.

pub mod api;
pub mod pages;
pub mod store;

use crate::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    [api::routes(), pages::routes()]
        .into_iter()
        .flatten()
        .collect()
}
