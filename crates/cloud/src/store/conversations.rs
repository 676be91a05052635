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

/// Open and pending conversations per assigned agent of a workspace: `(agent, count)`.
pub async fn open_per_agent(
    conn: &mut sqlx::SqliteConnection,
    workspace_id: &str,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT json_extract(data, '$.assignee_agent_id') AS agent, COUNT(*) FROM entities
          WHERE workspace_id = ? AND kind = 'conversation' AND deleted = 0
            AND json_extract(data, '$.status') IN ('open', 'pending') AND agent IS NOT NULL
          GROUP BY agent",
    )
    .bind(workspace_id)
    .fetch_all(conn)
    .await
}
