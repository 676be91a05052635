//! Workspace rows and the server's settings (a key-value table: the webhook workspace, channel
//! account routes, the demo workspace).

use sqlx::AnyPool;

/// Stores a new workspace row (its feed starts empty).
pub async fn insert(
    pool: &AnyPool,
    id: &str,
    name: &str,
    time_zone: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO workspaces (id, name, time_zone, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(name)
        .bind(time_zone)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

/// Every workspace id.
pub async fn ids(pool: &AnyPool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM workspaces")
        .fetch_all(pool)
        .await
}

/// A setting's value.
pub async fn setting(pool: &AnyPool, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(pool)
        .await
}

/// A setting's value, read on a given connection (inside a write transaction).
pub async fn setting_in(
    conn: &mut sqlx::AnyConnection,
    key: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await
}

/// Sets a setting, replacing its value.
pub async fn set_setting(pool: &AnyPool, key: &str, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(pool)
    .await?;
    Ok(())
}

/// Sets a setting unless it already has a value.
pub async fn set_setting_once(pool: &AnyPool, key: &str, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(pool)
        .await?;
    Ok(())
}
