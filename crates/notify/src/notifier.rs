//! Showing notifications through the OS. [`Notifier`] is what the service
//! needs; [`DesktopNotifier`] is the real one (notify-rust: on Linux and the
//! BSDs the freedesktop D-Bus interface, with an "Open" action and the
//! `default` action that a click on the body invokes).

#[cfg(all(unix, not(target_os = "macos")))]
use std::{collections::HashMap, sync::Arc};
use std::{fmt, future::Future, pin::Pin};

use tokio::sync::broadcast;

/// The app's name as notification servers show it.
pub const APP_NAME: &str = "Stepup";
/// The desktop entry (and identifier) servers use to find the app's icon.
pub const DESKTOP_ENTRY: &str = "ae.stepup.desktop";
/// The action a click on the notification's body invokes.
pub const ACTION_DEFAULT: &str = "default";
/// The "Open" button.
pub const ACTION_OPEN: &str = "open";

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("the notification server refused the notification: {0}")]
    Server(String),
    #[error("notifications are not supported here")]
    Unsupported,
}

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub title: String,
    pub body: String,
    /// The label of the "Open" action, in the app's language.
    pub open_label: String,
    /// The conversation it opens.
    pub conversation_id: String,
    /// The id of a notification on screen that this one replaces.
    pub replaces: Option<u32>,
    pub sound: bool,
}

/// What the agent did with a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activation {
    /// Clicked it, or its "Open" action: open this conversation.
    Open { conversation_id: String },
    /// Dismissed it (or it expired).
    Closed { id: u32 },
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Shows notifications and reports what the agent did with them.
pub trait Notifier: Send + Sync + fmt::Debug {
    /// Shows (or replaces) a notification; returns its id.
    fn show(&self, request: Request) -> BoxFuture<'_, Result<u32, NotifyError>>;
    /// Clicks and dismissals, as they happen.
    fn activations(&self) -> broadcast::Receiver<Activation>;
}

/// The OS's notifications, through notify-rust.
#[derive(Clone)]
pub struct DesktopNotifier {
    activations: broadcast::Sender<Activation>,
    /// Notifications on screen whose actions are being listened to, and the
    /// conversation each opens (a replaced notification keeps its id).
    #[cfg(all(unix, not(target_os = "macos")))]
    listening: Arc<std::sync::Mutex<HashMap<u32, String>>>,
    /// Answers that came before the server's reply to `Notify` was read (a
    /// quick click): applied as soon as the notification's id is known.
    #[cfg(all(unix, not(target_os = "macos")))]
    early: Arc<std::sync::Mutex<HashMap<u32, bool>>>,
    /// The bus-wide listener for the server's signals, started with the first notification.
    #[cfg(all(unix, not(target_os = "macos")))]
    signals: Arc<tokio::sync::OnceCell<()>>,
    /// Whether the server reads bodies as markup (`body-markup`): then a customer's `<a href>`
    /// would become a link that skips the app's link check, so the body is escaped.
    #[cfg(all(unix, not(target_os = "macos")))]
    markup: Arc<tokio::sync::OnceCell<bool>>,
}

impl fmt::Debug for DesktopNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DesktopNotifier").finish_non_exhaustive()
    }
}

/// The body as text inside the notification markup (`&`, `<`, `>` escaped).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Asks the notification server whether it renders markup; when it cannot be asked, assumes
/// it does (an escaped `&amp;` shown as such is better than a live link).
#[cfg(all(unix, not(target_os = "macos")))]
async fn server_reads_markup() -> bool {
    let asked = async {
        let conn = zbus::Connection::session().await?;
        let reply = conn
            .call_method(
                Some("org.freedesktop.Notifications"),
                "/org/freedesktop/Notifications",
                Some("org.freedesktop.Notifications"),
                "GetCapabilities",
                &(),
            )
            .await?;
        reply.body().deserialize::<Vec<String>>()
    };
    match asked.await {
        Ok(caps) => caps.iter().any(|c| c == "body-markup"),
        Err(e) => {
            tracing::debug!(error = %e, "notification server capabilities unknown");
            true
        }
    }
}

impl Default for DesktopNotifier {
    fn default() -> Self {
        DesktopNotifier {
            activations: broadcast::channel(64).0,
            #[cfg(all(unix, not(target_os = "macos")))]
            listening: Arc::default(),
            #[cfg(all(unix, not(target_os = "macos")))]
            early: Arc::default(),
            #[cfg(all(unix, not(target_os = "macos")))]
            signals: Arc::default(),
            #[cfg(all(unix, not(target_os = "macos")))]
            markup: Arc::default(),
        }
    }
}

impl DesktopNotifier {
    pub fn new() -> DesktopNotifier {
        DesktopNotifier::default()
    }

    fn notification(request: &Request) -> notify_rust::Notification {
        let mut n = notify_rust::Notification::new();
        n.appname(APP_NAME)
            .summary(&request.title)
            .body(&request.body)
            .action(ACTION_DEFAULT, &request.open_label)
            .action(ACTION_OPEN, &request.open_label);
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            use notify_rust::Hint;
            n.hint(Hint::Category("im.received".into()))
                .hint(Hint::DesktopEntry(DESKTOP_ENTRY.into()));
            if request.sound {
                n.hint(Hint::SoundName("message-new-instant".into()));
            } else {
                n.hint(Hint::SuppressSound(true));
            }
        }
        #[cfg(target_os = "macos")]
        if request.sound {
            n.sound_name("Default");
        }
        if let Some(id) = request.replaces {
            n.id(id);
        }
        n
    }

    /// Reports what the agent did with notification `id`, once.
    #[cfg(all(unix, not(target_os = "macos")))]
    fn answered(
        listening: &std::sync::Mutex<HashMap<u32, String>>,
        early: &std::sync::Mutex<HashMap<u32, bool>>,
        activations: &broadcast::Sender<Activation>,
        id: u32,
        opened: bool,
    ) {
        let conversation = listening
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        let Some(conversation_id) = conversation else {
            // Not ours, or ours before its id was known: kept for a moment.
            let mut early = early.lock().unwrap_or_else(|p| p.into_inner());
            if early.len() >= 64 {
                early.clear();
            }
            early.insert(id, opened);
            return;
        };
        let activation = if opened {
            Activation::Open { conversation_id }
        } else {
            Activation::Closed { id }
        };
        tracing::debug!(id, ?activation, "notification answered");
        let _ = activations.send(activation);
    }

    /// Listens on the session bus for `ActionInvoked` and
    /// `NotificationClosed` before the first notification goes out, so no
    /// click is missed.
    #[cfg(all(unix, not(target_os = "macos")))]
    async fn listen(&self) -> Result<(), zbus::Error> {
        use futures_util::StreamExt;
        let conn = zbus::Connection::session().await?;
        let rule = |member: &'static str| {
            zbus::MatchRule::builder()
                .msg_type(zbus::message::Type::Signal)
                .interface("org.freedesktop.Notifications")
                .member(member)
                .build()
        };
        let mut actions =
            zbus::MessageStream::for_match_rule(rule("ActionInvoked")?, &conn, None).await?;
        let mut closed =
            zbus::MessageStream::for_match_rule(rule("NotificationClosed")?, &conn, None).await?;
        let (listening, early, activations) = (
            Arc::clone(&self.listening),
            Arc::clone(&self.early),
            self.activations.clone(),
        );
        tokio::spawn(async move {
            let _keep = conn;
            loop {
                tokio::select! {
                    Some(Ok(msg)) = actions.next() => {
                        if let Ok((id, _action)) = msg.body().deserialize::<(u32, String)>() {
                            Self::answered(&listening, &early, &activations, id, true);
                        }
                    }
                    Some(Ok(msg)) = closed.next() => {
                        if let Ok((id, _reason)) = msg.body().deserialize::<(u32, u32)>() {
                            Self::answered(&listening, &early, &activations, id, false);
                        }
                    }
                    else => return,
                }
            }
        });
        Ok(())
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    async fn show_now(&self, request: Request) -> Result<u32, NotifyError> {
        self.signals
            .get_or_try_init(|| self.listen())
            .await
            .map_err(|e| NotifyError::Server(e.to_string()))?;
        let markup = *self.markup.get_or_init(server_reads_markup).await;
        let shown = if markup {
            Request {
                body: escape_markup(&request.body),
                ..request.clone()
            }
        } else {
            request.clone()
        };
        let handle = Self::notification(&shown)
            .show_async()
            .await
            .map_err(|e| NotifyError::Server(e.to_string()))?;
        let id = handle.id();
        let first = self
            .listening
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, request.conversation_id.clone())
            .is_none();
        let quick = self
            .early
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        if let Some(opened) = quick {
            Self::answered(&self.listening, &self.early, &self.activations, id, opened);
            return Ok(id);
        }
        if first {
            // Also one listener per notification on screen, on the connection
            // that sent it: some servers send the signals to that connection only.
            let activations = self.activations.clone();
            let listening = Arc::clone(&self.listening);
            let early = Arc::clone(&self.early);
            tokio::spawn(async move {
                let mut opened = false;
                handle
                    .wait_for_action_async(|r: &notify_rust::NotificationResponse| {
                        opened = matches!(
                            r,
                            notify_rust::NotificationResponse::Default
                                | notify_rust::NotificationResponse::Action(_)
                        );
                    })
                    .await;
                Self::answered(&listening, &early, &activations, id, opened);
            });
        }
        Ok(id)
    }

    #[cfg(not(all(unix, not(target_os = "macos"))))]
    async fn show_now(&self, request: Request) -> Result<u32, NotifyError> {
        // macOS and Windows: shown without actions; clicking brings the app forward.
        let n = Self::notification(&request);
        tokio::task::spawn_blocking(move || n.show().map(|_| 0u32))
            .await
            .map_err(|e| NotifyError::Server(e.to_string()))?
            .map_err(|e| NotifyError::Server(e.to_string()))
    }
}

impl Notifier for DesktopNotifier {
    fn show(&self, request: Request) -> BoxFuture<'_, Result<u32, NotifyError>> {
        Box::pin(self.show_now(request))
    }

    fn activations(&self) -> broadcast::Receiver<Activation> {
        self.activations.subscribe()
    }
}
