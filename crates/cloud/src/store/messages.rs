//! Queries over messages that read inside their documents (direction, status, text).

use sqlx::{AnyConnection, AnyPool};

use super::Dialect;
use stepup_protocol::Message;

/// How many customer messages of a conversation come after the message `(at, id)`.
pub async fn inbound_after(
    conn: &mut AnyConnection,
    workspace_id: &str,
    conversation_id: &str,
    at: i64,
    id: &str,
) -> Result<i64, sqlx::Error> {
    let sql = match Dialect::of_conn(conn) {
        Dialect::Sqlite => {
            "SELECT COUNT(*) FROM entities WHERE workspace_id = $1 AND kind = 'message' AND parent_id = $2 AND deleted = 0
               AND (sort_at > $3 OR (sort_at = $4 AND id > $5)) AND json_extract(data, '$.direction') = 'inbound'"
        }
        Dialect::Postgres => {
            "SELECT COUNT(*) FROM entities WHERE workspace_id = $1 AND kind = 'message' AND parent_id = $2 AND deleted = 0
               AND (sort_at > $3 OR (sort_at = $4 AND id > $5)) AND data::jsonb ->> 'direction' = 'inbound'"
        }
    };
    sqlx::query_scalar(sql)
        .bind(workspace_id)
        .bind(conversation_id)
        .bind(at)
        .bind(at)
        .bind(id)
        .fetch_one(conn)
        .await
}

/// The latest customer message of a conversation: `(id, sort_at)`.
pub async fn last_inbound(
    conn: &mut AnyConnection,
    workspace_id: &str,
    conversation_id: &str,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    let sql = match Dialect::of_conn(conn) {
        Dialect::Sqlite => {
            "SELECT id, sort_at FROM entities WHERE workspace_id = $1 AND kind = 'message' AND parent_id = $2 AND deleted = 0
               AND json_extract(data, '$.direction') = 'inbound' ORDER BY sort_at DESC, id DESC LIMIT 1"
        }
        Dialect::Postgres => {
            "SELECT id, sort_at FROM entities WHERE workspace_id = $1 AND kind = 'message' AND parent_id = $2 AND deleted = 0
               AND data::jsonb ->> 'direction' = 'inbound' ORDER BY sort_at DESC, id DESC LIMIT 1"
        }
    };
    sqlx::query_as(sql)
        .bind(workspace_id)
        .bind(conversation_id)
        .fetch_optional(conn)
        .await
}

/// The id of the message just before `(at, id)` in a conversation.
pub async fn previous(
    conn: &mut AnyConnection,
    workspace_id: &str,
    conversation_id: &str,
    at: i64,
    id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM entities WHERE workspace_id = $1 AND kind = 'message' AND parent_id = $2 AND deleted = 0
           AND (sort_at < $3 OR (sort_at = $4 AND id < $5)) ORDER BY sort_at DESC, id DESC LIMIT 1",
    )
    .bind(workspace_id)
    .bind(conversation_id)
    .bind(at)
    .bind(at)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The texts of the workspace's latest 500 agent replies, most recent first.
pub async fn past_replies(
    conn: &mut AnyConnection,
    workspace_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = match Dialect::of_conn(conn) {
        Dialect::Sqlite => {
            "SELECT json_extract(data, '$.content.text') FROM entities WHERE workspace_id = $1 AND kind = 'message' AND deleted = 0
               AND json_extract(data, '$.direction') = 'outbound' AND json_extract(data, '$.content.type') = 'text'
             ORDER BY sort_at DESC, id DESC LIMIT 500"
        }
        Dialect::Postgres => {
            "SELECT data::jsonb #>> '{content,text}' FROM entities WHERE workspace_id = $1 AND kind = 'message' AND deleted = 0
               AND data::jsonb ->> 'direction' = 'outbound' AND data::jsonb #>> '{content,type}' = 'text'
             ORDER BY sort_at DESC, id DESC LIMIT 500"
        }
    };
    sqlx::query_scalar(sql)
        .bind(workspace_id)
        .fetch_all(conn)
        .await
}

/// Outbound messages of a conversation created at or before `watermark` that are not yet read
/// or failed (at most 500, newest first).
pub async fn outbound_up_to(
    conn: &mut AnyConnection,
    workspace_id: &str,
    conversation_id: &str,
    watermark: i64,
) -> Result<Vec<Message>, sqlx::Error> {
    let sql = match Dialect::of_conn(conn) {
        Dialect::Sqlite => {
            "SELECT data FROM entities WHERE workspace_id = $1 AND kind = 'message' AND parent_id = $2 AND deleted = 0
               AND sort_at <= $3 AND json_extract(data, '$.direction') = 'outbound'
               AND json_extract(data, '$.status') IN ('pending', 'sent', 'delivered')
             ORDER BY sort_at DESC LIMIT 500"
        }
        Dialect::Postgres => {
            "SELECT data FROM entities WHERE workspace_id = $1 AND kind = 'message' AND parent_id = $2 AND deleted = 0
               AND sort_at <= $3 AND data::jsonb ->> 'direction' = 'outbound'
               AND data::jsonb ->> 'status' IN ('pending', 'sent', 'delivered')
             ORDER BY sort_at DESC LIMIT 500"
        }
    };
    let rows: Vec<String> = sqlx::query_scalar(sql)
        .bind(workspace_id)
        .bind(conversation_id)
        .bind(watermark)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|d| serde_json::from_str(d).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .collect()
}

/// Up to three recent outbound messages on WhatsApp, Messenger or Instagram whose provider
/// would report a next status (sent, or delivered on WhatsApp), oldest first:
/// `(provider message id, status, channel)`.
pub async fn awaiting_status(
    pool: &AnyPool,
    workspace_id: &str,
    since: i64,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    let sql = match Dialect::of_pool(pool) {
        Dialect::Sqlite => {
            "SELECT json_extract(m.data, '$.provider_message_id'), json_extract(m.data, '$.status'),
                    json_extract(c.data, '$.channel')
             FROM entities m JOIN entities c
               ON c.workspace_id = m.workspace_id AND c.kind = 'conversation' AND c.id = m.parent_id
             WHERE m.workspace_id = $1 AND m.kind = 'message' AND m.deleted = 0 AND m.sort_at > $2
               AND json_extract(m.data, '$.direction') = 'outbound'
               AND json_extract(m.data, '$.provider_message_id') IS NOT NULL
               AND (json_extract(m.data, '$.status') = 'sent'
                    OR (json_extract(m.data, '$.status') = 'delivered' AND json_extract(c.data, '$.channel') = 'whatsapp'))
               AND json_extract(c.data, '$.channel') IN ('whatsapp', 'messenger', 'instagram')
             ORDER BY m.sort_at LIMIT 3"
        }
        Dialect::Postgres => {
            "SELECT m.doc ->> 'provider_message_id', m.doc ->> 'status', c.doc ->> 'channel'
             FROM (SELECT workspace_id, parent_id, sort_at, data::jsonb AS doc FROM entities
                    WHERE workspace_id = $1 AND kind = 'message' AND deleted = 0 AND sort_at > $2) m
             JOIN (SELECT workspace_id, id, data::jsonb AS doc FROM entities
                    WHERE workspace_id = $1 AND kind = 'conversation') c
               ON c.workspace_id = m.workspace_id AND c.id = m.parent_id
             WHERE m.doc ->> 'direction' = 'outbound'
               AND m.doc ->> 'provider_message_id' IS NOT NULL
               AND (m.doc ->> 'status' = 'sent'
                    OR (m.doc ->> 'status' = 'delivered' AND c.doc ->> 'channel' = 'whatsapp'))
               AND c.doc ->> 'channel' IN ('whatsapp', 'messenger', 'instagram')
             ORDER BY m.sort_at LIMIT 3"
        }
    };
    sqlx::query_as(sql)
        .bind(workspace_id)
        .bind(since)
        .fetch_all(pool)
        .await
}

/// The workspace's messages created in `[from, to)`, oldest first, after `(at, id)`.
pub async fn in_range(
    pool: &AnyPool,
    workspace_id: &str,
    from: i64,
    to: i64,
    after: Option<(i64, &str)>,
    limit: u32,
) -> Result<Vec<Message>, sqlx::Error> {
    let (after_at, after_id) = after.unwrap_or((from, ""));
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT data FROM entities WHERE workspace_id = $1 AND kind = 'message' AND deleted = 0
           AND sort_at >= $2 AND sort_at < $3 AND (sort_at > $4 OR (sort_at = $5 AND id > $6))
         ORDER BY sort_at, id LIMIT $7",
    )
    .bind(workspace_id)
    .bind(from)
    .bind(to)
    .bind(after_at)
    .bind(after_at)
    .bind(after_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|d| serde_json::from_str(d).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .collect()
}
