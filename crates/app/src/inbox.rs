//! The inbox behind the UI: one signed-in account's cache and sync engine,
//! and the demo (the reference cloud started in-process on a loopback port
//! with the demo workspace). The UI reads only from the cache and writes
//! through the outbox, so it is instant and works offline.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use stepup_protocol::{Conversation, Direction, Message, MessageContent, MessageStatus};
use stepup_store::{ConversationFilter, MemorySecrets, OutboxState, Secret};
use stepup_sync::{
    SyncEvent, SyncState, SystemClock,
    account::{Accounts, Session},
    engine::{Engine, EngineConfig},
};
use tokio::sync::{Mutex, broadcast, oneshot};

use crate::AppError;

/// One row of the conversation list.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct InboxRow {
    pub id: String,
    pub channel: String,
    pub contact_name: String,
    pub preview: String,
    #[ts(type = "number")]
    pub last_message_at: i64,
    pub unread: u32,
    pub status: String,
    pub assignee_agent_id: Option<String>,
    pub labels: Vec<String>,
    /// `none` (no window), `open`, `closing` (under 2 hours left) or `closed`.
    pub reply_window: String,
    /// When free text stops being allowed, if the channel has a window.
    #[ts(type = "number | null")]
    pub free_text_until: Option<i64>,
}

/// One bubble of a conversation.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub id: String,
    /// `inbound`, `outbound` or `note`.
    pub direction: String,
    /// `text`, `template`, `image`, `audio`, `voice`, `video`, `document`,
    /// `sticker`, `location`, `contacts`, `reaction`, `reply`, `story_reply`, `unsupported`.
    pub kind: String,
    /// Customer text: the UI renders it as text only.
    pub text: String,
    /// `received`, `pending`, `sent`, `delivered`, `read` or `failed`.
    pub status: String,
    #[ts(type = "number")]
    pub created_at: i64,
    pub error: Option<String>,
    /// An outbox entry not yet accepted by the cloud (its id is local).
    pub local: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    pub row: InboxRow,
    pub messages: Vec<MessageView>,
}

#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct InboxQuery {
    #[ts(optional)]
    pub channel: Option<String>,
    #[ts(optional)]
    pub status: Option<String>,
    #[ts(optional)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SendText {
    pub conversation_id: String,
    pub text: String,
}

/// A piece of a search snippet; `hit` marks the matched words.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

/// One search result: a message, a contact or a note, and the conversation
/// it opens.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    /// `message`, `contact` or `note`.
    pub kind: String,
    pub id: String,
    pub conversation_id: Option<String>,
    pub contact_name: String,
    pub snippet: Vec<SnippetPart>,
}

/// Sync as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// `signed_out`, `bootstrapping`, `syncing`, `online` or `offline`.
    pub state: String,
    pub account: Option<String>,
    #[ts(type = "number | null")]
    pub last_sync_at: Option<i64>,
    pub error: Option<String>,
    /// Changes applied so far while bootstrapping.
    #[ts(type = "number")]
    pub applied: u64,
}

/// Tells the shell what changed, to forward to the UI and to notifications.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum InboxEvent {
    Changed { ids: Vec<String> },
    Status { status: SyncStatus },
}

struct Active {
    session: Session,
    engine: Engine,
    stop: Option<oneshot::Sender<()>>,
    cloud: Option<stepup_cloud::RunningServer>,
}

/// The inbox of the signed-in account, if any.
pub struct Inbox {
    active: Mutex<Option<Active>>,
    status: std::sync::Mutex<SyncStatus>,
    events: broadcast::Sender<InboxEvent>,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox").finish_non_exhaustive()
    }
}

impl Default for Inbox {
    fn default() -> Self {
        Inbox {
            active: Mutex::new(None),
            status: std::sync::Mutex::new(SyncStatus {
                state: "signed_out".into(),
                account: None,
                last_sync_at: None,
                error: None,
                applied: 0,
            }),
            events: broadcast::channel(1024).0,
        }
    }
}

fn enum_str<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn row(c: &Conversation, contact_name: Option<String>, now: i64) -> InboxRow {
    let reply_window = match c.reply_window.free_text_until {
        None => "none",
        Some(t) if t <= now => "closed",
        Some(t) if t - now < 2 * 3600 * 1000 => "closing",
        Some(_) => "open",
    };
    InboxRow {
        id: c.id.clone(),
        channel: c.channel.as_str().to_owned(),
        contact_name: contact_name.unwrap_or_default(),
        preview: c.last_message_preview.clone().unwrap_or_default(),
        last_message_at: c.last_message_at,
        unread: c.unread_count,
        status: enum_str(&c.status),
        assignee_agent_id: c.assignee_agent_id.clone(),
        labels: c.labels.clone(),
        reply_window: reply_window.into(),
        free_text_until: c.reply_window.free_text_until,
    }
}

fn kind_and_text(content: &MessageContent) -> (String, String) {
    match content {
        MessageContent::Text { text } => ("text".into(), text.clone()),
        MessageContent::Template { rendered, .. } => ("template".into(), rendered.clone()),
        MessageContent::Attachment {
            attachment,
            caption,
        } => (
            attachment.kind.clone(),
            caption
                .clone()
                .or_else(|| attachment.filename.clone())
                .unwrap_or_default(),
        ),
        MessageContent::Location {
            name,
            address,
            latitude,
            longitude,
        } => (
            "location".into(),
            name.clone()
                .or_else(|| address.clone())
                .unwrap_or_else(|| format!("{latitude:.5}, {longitude:.5}")),
        ),
        MessageContent::Contacts { contacts } => (
            "contacts".into(),
            contacts
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        MessageContent::Reaction { emoji, .. } => ("reaction".into(), emoji.clone()),
        MessageContent::InteractiveReply { title, .. } => ("reply".into(), title.clone()),
        MessageContent::StoryReply { text, .. } => ("story_reply".into(), text.clone()),
        MessageContent::Unsupported { provider_type } => {
            ("unsupported".into(), provider_type.clone())
        }
        MessageContent::Event { event } => (
            "event".into(),
            serde_json::to_value(event.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        ),
    }
}

fn message_view(m: &Message) -> MessageView {
    let (kind, text) = kind_and_text(&m.content);
    MessageView {
        id: m.id.clone(),
        direction: if m.direction == Direction::Inbound {
            "inbound"
        } else {
            "outbound"
        }
        .into(),
        kind,
        text,
        status: enum_str(&m.status),
        created_at: m.created_at,
        error: m.error.clone(),
        local: false,
    }
}

impl Inbox {
    pub fn subscribe(&self) -> broadcast::Receiver<InboxEvent> {
        self.events.subscribe()
    }

    pub fn status(&self) -> SyncStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set_status(&self, status: SyncStatus) {
        *self.status.lock().unwrap_or_else(|p| p.into_inner()) = status.clone();
        let _ = self.events.send(InboxEvent::Status { status });
    }

    /// Starts the demo: the reference cloud in-process on a loopback port
    /// with the demo workspace and its live traffic (`per_minute` new
    /// customer messages), signed in as the demo supervisor. The demo's
    /// cache is new each time and its key never leaves memory.
    pub async fn start_demo(
        self: &Arc<Self>,
        data_dir: &std::path::Path,
        per_minute: f64,
    ) -> Result<(), AppError> {
        // The whole 90 days of the demo's history in the cache, for analytics.
        let mut config = stepup_cloud::Config::demo();
        config.snapshot_message_window = std::time::Duration::from_secs(91 * 24 * 3600);
        let mut cloud = stepup_cloud::Server::start(config)
            .await
            .map_err(|e| AppError::Internal(format!("the demo cloud did not start: {e}")))?;
        let info = stepup_cloud::demo::start_demo(&mut cloud, 2026, per_minute)
            .await
            .map_err(|e| {
                AppError::Internal(format!("the demo workspace could not be created: {e}"))
            })?;
        let login = info
            .logins
            .iter()
            .find(|l| l.role == stepup_protocol::Role::Supervisor)
            .or_else(|| info.logins.first())
            .ok_or_else(|| AppError::Internal("the demo has no logins".into()))?;
        let demo_dir = data_dir.join("demo");
        let _ = std::fs::remove_dir_all(&demo_dir);
        let accounts = Accounts::new(demo_dir, Arc::new(MemorySecrets::default()));
        let session = accounts
            .sign_in(
                &cloud.url(),
                &login.email,
                &Secret::new(login.password.clone()),
                None,
            )
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        tracing::info!(url = %cloud.url(), email = %login.email, "demo started");
        self.activate(session, Some(cloud)).await;
        Ok(())
    }

    /// Runs the engine for `session` in the background, forwarding its events.
    async fn activate(
        self: &Arc<Self>,
        session: Session,
        cloud: Option<stepup_cloud::RunningServer>,
    ) {
        let engine = Engine::new(&session, Arc::new(SystemClock), EngineConfig::default());
        let mut events = engine.subscribe();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let account = Some(session.account.email.clone());
        self.set_status(SyncStatus {
            state: "syncing".into(),
            account: account.clone(),
            last_sync_at: None,
            error: None,
            applied: 0,
        });
        let me = Arc::clone(self);
        tokio::spawn(async move {
            while let Ok(ev) = events.recv().await {
                match ev {
                    SyncEvent::ConversationsChanged { ids } => {
                        let _ = me.events.send(InboxEvent::Changed { ids });
                    }
                    SyncEvent::OutboxChanged {
                        conversation_id, ..
                    } => {
                        let _ = me.events.send(InboxEvent::Changed {
                            ids: vec![conversation_id],
                        });
                    }
                    SyncEvent::State(state) => {
                        let prev = me.status();
                        let status = match state {
                            SyncState::Bootstrapping { applied } => SyncStatus {
                                state: "bootstrapping".into(),
                                applied,
                                ..prev
                            },
                            SyncState::Syncing => SyncStatus {
                                state: "syncing".into(),
                                error: None,
                                ..prev
                            },
                            SyncState::Online { last_sync_at } => SyncStatus {
                                state: "online".into(),
                                last_sync_at: Some(last_sync_at),
                                error: None,
                                ..prev
                            },
                            SyncState::Offline {
                                error,
                                last_sync_at,
                                ..
                            } => SyncStatus {
                                state: "offline".into(),
                                error: Some(error),
                                last_sync_at: last_sync_at.or(prev.last_sync_at),
                                ..prev
                            },
                            SyncState::SignedOut => SyncStatus {
                                state: "signed_out".into(),
                                ..prev
                            },
                        };
                        me.set_status(status);
                    }
                    SyncEvent::NewInbound { .. } => {}
                }
            }
        });
        let runner = engine.clone();
        tokio::spawn(async move {
            runner
                .run(async {
                    let _ = stop_rx.await;
                })
                .await;
        });
        let mut active = self.active.lock().await;
        if let Some(mut old) = active.take()
            && let Some(stop) = old.stop.take()
        {
            let _ = stop.send(());
        }
        *active = Some(Active {
            session,
            engine,
            stop: Some(stop_tx),
            cloud,
        });
    }

    /// Stops syncing, closes the cache and stops the demo cloud, if running.
    pub async fn shutdown(&self) {
        let Some(mut active) = self.active.lock().await.take() else {
            return;
        };
        if let Some(stop) = active.stop.take() {
            let _ = stop.send(());
        }
        active.session.store.close().await;
        if let Some(cloud) = active.cloud.take() {
            cloud.shutdown().await;
        }
    }

    async fn with<T>(
        &self,
        f: impl AsyncFnOnce(&Active) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let active = self.active.lock().await;
        let active = active.as_ref().ok_or(AppError::NotSignedIn)?;
        f(active).await
    }

    /// Runs `f` with the signed-in account's session (its cache and account record).
    pub async fn with_session<T>(
        &self,
        f: impl AsyncFnOnce(&Session) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.with(async |a| f(&a.session).await).await
    }

    pub async fn conversations(
        &self,
        query: InboxQuery,
        now: i64,
    ) -> Result<Vec<InboxRow>, AppError> {
        self.with(async |a| {
            let filter = ConversationFilter {
                channel: query.channel.clone(),
                status: query.status.clone(),
                limit: query.limit.unwrap_or(500),
                ..Default::default()
            };
            let rows = a
                .session
                .store
                .conversations(&filter)
                .await
                .map_err(store_err)?;
            Ok(rows
                .iter()
                .map(|r| row(&r.conversation, r.contact_name.clone(), now))
                .collect())
        })
        .await
    }

    pub async fn conversation(&self, id: &str, now: i64) -> Result<ConversationView, AppError> {
        self.with(async |a| {
            let store = &a.session.store;
            let c = store
                .conversation(id)
                .await
                .map_err(store_err)?
                .ok_or_else(|| AppError::NotFound(id.to_owned()))?;
            let name = store
                .contact(&c.contact_id)
                .await
                .map_err(store_err)?
                .map(|p| p.name);
            let mut messages: Vec<MessageView> = store
                .messages(id, None, 200)
                .await
                .map_err(store_err)?
                .iter()
                .map(message_view)
                .collect();
            for e in store
                .outbox()
                .await
                .map_err(store_err)?
                .into_iter()
                .filter(|e| e.conversation_id == id)
            {
                let text = match &e.request {
                    stepup_protocol::SendMessageRequest::Text { text, .. } => text.clone(),
                    other => serde_json::to_string(other).unwrap_or_default(),
                };
                messages.push(MessageView {
                    id: e.local_id,
                    direction: "outbound".into(),
                    kind: "text".into(),
                    text,
                    status: if e.state == OutboxState::Failed {
                        "failed".into()
                    } else {
                        enum_str(&MessageStatus::Pending)
                    },
                    created_at: e.created_at,
                    error: e.error,
                    local: true,
                });
            }
            Ok(ConversationView {
                row: row(&c, name, now),
                messages,
            })
        })
        .await
    }

    /// Searches the cache (Arabic-aware: harakat, alef forms, digits).
    pub async fn search(&self, query: &str) -> Result<Vec<SearchResult>, AppError> {
        self.with(async |a| {
            let store = &a.session.store;
            let filter = stepup_store::SearchFilter {
                limit: 50,
                ..Default::default()
            };
            let hits = store.search(query, &filter).await.map_err(store_err)?;
            let mut out = Vec::with_capacity(hits.len());
            for h in hits {
                let contact_name = match &h.conversation_id {
                    Some(c) => match store.conversation(c).await.map_err(store_err)? {
                        Some(conv) => store
                            .contact(&conv.contact_id)
                            .await
                            .map_err(store_err)?
                            .map(|p| p.name),
                        None => None,
                    },
                    None => None,
                };
                out.push(SearchResult {
                    kind: enum_str(&h.kind),
                    id: h.id,
                    conversation_id: h.conversation_id,
                    contact_name: contact_name.unwrap_or_default(),
                    snippet: h
                        .snippet
                        .parts
                        .into_iter()
                        .map(|(text, hit)| SnippetPart { text, hit })
                        .collect(),
                });
            }
            Ok(out)
        })
        .await
    }

    pub async fn send_text(&self, args: SendText) -> Result<(), AppError> {
        let text = args.text.trim();
        if text.is_empty() {
            return Err(AppError::InvalidInput("an empty message".into()));
        }
        self.with(async |a| {
            a.engine
                .send_text(&args.conversation_id, text)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(())
        })
        .await
    }
}

fn store_err(e: stepup_store::StoreError) -> AppError {
    AppError::Internal(e.to_string())
}
