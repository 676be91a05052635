//! Reading entities and lookups.

use serde::de::DeserializeOwned;
use sqlx::{AnyConnection, Row};
use stepup_protocol::EntityKind;

/// One live entity.
pub async fn get<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    workspace_id: &str,
    kind: EntityKind,
    id: &str,
) -> Result<Option<T>, sqlx::Error> {
    let data: Option<String> = sqlx::query_scalar(
        "SELECT data FROM entities WHERE workspace_id = $1 AND kind = $2 AND id = $3 AND deleted = 0",
    )
    .bind(workspace_id)
    .bind(kind.as_str())
    .bind(id)
    .fetch_optional(conn)
    .await?;
    data.map(|d| serde_json::from_str(&d).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .transpose()
}

/// All live entities of a kind, ordered by sort key then id.
pub async fn list<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    workspace_id: &str,
    kind: EntityKind,
) -> Result<Vec<T>, sqlx::Error> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT data FROM entities WHERE workspace_id = $1 AND kind = $2 AND deleted = 0 ORDER BY sort_at, id",
    )
    .bind(workspace_id)
    .bind(kind.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|d| serde_json::from_str(d).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .collect()
}

/// Children of a parent (messages of a conversation), newest first, strictly before `before`
/// (a sort key) when given.
pub async fn children<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    workspace_id: &str,
    kind: EntityKind,
    parent_id: &str,
    before: Option<(i64, &str)>,
    limit: u32,
) -> Result<Vec<T>, sqlx::Error> {
    let (before_at, before_id) = before.unwrap_or((i64::MAX, ""));
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT data FROM entities WHERE workspace_id = $1 AND kind = $2 AND parent_id = $3 AND deleted = 0
           AND (sort_at < $4 OR (sort_at = $5 AND id < $6))
         ORDER BY sort_at DESC, id DESC LIMIT $7",
    )
    .bind(workspace_id)
    .bind(kind.as_str())
    .bind(parent_id)
    .bind(before_at)
    .bind(before_at)
    .bind(before_id)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|d| serde_json::from_str(d).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .collect()
}

/// The sort key of one entity, for `?before=<id>` pagination.
pub async fn sort_key(
    conn: &mut AnyConnection,
    workspace_id: &str,
    kind: EntityKind,
    id: &str,
) -> Result<Option<(i64, Option<String>)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT sort_at, parent_id FROM entities WHERE workspace_id = $1 AND kind = $2 AND id = $3 AND deleted = 0",
    )
    .bind(workspace_id)
    .bind(kind.as_str())
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.get::<i64, _>(0), r.get::<Option<String>, _>(1))))
}

/// A lookup value (`namespace`: `identity`, `conversation`, `pmid`, …) of a workspace.
pub async fn lookup(
    conn: &mut AnyConnection,
    workspace_id: &str,
    namespace: &str,
    key: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT value FROM lookup WHERE workspace_id = $1 AND namespace = $2 AND key = $3",
    )
    .bind(workspace_id)
    .bind(namespace)
    .bind(key)
    .fetch_optional(conn)
    .await
}
