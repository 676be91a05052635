//! Saved views of the inbox list: named filters, kept with the account. The store keeps each
//! view's filters as JSON without reading them; the app gives them their shape.

use crate::{Result, Store};

/// A saved view as stored: its name and its filters (JSON).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredView {
    pub name: String,
    pub query: String,
}

impl Store {
    /// The saved views, in the order they were first saved.
    pub async fn saved_views(&self) -> Result<Vec<StoredView>> {
        Ok(
            sqlx::query_as("SELECT name, query FROM saved_views ORDER BY saved_at, rowid")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Saves `query` (JSON) under `name`; a view of that name keeps its place and takes the
    /// new filters.
    pub async fn save_view(&self, name: &str, query: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO saved_views (name, query, saved_at) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET query = excluded.query",
        )
        .bind(name)
        .bind(query)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes the view `name`; true when there was one.
    pub async fn delete_view(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM saved_views WHERE name = ?")
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
