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

pub mod assistant;
pub mod attachments;
pub mod auth;
pub mod broadcasts;
pub mod connections;
pub mod conversations;
mod entities;
mod feed;
pub mod idempotency;
pub mod messages;
pub mod visitors;
pub mod workspaces;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use self::entities::{children, get, list, lookup, sort_key};
pub use self::feed::{changes_after, compact, feed_bounds, snapshot_after, snapshot_size};
pub use self::writer::{AssistJob, Outgoing, Writer};
use crate::error::ServerError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed) the database in `data_dir`, or an in-memory one, and migrates it.
pub async fn open(data_dir: Option<&Path>) -> Result<SqlitePool, ServerError> {
    let pool = match data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            let opts = SqliteConnectOptions::new()
                .filename(dir.join("stepup-cloud.db"))
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?
        }
        None => {
            // One connection: an in-memory database exists once per connection.
            let opts = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?
        }
    };
    MIGRATOR.run(&pool).await?;
    Ok(pool)
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
    pool: &SqlitePool,
    dedupe_before: i64,
    idempotency_before: i64,
    tokens_before: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM webhook_dedupe WHERE received_at < ?")
        .bind(dedupe_before)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM idempotency WHERE created_at < ?")
        .bind(idempotency_before)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM access_tokens WHERE expires_at < ?")
        .bind(tokens_before)
        .execute(pool)
        .await?;
    Ok(())
}
