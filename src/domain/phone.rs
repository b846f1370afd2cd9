//! Phone numbers: Danish 8-digit numbers (with or without +45) or international
//! numbers with a `+`. Stored as `+4512345678`.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let allowed = trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'));
        if !allowed || digits.is_empty() {
            return Err("Telefonnummeret må kun indeholde cifre, mellemrum og +");
        }
        let normalised = if !international {
            if digits.len() != 8 {
                return Err("Et dansk telefonnummer har 8 cifre");
            }
            format!("+45{digits}")
        } else {
            let digits = digits
                .strip_prefix("00")
                .map_or(digits.as_str(), |d| d)
                .to_owned();
            if !(8..=15).contains(&digits.len()) {
                return Err("Telefonnummeret har for få eller for mange cifre");
            }
            if let Some(local) = digits.strip_prefix("45")
                && local.len() != 8
            {
                return Err("Et dansk telefonnummer har 8 cifre efter +45");
            }
            format!("+{digits}")
        };
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_numbers_get_the_country_code() {
        assert_eq!(Phone::parse("86 12 34 56").unwrap().as_str(), "+4586123456");
        assert_eq!(
            Phone::parse("+45 86123456").unwrap().as_str(),
            "+4586123456"
        );
        assert_eq!(
            Phone::parse("004586123456").unwrap().as_str(),
            "+4586123456"
        );
    }

    #[test]
    fn foreign_numbers_keep_their_code() {
        assert_eq!(
            Phone::parse("+46 70 123 45 67").unwrap().as_str(),
            "+46701234567"
        );
    }

    #[test]
    fn rejects_letters_and_wrong_lengths() {
        assert!(Phone::parse("1234").is_err());
        assert!(Phone::parse("ring til mig").is_err());
        assert!(Phone::parse("+45 1234").is_err());
        assert!(Phone::parse("").is_err());
    }
}
