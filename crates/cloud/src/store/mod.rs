//! SQLite storage, the one module that speaks SQL: the seam where another database can follow.
//! Entities are stored as JSON documents keyed by (workspace, kind, id), with the raw change log
//! beside them. Every read and write of workspace data takes the workspace id: tenancy is
//! enforced here, not in the handlers.
//!
//! - `writer`: [`Writer`], the write transaction on one workspace that appends to the feed.
//! - `entities`: reading entities (one, all of a kind, children of a parent) and lookups.
//! - `feed`: the change feed's bounds, raw log, snapshot pages and compaction.
//! - `conversations`, `messages`: the queries over conversations and messages that read inside
//!   their documents (snoozed ones due, unread counts, past replies, delivery watermarks).
//! - `workspaces`: workspace rows and server settings (webhook routing, the demo workspace).
//! - `auth`: credentials, sessions, access tokens and retired refresh tokens.
//! - `idempotency`, `attachments`, `visitors`: the tables of one feature each.
//! - `limits`: sign-in strikes and one-minute budgets shared by the nodes of one PostgreSQL
//!   database; [`notify`] tells those nodes what changed (the feed, ended sessions, activity).

pub mod assistant;
pub mod attachments;
pub mod auth;
pub mod broadcasts;
pub mod connections;
pub mod conversations;
mod entities;
mod feed;
pub mod idempotency;
pub mod limits;
pub mod messages;
pub mod visitors;
pub mod workspaces;
mod writer;

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Executor};

pub use self::entities::{children, get, list, lookup, sort_key};
pub use self::feed::{
    Budget, REFERENCE_KINDS, Rows, StoredChange, changes_after, compact, contacts_now, feed_bounds,
    log_page, lone_contacts_page, newest_page, reference_page, snapshot_page, snapshot_size,
};
pub use self::writer::{AssistJob, Outgoing, Writer};
use crate::error::ServerError;
use crate::secret::Secret;

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The SQL a database speaks. Most statements are written once, in the subset both share
/// (`$1` parameters, `ON CONFLICT`, `RETURNING`, `IS NOT DISTINCT FROM`); the few that differ
/// (reading inside JSON documents, taking the write lock) ask which one they talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn of_backend(name: &str) -> Self {
        if name.eq_ignore_ascii_case("PostgreSQL") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }

    pub fn of_pool(pool: &AnyPool) -> Self {
        match pool.connect_options().database_url.scheme() {
            "postgres" | "postgresql" => Self::Postgres,
            _ => Self::Sqlite,
        }
    }

    pub fn of_conn(conn: &AnyConnection) -> Self {
        Self::of_backend(conn.backend_name())
    }
}

/// Where the cloud keeps its data.
#[derive(Debug, Clone, Copy)]
pub enum Location<'a> {
    /// SQLite: a file in this folder, or (`None`) in memory.
    Sqlite(Option<&'a Path>),
    /// A PostgreSQL database (`postgres://…`), created when it does not exist yet.
    Postgres(&'a Secret),
}

/// Opens (creating if needed) the database and migrates it.
pub async fn open(location: Location<'_>) -> Result<AnyPool, ServerError> {
    sqlx::any::install_default_drivers();
    let pool = match location {
        Location::Sqlite(Some(dir)) => {
            std::fs::create_dir_all(dir)?;
            let url = SqliteConnectOptions::new()
                .filename(dir.join("stepup-cloud.db"))
                .create_if_missing(true)
                .to_url_lossy();
            AnyPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect_with(AnyConnectOptions::from_url(&url)?)
                .await?
        }
        Location::Sqlite(None) => {
            // One connection: an in-memory database exists once per connection.
            AnyPoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("PRAGMA foreign_keys = ON;").await?;
                        Ok(())
                    })
                })
                .connect("sqlite::memory:")
                .await?
        }
        Location::Postgres(url) => {
            let url = url.expose();
            use sqlx::migrate::MigrateDatabase;
            if !sqlx::Any::database_exists(url).await? {
                // Two nodes starting at once may both try; the second finds it made.
                if let Err(e) = sqlx::Any::create_database(url).await
                    && !sqlx::Any::database_exists(url).await?
                {
                    return Err(e.into());
                }
            }
            AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await?
        }
    };
    let migrator = match Dialect::of_pool(&pool) {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    };
    migrator.run(&pool).await?;
    Ok(pool)
}

/// Begins a transaction that holds the database's write lock from its first statement, so a
/// read-then-write never acts on what another writer changed in between. SQLite has one
/// writer (`BEGIN IMMEDIATE`); PostgreSQL takes a transaction-scoped advisory lock named by
/// `scope` (a workspace, or the sign-in tables), so writers of different scopes run at once.
pub async fn begin_write<'c>(
    pool: &AnyPool,
    scope: &str,
) -> Result<sqlx::Transaction<'c, sqlx::Any>, sqlx::Error> {
    match Dialect::of_pool(pool) {
        Dialect::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Dialect::Postgres => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT 1 FROM pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(scope)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// The write-lock scope of sign-ins, sessions and tokens.
pub const AUTH_SCOPE: &str = "auth";

/// The write-lock scope of one workspace's data and feed.
pub fn workspace_scope(workspace_id: &str) -> String {
    format!("workspace:{workspace_id}")
}

/// Notifies the other nodes of one PostgreSQL database on `channel` (`LISTEN`ed to by each
/// node's relay, see `relay.rs`): at once, or with the transaction `executor` is, at its commit.
pub async fn notify<'e, E: Executor<'e, Database = sqlx::Any>>(
    executor: E,
    channel: &str,
    payload: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 FROM pg_notify($1, $2)")
        .bind(channel)
        .bind(payload)
        .execute(executor)
        .await?;
    Ok(())
}

/// Where an entity sits besides its id: its parent (conversation of a message) and a sort key.
#[derive(Debug, Clone, Default)]
pub struct Placement<'a> {
    pub parent_id: Option<&'a str>,
    pub sort_at: i64,
}

/// Deletes bookkeeping nobody needs any more: webhook dedupe records received before
/// `dedupe_before`, idempotency keys created before `idempotency_before`, access tokens expired
/// before `tokens_before`.
pub async fn prune(
    pool: &AnyPool,
    dedupe_before: i64,
    idempotency_before: i64,
    tokens_before: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM webhook_dedupe WHERE received_at < $1")
        .bind(dedupe_before)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM idempotency WHERE created_at < $1")
        .bind(idempotency_before)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM access_tokens WHERE expires_at < $1")
        .bind(tokens_before)
        .execute(pool)
        .await?;
    Ok(())
}
