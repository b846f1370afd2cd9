//! The calendar file (iCalendar, RFC 5545) attached to a booking confirmation:
//! one event, times in UTC, CRLF line endings, text escaped and long lines folded.

use chrono::{DateTime, Utc};

/// What the event says.
#[derive(Clone, Debug)]
pub struct Event<'a> {
    pub uid: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
}

/// `20261124T110000Z`
pub fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value: backslash, semicolon, comma and new lines.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (never inside a UTF-8 character); each
/// continuation starts with a space.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out
}

/// The whole calendar with one event (METHOD:PUBLISH).
pub fn calendar(event: &Event<'_>) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Hjælpemiddelhuset//depot//DA".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape(event.uid)),
        format!("DTSTAMP:{}", utc_stamp(event.stamp)),
        format!("DTSTART:{}", utc_stamp(event.start)),
        format!("DTEND:{}", utc_stamp(event.end)),
        format!("SUMMARY:{}", escape(event.summary)),
        format!("LOCATION:{}", escape(event.location)),
        format!("DESCRIPTION:{}", escape(event.description)),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    let mut out = String::new();
    for line in lines {
        out.push_str(&fold(&line));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn one_event_in_utc_with_crlf_lines() {
        let ics = calendar(&Event {
            uid: "kvik-7@depot.example",
            start: utc("2026-11-24T11:00:00Z"),
            end: utc("2026-11-24T11:20:00Z"),
            stamp: utc("2026-11-23T08:00:00Z"),
            summary: "Kvik Service, Hjælpemiddelhuset",
            location: "Hjælpemiddelhuset",
            description: "Linje 1\nLinje 2; slut",
        });
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("\r\nMETHOD:PUBLISH\r\n"));
        assert!(ics.contains("\r\nUID:kvik-7@depot.example\r\n"));
        assert!(ics.contains("\r\nDTSTART:20261124T110000Z\r\n"));
        assert!(ics.contains("\r\nDTEND:20261124T112000Z\r\n"));
        assert!(ics.contains("\r\nSUMMARY:Kvik Service\\, Hjælpemiddelhuset\r\n"));
        assert!(ics.contains("DESCRIPTION:Linje 1\\nLinje 2\\; slut"));
        assert!(!ics.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("DESCRIPTION:{}", "æ".repeat(100));
        let folded = fold(&line);
        for part in folded.split("\r\n") {
            assert!(part.len() <= 75, "{} octets", part.len());
        }
        assert_eq!(folded.replace("\r\n ", ""), line);
    }
}
