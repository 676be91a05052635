//! Queries over conversations that read inside their documents.

use sqlx::SqlitePool;

/// Snoozed conversations whose `snoozed_until` is at or before `now`: `(workspace, id)`.
pub async fn due_snoozed(
    pool: &SqlitePool,
    now: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT workspace_id, id FROM entities WHERE kind = 'conversation' AND deleted = 0
           AND json_extract(data, '$.status') = 'snoozed'
           AND json_extract(data, '$.snoozed_until') <= ?",
    )
    .bind(now)
    .fetch_all(pool)
    .await
}

/// How many conversations a workspace holds.
pub async fn count(pool: &SqlitePool, workspace_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM entities WHERE workspace_id = ? AND kind = 'conversation'",
    )
    .bind(workspace_id)
    .fetch_one(pool)
    .await
}
