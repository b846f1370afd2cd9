//! Citizens: search (masked CPR), the audited full record, creating and editing.
//!
//! The rules of a citizen's details live here as plain functions (no I/O):
//! what the search box means, what a valid name, phone and address are, and
//! which fields an edit changed. Queries are in `store.rs`, pages in `pages.rs`.

pub mod pages;
pub mod store;

use crate::auth::{Access, Role};
use crate::domain::{AddressInput, Cpr, Phone};
use crate::error::FieldErrors;
use crate::routes::RouteDef;

/// Who may see and keep citizens: everyone who orders or hands out aids.
/// Admin passes automatically; drivers do not (they see the stops of their run).
pub const ACCESS: Access = Access::Roles(&[
    Role::Depot,
    Role::Coordinator,
    Role::Therapist,
    Role::Visitator,
]);

/// Search results are capped; a longer list is a sign to search more precisely.
pub const SEARCH_LIMIT: u64 = 50;

pub fn routes() -> Vec<RouteDef> {
    pages::routes()
}

/// What was typed in the search box.
#[derive(Debug, PartialEq, Eq)]
pub enum SearchQuery {
    Empty,
    /// A full CPR number: an exact match.
    Cpr(Cpr),
    /// Part of a name, trimmed and with inner spaces collapsed.
    Name(String),
    /// Something that is neither (e.g. a CPR number with a wrong date).
    Invalid(&'static str),
}

impl SearchQuery {
    pub fn parse(raw: &str) -> Self {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Self::Empty;
        }
        let digits = trimmed.chars().filter(char::is_ascii_digit).count();
        // Anything that starts like a birth date is taken as a CPR number.
        if digits >= 6 {
            return match Cpr::parse(trimmed) {
                Ok(cpr) => Self::Cpr(cpr),
                Err(message) => Self::Invalid(message),
            };
        }
        let name = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().count() < 2 {
            return Self::Invalid("Skriv mindst to bogstaver af navnet eller et helt CPR-nummer");
        }
        if name.chars().count() > 100 {
            return Self::Invalid("Søgningen er for lang");
        }
        Self::Name(name)
    }
}

/// A `LIKE` pattern that finds `text` anywhere, with `%`, `_` and the escape
/// character `\` taken literally.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Every word with a capital first letter: "søren ørum" → "Søren Ørum". SQLite's
/// `lower()` only folds ASCII, so the search also tries the name as it is usually
/// written, which finds "Ørum" from "ørum".
pub fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A citizen's details as typed in the form (every field a string, so a form
/// shown again keeps exactly what was typed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DetailsInput {
    pub name: String,
    pub phone: String,
    pub address: AddressInput,
}

/// Checked details, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct Details {
    pub name: String,
    pub phone: Option<Phone>,
    pub address: AddressInput,
}

/// The prefix of address fields in forms and field errors: `address.street`.
pub const ADDRESS_PREFIX: &str = "address.";

/// The fields of the citizen form in the order they are shown: the error
/// summary lists problems in this order.
pub const FORM_FIELDS: [&str; 9] = [
    "cpr",
    "name",
    "phone",
    "address.street",
    "address.house_number",
    "address.floor",
    "address.door",
    "address.postal_code",
    "address.city",
];

/// Field errors as (field, message) in the order of the form; fields the form
/// does not know come last.
pub fn summary_in_form_order(errors: &FieldErrors) -> Vec<(String, String)> {
    let position = |field: &str| {
        FORM_FIELDS
            .iter()
            .position(|f| *f == field)
            .unwrap_or(FORM_FIELDS.len())
    };
    let mut items: Vec<(String, String)> = errors
        .iter()
        .map(|(k, v)| (k.clone(), v.join(" ")))
        .collect();
    items.sort_by_key(|(field, _)| position(field));
    items
}

/// Checks name, phone and address and returns every problem at once.
pub fn check_details(input: &DetailsInput) -> Result<Details, FieldErrors> {
    let mut errors = input.address.validate(ADDRESS_PREFIX);
    let mut add = |field: &str, message: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned())
    };
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        add("name", "Navn mangler");
    } else if name.chars().count() > 200 {
        add("name", "Navnet er for langt");
    }
    let phone = if input.phone.trim().is_empty() {
        None
    } else {
        match Phone::parse(&input.phone) {
            Ok(phone) => Some(phone),
            Err(message) => {
                add("phone", message);
                None
            }
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Details {
        name,
        phone,
        address: tidy_address(&input.address),
    })
}

/// Checks a new citizen: CPR number and details, all problems at once.
pub fn check_new(cpr: &str, input: &DetailsInput) -> Result<(Cpr, Details), FieldErrors> {
    let cpr = Cpr::parse(cpr);
    match (cpr, check_details(input)) {
        (Ok(cpr), Ok(details)) => Ok((cpr, details)),
        (cpr, details) => {
            let mut errors = details.err().unwrap_or_default();
            if let Err(message) = cpr {
                errors
                    .entry("cpr".to_owned())
                    .or_default()
                    .push(message.to_owned());
            }
            Err(errors)
        }
    }
}

/// Trims every part and turns an empty floor or door into none.
pub fn tidy_address(address: &AddressInput) -> AddressInput {
    let optional = |part: &Option<String>| {
        part.as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
    };
    AddressInput {
        street: address
            .street
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        house_number: address.house_number.trim().to_owned(),
        floor: optional(&address.floor),
        door: optional(&address.door),
        postal_code: address.postal_code.trim().to_owned(),
        city: address
            .city
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The names (never the values) of the fields an edit changes, for the audit log.
pub fn changed_fields(
    old_name: &str,
    old_phone: Option<&str>,
    old_address_id: Option<i32>,
    new: &Details,
    new_address_id: i32,
) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if old_name != new.name {
        changed.push("name");
    }
    if old_phone != new.phone.as_ref().map(Phone::as_str) {
        changed.push("phone");
    }
    if old_address_id != Some(new_address_id) {
        changed.push("address");
    }
    changed
}

/// A full CPR number as people write it: `DDMMYY-XXXX`. Only for the audited
/// full record.
pub fn format_cpr(cpr: &str) -> String {
    if cpr.len() == 10 && cpr.is_ascii() {
        format!("{}-{}", &cpr[..6], &cpr[6..])
    } else {
        cpr.to_owned()
    }
}

/// `DDMMYY-xxxx` of a stored CPR number, for lists (the same rule as
/// `Cpr::masked`, without parsing again).
pub fn mask_cpr(cpr: &str) -> String {
    let date: String = cpr.chars().take(6).collect();
    format!("{date}-xxxx")
}

/// A stored phone number for reading: `+4586123456` → `86 12 34 56`; other
/// numbers are shown as stored.
pub fn format_phone(phone: &str) -> String {
    match phone.strip_prefix("+45") {
        Some(local) if local.len() == 8 && local.bytes().all(|b| b.is_ascii_digit()) => {
            format!(
                "{} {} {} {}",
                &local[..2],
                &local[2..4],
                &local[4..6],
                &local[6..]
            )
        }
        _ => phone.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> DetailsInput {
        DetailsInput {
            name: "  Karen   Jensen ".into(),
            phone: "86 12 34 56".into(),
            address: AddressInput {
                street: " Vestergade ".into(),
                house_number: "12B".into(),
                floor: Some(" ".into()),
                door: Some("tv".into()),
                postal_code: "8900".into(),
                city: "Randers C".into(),
            },
        }
    }

    #[test]
    fn a_search_for_a_cpr_number_is_an_exact_cpr_search() {
        let query = SearchQuery::parse(" 010180-1234 ");
        assert_eq!(query, SearchQuery::Cpr(Cpr::parse("0101801234").unwrap()));
    }

    #[test]
    fn a_search_with_a_wrong_cpr_date_is_refused_not_run_as_a_name() {
        assert!(matches!(
            SearchQuery::parse("3102801234"),
            SearchQuery::Invalid(_)
        ));
        assert!(matches!(
            SearchQuery::parse("010180"),
            SearchQuery::Invalid(_)
        ));
    }

    #[test]
    fn a_search_for_text_is_a_name_search() {
        assert_eq!(
            SearchQuery::parse("  karen  jen "),
            SearchQuery::Name("karen jen".into())
        );
        assert_eq!(SearchQuery::parse("   "), SearchQuery::Empty);
        assert!(matches!(SearchQuery::parse("k"), SearchQuery::Invalid(_)));
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern("an"), "%an%");
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }

    #[test]
    fn title_case_capitalises_danish_letters_too() {
        assert_eq!(title_case("søren ØRUM"), "Søren Ørum");
        assert_eq!(title_case("åse"), "Åse");
    }

    #[test]
    fn valid_details_are_tidied() {
        let details = check_details(&input()).unwrap();
        assert_eq!(details.name, "Karen Jensen");
        assert_eq!(details.phone.unwrap().as_str(), "+4586123456");
        assert_eq!(details.address.street, "Vestergade");
        assert_eq!(details.address.floor, None);
        assert_eq!(details.address.door.as_deref(), Some("tv"));
    }

    #[test]
    fn phone_is_optional_but_checked_when_given() {
        let mut no_phone = input();
        no_phone.phone = "  ".into();
        assert_eq!(check_details(&no_phone).unwrap().phone, None);
        let mut bad = input();
        bad.phone = "ring til mig".into();
        assert!(check_details(&bad).unwrap_err().contains_key("phone"));
    }

    #[test]
    fn every_problem_is_reported_at_once_with_address_prefixes() {
        let errors = check_new("3102801234", &DetailsInput::default()).unwrap_err();
        for field in [
            "cpr",
            "name",
            "address.street",
            "address.house_number",
            "address.postal_code",
            "address.city",
        ] {
            assert!(errors.contains_key(field), "{field}");
        }
        assert!(!errors.contains_key("phone"));
    }

    #[test]
    fn the_error_summary_follows_the_form() {
        let errors = check_new("x", &DetailsInput::default()).unwrap_err();
        let fields: Vec<String> = summary_in_form_order(&errors)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                "cpr",
                "name",
                "address.street",
                "address.house_number",
                "address.postal_code",
                "address.city"
            ]
        );
    }

    #[test]
    fn a_new_citizen_needs_a_valid_cpr_number() {
        assert!(check_new("0101801234", &input()).is_ok());
        let errors = check_new("", &input()).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["cpr"]);
    }

    #[test]
    fn changed_fields_names_only_what_changed() {
        let details = check_details(&input()).unwrap();
        assert!(
            changed_fields("Karen Jensen", Some("+4586123456"), Some(7), &details, 7).is_empty()
        );
        assert_eq!(
            changed_fields("Karen Hansen", None, Some(3), &details, 7),
            ["name", "phone", "address"]
        );
        assert_eq!(
            changed_fields("Karen Jensen", Some("+4586123456"), None, &details, 7),
            ["address"]
        );
    }

    #[test]
    fn cpr_and_phone_are_formatted_for_reading() {
        assert_eq!(format_cpr("0101801234"), "010180-1234");
        assert_eq!(format_cpr("0203291WQ3"), "020329-1WQ3");
        assert_eq!(
            mask_cpr("0101801234"),
            Cpr::parse("0101801234").unwrap().masked()
        );
        assert_eq!(format_phone("+4586123456"), "86 12 34 56");
        assert_eq!(format_phone("+46701234567"), "+46701234567");
    }
}
