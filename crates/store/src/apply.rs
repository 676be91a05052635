//! Applying the change feed. Each page is applied in one transaction together
//! with its cursor, so a change is applied exactly once even if the process
//! dies part-way: either the page and its cursor are in, or neither is.

use sqlx::AssertSqlSafe;
use sqlx::{QueryBuilder, Sqlite, Transaction};
use stepup_protocol::{Change, ChangeOp, Contact, Conversation, Entity, EntityKind, Message, Note};

use crate::search::{empty_indexes, index_contacts, index_messages, index_note};
use crate::{Result, Store, StoreError};

const CURSOR_KEY: &str = "sync.cursor";
const BOOTSTRAPPED_KEY: &str = "sync.bootstrapped";
const FORMAT_KEY: &str = "cache.format";

/// The format of the synced data in the cache (the wire entities as stored). A cache of another
/// format syncs again on open. 2: conversations carry a typed preview, attachments a typed kind.
pub const CACHE_FORMAT: &str = "2";

/// Deletes every synced row and sets the cursor back to the start; the outbox stays.
async fn forget_synced(tx: &mut Transaction<'_, Sqlite>) -> Result<()> {
    empty_indexes(tx).await?;
    for table in [
        "assistant_notes",
        "conversation_labels",
        "messages",
        "notes",
        "conversations",
        "contacts",
        "entities",
    ] {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut **tx)
            .await?;
    }
    set_meta(tx, CURSOR_KEY, "0").await?;
    set_meta(tx, BOOTSTRAPPED_KEY, "0").await
}

/// Where the cache stands in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncCursor {
    /// The cursor to pass as `after` (`"0"` before the first sync).
    pub cursor: String,
    /// False until the initial snapshot has been read to its end.
    pub bootstrapped: bool,
}

/// What a page changed, for the engine's events.
#[derive(Debug, Default, Clone)]
pub struct Applied {
    pub conversations: Vec<String>,
    /// Messages that were not in the cache before this page.
    pub new_messages: Vec<Message>,
    pub notes: Vec<Note>,
    pub changes: usize,
    /// A broadcast (or its report) changed.
    pub broadcasts: bool,
}

impl Store {
    pub async fn sync_cursor(&self) -> Result<SyncCursor> {
        Ok(SyncCursor {
            cursor: self
                .meta(CURSOR_KEY)
                .await?
                .unwrap_or_else(|| "0".to_owned()),
            bootstrapped: self.meta(BOOTSTRAPPED_KEY).await?.as_deref() == Some("1"),
        })
    }

    /// Applies one page of the feed and moves the cursor, atomically.
    /// `bootstrapped` marks the end of the initial snapshot.
    pub async fn apply_page(
        &self,
        changes: &[Change],
        next_cursor: &str,
        bootstrapped: bool,
    ) -> Result<Applied> {
        let mut tx = self.write_tx().await?;
        let mut applied = Applied {
            changes: changes.len(),
            ..Applied::default()
        };
        // Within a page, the last change of an entity wins: each carries
        // its full latest state (or is a tombstone).
        let mut last: std::collections::HashMap<(EntityKind, &str), usize> =
            std::collections::HashMap::new();
        for (i, c) in changes.iter().enumerate() {
            last.insert((c.entity, c.id.as_str()), i);
        }
        // Message upserts, by far the most numerous, go in batches.
        let mut batch: Vec<&Message> = Vec::new();
        let mut conversations: Vec<&Conversation> = Vec::new();
        let mut contacts: Vec<&Contact> = Vec::new();
        for (i, change) in changes.iter().enumerate() {
            if last.get(&(change.entity, change.id.as_str())) != Some(&i) {
                continue;
            }
            applied.broadcasts |= change.entity == EntityKind::Broadcast;
            match (&change.data, change.op) {
                (Some(Entity::Message(m)), ChangeOp::Upsert) => batch.push(m),
                (Some(Entity::Conversation(c)), ChangeOp::Upsert) => conversations.push(c),
                (Some(Entity::Contact(c)), ChangeOp::Upsert) => contacts.push(c),
                (_, ChangeOp::Delete) if change.entity == EntityKind::Conversation => {
                    flush_messages(&mut tx, &mut batch, &mut applied).await?;
                    apply_one(&mut tx, change, &mut applied).await?;
                }
                _ => apply_one(&mut tx, change, &mut applied).await?,
            }
        }
        flush_conversations(&mut tx, &conversations, &mut applied).await?;
        flush_contacts(&mut tx, &contacts, &mut applied).await?;
        flush_messages(&mut tx, &mut batch, &mut applied).await?;
        set_meta(&mut tx, CURSOR_KEY, next_cursor).await?;
        set_meta(
            &mut tx,
            BOOTSTRAPPED_KEY,
            if bootstrapped { "1" } else { "0" },
        )
        .await?;
        tx.commit().await?;
        applied.conversations.sort();
        applied.conversations.dedup();
        Ok(applied)
    }

    /// Forgets all synced data (the outbox stays) and starts the feed over:
    /// after a `410 cursor_expired`.
    pub async fn reset_for_rebootstrap(&self) -> Result<()> {
        let mut tx = self.write_tx().await?;
        forget_synced(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user's "wipe the local cache": forgets everything synced and every cached file
    /// (photos, voice notes, documents), then rebuilds the file so that nothing of it is left
    /// in freed pages or the WAL. The outbox (unsent messages) and saved views stay; the feed
    /// starts over.
    pub async fn wipe_synced(&self) -> Result<()> {
        let mut tx = self.write_tx().await?;
        forget_synced(&mut tx).await?;
        sqlx::query("DELETE FROM attachment_files")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.compact().await
    }

    /// Brings a cache written in another format of the synced data to this one: such a cache
    /// forgets what it synced (the outbox, saved views and cached files stay) and reads the
    /// feed again from the start. True when it did.
    pub(crate) async fn settle_format(&self) -> Result<bool> {
        let format = self.meta(FORMAT_KEY).await?;
        if format.as_deref() == Some(CACHE_FORMAT) {
            return Ok(false);
        }
        // Before the format was recorded (format 1), a cache with a cursor held synced data.
        let synced = format.is_some() || self.meta(CURSOR_KEY).await?.is_some_and(|c| c != "0");
        let mut tx = self.write_tx().await?;
        if synced {
            forget_synced(&mut tx).await?;
        }
        set_meta(&mut tx, FORMAT_KEY, CACHE_FORMAT).await?;
        tx.commit().await?;
        if synced {
            tracing::info!(
                from = format.as_deref().unwrap_or("1"),
                to = CACHE_FORMAT,
                "the cache's format changed: syncing again, the outbox kept"
            );
        }
        Ok(synced)
    }

    /// Stores one message (history fetched on demand, or the cloud's answer
    /// to a send) outside the feed.
    /// Stores messages fetched outside the feed (older history), in one transaction; returns
    /// how many were new to the cache.
    pub async fn put_messages(&self, messages: &[Message]) -> Result<usize> {
        let mut tx = self.write_tx().await?;
        let mut applied = Applied::default();
        let mut batch: Vec<&Message> = messages.iter().collect();
        flush_messages(&mut tx, &mut batch, &mut applied).await?;
        tx.commit().await?;
        Ok(applied.new_messages.len())
    }

    pub async fn put_message(&self, message: &Message) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let new = upsert_message(&mut tx, message).await?;
        tx.commit().await?;
        Ok(new)
    }
}

pub(crate) async fn set_meta(
    tx: &mut Transaction<'_, Sqlite>,
    key: &str,
    value: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn apply_one(
    tx: &mut Transaction<'_, Sqlite>,
    change: &Change,
    applied: &mut Applied,
) -> Result<()> {
    if change.op == ChangeOp::Upsert {
        let Some(data) = &change.data else {
            return Err(StoreError::Data(format!(
                "upsert of {} {} without data",
                change.entity.as_str(),
                change.id
            )));
        };
        return upsert_one(tx, data, &change.id, applied).await;
    }
    match change.entity {
        EntityKind::Conversation => {
            delete_indexed(
                tx,
                "messages",
                "search_messages",
                "conversation_id",
                &change.id,
            )
            .await?;
            delete_indexed(tx, "notes", "search_notes", "conversation_id", &change.id).await?;
            sqlx::query("DELETE FROM assistant_notes WHERE conversation_id = ?")
                .bind(&change.id)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM conversations WHERE id = ?")
                .bind(&change.id)
                .execute(&mut **tx)
                .await?;
            applied.conversations.push(change.id.clone());
        }
        EntityKind::Message => {
            delete_indexed(tx, "messages", "search_messages", "id", &change.id).await?;
        }
        EntityKind::Contact => {
            delete_indexed(tx, "contacts", "search_contacts", "id", &change.id).await?;
        }
        EntityKind::Note => {
            delete_indexed(tx, "notes", "search_notes", "id", &change.id).await?;
        }
        kind => {
            sqlx::query("DELETE FROM entities WHERE kind = ? AND id = ?")
                .bind(kind.as_str())
                .bind(&change.id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

async fn upsert_one(
    tx: &mut Transaction<'_, Sqlite>,
    data: &Entity,
    id: &str,
    applied: &mut Applied,
) -> Result<()> {
    match data {
        Entity::Conversation(c) => flush_conversations(tx, &[c], applied).await,
        Entity::Message(m) => flush_messages(tx, &mut vec![m], applied).await,
        Entity::Contact(c) => flush_contacts(tx, &[c], applied).await,
        Entity::Note(n) => {
            let rowid: i64 = sqlx::query_scalar(
                "INSERT INTO notes (id, conversation_id, created_at, data) VALUES (?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data
                 RETURNING rowid",
            )
            .bind(&n.id)
            .bind(&n.conversation_id)
            .bind(n.created_at)
            .bind(serde_json::to_string(n)?)
            .fetch_one(&mut **tx)
            .await?;
            reindex_note(tx, rowid, n).await?;
            applied.conversations.push(n.conversation_id.clone());
            applied.notes.push(n.clone());
            Ok(())
        }
        other => {
            sqlx::query(
                "INSERT INTO entities (kind, id, data) VALUES (?, ?, ?)
                 ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data",
            )
            .bind(other.kind().as_str())
            .bind(id)
            .bind(serde_json::to_string(other)?)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }
    }
}

const BATCH: usize = 300;

async fn flush_conversations(
    tx: &mut Transaction<'_, Sqlite>,
    batch: &[&Conversation],
    applied: &mut Applied,
) -> Result<()> {
    for chunk in batch.chunks(BATCH / 2) {
        let mut rows = Vec::with_capacity(chunk.len());
        for c in chunk {
            rows.push((c, serde_json::to_string(c)?));
        }
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO conversations (id, contact_id, channel, status, assignee_agent_id, assignee_team_id,
                 priority, created_at, last_message_at, last_inbound_at, unread_count, resolved_at, csat,
                 sla_due_at, data) ",
        );
        q.push_values(&rows, |mut b, (c, data)| {
            b.push_bind(&c.id)
                .push_bind(&c.contact_id)
                .push_bind(c.channel.as_str())
                .push_bind(c.status.as_str())
                .push_bind(&c.assignee_agent_id)
                .push_bind(&c.assignee_team_id)
                .push_bind(c.priority.as_str())
                .push_bind(c.created_at)
                .push_bind(c.last_message_at)
                .push_bind(c.last_inbound_at)
                .push_bind(i64::from(c.unread_count))
                .push_bind(c.resolved_at)
                .push_bind(c.csat.map(i64::from))
                .push_bind(
                    c.sla
                        .as_ref()
                        .and_then(|s| s.pending(c.resolved_at))
                        .map(|(_, due)| due),
                )
                .push_bind(data);
        });
        q.push(
            " ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, channel = excluded.channel,
                 status = excluded.status, assignee_agent_id = excluded.assignee_agent_id,
                 assignee_team_id = excluded.assignee_team_id, priority = excluded.priority,
                 created_at = excluded.created_at, last_message_at = excluded.last_message_at,
                 last_inbound_at = excluded.last_inbound_at, unread_count = excluded.unread_count,
                 resolved_at = excluded.resolved_at, csat = excluded.csat,
                 sla_due_at = excluded.sla_due_at, data = excluded.data",
        );
        q.build().execute(&mut **tx).await?;
        let mut q = QueryBuilder::<Sqlite>::new(
            "DELETE FROM conversation_labels WHERE conversation_id IN (",
        );
        let mut sep = q.separated(", ");
        for c in chunk {
            sep.push_bind(&c.id);
        }
        q.push(")");
        q.build().execute(&mut **tx).await?;
        let labels: Vec<(&str, &str)> = chunk
            .iter()
            .flat_map(|c| c.labels.iter().map(move |l| (c.id.as_str(), l.as_str())))
            .collect();
        if !labels.is_empty() {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT OR IGNORE INTO conversation_labels (conversation_id, label) ",
            );
            q.push_values(&labels, |mut b, (c, l)| {
                b.push_bind(*c).push_bind(*l);
            });
            q.build().execute(&mut **tx).await?;
        }
        applied
            .conversations
            .extend(chunk.iter().map(|c| c.id.clone()));
    }
    Ok(())
}

/// Stores contacts; their conversations count as changed (their header and panel show them).
async fn flush_contacts(
    tx: &mut Transaction<'_, Sqlite>,
    batch: &[&Contact],
    applied: &mut Applied,
) -> Result<()> {
    for chunk in batch.chunks(BATCH) {
        let mut q =
            QueryBuilder::<Sqlite>::new("SELECT id FROM conversations WHERE contact_id IN (");
        let mut sep = q.separated(", ");
        for c in chunk {
            sep.push_bind(&c.id);
        }
        q.push(")");
        let ids: Vec<String> = q.build_query_scalar().fetch_all(&mut **tx).await?;
        applied.conversations.extend(ids);
        let mut q = QueryBuilder::<Sqlite>::new("SELECT rowid FROM contacts WHERE id IN (");
        let mut sep = q.separated(", ");
        for c in chunk {
            sep.push_bind(&c.id);
        }
        q.push(")");
        let existing: Vec<i64> = q.build_query_scalar().fetch_all(&mut **tx).await?;
        if !existing.is_empty() {
            let mut q = QueryBuilder::<Sqlite>::new("DELETE FROM search_contacts WHERE rowid IN (");
            let mut sep = q.separated(", ");
            for rowid in &existing {
                sep.push_bind(*rowid);
            }
            q.push(")");
            q.build().execute(&mut **tx).await?;
        }
        let mut rows = Vec::with_capacity(chunk.len());
        for c in chunk {
            rows.push((c, serde_json::to_string(c)?));
        }
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO contacts (id, name, data) ");
        q.push_values(&rows, |mut b, (c, data)| {
            b.push_bind(&c.id).push_bind(&c.name).push_bind(data);
        });
        q.push(" ON CONFLICT (id) DO UPDATE SET name = excluded.name, data = excluded.data RETURNING id, rowid");
        let rowids: std::collections::HashMap<String, i64> = q
            .build_query_as::<(String, i64)>()
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
        let indexed: Vec<(i64, &Contact)> = chunk
            .iter()
            .filter_map(|c| Some((*rowids.get(&c.id)?, *c)))
            .collect();
        index_contacts(tx, &indexed).await?;
    }
    Ok(())
}

/// Upserts a batch of messages with multi-row statements, indexes their
/// text, and settles any outbox entries they answer.
async fn flush_messages(
    tx: &mut Transaction<'_, Sqlite>,
    batch: &mut Vec<&Message>,
    applied: &mut Applied,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let outbox_waiting: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE server_message_id IS NOT NULL")
            .fetch_one(&mut **tx)
            .await?;
    for chunk in batch.chunks(BATCH) {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT id, rowid FROM messages WHERE id IN (");
        let mut sep = q.separated(", ");
        for m in chunk {
            sep.push_bind(&m.id);
        }
        q.push(")");
        let existing: std::collections::HashMap<String, i64> = q
            .build_query_as::<(String, i64)>()
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();

        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO messages (id, conversation_id, direction, status, created_at, kind, sender_agent_id, data) ",
        );
        let mut rows = Vec::with_capacity(chunk.len());
        for m in chunk {
            rows.push((m, serde_json::to_string(m)?));
        }
        q.push_values(&rows, |mut b, (m, data)| {
            b.push_bind(&m.id)
                .push_bind(&m.conversation_id)
                .push_bind(m.direction.as_str())
                .push_bind(m.status.as_str())
                .push_bind(m.created_at)
                .push_bind(crate::analytics::kind_code(m))
                .push_bind(&m.sender_agent_id)
                .push_bind(data);
        });
        q.push(" ON CONFLICT (id) DO UPDATE SET status = excluded.status, kind = excluded.kind, sender_agent_id = excluded.sender_agent_id, data = excluded.data RETURNING id, rowid");
        let rowids: std::collections::HashMap<String, i64> = q
            .build_query_as::<(String, i64)>()
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();

        if !existing.is_empty() {
            let mut q = QueryBuilder::<Sqlite>::new("DELETE FROM search_messages WHERE rowid IN (");
            let mut sep = q.separated(", ");
            for rowid in existing.values() {
                sep.push_bind(*rowid);
            }
            q.push(")");
            q.build().execute(&mut **tx).await?;
        }
        let indexed: Vec<(i64, &Message)> = chunk
            .iter()
            .filter_map(|m| Some((*rowids.get(&m.id)?, *m)))
            .collect();
        index_messages(tx, &indexed).await?;
        if outbox_waiting > 0 {
            let mut q =
                QueryBuilder::<Sqlite>::new("DELETE FROM outbox WHERE server_message_id IN (");
            let mut sep = q.separated(", ");
            for m in chunk {
                sep.push_bind(&m.id);
            }
            q.push(")");
            q.build().execute(&mut **tx).await?;
        }
        for m in chunk {
            applied.conversations.push(m.conversation_id.clone());
            if !existing.contains_key(&m.id) {
                applied.new_messages.push((*m).clone());
            }
        }
    }
    batch.clear();
    Ok(())
}

/// Inserts or updates a message; true when it was not cached before. A
/// message the outbox was waiting for removes its outbox entry.
pub(crate) async fn upsert_message(tx: &mut Transaction<'_, Sqlite>, m: &Message) -> Result<bool> {
    let mut applied = Applied::default();
    flush_messages(tx, &mut vec![m], &mut applied).await?;
    Ok(!applied.new_messages.is_empty())
}

async fn reindex_note(tx: &mut Transaction<'_, Sqlite>, rowid: i64, n: &Note) -> Result<()> {
    sqlx::query("DELETE FROM search_notes WHERE rowid = ?")
        .bind(rowid)
        .execute(&mut **tx)
        .await?;
    index_note(tx, rowid, n).await
}

async fn delete_indexed(
    tx: &mut Transaction<'_, Sqlite>,
    table: &str,
    index: &str,
    column: &str,
    value: &str,
) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM {index} WHERE rowid IN (SELECT rowid FROM {table} WHERE {column} = ?)"
    )))
    .bind(value)
    .execute(&mut **tx)
    .await?;
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE {column} = ?"
    )))
    .bind(value)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
