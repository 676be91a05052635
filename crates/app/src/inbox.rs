//! The inbox behind the UI: one signed-in account's cache and sync engine,
//! and the demo (the reference cloud started in-process on a loopback port
//! with the demo workspace). The UI reads only from the cache and writes
//! through the outbox, so it is instant and works offline.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use stepup_protocol::{MessageKind, MessageStatus, Origin, SendMessageRequest};
use stepup_store::{
    AssigneeFilter, ConversationFilter, MemorySecrets, OutboxState, SearchKind, Secret,
};
use stepup_sync::{
    SyncEvent, SyncState, SystemClock,
    account::{Accounts, Session},
    engine::{Engine, EngineConfig},
};
use tokio::sync::{Mutex, broadcast, oneshot};

use crate::AppError;
use crate::saved_views::ListView;

pub use crate::views::{
    AgentView, AttachmentView, AttributeView, CannedView, CardView, ContactCardView,
    ContactNoteView, ContactView, ConversationView, Directory, EntryDirection, IdentityView,
    InboxPage, InboxQuery, InboxRow, LabelView, MessageView, QuoteView, TeamView, TemplateView,
    WindowView,
};
use crate::views::{Names, render_template, row, timeline};

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SendText {
    pub conversation_id: String,
    pub text: String,
    /// The message this one answers (quoted above it).
    #[ts(optional)]
    #[serde(default)]
    pub reply_to: Option<String>,
}

/// Messages a conversation's timeline holds at first (the newest): the UI draws 80 of them, and
/// asks for more as the agent scrolls up.
const TIMELINE_MESSAGES: u32 = 120;
/// Messages shown before one a search result opens at.
const FOCUS_CONTEXT: u32 = 30;
/// The most messages one timeline holds, however far back it is asked to reach.
const TIMELINE_MAX: u32 = 50_000;

/// A conversation opened further back than its newest messages: at one of its messages (a search
/// result), or reaching back over at least `messages` of them (the agent scrolled up).
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenAt {
    pub conversation_id: String,
    #[ts(optional)]
    #[serde(default)]
    pub message_id: Option<String>,
    #[ts(optional)]
    #[serde(default)]
    pub messages: Option<u32>,
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
    pub kind: SearchKind,
    pub id: String,
    pub conversation_id: Option<String>,
    pub contact_name: String,
    pub snippet: Vec<SnippetPart>,
    /// When the message or note was written (Unix ms); contacts have none.
    #[ts(type = "number | null")]
    pub at: Option<i64>,
}

/// What to search the cache for, optionally only within the list's filters.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchQuery {
    pub text: String,
    /// The list's query: only its conversations (and their customers and notes).
    #[ts(optional)]
    #[serde(default)]
    pub within: Option<InboxQuery>,
    /// Only messages and notes of the last this many days (customers are found whatever
    /// the period).
    #[ts(optional)]
    #[serde(default)]
    pub days: Option<u32>,
}

/// Where the signed-in account's sync stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    SignedOut,
    /// Reading the initial snapshot.
    Bootstrapping,
    Syncing,
    Online,
    /// The cloud cannot be reached; the cache still can.
    Offline,
    /// The workspace signed this device out (the agent or an admin revoked it, or the agent
    /// was removed): its cache, files and keys were erased. `erased` says what was kept.
    Erased,
}

/// What a revoked device kept for its agent when it erased itself.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ErasedView {
    /// Unsent messages of the outbox, written to `unsentFile`.
    pub unsent: u32,
    pub unsent_file: Option<String>,
}

/// Sync as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub state: SyncPhase,
    pub account: Option<String>,
    #[ts(type = "number | null")]
    pub last_sync_at: Option<i64>,
    pub error: Option<String>,
    /// Changes applied so far while bootstrapping.
    #[ts(type = "number")]
    pub applied: u64,
    /// Changes the initial sync holds in all, when known.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// With `erased`: what was kept for the agent.
    pub erased: Option<ErasedView>,
}

/// What the inbox shows first: the sync status and, when an account is open, a window of
/// the conversation list.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FirstScreen {
    pub status: SyncStatus,
    /// `null` when no account is open.
    pub page: Option<InboxPage>,
}

impl SyncStatus {
    /// Nobody signed in.
    pub fn signed_out() -> SyncStatus {
        SyncStatus {
            state: SyncPhase::SignedOut,
            account: None,
            last_sync_at: None,
            error: None,
            applied: 0,
            total: None,
            erased: None,
        }
    }
}

/// Tells the shell what changed, to forward to the UI and to notifications.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum InboxEvent {
    Changed {
        ids: Vec<String>,
    },
    Status {
        status: SyncStatus,
    },
    /// Another agent is viewing or typing in a conversation, or left it.
    Activity {
        activity: ActivityView,
    },
    /// Older history being fetched for analytics: messages so far.
    HistoryProgress {
        fetched: u32,
    },
    /// An account syncing in the background changed (its unread count may have): the account
    /// switcher reads the list again.
    AccountChanged {
        account_id: String,
    },
    /// The window's account's broadcasts (or their reports) changed.
    BroadcastsChanged,
}

/// Another agent's activity in a conversation, as the UI shows it ("Layla is typing").
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    pub conversation_id: String,
    pub agent_id: String,
    pub agent_name: String,
    /// `None`: they left the conversation.
    pub kind: Option<stepup_protocol::ActivityKind>,
    /// Until when it holds unless reported again (ms since the epoch).
    #[ts(type = "number")]
    pub until: i64,
}

/// What `report_activity` takes: the agent is viewing or typing in a conversation, or left it.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportActivity {
    pub conversation_id: String,
    pub kind: Option<stepup_protocol::ActivityKind>,
}

pub(crate) struct Active {
    pub(crate) session: Session,
    pub(crate) engine: Engine,
    pub(crate) stop: Option<oneshot::Sender<()>>,
    pub(crate) cloud: Option<crate::demo::DemoCloud>,
}

/// Called with each engine as it starts (desktop notifications follow it).
pub type ActivateHook = Box<dyn Fn(&Engine, &Session) + Send + Sync>;

/// The inbox of the signed-in account, if any.
pub struct Inbox {
    /// The account in the window.
    active: Mutex<Option<Active>>,
    /// Accounts signed in besides it: they keep syncing and notifying.
    background: Mutex<Vec<Active>>,
    /// The window's account id, readable without waiting (the engines' event tasks ask).
    foreground: std::sync::Mutex<Option<String>>,
    /// Each running account's last status, by account id.
    statuses: std::sync::Mutex<std::collections::HashMap<String, SyncStatus>>,
    /// How many days of history the cache keeps (from the settings).
    history_days: std::sync::atomic::AtomicU32,
    /// Tests keep keys in memory instead of the OS keyring.
    secrets: std::sync::Mutex<Option<Arc<dyn stepup_store::SecretStore>>>,
    on_activate: std::sync::OnceLock<ActivateHook>,
    /// The data folder and where a revoked account's unsent messages go.
    erase_paths: std::sync::OnceLock<(PathBuf, PathBuf)>,
    status: std::sync::Mutex<SyncStatus>,
    events: broadcast::Sender<InboxEvent>,
    /// While a start waits for the window's first screen to be painted: the longest engines
    /// activated meanwhile wait for it (`None` once painted, or when nothing waits for it).
    sync_hold: tokio::sync::watch::Sender<Option<std::time::Duration>>,
}

/// The window's first screen, for work of a start that would otherwise compete with its first
/// paint: [`FirstPaint::wait`] returns once it is painted, at once when nothing holds for
/// it, or after the hold's longest wait.
#[derive(Clone, Debug)]
pub struct FirstPaint(tokio::sync::watch::Receiver<Option<std::time::Duration>>);

impl FirstPaint {
    /// Whether a start holds for its first screen now.
    pub fn holds(&self) -> bool {
        self.0.borrow().is_some()
    }

    pub async fn wait(mut self) {
        let max = *self.0.borrow_and_update();
        if let Some(max) = max {
            let _ = tokio::time::timeout(max, self.0.wait_for(Option::is_none)).await;
        }
    }
}

/// How long a start's engines wait for the first screen at the most, in the app (a page that
/// never says it painted must not keep the inbox from syncing).
pub const SYNC_HOLD_MAX: std::time::Duration = std::time::Duration::from_secs(2);

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox").finish_non_exhaustive()
    }
}

impl Default for Inbox {
    fn default() -> Self {
        Inbox {
            active: Mutex::new(None),
            background: Mutex::new(Vec::new()),
            foreground: std::sync::Mutex::new(None),
            statuses: std::sync::Mutex::new(std::collections::HashMap::new()),
            secrets: std::sync::Mutex::new(None),
            history_days: std::sync::atomic::AtomicU32::new(crate::settings::DEFAULT_HISTORY_DAYS),
            on_activate: std::sync::OnceLock::new(),
            erase_paths: std::sync::OnceLock::new(),
            status: std::sync::Mutex::new(SyncStatus::signed_out()),
            events: broadcast::channel(1024).0,
            sync_hold: tokio::sync::watch::channel(None).0,
        }
    }
}

impl Inbox {
    /// Keeps account keys and tokens in `secrets` instead of the OS keyring.
    pub fn use_secrets(&self, secrets: Arc<dyn stepup_store::SecretStore>) {
        *self.secrets.lock().unwrap_or_else(|p| p.into_inner()) = Some(secrets);
    }

    /// The history window for accounts opened from now on.
    pub fn set_history_days(&self, days: u32) {
        self.history_days
            .store(days, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn secrets_override(&self) -> Option<Arc<dyn stepup_store::SecretStore>> {
        self.secrets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) async fn active_account_id(&self) -> Option<String> {
        self.active
            .lock()
            .await
            .as_ref()
            .map(|a| a.session.account.id.as_str().to_owned())
    }

    /// Sets the one hook called with each engine before it runs.
    pub fn on_activate(&self, hook: ActivateHook) {
        let _ = self.on_activate.set(hook);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<InboxEvent> {
        self.events.subscribe()
    }

    pub fn status(&self) -> SyncStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn set_status(&self, status: SyncStatus) {
        *self.status.lock().unwrap_or_else(|p| p.into_inner()) = status.clone();
        let _ = self.events.send(InboxEvent::Status { status });
    }

    /// Starts the demo: the reference cloud in-process on a loopback port
    /// with the demo workspace and its live traffic (`per_minute` new
    /// customer messages), signed in as the demo supervisor. The demo's
    /// cache is new each time and its key never leaves memory.
    #[cfg(feature = "demo")]
    pub async fn start_demo(
        self: &Arc<Self>,
        data_dir: &std::path::Path,
        per_minute: f64,
    ) -> Result<(), AppError> {
        // The whole 90 days of the demo's history in the cache, for analytics.
        let mut config = stepup_cloud::Config::demo();
        config.snapshot_message_window = std::time::Duration::from_secs(91 * 24 * 3600);
        // Releases the demo's cloud offers as updates (an update tried by hand, the update test).
        config.updates_dir = std::env::var_os("STEPUP_DEMO_UPDATES_DIR")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from);
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
        let accounts = Accounts::new(demo_dir.clone(), Arc::new(MemorySecrets::default()));
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
        // Where the demo cloud listens, for tools that post to its webhooks
        // and its Web Chat API (end-to-end tests, trying a channel by hand).
        if let Err(e) = stepup_store::private::create_dir(&demo_dir).and_then(|()| {
            stepup_store::private::write_file(&demo_dir.join("cloud-url"), cloud.url().as_bytes())
        }) {
            tracing::warn!(error = %e, "could not write the demo cloud's address");
        }
        self.activate(session, Some(cloud)).await;
        Ok(())
    }

    /// A start shows the cache first: the engines activated from now on with something cached
    /// begin to sync once [`Inbox::first_screen_shown`] is called, or after `max` (the app:
    /// [`SYNC_HOLD_MAX`]); an empty cache syncs at once.
    /// Catching up (the feed's pages, the stream, writing to the cache) would otherwise compete
    /// with the window's first paint, on a two-core laptop for most of it, and what the first
    /// screen shows is the cache anyway.
    pub fn hold_sync_until_shown(&self, max: std::time::Duration) {
        self.sync_hold.send_replace(Some(max));
    }

    /// The window's first screen is painted: held engines begin to sync.
    pub fn first_screen_shown(&self) {
        self.sync_hold.send_replace(None);
    }

    /// What work of a start that the first screen does not need (telling the cloud the agent's
    /// availability, checking for an update) waits for, as the held engines do.
    pub fn first_paint(&self) -> FirstPaint {
        FirstPaint(self.sync_hold.subscribe())
    }

    /// Runs the engine for `session` in the background, forwarding its events.
    pub(crate) async fn activate(
        self: &Arc<Self>,
        session: Session,
        cloud: Option<crate::demo::DemoCloud>,
    ) {
        let days = self.history_days.load(std::sync::atomic::Ordering::Relaxed);
        let engine = Engine::new(
            &session,
            Arc::new(SystemClock),
            EngineConfig {
                retention: std::time::Duration::from_secs(u64::from(days) * 24 * 3600),
                ..EngineConfig::default()
            },
        );
        if let Some(hook) = self.on_activate.get() {
            hook(&engine, &session);
        }
        let mut events = engine.subscribe();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let account = Some(session.account.email.clone());
        let account_id = session.account.id.as_str().to_owned();
        *self.foreground.lock().unwrap_or_else(|p| p.into_inner()) = Some(account_id.clone());
        self.record_status(
            &account_id,
            SyncStatus {
                state: SyncPhase::Syncing,
                account: account.clone(),
                last_sync_at: None,
                error: None,
                applied: 0,
                total: None,
                erased: None,
            },
        );
        let me = Arc::clone(self);
        let id = account_id.clone();
        tokio::spawn(async move {
            while let Ok(ev) = events.recv().await {
                // The window hears its own account; the others only say they changed.
                let shown = me.is_foreground(&id);
                match ev {
                    SyncEvent::ConversationsChanged { .. } | SyncEvent::OutboxChanged { .. }
                        if !shown =>
                    {
                        let _ = me.events.send(InboxEvent::AccountChanged {
                            account_id: id.clone(),
                        });
                    }
                    SyncEvent::ConversationsChanged { ids } => {
                        let _ = me.events.send(InboxEvent::Changed { ids });
                    }
                    SyncEvent::BroadcastsChanged if shown => {
                        let _ = me.events.send(InboxEvent::BroadcastsChanged);
                    }
                    SyncEvent::OutboxChanged {
                        conversation_id, ..
                    } => {
                        let _ = me.events.send(InboxEvent::Changed {
                            ids: vec![conversation_id],
                        });
                    }
                    SyncEvent::State(state) => {
                        let prev = me.status_of(&id);
                        let status = match state {
                            SyncState::Bootstrapping { applied, total } => SyncStatus {
                                state: SyncPhase::Bootstrapping,
                                applied,
                                total,
                                ..prev
                            },
                            SyncState::Syncing => SyncStatus {
                                state: SyncPhase::Syncing,
                                error: None,
                                ..prev
                            },
                            SyncState::Online { last_sync_at } => SyncStatus {
                                state: SyncPhase::Online,
                                last_sync_at: Some(last_sync_at),
                                error: None,
                                ..prev
                            },
                            SyncState::Offline {
                                error,
                                last_sync_at,
                                ..
                            } => SyncStatus {
                                state: SyncPhase::Offline,
                                error: Some(error),
                                last_sync_at: last_sync_at.or(prev.last_sync_at),
                                ..prev
                            },
                            SyncState::SignedOut => SyncStatus {
                                state: SyncPhase::SignedOut,
                                ..prev
                            },
                            SyncState::Revoked => {
                                // Erased off the event loop: it waits for this loop's engine.
                                let me = Arc::clone(&me);
                                let id = id.clone();
                                tokio::spawn(async move { me.erase_revoked(&id).await });
                                continue;
                            }
                        };
                        me.record_status(&id, status);
                    }
                    SyncEvent::Activity { .. } if !shown => {}
                    SyncEvent::Activity { activity } => {
                        let _ = me.events.send(InboxEvent::Activity {
                            activity: ActivityView {
                                conversation_id: activity.conversation_id,
                                agent_id: activity.agent_id,
                                agent_name: activity.agent_name,
                                kind: activity.kind,
                                until: activity.until,
                            },
                        });
                    }
                    SyncEvent::NewInbound { .. }
                    | SyncEvent::NoteAdded { .. }
                    | SyncEvent::Pruned { .. }
                    | SyncEvent::BroadcastsChanged => {}
                }
            }
        });
        let runner = engine.clone();
        let first_paint = self.first_paint();
        let held = first_paint.holds();
        let store = session.store.clone();
        tokio::spawn(async move {
            // Held only with a cache to show: a new one (a first sign-in, the demo's, made anew
            // at every start) has nothing to paint before its first page.
            if held && store.sync_cursor().await.is_ok_and(|c| c.cursor != "0") {
                first_paint.wait().await;
            }
            runner
                .run(async {
                    let _ = stop_rx.await;
                })
                .await;
        });
        let mut active = self.active.lock().await;
        let mut background = self.background.lock().await;
        // The same account signed in again replaces its old session; another one keeps
        // syncing in the background.
        if let Some(i) = background
            .iter()
            .position(|a| a.session.account.id.as_str() == account_id)
        {
            tokio::spawn(Self::close(background.remove(i)));
        }
        if let Some(old) = active.take() {
            if old.session.account.id.as_str() == account_id {
                tokio::spawn(Self::close(old));
            } else {
                background.push(old);
            }
        }
        *active = Some(Active {
            session,
            engine,
            stop: Some(stop_tx),
            cloud,
        });
    }

    /// Forgets a signed-out account's status.
    pub(crate) fn forget_status(&self, account_id: &str) {
        self.statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(account_id);
    }

    fn is_foreground(&self, account_id: &str) -> bool {
        self.foreground
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_deref()
            == Some(account_id)
    }

    fn status_of(&self, account_id: &str) -> SyncStatus {
        self.statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(account_id)
            .cloned()
            .unwrap_or_else(SyncStatus::signed_out)
    }

    /// Keeps an account's status; the window's account's is the inbox's status.
    fn record_status(&self, account_id: &str, status: SyncStatus) {
        self.statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(account_id.to_owned(), status.clone());
        if self.is_foreground(account_id) {
            self.set_status(status);
        }
        // The switcher shows each account's workspace once its cache knows it.
        let _ = self.events.send(InboxEvent::AccountChanged {
            account_id: account_id.to_owned(),
        });
    }

    /// Brings an account syncing in the background into the window; `false` when it is not
    /// running.
    pub(crate) async fn switch_to(&self, account_id: &str) -> bool {
        let mut active = self.active.lock().await;
        let mut background = self.background.lock().await;
        if active
            .as_ref()
            .is_some_and(|a| a.session.account.id.as_str() == account_id)
        {
            return true;
        }
        let Some(i) = background
            .iter()
            .position(|a| a.session.account.id.as_str() == account_id)
        else {
            return false;
        };
        let next = background.remove(i);
        // Notifications and presence follow the window's account.
        if let Some(hook) = self.on_activate.get() {
            hook(&next.engine, &next.session);
        }
        if let Some(old) = active.replace(next) {
            background.push(old);
        }
        *self.foreground.lock().unwrap_or_else(|p| p.into_inner()) = Some(account_id.to_owned());
        self.set_status(self.status_of(account_id));
        true
    }

    /// After the window's account signed out: the next running account comes in, if any.
    pub(crate) async fn promote_background(&self) -> bool {
        let next = {
            let mut background = self.background.lock().await;
            if background.is_empty() {
                None
            } else {
                Some(background.remove(0))
            }
        };
        let Some(next) = next else {
            *self.foreground.lock().unwrap_or_else(|p| p.into_inner()) = None;
            return false;
        };
        let id = next.session.account.id.as_str().to_owned();
        if let Some(hook) = self.on_activate.get() {
            hook(&next.engine, &next.session);
        }
        *self.active.lock().await = Some(next);
        *self.foreground.lock().unwrap_or_else(|p| p.into_inner()) = Some(id.clone());
        self.set_status(self.status_of(&id));
        true
    }

    /// Each running account: its id, whether it is in the window, its workspace's name and
    /// its unread messages.
    pub(crate) async fn running(&self) -> Vec<(String, Option<String>, u32)> {
        let mut out = Vec::new();
        let active = self.active.lock().await;
        let background = self.background.lock().await;
        for a in active.iter().chain(background.iter()) {
            let store = &a.session.store;
            let workspace: Option<stepup_protocol::Workspace> = store
                .entities::<stepup_protocol::Workspace>("workspace")
                .await
                .ok()
                .and_then(|w| w.into_iter().next());
            out.push((
                a.session.account.id.as_str().to_owned(),
                workspace.map(|w| w.name),
                store.unread_total().await.unwrap_or(0),
            ));
        }
        out
    }

    /// Stops syncing, closes the cache and stops the demo cloud, if running.
    pub async fn shutdown(&self) {
        if let Some(active) = self.active.lock().await.take() {
            Self::close(active).await;
        }
        let background = std::mem::take(&mut *self.background.lock().await);
        for a in background {
            Self::close(a).await;
        }
    }

    /// Stops an account's engine, closes its cache and stops the demo cloud.
    pub(crate) async fn close(mut active: Active) {
        if let Some(stop) = active.stop.take() {
            let _ = stop.send(());
        }
        active.session.store.close().await;
        if let Some(cloud) = active.cloud.take() {
            cloud.shutdown().await;
        }
    }

    /// Where a revoked device's data is erased and its unsent messages are written (set once,
    /// when the app opens).
    pub fn set_erase_paths(&self, data_dir: PathBuf, unsent_dir: PathBuf) {
        let _ = self.erase_paths.set((data_dir, unsent_dir));
    }

    /// Obeys a verified order to erase a revoked account: stops it, writes its unsent messages
    /// for the agent, deletes its cache, files and keys, and says so.
    async fn erase_revoked(&self, account_id: &str) {
        let taken = {
            let mut active = self.active.lock().await;
            if active
                .as_ref()
                .is_some_and(|a| a.session.account.id.as_str() == account_id)
            {
                active.take()
            } else {
                let mut background = self.background.lock().await;
                background
                    .iter()
                    .position(|a| a.session.account.id.as_str() == account_id)
                    .map(|i| background.remove(i))
            }
        };
        let Some(mut taken) = taken else { return };
        if let Some(stop) = taken.stop.take() {
            let _ = stop.send(());
        }
        let Some((data_dir, unsent_dir)) = self.erase_paths.get().cloned() else {
            tracing::error!("no folders to erase a revoked account in");
            return;
        };
        let accounts = self.accounts(&data_dir);
        let record = taken.session.account.clone();
        let now = stepup_sync::Clock::now_ms(&stepup_sync::SystemClock);
        let erased = match accounts
            .erase_revoked(&record, taken.session.store.clone(), &unsent_dir, now)
            .await
        {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, "could not erase a revoked account");
                return;
            }
        };
        crate::accounts::forget_last(&data_dir, account_id);
        let status = SyncStatus {
            state: SyncPhase::Erased,
            account: Some(record.email),
            last_sync_at: None,
            error: None,
            applied: 0,
            total: None,
            erased: Some(ErasedView {
                unsent: u32::try_from(erased.unsent).unwrap_or(u32::MAX),
                unsent_file: erased.unsent_file.map(|p| p.display().to_string()),
            }),
        };
        let was_shown = self.is_foreground(account_id);
        self.forget_status(account_id);
        if was_shown {
            *self.foreground.lock().unwrap_or_else(|p| p.into_inner()) = None;
            self.set_status(status);
        }
        let _ = self.events.send(InboxEvent::AccountChanged {
            account_id: account_id.to_owned(),
        });
    }

    /// Takes the active account out (its engine stopped), or `None`.
    pub(crate) async fn take_active(&self) -> Option<Active> {
        let mut active = self.active.lock().await.take()?;
        if let Some(stop) = active.stop.take() {
            let _ = stop.send(());
        }
        Some(active)
    }

    pub(crate) async fn with<T>(
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

    /// Tells the other agents this one is viewing or typing in a conversation (or left it).
    /// Best effort: offline, nothing is reported and nothing fails.
    pub async fn report_activity(&self, args: ReportActivity) -> Result<(), AppError> {
        // The client is cloned out so a slow cloud never holds the inbox.
        let client = self.with(async |a| Ok(a.session.client.clone())).await?;
        if let Err(e) = client
            .report_activity(&args.conversation_id, args.kind)
            .await
        {
            tracing::debug!(error = %e, "activity not reported");
        }
        Ok(())
    }

    /// Fetches the workspace's messages from `from` that the cache lacks (supervisors and
    /// admins), outside the account's lock: the inbox stays usable meanwhile.
    pub async fn fetch_history(&self, from: i64) -> Result<u64, AppError> {
        let engine = self
            .with(async |a| {
                if a.session.account.role == stepup_protocol::Role::Agent {
                    return Err(AppError::InvalidInput(
                        "older history is fetched for analytics, by supervisors and admins".into(),
                    ));
                }
                Ok(a.engine.clone())
            })
            .await?;
        let events = self.events.clone();
        Ok(engine
            .fetch_history(from, |fetched| {
                let _ = events.send(InboxEvent::HistoryProgress {
                    fetched: u32::try_from(fetched).unwrap_or(u32::MAX),
                });
            })
            .await?)
    }

    /// Unread customer messages over every cached conversation.
    pub async fn unread_total(&self) -> Result<u32, AppError> {
        self.with(async |a| Ok(a.session.store.unread_total().await?))
            .await
    }

    pub async fn conversations(&self, query: InboxQuery, now: i64) -> Result<InboxPage, AppError> {
        self.with(async |a| {
            let store = &a.session.store;
            let me = &a.session.account.agent_id;
            let Some(filter) = list_filter(store, me, &query).await? else {
                return Ok(InboxPage {
                    total: 0,
                    offset: query.offset.unwrap_or(0),
                    rows: vec![],
                });
            };
            let rows = store.conversations(&filter).await?;
            let total = store.conversation_count(&filter).await?;
            Ok(InboxPage {
                total,
                offset: filter.offset,
                rows: list_rows(store, &rows, now).await?,
            })
        })
        .await
    }

    /// The list rows of these conversations (those in the cache), latest first: what the
    /// analytics drill-down lists behind a figure.
    pub async fn rows_by_id(&self, ids: &[String], now: i64) -> Result<Vec<InboxRow>, AppError> {
        self.with(async |a| {
            let store = &a.session.store;
            let rows = store.conversations_by_id(ids).await?;
            list_rows(store, &rows, now).await
        })
        .await
    }

    pub async fn conversation(&self, id: &str, now: i64) -> Result<ConversationView, AppError> {
        self.conversation_at(id, None, 0, now).await
    }

    /// A conversation with its timeline reaching back over at least `reach` of its newest
    /// messages, and at least to `focus` (a search result: older than the newest messages the
    /// timeline shows at first).
    pub async fn conversation_at(
        &self,
        id: &str,
        focus: Option<&str>,
        reach: u32,
        now: i64,
    ) -> Result<ConversationView, AppError> {
        self.with(async |a| {
            let store = &a.session.store;
            let c = store
                .conversation(id)
                .await?
                .ok_or_else(|| AppError::NotFound(id.to_owned()))?;
            let names = Names::load(store).await?;
            let contact = store.contact(&c.contact_id).await?;
            // One snapshot: a message the cloud accepts meanwhile shows once.
            let to_focus = match focus {
                Some(m) => store.messages_from(id, m).await?.unwrap_or(0),
                None => 0,
            };
            // The newest messages, and enough before the focused one to read it in context.
            let limit = TIMELINE_MESSAGES
                .max(reach)
                .max(to_focus.saturating_add(FOCUS_CONTEXT))
                .min(TIMELINE_MAX);
            let snapshot = store.timeline_snapshot(id, limit).await?;
            let (messages, outbox, older_cached) =
                (snapshot.messages, snapshot.outbox, snapshot.older_cached);
            let mut notes = store.notes(id).await?;
            // Notes from before the first message shown wait for the older messages.
            if older_cached && let Some(from) = messages.first().map(|m| m.created_at) {
                notes.retain(|n| n.created_at >= from);
            }
            let mut timeline = timeline(&messages, &notes, &names);
            let templates: Vec<stepup_protocol::Template> = store.entities("template").await?;
            // The realtime stream may bring the cloud's copy of a message a
            // moment before the send's answer clears its outbox entry: show
            // it once. Each copy stands for at most one pending entry.
            let me = &a.session.account.agent_id;
            let mut copies: Vec<&stepup_protocol::Message> = messages
                .iter()
                .filter(|m| m.sender_agent_id.as_ref() == Some(me))
                .collect();
            let outbox = outbox.into_iter().filter(|e| {
                let SendMessageRequest::Text { text, .. } = &e.request else {
                    return true;
                };
                if e.state == OutboxState::Failed {
                    return true;
                }
                let copy = copies.iter().position(|m| {
                    m.created_at >= e.created_at - 300_000
                        && matches!(&m.content, stepup_protocol::MessageContent::Text { text: t } if t == text)
                });
                match copy {
                    Some(i) => {
                        copies.remove(i);
                        false
                    }
                    None => true,
                }
            });
            for e in outbox {
                let (kind, text) = match &e.request {
                    SendMessageRequest::Text { text, .. } => (MessageKind::Text, text.clone()),
                    SendMessageRequest::Template {
                        template_id,
                        params,
                    } => (
                        MessageKind::Template,
                        templates
                            .iter()
                            .find(|t| &t.id == template_id)
                            .map(|t| render_template(&t.body, params))
                            .unwrap_or_default(),
                    ),
                    SendMessageRequest::Attachment { caption, .. } => {
                        (MessageKind::Document, caption.clone().unwrap_or_default())
                    }
                };
                timeline.push(MessageView {
                    id: e.local_id,
                    direction: EntryDirection::Outbound,
                    origin: Origin::Human,
                    kind,
                    text,
                    event: None,
                    author: names.agents.get(&a.session.account.agent_id).cloned(),
                    subject: None,
                    handoff: None,
                    status: if e.state == OutboxState::Failed {
                        MessageStatus::Failed
                    } else {
                        MessageStatus::Pending
                    },
                    created_at: e.created_at,
                    error: e.error,
                    local: true,
                    reply_to: None,
                    reactions: vec![],
                    attachment: None,
                    card: None,
                });
            }
            let contact_name = contact.as_ref().map(|p| p.name.clone());
            let previous = store
                .conversations(&ConversationFilter {
                    contact: Some(c.contact_id.clone()),
                    limit: 20,
                    ..Default::default()
                })
                .await?
                .iter()
                .filter(|r| r.conversation.id != c.id)
                .map(|r| row(&r.conversation, r.contact_name.clone(), &names, now))
                .collect::<Vec<_>>();
            let channel_of = |conversation_id: &str| {
                if conversation_id == c.id {
                    return Some(c.channel);
                }
                previous
                    .iter()
                    .find(|p| p.id == conversation_id)
                    .map(|p| p.channel)
            };
            let contact_notes = store
                .contact_notes(&c.contact_id, 50)
                .await?
                .into_iter()
                .map(|n| ContactNoteView {
                    channel: channel_of(&n.conversation_id),
                    author: names.agents.get(&n.author_agent_id).cloned(),
                    id: n.id,
                    text: n.body,
                    created_at: n.created_at,
                    conversation_id: n.conversation_id,
                })
                .collect();
            Ok(ConversationView {
                older_cached,
                row: row(&c, contact_name, &names, now),
                contact: ContactView {
                    id: c.contact_id.clone(),
                    name: contact
                        .as_ref()
                        .map(|p| crate::views::plain_name(&p.name))
                        .unwrap_or_default(),
                    phone: contact.as_ref().and_then(|p| p.phone.clone()),
                    language: contact.as_ref().and_then(|p| p.language.clone()),
                    email: contact.as_ref().and_then(|p| p.email.clone()),
                    attributes: contact
                        .as_ref()
                        .map(|p| {
                            p.attributes
                                .iter()
                                .map(|(key, value)| AttributeView {
                                    key: key.clone(),
                                    value: value.clone(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    notes: contact_notes,
                    identities: contact
                        .map(|p| {
                            p.identities
                                .into_iter()
                                .map(|i| IdentityView {
                                    channel: i.channel,
                                    external_id: i.external_id,
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                },
                window: WindowView {
                    free_text_until: c.reply_window.free_text_until,
                    human_agent_until: c.reply_window.human_agent_until,
                    reply_until: c.reply_window.agent_until(),
                    templates_allowed: c.reply_window.templates_allowed,
                },
                messages: timeline,
                previous,
                csat: c.csat,
            })
        })
        .await
    }

    /// Searches the cache: Arabic-aware (harakat, alef forms, digits, light stemming), Arabizi
    /// and Arabic finding each other, quoted phrases; within the list's filters and a period.
    pub async fn search(&self, args: SearchQuery, now: i64) -> Result<Vec<SearchResult>, AppError> {
        self.with(async |a| {
            let store = &a.session.store;
            let within = match &args.within {
                Some(list) => match list_filter(store, &a.session.account.agent_id, list).await? {
                    Some(f) => Some(f),
                    None => return Ok(Vec::new()),
                },
                None => None,
            };
            let filter = stepup_store::SearchFilter {
                limit: 50,
                within,
                from: args
                    .days
                    .map(|days| now - i64::from(days.min(36_500)) * 86_400_000),
                ..Default::default()
            };
            let hits = store.search(&args.text, &filter).await?;
            let mut out = Vec::with_capacity(hits.len());
            for h in hits {
                let contact_name = match &h.conversation_id {
                    Some(c) => match store.conversation(c).await? {
                        Some(conv) => store.contact(&conv.contact_id).await?.map(|p| p.name),
                        None => None,
                    },
                    None => store.contact(&h.id).await?.map(|p| p.name),
                };
                out.push(SearchResult {
                    kind: h.kind,
                    id: h.id,
                    conversation_id: h.conversation_id,
                    contact_name: crate::views::plain_name(&contact_name.unwrap_or_default()),
                    snippet: h
                        .snippet
                        .parts
                        .into_iter()
                        .map(|(text, hit)| SnippetPart { text, hit })
                        .collect(),
                    at: h.at,
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
        if text.len() > 4096 * 4 {
            return Err(AppError::InvalidInput("the message is too long".into()));
        }
        self.with(async |a| {
            let request = SendMessageRequest::Text {
                text: text.to_owned(),
                reply_to_message_id: args.reply_to.clone(),
                human_agent: human_agent(&a.session.store, &args.conversation_id).await?,
            };
            a.engine.enqueue(&args.conversation_id, &request).await?;
            Ok(())
        })
        .await
    }
}

/// Whether an agent's reply in this conversation goes with the `HUMAN_AGENT` tag allowed: on
/// Messenger and Instagram, where a human agent may answer for 7 days (the cloud uses the tag only
/// outside the 24-hour window). Agents are human; the AI's replies never come through here.
pub(crate) async fn human_agent(
    store: &stepup_store::Store,
    conversation_id: &str,
) -> Result<bool, AppError> {
    Ok(store
        .conversation(conversation_id)
        .await?
        .is_some_and(|c| c.channel.human_agent_window_ms().is_some()))
}

/// The store's filter for a list query; `None` when the list is empty by definition (my teams,
/// without a team).
async fn list_filter(
    store: &stepup_store::Store,
    me: &str,
    query: &InboxQuery,
) -> Result<Option<ConversationFilter>, AppError> {
    let mut filter = ConversationFilter {
        channel: query.channel,
        status: query.status,
        label: query.label.clone(),
        unread_only: query.unread.unwrap_or(false),
        sort: query.sort.unwrap_or_default(),
        limit: query.limit.unwrap_or(100).clamp(1, 5_000),
        offset: query.offset.unwrap_or(0),
        ..Default::default()
    };
    match query.view.unwrap_or(ListView::All) {
        ListView::All => {}
        ListView::Mine => filter.assignee = Some(AssigneeFilter::Agent(me.to_owned())),
        ListView::Unassigned => filter.assignee = Some(AssigneeFilter::Nobody),
        ListView::MyTeams => {
            let agents: Vec<stepup_protocol::Agent> = store.entities("agent").await?;
            filter.teams = agents
                .into_iter()
                .find(|x| x.id == me)
                .map(|x| x.team_ids)
                .unwrap_or_default();
            if filter.teams.is_empty() {
                return Ok(None);
            }
        }
    }
    // A given agent or team narrows the list whatever the view says.
    if let Some(agent) = query.agent.clone() {
        filter.assignee = Some(AssigneeFilter::Agent(agent));
    }
    if let Some(team) = query.team.clone() {
        filter.teams = vec![team];
    }
    Ok(Some(filter))
}

/// The list rows of conversations read from the cache, with the directory's names.
async fn list_rows(
    store: &stepup_store::Store,
    rows: &[stepup_store::ConversationRow],
    now: i64,
) -> Result<Vec<InboxRow>, AppError> {
    let names = Names::load(store).await?;
    Ok(rows
        .iter()
        .map(|r| row(&r.conversation, r.contact_name.clone(), &names, now))
        .collect())
}
