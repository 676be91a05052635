//! Starting and stopping the server: [`Server`] binds the listener and serves the API with its
//! background tasks (compaction and pruning, waking snoozed conversations); [`RunningServer`] is
//! the handle.

use std::net::SocketAddr;
use std::time::Duration;

use sqlx::postgres::PgListener;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::api;
use crate::config::Config;
use crate::error::ServerError;
use crate::limits::Peer;
use crate::relay;
use crate::secret::Secret;
use crate::state::AppState;
use crate::store;
use crate::tls::TlsListener;

/// Builds the server; see [`Server::start`].
#[derive(Debug)]
pub struct Server;

/// A server running on a Tokio task. Dropping it does not stop it; call [`RunningServer::shutdown`].
#[derive(Debug)]
pub struct RunningServer {
    /// The address actually bound (the real port when the config asked for port 0).
    pub addr: SocketAddr,
    pub state: AppState,
    /// Whether it serves HTTPS and WSS.
    pub tls: bool,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    background: Vec<JoinHandle<()>>,
}

enum Bound {
    Plain(tokio::net::TcpListener),
    Tls(TlsListener),
}

impl Server {
    /// Opens the database, binds the listener and serves until [`RunningServer::shutdown`].
    /// Returns once the socket is bound, so the address is ready to use.
    pub async fn start(config: Config) -> Result<RunningServer, ServerError> {
        let listen = config.listen;
        let state = AppState::new(config).await?;
        Self::start_with_state(state, listen).await
    }

    /// Same as [`Server::start`] on an existing state.
    pub async fn start_with_state(
        state: AppState,
        listen: SocketAddr,
    ) -> Result<RunningServer, ServerError> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let app = api::router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let stop = async move {
            let _ = rx.await;
        };
        let secure = state.config().tls.is_some();
        let bound = match state.config().tls.clone() {
            Some(config) => Bound::Tls(TlsListener::new(listener, config)?),
            None => Bound::Plain(listener),
        };
        let task = tokio::spawn(async move {
            let served = match bound {
                Bound::Tls(tls) => {
                    axum::serve(tls, app.into_make_service_with_connect_info::<Peer>())
                        .with_graceful_shutdown(stop)
                        .await
                }
                Bound::Plain(tcp) => {
                    axum::serve(tcp, app.into_make_service_with_connect_info::<Peer>())
                        .with_graceful_shutdown(stop)
                        .await
                }
            };
            if let Err(e) = served {
                tracing::error!(error = %e, "server stopped with an error");
            }
        });
        let mut background = Vec::new();
        if let Some(every) = state.config().compaction_interval {
            let st = state.clone();
            background.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.tick().await;
                loop {
                    tick.tick().await;
                    let ids = match store::workspaces::ids(st.pool()).await {
                        Ok(ids) => ids,
                        Err(e) => {
                            tracing::warn!(error = %e, "compaction: listing workspaces failed");
                            continue;
                        }
                    };
                    for id in ids {
                        if let Err(e) = st.compact_feed(&id, st.config().feed_retention).await {
                            tracing::warn!(error = %e, "compaction failed");
                        }
                    }
                    if let Err(e) = st.prune().await {
                        tracing::warn!(error = %e, "pruning failed");
                    }
                }
            }));
        }
        if let Some(mut queue) = state.take_outgoing() {
            let st = state.clone();
            background.push(tokio::spawn(async move {
                while let Some((workspace_id, o)) = queue.recv().await {
                    crate::outbound::dispatch(
                        st.clone(),
                        workspace_id,
                        o.channel,
                        o.recipient,
                        o.message,
                        false,
                    );
                }
            }));
        }
        if let Some(every) = state.config().broadcast_tick {
            let st = state.clone();
            background.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                loop {
                    tick.tick().await;
                    if let Err(e) = crate::broadcasts::tick(&st).await {
                        tracing::warn!(error = %e, "sending broadcasts failed");
                    }
                }
            }));
        }
        if let Some(mut queue) = state.take_assist() {
            let st = state.clone();
            let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(
                st.config().assistant_concurrency.max(1),
            ));
            background.push(tokio::spawn(async move {
                while let Some(job) = queue.recv().await {
                    let Ok(slot) = slots.clone().acquire_owned().await else {
                        break;
                    };
                    let st = st.clone();
                    tokio::spawn(async move {
                        crate::assistant::answer(st, job).await;
                        drop(slot);
                    });
                }
            }));
        }
        {
            let st = state.clone();
            background.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
                loop {
                    tick.tick().await;
                    if let Err(e) = st.wake_snoozed().await {
                        tracing::warn!(error = %e, "waking snoozed conversations failed");
                    }
                }
            }));
        }
        if let Some(url) = state.config().database_url.clone() {
            // Other nodes' commits and ended sessions reach this node's streams.
            background.push(tokio::spawn(listen_to_other_nodes(
                state.clone(),
                url,
                state.config().heartbeat_interval,
            )));
        }
        tracing::info!(%addr, tls = secure, "stepup cloud listening");
        Ok(RunningServer {
            addr,
            state,
            tls: secure,
            shutdown: Some(tx),
            task,
            background,
        })
    }
}

impl RunningServer {
    /// `http://ADDR`, or `https://ADDR` when it serves TLS.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Keeps a background task (such as the demo generator) tied to this server's lifetime.
    pub fn attach(&mut self, task: JoinHandle<()>) {
        self.background.push(task);
    }

    /// Stops accepting connections, lets in-flight requests finish and waits for the server task.
    pub async fn shutdown(mut self) {
        for t in &self.background {
            t.abort();
        }
        // Open WebSockets end first, or the graceful shutdown would wait for them.
        self.state.stop();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if tokio::time::timeout(std::time::Duration::from_secs(10), &mut self.task)
            .await
            .is_err()
        {
            tracing::warn!("in-flight requests did not finish within 10 s; stopping anyway");
            self.task.abort();
        }
    }
}

/// On PostgreSQL: listens for the other nodes' commits and ended sessions until the server stops.
async fn listen_to_other_nodes(state: AppState, url: Secret, sweep_every: Duration) {
    let mut stopping = state.stopping();
    let mut retry = Duration::from_millis(100);
    loop {
        let connected = async {
            let mut listener = PgListener::connect(url.expose()).await?;
            listener
                .listen_all([
                    relay::FEED_CHANNEL,
                    relay::SESSION_ENDED_CHANNEL,
                    relay::ACTIVITY_CHANNEL,
                ])
                .await?;
            Ok::<_, sqlx::Error>(listener)
        };
        let connected = tokio::select! {
            l = connected => l,
            () = stopped(&mut stopping) => return,
        };
        let mut listener = match connected {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "feed relay: cannot listen; trying again");
                tokio::select! {
                    () = tokio::time::sleep(retry) => {}
                    () = stopped(&mut stopping) => return,
                }
                retry = (retry * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        retry = Duration::from_millis(100);
        // Whatever was notified while not listening is read now.
        state.relay().sweep(state.pool()).await;
        let mut tick = tokio::time::interval(sweep_every);
        tick.tick().await;
        loop {
            tokio::select! {
                n = listener.try_recv() => match n {
                    Ok(Some(n)) => relayed(&state, n.channel(), n.payload()).await,
                    // The connection was lost and made again: notifications may be missing.
                    Ok(None) => state.relay().sweep(state.pool()).await,
                    Err(e) => {
                        tracing::warn!(error = %e, "feed relay: listening failed; listening again");
                        break;
                    }
                },
                _ = tick.tick() => state.relay().sweep(state.pool()).await,
                () = stopped(&mut stopping) => return,
            }
        }
    }
}

async fn relayed(state: &AppState, channel: &str, payload: &str) {
    match channel {
        relay::FEED_CHANNEL => {
            let mut parts = payload.split(' ');
            let (Some(ws), first) = (parts.next(), parts.next().and_then(|s| s.parse().ok()))
            else {
                return;
            };
            if let Err(e) = state.relay().catch_up(state.pool(), ws, first).await {
                tracing::warn!(error = %e, "relaying the feed failed");
            }
        }
        relay::SESSION_ENDED_CHANNEL => state.end_sessions_here(&[payload.to_owned()]),
        relay::ACTIVITY_CHANNEL => state.activity_from_other_node(payload),
        _ => {}
    }
}

/// Resolves once the server is stopping.
async fn stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stopping.wait_for(|s| *s).await;
}
