//! Builds the application: connects and migrates the database, binds the port
//! (0 in tests) and assembles the router with its layers.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::net::TcpListener;

use crate::auth::guard::Kind;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppError;
use crate::notify::{self, mailer::Mailer};
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects to the configured database, applies migrations and binds.
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> Result<Self, StartError> {
        let db = crate::db::connect(&config.database_url).await?;
        crate::db::migrate(&db).await?;
        Self::build_with(db, config, clock).await
    }

    /// Binds with an already migrated database (tests share this path).
    pub async fn build_with(
        db: DatabaseConnection,
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartError> {
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.bind,
                source,
            })?;
        Ok(Self {
            listener,
            state: AppState::new(db, clock, config),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.state.config.bind)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes: then stops taking requests, finishes
    /// those in flight, lets the mail worker finish its batch and gives back the
    /// leases it still holds.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = self.state.clone();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut background = Vec::new();
        if state.config.background {
            let mailer = Mailer::from_config(&state.config.mail).map_err(std::io::Error::other)?;
            background.push(tokio::spawn(notify::worker::run(
                state.clone(),
                mailer,
                stopped.clone(),
            )));
            background.push(tokio::spawn(notify::schedule::run(state.clone(), stopped)));
        }
        tracing::info!("listening on {}", self.local_addr());
        let app = router(self.state);
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        let _ = stop.send(true);
        for task in background {
            let _ = task.await;
        }
        match notify::store::release_leases(&state.db, &state.instance).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("gave back {n} emails for another instance to send"),
            Err(e) => {
                tracing::warn!(error = %e, "could not give back mail leases; they expire on their own")
            }
        }
        served
    }
}

/// The whole HTTP surface as a pure function of the state.
pub fn router(state: AppState) -> Router {
    let tls = state.config.served_over_tls();
    crate::routes::build(&state)
        .fallback(not_found)
        .layer(from_fn_with_state(tls, security_headers))
        .layer(from_fn(access_log))
        .layer(DefaultBodyLimit::max(4 * 1024 * 1024))
        .with_state(state)
}

async fn not_found(req: Request) -> Response {
    Kind::of(req.uri().path()).error(AppError::NotFound)
}

/// One line per request: method, route pattern (never the raw path or query, which
/// could carry personal data), status and time.
async fn access_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(target: "depot::http", "{method} {route} {} {ms:.1}ms", response.status().as_u16());
    response
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Security headers on every response; `no-store` on everything but static files,
/// because most pages show personal data.
async fn security_headers(
    axum::extract::State(tls): axum::extract::State<bool>,
    req: Request,
    next: Next,
) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if tls {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    if is_static {
        set(header::CACHE_CONTROL, "public, max-age=3600");
    } else {
        set(header::CACHE_CONTROL, "no-store");
    }
    response
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
    // Give in-flight requests a bound, so a hung client cannot hold the stop forever.
    tokio::spawn(async {
        tokio::time::sleep(Duration::from_secs(20)).await;
        tracing::warn!("requests still running after 20 s; stopping anyway");
        std::process::exit(0);
    });
}
