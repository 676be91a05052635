//! The assistant's documents and the record of calls to a model.

use sqlx::{AnyPool, Row};
use stepup_protocol::{AiLogEntry, AiOutcome, AiPurpose, KnowledgeDocument};

pub async fn documents(
    pool: &AnyPool,
    workspace_id: &str,
) -> Result<Vec<KnowledgeDocument>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, title, body, created_at FROM knowledge_documents
         WHERE workspace_id = $1 ORDER BY created_at, id",
    )
    .bind(workspace_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| KnowledgeDocument {
            id: r.get(0),
            title: r.get(1),
            text: r.get(2),
            created_at: r.get(3),
        })
        .collect())
}

pub async fn count_documents(pool: &AnyPool, workspace_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM knowledge_documents WHERE workspace_id = $1")
        .bind(workspace_id)
        .fetch_one(pool)
        .await
}

pub async fn insert_document(
    pool: &AnyPool,
    workspace_id: &str,
    d: &KnowledgeDocument,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO knowledge_documents (id, workspace_id, title, body, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&d.id)
    .bind(workspace_id)
    .bind(&d.title)
    .bind(&d.text)
    .bind(d.created_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn delete_document(
    pool: &AnyPool,
    workspace_id: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("DELETE FROM knowledge_documents WHERE workspace_id = $1 AND id = $2")
        .bind(workspace_id)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn record_call(
    pool: &AnyPool,
    workspace_id: &str,
    e: &AiLogEntry,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO model_calls (workspace_id, at, purpose, conversation_id, model,
            messages_sent, chars_sent, outcome, latency_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(workspace_id)
    .bind(e.at)
    .bind(e.purpose.as_str())
    .bind(&e.conversation_id)
    .bind(&e.model)
    .bind(i64::from(e.messages_sent))
    .bind(i64::from(e.chars_sent))
    .bind(e.outcome.as_str())
    .bind(i64::from(e.latency_ms))
    .execute(pool)
    .await?;
    Ok(())
}

/// The newest calls first, at most `limit`, before `before` when given.
pub async fn calls(
    pool: &AnyPool,
    workspace_id: &str,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<AiLogEntry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT at, purpose, conversation_id, model, messages_sent, chars_sent, outcome, latency_ms
         FROM model_calls WHERE workspace_id = $1 AND at < $2
         ORDER BY at DESC, id DESC LIMIT $3",
    )
    .bind(workspace_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(AiLogEntry {
                at: r.get(0),
                purpose: AiPurpose::parse(r.get::<String, _>(1).as_str())?,
                conversation_id: r.get(2),
                model: r.get(3),
                messages_sent: u32::try_from(r.get::<i64, _>(4)).unwrap_or(0),
                chars_sent: u32::try_from(r.get::<i64, _>(5)).unwrap_or(0),
                outcome: AiOutcome::parse(r.get::<String, _>(6).as_str())?,
                latency_ms: u32::try_from(r.get::<i64, _>(7)).unwrap_or(0),
            })
        })
        .collect())
}
