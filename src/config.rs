//! Settings from the environment (see the contract): parsed once at start, so a bad
//! value stops the program with one clear line instead of failing later.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub mail: MailTarget,
    pub public_url: Url,
    pub mail_from: String,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// First wait after a failed send; doubles per attempt (DEPOT_MAIL_RETRY_SECONDS).
    pub mail_retry_base: Duration,
    /// How long a claimed email stays with its instance before another may take it
    /// (DEPOT_MAIL_LEASE_SECONDS): the wait before mail held by a crashed instance is sent.
    pub mail_lease: Duration,
    /// How often the mail worker looks for due emails when idle (DEPOT_WORKER_POLL_MS).
    pub worker_poll: Duration,
    /// How often the scheduler looks for due jobs (DEPOT_SCHEDULER_SECONDS).
    pub scheduler_interval: Duration,
    /// Citizens with nothing open and no activity for this many days are deleted
    /// (DEPOT_RETENTION_DAYS, default five years).
    pub retention_days: i64,
    /// Run the mail worker and the scheduler in this instance (DEPOT_BACKGROUND=off to not).
    pub background: bool,
}

/// Where outgoing mail goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailTarget {
    /// One `.eml` file per message in this folder (the embedded default).
    File(PathBuf),
    Smtp(SmtpTarget),
}

#[derive(Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    pub tls: SmtpTls,
}

// Hand-written so the password can never reach a log line through `{:?}`.
impl std::fmt::Debug for SmtpTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("tls", &self.tls)
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    StartTls,
    Tls,
    None,
}

/// A setting that could not be used; the message names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

impl Config {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads the settings through `lookup`, so tests need not touch the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |key: &str, default: &str| lookup(key).unwrap_or_else(|| default.to_owned());
        let database_url = parse_database_url(&get("DATABASE_URL", "sqlite://depot.db?mode=rwc"))?;
        let bind = get("DEPOT_BIND", "127.0.0.1:8080")
            .parse()
            .map_err(|_| bad("DEPOT_BIND", "expected an address such as 127.0.0.1:8080"))?;
        let mail = parse_mail(&get("DEPOT_MAIL", "file:var/mail"))?;
        let public_url = Url::parse(&get("DEPOT_PUBLIC_URL", "http://127.0.0.1:8080"))
            .map_err(|e| bad("DEPOT_PUBLIC_URL", format!("not a URL ({e})")))?;
        let mail_from = get(
            "DEPOT_MAIL_FROM",
            "Hjælpemiddelhuset <hjaelpemidler@depot.invalid>",
        );
        let minutes = |key: &'static str, default: &str| -> Result<Duration, ConfigError> {
            let value: u64 = get(key, default)
                .parse()
                .map_err(|_| bad(key, "expected a whole number of minutes"))?;
            if value == 0 {
                return Err(bad(key, "must be at least 1 minute"));
            }
            Ok(Duration::from_secs(value * 60))
        };
        let number = |key: &'static str, default: &str| -> Result<u64, ConfigError> {
            get(key, default)
                .parse()
                .map_err(|_| bad(key, "expected a whole number"))
        };
        let background = match get("DEPOT_BACKGROUND", "on").as_str() {
            "on" | "true" | "1" => true,
            "off" | "false" | "0" => false,
            _ => return Err(bad("DEPOT_BACKGROUND", "expected on or off")),
        };
        Ok(Self {
            mail_retry_base: Duration::from_secs(number("DEPOT_MAIL_RETRY_SECONDS", "30")?.max(1)),
            mail_lease: Duration::from_secs(number("DEPOT_MAIL_LEASE_SECONDS", "600")?.max(1)),
            worker_poll: Duration::from_millis(number("DEPOT_WORKER_POLL_MS", "1000")?.max(10)),
            scheduler_interval: Duration::from_secs(
                number("DEPOT_SCHEDULER_SECONDS", "60")?.max(1),
            ),
            background,
            retention_days: i64::try_from(number("DEPOT_RETENTION_DAYS", "1825")?.max(30))
                .unwrap_or(1825),
            database_url,
            bind,
            mail,
            public_url,
            mail_from,
            session_idle: minutes("DEPOT_SESSION_IDLE_MINUTES", "30")?,
            session_absolute: minutes("DEPOT_SESSION_MAX_MINUTES", "600")?,
        })
    }

    /// The domain of Message-IDs: the host of the public URL.
    pub fn mail_domain(&self) -> String {
        self.public_url
            .host_str()
            .unwrap_or("depot.invalid")
            .to_owned()
    }

    /// True when links point at https, so cookies get the `Secure` flag.
    pub fn served_over_tls(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

fn parse_database_url(raw: &str) -> Result<String, ConfigError> {
    let scheme = raw.split_once(':').map(|(s, _)| s).unwrap_or_default();
    match scheme {
        "sqlite" => Ok(raw.to_owned()),
        "postgres" | "postgresql" => {
            Url::parse(raw)
                .map_err(|e| bad("DATABASE_URL", format!("not a valid PostgreSQL URL ({e})")))?;
            Ok(raw.to_owned())
        }
        _ => Err(bad(
            "DATABASE_URL",
            "expected sqlite://FILE?mode=rwc or postgres://USER@HOST/DB",
        )),
    }
}

/// Parses `file:DIR` or `smtp://[user:pass@]host:port[?tls=starttls|tls|none]`.
pub fn parse_mail(raw: &str) -> Result<MailTarget, ConfigError> {
    if let Some(dir) = raw.strip_prefix("file:") {
        if dir.is_empty() {
            return Err(bad(
                "DEPOT_MAIL",
                "file: needs a folder, e.g. file:var/mail",
            ));
        }
        return Ok(MailTarget::File(PathBuf::from(dir)));
    }
    let url =
        Url::parse(raw).map_err(|_| bad("DEPOT_MAIL", "expected file:DIR or smtp://host:port"))?;
    if url.scheme() != "smtp" {
        return Err(bad("DEPOT_MAIL", "expected file:DIR or smtp://host:port"));
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("DEPOT_MAIL", "smtp:// needs a host"))?
        .to_owned();
    let mut tls = SmtpTls::StartTls;
    for (key, value) in url.query_pairs() {
        match (key.as_ref(), value.as_ref()) {
            ("tls", "starttls") => tls = SmtpTls::StartTls,
            ("tls", "tls") => tls = SmtpTls::Tls,
            ("tls", "none") => tls = SmtpTls::None,
            _ => return Err(bad("DEPOT_MAIL", format!("unknown option {key}={value}"))),
        }
    }
    let port = url.port().unwrap_or(match tls {
        SmtpTls::Tls => 465,
        _ => 587,
    });
    let decode = |s: &str| {
        url::form_urlencoded::parse(s.as_bytes())
            .map(|(k, _)| k.into_owned())
            .collect::<String>()
    };
    let user = (!url.username().is_empty()).then(|| decode(url.username()));
    let password = url.password().map(decode);
    Ok(MailTarget::Smtp(SmtpTarget {
        host,
        port,
        user,
        password,
        tls,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn defaults_follow_the_contract() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://depot.db?mode=rwc");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.mail, MailTarget::File(PathBuf::from("var/mail")));
        assert!(!c.served_over_tls());
    }

    #[test]
    fn smtp_url_with_credentials_and_tls_mode() {
        let m = parse_mail("smtp://bo:hemm%40lig@mail.example:2525?tls=none").unwrap();
        let MailTarget::Smtp(s) = m else {
            panic!("not smtp")
        };
        assert_eq!(s.host, "mail.example");
        assert_eq!(s.port, 2525);
        assert_eq!(s.user.as_deref(), Some("bo"));
        assert_eq!(s.password.as_deref(), Some("hemm@lig"));
        assert_eq!(s.tls, SmtpTls::None);
        assert!(!format!("{s:?}").contains("hemm"));
    }

    #[test]
    fn smtp_defaults_to_starttls_on_587() {
        let MailTarget::Smtp(s) = parse_mail("smtp://mail.example").unwrap() else {
            panic!("not smtp")
        };
        assert_eq!((s.port, s.tls), (587, SmtpTls::StartTls));
    }

    #[test]
    fn bad_settings_name_their_variable() {
        assert_eq!(
            config(&[("DATABASE_URL", "mysql://x")])
                .unwrap_err()
                .variable,
            "DATABASE_URL"
        );
        assert_eq!(
            config(&[("DEPOT_MAIL", "pigeon:coo")])
                .unwrap_err()
                .variable,
            "DEPOT_MAIL"
        );
        assert_eq!(
            config(&[("DEPOT_MAIL", "smtp://h?tls=maybe")])
                .unwrap_err()
                .variable,
            "DEPOT_MAIL"
        );
        assert_eq!(
            config(&[("DEPOT_BIND", "here")]).unwrap_err().variable,
            "DEPOT_BIND"
        );
        assert_eq!(
            config(&[("DATABASE_URL", "postgres://[bad")])
                .unwrap_err()
                .variable,
            "DATABASE_URL"
        );
    }
}
