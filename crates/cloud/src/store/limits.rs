//! Limits shared by every node of one PostgreSQL database: failed sign-ins (`login_strikes`)
//! and one-minute budgets (`budgets`). One SQLite node keeps them in memory instead
//! (`crate::limits`).

use sqlx::AnyPool;

/// Counts a failure against `key` (failures older than `window` forgotten once no wait runs)
/// and returns how many it now has.
pub async fn strike(pool: &AnyPool, key: &str, now: i64, window: i64) -> Result<u32, sqlx::Error> {
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO login_strikes (key, failures, last_at, until_at) VALUES ($1, 1, $2, 0)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN $2 - login_strikes.last_at > $3 AND login_strikes.until_at <= $2
                      THEN 1 ELSE login_strikes.failures + 1 END,
           last_at = $2
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .bind(window)
    .fetch_one(pool)
    .await?;
    Ok(u32::try_from(failures).unwrap_or(u32::MAX))
}

/// `key` must wait until `until`.
pub async fn hold(pool: &AnyPool, key: &str, until: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_strikes SET until_at = $2 WHERE key = $1")
        .bind(key)
        .bind(until)
        .execute(pool)
        .await?;
    Ok(())
}

/// The latest time any of `keys` must wait until (0: none).
pub async fn held_until(pool: &AnyPool, keys: &[String; 2]) -> Result<i64, sqlx::Error> {
    let until: Option<i64> =
        sqlx::query_scalar("SELECT max(until_at) FROM login_strikes WHERE key IN ($1, $2)")
            .bind(&keys[0])
            .bind(&keys[1])
            .fetch_one(pool)
            .await?;
    Ok(until.unwrap_or(0))
}

/// Forgets `key`'s failures.
pub async fn forgive(pool: &AnyPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_strikes WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Spends one from `key`'s budget for `minute`; returns how many it has spent this minute,
/// this one included.
pub async fn spend(pool: &AnyPool, key: &str, minute: i64) -> Result<u32, sqlx::Error> {
    let used: i64 = sqlx::query_scalar(
        "INSERT INTO budgets (key, minute, used) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           used = CASE WHEN budgets.minute = $2 THEN budgets.used + 1 ELSE 1 END,
           minute = $2
         RETURNING used",
    )
    .bind(key)
    .bind(minute)
    .fetch_one(pool)
    .await?;
    Ok(u32::try_from(used).unwrap_or(u32::MAX))
}

/// Drops strikes with no wait left and last seen before `strikes_before`, and budgets of
/// minutes before `minute`.
pub async fn prune(
    pool: &AnyPool,
    strikes_before: i64,
    now: i64,
    minute: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_strikes WHERE until_at <= $1 AND last_at < $2")
        .bind(now)
        .bind(strikes_before)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM budgets WHERE minute < $1")
        .bind(minute)
        .execute(pool)
        .await?;
    Ok(())
}
