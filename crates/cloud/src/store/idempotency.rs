//! Idempotency keys of sent messages: the request's hash and the response first given.

use sqlx::AnyConnection;

/// The answer recorded for an idempotency key.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub request_hash: String,
    pub status: i64,
    pub response: String,
}

/// The answer recorded for `(workspace, agent, key)`, if the key was used.
pub async fn find(
    conn: &mut AnyConnection,
    workspace_id: &str,
    agent_id: &str,
    key: &str,
) -> Result<Option<Recorded>, sqlx::Error> {
    let row: Option<(String, i64, String)> = sqlx::query_as("SELECT request_hash, status, response FROM idempotency WHERE workspace_id = $1 AND agent_id = $2 AND key = $3")
        .bind(workspace_id)
        .bind(agent_id)
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(request_hash, status, response)| Recorded {
        request_hash,
        status,
        response,
    }))
}

/// Records the `201 Created` answer given for a key.
pub async fn record_created(
    conn: &mut AnyConnection,
    workspace_id: &str,
    agent_id: &str,
    key: &str,
    request_hash: &str,
    response: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO idempotency (workspace_id, agent_id, key, request_hash, status, response, created_at) VALUES ($1, $2, $3, $4, 201, $5, $6)")
        .bind(workspace_id)
        .bind(agent_id)
        .bind(key)
        .bind(request_hash)
        .bind(response)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
