//! The running side: it follows a sync engine's events, resolves them
//! against the cache (assignment, team, contact and author names), asks the
//! [`Policy`] and shows what it decides through a [`Notifier`].

use std::{
    collections::{HashMap, HashSet},
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use stepup_i18n::{Catalog, Locale};
use stepup_protocol::{Agent, Direction, EntityKind};
use stepup_store::{OutboxState, Store};
use stepup_sync::{Clock, SyncEvent, SyncState, engine::Engine};
use tokio::sync::{Notify, broadcast};

use crate::{
    notifier::{Activation, Notifier, Request},
    policy::{Event, Focus, Inbound, Me, Notice, Now, Policy, PolicyConfig, Prefs, Skip, Slot},
    text,
};

/// What the service did with one event or timer, for tests and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Shown {
        id: u32,
        request: Request,
    },
    Skipped {
        conversation_id: String,
        reason: Skip,
    },
}

struct Shared {
    policy: Mutex<Policy>,
    locale: Mutex<Locale>,
    catalog: Arc<Catalog>,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    wake: Notify,
    /// The id on screen of the burst notification.
    burst_id: Mutex<Option<u32>>,
    opened: broadcast::Sender<String>,
    outcomes: broadcast::Sender<Outcome>,
    /// Put before each title ("Noor Perfumes · …") when several accounts notify.
    label: Mutex<Option<String>>,
}

/// Native notifications for one app. Cheap to clone.
#[derive(Clone)]
pub struct Notifications {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Notifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifications").finish_non_exhaustive()
    }
}

fn local_offset_minutes() -> i32 {
    use chrono::Offset;
    chrono::Local::now().offset().fix().local_minus_utc() / 60
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Notifications {
    pub fn new(
        cfg: PolicyConfig,
        catalog: Arc<Catalog>,
        notifier: Arc<dyn Notifier>,
        clock: Arc<dyn Clock>,
    ) -> Notifications {
        let shared = Arc::new(Shared {
            policy: Mutex::new(Policy::new(cfg, Me::default())),
            locale: Mutex::new(Locale::DEFAULT),
            catalog,
            notifier,
            clock,
            wake: Notify::new(),
            burst_id: Mutex::new(None),
            opened: broadcast::channel(16).0,
            outcomes: broadcast::channel(1024).0,
            label: Mutex::new(None),
        });
        // Clicks on notifications: open the conversation, end the burst.
        let mut activations = shared.notifier.activations();
        let weak = Arc::downgrade(&shared);
        tokio::spawn(async move {
            loop {
                let activation = match activations.recv().await {
                    Ok(a) => a,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let Some(shared) = weak.upgrade() else { return };
                match activation {
                    Activation::Open { conversation_id } => {
                        lock(&shared.policy).reset_burst();
                        *lock(&shared.burst_id) = None;
                        let _ = shared.opened.send(conversation_id);
                    }
                    Activation::Closed { id } => {
                        let mut burst = lock(&shared.burst_id);
                        if *burst == Some(id) {
                            *burst = None;
                            lock(&shared.policy).reset_burst();
                        }
                    }
                }
            }
        });
        Notifications { shared }
    }

    fn now(&self) -> Now {
        Now {
            utc_ms: self.shared.clock.now_ms(),
            local_offset_minutes: local_offset_minutes(),
        }
    }

    /// Names the workspace in each notification's title (`None`: the only account).
    pub fn set_label(&self, label: Option<String>) {
        *lock(&self.shared.label) = label;
    }

    pub fn set_prefs(&self, prefs: Prefs) {
        lock(&self.shared.policy).set_prefs(prefs);
        self.shared.wake.notify_one();
    }

    pub fn prefs(&self) -> Prefs {
        lock(&self.shared.policy).prefs().clone()
    }

    pub fn set_locale(&self, locale: Locale) {
        *lock(&self.shared.locale) = locale;
    }

    pub fn set_focus(&self, focus: Focus) {
        if focus.window_focused {
            *lock(&self.shared.burst_id) = None;
        }
        lock(&self.shared.policy).set_focus(focus);
        self.shared.wake.notify_one();
    }

    /// The agent saw the notifications: the next message starts afresh.
    pub fn reset_burst(&self) {
        lock(&self.shared.policy).reset_burst();
        *lock(&self.shared.burst_id) = None;
    }

    /// Conversations to open, from clicks on notifications.
    pub fn opened(&self) -> broadcast::Receiver<String> {
        self.shared.opened.subscribe()
    }

    /// Every decision, as it is made.
    pub fn outcomes(&self) -> broadcast::Receiver<Outcome> {
        self.shared.outcomes.subscribe()
    }

    async fn show(&self, notice: Notice) {
        let locale = *lock(&self.shared.locale);
        let text = text::render(&self.shared.catalog, locale, &notice.content);
        let replaces = match notice.slot {
            Slot::Messages if notice.update => *lock(&self.shared.burst_id),
            _ => None,
        };
        let title = match lock(&self.shared.label).as_deref() {
            Some(label) => format!("{label} · {}", text.title),
            None => text.title,
        };
        let request = Request {
            title,
            body: text.body,
            open_label: text.open_label,
            conversation_id: notice.conversation_id,
            replaces,
            sound: notice.sound,
        };
        match self.shared.notifier.show(request.clone()).await {
            Ok(id) => {
                if notice.slot == Slot::Messages {
                    *lock(&self.shared.burst_id) = Some(id);
                }
                tracing::debug!(id, "notification shown");
                let _ = self.shared.outcomes.send(Outcome::Shown { id, request });
            }
            Err(e) => tracing::warn!(error = %e, "cannot show a notification"),
        }
    }

    async fn offer(&self, event: Event) {
        let conversation_id = event.conversation_id().to_owned();
        let decision = lock(&self.shared.policy).offer(event, self.now());
        match decision {
            Ok(notice) => self.show(notice).await,
            Err(reason) => {
                tracing::debug!(?reason, "no notification");
                let _ = self.shared.outcomes.send(Outcome::Skipped {
                    conversation_id,
                    reason,
                });
            }
        }
    }

    /// Follows `engine` in the background from now on (no event is missed);
    /// stops when the returned sender fires or is dropped.
    pub fn spawn(&self, engine: &Engine, agent_id: &str) -> tokio::sync::oneshot::Sender<()> {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let events = engine.subscribe();
        let store = engine.store().clone();
        let (me, agent_id) = (self.clone(), agent_id.to_owned());
        tokio::spawn(async move {
            me.follow(events, store, &agent_id, async {
                let _ = rx.await;
            })
            .await;
        });
        tx
    }

    /// Follows `engine` for the agent `agent_id` until `shutdown` completes
    /// or the engine goes away.
    pub async fn run(&self, engine: &Engine, agent_id: &str, shutdown: impl Future<Output = ()>) {
        let events = engine.subscribe();
        let store = engine.store().clone();
        self.follow(events, store, agent_id, shutdown).await;
    }

    async fn follow(
        &self,
        mut events: broadcast::Receiver<SyncEvent>,
        store: Store,
        agent_id: &str,
        shutdown: impl Future<Output = ()>,
    ) {
        let mut state = Tracker {
            me: agent_id.to_owned(),
            assignees: HashMap::new(),
            failed: HashSet::new(),
        };
        // A cache already bootstrapped (a restart) notifies from the start.
        if store.sync_cursor().await.is_ok_and(|c| c.bootstrapped) {
            self.ready(&store, &mut state).await;
        }
        tokio::pin!(shutdown);
        loop {
            let due_in = {
                let policy = lock(&self.shared.policy);
                policy.next_due_at().map(|at| {
                    Duration::from_millis(
                        u64::try_from(at.saturating_sub(self.shared.clock.now_ms())).unwrap_or(0),
                    )
                })
            };
            let timer = async {
                match due_in {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = &mut shutdown => return,
                _ = timer => {
                    let notice = lock(&self.shared.policy).due(self.now());
                    if let Some(notice) = notice {
                        self.show(notice).await;
                    }
                }
                _ = self.shared.wake.notified() => {}
                ev = events.recv() => match ev {
                    Ok(ev) => self.handle(&store, &mut state, ev).await,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "notifications fell behind the engine");
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }

    /// The initial sync is over: learn who I am and who has what.
    async fn ready(&self, store: &Store, state: &mut Tracker) {
        let team_ids = match store.entity::<Agent>(EntityKind::Agent, &state.me).await {
            Ok(Some(agent)) => agent.team_ids,
            _ => Vec::new(),
        };
        state.assignees = store
            .assignees()
            .await
            .map(|rows| rows.into_iter().collect())
            .unwrap_or_default();
        let mut policy = lock(&self.shared.policy);
        policy.set_me(Me {
            agent_id: state.me.clone(),
            team_ids,
        });
        policy.set_initial_sync(false);
    }

    async fn handle(&self, store: &Store, state: &mut Tracker, ev: SyncEvent) {
        let initial = || lock(&self.shared.policy).initial_sync();
        match ev {
            SyncEvent::State(SyncState::Bootstrapping { .. }) => {
                lock(&self.shared.policy).set_initial_sync(true);
            }
            SyncEvent::State(SyncState::Online { .. }) if initial() => {
                if store.sync_cursor().await.is_ok_and(|c| c.bootstrapped) {
                    self.ready(store, state).await;
                }
            }
            SyncEvent::State(_)
            | SyncEvent::Activity { .. }
            | SyncEvent::Pruned { .. }
            | SyncEvent::BroadcastsChanged => {}
            SyncEvent::NewInbound { message } => {
                if message.direction != Direction::Inbound {
                    return;
                }
                let Some((conversation, contact_name)) =
                    conversation(store, &message.conversation_id).await
                else {
                    return;
                };
                let preview = message.content.preview();
                self.offer(Event::Inbound(Inbound {
                    conversation_id: conversation.id,
                    contact_id: conversation.contact_id,
                    contact_name,
                    preview,
                    assignee_agent_id: conversation.assignee_agent_id,
                    assignee_team_id: conversation.assignee_team_id,
                    sender_agent_id: message.sender_agent_id,
                }))
                .await;
            }
            SyncEvent::ConversationsChanged { ids } => {
                if initial() {
                    return;
                }
                for id in ids {
                    let Some((conversation, contact_name)) = conversation(store, &id).await else {
                        state.assignees.remove(&id);
                        continue;
                    };
                    let now = conversation.assignee_agent_id.clone();
                    let before = state.assignees.insert(id.clone(), now.clone()).flatten();
                    if now.as_deref() == Some(state.me.as_str()) && before != now {
                        self.offer(Event::Assigned {
                            conversation_id: id,
                            contact_name,
                            by_agent_id: None,
                        })
                        .await;
                    }
                }
            }
            SyncEvent::NoteAdded { note } => {
                if !note.mentions.contains(&state.me) {
                    return;
                }
                let Some((_, contact_name)) = conversation(store, &note.conversation_id).await
                else {
                    return;
                };
                let author_name = store
                    .entity::<Agent>(EntityKind::Agent, &note.author_agent_id)
                    .await
                    .ok()
                    .flatten()
                    .map(|a| a.name)
                    .unwrap_or_default();
                self.offer(Event::Mention {
                    conversation_id: note.conversation_id.clone(),
                    contact_name,
                    author_agent_id: note.author_agent_id.clone(),
                    author_name,
                    mentions: note.mentions.clone(),
                })
                .await;
            }
            SyncEvent::OutboxChanged {
                local_id,
                conversation_id,
            } => {
                let failed = matches!(
                    store.outbox_entry(&local_id).await,
                    Ok(Some(e)) if e.state == OutboxState::Failed
                );
                if !failed || !state.failed.insert(local_id) {
                    return;
                }
                let contact_name = conversation(store, &conversation_id)
                    .await
                    .map(|(_, name)| name)
                    .unwrap_or_default();
                self.offer(Event::SendFailed {
                    conversation_id,
                    contact_name,
                })
                .await;
            }
        }
    }
}

/// What the service remembers between events.
struct Tracker {
    me: String,
    /// Each conversation's assignee, to tell a new assignment.
    assignees: HashMap<String, Option<String>>,
    /// Outbox entries already reported as failed.
    failed: HashSet<String>,
}

async fn conversation(store: &Store, id: &str) -> Option<(stepup_protocol::Conversation, String)> {
    let conversation = store.conversation(id).await.ok().flatten()?;
    let name = store
        .contact(&conversation.contact_id)
        .await
        .ok()
        .flatten()
        .map(|c| c.name)
        .unwrap_or_default();
    Some((conversation, name))
}
