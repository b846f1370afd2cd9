//! The loan CSV import's parser on arbitrary text. Every error names a line of
//! the file, every data line ends up either read or reported (once), CRLF files
//! read like LF files, accepted lines keep the rules, and no message repeats a
//! CPR number.
#![no_main]

use chrono::NaiveDate;
use depot::domain::Cpr;
use depot::loans::LegalBasis;
use depot::loans::import::{HEADER, parse};
use libfuzzer_sys::fuzz_target;

const NO_LOANS: &str = "Filen indeholder ingen lån";

/// `!` first: the text as it is. `;` first: the header with semicolons, then the
/// text. Otherwise the header with commas, then the text (so most inputs get
/// past the header check).
fn file(raw: &str) -> (String, u8) {
    if let Some(rest) = raw.strip_prefix('!') {
        (rest.to_owned(), b',')
    } else if let Some(rest) = raw.strip_prefix(';') {
        (format!("{}\n{rest}", HEADER.join(";")), b';')
    } else {
        (format!("{}\n{raw}", HEADER.join(",")), b',')
    }
}

fn longest_digit_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// (line, message) of every error and the lines of the good lines.
fn outline(text: &str, today: NaiveDate) -> (Vec<(u64, String)>, Vec<u64>) {
    let (lines, errors) = parse(text, today);
    (
        errors.into_iter().map(|e| (e.line, e.message)).collect(),
        lines.iter().map(|l| l.line).collect(),
    )
}

fuzz_target!(|raw: &str| {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    let (text, delimiter) = file(raw);
    let (lines, errors) = parse(&text, today);
    // CRLF and a lone CR each end one line, as the parser counts them.
    let counted = text.replace("\r\n", "\n").replace('\r', "\n");
    // An empty file still has a first line, where its header is missing.
    let line_count = u64::try_from(counted.lines().count().max(1)).unwrap_or(u64::MAX);

    let header_error = errors.len() == 1 && errors[0].line == 1 && lines.is_empty();
    let no_loans = errors.len() == 1 && errors[0].message == NO_LOANS;
    for e in &errors {
        if e.message == NO_LOANS {
            assert!(no_loans && e.line == 2 && lines.is_empty(), "{errors:?}");
        } else {
            assert!(
                (1..=line_count).contains(&e.line),
                "error on line {} of {line_count}: {}",
                e.line,
                e.message
            );
        }
        // No CPR-like number in a message, apart from the format example it names.
        let own = e.message.replace("0203291WQ3", "");
        assert!(longest_digit_run(&own) < 6, "{}", e.message);
    }

    // Each record is read or reported once, in file order.
    let mut numbers: Vec<u64> = lines.iter().map(|l| l.line).collect();
    if !header_error && !no_loans {
        numbers.extend(errors.iter().map(|e| e.line));
    }
    for n in &numbers {
        assert!((2..=line_count).contains(n), "line {n} of {line_count}");
    }
    let mut unique = numbers.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), numbers.len(), "a line counted twice");

    for l in &lines {
        assert!(l.start <= today);
        assert_eq!(Cpr::parse(l.cpr.as_str()).as_ref(), Ok(&l.cpr));
        assert!(!l.name.is_empty() && !l.name.contains("  "));
        assert!(l.address.validate("").is_empty(), "{:?}", l.address);
        assert!(!l.product_code.is_empty());
        match l.basis {
            LegalBasis::Serviceloven112 => assert_eq!(l.due, None),
            LegalBasis::Sundhedsloven140 => assert!(l.due.is_none_or(|d| d >= l.start)),
        }
    }

    // Without quotes or carriage returns a record is a line, so the lines can be
    // counted by hand: every data line with a non-blank field is read or reported.
    let plain = !text.contains(['"', '\r']) && !text.starts_with('\u{feff}');
    if plain && !header_error && raw.len() < 10_000 {
        let data_lines = text
            .lines()
            .skip(1)
            .filter(|line| {
                line.split(char::from(delimiter))
                    .any(|field| !field.trim().is_empty())
            })
            .count();
        let accounted = if no_loans {
            0
        } else {
            lines.len() + errors.len()
        };
        assert_eq!(accounted, data_lines, "data lines lost or doubled");

        // A file saved with Windows line ends reads the same.
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(outline(&crlf, today), outline(&text, today), "CRLF differs");
    }
});
