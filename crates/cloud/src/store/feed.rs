//! The change feed: bounds, the raw log, snapshot pages and compaction.

use std::sync::Arc;

use sqlx::{AnyConnection, AnyPool, Row};
use stepup_protocol::{Change, ChangeOp, Entity, EntityKind};
use tokio::sync::Mutex;

/// Head and compaction horizon of a workspace's feed.
pub async fn feed_bounds(
    conn: &mut AnyConnection,
    workspace_id: &str,
) -> Result<Option<(u64, u64)>, sqlx::Error> {
    let row = sqlx::query("SELECT seq_head, horizon FROM workspaces WHERE id = $1")
        .bind(workspace_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| {
        (
            u64::try_from(r.get::<i64, _>(0)).unwrap_or(0),
            u64::try_from(r.get::<i64, _>(1)).unwrap_or(0),
        )
    }))
}

fn row_to_change(
    seq: i64,
    at: i64,
    kind: &str,
    id: String,
    deleted: bool,
    data: Option<String>,
) -> Result<Change, sqlx::Error> {
    let entity = EntityKind::parse(kind)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown entity kind {kind}").into()))?;
    let data = data
        .map(|d| Entity::from_json(entity, &d))
        .transpose()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Change {
        seq: u64::try_from(seq).unwrap_or(0),
        at,
        entity,
        id,
        op: if deleted {
            ChangeOp::Delete
        } else {
            ChangeOp::Upsert
        },
        data,
    })
}

/// Raw log after `after`, in order.
pub async fn changes_after(
    conn: &mut AnyConnection,
    workspace_id: &str,
    after: u64,
    limit: u32,
) -> Result<Vec<Change>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, at, kind, entity_id, op, data FROM changes WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(workspace_id)
    .bind(after as i64)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let op: String = r.get(4);
            row_to_change(
                r.get(0),
                r.get(1),
                r.get::<&str, _>(2),
                r.get(3),
                op == "delete",
                r.get(5),
            )
        })
        .collect()
}

/// Compacted view: latest state per entity with seq > `after`. Tombstones are left out of the
/// first page (nothing to delete yet) and messages older than `messages_since` are left out.
pub async fn snapshot_after(
    conn: &mut AnyConnection,
    workspace_id: &str,
    after: u64,
    limit: u32,
    messages_since: i64,
) -> Result<Vec<Change>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, updated_at, kind, id, deleted, data FROM entities
         WHERE workspace_id = $1 AND seq > $2 AND (deleted = 0 OR $3 > 0)
           AND NOT (kind = 'message' AND sort_at < $4)
         ORDER BY seq LIMIT $5",
    )
    .bind(workspace_id)
    .bind(after as i64)
    .bind(after as i64)
    .bind(messages_since)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            row_to_change(
                r.get(0),
                r.get(1),
                r.get::<&str, _>(2),
                r.get(3),
                r.get::<i64, _>(4) != 0,
                r.get(5),
            )
        })
        .collect()
}

/// How many changes a snapshot from the start holds (see `snapshot_after`).
pub async fn snapshot_size(
    conn: &mut AnyConnection,
    workspace_id: &str,
    messages_since: i64,
) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entities
         WHERE workspace_id = $1 AND deleted = 0 AND NOT (kind = 'message' AND sort_at < $2)",
    )
    .bind(workspace_id)
    .bind(messages_since)
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Drops raw log entries so that at most `keep` remain; returns the new horizon.
pub async fn compact(
    pool: &AnyPool,
    lock: &Arc<Mutex<()>>,
    workspace_id: &str,
    keep: u64,
) -> Result<u64, sqlx::Error> {
    let _guard = lock.clone().lock_owned().await;
    let mut tx = super::begin_write(pool, &super::workspace_scope(workspace_id)).await?;
    let Some((head, horizon)) = feed_bounds(&mut tx, workspace_id).await? else {
        return Ok(0);
    };
    let new_horizon = head.saturating_sub(keep).max(horizon);
    if new_horizon > horizon {
        sqlx::query("DELETE FROM changes WHERE workspace_id = $1 AND seq <= $2")
            .bind(workspace_id)
            .bind(new_horizon as i64)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE workspaces SET horizon = $1 WHERE id = $2")
            .bind(new_horizon as i64)
            .bind(workspace_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(new_horizon)
}
