//! Web Chat visitors and their tokens (stored as digests).

use sqlx::AnyPool;

/// The visitor holding a token: `(id, workspace, name)`.
pub async fn by_token(
    pool: &AnyPool,
    token_hash: &str,
) -> Result<Option<(String, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as("SELECT id, workspace_id, name FROM visitors WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await
}

/// Stores a new visitor.
pub async fn insert(
    pool: &AnyPool,
    id: &str,
    workspace_id: &str,
    token_hash: &str,
    name: Option<&str>,
    language: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO visitors (id, workspace_id, token_hash, name, language, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(workspace_id)
        .bind(token_hash)
        .bind(name)
        .bind(language)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}
