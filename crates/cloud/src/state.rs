//! [`AppState`], the state shared by every handler: the database pool, the configuration, the
//! feeds' and visitors' broadcast channels, rate limits; and the administration the CLI, the
//! demo and tests use (workspaces, teams, agents, webhook routing).

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::AnyPool;
use stepup_protocol::{Agent, Change, EntityKind, Presence, Role, Team, Workspace};
use tokio::sync::{Mutex, broadcast};

use crate::config::Config;
use crate::error::ServerError;
use crate::ids::Ids;
use crate::password;
use crate::store::{self, Placement, Writer};

/// The setting naming the workspace that receives the channels' webhooks.
const WEBHOOK_WORKSPACE: &str = "webhook_workspace";

/// Shared state behind every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// Committed messages the cloud sends itself, with their workspace.
pub type OutgoingQueue = tokio::sync::mpsc::UnboundedReceiver<(String, store::Outgoing)>;

/// Committed customer messages the assistant answers.
pub type AssistQueue = tokio::sync::mpsc::UnboundedReceiver<store::AssistJob>;

#[derive(Debug)]
struct Inner {
    pool: AnyPool,
    dialect: store::Dialect,
    relay: crate::relay::FeedRelay,
    config: Config,
    ids: Ids,
    /// This node's writers queue here before taking the database's write lock: one queue on
    /// SQLite (one writer at a time), one per workspace on PostgreSQL (whose lock is per
    /// workspace too).
    write_locks: std::sync::Mutex<HashMap<String, Arc<Mutex<()>>>>,
    visitors: std::sync::Mutex<
        HashMap<String, broadcast::Sender<stepup_protocol::webchat::VisitorEvent>>,
    >,
    /// Agents viewing and typing, per workspace: relayed to its streams, never stored.
    activity: std::sync::Mutex<HashMap<String, broadcast::Sender<stepup_protocol::Activity>>>,
    budgets: crate::limits::Budgets,
    logins: crate::limits::LoginGuard,
    /// Open visitor streams: on the whole server, and per visitor.
    visitor_streams: std::sync::Mutex<HashMap<String, usize>>,
    http: reqwest::Client,
    /// Media downloads: redirects are followed by hand, each hop checked.
    media_http: reqwest::Client,
    stopping: tokio::sync::watch::Sender<bool>,
    /// Sessions just ended: their open streams close at once.
    ended_sessions: broadcast::Sender<String>,
    /// This process among the nodes of one database (for telling its own notifications apart).
    node_id: String,
    /// Messages the cloud itself sends (away replies), queued by commits; the server hands
    /// them to the channels.
    outgoing: (
        tokio::sync::mpsc::UnboundedSender<(String, store::Outgoing)>,
        std::sync::Mutex<Option<OutgoingQueue>>,
    ),
    /// Customer messages the assistant answers, queued by commits.
    assist: (
        tokio::sync::mpsc::UnboundedSender<store::AssistJob>,
        std::sync::Mutex<Option<AssistQueue>>,
    ),
    /// Calls to language models: no redirects, no overall timeout (each call sets its own).
    model_http: reqwest::Client,
}

impl AppState {
    pub async fn new(config: Config) -> Result<Self, ServerError> {
        let pool = store::open(match &config.database_url {
            Some(url) => store::Location::Postgres(url),
            None => store::Location::Sqlite(config.data_dir.as_deref()),
        })
        .await?;
        let http = reqwest::Client::builder()
            .timeout(config.outbound.request_timeout)
            .build()
            .map_err(|e| ServerError::Invalid(format!("http client: {e}")))?;
        let media_http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| ServerError::Invalid(format!("http client: {e}")))?;
        let model_http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| ServerError::Invalid(format!("http client: {e}")))?;
        // Several nodes on one PostgreSQL database count failed sign-ins and budgets there.
        let logins = crate::limits::LoginGuard::new(config.login_limits.clone());
        let (logins, budgets) = match store::Dialect::of_pool(&pool) {
            store::Dialect::Postgres => (
                logins.shared(pool.clone()),
                crate::limits::Budgets::shared(pool.clone()),
            ),
            store::Dialect::Sqlite => (logins, crate::limits::Budgets::default()),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                dialect: store::Dialect::of_pool(&pool),
                relay: crate::relay::FeedRelay::default(),
                pool,
                ids: Ids::new(config.id_seed),
                logins,
                budgets,
                config,
                write_locks: std::sync::Mutex::new(HashMap::new()),
                visitors: std::sync::Mutex::new(HashMap::new()),
                activity: std::sync::Mutex::new(HashMap::new()),
                visitor_streams: std::sync::Mutex::new(HashMap::new()),
                http,
                media_http,
                stopping: tokio::sync::watch::channel(false).0,
                ended_sessions: broadcast::channel(256).0,
                node_id: format!("node-{:016x}", rand::random::<u64>()),
                outgoing: {
                    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                    (tx, std::sync::Mutex::new(Some(rx)))
                },
                assist: {
                    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                    (tx, std::sync::Mutex::new(Some(rx)))
                },
                model_http,
            }),
        })
    }

    /// The queue of committed messages the cloud sends itself (taken once, by the server).
    pub fn take_outgoing(&self) -> Option<OutgoingQueue> {
        self.inner
            .outgoing
            .1
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// The queue of customer messages the assistant answers (taken once, by the server).
    pub fn take_assist(&self) -> Option<AssistQueue> {
        self.inner
            .assist
            .1
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// The client that calls language models.
    pub fn model_http(&self) -> &reqwest::Client {
        &self.inner.model_http
    }

    pub fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn now(&self) -> i64 {
        self.inner.config.clock.now_ms()
    }

    pub fn ids(&self) -> &Ids {
        &self.inner.ids
    }

    /// A new message's id, rising with arrival on this node (see [`Ids::message`]).
    pub fn message_id(&self) -> String {
        self.inner.ids.message(self.now())
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The client that fetches customers' media (no automatic redirects).
    pub fn media_http(&self) -> &reqwest::Client {
        &self.inner.media_http
    }

    /// Tells long-lived connections (WebSockets) that the server is shutting down.
    pub(crate) fn stop(&self) {
        self.inner.stopping.send_replace(true);
    }

    /// Says that sessions ended (signed out, revoked, their agent removed), so their open
    /// streams close, on every node.
    pub(crate) fn sessions_ended(&self, ids: &[String]) {
        self.end_sessions_here(ids);
        if self.dialect() == store::Dialect::Postgres && !ids.is_empty() {
            let pool = self.pool().clone();
            let ids = ids.to_vec();
            tokio::spawn(async move {
                for id in ids {
                    let sent = store::notify(&pool, crate::relay::SESSION_ENDED_CHANNEL, &id).await;
                    if let Err(e) = sent {
                        tracing::warn!(error = %e, "telling the other nodes a session ended failed");
                    }
                }
            });
        }
    }

    /// This process among the nodes of one database.
    pub fn node_id(&self) -> &str {
        &self.inner.node_id
    }

    /// Hands an agent's activity (viewing, typing, left) to the workspace's streams, on every
    /// node: on PostgreSQL it is also notified (`stepup_activity`) for the others. Short-lived
    /// news: one lost is replaced by the next report.
    pub async fn report_activity(&self, workspace_id: &str, activity: stepup_protocol::Activity) {
        if self.dialect() == store::Dialect::Postgres {
            let payload = serde_json::json!({
                "node": self.node_id(),
                "workspace_id": workspace_id,
                "activity": &activity,
            })
            .to_string();
            let sent = store::notify(self.pool(), crate::relay::ACTIVITY_CHANNEL, &payload).await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "telling the other nodes an agent's activity failed");
            }
        }
        let _ = self.activity_sender(workspace_id).send(activity);
    }

    /// Activity another node was told of (see [`AppState::report_activity`]); this node's own
    /// notifications are skipped, its streams already have them.
    pub(crate) fn activity_from_other_node(&self, payload: &str) {
        #[derive(serde::Deserialize)]
        struct Relayed {
            node: String,
            workspace_id: String,
            activity: stepup_protocol::Activity,
        }
        let Ok(r) = serde_json::from_str::<Relayed>(payload) else {
            tracing::warn!("ignoring a malformed activity notification");
            return;
        };
        if r.node != self.inner.node_id {
            let _ = self.activity_sender(&r.workspace_id).send(r.activity);
        }
    }

    /// Closes the streams of these sessions on this node.
    pub(crate) fn end_sessions_here(&self, ids: &[String]) {
        for id in ids {
            let _ = self.inner.ended_sessions.send(id.clone());
        }
    }

    /// The SQL the database speaks: SQLite (one node) or PostgreSQL (any number).
    pub fn dialect(&self) -> store::Dialect {
        self.inner.dialect
    }

    /// What hands other nodes' commits to this node's streams (PostgreSQL).
    pub fn relay(&self) -> &crate::relay::FeedRelay {
        &self.inner.relay
    }

    /// Ids of sessions as they end (see [`AppState::sessions_ended`]).
    pub(crate) fn ended_sessions(&self) -> broadcast::Receiver<String> {
        self.inner.ended_sessions.subscribe()
    }

    /// Resolves when the server is shutting down; long-lived connections (WebSockets) end then.
    pub fn stopping(&self) -> tokio::sync::watch::Receiver<bool> {
        self.inner.stopping.subscribe()
    }

    /// Reopens snoozed conversations whose `snoozed_until` has passed; returns how many.
    pub async fn wake_snoozed(&self) -> Result<usize, sqlx::Error> {
        let now = self.now();
        let due = store::conversations::due_snoozed(self.pool(), now).await?;
        let mut woken = 0;
        for (ws, id) in due {
            let mut w = self.write(&ws).await?;
            let Some(mut conv) = w
                .get::<stepup_protocol::Conversation>(EntityKind::Conversation, &id)
                .await?
            else {
                continue;
            };
            // Re-check inside the transaction: an agent may have changed it meanwhile.
            if conv.status != stepup_protocol::ConversationStatus::Snoozed
                || conv.snoozed_until.is_some_and(|t| t > now)
            {
                continue;
            }
            conv.status = stepup_protocol::ConversationStatus::Open;
            conv.snoozed_until = None;
            w.put_conversation(&conv).await?;
            self.commit(w).await?;
            woken += 1;
        }
        Ok(woken)
    }

    /// Deletes bookkeeping nobody needs any more: webhook dedupe records older than 14 days
    /// (providers retry for up to a week), idempotency keys older than 24 hours, dead sessions.
    pub async fn prune(&self) -> Result<(), sqlx::Error> {
        let now = self.now();
        let day = 24 * 3_600_000;
        store::prune(self.pool(), now - 14 * day, now - day, now).await?;
        if self.dialect() == store::Dialect::Postgres {
            let window =
                i64::try_from(self.config().login_limits.window.as_millis()).unwrap_or(i64::MAX);
            store::limits::prune(self.pool(), now - window, now, now.div_euclid(60_000)).await?;
        }
        Ok(())
    }

    fn write_lock(&self, workspace_id: &str) -> Arc<Mutex<()>> {
        let key = match self.dialect() {
            store::Dialect::Sqlite => "",
            store::Dialect::Postgres => workspace_id,
        };
        self.inner
            .write_locks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.to_owned())
            .or_default()
            .clone()
    }

    /// Starts a write transaction on a workspace (excludes other writers until commit or drop).
    pub async fn write(&self, workspace_id: &str) -> Result<Writer, sqlx::Error> {
        Writer::begin(
            &self.inner.pool,
            &self.write_lock(workspace_id),
            workspace_id,
            self.now(),
        )
        .await
    }

    /// Commits and publishes to the workspace's stream subscribers, in sequence order.
    pub async fn commit(&self, mut writer: Writer) -> Result<(), sqlx::Error> {
        let sender = self.feed_sender(writer.workspace_id());
        let workspace_id = writer.workspace_id().to_owned();
        let outgoing = writer.take_outgoing();
        let assist = writer.take_assist();
        let committed = writer.commit(&sender).await?;
        if let (store::Dialect::Postgres, Some(first)) = (self.dialect(), committed.first()) {
            // This node's streams hear it now; the others when the notification reaches them.
            // It is committed whatever happens here: a failed read is made good by the next
            // notification or sweep, and never fails the request.
            if let Err(e) = self
                .relay()
                .catch_up(self.pool(), &workspace_id, Some(first.seq))
                .await
            {
                tracing::warn!(error = %e, "relaying a commit to this node's streams failed");
            }
        }
        for o in outgoing {
            let _ = self.inner.outgoing.0.send((workspace_id.clone(), o));
        }
        for job in assist {
            let _ = self.inner.assist.0.send(job);
        }
        Ok(())
    }

    /// The workspace's stream channel on this node.
    pub fn feed_sender(&self, workspace_id: &str) -> broadcast::Sender<Change> {
        self.inner.relay.sender(workspace_id)
    }

    /// The workspace's activity relay (who is viewing or typing where).
    pub fn activity_sender(
        &self,
        workspace_id: &str,
    ) -> broadcast::Sender<stepup_protocol::Activity> {
        let mut a = self
            .inner
            .activity
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        a.entry(workspace_id.to_owned())
            .or_insert_with(|| broadcast::channel(1024).0)
            .clone()
    }

    pub fn visitor_sender(
        &self,
        visitor_id: &str,
    ) -> broadcast::Sender<stepup_protocol::webchat::VisitorEvent> {
        let mut v = self
            .inner
            .visitors
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        v.entry(visitor_id.to_owned())
            .or_insert_with(|| broadcast::channel(256).0)
            .clone()
    }

    /// Fixed one-minute window counter; true when the call is within `per_minute`.
    /// Spends one of `key`'s `per_minute`; the wait until it refills when it is spent.
    pub async fn spend(&self, key: &str, per_minute: u32) -> Result<(), i64> {
        self.inner.budgets.spend(key, per_minute, self.now()).await
    }

    /// Sign-in attempts and password checks.
    pub fn logins(&self) -> &crate::limits::LoginGuard {
        &self.inner.logins
    }

    /// Opens a visitor stream if the server's and the visitor's caps allow; closing it is
    /// dropping the ticket.
    pub(crate) fn open_visitor_stream(&self, visitor_id: &str) -> Option<VisitorStreamTicket> {
        let limits = &self.config().webchat_limits;
        let mut open = self
            .inner
            .visitor_streams
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let total: usize = open.values().sum();
        let mine = open.get(visitor_id).copied().unwrap_or(0);
        if total >= limits.max_streams || mine >= limits.max_streams_per_visitor {
            return None;
        }
        *open.entry(visitor_id.to_owned()).or_insert(0) += 1;
        Some(VisitorStreamTicket {
            state: self.clone(),
            visitor_id: visitor_id.to_owned(),
        })
    }

    /// Drops raw log entries beyond the configured retention; returns the new horizon.
    pub async fn compact_feed(&self, workspace_id: &str, keep: u64) -> Result<u64, ServerError> {
        Ok(store::compact(
            &self.inner.pool,
            &self.write_lock(workspace_id),
            workspace_id,
            keep,
        )
        .await?)
    }

    // -- Administration (used by the CLI, the demo and tests) ----------------------------------

    /// Creates a workspace. The first workspace created also receives the channels' webhooks.
    pub async fn create_workspace(
        &self,
        name: &str,
        time_zone: &str,
    ) -> Result<Workspace, ServerError> {
        let id = self.ids().make("ws");
        self.create_workspace_with_id(&id, name, time_zone).await
    }

    /// [`AppState::create_workspace`] with a caller-chosen id.
    pub async fn create_workspace_with_id(
        &self,
        id: &str,
        name: &str,
        time_zone: &str,
    ) -> Result<Workspace, ServerError> {
        let id = id.to_owned();
        store::workspaces::insert(self.pool(), &id, name, time_zone, self.now()).await?;
        store::workspaces::set_setting_once(self.pool(), WEBHOOK_WORKSPACE, &id).await?;
        let ws = Workspace {
            id: id.clone(),
            name: name.to_owned(),
            time_zone: time_zone.to_owned(),
            privacy: stepup_protocol::WorkspacePrivacy::default(),
        };
        let mut w = self.write(&id).await?;
        w.put(EntityKind::Workspace, &id, Placement::default(), &ws)
            .await?;
        self.commit(w).await?;
        Ok(ws)
    }

    /// The workspace that channel webhooks are delivered to.
    pub async fn webhook_workspace(&self) -> Result<Option<String>, sqlx::Error> {
        store::workspaces::setting(self.pool(), WEBHOOK_WORKSPACE).await
    }

    /// Routes a provider account (WhatsApp phone number id, Page id, Instagram account id,
    /// TikTok account) to a workspace, so several workspaces can share one server.
    pub async fn route_channel_account(
        &self,
        channel: stepup_protocol::Channel,
        account_id: &str,
        workspace_id: &str,
    ) -> Result<(), sqlx::Error> {
        store::workspaces::set_setting(
            self.pool(),
            &format!("route:{}:{account_id}", channel.as_str()),
            workspace_id,
        )
        .await
    }

    /// The workspace routed for a provider account, if any.
    pub async fn routed_workspace(
        &self,
        channel: stepup_protocol::Channel,
        account_id: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        store::workspaces::setting(
            self.pool(),
            &format!("route:{}:{account_id}", channel.as_str()),
        )
        .await
    }

    pub async fn set_webhook_workspace(&self, workspace_id: &str) -> Result<(), sqlx::Error> {
        store::workspaces::set_setting(self.pool(), WEBHOOK_WORKSPACE, workspace_id).await
    }

    pub async fn create_team(&self, workspace_id: &str, name: &str) -> Result<Team, ServerError> {
        let team = Team {
            id: self.ids().make("team"),
            name: name.to_owned(),
        };
        let mut w = self.write(workspace_id).await?;
        w.put(EntityKind::Team, &team.id, Placement::default(), &team)
            .await?;
        self.commit(w).await?;
        Ok(team)
    }

    /// Creates an agent with an Argon2id-hashed password.
    pub async fn create_agent(
        &self,
        workspace_id: &str,
        name: &str,
        email: &str,
        password: &str,
        role: Role,
        team_ids: Vec<String>,
    ) -> Result<Agent, ServerError> {
        let id = self.ids().make("agt");
        self.create_agent_with_id(workspace_id, &id, name, email, password, role, team_ids)
            .await
    }

    /// [`AppState::create_agent`] with a caller-chosen id (deterministic demo data).
    #[allow(clippy::too_many_arguments)]
    pub async fn create_agent_with_id(
        &self,
        workspace_id: &str,
        id: &str,
        name: &str,
        email: &str,
        password: &str,
        role: Role,
        team_ids: Vec<String>,
    ) -> Result<Agent, ServerError> {
        let hash = password::hash_password(password.to_owned()).await?;
        let agent = Agent {
            id: id.to_owned(),
            workspace_id: workspace_id.to_owned(),
            name: name.to_owned(),
            email: email.to_lowercase(),
            role,
            team_ids,
            presence: Presence::Offline,
        };
        let mut w = self.write(workspace_id).await?;
        store::auth::insert_credential(
            w.conn(),
            &agent.id,
            workspace_id,
            &agent.email,
            &hash,
            role,
        )
        .await?;
        w.put(EntityKind::Agent, &agent.id, Placement::default(), &agent)
            .await?;
        self.commit(w).await?;
        Ok(agent)
    }
}

/// An open visitor stream, counted until dropped.
#[derive(Debug)]
pub(crate) struct VisitorStreamTicket {
    state: AppState,
    visitor_id: String,
}

impl Drop for VisitorStreamTicket {
    fn drop(&mut self) {
        let mut open = self
            .state
            .inner
            .visitor_streams
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.visitor_id) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.visitor_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closed_visitor_stream_frees_its_place() {
        let mut config = Config::ephemeral();
        config.webchat_limits.max_streams = 2;
        config.webchat_limits.max_streams_per_visitor = 1;
        let state = AppState::new(config).await.unwrap();
        let a = state.open_visitor_stream("vis_a").unwrap();
        assert!(
            state.open_visitor_stream("vis_a").is_none(),
            "one per visitor"
        );
        let b = state.open_visitor_stream("vis_b").unwrap();
        assert!(
            state.open_visitor_stream("vis_c").is_none(),
            "two on the server"
        );
        drop(a);
        assert!(state.open_visitor_stream("vis_c").is_some());
        drop(b);
        assert!(state.open_visitor_stream("vis_a").is_some());
    }
}
