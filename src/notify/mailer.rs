//! Turns an outbox row into a MIME message and hands it to the configured
//! transport: `.eml` files (embedded default) or SMTP through lettre.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use entity::outbox;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Attachment, Failure, split_recipients};
use crate::config::{MailTarget, SmtpTls};

#[derive(Clone)]
pub enum Mailer {
    Files(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    pub fn from_config(target: &MailTarget) -> Result<Self, String> {
        match target {
            MailTarget::File(dir) => Ok(Self::Files(dir.clone())),
            MailTarget::Smtp(smtp) => {
                let tls = match smtp.tls {
                    SmtpTls::None => Tls::None,
                    // Required: a server that cannot upgrade gets nothing sent.
                    SmtpTls::StartTls => Tls::Required(
                        TlsParameters::new(smtp.host.clone()).map_err(|e| e.to_string())?,
                    ),
                    SmtpTls::Tls => Tls::Wrapper(
                        TlsParameters::new(smtp.host.clone()).map_err(|e| e.to_string())?,
                    ),
                };
                let mut builder =
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
                        .port(smtp.port)
                        .tls(tls)
                        .timeout(Some(Duration::from_secs(30)));
                if let (Some(user), Some(password)) = (&smtp.user, &smtp.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Ok(Self::Smtp(builder.build()))
            }
        }
    }

    /// Sends one outbox row. Success means the server (or the disk) accepted it.
    pub async fn send(&self, row: &outbox::Model, from: &str) -> Result<(), Failure> {
        let message = build_message(row, from)?;
        match self {
            Self::Files(dir) => write_eml(dir, row, &message.formatted()).await,
            Self::Smtp(transport) => transport.send(message).await.map(|_| ()).map_err(|e| {
                let text = e.to_string();
                if e.is_permanent() {
                    Failure::Permanent(text)
                } else {
                    Failure::Transient(text)
                }
            }),
        }
    }
}

/// One file per email, named by the outbox id: a retry rewrites the same file.
/// Written to a temporary name and renamed, so a crash never leaves half a file.
async fn write_eml(dir: &PathBuf, row: &outbox::Model, bytes: &[u8]) -> Result<(), Failure> {
    let io = |e: std::io::Error| Failure::Transient(format!("mail folder {}: {e}", dir.display()));
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let final_path = dir.join(format!("{:08}.eml", row.id));
    let temp_path = dir.join(format!(".{:08}.eml.tmp", row.id));
    tokio::fs::write(&temp_path, bytes).await.map_err(io)?;
    tokio::fs::rename(&temp_path, &final_path).await.map_err(io)
}

pub fn build_message(row: &outbox::Model, from: &str) -> Result<Message, Failure> {
    let bad = |what: &str, e: &dyn std::fmt::Display| Failure::Permanent(format!("{what}: {e}"));
    let from: Mailbox = from.parse().map_err(|e| bad("sender", &e))?;
    let mut builder = Message::builder()
        .from(from)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .date(row.created_at.into());
    for recipient in split_recipients(&row.recipients) {
        let mailbox: Mailbox = recipient.parse().map_err(|e| bad("recipient", &e))?;
        builder = builder.to(mailbox);
    }
    let body = match &row.body_html {
        Some(html) => MultiPart::alternative_plain_html(row.body_text.clone(), html.clone()),
        None => MultiPart::mixed().singlepart(SinglePart::plain(row.body_text.clone())),
    };
    let attachments: Vec<Attachment> = match &row.attachments {
        Some(json) => serde_json::from_str(json).map_err(|e| bad("attachments", &e))?,
        None => Vec::new(),
    };
    let message = if attachments.is_empty() {
        builder.multipart(body)
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in attachments {
            let content = STANDARD
                .decode(&a.content_base64)
                .map_err(|e| bad("attachment", &e))?;
            let content_type =
                ContentType::parse(&a.content_type).map_err(|e| bad("attachment type", &e))?;
            mixed = mixed.singlepart(MimeAttachment::new(a.filename).body(content, content_type));
        }
        builder.multipart(mixed)
    };
    message.map_err(|e| bad("message", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> outbox::Model {
        outbox::Model {
            id: 3,
            idempotency_key: "test:1".into(),
            recipients: "a@x.dk, b@x.dk".into(),
            subject: "Oversigt over lån".into(),
            body_text: "Hej".into(),
            body_html: Some("<p>Hej</p>".into()),
            attachments: Some(
                serde_json::to_string(&[Attachment {
                    filename: "tid.ics".into(),
                    content_type: "text/calendar; charset=utf-8".into(),
                    content_base64: STANDARD.encode("BEGIN:VCALENDAR"),
                }])
                .unwrap(),
            ),
            status: "queued".into(),
            attempts: 0,
            next_attempt_at: chrono::DateTime::UNIX_EPOCH,
            lease_until: None,
            leased_by: None,
            last_error: None,
            message_id: "<abc.depot@depot.dk>".into(),
            created_at: chrono::DateTime::UNIX_EPOCH,
            sent_at: None,
        }
    }

    #[test]
    fn builds_a_message_with_both_parts_the_attachment_and_the_message_id() {
        let text = String::from_utf8(build_message(&row(), "Depot <d@x.dk>").unwrap().formatted())
            .unwrap();
        assert!(text.contains("Message-ID: <abc.depot@depot.dk>"));
        assert!(text.contains("text/plain") && text.contains("text/html"));
        assert!(text.contains("tid.ics"));
        assert!(text.contains("To: a@x.dk, b@x.dk"));
    }

    #[test]
    fn a_bad_recipient_is_a_permanent_failure() {
        let mut bad = row();
        bad.recipients = "not an address".into();
        assert!(matches!(
            build_message(&bad, "d@x.dk"),
            Err(Failure::Permanent(_))
        ));
    }
}
