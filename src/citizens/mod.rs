//! Citizens: search (masked CPR) and the audited full record.

use crate::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    vec![]
}
