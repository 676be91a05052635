//! A notification server for tests: it owns `org.freedesktop.Notifications`
//! on the session bus (a private `dbus-run-session` one in the test suite),
//! records every `Notify` call and can send `ActionInvoked` and
//! `NotificationClosed` as a real server does when the user clicks.
//!
//! Only one process owns the name at a time: a second server queues for it
//! and starts once the first one is gone, so test processes running side by
//! side on one bus take turns.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::broadcast;
use zbus::{
    Connection, OwnedVariant as OwnedValue, Variant as Value,
    fdo::{DBusProxy, RequestNameFlags, RequestNameReply},
    object_server::SignalEmitter,
};

pub const NAME: &str = "org.freedesktop.Notifications";
pub const PATH: &str = "/org/freedesktop/Notifications";

/// One recorded `Notify` call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    /// The id the server answered.
    pub id: u32,
    pub app_name: String,
    pub replaces_id: u32,
    pub summary: String,
    pub body: String,
    /// Pairs of action key and label, flattened as on the wire.
    pub actions: Vec<String>,
    /// Hints, each value as text (`true`, `im.received`, `3`…).
    pub hints: BTreeMap<String, String>,
    /// When it arrived (milliseconds since the Unix epoch).
    pub at_ms: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum TestServerError {
    #[error(transparent)]
    Bus(#[from] zbus::Error),
    #[error("{NAME} stayed owned by another process for {0:?}")]
    NameBusy(Duration),
}

#[derive(Debug, Default)]
struct Record {
    calls: Mutex<Vec<Call>>,
    next_id: AtomicU32,
    tx: Option<broadcast::Sender<Call>>,
}

struct Iface(Arc<Record>);

fn value_text(v: &Value<'_>) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::U8(n) => n.to_string(),
        Value::I32(n) => n.to_string(),
        Value::U32(n) => n.to_string(),
        Value::I64(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

fn now_ms() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Iface {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            self.0.next_id.fetch_add(1, Ordering::SeqCst) + 1
        };
        let call = Call {
            id,
            app_name,
            replaces_id,
            summary,
            body,
            actions,
            hints: hints
                .iter()
                .map(|(k, v)| (k.clone(), value_text(v)))
                .collect(),
            at_ms: now_ms(),
        };
        self.0
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(call.clone());
        if let Some(tx) = &self.0.tx {
            let _ = tx.send(call);
        }
        id
    }

    async fn close_notification(
        &self,
        id: u32,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<()> {
        Iface::notification_closed(&emitter, id, 3).await?;
        Ok(())
    }

    fn get_capabilities(&self) -> Vec<String> {
        // Like GNOME Shell and KDE: bodies are read as markup.
        ["actions", "body", "body-markup", "sound"]
            .map(String::from)
            .to_vec()
    }

    #[zbus(out_args("name", "vendor", "version", "spec_version"))]
    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "stepup-test-server".into(),
            "Stepup".into(),
            env!("CARGO_PKG_VERSION").into(),
            "1.2".into(),
        )
    }

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn notification_closed(
        emitter: &SignalEmitter<'_>,
        id: u32,
        reason: u32,
    ) -> zbus::Result<()>;
}

/// The running server. Dropping it releases the name.
#[derive(Debug)]
pub struct TestServer {
    conn: Connection,
    record: Arc<Record>,
}

impl TestServer {
    /// Serves on the session bus once the name is ours, waiting up to
    /// `wait` for another owner to go away.
    pub async fn start(wait: Duration) -> Result<TestServer, TestServerError> {
        let (tx, _) = broadcast::channel(4096);
        let record = Arc::new(Record {
            tx: Some(tx),
            ..Record::default()
        });
        let conn = zbus::connection::Builder::session()
            .serve_at(PATH, Iface(Arc::clone(&record)))
            .build()
            .await?;
        let mut acquired = DBusProxy::new(&conn).await?.receive_name_acquired().await?;
        let reply = conn
            .request_name_with_flags(NAME, RequestNameFlags::empty())
            .await?;
        if reply == RequestNameReply::InQueue {
            let got = tokio::time::timeout(wait, async {
                while let Some(signal) = acquired.next().await {
                    if signal.args().is_ok_and(|a| a.name == NAME) {
                        return true;
                    }
                }
                false
            })
            .await;
            if !matches!(got, Ok(true)) {
                return Err(TestServerError::NameBusy(wait));
            }
        }
        Ok(TestServer { conn, record })
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.record
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Calls as they arrive.
    pub fn subscribe(&self) -> broadcast::Receiver<Call> {
        self.record
            .tx
            .as_ref()
            .expect("a running server records")
            .subscribe()
    }

    /// The first call (already recorded or still to come) that `pick`
    /// accepts, or `None` after `timeout`.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        mut pick: impl FnMut(&Call) -> bool,
    ) -> Option<Call> {
        let mut rx = self.subscribe();
        if let Some(c) = self.calls().into_iter().find(|c| pick(c)) {
            return Some(c);
        }
        tokio::time::timeout(timeout, async {
            loop {
                match rx.recv().await {
                    Ok(c) if pick(&c) => return Some(c),
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// As if the user clicked `action` (`default` for the body) of notification `id`.
    pub async fn invoke_action(&self, id: u32, action: &str) -> zbus::Result<()> {
        let emitter = SignalEmitter::new(&self.conn, PATH)?;
        Iface::action_invoked(&emitter, id, action).await
    }

    /// As if notification `id` was dismissed (reason 2) or expired (1).
    pub async fn close(&self, id: u32, reason: u32) -> zbus::Result<()> {
        let emitter = SignalEmitter::new(&self.conn, PATH)?;
        Iface::notification_closed(&emitter, id, reason).await
    }
}
