//! The emails of Kvik Service: the confirmation (with a calendar file) and the
//! reminder the day before. They carry the time, the place and the cancel link —
//! never what the visit is about.

use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use entity::kvik_booking;

use super::{LOCATION, SUMMARY, Slot, describe_time, ics};
use crate::error::AppError;
use crate::notify::{Attachment, Email};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "mail/kvik_confirmation.txt")]
struct ConfirmationText<'a> {
    name: &'a str,
    time: &'a str,
    location: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/kvik_confirmation.html")]
struct ConfirmationHtml<'a> {
    name: &'a str,
    time: &'a str,
    location: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/kvik_reminder.txt")]
struct ReminderText<'a> {
    name: &'a str,
    time: &'a str,
    location: &'a str,
}

#[derive(Template)]
#[template(path = "mail/kvik_reminder.html")]
struct ReminderHtml<'a> {
    name: &'a str,
    time: &'a str,
    location: &'a str,
}

/// The link on which the citizen sees and cancels the booking.
pub fn booking_link(public_url: &str, id: i32, token: &str) -> String {
    format!(
        "{}/kvik/booking/{id}?token={token}",
        public_url.trim_end_matches('/')
    )
}

/// The calendar UID of a booking.
pub fn uid(id: i32, mail_domain: &str) -> String {
    format!("kvik-{id}@{mail_domain}")
}

/// `kvik-confirmation:{id}` with the time, the cancel link and an .ics file.
pub fn confirmation(
    state: &AppState,
    booking: &kvik_booking::Model,
    to: &str,
    slot: &Slot,
    token: &str,
) -> Result<Email, AppError> {
    let time = describe_time(slot.start);
    let link = booking_link(state.config.public_url.as_str(), booking.id, token);
    let calendar = ics::calendar(&ics::Event {
        uid: &uid(booking.id, &state.config.mail_domain()),
        start: slot.start,
        end: slot.end,
        stamp: booking.created_at,
        summary: SUMMARY,
        location: LOCATION,
        description: &format!("Din tid i Kvik Service. Aflys her: {link}"),
    });
    Ok(Email {
        key: format!("kvik-confirmation:{}", booking.id),
        to: vec![to.to_owned()],
        subject: format!("Din tid i Kvik Service {time}"),
        text: ConfirmationText {
            name: &booking.name,
            time: &time,
            location: LOCATION,
            link: &link,
        }
        .render()?,
        html: Some(
            ConfirmationHtml {
                name: &booking.name,
                time: &time,
                location: LOCATION,
                link: &link,
            }
            .render()?,
        ),
        attachments: vec![Attachment {
            filename: "kvik-service.ics".to_owned(),
            content_type: "text/calendar; charset=utf-8; method=PUBLISH".to_owned(),
            content_base64: STANDARD.encode(calendar),
        }],
    })
}

/// `kvik-reminder:{id}`: the time and place, the day before.
pub fn reminder(
    booking: &kvik_booking::Model,
    to: &str,
    start: DateTime<Utc>,
) -> Result<Email, AppError> {
    let time = describe_time(start);
    Ok(Email {
        key: format!("kvik-reminder:{}", booking.id),
        to: vec![to.to_owned()],
        subject: format!("Husk din tid i Kvik Service {time}"),
        text: ReminderText {
            name: &booking.name,
            time: &time,
            location: LOCATION,
        }
        .render()?,
        html: Some(
            ReminderHtml {
                name: &booking.name,
                time: &time,
                location: LOCATION,
            }
            .render()?,
        ),
        attachments: Vec::new(),
    })
}
