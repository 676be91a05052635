//! Several nodes on one PostgreSQL database: each node's streams hear what every node commits.
//!
//! The feed table is the truth and `LISTEN/NOTIFY` only the wake-up. A commit that appended to a
//! workspace's feed notifies `stepup_feed` with the workspace and its first new sequence number,
//! inside its transaction (so the notification leaves only if the commit does). On every node,
//! the server's listener hears it and [`FeedRelay::catch_up`] reads the workspace's changes after the last
//! one this node handed to its streams, in order, from the database, and hands them on. The
//! node that committed does the same at once, without waiting for the notification. A lost
//! notification loses nothing: the next one reads from where the node stopped, and every
//! `sweep` interval (and after the listener's connection came back) each followed workspace is
//! read again. Sequence numbers commit in order (see the store's write lock), so reading "after
//! N" never passes a number whose transaction has not committed.
//!
//! Ended sessions go the same way (`stepup_session_ended`): a device revoked through one node
//! loses its stream on every node.
//!
//! On SQLite there is one node: commits hand their changes to the streams directly.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::AnyPool;
use stepup_protocol::Change;
use tokio::sync::{Mutex, broadcast};

use crate::store;

/// The channel a commit notifies with `"<workspace> <first new seq>"`.
pub const FEED_CHANNEL: &str = "stepup_feed";
/// The channel an ended session is notified on, with its id.
pub const SESSION_ENDED_CHANNEL: &str = "stepup_session_ended";
/// The channel an agent's activity is notified on, as JSON (`AppState::report_activity`).
pub const ACTIVITY_CHANNEL: &str = "stepup_activity";

/// Changes read from the database per query while catching up.
const PAGE: u32 = 500;

/// This node's stream channels, one per workspace, and (on PostgreSQL) per workspace the last
/// sequence number handed to them.
#[derive(Debug, Default)]
pub struct FeedRelay {
    senders: std::sync::Mutex<HashMap<String, broadcast::Sender<Change>>>,
    cursors: std::sync::Mutex<HashMap<String, Arc<Mutex<Option<u64>>>>>,
}

impl FeedRelay {
    /// The workspace's stream channel on this node, opened by its first subscriber.
    pub fn sender(&self, workspace_id: &str) -> broadcast::Sender<Change> {
        self.senders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(workspace_id.to_owned())
            .or_insert_with(|| broadcast::channel(4096).0)
            .clone()
    }

    fn existing(&self, workspace_id: &str) -> Option<broadcast::Sender<Change>> {
        self.senders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(workspace_id)
            .cloned()
    }

    fn cursor(&self, workspace_id: &str) -> Arc<Mutex<Option<u64>>> {
        self.cursors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(workspace_id.to_owned())
            .or_default()
            .clone()
    }

    fn followed(&self) -> Vec<String> {
        self.cursors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Hands the workspace's streams on this node every change they have not had, in order,
    /// from the database. `first` is a sequence number known to be new (the first of a commit):
    /// a workspace nobody here followed yet starts there.
    pub async fn catch_up(
        &self,
        pool: &AnyPool,
        workspace_id: &str,
        first: Option<u64>,
    ) -> Result<(), sqlx::Error> {
        let cursor = self.cursor(workspace_id);
        let mut cursor = cursor.lock().await;
        let Some(sender) = self
            .existing(workspace_id)
            .filter(|s| s.receiver_count() > 0)
        else {
            // Nobody listens here: start afresh when somebody does.
            *cursor = None;
            return Ok(());
        };
        let Some(mut after) = cursor.or(first.map(|f| f.saturating_sub(1))) else {
            return Ok(());
        };
        loop {
            let page = {
                let mut conn = pool.acquire().await?;
                store::changes_after(&mut conn, workspace_id, after, PAGE).await?
            };
            let Some(head) = page.first() else { break };
            if head.seq != after + 1 {
                // Compacted away before this node read it: its streams end, and their clients
                // catch up from the feed as after any lag.
                self.senders
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(workspace_id);
                *cursor = None;
                return Ok(());
            }
            let full = page.len() == PAGE as usize;
            for change in page {
                after = change.seq;
                let _ = sender.send(change);
            }
            if !full {
                break;
            }
        }
        *cursor = Some(after);
        Ok(())
    }

    /// Reads every followed workspace again (a notification may have been lost).
    pub async fn sweep(&self, pool: &AnyPool) {
        for ws in self.followed() {
            if let Err(e) = self.catch_up(pool, &ws, None).await {
                tracing::warn!(error = %e, "relaying the feed failed");
            }
        }
        self.cursors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, c| c.try_lock().map_or(true, |c| c.is_some()));
    }
}
