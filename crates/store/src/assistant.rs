//! What the workspace's assistant wrote for the agent (reply suggestions, summaries), kept per
//! conversation and language so it shows offline. The store keeps it as JSON without reading
//! it; the app gives it its shape.

use crate::{Result, Store};

/// What the assistant wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssistKind {
    Suggestions,
    Summary,
}

impl AssistKind {
    fn as_str(self) -> &'static str {
        match self {
            AssistKind::Suggestions => "suggestions",
            AssistKind::Summary => "summary",
        }
    }
}

impl Store {
    /// Keeps `data` (JSON) for the conversation, replacing what was kept for it in `locale`.
    pub async fn keep_assist(
        &self,
        conversation_id: &str,
        kind: AssistKind,
        locale: &str,
        data: &str,
        made_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO assistant_notes (conversation_id, kind, locale, data, made_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (conversation_id, kind, locale)
             DO UPDATE SET data = excluded.data, made_at = excluded.made_at",
        )
        .bind(conversation_id)
        .bind(kind.as_str())
        .bind(locale)
        .bind(data)
        .bind(made_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// What was kept for the conversation in `locale`, if anything.
    pub async fn assist(
        &self,
        conversation_id: &str,
        kind: AssistKind,
        locale: &str,
    ) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT data FROM assistant_notes WHERE conversation_id = ? AND kind = ? AND locale = ?",
        )
        .bind(conversation_id)
        .bind(kind.as_str())
        .bind(locale)
        .fetch_optional(self.pool())
        .await?)
    }
}
