//! The confirmation email to the orderer: order number, aids, date and a link.
//! Never a CPR number, the citizen's name or health details.

use askama::Template;
use entity::order;

use super::ProductRef;
use crate::error::AppError;
use crate::notify::Email;

#[derive(Template)]
#[template(path = "mail/order_confirmation.txt")]
struct Text<'a> {
    mail: &'a Content,
}

#[derive(Template)]
#[template(path = "mail/order_confirmation.html")]
struct Html<'a> {
    mail: &'a Content,
}

struct Content {
    id: i32,
    lines: Vec<(String, i32)>,
    date: String,
    discharge: String,
    self_pickup: bool,
    merge_hint: String,
    link: String,
}

/// The email for a new order, keyed `order-confirmation:{id}`.
pub fn confirmation(
    to: &str,
    public_url: &str,
    order: &order::Model,
    lines: &[(ProductRef, i32)],
    merge_hint: Option<&str>,
) -> Result<Email, AppError> {
    let content = Content {
        id: order.id,
        lines: lines.iter().map(|(p, q)| (p.name.clone(), *q)).collect(),
        date: order
            .deliver_by
            .map(crate::web::local_date)
            .unwrap_or_default(),
        discharge: order
            .discharge_at
            .map(crate::web::local_datetime)
            .unwrap_or_default(),
        self_pickup: order.delivery_mode == super::DeliveryMode::SelfPickup.as_str(),
        merge_hint: merge_hint.unwrap_or_default().to_owned(),
        link: format!("{}/orders/{}", public_url.trim_end_matches('/'), order.id),
    };
    Ok(Email {
        key: format!("order-confirmation:{}", order.id),
        to: vec![to.to_owned()],
        subject: format!("Bestilling {} er modtaget", order.id),
        text: Text { mail: &content }.render()?,
        html: Some(Html { mail: &content }.render()?),
        attachments: Vec::new(),
    })
}
