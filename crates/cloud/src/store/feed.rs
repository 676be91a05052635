//! The change feed: bounds, the raw log, snapshot pages and compaction.

use std::sync::Arc;

use futures_util::TryStreamExt;
use serde::Serialize;
use serde_json::value::RawValue;
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

/// A change as the feed keeps it: the entity's document is the JSON text it was written as, so
/// a page goes out without reading every document into its type and writing it again. It
/// serialises exactly as [`Change`] does; [`StoredChange::typed`] reads it into one.
#[derive(Debug, Clone, Serialize)]
pub struct StoredChange {
    pub seq: u64,
    pub at: i64,
    pub entity: EntityKind,
    pub id: String,
    pub op: ChangeOp,
    pub data: Option<Box<RawValue>>,
    /// The entity's parent (a conversation's contact, a message's conversation), when read
    /// from the entities; not sent.
    #[serde(skip)]
    pub parent_id: Option<String>,
}

impl StoredChange {
    pub fn typed(self) -> Result<Change, sqlx::Error> {
        let data = self
            .data
            .map(|d| Entity::from_json(self.entity, d.get()))
            .transpose()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(Change {
            seq: self.seq,
            at: self.at,
            entity: self.entity,
            id: self.id,
            op: self.op,
            data,
        })
    }
}

/// What one page of the feed may still hold: so many changes, so many bytes of their
/// documents. A page holds at least one change, however large.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub changes: usize,
    pub bytes: usize,
}

impl Budget {
    pub fn spent(&self) -> bool {
        self.changes == 0 || self.bytes == 0
    }
}

/// Changes read within a budget, and whether more were left.
#[derive(Debug, Default)]
pub struct Rows {
    pub changes: Vec<StoredChange>,
    pub more: bool,
}

/// The kinds a workspace has few of and every screen needs (who the agents are, the labels,
/// the templates): a bootstrap sends them first, before the conversations.
pub const REFERENCE_KINDS: [EntityKind; 6] = [
    EntityKind::Workspace,
    EntityKind::Agent,
    EntityKind::Team,
    EntityKind::Label,
    EntityKind::CannedResponse,
    EntityKind::Template,
];

/// [`REFERENCE_KINDS`] as an SQL list (a unit test keeps the two the same).
macro_rules! reference_kinds {
    () => {
        "'workspace', 'agent', 'team', 'label', 'canned_response', 'template'"
    };
}

/// The columns [`read_rows`] reads, from `entities`.
macro_rules! entity_row {
    () => {
        "seq, updated_at, kind, id, deleted, data, parent_id"
    };
}

/// Runs `query`, whose rows are `(seq, at, kind, id, deleted, data, parent_id)`, and keeps rows while the
/// budget lasts (spending it). The query asks for one row more than the budget's count, so
/// `more` is known without a second query.
async fn read_rows<'q>(
    conn: &mut AnyConnection,
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    budget: &mut Budget,
) -> Result<Rows, sqlx::Error> {
    let mut out = Rows::default();
    let mut rows = query.fetch(conn);
    while let Some(r) = rows.try_next().await? {
        if budget.spent() {
            out.more = true;
            break;
        }
        let data: Option<String> = r.get(5);
        budget.changes -= 1;
        budget.bytes = budget
            .bytes
            .saturating_sub(data.as_ref().map_or(16, String::len));
        let kind: &str = r.get(2);
        let entity = EntityKind::parse(kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown entity kind {kind}").into()))?;
        out.changes.push(StoredChange {
            seq: u64::try_from(r.get::<i64, _>(0)).unwrap_or(0),
            at: r.get(1),
            entity,
            id: r.get(3),
            op: if r.get::<i64, _>(4) != 0 {
                ChangeOp::Delete
            } else {
                ChangeOp::Upsert
            },
            data: data
                .map(RawValue::from_string)
                .transpose()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            parent_id: r.get(6),
        });
    }
    Ok(out)
}

fn fetch_limit(budget: &Budget) -> i64 {
    i64::try_from(budget.changes.saturating_add(1)).unwrap_or(i64::MAX)
}

/// Raw log after `after`, in order, at most `limit` changes.
pub async fn changes_after(
    conn: &mut AnyConnection,
    workspace_id: &str,
    after: u64,
    limit: u32,
) -> Result<Vec<Change>, sqlx::Error> {
    let mut budget = Budget {
        changes: limit as usize,
        bytes: usize::MAX,
    };
    log_page(conn, workspace_id, after, &mut budget)
        .await?
        .changes
        .into_iter()
        .map(StoredChange::typed)
        .collect()
}

/// Raw log after `after`, in order, within `budget`.
pub async fn log_page(
    conn: &mut AnyConnection,
    workspace_id: &str,
    after: u64,
    budget: &mut Budget,
) -> Result<Rows, sqlx::Error> {
    let q = sqlx::query(
        "SELECT seq, at, kind, entity_id, CASE WHEN op = 'delete' THEN 1 ELSE 0 END, data,
           CAST(NULL AS TEXT)
         FROM changes WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(workspace_id)
    .bind(after as i64)
    .bind(fetch_limit(budget));
    read_rows(conn, q, budget).await
}

/// Compacted view: latest state per entity with seq > `after`, in order. Tombstones are left
/// out of a snapshot from the start (nothing to delete yet) and messages older than
/// `messages_since` are left out.
pub async fn snapshot_page(
    conn: &mut AnyConnection,
    workspace_id: &str,
    after: u64,
    messages_since: i64,
    budget: &mut Budget,
) -> Result<Rows, sqlx::Error> {
    let q = sqlx::query(concat!(
        "SELECT ",
        entity_row!(),
        " FROM entities
         WHERE workspace_id = $1 AND seq > $2 AND (deleted = 0 OR $3 > 0)
           AND NOT (kind = 'message' AND sort_at < $4)
         ORDER BY seq LIMIT $5"
    ))
    .bind(workspace_id)
    .bind(after as i64)
    .bind(after as i64)
    .bind(messages_since)
    .bind(fetch_limit(budget));
    read_rows(conn, q, budget).await
}

/// The reference kinds ([`REFERENCE_KINDS`]) as of `head`: those with `after < seq <= head`,
/// in order, without tombstones. (`+seq` keeps SQLite on the primary key, the few rows of these
/// kinds, rather than walking the whole feed in `seq` order to skip the rest.)
pub async fn reference_page(
    conn: &mut AnyConnection,
    workspace_id: &str,
    head: u64,
    after: u64,
    budget: &mut Budget,
) -> Result<Rows, sqlx::Error> {
    let q = sqlx::query(concat!(
        "SELECT ",
        entity_row!(),
        " FROM entities
         WHERE workspace_id = $1 AND kind IN (",
        reference_kinds!(),
        ") AND +seq > $2 AND +seq <= $3 AND deleted = 0
         ORDER BY +seq LIMIT $4"
    ))
    .bind(workspace_id)
    .bind(after as i64)
    .bind(head as i64)
    .bind(fetch_limit(budget));
    read_rows(conn, q, budget).await
}

/// Everything but the reference kinds and contacts with `seq < below`, newest change first,
/// without tombstones and without messages older than `messages_since`. A conversation's
/// latest change comes with or after its latest message, so the most recently active
/// conversations and their latest messages lead. (Contacts go with their conversations:
/// [`contacts_now`]; those without one, with [`lone_contacts_page`].)
pub async fn newest_page(
    conn: &mut AnyConnection,
    workspace_id: &str,
    below: u64,
    messages_since: i64,
    budget: &mut Budget,
) -> Result<Rows, sqlx::Error> {
    let q = sqlx::query(concat!(
        "SELECT ",
        entity_row!(),
        " FROM entities
         WHERE workspace_id = $1 AND seq < $2 AND deleted = 0 AND kind NOT IN (",
        reference_kinds!(),
        ", 'contact')
           AND NOT (kind = 'message' AND sort_at < $3)
         ORDER BY seq DESC LIMIT $4"
    ))
    .bind(workspace_id)
    .bind(i64::try_from(below).unwrap_or(i64::MAX))
    .bind(messages_since)
    .bind(fetch_limit(budget));
    read_rows(conn, q, budget).await
}

/// Contacts with `after < seq <= head` that no conversation belongs to, in order (read by
/// kind, as [`reference_page`] is).
pub async fn lone_contacts_page(
    conn: &mut AnyConnection,
    workspace_id: &str,
    head: u64,
    after: u64,
    budget: &mut Budget,
) -> Result<Rows, sqlx::Error> {
    let q = sqlx::query(
        "SELECT e.seq, e.updated_at, e.kind, e.id, e.deleted, e.data, e.parent_id FROM entities e
         WHERE e.workspace_id = $1 AND e.kind = 'contact' AND +e.seq > $2 AND +e.seq <= $3
           AND e.deleted = 0
           AND NOT EXISTS (SELECT 1 FROM entities c WHERE c.workspace_id = $1
                 AND c.kind = 'conversation' AND c.parent_id = e.id AND c.deleted = 0)
         ORDER BY +e.seq LIMIT $4",
    )
    .bind(workspace_id)
    .bind(after as i64)
    .bind(head as i64)
    .bind(fetch_limit(budget));
    read_rows(conn, q, budget).await
}

/// The current state of these contacts (those not deleted), as upserts.
pub async fn contacts_now(
    conn: &mut AnyConnection,
    workspace_id: &str,
    ids: &[&str],
) -> Result<Vec<StoredChange>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        concat!(
            "SELECT ",
            entity_row!(),
            " FROM entities
         WHERE workspace_id = $1 AND kind = 'contact' AND deleted = 0 AND id IN ({})"
        ),
        marks.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(workspace_id);
    for id in ids {
        q = q.bind(*id);
    }
    let mut budget = Budget {
        changes: usize::MAX,
        bytes: usize::MAX,
    };
    Ok(read_rows(conn, q, &mut budget).await?.changes)
}

/// How many changes a snapshot from the start holds (see `snapshot_page`).
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

#[cfg(test)]
mod tests {
    use super::REFERENCE_KINDS;

    #[test]
    fn the_sql_list_of_reference_kinds_is_the_list() {
        let listed: Vec<String> = REFERENCE_KINDS
            .iter()
            .map(|k| format!("'{}'", k.as_str()))
            .collect();
        assert_eq!(reference_kinds!(), listed.join(", "));
    }
}
