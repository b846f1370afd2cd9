//! Base data kept by depot staff: areas and their postal codes, the product
//! catalogue, units in stock and users. The rules here are plain functions that
//! take what was typed and return clean values or every problem at once.

pub mod api;
pub mod pages;
pub mod store;

use crate::domain::{Phone, PostalCode};
use crate::error::FieldErrors;
use crate::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    [api::routes(), pages::routes()]
        .into_iter()
        .flatten()
        .collect()
}

/// Adds one message to a field.
fn add(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors
        .entry(field.to_owned())
        .or_default()
        .push(message.into());
}

/// The messages of a form in the order its fields appear, for the summary at
/// the top (fields not in `order` come last).
pub fn summary_in_order(errors: &FieldErrors, order: &[&str]) -> Vec<(String, String)> {
    let position = |field: &str| {
        order
            .iter()
            .position(|f| *f == field)
            .unwrap_or(order.len())
    };
    let mut items: Vec<(String, String)> = errors
        .iter()
        .map(|(k, v)| (k.clone(), v.join(" ")))
        .collect();
    items.sort_by_key(|(field, _)| position(field));
    items
}

/// Collapses runs of whitespace and trims.
fn tidy(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A phone number as people read it: "+4589151010" becomes "89 15 10 10".
pub fn display_phone(stored: &str) -> String {
    match stored.strip_prefix("+45") {
        Some(local) if local.len() == 8 && local.bytes().all(|b| b.is_ascii_digit()) => local
            .as_bytes()
            .chunks(2)
            .map(|pair| String::from_utf8_lossy(pair).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
        _ => stored.to_owned(),
    }
}

// ---------------------------------------------------------------- areas

/// How often an area's overdue list is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cadence {
    Weekly,
    Biweekly,
    Monthly,
    Semiannual,
}

impl Cadence {
    pub const ALL: [Cadence; 4] = [
        Cadence::Weekly,
        Cadence::Biweekly,
        Cadence::Monthly,
        Cadence::Semiannual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Biweekly => "biweekly",
            Cadence::Monthly => "monthly",
            Cadence::Semiannual => "semiannual",
        }
    }

    pub fn parse(raw: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Cadence::Weekly => "Hver uge",
            Cadence::Biweekly => "Hver 14. dag",
            Cadence::Monthly => "Hver måned",
            Cadence::Semiannual => "To gange om året",
        }
    }
}

/// The Danish name of a stored cadence; an unknown value is shown as it is.
pub fn cadence_label(stored: &str) -> String {
    Cadence::parse(stored).map_or_else(|| stored.to_owned(), |c| c.label().to_owned())
}

/// The fields of the area form, in the order they are shown.
pub const AREA_FIELDS: [&str; 4] = ["name", "slip_phone", "list_recipients", "list_cadence"];

/// An area form as typed.
#[derive(Clone, Debug, Default)]
pub struct AreaInput {
    pub name: String,
    pub slip_phone: String,
    pub list_recipients: String,
    pub list_cadence: String,
}

/// An area's checked values, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaValues {
    pub name: String,
    /// Normalised, e.g. "+4589151010".
    pub slip_phone: String,
    /// Comma-separated, lower case, without duplicates.
    pub list_recipients: String,
    pub list_cadence: Cadence,
}

/// Splits recipients typed with commas, semicolons or newlines; every one must
/// be an e-mail address.
pub fn parse_recipients(raw: &str) -> Result<Vec<String>, String> {
    let mut found: Vec<String> = Vec::new();
    let mut bad = Vec::new();
    for part in raw.split([',', ';', '\n', '\r']) {
        let email = part.trim().to_lowercase();
        if email.is_empty() {
            continue;
        }
        if !validator::ValidateEmail::validate_email(&email) || email.contains(' ') {
            bad.push(part.trim().to_owned());
        } else if !found.contains(&email) {
            found.push(email);
        }
    }
    if !bad.is_empty() {
        return Err(format!("Ugyldig e-mailadresse: {}", bad.join(", ")));
    }
    if found.is_empty() {
        return Err("Skriv mindst én modtager af oversigten".to_owned());
    }
    Ok(found)
}

pub fn check_area(input: &AreaInput) -> Result<AreaValues, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = tidy(&input.name);
    if name.is_empty() {
        add(&mut errors, "name", "Navn mangler");
    } else if name.chars().count() > 100 {
        add(&mut errors, "name", "Navnet er for langt (højst 100 tegn)");
    }
    let slip_phone = if input.slip_phone.trim().is_empty() {
        add(
            &mut errors,
            "slip_phone",
            "Telefonnummer til sedlen mangler",
        );
        None
    } else {
        Phone::parse(&input.slip_phone)
            .map_err(|m| add(&mut errors, "slip_phone", m))
            .ok()
    };
    let recipients = parse_recipients(&input.list_recipients)
        .map_err(|m| add(&mut errors, "list_recipients", m))
        .ok();
    let cadence = Cadence::parse(&input.list_cadence);
    if cadence.is_none() {
        add(&mut errors, "list_cadence", "Vælg hvor ofte listen sendes");
    }
    match (slip_phone, recipients, cadence) {
        (Some(phone), Some(recipients), Some(cadence)) if errors.is_empty() => Ok(AreaValues {
            name,
            slip_phone: phone.into_string(),
            list_recipients: recipients.join(","),
            list_cadence: cadence,
        }),
        _ => Err(errors),
    }
}

/// A postal code and its city to add to an area.
pub fn check_postcode(postal_code: &str, city: &str) -> Result<(String, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = PostalCode::parse(postal_code)
        .map_err(|m| add(&mut errors, "postal_code", m))
        .ok();
    let city = tidy(city);
    if city.is_empty() {
        add(&mut errors, "city", "By mangler");
    } else if city.chars().count() > 100 {
        add(&mut errors, "city", "Bynavnet er for langt");
    }
    match code {
        Some(code) if errors.is_empty() => Ok((code.as_str().to_owned(), city)),
        _ => Err(errors),
    }
}

// ---------------------------------------------------------------- products

/// The fields of the product form, in the order they are shown.
pub const PRODUCT_FIELDS: [&str; 7] = [
    "code",
    "name",
    "iso9999",
    "kvik_eligible",
    "volume",
    "service_minutes",
    "active",
];

/// A product form as typed.
#[derive(Clone, Debug, Default)]
pub struct ProductInput {
    pub code: String,
    pub name: String,
    pub iso9999: String,
    pub kvik_eligible: bool,
    pub volume: String,
    pub service_minutes: String,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductValues {
    pub code: String,
    pub name: String,
    /// "12 06 06"
    pub iso9999: String,
    pub kvik_eligible: bool,
    pub volume: i32,
    pub service_minutes: i32,
    pub active: bool,
}

/// An ISO 9999 class: six digits, written together ("120606") or in pairs
/// separated by spaces, dots or dashes ("12 06 06", "12.06.06"). Stored as
/// "12 06 06".
pub fn normalise_iso9999(raw: &str) -> Option<String> {
    let groups: Vec<&str> = raw
        .trim()
        .split([' ', '.', '-'])
        .filter(|g| !g.is_empty())
        .collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    if !(lengths == [6] || lengths == [2, 2, 2]) {
        return None;
    }
    let digits: String = groups.concat();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "{} {} {}",
        &digits[0..2],
        &digits[2..4],
        &digits[4..6]
    ))
}

/// A whole number within bounds.
fn number_in(raw: &str, range: std::ops::RangeInclusive<i32>) -> Option<i32> {
    raw.trim().parse::<i32>().ok().filter(|n| range.contains(n))
}

pub fn check_product(input: &ProductInput) -> Result<ProductValues, FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = input.code.trim().to_owned();
    if code.is_empty() {
        add(&mut errors, "code", "Kode mangler");
    } else if code.chars().count() > 50 || code.chars().any(char::is_whitespace) {
        add(
            &mut errors,
            "code",
            "Koden må højst have 50 tegn og ingen mellemrum",
        );
    }
    let name = tidy(&input.name);
    if name.is_empty() {
        add(&mut errors, "name", "Navn mangler");
    } else if name.chars().count() > 200 {
        add(&mut errors, "name", "Navnet er for langt (højst 200 tegn)");
    }
    let iso9999 = normalise_iso9999(&input.iso9999);
    if iso9999.is_none() {
        add(
            &mut errors,
            "iso9999",
            "ISO 9999-klassen skal være seks cifre, fx 12 06 06",
        );
    }
    let volume = number_in(&input.volume, 1..=100);
    if volume.is_none() {
        add(
            &mut errors,
            "volume",
            "Rumfang skal være et helt tal fra 1 til 100",
        );
    }
    let service_minutes = number_in(&input.service_minutes, 1..=240);
    if service_minutes.is_none() {
        add(
            &mut errors,
            "service_minutes",
            "Minutter ved døren skal være et helt tal fra 1 til 240",
        );
    }
    match (iso9999, volume, service_minutes) {
        (Some(iso9999), Some(volume), Some(service_minutes)) if errors.is_empty() => {
            Ok(ProductValues {
                code,
                name,
                iso9999,
                kvik_eligible: input.kvik_eligible,
                volume,
                service_minutes,
                active: input.active,
            })
        }
        _ => Err(errors),
    }
}

/// Whether a product matches a search: every word of the query is found in the
/// code or the name, ignoring case (also for æ, ø and å).
pub fn product_matches(query: &str, code: &str, name: &str) -> bool {
    let haystack = format!("{} {}", code.to_lowercase(), name.to_lowercase());
    query
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack.contains(word))
}

// ---------------------------------------------------------------- units

/// Where a unit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitStatus {
    Available,
    OnLoan,
    Cleaning,
    Repair,
    Scrapped,
}

impl UnitStatus {
    pub const ALL: [UnitStatus; 5] = [
        UnitStatus::Available,
        UnitStatus::OnLoan,
        UnitStatus::Cleaning,
        UnitStatus::Repair,
        UnitStatus::Scrapped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitStatus::Available => "available",
            UnitStatus::OnLoan => "on_loan",
            UnitStatus::Cleaning => "cleaning",
            UnitStatus::Repair => "repair",
            UnitStatus::Scrapped => "scrapped",
        }
    }

    pub fn parse(raw: &str) -> Option<UnitStatus> {
        UnitStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            UnitStatus::Available => "På lager",
            UnitStatus::OnLoan => "Udlånt",
            UnitStatus::Cleaning => "Til rengøring",
            UnitStatus::Repair => "Til reparation",
            UnitStatus::Scrapped => "Kasseret",
        }
    }

    /// Whether staff may choose this status by hand (lending happens through loans).
    pub fn settable_by_hand(self) -> bool {
        self != UnitStatus::OnLoan
    }
}

pub fn unit_status_label(stored: &str) -> String {
    UnitStatus::parse(stored).map_or_else(|| stored.to_owned(), |s| s.label().to_owned())
}

/// Checks a status change by hand: `on_loan` is set and cleared by loans only.
pub fn check_status_change(current: &str, wanted: &str) -> Result<UnitStatus, &'static str> {
    let wanted = UnitStatus::parse(wanted).ok_or("Vælg en status")?;
    if !wanted.settable_by_hand() {
        return Err(
            "En enhed kan ikke sættes til Udlånt her. Det sker, når den udlånes til en borger.",
        );
    }
    if UnitStatus::parse(current) == Some(UnitStatus::OnLoan) {
        return Err("Enheden er udlånt. Den skifter status, når den kommer retur fra udlånet.");
    }
    Ok(wanted)
}

/// A serial number: trimmed, non-empty, no inner spaces, at most 50 characters.
pub fn check_serial(raw: &str) -> Result<String, &'static str> {
    let serial = raw.trim();
    if serial.is_empty() {
        return Err("Serienummer mangler");
    }
    if serial.chars().count() > 50 || serial.chars().any(char::is_whitespace) {
        return Err("Serienummeret må højst have 50 tegn og ingen mellemrum");
    }
    Ok(serial.to_owned())
}

// ---------------------------------------------------------------- users

/// The fields of the new-user form, in the order they are shown.
pub const USER_FIELDS: [&str; 6] = ["email", "name", "role", "area", "phone", "password"];

/// A new-user form as typed.
#[derive(Clone, Debug, Default)]
pub struct UserInput {
    pub email: String,
    pub name: String,
    pub role: String,
    pub area: String,
    pub phone: String,
    pub password: String,
}

/// Checks every field of a new user at once (the store checks again when it
/// creates the user, but stops at the first problem).
pub fn check_new_user(input: &UserInput) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let email = input.email.trim().to_lowercase();
    if email.is_empty() {
        add(&mut errors, "email", "E-mailadresse mangler");
    } else if !validator::ValidateEmail::validate_email(&email) {
        add(&mut errors, "email", "Ugyldig e-mailadresse");
    }
    if tidy(&input.name).is_empty() {
        add(&mut errors, "name", "Navn mangler");
    }
    match crate::auth::Role::parse(&input.role) {
        None => add(&mut errors, "role", "Vælg en rolle"),
        Some(crate::auth::Role::Therapist) if input.area.trim().is_empty() => {
            add(&mut errors, "area", "En terapeut skal høre til et område");
        }
        Some(_) => {}
    }
    if !input.phone.trim().is_empty()
        && let Err(m) = Phone::parse(&input.phone)
    {
        add(&mut errors, "phone", m);
    }
    if let Err(m) = crate::auth::check_password_strength(&input.password) {
        add(&mut errors, "password", m);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area_input() -> AreaInput {
        AreaInput {
            name: " Område  Nord ".into(),
            slip_phone: "89 15 10 10".into(),
            list_recipients: "Anne@Randers.dk\nbo@randers.dk, anne@randers.dk".into(),
            list_cadence: "weekly".into(),
        }
    }

    #[test]
    fn cadences_have_danish_names_and_round_trip() {
        assert_eq!(cadence_label("weekly"), "Hver uge");
        assert_eq!(cadence_label("biweekly"), "Hver 14. dag");
        assert_eq!(cadence_label("monthly"), "Hver måned");
        assert_eq!(cadence_label("semiannual"), "To gange om året");
        for c in Cadence::ALL {
            assert_eq!(Cadence::parse(c.as_str()), Some(c));
        }
        assert_eq!(Cadence::parse("daily"), None);
    }

    #[test]
    fn a_valid_area_is_tidied_and_normalised() {
        let values = check_area(&area_input()).unwrap();
        assert_eq!(values.name, "Område Nord");
        assert_eq!(values.slip_phone, "+4589151010");
        assert_eq!(values.list_recipients, "anne@randers.dk,bo@randers.dk");
        assert_eq!(values.list_cadence, Cadence::Weekly);
    }

    #[test]
    fn an_area_form_reports_every_bad_field() {
        let errors = check_area(&AreaInput::default()).unwrap_err();
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            ["list_cadence", "list_recipients", "name", "slip_phone"]
        );
        let ordered: Vec<String> = summary_in_order(&errors, &AREA_FIELDS)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(ordered, AREA_FIELDS);
    }

    #[test]
    fn recipients_name_the_bad_address() {
        let err = parse_recipients("a@b.dk, ikke en adresse; c@d.dk").unwrap_err();
        assert!(err.contains("ikke en adresse"), "{err}");
        assert!(parse_recipients(" , \n").is_err());
        assert_eq!(
            parse_recipients("a@b.dk;c@d.dk").unwrap(),
            ["a@b.dk", "c@d.dk"]
        );
    }

    #[test]
    fn postcodes_need_four_digits_and_a_city() {
        assert_eq!(
            check_postcode(" 8900 ", " Randers  C ").unwrap(),
            ("8900".to_owned(), "Randers C".to_owned())
        );
        let errors = check_postcode("89", "").unwrap_err();
        assert!(errors.contains_key("postal_code"));
        assert!(errors.contains_key("city"));
    }

    #[test]
    fn iso_classes_are_six_digits_stored_in_pairs() {
        assert_eq!(normalise_iso9999("12 06 06").as_deref(), Some("12 06 06"));
        assert_eq!(normalise_iso9999("120606").as_deref(), Some("12 06 06"));
        assert_eq!(normalise_iso9999("12.06.06").as_deref(), Some("12 06 06"));
        assert_eq!(
            normalise_iso9999(" 09  33 03 ").as_deref(),
            Some("09 33 03")
        );
        assert_eq!(normalise_iso9999("12 06"), None);
        assert_eq!(normalise_iso9999("1206 06"), None);
        assert_eq!(normalise_iso9999("12 06 0a"), None);
        assert_eq!(normalise_iso9999("1234567"), None);
        assert_eq!(normalise_iso9999("ææ øø åå"), None);
        assert_eq!(normalise_iso9999(""), None);
    }

    fn product_input() -> ProductInput {
        ProductInput {
            code: " 12-06-06-01 ".into(),
            name: "Rollator,  standard".into(),
            iso9999: "120606".into(),
            kvik_eligible: true,
            volume: "2".into(),
            service_minutes: "5".into(),
            active: true,
        }
    }

    #[test]
    fn a_valid_product_is_normalised() {
        let values = check_product(&product_input()).unwrap();
        assert_eq!(values.code, "12-06-06-01");
        assert_eq!(values.name, "Rollator, standard");
        assert_eq!(values.iso9999, "12 06 06");
        assert_eq!((values.volume, values.service_minutes), (2, 5));
    }

    #[test]
    fn product_numbers_must_be_within_bounds() {
        for (volume, minutes, bad) in [
            ("0", "5", "volume"),
            ("101", "5", "volume"),
            ("2,5", "5", "volume"),
            ("2", "0", "service_minutes"),
            ("2", "241", "service_minutes"),
            ("2", "", "service_minutes"),
        ] {
            let input = ProductInput {
                volume: volume.into(),
                service_minutes: minutes.into(),
                ..product_input()
            };
            let errors = check_product(&input).unwrap_err();
            assert_eq!(errors.keys().collect::<Vec<_>>(), [bad]);
        }
        let edge = ProductInput {
            volume: "100".into(),
            service_minutes: "240".into(),
            ..product_input()
        };
        assert!(check_product(&edge).is_ok());
    }

    #[test]
    fn an_empty_product_form_reports_every_required_field() {
        let errors = check_product(&ProductInput::default()).unwrap_err();
        for field in ["code", "name", "iso9999", "volume", "service_minutes"] {
            assert!(errors.contains_key(field), "{field}");
        }
    }

    #[test]
    fn product_search_ignores_case_and_matches_every_word() {
        assert!(product_matches(
            "rollator",
            "12-06-06-01",
            "Rollator, standard"
        ));
        assert!(product_matches("ROLL std", "x", "Rollator std"));
        assert!(product_matches("12-06", "12-06-06-01", "Rollator"));
        assert!(product_matches("TOILETFORHØJER", "x", "Toiletforhøjer"));
        assert!(!product_matches("seng", "12-06-06-01", "Rollator"));
        assert!(product_matches("", "x", "y"));
    }

    #[test]
    fn unit_statuses_have_danish_names() {
        assert_eq!(unit_status_label("available"), "På lager");
        assert_eq!(unit_status_label("on_loan"), "Udlånt");
        assert_eq!(unit_status_label("cleaning"), "Til rengøring");
        assert_eq!(unit_status_label("repair"), "Til reparation");
        assert_eq!(unit_status_label("scrapped"), "Kasseret");
        for s in UnitStatus::ALL {
            assert_eq!(UnitStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn on_loan_is_never_set_or_cleared_by_hand() {
        assert_eq!(
            check_status_change("available", "repair"),
            Ok(UnitStatus::Repair)
        );
        assert!(check_status_change("available", "on_loan").is_err());
        assert!(check_status_change("on_loan", "available").is_err());
        assert!(check_status_change("available", "lost").is_err());
    }

    #[test]
    fn serials_are_trimmed_and_single_words() {
        assert_eq!(check_serial(" RH-1 ").unwrap(), "RH-1");
        assert!(check_serial("  ").is_err());
        assert!(check_serial("RH 1").is_err());
    }

    #[test]
    fn a_new_user_is_checked_field_by_field() {
        let errors = check_new_user(&UserInput {
            email: "nope".into(),
            role: "therapist".into(),
            phone: "12".into(),
            password: "kort".into(),
            ..Default::default()
        });
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(fields, ["area", "email", "name", "password", "phone"]);
        let ok = check_new_user(&UserInput {
            email: "Ny@Randers.dk".into(),
            name: "Ny Bruger".into(),
            role: "driver".into(),
            password: "lang nok kode".into(),
            ..Default::default()
        });
        assert!(ok.is_empty(), "{ok:?}");
        assert!(check_new_user(&UserInput::default()).contains_key("role"));
    }

    #[test]
    fn danish_phone_numbers_are_shown_in_pairs() {
        assert_eq!(display_phone("+4589151010"), "89 15 10 10");
        assert_eq!(display_phone("+46701234567"), "+46701234567");
    }
}
