//! The address key and the one-line form on arbitrary parts. The key promises
//! that the same place written differently gives the same key: case, spacing,
//! leading zeros of a floor and the tidying of a form must not change it, and a
//! key's own parts must give the key again.
#![no_main]

use depot::citizens::tidy_address;
use depot::domain::{AddressInput, format_address, normalise_key};
use libfuzzer_sys::fuzz_target;

/// Parts separated by newlines: street, number, floor, door, postal code, city.
/// A missing floor or door is none.
fn address(raw: &str) -> AddressInput {
    let mut parts = raw.split('\n');
    let mut next = || parts.next().map(str::to_owned);
    AddressInput {
        street: next().unwrap_or_default(),
        house_number: next().unwrap_or_default(),
        floor: next(),
        door: next(),
        postal_code: next().unwrap_or_default(),
        city: next().unwrap_or_default(),
    }
}

/// Every whitespace character doubled and the whole padded: the same words.
fn spaced(text: &str) -> String {
    let mut out = String::from(" \t");
    for c in text.chars() {
        out.push(c);
        if c.is_whitespace() {
            out.push(' ');
        }
    }
    out.push_str("  ");
    out
}

fn map(a: &AddressInput, f: impl Fn(&str) -> String) -> AddressInput {
    AddressInput {
        street: f(&a.street),
        house_number: f(&a.house_number),
        floor: a.floor.as_deref().map(&f),
        door: a.door.as_deref().map(&f),
        postal_code: a.postal_code.clone(),
        city: f(&a.city),
    }
}

fn one_line(a: &AddressInput) -> String {
    format_address(
        &a.street,
        &a.house_number,
        a.floor.as_deref(),
        a.door.as_deref(),
        &a.postal_code,
        &a.city,
    )
}

fuzz_target!(|raw: &str| {
    let a = address(raw);
    let key = a.key();
    let _ = a.validate("address.");

    // What the forms and the CSV import store is the tidied address.
    let tidy = tidy_address(&a);
    assert_eq!(tidy.key(), key, "tidying changed the key");
    let _ = tidy.validate("");

    // Case and spacing (the postal code is only trimmed, so only padded).
    let upper = map(&a, str::to_ascii_uppercase);
    assert_eq!(upper.key(), key, "upper case changed the key");
    let mut wide = map(&a, spaced);
    wide.postal_code = format!("  {} ", a.postal_code);
    assert_eq!(wide.key(), key, "spacing changed the key");

    // A floor is a number without its leading zeros ("02" is "2", "00" is "0").
    if let Some(floor) = a.floor.as_deref()
        && floor.starts_with(|c: char| c.is_ascii_digit())
    {
        let zero = AddressInput {
            floor: Some(format!("0{floor}")),
            ..a.clone()
        };
        assert_eq!(zero.key(), key, "a leading zero changed the floor");
    }

    // The key's own parts give the key again (only when no part holds the separator).
    let parts: Vec<&str> = key.split('|').collect();
    if let [street, number, floor, door, postal] = parts.as_slice() {
        let again = normalise_key(street, number, Some(floor), Some(door), postal);
        assert_eq!(again, key, "normalising twice changed the key");
    }

    // The one-line form trims each part: padding a part changes nothing.
    let line = one_line(&a);
    let mut padded = map(&a, |p| format!(" {p}\t"));
    padded.postal_code = format!(" {}\t", a.postal_code);
    assert_eq!(one_line(&padded), line, "padding changed the one-line form");
    assert_eq!(a.one_line(), line);
});
