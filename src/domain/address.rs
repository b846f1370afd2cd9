//! Addresses and the normalised key that decides which orders share a stop.

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;

/// A Danish postal code: four digits, 1000-9999.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        if trimmed.len() == 4
            && trimmed.bytes().all(|b| b.is_ascii_digit())
            && !trimmed.starts_with('0')
        {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err("Postnummeret skal være fire cifre, fx 8900")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An address as typed in a form or sent in JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AddressInput {
    pub street: String,
    pub house_number: String,
    #[serde(default)]
    pub floor: Option<String>,
    #[serde(default)]
    pub door: Option<String>,
    pub postal_code: String,
    pub city: String,
}

impl AddressInput {
    /// Checks every part and returns all problems at once, keyed by `prefix.field`.
    pub fn validate(&self, prefix: &str) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let mut add = |field: &str, message: &str| {
            errors
                .entry(format!("{prefix}{field}"))
                .or_default()
                .push(message.to_owned());
        };
        if self.street.trim().is_empty() {
            add("street", "Vejnavn mangler");
        } else if self.street.chars().count() > 100 {
            add("street", "Vejnavnet er for langt");
        }
        let number = self.house_number.trim();
        if number.is_empty() {
            add("house_number", "Husnummer mangler");
        } else if !number.starts_with(|c: char| c.is_ascii_digit()) || number.len() > 8 {
            add(
                "house_number",
                "Husnummeret skal begynde med et tal, fx 12 eller 12B",
            );
        }
        if self
            .floor
            .as_deref()
            .is_some_and(|f| f.chars().count() > 10)
        {
            add("floor", "Etagen er for lang");
        }
        if self.door.as_deref().is_some_and(|d| d.chars().count() > 20) {
            add("door", "Dørbetegnelsen er for lang");
        }
        if let Err(message) = PostalCode::parse(&self.postal_code) {
            add("postal_code", message);
        }
        if self.city.trim().is_empty() {
            add("city", "By mangler");
        } else if self.city.chars().count() > 60 {
            add("city", "Bynavnet er for langt");
        }
        errors
    }

    pub fn key(&self) -> String {
        normalise_key(
            &self.street,
            &self.house_number,
            self.floor.as_deref(),
            self.door.as_deref(),
            &self.postal_code,
        )
    }

    /// One line for lists and emails: "Vestergade 12B, 2. tv, 8900 Randers C".
    pub fn one_line(&self) -> String {
        format_address(
            &self.street,
            &self.house_number,
            self.floor.as_deref(),
            self.door.as_deref(),
            &self.postal_code,
            &self.city,
        )
    }
}

pub fn format_address(
    street: &str,
    number: &str,
    floor: Option<&str>,
    door: Option<&str>,
    postal_code: &str,
    city: &str,
) -> String {
    let mut line = format!("{} {}", street.trim(), number.trim());
    let floor = floor.map(str::trim).filter(|f| !f.is_empty());
    let door = door.map(str::trim).filter(|d| !d.is_empty());
    match (floor, door) {
        (Some(f), Some(d)) => line.push_str(&format!(", {}. {d}", f.trim_end_matches('.'))),
        (Some(f), None) => line.push_str(&format!(", {}.", f.trim_end_matches('.'))),
        (None, Some(d)) => line.push_str(&format!(", {d}")),
        (None, None) => {}
    }
    line.push_str(&format!(", {} {}", postal_code.trim(), city.trim()));
    line
}

/// The key of an address: the same place written in different ways gives the same
/// key ("Vestergade 12 b, 2. sal tv." and "vestergade 12B, 2, TV").
pub fn normalise_key(
    street: &str,
    number: &str,
    floor: Option<&str>,
    door: Option<&str>,
    postal_code: &str,
) -> String {
    let street = normalise_street(street);
    let number: String = number
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let floor = floor.map(normalise_floor).unwrap_or_default();
    let door = door.map(normalise_door).unwrap_or_default();
    format!("{street}|{number}|{floor}|{door}|{}", postal_code.trim())
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '.' || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn normalise_street(street: &str) -> String {
    // Abbreviations end in a dot: "Vesterg." is Vestergade, "Skovv." Skovvej.
    let expanded: Vec<String> = street
        .to_lowercase()
        .split_whitespace()
        .map(|token| {
            for (short, long) in [("pl.", "plads"), ("g.", "gade"), ("v.", "vej")] {
                if let Some(stem) = token.strip_suffix(short) {
                    return format!("{stem}{long}");
                }
            }
            token.to_owned()
        })
        .collect();
    words(&expanded.join(" "))
        .into_iter()
        .map(|w| if w == "alle" { "allé".to_owned() } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

fn normalise_floor(floor: &str) -> String {
    let ws = words(floor);
    // Leading zeros do not count ("02" is "2"), so "00" is "0", the ground floor;
    // they go before the match, or "0k" would be "k" and not the cellar.
    let first = ws
        .iter()
        .map(|w| match w.trim_start_matches('0') {
            "" => "0",
            trimmed => trimmed,
        })
        .find(|w| *w != "sal" && *w != "etage");
    match first {
        None => String::new(),
        Some("st" | "stuen" | "0") => "st".to_owned(),
        Some("kl" | "kælder" | "k") => "kl".to_owned(),
        Some(other) => other.to_owned(),
    }
}

fn normalise_door(door: &str) -> String {
    // Compared without spaces, so "m idtfor" and "til  venstre" are the common
    // doors too, and a key's own door gives the same key again (found by
    // fuzz/address: "m idtfor" became "midtfor", which the next pass made "mf").
    let compact = words(door).concat();
    match compact.as_str() {
        "tilvenstre" | "venstre" | "tv" => "tv".to_owned(),
        "tilhøjre" | "højre" | "th" => "th".to_owned(),
        "midtfor" | "mf" => "mf".to_owned(),
        _ => compact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(
        street: &str,
        number: &str,
        floor: Option<&str>,
        door: Option<&str>,
    ) -> AddressInput {
        AddressInput {
            street: street.into(),
            house_number: number.into(),
            floor: floor.map(Into::into),
            door: door.map(Into::into),
            postal_code: "8900".into(),
            city: "Randers C".into(),
        }
    }

    #[test]
    fn the_same_place_written_differently_has_one_key() {
        let a = address("Vestergade", "12B", Some("2"), Some("tv"));
        let b = address(" vestergade ", "12 b", Some("2. sal"), Some("til venstre"));
        let c = address("Vesterg.", "12b", Some("2."), Some("TV."));
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key(), c.key());
    }

    #[test]
    fn different_floors_or_doors_are_different_stops() {
        let a = address("Vestergade", "12", Some("2"), Some("tv"));
        assert_ne!(
            a.key(),
            address("Vestergade", "12", Some("2"), Some("th")).key()
        );
        assert_ne!(
            a.key(),
            address("Vestergade", "12", Some("1"), Some("tv")).key()
        );
        assert_ne!(
            a.key(),
            address("Vestergade", "14", Some("2"), Some("tv")).key()
        );
    }

    #[test]
    fn ground_floor_spellings_agree() {
        let st = address("Torvet", "1", Some("st."), None);
        assert_eq!(st.key(), address("Torvet", "1", Some("stuen"), None).key());
        assert_eq!(st.key(), address("Torvet", "1", Some("0"), None).key());
    }

    #[test]
    fn leading_zeros_of_a_floor_do_not_count() {
        // Found by fuzz/address: "00" was no floor at all, "0k" was not the cellar.
        let key = |floor: &str| address("Torvet", "1", Some(floor), None).key();
        assert_eq!(key("00"), key("st"));
        assert_ne!(key("00"), address("Torvet", "1", None, None).key());
        assert_eq!(key("0k"), key("kl"));
        assert_eq!(key("02. sal"), key("2"));
        assert_eq!(key("stuen tv"), key("st"));
    }

    #[test]
    fn validation_names_each_missing_part() {
        let errors = AddressInput::default().validate("address.");
        for field in ["street", "house_number", "postal_code", "city"] {
            assert!(errors.contains_key(&format!("address.{field}")), "{field}");
        }
        assert!(
            address("Vestergade", "12B", None, None)
                .validate("")
                .is_empty()
        );
    }

    #[test]
    fn postal_codes_are_four_digits() {
        assert!(PostalCode::parse("8900").is_ok());
        assert!(PostalCode::parse("0900").is_err());
        assert!(PostalCode::parse("89000").is_err());
        assert!(PostalCode::parse("89a0").is_err());
    }

    #[test]
    fn one_line_reads_like_a_danish_address() {
        assert_eq!(
            address("Vestergade", "12B", Some("2"), Some("tv")).one_line(),
            "Vestergade 12B, 2. tv, 8900 Randers C"
        );
    }

    #[test]
    fn doors_are_read_without_their_spaces_and_normalising_twice_changes_nothing() {
        let key = |door: &str| address("Vestergade", "12", Some("2"), Some(door)).key();
        assert_eq!(key("m idtfor"), key("mf"));
        assert_eq!(key("midt  for"), key("mf"));
        assert_eq!(key("til  venstre"), key("tv"));
        assert_eq!(key("t.h."), key("th"));
        assert_eq!(normalise_door("m idtfor"), normalise_door("midtfor"));
        assert_eq!(normalise_door("1 3"), "13");
    }
}
