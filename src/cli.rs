//! The `depot` command line: serve, migrate, user, token and the capability
//! commands of the contract.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::auth::{Role, store};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::startup::{Application, shutdown_signal};

#[derive(Parser, Debug)]
#[command(
    name = "depot",
    version,
    about = "Hjælpemiddeldepot: bestillinger, §140-lån, Kvik Service og kørsler"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the web service (applies pending migrations first).
    Serve {
        /// Seed a demo municipality when the database is empty.
        #[arg(long)]
        demo: bool,
        /// Listen address; overrides DEPOT_BIND.
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Overdue loan lists.
    Overdue {
        #[command(subcommand)]
        action: OverdueAction,
    },
    /// Make a consistent copy of a running SQLite database (restore: stop the
    /// service, put the copy in place of the database file, start it again).
    Backup {
        /// Where to write the copy; must not exist yet.
        file: std::path::PathBuf,
    },
    /// Personal data retention.
    Retention {
        #[command(subcommand)]
        action: RetentionAction,
    },
    /// Import data from other systems.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Benchmarks (no database needed).
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
}

#[derive(Subcommand, Debug)]
enum BenchWhat {
    /// Run the route planner on every VRPLIB VRPTW instance in DIR (gap to the .sol beside it).
    Routing {
        dir: std::path::PathBuf,
        /// Seconds per instance.
        #[arg(long, default_value = "5")]
        time_limit: f64,
    },
    /// Plan generated depot days (30-150 stops around Randers) and print the figures.
    Days {
        #[arg(long, default_value = "10")]
        count: usize,
        #[arg(long, default_value = "1")]
        seed: u64,
        /// Seconds per day (default: the depot's own budget, 0.95 s up to 100
        /// stops, then a second more per stop, at most 10 s).
        #[arg(long)]
        time_limit: Option<f64>,
        /// Save each day's problem and our figures here (for bench/vroom_compare.py).
        #[arg(long)]
        write: Option<std::path::PathBuf>,
        /// The planner's own random seed (the days stay the same): how much a
        /// result owes to luck.
        #[arg(long, default_value = "1")]
        planner_seed: u64,
        /// Stop each search after this many iterations instead of at the time limit:
        /// the plans repeat exactly, and `seconds` measures the planner's speed.
        #[arg(long)]
        iterations: Option<u64>,
    },
}

#[derive(Subcommand, Debug)]
enum UserAction {
    /// Add a user; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, depot, coordinator, therapist, visitator or driver
        #[arg(long)]
        role: String,
        /// nord, syd or vest (required for therapists)
        #[arg(long)]
        area: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum TokenAction {
    /// Create an API token for a user and print it once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

#[derive(Subcommand, Debug)]
enum RetentionAction {
    /// Delete citizens whose retention period has passed (DEPOT_RETENTION_DAYS).
    Run,
}

#[derive(Subcommand, Debug)]
enum OverdueAction {
    /// Draw and send the overdue lists of every area now.
    Send,
}

#[derive(Subcommand, Debug)]
enum ImportWhat {
    /// Import existing loans from a CSV file.
    Loans {
        file: std::path::PathBuf,
        /// Import the valid lines even when some lines are wrong.
        #[arg(long)]
        partial: bool,
    },
}

/// Exit codes: 0 done, 1 the command failed, 2 a bad setting or usage.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    if let Command::Bench { what } = &cli.command {
        return bench(what);
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("depot: invalid setting {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("depot: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("depot: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DEPOT_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(command: Command, mut config: Config) -> Result<ExitCode, String> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match command {
        Command::Serve { demo, bind } => {
            if let Some(bind) = bind {
                config.bind = match bind.parse() {
                    Ok(addr) => addr,
                    Err(_) => {
                        eprintln!(
                            "depot: invalid setting --bind: expected an address such as 127.0.0.1:8080"
                        );
                        return Ok(ExitCode::from(2));
                    }
                };
            }
            let app = Application::build(config, clock.clone())
                .await
                .map_err(|e| e.to_string())?;
            if demo {
                let seeded = crate::demo::seed_if_empty(&app.state().db, clock.now())
                    .await
                    .map_err(|e| format!("demo data: {e}"))?;
                print_demo_logins(&seeded);
            }
            app.run_until(shutdown_signal())
                .await
                .map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let db = crate::db::connect(&config.database_url)
                .await
                .map_err(|e| e.to_string())?;
            crate::db::migrate(&db).await.map_err(|e| e.to_string())?;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            action:
                UserAction::Add {
                    email,
                    name,
                    role,
                    area,
                },
        } => {
            let Some(role) = Role::parse(&role) else {
                eprintln!(
                    "depot: --role must be one of admin, depot, coordinator, therapist, visitator, driver"
                );
                return Ok(ExitCode::from(2));
            };
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']);
            let db = connect_migrated(&config).await?;
            let user = store::create_user(
                &db,
                store::NewUser {
                    email: &email,
                    name: &name,
                    role,
                    area_code: area.as_deref(),
                    phone: None,
                    password,
                },
                clock.now(),
            )
            .await
            .map_err(describe)?;
            println!("user {} added with role {}", user.email, user.role);
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            action: TokenAction::Create { email, label },
        } => {
            let db = connect_migrated(&config).await?;
            let user = store::find_user_by_email(&db, &email)
                .await
                .map_err(describe)?
                .ok_or_else(|| format!("no user with e-mail {email}"))?;
            let token = store::create_api_token(&db, user.id, &label, clock.now())
                .await
                .map_err(describe)?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file } => {
            let db = crate::db::connect(&config.database_url)
                .await
                .map_err(|e| e.to_string())?;
            crate::db::backup(&db, &file)
                .await
                .map_err(|e| e.to_string())?;
            println!("backup written to {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Retention {
            action: RetentionAction::Run,
        } => {
            let db = connect_migrated(&config).await?;
            let deleted =
                crate::privacy::store::delete_expired(&db, clock.now(), config.retention_days)
                    .await
                    .map_err(describe)?;
            println!(
                "{deleted} citizens deleted after {} days without activity",
                config.retention_days
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Overdue {
            action: OverdueAction::Send,
        } => crate::loans::cli::overdue_send(config, clock).await,
        Command::Import {
            what: ImportWhat::Loans { file, partial },
        } => crate::loans::cli::import_loans(config, clock, &file, partial).await,
        Command::Bench { what } => Ok(bench(&what)),
    }
}

/// Benchmarks need no settings, database or runtime: they run before any of those.
fn bench(what: &BenchWhat) -> ExitCode {
    use crate::delivery::planner::bench;
    let mut out = std::io::stdout().lock();
    let result = match what {
        BenchWhat::Routing { dir, time_limit } => bench::routing(dir, *time_limit, &mut out),
        BenchWhat::Days {
            count,
            seed,
            time_limit,
            write,
            planner_seed,
            iterations,
        } => bench::days(
            &bench::DaysRun {
                count: *count,
                seed: *seed,
                planner_seed: *planner_seed,
                time_limit: *time_limit,
                iterations: *iterations,
            },
            write.as_deref(),
            &mut out,
        ),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("depot: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn connect_migrated(config: &Config) -> Result<sea_orm::DatabaseConnection, String> {
    let db = crate::db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    crate::db::migrate(&db).await.map_err(|e| e.to_string())?;
    Ok(db)
}

/// A one-line explanation of an error for the terminal, naming invalid fields.
fn describe(err: crate::error::AppError) -> String {
    match err {
        crate::error::AppError::Validation { fields, .. } => fields
            .into_iter()
            .map(|(field, messages)| format!("{field}: {}", messages.join(", ")))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn print_demo_logins(seeded: &[crate::demo::DemoLogin]) {
    if seeded.is_empty() {
        println!("demo: the database already has data; nothing seeded");
        return;
    }
    println!("demo: seeded a demo municipality. Log in with:");
    for login in seeded {
        println!(
            "  {:<12} {:<32} {}",
            login.role, login.email, login.password
        );
    }
}
