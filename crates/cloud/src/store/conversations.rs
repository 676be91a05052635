//! Queries over conversations that read inside their documents.

use sqlx::AnyPool;

use super::Dialect;

/// Snoozed conversations whose `snoozed_until` is at or before `now`: `(workspace, id)`.
pub async fn due_snoozed(pool: &AnyPool, now: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(match Dialect::of_pool(pool) {
        Dialect::Sqlite => {
            "SELECT workspace_id, id FROM entities WHERE kind = 'conversation' AND deleted = 0
               AND json_extract(data, '$.status') = 'snoozed'
               AND json_extract(data, '$.snoozed_until') <= $1"
        }
        Dialect::Postgres => {
            "SELECT workspace_id, id FROM entities WHERE kind = 'conversation' AND deleted = 0
               AND data::jsonb ->> 'status' = 'snoozed'
               AND (data::jsonb ->> 'snoozed_until')::bigint <= $1"
        }
    })
    .bind(now)
    .fetch_all(pool)
    .await
}

/// How many conversations a workspace holds.
pub async fn count(pool: &AnyPool, workspace_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM entities WHERE workspace_id = $1 AND kind = 'conversation'",
    )
    .bind(workspace_id)
    .fetch_one(pool)
    .await
}

/// Open and pending conversations per assigned agent of a workspace: `(agent, count)`.
pub async fn open_per_agent(
    conn: &mut sqlx::AnyConnection,
    workspace_id: &str,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let sql = match Dialect::of_conn(conn) {
        Dialect::Sqlite => {
            "SELECT json_extract(data, '$.assignee_agent_id') AS agent, COUNT(*) FROM entities
              WHERE workspace_id = $1 AND kind = 'conversation' AND deleted = 0
                AND json_extract(data, '$.status') IN ('open', 'pending') AND agent IS NOT NULL
              GROUP BY agent"
        }
        Dialect::Postgres => {
            "SELECT data::jsonb ->> 'assignee_agent_id' AS agent, COUNT(*) FROM entities
              WHERE workspace_id = $1 AND kind = 'conversation' AND deleted = 0
                AND data::jsonb ->> 'status' IN ('open', 'pending')
                AND data::jsonb ->> 'assignee_agent_id' IS NOT NULL
              GROUP BY agent"
        }
    };
    sqlx::query_as(sql).bind(workspace_id).fetch_all(conn).await
}
