//! The desktop side of the inbox: native notifications (the policy in
//! `stepup-notify`, fed by the running engine), where clicks and
//! `stepup://` links navigate to, the agent's availability as the cloud sees
//! it, and the words of the tray. The shell only wires windows and the tray
//! to these.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use stepup_i18n::{Args, Catalog, Locale, strip_isolation};
use stepup_notify::{DesktopNotifier, DndSchedule, Focus, Notifications, PolicyConfig, Prefs};
use stepup_protocol::Presence;
use stepup_sync::{SystemClock, account::Session, client::CloudClient, engine::Engine};
use tokio::sync::{broadcast, oneshot};

use crate::{AppError, Availability, Settings};

/// Open this conversation (a notification was clicked, a link was followed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct NavigateTo {
    pub conversation_id: String,
    /// The signed-in account it belongs to, when it is not necessarily the window's (a
    /// notification of an account syncing in the background).
    pub account_id: Option<String>,
}

/// Mute or unmute one conversation's notifications.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MuteConversation {
    pub conversation_id: String,
    pub muted: bool,
}

/// The tray menu's words in the app's language, fit for the OS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayLabels {
    pub open: String,
    pub availability: String,
    pub online: String,
    pub away: String,
    pub offline: String,
    pub dnd: String,
    pub quit: String,
    pub tooltip: String,
}

/// The conversation a `stepup://conversation/<id>` link opens.
pub fn parse_link(url: &str) -> Option<String> {
    let rest = url.strip_prefix("stepup://conversation/")?;
    let id = rest.split(['?', '#']).next()?.trim_end_matches('/');
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    ok.then(|| id.to_owned())
}

/// Whether the `stepup://` handler registered for the user on Linux is in place for this
/// program (`exec`, the binary or the AppImage): its desktop entry (`handler_entry`, the text of
/// `<data>/applications/<file_name>`) runs `exec` with the link and names the scheme, and the
/// user's `mimeapps.list` makes it the scheme's default. Registering again runs the desktop's
/// tools (`update-desktop-database`, the `xdg-mime` script and a dozen processes), which a start
/// on a two-core laptop feels; they run only when this says no.
pub fn link_handler_is_current(
    handler_entry: Option<&str>,
    mimeapps: Option<&str>,
    exec: &str,
    file_name: &str,
    scheme: &str,
) -> bool {
    let mime = format!("x-scheme-handler/{scheme}");
    let (Some(entry), Some(mimeapps)) = (handler_entry, mimeapps) else {
        return false;
    };
    let value = |text: &str, section: &str, key: &str| -> Option<String> {
        let mut inside = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                inside = line == section;
            } else if inside
                && let Some((k, v)) = line.split_once('=')
                && k.trim() == key
            {
                return Some(v.trim().to_owned());
            }
        }
        None
    };
    let runs_this =
        value(entry, "[Desktop Entry]", "Exec").is_some_and(|e| e == format!("\"{exec}\" %u"));
    let names_scheme = value(entry, "[Desktop Entry]", "MimeType")
        .is_some_and(|m| m.split(';').any(|t| t == mime));
    let is_default = value(mimeapps, "[Default Applications]", &mime)
        .is_some_and(|d| d.split(';').next() == Some(file_name));
    runs_this && names_scheme && is_default
}

/// What the cloud is told, from what the agent chose and whether the
/// machine is idle, locked or asleep.
pub fn effective_presence(chosen: Availability, idle: bool) -> Presence {
    match (chosen, idle) {
        (Availability::Offline, _) => Presence::Offline,
        (Availability::Away, _) | (Availability::Online, true) => Presence::Away,
        (Availability::Online, false) => Presence::Online,
    }
}

fn prefs(settings: &Settings) -> Prefs {
    let n = &settings.notifications;
    Prefs {
        enabled: n.enabled,
        hide_previews: n.hide_previews,
        previews_unassigned: n.previews_unassigned,
        sound: n.sound,
        dnd: n.dnd,
        dnd_schedule: n.quiet_hours.map(|q| DndSchedule {
            start_minute: q.from,
            end_minute: q.to,
        }),
        muted: n.muted.iter().cloned().collect(),
    }
}

struct Running {
    stop: oneshot::Sender<()>,
    engine: Engine,
    client: CloudClient,
}

/// The desktop integration of one app.
pub struct Desktop {
    catalog: Arc<Catalog>,
    cfg: PolicyConfig,
    /// One per signed-in account, created with its engine (it needs the async runtime): each
    /// has its own rules (whose conversations are "mine") and its own notifications on screen.
    services: Arc<Mutex<HashMap<String, Notifications>>>,
    state: Mutex<State>,
    /// The engines followed, by account id.
    running: Arc<Mutex<HashMap<String, Running>>>,
    /// Each followed account's workspace name, for the notifications' titles.
    names: Arc<Mutex<HashMap<String, String>>>,
    navigate: broadcast::Sender<NavigateTo>,
    presence: tokio::sync::watch::Sender<Presence>,
    /// A start tells the cloud the agent's availability once its first screen is painted.
    first_paint: std::sync::OnceLock<crate::inbox::FirstPaint>,
}

struct State {
    prefs: Prefs,
    locale: Locale,
    focus: Focus,
    availability: Availability,
    idle: bool,
    /// What the cloud was last told.
    sent: Option<Presence>,
}

impl std::fmt::Debug for Desktop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desktop").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Titles name the workspace when more than one account notifies.
fn relabel(
    running: &Mutex<HashMap<String, Running>>,
    services: &Mutex<HashMap<String, Notifications>>,
    names: &Mutex<HashMap<String, String>>,
) {
    let many = lock(running).len() > 1;
    let names = lock(names).clone();
    for (id, service) in lock(services).iter() {
        service.set_label(many.then(|| names.get(id).cloned()).flatten());
    }
}

impl Desktop {
    pub fn new(settings: &Settings, locale: Locale, catalog: Arc<Catalog>) -> Desktop {
        Desktop {
            catalog,
            cfg: PolicyConfig::default(),
            services: Arc::default(),
            names: Arc::default(),
            state: Mutex::new(State {
                prefs: prefs(settings),
                locale,
                focus: Focus::default(),
                availability: settings.desktop.availability,
                idle: false,
                sent: None,
            }),
            running: Arc::default(),
            navigate: broadcast::channel(16).0,
            presence: tokio::sync::watch::Sender::new(effective_presence(
                settings.desktop.availability,
                false,
            )),
            first_paint: std::sync::OnceLock::new(),
        }
    }

    /// What availability told at a start waits for (see [`crate::inbox::Inbox::first_paint`]).
    pub fn set_first_paint(&self, first_paint: crate::inbox::FirstPaint) {
        let _ = self.first_paint.set(first_paint);
    }

    /// The account's notifications, made on first use.
    fn service_for(&self, account_id: &str) -> Notifications {
        if let Some(s) = lock(&self.services).get(account_id) {
            return s.clone();
        }
        let service = Notifications::new(
            self.cfg,
            Arc::clone(&self.catalog),
            Arc::new(DesktopNotifier::new()),
            Arc::new(SystemClock),
        );
        let state = lock(&self.state);
        service.set_prefs(state.prefs.clone());
        service.set_locale(state.locale);
        service.set_focus(state.focus.clone());
        drop(state);
        // Clicks on notifications navigate, into this account.
        let mut opened = service.opened();
        let navigate = self.navigate.clone();
        let account = account_id.to_owned();
        tokio::spawn(async move {
            loop {
                match opened.recv().await {
                    Ok(conversation_id) => {
                        let _ = navigate.send(NavigateTo {
                            conversation_id,
                            account_id: Some(account.clone()),
                        });
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        lock(&self.services).insert(account_id.to_owned(), service.clone());
        service
    }

    /// A signed-in account's engine starts (or its account comes into the window): notify from
    /// its events, and tell the cloud the agent's availability. Every signed-in account is
    /// followed at once. Call from within the runtime.
    pub fn follow(&self, engine: &Engine, session: &Session) {
        let id = session.account.id.as_str().to_owned();
        let stop = self
            .service_for(&id)
            .spawn(engine, &session.account.agent_id);
        let old = lock(&self.running).insert(
            id.clone(),
            Running {
                stop,
                engine: engine.clone(),
                client: session.client.clone(),
            },
        );
        if let Some(old) = old {
            let _ = old.stop.send(());
        }
        // The workspace's name for the titles: now if the cache knows it, else once synced.
        lock(&self.names).insert(id.clone(), session.account.email.clone());
        let store = session.store.clone();
        let mut events = engine.subscribe();
        let (running, services, names) = (
            Arc::clone(&self.running),
            Arc::clone(&self.services),
            Arc::clone(&self.names),
        );
        tokio::spawn(async move {
            loop {
                let workspace: Option<stepup_protocol::Workspace> = store
                    .entities::<stepup_protocol::Workspace>("workspace")
                    .await
                    .ok()
                    .and_then(|w| w.into_iter().next());
                if let Some(w) = workspace {
                    lock(&names).insert(id, w.name);
                    relabel(&running, &services, &names);
                    return;
                }
                match events.recv().await {
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        self.relabel();
        lock(&self.state).sent = None;
        self.sync_presence();
    }

    fn relabel(&self) {
        relabel(&self.running, &self.services, &self.names);
    }

    /// Stops following one account (it signed out).
    pub fn unfollow(&self, account_id: &str) {
        if let Some(old) = lock(&self.running).remove(account_id) {
            let _ = old.stop.send(());
        }
        lock(&self.services).remove(account_id);
        lock(&self.names).remove(account_id);
        self.relabel();
    }

    /// Stops following (quitting).
    pub fn stop(&self) {
        for (_, old) in lock(&self.running).drain() {
            let _ = old.stop.send(());
        }
    }

    /// New settings or language.
    pub fn apply(&self, settings: &Settings, locale: Locale) {
        let prefs = prefs(settings);
        let availability_changed = {
            let mut state = lock(&self.state);
            state.prefs = prefs.clone();
            state.locale = locale;
            let changed = state.availability != settings.desktop.availability;
            state.availability = settings.desktop.availability;
            changed
        };
        for service in lock(&self.services).values() {
            service.set_prefs(prefs.clone());
            service.set_locale(locale);
        }
        if availability_changed {
            self.sync_presence();
        }
    }

    fn set_focus(&self, change: impl FnOnce(&mut Focus)) {
        let focus = {
            let mut state = lock(&self.state);
            change(&mut state.focus);
            state.focus.clone()
        };
        for service in lock(&self.services).values() {
            service.set_focus(focus.clone());
        }
    }

    /// A window of the app gained or lost the keyboard focus.
    pub fn set_window_focused(&self, focused: bool) {
        self.set_focus(|f| f.window_focused = focused);
        if focused {
            self.set_idle(false);
        }
    }

    /// The conversation the UI shows (`None`: another screen).
    pub fn set_viewing(&self, conversation_id: Option<String>) {
        self.set_focus(|f| f.conversation = conversation_id);
    }

    pub fn focus(&self) -> Focus {
        lock(&self.state).focus.clone()
    }

    /// Where clicks and links navigate to.
    pub fn subscribe_navigate(&self) -> broadcast::Receiver<NavigateTo> {
        self.navigate.subscribe()
    }

    /// Follows a `stepup://conversation/<id>` link.
    pub fn open_link(&self, url: &str) -> Result<NavigateTo, AppError> {
        let conversation_id = parse_link(url)
            .ok_or_else(|| AppError::InvalidInput(format!("not a Stepup link: {url}")))?;
        let to = NavigateTo {
            conversation_id,
            account_id: None,
        };
        let _ = self.navigate.send(to.clone());
        Ok(to)
    }

    /// The machine went idle, locked or to sleep (`true`), or came back.
    pub fn set_idle(&self, idle: bool) {
        let changed = {
            let mut state = lock(&self.state);
            let changed = state.idle != idle;
            state.idle = idle;
            changed
        };
        if changed {
            self.sync_presence();
        }
    }

    /// The machine woke up or the network came back: catch up at once.
    pub fn wake(&self) {
        for r in lock(&self.running).values() {
            r.engine.nudge();
        }
        self.set_idle(false);
    }

    /// What the cloud should show for the agent now.
    pub fn presence(&self) -> Presence {
        let state = lock(&self.state);
        effective_presence(state.availability, state.idle)
    }

    /// The availability as it changes.
    pub fn subscribe_presence(&self) -> tokio::sync::watch::Receiver<Presence> {
        self.presence.subscribe()
    }

    /// Tells the cloud the agent's availability, if it changed.
    fn sync_presence(&self) {
        let presence = self.presence();
        self.presence
            .send_if_modified(|p| std::mem::replace(p, presence) != presence);
        let clients: Vec<CloudClient> = lock(&self.running)
            .values()
            .map(|r| r.client.clone())
            .collect();
        if clients.is_empty() {
            return;
        }
        {
            let mut state = lock(&self.state);
            if state.sent == Some(presence) {
                return;
            }
            state.sent = Some(presence);
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let first_paint = self.first_paint.get().cloned();
        rt.spawn(async move {
            if let Some(first_paint) = first_paint {
                first_paint.wait().await;
            }
            for client in clients {
                if let Err(e) = client.set_presence(presence).await {
                    tracing::warn!(error = %e, "cannot update the availability");
                }
            }
        });
    }

    /// The tray's words with `unread` unread messages.
    pub fn tray_labels(&self, unread: u32) -> TrayLabels {
        let locale = lock(&self.state).locale;
        let t = |id: &str| strip_isolation(&self.catalog.format(locale, id, None));
        let mut args = Args::new();
        args.set("count", unread);
        TrayLabels {
            open: t("tray-open"),
            availability: t("tray-availability"),
            online: t("presence-online"),
            away: t("presence-away"),
            offline: t("presence-offline"),
            dnd: t("tray-dnd"),
            quit: t("tray-quit"),
            tooltip: strip_isolation(&self.catalog.format(locale, "tray-tooltip", Some(&args))),
        }
    }

    /// The window title with the unread count.
    pub fn title(&self, unread: u32) -> String {
        let locale = lock(&self.state).locale;
        if unread == 0 {
            return strip_isolation(&self.catalog.format(locale, "window-title", None));
        }
        let mut args = Args::new();
        args.set("count", unread);
        strip_isolation(
            &self
                .catalog
                .format(locale, "window-title-unread", Some(&args)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_open_conversations_and_nothing_else() {
        assert_eq!(
            parse_link("stepup://conversation/cnv_01HZX").as_deref(),
            Some("cnv_01HZX")
        );
        assert_eq!(
            parse_link("stepup://conversation/cnv_1/?from=mail").as_deref(),
            Some("cnv_1")
        );
        for bad in [
            "stepup://conversation/",
            "stepup://settings/x",
            "https://conversation/cnv_1",
            "stepup://conversation/../../etc",
            "stepup://conversation/a b",
        ] {
            assert_eq!(parse_link(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_link_handler_in_place_for_this_program_is_not_registered_again() {
        let entry = "[Desktop Entry]\nType=Application\nName=Stepup\nExec=\"/usr/bin/stepup-desktop\" %u\nMimeType=x-scheme-handler/stepup\nNoDisplay=true\n";
        let mimeapps = "[Added Associations]\nx-scheme-handler/stepup=other.desktop;\n\n[Default Applications]\nx-scheme-handler/stepup=stepup-desktop-handler.desktop\ntext/html=firefox.desktop\n";
        let file = "stepup-desktop-handler.desktop";
        let check = |e: Option<&str>, m: Option<&str>, exec: &str| {
            link_handler_is_current(e, m, exec, file, "stepup")
        };
        assert!(check(
            Some(entry),
            Some(mimeapps),
            "/usr/bin/stepup-desktop"
        ));
        // Another program (a moved binary, an AppImage), no entry, no defaults, another default,
        // an entry for another scheme: registered again.
        assert!(!check(Some(entry), Some(mimeapps), "/opt/Stepup.AppImage"));
        assert!(!check(None, Some(mimeapps), "/usr/bin/stepup-desktop"));
        assert!(!check(Some(entry), None, "/usr/bin/stepup-desktop"));
        let elsewhere = mimeapps.replace(
            "stepup=stepup-desktop-handler.desktop\ntext",
            "stepup=other.desktop\ntext",
        );
        assert!(!check(
            Some(entry),
            Some(&elsewhere),
            "/usr/bin/stepup-desktop"
        ));
        let only_added =
            "[Added Associations]\nx-scheme-handler/stepup=stepup-desktop-handler.desktop;\n";
        assert!(!check(
            Some(entry),
            Some(only_added),
            "/usr/bin/stepup-desktop"
        ));
        let other_scheme = entry.replace("x-scheme-handler/stepup", "x-scheme-handler/other");
        assert!(!check(
            Some(&other_scheme),
            Some(mimeapps),
            "/usr/bin/stepup-desktop"
        ));
    }

    #[test]
    fn availability_with_idle() {
        use Availability::*;
        assert_eq!(effective_presence(Online, false), Presence::Online);
        assert_eq!(effective_presence(Online, true), Presence::Away);
        assert_eq!(effective_presence(Away, false), Presence::Away);
        assert_eq!(effective_presence(Offline, true), Presence::Offline);
    }

    #[test]
    fn tray_and_title_follow_the_language_without_isolation_marks() {
        let mut settings = Settings::default();
        let d = Desktop::new(&settings, Locale::En, Arc::new(Catalog::embedded()));
        assert_eq!(d.title(0), "Stepup");
        assert_eq!(d.title(7), "(7) Stepup");
        assert_eq!(d.tray_labels(1).tooltip, "Stepup: one unread message");
        assert_eq!(d.tray_labels(12).tooltip, "Stepup: 12 unread messages");
        settings.locale = Some(Locale::Ar);
        d.apply(&settings, Locale::Ar);
        let l = d.tray_labels(11);
        assert_eq!(l.tooltip, "Stepup: 11 رسالة غير مقروءة");
        assert_eq!(l.quit, "إنهاء Stepup");
        assert_eq!(l.away, "بعيد");
        assert!(!l.tooltip.contains(['\u{2068}', '\u{2069}']));
    }

    #[test]
    fn following_a_link_navigates() {
        let d = Desktop::new(
            &Settings::default(),
            Locale::En,
            Arc::new(Catalog::embedded()),
        );
        let mut rx = d.subscribe_navigate();
        assert!(d.open_link("stepup://nope").is_err());
        d.open_link("stepup://conversation/cnv_9").unwrap();
        assert_eq!(
            rx.try_recv().unwrap(),
            NavigateTo {
                conversation_id: "cnv_9".into(),
                account_id: None,
            }
        );
        assert!(rx.try_recv().is_err());
    }
}
