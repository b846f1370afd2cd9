//! CPR numbers. Accepts 10 digits (a dash after the date is allowed) with a valid
//! birth date, century from the 7th digit. No modulus-11 check: valid numbers
//! without it have been issued since 2007. Also accepts the hospitals' replacement
//! numbers (e-CPR: `DDMMYY` + digit + two letters + digit, e.g. `0203291WQ3`).

use chrono::NaiveDate;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cpr(String);

// Never print a full CPR number by accident (logs, panics, `{:?}`).
impl std::fmt::Debug for Cpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cpr({})", self.masked())
    }
}

impl Cpr {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let compact = compact.to_ascii_uppercase();
        if compact.len() != 10 || !compact.is_ascii() {
            return Err("CPR-nummeret skal have 10 tegn (DDMMÅÅ-XXXX)");
        }
        let bytes = compact.as_bytes();
        if !bytes[..7].iter().all(u8::is_ascii_digit) {
            return Err("CPR-nummeret skal begynde med fødselsdato og et ciffer");
        }
        let rest = &bytes[7..];
        let all_digits = rest.iter().all(u8::is_ascii_digit);
        let replacement = rest[0].is_ascii_uppercase()
            && rest[1].is_ascii_uppercase()
            && rest[2].is_ascii_digit();
        if !all_digits && !replacement {
            return Err(
                "CPR-nummeret skal være 10 cifre eller et erstatningsnummer (fx 0203291WQ3)",
            );
        }
        if birth_date(bytes).is_none() {
            return Err("CPR-nummeret indeholder ikke en gyldig fødselsdato");
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `DDMMYY-xxxx`: for lists, where the full number is not needed.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        birth_date(self.0.as_bytes())
    }
}

/// Masks a stored CPR string without parsing it again.
pub fn mask(cpr: &str) -> String {
    let date: String = cpr.chars().take(6).collect();
    format!("{date}-xxxx")
}

fn digit(b: u8) -> u32 {
    u32::from(b - b'0')
}

fn birth_date(bytes: &[u8]) -> Option<NaiveDate> {
    let day = digit(bytes[0]) * 10 + digit(bytes[1]);
    let month = digit(bytes[2]) * 10 + digit(bytes[3]);
    let yy = digit(bytes[4]) * 10 + digit(bytes[5]);
    let century = match (digit(bytes[6]), yy) {
        (0..=3, _) => 1900,
        (4 | 9, 0..=36) => 2000,
        (4 | 9, _) => 1900,
        (5..=8, 0..=57) => 2000,
        (5..=8, _) => 1800,
        _ => return None,
    };
    let year = i32::try_from(century + yy).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ten_digits_with_or_without_dash() {
        assert_eq!(Cpr::parse("0101801234").unwrap().as_str(), "0101801234");
        assert_eq!(Cpr::parse("010180-1234").unwrap().as_str(), "0101801234");
    }

    #[test]
    fn does_not_apply_modulus_eleven() {
        // 0101801235 fails modulus 11 but is a valid number today.
        assert!(Cpr::parse("0101801235").is_ok());
    }

    #[test]
    fn century_follows_the_seventh_digit() {
        let year = |s: &str| {
            Cpr::parse(s)
                .unwrap()
                .birth_date()
                .unwrap()
                .format("%Y")
                .to_string()
        };
        assert_eq!(year("0101201234"), "1920");
        assert_eq!(year("0101204234"), "2020");
        assert_eq!(year("0101504234"), "1950");
        assert_eq!(year("0101105234"), "2010");
        assert_eq!(year("0101705234"), "1870");
        assert_eq!(year("0101309234"), "2030");
    }

    #[test]
    fn rejects_impossible_dates_and_wrong_lengths() {
        assert!(Cpr::parse("3102801234").is_err());
        assert!(Cpr::parse("2902011234").is_err()); // 1901 was no leap year
        assert!(Cpr::parse("2902004234").is_ok()); // 2000 was
        assert!(Cpr::parse("010180123").is_err());
        assert!(Cpr::parse("01018012345").is_err());
        assert!(Cpr::parse("abcdefghij").is_err());
        assert!(Cpr::parse("").is_err());
    }

    #[test]
    fn accepts_hospital_replacement_numbers() {
        assert_eq!(Cpr::parse("0203291wq3").unwrap().as_str(), "0203291WQ3");
        assert!(Cpr::parse("0203291W13").is_err());
        assert!(Cpr::parse("3302291WQ3").is_err());
    }

    #[test]
    fn masks_and_never_debug_prints_the_full_number() {
        let cpr = Cpr::parse("0101801234").unwrap();
        assert_eq!(cpr.masked(), "010180-xxxx");
        assert!(!format!("{cpr:?}").contains("1234"));
    }

    #[test]
    fn odd_unicode_does_not_panic() {
        assert!(Cpr::parse("ææææææææææ").is_err());
        assert!(Cpr::parse("0101801２34").is_err());
    }
}
