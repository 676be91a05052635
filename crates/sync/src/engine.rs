//! The engine: keeps the cache in step with the cloud and drains the outbox.

use std::{future::Future, sync::Arc, time::Duration};

use futures_util::StreamExt;
use rand::Rng;
use stepup_protocol::{Direction, SendMessageRequest, StreamEvent, SyncResponse};
use stepup_store::{Applied, OutboxEntry, Store, StoreError};
use tokio::sync::{Notify, broadcast};
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::{
    Clock, SyncEvent, SyncState,
    account::Session,
    backoff::Backoff,
    client::{ClientError, CloudClient},
};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the realtime stream went quiet")]
    Stalled,
}

impl SyncError {
    fn signed_out(&self) -> bool {
        matches!(self, SyncError::Client(ClientError::SignedOut))
    }

    /// This device was revoked with a verified order to erase it.
    pub fn revoked(&self) -> bool {
        matches!(self, SyncError::Client(ClientError::DeviceRevoked(_)))
    }
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Most changes asked for in one page.
    pub page_size: u32,
    /// About how many bytes of documents one page holds.
    pub page_bytes: usize,
    /// The first page of a bootstrap is smaller, so the inbox shows its newest conversations
    /// after one short answer, even on a slow link.
    pub first_page_bytes: usize,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// An outbox message still not accepted after this long is marked failed.
    pub outbox_give_up: Duration,
    /// Reconnect when the stream sends nothing (not even a heartbeat) for this long.
    pub stream_silence: Duration,
    /// Seeds the jitter; `None` uses the OS.
    pub seed: Option<u64>,
    /// Messages older than this are dropped from the cache (fetched again on demand).
    pub retention: Duration,
    /// Bytes of attachments kept in the cache.
    pub attachment_budget: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            page_size: 5000,
            page_bytes: 4 * 1024 * 1024,
            first_page_bytes: 64 * 1024,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            outbox_give_up: Duration::from_secs(24 * 3600),
            stream_silence: Duration::from_secs(45),
            seed: None,
            retention: Duration::from_secs(180 * 24 * 3600),
            attachment_budget: 512 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    client: CloudClient,
    clock: Arc<dyn Clock>,
    cfg: EngineConfig,
    events: broadcast::Sender<SyncEvent>,
    outbox_wake: Notify,
    /// The outbox's local ids, rising as sends are queued.
    local_ids: stepup_protocol::ids::RisingIds,
    sync_wake: Notify,
    last_sync_at: std::sync::Mutex<Option<i64>>,
    /// Set once the cloud sent a verified order to erase this device.
    revoked: std::sync::atomic::AtomicBool,
    /// When the retention window was last applied, and the workspace's period then.
    retention_applied: std::sync::Mutex<Option<(i64, Option<u32>)>>,
}

/// The retention window is applied again after a catch-up at most this often (a prune scans the
/// messages), or at once when the workspace's period changed.
const RETENTION_EVERY_MS: i64 = 3600 * 1000;

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Engine {
    pub fn new(session: &Session, clock: Arc<dyn Clock>, cfg: EngineConfig) -> Engine {
        let (events, _) = broadcast::channel(1024);
        Engine {
            inner: Arc::new(Inner {
                store: session.store.clone(),
                client: session.client.clone(),
                clock,
                cfg,
                events,
                outbox_wake: Notify::new(),
                local_ids: Default::default(),
                sync_wake: Notify::new(),
                last_sync_at: std::sync::Mutex::new(None),
                revoked: std::sync::atomic::AtomicBool::new(false),
                retention_applied: std::sync::Mutex::new(None),
            }),
        }
    }

    /// Whether the cloud ordered this device erased (then [`Engine::run`] has returned).
    pub fn was_revoked(&self) -> bool {
        self.inner.revoked.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn note_revoked(&self) {
        self.inner
            .revoked
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.emit(SyncEvent::State(SyncState::Revoked));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.inner.events.subscribe()
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    fn emit(&self, event: SyncEvent) {
        // Nobody listening is fine.
        let _ = self.inner.events.send(event);
    }

    fn now(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// Retry now instead of waiting out the backoff (the network came back,
    /// the machine woke up).
    pub fn nudge(&self) {
        self.inner.sync_wake.notify_one();
        self.inner.outbox_wake.notify_one();
    }

    /// Applies a page and tells subscribers what changed. Customer messages
    /// are announced as new only when they arrive live, not while
    /// bootstrapping.
    async fn apply(
        &self,
        resp: &SyncResponse,
        bootstrapped: bool,
        live: bool,
    ) -> Result<Applied, SyncError> {
        let applied = self
            .inner
            .store
            .apply_page(&resp.changes, &resp.next_cursor, bootstrapped)
            .await?;
        if let Some(since) = resp.messages_since {
            // The snapshot's messages start there: figures over older days would be short.
            self.inner.store.set_messages_complete_from(since).await?;
        }
        if !applied.conversations.is_empty() {
            self.emit(SyncEvent::ConversationsChanged {
                ids: applied.conversations.clone(),
            });
        }
        if applied.broadcasts {
            self.emit(SyncEvent::BroadcastsChanged);
        }
        if live {
            for m in applied
                .new_messages
                .iter()
                .filter(|m| m.direction == Direction::Inbound)
            {
                self.emit(SyncEvent::NewInbound {
                    message: Box::new(m.clone()),
                });
            }
            for n in &applied.notes {
                self.emit(SyncEvent::NoteAdded {
                    note: Box::new(n.clone()),
                });
            }
        }
        Ok(applied)
    }

    /// Reads the feed up to its head: the initial snapshot first (resumable
    /// after a crash: its cursor is saved with every page), then the log.
    /// A `410` wipes the synced data (not the outbox) and starts over.
    pub async fn catch_up(&self) -> Result<u64, SyncError> {
        let mut total = 0u64;
        let size = self.inner.cfg.page_size;
        let bytes = self.inner.cfg.page_bytes;
        'restart: loop {
            let cursor = self.inner.store.sync_cursor().await?;
            let mut bootstrapped = cursor.bootstrapped;
            let first_bytes = if !bootstrapped && cursor.cursor == "0" {
                self.inner.cfg.first_page_bytes
            } else {
                bytes
            };
            let mut page = match self
                .inner
                .client
                .sync_page(&cursor.cursor, size, first_bytes)
                .await
            {
                Err(ClientError::CursorExpired) => {
                    self.rebootstrap().await?;
                    continue 'restart;
                }
                other => other?,
            };
            let expected = page.snapshot_total;
            loop {
                if !bootstrapped {
                    self.emit(SyncEvent::State(SyncState::Bootstrapping {
                        applied: total,
                        total: expected,
                    }));
                }
                let done = bootstrapped || !page.has_more;
                // While a page is written, the next one is already on its way: fetched and
                // read (inflated, parsed) in a task of its own, on another thread than the
                // one preparing this page's statements.
                let (applied, next) = if page.has_more {
                    let fetch = tokio::spawn({
                        let client = self.inner.client.clone();
                        let cursor = page.next_cursor.clone();
                        async move { client.sync_page(&cursor, size, bytes).await }
                    });
                    let applied = match self.apply(&page, done, bootstrapped).await {
                        Ok(a) => a,
                        Err(e) => {
                            fetch.abort();
                            return Err(e);
                        }
                    };
                    let next = fetch.await.unwrap_or_else(|e| {
                        Err(ClientError::Unreachable {
                            url: "sync".into(),
                            detail: e.to_string(),
                        })
                    });
                    (applied, Some(next))
                } else {
                    (self.apply(&page, done, bootstrapped).await?, None)
                };
                total += applied.changes as u64;
                bootstrapped = done;
                match next {
                    None => {
                        let now = self.now();
                        *self
                            .inner
                            .last_sync_at
                            .lock()
                            .unwrap_or_else(|p| p.into_inner()) = Some(now);
                        return Ok(total);
                    }
                    Some(Err(ClientError::CursorExpired)) => {
                        self.rebootstrap().await?;
                        continue 'restart;
                    }
                    Some(next) => page = next?,
                }
            }
        }
    }

    async fn rebootstrap(&self) -> Result<(), SyncError> {
        tracing::info!("sync cursor expired; re-bootstrapping");
        Ok(self.inner.store.reset_for_rebootstrap().await?)
    }

    fn last_sync_at(&self) -> Option<i64> {
        *self
            .inner
            .last_sync_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Follows the realtime stream until it ends. Every change is applied
    /// with its sequence number as the cursor; a gap, a `lagged` frame or a
    /// heartbeat ahead of the cache sends the engine back to `/v1/sync`.
    async fn follow_stream(&self, backoff: &mut Backoff) -> Result<(), SyncError> {
        let mut ws = self.inner.client.open_stream().await?;
        // Whatever committed between the last catch-up and the subscription.
        self.catch_up().await?;
        backoff.reset();
        self.emit(SyncEvent::State(SyncState::Online {
            last_sync_at: self.now(),
        }));
        loop {
            let frame = match tokio::time::timeout(self.inner.cfg.stream_silence, ws.next()).await {
                Err(_) => return Err(SyncError::Stalled),
                Ok(None) => return Ok(()),
                Ok(Some(Err(e))) => {
                    return Err(ClientError::Unreachable {
                        url: "stream".into(),
                        detail: e.to_string(),
                    }
                    .into());
                }
                Ok(Some(Ok(frame))) => frame,
            };
            let text = match frame {
                WsMessage::Text(text) => text,
                WsMessage::Close(_) => return Ok(()),
                _ => continue,
            };
            let event: StreamEvent = match serde_json::from_str(text.as_str()) {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, "ignoring a malformed stream frame; catching up instead");
                    self.catch_up().await?;
                    continue;
                }
            };
            if let StreamEvent::Activity { activity } = event {
                // Not a change: passed on, never stored.
                self.emit(SyncEvent::Activity { activity });
                continue;
            }
            let cursor: u64 = self
                .inner
                .store
                .sync_cursor()
                .await?
                .cursor
                .parse()
                .unwrap_or(0);
            match event {
                StreamEvent::Change { change } if change.seq == cursor + 1 => {
                    let seq = change.seq.to_string();
                    let workspace = change.entity == stepup_protocol::EntityKind::Workspace;
                    let resp = SyncResponse {
                        changes: vec![*change],
                        next_cursor: seq,
                        has_more: false,
                        snapshot: false,
                        snapshot_total: None,
                        messages_since: None,
                    };
                    self.apply(&resp, true, true).await?;
                    *self
                        .inner
                        .last_sync_at
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = Some(self.now());
                    if workspace {
                        // Its retention period may have changed: applied now, not at the next
                        // reconnect.
                        self.retention_after_catch_up().await?;
                    }
                }
                StreamEvent::Change { change } if change.seq <= cursor => {}
                StreamEvent::Change { .. } => {
                    self.catch_up().await?;
                }
                StreamEvent::Hello { head } | StreamEvent::Heartbeat { head, .. } => {
                    if head > cursor {
                        self.catch_up().await?;
                    }
                }
                StreamEvent::Lagged => {
                    self.catch_up().await?;
                    return Ok(());
                }
                StreamEvent::Activity { .. } => {}
            }
        }
    }

    /// Applies the retention window: drops cached messages older than it.
    /// The window is this device's setting, or the workspace's retention period when that is
    /// shorter (admins set it; it reaches every device with the feed).
    pub async fn apply_retention(&self) -> Result<u64, SyncError> {
        let workspace = self.inner.store.workspace_privacy().await?.retention_days;
        self.prune(workspace).await
    }

    /// Drops what is older than the window, given the workspace's period.
    async fn prune(&self, workspace_days: Option<u32>) -> Result<u64, SyncError> {
        let mut keep = ms(self.inner.cfg.retention);
        if let Some(days) = workspace_days {
            keep = keep.min(i64::from(days) * 24 * 3600 * 1000);
        }
        let now = self.now();
        *self
            .inner
            .retention_applied
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some((now, workspace_days));
        let pruned = self.inner.store.prune_messages_before(now - keep).await?;
        if pruned > 0 {
            self.emit(SyncEvent::Pruned { messages: pruned });
        }
        Ok(pruned)
    }

    /// After a catch-up: the retention window again if an hour has passed, or at once if the
    /// workspace's period changed with the feed.
    async fn retention_after_catch_up(&self) -> Result<(), SyncError> {
        let workspace = self.inner.store.workspace_privacy().await?.retention_days;
        let last = *self
            .inner
            .retention_applied
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let due = match last {
            None => true,
            Some((at, period)) => period != workspace || self.now() - at >= RETENTION_EVERY_MS,
        };
        if due {
            self.prune(workspace).await?;
        }
        Ok(())
    }

    /// Fetches older history of a conversation than the cache holds, caches
    /// it and returns it (oldest first) with whether there is more.
    pub async fn load_older(
        &self,
        conversation_id: &str,
        limit: u32,
    ) -> Result<(Vec<stepup_protocol::Message>, bool), SyncError> {
        let oldest = self.inner.store.oldest_message_at(conversation_id).await?;
        let page = self
            .inner
            .client
            .history(conversation_id, oldest, limit)
            .await?;
        for m in &page.messages {
            self.inner.store.put_message(m).await?;
        }
        let mut messages = page.messages;
        messages.reverse();
        Ok((messages, page.has_more))
    }

    /// Fetches the workspace's messages older than the cache holds, from `from`, a page at a
    /// time; `progress` hears the running count. Resumable: an interrupted fetch goes on from
    /// its last page. Afterwards the cache holds every message from `from`.
    pub async fn fetch_history(
        &self,
        from: i64,
        mut progress: impl FnMut(u64),
    ) -> Result<u64, SyncError> {
        const PAGE: u32 = 1_000;
        const KEY: &str = "history_fetch";
        let store = &self.inner.store;
        let to = match store.messages_complete_from().await? {
            Some(complete) if complete <= from => return Ok(0),
            Some(complete) => complete,
            None => self.now(),
        };
        // `from|to|cursor` of a fetch left unfinished.
        let saved = store.meta(KEY).await?;
        let mut after = saved.and_then(|v| {
            let mut parts = v.splitn(3, '|');
            let (f, t, cursor) = (parts.next()?, parts.next()?, parts.next()?);
            (f == from.to_string() && t == to.to_string()).then(|| cursor.to_owned())
        });
        let mut fetched = 0u64;
        loop {
            let page = self
                .inner
                .client
                .history_range(from, to, after.as_deref(), PAGE)
                .await?;
            store.put_messages(&page.messages).await?;
            fetched += page.messages.len() as u64;
            progress(fetched);
            match page.next {
                Some(next) => {
                    store.set_meta(KEY, &format!("{from}|{to}|{next}")).await?;
                    after = Some(next);
                }
                None => break,
            }
        }
        store.set_meta(KEY, "").await?;
        store.set_messages_complete_from(from).await?;
        Ok(fetched)
    }

    /// An attachment's bytes: from the encrypted cache, or downloaded and
    /// cached within the budget.
    pub async fn attachment(&self, id: &str) -> Result<stepup_store::CachedAttachment, SyncError> {
        if let Some(cached) = self.inner.store.attachment(id, self.now()).await? {
            return Ok(cached);
        }
        let (bytes, content_type) = self.inner.client.download_attachment(id).await?;
        self.inner
            .store
            .cache_attachment(
                id,
                &content_type,
                &bytes,
                self.now(),
                self.inner.cfg.attachment_budget,
            )
            .await?;
        Ok(stepup_store::CachedAttachment {
            id: id.to_owned(),
            content_type,
            bytes,
        })
    }

    /// Keeps the cache in step until `shutdown` completes: catches up,
    /// follows the stream, and on any failure reports offline and retries
    /// with exponential backoff and jitter. Also drains the outbox.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        tokio::select! {
            _ = shutdown => {}
            _ = self.sync_loop() => {}
            _ = self.outbox_loop() => {}
        }
    }

    async fn sync_loop(&self) {
        let cfg = &self.inner.cfg;
        let mut backoff = Backoff::new(cfg.backoff_base, cfg.backoff_max, cfg.seed);
        if let Err(e) = self.apply_retention().await {
            tracing::warn!(error = %e, "cannot apply the retention window");
        }
        loop {
            self.emit(SyncEvent::State(SyncState::Syncing));
            let result = match self.catch_up().await {
                Ok(_) => {
                    // The workspace's retention period may have come with the feed.
                    if let Err(e) = self.retention_after_catch_up().await {
                        tracing::warn!(error = %e, "cannot apply the retention window");
                    }
                    self.follow_stream(&mut backoff).await
                }
                Err(e) => Err(e),
            };
            let delay = backoff.next_delay();
            match result {
                Err(e) if e.revoked() => {
                    tracing::warn!(
                        "this device was revoked by the workspace; its data is to be erased"
                    );
                    self.note_revoked();
                    return;
                }
                Err(e) if e.signed_out() => {
                    self.emit(SyncEvent::State(SyncState::SignedOut));
                    return;
                }
                Err(e) => {
                    tracing::info!(error = %e, retry_in_ms = delay.as_millis() as u64, "sync interrupted");
                    self.emit(SyncEvent::State(SyncState::Offline {
                        last_sync_at: self.last_sync_at(),
                        error: e.to_string(),
                        retry_at: self.now() + ms(delay),
                    }));
                }
                Ok(()) => tracing::debug!("stream ended; reconnecting"),
            }
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.inner.sync_wake.notified() => {}
            }
        }
    }

    /// Queues a text message: it shows at once as pending and is sent by the
    /// outbox loop.
    pub async fn send_text(
        &self,
        conversation_id: &str,
        text: &str,
    ) -> Result<OutboxEntry, SyncError> {
        let request = SendMessageRequest::Text {
            text: text.to_owned(),
            reply_to_message_id: None,
            human_agent: false,
        };
        self.enqueue(conversation_id, &request).await
    }

    pub async fn enqueue(
        &self,
        conversation_id: &str,
        request: &SendMessageRequest,
    ) -> Result<OutboxEntry, SyncError> {
        // Rising local ids: the outbox sends in (created_at, local_id) order, so two sends queued
        // in one millisecond leave in the order they were written.
        let (local_id, key) = {
            let mut rng = rand::rng();
            (
                self.inner
                    .local_ids
                    .next("out", self.now(), rng.random::<u64>()),
                format!("{:032x}", rng.random::<u128>()),
            )
        };
        let entry = self
            .inner
            .store
            .enqueue(&local_id, &key, conversation_id, request, self.now())
            .await?;
        self.emit(SyncEvent::OutboxChanged {
            local_id,
            conversation_id: conversation_id.to_owned(),
        });
        self.inner.outbox_wake.notify_one();
        Ok(entry)
    }

    /// Sends every due outbox entry once. A transient failure schedules the
    /// entry again with backoff (and stops this round: the cloud is likely
    /// unreachable); a permanent one marks it failed with the reason. After
    /// `outbox_give_up` of failures an entry is marked failed too.
    pub async fn flush_outbox(&self) -> Result<usize, SyncError> {
        let mut sent = 0;
        for entry in self.inner.store.outbox_due(self.now()).await? {
            let result = self
                .inner
                .client
                .send_message(
                    &entry.conversation_id,
                    &entry.request,
                    &entry.idempotency_key,
                )
                .await;
            let now = self.now();
            match result {
                Ok(message) => {
                    self.inner
                        .store
                        .outbox_accepted(&entry.local_id, &message)
                        .await?;
                    sent += 1;
                    self.emit(SyncEvent::ConversationsChanged {
                        ids: vec![entry.conversation_id.clone()],
                    });
                }
                Err(e) if e.is_transient() => {
                    if now - entry.created_at >= ms(self.inner.cfg.outbox_give_up) {
                        self.inner
                            .store
                            .outbox_failed(
                                &entry.local_id,
                                &format!("not delivered within 24 hours: {e}"),
                            )
                            .await?;
                    } else {
                        let exp = 1u64 << entry.attempts.min(8);
                        let wait = Duration::from_secs(exp).min(Duration::from_secs(300));
                        let jitter = rand::rng().random_range(0..=ms(wait) / 2);
                        self.inner
                            .store
                            .outbox_retry_later(
                                &entry.local_id,
                                now + ms(wait) / 2 + jitter,
                                &e.to_string(),
                            )
                            .await?;
                    }
                    self.emit(SyncEvent::OutboxChanged {
                        local_id: entry.local_id.clone(),
                        conversation_id: entry.conversation_id.clone(),
                    });
                    return Err(e.into());
                }
                Err(e @ (ClientError::SignedOut | ClientError::DeviceRevoked(_))) => {
                    return Err(e.into());
                }
                Err(e) => {
                    let reason = match e.code() {
                        Some(code) => format!(
                            "{}: {e}",
                            serde_json::to_value(code)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default()
                        ),
                        None => e.to_string(),
                    };
                    self.inner
                        .store
                        .outbox_failed(&entry.local_id, &reason)
                        .await?;
                }
            }
            self.emit(SyncEvent::OutboxChanged {
                local_id: entry.local_id,
                conversation_id: entry.conversation_id,
            });
        }
        Ok(sent)
    }

    async fn outbox_loop(&self) {
        loop {
            if let Err(e) = self.flush_outbox().await {
                if e.revoked() {
                    self.note_revoked();
                    return;
                }
                if e.signed_out() {
                    return;
                }
                tracing::debug!(error = %e, "outbox paused");
            }
            let wait = match self.inner.store.outbox_next_due().await {
                Ok(Some(at)) => {
                    Duration::from_millis(u64::try_from((at - self.now()).max(0)).unwrap_or(0))
                }
                _ => Duration::from_secs(60),
            }
            .min(Duration::from_secs(60));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.inner.outbox_wake.notified() => {}
            }
        }
    }
}
