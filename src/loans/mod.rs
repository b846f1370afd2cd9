//! §140 loans (Sundhedsloven): the citizen keeps the aid three months, then a new
//! assessment is due. §112 (Serviceloven) grants have no due date. The rules are
//! plain functions here; `store.rs` keeps loans in the database.

pub mod actions;
pub mod api;
pub mod cli;
pub mod demo;
pub mod import;
pub mod overdue;
pub mod pages;
pub mod stats;
pub mod store;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::auth::{Access, Role};
use crate::basedata::Cadence;
use crate::error::FieldErrors;
use crate::routes::RouteDef;

pub use demo::seed_demo_loans;

/// Who works with loans: the area therapists and the depot (admin passes always).
pub const ACCESS: Access = Access::Roles(&[Role::Therapist, Role::Depot]);
/// Depot staff only: imports and drawing the lists by hand.
pub const DEPOT_ONLY: Access = Access::Roles(&[Role::Depot]);

pub fn routes() -> Vec<RouteDef> {
    [api::routes(), pages::routes()]
        .into_iter()
        .flatten()
        .collect()
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

/// A loan's stored status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    /// A pickup order has been made; the aid is still with the citizen.
    CollectionRequested,
    Returned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::CollectionRequested => "collection_requested",
            Self::Returned => "returned",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "collection_requested" => Some(Self::CollectionRequested),
            "returned" => Some(Self::Returned),
            _ => None,
        }
    }
}

/// Overdue from the day after the due date, while the loan is active (neither
/// returned nor already asked collected). §112 loans are never overdue.
pub fn is_overdue(status: &str, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    status == Status::Active.as_str() && due.is_some_and(|d| today > d)
}

/// Days past the due date (0 when not past it).
pub fn days_overdue(due: Option<NaiveDate>, today: NaiveDate) -> i64 {
    due.map_or(0, |d| (today - d).num_days().max(0))
}

/// What a loan shows as its status: the stored one, with "overdue" derived.
pub fn shown_status(status: &str, due: Option<NaiveDate>, today: NaiveDate) -> &'static str {
    if is_overdue(status, due, today) {
        return "overdue";
    }
    Status::parse(status).map_or("active", Status::as_str)
}

/// The Danish word for a shown status.
pub fn status_label(shown: &str) -> &'static str {
    match shown {
        "overdue" => "Overskredet",
        "collection_requested" => "Afhentning bestilt",
        "returned" => "Afleveret",
        _ => "Aktivt",
    }
}

/// The four age bands of the overdue list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgeBand {
    Days1To30,
    Days31To90,
    Days91To180,
    Over180,
}

impl AgeBand {
    pub const ALL: [AgeBand; 4] = [
        AgeBand::Days1To30,
        AgeBand::Days31To90,
        AgeBand::Days91To180,
        AgeBand::Over180,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Days1To30 => "1-30 dage",
            Self::Days31To90 => "31-90 dage",
            Self::Days91To180 => "91-180 dage",
            Self::Over180 => "over 180 dage",
        }
    }

    /// The band of a loan `days` overdue; none when it is not overdue.
    pub fn of(days: i64) -> Option<Self> {
        match days {
            ..=0 => None,
            1..=30 => Some(Self::Days1To30),
            31..=90 => Some(Self::Days31To90),
            91..=180 => Some(Self::Days91To180),
            _ => Some(Self::Over180),
        }
    }

    /// The due dates of this band on `today`: (earliest, latest), both inclusive
    /// (None = open), so a query can count a band with a range on the index.
    pub fn due_range(self, today: NaiveDate) -> (Option<NaiveDate>, NaiveDate) {
        let back = |days: i64| today - chrono::Duration::days(days);
        match self {
            Self::Days1To30 => (Some(back(30)), back(1)),
            Self::Days31To90 => (Some(back(90)), back(31)),
            Self::Days91To180 => (Some(back(180)), back(91)),
            Self::Over180 => (None, back(181)),
        }
    }
}

/// Count and age bands of an overdue list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Bands {
    pub count: i64,
    pub band_1_30: i64,
    pub band_31_90: i64,
    pub band_91_180: i64,
    pub band_over_180: i64,
}

impl Bands {
    pub fn add(&mut self, days: i64) {
        if let Some(band) = AgeBand::of(days) {
            self.count += 1;
            *self.band_mut(band) += 1;
        }
    }

    fn band_mut(&mut self, band: AgeBand) -> &mut i64 {
        match band {
            AgeBand::Days1To30 => &mut self.band_1_30,
            AgeBand::Days31To90 => &mut self.band_31_90,
            AgeBand::Days91To180 => &mut self.band_91_180,
            AgeBand::Over180 => &mut self.band_over_180,
        }
    }

    pub fn get(&self, band: AgeBand) -> i64 {
        match band {
            AgeBand::Days1To30 => self.band_1_30,
            AgeBand::Days31To90 => self.band_31_90,
            AgeBand::Days91To180 => self.band_91_180,
            AgeBand::Over180 => self.band_over_180,
        }
    }

    /// (label, count) for templates and emails.
    pub fn rows(&self) -> Vec<(&'static str, i64)> {
        AgeBand::ALL
            .into_iter()
            .map(|b| (b.label(), self.get(b)))
            .collect()
    }
}

/// What an action on a loan would do, or why its state does not allow it (409).
pub fn check_action(status: &str, action: Action) -> Result<(), &'static str> {
    let status = Status::parse(status).unwrap_or(Status::Active);
    match (status, action) {
        (Status::Returned, _) => Err("Lånet er afleveret og kan ikke ændres."),
        (Status::CollectionRequested, Action::Collect) => {
            Err("Der er allerede bestilt afhentning af hjælpemidlet.")
        }
        (Status::CollectionRequested, Action::Extend | Action::Convert) => {
            Err("Der er bestilt afhentning; lånet kan ikke forlænges eller omdannes.")
        }
        _ => Ok(()),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Extend,
    Convert,
    Collect,
    Return,
}

/// An extension needs a new due date after today and after the current due date,
/// and a reason. A §112 loan has no due date to extend.
pub fn check_extension(
    basis: &str,
    current_due: Option<NaiveDate>,
    until: Option<NaiveDate>,
    reason: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut add = |field: &str, message: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned())
    };
    if basis == LegalBasis::Serviceloven112.as_str() {
        add(
            "until",
            "Et §112-lån har ingen udløbsdato og kan ikke forlænges",
        );
    }
    match until {
        None => add("until", "Angiv den nye slutdato (ÅÅÅÅ-MM-DD)"),
        Some(u) if u <= today => add("until", "Den nye slutdato skal ligge efter i dag"),
        Some(u) if current_due.is_some_and(|d| u <= d) => {
            add("until", "Den nye slutdato skal ligge efter den nuværende")
        }
        Some(u) if u > today + Months::new(24) => {
            add("until", "Et lån kan højst forlænges to år frem")
        }
        Some(_) => {}
    }
    let reason = tidy_reason(reason);
    check_reason(&reason, &mut add);
    match until {
        Some(u) if errors.is_empty() => Ok((u, reason)),
        _ => Err(errors),
    }
}

/// A conversion to §112 needs a reason (the grant decision).
pub fn check_conversion(basis: &str, reason: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut add = |field: &str, message: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned())
    };
    if basis == LegalBasis::Serviceloven112.as_str() {
        add("reason", "Lånet er allerede efter Serviceloven §112");
    }
    let reason = tidy_reason(reason);
    check_reason(&reason, &mut add);
    if errors.is_empty() {
        Ok(reason)
    } else {
        Err(errors)
    }
}

/// A return date: not in the future and not before the loan started.
pub fn check_return(
    date: Option<NaiveDate>,
    start: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, FieldErrors> {
    let date = date.unwrap_or(today);
    let message = if date > today {
        "Afleveringsdatoen kan ikke ligge i fremtiden"
    } else if date < start {
        "Afleveringsdatoen ligger før lånet startede"
    } else {
        return Ok(date);
    };
    let mut errors = FieldErrors::new();
    errors.insert("date".to_owned(), vec![message.to_owned()]);
    Err(errors)
}

fn tidy_reason(reason: &str) -> String {
    reason.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_reason(reason: &str, add: &mut impl FnMut(&str, &str)) {
    if reason.is_empty() {
        add("reason", "Skriv en begrundelse");
    } else if reason.chars().count() > 500 {
        add("reason", "Begrundelsen må højst være 500 tegn");
    }
}

/// A date as typed: `2026-11-23` or `23.11.2026` / `23-11-2026`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d.%m.%Y"))
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d-%m-%Y"))
        .ok()
}

/// The period an area's overdue list belongs to, from its cadence: `2026-W48`
/// (weekly), `2026-W48` for the pair of weeks 47-48 (biweekly), `2026-11`
/// (monthly), `2026-H2` (semiannual). One list and one snapshot per period.
pub fn period_key(cadence: Cadence, today: NaiveDate) -> String {
    let week = today.iso_week();
    match cadence {
        Cadence::Weekly => format!("{}-W{:02}", week.year(), week.week()),
        Cadence::Biweekly => {
            let pair_end = ((week.week() - 1) / 2) * 2 + 2;
            format!("{}-W{:02}", week.year(), pair_end.min(53))
        }
        Cadence::Monthly => format!("{}-{:02}", today.year(), today.month()),
        Cadence::Semiannual => {
            let half = if today.month() <= 6 { 1 } else { 2 };
            format!("{}-H{half}", today.year())
        }
    }
}

/// The period key of a stored cadence; an unknown one counts as two weeks.
pub fn period_of(stored_cadence: &str, today: NaiveDate) -> String {
    period_key(
        Cadence::parse(stored_cadence).unwrap_or(Cadence::Biweekly),
        today,
    )
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

    #[test]
    fn leap_years_and_short_months_clamp_correctly() {
        let due = |start| due_date(start, LegalBasis::Sundhedsloven140).unwrap();
        assert_eq!(due(d(2027, 11, 29)), d(2028, 2, 29));
        assert_eq!(due(d(2026, 11, 29)), d(2027, 2, 28));
        assert_eq!(due(d(2028, 2, 29)), d(2028, 5, 29));
        assert_eq!(due(d(2026, 12, 31)), d(2027, 3, 31));
        assert_eq!(due(d(2026, 5, 31)), d(2026, 8, 31));
        assert_eq!(due(d(2026, 8, 31)), d(2026, 11, 30));
    }

    #[test]
    fn a_loan_is_overdue_from_the_day_after_its_due_date() {
        let due = Some(d(2026, 11, 23));
        assert!(!is_overdue("active", due, d(2026, 11, 22)));
        assert!(!is_overdue("active", due, d(2026, 11, 23)));
        assert!(is_overdue("active", due, d(2026, 11, 24)));
        assert_eq!(days_overdue(due, d(2026, 11, 23)), 0);
        assert_eq!(days_overdue(due, d(2026, 11, 24)), 1);
        assert_eq!(days_overdue(due, d(2026, 11, 1)), 0);
    }

    #[test]
    fn returned_collected_and_lasting_loans_are_never_overdue() {
        let past = Some(d(2026, 1, 1));
        let today = d(2026, 11, 23);
        assert!(!is_overdue("returned", past, today));
        assert!(!is_overdue("collection_requested", past, today));
        assert!(!is_overdue("active", None, today));
        assert_eq!(shown_status("active", past, today), "overdue");
        assert_eq!(shown_status("active", None, today), "active");
        assert_eq!(shown_status("returned", past, today), "returned");
    }

    #[test]
    fn age_bands_have_sharp_edges() {
        assert_eq!(AgeBand::of(0), None);
        assert_eq!(AgeBand::of(1), Some(AgeBand::Days1To30));
        assert_eq!(AgeBand::of(30), Some(AgeBand::Days1To30));
        assert_eq!(AgeBand::of(31), Some(AgeBand::Days31To90));
        assert_eq!(AgeBand::of(90), Some(AgeBand::Days31To90));
        assert_eq!(AgeBand::of(91), Some(AgeBand::Days91To180));
        assert_eq!(AgeBand::of(180), Some(AgeBand::Days91To180));
        assert_eq!(AgeBand::of(181), Some(AgeBand::Over180));
        let mut bands = Bands::default();
        for days in [0, 1, 30, 31, 200] {
            bands.add(days);
        }
        assert_eq!(bands.count, 4);
        assert_eq!(bands.band_1_30, 2);
        assert_eq!(bands.band_over_180, 1);
    }

    #[test]
    fn band_date_ranges_agree_with_the_day_counts() {
        let today = d(2026, 11, 23);
        for band in AgeBand::ALL {
            let (from, to) = band.due_range(today);
            assert_eq!(AgeBand::of(days_overdue(Some(to), today)), Some(band));
            if let Some(from) = from {
                assert_eq!(AgeBand::of(days_overdue(Some(from), today)), Some(band));
                let before = from - chrono::Duration::days(1);
                assert_ne!(AgeBand::of(days_overdue(Some(before), today)), Some(band));
            }
        }
    }

    #[test]
    fn an_extension_needs_a_later_date_and_a_reason() {
        let today = d(2026, 11, 23);
        let basis = "sundhedsloven_140";
        let due = Some(d(2026, 12, 1));
        let ok = check_extension(
            basis,
            due,
            Some(d(2027, 2, 1)),
            " Genoptræning  fortsat ",
            today,
        );
        assert_eq!(ok, Ok((d(2027, 2, 1), "Genoptræning fortsat".to_owned())));
        let errors = check_extension(basis, due, Some(d(2026, 11, 30)), "", today).unwrap_err();
        assert!(errors.contains_key("until") && errors.contains_key("reason"));
        assert!(check_extension(basis, due, Some(today), "x", today).is_err());
        assert!(check_extension(basis, None, None, "x", today).is_err());
        // An overdue loan may be extended to any date after today.
        let overdue = Some(d(2026, 10, 1));
        assert!(check_extension(basis, overdue, Some(d(2026, 11, 24)), "x", today).is_ok());
        assert!(
            check_extension("serviceloven_112", None, Some(d(2027, 1, 1)), "x", today).is_err()
        );
    }

    #[test]
    fn a_conversion_needs_a_reason_and_a_140_loan() {
        assert_eq!(
            check_conversion("sundhedsloven_140", " bevilget "),
            Ok("bevilget".to_owned())
        );
        assert!(check_conversion("sundhedsloven_140", "  ").is_err());
        assert!(check_conversion("serviceloven_112", "x").is_err());
    }

    #[test]
    fn returned_loans_allow_no_action_and_collection_only_once() {
        for action in [
            Action::Extend,
            Action::Convert,
            Action::Collect,
            Action::Return,
        ] {
            assert!(check_action("returned", action).is_err());
            assert!(check_action("active", action).is_ok());
        }
        assert!(check_action("collection_requested", Action::Collect).is_err());
        assert!(check_action("collection_requested", Action::Extend).is_err());
        assert!(check_action("collection_requested", Action::Return).is_ok());
    }

    #[test]
    fn a_return_date_is_not_in_the_future_nor_before_the_start() {
        let today = d(2026, 11, 23);
        let start = d(2026, 9, 1);
        assert_eq!(check_return(None, start, today), Ok(today));
        assert_eq!(
            check_return(Some(d(2026, 10, 1)), start, today),
            Ok(d(2026, 10, 1))
        );
        assert!(check_return(Some(d(2026, 11, 24)), start, today).is_err());
        assert!(check_return(Some(d(2026, 8, 31)), start, today).is_err());
    }

    #[test]
    fn period_keys_follow_the_cadence() {
        let today = d(2026, 11, 23); // Monday of ISO week 48
        assert_eq!(period_key(Cadence::Weekly, today), "2026-W48");
        assert_eq!(period_key(Cadence::Biweekly, today), "2026-W48");
        assert_eq!(period_key(Cadence::Biweekly, d(2026, 11, 16)), "2026-W48");
        assert_eq!(period_key(Cadence::Biweekly, d(2026, 11, 30)), "2026-W50");
        assert_eq!(period_key(Cadence::Monthly, today), "2026-11");
        assert_eq!(period_key(Cadence::Semiannual, today), "2026-H2");
        assert_eq!(period_key(Cadence::Semiannual, d(2026, 6, 30)), "2026-H1");
        // 1 January 2027 is in ISO week 53 of 2026.
        assert_eq!(period_key(Cadence::Weekly, d(2027, 1, 1)), "2026-W53");
        assert_eq!(period_key(Cadence::Biweekly, d(2027, 1, 1)), "2026-W53");
        assert_eq!(period_of("nonsense", today), "2026-W48");
    }

    #[test]
    fn dates_are_read_in_iso_and_danish_forms() {
        assert_eq!(parse_date("2026-11-23"), Some(d(2026, 11, 23)));
        assert_eq!(parse_date(" 23.11.2026 "), Some(d(2026, 11, 23)));
        assert_eq!(parse_date("23-11-2026"), Some(d(2026, 11, 23)));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date(""), None);
    }
}
