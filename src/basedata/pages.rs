//! Pages for base data (depot staff and administrators).

use crate::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    vec![]
}
