//! Domain values used by every capability, each with a `parse` that holds its rule.

mod address;
mod cpr;
mod phone;

pub use address::{AddressInput, PostalCode, format_address, normalise_key};
pub use cpr::{Cpr, mask as mask_cpr};
pub use phone::Phone;
