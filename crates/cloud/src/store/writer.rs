//! The write transaction on one workspace.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::{AnyConnection, AnyPool, Transaction};
use stepup_protocol::{Change, ChangeOp, Entity, EntityKind};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{Placement, get, lookup};

/// A write transaction on one workspace. Holding it excludes other writers, so sequence numbers
/// are handed out and committed in order; the changes are published after commit.
pub struct Writer {
    tx: Transaction<'static, sqlx::Any>,
    _guard: OwnedMutexGuard<()>,
    workspace_id: String,
    now: i64,
    changes: Vec<Change>,
    outgoing: Vec<Outgoing>,
    assist: Vec<AssistJob>,
}

/// A message the cloud itself sends (an away reply), stored in the transaction and handed to
/// the channel once it commits.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub channel: stepup_protocol::Channel,
    pub recipient: String,
    pub message: stepup_protocol::Message,
}

/// A customer message the assistant answers once the transaction that stored it commits.
#[derive(Debug, Clone)]
pub struct AssistJob {
    pub workspace_id: String,
    pub conversation_id: String,
    pub message_id: String,
    pub recipient: String,
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
        pool: &AnyPool,
        lock: &Arc<Mutex<()>>,
        workspace_id: &str,
        now: i64,
    ) -> Result<Self, sqlx::Error> {
        let guard = lock.clone().lock_owned().await;
        // The write lock is taken up front (on SQLite the database's, on PostgreSQL the
        // workspace's, across every node), so a read-then-write never acts on a stale read and
        // sequence numbers are handed out and committed in order.
        let tx = super::begin_write(pool, &super::workspace_scope(workspace_id)).await?;
        Ok(Self {
            tx,
            _guard: guard,
            workspace_id: workspace_id.to_owned(),
            now,
            changes: Vec::new(),
            outgoing: Vec::new(),
            assist: Vec::new(),
        })
    }

    pub fn workspace_id(&self) -> &str {
        &self.workspace_id
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    /// Sends `outgoing` on its channel after the commit (not at all if it rolls back).
    pub fn send_after_commit(&mut self, outgoing: Outgoing) {
        self.outgoing.push(outgoing);
    }

    pub fn take_outgoing(&mut self) -> Vec<Outgoing> {
        std::mem::take(&mut self.outgoing)
    }

    /// Hands `job` to the assistant after the commit (not at all if it rolls back).
    pub fn assist_after_commit(&mut self, job: AssistJob) {
        self.assist.push(job);
    }

    pub fn take_assist(&mut self) -> Vec<AssistJob> {
        std::mem::take(&mut self.assist)
    }

    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    async fn next_seq(&mut self) -> Result<u64, sqlx::Error> {
        let seq: i64 = sqlx::query_scalar(
            "UPDATE workspaces SET seq_head = seq_head + 1 WHERE id = $1 RETURNING seq_head",
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
            "INSERT INTO changes (workspace_id, seq, at, kind, entity_id, op, data) VALUES ($1, $2, $3, $4, $5, 'upsert', $6)",
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
             VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8)
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

    /// Stores many entities at once, in the given order, each with its id and placement (its
    /// parent and sort time): the same rows and changes as `put` for each, written with a few
    /// multi-row statements. For filling a workspace in bulk (imports, benchmarks).
    pub async fn put_batch(
        &mut self,
        items: Vec<(String, Option<String>, i64, Entity)>,
    ) -> Result<(), sqlx::Error> {
        // Well under both databases' limits on bound parameters per statement.
        const ROWS: usize = 200;
        if items.is_empty() {
            return Ok(());
        }
        let last: i64 = sqlx::query_scalar(
            "UPDATE workspaces SET seq_head = seq_head + $2 WHERE id = $1 RETURNING seq_head",
        )
        .bind(&self.workspace_id)
        .bind(items.len() as i64)
        .fetch_one(&mut *self.tx)
        .await?;
        let first = last - items.len() as i64 + 1;
        let mut texts = Vec::with_capacity(items.len());
        for (_, _, _, e) in &items {
            texts.push(serde_json::to_string(e).map_err(|e| sqlx::Error::Encode(Box::new(e)))?);
        }
        let marks = |row: usize, width: usize| {
            let cols: Vec<String> = (1..=width)
                .map(|c| format!("${}", row * width + c))
                .collect();
            format!("({})", cols.join(", "))
        };
        for (chunk, start) in items.chunks(ROWS).zip((0..).step_by(ROWS)) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|r| marks(r, 6).replacen(')', ", 'upsert')", 1))
                .collect();
            let sql = format!(
                "INSERT INTO changes (workspace_id, seq, at, kind, entity_id, data, op) VALUES {}",
                rows.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, (id, _, _, e)) in chunk.iter().enumerate() {
                q = q
                    .bind(&self.workspace_id)
                    .bind(first + (start + i) as i64)
                    .bind(self.now)
                    .bind(e.kind().as_str())
                    .bind(id)
                    .bind(&texts[start + i]);
            }
            q.execute(&mut *self.tx).await?;
            let rows: Vec<String> = (0..chunk.len()).map(|r| marks(r, 8)).collect();
            let sql = format!(
                "INSERT INTO entities (workspace_id, kind, id, seq, data, parent_id, sort_at, updated_at)
                 VALUES {}
                 ON CONFLICT (workspace_id, kind, id) DO UPDATE SET seq = excluded.seq, deleted = 0,
                   data = excluded.data, parent_id = excluded.parent_id, sort_at = excluded.sort_at,
                   updated_at = excluded.updated_at",
                rows.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, (id, parent, sort_at, e)) in chunk.iter().enumerate() {
                q = q
                    .bind(&self.workspace_id)
                    .bind(e.kind().as_str())
                    .bind(id)
                    .bind(first + (start + i) as i64)
                    .bind(&texts[start + i])
                    .bind(parent.as_deref())
                    .bind(*sort_at)
                    .bind(self.now);
            }
            q.execute(&mut *self.tx).await?;
        }
        for (i, (id, _, _, e)) in items.into_iter().enumerate() {
            self.changes
                .push(Change::upsert((first + i as i64) as u64, self.now, id, e));
        }
        Ok(())
    }

    /// Marks an entity deleted and appends a tombstone. Returns false when it did not exist.
    pub async fn delete(&mut self, kind: EntityKind, id: &str) -> Result<bool, sqlx::Error> {
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM entities WHERE workspace_id = $1 AND kind = $2 AND id = $3 AND deleted = 0",
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
            "INSERT INTO changes (workspace_id, seq, at, kind, entity_id, op, data) VALUES ($1, $2, $3, $4, $5, 'delete', NULL)",
        )
        .bind(&self.workspace_id)
        .bind(seq as i64)
        .bind(self.now)
        .bind(kind.as_str())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE entities SET seq = $1, deleted = 1, data = NULL, updated_at = $2 WHERE workspace_id = $3 AND kind = $4 AND id = $5",
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
        let ws = self.workspace_id.clone();
        lookup(&mut self.tx, &ws, namespace, key).await
    }

    pub async fn set_lookup(
        &mut self,
        namespace: &str,
        key: &str,
        value: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO lookup (workspace_id, namespace, key, value) VALUES ($1, $2, $3, $4)
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
            "INSERT INTO webhook_dedupe (workspace_id, channel, event_key, received_at) VALUES ($1, $2, $3, $4)
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

    /// Commits. On SQLite (one node) it then publishes the changes in sequence order before
    /// releasing the write lock, so subscribers never see a later sequence number before an
    /// earlier one. On PostgreSQL the commit notifies every node (`crate::relay`), and each reads
    /// the changes back from the feed in order.
    pub async fn commit(
        self,
        publish: &tokio::sync::broadcast::Sender<Change>,
    ) -> Result<Vec<Change>, sqlx::Error> {
        let Writer {
            mut tx,
            _guard,
            changes,
            workspace_id,
            ..
        } = self;
        let dialect = super::Dialect::of_conn(&tx);
        if let (super::Dialect::Postgres, Some(first)) = (dialect, changes.first()) {
            super::notify(
                &mut *tx,
                crate::relay::FEED_CHANNEL,
                &format!("{workspace_id} {}", first.seq),
            )
            .await?;
        }
        tx.commit().await?;
        if dialect == super::Dialect::Sqlite {
            for c in &changes {
                let _ = publish.send(c.clone());
            }
        }
        drop(_guard);
        Ok(changes)
    }
}
