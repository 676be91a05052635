//! SQLite storage. Entities are stored as JSON documents keyed by (workspace, kind, id), with the
//! raw change log beside them. Every read and write takes the workspace id: tenancy is enforced
//! here, not in the handlers. Entities, lookups and the feed go through this module, the seam
//! where another database can follow; auth, idempotency, attachments and visitors still query
//! through sqlx directly.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool, Transaction};
use stepup_protocol::{Change, ChangeOp, Entity, EntityKind};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::ServerError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed) the database in `data_dir`, or an in-memory one, and migrates it.
pub async fn open(data_dir: Option<&Path>) -> Result<SqlitePool, ServerError> {
    let pool = match data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            let opts = SqliteConnectOptions::new()
                .filename(dir.join("stepup-cloud.db"))
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?
        }
        None => {
            // One connection: an in-memory database exists once per connection.
            let opts = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?
        }
    };
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Where an entity sits besides its id: its parent (conversation of a message) and a sort key.
#[derive(Debug, Clone, Default)]
pub struct Placement<'a> {
    pub parent_id: Option<&'a str>,
    pub sort_at: i64,
}

/// A write transaction on one workspace. Holding it excludes other writers, so sequence numbers
/// are handed out and committed in order; the changes are published after commit.
pub struct Writer {
    tx: Transaction<'static, sqlx::Sqlite>,
    _guard: OwnedMutexGuard<()>,
    workspace_id: String,
    now: i64,
    changes: Vec<Change>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("workspace_id", &self.workspace_id)
            .field("pending_changes", &self.changes.len())
            .finish()
    }
}

impl Writer {
    pub async fn begin(
        pool: &SqlitePool,
        lock: &Arc<Mutex<()>>,
        workspace_id: &str,
        now: i64,
    ) -> Result<Self, sqlx::Error> {
        let guard = lock.clone().lock_owned().await;
        // IMMEDIATE takes the write lock up front, so a read-then-write never fails to upgrade
        // when a write outside this lock (a login, an upload) committed in between.
        let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Self {
            tx,
            _guard: guard,
            workspace_id: workspace_id.to_owned(),
            now,
            changes: Vec::new(),
        })
    }

    pub fn workspace_id(&self) -> &str {
        &self.workspace_id
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    async fn next_seq(&mut self) -> Result<u64, sqlx::Error> {
        let seq: i64 = sqlx::query_scalar(
            "UPDATE workspaces SET seq_head = seq_head + 1 WHERE id = ? RETURNING seq_head",
        )
        .bind(&self.workspace_id)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(u64::try_from(seq).unwrap_or(0))
    }

    /// Stores a conversation (under its contact, ordered by creation) and
    /// appends the upsert to the feed.
    pub async fn put_conversation(
        &mut self,
        conv: &stepup_protocol::Conversation,
    ) -> Result<u64, sqlx::Error> {
        let placement = Placement {
            parent_id: Some(&conv.contact_id),
            sort_at: conv.created_at,
        };
        self.put(EntityKind::Conversation, &conv.id, placement, conv)
            .await
    }

    /// Stores a message (under its conversation, ordered by time) and
    /// appends the upsert to the feed.
    pub async fn put_message(
        &mut self,
        msg: &stepup_protocol::Message,
    ) -> Result<u64, sqlx::Error> {
        let placement = Placement {
            parent_id: Some(&msg.conversation_id),
            sort_at: msg.created_at,
        };
        self.put(EntityKind::Message, &msg.id, placement, msg).await
    }

    /// Stores the latest state of an entity and appends an upsert to the feed.
    pub async fn put<T: Serialize + Clone + Into<Entity>>(
        &mut self,
        kind: EntityKind,
        id: &str,
        placement: Placement<'_>,
        value: &T,
    ) -> Result<u64, sqlx::Error> {
        let text = serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let seq = self.next_seq().await?;
        sqlx::query(
            "INSERT INTO changes (workspace_id, seq, at, kind, entity_id, op, data) VALUES (?, ?, ?, ?, ?, 'upsert', ?)",
        )
        .bind(&self.workspace_id)
        .bind(seq as i64)
        .bind(self.now)
        .bind(kind.as_str())
        .bind(id)
        .bind(&text)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "INSERT INTO entities (workspace_id, kind, id, seq, deleted, data, parent_id, sort_at, updated_at)
             VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)
             ON CONFLICT (workspace_id, kind, id) DO UPDATE SET seq = excluded.seq, deleted = 0,
               data = excluded.data, parent_id = excluded.parent_id, sort_at = excluded.sort_at,
               updated_at = excluded.updated_at",
        )
        .bind(&self.workspace_id)
        .bind(kind.as_str())
        .bind(id)
        .bind(seq as i64)
        .bind(&text)
        .bind(placement.parent_id)
        .bind(placement.sort_at)
        .bind(self.now)
        .execute(&mut *self.tx)
        .await?;
        let change = Change::upsert(seq, self.now, id, value.clone());
        debug_assert_eq!(change.entity, kind);
        self.changes.push(change);
        Ok(seq)
    }

    /// Marks an entity deleted and appends a tombstone. Returns false when it did not exist.
    pub async fn delete(&mut self, kind: EntityKind, id: &str) -> Result<bool, sqlx::Error> {
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM entities WHERE workspace_id = ? AND kind = ? AND id = ? AND deleted = 0",
        )
        .bind(&self.workspace_id)
        .bind(kind.as_str())
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        if exists.is_none() {
            return Ok(false);
        }
        let seq = self.next_seq().await?;
        sqlx::query(
            "INSERT INTO changes (workspace_id, seq, at, kind, entity_id, op, data) VALUES (?, ?, ?, ?, ?, 'delete', NULL)",
        )
        .bind(&self.workspace_id)
        .bind(seq as i64)
        .bind(self.now)
        .bind(kind.as_str())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE entities SET seq = ?, deleted = 1, data = NULL, updated_at = ? WHERE workspace_id = ? AND kind = ? AND id = ?",
        )
        .bind(seq as i64)
        .bind(self.now)
        .bind(&self.workspace_id)
        .bind(kind.as_str())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        self.changes.push(Change {
            seq,
            at: self.now,
            entity: kind,
            id: id.to_owned(),
            op: ChangeOp::Delete,
            data: None,
        });
        Ok(true)
    }

    pub async fn get<T: DeserializeOwned>(
        &mut self,
        kind: EntityKind,
        id: &str,
    ) -> Result<Option<T>, sqlx::Error> {
        let ws = self.workspace_id.clone();
        get(&mut self.tx, &ws, kind, id).await
    }

    pub async fn lookup(
        &mut self,
        namespace: &str,
        key: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT value FROM lookup WHERE workspace_id = ? AND namespace = ? AND key = ?",
        )
        .bind(&self.workspace_id)
        .bind(namespace)
        .bind(key)
        .fetch_optional(&mut *self.tx)
        .await
    }

    pub async fn set_lookup(
        &mut self,
        namespace: &str,
        key: &str,
        value: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO lookup (workspace_id, namespace, key, value) VALUES (?, ?, ?, ?)
             ON CONFLICT (workspace_id, namespace, key) DO UPDATE SET value = excluded.value",
        )
        .bind(&self.workspace_id)
        .bind(namespace)
        .bind(key)
        .bind(value)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records a webhook delivery; false when it was seen before.
    pub async fn first_delivery(
        &mut self,
        channel: &str,
        event_key: &str,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "INSERT INTO webhook_dedupe (workspace_id, channel, event_key, received_at) VALUES (?, ?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(&self.workspace_id)
        .bind(channel)
        .bind(event_key)
        .bind(self.now)
        .execute(&mut *self.tx)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Commits, then publishes the changes in sequence order before releasing the write lock, so
    /// subscribers never see a later sequence number before an earlier one.
    pub async fn commit(
        self,
        publish: &tokio::sync::broadcast::Sender<Change>,
    ) -> Result<Vec<Change>, sqlx::Error> {
        let Writer {
            tx,
            _guard,
            changes,
            ..
        } = self;
        tx.commit().await?;
        for c in &changes {
            let _ = publish.send(c.clone());
        }
        drop(_guard);
        Ok(changes)
    }
}

pub async fn get<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    workspace_id: &str,
    kind: EntityKind,
    id: &str,
) -> Result<Option<T>, sqlx::Error> {
    let data: Option<String> = sqlx::query_scalar(
        "SELECT data FROM entities WHERE workspace_id = ? AND kind = ? AND id = ? AND deleted = 0",
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
    conn: &mut SqliteConnection,
    workspace_id: &str,
    kind: EntityKind,
) -> Result<Vec<T>, sqlx::Error> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT data FROM entities WHERE workspace_id = ? AND kind = ? AND deleted = 0 ORDER BY sort_at, id",
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
    conn: &mut SqliteConnection,
    workspace_id: &str,
    kind: EntityKind,
    parent_id: &str,
    before: Option<(i64, &str)>,
    limit: u32,
) -> Result<Vec<T>, sqlx::Error> {
    let (before_at, before_id) = before.unwrap_or((i64::MAX, ""));
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT data FROM entities WHERE workspace_id = ? AND kind = ? AND parent_id = ? AND deleted = 0
           AND (sort_at < ? OR (sort_at = ? AND id < ?))
         ORDER BY sort_at DESC, id DESC LIMIT ?",
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
    conn: &mut SqliteConnection,
    workspace_id: &str,
    kind: EntityKind,
    id: &str,
) -> Result<Option<(i64, Option<String>)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT sort_at, parent_id FROM entities WHERE workspace_id = ? AND kind = ? AND id = ? AND deleted = 0",
    )
    .bind(workspace_id)
    .bind(kind.as_str())
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.get::<i64, _>(0), r.get::<Option<String>, _>(1))))
}

/// Head and compaction horizon of a workspace's feed.
pub async fn feed_bounds(
    conn: &mut SqliteConnection,
    workspace_id: &str,
) -> Result<Option<(u64, u64)>, sqlx::Error> {
    let row = sqlx::query("SELECT seq_head, horizon FROM workspaces WHERE id = ?")
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
    conn: &mut SqliteConnection,
    workspace_id: &str,
    after: u64,
    limit: u32,
) -> Result<Vec<Change>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, at, kind, entity_id, op, data FROM changes WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?",
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
    conn: &mut SqliteConnection,
    workspace_id: &str,
    after: u64,
    limit: u32,
    messages_since: i64,
) -> Result<Vec<Change>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, updated_at, kind, id, deleted, data FROM entities
         WHERE workspace_id = ? AND seq > ? AND (deleted = 0 OR ? > 0)
           AND NOT (kind = 'message' AND sort_at < ?)
         ORDER BY seq LIMIT ?",
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
    conn: &mut SqliteConnection,
    workspace_id: &str,
    messages_since: i64,
) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entities
         WHERE workspace_id = ? AND deleted = 0 AND NOT (kind = 'message' AND sort_at < ?)",
    )
    .bind(workspace_id)
    .bind(messages_since)
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Drops raw log entries so that at most `keep` remain; returns the new horizon.
pub async fn compact(
    pool: &SqlitePool,
    lock: &Arc<Mutex<()>>,
    workspace_id: &str,
    keep: u64,
) -> Result<u64, sqlx::Error> {
    let _guard = lock.clone().lock_owned().await;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let Some((head, horizon)) = feed_bounds(&mut tx, workspace_id).await? else {
        return Ok(0);
    };
    let new_horizon = head.saturating_sub(keep).max(horizon);
    if new_horizon > horizon {
        sqlx::query("DELETE FROM changes WHERE workspace_id = ? AND seq <= ?")
            .bind(workspace_id)
            .bind(new_horizon as i64)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE workspaces SET horizon = ? WHERE id = ?")
            .bind(new_horizon as i64)
            .bind(workspace_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(new_horizon)
}
