//! §140 loans (Sundhedsloven): the citizen keeps the aid three months, then a new
//! assessment is due. §112 (Serviceloven) grants have no due date. The rules are
//! plain functions here; `store.rs` keeps loans in the database.

pub mod store;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    Vec::new()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// Sundhedsloven §140: a short loan for rehabilitation, three months.
    Sundhedsloven140,
    /// Serviceloven §112: a lasting grant, no due date.
    Serviceloven112,
}

impl LegalBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sundhedsloven140 => "sundhedsloven_140",
            Self::Serviceloven112 => "serviceloven_112",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "sundhedsloven_140" => Some(Self::Sundhedsloven140),
            "serviceloven_112" => Some(Self::Serviceloven112),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Sundhedsloven140 => "Sundhedsloven §140 (korttidslån)",
            Self::Serviceloven112 => "Serviceloven §112 (varigt)",
        }
    }
}

/// The loan period of §140.
pub const LOAN_MONTHS: u32 = 3;

/// The due date of a loan started on `start`: three calendar months later for
/// §140, clamped to the month's last day (31 Jan → 30 Apr; 30 Nov → 28/29 Feb);
/// none for §112.
pub fn due_date(start: NaiveDate, basis: LegalBasis) -> Option<NaiveDate> {
    match basis {
        LegalBasis::Sundhedsloven140 => start.checked_add_months(Months::new(LOAN_MONTHS)),
        LegalBasis::Serviceloven112 => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn three_calendar_months_clamped_to_the_end_of_the_month() {
        let due = |start| due_date(start, LegalBasis::Sundhedsloven140).unwrap();
        assert_eq!(due(d(2026, 1, 31)), d(2026, 4, 30));
        assert_eq!(due(d(2026, 11, 30)), d(2027, 2, 28));
        assert_eq!(due(d(2027, 11, 30)), d(2028, 2, 29));
        assert_eq!(due(d(2026, 11, 23)), d(2027, 2, 23));
        assert_eq!(due(d(2026, 3, 31)), d(2026, 6, 30));
    }

    #[test]
    fn lasting_grants_have_no_due_date() {
        assert_eq!(due_date(d(2026, 1, 1), LegalBasis::Serviceloven112), None);
    }

    #[test]
    fn legal_basis_round_trips() {
        for b in [LegalBasis::Sundhedsloven140, LegalBasis::Serviceloven112] {
            assert_eq!(LegalBasis::parse(b.as_str()), Some(b));
        }
    }
}
