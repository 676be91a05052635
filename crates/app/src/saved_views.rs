//! Saved views of the inbox list: an agent's named filters, kept in the account's cache
//! (its labels and teams belong to that workspace), in its data export, and gone with a wipe.

use serde::{Deserialize, Serialize};
use stepup_protocol::{Channel, ConversationStatus};

use crate::{AppError, inbox::Inbox};

/// The most views an account keeps; the picker stays a short list.
pub const MAX_VIEWS: usize = 50;
/// The longest name, in characters.
pub const MAX_NAME: usize = 60;

/// Which conversations the list shows, by who they are assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ListView {
    All,
    Mine,
    Unassigned,
    MyTeams,
}

pub use stepup_store::ListSort;

/// The inbox list's filters: what the list shows, and what a saved view keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ListFilters {
    pub view: ListView,
    pub status: Option<ConversationStatus>,
    pub channel: Option<Channel>,
    pub label: Option<String>,
    /// A given agent's conversations (views saved before it have none).
    #[serde(default)]
    pub agent: Option<String>,
    /// A given team's conversations.
    #[serde(default)]
    pub team: Option<String>,
    pub unread: bool,
    pub sort: ListSort,
}

/// A named copy of the list's filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SavedView {
    pub name: String,
    pub query: ListFilters,
}

impl Inbox {
    /// The open account's saved views, in the order they were first saved.
    pub async fn saved_views(&self) -> Result<Vec<SavedView>, AppError> {
        self.with_session(async |s| {
            let stored = s.store.saved_views().await?;
            Ok(stored
                .into_iter()
                .filter_map(|v| match serde_json::from_str(&v.query) {
                    Ok(query) => Some(SavedView {
                        name: v.name,
                        query,
                    }),
                    Err(e) => {
                        // Written by another version of the app: kept, not shown.
                        tracing::warn!(error = %e, "a saved view's filters cannot be read");
                        None
                    }
                })
                .collect())
        })
        .await
    }

    /// Saves `view` (a view of the same name takes the new filters); the views after it.
    pub async fn save_view(&self, view: SavedView, now: i64) -> Result<Vec<SavedView>, AppError> {
        let name = view.name.trim();
        if name.is_empty() {
            return Err(AppError::InvalidInput("a saved view needs a name".into()));
        }
        if name.chars().count() > MAX_NAME {
            return Err(AppError::InvalidInput(format!(
                "a saved view's name has at most {MAX_NAME} characters"
            )));
        }
        let query = serde_json::to_string(&view.query)
            .map_err(|e| AppError::Internal(format!("cannot write a saved view: {e}")))?;
        self.with_session(async |s| {
            let stored = s.store.saved_views().await?;
            if stored.len() >= MAX_VIEWS && !stored.iter().any(|v| v.name == name) {
                return Err(AppError::InvalidInput(format!(
                    "an account keeps at most {MAX_VIEWS} saved views"
                )));
            }
            Ok(s.store.save_view(name, &query, now).await?)
        })
        .await?;
        self.saved_views().await
    }

    /// Deletes the saved view `name` (nothing to delete is not an error); the views after it.
    pub async fn delete_view(&self, name: &str) -> Result<Vec<SavedView>, AppError> {
        self.with_session(async |s| Ok(s.store.delete_view(name).await?))
            .await?;
        self.saved_views().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_saved_before_the_agent_and_team_filters_still_open() {
        let old = r#"{"view":"mine","status":"open","channel":"whatsapp","label":null,"unread":true,"sort":"waiting"}"#;
        let f: ListFilters = serde_json::from_str(old).unwrap();
        assert_eq!((f.agent, f.team, f.view), (None, None, ListView::Mine));
    }
}
