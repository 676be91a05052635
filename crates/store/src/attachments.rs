//! Cached attachments: encrypted at rest (they live in the SQLCipher file),
//! within a size budget, least recently used evicted first.

use crate::{Result, Store};

/// A cached attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedAttachment {
    pub id: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Store {
    /// The cached bytes of an attachment, marking it used at `now`.
    pub async fn attachment(&self, id: &str, now: i64) -> Result<Option<CachedAttachment>> {
        let row: Option<(String, Vec<u8>)> = sqlx::query_as(
            "SELECT f.content_type, b.bytes FROM attachment_files f JOIN attachment_blobs b ON b.id = f.id WHERE f.id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let Some((content_type, bytes)) = row else {
            return Ok(None);
        };
        sqlx::query("UPDATE attachment_files SET last_used_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(Some(CachedAttachment {
            id: id.to_owned(),
            content_type,
            bytes,
        }))
    }

    /// Caches an attachment, then evicts the least recently used ones until
    /// the cache fits `budget` bytes (the new one stays even if it alone is
    /// larger). Returns the ids evicted.
    pub async fn cache_attachment(
        &self,
        id: &str,
        content_type: &str,
        bytes: &[u8],
        now: i64,
        budget: u64,
    ) -> Result<Vec<String>> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO attachment_files (id, size, content_type, last_used_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET size = excluded.size, content_type = excluded.content_type,
                 last_used_at = excluded.last_used_at",
        )
        .bind(id)
        .bind(bytes.len() as i64)
        .bind(content_type)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO attachment_blobs (id, bytes) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes")
            .bind(id)
            .bind(bytes)
            .execute(&mut *tx)
            .await?;
        let mut evicted = Vec::new();
        let mut total: i64 =
            sqlx::query_scalar("SELECT coalesce(sum(size), 0) FROM attachment_files")
                .fetch_one(&mut *tx)
                .await?;
        let budget = i64::try_from(budget).unwrap_or(i64::MAX);
        if total > budget {
            let lru: Vec<(String, i64)> = sqlx::query_as(
                "SELECT id, size FROM attachment_files WHERE id != ? ORDER BY last_used_at, id",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            for (victim, size) in lru {
                if total <= budget {
                    break;
                }
                sqlx::query("DELETE FROM attachment_files WHERE id = ?")
                    .bind(&victim)
                    .execute(&mut *tx)
                    .await?;
                total -= size;
                evicted.push(victim);
            }
        }
        tx.commit().await?;
        Ok(evicted)
    }

    /// Bytes of attachments cached.
    pub async fn attachment_cache_size(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT coalesce(sum(size), 0) FROM attachment_files")
            .fetch_one(self.pool())
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// How many cached messages are older than `cutoff` (Unix ms).
    pub async fn count_messages_before(&self, cutoff: i64) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM messages WHERE created_at < ?")
            .bind(cutoff)
            .fetch_one(self.pool())
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Drops cached messages older than `cutoff` (Unix ms), their search
    /// entries and their cached files: the retention window. They can be fetched
    /// again on demand (while the workspace keeps them). Freed content is zeroed
    /// (`secure_delete`). Returns how many were dropped.
    pub async fn prune_messages_before(&self, cutoff: i64) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "DELETE FROM attachment_files WHERE id IN (
                 SELECT json_extract(data, '$.content.attachment.attachment_id') FROM messages
                 WHERE created_at < ? AND json_extract(data, '$.content.type') = 'attachment')",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM search_messages WHERE rowid IN (SELECT rowid FROM messages WHERE created_at < ?)")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM assistant_notes WHERE made_at < ?")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM messages WHERE created_at < ?")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() > 0 {
            // A full-text index only marks deleted rows until its segments are merged; merging
            // now leaves none of their words in the file.
            sqlx::query("INSERT INTO search_messages (search_messages) VALUES ('optimize')")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}
