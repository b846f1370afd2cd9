//! Domain values used by every capability, each with a `parse` that holds its rule.

mod address;
mod cpr;
mod phone;

pub use address::{AddressInput, PostalCode, normalise_key};
pub use cpr::Cpr;
pub use phone::Phone;
