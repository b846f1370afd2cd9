//! The database connection: SQLite (embedded default) or PostgreSQL.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Connects and applies the SQLite durability settings: WAL with
/// `synchronous=FULL` so an acknowledged write survives `kill -9` and power loss,
/// a busy timeout so concurrent writers wait instead of failing, foreign keys on.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // Statements are logged at debug (`DEPOT_LOG=sqlx=debug` shows them all) and
        // slow ones at warn, which the default filter keeps. sqlx logs the SQL text
        // with its placeholders, never the bound values, so no CPR reaches the log.
        .sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .sqlx_slow_statements_logging_settings(log::LevelFilter::Warn, Duration::from_millis(250))
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// The rows of `E` whose `column` is one of `ids`, keyed by `key` (usually the id):
/// the one batched query a list view makes per related table, rather than one query
/// per row. No ids, no query.
pub async fn rows_by<E, K>(
    db: &impl ConnectionTrait,
    column: E::Column,
    ids: impl IntoIterator<Item = i32>,
    key: impl Fn(&E::Model) -> K,
) -> Result<HashMap<K, E::Model>, DbErr>
where
    E: EntityTrait,
    K: Eq + Hash,
{
    let mut ids: Vec<i32> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(E::find()
        .filter(column.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (key(&row), row))
        .collect())
}

/// Starts a transaction that will write. On SQLite it takes the write lock at
/// once (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes
/// later fails with "database is locked" when another writer got in between,
/// while an immediate one simply waits for the busy timeout.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Applies all pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// True when the database answers a trivial query.
pub async fn is_alive(db: &DatabaseConnection) -> bool {
    let probe = tokio::time::timeout(Duration::from_secs(2), db.execute_unprepared("SELECT 1"));
    matches!(probe.await, Ok(Ok(_)))
}

pub fn is_postgres(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// Writes a consistent copy of a SQLite database to `file` while it is in use
/// (`VACUUM INTO` reads one snapshot). PostgreSQL has its own tools.
pub async fn backup(db: &DatabaseConnection, file: &std::path::Path) -> Result<(), DbErr> {
    if is_postgres(db) {
        return Err(DbErr::Custom(
            "backup of PostgreSQL: use pg_dump (or the server's own backups)".to_owned(),
        ));
    }
    if file.exists() {
        return Err(DbErr::Custom(format!("{} exists already", file.display())));
    }
    let path = file.to_string_lossy().replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{path}'"))
        .await?;
    Ok(())
}
