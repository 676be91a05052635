//! The outbox: messages this agent wrote, kept until the cloud has accepted
//! them. Sending writes here first (the message shows at once as pending);
//! the sync engine then sends each entry with its idempotency key, so a
//! retry after a crash or a timeout never creates a second message.

use serde::Serialize;
use stepup_protocol::{Message, SendMessageRequest};

use crate::{Result, Store, StoreError};
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Failed,
}

/// What a conversation's timeline shows, read at one moment (see [`Store::timeline_snapshot`]).
#[derive(Debug, Clone)]
pub struct TimelineSnapshot {
    /// The latest messages, oldest first.
    pub messages: Vec<Message>,
    /// Its outbox entries, oldest first.
    pub outbox: Vec<OutboxEntry>,
    /// The cache holds messages older than the first of `messages`.
    pub older_cached: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboxEntry {
    pub local_id: String,
    pub idempotency_key: String,
    pub conversation_id: String,
    pub request: SendMessageRequest,
    pub state: OutboxState,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub error: Option<String>,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
);

fn entry(row: Row) -> Result<OutboxEntry> {
    let (
        local_id,
        idempotency_key,
        conversation_id,
        request,
        state,
        attempts,
        next_attempt_at,
        created_at,
        error,
    ) = row;
    Ok(OutboxEntry {
        local_id,
        idempotency_key,
        conversation_id,
        request: serde_json::from_str(&request)?,
        state: if state == "failed" {
            OutboxState::Failed
        } else {
            OutboxState::Pending
        },
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_at,
        created_at,
        error,
    })
}

const COLUMNS: &str = "local_id, idempotency_key, conversation_id, request, state, attempts, next_attempt_at, created_at, error";

impl Store {
    /// Queues a message. `local_id` and `idempotency_key` come from the
    /// caller (random in the app, fixed in tests).
    pub async fn enqueue(
        &self,
        local_id: &str,
        idempotency_key: &str,
        conversation_id: &str,
        request: &SendMessageRequest,
        now: i64,
    ) -> Result<OutboxEntry> {
        sqlx::query(
            "INSERT INTO outbox (local_id, idempotency_key, conversation_id, request, state, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, 'pending', ?, ?)",
        )
        .bind(local_id)
        .bind(idempotency_key)
        .bind(conversation_id)
        .bind(serde_json::to_string(request)?)
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await?;
        self.outbox_entry(local_id)
            .await?
            .ok_or_else(|| StoreError::Data("outbox entry vanished".into()))
    }

    pub async fn outbox_entry(&self, local_id: &str) -> Result<Option<OutboxEntry>> {
        let row: Option<Row> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM outbox WHERE local_id = ?"
        )))
        .bind(local_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(entry).transpose()
    }

    /// Every entry, oldest first (pending and failed).
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM outbox ORDER BY created_at, local_id"
        )))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(entry).collect()
    }

    /// A conversation's latest `limit` messages (oldest first) and its
    /// outbox entries, read in one transaction: a message the cloud accepts
    /// meanwhile is in exactly one of the two, never both or neither.
    pub async fn timeline_snapshot(
        &self,
        conversation_id: &str,
        limit: u32,
    ) -> Result<TimelineSnapshot> {
        let limit = limit.max(1);
        let mut tx = self.pool().begin().await?;
        let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM outbox WHERE conversation_id = ? ORDER BY created_at, local_id"
        )))
        .bind(conversation_id)
        .fetch_all(&mut *tx)
        .await?;
        // One more than asked for, to know whether the cache holds older ones.
        let mut messages: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM (SELECT data, created_at, id FROM messages
                WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT ?)
             ORDER BY created_at, id",
        )
        .bind(conversation_id)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let older_cached = messages.len() > limit as usize;
        if older_cached {
            messages.remove(0);
        }
        let messages = messages
            .iter()
            .map(|d| serde_json::from_str(d).map_err(StoreError::from))
            .collect::<Result<Vec<Message>>>()?;
        let outbox = rows.into_iter().map(entry).collect::<Result<Vec<_>>>()?;
        Ok(TimelineSnapshot {
            messages,
            outbox,
            older_cached,
        })
    }

    /// Pending entries due at `now`, oldest first.
    pub async fn outbox_due(&self, now: i64) -> Result<Vec<OutboxEntry>> {
        let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY created_at, local_id"
        )))
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(entry).collect()
    }

    /// The earliest time a pending entry is due, if any.
    pub async fn outbox_next_due(&self) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// The cloud accepted the entry: store its message and drop the entry,
    /// in one transaction.
    pub async fn outbox_accepted(&self, local_id: &str, message: &Message) -> Result<()> {
        let mut tx = self.write_tx().await?;
        // The change feed may have brought this message first, already further along (a Web Chat
        // reply is `sent` before the POST's answer arrives): the answer's copy is never newer.
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM messages WHERE id = ?")
            .bind(&message.id)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            crate::apply::upsert_message(&mut tx, message).await?;
        }
        sqlx::query("DELETE FROM outbox WHERE local_id = ?")
            .bind(local_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A transient failure: try again at `next_attempt_at`.
    pub async fn outbox_retry_later(
        &self,
        local_id: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, error = ? WHERE local_id = ? AND state = 'pending'",
        )
        .bind(next_attempt_at)
        .bind(error)
        .bind(local_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A permanent failure (or 24 hours of transient ones): shown as failed
    /// with the reason until the agent retries or discards it.
    pub async fn outbox_failed(&self, local_id: &str, error: &str) -> Result<()> {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, state = 'failed', error = ? WHERE local_id = ?")
            .bind(error)
            .bind(local_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The agent asked to try a failed message again (same idempotency key).
    pub async fn outbox_retry_now(&self, local_id: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET state = 'pending', next_attempt_at = ?, created_at = ?, error = NULL
             WHERE local_id = ? AND state = 'failed'",
        )
        .bind(now)
        .bind(now)
        .bind(local_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn outbox_discard(&self, local_id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM outbox WHERE local_id = ?")
            .bind(local_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
