//! The sync engine: it keeps one account's encrypted cache in step with the
//! cloud and sends what the agent wrote.
//!
//! - [`client::CloudClient`]: the protocol over HTTP (reqwest, rustls) and
//!   WebSocket, with token refresh.
//! - [`account::Accounts`]: signing in and out, the accounts on this machine,
//!   opening an account's cache with its key.
//! - [`engine::Engine`]: initial sync (paginated, resumable), catching up by
//!   cursor, the realtime stream with resume on reconnect, exponential backoff
//!   with jitter, `410` → re-bootstrap, and the outbox sender. It publishes
//!   [`SyncEvent`]s that the app and the CLI subscribe to.
//! - [`tls::Trust`]: which certificates HTTPS and WSS trust (the system's store and
//!   `STEPUP_EXTRA_CA_FILE`).
//! - [`updates`]: asking the cloud for a newer release of the desktop app and downloading it.
//! - [`AppPaths`]: where the desktop app and the CLI keep their files.

pub mod account;
pub mod backoff;
pub mod client;
pub mod engine;
pub mod paths;
pub mod tls;
pub mod updates;

pub use paths::AppPaths;

use serde::Serialize;
use stepup_protocol::{Message, Note};

/// Milliseconds since the Unix epoch, from a clock tests can control.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_ms(&self) -> i64;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
    }
}

/// Where sync stands, for the status bar and the CLI.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Reading the initial snapshot; `applied` changes so far, of `total`
    /// when known (not after resuming a snapshot part-way).
    Bootstrapping { applied: u64, total: Option<u64> },
    /// Catching up by cursor.
    Syncing,
    /// Up to date and following the realtime stream.
    Online { last_sync_at: i64 },
    /// The cloud cannot be reached; retrying at `retry_at`.
    Offline {
        last_sync_at: Option<i64>,
        error: String,
        retry_at: i64,
    },
    /// The session ended (signed out elsewhere, password changed): sign in again.
    SignedOut,
    /// The agent or an admin revoked this device, with an order signed with its key: the
    /// engine has stopped; the account's data is to be erased
    /// ([`crate::account::Accounts::erase_revoked`]).
    Revoked,
}

/// What the engine tells the app.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SyncEvent {
    State(SyncState),
    /// These conversations changed in the cache.
    ConversationsChanged {
        ids: Vec<String>,
    },
    /// A customer's message arrived live (never raised while bootstrapping).
    NewInbound {
        message: Box<Message>,
    },
    /// A note was added or edited live (never raised while bootstrapping).
    NoteAdded {
        note: Box<Note>,
    },
    /// An outbox entry changed (sent, retrying, failed).
    OutboxChanged {
        local_id: String,
        conversation_id: String,
    },
    /// Another agent is viewing or typing in a conversation, or left it (never stored).
    Activity {
        activity: stepup_protocol::Activity,
    },
    /// The retention window dropped this many messages from the cache.
    Pruned {
        messages: u64,
    },
    /// A broadcast or its report changed in the cache.
    BroadcastsChanged,
}
