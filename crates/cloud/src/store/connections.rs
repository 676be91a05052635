//! Channel connections (credentials sealed by the caller) and the count of deliveries for
//! accounts no workspace has connected.

use serde::Serialize;
use sqlx::{AnyPool, Row};
use stepup_protocol::Channel;

/// A connection as an admin sees it: never its credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    pub id: String,
    pub workspace_id: String,
    pub channel: Channel,
    /// WhatsApp phone number id, Page id, Instagram account id, Telegram bot id, TikTok
    /// business id.
    pub account_id: String,
    pub name: String,
    pub created_at: i64,
}

fn row_to_connection(row: &sqlx::any::AnyRow) -> Option<(Connection, Vec<u8>)> {
    let channel: String = row.get("channel");
    Some((
        Connection {
            id: row.get("id"),
            workspace_id: row.get("workspace_id"),
            channel: Channel::parse(&channel)?,
            account_id: row.get("account_id"),
            name: row.get("name"),
            created_at: row.get("created_at"),
        },
        row.get("sealed"),
    ))
}

/// `SELECT` of every column, then the rest of the statement (a literal: no dynamic SQL).
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, workspace_id, channel, account_id, name, sealed, created_at FROM connections ",
            $rest
        )
    };
}

pub async fn insert(pool: &AnyPool, c: &Connection, sealed: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO connections (id, workspace_id, channel, account_id, name, sealed, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&c.id)
    .bind(&c.workspace_id)
    .bind(c.channel.as_str())
    .bind(&c.account_id)
    .bind(&c.name)
    .bind(sealed)
    .bind(c.created_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn by_account(
    pool: &AnyPool,
    channel: Channel,
    account_id: &str,
) -> Result<Option<(Connection, Vec<u8>)>, sqlx::Error> {
    let row = sqlx::query(select!("WHERE channel = $1 AND account_id = $2"))
        .bind(channel.as_str())
        .bind(account_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().and_then(row_to_connection))
}

pub async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<(Connection, Vec<u8>)>, sqlx::Error> {
    let row = sqlx::query(select!("WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().and_then(row_to_connection))
}

pub async fn of_workspace(
    pool: &AnyPool,
    workspace_id: &str,
) -> Result<Vec<(Connection, Vec<u8>)>, sqlx::Error> {
    let rows = sqlx::query(select!("WHERE workspace_id = $1 ORDER BY created_at, id"))
        .bind(workspace_id)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().filter_map(row_to_connection).collect())
}

/// Whether any workspace has connected an account on this channel.
pub async fn any_for_channel(pool: &AnyPool, channel: Channel) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM connections WHERE channel = $1 LIMIT 1")
            .bind(channel.as_str())
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

pub async fn count_unrouted(
    pool: &AnyPool,
    channel: Channel,
    account_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO unrouted_webhooks (channel, account_id, count, last_at) VALUES ($1, $2, 1, $3)
         ON CONFLICT (channel, account_id) DO UPDATE SET count = unrouted_webhooks.count + 1, last_at = excluded.last_at",
    )
    .bind(channel.as_str())
    .bind(account_id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn unrouted(
    pool: &AnyPool,
    channel: Channel,
    account_id: &str,
) -> Result<i64, sqlx::Error> {
    Ok(sqlx::query_scalar(
        "SELECT count FROM unrouted_webhooks WHERE channel = $1 AND account_id = $2",
    )
    .bind(channel.as_str())
    .bind(account_id)
    .fetch_optional(pool)
    .await?
    .unwrap_or(0))
}
