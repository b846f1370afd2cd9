//! `Cpr::parse` on arbitrary text: what it accepts is a well-formed number that
//! parses to itself again, and the masked form never shows the last four.
#![no_main]

use depot::domain::Cpr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    let Ok(cpr) = Cpr::parse(raw) else {
        return;
    };
    let s = cpr.as_str();
    let bytes = s.as_bytes();
    assert_eq!(bytes.len(), 10, "not 10 characters");
    assert!(bytes[..7].iter().all(u8::is_ascii_digit), "date + digit");
    // Ten digits, or a hospital replacement number (digit, two letters, digit).
    let rest = &bytes[7..];
    let digits = rest.iter().all(u8::is_ascii_digit);
    let replacement =
        rest[0].is_ascii_uppercase() && rest[1].is_ascii_uppercase() && rest[2].is_ascii_digit();
    assert!(digits || replacement, "bad tail");

    // The masked form is the date and a fixed tail: no character after the date
    // comes through. (A plain "does not contain the last four" is wrong for
    // numbers such as 0101010101, whose date repeats them.)
    let masked = cpr.masked();
    assert_eq!(masked, format!("{}-xxxx", &s[..6]));
    assert!(
        !format!("{cpr:?}").contains(s),
        "Debug shows the full number"
    );

    // Accepted means a real birth date.
    let born = cpr.birth_date();
    assert!(born.is_some(), "accepted without a birth date");

    // The stored form parses to itself, also written with a dash, spaces or in
    // lower case.
    assert_eq!(Cpr::parse(s).as_ref(), Ok(&cpr));
    let dashed = format!(" {}-{} ", &s[..6], s[6..].to_ascii_lowercase());
    assert_eq!(Cpr::parse(&dashed).as_ref(), Ok(&cpr));
    assert_eq!(Cpr::parse(&dashed).ok().and_then(|c| c.birth_date()), born);
});
