//! The test application: a real server on a free port with a fresh database
//! (SQLite file or PostgreSQL, chosen by `DEPOT_TEST_DB`), the real migrations, a
//! fixed clock, and an HTTP client with a cookie jar, like a browser.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use depot::auth::{Role, store};
use depot::clock::FixedClock;
use depot::config::Config;
use depot::startup::Application;
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub const PASSWORD: &str = "en god lang adgangskode";

/// Where the suite's log lines go, so the test script can check them for CPR numbers.
fn init_logging() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let path = dir.join(format!("api-{}.log", backend()));
        let file = std::fs::OpenOptions::new().create(true).append(true).open(&path).unwrap();
        let writer = Arc::new(Mutex::new(file));
        let make = move || LogWriter(writer.clone());
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug,sqlx=warn,sea_orm=info,hyper=info,reqwest=info,h2=info,rustls=info,tower=info")
            .with_ansi(false)
            .with_writer(make)
            .try_init();
    });
}

struct LogWriter(Arc<Mutex<std::fs::File>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap().flush()
    }
}

/// "sqlite" (default) or "postgres".
pub fn backend() -> String {
    std::env::var("DEPOT_TEST_DB").unwrap_or_else(|_| "sqlite".to_owned())
}

/// A fresh, empty database URL for one test.
pub async fn fresh_database_url() -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("depot_t_{}_{}_{}", std::process::id(), n, rand_suffix());
    match backend().as_str() {
        "postgres" => {
            let server = std::env::var("DEPOT_TEST_PG")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
            let admin = sea_orm::Database::connect(format!("{server}/postgres"))
                .await
                .expect("PostgreSQL must answer at DEPOT_TEST_PG (default postgres://postgres@127.0.0.1:5432)");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            format!("{server}/{name}")
        }
        "sqlite" => {
            let dir = std::env::temp_dir().join("depot-tests");
            std::fs::create_dir_all(&dir).unwrap();
            format!(
                "sqlite://{}?mode=rwc",
                dir.join(format!("{name}.db")).display()
            )
        }
        other => panic!("DEPOT_TEST_DB must be sqlite or postgres, not {other}"),
    }
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        % 1_000_000
}

pub struct TestApp {
    pub base: String,
    pub db: DatabaseConnection,
    pub clock: Arc<FixedClock>,
    pub client: reqwest::Client,
    #[allow(dead_code)]
    pub database_url: String,
}

/// Monday 23 November 2026, 09:00 in Copenhagen.
pub fn default_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
        .unwrap()
        .to_utc()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    init_logging();
    let database_url = fresh_database_url().await;
    let mut config = Config::from_lookup(|key| match key {
        "DATABASE_URL" => Some(database_url.clone()),
        "DEPOT_BIND" => Some("127.0.0.1:0".to_owned()),
        "DEPOT_MAIL" => Some(format!(
            "file:{}/mail-{}",
            std::env::temp_dir().display(),
            rand_suffix()
        )),
        _ => None,
    })
    .unwrap();
    adjust(&mut config);
    let db = depot::db::connect(&database_url).await.unwrap();
    depot::db::migrate(&db).await.unwrap();
    seed_areas(&db).await;
    let clock = FixedClock::new(default_now());
    let app = Application::build_with(db.clone(), config, clock.clone())
        .await
        .unwrap();
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        base,
        db,
        clock,
        client: browser(),
        database_url,
    }
}

/// An HTTP client that keeps cookies and does not follow redirects, so tests
/// see each answer as it is.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Areas nord, syd and vest with a postal code each, as every municipality has.
async fn seed_areas(db: &DatabaseConnection) {
    for (id, code, postal) in [(1, "nord", "8930"), (2, "syd", "8900"), (3, "vest", "8920")] {
        db.execute_unprepared(&format!(
            "INSERT INTO area (id, code, name, slip_phone, list_recipients, list_cadence) \
             VALUES ({id}, '{code}', 'Område {code}', '+458915{id}0{id}0', 'terapeut.{code}@test.invalid', 'biweekly')"
        ))
        .await
        .unwrap();
        db.execute_unprepared(&format!(
            "INSERT INTO area_postcode (postal_code, area_id, city) VALUES ('{postal}', {id}, 'Randers')"
        ))
        .await
        .unwrap();
    }
    if backend() == "postgres" {
        db.execute_unprepared("SELECT setval('area_id_seq', 3)")
            .await
            .unwrap();
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn add_user(&self, role: Role) -> String {
        let email = format!("{}-{}@test.invalid", role.as_str(), rand_suffix());
        store::create_user(
            &self.db,
            store::NewUser {
                email: &email,
                name: &format!("Test {}", role.label()),
                role,
                area_code: (role == Role::Therapist).then_some("nord"),
                phone: None,
                password: PASSWORD,
            },
            self.clock.now_utc(),
        )
        .await
        .unwrap();
        email
    }

    pub async fn token_for(&self, role: Role) -> String {
        let email = self.add_user(role).await;
        let user = store::find_user_by_email(&self.db, &email)
            .await
            .unwrap()
            .unwrap();
        store::create_api_token(&self.db, user.id, "test", self.clock.now_utc())
            .await
            .unwrap()
    }

    /// `GET path` with an API token.
    pub async fn get_with(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// `GET path` with an API token, read as JSON.
    pub async fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        self.get_with(path, token).await.json().await.unwrap()
    }

    /// `POST path` with an API token and a JSON body.
    pub async fn post_json_with(
        &self,
        path: &str,
        token: &str,
        body: &impl serde::Serialize,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// The CSRF token in the form of a page.
    pub async fn csrf_of(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        csrf_in(&html).unwrap_or_else(|| panic!("no csrf_token on {path}"))
    }

    /// Logs the app's own client in; returns the login response.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        login_with(self, &self.client, email, password).await
    }

    /// A new user of `role`, logged in with the app's client.
    pub async fn login_as(&self, role: Role) -> String {
        let email = self.add_user(role).await;
        let response = self.login(&email, PASSWORD).await;
        assert_eq!(response.status(), 303, "login as {role:?} failed");
        email
    }

    /// Posts a form from a logged-in page, with the page's CSRF token.
    pub async fn post_form(
        &self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = self.csrf_of(&self.client, form_page).await;
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf_token", &csrf));
        self.client
            .post(self.url(action))
            .form(&body)
            .send()
            .await
            .unwrap()
    }
}

pub async fn login_with(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let csrf = app.csrf_of(client, "/login").await;
    client
        .post(app.url("/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap()
}

pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// The value of a cookie in a response's Set-Cookie headers.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
}

pub trait NowUtc {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl NowUtc for FixedClock {
    fn now_utc(&self) -> DateTime<Utc> {
        depot::clock::Clock::now(self)
    }
}

/// Starts the real `depot` binary with `args` and `envs` on a free port; returns
/// the child and its base URL once it logs `listening on ADDR`.
pub fn spawn_depot(envs: &[(&str, &str)], args: &[&str]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_depot"));
    command
        .env_remove("DATABASE_URL")
        .env("DEPOT_BIND", "127.0.0.1:0")
        .env("DEPOT_LOG", "info")
        .env(
            "DEPOT_MAIL",
            format!(
                "file:{}",
                std::env::temp_dir().join("depot-cli-mail").display()
            ),
        )
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (k, v) in envs {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.split("listening on ").nth(1) {
                let _ = tx.send(addr.trim().to_owned());
            }
        }
    });
    let addr = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the server logs `listening on ADDR`");
    (child, format!("http://{addr}"))
}

/// A catalogue product for a test (ISO class and the rest are plausible defaults).
#[derive(Clone, Copy, Debug)]
pub struct ProductSpec<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kvik_eligible: bool,
    pub volume: i32,
    pub service_minutes: i32,
}

impl TestApp {
    pub async fn add_product(&self, spec: ProductSpec<'_>) -> entity::product::Model {
        use sea_orm::{ActiveModelTrait, Set};
        entity::product::ActiveModel {
            code: Set(spec.code.to_owned()),
            name: Set(spec.name.to_owned()),
            iso9999: Set("12 06 06".to_owned()),
            kvik_eligible: Set(spec.kvik_eligible),
            volume: Set(spec.volume),
            service_minutes: Set(spec.service_minutes),
            active: Set(true),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap()
    }

    pub async fn add_unit(&self, product_id: i32, serial: &str, status: &str) {
        use sea_orm::{ActiveModelTrait, Set};
        entity::unit::ActiveModel {
            product_id: Set(product_id),
            serial: Set(serial.to_owned()),
            status: Set(status.to_owned()),
            updated_at: Set(self.clock.now_utc()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap();
    }
}
